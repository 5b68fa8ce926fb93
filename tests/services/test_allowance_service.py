"""Allowance service (DOMAIN.md §3): rate tables, per-cadre facts, and the monthly batch.

Eligibility edges are checked through the service (database → facts → lines), one row
per rule case.  Hardship-matrix amounts here (100.00, 150.00 …) are test figures, not
real standards: the shipped matrix is empty.  Township bands are the Hunan example
(DOMAIN.md §3: <10 years 200, 10–<15 260 … ≥30 500 元; especially hard +100 元).
"""
from __future__ import annotations

import ast
import inspect
from datetime import date
from decimal import Decimal

import pytest

from carecenter.db.models import (AllowanceBatch, AllowanceLine, AllowanceRuleRow, AuditLog, CadreAllowanceFacts,
                                  CadrePeriod, Unit)
from carecenter.domain.errors import DomainError, ValidationError
from carecenter.services import allowance as al
from carecenter.services import roster
from tests.conftest import cadre_record, make_id_number

_seq = iter(range(1, 9999))


def m(year: int, month: int) -> date:
    return date(year, month, 1)


@pytest.fixture
def town(store):
    """A township government (镇, not a hardship area)."""
    return roster.save_unit({"name": "青岭镇人民政府", "kind": "政府", "township": "青岭镇",
                             "township_category": "镇"}).id


@pytest.fixture
def hard_town(store):
    """A 三类 hardship-area township."""
    return roster.save_unit({"name": "云溪乡人民政府", "kind": "政府", "township": "云溪乡",
                             "township_category": "乡", "hardship_area_class": "三类"}).id


@pytest.fixture
def street(store):
    return roster.save_unit({"name": "城东街道办事处", "kind": "政府", "township": "城东街道",
                             "township_category": "街道"}).id


@pytest.fixture
def hunan(store):
    al.replace_with_preset("hunan_example")


def add_cadre(unit_id: int, name: str = "张三", start: date | None = date(2010, 3, 15), **over) -> int:
    n = next(_seq)
    data = cadre_record(unit_id, name=name, id_number=make_id_number("19850101", n), phone="",
                        emergency_phone="", township_start_date=start, work_start_date=None, **over)
    return roster.save_cadre(data).id


def lines_of(cadre_id: int, month: date) -> list[dict]:
    return [line for line in al.batch_lines(month) if line["cadre_id"] == cadre_id]


def amounts(cadre_id: int, month: date) -> dict[str, int]:
    al.generate_month(month)
    return {line["scheme"]: line["amount_fen"] for line in lines_of(cadre_id, month)}


def fill_matrix() -> None:
    """Test-only matrix cells (三类), dated 2024-01-01; 科员 raised from 2025-07-01."""
    al.save_matrix(date(2024, 1, 1), {("三类", "乡科级正职"): 15000, ("三类", "科员"): 10000,
                                      ("三类", "办事员"): 12345}, "test figures")
    al.save_matrix(date(2025, 7, 1), {("三类", "科员"): 11000}, "test figures: raised mid-year")


# ---------------------------------------------------------------- presets and rate rows

def test_seeded_lazily_with_national_and_replaced_by_a_preset(store):
    assert AllowanceRuleRow.select().count() == 0
    rates = al.rates()                                     # first use seeds the national preset
    assert al.current_preset() == "national"
    assert rates.hardship_rates == ()                      # the matrix ships empty
    assert [b.amount_fen for b in rates.township_bands] == [20000]
    assert al.seed_rules_if_empty("zhejiang") == 0         # only into an untouched table
    national_ids = [r["id"] for r in al.rule_rows()]

    n = al.replace_with_preset("hunan_example")
    assert n == len(al.rule_rows())
    assert al.current_preset() == "hunan_example"
    assert sorted(b.amount_fen for b in al.rates().township_bands) == [20000, 26000, 32000, 38000, 44000, 50000]
    assert all(r.archived for r in AllowanceRuleRow.select().where(AllowanceRuleRow.id.in_(national_ids)))
    assert AuditLog.select().where(AuditLog.table == "allowance_rule_row").count() >= 2
    assert al.example_amount_rows() == 7                   # Hunan bands + supplement are examples
    titles = dict(al.preset_choices())
    assert list(titles)[:2] == ["national", "zhejiang"] and "示例" in titles["hunan_example"]


