"""Reads that must stay inside their indexes (migration 0014, issue 11).

On the SQLCipher store every page read from the file is decrypted and its HMAC checked, so
the open-findings list, the 工作台's overdue count and the cadres not visited this year read
narrow indexes instead of the wide check, cadre and visit rows.  A query change that
silently goes back to the rows passes every other test and is four times slower encrypted;
the query plans say so here."""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.bench import SqlTrace
from carecenter.db import queries
from carecenter.db.database import db
from carecenter.security import access
from tests.query_plans import plans


def _plans(call, table: str = "health_finding") -> list[list[str]]:
    return plans(call, table)


def _table_reads(plans: list[list[str]], allowed: tuple[str, ...] = ()) -> list[str]:
    """The plan lines that read table rows (by rowid or through an index that does not
    hold every column the query needs) rather than index entries alone, less ``allowed``.
    The findings of archived cadres, subtracted from the overdue count, are few and read
    by cadre."""
    return [line for plan in plans for line in plan
            if line.startswith(("SEARCH ", "SCAN ")) and "COVERING INDEX" not in line
            and line != "SCAN CONSTANT ROW" and "INDEX health_finding_cadre_id (cadre_id=?)" not in line
            and not line.startswith(allowed)]


@pytest.mark.parametrize("text", ["", "王", "zw", "1234"])
def test_open_findings_read_only_indexes(store, text):
    plans = _plans(lambda: queries.open_findings(None, None, text))
    assert plans
    assert _table_reads(plans) == [], plans
    lines = " | ".join(line for plan in plans for line in plan)
    for index in ("health_finding_open_list", "health_check_date_lookup", "cadre_name_lookup"):
        assert f"COVERING INDEX {index}" in lines


def test_open_findings_of_a_unit_scoped_account_read_only_indexes(store):
    scoped = access.Actor("scoped", "限定单位", frozenset(access.PERMISSIONS), unit_ids=frozenset({1, 2}))
    with access.acting_as(scoped):
        plans = _plans(lambda: queries.open_findings(date(2026, 1, 1)))
        assert _table_reads(plans) == [], plans
        plans = _plans(lambda: queries.overdue_findings_summary(date(2026, 1, 1)))
        assert _table_reads(plans) == [], plans


def test_the_check_lists_open_count_is_found_by_check(store):
    """The partial index is never the way to one check's open findings (a full index led by
    ``closed`` was, and scanned every open finding for each row of the page)."""
    with SqlTrace() as trace:
        queries.check_page(queries.CheckFilter(), limit=100)
    (sql,) = [s for s in trace.statements if "health_finding" in s]
    plan = " | ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql))
    assert "health_finding_check_id (check_id=?)" in plan, plan


def test_overdue_count_and_first_rows_read_only_indexes(store):
    plans = _plans(lambda: queries.overdue_findings_summary(date(2026, 1, 1)))
    assert any("SCALAR SUBQUERY" in line for plan in plans for line in plan)
    assert _table_reads(plans) == [], plans


@pytest.mark.parametrize("kind, unit", [("", None), ("hardship", None), ("township", 1)])
def test_not_visited_reads_the_two_covering_indexes(store, kind, unit):
    """The serving cadres from their index, the year's visits from the year's range of theirs
    (a NOT EXISTS per cadre read every cadre row and a page of the visits for each)."""
    plans = _plans(lambda: queries.not_visited(2026, kind, unit), "welfare_record")
    assert _table_reads(plans, allowed=("SEARCH u USING INTEGER PRIMARY KEY",)) == [], plans   # the units
    lines = " | ".join(line for plan in plans for line in plan)
    assert "COVERING INDEX cadre_serving_list" in lines and "COVERING INDEX welfare_record_year_cover" in lines
