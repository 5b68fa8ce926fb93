"""Killing the county's program (SIGKILL) while it receives a package leaves all of the
package or none of it (issue 15).

Each trial copies the county as it was right after ``county init``, starts the receive in
a child process whose snapshot inserts report each table and pause a little (so the kill
lands inside the transaction), and kills it after a random number of tables; the database
is then checked whole and must equal, in content, the state before or after a complete
receive."""
from __future__ import annotations

import random
import shutil
import signal
from pathlib import Path

import pytest

from carecenter.db.database import close_database
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
from tests.exchange.exchange_world import build_world, open_db
from tests.exchange.killing import ROOT, run_killed

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

TABLES = ("county_township", "county_package", "county_unit", "county_cadre", "county_leave", "county_check",
          "county_finding", "county_mental_count", "county_allowance", "county_fund", "county_welfare", "county_talk")

CHILD = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from carecenter.app import open_store
from carecenter.paths import DataPaths
from carecenter.security import access
from carecenter.services import county
access.set_actor(access.system_actor("测试子进程"))
inner = county._insert
def slow(table, columns, rows):
    inner(table, columns, rows)
    print("p", table, flush=True)
    time.sleep(0.03)
county._insert = slow
open_store(DataPaths(Path(sys.argv[1])))
print("ready", flush=True)
county.receive(Path(sys.argv[2]), trust=sys.argv[3])
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_world(tmp_path_factory.mktemp("kill-world"))
    yield built
    close_database()


def content(folder: Path) -> dict:
    con = sqlite3.connect(str(folder / "carecenter.db"))
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        out = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
        out["listed"] = con.execute("SELECT count(*) FROM county_cadre WHERE listed = 1").fetchone()[0]
        out["received"] = con.execute("SELECT count(*) FROM audit_log WHERE action = 'receive'").fetchone()[0]
        return out
    finally:
        con.close()


def run_child(data: Path, package: Path, trust: str, kill_after: int | None) -> str:
    code, last, err = run_killed(CHILD, [data, package, trust, ROOT], kill_after, random.random() * 0.02)
    if kill_after is None:
        assert code == 0, err
    else:
        assert code == -signal.SIGKILL, (last, err)
    return last


def test_a_receive_killed_at_any_point_leaves_all_or_nothing(world, tmp_path):
    town = world.towns[0]
    before = content(world.county_fresh.root)
    reference = tmp_path / "reference"
    shutil.copytree(world.county_fresh.root, reference)
    run_child(reference, town.package, town.fingerprint, None)
    after = content(reference)
    assert after["county_package"] == 1 and after["county_cadre"] == town.figures.cadres + 1 > 0

    rng = random.Random(15)
    outcomes = []
    for trial, kill_after in enumerate([1, 4, 9] + [rng.randrange(1, 11) for _ in range(2)]):
        folder = tmp_path / f"trial{trial}"
        shutil.copytree(world.county_fresh.root, folder)
        run_child(folder, town.package, town.fingerprint, kill_after)
        state = content(folder)
        assert state in (before, after), (kill_after, state)
        outcomes.append(state == after)
        # the database opens and the package can then be received whole
        open_db(type(world.county)(folder))
        try:
            from carecenter.services import county

            result = county.receive(town.package, trust=town.fingerprint)
            assert result.status in ("received", "duplicate")
        finally:
            close_database()
        assert {k: v for k, v in content(folder).items() if k != "received"} == \
            {k: v for k, v in after.items() if k != "received"}
    assert not all(outcomes), "no kill landed inside the transaction"
