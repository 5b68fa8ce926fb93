"""Welfare service (DOMAIN.md §5): rule rows from presets, funds and budgets, visit
records checked against caps / budgets / duplicates, 谈心谈话, and the not-visited list.

Caps are the national preset's 安徽 2018 example figures (festivals ≤ 1,500 元 a year per
person, no cash; birthday ≤ 300 once a year; illness ≤ 1,000 per episode; retirement ≤ 1,000).
Budgets below are test figures.
"""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.db.models import AuditLog, Fund, TalkRecord, WelfareRecord, WelfareRuleRow
from carecenter.domain import welfare as wf
from carecenter.domain.errors import ValidationError
from carecenter.services import roster, welfare
from carecenter.services.welfare import TalkInput, WelfareInput
from tests.conftest import cadre_record, make_id_number

TODAY = date(2025, 12, 20)
YEAR = 2025
UNION = "工会经费"

_seq = iter(range(1, 999))


@pytest.fixture
def seeded(store):
    assert welfare.seed_rules_if_empty() > 0
    return store


def add_cadre(unit_id: int, name: str = "张三", **over) -> int:
    data = cadre_record(unit_id, name=name, id_number=make_id_number("19800101", next(_seq) * 2 + 1), phone="",
                        emergency_phone="", **over)
    return roster.save_cadre(data).id


@pytest.fixture
def cadre(seeded, unit):
    return add_cadre(unit)


def visit(cadre_id, occasion, on, money=0, goods_fen=0, goods="", source=UNION, **over) -> WelfareInput:
    if goods_fen and not goods:
        goods = "慰问品"
    return WelfareInput(cadre_id, occasion, on, money_fen=money, goods=goods, goods_fen=goods_fen,
                        funding_source=source, visitors=over.pop("visitors", "工会主席"), **over)


def save(inp: WelfareInput, record_id=None) -> int:
    return welfare.save_record(inp, record_id, today=TODAY)


def codes(pre) -> list[str]:
    return [w.code for w in pre.warnings]


def error_codes(pre) -> list[str]:
    return [e.code for e in pre.errors]


def counts() -> tuple[int, ...]:
    return (WelfareRecord.select().count(), TalkRecord.select().count(), Fund.select().count(),
            AuditLog.select().count())


# ---------------------------------------------------------------- rule rows

def test_seed_replace_and_edit_occasions(store):
    assert welfare.seed_rules_if_empty("national") == 19          # 1 settings row + 18 occasions
    assert welfare.seed_rules_if_empty("zhejiang") == 0
    assert welfare.current_preset() == "national"
    rows = welfare.occasion_rows()
    assert [r["code"] for r in rows][:3] == [wf.ILLNESS, wf.DEATH_MEMBER, wf.DEATH_RELATIVE]
    birthday = next(r for r in rows if r["code"] == wf.BIRTHDAY)
    assert birthday["cap_fen"] == 30000 and birthday["scope_name"] == "每人每年" and birthday["example"]

    # a new standard from 2026: a dated row, the old one stays for earlier dates
    form = dict(code=wf.BIRTHDAY, name="生日慰问", standard="200", cap="400", cap_scope=wf.PER_YEAR,
                max_per_year="1", cash_allowed=True, funding_sources=[UNION], effective_from="2026-01-01")
    assert welfare.occasion_problems(form) == []
    new_id = welfare.save_occasion(form)
    assert welfare.occasion_for(wf.BIRTHDAY, date(2025, 12, 31)).cap_fen == 30000
    assert welfare.occasion_for(wf.BIRTHDAY, date(2026, 1, 1)).cap_fen == 40000
    assert welfare.occasion_for(wf.BIRTHDAY, date(2026, 1, 1)).standard_fen == 20000
    # same occasion and date again is refused, naming the field
    with pytest.raises(ValidationError) as err:
        welfare.save_occasion(form)
    assert err.value.errors[0].field == "effective_from"
    # a cap without a scope, an amount that is not money
    bad = dict(form, effective_from="2027-01-01", cap_scope="", cap="1,2")
    fields = {e.field for e in welfare.occasion_problems(bad)}
    assert "cap" in fields
    bad = dict(form, effective_from="2027-01-01", cap_scope="")
    assert [e.field for e in welfare.occasion_problems(bad)] == ["cap_scope"]
    # editing the example figure clears the 示例 mark; editing only the notes keeps it
    row = next(r for r in welfare.occasion_rows() if r["code"] == wf.MARRIAGE)
    same = dict(code=wf.MARRIAGE, name=row["name"], standard="", cap="600", cap_scope=wf.PER_OCCASION,
                cash_allowed=True, funding_sources=[UNION], effective_from=row["effective_from"], notes="本单位")
    welfare.save_occasion(same, row["id"])
    assert next(r for r in welfare.occasion_rows() if r["id"] == row["id"])["example"]
    welfare.save_occasion(dict(same, cap="1000"), row["id"])
    edited = next(r for r in welfare.occasion_rows() if r["id"] == row["id"])
    assert not edited["example"] and edited["cap_fen"] == 100000
    assert welfare.occasion_for(wf.MARRIAGE, TODAY).cap_fen == 100000

    # 载入预设 archives everything (kept) and loads the preset again
    welfare.archive_occasion(new_id)
    assert welfare.replace_with_preset("zhejiang") == 19
    assert welfare.current_preset() == "zhejiang"
    assert WelfareRuleRow.select().where(WelfareRuleRow.archived == True).count() == 20  # noqa: E712
    assert welfare.occasion_for(wf.MARRIAGE, TODAY).cap_fen == 60000


