"""Allowance and welfare presets (DOMAIN.md §3, §5; rule tables are dated data)."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecenter.domain import allowance as al
from carecenter.domain import presets as ps
from carecenter.domain import welfare as wf
from carecenter.domain.errors import DomainError

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
ALLOWANCE_PRESETS = ["national", "zhejiang", "hunan_example"]
WELFARE_PRESETS = ["national", "zhejiang"]


def _all_rows(rates: al.AllowanceRates):
    return (list(rates.hardship_schemes) + list(rates.hardship_bands) + list(rates.hardship_rates)
            + list(rates.retiree_shares) + list(rates.township_rules) + list(rates.township_bands)
            + list(rates.township_supplements))


@pytest.mark.parametrize("preset", ALLOWANCE_PRESETS)
def test_allowance_presets_load(preset):
    rates = ps.load_allowance_rates(PRESETS, preset)
    # 国人部发〔2006〕61号: six classes, the matrix ships empty (national figures not verified)
    assert al.area_classes(rates, date(2025, 1, 1)) == ("一类", "二类", "三类", "四类", "五类", "六类")
    assert rates.hardship_rates == ()
    assert {b.band for b in rates.hardship_bands} >= {"乡科级正职", "乡科级副职", "科员", "办事员"}
    assert all(b.example for b in rates.hardship_bands)             # our arrangement: marked example
    # retiree shares: 离休 100%, 退休 85%, 退职 60%
    on = date(2025, 1, 1)
    assert [(k, al.retiree_share(rates.retiree_shares, k, on).percent) for k in ("离休", "退休", "退职")] == \
        [("离休", Decimal(100)), ("退休", Decimal(85)), ("退职", Decimal(60))]
    rule = al.township_rule(rates.township_rules, on)
    assert rule.effective_from == date(2015, 1, 1)
    assert "街道" not in rule.township_categories and set(rule.township_categories) == {"乡", "镇"}
    assert (rule.sent_down_wait_months, rule.suspension_min_months, rule.suspension_inclusive) == (6, 1, False)
    for row in _all_rows(rates):
        assert isinstance(row.effective_from, date)
        assert row.source, row
        for value in vars(row).values():
            assert not isinstance(value, float)


@pytest.mark.parametrize("preset", ["national", "zhejiang"])
def test_national_township_floor(preset):
    # national notice: 月人均不低于200元 from 2015-01-01 — one band of 200, not an example
    rates = ps.load_allowance_rates(PRESETS, preset)
    [band] = rates.township_bands
    assert (band.min_years, band.amount_fen, band.effective_from, band.example) == (0, 20000, date(2015, 1, 1), False)
    assert rates.township_supplements == ()


def test_hunan_example_bands():
    # DOMAIN.md §3 (Hunan example): <10 200, 10–<15 260, 15–<20 320, 20–<25 380, 25–<30 440, ≥30 500; +100
    rates = ps.load_allowance_rates(PRESETS, "hunan_example")
    assert [(b.min_years, b.amount_fen) for b in rates.township_bands] == [
        (0, 20000), (10, 26000), (15, 32000), (20, 38000), (25, 44000), (30, 50000)]
    assert all(b.example and b.effective_from == date(2015, 1, 1) for b in rates.township_bands)
    [extra] = rates.township_supplements
    assert (extra.kind, extra.amount_fen, extra.example) == (al.ESPECIALLY_HARD, 10000, True)
    # not offered as a full preset (it only holds allowance rates)
    assert "hunan_example" not in ps.available_presets(PRESETS)


@pytest.mark.parametrize("preset", WELFARE_PRESETS)
def test_welfare_presets_load(preset):
    rules = ps.load_welfare(PRESETS, preset)
    on = date(2025, 1, 1)
    assert {o.code for o in rules.occasions} == set(wf.OCCASION_CODES)
    for o in rules.occasions:
        assert o.name == wf.OCCASION_NAMES[o.code]
        assert o.source
        assert o.cap_fen is None or o.example                  # every cap is the Anhui example
        assert not o.example_fields or o.example
    settings = rules.settings_on(on)
    assert settings.funding_sources == ("工会经费", "行政经费", "党费", "其他")
    assert settings.dibao_monthly_fen is None                 # local figure: left to fill in
    assert settings.duplicate_window_days == 30


# 安徽 2018 example caps (元) and scopes, DOMAIN.md §5
@pytest.mark.parametrize("code, cap_yuan, scope, cash", [
    (wf.FESTIVAL_SPRING, 1500, wf.FESTIVAL_YEARLY_TOTAL, False),
    (wf.FESTIVAL_QINGMING, 1500, wf.FESTIVAL_YEARLY_TOTAL, False),
    (wf.FESTIVAL_NATIONAL, 1500, wf.FESTIVAL_YEARLY_TOTAL, False),
    (wf.BIRTHDAY, 300, wf.PER_YEAR, True),
    (wf.MARRIAGE, 600, wf.PER_OCCASION, True),
    (wf.CHILDBIRTH, 600, wf.PER_OCCASION, True),
    (wf.ILLNESS, 1000, wf.PER_EPISODE, True),
    (wf.DEATH_MEMBER, 2000, wf.PER_OCCASION, True),
    (wf.DEATH_RELATIVE, 1000, wf.PER_OCCASION, True),
    (wf.RETIREMENT, 1000, wf.PER_OCCASION, True),
    (wf.HARDSHIP_AID, None, None, True),
    (wf.TALK, None, None, True),
])
def test_welfare_figures(code, cap_yuan, scope, cash):
    occ = ps.load_welfare(PRESETS, "national").occasion(code, date(2025, 1, 1))
    assert occ.cap_fen == (None if cap_yuan is None else cap_yuan * 100)
    assert (occ.cap_scope, occ.cash_allowed) == (scope, cash)
    assert ("cap_fen" in occ.example_fields) is (cap_yuan is not None)
    if code == wf.BIRTHDAY:
        assert occ.max_per_year == 1


def test_round_trip_is_json_safe():
    for preset in ALLOWANCE_PRESETS:
        rates = ps.load_allowance_rates(PRESETS, preset)
        for row in _all_rows(rates) + [al.HardshipRate("一类", "科员", 1234, date(2025, 1, 1), "t")]:
            data = json.loads(json.dumps(ps.allowance_row_to_dict(row)))
            assert ps.allowance_row_from_dict(data) == row
    for preset in WELFARE_PRESETS:
        rules = ps.load_welfare(PRESETS, preset)
        for row in list(rules.occasions) + list(rules.settings):
            data = json.loads(json.dumps(ps.welfare_row_to_dict(row)))
            assert ps.welfare_row_from_dict(data) == row


def _write(tmp_path: Path, name: str, kind: str, rows) -> Path:
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps({"format": 1, "kind": kind, "rows": rows}, ensure_ascii=False),
                               encoding="utf-8")
    return tmp_path


RATE = {"table": "hardship_rate", "area_class": "一类", "band": "科员", "amount_fen": 1000,
        "effective_from": "2025-01-01", "source": "t"}


@pytest.mark.parametrize("row, text", [
    ({**RATE, "table": "mystery"}, "未知的表"),
    ({**RATE, "amount_fen": -1}, "不能为负数"),
    ({**RATE, "amount_fen": "12.5"}, "不是整数"),
    ({**RATE, "effective_from": "2025-02-30"}, "生效日期"),
    ({k: v for k, v in RATE.items() if k != "band"}, "band"),
    ({"table": "retiree_share", "kind": "退休", "percent": "abc", "effective_from": "2025-01-01"}, "不是数字"),
    ({"table": "township_rule", "effective_from": "2015-01-01", "township_categories": "乡",
      "personnel_statuses": [], "sent_down_wait_months": 6, "suspension_kinds": [], "suspension_min_months": 1},
     "文字列表"),
])
def test_invalid_allowance_rows(tmp_path, row, text):
    base = _write(tmp_path, ps.ALLOWANCE_RATES_FILE, "allowance_rates", [row])
    with pytest.raises(DomainError) as exc:
        ps.load_allowance_rates(base, "p")
    assert exc.value.code == "preset_invalid" and text in exc.value.message


OCC = ps.welfare_row_to_dict(ps.load_welfare(PRESETS, "national").occasion(wf.BIRTHDAY, date(2025, 1, 1)))


@pytest.mark.parametrize("row, text", [
    ({**OCC, "cap_scope": "per_month"}, "上限口径"),
    ({**OCC, "cash_allowed": "no"}, "cash_allowed"),
    ({**OCC, "example": False}, "example"),
    ({**OCC, "cap_fen": -5}, "不能为负数"),
])
def test_invalid_welfare_rows(tmp_path, row, text):
    base = _write(tmp_path, ps.WELFARE_FILE, "welfare", [row])
    with pytest.raises(DomainError) as exc:
        ps.load_welfare(base, "p")
    assert exc.value.code == "preset_invalid" and text in exc.value.message


def test_wrong_kind_and_missing_file(tmp_path):
    base = _write(tmp_path, ps.WELFARE_FILE, "allowance_rates", [])
    with pytest.raises(DomainError) as exc:
        ps.load_welfare(base, "p")
    assert exc.value.code == "preset_invalid"
    with pytest.raises(DomainError) as exc:
        ps.load_allowance_rates(tmp_path, "nowhere")
    assert exc.value.code == "preset_not_found"