def test_save_rule_amounts_in_yuan_named_fields_and_duplicates(store):
    row_id = al.save_rule("township_band", {"min_years": "10", "amount": "1,260.50", "effective_from": "2026.01.01",
                                            "source": "某县文件"})
    row = next(r for r in al.rule_rows("township_band") if r["id"] == row_id)
    assert row["amount_fen"] == 126050 and row["effective_from"] == "2026-01-01" and row["preset"] == "本地"
    assert al.rates().township_bands  # cache invalidated: the new row is there
    assert any(b.amount_fen == 126050 for b in al.rates().township_bands)

    before = AllowanceRuleRow.select().count()
    with pytest.raises(ValidationError) as err:
        al.save_rule("township_band", {"min_years": "10", "amount": "300", "effective_from": "2026-01-01"})
    assert err.value.errors[0].field == "effective_from" and "已有" in err.value.errors[0].message
    problems = al.row_problems("township_band", {"min_years": "x", "amount": "1.234", "effective_from": "2026-13-01"})
    assert {e.field for e in problems} == {"min_years", "amount", "effective_from"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.message) for e in problems)
    problems = al.row_problems("retiree_share", {"kind": "退养", "percent": "120", "effective_from": "2026-01-01"})
    assert {e.field for e in problems} == {"kind", "percent"}
    assert AllowanceRuleRow.select().count() == before      # a refused save changes nothing

    al.save_rule("township_band", {"min_years": "10", "amount": "1300", "effective_from": "2026-01-01"}, row_id)
    assert next(r for r in al.rule_rows("township_band") if r["id"] == row_id)["amount_fen"] == 130000
    al.archive_rule(row_id)
    assert all(r["id"] != row_id for r in al.rule_rows())


def test_matrix_grid_versions(store, hard_town):
    fill_matrix()
    assert al.matrix_versions() == [date(2025, 7, 1), date(2024, 1, 1)]
    grid = al.matrix(date(2025, 6, 30))
    assert grid["area_classes"][:3] == ["一类", "二类", "三类"] and grid["bands"][0] == "厅局级正职"
    assert grid["cells"][("三类", "科员")]["amount_fen"] == 10000
    assert al.matrix(date(2025, 7, 1))["cells"][("三类", "科员")]["amount_fen"] == 11000
    # clearing a cell of a date retires that date's row; the earlier one applies again
    al.save_matrix(date(2025, 7, 1), {("三类", "科员"): None})
    assert al.matrix(date(2025, 8, 1))["cells"][("三类", "科员")]["amount_fen"] == 10000


# ---------------------------------------------------------------- eligibility through the service

@pytest.mark.parametrize("start, month, paid", [
    (date(2025, 3, 31), m(2025, 2), False),      # before arrival
    (date(2025, 3, 31), m(2025, 3), True),       # paid from the month of arrival, even on its last day
    (date(2025, 3, 1), m(2025, 4), True),
    (None, m(2025, 4), False),                   # no 到乡镇工作时间: not paid (and not guessed)
])
def test_arrival_month(town, start, month, paid):
    cid = add_cadre(town, start=start)
    assert ("township" in amounts(cid, month)) is paid


@pytest.mark.parametrize("facts, month, paid", [
    ({"transferred_on": date(2025, 5, 20)}, m(2025, 5), True),     # the transfer month is paid
    ({"transferred_on": date(2025, 5, 20)}, m(2025, 6), False),    # stops from the month after
    ({"retired_on": date(2025, 5, 31), "retirement_kind": "退休"}, m(2025, 5), True),
    ({"retired_on": date(2025, 5, 31), "retirement_kind": "退休"}, m(2025, 6), False),
])
def test_month_after_leaving(town, facts, month, paid):
    cid = add_cadre(town)
    al.save_facts(cid, facts)
    assert ("township" in amounts(cid, month)) is paid


