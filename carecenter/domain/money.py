"""Money as integer fen (分) end to end: parsing what clerks type, display, 大写, shares.

Every amount in the domain is an ``int`` of fen.  ``Decimal`` appears only at
the edges (parsing, percentage shares) and never leaves this module as an
amount.  Inexact binary fractions are never used anywhere (a test checks the
source).

Sources:

* 大写 amounts — 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》
  (中文大写金额数字到“元”为止的，在“元”之后应写“整”字，在“角”之后可以不写“整”字；
  有“分”的，“分”后面不写“整”字；阿拉伯数字中间有“0”时应写“零”字，连续几个“0”
  可只写一个“零”字；万位、元位是“0”而千位、角位不是“0”时，可写一个“零”字也可不写；
  角位是“0”而分位不是“0”时，“元”后面应写“零”字).

Conventions chosen where those rules allow a choice (documented so registers
are predictable):

* ``to_capital`` never writes “整” after 角 (``10`` fen → ``壹角``;
  ``150`` fen → ``壹元伍角``); “元整” only when there are no 角 and no 分;
  ``0`` → ``零元整``.
* Tens are always written with 壹: 10 元 → ``壹拾元整``; 100010 元 → ``壹拾万零壹拾元整``.
* Inside a four-digit group, a run of zeros between digits is one “零”; zeros
  at the end of a group are silent.  Across groups (万, 亿): when a lower group
  is non-zero but its thousands digit is 0 (``10_0100`` 元 → ``壹拾万零壹佰元整``)
  or whole groups in between are zero (``1_0000_0001`` 元 → ``壹亿零壹元整``), one
  “零” is written.  When the lower group's thousands digit is not 0 no “零” is
  written (``107000`` 元 → ``壹拾万柒仟元整``, the first of the two forms the
  rules allow).
* When there are yuan and the 元 digit is 0 but there are 角/分, “零” is written
  after 元 (``100050`` fen → ``壹仟元零伍角``); when 角 is 0 and 分 is not, “零”
  after 元 is mandatory (``100005`` → ``壹仟元零伍分``).  Amounts under one yuan
  have no 元 part (``5`` → ``伍分``, ``15`` → ``壹角伍分``).
* A negative amount (a deduction total) is prefixed ``负``.  The supported
  range is below 1 万亿 yuan (``MAX_FEN``).

``share`` computes a percentage of an amount with ROUND_HALF_UP to the fen
(0.5 fen rounds away from zero), the usual payroll rounding.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .errors import DomainError

#: Largest supported amount: 999,999,999,999.99 元 (below 1 万亿).
MAX_FEN = 10 ** 14 - 1

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")

_CURRENCY_PREFIXES = ("人民币", "RMB", "CNY", "¥")
_CURRENCY_SUFFIXES = ("元整", "元", "圆整", "圆", "RMB", "CNY")
_MINUS = ("-", "−", "－")
# digits with optional thousands separators (groups of three), optional fraction
_NUMBER = re.compile(r"^(?:(\d{1,3}(?:,\d{3})+)|(\d+))?(?:\.(\d*))?$")


# ---------------------------------------------------------------------------
# Parsing and display
# ---------------------------------------------------------------------------
def parse_yuan(text: Any, field: str = "amount", label: str = "金额", *,
               allow_negative: bool = False, required: bool = True) -> int | None:
    """Read an amount in yuan as typed by a clerk and return integer fen.

    Accepts ``1200``, ``1,200.00``, ``1200元``, ``￥1,200.5``, ``人民币1200``, full-width
    digits and punctuation; ``int`` and ``Decimal`` values are taken as yuan.
    Refuses more than two decimals, negatives (unless ``allow_negative``) and
    anything else, raising DomainError naming ``label`` and saying what to type.
    An empty entry raises ``amount_required`` when ``required``, else returns None.
    """
    if isinstance(text, bool):
        raise _bad(label, field, str(text))
    if isinstance(text, int):
        text = str(text)
    elif isinstance(text, Decimal):
        if not text.is_finite():
            raise _bad(label, field, str(text))
        text = format(text, "f")
    elif text is None:
        text = ""
    elif not isinstance(text, str):
        raise _bad(label, field, str(text))
    raw = text
    s = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("\u3000", "")
    if not s:
        if required:
            raise DomainError("amount_required", f"请填写{label}（单位：元，如 1200 或 1,200.50）", field)
        return None
    negative = False
    if s[0] in _MINUS:
        negative, s = True, s[1:]
    for prefix in _CURRENCY_PREFIXES:
        if s.upper().startswith(prefix.upper()):
            s = s[len(prefix):]
            break
    if s and s[0] in _MINUS and not negative:
        negative, s = True, s[1:]
    for suffix in _CURRENCY_SUFFIXES:
        if s.upper().endswith(suffix.upper()):
            s = s[: -len(suffix)]
            break
    m = _NUMBER.match(s)
    if not s or not m or (m.group(1) is None and m.group(2) is None and not m.group(3)):
        raise _bad(label, field, raw)
    whole = (m.group(1) or m.group(2) or "0").replace(",", "")
    frac = m.group(3) or ""
    if len(frac) > 2:
        raise DomainError("amount_precision",
                          f"{label}“{raw.strip()}”最多只能有两位小数（到分），请改正，如 1200.50",
                          field, value=raw)
    fen = int(whole) * 100 + int((frac + "00")[:2])
    if fen > MAX_FEN:
        raise DomainError("amount_too_large", f"{label}“{raw.strip()}”过大，请核对（应小于 1 万亿元）",
                          field, value=raw)
    if negative and fen:
        if not allow_negative:
            raise DomainError("amount_negative", f"{label}不能为负数，请填写 0 或正数金额", field, value=raw)
        fen = -fen
    return fen


def _bad(label: str, field: str, raw: str) -> DomainError:
    return DomainError("amount_format",
                       f"{label}“{raw.strip()}”不是有效金额，请填写以元为单位的数字，如 1200 或 1,200.50",
                       field, value=raw)


def check_fen(value: Any, what: str = "金额") -> int:
    """``value`` itself when it is an int of fen; anything else is a programming error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError("money_type", f"{what}应为以分为单位的整数，收到 {value!r}", None, value=value)
    return value


