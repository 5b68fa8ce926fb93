"""Every figure of the county's 汇总 equals the sum of the same figure computed in each
township's own database (issue 15): three demo townships pack 2025, the county receives
the three packages; one test per figure.  Also: the township's own figures agree with what
its own pages show, and the consolidated roster and service history of a cadre who moved."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecenter.db.database import close_database
from carecenter.services import county
from tests.exchange.exchange_world import PERIOD, build_world, open_db
from tests.query_plans import plans

SCALARS = ["cadres", "hardship_cadres", "health_due", "health_done", "followups_open", "leave_due_days",
           "leave_taken_days", "leave_untaken_cadres", "allowance_total_fen", "hardship_visited"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_world(tmp_path_factory.mktemp("county-world"))
    yield built
    close_database()


@pytest.fixture(scope="module")
def summary(world):
    open_db(world.county)
    try:
        return county.summary(PERIOD)
    finally:
        close_database()


@pytest.fixture
def county_db(world):
    open_db(world.county)
    yield world
    close_database()


@pytest.mark.parametrize("figure", SCALARS)
def test_the_county_figure_is_the_sum_of_the_townships_own(world, summary, figure):
    own = [getattr(t.figures, figure) for t in world.towns]
    expected = sum(own, Decimal(0) if isinstance(own[0], Decimal) else 0)
    assert getattr(summary.total, figure) == expected
    by_code = {row.code: row for row in summary.townships}
    for town in world.towns:
        assert getattr(by_code[town.code], figure) == getattr(town.figures, figure), town.name
    assert expected > 0, f"the demo townships should exercise {figure}"


def test_the_county_allowance_per_month_is_the_sum_of_the_townships_own(world, summary):
    assert set(summary.total.allowance_by_month) == set(range(1, 13))
    for month in range(1, 13):
        assert summary.total.allowance_by_month[month] == sum(t.figures.allowance_by_month[month]
                                                              for t in world.towns)
    assert summary.total.allowance_by_month[10] > 0 and summary.total.allowance_by_month[11] > 0
    assert summary.total.allowance_by_month[12] == 0           # December is a draft: not paid yet
    by_code = {row.code: row for row in summary.townships}
    for town in world.towns:
        assert by_code[town.code].allowance_by_month == town.figures.allowance_by_month


def test_the_county_welfare_per_fund_is_the_sum_of_the_townships_own(world, summary):
    budget: dict[str, int] = {}
    spent: dict[str, int] = {}
    for town in world.towns:
        for f in town.figures.welfare_by_fund:
            budget[f.fund] = budget.get(f.fund, 0) + f.budget_fen
            spent[f.fund] = spent.get(f.fund, 0) + f.spent_fen
    assert {f.fund: (f.budget_fen, f.spent_fen) for f in summary.total.welfare_by_fund} == \
        {k: (budget[k], spent[k]) for k in budget}
    assert sum(spent.values()) > 0 and sum(budget.values()) > 0
    by_code = {row.code: row for row in summary.townships}
    for town in world.towns:
        assert by_code[town.code].welfare_by_fund == town.figures.welfare_by_fund


def test_each_township_row_names_its_package(world, summary):
    assert [r.code for r in summary.townships] == sorted(t.code for t in world.towns)
    assert summary.total.code == "" and summary.total.name == "合计"
    for row in summary.townships:
        assert row.as_of == date(PERIOD, 12, 31) and row.received_at is not None and row.period == PERIOD


def test_the_townships_own_figures_agree_with_its_pages(world):
    """``township_figures`` against the 工作台 and the pages' own services (a full year)."""
    from carecenter.services import leave, welfare

    town = world.towns[2]
    open_db(town.paths)
    try:
        overview = leave.annual_overview(PERIOD)
        assert town.figures.leave_untaken_cadres == overview.none_taken
        assert town.figures.cadres == overview.total
        usage = {u.name: u for u in welfare.fund_usage(PERIOD)}
        for f in town.figures.welfare_by_fund:
            assert usage[f.fund].used_fen == f.spent_fen
            assert (usage[f.fund].budget_fen or 0) == f.budget_fen
        balances = leave.annual_balances(PERIOD)
        assert town.figures.leave_taken_days == sum(b.taken for b in balances)
    finally:
        close_database()


def test_a_cadre_who_moved_appears_once_with_the_service_in_both_townships(county_db):
    number, name = county_db.moved
    rows = [r for r in county.roster_page(name, 0, 100) if r[0] == number]
    assert len(rows) == 1
    assert rows[0][4] == "白沙镇" and rows[0][7] == "在职" and rows[0][8] == 2   # listed where they serve now
    history = county.cadre_history(number)
    assert [(h.township, h.employment_status) for h in history] == [("青岭镇", "调离"), ("白沙镇", "在职")]
    assert history[0].end == date(2025, 6, 30) and history[1].start == date(2025, 7, 1)
    assert all(h.as_of == date(PERIOD, 12, 31) for h in history)


