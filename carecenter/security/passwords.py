"""Password hashing and the password rules (issue 10).  No Qt, no peewee.

A password is stored only as an argon2id hash (argon2-cffi: salted, slow and
memory-hard), never as the password or a fast hash.  The rules are data with
等保 2.0 level 2 defaults, editable by the 系统管理员 (kept in the settings table).
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..domain.errors import DomainError

# argon2id, 64 MiB, 3 passes: ~50–100 ms on the 2-core reference machine (bench: 登录)
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)


@dataclass(frozen=True)
class PasswordRules:
    min_length: int = 8
    min_classes: int = 3          # of upper / lower / digit / symbol
    expiry_days: int = 90         # 0: never expires
    warn_days: int = 7
    history: int = 5              # the last N passwords may not be reused
    max_failures: int = 5
    lockout_minutes: int = 10
    idle_lock_minutes: int = 10   # 0: no idle lock

    LABELS = {
        "min_length": ("密码最少位数", 6, 64),
        "min_classes": ("至少包含几类字符（大写、小写、数字、符号）", 1, 4),
        "expiry_days": ("密码有效期（天，0 为不过期）", 0, 3650),
        "warn_days": ("到期前几天提醒", 0, 60),
        "history": ("不得与最近几次密码相同", 0, 24),
        "max_failures": ("连续输错几次锁定账户", 1, 100),
        "lockout_minutes": ("锁定时长（分钟）", 1, 1440),
        "idle_lock_minutes": ("无操作自动锁屏（分钟，0 为不锁）", 0, 240),
    }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "PasswordRules":
        base = cls()
        if not data:
            return base
        values = {}
        for f in fields(cls):
            raw = data.get(f.name, getattr(base, f.name))
            try:
                values[f.name] = int(raw)
            except (TypeError, ValueError):
                values[f.name] = getattr(base, f.name)
        return cls(**values)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def problems(self) -> list[DomainError]:
        out = []
        for name, (label, low, high) in self.LABELS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                out.append(DomainError("out_of_range", f"「{label}」应在 {low} 到 {high} 之间", name))
        return out


def char_classes(password: str) -> int:
    return sum((
        any(c.isupper() for c in password),
        any(c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


def strength_problems(password: str, login: str, rules: PasswordRules) -> list[DomainError]:
    """Why ``password`` is refused (empty list: acceptable), each a Chinese sentence."""
    out = []
    if len(password) < rules.min_length:
        out.append(DomainError("too_short", f"密码至少 {rules.min_length} 位", "password"))
    if char_classes(password) < rules.min_classes:
        out.append(DomainError("too_simple", f"密码须包含大写字母、小写字母、数字、符号中的至少 {rules.min_classes} 类",
                               "password"))
    if login and login.lower() in password.lower():
        out.append(DomainError("contains_login", "密码不能包含登录名", "password"))
    if password != password.strip():
        out.append(DomainError("spaces", "密码首尾不能有空格", "password"))
    return out


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored_hash: str, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the time of a real check for an unknown login name, so the answer time does
    not reveal whether the name exists."""
    verify(_dummy_hash(), password)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("not-a-real-password-§")
