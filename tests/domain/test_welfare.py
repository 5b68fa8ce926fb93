"""Welfare and condolence (DOMAIN.md §5), table-driven.

Caps: 安徽 2018 example (festivals ≤ 1,500 元/year, no cash or shopping cards; birthday ≤ 300, once a
year; marriage/birth ≤ 600; illness ≤ 1,000 per episode; member's death ≤ 2,000; relative's death
≤ 1,000; retirement ≤ 1,000).  Budgets and the 低保 line below are test figures.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecenter.domain import welfare as wf
from carecenter.domain.errors import DomainError
from carecenter.domain.presets import load_welfare
from carecenter.domain.welfare import Occasion, WelfareRecord

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
RULES = load_welfare(PRESETS, "national")
SETTINGS = RULES.settings_on(date(2025, 1, 1))
UNION = "工会经费"


def rec(occasion: str, on: date, money: int = 0, goods: int = 0, *, cadre=1, episode="", source=UNION, rid=None):
    return WelfareRecord(cadre, occasion, on, money, goods, funding_source=source, episode=episode, record_id=rid)


def codes(warnings) -> list[str]:
    return [w.code for w in warnings]


# ---------------------------------------------------------------------------
# Caps by scope
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("record, history, expected", [
    # per_year (birthday ≤ 300, once a year)
    (rec(wf.BIRTHDAY, date(2025, 5, 1), goods=30000), [], []),
    (rec(wf.BIRTHDAY, date(2025, 5, 1), goods=30001), [], ["over_cap"]),
    (rec(wf.BIRTHDAY, date(2025, 5, 1), goods=30000), [rec(wf.BIRTHDAY, date(2024, 5, 1), goods=30000)], []),
    (rec(wf.BIRTHDAY, date(2025, 12, 1), goods=10000), [rec(wf.BIRTHDAY, date(2025, 1, 2), goods=10000)],
     ["over_frequency"]),
    (rec(wf.BIRTHDAY, date(2025, 12, 1), goods=25000), [rec(wf.BIRTHDAY, date(2025, 1, 2), goods=10000)],
     ["over_cap", "over_frequency"]),
    # per_episode (illness ≤ 1,000 per episode; records sharing the episode key add up)
    (rec(wf.ILLNESS, date(2025, 3, 1), 50000, episode="2025-03 住院"),
     [rec(wf.ILLNESS, date(2025, 1, 15), 60000, episode="2025-03 住院")], ["over_cap"]),
    (rec(wf.ILLNESS, date(2025, 3, 1), 50000, episode="2025-03 住院"),
     [rec(wf.ILLNESS, date(2025, 1, 1), 60000, episode="2024-12 住院")], []),
    (rec(wf.ILLNESS, date(2025, 3, 1), 100000), [rec(wf.ILLNESS, date(2025, 1, 1), 100000)], []),
    (rec(wf.ILLNESS, date(2025, 3, 1), 60000, 40001), [], ["over_cap"]),     # money + goods
    # per_occasion
    (rec(wf.DEATH_RELATIVE, date(2025, 3, 1), 100000), [], []),
    (rec(wf.DEATH_RELATIVE, date(2025, 3, 1), 100001), [], ["over_cap"]),
    (rec(wf.DEATH_MEMBER, date(2025, 3, 1), 200000), [], []),
    (rec(wf.MARRIAGE, date(2025, 3, 1), 60001), [], ["over_cap"]),
    (rec(wf.CHILDBIRTH, date(2025, 3, 1), 60000), [], []),
    (rec(wf.RETIREMENT, date(2025, 3, 1), 100001), [], ["over_cap"]),
    # no cap
    (rec(wf.HARDSHIP_AID, date(2025, 3, 1), 500000), [], []),
])
def test_caps_by_scope(record, history, expected):
    warnings = wf.check_record(record, RULES, history)
    assert codes(warnings) == expected
    for w in warnings:
        assert w.severity == wf.SEVERITY_WARNING and w.needs_reason


# Festivals: one yearly total across all seven festivals; other years, other occasions and other
# cadres do not count.
@pytest.mark.parametrize("history, goods, over", [
    ([], 150000, False),
    ([], 150001, True),
    ([rec(wf.FESTIVAL_SPRING, date(2025, 1, 20), goods=80000),
      rec(wf.FESTIVAL_MID_AUTUMN, date(2025, 9, 10), goods=50000)], 20000, False),
    ([rec(wf.FESTIVAL_SPRING, date(2025, 1, 20), goods=80000),
      rec(wf.FESTIVAL_MID_AUTUMN, date(2025, 9, 10), goods=50000)], 20001, True),
    ([rec(wf.FESTIVAL_SPRING, date(2024, 2, 1), goods=150000)], 150000, False),          # last year
    ([rec(wf.BIRTHDAY, date(2025, 3, 1), goods=30000)], 150000, False),                  # not a festival
    ([rec(wf.FESTIVAL_SPRING, date(2025, 1, 20), goods=150000, cadre=2)], 150000, False),  # another cadre
])
def test_festival_yearly_total(history, goods, over):
    record = rec(wf.FESTIVAL_NATIONAL, date(2025, 9, 30), goods=goods)
    warnings = [w for w in wf.check_record(record, RULES, history) if w.code == "over_cap"]
    assert bool(warnings) is over
    if over:
        assert "节日慰问每人全年合计1,500.00元" in warnings[0].message


@pytest.mark.parametrize("occasion", wf.FESTIVAL_CODES)
def test_cash_refused_for_festivals(occasion):
    # 全总《基层工会经费收支管理办法》: 节日慰问品发放实物，不得发放现金、购物卡 — an error, not a warning
    warnings = wf.check_record(rec(occasion, date(2025, 1, 20), money=10000), RULES)
    [err] = wf.errors_only(warnings)
    assert err.code == "cash_forbidden" and err.is_error and "不得发放现金" in err.message
    assert wf.errors_only(wf.check_record(rec(occasion, date(2025, 1, 20), goods=10000), RULES)) == []


def test_cash_allowed_for_condolence():
    assert wf.check_record(rec(wf.ILLNESS, date(2025, 1, 20), money=50000), RULES) == []


# ---------------------------------------------------------------------------
# Budget, duplicates, funding source, amounts
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("budget, used, amount, over", [
    (1000000, 990000, 10000, False),       # exactly the budget
    (1000000, 990000, 10001, True),
    (1000000, 1000000, 1, True),
    (None, 5000000, 10000, False),         # no budget set
])
def test_budget_warning(budget, used, amount, over):
    warnings = wf.check_record(rec(wf.ILLNESS, date(2025, 6, 1), amount), RULES,
                               budget_fen=budget, budget_used_fen=used)
    assert ("over_budget" in codes(warnings)) is over
    if over:
        w = next(w for w in warnings if w.code == "over_budget")
        assert w.needs_reason and "工会经费2025年预算" in w.message


@pytest.mark.parametrize("used, budget, status", [
    (0, 1000000, wf.BUDGET_OK), (899999, 1000000, wf.BUDGET_OK), (900000, 1000000, wf.BUDGET_NEAR),
    (1000000, 1000000, wf.BUDGET_NEAR), (1000001, 1000000, wf.BUDGET_OVER), (5, None, wf.BUDGET_OK),
])
def test_budget_status(used, budget, status):
    assert wf.budget_status(used, budget, SETTINGS) == status


# duplicate window: 30 days either side (settings default), same cadre and occasion
@pytest.mark.parametrize("other, duplicate", [
    (rec(wf.ILLNESS, date(2025, 5, 2), 10000), True),                 # 30 days before
    (rec(wf.ILLNESS, date(2025, 5, 1), 10000), False),                # 31 days before
    (rec(wf.ILLNESS, date(2025, 7, 1), 10000), True),                 # entered late: 30 days after
    (rec(wf.ILLNESS, date(2025, 6, 1), 10000), True),                 # same day
    (rec(wf.MARRIAGE, date(2025, 6, 1), 10000), False),               # another occasion
    (rec(wf.ILLNESS, date(2025, 6, 1), 10000, cadre=2), False),       # another cadre
    (rec(wf.ILLNESS, date(2025, 6, 1), 10000, rid=7), False),         # the record itself (same id)
])
def test_likely_duplicate(other, duplicate):
    record = rec(wf.ILLNESS, date(2025, 6, 1), 10000, rid=7)
    warnings = wf.check_record(record, RULES, [other])
    assert ("likely_duplicate" in codes(warnings)) is duplicate
    if duplicate:
        w = next(w for w in warnings if w.code == "likely_duplicate")
        assert not w.needs_reason and "可能重复" in w.message


def test_duplicate_window_per_occasion_overrides_default():
    occ = replace(RULES.occasion(wf.ILLNESS, date(2025, 1, 1)), duplicate_window_days=3)
    rules = replace(RULES, occasions=(occ,))
    record = rec(wf.ILLNESS, date(2025, 6, 10), 10000)
    assert "likely_duplicate" not in codes(wf.check_record(record, rules, [rec(wf.ILLNESS, date(2025, 6, 6), 1)]))
    assert "likely_duplicate" in codes(wf.check_record(record, rules, [rec(wf.ILLNESS, date(2025, 6, 7), 1)]))


@pytest.mark.parametrize("record, code, is_error", [
    (rec(wf.ILLNESS, date(2025, 6, 1), 10000, source=""), "funding_source_required", True),
    (rec(wf.ILLNESS, date(2025, 6, 1), 10000, source="小金库"), "funding_source_unknown", True),
    (rec(wf.ILLNESS, date(2025, 6, 1), 10000, source="行政经费"), "funding_source_unusual", False),
    (rec(wf.ILLNESS, date(2025, 6, 1), -1), "amount_negative", True),
])
def test_record_field_checks(record, code, is_error):
    [w] = wf.check_record(record, RULES)
    assert (w.code, w.is_error) == (code, is_error)


def test_talk_record_without_money_needs_no_source():
    assert wf.check_record(rec(wf.TALK, date(2025, 6, 1), source=""), RULES) == []


def test_unknown_occasion_and_date_before_rules():
    with pytest.raises(DomainError) as exc:
        wf.check_record(rec("picnic", date(2025, 6, 1)), RULES)
    assert exc.value.code == "rule_not_in_force"


@pytest.mark.parametrize("kwargs, code", [
    ({"cap_fen": 100, "cap_scope": None}, "invalid_cap_scope"),
    ({"cap_fen": 100, "cap_scope": "per_month"}, "invalid_cap_scope"),
    ({"cap_fen": -1, "cap_scope": "per_year"}, "invalid_amount"),
    ({"max_per_year": 0}, "invalid_count"),
])
def test_occasion_row_validation(kwargs, code):
    base = {"code": "x", "name": "测试", "standard_fen": None, "cap_fen": None, "cap_scope": None,
            "cash_allowed": True, "funding_sources": (), "effective_from": date(2025, 1, 1)}
    with pytest.raises(DomainError) as exc:
        Occasion(**{**base, **kwargs})
    assert exc.value.code == code


# ---------------------------------------------------------------------------
# Hardship levels (example): deep < 低保; relative < 2 × 低保 (per-capita monthly disposable income)
# 低保 line here: 800.00 元 (a test figure; the preset ships it empty).
# ---------------------------------------------------------------------------
WITH_DIBAO = replace(SETTINGS, dibao_monthly_fen=80000)


@pytest.mark.parametrize("income, size, level", [
    (230000, 3, wf.HARDSHIP_DEEP),        # 766.67 per person
    (239999, 3, wf.HARDSHIP_DEEP),
    (240000, 3, wf.HARDSHIP_RELATIVE),    # exactly the line: not below it
    (479999, 3, wf.HARDSHIP_RELATIVE),
    (480000, 3, wf.HARDSHIP_NONE),        # exactly 2 × the line
    (0, 1, wf.HARDSHIP_DEEP),
    (159999, 1, wf.HARDSHIP_RELATIVE),
])
def test_hardship_level(income, size, level):
    result = wf.hardship_level(income, size, WITH_DIBAO)
    assert result.level == level
    assert "低保标准800.00元" in result.reason and result.name == wf.HARDSHIP_LEVEL_NAMES[level]


def test_hardship_level_needs_the_dibao_line():
    assert SETTINGS.dibao_monthly_fen is None
    with pytest.raises(DomainError) as exc:
        wf.hardship_level(100000, 2, SETTINGS)
    assert exc.value.code == "dibao_missing" and "低保" in exc.value.message
    assert wf.hardship_level(100000, 2, SETTINGS, dibao_monthly_fen=60000).level == wf.HARDSHIP_DEEP
    with pytest.raises(DomainError) as exc:
        wf.hardship_level(100000, 0, WITH_DIBAO)
    assert exc.value.code == "invalid_household_size"


def test_hardship_multiples_are_decimal():
    assert SETTINGS.deep_hardship_multiple == Decimal(1)
    assert SETTINGS.relative_hardship_multiple == Decimal(2)


# ---------------------------------------------------------------------------
# 谈心谈话 — DOMAIN.md §5: date, who, trigger (from the list), gist required
# ---------------------------------------------------------------------------
TODAY = date(2025, 6, 30)
GOOD_TALK = {"on": date(2025, 6, 3), "talker": "党委书记 李四", "talkee": 12, "trigger": "岗位变动",
             "gist": "了解调整岗位后的想法，鼓励其尽快熟悉新工作"}


@pytest.mark.parametrize("changes, fields", [
    ({}, []),
    ({"on": None}, ["on"]),
    ({"on": date(2025, 7, 1)}, ["on"]),
    ({"talker": "  "}, ["talker"]),
    ({"talkee": ""}, ["talkee"]),
    ({"trigger": ""}, ["trigger"]),
    ({"trigger": "喝茶"}, ["trigger"]),
    ({"gist": ""}, ["gist"]),
    ({"gist": None, "talker": None}, ["talker", "gist"]),
])
def test_check_talk(changes, fields):
    errors = wf.check_talk({**GOOD_TALK, **changes}, SETTINGS, TODAY)
    assert [e.field for e in errors] == fields
    assert all(e.message for e in errors)


def test_talk_triggers_cover_domain_list():
    for trigger in ("岗位变动", "退休", "受到表彰奖励", "受到处分或问责", "工作受挫", "家庭变故"):
        assert trigger in SETTINGS.talk_triggers