@pytest.mark.parametrize("sent_down, month, paid", [
    (date(2025, 1, 15), m(2025, 6), False),      # 6 months complete on 15 July
    (date(2025, 1, 15), m(2025, 7), True),
    (date(2024, 8, 31), m(2025, 1), False),      # 31 Aug + 6 months = 28 Feb (clamped)
    (date(2024, 8, 31), m(2025, 2), True),
])
def test_sent_down_six_month_rule(town, sent_down, month, paid):
    cid = add_cadre(town, start=sent_down)
    al.save_facts(cid, {"sent_down_on": sent_down})
    assert ("township" in amounts(cid, month)) is paid


@pytest.mark.parametrize("kind, start, end, month, paid", [
    ("借调", date(2025, 3, 1), date(2025, 3, 31), m(2025, 3), True),     # exactly one month: not over
    ("借调", date(2025, 3, 15), date(2025, 4, 15), m(2025, 3), False),   # over one month: every month touched
    ("借调", date(2025, 3, 15), date(2025, 4, 15), m(2025, 4), False),
    ("借调", date(2025, 3, 15), date(2025, 4, 15), m(2025, 5), True),
    ("脱产学习", date(2025, 3, 10), None, m(2025, 9), False),             # still away
    ("离开乡镇工作", date(2025, 3, 1), date(2025, 6, 30), m(2025, 4), True),  # a break, not a suspension
])
def test_suspension_periods(town, kind, start, end, month, paid):
    cid = add_cadre(town)
    al.save_period(cid, {"kind": kind, "start_date": start, "end_date": end, "note": "test"})
    assert ("township" in amounts(cid, month)) is paid


# Hunan bands: 不满10年 200, 满10年 260 … 满30年 500; an anniversary in the month lifts the band
@pytest.mark.parametrize("start, month, fen, band", [
    (date(2015, 6, 15), m(2025, 5), 20000, "不满10年"),
    (date(2015, 6, 15), m(2025, 6), 26000, "满10年不满15年"),
    (date(1995, 6, 15), m(2025, 6), 50000, "满30年以上"),
    (date(1995, 6, 15), m(2025, 5), 44000, "满25年不满30年"),
])
def test_township_band_boundaries(hunan, town, start, month, fen, band):
    cid = add_cadre(town, start=start)
    al.generate_month(month)
    [line] = lines_of(cid, month)
    assert (line["amount_fen"], line["band"]) == (fen, band)
    assert band in line["basis"]


def test_break_lowers_the_band_and_especially_hard_supplement(hunan, town):
    cid = add_cadre(town, start=date(2015, 6, 15))
    assert amounts(cid, m(2025, 6))["township"] == 26000
    al.save_period(cid, {"kind": "离开乡镇工作", "start_date": date(2016, 1, 1), "end_date": date(2016, 1, 31)})
    assert amounts(cid, m(2025, 6))["township"] == 20000          # 31 days not counted: 10 years in July
    assert amounts(cid, m(2025, 7))["township"] == 26000
    roster.save_unit(dict(roster.get_unit(town), especially_hard=True), town)
    assert amounts(cid, m(2025, 7))["township"] == 36000          # +100 元 for an especially hard township
    assert AuditLog.select().where((AuditLog.table == "unit") & AuditLog.changes.contains("especially_hard")).exists()


def test_especially_hard_flag_refused_for_a_street(street):
    with pytest.raises(ValidationError) as err:
        roster.save_unit(dict(roster.get_unit(street), especially_hard=True), street)
    assert err.value.errors[0].field == "especially_hard"
    assert Unit.get_by_id(street).especially_hard is False


def test_township_scope_excludes_streets_and_non_regular_staff(town, street):
    a = add_cadre(street)
    b = add_cadre(town, personnel_status="")
    al.generate_month(m(2025, 6))
    assert lines_of(a, m(2025, 6)) == [] and lines_of(b, m(2025, 6)) == []


