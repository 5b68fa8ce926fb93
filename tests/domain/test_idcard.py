"""ID numbers (DOMAIN.md §1: GB 11643, ISO 7064 MOD 11-2; §6: masking)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from carecenter.domain import idcard
from carecenter.domain.errors import DomainError

# DOMAIN.md §1: weights for digits 1–17 and check = "10X98765432"[sum mod 11].
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(body17: str) -> str:
    """Reference checksum written from the spec, independent of the code under test."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, WEIGHTS)) % 11]


def make_id(region: str = "110105", birth: str = "19491231", seq: str = "002") -> str:
    body = region + birth + seq
    return body + check_char(body)


VALID = "11010519491231002X"


def test_reference_checksum_agrees_with_domain_example():
    assert make_id() == VALID
    for body in ("11010519491231002", "33032819850315123", "44030420000229004", "65010119001231999"):
        assert idcard.check_digit(body) == check_char(body)


@pytest.mark.parametrize("raw, number, birth, sex", [
    # DOMAIN.md §1 example number
    (VALID, VALID, date(1949, 12, 31), "女"),
    # lower-case x is the same check character
    ("11010519491231002x", VALID, date(1949, 12, 31), "女"),
    # full-width digits and letters, pasted from a Word table
    ("１１０１０５１９４９１２３１００２Ｘ", VALID, date(1949, 12, 31), "女"),
    ("１１０１０５１９４９１２３１００２ｘ", VALID, date(1949, 12, 31), "女"),
    # stray spaces (leading, inner, trailing, ideographic space) and tabs
    ("  110105 19491231 002X\t", VALID, date(1949, 12, 31), "女"),
    ("110105\u300019491231002X", VALID, date(1949, 12, 31), "女"),
    # Feb 29 in a leap year is a real date
    (make_id(birth="20000229", seq="003"), make_id(birth="20000229", seq="003"), date(2000, 2, 29), "男"),
    # 17th digit odd = male, even = female
    (make_id(seq="011"), make_id(seq="011"), date(1949, 12, 31), "男"),
    (make_id(seq="010"), make_id(seq="010"), date(1949, 12, 31), "女"),
])
def test_parse_valid(raw, number, birth, sex):
    info = idcard.parse(raw)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.region == number[:6]


def _wrong_check(number: str) -> str:
    right = number[17]
    wrong = "0" if right != "0" else "1"
    return number[:17] + wrong


@pytest.mark.parametrize("raw, code, words", [
    ("", "id_required", "请填写"),
    ("   ", "id_required", "请填写"),
    (_wrong_check(VALID), "id_checksum", "校验位"),
    ("110105194912310021", "id_checksum", "校验位"),
    # impossible dates: Feb 30, Feb 29 in a non-leap year (2001, and 1900 is not a leap year), month 13
    (make_id(birth="19490230"), "id_birth_date", "不是真实日期"),
    (make_id(birth="20010229"), "id_birth_date", "不是真实日期"),
    (make_id(birth="19000229"), "id_birth_date", "不是真实日期"),
    (make_id(birth="19491301"), "id_birth_date", "不是真实日期"),
    (make_id(birth="19490100"), "id_birth_date", "不是真实日期"),
    # real but implausible dates
    (make_id(birth="18991231"), "id_birth_date", "不合理"),
    # wrong length: 15 (old first-generation number), 17, 19
    ("110105491231002", "id_length", "15位"),
    (VALID[:17], "id_length", "17位"),
    (VALID + "1", "id_length", "19位"),
    # letters in the body; a check character other than a digit or X
    ("1101051949123100AX", "id_chars", "前17位只能是数字"),
    ("11010519491231002Y", "id_chars", "最后一位是数字或X"),
    ("X10105194912310021", "id_chars", "数字"),
    ("110105********002X", "id_masked", "被遮蔽"),   # a masked export read back
    # non-ASCII digits (Arabic-Indic) are not ID digits even though str.isdigit() says so
    ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "id_chars", "数字"),
])
def test_parse_invalid(raw, code, words):
    with pytest.raises(DomainError) as exc:
        idcard.parse(raw)
    err = exc.value
    assert err.code == code
    assert err.field == "id_number"
    assert words in err.message
    assert "身份证号" in err.message


