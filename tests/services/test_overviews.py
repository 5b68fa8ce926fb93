"""The 工作台's grouped overviews agree with the full lists they summarise.

``leave.annual_overview`` and ``health.due_overview`` group cadres in SQL and evaluate
each group once; these tests compare them, count for count and name for name, with
``annual_balances`` and ``due_list`` on demo data plus the cases that leave the
grouped path (a deferral, a forfeiture by last year's leave)."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from carecenter.db import queries
from carecenter.db.models import HealthCheck
from carecenter.domain import health as health_rules
from carecenter.domain import leave as lv
from carecenter.services import demo, demo_care, health, leave
from carecenter.services.leave import LeaveInput
from tests.conftest import cadre_record, make_id_number


@pytest.fixture
def township(store):
    leave.seed_rules_if_empty("zhejiang")
    health.seed_rules_if_empty("zhejiang")
    demo.generate(150, seed=7)
    demo_care.generate_history(years=3)


def _expected_leave(year: int):
    rows = leave.annual_balances(year)
    none = [r for r in rows if r.remaining > 0 and r.taken == 0]
    partly = [r for r in rows if r.remaining > 0 and r.taken > 0]
    return rows, none, partly


@pytest.mark.parametrize("offset", [0, -1])
def test_annual_overview_matches_the_balance_view(township, offset):
    year = date.today().year + offset
    rows, none, partly = _expected_leave(year)
    ov = leave.annual_overview(year, sample=5)
    assert (ov.none_taken, ov.partly, ov.total) == (len(none), len(partly), len(rows))
    assert ov.rested == sum(1 for r in rows if r.taken > 0)
    assert ov.first_none == none[:5] and ov.first_partly == partly[:5]


def test_annual_overview_counts_deferrals_and_forfeitures_one_by_one(store, unit):
    leave.seed_rules_if_empty()
    year = date.today().year

    def add(name: str, seq: int) -> int:
        from carecenter.services import roster

        data = cadre_record(unit, name=name, id_number=make_id_number("19800310", seq), phone="",
                            emergency_phone="", work_start_date=date(2005, 7, 1))
        return roster.save_cadre(data).id

    deferring, forfeiting, plain = add("甲顺延", 11), add("乙事假", 13), add("丙普通", 15)
    # last year: 2 of 15 days taken, 3 deferred into this year → 18 left, none taken
    leave.save_leave(LeaveInput(deferring, lv.ANNUAL, date(year - 1, 3, 2), date(year - 1, 3, 3)))
    leave.save_deferral(deferring, year - 1, 3, "防汛期间不能安排休假")
    # last year: annual leave taken, then 20 working days of 事假 → nothing this year
    leave.save_leave(LeaveInput(forfeiting, lv.ANNUAL, date(year - 1, 3, 9), date(year - 1, 3, 10)))
    leave.save_leave(LeaveInput(forfeiting, lv.PERSONAL, date(year - 1, 4, 1), date(year - 1, 4, 29),
                                over_balance_reason="家中变故，经批准"))
    rows, none, partly = _expected_leave(year)
    ov = leave.annual_overview(year)
    assert {r.cadre_id for r in none} == {deferring, plain}      # the forfeited one has nothing left
    assert (ov.none_taken, ov.partly, ov.total) == (2, 0, 3)
    assert [r.cadre_id for r in ov.first_none] == [r.cadre_id for r in none]
    assert {r.cadre_id: r.remaining for r in ov.first_none}[deferring] == 18


@pytest.mark.parametrize("offset", [0, -1, 1])
def test_due_overview_matches_the_due_list(township, offset):
    today = date.today()
    year = today.year + offset
    rows = health.due_list(year, today, status=health.STATUS_ALL)
    ov = health.due_overview(year, today, sample=4)
    assert ov.counts == {s: Counter(r.status for r in rows)[s] for s in health.DUE_STATUSES}
    assert ov.people == {s: len({r.cadre_id for r in rows if r.status == s}) for s in health.DUE_STATUSES}
    for status in (health_rules.STATUS_OVERDUE, health_rules.STATUS_DUE):
        assert ov.first[status] == [r for r in rows if r.status == status][:4]
    serving = {r[0] for r in queries.health_cadres()}
    assert ov.total == len(serving)
    if offset >= 0:
        checked = {c.cadre_id for c in HealthCheck.select().where(
            (HealthCheck.archived == False) & (HealthCheck.check_date >= date(year, 1, 1))  # noqa: E712
            & (HealthCheck.check_date <= date(year, 12, 31)))} & serving
        assert ov.checked == len(checked) > 0 or offset == 1
