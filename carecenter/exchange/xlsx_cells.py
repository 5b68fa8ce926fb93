"""Reading one cell the way a clerk meant it: text, dates, amounts, yes/no.

Cells come from ``xlsx_reader`` as str, int, float, bool, datetime or None.
Each reader returns a plain value or raises ``DomainError`` with a Chinese
sentence naming the column's label and saying what to write instead.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain import dates
from ..domain.errors import DomainError
from ..domain.money import parse_yuan
from .xlsx_fields import FALSE_WORDS, TRUE_WORDS, VALUE_ALIASES

_CJK = re.compile(r"[\u3400-\u9fff]")
_TRAILING_MIDNIGHT = re.compile(r"^(.*\d)[ T]+0?0:00(:00(\.0+)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_CENT = Decimal("0.01")


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is str:
        text = value.strip()
        return not text or not text.strip("\u200b\ufeff \t\r\n\u3000")
    return False


def cell_text(value: Any) -> str:
    """The cell as it reads on screen (for problem lists and free-text fields)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def compact(text: str) -> str:
    """NFKC, no whitespace at all: for codes, pick-list values, names of units."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if "\u200b" in text or "\ufeff" in text:
            text = text.replace("\u200b", "").replace("\ufeff", "")
    return "".join(text.split())


def read_text(value: Any, limit: int | None = None, label: str = "", key: str = "") -> str:
    text = cell_text(value)
    if limit is not None and len(text) > limit:
        raise DomainError("too_long", f"{label}不超过{limit}个字，现在是{len(text)}个字，请精简", key)
    return text


def read_name(value: Any, label: str = "姓名", key: str = "name") -> str:
    """Names: two-character names are often padded with spaces (「王  伟」) to line up
    with three-character ones; spaces inside a Chinese name are dropped."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if _CJK.search(text):
        text = "".join(ch for ch in text if not ch.isspace())
    return text


def read_id(value: Any, label: str = "身份证号", key: str = "id_number") -> str:
    if isinstance(value, float):
        raise DomainError("id_number_as_number",
                          f"{label}被 Excel 存成了数字（科学计数法），后几位已经丢失；请把这一列设为「文本」格式，"
                          "重新填写完整的 18 位号码", key)
    return cell_text(value)


def read_choice(value: Any, category: str, allowed: list[str] | None = None) -> str:
    """A pick-list value: NFKC, no spaces, common spellings mapped to the list's words
    (「党员」→「中共党员」, 「汉」→「汉族」)."""
    text = compact(cell_text(value))
    alias = VALUE_ALIASES.get(category, {}).get(text) or VALUE_ALIASES.get(category, {}).get(text.upper())
    if alias:
        return alias
    if allowed and text not in allowed and text + "族" in allowed:
        return text + "族"
    return text


def read_bool(value: Any, label: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = compact(cell_text(value)).upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise DomainError("bool_format", f"{label}请填写「是」或「否」", key)


def read_int(value: Any, label: str, key: str) -> int:
    if isinstance(value, bool):
        raise DomainError("int_format", f"{label}应为整数", key)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = compact(cell_text(value))
    if text.endswith("级"):
        text = text[:-1]
    if text.isdigit():
        return int(text)
    raise DomainError("int_format", f"{label}应为整数，请核对", key)


def _serial_date(number: int | float) -> date:
    return _EXCEL_EPOCH + timedelta(days=int(number))


def read_date(value: Any, label: str, key: str, *, allow_month: bool = False) -> date | None:
    """A date from an Excel date, an Excel serial number or text such as 1985.03,
    1985年3月, 1985-3-1, 19850301 (full-width digits and stray spaces allowed)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DomainError("date_format", f"{label}格式不对，请按 2026-11-25 的格式填写", key)
    if isinstance(value, (int, float)) and 10000 <= value < 100000:
        return _check_year(_serial_date(value), label, key, cell_text(value))
    if isinstance(value, int) and 1900 <= value <= 2100:
        raise DomainError("date_year_only", f"{label}只填了年份「{value}」，请至少填写到月，如 {value}.03", key)
    if isinstance(value, float):
        text = repr(value)
        if re.fullmatch(r"\d{4}\.1", text):
            raise DomainError(
                "date_ambiguous",
                f"{label}「{text}」无法确定是 {text[:4]} 年 1 月还是 10 月（Excel 把 {text[:4]}.10 存成了 {text}）；"
                f"请把这一列设为「文本」格式后填写 {text[:4]}.10 或 {text[:4]}.01", key)
    text = cell_text(value)
    m = _TRAILING_MIDNIGHT.match(unicodedata.normalize("NFKC", text))
    if m:
        text = m.group(1)
    return dates.parse_date(text, key, label, allow_month=allow_month)


def _check_year(d: date, label: str, key: str, text: str) -> date:
    if d.year < 1900:
        raise DomainError("date_invalid", f"{label} {text} 太早，请核对年份", key)
    return d


def read_money(value: Any, label: str, key: str, *, required: bool = False) -> int | None:
    """Integer fen from a number or text in yuan (「1,200.50」「￥500」「500元」)."""
    if isinstance(value, float):
        exact = Decimal(repr(value))
        rounded = exact.quantize(_CENT)
        # a formula's binary leftovers (169.99999999999997) are read to the fen
        value = rounded if abs(exact - rounded) < Decimal("0.000001") else exact
    elif isinstance(value, bool):
        raise DomainError("amount_format", f"{label}应为金额（元），如 500 或 500.00", key)
    elif not isinstance(value, (int, Decimal, str)) and value is not None:
        value = cell_text(value)
    return parse_yuan(value, key, label, required=required)


def read_days(value: Any, label: str, key: str) -> Decimal:
    """A day count in half days: 3, 2.5, 「3天」, 「0.5」."""
    if isinstance(value, bool):
        raise DomainError("days_format", f"{label}应为天数，如 3 或 2.5", key)
    if isinstance(value, float):
        text = repr(value)
    else:
        text = compact(cell_text(value))
    for suffix in ("个工作日", "工作日", "天", "日"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    try:
        days = Decimal(text)
    except InvalidOperation:
        raise DomainError("days_format", f"{label}应为天数，如 3 或 2.5", key) from None
    if not days.is_finite() or days < 0 or (days * 2) != (days * 2).to_integral_value():
        raise DomainError("days_format", f"{label}应为 0 或正数，以半天为单位（如 2.5）", key)
    return days


def read_half(value: Any, label: str, key: str) -> str:
    """'上午' / '下午' / '' (全天)."""
    text = compact(cell_text(value))
    if text in ("", "全天", "整天", "全日"):
        return ""
    if text in ("上午", "上", "AM", "am", "早上", "上半天"):
        return "上午"
    if text in ("下午", "下", "PM", "pm", "下半天"):
        return "下午"
    raise DomainError("half_format", f"{label}请填写「上午」或「下午」，全天请留空", key)