def format_yuan(fen: int) -> str:
    """``120000`` → ``1,200.00``; ``-5`` → ``-0.05``."""
    fen = check_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_yuan_plain(fen: int) -> str:
    """Without separators, for entry fields: ``120000`` → ``1200.00``."""
    fen = check_fen(fen)
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"


def yuan_to_fen(value: Any) -> int:
    """An exact yuan value (int, Decimal or numeric string with ≤ 2 decimals) → fen."""
    return parse_yuan(value, "amount", "金额", allow_negative=True)  # type: ignore[return-value]


def fen_to_decimal(fen: int) -> Decimal:
    """Fen as a Decimal of yuan with two places (for exports that want yuan)."""
    return (Decimal(check_fen(fen)) / 100).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------
# 大写
# ---------------------------------------------------------------------------
def _group_capital(n: int) -> str:
    """0 < n < 10000, zeros inside the group as one 零, trailing zeros silent."""
    digits = f"{n:04d}"
    out: list[str] = []
    pending_zero = False
    for i, ch in enumerate(digits):
        d = int(ch)
        if d == 0:
            if out:
                pending_zero = True
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[d] + _IN_GROUP[3 - i])
    return "".join(out)


def _integer_capital(n: int) -> str:
    """n > 0 yuan in words, without 元."""
    groups: list[int] = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    out: list[str] = []
    need_zero = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            if out:
                need_zero = True
            continue
        if out and (need_zero or g < 1000):
            out.append("零")
        need_zero = False
        out.append(_group_capital(g) + _GROUPS[idx])
    return "".join(out)


def to_capital(fen: int) -> str:
    """Amount in 大写 for registers: ``120000`` → ``壹仟贰佰元整`` (conventions in the module doc)."""
    fen = check_fen(fen)
    if abs(fen) > MAX_FEN:
        raise DomainError("amount_too_large", "金额过大，无法写成大写（应小于 1 万亿元）", None, fen=fen)
    if fen < 0:
        return "负" + to_capital(-fen)
    yuan, rest = divmod(fen, 100)
    jiao, cent = divmod(rest, 10)
    if fen == 0:
        return "零元整"
    parts: list[str] = []
    if yuan:
        parts.append(_integer_capital(yuan) + "元")
        if not jiao and not cent:
            return parts[0] + "整"
        if yuan % 10 == 0 or not jiao:
            parts.append("零")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    if cent:
        parts.append(_DIGITS[cent] + "分")
    return "".join(parts)


# ---------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------
def to_percent(value: Any, field: str = "percent") -> Decimal:
    """A percentage as Decimal from int, Decimal or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise DomainError("percent_type", f"比例“{value}”应为整数或小数（字符串）", field, value=value)
    try:
        pct = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise DomainError("percent_format", f"比例“{value}”不是数字", field, value=value) from None
    if not pct.is_finite() or pct < 0:
        raise DomainError("percent_format", f"比例“{value}”应为不小于 0 的数字", field, value=value)
    return pct


def share(fen: int, percent: Any) -> int:
    """``percent`` % of ``fen``, rounded ROUND_HALF_UP to the fen (retiree shares).

    ``share(12345, 85)`` → 10493 (104.9325 元 → 104.93); ``share(10, 85)`` → 9 (8.5 分 → 9).
    """
    fen = check_fen(fen)
    pct = to_percent(percent)
    return int((Decimal(fen) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def sum_fen(values: Iterable[int]) -> int:
    """Exact sum of fen amounts; anything not an int is refused."""
    total = 0
    for value in values:
        total += check_fen(value)
    return total
