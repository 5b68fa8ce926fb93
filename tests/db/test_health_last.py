"""health_last (migration 0009) is kept by triggers: after any mix of inserts, edits,
archiving and deletes it equals the latest non-archived check per cadre and package."""
from __future__ import annotations

import random
from datetime import date, timedelta

from carecenter.db.database import db
from carecenter.services import demo, demo_care, health


def computed() -> list[tuple]:
    return db.execute_sql(
        "SELECT cadre_id, package, max(check_date) FROM health_check WHERE archived = 0 "
        "GROUP BY cadre_id, package ORDER BY cadre_id, package").fetchall()


def kept() -> list[tuple]:
    return db.execute_sql("SELECT cadre_id, package, last_date FROM health_last "
                          "ORDER BY cadre_id, package").fetchall()


def test_triggers_keep_the_latest_check(store):
    demo.generate(40)
    demo_care.generate_history(years=3)               # bulk inserts go through the triggers too
    assert kept() == computed() and kept()
    rng = random.Random(5)
    ids = [r[0] for r in db.execute_sql("SELECT id FROM health_check").fetchall()]
    for check_id in rng.sample(ids, 15):
        inp = health.check_input(check_id)
        inp.check_date = inp.check_date - timedelta(days=rng.randrange(1, 400))
        inp.package = rng.choice(["常规体检", "两癌筛查", "专项体检"])
        health.save_check(inp, check_id)               # edits move a check to another date/package
        assert kept() == computed()
    for check_id in rng.sample(ids, 10):
        health.archive_check(check_id)                 # archiving drops it from the latest
        assert kept() == computed()
    db.execute_sql("DELETE FROM health_check WHERE id = ?", (ids[0],))
    assert kept() == computed()


def test_due_list_reads_the_same_from_either_path(store):
    demo.generate(40)
    demo_care.generate_history(years=3)
    today = date.today()
    from carecenter.db import queries

    current = queries.health_last_checks(date(today.year, 12, 31))   # the trigger-kept table
    grouped = db.execute_sql(
        "SELECT cadre_id, package, max(check_date) FROM health_check WHERE archived = 0 "
        "AND check_date <= ? GROUP BY cadre_id, package ORDER BY cadre_id, package",
        (date(today.year, 12, 31).isoformat(),)).fetchall()
    assert [tuple(map(str, r)) for r in current] == [tuple(map(str, r)) for r in grouped]