def test_rules_seed_themselves_on_first_use(store):
    assert not WelfareRuleRow.select().exists()
    assert welfare.funding_sources(TODAY) == ["工会经费", "行政经费", "党费", "其他"]
    assert WelfareRuleRow.select().count() == 19


def test_settings_edit(seeded):
    row = welfare.settings_rows()[0]
    form = dict(funding_sources="工会经费、行政经费、党费、上级补助", duplicate_window_days="15",
                budget_near_percent="80", talk_triggers="岗位变动、退休、日常谈心", dibao="1,000",
                effective_from=row["effective_from"])
    assert welfare.settings_problems(form, row["id"]) == []
    welfare.save_settings(form, row["id"])
    s = welfare.all_rules().settings_on(TODAY)
    assert s.funding_sources == ("工会经费", "行政经费", "党费", "上级补助")
    assert s.duplicate_window_days == 15 and s.dibao_monthly_fen == 100000
    assert welfare.talk_triggers(TODAY) == ["岗位变动", "退休", "日常谈心"]
    errors = welfare.settings_problems(dict(form, funding_sources="", budget_near_percent="abc"), row["id"])
    assert {e.field for e in errors} == {"funding_sources", "budget_near_percent"}


# ---------------------------------------------------------------- caps per scope

@pytest.mark.parametrize("occasion, first, second, episode2, warned", [
    # per_year: birthday ≤ 300 a year, once a year (the second is over the count as well)
    (wf.BIRTHDAY, 20000, 15000, "", ["over_cap", "over_frequency"]),
    # per_episode: illness ≤ 1,000 per episode; the same episode adds up …
    (wf.ILLNESS, 60000, 50000, "ep1", ["over_cap"]),
    # … another episode stands alone
    (wf.ILLNESS, 60000, 50000, "ep2", []),
    # per_occasion: retirement ≤ 1,000 each time (no episode: each record stands alone)
    (wf.RETIREMENT, 100000, 100000, "", []),
])
def test_caps_per_scope(cadre, occasion, first, second, episode2, warned):
    save(visit(cadre, occasion, date(YEAR, 3, 1), money=first, episode="ep1" if episode2 else ""))
    pre = welfare.preview(visit(cadre, occasion, date(YEAR, 6, 1), money=second, episode=episode2), today=TODAY)
    assert codes(pre) == warned
    assert pre.needs_reason == bool(warned)
    assert ("reason_required" in error_codes(pre)) == bool(warned)


def test_festival_yearly_total_across_festivals(cadre):
    save(visit(cadre, wf.FESTIVAL_SPRING, date(YEAR, 1, 20), goods_fen=80000))
    save(visit(cadre, wf.FESTIVAL_MID_AUTUMN, date(YEAR, 9, 20), goods_fen=50000))
    ok = welfare.preview(visit(cadre, wf.FESTIVAL_NATIONAL, date(YEAR, 10, 1), goods_fen=20000), today=TODAY)
    assert ok.errors == [] and ok.warnings == []
    assert "本年节日慰问已 2 次，共 1,300.00 元；全年上限 1,500.00 元" in ok.info
    over = welfare.preview(visit(cadre, wf.FESTIVAL_NATIONAL, date(YEAR, 10, 1), goods_fen=20001), today=TODAY)
    assert codes(over) == ["over_cap"] and over.needs_reason
    assert "超出0.01元" in over.warnings[0].message
    # last year's festivals do not count
    next_year = welfare.preview(visit(cadre, wf.FESTIVAL_SPRING, date(YEAR + 1, 1, 20), goods_fen=150000),
                                today=date(YEAR + 1, 2, 1))
    assert codes(next_year) == []


