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

#: The file format of every encrypted file we write (store, backups, copies set aside):
#: SQLCipher 4 with AES-256-CBC, a raw 256-bit key, **8 KiB pages and HMAC-SHA256** per page.
#: Set on every keyed connection right after the key (and on a database attached with a
#: key, ``format_pragmas("enc")``), before its first read; a file written with other
#: settings does not open (its HMACs do not match) and would need ``sqlcipher_export``.
#:
#: Why not SQLCipher's defaults (4 KiB, HMAC-SHA512), measured with tools/cipher_bench.py at
#: 50,000 cadres × 10 years: the per-page HMAC is most of what encryption costs (half of a
#: full-file check's time was SHA-512).  SHA-256 is the hash with hardware support on the
#: CPUs these offices run — Intel since Goldmont/Ice Lake, AMD Zen and Hygon, Zhaoxin, and the
#: ARMv8 crypto extensions of Phytium and Kunpeng — where SHA-512 mostly has none; with it a
#: full-file check costs about half as much.  On an older Intel Core without SHA extensions
#: SHA-256 is about a third slower than SHA-512: the price of that choice.  8 KiB pages halve
#: the per-page work (HMAC set-up, IV, decrypt calls) of the long scans; a single-row look-up
#: reads one 8 KiB page instead of 4 KiB, which did not show in the roster figures.
#: HMAC is never switched off; the HMAC key is derived from the data key by SQLCipher.
PAGE_SIZE = 8192
HMAC_ALGORITHM = "HMAC_SHA256"


def format_pragmas(schema: str = "") -> tuple[str, ...]:
    """The statements that give a keyed connection (or the attached database ``schema``)
    our file format; they must come right after the key."""
    prefix = f"{schema}." if schema else ""
    return (f"PRAGMA {prefix}cipher_page_size = {PAGE_SIZE}",
            f"PRAGMA {prefix}cipher_hmac_algorithm = {HMAC_ALGORITHM}")


#: settings of every keyed connection after its format (and of the connection that writes a
#: new encrypted file, ``cipher.encrypt_file``).  Sorts, DISTINCT and temporary b-trees stay
#: in memory: a spill to a temporary file would put decrypted rows on disk outside the
#: encrypted file.  (The bundled SQLCipher is built with SQLITE_TEMP_STORE=2, memory unless a
#: pragma says otherwise; pinned here for any other build.)  Measured and *not* set:
#: ``cipher_memory_security`` is OFF by default since SQLCipher 4.5 (ON costs 0–8% on scans);
#: ``mmap_size`` does nothing for an encrypted file.
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
    for pragma in format_pragmas() + CIPHER_PRAGMAS:
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