def test_rate_change_mid_year(hunan, town, hard_town):
    fill_matrix()
    cid = add_cadre(hard_town, rank="一级科员")
    assert amounts(cid, m(2025, 6))["hardship"] == 10000
    assert amounts(cid, m(2025, 7))["hardship"] == 11000          # in force from its effective month
    t = add_cadre(town, start=date(2020, 1, 1))
    al.save_rule("township_band", {"min_years": "0", "amount": "230", "effective_from": "2025-07-01"})
    assert amounts(t, m(2025, 6))["township"] == 20000
    assert amounts(t, m(2025, 7))["township"] == 23000            # a new table version replaces the old one


@pytest.mark.parametrize("kind, fen", [("退休", 10493), ("离休", 12345), ("退职", 7407)])
def test_retiree_shares(hard_town, kind, fen):
    fill_matrix()
    # 办事员 band 123.45 元: 退休 85% = 104.9325 → 104.93; 离休 100%; 退职 60% = 74.07
    cid = add_cadre(hard_town, rank="二级科员", employment_status="退休")
    al.save_facts(cid, {"retired_on": date(2025, 4, 30), "retirement_kind": kind})
    assert amounts(cid, m(2025, 4))["hardship"] == 12345          # the retirement month is paid as serving
    got = amounts(cid, m(2025, 5))
    assert got == {"hardship": fen}                               # township subsidy stopped, share paid
    [line] = lines_of(cid, m(2025, 5))
    assert f"{kind}人员按" in line["basis"]


def test_band_is_the_higher_of_post_and_rank(hard_town):
    fill_matrix()
    cid = add_cadre(hard_town, rank="一级科员", leadership_level="乡科级正职")
    assert amounts(cid, m(2025, 6))["hardship"] == 15000


# ---------------------------------------------------------------- batches

def test_empty_matrix_is_reported_as_a_problem_not_guessed(hard_town, town):
    a = add_cadre(hard_town, name="李四")
    add_cadre(town)
    s = al.generate_month(m(2025, 6))
    assert s.problems == {"rate_missing": 1}
    [group] = s.problem_groups
    assert group.title == "艰苦边远地区津贴标准未填写" and "津贴标准" in group.advice
    assert group.samples[0]["name"] == "李四" and group.samples[0]["unit"] == "云溪乡人民政府"
    assert [line["scheme"] for line in lines_of(a, m(2025, 6))] == ["township"]   # the other scheme still paid
    info = al.batch_info(m(2025, 6))
    assert info["problem_groups"][0].count == 1                   # kept with the batch


def test_exact_totals_are_integer_fen(hard_town, town):
    fill_matrix()
    for i in range(7):
        add_cadre(hard_town, name="王五", rank="二级科员", employment_status="退休")
        add_cadre(town)
    s = al.generate_month(m(2025, 6))
    lines = al.batch_lines(m(2025, 6))
    assert all(type(line["amount_fen"]) is int for line in lines)
    assert sum(line["amount_fen"] for line in lines) == s.total_fen == AllowanceBatch.get().total_fen
    assert al.month_total(m(2025, 6))["matches"]
    by_unit = al.totals_by_unit(m(2025, 6))
    by_scheme = al.totals_by_scheme(m(2025, 6))
    assert sum(t for _u, _n, t in by_unit) == sum(t for _s, _k, _n, t in by_scheme) == s.total_fen
    assert al.month_total(m(2025, 6))["capital"].endswith(("整", "分", "角"))


def test_no_binary_fractions_in_the_service():
    tree = ast.parse(inspect.getsource(al))
    floats = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float)]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "float"]
    assert not floats and not calls


def test_adjust_needs_a_reason_and_keeps_the_generated_amount(town):
    cid = add_cadre(town)
    al.generate_month(m(2025, 6))
    [line] = lines_of(cid, m(2025, 6))
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as err:
            al.adjust_line(line["id"], 10000, reason)
        assert err.value.errors[0].field == "reason"
    assert lines_of(cid, m(2025, 6))[0]["amount_fen"] == 20000   # refused: nothing changed
    with pytest.raises(ValidationError):
        al.adjust_line(line["id"], -100, "多发")                   # a negative regular line is a deduction later
    got = al.adjust_line(line["id"], 10000, "当月下旬到岗，按半月发放")
    assert (got["amount_fen"], got["generated_fen"], got["adjusted"]) == (10000, 20000, True)
    assert AllowanceBatch.get().total_fen == 10000
    assert AuditLog.select().where(AuditLog.table == "allowance_line").exists()


