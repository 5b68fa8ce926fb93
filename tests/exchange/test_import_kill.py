"""Killing the process (SIGKILL) in the middle of an import leaves the database with
all of that job or none of it (issue 6 §7).

Each trial copies a prepared database, starts the import in a child process,
and kills it at a random point of the write (after a random number of progress
reports, plus a random few milliseconds); the database is then reopened and must
be intact and equal, in content, to either the state before or the state after a
complete import."""
from __future__ import annotations

import os
import random
import shutil
import signal
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
from pathlib import Path

import pytest

from tests.conftest import make_id_number
from tests.exchange.killing import run_killed
from tests.exchange.test_importer_support import workbook

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from carecenter.app import open_store, seed_rule_tables
from carecenter.paths import DataPaths
from carecenter.security import access
access.set_actor(access.system_actor("测试子进程"))
from carecenter.exchange import importer, xlsx_kinds
xlsx_kinds.CHUNK = 40          # several chunks: several points to be killed at
open_store(DataPaths(Path(sys.argv[1])))
seed_rule_tables()
path, kind = Path(sys.argv[2]), sys.argv[3]
pre = importer.preview(path, "Sheet1", kind, importer.detect(path, "Sheet1", kind))
print("ready", pre.valid_count, flush=True)
importer.run_import(pre, progress=lambda done, total: print("p", done, total, flush=True))
print("done", flush=True)
"""


def content(db: Path) -> dict:
    """What an import changes, without uuids and timestamps; and the integrity check."""
    con = sqlite3.connect(str(db))
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "cadre": con.execute("SELECT id_number, name, post, unit_id, phone, archived FROM cadre "
                                 "ORDER BY id_number").fetchall(),
            "welfare": con.execute("SELECT cadre_id, occasion, record_date, money_fen FROM welfare_record "
                                   "ORDER BY cadre_id, record_date").fetchall(),
            "audit": con.execute('SELECT action, "table", count(*) FROM audit_log GROUP BY action, "table" '
                                 "ORDER BY 1, 2").fetchall(),
        }
    finally:
        con.close()


@pytest.fixture
def prepared(store, tmp_path):
    """A database with units, 60 cadres and welfare rules; closed, ready to copy."""
    from carecenter.app import seed_rule_tables
    from carecenter.db.database import close_database
    from carecenter.services import roster

    seed_rule_tables()
    unit = roster.save_unit({"name": "城关镇人民政府", "kind": "政府", "township": "城关镇",
                             "township_category": "镇"}).id
    roster.save_unit({"name": "城关镇财政所", "kind": "站所", "township": "城关镇", "township_category": "镇"})
    for i in range(60):
        roster.save_cadre({"name": "张" + "一二三四五六七八九十"[i % 10], "id_number": make_id_number("19800101", 2 * i + 1),
                           "unit_id": unit, "employment_status": "在职", "post": "科员"})
    close_database()
    base = tmp_path / "base"
    shutil.copytree(store.root, base)
    return base


def roster_file(path: Path) -> Path:
    rows = [["干部名册"], ["姓名", "身份证号", "单位", "职务", "联系电话"]]
    for i in range(60):        # updates of everyone already there
        rows.append(["张" + "一二三四五六七八九十"[i % 10], make_id_number("19800101", 2 * i + 1), "城关镇财政所",
                     "副所长", f"1380000{i:04d}"])
    for i in range(240):       # and new cadres
        rows.append(["李" + "一二三四五六七八九十"[i % 10], make_id_number("19900101", 2 * i + 2), "城关镇人民政府",
                     "科员", f"1390000{i:04d}"])
    return workbook(path, rows, merges=["A1:E1"])


def welfare_file(path: Path) -> Path:
    rows = [["身份证号", "慰问事由", "慰问日期", "慰问金", "经费来源"]]
    for i in range(40):
        rows.append([make_id_number("19800101", 2 * i + 1), "生病住院慰问", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                     300, "工会经费"])
    return workbook(path, rows)


def run_child(data: Path, xlsx: Path, kind: str, kill_after: int | None, delay: float) -> str:
    code, last, err = run_killed(CHILD, [data, xlsx, kind, ROOT], kill_after, delay)
    if kill_after is None:
        assert code == 0, err
    else:
        assert code == -signal.SIGKILL or last == "done", last
    return last


def complete_in_process(data: Path, xlsx: Path, kind: str) -> None:
    """The state after a complete import (the reference for 'all')."""
    from carecenter.app import open_store
    from carecenter.db.database import close_database
    from carecenter.exchange import importer
    from carecenter.paths import DataPaths

    open_store(DataPaths(data))
    try:
        pre = importer.preview(xlsx, "Sheet1", kind, importer.detect(xlsx, "Sheet1", kind))
        assert pre.problems == []
        importer.run_import(pre)
    finally:
        close_database()


@pytest.mark.parametrize("kind, make, trials", [("roster", roster_file, 3), ("welfare", welfare_file, 2)])
def test_sigkill_mid_import_leaves_all_or_none(prepared, tmp_path, kind, make, trials):
    xlsx = make(tmp_path / f"{kind}.xlsx")
    before = content(prepared / "carecenter.db")
    full = tmp_path / "full"
    shutil.copytree(prepared, full)
    complete_in_process(full, xlsx, kind)
    after = content(full / "carecenter.db")
    assert after != before
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    reports = 8 if kind == "roster" else 40
    killed_mid = 0
    for trial in range(trials):
        data = tmp_path / f"trial{trial}"
        shutil.copytree(prepared, data)
        kill_after = rng.randint(1, reports - 1)
        delay = 0 if trial == 0 else rng.choice([0, 0.001, 0.005, 0.02])
        last = run_child(data, xlsx, kind, kill_after, delay)
        state = content(data / "carecenter.db")
        assert state in (before, after), f"seed {seed}, trial {trial}: partial import after SIGKILL at {kill_after}"
        killed_mid += state == before and last != "done"
    assert killed_mid >= 1, f"seed {seed}: no trial was killed before the commit"
