"""Dates as clerks type them (carecenter.domain.dates; DOMAIN.md §1 roster dates)."""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.domain.dates import fmt, parse_date
from carecenter.domain.errors import DomainError


@pytest.mark.parametrize("raw, expected", [
    ("2026-11-25", date(2026, 11, 25)),
    ("2026.11.25", date(2026, 11, 25)),
    ("2026/11/25", date(2026, 11, 25)),
    ("20261125", date(2026, 11, 25)),
    ("2026年11月25日", date(2026, 11, 25)),
    ("2026年11月25", date(2026, 11, 25)),
    ("2026 年 11 月 25 日", date(2026, 11, 25)),
    ("2026-1-5", date(2026, 1, 5)),
    ("2026.01.05", date(2026, 1, 5)),
    ("  2026.1.5\t", date(2026, 1, 5)),
    ("２０２６－１１－２５", date(2026, 11, 25)),   # full-width, pasted from a document
    ("２０２６年１１月２５日", date(2026, 11, 25)),
    ("2000-02-29", date(2000, 2, 29)),
    ("1900-01-01", date(1900, 1, 1)),
])
def test_accepted_formats(raw, expected):
    assert parse_date(raw) == expected
    # full dates are accepted the same way when months alone are allowed
    assert parse_date(raw, allow_month=True) == expected


@pytest.mark.parametrize("raw", ["", "   ", None, "\u3000"])
def test_empty_is_none(raw):
    assert parse_date(raw) is None
    assert parse_date(raw, allow_month=True) is None


@pytest.mark.parametrize("raw, code", [
    ("2026-11", "date_format"),          # month only, not allowed here
    ("198503", "date_format"),
    ("2026-11-25 10:00", "date_format"),
    ("25/11/2026", "date_format"),
    ("26-11-25", "date_format"),
    ("abc", "date_format"),
    ("2026.11.25.", "date_format"),
    ("2026-02-30", "date_invalid"),
    ("2025-02-29", "date_invalid"),      # not a leap year
    ("1900-02-29", "date_invalid"),      # 1900 is not a leap year
    ("2026-13-01", "date_invalid"),
    ("2026-00-10", "date_invalid"),
    ("20261301", "date_invalid"),
    ("1899-12-31", "date_invalid"),      # too early for a roster
])
def test_bad_dates_name_the_field(raw, code):
    with pytest.raises(DomainError) as exc:
        parse_date(raw, "party_join_date", "入党时间")
    err = exc.value
    assert err.code == code
    assert err.field == "party_join_date"
    assert err.message.startswith("入党时间")
    assert "请" in err.message  # says what to do


def test_format_error_shows_example():
    with pytest.raises(DomainError) as exc:
        parse_date("明年", "work_start_date", "参加工作时间")
    assert "2026-11-25" in exc.value.message
    assert "年月" not in exc.value.message
    with pytest.raises(DomainError) as exc:
        parse_date("明年", "work_start_date", "参加工作时间", allow_month=True)
    assert "1985.03" in exc.value.message  # tells the clerk a month alone is fine here


@pytest.mark.parametrize("raw, expected", [
    ("1985.03", date(1985, 3, 1)),
    ("1985-3", date(1985, 3, 1)),
    ("1985/03", date(1985, 3, 1)),
    ("1985年3月", date(1985, 3, 1)),
    ("1985年03", date(1985, 3, 1)),
    ("198503", date(1985, 3, 1)),
    ("１９８５．０３", date(1985, 3, 1)),
])
def test_month_only_with_allow_month(raw, expected):
    assert parse_date(raw, "work_start_date", "参加工作时间", allow_month=True) == expected
    with pytest.raises(DomainError):
        parse_date(raw, "work_start_date", "参加工作时间")


@pytest.mark.parametrize("raw", ["1985.13", "198500", "1985年0月", "1899.12"])
def test_bad_month_only(raw):
    with pytest.raises(DomainError) as exc:
        parse_date(raw, "work_start_date", "参加工作时间", allow_month=True)
    assert exc.value.code == "date_invalid"
    assert exc.value.field == "work_start_date"
    assert "参加工作时间" in exc.value.message


def test_default_field_and_label():
    with pytest.raises(DomainError) as exc:
        parse_date("x")
    assert exc.value.field == "date"
    assert exc.value.message.startswith("日期")


def test_fmt():
    assert fmt(date(2026, 1, 5)) == "2026-01-05"
    assert fmt(None) == ""