def test_regenerating_a_draft_keeps_unchanged_adjustments_and_reports_the_rest(hunan, town):
    a = add_cadre(town, name="甲", start=date(2020, 1, 1))
    b = add_cadre(town, name="乙", start=date(2015, 6, 15))
    c = add_cadre(town, name="丙", start=date(2020, 1, 1))
    al.generate_month(m(2025, 6))
    la, = lines_of(a, m(2025, 6))
    lb, = lines_of(b, m(2025, 6))
    lc, = lines_of(c, m(2025, 6))
    al.adjust_line(la["id"], 15000, "甲的理由")
    al.adjust_line(lb["id"], 15000, "乙的理由")
    al.adjust_line(lc["id"], 15000, "丙的理由")
    al.add_correction(a, m(2025, 4), 20000, m(2025, 6), "4月未发，补发", "township")
    # b gets a break recorded (band changes); c is transferred before June (no longer paid)
    al.save_period(b, {"kind": "离开乡镇工作", "start_date": date(2016, 1, 1), "end_date": date(2016, 12, 31)})
    al.save_facts(c, {"transferred_on": date(2025, 5, 10)})
    s = al.generate_month(m(2025, 6))
    assert s.replaced and s.kept_adjustments == 1 and len(s.dropped_adjustments) == 2
    assert any("乙" in d for d in s.dropped_adjustments) and any("丙" in d and "不再符合" in d
                                                                for d in s.dropped_adjustments)
    assert {(x["kind"], x["amount_fen"]) for x in lines_of(a, m(2025, 6))} == {("正常", 15000), ("补发", 20000)}
    assert lines_of(c, m(2025, 6)) == []
    assert s.total_fen == sum(x["amount_fen"] for x in al.batch_lines(m(2025, 6)))
    assert AllowanceBatch.select().where(AllowanceBatch.month == m(2025, 6)).count() == 1
    # issue 13: the summary counts the lines as the page does (the kept 补发 line included)
    assert s.correction_lines == 1 and s.all_lines == s.lines + 1 == al.batch_info(m(2025, 6))["lines"]


def test_lock_checks_totals_and_then_nothing_changes(town):
    cid = add_cadre(town)
    al.generate_month(m(2025, 5))
    [line] = lines_of(cid, m(2025, 5))
    info = al.lock_month(m(2025, 5))
    assert info["locked"] and info["locked_by"] and info["locked_at"] is not None
    before = [(x.amount_fen, x.reason) for x in AllowanceLine.select()], AllowanceBatch.get().total_fen
    for call in (lambda: al.generate_month(m(2025, 5)),
                 lambda: al.adjust_line(line["id"], 1, "改"),
                 lambda: al.lock_month(m(2025, 5)),
                 lambda: al.add_correction(cid, m(2025, 4), 30000, m(2025, 5), "计入已锁定月份", "township")):
        with pytest.raises(DomainError) as err:
            call()
        assert err.value.code == "month_locked" and "补发或扣减" in err.value.message
    assert ([(x.amount_fen, x.reason) for x in AllowanceLine.select()], AllowanceBatch.get().total_fen) == before


def test_lock_refuses_a_batch_whose_total_disagrees_with_its_lines(town):
    add_cadre(town)
    al.generate_month(m(2025, 5))
    AllowanceBatch.update(total_fen=1).execute()                 # e.g. a damaged file
    with pytest.raises(DomainError) as err:
        al.lock_month(m(2025, 5))
    assert err.value.code == "total_mismatch"
    assert AllowanceBatch.get().status == al.STATUS_DRAFT


