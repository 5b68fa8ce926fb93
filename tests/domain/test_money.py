"""Money as integer fen (DOMAIN.md §3: "Money is exact: store integer fen … never float")."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from carecenter.domain import money as m
from carecenter.domain.errors import DomainError

DOMAIN_DIR = Path(m.__file__).resolve().parent


@pytest.mark.parametrize("module", ["money.py", "allowance.py", "welfare.py"])
def test_no_float_in_money_modules(module):
    source = (DOMAIN_DIR / module).read_text(encoding="utf-8")
    assert not re.search(r"float", source, re.IGNORECASE), module


# ---------------------------------------------------------------------------
# parse_yuan — what clerks type
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, fen", [
    ("1200", 120000),
    ("1,200.00", 120000),
    ("1200元", 120000),
    ("1200元整", 120000),
    ("￥1,200.5", 120050),                 # full-width yen sign
    ("¥1200", 120000),
    ("人民币1,200.05", 120005),
    ("１２００．５０", 120050),             # full-width digits and point
    ("１，２００元", 120000),               # full-width comma
    (" 300 ", 30000),
    ("0", 0),
    ("0.01", 1),
    (".5", 50),
    ("1200.", 120000),
    ("12,345,678.9", 1234567890),
    (1200, 120000),                       # int = yuan
    (Decimal("1200.5"), 120050),
    ("999,999,999,999.99", m.MAX_FEN),
])
def test_parse_yuan_accepts(text, fen):
    assert m.parse_yuan(text, "amount", "慰问金") == fen


@pytest.mark.parametrize("text, code, words", [
    ("1.234", "amount_precision", "两位小数"),
    ("12,00", "amount_format", "不是有效金额"),       # bad grouping: refuse, never guess
    ("1,2000", "amount_format", "不是有效金额"),
    ("abc", "amount_format", "如 1200"),
    ("12元5角", "amount_format", "不是有效金额"),
    ("1.2.3", "amount_format", "不是有效金额"),
    ("¥", "amount_format", "不是有效金额"),
    ("-5", "amount_negative", "不能为负数"),
    ("－5", "amount_negative", "不能为负数"),
    ("1,000,000,000,000", "amount_too_large", "过大"),
    ("", "amount_required", "请填写慰问金"),
    (None, "amount_required", "请填写慰问金"),
    (True, "amount_format", "不是有效金额"),
    (Decimal("NaN"), "amount_format", "不是有效金额"),
])
def test_parse_yuan_refuses(text, code, words):
    with pytest.raises(DomainError) as exc:
        m.parse_yuan(text, "money", "慰问金")
    assert exc.value.code == code
    assert exc.value.field == "money"
    assert words in exc.value.message
    if code not in ("amount_required",):
        assert "慰问金" in exc.value.message           # names the label


@pytest.mark.parametrize("text, fen", [("-5", -500), ("−1,200.50", -120050), ("-0", 0)])
def test_parse_yuan_negative_when_allowed(text, fen):
    assert m.parse_yuan(text, "amount", "扣减金额", allow_negative=True) == fen


def test_parse_yuan_optional_empty():
    assert m.parse_yuan("  ", "goods", "慰问品价值", required=False) is None


# ---------------------------------------------------------------------------
# format_yuan
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fen, text", [
    (0, "0.00"), (1, "0.01"), (10, "0.10"), (120000, "1,200.00"), (120050, "1,200.50"),
    (123456789, "1,234,567.89"), (-5, "-0.05"), (-120000, "-1,200.00"),
])
def test_format_yuan(fen, text):
    assert m.format_yuan(fen) == text
    assert m.parse_yuan(text, "a", "金额", allow_negative=True) == fen   # round trip


@pytest.mark.parametrize("bad", [1.5, "100", True, Decimal("1")])
def test_format_yuan_refuses_non_int(bad):
    with pytest.raises(DomainError) as exc:
        m.format_yuan(bad)
    assert exc.value.code == "money_type"


# ---------------------------------------------------------------------------
# 大写 — 《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》; conventions in money.py
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fen, capital", [
    (0, "零元整"),
    (1, "壹分"),
    (5, "伍分"),
    (10, "壹角"),                          # no 整 after 角 (convention)
    (15, "壹角伍分"),
    (100, "壹元整"),
    (150, "壹元伍角"),
    (1000, "壹拾元整"),                    # 壹拾, not 拾
    (1500, "壹拾伍元整"),
    (10150, "壹佰零壹元伍角"),             # zero inside a group
    (32504, "叁佰贰拾伍元零肆分"),           # 角 is 0, 分 is not: 零 after 元 (mandatory)
    (120000, "壹仟贰佰元整"),
    (100050, "壹仟元零伍角"),               # 元 digit 0, 角 not 0: 零 written (our choice)
    (100005, "壹仟元零伍分"),
    (168032, "壹仟陆佰捌拾元零叁角贰分"),
    (100100, "壹仟零壹元整"),
    (1640902, "壹万陆仟肆佰零玖元零贰分"),
    (10_0000_00, "壹拾万元整"),
    (10_0100_00, "壹拾万零壹佰元整"),        # 千位 0 in the lower group: one 零
    (10_7000_53, "壹拾万柒仟元零伍角叁分"),   # 千位 not 0: no 零 before 柒仟
    (10_0010_00, "壹拾万零壹拾元整"),
    (1000_0000_00, "壹仟万元整"),
    (1_0000_0000_00, "壹亿元整"),
    (1_0000_0001_00, "壹亿零壹元整"),        # whole 万 group zero: one 零
    (1_0001_0000_00, "壹亿零壹万元整"),
    (1_0010_0000_00, "壹亿零壹拾万元整"),
    (12_3456_7890_12, "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分"),
    (m.MAX_FEN, "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    (-120000, "负壹仟贰佰元整"),
])
def test_to_capital(fen, capital):
    assert m.to_capital(fen) == capital


def test_to_capital_out_of_range():
    with pytest.raises(DomainError) as exc:
        m.to_capital(m.MAX_FEN + 1)
    assert exc.value.code == "amount_too_large"


# ---------------------------------------------------------------------------
# share — retiree shares (国人部发〔2006〕61号: 退休 85%, 离休 100%, 退职 60%), ROUND_HALF_UP to the fen
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fen, percent, result", [
    (10000, 85, 8500),
    (10000, 100, 10000),
    (10000, 60, 6000),
    (12345, 85, 10493),       # 10493.25 → 10493
    (10, 85, 9),              # 8.5 → 9 (half up)
    (30, 85, 26),             # 25.5 → 26
    (29, 85, 25),             # 24.65 → 25
    (1, 60, 1),               # 0.6 → 1
    (1, 40, 0),               # 0.4 → 0
    (12345, "85.5", 10555),   # 10554.975 → 10555
    (12345, Decimal("33.3"), 4111),  # 4110.885 → 4111
    (-10, 85, -9),            # deductions: half away from zero
    (0, 85, 0),
])
def test_share(fen, percent, result):
    assert m.share(fen, percent) == result


@pytest.mark.parametrize("percent", [0.85, True, "abc", -1, None])
def test_share_refuses_bad_percent(percent):
    with pytest.raises(DomainError):
        m.share(10000, percent)


def test_sum_fen_exact_and_typed():
    assert m.sum_fen([1] * 1000 + [120000, -500]) == 120500
    assert m.sum_fen([]) == 0
    with pytest.raises(DomainError) as exc:
        m.sum_fen([100, 0.1])
    assert exc.value.code == "money_type"
    with pytest.raises(DomainError):
        m.sum_fen([100, Decimal("1")])


def test_fen_to_decimal():
    assert m.fen_to_decimal(120050) == Decimal("1200.50")
    assert str(m.fen_to_decimal(5)) == "0.05"