def test_future_birth_date_refused():
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        idcard.parse(make_id(birth=f"{tomorrow:%Y%m%d}"))
    assert exc.value.code == "id_birth_date"


def test_birth_today_is_accepted_with_age_zero():
    today = date.today()
    info = idcard.parse(make_id(birth=f"{today:%Y%m%d}"))
    assert info.birth_date == today
    assert info.age_on(today) == 0


def test_checksum_error_carries_expected_character():
    with pytest.raises(DomainError) as exc:
        idcard.parse(_wrong_check(VALID))
    assert exc.value.params["expected"] == "X"


@pytest.mark.parametrize("birth, on, age", [
    (date(1949, 12, 31), date(2026, 12, 30), 76),  # day before the birthday
    (date(1949, 12, 31), date(2026, 12, 31), 77),  # birthday today
    (date(1949, 12, 31), date(2027, 1, 1), 77),
    (date(1990, 6, 15), date(2026, 6, 14), 35),
    (date(1990, 6, 15), date(2026, 6, 15), 36),
    (date(1990, 6, 15), date(2026, 6, 16), 36),
    # born Feb 29: a year older on Mar 1 of a common year, on Feb 29 of a leap year
    (date(2000, 2, 29), date(2025, 2, 28), 24),
    (date(2000, 2, 29), date(2025, 3, 1), 25),
    (date(2000, 2, 29), date(2028, 2, 29), 28),
    (date(2000, 2, 29), date(2000, 2, 29), 0),
])
def test_age_on(birth, on, age):
    assert idcard.age_on(birth, on) == age
    info = idcard.IdInfo(number="", birth_date=birth, sex="男", region="")
    assert info.age_on(on) == age


def test_age_birthday_today_relative_to_real_today():
    today = date.today()
    if (today.month, today.day) == (2, 29):
        pytest.skip("no 40th birthday on Feb 29 forty years ago")
    birth = today.replace(year=today.year - 40)
    info = idcard.parse(make_id(birth=f"{birth:%Y%m%d}"))
    assert info.age_on(today) == 40
    assert info.age_on(today - timedelta(days=1)) == 39


@pytest.mark.parametrize("typed_birth, typed_sex, codes", [
    (None, None, []),
    (None, "", []),
    (date(1949, 12, 31), "女", []),
    (date(1949, 12, 30), "女", ["birth_mismatch"]),
    (date(1949, 12, 31), "男", ["sex_mismatch"]),
    (date(1950, 1, 1), "男", ["birth_mismatch", "sex_mismatch"]),
])
def test_mismatch_warnings(typed_birth, typed_sex, codes):
    info = idcard.parse(VALID)
    warnings = idcard.mismatches(info, typed_birth, typed_sex)
    assert [w.code for w in warnings] == codes
    fields = {"birth_mismatch": "birth_date", "sex_mismatch": "sex"}
    for w in warnings:
        assert w.field == fields[w.code]
        assert "身份证号" in w.message and "请核对" in w.message
    if "birth_mismatch" in codes:
        assert "1949-12-31" in warnings[0].message
    if "sex_mismatch" in codes:
        assert "女" in warnings[-1].message


@pytest.mark.parametrize("number, masked", [
    (VALID, "110105********002X"),  # DOMAIN.md §6
    ("330328198503151234", "330328********1234"),
    ("", ""),
    ("1234", "1234"),
])
def test_mask(number, masked):
    assert idcard.mask(number) == masked


def test_mask_of_odd_length_keeps_birth_date_hidden():
    masked = idcard.mask("110105491231002")
    assert "491231" not in masked
    assert len(masked) == 15


@pytest.mark.parametrize("raw, out", [
    ("11010519491231002x", VALID),
    (" 110105-19491231-002X ", VALID),
    ("１１０１０５１９４９１２３１００２ｘ", VALID),
    (None, ""),
])
def test_normalise(raw, out):
    assert idcard.normalise(raw) == out
