"""Opening the store: fresh files, idempotent re-opens, upgrades that copy the file aside
first, and files the application must refuse without touching (ARCHITECTURE.md: schema
version checked at open, refuse a database from a newer version; backup before migrating)."""
from __future__ import annotations

import hashlib
import shutil
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
from pathlib import Path

import pytest

from carecenter.app import open_store
from carecenter.db import database
from carecenter.db.database import (
    APP_ID,
    DatabaseTooNew,
    NotOurDatabase,
    close_database,
    known_version,
    open_database,
)
from carecenter.db.models import ALL_MODELS
from carecenter.paths import DataPaths

REAL_MIGRATIONS = database.MIGRATIONS_DIR


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path) -> set[str]:
    con = sqlite3.connect(str(path))
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def pragma(path: Path, name: str):
    con = sqlite3.connect(str(path))
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _closed():
    yield
    close_database()


# ---------------------------------------------------------------- fresh and idempotent

def test_fresh_database_gets_every_table(store):
    path = store.database
    close_database()
    expected = {m._meta.table_name for m in ALL_MODELS}
    assert expected <= tables(path), sorted(expected - tables(path))
    assert "schema_migration" in tables(path)
    assert pragma(path, "user_version") == known_version()
    assert pragma(path, "application_id") == APP_ID
    assert not store.pre_migration.exists()  # nothing to copy aside for a new file


def test_known_version_counts_the_migration_files():
    files = sorted(REAL_MIGRATIONS.glob("[0-9]*.py"))
    assert files
    assert known_version() == max(int(f.name[:4]) for f in files)


def test_open_twice_is_idempotent(tmp_path):
    paths = DataPaths(tmp_path / "data")
    first = open_store(paths)
    assert first  # every migration applied once
    from carecenter.db.models import Choice
    seeded = Choice.select().count()
    assert seeded > 0
    close_database()
    schema_before = _schema_sql(paths.database)
    second = open_store(paths)
    assert second == []
    assert Choice.select().count() == seeded  # pick lists not seeded twice
    close_database()
    assert _schema_sql(paths.database) == schema_before
    assert not paths.pre_migration.exists()  # an up-to-date file is not copied


def test_pragmas_wal_and_foreign_keys(store):
    db = database.db
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    import peewee
    with pytest.raises(peewee.IntegrityError):
        db.execute_sql(
            "INSERT INTO family_member (uuid, created_at, updated_at, archived, cadre_id, name, relation,"
            " lives_with, residence, phone, work_unit) VALUES ('u', '2026-01-01', '2026-01-01', 0, 9999,"
            " '李四', '配偶', 1, '', '', '')")


def _schema_sql(path: Path) -> list:
    con = sqlite3.connect(str(path))
    try:
        return sorted(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall(), key=str)
    finally:
        con.close()


# ---------------------------------------------------------------- upgrades

PROBE = '''
"""Test-only migration: records what the pre-migration folder held when it ran."""
from pathlib import Path


def up(migrator, database):
    folder = Path({folder!r})
    found = sorted(p.name for p in folder.glob("*.db")) if folder.exists() else []
    database.execute_sql("CREATE TABLE probe (name TEXT NOT NULL)")
    for name in found:
        database.execute_sql("INSERT INTO probe (name) VALUES (?)", (name,))
    database.execute_sql("ALTER TABLE unit ADD COLUMN motto TEXT NOT NULL DEFAULT ''")


def down(migrator, database):
    database.execute_sql("DROP TABLE probe")
'''


def _old_database(tmp_path, monkeypatch) -> tuple[DataPaths, Path]:
    """A database at version 1 (only 0001 applied) holding a unit and a cadre."""
    old_dir = tmp_path / "migrations-v1"
    old_dir.mkdir()
    shutil.copy(REAL_MIGRATIONS / "0001_roster.py", old_dir)
    monkeypatch.setattr(database, "MIGRATIONS_DIR", old_dir)
    paths = DataPaths(tmp_path / "data").ensure()
    assert open_database(paths.database, paths.pre_migration) == ["0001_roster"]
    db = database.db
    db.execute_sql("INSERT INTO unit (uuid, created_at, updated_at, archived, name) "
                   "VALUES ('unit-1', '2020-01-01 08:00:00', '2020-01-01 08:00:00', 0, '城关镇党委')")
    db.execute_sql(
        "INSERT INTO cadre (uuid, created_at, updated_at, archived, name, name_initials, sex, id_number,"
        " birth_date, unit_id) VALUES ('cadre-1', '2020-01-01 08:00:00', '2020-01-01 08:00:00', 0,"
        " '张三', ' zs', '女', '11010519491231002X', '1949-12-31', 1)")
    close_database()
    assert pragma(paths.database, "user_version") == 1
    return paths, old_dir


