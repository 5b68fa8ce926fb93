"""Demo leave and health history (services/demo_care.py) is consistent with the rules."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from carecenter.db.database import db
from carecenter.domain import leave as lv
from carecenter.services import demo, demo_care, health, leave

TODAY = date(2026, 6, 30)      # inside the years chinese_calendar knows


@pytest.fixture
def history(store):
    demo.generate(60, today=TODAY)
    return demo_care.generate_history(years=4, today=TODAY)


def test_history_has_leave_checks_findings_and_a_few_mental_records(history):
    assert history["leave"] > 100 and history["checks"] > 60
    assert 0 < history["findings"] < history["checks"]
    assert 0 < history["mental"] < 30
    count = lambda table: db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
    assert (count("leave_record"), count("health_check"), count("health_finding"), count("mental_record")) == (
        history["leave"], history["checks"], history["findings"], history["mental"])
    # every mental record carries consent; every finding belongs to a check of the same cadre
    assert count("mental_record WHERE consent_date IS NULL OR consent_scope = ''") == 0
    assert count("health_finding f JOIN health_check h ON h.id = f.check_id WHERE h.cadre_id != f.cadre_id") == 0
    types = {r[0] for r in db.execute_sql("SELECT DISTINCT type_code FROM leave_record")}
    assert {lv.ANNUAL, lv.SICK} <= types


def test_every_leave_counts_what_the_calendar_counts(history):
    cal = leave.calendar()
    rows = db.execute_sql("SELECT type_code, start_date, end_date, start_half, end_half, days, status "
                          "FROM leave_record").fetchall()
    for code, start, end, sh, eh, days, status in rows:
        start, end = date.fromisoformat(start), date.fromisoformat(end)
        rule = leave.rule_for(code, start)
        assert lv.count_leave(rule, cal, start, end, bool(sh), bool(eh)) == lv.to_days(days), (code, start, end)
        assert status == (lv.STATUS_CLOSED if end < TODAY else lv.STATUS_APPROVED)
    modes = {leave.rule_for(code, date(2025, 1, 1)).count_mode for code, *_ in rows}
    assert modes == {"working", "calendar"}          # annual leave and sick leave / 疗休养 both covered


def test_history_never_overlaps_and_stays_in_the_past(history):
    spans = defaultdict(list)
    for cid, start, end in db.execute_sql("SELECT cadre_id, start_date, end_date FROM leave_record"):
        spans[cid].append((date.fromisoformat(start), date.fromisoformat(end)))
    for cid, items in spans.items():
        items.sort()
        for (_s1, e1), (s2, _e2) in zip(items, items[1:]):
            assert s2 > e1, (cid, items)
        assert all(end < TODAY for _s, end in items)
    for table, col in (("health_check", "check_date"), ("health_finding", "closed_date"),
                       ("mental_record", "record_date")):
        assert db.execute_sql(f"SELECT count(*) FROM {table} WHERE {col} >= ?", [TODAY.isoformat()]).fetchone()[0] == 0


def test_annual_leave_never_overdraws_and_lists_work(history):
    for year in range(TODAY.year - 3, TODAY.year + 1):
        assert all(r.remaining >= 0 for r in leave.annual_balances(year)), year
    assert health.open_followups(TODAY)
    assert health.due_list(TODAY.year, TODAY, status="全部")
