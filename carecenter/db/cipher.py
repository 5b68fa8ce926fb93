"""SQLCipher for the store (issue 11): keyed connections and plaintext → encrypted conversion.

The database is encrypted with SQLCipher 4 (``sqlcipher3``) under a *raw* 256-bit key
(``PRAGMA key = "x'<64 hex>'"``): SQLCipher skips its own PBKDF2 on that path, so
opening costs nothing beyond the page decryption; the slow password derivation
happens once, in ``carecenter.security.keys``, when the key is unwrapped.

``KeyedSqliteDatabase`` is peewee's ``SqliteDatabase`` connecting through SQLCipher's
library (``engine``), keyed when ``init(..., key=…)`` is given a key, plaintext
otherwise (a database from before the encryption; ``bench --plain``).

``encrypt_file`` converts a plaintext database into an encrypted one in place:
export into a new file beside it, verify, fsync, atomic rename.  A failure at any
point (disk full, kill -9) leaves the plaintext original in place and usable.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from peewee import SqliteDatabase

from ..domain.errors import DomainError
from ..durable import fsync_dir as _fsync_dir
from ..durable import fsync_file as _fsync
from . import engine
from .engine import KEY_BYTES, key_pragma  # noqa: F401 - part of this module's interface
from .engine import sqlite as sqlcipher

PLAIN_HEADER = b"SQLite format 3\x00"
CONVERTING = ".encrypting"     # suffix of the new file while a conversion writes it

Progress = Callable[[int, str], None]


class DatabaseKeyError(DomainError):
    """The database cannot be opened (or converted) with the key given."""


class DatabaseKeyMismatch(DatabaseKeyError):
    def __init__(self, path: Path):
        super().__init__(
            "database_key_mismatch",
            f"数据库 {path} 无法用密钥文件中的密钥打开：密钥文件与数据库不配套（可能来自另一台电脑或另一套数据），"
            "或数据库文件已损坏。请把与这个数据库一起保存的 carecenter.keys 放回，或从备份恢复", None,
            path=str(path))


class DatabaseNotEncrypted(DatabaseKeyError):
    def __init__(self, path: Path):
        super().__init__("database_not_encrypted", f"数据库 {path} 尚未加密，不能用密钥打开；请先把它转换为加密数据库",
                         None, path=str(path))


class AlreadyEncrypted(DatabaseKeyError):
    def __init__(self, path: Path):
        super().__init__("already_encrypted", f"数据库 {path} 已经是加密的，无需再转换", None, path=str(path))


class ConversionFailed(DatabaseKeyError):
    def __init__(self, path: Path, detail: str):
        super().__init__(
            "conversion_failed", f"数据库加密没有完成：{detail}。原数据库 {path} 未改动，仍可照常使用", None,
            path=str(path), detail=detail)


_check_key = engine.check_key
_key_literal = engine.key_literal


def is_plaintext(path: Path) -> bool:
    """True for an ordinary SQLite file (its 16-byte header is readable text)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def is_encrypted(path: Path) -> bool:
    """True for a non-empty file that is not a plaintext SQLite database (an SQLCipher
    file starts with its random salt)."""
    path = Path(path)
    return path.is_file() and path.stat().st_size > 0 and not is_plaintext(path)


def connect(path: Path, key: bytes, *, uri: bool = False, **kwargs):
    """An SQLCipher connection to ``path`` keyed with ``key``; raises DatabaseKeyMismatch
    when the key does not open the file (checked by reading the schema)."""
    con = engine.connect(path, key, uri=uri, **kwargs)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        con.close()
        raise DatabaseKeyMismatch(Path(path)) from None
    except BaseException:
        con.close()
        raise
    return con


#: the page cache of the encrypted store's own connections (``KeyedSqliteDatabase`` with a key:
#: the GUI thread's and every worker's), in KiB, instead of database.PRAGMAS' 32 MiB.  A page
#: read again from SQLite's cache costs nothing; from the file, a decryption and an HMAC check
#: (from a plaintext file, a copy out of the OS cache).  64 MiB holds the indexes the large
#: lists count over (the leave and welfare lists read 40–53 MB; warm, at 50,000 cadres × 10
#: years: 124 → 28 ms and 206 → 70 ms CPU).  It fills only as pages are read (the list figures:
#: +6 MB peak memory); checks and copies (``engine.connect``) keep SQLite's default.
STORE_CACHE_KIB = 65536


