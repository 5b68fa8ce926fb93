"""Leave rules (DOMAIN.md §2), table-driven, one row per rule case."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecenter.domain import leave as lv
from carecenter.domain.errors import DomainError
from carecenter.domain.leave import (
    AnnualDeferral, FamilyInfo, HomeVisitTaken, LeavePeriod, LeaveRecord, LeaveType,
)
from carecenter.domain.presets import load_leave_types
from carecenter.domain.workcalendar import WorkCalendar

D = Decimal
PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
NATIONAL = load_leave_types(PRESETS, "national")
ZHEJIANG = load_leave_types(PRESETS, "zhejiang")
ON = date(2025, 6, 1)


def rule(code: str, rules=NATIONAL, on: date = ON) -> LeaveType:
    return lv.rule_in_force(rules, code, on)


ANNUAL = rule("annual")


# ---------------------------------------------------------------------------
# 年休假 tiers — 《职工带薪年休假条例》第二、三条; 《机关事业单位工作人员带薪年休假实施办法》
# 第二条: 满1年、满10年、满20年后，从下月起享受相应天数 → tier in force in December
# = service completed on 30 November.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("work_start, year, days, tier_years, reason_code", [
    (date(2025, 1, 1), 2025, 0, 0, "not_eligible"),      # first year: nothing
    (date(2024, 6, 15), 2025, 5, 1, "ok"),               # exactly 1 year in June
    (date(2024, 11, 30), 2025, 5, 1, "ok"),              # 1st anniversary in November → counts
    (date(2024, 12, 1), 2025, 0, 0, "not_eligible"),     # 1st anniversary in December → next year
    (date(2024, 12, 1), 2026, 5, 1, "ok"),
    (date(2015, 6, 1), 2025, 10, 10, "ok"),              # exactly 10 years
    (date(2015, 11, 15), 2025, 10, 10, "ok"),            # 10th anniversary in November
    (date(2015, 12, 15), 2025, 5, 9, "ok"),              # 10th anniversary in December → still 5
    (date(2015, 12, 15), 2026, 10, 10, "ok"),            # … 10 from the next January
    (date(2016, 6, 1), 2025, 5, 9, "ok"),                # 9 years
    (date(2005, 6, 1), 2025, 15, 20, "ok"),              # exactly 20 years
    (date(2005, 12, 1), 2025, 10, 19, "ok"),             # 20th anniversary in December
    (date(1985, 3, 1), 2025, 15, 40, "ok"),
])
def test_annual_tiers(work_start, year, days, tier_years, reason_code):
    ent = lv.annual_entitlement(work_start, year, ANNUAL)
    assert ent.days == D(days)
    assert ent.tier_years == tier_years
    assert ent.reason_code == reason_code
    assert ent.reason  # always explained
    if reason_code == "not_eligible":
        assert ent.reason.startswith("参加工作未满1年")


# 条例第四条: 事假累计20天以上（不扣工资）; 病假 2/3/4 个月以上 by service (1–<10, 10–<20, ≥20).
# "以上" includes the figure; months as 30 calendar days each (preset sick_month_days).
@pytest.mark.parametrize("work_start, personal, sick, days, reason_code, reason_start", [
    (date(2020, 1, 1), D("19.5"), 0, 5, "ok", "累计工作满5年"),
    (date(2020, 1, 1), D(20), 0, 0, "personal_leave", "当年事假累计20天以上"),
    (date(2020, 1, 1), 0, 59, 5, "ok", ""),
    (date(2020, 1, 1), 0, 60, 0, "sick_leave", "当年病假累计2个月以上"),
    (date(2010, 1, 1), 0, 60, 10, "ok", ""),             # 10–<20 y: 2 months is not enough
    (date(2010, 1, 1), 0, 89, 10, "ok", ""),
    (date(2010, 1, 1), 0, 90, 0, "sick_leave", "当年病假累计3个月以上"),
    (date(2000, 1, 1), 0, 119, 15, "ok", ""),
    (date(2000, 1, 1), 0, 120, 0, "sick_leave", "当年病假累计4个月以上"),
])
def test_annual_article_4_exclusions(work_start, personal, sick, days, reason_code, reason_start):
    ent = lv.annual_entitlement(work_start, 2025, ANNUAL, personal_leave_days=personal,
                                sick_leave_days=sick)
    assert (ent.days, ent.reason_code) == (D(days), reason_code)
    assert ent.reason.startswith(reason_start)
    assert ent.excluded is (reason_code != "ok")


def test_annual_forfeited_by_previous_year():
    # 实施办法第四条: 已享受当年年休假，年内又出现第四条情形 → 不享受下一年的年休假
    ent = lv.annual_entitlement(date(2010, 1, 1), 2026, ANNUAL, forfeited_by_prev_year=True)
    assert ent.days == 0
    assert ent.reason == "上年已休年假后出现第四条情形，本年度不再享受"


# 实施办法第四条, events read in date order.
@pytest.mark.parametrize("work_start, events, lost", [
    # annual taken, then sick leave reaches 2 months (service 5 y) → next year lost
    (date(2020, 1, 1), [(date(2025, 3, 3), "annual", 5), (date(2025, 6, 2), "sick", 60)], True),
    # the sick threshold is reached first, annual later (should not happen) → this year's rule only
    (date(2020, 1, 1), [(date(2025, 3, 3), "sick", 60), (date(2025, 6, 2), "annual", 5)], False),
    # below threshold → nothing lost
    (date(2020, 1, 1), [(date(2025, 3, 3), "annual", 5), (date(2025, 6, 2), "sick", 59)], False),
    # 10–<20 y: 60 days of sick leave are not 3 months
    (date(2010, 1, 1), [(date(2025, 3, 3), "annual", 5), (date(2025, 6, 2), "sick", 60)], False),
    # 事假 accumulates across the year: 10 + 10 reaches 20 after annual leave
    (date(2020, 1, 1), [(date(2025, 2, 3), "personal", 10), (date(2025, 4, 1), "annual", 3),
                        (date(2025, 8, 4), "personal", 10)], True),
    # unordered input is sorted by date
    (date(2020, 1, 1), [(date(2025, 8, 4), "personal", 20), (date(2025, 4, 1), "annual", 3)], True),
    # another year's leave does not count
    (date(2020, 1, 1), [(date(2024, 12, 2), "annual", 5), (date(2025, 6, 2), "sick", 60)], False),
    # first-year staff have no annual leave to lose
    (date(2025, 1, 1), [(date(2025, 3, 3), "annual", 1), (date(2025, 6, 2), "sick", 60)], False),
])
def test_annual_lost_next_year(work_start, events, lost):
    assert lv.annual_lost_next_year(events, work_start=work_start, year=2025, rule=ANNUAL) is lost


def test_annual_lost_next_year_ignores_cancelled_records():
    records = [
        LeaveRecord("annual", date(2025, 3, 3), date(2025, 3, 7), D(5), status=lv.STATUS_CANCELLED),
        LeaveRecord("sick", date(2025, 6, 2), date(2025, 7, 31), D(60)),
    ]
    assert lv.annual_lost_next_year(records, work_start=date(2020, 1, 1), year=2025, rule=ANNUAL) is False
    records[0] = LeaveRecord("annual", date(2025, 3, 3), date(2025, 3, 7), D(5), status=lv.STATUS_CLOSED)
    assert lv.annual_lost_next_year(records, work_start=date(2020, 1, 1), year=2025, rule=ANNUAL) is True


# ---------------------------------------------------------------------------
# Balance and deferral (实施办法: 一般不跨年度，确需的可跨1个年度; the deferral is recorded)
# ---------------------------------------------------------------------------
TEN = lv.AnnualEntitlement(D(10), 12, "累计工作满12年")
EXCLUDED = lv.AnnualEntitlement(D(0), 5, "当年病假累计2个月以上", "sick_leave")


@pytest.mark.parametrize("entitlement, deferrals, taken, remaining, deferred_in, deferred_out", [
    (TEN, [], 0, 10, 0, 0),
    (TEN, [], D("3.5"), D("6.5"), 0, 0),
    (TEN, [AnnualDeferral(2024, 2025, 3)], 4, 9, 3, 0),
    (TEN, [AnnualDeferral(2025, 2026, 2)], 4, 4, 0, 2),
    (TEN, [AnnualDeferral(2023, 2024, 5)], 0, 10, 0, 0),     # unrelated years
    (TEN, [], 12, -2, 0, 0),                                  # over-taken shows negative
    (EXCLUDED, [], 5, 0, 0, 0),                               # taken before exclusion: not clawed back
    (EXCLUDED, [AnnualDeferral(2024, 2025, 3)], 1, 2, 3, 0),  # deferred days stay usable
])
def test_annual_balance(entitlement, deferrals, taken, remaining, deferred_in, deferred_out):
    bal = lv.annual_balance(2025, entitlement, deferrals=deferrals, taken=taken)
    assert (bal.remaining, bal.deferred_in, bal.deferred_out) == (D(remaining), D(deferred_in), D(deferred_out))
    assert bal.entitled == entitlement.days and bal.year == 2025


def test_deferral_at_most_one_year():
    with pytest.raises(DomainError) as exc:
        AnnualDeferral(2024, 2026, 3)
    assert exc.value.code == "deferral_too_long" and exc.value.field == "to_year"


def test_deferral_cannot_exceed_own_unused_days():
    bal = lv.annual_balance(2025, TEN, deferrals=[AnnualDeferral(2024, 2025, 5)], taken=2)
    lv.validate_deferral(AnnualDeferral(2025, 2026, 10), bal)   # 13 remaining, 10 own
    with pytest.raises(DomainError) as exc:
        lv.validate_deferral(AnnualDeferral(2025, 2026, D("10.5")), bal)
    assert exc.value.code == "deferral_exceeds_balance"


@pytest.mark.parametrize("requested, remaining, warns", [
    (5, 5, False), (D("5.5"), 5, True), (1, 0, True), (1, -2, True),
])
def test_check_balance_warns_not_raises(requested, remaining, warns):
    warning = lv.check_balance(requested, remaining)
    assert (warning is not None) is warns
    if warning:
        assert warning.code == "balance_exceeded" and "年休假" in warning.message


# ---------------------------------------------------------------------------
# Statuses (defined once) and overlap
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("status, taken, occupies", [
    ("申请", False, True), ("已批准", True, True), ("已销假", True, True), ("已撤销", False, False),
])
def test_statuses(status, taken, occupies):
    assert lv.counts_as_taken(status) is taken
    assert lv.occupies_calendar(status) is occupies
    assert status in lv.LEAVE_STATUSES


def test_taken_days_counts_only_approved_and_closed():
    records = [
        LeaveRecord("annual", date(2025, 3, 3), date(2025, 3, 4), D(2)),
        LeaveRecord("annual", date(2025, 4, 1), date(2025, 4, 1), D("0.5"), status="已销假"),
        LeaveRecord("annual", date(2025, 5, 6), date(2025, 5, 8), D(3), status="申请"),
        LeaveRecord("annual", date(2025, 6, 3), date(2025, 6, 3), D(1), status="已撤销"),
        LeaveRecord("sick", date(2025, 6, 9), date(2025, 6, 9), D(1)),
        LeaveRecord("annual", date(2024, 12, 2), date(2024, 12, 2), D(1)),
    ]
    assert lv.taken_days(records, type_code="annual", year=2025) == D("2.5")
    assert lv.taken_days(records, type_code="annual") == D("3.5")


EXISTING = LeavePeriod(date(2025, 10, 9), date(2025, 10, 10), record_id=7)


# DOMAIN.md §2: overlapping leave for one cadre is refused; half days do not collide.
@pytest.mark.parametrize("new, existing, overlaps", [
    ((date(2025, 10, 10), date(2025, 10, 11), False, False), [EXISTING], True),
    ((date(2025, 10, 8), date(2025, 10, 9), False, False), [EXISTING], True),
    ((date(2025, 10, 1), date(2025, 10, 20), False, False), [EXISTING], True),     # encloses
    ((date(2025, 10, 11), date(2025, 10, 11), False, False), [EXISTING], False),   # next day
    ((date(2025, 10, 7), date(2025, 10, 8), False, False), [EXISTING], False),     # day before
    # ends at noon on the 10th / starts that afternoon → no overlap
    ((date(2025, 10, 10), date(2025, 10, 11), True, False),
     [LeavePeriod(date(2025, 10, 9), date(2025, 10, 10), end_half=True)], False),
    # … but a full day on the 10th collides with the morning
    ((date(2025, 10, 10), date(2025, 10, 11), False, False),
     [LeavePeriod(date(2025, 10, 9), date(2025, 10, 10), end_half=True)], True),
    # morning-only and afternoon-only on the same day
    ((date(2025, 10, 9), date(2025, 10, 9), True, False),
     [(date(2025, 10, 9), date(2025, 10, 9), False, True)], False),
    ((date(2025, 10, 9), date(2025, 10, 9), False, True),
     [(date(2025, 10, 9), date(2025, 10, 9), False, True)], True),
    # cancelled leave never blocks; a pending application does
    ((date(2025, 10, 9), date(2025, 10, 9), False, False),
     [LeavePeriod(date(2025, 10, 9), date(2025, 10, 9), status="已撤销")], False),
    ((date(2025, 10, 9), date(2025, 10, 9), False, False),
     [LeavePeriod(date(2025, 10, 9), date(2025, 10, 9), status="申请")], True),
    # editing record 7 itself
    (LeavePeriod(date(2025, 10, 9), date(2025, 10, 11), record_id=7), [EXISTING], False),
    ((date(2025, 10, 9), date(2025, 10, 11), False, False), [], False),
])
def test_check_overlap(new, existing, overlaps):
    if overlaps:
        with pytest.raises(DomainError) as exc:
            lv.check_overlap(new, existing)
        assert exc.value.code == "leave_overlap" and exc.value.field == "start_date"
        assert "2025年10月" in exc.value.message
    else:
        lv.check_overlap(new, existing)


def test_overlap_message_names_the_other_leave():
    with pytest.raises(DomainError) as exc:
        lv.check_overlap((date(2025, 10, 10), date(2025, 10, 10), False, False), [EXISTING])
    assert "2025年10月9日 至 2025年10月10日" in exc.value.message
    assert exc.value.params["other_id"] == 7


# ---------------------------------------------------------------------------
# 探亲假 — 国发〔1981〕36号 第二、三条
# ---------------------------------------------------------------------------
APART = [FamilyInfo("配偶", False), FamilyInfo("父亲", False), FamilyInfo("母亲", False)]
WORK_START = date(2015, 3, 1)
HOME = rule("home_visit")


def options(married, family=APART, history=(), on=date(2025, 6, 1), work_start=WORK_START, travel=0):
    return [(o.kind, int(o.days), o.period_years, o.available)
            for o in lv.home_visit_eligibility(married, family, work_start, on, list(history), HOME,
                                               travel_days=travel)]


@pytest.mark.parametrize("married, family, history, on, expected", [
    # married, living apart: spouse 30 d yearly, parents 20 d every 4 years
    (True, APART, [], date(2025, 6, 1), [("spouse", 30, 1, True), ("parents", 20, 4, True)]),
    (True, APART, [(date(2025, 2, 1), "spouse", 30)], date(2025, 9, 1),
     [("spouse", 30, 1, False), ("parents", 20, 4, True)]),                         # once a year
    (True, APART, [(date(2025, 2, 1), "spouse", 30)], date(2026, 1, 5),
     [("spouse", 30, 1, True), ("parents", 20, 4, True)]),                          # next year again
    (True, APART, [(date(2022, 4, 1), "parents", 20)], date(2025, 6, 1),
     [("spouse", 30, 1, True), ("parents", 20, 4, False)]),                         # 2022 → 2026
    (True, APART, [(date(2022, 4, 1), "parents", 20)], date(2026, 1, 2),
     [("spouse", 30, 1, True), ("parents", 20, 4, True)]),
    # unmarried: parents 20 d yearly, or 45 d once every 2 years
    (False, APART[1:], [], date(2025, 6, 1), [("parents", 20, 1, True), ("parents", 45, 2, True)]),
    (False, APART[1:], [(date(2024, 7, 1), "parents", 20)], date(2025, 6, 1),
     [("parents", 20, 1, True), ("parents", 45, 2, True)]),
    (False, APART[1:], [(date(2025, 2, 1), "parents", 20)], date(2025, 6, 1),
     [("parents", 20, 1, False), ("parents", 45, 2, False)]),
    (False, APART[1:], [(date(2024, 7, 1), "parents", 45)], date(2025, 6, 1),
     [("parents", 20, 1, False), ("parents", 45, 2, False)]),                       # 45 d covers 2 years
    (False, APART[1:], [HomeVisitTaken(date(2024, 7, 1), "parents", D(40), 2)], date(2026, 1, 2),
     [("parents", 20, 1, True), ("parents", 45, 2, True)]),
    # living with the spouse / with one parent → not eligible for that visit
    (True, [FamilyInfo("配偶", True), FamilyInfo("父亲", False), FamilyInfo("母亲", False)], [],
     date(2025, 6, 1), [("spouse", 30, 1, False), ("parents", 20, 4, True)]),
    (True, [FamilyInfo("配偶", False), FamilyInfo("父亲", False), FamilyInfo("母亲", True)], [],
     date(2025, 6, 1), [("spouse", 30, 1, True), ("parents", 20, 4, False)]),
    (True, [FamilyInfo("配偶", False, reunites_on_rest_days=True)], [],
     date(2025, 6, 1), [("spouse", 30, 1, False), ("parents", 20, 4, False)]),
    # parents-in-law are not parents for this rule; a deceased parent is skipped
    (True, [FamilyInfo("配偶", False), FamilyInfo("岳父", False), FamilyInfo("岳母", False)], [],
     date(2025, 6, 1), [("spouse", 30, 1, True), ("parents", 20, 4, False)]),
    (False, [FamilyInfo("父亲", True, alive=False), FamilyInfo("母亲", False)], [],
     date(2025, 6, 1), [("parents", 20, 1, True), ("parents", 45, 2, True)]),
])
def test_home_visit(married, family, history, on, expected):
    assert options(married, family, history, on) == expected


def test_home_visit_first_year_not_eligible():
    result = lv.home_visit_eligibility(True, APART, date(2025, 3, 1), date(2026, 2, 28), [], HOME)
    assert [o.available for o in result] == [False, False]
    assert all("未满1年" in o.reason for o in result)
    result = lv.home_visit_eligibility(True, APART, date(2025, 3, 1), date(2026, 3, 1), [], HOME)
    assert [o.available for o in result] == [True, True]


def test_home_visit_travel_days_added_separately():
    spouse = lv.home_visit_eligibility(True, APART, WORK_START, ON, [], HOME, travel_days=4)[0]
    assert (spouse.days, spouse.travel_days, spouse.total_days) == (D(30), D(4), D(34))
    assert HOME.count_mode == "calendar"


def test_home_visit_reason_says_when_next():
    opt = lv.home_visit_eligibility(True, APART, WORK_START, date(2025, 6, 1),
                                    [(date(2022, 4, 1), "parents", 20)], HOME)[1]
    assert "2026年起可再休" in opt.reason


# ---------------------------------------------------------------------------
# 产假 — 《女职工劳动保护特别规定》第七条; 《浙江省人口与计划生育条例》(2021): 158 / 188
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("rules, kwargs, days", [
    (NATIONAL, {}, 98),
    (NATIONAL, {"difficult_birth": True}, 113),
    (NATIONAL, {"babies": 2}, 113),
    (NATIONAL, {"babies": 3, "difficult_birth": True}, 143),
    (NATIONAL, {"miscarriage_months": 3}, 15),
    (NATIONAL, {"miscarriage_months": D("3.9")}, 15),
    (NATIONAL, {"miscarriage_months": 4}, 42),
    (ZHEJIANG, {}, 158),
    (ZHEJIANG, {"child_order": 2}, 188),
    (ZHEJIANG, {"child_order": 3}, 188),
    (ZHEJIANG, {"child_order": 2, "babies": 2, "difficult_birth": True}, 218),
    (ZHEJIANG, {"miscarriage_months": 5}, 42),
])
def test_maternity_days(rules, kwargs, days):
    assert lv.maternity_days(rule("maternity", rules), **kwargs) == D(days)


def test_maternity_rule_before_zhejiang_amendment_is_not_guessed():
    with pytest.raises(DomainError) as exc:
        lv.rule_in_force(ZHEJIANG, "maternity", date(2021, 11, 24))
    assert exc.value.code == "rule_not_in_force"


# ---------------------------------------------------------------------------
# 婚假 / 丧假 (1980 通知: 1–3 天, 路程假; 《浙江省婚假规定》2024-09-27: 13 天, 工作日)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("rules, on, days, mode", [
    (NATIONAL, date(2025, 6, 1), 3, "calendar"),
    (ZHEJIANG, date(2024, 9, 26), 3, "calendar"),
    (ZHEJIANG, date(2024, 9, 27), 13, "working"),
])
def test_marriage_days(rules, on, days, mode):
    r = lv.rule_in_force(rules, "marriage", on)
    assert (lv.marriage_days(r), r.count_mode) == (D(days), mode)
    assert lv.marriage_days(r, travel_days=2) == D(days + 2)


@pytest.mark.parametrize("relation, eligible, days", [
    ("父亲", True, 5), ("母亲", True, 5), ("配偶", True, 5), ("子女", True, 5),
    ("岳父", False, None), ("兄弟姐妹", False, None),
])
def test_bereavement(relation, eligible, days):
    result = lv.bereavement_eligibility(rule("bereavement"), relation, travel_days=2)
    assert result.eligible is eligible
    assert result.days == (None if days is None else D(days))


def test_travel_days_refused_where_not_allowed():
    with pytest.raises(DomainError) as exc:
        lv.with_travel_days(rule("paternity"), D(15), 2)
    assert exc.value.code == "travel_days_not_allowed"


# ---------------------------------------------------------------------------
# 育儿假 (浙江: 子女三周岁内 父母每人每年10天), 独生子女父母护理假 (浙江: ≥60 住院, 每年5天)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("births, on, eligible", [
    ([date(2023, 5, 1)], date(2026, 4, 30), True),     # day before the 3rd birthday
    ([date(2023, 5, 1)], date(2026, 5, 1), False),     # turned 3
    ([date(2019, 1, 1), date(2024, 2, 2)], date(2025, 6, 1), True),
    ([], date(2025, 6, 1), False),
])
def test_childcare(births, on, eligible):
    result = lv.childcare_eligibility(rule("childcare", ZHEJIANG), births, on)
    assert result.eligible is eligible
    assert result.days == (D(10) if eligible else None)


def test_childcare_national_has_no_figure_to_guess():
    with pytest.raises(DomainError) as exc:
        lv.childcare_eligibility(rule("childcare"), [date(2024, 1, 1)], date(2025, 6, 1))
    assert exc.value.code == "rule_figure_missing"


@pytest.mark.parametrize("only_child, parent_birth, hospitalised, eligible", [
    (True, date(1965, 6, 1), True, True),       # 60 on the day
    (True, date(1965, 6, 2), True, False),      # 59
    (True, date(1950, 1, 1), False, False),     # not in hospital
    (False, date(1950, 1, 1), True, False),
])
def test_only_child_carer(only_child, parent_birth, hospitalised, eligible):
    result = lv.only_child_carer_eligibility(
        rule("only_child_carer", ZHEJIANG), is_only_child=only_child, parent_birth_date=parent_birth,
        parent_hospitalised=hospitalised, on=date(2025, 6, 1))
    assert result.eligible is eligible
    if eligible:
        assert result.days == D(5)


# ---------------------------------------------------------------------------
# 病假 certificate (local example: ≥ 8 days), 事假 cap (example 15), 疗休养 (example caps)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("code, days, needed", [
    ("sick", D("7.5"), False), ("sick", 8, True), ("sick", 30, True),
    ("personal", 30, False), ("marriage", 1, True),
])
def test_needs_certificate(code, days, needed):
    assert lv.needs_certificate(rule(code), days) is needed


@pytest.mark.parametrize("code, rules, taken, requested, warns", [
    ("personal", NATIONAL, 10, 5, False),
    ("personal", NATIONAL, 10, D("5.5"), True),
    ("childcare", ZHEJIANG, 8, 2, False),
    ("childcare", ZHEJIANG, 8, 3, True),
    ("only_child_carer", ZHEJIANG, 5, 1, True),
    ("marriage", NATIONAL, 0, 30, False),            # no yearly cap
])
def test_yearly_caps_warn(code, rules, taken, requested, warns):
    warning = lv.check_yearly_cap(rule(code, rules), requested, taken)
    assert (warning is not None) is warns
    if warning:
        assert warning.code == "yearly_cap_exceeded"


@pytest.mark.parametrize("days, out, history, codes", [
    (5, False, [], []),
    (6, False, [], ["recuperation_days_exceeded"]),
    (7, True, [], []),
    (8, True, [], ["recuperation_days_exceeded"]),
    (7, True, [(date(2023, 5, 1), True)], ["recuperation_repeated"]),     # 2023 → again from 2026
    (7, True, [(date(2022, 5, 1), True)], []),
    (5, False, [(date(2024, 5, 1), True)], []),                           # in-province: no gap rule
    (9, True, [(date(2024, 5, 1), True)], ["recuperation_days_exceeded", "recuperation_repeated"]),
])
def test_recuperation(days, out, history, codes):
    warnings = lv.check_recuperation(rule("recuperation"), days, out_of_province=out,
                                     on=date(2025, 6, 1), history=history)
    assert [w.code for w in warnings] == codes


# ---------------------------------------------------------------------------
# Rule selection, counting by type, day values
# ---------------------------------------------------------------------------
def test_rule_in_force_picks_latest_effective():
    r1 = rule("marriage", ZHEJIANG, date(2020, 1, 1))
    r2 = rule("marriage", ZHEJIANG, date(2030, 1, 1))
    assert (r1.days, r2.days) == (D(3), D(13))
    with pytest.raises(DomainError) as exc:
        lv.rule_in_force(NATIONAL, "no_such_type", ON)
    assert exc.value.code == "rule_not_in_force"


def test_count_leave_uses_type_mode_and_half_day_flag():
    cal = WorkCalendar()
    start, end = date(2025, 9, 28), date(2025, 10, 12)
    assert lv.count_leave(rule("annual"), cal, start, end) == 6
    assert lv.count_leave(rule("annual"), cal, start, end, start_half=True) == D("5.5")
    assert lv.count_leave(rule("home_visit"), cal, start, end) == 15
    with pytest.raises(DomainError) as exc:
        lv.count_leave(rule("maternity"), cal, start, end, end_half=True)
    assert exc.value.code == "half_day_not_allowed" and exc.value.field == "end_date"


@pytest.mark.parametrize("value, ok", [
    (0, True), (3, True), ("2.5", True), (D("0.5"), True),
    (D("0.3"), False), (-1, False), ("abc", False), (None, False),
])
def test_to_days(value, ok):
    if ok:
        assert lv.to_days(value) == D(str(value))
    else:
        with pytest.raises(DomainError) as exc:
            lv.to_days(value)
        assert exc.value.field == "days"
