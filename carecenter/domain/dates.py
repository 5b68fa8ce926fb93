"""Dates as clerks type them: 2026-11-25, 2026.11.25, 2026/11/25, 20261125, 2026年11月25日.

With ``allow_month=True`` a month alone (1985.03, 1985年3月, 198503) is read as
the first of that month — rosters often record 参加工作时间 to the month only.
Such a field shows a first of the month as the month alone (``fmt_month_date``:
1985.03), in the form, the detail window, the printouts and the exports, so a
day the clerk never typed is never shown.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from .errors import DomainError

_FULL = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$")
_MONTH_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


def parse_date(raw: str, field: str = "date", label: str = "日期", *,
               allow_month: bool = False) -> date | None:
    """Return the date, None for an empty entry, or raise DomainError naming the field."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    m = _FULL.match(text) or _COMPACT.match(text)
    day_given = True
    if not m and allow_month:
        m = _MONTH.match(text) or _MONTH_COMPACT.match(text)
        day_given = False
    if not m:
        raise DomainError(
            "date_format",
            f"{label}格式不对，请按 2026-11-25 的格式填写" + ("（也可只填年月，如 1985.03）" if allow_month else ""),
            field,
        )
    year, month = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if day_given else 1
    try:
        value = date(year, month, day)
    except ValueError:
        raise DomainError("date_invalid", f"{label} {text} 不是真实日期，请核对", field) from None
    if year < 1900:
        raise DomainError("date_invalid", f"{label} {text} 太早，请核对年份", field)
    return value


def fmt(value: date | None) -> str:
    return value.isoformat() if value else ""


def fmt_month_date(value: date | None) -> str:
    """A month-precision field (入党时间, 参加工作时间 …): 1985.03 for a month alone
    (stored as its first day), the full date when a day other than the first was given."""
    if not value:
        return ""
    if value.day == 1:
        return f"{value.year}.{value.month:02d}"
    return value.isoformat()