def test_back_pay_and_deduction_go_into_a_later_draft_month(hunan, town):
    cid = add_cadre(town, start=date(2015, 6, 15))
    al.generate_month(m(2025, 5))
    al.lock_month(m(2025, 5))
    with pytest.raises(ValidationError) as err:                  # the corrected month is still a draft
        al.generate_month(m(2025, 6))
        al.add_correction(cid, m(2025, 6), 1, m(2025, 7), "x")
    assert err.value.errors[0].field == "corrects_month"
    with pytest.raises(ValidationError) as err:
        al.add_correction(cid, m(2025, 5), 26000, m(2025, 5), "同月")
    assert err.value.errors[0].field == "into_month"
    with pytest.raises(ValidationError) as err:
        al.add_correction(cid, m(2025, 5), 26000, m(2025, 7), "")
    assert err.value.errors[0].field == "reason"
    with pytest.raises(ValidationError):
        al.add_correction(cid, m(2025, 5), 20000, m(2025, 7), "与原发相同")

    line_id = al.add_correction(cid, m(2025, 5), 26000, m(2025, 7), "年限核定有误，少计一档")
    back = al.get_line(line_id)
    assert (back["kind"], back["amount_fen"], back["corrects_month"], back["month"]) == (
        "补发", 6000, m(2025, 5), m(2025, 7))
    assert "原发200.00元，应发260.00元" in back["basis"]
    assert al.paid_for(cid, "township", m(2025, 5))["paid_fen"] == 26000
    # a later deduction counts what the back-pay already paid
    ded = al.get_line(al.add_correction(cid, m(2025, 5), 25000, m(2025, 7), "多补了"))
    assert (ded["kind"], ded["amount_fen"]) == ("扣减", -1000)
    assert al.month_status(m(2025, 7)) == al.STATUS_DRAFT        # created as a draft for the corrections
    assert AllowanceBatch.get(AllowanceBatch.month == m(2025, 7)).total_fen == 5000
    # the locked month is untouched
    assert [x["amount_fen"] for x in al.batch_lines(m(2025, 5))] == [20000]
    # a correction line in a draft month can be taken out again; a regular line cannot
    al.remove_correction(ded["id"])
    assert AllowanceBatch.get(AllowanceBatch.month == m(2025, 7)).total_fen == 6000
    with pytest.raises(DomainError):
        al.remove_correction(lines_of(cid, m(2025, 6))[0]["id"])


def test_missed_month_back_pay_without_a_batch(town):
    cid = add_cadre(town)
    line_id = al.add_correction(cid, m(2024, 12), 20000, m(2025, 1), "2024年12月漏发", "township")
    assert al.get_line(line_id)["amount_fen"] == 20000
    with pytest.raises(ValidationError) as err:
        al.add_correction(cid, m(2024, 11), 20000, m(2025, 1), "漏发")   # which scheme?
    assert err.value.errors[0].field == "scheme"


def test_cadre_history_and_preview(town):
    cid = add_cadre(town)
    al.generate_month(m(2025, 5))
    al.lock_month(m(2025, 5))
    al.generate_month(m(2025, 6))
    hist = al.cadre_history(cid)
    assert [(h["month"], h["status"]) for h in hist] == [(m(2025, 6), "草稿"), (m(2025, 5), "已锁定")]
    assert all(h["basis"] for h in hist)
    text = "\n".join(al.cadre_preview(cid, m(2025, 6)))
    assert "乡镇工作补贴：发放" in text and "艰苦边远地区津贴：不发放" in text


# ---------------------------------------------------------------- facts and periods

