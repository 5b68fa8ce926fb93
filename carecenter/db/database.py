"""The one SQLite database: deferred init, pragmas, schema migrations.

Pattern from peewee's docs: ``SqliteDatabase(None)`` at import time, ``init()``
with the real path at start-up.  Migrations live in ``migrations/NNNN_name.py``
and are applied by ``playhouse.migrations.Runner``; the file is copied aside
before any of them runs, and a database written by a newer version of the
application is refused untouched.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

from playhouse.migrations import Runner

from . import engine
from .cipher import KeyedSqliteDatabase

#: peewee's SqliteDatabase over SQLCipher's library: keyed when the file is encrypted
#: (``open_database(..., key=…)``), plaintext otherwise
db = KeyedSqliteDatabase(None)

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


def _inspect(path: Path, key: bytes | None = None) -> tuple[int, int, bool]:
    """(user_version, application_id, has_tables), read-only.

    Without a -wal file beside it the file is opened as immutable, so looking at a
    WAL-mode file we then refuse leaves no -wal/-shm files behind.  A wrong ``key``
    raises ``cipher.DatabaseKeyMismatch``.
    """
    uri = engine.read_only_uri(path)
    if key is None:
        con = engine.connect(uri, uri=True)
    else:
        from . import cipher

        con = cipher.connect(uri, key, uri=True)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        has_tables = con.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table'"
        ).fetchone()[0] > 0
    finally:
        con.close()
    return version, app_id, has_tables


def check_ours(path: Path, key: bytes | None = None) -> tuple[int, bool]:
    """(schema version, has_tables) of an existing file, read without changing it.

    Raises NotOurDatabase (not SQLite, or another program's database) or
    DatabaseTooNew (written by a newer version of the application); with a ``key``,
    DatabaseKeyMismatch when it does not open the file.
    """
    path = Path(path)
    if key is not None:
        from . import cipher

        if cipher.is_plaintext(path):
            raise cipher.DatabaseNotEncrypted(path)
    try:
        version, app_id, has_tables = _inspect(path, key)
    except engine.DatabaseError:
        if header_is_ours(path):
            raise DatabaseDamaged(path) from None
        raise NotOurDatabase(path) from None
    if has_tables and app_id != APP_ID:
        raise NotOurDatabase(path)
    known = known_version()
    if version > known:
        raise DatabaseTooNew(path, version, known)
    return version, has_tables


def check_before_open(path: Path) -> None:
    """What a command checks before it asks for a password: a plaintext file must be ours
    and not too new (``check_ours``); an encrypted one is checked when its key opens it
    (a file that is neither is refused then, with the key file's message or 不是…数据库)."""
    from . import cipher

    if cipher.is_plaintext(path):
        check_ours(path)


def quick_check(path: Path, key: bytes | None = None) -> None:
    """``PRAGMA quick_check`` through a read-only connection: raises DatabaseDamaged (and
    nothing is written) when SQLite finds a damaged page or record (in an encrypted file,
    a page whose HMAC fails)."""
    try:
        con = engine.connect(engine.read_only_uri(path, immutable=False), key, uri=True)
    except engine.DatabaseError:
        raise DatabaseDamaged(path) from None
    try:
        result = con.execute("PRAGMA quick_check").fetchone()[0]
    except engine.DatabaseError:
        result = "unreadable"
    finally:
        con.close()
    if result != "ok":
        raise DatabaseDamaged(path)


#: files up to this size are checked before opening; larger ones (the 50,000-cadre
#: benchmark's 1 GB takes seconds) in the background, with every write held back until
#: the check has passed (``ensure_checked``)
SYNC_CHECK_BYTES = 64 * 1024 * 1024

_check_lock = threading.Lock()
_check: "Future[str] | None" = None
_check_path: Path | None = None
_pending: list = []


def _run_check(path: Path, key: bytes | None) -> str:
    try:
        quick_check(path, key)
        return "ok"
    except DatabaseDamaged:
        return "damaged"


def start_background_check(path: Path, key: bytes | None = None) -> None:
    global _check, _check_path
    with _check_lock:
        _check_path = Path(path)
        _check = Future()
        future = _check

    def work():
        try:
            future.set_result(_run_check(Path(path), key))
        except BaseException as err:  # pragma: no cover - reported at the first write
            future.set_exception(err)

    threading.Thread(target=work, name="quick-check", daemon=True).start()


def reset_check() -> None:
    """Forget the previous file's check and held-back writes (a new file is being opened)."""
    global _check, _check_path
    with _check_lock:
        _check, _check_path = None, None
    _pending.clear()


def check_state() -> str:
    """'ok' (checked, or nothing to check), 'running' or 'damaged'."""
    with _check_lock:
        future = _check
    if future is None:
        return "ok"
    if not future.done():
        return "running"
    return future.result()


def ensure_checked() -> None:
    """Wait for the open-time check; raise DatabaseDamaged (nothing written) when it
    failed; then run the writes that were held back, in order."""
    global _check
    with _check_lock:
        future, path = _check, _check_path
    if future is not None:
        if future.result() != "ok":
            raise DatabaseDamaged(path or Path(db.database or ""))
        with _check_lock:
            if _check is future:
                _check = None
    while _pending:
        _pending.pop(0)()


def when_checked(write) -> None:
    """Run ``write`` now when the database has been checked, else as soon as it is (at the
    next ``ensure_checked``): sign-in bookkeeping does not keep the window waiting."""
    if check_state() == "ok" and not _pending:
        ensure_checked()
        write()
    else:
        _pending.append(write)


def open_database(path: Path, backup_dir: Path | None = None, check: bool = True,
                  key: bytes | None = None) -> list[str]:
    """Open (creating if needed) and migrate the database; return applied migration names.

    ``key``: the raw 32-byte data key of an encrypted file (a new file is then created
    encrypted); None opens a plaintext file.  Raises DatabaseTooNew, NotOurDatabase,
    DatabaseDamaged or (with a key) DatabaseKeyMismatch / DatabaseNotEncrypted, all
    without touching the file.  An up-to-date database is opened without writing
    anything (no pragma writes, no migration bookkeeping), so reading commands work
    while another process writes.  The copy made aside before a migration is encrypted
    with the same key.
    """
    path = Path(path)
    known = known_version()
    exists = path.exists() and path.stat().st_size > 0
    version = 0
    reset_check()
    if exists:
        version, has_tables = check_ours(path, key)
        pending = version < known and has_tables
        if check and has_tables:
            if pending or path.stat().st_size <= SYNC_CHECK_BYTES:
                quick_check(path, key)
            else:
                start_background_check(path, key)
        fresh = not has_tables
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        pending, fresh = False, True
    if pending:
        copy_aside(path, backup_dir or path.parent / "pre-migration", f"v{version}", key)
    return _connect_and_migrate(path, pending or fresh, known, key=key)


def _connect_and_migrate(path: Path, migrate: bool, known: int, key: bytes | None = None) -> list[str]:
    """(Re)open the shared ``db`` on ``path`` (``init``: the key of an encrypted one) and,
    when ``migrate``, apply the pending migrations and stamp the file as ours at ``known``."""
    if not db.is_closed():
        db.close()
    db.init(str(path), pragmas=PRAGMAS, key=key)
    db.connect(reuse_if_open=True)
    applied: list[str] = []
    if migrate:
        applied = Runner(db, directory=str(MIGRATIONS_DIR)).up()
        db.execute_sql(f"PRAGMA application_id = {APP_ID}")
        db.execute_sql(f"PRAGMA user_version = {known}")
    return applied


def copy_aside(path: Path, folder: Path, label: str, key: bytes | None = None) -> Path:
    """Consistent copy of a live database with SQLite's backup API (encrypted with the
    same ``key``)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{label}-{stamp}{path.suffix}"
    src = engine.connect(path, key)
    dst = engine.connect(target, key)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def close_database() -> None:
    """Close the store; writes held back for the open-time check are made first when it
    passed (a quick command may end before a large file's check does)."""
    if _pending and not db.is_closed():
        try:
            ensure_checked()
        except DatabaseDamaged:
            pass
    if not db.is_closed():
        db.close()
    reset_check()


# ---------------------------------------------------------------- a candidate file (restore)

def migrate_file(path: Path, key: bytes | None = None) -> list[str]:
    """Apply this version's migrations to a database file that is not the open one
    (a restore candidate copied aside); returns the applied names."""
    other = KeyedSqliteDatabase(str(path), pragmas={"foreign_keys": 1}, key=key)
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
            con = engine.connect(path)
            try:
                _EXPECTED = schema_of(con)
            finally:
                con.close()
    return _EXPECTED


def unexpected_schema(path: Path, key: bytes | None = None) -> list[str]:
    """What the (migrated) file has or lacks against the expected schema: each as a
    Chinese phrase such as 「多出的触发器 x」; empty when they agree."""
    con = engine.connect(path, key)
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
