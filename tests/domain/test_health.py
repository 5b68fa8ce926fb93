"""Health-check cycles, follow-ups and scale bands (DOMAIN.md §4)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecenter.domain import health as hl
from carecenter.domain.errors import DomainError
from carecenter.domain.health import Finding, HealthCycleRule
from carecenter.domain.presets import load_health_cycles

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
NATIONAL = load_health_cycles(PRESETS, "national")
ZHEJIANG = load_health_cycles(PRESETS, "zhejiang")
TODAY = date(2025, 6, 1)


def due(birth, sex, last=None, rules=NATIONAL, year=2025, today=TODAY):
    return [(i.package, i.due_year, i.status)
            for i in hl.due_items(birth, sex, last or {}, rules, year, today)]


# Age = age reached in the plan year (31 December).
# DOMAIN.md §4: 两癌筛查 every 3 years for women aged 35–64; national preset: yearly check for all.
@pytest.mark.parametrize("birth, sex, expected", [
    (date(1991, 12, 31), "女", [("常规体检", 2025, "本年应检")]),                          # 34
    (date(1990, 12, 31), "女", [("两癌筛查", 2025, "本年应检"), ("常规体检", 2025, "本年应检")]),  # 35
    (date(1961, 1, 1), "女", [("两癌筛查", 2025, "本年应检"), ("常规体检", 2025, "本年应检")]),    # 64
    (date(1960, 1, 1), "女", [("常规体检", 2025, "本年应检")]),                            # 65
    (date(1980, 5, 5), "男", [("常规体检", 2025, "本年应检")]),                            # never 两癌
    (date(1990, 5, 5), "男", [("常规体检", 2025, "本年应检")]),
])
def test_due_by_age_band_and_sex(birth, sex, expected):
    assert due(birth, sex) == expected


# Zhejiang example (DOMAIN.md §4 "some units"): under 45 every 2 years, from 45 yearly.
@pytest.mark.parametrize("birth, last, expected", [
    (date(1981, 3, 3), date(2024, 4, 1), ("常规体检", 2026, "已完成")),   # 44: biennial, done last year
    (date(1981, 3, 3), date(2023, 4, 1), ("常规体检", 2025, "本年应检")),
    (date(1981, 3, 3), date(2022, 4, 1), ("常规体检", 2024, "逾期")),
    (date(1980, 3, 3), date(2024, 4, 1), ("常规体检", 2025, "本年应检")),  # 45: yearly
    (date(1980, 3, 3), date(2025, 3, 1), ("常规体检", 2026, "已完成")),
    (date(1980, 3, 3), None, ("常规体检", 2025, "本年应检")),             # never checked
])
def test_zhejiang_general_check_cycle(birth, last, expected):
    checks = {"常规体检": last} if last else {}
    assert due(birth, "男", checks, ZHEJIANG) == [expected]


@pytest.mark.parametrize("last, year, today, expected", [
    (date(2023, 5, 1), 2025, TODAY, (2026, "已完成")),      # within the 3-year cycle
    (date(2022, 5, 1), 2025, TODAY, (2025, "本年应检")),
    (date(2021, 5, 1), 2025, TODAY, (2024, "逾期")),
    (date(2021, 5, 1), 2024, TODAY, (2024, "逾期")),        # 2024 is over: due then, not done
    (date(2021, 5, 1), 2024, date(2024, 3, 1), (2024, "本年应检")),
    (None, 2025, TODAY, (2025, "本年应检")),
])
def test_screening_cycle_status(last, year, today, expected):
    checks = {"两癌筛查": last} if last else {}
    items = hl.due_items(date(1980, 1, 1), "女", checks, NATIONAL, year, today)
    screening = next(i for i in items if i.package == "两癌筛查")
    assert (screening.due_year, screening.status) == expected
    assert screening.last_date == last


def test_rule_effective_dates_and_shortest_interval():
    old = HealthCycleRule("单位体检", "any", None, None, 2, "常规体检", date(2000, 1, 1))
    new = HealthCycleRule("单位体检", "any", None, None, 1, "常规体检", date(2026, 7, 1))
    extra = HealthCycleRule("高龄加检", "any", 50, None, 1, "常规体检", date(2000, 1, 1))
    last = {"常规体检": date(2024, 5, 1)}
    assert due(date(1980, 1, 1), "男", last, [old, new], 2025) == [("常规体检", 2026, "已完成")]
    # a row effective during 2026 governs the 2026 plan
    assert due(date(1980, 1, 1), "男", last, [old, new], 2026, date(2026, 2, 1)) == [
        ("常规体检", 2025, "逾期")]
    # two matching rules for one package: the shorter interval wins
    assert due(date(1970, 1, 1), "男", last, [old, extra], 2025) == [("常规体检", 2025, "本年应检")]


@pytest.mark.parametrize("kwargs, field", [
    ({"sex": "其他"}, "sex"), ({"interval_years": 0}, "interval_years"),
    ({"age_min": 50, "age_max": 40}, "age_max"),
])
def test_rule_validation(kwargs, field):
    base = dict(name="x", sex="any", age_min=None, age_max=None, interval_years=1, package="常规体检",
                effective_from=date(2020, 1, 1))
    base.update(kwargs)
    with pytest.raises(DomainError) as exc:
        HealthCycleRule(**base)
    assert exc.value.field == field


def test_person_sex_must_be_known():
    with pytest.raises(DomainError) as exc:
        hl.due_items(date(1980, 1, 1), "", {}, NATIONAL, 2025, TODAY)
    assert exc.value.field == "sex"


# ---------------------------------------------------------------------------
# Abnormal findings (DOMAIN.md §4: class A/B, re-check due, closed)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("finding, status", [
    (Finding("A", recheck_due=date(2025, 5, 1), closed_on=date(2025, 5, 20)), "已关闭"),
    (Finding("A", recheck_due=date(2025, 5, 31)), "复查逾期"),
    (Finding("B", recheck_due=date(2025, 6, 1)), "待复查"),   # due today: not yet overdue
    (Finding("B", recheck_due=date(2025, 7, 1)), "待复查"),
    (Finding("B"), "待复查"),
])
def test_followup_status(finding, status):
    assert hl.followup_status(finding, TODAY) == status


def test_open_followups_order():
    a_late = Finding("A", "血压", recheck_due=date(2025, 5, 1))
    b_late = Finding("B", "血脂", recheck_due=date(2025, 4, 1))
    a_soon = Finding("A", "心电图", recheck_due=date(2025, 6, 20))
    closed = Finding("B", "血糖", closed_on=date(2025, 5, 1))
    rows = hl.open_followups([closed, a_soon, b_late, a_late], TODAY)
    assert [f.description for f, _ in rows] == ["血压", "血脂", "心电图"]


def test_finding_level_validated():
    with pytest.raises(DomainError) as exc:
        Finding("C")
    assert exc.value.field == "level"


# ---------------------------------------------------------------------------
# Scales: PHQ-9 (Kroenke 2001) 0–4/5–9/10–14/15–19/20–27; GAD-7 (Spitzer 2006) 0–4/5–9/10–14/15–21;
# SCL-90: total ≥ 160, any factor ≥ 2, or > 43 positive items → positive screen.
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("scale, score, band", [
    ("PHQ-9", 0, "无或极轻"), ("PHQ-9", 4, "无或极轻"), ("PHQ-9", 5, "轻度"), ("PHQ-9", 9, "轻度"),
    ("PHQ-9", 10, "中度"), ("PHQ-9", 14, "中度"), ("PHQ-9", 15, "中重度"), ("PHQ-9", 19, "中重度"),
    ("PHQ-9", 20, "重度"), ("PHQ-9", 27, "重度"),
    ("GAD-7", 0, "无或极轻"), ("GAD-7", 4, "无或极轻"), ("GAD-7", 5, "轻度"), ("GAD-7", 9, "轻度"),
    ("GAD-7", 10, "中度"), ("GAD-7", 14, "中度"), ("GAD-7", 15, "重度"), ("GAD-7", 21, "重度"),
])
def test_score_bands(scale, score, band):
    result = hl.score_band(scale, score)
    assert result.band == band
    assert result.attention is (score >= 10)


@pytest.mark.parametrize("kwargs, positive", [
    ({"score": 159}, False),
    ({"score": 160}, True),
    ({"score": 120, "factors": {"躯体化": Decimal("1.9"), "抑郁": "1.5"}}, False),
    ({"score": 120, "factors": {"躯体化": Decimal("2.0")}}, True),
    ({"score": 120, "positive_items": 43}, False),
    ({"score": 120, "positive_items": 44}, True),
])
def test_scl90(kwargs, positive):
    result = hl.score_band("SCL-90", **kwargs)
    assert result.attention is positive
    assert result.band.startswith("筛查阳性" if positive else "筛查阴性")


@pytest.mark.parametrize("scale, score, kwargs", [
    ("PHQ-9", 28, {}), ("PHQ-9", -1, {}), ("PHQ-9", Decimal("3.5"), {}), ("PHQ-9", "abc", {}),
    ("PHQ-9", 3.0, {}), ("PHQ-9", True, {}),
    ("GAD-7", 22, {}), ("SCL-90", 89, {}), ("SCL-90", 451, {}),
    ("SCL-90", 120, {"factors": {"焦虑": 6}}), ("SCL-90", 120, {"factors": {"焦虑": 0.5}}),
    ("SCL-90", 120, {"positive_items": 91}),
])
def test_scores_out_of_range(scale, score, kwargs):
    with pytest.raises(DomainError) as exc:
        hl.score_band(scale, score, **kwargs)
    assert exc.value.field == "score"
    assert exc.value.code == "score_out_of_range"


def test_unknown_scale():
    with pytest.raises(DomainError) as exc:
        hl.score_band("HAMD", 10)
    assert exc.value.code == "unknown_scale"
