"""The one SQLite database: deferred init, pragmas, schema migrations.

Pattern from peewee's docs: ``SqliteDatabase(None)`` at import time, ``init()``
with the real path at start-up.  Migrations live in ``migrations/NNNN_name.py``
and are applied by ``playhouse.migrations.Runner``; the file is copied aside
before any of them runs, and a database written by a newer version of the
application is refused untouched.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from peewee import SqliteDatabase
from playhouse.migrations import Runner

db = SqliteDatabase(None)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -32000,
    "busy_timeout": 5000,
}
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
APP_ID = 0x43434354  # 'CCCT': marks a file as ours


class DatabaseTooNew(Exception):
    """The file was written by a newer version of the application."""

    def __init__(self, path: Path, found: int, known: int):
        self.path, self.found, self.known = path, found, known
        super().__init__(
            f"数据库文件 {path} 由更新版本的程序创建（结构版本 {found}，本程序只认识到 {known}）。"
            "为保护数据，本程序不会打开或修改它；请安装新版本后再打开。"
        )


class NotOurDatabase(Exception):
    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"文件 {path} 不是关心关爱中心的数据库，未作任何修改。")


class DatabaseDamaged(Exception):
    """The file is one of ours (its header says so) but SQLite cannot read it whole."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"数据库文件 {path} 已损坏，无法读取，程序没有改动它。请从备份恢复（「数据备份」页或 "
                         f"python main.py restore）。")


def header_is_ours(path: Path) -> bool:
    """The 100-byte SQLite header names our application id (bytes 68–71)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return False
    return len(head) == 100 and head.startswith(b"SQLite format 3\x00") and \
        int.from_bytes(head[68:72], "big") == APP_ID


def known_version() -> int:
    return max((m.idx for m in _runner_migrations()), default=0)


def _runner_migrations():
    from playhouse.migrations import Migration

    return Migration.load_directory(str(MIGRATIONS_DIR))


def _inspect(path: Path) -> tuple[int, int, bool]:
    """(user_version, application_id, has_tables) read with plain sqlite3, read-only.

    Without a -wal file beside it the file is opened as immutable, so looking at a
    WAL-mode file we then refuse leaves no -wal/-shm files behind.
    """
    wal = path.with_name(path.name + "-wal")
    uri = path.resolve().as_uri() + "?mode=ro" + ("" if wal.exists() else "&immutable=1")
    con = sqlite3.connect(uri, uri=True)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        has_tables = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table'"
        ).fetchone()[0] > 0
    finally:
        con.close()
    return version, app_id, has_tables


def check_ours(path: Path) -> tuple[int, bool]:
    """(schema version, has_tables) of an existing file, read without changing it.

    Raises NotOurDatabase (not SQLite, or another program's database) or
    DatabaseTooNew (written by a newer version of the application).
    """
    path = Path(path)
    try:
        version, app_id, has_tables = _inspect(path)
    except sqlite3.DatabaseError:
        if header_is_ours(path):
            raise DatabaseDamaged(path) from None
        raise NotOurDatabase(path) from None
    if has_tables and app_id != APP_ID:
        raise NotOurDatabase(path)
    known = known_version()
    if version > known:
        raise DatabaseTooNew(path, version, known)
    return version, has_tables


def quick_check(path: Path) -> None:
    """``PRAGMA quick_check`` through a read-only connection: raises DatabaseDamaged (and
    nothing is written) when SQLite finds a damaged page or record."""
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        raise DatabaseDamaged(path) from None
    try:
        result = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError:
        result = "unreadable"
    finally:
        con.close()
    if result != "ok":
        raise DatabaseDamaged(path)


def open_database(path: Path, backup_dir: Path | None = None, check: bool = True) -> list[str]:
    """Open (creating if needed) and migrate the database; return applied migration names.

    Raises DatabaseTooNew, NotOurDatabase or DatabaseDamaged without touching the file.
    An up-to-date database is opened without writing anything (no pragma writes, no
    migration bookkeeping), so reading commands work while another process writes.
    """
    path = Path(path)
    known = known_version()
    exists = path.exists() and path.stat().st_size > 0
    version = 0
    if exists:
        version, has_tables = check_ours(path)
        if check and has_tables:
            quick_check(path)
        pending = version < known and has_tables
        fresh = not has_tables
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        pending, fresh = False, True
    if pending:
        copy_aside(path, backup_dir or path.parent / "pre-migration", f"v{version}")
    if not db.is_closed():
        db.close()
    db.init(str(path), pragmas=PRAGMAS)
    db.connect(reuse_if_open=True)
    applied: list[str] = []
    if pending or fresh:
        applied = Runner(db, directory=str(MIGRATIONS_DIR)).up()
        db.execute_sql(f"PRAGMA application_id = {APP_ID}")
        db.execute_sql(f"PRAGMA user_version = {known}")
    return applied


def copy_aside(path: Path, folder: Path, label: str) -> Path:
    """Consistent copy of a live database with SQLite's backup API."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{label}-{stamp}{path.suffix}"
    src = sqlite3.connect(str(path))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def close_database() -> None:
    if not db.is_closed():
        db.close()


# ---------------------------------------------------------------- a candidate file (restore)

def migrate_file(path: Path) -> list[str]:
    """Apply this version's migrations to a database file that is not the open one
    (a restore candidate copied aside); returns the applied names."""
    from peewee import SqliteDatabase as _Db

    other = _Db(str(path), pragmas={"foreign_keys": 1})
    try:
        other.connect()
        applied = Runner(other, directory=str(MIGRATIONS_DIR)).up()
        other.execute_sql(f"PRAGMA application_id = {APP_ID}")
        other.execute_sql(f"PRAGMA user_version = {known_version()}")
        return applied
    finally:
        other.close()


def schema_of(con) -> set[tuple[str, str, str, str]]:
    """(type, name, table, normalised SQL) of every table, index, trigger and view,
    SQLite's own objects left out."""
    rows = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(t, n, tbl, " ".join((sql or "").split())) for t, n, tbl, sql in rows
            if not n.startswith("sqlite_")}


_EXPECTED: set | None = None


def expected_schema() -> set[tuple[str, str, str, str]]:
    """The schema a new database gets from this version's migrations (computed once)."""
    global _EXPECTED
    if _EXPECTED is None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "expected.db"
            migrate_file(path)
            con = sqlite3.connect(str(path))
            try:
                _EXPECTED = schema_of(con)
            finally:
                con.close()
    return _EXPECTED


def unexpected_schema(path: Path) -> list[str]:
    """What the (migrated) file has or lacks against the expected schema: each as a
    Chinese phrase such as 「多出的触发器 x」; empty when they agree."""
    con = sqlite3.connect(str(path))
    try:
        found = schema_of(con)
    finally:
        con.close()
    expected = expected_schema()
    kinds = {"table": "表", "index": "索引", "trigger": "触发器", "view": "视图"}
    exp_names = {(t, n): s for t, n, _tbl, s in expected}
    out = []
    for t, n, _tbl, s in sorted(found - expected):
        what = kinds.get(t, t)
        out.append(f"{'结构不同的' if (t, n) in exp_names else '多出的'}{what}「{n}」")
    found_names = {(t, n) for t, n, _tbl, _s in found}
    for t, n, _tbl, _s in sorted(expected - found):
        if (t, n) not in found_names:
            out.append(f"缺少{kinds.get(t, t)}「{n}」")
    return out