def test_the_consolidated_roster_counts_each_id_number_once_and_searches_like_the_township(county_db):
    total = sum(t.figures.cadres for t in county_db.towns)
    everyone = county.roster_count()
    assert everyone == county.roster_count("") >= total - 1
    page = county.roster_page("", 0, everyone)
    assert len({r[0] for r in page}) == len(page) == everyone
    number, name = county_db.moved
    assert any(r[0] == number for r in county.roster_page(number[-4:], 0, 50))
    from carecenter.domain import pinyin

    initials = pinyin.initials_key(name).split()[0]
    assert any(r[0] == number for r in county.roster_page(initials, 0, 500))
    assert county.roster_count(number[-4:]) >= 1
    code = county_db.towns[1].code
    in_one = county.roster_page("", 0, 1000, code=code)
    assert len(in_one) == county.roster_count(code=code) == 31 and {r[9] for r in in_one} == {code}
    by_township = county.roster_page("", 0, everyone, order="township")
    assert [r[9] for r in by_township] == sorted(r[9] for r in by_township)


def test_submissions_say_who_is_late(county_db, monkeypatch):
    monkeypatch.setattr(county, "clock", lambda: county.datetime(2026, 1, 10, 9, 0))
    on_time = county.submissions(PERIOD, deadline=date(2026, 12, 31))
    assert [r.late for r in on_time] == [False] * 3 and all(r.late_text == "按时报送" for r in on_time)
    assert all(r.package_id and r.fingerprint and r.cadres >= 30 for r in on_time)
    late = county.submissions(PERIOD, deadline=date(2025, 12, 31))
    assert all(r.late and "逾期报送" in r.late_text for r in late)
    county.add_township("330328104000", "新建镇")
    rows = {r.code: r for r in county.submissions(PERIOD, deadline=date(2026, 1, 31))}
    assert rows["330328104000"].package_id is None and not rows["330328104000"].late
    assert "尚未报送" in rows["330328104000"].late_text
    monkeypatch.setattr(county, "clock", lambda: county.datetime(2026, 2, 1, 9, 0))
    rows = {r.code: r for r in county.submissions(PERIOD, deadline=date(2026, 1, 31))}
    assert rows["330328104000"].late and "逾期未报送" in rows["330328104000"].late_text
    assert county.submissions(PERIOD + 1, deadline=date(2027, 1, 31))[0].package_id is None


def test_the_printed_county_register_has_the_township_rows_and_the_totals_in_words(county_db, tmp_path):
    from carecenter.domain.money import format_yuan, to_capital
    from carecenter.services import printing
    from tests.reports.pdfcheck import assert_fonts_embedded, text

    out = printing.register("county", str(PERIOD), out=tmp_path / "汇总表.pdf")
    assert out.title == f"乡镇公务员关心关爱工作汇总表（{PERIOD}年度）"
    assert out.file_name == printing.default_register_file_name("county", str(PERIOD)) == \
        f"乡镇公务员关心关爱工作汇总表_{PERIOD}.pdf"
    body = text(out.pdf)
    assert "汇总单位：某某县" in body
    s = county.summary(PERIOD)
    for row in s.townships:
        assert row.name in body and format_yuan(row.allowance_total_fen) in body
    assert "合计" in body and str(s.total.cadres) in body
    assert f"津贴补贴发放合计（小写）：￥{format_yuan(s.total.allowance_total_fen)}" in body
    assert to_capital(s.total.allowance_total_fen) in body
    spent = sum(f.spent_fen for f in s.total.welfare_by_fund)
    assert f"慰问经费支出合计（小写）：￥{format_yuan(spent)}，（大写）：人民币{to_capital(spent)}" in body
    assert "经办人" in body and "负责人" in body
    assert_fonts_embedded(out.pdf)
    assert printing.verify(out.code).current and (tmp_path / "汇总表.pdf").exists()


def test_the_county_summary_and_roster_export_to_excel(county_db, tmp_path):
    import openpyxl

    from carecenter.exchange.export import export_list
    from carecenter.services import exports

    s = county.summary(PERIOD)
    export_list("county-summary", tmp_path / "汇总.xlsx", exports.CountyQuery(PERIOD))
    wb = openpyxl.load_workbook(tmp_path / "汇总.xlsx")
    main = list(wb["汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in main] == [t.name for t in s.townships] + ["合计"]
    assert [r[4] for r in main] == [t.cadres for t in (*s.townships, s.total)]
    assert round(main[-1][13] * 100) == s.total.allowance_total_fen
    months = list(wb["津贴补贴按月"].iter_rows(min_row=2, values_only=True))
    assert [round(v * 100) for v in months[-1][1:13]] == [s.total.allowance_by_month[m] for m in range(1, 13)]
    export_list("county-roster", tmp_path / "名册.xlsx", exports.CountyRosterQuery())
    roster = list(openpyxl.load_workbook(tmp_path / "名册.xlsx")["全县干部名册"].iter_rows(min_row=2, values_only=True))
    assert len(roster) == county.roster_count() and all("********" in r[1] for r in roster)


def test_the_summary_adds_up_from_indexes_alone(county_db):
    """The 汇总's sums read three covering indexes (migrations 0013 and 0015), never the wide
    snapshot rows: on the encrypted store every row page read is decrypted, and with the rows
    the pages no longer fit the cache (县级汇总 was 1.3× the plaintext figure)."""
    indexes = {"county_cadre": "county_cadre_figures", "county_allowance": "county_allowance_month",
               "county_welfare": "county_welfare_fund"}
    for table, index in indexes.items():
        lines = [line for plan in plans(lambda: county.summary(PERIOD), table) for line in plan]
        assert lines, table
        assert all(line.startswith(("SEARCH ", "SCAN ")) and line.split(" (")[0].endswith(
            f"{table} USING COVERING INDEX {index}") for line in lines), lines
