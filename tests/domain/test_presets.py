"""Rule presets (DOMAIN.md §2, §4; ARCHITECTURE.md: rule tables are dated data in resources/presets)."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from carecenter.domain import presets as ps
from carecenter.domain.errors import DomainError
from carecenter.domain.leave import LEAVE_TYPE_CODES, LEAVE_TYPE_NAMES, rule_in_force

PRESETS = Path(__file__).resolve().parents[2] / "resources" / "presets"
D = Decimal


def test_available_presets():
    assert {"national", "zhejiang"} <= set(ps.available_presets(PRESETS))
    assert ps.preset_title(PRESETS, "zhejiang") == "浙江省"
    assert ps.available_presets(PRESETS / "missing") == []


@pytest.mark.parametrize("preset", ["national", "zhejiang"])
def test_every_leave_type_present_with_parsed_dates(preset):
    rules = ps.load_leave_types(PRESETS, preset)
    assert {r.code for r in rules} == set(LEAVE_TYPE_CODES)
    for r in rules:
        assert isinstance(r.effective_from, date)
        assert r.name == LEAVE_TYPE_NAMES[r.code]
        assert r.source, f"{r.code} has no source"
        assert r.days is None or isinstance(r.days, Decimal)
        assert r.count_mode in ("working", "calendar")
        assert not r.example_fields or r.example
        # every rule is in force today, so the app never starts with a gap
        rule_in_force(rules, r.code, date(2025, 6, 1))


@pytest.mark.parametrize("preset", ["national", "zhejiang"])
def test_health_cycles_load(preset):
    rules = ps.load_health_cycles(PRESETS, preset)
    assert {r.package for r in rules} == {"常规体检", "两癌筛查"}
    screening = [r for r in rules if r.package == "两癌筛查"]
    assert [(r.sex, r.age_min, r.age_max, r.interval_years) for r in screening] == [("女", 35, 64, 3)]
    assert all(isinstance(r.effective_from, date) for r in rules)


# Figures from DOMAIN.md §2, row by row; (example) = DOMAIN.md gives it as an example only.
@pytest.mark.parametrize("preset, code, on, field, value, example", [
    ("national", "annual", date(2025, 1, 1), "params.tiers", [[1, 5], [10, 10], [20, 15]], False),
    ("national", "annual", date(2025, 1, 1), "params.personal_exclusion_days", 20, False),
    ("national", "home_visit", date(2025, 1, 1), "params.spouse_days", 30, False),
    ("national", "home_visit", date(2025, 1, 1), "params.unmarried_parents_biennial_days", 45, False),
    ("national", "marriage", date(2025, 1, 1), "days", D(3), False),
    ("national", "bereavement", date(2025, 1, 1), "days", D(3), False),
    ("national", "maternity", date(2025, 1, 1), "days", D(98), False),
    ("national", "paternity", date(2025, 1, 1), "days", D(15), True),       # "typically 15"
    ("national", "childcare", date(2025, 1, 1), "days", None, False),       # no national figure
    ("national", "sick", date(2025, 1, 1), "certificate_threshold_days", 8, True),
    ("national", "personal", date(2025, 1, 1), "params.yearly_cap_days", 15, True),
    ("national", "recuperation", date(2025, 1, 1), "params.in_province_max_days", 5, True),
    ("zhejiang", "recuperation", date(2025, 1, 1), "params.out_of_province_max_days", 7, True),
    ("zhejiang", "recuperation", date(2025, 1, 1), "params.out_of_province_gap_years", 3, True),
    ("zhejiang", "marriage", date(2024, 9, 26), "days", D(3), False),
    ("zhejiang", "marriage", date(2024, 9, 27), "days", D(13), False),
    ("zhejiang", "maternity", date(2025, 1, 1), "days", D(158), False),
    ("zhejiang", "maternity", date(2025, 1, 1), "params.second_third_child_extra", 30, False),
    ("zhejiang", "paternity", date(2025, 1, 1), "days", D(15), False),
    ("zhejiang", "childcare", date(2025, 1, 1), "days", D(10), False),
    ("zhejiang", "childcare", date(2025, 1, 1), "count_mode", "working", False),
    ("zhejiang", "only_child_carer", date(2025, 1, 1), "days", D(5), False),
    ("zhejiang", "only_child_carer", date(2025, 1, 1), "params.parent_min_age", 60, False),
])
def test_domain_figures(preset, code, on, field, value, example):
    r = rule_in_force(ps.load_leave_types(PRESETS, preset), code, on)
    actual = r.params[field[7:]] if field.startswith("params.") else getattr(r, field)
    assert actual == value
    assert (field in r.example_fields) is example
    if example:
        assert r.example


def test_round_trip_is_json_safe():
    for preset in ("national", "zhejiang"):
        for r in ps.load_leave_types(PRESETS, preset):
            data = ps.leave_type_to_dict(r)
            assert ps.leave_type_from_dict(json.loads(json.dumps(data))) == r
        for h in ps.load_health_cycles(PRESETS, preset):
            assert ps.health_rule_from_dict(json.loads(json.dumps(ps.health_rule_to_dict(h)))) == h


def _write(tmp_path: Path, rows, kind="leave_types", fmt=1) -> Path:
    """Write rows as <tmp>/p/leave_types.json, declaring ``kind`` and format ``fmt``."""
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    (folder / ps.LEAVE_TYPES_FILE).write_text(
        json.dumps({"format": fmt, "kind": kind, "rows": rows}, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def _good_row(**changes):
    row = ps.leave_type_to_dict(ps.load_leave_types(PRESETS, "national")[0])
    row.update(changes)
    return row


@pytest.mark.parametrize("rows, fmt, kind, text", [
    ([_good_row(effective_from="2025-02-30")], 1, "leave_types", "生效日期"),
    ([_good_row(count_mode="lunar")], 1, "leave_types", "计算方式"),
    ([_good_row(days="2.3")], 1, "leave_types", "天数"),
    ([_good_row(reduces_annual="yes")], 1, "leave_types", "reduces_annual"),
    ([_good_row(example=False, example_fields=["days"])], 1, "leave_types", "example"),
    ([{k: v for k, v in _good_row().items() if k != "days"}], 1, "leave_types", "days"),
    (["not a row"], 1, "leave_types", "不是对象"),
    ([_good_row()], 2, "leave_types", "格式版本"),
    ([_good_row()], 1, "health_cycles", "类型"),          # health file under the leave name
])
def test_invalid_files_are_reported(tmp_path, rows, fmt, kind, text):
    base = _write(tmp_path, rows, kind, fmt)
    with pytest.raises(DomainError) as exc:
        ps.load_leave_types(base, "p")
    assert exc.value.code == "preset_invalid"
    assert text in exc.value.message


def test_broken_json_and_missing_preset(tmp_path):
    with pytest.raises(DomainError) as exc:
        ps.load_health_cycles(tmp_path, "nowhere")
    assert exc.value.code == "preset_not_found"
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / ps.HEALTH_CYCLES_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DomainError) as exc:
        ps.load_health_cycles(tmp_path, "p")
    assert exc.value.code == "preset_invalid"


def test_numbers_are_never_float():
    for r in ps.load_leave_types(PRESETS, "zhejiang"):
        stack = [r.params]
        while stack:
            item = stack.pop()
            values = item.values() if isinstance(item, dict) else item
            for v in values:
                assert not isinstance(v, float), r.code
                if isinstance(v, (dict, list)):
                    stack.append(v)
