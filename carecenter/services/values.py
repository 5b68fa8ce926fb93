"""Reading form and database values the same way in every service."""
from __future__ import annotations

import gc
import json
import os
from contextlib import contextmanager
from functools import wraps
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from ..db.models import Cadre
from ..security import access
from ..security.access import exempt, requires


@exempt('pure formatting or parsing, no data')
def as_date(value: Any, parse: Callable[[str], date] | None = None) -> date | None:
    """A date from a date, a datetime, nothing (None, ""), or text: read by ``parse`` (a
    clerk's spelling, raising DomainError) or, by default, as stored ('2026-11-25…')."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse(str(value)) if parse is not None else date.fromisoformat(str(value)[:10])


@exempt('pure formatting or parsing, no data')
def as_text(value: Any) -> str:
    """Trimmed text; None reads as empty."""
    return "" if value is None else str(value).strip()


@exempt('pure formatting or parsing, no data')
def path_text(path: Any) -> str:
    """A file path as text that can be printed, logged and stored.  Paths are bytes the
    OS gave us: a name that is not valid UTF-8 (a GBK name from an old USB stick) comes
    from Python with surrogate escapes, which UTF-8 output and SQLite refuse; here its
    undecodable bytes read \\xNN and everything else as it is."""
    text = path if isinstance(path, str) else os.fsdecode(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:   # a lone surrogate of another kind (an invalid UTF-16 name on Windows)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@exempt('pure wiring of callbacks, no data')
def stepper(progress: Callable[[int, str], None] | None,
            check: Callable[[], None] | None) -> Callable[[int, str], None]:
    """``step(percent, text)`` for a long use case run as a background job (``ui.tasks``):
    ``check()`` first (it raises when 取消 was pressed), then ``progress(percent, text)``."""
    def step(percent: int, text: str) -> None:
        if check is not None:
            check()
        if progress is not None:
            progress(percent, text)
    return step


@exempt('reads a file the clerk chose; the use case that asks checks its own permission')
def read_chosen(path: Any, limit: int, too_large: Callable[[int], Exception], kind: str) -> bytes:
    """The bytes of a file the clerk chose: refused with ``too_large(size)`` when it is larger
    than ``limit`` (before it is read), and with a Chinese DomainError when it does not exist
    or is a folder (``kind``: what to choose instead, e.g. 「报送包（.ccx）」)."""
    from ..domain.errors import DomainError

    try:
        size = os.stat(path).st_size
        if size > limit:
            raise too_large(size)
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except FileNotFoundError:
        raise DomainError("file_missing", f"找不到文件「{path_text(path)}」，请重新选择", "file") from None
    except IsADirectoryError:
        raise DomainError("file_missing", f"「{path_text(path)}」是一个文件夹，请选择{kind}", "file") from None


@requires()
def find_cadre(cadre_id: Any) -> Cadre | None:
    """The cadre with this id (int or text from a form), or None."""
    try:
        cadre = Cadre.get_or_none(Cadre.id == int(cadre_id)) if cadre_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if cadre is not None:
        access.check_unit(cadre.unit_id)
    return cadre


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # exact: whole numbers as int, halves as text ("2.5")
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


@exempt('pure formatting or parsing, no data')
def to_json(data: Any) -> str:
    """Rule rows and details as stored: keys sorted, Chinese kept, numbers never float."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_json_default)


@exempt('pure formatting or parsing, no data')
def from_json(text: str) -> dict[str, Any]:
    return json.loads(text or "{}", parse_float=Decimal)


@exempt('pure formatting or parsing, no data')
@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while a township-wide list is built.

    Those loops allocate tens of thousands of small tuples that never form cycles;
    each allocation burst otherwise sets off collections that walk every object
    the application holds (~20% of a 50,000-cadre list's time).  Reference
    counting still frees everything; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@exempt('pure formatting or parsing, no data')
def builds_large_list(fn):
    """Decorator: run ``fn`` with the collector paused (see ``collector_paused``)."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        with collector_paused():
            return fn(*args, **kwargs)
    return wrapper