def test_cash_refused_for_festivals(cadre):
    pre = welfare.preview(visit(cadre, wf.FESTIVAL_SPRING, date(YEAR, 1, 20), money=50000), today=TODAY)
    assert [(e.code, e.field, e.message) for e in pre.errors] == [
        ("cash_forbidden", "money_fen", "节日慰问不得发放现金或购物卡，请改为物品")]
    before = counts()
    with pytest.raises(ValidationError):
        save(visit(cadre, wf.FESTIVAL_SPRING, date(YEAR, 1, 20), money=50000, over_reason="领导同意"))
    assert counts() == before
    # goods are fine
    assert save(visit(cadre, wf.FESTIVAL_SPRING, date(YEAR, 1, 20), goods_fen=50000, goods="大米、食用油")) > 0


def test_over_cap_needs_a_reason_refused_without_saved_with(cadre):
    inp = visit(cadre, wf.ILLNESS, date(YEAR, 5, 1), money=120000, episode="2025-05 住院")
    before = counts()
    with pytest.raises(ValidationError) as err:
        save(inp)
    assert [e.field for e in err.value.errors] == ["over_reason"]
    assert counts() == before                                   # a failed save changes nothing
    inp.over_reason = "病情较重，经工会委员会研究同意"
    pre = welfare.preview(inp, today=TODAY)
    assert pre.errors == [] and codes(pre) == ["over_cap"] and pre.needs_reason
    record_id = save(inp)
    row = WelfareRecord.get_by_id(record_id)
    assert row.over_reason == "病情较重，经工会委员会研究同意" and row.money_fen == 120000
    log = AuditLog.select().where(AuditLog.record_uuid == row.uuid).get()
    assert log.action == "create" and "超出说明" in log.summary
    # editing it back under the cap drops the reason (nothing left to explain)
    inp.money_fen = 80000
    save(inp, record_id)
    assert WelfareRecord.get_by_id(record_id).over_reason == ""


def test_budget_warning_and_fund_usage_sums_exact(cadre, unit):
    other = add_cadre(unit, "李四")
    welfare.save_budget(UNION, YEAR, "1,000.00")
    save(visit(cadre, wf.BIRTHDAY, date(YEAR, 2, 1), goods_fen=30000))
    save(visit(other, wf.BIRTHDAY, date(YEAR, 2, 2), money=10001, goods_fen=19999, goods="蛋糕"))
    save(visit(other, wf.ILLNESS, date(YEAR - 1, 12, 1), money=99999))   # last year: not in YEAR
    usage = {u.name: u for u in welfare.fund_usage(YEAR)}
    assert usage[UNION].used_fen == 60000 and isinstance(usage[UNION].used_fen, int)
    assert usage[UNION].budget_fen == 100000 and usage[UNION].remaining_fen == 40000
    assert usage[UNION].status == wf.BUDGET_OK and str(usage[UNION].percent) == "60.0"
    assert usage["行政经费"].budget_fen is None and usage["行政经费"].status_name == "未设预算"
    # near at 90 % (the preset's budget_near_percent), over above the budget
    save(visit(cadre, wf.RETIREMENT, date(YEAR, 3, 1), money=30000))
    assert {u.name: u for u in welfare.fund_usage(YEAR)}[UNION].status == wf.BUDGET_NEAR
    pre = welfare.preview(visit(other, wf.RETIREMENT, date(YEAR, 4, 1), money=10001), today=TODAY)
    assert codes(pre) == ["over_budget"] and pre.needs_reason
    assert "剩余 0.00 元" not in " ".join(pre.info)
    assert any(t.startswith("工会经费 2025 年预算 1,000.00 元，已用 900.00 元") for t in pre.info)
    # editing a record does not count it twice
    rid = WelfareRecord.get(WelfareRecord.occasion == wf.RETIREMENT).id
    pre = welfare.preview(visit(cadre, wf.RETIREMENT, date(YEAR, 3, 1), money=40000), rid, today=TODAY)
    assert codes(pre) == []
    pre = welfare.preview(visit(cadre, wf.RETIREMENT, date(YEAR, 3, 1), money=40001), rid, today=TODAY)
    assert codes(pre) == ["over_budget"]
    # archiving gives the money back to the fund
    welfare.archive_record(rid)
    assert {u.name: u for u in welfare.fund_usage(YEAR)}[UNION].used_fen == 60000
    # a budget is set once per source and year, as money
    assert {e.field for e in welfare.budget_problems(UNION, YEAR, "abc")} == {"budget", "name"}
    fund_id = welfare.funds(YEAR)[0]["id"]
    welfare.save_budget(UNION, YEAR, 50000000, fund_id=fund_id)
    assert Fund.get_by_id(fund_id).budget_fen == 50000000