class KeyedSqliteDatabase(SqliteDatabase):
    """peewee's ``SqliteDatabase`` connecting through SQLCipher's library (``engine``),
    keyed when ``init`` got a ``key``; ``init`` without a key forgets an earlier one and
    opens plaintext files."""

    def __init__(self, database, *args, key: bytes | None = None, **kwargs):
        self._cipher_key = None
        super().__init__(database, *args, key=key, **kwargs)    # peewee hands ``key`` on to init()

    def init(self, database, key: bytes | None = None, **kwargs):
        self._cipher_key = None if key is None else _check_key(key)
        super().init(database, **kwargs)

    @property
    def encrypted(self) -> bool:
        return self._cipher_key is not None

    @property
    def key(self) -> bytes | None:
        """The key the store was opened with (None: a plaintext file)."""
        return self._cipher_key

    def _connect(self):
        conn = sqlcipher.connect(self.database, timeout=self._timeout, isolation_level=None,
                                 **self.connect_params)
        try:
            engine.apply_key(conn, self._cipher_key)   # before any other statement
            self._add_conn_hooks(conn)                 # database.PRAGMAS
            if self._cipher_key is not None:
                conn.execute(f"PRAGMA cache_size = -{STORE_CACHE_KIB}")
        except Exception:
            conn.close()
            raise
        return conn


# ---------------------------------------------------------------- inspecting and copying

def inspect(path: Path, key: bytes) -> tuple[int, int, bool]:
    """(user_version, application_id, has_tables) of an encrypted file, read-only."""
    path = Path(path)
    if is_plaintext(path):
        raise DatabaseNotEncrypted(path)
    con = connect(path.resolve().as_uri() + "?mode=ro", key, uri=True)
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        has_tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0
    finally:
        con.close()
    return version, app_id, has_tables


def quick_check(path: Path, key: bytes) -> str:
    """``PRAGMA quick_check`` of an encrypted file through a read-only keyed connection
    ("ok", or what SQLite found; a page whose HMAC fails reads as damaged)."""
    con = connect(Path(path).resolve().as_uri() + "?mode=ro", key, uri=True)
    try:
        return con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlcipher.DatabaseError as err:
        return f"unreadable: {err}"
    finally:
        con.close()


def copy_encrypted(src_path: Path, target: Path, key: bytes) -> Path:
    """A consistent copy of an encrypted database, encrypted with the same key (SQLite's
    backup API between two connections keyed alike)."""
    src = connect(src_path, key)
    try:
        dst = engine.connect(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return Path(target)


# ---------------------------------------------------------------- conversion

def converting_file(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + CONVERTING)


def _remove_quietly(*files: Path) -> None:
    for f in files:
        try:
            f.unlink()
        except FileNotFoundError:
            pass


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")]


def cleanup_conversion(path: Path) -> list[Path]:
    """Remove what an interrupted conversion left (the half-written new file and its
    journal); the database itself is never touched.  Returns the files removed."""
    temp = converting_file(path)
    gone = [f for f in [temp, *_side_files(temp)] if f.exists()]
    _remove_quietly(*gone)
    return gone


def _counts(con, schema: str = "main") -> dict[str, int]:
    names = [r[0] for r in con.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: con.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0] for n in names}


def _failure_text(err: BaseException) -> str:
    text = str(err).lower()
    if "full" in text or "no space" in text or getattr(err, "errno", None) == 28:
        return "磁盘空间不足（加密时需要与数据库同样大小的空闲空间），请清理磁盘后重试"
    if "locked" in text or "busy" in text:
        return "数据库正被另一个窗口或程序使用，请关闭其他使用它的窗口后重试"
    return f"写入新文件时出错（{err}）"


