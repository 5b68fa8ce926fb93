"""Issue 6/7: killing the process (SIGKILL) in the middle of a month's allowance batch or a
restore leaves a database that is consistent with all or none of that job.

Each trial copies a prepared data folder, starts the job in a child process, kills it —
at a random moment, or at a named step the child stops itself at — then reopens the
file and checks: ``PRAGMA integrity_check`` is ok, the application opens it, and the
content is exactly the state before or exactly the state after the job, never a mix.
The random seed is printed in every failure message so a failing run can be repeated
(``KILL_SEED=… pytest …``).
"""
from __future__ import annotations

import os
import random
import shutil
import signal
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
from sqlite3.dump import _iterdump as iterdump  # works on any DB-API connection (sqlcipher3 has no iterdump)
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from carecenter.app import open_store, seed_rule_tables
from carecenter.db.database import close_database
from carecenter.paths import DataPaths

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("KILL_SEED") or time.time_ns() % 1_000_000)
CADRES = 300
RANDOM_KILLS = 5

CHILD = r"""
import os, signal, sys
from datetime import date
from pathlib import Path

KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def die():
    sys.stdout.flush()
    os.kill(os.getpid(), KILL)


mode, data, arg, point = sys.argv[1:5]
from carecenter.app import open_store
from carecenter.paths import DataPaths
from carecenter.security import access
access.set_actor(access.system_actor("测试子进程"))

paths = DataPaths(Path(data))
open_store(paths)

if mode == "allowance":
    from carecenter.services import allowance

    def progress(percent, _text):
        if point == f"p{percent}":
            die()

    print("READY", flush=True)
    allowance.generate_month(date.fromisoformat(arg), progress=progress)
else:
    import carecenter.app as app_module
    from carecenter.exchange import backup
    from carecenter.services import audit

    def after(module, name, step, when=lambda *a: True):
        real = getattr(module, name)

        def wrapper(*a, **k):
            if point == "before_" + step and when(*a):
                die()
            result = real(*a, **k)
            if point == "after_" + step and when(*a):
                die()
            return result

        setattr(module, name, wrapper)

    after(backup, "commit_restore", "commit")      # before_commit: prepared, live file untouched
    after(backup, "_detach_live", "detach")        # WAL folded in, rollback-journal mode
    after(backup.os, "replace", "replace",          # the atomic swap (not a backup file's rename)
          when=lambda _src, dst, *r: Path(dst) == paths.database)
    after(app_module, "open_store", "reopen")      # reopened (and migrated) as at start-up
    after(audit, "record", "audit")
    print("READY", flush=True)
    backup.restore(paths, Path(arg))
print("DONE", flush=True)
"""


