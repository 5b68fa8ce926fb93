"""The one SQLite library of the program: SQLCipher's build (``sqlcipher3``).

Every connection to one of our database files — the store through peewee, backups,
restores, checks, the benchmark's floor — is made by this module, keyed (an encrypted
file) or not (a plaintext file from before the encryption, or ``bench --plain``).
One library matters: two SQLite libraries in one process do not see each other's
POSIX file locks, so a connection of the standard ``sqlite3`` beside one of
``sqlcipher3`` on the same file could corrupt it.  The standard library's
``sqlite3`` is used only by the tests, to show that it cannot read our files.

``sqlite`` is the DB-API module; its ``Error``/``DatabaseError``/``OperationalError``
are the exceptions to catch.
"""
from __future__ import annotations

import datetime
import decimal
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlite

KEY_BYTES = 32

Error = sqlite.Error
DatabaseError = sqlite.DatabaseError
OperationalError = sqlite.OperationalError
Connection = sqlite.Connection

# the adapters peewee registers on the standard sqlite3 module, registered explicitly
# (no deprecated default adapter is ever used)
sqlite.register_adapter(decimal.Decimal, str)
sqlite.register_adapter(datetime.date, str)
sqlite.register_adapter(datetime.time, str)
sqlite.register_adapter(datetime.datetime, lambda d: d.isoformat(" "))

#: settings of every keyed connection, run right after the key (and on the connection that
#: writes a new encrypted file, ``cipher.encrypt_file``).  Sorts, DISTINCT and temporary
#: b-trees stay in memory: a spill to a temporary file would put decrypted rows on disk
#: outside the encrypted file.  (The bundled SQLCipher is built with SQLITE_TEMP_STORE=2,
#: memory unless a pragma says otherwise; pinned here for any other build.)
#:
#: The file format is SQLCipher 4's defaults.  Measured and *not* set (SQLCipher 4.19 at
#: 50,000 cadres × 10 years, tools/cipher_bench.py): ``cipher_memory_security`` is OFF by
#: default since SQLCipher 4.5 (ON costs 0–8% on scans, and once on it cannot be switched
#: off); a larger ``cipher_page_size`` (8/16 KiB) makes long scans 10–25% cheaper but random
#: look-ups dearer, and changes the format; ``cipher_hmac_algorithm = HMAC_SHA256`` cuts what
#: encryption adds to a scan by 40% on CPUs with SHA extensions and raises it by a third on
#: those without (Intel Core before Ice Lake), so HMAC_SHA512 stays; ``mmap_size`` does
#: nothing for an encrypted file; HMAC is never switched off.
CIPHER_PRAGMAS: tuple[str, ...] = ("PRAGMA temp_store = MEMORY",)


def check_key(key: bytes) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
        raise ValueError("the database key must be 32 bytes")
    return bytes(key)


def key_literal(key: bytes) -> str:
    """The raw-key literal of ``PRAGMA key`` / ``ATTACH … KEY``: SQLCipher skips its own
    key derivation for it (the slow derivation happened when the key was unwrapped)."""
    return f"\"x'{check_key(key).hex()}'\""


def key_pragma(key: bytes, schema: str = "") -> str:
    prefix = f"{schema}." if schema else ""
    return f"PRAGMA {prefix}key = {key_literal(key)}"


def _quiet(con) -> None:
    # SQLCipher logs a failed HMAC check to stderr; the caller gets an exception instead
    try:
        con.execute("PRAGMA cipher_log_level = NONE")
    except sqlite.DatabaseError:  # pragma: no cover - older SQLCipher
        pass


def apply_key(con, key: bytes | None) -> None:
    """Key a fresh connection (must come before any other statement); None: plaintext."""
    _quiet(con)
    if key is None:
        return
    con.execute(key_pragma(key))
    for pragma in CIPHER_PRAGMAS:
        con.execute(pragma)


def connect(target: str | Path, key: bytes | None = None, *, uri: bool = False, **kwargs):
    """A connection to ``target`` (a path, or a ``file:`` URI with ``uri=True``), keyed
    with ``key`` when given.  The key is not checked here (see ``cipher.connect``)."""
    con = sqlite.connect(str(target), uri=uri, **kwargs)
    try:
        apply_key(con, key)
    except BaseException:
        con.close()
        raise
    return con


def read_only_uri(path: Path, immutable: bool | None = None) -> str:
    """Read-only URI of ``path``; immutable (no lock, no -shm) when no -wal is beside it."""
    path = Path(path)
    if immutable is None:
        immutable = not path.with_name(path.name + "-wal").exists()
    return path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