def encrypt_file(path: Path, key: bytes, *, progress: Progress | None = None) -> Path:
    """Convert the plaintext database ``path`` into an SQLCipher database keyed with ``key``,
    in place.

    The caller must have written the key file (with this key) *before*: once the
    rename is done the plaintext file is gone.  Steps: fold the WAL into the file
    (``journal_mode=DELETE``, which fails while another connection has it open), hold
    a write lock on it so nobody changes it meanwhile, ``sqlcipher_export`` into
    ``<name>.encrypting``, copy the schema version and application id, verify (every
    page's HMAC, ``quick_check``, row counts of every table), fsync, rename over the
    original, fsync the folder.  Killed at any point, ``path`` is the old plaintext
    file or the new encrypted one; a failure raises ConversionFailed and leaves the
    original as it was (``cleanup_conversion`` removes a half-written new file)."""
    path = Path(path)
    _check_key(key)
    report = progress or (lambda _p, _t: None)
    if is_encrypted(path):
        raise AlreadyEncrypted(path)
    if not is_plaintext(path):
        raise ConversionFailed(path, "文件不存在或不是数据库")
    temp = converting_file(path)
    cleanup_conversion(path)
    report(5, "正在准备加密数据库")
    lock = src = None
    try:
        try:
            src = sqlcipher.connect(str(path), isolation_level=None, timeout=5)
            src.execute("PRAGMA busy_timeout = 5000")
            for pragma in engine.CIPHER_PRAGMAS:   # it reads plaintext and writes the encrypted copy
                src.execute(pragma)
            mode = src.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
            if str(mode).lower() != "delete":
                raise sqlcipher.OperationalError("database is locked")
            # no other writer until the swap is done; the same SQLite library as ``src``
            # (POSIX locks of two libraries in one process do not see each other)
            lock = sqlcipher.connect(str(path), isolation_level=None, timeout=5)
            lock.execute("BEGIN IMMEDIATE")
            version = src.execute("PRAGMA user_version").fetchone()[0]
            app_id = src.execute("PRAGMA application_id").fetchone()[0]
            expected = _counts(src)
            report(15, "正在写入加密副本")
            src.execute(f"ATTACH DATABASE ? AS enc KEY {_key_literal(key)}", (str(temp),))
            for pragma in engine.format_pragmas("enc"):
                src.execute(pragma)
            src.execute("BEGIN")
            src.execute("SELECT sqlcipher_export('enc')")
            src.execute(f"PRAGMA enc.user_version = {int(version)}")
            src.execute(f"PRAGMA enc.application_id = {int(app_id)}")
            src.execute("COMMIT")
            src.execute("DETACH DATABASE enc")
            src.close()
            src = None
            report(70, "正在核对加密副本")
            _verify(temp, key, expected, version, app_id)
            report(90, "正在替换为加密数据库")
            if os.name == "posix":
                os.chmod(temp, 0o600)
            _fsync(temp)
            os.replace(temp, path)
            _fsync_dir(path.parent)
        except (sqlcipher.Error, OSError) as err:
            raise ConversionFailed(path, _failure_text(err)) from err
    except BaseException:
        if src is not None:
            try:
                src.close()
            except sqlcipher.Error:
                pass
        cleanup_conversion(path)
        raise
    finally:
        if lock is not None:
            lock.close()
    report(100, "数据库已加密")
    return path


def _verify(temp: Path, key: bytes, expected: dict[str, int], version: int, app_id: int) -> None:
    con = connect(temp, key)
    try:
        bad = con.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad:
            raise sqlcipher.DatabaseError(f"cipher_integrity_check: {bad[0][0]}")
        ok = con.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise sqlcipher.DatabaseError(f"quick_check: {ok}")
        if _counts(con) != expected:
            raise sqlcipher.DatabaseError("row counts differ after export")
        if (con.execute("PRAGMA user_version").fetchone()[0], con.execute("PRAGMA application_id").fetchone()[0]) \
                != (version, app_id):
            raise sqlcipher.DatabaseError("schema version not copied")
    finally:
        con.close()