def run_child(mode: str, data: Path, arg: str, point: str = "-", kill_after: float | None = None):
    """Start the job; kill it ``kill_after`` seconds after it started (None: let it run).
    Returns (finished, seconds from READY to the end)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(data), arg, point], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = proc.stdout.readline().strip()
        assert ready == "READY", (ready, proc.stderr.read() if proc.poll() is not None else "")
        t0 = time.perf_counter()
        if kill_after is not None:
            time.sleep(kill_after)
            proc.kill()
        out, err = proc.communicate(timeout=60)
        elapsed = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    finished = "DONE" in out
    if proc.returncode == 0:
        assert finished, err
    else:   # killed: by the parent or by itself at a named step, never an error of its own
        assert "Traceback" not in err, err
        if hasattr(signal, "SIGKILL"):
            assert proc.returncode == -signal.SIGKILL, (proc.returncode, err)
    return finished, elapsed


def copy_folder(src: Path, dst: Path) -> DataPaths:
    shutil.copytree(src, dst)
    return DataPaths(dst)


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path))


def integrity(path: Path) -> str:
    con = connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def reopen_ok(paths: DataPaths) -> None:
    """The application opens the file after the kill (and cleans what the job left)."""
    from carecenter.exchange import backup

    open_store(paths)
    close_database()
    backup.cleanup_stale(paths)


def trial_plan(rng: random.Random, points: list[str], duration: float) -> list[tuple[str, float | None]]:
    plan: list[tuple[str, float | None]] = [(p, None) for p in points]
    plan += [("-", rng.uniform(0.0, duration * 1.3)) for _ in range(RANDOM_KILLS)]
    return plan


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    """A data folder with a few hundred cadres and their allowance facts; the database closed."""
    from carecenter.services import allowance, demo

    folder = tmp_path_factory.mktemp("township") / "data"
    paths = DataPaths(folder)
    open_store(paths)
    seed_rule_tables()
    demo.build(CADRES, history_years=1)
    month = allowance.add_month(date.today(), 1)
    allowance.generate_month(month)           # a month that a trial generates again
    close_database()
    return paths, month


# ================================================================ the allowance batch

def batch_state(path: Path, month: date):
    """(the month's batch or None, how many audit rows name the month's batch)."""
    from carecenter.services.allowance import fmt_month

    con = connect(path)
    try:
        audit = con.execute("SELECT count(*) FROM audit_log WHERE \"table\" = 'allowance_batch' AND summary LIKE ?",
                            (f"%{fmt_month(month)}津贴补贴%",)).fetchone()[0]
        row = con.execute("SELECT id, total_fen, status FROM allowance_batch WHERE month = ?",
                          (month.isoformat(),)).fetchone()
        if row is None:
            return None, audit
        lines = con.execute("SELECT uuid, amount_fen FROM allowance_line WHERE batch_id = ? AND archived = 0",
                            (row[0],)).fetchall()
        return {"total": row[1], "status": row[2], "uuids": {u for u, _ in lines},
                "sum": sum(a for _, a in lines), "count": len(lines)}, audit
    finally:
        con.close()


def test_killed_allowance_batch_is_all_or_nothing(township, tmp_path):
    from carecenter.services import allowance

    template, regen_month = township
    new_month = allowance.add_month(regen_month, 1)
    rng = random.Random(SEED)
    before_regen, audit0 = batch_state(template.database, regen_month)
    assert before_regen is not None and before_regen["count"] > CADRES // 2
    assert batch_state(template.database, new_month)[0] is None

    # a complete run of each job gives the "after" state and the job's duration
    ref = copy_folder(template.root, tmp_path / "ref")
    finished, first_s = run_child("allowance", ref.root, new_month.isoformat())
    assert finished
    after_new, audit_new = batch_state(ref.database, new_month)
    finished, regen_s = run_child("allowance", ref.root, regen_month.isoformat())
    assert finished
    after_regen, _ = batch_state(ref.database, regen_month)
    assert after_new["count"] > CADRES // 2 and after_new["total"] == after_new["sum"]
    assert after_regen["count"] == before_regen["count"]
    assert after_regen["total"] == before_regen["total"] and after_regen["uuids"].isdisjoint(before_regen["uuids"])

    plan = [(m, p, k) for m in (new_month, regen_month)
            for p, k in trial_plan(rng, ["p78", "p92", "p100"], first_s if m == new_month else regen_s)]
    rng.shuffle(plan)
    outcomes = {"none": 0, "all": 0}
    for i, (month, point, kill_after) in enumerate(plan[:2 * RANDOM_KILLS + 4]):
        paths = copy_folder(template.root, tmp_path / f"t{i}")
        finished, _ = run_child("allowance", paths.root, month.isoformat(), point, kill_after)
        where = f"seed {SEED}, trial {i}: month {month}, point {point}, kill after {kill_after}"
        assert integrity(paths.database) == "ok", where
        state, audit = batch_state(paths.database, month)
        if month == new_month:
            if state is None:                      # nothing of the job
                outcomes["none"] += 1
                assert audit == 0, where
            else:                                  # all of it
                outcomes["all"] += 1
                assert state["count"] == after_new["count"] and state["total"] == state["sum"] == after_new["total"], where
                assert audit == audit_new, where
        else:
            assert state is not None, where
            assert state["total"] == state["sum"], where
            if state["uuids"] == before_regen["uuids"]:
                outcomes["none"] += 1
                assert state["total"] == before_regen["total"] and audit == audit0, where
            else:
                outcomes["all"] += 1
                assert audit == audit0 + 1, where
                assert state["uuids"].isdisjoint(before_regen["uuids"]), where   # never old and new lines mixed
                assert state["count"] == after_regen["count"] and state["total"] == after_regen["total"], where
        if point == "p92":
            assert not finished and (state is None or state["uuids"] == before_regen["uuids"]), where
        if point == "p100":
            assert state is not None and (month == new_month or state["uuids"] != before_regen["uuids"]), where
        reopen_ok(paths)
    assert outcomes["none"] and outcomes["all"], (SEED, outcomes)


# ================================================================ restore

def dump(path: Path) -> list[str]:
    con = connect(path)
    try:
        # the audit trail is left out: a restore carries the live file's rows over (issue 10)
        return [line for line in iterdump(con)
                if not line.startswith(('INSERT INTO "audit_log"', 'INSERT INTO "sqlite_sequence"'))]
    finally:
        con.close()


@pytest.fixture(scope="module")
def restore_setup(township, tmp_path_factory):
    """The township folder (state A) and a backup of an earlier, different state (B)."""
    from carecenter.exchange import backup
    from carecenter.services import roster

    template, _month = township
    base = tmp_path_factory.mktemp("restore")
    earlier = copy_folder(template.root, base / "earlier")
    open_store(earlier)
    roster.save_unit({"name": "只在备份里的单位", "kind": "政府", "township": "青岭镇", "township_category": "镇"})
    made = backup.backup_now(earlier)
    close_database()
    file = base / "备份.db"
    shutil.copy(made.path, file)
    return template, file


def test_killed_restore_leaves_the_old_or_the_restored_database(restore_setup, tmp_path):
    template, file = restore_setup
    rng = random.Random(SEED + 1)
    old = dump(template.database)
    restored = dump(file)
    assert old != restored

    ref = copy_folder(template.root, tmp_path / "ref")
    finished, duration = run_child("restore", ref.root, str(file))
    assert finished and dump(ref.database) == restored

    points = ["before_commit", "after_detach", "before_replace", "after_replace", "after_reopen", "before_audit"]
    outcomes = {"old": 0, "restored": 0}
    for i, (point, kill_after) in enumerate(trial_plan(rng, points, duration)):
        paths = copy_folder(template.root, tmp_path / f"t{i}")
        run_child("restore", paths.root, str(file), point, kill_after)
        where = f"seed {SEED + 1}, trial {i}: point {point}, kill after {kill_after}"
        assert integrity(paths.database) == "ok", where
        now = dump(paths.database)
        assert now in (old, restored), where       # byte for byte one or the other, never a mix
        outcomes["old" if now == old else "restored"] += 1
        if point in ("before_commit", "after_detach", "before_replace"):
            assert now == old, where
        if point in ("after_replace", "after_reopen", "before_audit"):
            assert now == restored, where
        reopen_ok(paths)
        assert dump(paths.database) == now, where  # reopening changes nothing
        assert not list(paths.root.glob("*.restoring*")), where
    assert outcomes["old"] and outcomes["restored"], (SEED + 1, outcomes)
