"""Leave service (DOMAIN.md §2): presets, counting over holidays, overlap,
balances, deferral, calendar overrides and 探亲假 options."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecenter.db.models import AuditLog, LeaveRecord, LeaveTypeRule
from carecenter.domain import leave as lv
from carecenter.domain.errors import ValidationError
from carecenter.services import leave, roster
from carecenter.services.leave import LeaveInput
from tests.conftest import cadre_record, make_id_number

_seq = iter(range(1, 999))


def add_cadre(unit_id: int, name: str, work_start: date, family=None, **over) -> int:
    seq = next(_seq) * 2 + 1
    data = cadre_record(unit_id, name=name, id_number=make_id_number("19850310", seq), phone="",
                        emergency_phone="", work_start_date=work_start, **over)
    return roster.save_cadre(data, family).id


@pytest.fixture
def rules_(store):
    assert leave.seed_rules_if_empty() > 0


@pytest.fixture
def senior(rules_, unit):
    """Worked since 2010: 10 days of annual leave in 2025."""
    return add_cadre(unit, "王十年", date(2010, 7, 1))


@pytest.fixture
def junior(rules_, unit):
    """Worked since 2020: 5 days of annual leave in 2025 and 2026."""
    return add_cadre(unit, "李五年", date(2020, 7, 1))


def annual(cid, start, end, **over) -> LeaveInput:
    return LeaveInput(cid, lv.ANNUAL, start, end, **over)


def saved() -> tuple[int, int]:
    return LeaveRecord.select().count(), AuditLog.select().count()


def test_seed_presets(store):
    assert leave.current_preset() == ""
    n = leave.seed_rules_if_empty()
    assert n == len(leave.rule_rows()) > 0
    assert leave.seed_rules_if_empty("zhejiang") == 0       # only into an empty table
    assert leave.current_preset() == "national"
    assert [c for c, _ in leave.type_names()][:2] == [lv.ANNUAL, lv.HOME_VISIT]


# 2025 National Day + Mid-Autumn: 10/1–10/8 off, Sun 9/28 and Sat 10/11 make-up workdays.
# 9/28..10/12 by hand: 9/28 (make-up), 9/29, 9/30, 10/9, 10/10, 10/11 (make-up) = 6 working days.
@pytest.mark.parametrize("start, end, start_half, end_half, days", [
    (date(2025, 9, 28), date(2025, 10, 12), False, False, Decimal(6)),
    (date(2025, 10, 1), date(2025, 10, 8), False, False, None),          # all holiday: refused
    (date(2025, 9, 29), date(2025, 9, 30), True, False, Decimal("1.5")),
    (date(2025, 9, 29), date(2025, 9, 30), True, True, Decimal(1)),
    (date(2025, 10, 9), date(2025, 10, 9), False, True, Decimal("0.5")),
    (date(2025, 9, 30), date(2025, 10, 9), False, True, Decimal("1.5")),
])
def test_working_days_over_national_day(senior, start, end, start_half, end_half, days):
    pre = leave.preview(annual(senior, start, end, start_half=start_half, end_half=end_half))
    if days is None:
        assert pre.errors and pre.errors[0].code == "zero_days"
    else:
        assert pre.errors == [] and pre.days == days


def test_national_day_leave_is_saved_with_its_count(senior):
    rid = leave.save_leave(annual(senior, date(2025, 9, 28), date(2025, 10, 12), approver="镇长"))
    stored = leave.get_leave(rid)
    assert stored["days"] == 6 and stored["status"] == lv.STATUS_APPROVED
    assert AuditLog.select().where((AuditLog.table == "leave_record") & (AuditLog.action == "create")).count() == 1


def test_half_days_meet_without_overlap(senior):
    leave.save_leave(annual(senior, date(2025, 11, 3), date(2025, 11, 3), end_half=True))     # morning
    leave.save_leave(annual(senior, date(2025, 11, 3), date(2025, 11, 4), start_half=True))   # afternoon on
    assert leave.annual_balance(senior, 2025).taken == 2


def test_overlap_is_refused_and_nothing_saved(senior):
    leave.save_leave(annual(senior, date(2025, 9, 29), date(2025, 9, 30)))
    before = saved()
    with pytest.raises(ValidationError) as exc:
        leave.save_leave(LeaveInput(senior, lv.SICK, date(2025, 9, 30), date(2025, 10, 9)))
    (err,) = [e for e in exc.value.errors if e.code == "leave_overlap"]
    assert err.field == "start_date"
    assert "时间重叠" in err.message and "2025年9月29日 至 2025年9月30日" in err.message
    assert saved() == before


def test_annual_leave_over_balance_needs_a_reason(junior):
    inp = annual(junior, date(2025, 9, 28), date(2025, 10, 12))          # 6 working days, 5 due
    pre = leave.preview(inp)
    assert pre.needs_reason and pre.warnings[0].code == "balance_exceeded"
    before = saved()
    with pytest.raises(ValidationError) as exc:
        leave.save_leave(inp)
    assert "over_balance_reason" in exc.value.by_field()
    assert saved() == before
    inp.over_balance_reason = "单位安排集中休假，经党委会研究同意"
    rid = leave.save_leave(inp)
    assert LeaveRecord.get_by_id(rid).over_balance_reason.startswith("单位安排")
    assert leave.annual_balance(junior, 2025).remaining == -1


def test_balance_follows_saved_and_cancelled_leave(senior, junior):
    assert leave.annual_balance(senior, 2025).remaining == 10
    rid = leave.save_leave(annual(senior, date(2025, 9, 28), date(2025, 10, 12)))
    leave.save_leave(annual(junior, date(2025, 3, 3), date(2025, 3, 4)))
    one = leave.annual_balance(senior, 2025)
    assert (one.entitled, one.taken, one.remaining) == (10, 6, 4)
    rows = {r.cadre_id: r for r in leave.annual_balances(2025)}
    for cid in (senior, junior):
        single = leave.annual_balance(cid, 2025)
        row = rows[cid]
        assert (row.entitled, row.deferred_in, row.taken, row.remaining) == (
            single.entitled, single.deferred_in, single.taken, single.remaining)

    # 已撤销 frees the days and the calendar
    leave.set_status(rid, lv.STATUS_CANCELLED)
    assert leave.annual_balance(senior, 2025).remaining == 10
    assert {r.cadre_id: r.taken for r in leave.annual_balances(2025)}[senior] == 0
    leave.save_leave(annual(senior, date(2025, 9, 29), date(2025, 9, 30)))
    assert leave.annual_balance(senior, 2025).taken == 2


def test_deferral_at_most_one_year_and_the_unused_days(junior):
    leave.save_leave(annual(junior, date(2025, 3, 3), date(2025, 3, 4)))  # 2 of 5 taken: 3 unused
    before = AuditLog.select().count()
    for days, reason, field in [(4, "工作需要", "days"), (0, "工作需要", "days"), (3, " ", "reason")]:
        with pytest.raises(ValidationError) as exc:
            leave.save_deferral(junior, 2025, days, reason)
        assert field in exc.value.by_field()
    assert AuditLog.select().count() == before
    leave.save_deferral(junior, 2025, 3, "防汛抗台期间不能安排休假", "党委书记")
    with pytest.raises(ValidationError):                                    # once per year
        leave.save_deferral(junior, 2025, 1, "再顺延")
    b25, b26, b27 = (leave.annual_balance(junior, y) for y in (2025, 2026, 2027))
    assert (b25.deferred_out, b25.remaining) == (3, 0)
    assert (b26.deferred_in, b26.remaining) == (3, 8)
    assert b27.deferred_in == 0                                             # never a second year
    row = {r.cadre_id: r for r in leave.annual_balances(2026)}[junior]
    assert (row.deferred_in, row.remaining) == (3, 8)
    # days deferred in cannot be deferred again: 2026 may defer at most its own 5
    with pytest.raises(ValidationError) as exc:
        leave.save_deferral(junior, 2026, 6, "工作需要")
    assert "days" in exc.value.by_field()


def test_calendar_override_for_an_unknown_year(senior):
    inp = annual(senior, date(2027, 1, 1), date(2027, 1, 10))
    pre = leave.preview(inp)
    assert pre.days is None and [e.code for e in pre.errors] == ["calendar_unknown"]
    assert "2027" in pre.errors[0].message
    with pytest.raises(ValidationError):
        leave.save_leave(inp)

    leave.save_calendar_day(date(2027, 1, 1), False, "元旦")
    leave.save_calendar_day(date(2027, 1, 9), True, "春节调休上班")
    # 1/1 holiday, 1/2–1/3 weekend, 1/4–1/8 workdays, 1/9 make-up Saturday, 1/10 Sunday
    assert leave.preview(inp).days == 6
    day_id = leave.calendar_overrides(2027)[1]["id"]
    leave.remove_calendar_day(day_id)
    assert leave.preview(inp).days == 5
    assert AuditLog.select().where(AuditLog.table == "calendar_day").count() == 3


def test_replace_with_preset_keeps_history_audited(senior):
    national = LeaveTypeRule.select().count()
    rid = leave.save_leave(annual(senior, date(2025, 9, 28), date(2025, 10, 12)))
    assert leave.rule_for(lv.MARRIAGE, date(2025, 1, 1)).days == 3
    added = leave.replace_with_preset("zhejiang")
    assert leave.current_preset() == "zhejiang"
    # old rows kept, archived; every active row now from the new preset
    assert LeaveTypeRule.select().where(LeaveTypeRule.archived == True).count() == national  # noqa: E712
    assert len(leave.rule_rows()) == added and {r["preset"] for r in leave.rule_rows()} == {"zhejiang"}
    assert leave.rule_for(lv.MARRIAGE, date(2025, 1, 1)).days == 13        # 浙江省婚假规定 (2024-09-27)
    assert leave.rule_for(lv.MARRIAGE, date(2024, 1, 1)).days == 3
    assert leave.get_leave(rid)["days"] == 6                                # records untouched
    trail = [(a.action, a.summary) for a in AuditLog.select().where(AuditLog.table == "leave_type_rule")]
    assert any(action == "archive" for action, _ in trail)
    assert any(action == "create" and "zhejiang" in summary for action, summary in trail)


FAMILY_APART = [{"name": "陈芳", "relation": "配偶", "lives_with": False, "residence": "江西上饶"},
                {"name": "王建国", "relation": "父亲", "lives_with": True}]
FAMILY_TOGETHER = [{"name": "陈芳", "relation": "配偶", "lives_with": True}]


def test_home_visit_options_from_family(rules_, unit):
    apart = add_cadre(unit, "王两地", date(2010, 7, 1), FAMILY_APART)
    together = add_cadre(unit, "王同住", date(2010, 7, 1), FAMILY_TOGETHER)
    opts = {o.kind: o for o in leave.home_visit_options(apart, date(2025, 7, 1))}
    assert opts["spouse"].available and opts["spouse"].days == 30
    assert not opts["parents"].available                                    # lives with his father
    assert not any(o.available for o in leave.home_visit_options(together, date(2025, 7, 1)))

    visit = LeaveInput(apart, lv.HOME_VISIT, date(2025, 7, 1), date(2025, 7, 30), travel_days=Decimal(2),
                       details={"kind": "spouse"})
    pre = leave.preview(visit)
    assert (pre.errors, pre.needs_reason, pre.days, pre.total) == ([], False, 30, 32)
    leave.save_leave(visit)
    # once a year: the next one this year needs a reason
    again = leave.preview(LeaveInput(apart, lv.HOME_VISIT, date(2025, 9, 1), date(2025, 9, 5),
                                     details={"kind": "spouse"}))
    assert again.needs_reason and "2025年已休过" in again.warnings[0].message
    refused = leave.preview(LeaveInput(together, lv.HOME_VISIT, date(2025, 7, 1), date(2025, 7, 5),
                                       details={"kind": "spouse"}))
    assert refused.needs_reason and "同住" in refused.warnings[0].message


def test_forfeiture_after_leave_already_taken_agrees_in_list_and_single(senior, junior):
    # 实施办法第四条: annual leave taken, then 事假 reaches 20 days the same year → next year's is lost
    leave.save_leave(annual(senior, date(2024, 3, 4), date(2024, 3, 5)))
    leave.save_leave(LeaveInput(senior, lv.PERSONAL, date(2024, 4, 1), date(2024, 4, 29),
                                over_balance_reason="家中变故，经批准"))          # 20 working days
    leave.save_leave(LeaveInput(junior, lv.PERSONAL, date(2024, 4, 1), date(2024, 4, 2)))
    leave.save_leave(annual(junior, date(2024, 5, 6), date(2024, 5, 7)))
    rows = {r.cadre_id: r for r in leave.annual_balances(2025)}
    for cid, entitled in ((senior, 0), (junior, 5)):
        single = leave.annual_balance(cid, 2025)
        assert (rows[cid].entitled, rows[cid].reason) == (single.entitled, single.reason)
        assert single.entitled == entitled
    assert "上年已休年假" in rows[senior].reason


def test_township_balances_agree_with_each_cadres_own_balance(store):
    """The fast whole-township path and the per-cadre path apply the same rules."""
    from datetime import date as _date

    from carecenter.services import demo, demo_care

    leave.seed_rules_if_empty("zhejiang")
    demo.generate(60)
    demo_care.generate_history(years=3)
    year = _date.today().year
    for y in (year - 1, year):
        rows = leave.annual_balances(y)
        assert rows
        for r in rows:
            one = leave.annual_balance(r.cadre_id, y)
            assert (r.entitled, r.taken, r.remaining) == (one.entitled, one.taken, one.remaining), r
