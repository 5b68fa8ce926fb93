"""Opening a database (issue 12): not ours, too new and damaged are three different
messages and nothing is written to such a file; an up-to-date database is opened
without writing, so reading works while another process holds the write lock."""
from __future__ import annotations

import hashlib
import os
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
import subprocess
import sys
from pathlib import Path

import pytest

from carecenter.db import database
from tests.conftest import TEST_PASSWORD, add_accounts, foreign_sqlite

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def closed(store):
    from carecenter.services import roster

    for i in range(60):
        roster.save_unit({"name": f"单位{i:02d}" + "很长的名称" * 30, "kind": "政府", "township": "城关镇",
                          "township_category": "镇"})
    add_accounts()
    database.close_database()
    for side in ("-wal", "-shm"):
        assert not store.database.with_name(store.database.name + side).exists()
    return store


def zero_pages(path: Path, start_page: int = 3) -> None:
    page = 4096
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for offset in range(start_page * page, size - page, 4 * page):
            fh.seek(offset)
            fh.write(b"\x00" * page)


def test_a_damaged_database_is_refused_and_left_byte_for_byte(closed):
    zero_pages(closed.database)
    before = digest(closed.database)
    with pytest.raises(database.DatabaseDamaged) as err:
        database.open_database(closed.database)
    assert "已损坏" in str(err.value) and "不是关心关爱中心" not in str(err.value)
    assert digest(closed.database) == before


def test_a_truncated_database_of_ours_is_damaged_not_foreign(closed):
    data = closed.database.read_bytes()
    closed.database.write_bytes(data[: len(data) // 3])
    with pytest.raises(database.DatabaseDamaged):
        database.open_database(closed.database)


def test_three_different_messages(tmp_path, closed):
    foreign = foreign_sqlite(tmp_path / "other.db", "CREATE TABLE t (x)")
    with pytest.raises(database.NotOurDatabase) as not_ours:
        database.open_database(foreign)
    con = sqlite3.connect(str(closed.database))
    con.execute(f"PRAGMA user_version = {database.known_version() + 1}")
    con.commit()
    con.close()
    with pytest.raises(database.DatabaseTooNew) as too_new:
        database.open_database(closed.database)
    messages = {str(not_ours.value), str(too_new.value)}
    assert "不是关心关爱中心的数据库" in str(not_ours.value) and "更新版本" in str(too_new.value)
    assert len(messages) == 2


def test_opening_an_up_to_date_database_writes_nothing(closed):
    before = digest(closed.database)
    database.open_database(closed.database)
    database.db.execute_sql("SELECT count(*) FROM unit").fetchone()
    database.close_database()
    assert digest(closed.database) == before


def test_reading_works_while_another_process_holds_the_write_lock(closed):
    holder = sqlite3.connect(str(closed.database), timeout=0)
    holder.execute("PRAGMA journal_mode=wal")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
    try:
        database.open_database(closed.database)
        assert database.db.execute_sql("SELECT count(*) FROM unit").fetchone()[0] == 60
    finally:
        database.close_database()
        holder.rollback()
        holder.close()


def test_cli_names_the_newest_backup_of_a_damaged_database(closed, tmp_path):
    from carecenter.app import open_store
    from carecenter.exchange import backup

    open_store(closed)
    made = backup.backup_now(closed, backup.KIND_AUTO)
    database.close_database()
    zero_pages(closed.database)
    env = dict(os.environ, PYTHONIOENCODING="utf-8", CARECENTER_PASSWORD=TEST_PASSWORD)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--user", "tester", "--data-dir",
                           str(closed.root), "export", "roster", "--out", str(tmp_path / "r.xlsx")], cwd=ROOT,
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "已损坏" in proc.stderr and made.path.name in proc.stderr and "restore" in proc.stderr


def test_a_large_file_is_checked_in_the_background_and_nothing_is_written_before(closed, monkeypatch):
    """Above SYNC_CHECK_BYTES the open does not wait for quick_check; the sign-in's
    bookkeeping waits for it, and a damaged file gets no write at all."""
    from carecenter.services import accounts, audit

    monkeypatch.setattr(database, "SYNC_CHECK_BYTES", 0)
    zero_pages(closed.database, start_page=closed.database.stat().st_size // 4096 * 3 // 4)   # data, not schema
    before = digest(closed.database)
    database.open_database(closed.database)            # returns at once
    assert database.check_state() in ("running", "damaged")
    result = accounts.sign_in("jingban", TEST_PASSWORD)  # signs in; its rows are held back
    assert result.actor.login == "jingban"
    with pytest.raises(database.DatabaseDamaged):
        audit.record("view", "cadre", "x", "查看")
    assert database.check_state() == "damaged"
    database.close_database()
    assert digest(closed.database) == before


def test_held_back_sign_in_rows_are_written_once_the_check_passes(closed, monkeypatch):
    from carecenter.db.models import AuditLog
    from carecenter.services import accounts, audit

    monkeypatch.setattr(database, "SYNC_CHECK_BYTES", 0)
    database.open_database(closed.database)
    accounts.sign_in("jingban", TEST_PASSWORD)
    audit.record("view", "cadre", "x", "查看之后")
    rows = [r.summary for r in AuditLog.select().order_by(AuditLog.id.desc()).limit(2)]
    assert rows == ["查看之后", "jingban（演示经办人） 登录"]          # in the order they happened
    assert database.check_state() == "ok"