def test_upgrade_copies_the_file_aside_before_migrating(tmp_path, monkeypatch):
    paths, old_dir = _old_database(tmp_path, monkeypatch)
    old_bytes_schema = _schema_sql(paths.database)
    (old_dir / "0002_probe.py").write_text(PROBE.format(folder=str(paths.pre_migration)), encoding="utf-8")
    assert database.known_version() == 2

    applied = open_database(paths.database, paths.pre_migration)
    assert applied == ["0002_probe"]

    # the copy existed when the migration ran
    seen = [r[0] for r in database.db.execute_sql("SELECT name FROM probe").fetchall()]
    assert len(seen) == 1 and "v1" in seen[0], seen
    # data survives the upgrade, and the new column has its default
    rows = database.db.execute_sql("SELECT name, motto FROM unit").fetchall()
    assert rows == [("城关镇党委", "")]
    assert database.db.execute_sql("SELECT name, id_number FROM cadre").fetchall() == [
        ("张三", "11010519491231002X")]
    close_database()
    assert pragma(paths.database, "user_version") == 2

    # the copy is the old file: old version, old schema, same data
    backups = list(paths.pre_migration.glob("*.db"))
    assert len(backups) == 1
    backup = backups[0]
    assert pragma(backup, "user_version") == 1
    assert "probe" not in tables(backup)
    assert _schema_sql(backup) == old_bytes_schema
    con = sqlite3.connect(str(backup))
    try:
        assert con.execute("SELECT name FROM cadre").fetchall() == [("张三",)]
    finally:
        con.close()


def test_upgrade_from_v1_to_current_keeps_data(tmp_path, monkeypatch):
    """The real migrations after 0001 run on a populated version-1 file."""
    paths, _ = _old_database(tmp_path, monkeypatch)
    monkeypatch.setattr(database, "MIGRATIONS_DIR", REAL_MIGRATIONS)
    applied = open_store(paths)
    assert applied == [f.stem for f in sorted(REAL_MIGRATIONS.glob("[0-9]*.py"))][1:]
    from carecenter.db.models import Cadre, Unit
    assert [c.name for c in Cadre.select()] == ["张三"]
    assert [u.name for u in Unit.select()] == ["城关镇党委"]
    close_database()
    assert len(list(paths.pre_migration.glob("*.db"))) == 1
    assert pragma(paths.database, "user_version") == known_version()

    fresh = DataPaths(tmp_path / "fresh")
    open_store(fresh)
    close_database()
    upgraded = [r for r in _schema_sql(paths.database) if r[0] != "table" or r[1] != "schema_migration"]
    new = [r for r in _schema_sql(fresh.database) if r[0] != "table" or r[1] != "schema_migration"]
    assert upgraded == new


# ---------------------------------------------------------------- refusals

def test_database_too_new_is_refused_untouched(tmp_path):
    paths = DataPaths(tmp_path / "data")
    open_store(paths)
    close_database()
    con = sqlite3.connect(str(paths.database))
    con.execute(f"PRAGMA user_version = {known_version() + 1}")
    con.commit()
    con.close()
    before = sha(paths.database)
    listing = sorted(p.name for p in paths.root.iterdir())

    with pytest.raises(DatabaseTooNew) as exc:
        open_store(paths)
    err = exc.value
    assert err.found == known_version() + 1 and err.known == known_version()
    assert "更新版本" in str(err) and "不会打开或修改" in str(err)
    assert sha(paths.database) == before
    assert not paths.pre_migration.exists()
    assert sorted(p.name for p in paths.root.iterdir()) == listing


def test_not_sqlite_file_is_refused_untouched(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "carecenter.db"
    path.write_bytes("这不是数据库 — just a spreadsheet export\n".encode() * 100)
    before = sha(path)
    with pytest.raises(NotOurDatabase) as exc:
        open_database(path, folder / "pre-migration")
    assert "不是关心关爱中心的数据库" in str(exc.value)
    assert sha(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["carecenter.db"]


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "carecenter.db"
    con = sqlite3.connect(str(path))
    con.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER)")
    con.execute("INSERT INTO ledger (amount) VALUES (100)")
    con.commit()
    con.close()
    before = sha(path)
    with pytest.raises(NotOurDatabase):
        open_database(path, folder / "pre-migration")
    assert sha(path) == before
    assert sorted(p.name for p in folder.iterdir()) == ["carecenter.db"]


def test_empty_file_is_initialised(tmp_path):
    path = tmp_path / "carecenter.db"
    path.touch()
    assert open_database(path)
    close_database()
    assert pragma(path, "application_id") == APP_ID


def test_reopen_in_folder_with_uri_special_characters(tmp_path):
    """'#', '?', '%' and spaces in the data folder must not make our own file look foreign."""
    paths = DataPaths(tmp_path / "资料 #1 ?备份 %20")
    assert open_store(paths)
    close_database()
    assert open_store(paths) == []
