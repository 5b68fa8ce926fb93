"""Errors raised by domain rules and services.

Each error carries a machine code, a Chinese sentence for the clerk that names
the field and says what to do, the field it concerns (or None) and parameters.
"""
from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, field: str | None = None, **params):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = params

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"DomainError({self.code!r}, {self.message!r}, field={self.field!r})"


class ValidationError(DomainError):
    """Several field errors found at once; nothing was saved."""

    def __init__(self, errors: list[DomainError]):
        first = errors[0].message if errors else ""
        super().__init__("invalid", first, None)
        self.errors = list(errors)

    def by_field(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for err in self.errors:
            out.setdefault(err.field or "", err.message)
        return out
