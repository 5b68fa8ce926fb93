"""The exportable lists (services/exports.py): every list's rows for a query are the
rows its view shows (same service or SQL, same order, no paging), the command-line
criteria map onto the page's filters, confidential columns appear only when asked
and mental-health records never (DOMAIN.md §4, §6)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecenter.db import queries
from carecenter.domain.errors import DomainError
from carecenter.services import allowance, exports, health, leave, roster, welfare
from carecenter.services.exports import Criteria

TODAY = date.today()


@pytest.fixture
def demo_store(store):
    from carecenter.services import demo

    demo.build(80, history_years=2)
    queries.invalidate_units()
    return store


def table_rows(key, query, confidential=False, items=None):
    spec = exports.get(key)
    tables = spec.sheets(query, confidential, items)
    return tables, [[list(r) for r in t.rows] for t in tables]


def a_unit_with_cadres() -> tuple[int, str]:
    uid = queries.db.execute_sql("SELECT unit_id FROM cadre WHERE archived = 0 GROUP BY unit_id "
                                 "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    return uid, queries.unit_names()[uid]


# ---------------------------------------------------------------- every list

def test_every_list_exports_rows_that_fit_its_columns(demo_store):
    month = max(allowance.batch_statuses())
    someone = queries.roster_page(queries.RosterFilter(), limit=1)[0][1]
    for key, spec in exports.LISTS.items():
        criteria = Criteria(month=month, search=someone if key == "allowance-history" else "")
        query = spec.query_from(criteria)
        for confidential in (False, True):
            tables, rows = table_rows(key, query, confidential)
            assert tables and all(t.columns for t in tables), key
            for t, data in zip(tables, rows):
                assert all(len(r) == len(t.columns) for r in data), key
                assert all(c.kind in exports.KINDS for c in t.columns), key
                if t.total is not None:
                    assert t.total == len(data), key
        assert spec.describe(query) is not None
    assert sum(len(r) for r in table_rows("roster", exports.LISTS["roster"].query_from(Criteria()))[1]) == 80


def test_confidential_columns_only_when_asked(demo_store):
    expected = {"roster": "完整身份证号", "roster-full": "完整身份证号、备注", "health-checks": "体检结论",
                "health-followups": "异常的描述和转诊", "welfare-talks": "谈话要点和后续跟进"}
    assert {k: e.confidential for k, e in exports.LISTS.items() if e.has_confidential} == expected
    labels = {k: ([c.label for c in exports.get(k).columns(False)], [c.label for c in exports.get(k).columns(True)])
              for k in exports.LISTS}
    assert "结论" in labels["health-checks"][1] and "结论" not in labels["health-checks"][0]
    assert {"描述", "转诊"} <= set(labels["health-followups"][1]) - set(labels["health-followups"][0])
    assert {"谈话要点", "后续跟进"} <= set(labels["welfare-talks"][1]) - set(labels["welfare-talks"][0])
    assert labels["roster"][0] == labels["roster"][1]       # the ID column is there, masked or not
    assert set(labels["roster-full"][1]) - set(labels["roster-full"][0]) == {"备注"}
    for key in set(exports.LISTS) - set(expected):
        assert labels[key][0] == labels[key][1], key


def test_mental_health_records_are_in_no_export(demo_store):
    secret = "睡眠欠佳，独白内容保密"
    cid = queries.roster_page(queries.RosterFilter(), limit=1)[0][0]
    health.save_mental(health.MentalInput(cid, "评估", date(2025, 3, 1), "PHQ-9", 12, "县心理服务中心", secret,
                                          date(2025, 3, 1), "心理健康评估及结果记录"), today=TODAY)
    month = max(allowance.batch_statuses())
    name = queries.picker_label(cid)[1]
    texts = []
    for key, spec in exports.LISTS.items():
        query = spec.query_from(Criteria(month=month, search=name if key == "allowance-history" else ""))
        texts.append(repr(table_rows(key, query, confidential=True)[1]))
    assert not any(secret in t or "PHQ-9" in t for t in texts)


def test_unknown_list_and_default_file_name(store):
    with pytest.raises(DomainError) as exc:
        exports.get("nope")
    assert all(k in exc.value.message for k in exports.LISTS)
    assert exports.default_file_name("roster", date(2026, 11, 25)) == "干部名册_2026-11-25.xlsx"


# ---------------------------------------------------------------- criteria from the command line

def test_unit_name_maps_to_the_units_filter(demo_store):
    uid, name = a_unit_with_cadres()
    q = exports.get("roster").query_from(Criteria(unit=name, search="z"))
    assert q.filter == queries.RosterFilter(text="z", unit_id=uid)
    assert exports.get("leave").query_from(Criteria(unit=name, year=2025)).filter == \
        queries.LeaveFilter(year=2025, unit_id=uid)
    with pytest.raises(DomainError) as exc:
        exports.get("roster").query_from(Criteria(unit="没有这个单位"))
    assert "没有这个单位" in exc.value.message and "--unit" in exc.value.message


def test_month_lists_default_to_this_month(store):
    this = date(TODAY.year, TODAY.month, 1)
    assert exports.get("allowance-lines").query_from(Criteria()).month == this
    assert exports.get("allowance-totals").query_from(Criteria()).month == this
    assert exports.get("leave-balance").query_from(Criteria()).year == TODAY.year
    assert exports.get("welfare-funds").query_from(Criteria(year=2024)).year == 2024


def test_history_needs_exactly_one_cadre(unit, cadre_data):
    roster.save_cadre(cadre_data(name="王伟"))
    roster.save_cadre(cadre_data(name="王伟强", id_number="11010519491231002X"))
    spec = exports.get("allowance-history")
    with pytest.raises(DomainError) as exc:
        spec.query_from(Criteria())
    assert "--search" in exc.value.message
    with pytest.raises(DomainError) as exc:
        spec.query_from(Criteria(search="王"))
    assert "多名干部" in exc.value.message and "********" in exc.value.message
    assert spec.query_from(Criteria(search="王伟")).cadre_id    # the exact name wins
    with pytest.raises(DomainError):
        spec.query_from(Criteria(search="赵"))


# ---------------------------------------------------------------- each list equals its view

def test_roster_rows_stream_the_model_sql_without_paging(demo_store):
    uid, _ = a_unit_with_cadres()
    for f, sort, desc in [(queries.RosterFilter(), "name", False), (queries.RosterFilter(unit_id=uid), "age", True),
                          (queries.RosterFilter(text="z"), "unit", False),
                          (queries.RosterFilter(include_archived=True), "phone", True)]:
        streamed = list(queries.roster_rows(f, sort, desc))
        assert [r[:11] for r in streamed] == queries.roster_page(f, sort, desc, limit=10_000)
        assert len(streamed) == queries.roster_count(f)


def test_record_lists_stream_their_page_queries(demo_store):
    uid, _ = a_unit_with_cadres()
    f = queries.LeaveFilter(unit_id=uid)
    assert list(queries.leave_rows(f, "name", False)) == queries.leave_page(f, "name", False, limit=10_000)
    assert list(queries.check_rows(queries.CheckFilter(text="z"))) == queries.check_page(queries.CheckFilter(text="z"))
    wf = queries.WelfareFilter(year=TODAY.year)
    assert list(queries.welfare_rows(wf)) == queries.welfare_page(wf)
    assert list(queries.talk_rows(queries.TalkFilter())) == queries.talk_page(queries.TalkFilter())


def test_balances_follow_the_service_and_mark_leave_left_late_in_the_year(demo_store):
    year = TODAY.year - 1                       # a past year: anything left is 未休完
    _, rows = table_rows("leave-balance", exports.BalanceQuery(year))
    balances = leave.annual_balances(year)
    assert [r[0] for r in rows[0]] == [b.name for b in balances]
    for row, b in zip(rows[0], balances):
        assert row[2:5] == [b.entitled + b.deferred_in, b.taken, b.remaining]
        assert row[5].startswith("未休完。") == (b.remaining > 0)
    assert exports.BalanceExport.is_late(TODAY.year, date(TODAY.year, 9, 30)) is False
    assert exports.BalanceExport.is_late(TODAY.year, date(TODAY.year, 10, 1)) is True
    # the page hands its rows in the order shown (here: by remaining days, descending)
    shown = sorted(balances, key=lambda b: b.remaining, reverse=True)
    _, rows = table_rows("leave-balance", exports.BalanceQuery(year, sort_label="剩余 降序"), items=shown)
    assert [r[4] for r in rows[0]] == [b.remaining for b in shown]
    assert ("排序", "剩余 降序") in exports.get("leave-balance").describe(exports.BalanceQuery(year,
                                                                                           sort_label="剩余 降序"))


def test_due_and_followups_follow_the_services(demo_store):
    _, rows = table_rows("health-due", exports.DueQuery(TODAY.year, status="全部"))
    due = health.due_list(TODAY.year, TODAY, status="全部")
    assert [(r[0], r[4], r[8]) for r in rows[0]] == [(d.name, d.package, d.status) for d in due]
    assert all(r[6] == "从未体检" for r, d in zip(rows[0], due) if d.last_date is None)
    _, rows = table_rows("health-followups", exports.FollowupQuery(), confidential=True)
    followups = health.open_followups(TODAY)
    assert [(r[0], r[3], r[4]) for r in rows[0]] == [(f.name, f.item, " ".join(f.description.split()))
                                                     for f in followups]


def test_allowance_totals_two_sheets_and_problems_search(demo_store):
    month = max(allowance.batch_statuses())
    tables, rows = table_rows("allowance-totals", exports.MonthQuery(month))
    assert [t.title for t in tables] == ["按单位", "按项目"]
    assert sum(r[2] for r in rows[0]) == sum(r[3] for r in rows[1]) == allowance.month_total(month)["total_fen"]
    info = allowance.batch_info(month)
    samples = [s for g in info["problem_groups"] for s in g.samples]
    if samples:
        word = samples[0]["name"]
        _, rows = table_rows("allowance-problems", exports.ProblemQuery(month, word))
        assert rows[0] and all(word in r[0] or word in r[1] for r in rows[0])


def test_welfare_rows_split_money_and_goods_and_compose_notes(demo_store):
    f = queries.WelfareFilter(year=TODAY.year)
    _, rows = table_rows("welfare", f)
    page = queries.welfare_page(f)
    assert [r[4] for r in rows[0]] == [p[6] + p[8] for p in page]
    assert [(r[5], r[6]) for r in rows[0]] == [(p[6], p[8]) for p in page]
    assert exports.welfare_notes_text("超过上限\n经批准", "E1", "备注") == "超出说明：超过上限 经批准；同一事项：E1；备注"
    funds = welfare.fund_usage(TODAY.year)
    _, rows = table_rows("welfare-funds", exports.FundQuery(TODAY.year))
    assert [r[0] for r in rows[0]] == [u.name for u in funds]
    assert all(isinstance(r[4], Decimal) or r[4] is None for r in rows[0])


def test_units_search_township_and_archived_last(store):
    for name, town in [("青岭镇人民政府", "青岭镇"), ("云溪乡人民政府", "云溪乡"), ("青岭镇财政所", "青岭镇")]:
        roster.save_unit({"name": name, "kind": "政府", "township": town, "township_category": "镇"})
    gone = roster.save_unit({"name": "白石乡卫生院", "kind": "事业单位", "township": "白石乡"}).id
    roster.set_unit_archived(gone, True)
    names = lambda q: [u["name"] for u in exports.unit_rows(q)]  # noqa: E731
    assert names(exports.UnitQuery(township="青岭镇")) == ["青岭镇财政所", "青岭镇人民政府"]
    assert names(exports.UnitQuery(text="qlz")) == ["青岭镇财政所", "青岭镇人民政府"]
    assert names(exports.UnitQuery(text="云溪")) == ["云溪乡人民政府"]
    assert names(exports.UnitQuery(include_archived=True))[-1] == "白石乡卫生院"
    _, rows = table_rows("units", exports.UnitQuery(include_archived=True))
    assert rows[0][-1][0] == "白石乡卫生院（已归档）"