def test_facts_and_periods_validation_and_audit(town):
    cid = add_cadre(town)
    with pytest.raises(ValidationError) as err:
        al.save_facts(cid, {"retirement_kind": "退休", "retired_on": ""})
    assert err.value.errors[0].field == "retired_on"
    with pytest.raises(ValidationError) as err:
        al.save_facts(cid, {"transferred_on": "2025-02-30"})
    assert err.value.errors[0].field == "transferred_on"
    assert CadreAllowanceFacts.select().count() == 0
    changes = al.save_facts(cid, {"transferred_on": "2025.06.10", "retirement_kind": ""})
    assert changes == {"transferred_on": [None, "2025-06-10"]}
    assert al.get_facts(cid)["transferred_on"] == date(2025, 6, 10)
    assert al.save_facts(cid, {"transferred_on": date(2025, 6, 10)}) == {}       # no change, no audit
    assert AuditLog.select().where(AuditLog.table == "cadre_allowance_facts").count() == 1

    with pytest.raises(ValidationError) as err:
        al.save_period(cid, {"kind": "借调", "start_date": "2025-03-10", "end_date": "2025-03-01"})
    assert err.value.errors[0].field == "end_date"
    with pytest.raises(ValidationError) as err:
        al.save_period(cid, {"kind": "离开乡镇工作", "start_date": "2025-03-10"})
    assert err.value.errors[0].field == "end_date"
    assert {e.field for e in al.period_problems({"kind": "病假", "start_date": ""})} == {"kind", "start_date"}
    pid = al.save_period(cid, {"kind": "借调", "start_date": "2025-03-10", "note": "借调县委办"})
    al.save_period(cid, {"kind": "借调", "start_date": "2025-03-10", "end_date": "2025-05-31"}, pid)
    assert al.list_periods(cid)[0]["end_date"] == date(2025, 5, 31)
    al.archive_period(pid)
    assert al.list_periods(cid) == [] and CadrePeriod.select().count() == 1
    assert AuditLog.select().where(AuditLog.table == "cadre_period").count() == 3


def test_cadre_facts_in_one_pass(town, hard_town):
    a = add_cadre(town, rank="无", leadership_level="无")
    b = add_cadre(hard_town)
    al.save_facts(b, {"sent_down_on": date(2024, 1, 1)})
    al.save_period(b, {"kind": "借调", "start_date": date(2025, 1, 1)})
    al.save_period(b, {"kind": "离开乡镇工作", "start_date": date(2016, 1, 1), "end_date": date(2016, 2, 1)})
    facts = {f.cadre_id: f for f in al.cadre_facts()}
    assert facts[a].rank == "" and facts[a].leadership_level == "" and facts[a].township_category == "镇"
    fb = facts[b]
    assert fb.hardship_area_class == "三类" and fb.sent_down_on == date(2024, 1, 1)
    assert [s.kind for s in fb.suspensions] == ["借调"] and fb.township_breaks == ((date(2016, 1, 1), date(2016, 2, 1)),)
    assert [f.cadre_id for f in al.cadre_facts([b])] == [b]
    roster.set_cadre_archived(a, True)
    assert a not in {f.cadre_id for f in al.cadre_facts()}


def test_generation_can_be_cancelled_before_writing(town):
    add_cadre(town)

    class Stop(Exception):
        pass

    calls = []

    def check():
        calls.append(1)
        if len(calls) > 2:
            raise Stop()

    with pytest.raises(Stop):
        al.generate_month(m(2025, 6), check=check)
    assert AllowanceBatch.select().count() == 0 and AllowanceLine.select().count() == 0


def test_demo_months(store):
    from carecenter.services import demo

    demo.generate(60, today=date(2025, 6, 20))
    counts = al.generate_demo_months(today=date(2025, 6, 20))
    assert counts["allowance_months"] == 3
    statuses = {b["month"]: b["status"] for b in al.batches()}
    assert statuses == {m(2025, 4): "已锁定", m(2025, 5): "已锁定", m(2025, 6): "草稿"}
    kinds = {x.kind for x in AllowanceLine.select()}
    assert "补发" in kinds
    assert AllowanceLine.select().where(AllowanceLine.generated_fen.is_null(False)).count() == 1
    assert al.current_preset() == "hunan_example" and al.example_amount_rows() > 7   # example cells marked
    hardship = AllowanceLine.select().where(AllowanceLine.scheme == "hardship")
    assert hardship.count() > 0 and all(x.area_class == "二类" for x in hardship)
    assert Decimal(al.month_total(m(2025, 6))["total_fen"]) > 0
