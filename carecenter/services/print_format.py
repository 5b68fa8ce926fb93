"""How values read on paper: dates, months, day counts, money (yuan with 大写)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from ..domain.money import format_yuan, to_capital
from ..security.access import exempt, requires


@exempt('pure formatting or parsing, no data')
def ymd(d: date | None) -> str:
    return d.isoformat() if d else ""


@exempt('pure formatting or parsing, no data')
def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@exempt('pure formatting or parsing, no data')
def cn_month(d: date) -> str:
    return f"{d.year}年{d.month}月"


@exempt('pure formatting or parsing, no data')
def period_text(start: date, end: date) -> str:
    """2026年度 for a calendar year, else 2026年3月1日至2026年8月31日."""
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        return f"{start.year}年度"
    return f"{cn_date(start)}至{cn_date(end)}"


@exempt('pure formatting or parsing, no data')
def days(value: Decimal) -> str:
    """5 / 2.5 (exact half days, no trailing zeros)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


@exempt('pure formatting or parsing, no data')
def yuan(fen: int) -> str:
    return format_yuan(fen)


@exempt('pure formatting or parsing, no data')
def percent(part: int | Decimal, whole: int | Decimal) -> str:
    """A rate as printed and shown: 85.0% (one decimal); — when there is nothing to divide by."""
    if not whole:
        return "—"
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"


@exempt('pure formatting or parsing, no data')
def capital(fen: int) -> str:
    """人民币 in 大写 as written on registers: 人民币壹仟贰佰元整."""
    return "人民币" + to_capital(fen)


@exempt('pure formatting or parsing, no data')
def text(value: str) -> str:
    """Text for a Paragraph (its mini-markup escaped, line breaks kept)."""
    return escape(value or "").replace("\n", "<br/>")


#: the individual care record's title (DOMAIN.md: 个人关心关爱档案)
CARE_RECORD_TITLE = "个人关心关爱档案"


@exempt('pure formatting or parsing, no data')
def care_record_title(name: str, start, end) -> str:
    return f"{CARE_RECORD_TITLE}（{name}，{period_text(start, end)}）"
