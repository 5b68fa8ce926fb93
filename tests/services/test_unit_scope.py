"""An account limited to some units sees and changes only cadres of those units:
lists, search, counts, exports, prints and the 工作台 (issue 10)."""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.db import queries
from carecenter.security import access
from carecenter.security.access import Actor, OutOfScope

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    from carecenter.app import open_store
    from carecenter.db.database import close_database
    from carecenter.paths import DataPaths
    from carecenter.services import demo

    paths = DataPaths(tmp_path_factory.mktemp("scope") / "data")
    open_store(paths)
    demo.build(90, history_years=2, today=TODAY)
    close_database()
    return paths


@pytest.fixture
def opened(township):
    from carecenter.app import open_store
    from carecenter.db.database import close_database

    queries.invalidate_units()
    open_store(township)
    yield township
    close_database()


def busiest_unit() -> int:
    return queries.db.execute_sql("SELECT unit_id FROM cadre WHERE archived = 0 GROUP BY unit_id "
                                  "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def scoped(unit_id: int) -> Actor:
    return Actor("xiangzhen", "片区经办", frozenset(access.PERMISSIONS), unit_ids=frozenset({unit_id}))


def ids_in(unit_id: int) -> set[int]:
    return {r[0] for r in queries.db.execute_sql("SELECT id FROM cadre WHERE unit_id = ? AND archived = 0",
                                                 (unit_id,)).fetchall()}


def test_roster_lists_search_counts_and_picker(opened):
    from carecenter.services import roster

    unit = busiest_unit()
    mine = ids_in(unit)
    everyone = queries.roster_count(queries.RosterFilter())
    with access.acting_as(scoped(unit)):
        assert queries.roster_count(queries.RosterFilter()) == len(mine) < everyone
        assert {r[0] for r in queries.roster_page(queries.RosterFilter(), limit=10_000)} == mine
        assert roster.cadre_count() == len(mine)
        for letter in "zwlch":
            found = queries.picker_search(letter, limit=500)
            assert {r[0] for r in found} <= mine
        outsider = queries.db.execute_sql("SELECT id FROM cadre WHERE unit_id != ? LIMIT 1", (unit,)).fetchone()[0]
        with pytest.raises(OutOfScope):
            roster.get_cadre(outsider)
        assert queries.picker_label(outsider) is None


def test_care_lists_follow_the_scope(opened):
    from carecenter.services import health, leave, welfare

    unit = busiest_unit()
    mine = ids_in(unit)
    with access.acting_as(scoped(unit)):
        leave_rows = queries.leave_page(queries.LeaveFilter(), limit=100_000)
        assert leave_rows and {r[1] for r in leave_rows} <= mine
        assert queries.leave_count(queries.LeaveFilter()) == len(leave_rows)
        balances = leave.annual_balances(2026)
        assert balances and {b.cadre_id for b in balances} <= mine
        due = health.due_list(2026, TODAY)
        assert {d.cadre_id for d in due} <= mine
        checks = queries.check_page(queries.CheckFilter())
        assert {r[1] for r in checks} <= mine
        visits = queries.welfare_page(queries.WelfareFilter())
        assert {r[1] for r in visits} <= mine
        assert queries.welfare_count(queries.WelfareFilter()) == len(visits)


def test_exports_and_prints_follow_the_scope(opened, tmp_path):
    from openpyxl import load_workbook

    from carecenter.exchange.export import export_list
    from carecenter.services import exports, printing

    unit = busiest_unit()
    mine = ids_in(unit)
    with access.acting_as(scoped(unit)):
        summary = export_list("roster", tmp_path / "名册.xlsx", exports.RosterQuery(queries.RosterFilter()))
        assert summary.rows == len(mine)
        sheet = load_workbook(summary.path, read_only=True).worksheets[0]
        assert sheet.max_row - 1 == len(mine)
        outsider = queries.db.execute_sql("SELECT id FROM cadre WHERE unit_id != ? LIMIT 1", (unit,)).fetchone()[0]
        with pytest.raises(OutOfScope):
            printing.care_record(outsider, date(2026, 1, 1), date(2026, 12, 31))
        insider = sorted(mine)[0]
        assert printing.care_record(insider, date(2026, 1, 1), date(2026, 12, 31)).pdf.startswith(b"%PDF")


def test_home_figures_follow_the_scope(opened):
    from carecenter.services import home

    unit = busiest_unit()
    whole = home.build(TODAY)
    with access.acting_as(scoped(unit)):
        part = home.build(TODAY)
    serving_mine = queries.db.execute_sql(
        f"SELECT count(*) FROM cadre c WHERE {queries.SERVING_WHERE} AND c.unit_id = ?",
        (*queries.SERVING_STATUSES, unit)).fetchone()[0]
    assert [c.total for c in part.coverage] == [serving_mine] * 3
    assert all(c.total > serving_mine for c in whole.coverage)
    mine = ids_in(unit)
    for item in part.items:
        assert {cid for cid, _ in item.people} <= mine


def test_whole_township_steps_need_an_unscoped_account(opened):
    from carecenter.services import allowance

    with access.acting_as(scoped(busiest_unit())), pytest.raises(access.PermissionDenied) as err:
        allowance.generate_month(date(2026, 12, 1))
    assert "全乡镇" in err.value.message
