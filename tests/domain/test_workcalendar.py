"""Working-day calendar (DOMAIN.md §2: count modes, State Council holidays, local overrides)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecenter.domain.errors import DomainError
from carecenter.domain.workcalendar import DayOverride, WorkCalendar

CAL = WorkCalendar()
D = Decimal


# 国务院办公厅 2025 holiday notice (checked against chinese_calendar 1.11):
# 国庆节、中秋节 2025-10-01..10-08 off; make-up workdays Sun 2025-09-28 and Sat 2025-10-11.
@pytest.mark.parametrize("day, workday, name", [
    (date(2025, 9, 27), False, ""),                     # Saturday, ordinary weekend
    (date(2025, 9, 28), True, "国庆节（调休上班）"),      # Sunday, make-up workday
    (date(2025, 9, 30), True, ""),                      # Tuesday
    (date(2025, 10, 1), False, "国庆节"),
    (date(2025, 10, 6), False, "中秋节"),
    (date(2025, 10, 8), False, "国庆节"),
    (date(2025, 10, 9), True, ""),
    (date(2025, 10, 11), True, "国庆节（调休上班）"),     # Saturday, make-up workday
    (date(2025, 10, 12), False, ""),                    # Sunday
])
def test_day_info_national_day_2025(day, workday, name):
    assert CAL.day_info(day) == (workday, name)
    assert CAL.is_workday(day) is workday


# Hand count, 2025-09-28..2025-10-12 (15 calendar days):
# workdays are 9-28 (make-up), 9-29, 9-30, 10-9, 10-10, 10-11 (make-up) = 6.
@pytest.mark.parametrize("start, end, mode, start_half, end_half, expected", [
    (date(2025, 9, 28), date(2025, 10, 12), "working", False, False, D(6)),
    (date(2025, 9, 28), date(2025, 10, 12), "calendar", False, False, D(15)),
    (date(2025, 10, 1), date(2025, 10, 8), "working", False, False, D(0)),     # whole holiday
    (date(2025, 10, 1), date(2025, 10, 12), "working", False, False, D(3)),    # 10-9, 10-10, 10-11
    (date(2025, 9, 27), date(2025, 9, 28), "working", False, False, D(1)),     # Sat off, Sun make-up
    # half days: start in the afternoon / end at noon
    (date(2025, 9, 28), date(2025, 10, 12), "working", True, False, D("5.5")),
    (date(2025, 9, 28), date(2025, 10, 11), "working", False, True, D("5.5")),
    (date(2025, 9, 28), date(2025, 10, 11), "working", True, True, D(5)),
    (date(2025, 9, 28), date(2025, 10, 12), "working", False, True, D(6)),     # last day is a rest day
    (date(2025, 10, 9), date(2025, 10, 9), "working", True, False, D("0.5")),  # single afternoon
    (date(2025, 10, 9), date(2025, 10, 9), "working", False, True, D("0.5")),  # single morning
    (date(2025, 10, 9), date(2025, 10, 9), "working", False, False, D(1)),
    (date(2025, 10, 4), date(2025, 10, 4), "calendar", True, False, D("0.5")),
])
def test_count_days(start, end, mode, start_half, end_half, expected):
    result = CAL.count_days(start, end, mode, start_half=start_half, end_half=end_half)
    assert result == expected
    assert isinstance(result, Decimal)


def test_end_before_start_names_end_date():
    with pytest.raises(DomainError) as exc:
        CAL.count_days(date(2025, 10, 10), date(2025, 10, 9))
    assert exc.value.code == "end_before_start"
    assert exc.value.field == "end_date"


def test_both_half_flags_on_one_day_is_refused():
    with pytest.raises(DomainError) as exc:
        CAL.count_days(date(2025, 10, 9), date(2025, 10, 9), "working", True, True)
    assert exc.value.code == "half_day_empty"


def test_bad_mode_is_refused():
    with pytest.raises(DomainError) as exc:
        CAL.count_days(date(2025, 10, 9), date(2025, 10, 9), "lunar")
    assert exc.value.code == "invalid_count_mode"


def test_unknown_year_raises_instead_of_guessing():
    first, last = CAL.known_range()
    beyond = date(last.year + 4, 5, 6)
    with pytest.raises(DomainError) as exc:
        CAL.is_workday(beyond)
    assert exc.value.code == "calendar_unknown"
    assert "日历设置" in exc.value.message and str(beyond.year) in exc.value.message
    with pytest.raises(DomainError):
        CAL.count_days(beyond, beyond, "working")
    # calendar mode needs no holiday data
    assert CAL.count_days(beyond, beyond, "calendar") == 1
    assert first.year <= 2025 <= last.year


def test_overrides_make_a_year_known_and_win():
    year = CAL.known_range()[1].year + 4
    new_year = date(year, 1, 1)
    monday = next(date(year, 5, d) for d in range(1, 8) if date(year, 5, d).weekday() == 0)
    saturday = next(date(year, 5, d) for d in range(1, 8) if date(year, 5, d).weekday() == 5)
    cal = WorkCalendar({new_year: DayOverride(new_year, False, "元旦"),
                        saturday: DayOverride(saturday, True, "劳动节调休")})
    assert cal.day_info(new_year) == (False, "元旦")
    assert cal.day_info(saturday) == (True, "劳动节调休")
    assert cal.is_workday(monday) is True                      # plain weekday rule in a clerk-entered year
    assert cal.is_workday(saturday.replace(day=saturday.day + 1)) is False  # Sunday
    assert year in cal.known_years()
    with pytest.raises(DomainError):
        cal.is_workday(date(year + 1, 3, 3))


def test_override_beats_builtin_data():
    day = date(2025, 10, 8)
    cal = WorkCalendar([DayOverride(day, True, "本县调整上班")])
    assert cal.day_info(day) == (True, "本县调整上班")
    assert cal.count_days(date(2025, 10, 1), date(2025, 10, 8)) == 1


@pytest.mark.parametrize("start, days, mode, start_half, expected", [
    (date(2025, 9, 29), D(6), "working", False, (date(2025, 10, 13), False)),  # 29,30,9,10,11,13
    (date(2025, 9, 29), D("2.5"), "working", False, (date(2025, 10, 9), True)),
    (date(2025, 9, 29), D("0.5"), "working", True, (date(2025, 9, 29), False)),
    (date(2025, 9, 29), D(158), "calendar", False, (date(2026, 3, 5), False)),
])
def test_end_date_for(start, days, mode, start_half, expected):
    end, end_half = CAL.end_date_for(start, days, mode, start_half)
    assert (end, end_half) == expected
    assert CAL.count_days(start, end, mode, start_half, end_half) == days


def test_end_date_for_refuses_rest_day_start():
    with pytest.raises(DomainError) as exc:
        CAL.end_date_for(date(2025, 10, 1), 3, "working")
    assert exc.value.code == "start_not_workday"