def test_duplicate_warning_names_the_earlier_record(cadre):
    save(visit(cadre, wf.DEATH_RELATIVE, date(YEAR, 4, 1), money=50000, visitors="镇党委书记"))
    pre = welfare.preview(visit(cadre, wf.DEATH_RELATIVE, date(YEAR, 4, 20), money=50000), today=TODAY)
    assert codes(pre) == ["likely_duplicate"] and not pre.needs_reason and pre.errors == []
    message = pre.warnings[0].message
    assert "2025年4月1日" in message and "500.00 元" in message and "镇党委书记" in message
    far = welfare.preview(visit(cadre, wf.DEATH_RELATIVE, date(YEAR, 6, 1), money=50000), today=TODAY)
    assert codes(far) == []


def test_field_errors_and_failed_save_changes_nothing(cadre):
    pre = welfare.preview(WelfareInput(None, "", None), today=TODAY)
    assert {e.field for e in pre.errors} == {"cadre_id", "occasion", "record_date", "money_fen"}
    pre = welfare.preview(visit(cadre, wf.BIRTHDAY, date(YEAR + 1, 1, 1), goods_fen=100), today=TODAY)
    assert error_codes(pre) == ["date_future"]
    pre = welfare.preview(WelfareInput(cadre, wf.BIRTHDAY, date(YEAR, 1, 1), goods_fen=100), today=TODAY)
    assert {e.field for e in pre.errors} == {"goods", "funding_source"}
    pre = welfare.preview(visit(cadre, wf.TALK, date(YEAR, 1, 1), money=100), today=TODAY)
    assert [e.field for e in pre.errors] == ["occasion"]
    before = counts()
    with pytest.raises(ValidationError):
        save(visit(cadre, wf.BIRTHDAY, date(YEAR, 1, 1), money=100, source="小金库"))
    assert counts() == before


def test_lists_cadre_page_and_episodes(cadre, unit):
    other = add_cadre(unit, "李四")
    a = save(visit(cadre, wf.ILLNESS, date(YEAR, 3, 1), money=50000, episode="3月 住院"))
    save(visit(cadre, wf.ILLNESS, date(YEAR, 3, 20), money=20000, episode="3月 住院"))
    save(visit(other, wf.HARDSHIP_AID, date(YEAR, 6, 1), money=300000, source="行政经费"))
    assert welfare.record_count(YEAR) == 3
    assert welfare.record_count(YEAR, fund="行政经费") == 1
    assert welfare.record_count(YEAR, occasion=wf.ILLNESS, text="张三") == 2
    assert welfare.record_count(YEAR - 1) == 0
    rows = welfare.records(YEAR)
    assert [r[3] for r in rows] == ["李四", "张三", "张三"]              # newest first
    assert rows[-1][0] == a and rows[-1][6] == 50000
    assert welfare.episodes(cadre, wf.ILLNESS) == ["3月 住院"]
    page = welfare.cadre_welfare(cadre, today=TODAY)
    assert page["year_count"] == 2 and page["year_total_fen"] == 70000
    assert page["records"][0]["occasion_name"] == "生病住院慰问"
    welfare.archive_record(a)
    assert welfare.record_count(YEAR) == 2 and welfare.cadre_welfare(cadre, today=TODAY)["year_count"] == 1


def add_unit(name: str, **extra) -> int:
    data = {"name": name, "kind": "政府", "township": "青岭镇", "township_category": "镇"}
    data.update(extra)
    return roster.save_unit(data).id


