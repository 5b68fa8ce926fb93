"""Allowances (DOMAIN.md §3), table-driven, one row per rule case.

Hardship-matrix amounts below (12345, 12350 …) are test figures, not real
standards: the shipped matrix is empty.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from carecenter.domain import allowance as al
from carecenter.domain.allowance import CadreFacts, HardshipRate, Line, Suspension, TownshipBand
from carecenter.domain.errors import DomainError
from carecenter.domain.presets import load_allowance_rates

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
NATIONAL = load_allowance_rates(PRESETS, "national")
HUNAN = load_allowance_rates(PRESETS, "hunan_example")

# test-only matrix cells (not real figures)
TEST_CELLS = (
    HardshipRate("三类", "乡科级正职", 12345, date(2024, 1, 1), "test"),
    HardshipRate("三类", "乡科级副职", 12350, date(2024, 1, 1), "test"),
    HardshipRate("三类", "科员", 10000, date(2024, 1, 1), "test"),
    HardshipRate("三类", "科员", 11000, date(2025, 7, 1), "test: raised mid-year"),
)
RATES = replace(HUNAN, hardship_rates=TEST_CELLS)

BASE = CadreFacts(cadre_id=1, name="张三", unit="某镇人民政府", personnel_status="公务员",
                  employment_status="在职", township_category="镇", hardship_area_class="无",
                  township_start_date=date(2010, 3, 15), rank="一级科员")


def m(year: int, month: int) -> date:
    return date(year, month, 1)


# ---------------------------------------------------------------------------
# 乡镇工作补贴 eligibility — national notice (2015-01-01) and the Hunan example (DOMAIN.md §3):
# 乡镇机关和事业单位正式工作人员，不含街道; 自到乡镇工作之月起发放; 调离或退休的下月起停发;
# 上级派驻满6个月; 脱产学习、借调离岗超过1个月不发放.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("changes, month, eligible, reason_part", [
    ({}, m(2025, 6), True, "符合乡镇工作补贴条件"),
    # arrival month counts, the month before does not
    ({"township_start_date": date(2025, 3, 31)}, m(2025, 3), True, ""),
    ({"township_start_date": date(2025, 3, 31)}, m(2025, 2), False, "从2025年3月起发放"),
    # the month of transfer / retirement is paid, the month after is not
    ({"transferred_on": date(2025, 6, 30)}, m(2025, 6), True, ""),
    ({"transferred_on": date(2025, 6, 1)}, m(2025, 6), True, ""),
    ({"transferred_on": date(2025, 6, 1)}, m(2025, 7), False, "调离的下月起停发"),
    ({"retired_on": date(2025, 6, 10), "employment_status": "退休"}, m(2025, 6), True, ""),
    ({"retired_on": date(2025, 6, 10), "employment_status": "退休"}, m(2025, 7), False, "退休的下月起停发"),
    ({"employment_status": "调离"}, m(2025, 6), False, "未登记调离时间"),
    ({"employment_status": "离休"}, m(2025, 6), False, "按已离休处理"),
    # 街道 excluded; unit category missing
    ({"township_category": "街道"}, m(2025, 6), False, "不含街道办事处"),
    ({"township_category": "乡"}, m(2025, 6), True, ""),
    ({"township_category": ""}, m(2025, 6), False, "未填写乡镇类别"),
    # regular staff only
    ({"personnel_status": "事业人员"}, m(2025, 6), True, ""),
    ({"personnel_status": "编外聘用"}, m(2025, 6), False, "不在乡镇工作补贴范围"),
    ({"township_start_date": None}, m(2025, 6), False, "未填写到乡镇工作时间"),
    # before the scheme: no rule in force is an error (tested below), not a silent "no"
    # sent down from above: eligible from the month 6 months complete (same day, clamped)
    ({"sent_down_on": date(2025, 1, 15), "township_start_date": date(2025, 1, 15)}, m(2025, 6), False,
     "满6个月后享受"),
    ({"sent_down_on": date(2025, 1, 15), "township_start_date": date(2025, 1, 15)}, m(2025, 7), True,
     "派驻乡镇工作已满6个月"),
    ({"sent_down_on": date(2025, 1, 1), "township_start_date": date(2025, 1, 1)}, m(2025, 7), True, ""),
    ({"sent_down_on": date(2025, 1, 1), "township_start_date": date(2025, 1, 1)}, m(2025, 6), False, ""),
    ({"sent_down_on": date(2024, 8, 31), "township_start_date": date(2024, 8, 31)}, m(2025, 2), True, ""),
    ({"sent_down_on": date(2024, 8, 31), "township_start_date": date(2024, 8, 31)}, m(2025, 1), False,
     "2025年2月28日满6个月"),
])
def test_township_eligibility(changes, month, eligible, reason_part):
    result = al.township_eligibility(replace(BASE, **changes), month, RATES)
    assert result.eligible is eligible
    assert result.reason                       # always a Chinese reason
    assert reason_part in result.reason


S = Suspension


# Suspension: "over 1 month" (DOMAIN.md §3); exactly one month does not suspend; a counting
# period suspends every month it touches; only listed kinds (脱产学习, 借调) count.
@pytest.mark.parametrize("suspension, month, eligible", [
    (S("借调", date(2025, 3, 1), date(2025, 3, 31)), m(2025, 3), True),     # exactly one month
    (S("借调", date(2025, 3, 15), date(2025, 4, 14)), m(2025, 3), True),    # exactly one month
    (S("借调", date(2025, 3, 15), date(2025, 4, 15)), m(2025, 3), False),   # over one month
    (S("借调", date(2025, 3, 15), date(2025, 4, 15)), m(2025, 4), False),
    (S("借调", date(2025, 3, 15), date(2025, 4, 15)), m(2025, 2), True),
    (S("借调", date(2025, 3, 15), date(2025, 4, 15)), m(2025, 5), True),
    (S("借调", date(2025, 3, 1), date(2025, 4, 1)), m(2025, 3), False),
    (S("脱产学习", date(2025, 3, 15), date(2025, 5, 10)), m(2025, 4), False),
    (S("脱产学习", date(2025, 3, 15), date(2025, 5, 10)), m(2025, 5), False),
    (S("脱产学习", date(2025, 3, 15), date(2025, 5, 10)), m(2025, 6), True),
    (S("借调", date(2025, 1, 31), date(2025, 2, 27)), m(2025, 2), True),     # 31 Jan + 1 month = 28 Feb
    (S("借调", date(2025, 1, 31), date(2025, 2, 28)), m(2025, 2), False),
    (S("借调", date(2025, 3, 10), None), m(2025, 3), False),                 # open: counts as long
    (S("借调", date(2025, 3, 10), None), m(2026, 1), False),
    (S("病假", date(2025, 1, 1), date(2025, 6, 30)), m(2025, 3), True),      # not a listed kind
])
def test_township_suspension(suspension, month, eligible):
    result = al.township_eligibility(replace(BASE, suspensions=(suspension,)), month, RATES)
    assert result.eligible is eligible
    if not eligible:
        assert suspension.kind in result.reason and "超过1个月" in result.reason


def test_suspension_inclusive_flag_counts_exactly_one_month():
    # Hunan text "1个月以上": with suspension_inclusive the figure itself counts
    rule = replace(RATES.township_rules[0], suspension_inclusive=True)
    rates = replace(RATES, township_rules=(rule,))
    facts = replace(BASE, suspensions=(S("借调", date(2025, 3, 1), date(2025, 3, 31)),))
    result = al.township_eligibility(facts, m(2025, 3), rates)
    assert not result.eligible and "1个月以上" in result.reason
    facts = replace(BASE, suspensions=(S("借调", date(2025, 3, 1), date(2025, 3, 30)),))
    assert al.township_eligibility(facts, m(2025, 3), rates).eligible


def test_suspensions_accept_tuples_and_check_order():
    facts = replace(BASE, suspensions=(("借调", date(2025, 3, 1), date(2025, 5, 1)),))
    assert facts.suspensions[0] == S("借调", date(2025, 3, 1), date(2025, 5, 1))
    with pytest.raises(DomainError) as exc:
        S("借调", date(2025, 3, 1), date(2025, 2, 1))
    assert exc.value.code == "invalid_period"


def test_seconded_status_without_period_warns():
    result = al.township_eligibility(replace(BASE, employment_status="借调"), m(2025, 6), RATES)
    assert result.eligible and "借调" in result.warning


def test_township_before_the_scheme_is_an_error():
    with pytest.raises(DomainError) as exc:
        al.township_eligibility(BASE, m(2014, 12), RATES)
    assert exc.value.code == "rule_not_in_force"


# ---------------------------------------------------------------------------
# Years in townships: full years to the month end, recorded breaks subtracted (module doc)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("start, on, breaks, years", [
    (date(2015, 6, 15), date(2025, 6, 14), [], 9),
    (date(2015, 6, 15), date(2025, 6, 15), [], 10),          # anniversary completes the year
    (date(2015, 6, 15), date(2015, 6, 1), [], 0),            # before the start
    (date(2010, 1, 1), date(2021, 1, 1), [(date(2012, 1, 1), date(2012, 12, 31))], 9),   # 366 days off
    (date(2010, 1, 1), date(2021, 1, 2), [(date(2012, 1, 1), date(2012, 12, 31))], 10),
    # overlapping breaks are merged, not counted twice
    (date(2010, 1, 1), date(2021, 1, 2), [(date(2012, 1, 1), date(2012, 6, 30)),
                                          (date(2012, 6, 1), date(2012, 12, 31))], 10),
    # only the part after the start and before ``on`` counts
    (date(2010, 1, 1), date(2020, 1, 1), [(date(2009, 1, 1), date(2009, 12, 31))], 10),
    (date(2010, 1, 1), date(2020, 1, 1), [(date(2021, 1, 1), date(2021, 12, 31))], 10),
])
def test_township_years(start, on, breaks, years):
    assert al.township_years(start, on, breaks) == years


# Hunan bands (example): <10 200, 10–<15 260, 15–<20 320, 20–<25 380, 25–<30 440, ≥30 500 元/月.
# The band rises in the month of the anniversary (years counted on the month's last day).
@pytest.mark.parametrize("years, before_fen, at_fen, label", [
    (10, 20000, 26000, "满10年不满15年"),
    (15, 26000, 32000, "满15年不满20年"),
    (20, 32000, 38000, "满20年不满25年"),
    (25, 38000, 44000, "满25年不满30年"),
    (30, 44000, 50000, "满30年以上"),
])
def test_township_band_boundaries(years, before_fen, at_fen, label):
    facts = replace(BASE, township_start_date=date(2025 - years, 6, 30))
    [before] = al.monthly_lines(facts, m(2025, 5), RATES)
    [at] = al.monthly_lines(facts, m(2025, 6), RATES)
    assert (before.amount_fen, at.amount_fen) == (before_fen, at_fen)
    assert at.band == label and at.scheme == al.TOWNSHIP
    assert f"乡镇工作满{years}年" in at.basis


def test_township_first_band_and_especially_hard_supplement():
    facts = replace(BASE, township_start_date=date(2024, 1, 1))
    [line] = al.monthly_lines(facts, m(2025, 6), RATES)
    assert (line.amount_fen, line.band) == (20000, "不满10年")
    [line] = al.monthly_lines(replace(facts, especially_hard=True), m(2025, 6), RATES)
    assert line.amount_fen == 30000 and "条件特别艰苦乡镇加发100.00元" in line.basis


def test_especially_hard_without_supplement_row_is_an_error():
    # national preset: no supplement figure → never a guess
    with pytest.raises(DomainError) as exc:
        al.monthly_lines(replace(BASE, especially_hard=True), m(2025, 6), NATIONAL)
    assert exc.value.code == "rate_missing" and "特别艰苦" in exc.value.message


def test_national_preset_single_band():
    [line] = al.monthly_lines(BASE, m(2025, 6), NATIONAL)
    assert (line.amount_fen, line.band) == (20000, "不限年限")


# A rate change during the year applies from its effective month (rows in force on the month's last day).
@pytest.mark.parametrize("effective, month, amount", [
    (date(2025, 7, 1), m(2025, 6), 20000),
    (date(2025, 7, 1), m(2025, 7), 30000),
    (date(2025, 7, 15), m(2025, 7), 30000),          # dated mid-month: the whole month
    (date(2025, 7, 15), m(2025, 6), 20000),
    (date(2025, 7, 1), m(2025, 12), 30000),
])
def test_township_rate_change_mid_year(effective, month, amount):
    new_table = (TownshipBand(0, 30000, effective, "test"), TownshipBand(10, 36000, effective, "test"))
    rates = replace(RATES, township_bands=RATES.township_bands + new_table)
    facts = replace(BASE, township_start_date=date(2024, 1, 1))
    [line] = al.monthly_lines(facts, month, rates)
    assert line.amount_fen == amount


def test_new_band_table_replaces_the_old_one_as_a_whole():
    # the new version has no ≥30 band: a 35-year cadre falls in its highest band, not the old 500
    new_table = (TownshipBand(0, 30000, date(2025, 7, 1), "test"), TownshipBand(10, 36000, date(2025, 7, 1), "test"))
    rates = replace(RATES, township_bands=RATES.township_bands + new_table)
    facts = replace(BASE, township_start_date=date(1990, 1, 1))
    assert al.monthly_lines(facts, m(2025, 6), rates)[0].amount_fen == 50000
    assert al.monthly_lines(facts, m(2025, 7), rates)[0].amount_fen == 36000


# ---------------------------------------------------------------------------
# 艰苦边远地区津贴 — 国人部发〔2006〕61号: matrix area class × band; retirees 85% / 离休 100% / 退职 60%
# ---------------------------------------------------------------------------
HARD = replace(BASE, hardship_area_class="三类", township_category="街道", rank="一级主任科员",
               leadership_level="无")


@pytest.mark.parametrize("leadership, rank, band", [
    ("无", "一级主任科员", "乡科级正职"),
    ("乡科级副职", "一级主任科员", "乡科级正职"),     # higher of post and rank
    ("乡科级正职", "四级主任科员", "乡科级正职"),
    ("", "三级主任科员", "乡科级副职"),
    ("乡科级副职", "", "乡科级副职"),
    ("无", "一级科员", "科员"),
    ("无", "二级科员", "办事员"),
    ("县处级副职", "二级调研员", "县处级正职"),
])
def test_hardship_band(leadership, rank, band):
    facts = replace(HARD, leadership_level=leadership, rank=rank)
    assert al.hardship_band(facts, RATES.hardship_bands, date(2025, 6, 30)).band == band


def test_hardship_band_missing_is_an_error():
    facts = replace(HARD, rank="专业技术员", leadership_level="无")
    with pytest.raises(DomainError) as exc:
        al.hardship_band(facts, RATES.hardship_bands, date(2025, 6, 30))
    assert exc.value.code == "band_missing" and "档次对照" in exc.value.message


def test_empty_matrix_raises_rate_missing():
    # the shipped matrix is empty: a lookup tells the clerk to fill the 津贴标准 table
    assert NATIONAL.hardship_rates == ()
    with pytest.raises(DomainError) as exc:
        al.monthly_lines(HARD, m(2025, 6), NATIONAL)
    assert exc.value.code == "rate_missing"
    assert "津贴标准" in exc.value.message and "三类" in exc.value.message


@pytest.mark.parametrize("changes, month, amount, reason_part", [
    ({}, m(2025, 6), 12345, "按在职人员标准"),
    # retirement month paid as serving; from the month after: the share, ROUND_HALF_UP to the fen
    ({"retired_on": date(2025, 3, 20), "retirement_kind": "退休"}, m(2025, 3), 12345, ""),
    ({"retired_on": date(2025, 3, 20), "retirement_kind": "退休"}, m(2025, 4), 10493, "退休"),   # 10493.25
    ({"retired_on": date(2025, 3, 20), "retirement_kind": "离休"}, m(2025, 4), 12345, "离休"),
    ({"retired_on": date(2025, 3, 20), "retirement_kind": "退职"}, m(2025, 4), 7407, "退职"),    # 7407.0
    ({"employment_status": "退休"}, m(2025, 6), 10493, "退休"),                                 # no date
    ({"employment_status": "退休", "rank": "三级主任科员"}, m(2025, 6), 10498, ""),              # 10497.5 → up
    ({"transferred_on": date(2025, 6, 5)}, m(2025, 6), 12345, ""),
    ({"transferred_on": date(2025, 6, 5)}, m(2025, 7), None, "调离的下月起停发"),
    ({"hardship_area_class": "无"}, m(2025, 6), None, "不在艰苦边远地区"),
    ({"hardship_area_class": "七类"}, m(2025, 6), None, "不是有效类别"),
])
def test_hardship_lines(changes, month, amount, reason_part):
    facts = replace(HARD, **changes)
    elig = al.hardship_eligibility(facts, month, RATES)
    assert elig.reason and reason_part in elig.reason
    lines = al.monthly_lines(facts, month, RATES)
    assert [line.amount_fen for line in lines] == ([] if amount is None else [amount])
    for line in lines:
        assert isinstance(line.amount_fen, int) and line.area_class == "三类"


def test_retiree_basis_names_the_share():
    facts = replace(HARD, employment_status="退休")
    [line] = al.monthly_lines(facts, m(2025, 6), RATES)
    assert "退休人员按85%发放104.93元" in line.basis and "三类区·乡科级正职" in line.basis


@pytest.mark.parametrize("month, amount", [(m(2025, 6), 10000), (m(2025, 7), 11000), (m(2024, 12), 10000)])
def test_hardship_rate_change_mid_year(month, amount):
    facts = replace(HARD, rank="一级科员")
    assert [line.amount_fen for line in al.monthly_lines(facts, month, RATES)] == [amount]


def test_hardship_rate_before_first_row_missing():
    with pytest.raises(DomainError) as exc:
        al.monthly_lines(replace(HARD, rank="一级科员"), m(2023, 12), RATES)
    assert exc.value.code == "rate_missing"


def test_both_schemes_in_one_month():
    facts = replace(HARD, township_category="镇", township_start_date=date(2015, 6, 1))
    lines = al.monthly_lines(facts, m(2025, 6), RATES)
    assert [(line.scheme, line.amount_fen) for line in lines] == [(al.HARDSHIP, 12345), (al.TOWNSHIP, 26000)]
    assert all(line.month == m(2025, 6) and line.cadre_id == 1 for line in lines)


# ---------------------------------------------------------------------------
# Batches — DOMAIN.md §3: adjust with a reason, lock; a locked month never changes;
# back-pay and deductions are separate lines in a later month.
# ---------------------------------------------------------------------------
def _cadres():
    return [
        replace(BASE, cadre_id=1, name="甲", unit="甲镇", township_start_date=date(2015, 1, 1)),  # 26000
        replace(BASE, cadre_id=2, name="乙", unit="甲镇", township_start_date=date(2024, 2, 1)),  # 20000
        replace(HARD, cadre_id=3, name="丙", unit="乙街道"),                                     # 12345
        replace(HARD, cadre_id=4, name="丁", unit="乙街道", rank="专业技术员"),                   # band missing
        replace(BASE, cadre_id=5, name="戊", township_category="街道"),                          # nothing
    ]


def test_generate_batch_with_problems_and_totals():
    batch, problems = al.generate(m(2025, 6), _cadres(), RATES)
    assert [(line.cadre_id, line.amount_fen) for line in batch.lines] == [(1, 26000), (2, 20000), (3, 12345)]
    assert [(p.cadre_id, p.error.code) for p in problems] == [(4, "band_missing")]
    assert al.batch_problem_summary(problems) == {"band_missing": 1}
    assert batch.total_fen == 58345 and al.check_totals(batch.lines, 58345) == 58345
    assert batch.totals_by(lambda line: line.unit) == {"甲镇": 46000, "乙街道": 12345}
    assert batch.totals_by(lambda line: line.scheme) == {al.TOWNSHIP: 46000, al.HARDSHIP: 12345}
    assert batch.status == al.BATCH_DRAFT


def test_exact_totals_without_binary_fractions():
    # 0.10 元 ten times is exactly 1.00 元 (a binary sum would not be)
    lines = [Line(al.TOWNSHIP, "b", "", 10, "x", cadre_id=i) for i in range(10)]
    assert al.check_totals(lines, 100) == 100
    with pytest.raises(DomainError) as exc:
        al.check_totals(lines, 101)
    assert exc.value.code == "total_mismatch" and "1.01" in exc.value.message and "1.00" in exc.value.message


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_adjust_requires_a_reason(reason):
    batch, _ = al.generate(m(2025, 6), _cadres()[:1], RATES)
    with pytest.raises(DomainError) as exc:
        batch.adjusted(0, 25000, reason)
    assert exc.value.code == "reason_required" and exc.value.field == "reason"


def test_adjust_keeps_generated_amount():
    batch, _ = al.generate(m(2025, 6), _cadres()[:2], RATES)
    batch2 = batch.adjusted(0, 25000, "按县人社局通知更正年限").adjusted(0, 24000, "再次核对")
    line = batch2.lines[0]
    assert (line.amount_fen, line.generated_fen, line.reason, line.adjusted) == (24000, 26000, "再次核对", True)
    assert batch.lines[0].amount_fen == 26000                  # the original batch is unchanged
    assert batch2.total_fen == 44000
    with pytest.raises(DomainError) as exc:
        batch.adjusted(0, -1, "负数")
    assert exc.value.code == "amount_negative"


def test_locked_month_never_changes():
    batch, _ = al.generate(m(2025, 3), _cadres()[:2], RATES)
    locked = batch.lock()
    assert locked.locked and locked.status == al.BATCH_LOCKED
    extra = Line(al.TOWNSHIP, "b", "", 100, "x", cadre_id=9)
    for change in (lambda: locked.adjusted(0, 1, "原因"), lambda: locked.with_lines(extra),
                   lambda: locked.without_line(0), locked.lock):
        with pytest.raises(DomainError) as exc:
            change()
        assert exc.value.code == "month_locked" and "补发或扣减" in exc.value.message
    assert locked.lines == batch.lines


@pytest.mark.parametrize("due, kind, amount", [
    (32000, al.LINE_BACK_PAY, 6000),
    (20000, al.LINE_DEDUCTION, -6000),
    (0, al.LINE_DEDUCTION, -26000),
])
def test_corrections_are_separate_lines_in_a_later_month(due, kind, amount):
    march = al.generate(m(2025, 3), _cadres()[:2], RATES)[0].lock()
    fix = al.correction_line(march.lines[0], due, m(2025, 5), "工作年限核定有误")
    assert (fix.kind, fix.amount_fen, fix.corrects_month, fix.month) == (kind, amount, m(2025, 3), m(2025, 5))
    assert "2025年3月" in fix.basis and fix.reason == "工作年限核定有误"
    may, _ = al.generate(m(2025, 5), _cadres()[:2], RATES)
    may = may.with_lines(fix)
    assert may.total_fen == 46000 + amount
    assert march.total_fen == 46000                           # the locked month is untouched


@pytest.mark.parametrize("due, into, reason, code", [
    (26000, m(2025, 5), "原因", "correction_zero"),
    (30000, m(2025, 3), "原因", "corrects_month_order"),       # same month
    (30000, m(2025, 2), "原因", "corrects_month_order"),       # earlier month
    (30000, m(2025, 5), "  ", "reason_required"),
])
def test_correction_refused(due, into, reason, code):
    march = al.generate(m(2025, 3), _cadres()[:1], RATES)[0].lock()
    with pytest.raises(DomainError) as exc:
        al.correction_line(march.lines[0], due, into, reason)
    assert exc.value.code == code


def test_missed_month_back_pay():
    [due] = al.monthly_lines(_cadres()[0], m(2025, 2), RATES)
    line = al.missed_month_line(due, m(2025, 5), "二月漏发")
    assert (line.kind, line.amount_fen, line.corrects_month, line.month) == (al.LINE_BACK_PAY, 26000, m(2025, 2),
                                                                              m(2025, 5))
    assert line.basis.startswith("补发2025年2月乡镇工作补贴")


@pytest.mark.parametrize("line_kwargs, code", [
    ({"kind": al.LINE_BACK_PAY, "amount_fen": 100, "reason": "x"}, "corrects_month_required"),
    ({"kind": al.LINE_BACK_PAY, "amount_fen": -100, "reason": "x", "corrects_month": m(2025, 1)}, "amount_sign"),
    ({"kind": al.LINE_DEDUCTION, "amount_fen": 100, "reason": "x", "corrects_month": m(2025, 1)}, "amount_sign"),
    ({"kind": al.LINE_DEDUCTION, "amount_fen": -100, "reason": "", "corrects_month": m(2025, 1)},
     "reason_required"),
    ({"kind": al.LINE_REGULAR, "amount_fen": -1}, "amount_negative"),
    ({"kind": "bonus", "amount_fen": 1}, "invalid_line_kind"),
    ({"amount_fen": 1.5}, "money_type"),
])
def test_line_rules(line_kwargs, code):
    kwargs = {"amount_fen": 100, **line_kwargs}
    with pytest.raises(DomainError) as exc:
        Line(al.TOWNSHIP, "b", "", basis="x", **kwargs)
    assert exc.value.code == code


def test_batch_refuses_duplicates_and_other_months():
    batch, _ = al.generate(m(2025, 6), _cadres()[:1], RATES)
    with pytest.raises(DomainError) as exc:
        batch.with_lines(batch.lines[0])
    assert exc.value.code == "duplicate_line"
    with pytest.raises(DomainError) as exc:
        batch.with_lines(replace(batch.lines[0], cadre_id=99, month=m(2025, 7)))
    assert exc.value.code == "line_month_mismatch"
    added = batch.with_lines(Line(al.HARDSHIP, "b", "三类", 5, "x", cadre_id=1))
    assert added.lines[-1].month == m(2025, 6)                 # a line without a month joins the batch's


@pytest.mark.parametrize("d, n, result", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 8, 31), 6, date(2025, 2, 28)),
    (date(2025, 11, 15), 3, date(2026, 2, 15)),
])
def test_add_months(d, n, result):
    assert al.add_months(d, n) == result


def test_township_basis_in_the_first_year_says_not_yet_one_year():
    """Issue 13: never "乡镇工作满0年" in the basis."""
    facts = replace(BASE, township_start_date=date(2025, 3, 1))
    [line] = al.monthly_lines(facts, m(2025, 6), RATES)
    assert "乡镇工作不满1年" in line.basis and "满0年" not in line.basis
    assert "到乡镇工作时间2025.03" in line.basis          # a month-only date stays a month