def test_not_visited(seeded):
    hard = add_unit("云溪乡人民政府", township="云溪乡", township_category="乡", hardship_area_class="二类")
    street = add_unit("城东街道办事处", township="城东街道", township_category="街道")
    town = add_unit("青岭镇人民政府")
    a = add_cadre(hard, "王五")
    add_cadre(street, "赵六")                 # 街道: not a township
    b = add_cadre(town, "孙七")
    add_cadre(town, "周八", employment_status="退休")
    assert {r.cadre_id for r in welfare.not_visited(YEAR)} == {a, b}
    assert [r.reason for r in welfare.not_visited(YEAR, "hardship")] == ["艰苦边远地区（二类）"]
    assert [r.cadre_id for r in welfare.not_visited(YEAR, "township", unit_id=town)] == [b]
    visited = save(visit(a, wf.BIRTHDAY, date(YEAR, 5, 1), goods_fen=10000))
    assert {r.cadre_id for r in welfare.not_visited(YEAR)} == {b}
    assert {r.cadre_id for r in welfare.not_visited(YEAR + 1)} == {a, b}
    assert [r.cadre_id for r in welfare.not_visited(YEAR, "hardship")] == []
    welfare.archive_record(visited)                    # an archived visit is no visit
    assert {r.cadre_id for r in welfare.not_visited(YEAR)} == {a, b}


# ---------------------------------------------------------------- 谈心谈话

def test_talk_validation_save_list_archive(cadre):
    problems = welfare.talk_problems(TalkInput(None, None), today=TODAY)
    assert {e.field for e in problems} == {"cadre_id", "talk_date", "talker", "trigger", "gist"}
    bad = TalkInput(cadre, date(YEAR + 1, 1, 1), "镇党委书记", "升职", "谈了工作")
    assert {e.field: e.code for e in welfare.talk_problems(bad, today=TODAY)} == {
        "talk_date": "date_future", "trigger": "choice"}
    before = counts()
    with pytest.raises(ValidationError):
        welfare.save_talk(bad, today=TODAY)
    assert counts() == before
    good = TalkInput(cadre, date(YEAR, 11, 3), "镇党委书记 王某", "岗位变动", "谈了新岗位的职责", "一个月后回访")
    assert welfare.talk_problems(good, today=TODAY) == []
    talk_id = welfare.save_talk(good, today=TODAY)
    assert welfare.talk_count(YEAR) == 1 and welfare.talk_count(YEAR, trigger="退休") == 0
    assert welfare.talks(YEAR, text="张三")[0][5:7] == ("镇党委书记 王某", "岗位变动")
    assert welfare.cadre_welfare(cadre, today=TODAY)["talks"][0]["gist"] == "谈了新岗位的职责"
    good.gist = "谈了新岗位的职责和困难"
    welfare.save_talk(good, talk_id, today=TODAY)
    assert welfare.get_talk(talk_id)["gist"] == "谈了新岗位的职责和困难"
    welfare.archive_talk(talk_id)
    assert welfare.talk_count(YEAR) == 0
    actions = [a.action for a in AuditLog.select().where(AuditLog.table == "talk_record")]
    assert actions == ["create", "update", "archive"]


def test_demo_history_is_consistent(store):
    from carecenter.db.database import db
    from carecenter.services import demo

    demo.generate(60, today=date(2026, 6, 30))
    counts_ = welfare.generate_demo_history(years=3, today=date(2026, 6, 30))
    assert counts_["welfare"] > 100 and counts_["talks"] > 0 and counts_["funds"] == 9
    # no cash for festivals; every amount is integer fen; over-cap records carry their reason
    sql = "SELECT count(*) FROM welfare_record WHERE occasion LIKE 'festival_%' AND money_fen > 0"
    assert db.execute_sql(sql).fetchone()[0] == 0
    usage = {u.name: u for u in welfare.fund_usage(2026)}
    assert usage[UNION].status == wf.BUDGET_NEAR
    rules = welfare.all_rules()
    for cid in {r[0] for r in db.execute_sql("SELECT DISTINCT cadre_id FROM welfare_record").fetchall()}:
        history = sorted(welfare._history(cid), key=lambda r: (r.on, r.record_id))
        for i, rec in enumerate(history):
            # as entered: each record against the ones before it
            found = [w for w in wf.check_record(rec, rules, history[:i]) if w.needs_reason or w.is_error]
            if found:
                reason = WelfareRecord.get_by_id(rec.record_id).over_reason
                assert reason, (rec, [w.message for w in found])
