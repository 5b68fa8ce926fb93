"""Issue 11: the SQLCipher store — keyed open, plaintext → encrypted conversion."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import carecenter.db.queries as q
from carecenter.app import open_store
from carecenter.db import cipher, database
from carecenter.db.cipher import (AlreadyEncrypted, ConversionFailed, DatabaseKeyMismatch, DatabaseNotEncrypted,
                                  encrypt_file)
from carecenter.db.database import close_database, open_database
from carecenter.paths import DataPaths
from carecenter.services import roster
from tests.conftest import cadre_record, make_id_number

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["欧阳明远", "司马晓峰", "诸葛秀兰"]
IDS = [make_id_number("19850612", 21 + i) for i in range(3)]
KEY = bytes(range(32))


def _fill(paths: DataPaths) -> None:
    unit = roster.save_unit({"name": "城关镇党政办", "kind": "党委", "township": "城关镇",
                             "township_category": "镇"}).id
    for name, idn in zip(NAMES, IDS):
        roster.save_cadre(cadre_record(unit, name=name, id_number=idn, phone="13812345678"))


@pytest.fixture
def plain(tmp_path):
    """A plaintext data folder with three known cadres, closed."""
    paths = DataPaths(tmp_path / "data")
    q.invalidate_units()
    open_store(paths)
    _fill(paths)
    close_database()
    q.invalidate_units()
    yield paths
    close_database()
    q.invalidate_units()


def _raw(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def _leaks(path: Path) -> list[str]:
    blobs = [_raw(path), _raw(path.with_name(path.name + "-wal"))]
    found = []
    for value in NAMES + IDS:
        needles = [value.encode("utf-8"), value.encode("utf-16-le")]
        if any(n in b for n in needles for b in blobs):
            found.append(value)
    return found


def test_plaintext_file_leaks_the_known_values(plain):
    """The check itself finds the values in an unencrypted file (so it can fail)."""
    assert cipher.is_plaintext(plain.database)
    assert _leaks(plain.database)


def test_converted_file_is_unreadable_without_the_key(plain):
    encrypt_file(plain.database, KEY)
    assert cipher.is_encrypted(plain.database)
    assert _leaks(plain.database) == []
    con = sqlite3.connect(str(plain.database))
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    con.close()
    assert [p.name for p in plain.root.iterdir() if p.name.startswith("carecenter.db")] == ["carecenter.db"]


def test_converted_database_opens_with_the_key_and_works(plain):
    encrypt_file(plain.database, KEY)
    assert open_database(plain.database, key=KEY) == []
    assert database.db.encrypted
    assert roster.cadre_count() == 3
    unit = roster.list_units()[0]["id"]
    roster.save_cadre(cadre_record(unit, name="上官婉清", id_number=make_id_number("19920101", 31)))
    assert roster.cadre_count() == 4
    # written through the WAL: neither the file nor the WAL holds the new name in clear
    assert (plain.root / "carecenter.db-wal").exists()
    blobs = _raw(plain.database) + _raw(plain.root / "carecenter.db-wal")
    assert "上官婉清".encode() not in blobs and _leaks(plain.database) == []
    close_database()
    # the plain open path is unchanged: it refuses the encrypted file untouched
    with pytest.raises(database.NotOurDatabase):
        database.open_database(plain.database)


def test_plain_open_after_a_keyed_open_is_plain_again(plain, tmp_path):
    other = DataPaths(tmp_path / "other")
    encrypt_file(plain.database, KEY)
    open_database(plain.database, key=KEY)
    close_database()
    q.invalidate_units()
    open_store(other)
    assert not database.db.encrypted
    assert cipher.is_plaintext(other.database)


def test_wrong_key_and_plaintext_are_told_apart(plain):
    with pytest.raises(DatabaseNotEncrypted):
        open_database(plain.database, key=KEY)
    encrypt_file(plain.database, KEY)
    before = plain.database.read_bytes()
    with pytest.raises(DatabaseKeyMismatch) as err:
        open_database(plain.database, key=bytes(32))
    assert "不配套" in err.value.message
    with pytest.raises(AlreadyEncrypted):
        encrypt_file(plain.database, KEY)
    assert plain.database.read_bytes() == before


def test_a_new_encrypted_database(tmp_path):
    path = tmp_path / "new" / "carecenter.db"
    applied = open_database(path, key=KEY)
    assert applied and roster.cadre_count() == 0
    close_database()
    assert cipher.is_encrypted(path)
    assert cipher.inspect(path, KEY)[0] == database.known_version()


def test_pre_migration_copy_is_encrypted(plain, tmp_path):
    encrypt_file(plain.database, KEY)
    con = cipher.connect(plain.database, KEY)
    con.execute("PRAGMA user_version = 9")     # an older schema version: a copy is made before migrating
    con.commit()
    con.close()
    open_database(plain.database, plain.pre_migration, key=KEY)
    assert cipher.inspect(plain.database, KEY)[0] == database.known_version()
    copies = list(plain.pre_migration.iterdir())
    assert len(copies) == 1 and cipher.is_encrypted(copies[0]) and _leaks(copies[0]) == []
    assert cipher.inspect(copies[0], KEY)[0] == 9


@pytest.mark.parametrize("hold", ["", "BEGIN IMMEDIATE", "BEGIN; SELECT count(*) FROM cadre;"])
def test_database_open_in_another_process_is_not_converted(plain, hold):
    """Another window has the database open (idle, reading or writing): refused, untouched."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    code = ("import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode = wal')\n"
            "c.executescript(sys.argv[2]) if sys.argv[2] else None\n"
            "print('READY', flush=True)\n"
            "sys.stdin.read()\n")
    other = subprocess.Popen([sys.executable, "-c", code, str(plain.database), hold], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert other.stdout.readline().strip() == "READY"
        with pytest.raises(ConversionFailed) as err:
            encrypt_file(plain.database, KEY)
    finally:
        other.communicate("", timeout=30)
    assert "未改动" in err.value.message
    assert cipher.is_plaintext(plain.database)
    assert not cipher.converting_file(plain.database).exists()


def _run(code: str, *args: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kw)


def _state(paths: DataPaths) -> str:
    """'plain' or 'encrypted' with all three cadres readable; anything else fails."""
    if cipher.is_plaintext(paths.database):
        con = sqlite3.connect(str(paths.database))
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("SELECT count(*) FROM cadre").fetchone()[0] == 3
        finally:
            con.close()
        return "plain"
    con = cipher.connect(paths.database, KEY)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM cadre").fetchone()[0] == 3
    finally:
        con.close()
    return "encrypted"


def test_disk_full_during_conversion_keeps_the_plaintext_usable(plain):
    """RLIMIT_FSIZE stands in for a full disk: the new file cannot grow past 64 KiB."""
    if not hasattr(os, "setrlimit") and sys.platform.startswith("win"):
        pytest.skip("no RLIMIT_FSIZE")
    result = _run("""
        import resource, signal, sys
        from pathlib import Path
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        from carecenter.db.cipher import ConversionFailed, encrypt_file
        try:
            encrypt_file(Path(sys.argv[1]), bytes(range(32)))
        except ConversionFailed as err:
            print(err.message)
            sys.exit(3)
        """, str(plain.database))
    assert result.returncode == 3, result.stderr
    assert "未改动" in result.stdout
    assert _state(plain) == "plain"
    assert not cipher.converting_file(plain.database).exists()
    q.invalidate_units()
    open_store(plain)                      # and the application opens it as before
    assert roster.cadre_count() == 3


CHILD = """
    import os, signal, sys
    from pathlib import Path
    from carecenter.db import cipher
    path, point = Path(sys.argv[1]), sys.argv[2]
    real_replace = os.replace
    def replace(src, dst):
        if point == "before_replace":
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst)
        if point == "after_replace":
            os.kill(os.getpid(), signal.SIGKILL)
    cipher.os.replace = replace
    real_verify = cipher._verify
    def verify(*a):
        if point == "before_verify":
            os.kill(os.getpid(), signal.SIGKILL)
        real_verify(*a)
    cipher._verify = verify
    print("READY", flush=True)
    cipher.encrypt_file(path, bytes(range(32)))
    print("DONE", flush=True)
    """


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("point, expected", [("before_verify", "plain"), ("before_replace", "plain"),
                                             ("after_replace", "encrypted"), ("-", "encrypted")])
def test_killed_at_each_step_leaves_old_or_new(plain, point, expected):
    result = _run(CHILD, str(plain.database), point)
    assert ("DONE" in result.stdout) == (point == "-"), result.stderr
    assert _state(plain) == expected
    cipher.cleanup_conversion(plain.database)
    if expected == "plain":    # and a second attempt completes
        encrypt_file(plain.database, KEY)
        assert _state(plain) == "encrypted"


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL")
def test_killed_at_random_moments_leaves_old_or_new(plain, tmp_path):
    """A bigger file (so the export takes a while), killed at random moments."""
    import random
    import shutil
    import time

    con = sqlite3.connect(str(plain.database))
    con.execute("CREATE TABLE ballast (x BLOB)")
    con.executemany("INSERT INTO ballast VALUES (randomblob(4000))", [()] * 5000)   # ~20 MB
    con.commit()
    con.close()
    seed = int(os.environ.get("KILL_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    seen = set()
    for trial in range(4):
        folder = tmp_path / f"trial{trial}"
        shutil.copytree(plain.root, folder)
        paths = DataPaths(folder)
        proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(CHILD), str(paths.database), "-"], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(rng.uniform(0.0, 0.6))
        proc.kill()
        proc.communicate(timeout=60)
        seen.add(_state(paths))
        cipher.cleanup_conversion(paths.database)
        assert not cipher.converting_file(paths.database).exists()
    assert seen <= {"plain", "encrypted"}, f"seed {seed}"


def test_a_damaged_encrypted_page_is_damage_not_a_wrong_key(plain):
    """A flipped byte inside a data page fails that page's HMAC: 已损坏 (restore from a
    backup), not 密钥不配套; nothing is written."""
    encrypt_file(plain.database, KEY)
    raw = bytearray(plain.database.read_bytes())
    page = 4096
    raw[3 * page + 100] ^= 0xFF          # page 4: past the first (schema) page
    plain.database.write_bytes(bytes(raw))
    with pytest.raises(database.DatabaseDamaged):
        open_database(plain.database, key=KEY)
    assert plain.database.read_bytes() == bytes(raw)


# ---------------------------------------------------------------- the keyed connections' settings

def test_every_keyed_connection_keeps_temporary_data_in_memory(plain):
    """Sorts and temporary b-trees never spill decrypted rows into a temporary file: the store's
    connections and every other keyed one (``engine.connect``: checks, copies, backups)."""
    encrypt_file(plain.database, KEY)
    open_database(plain.database, key=KEY)
    assert database.db.execute_sql("PRAGMA temp_store").fetchone()[0] == 2       # 2 = MEMORY
    con = cipher.connect(plain.database, KEY)
    try:
        assert con.execute("PRAGMA temp_store").fetchone()[0] == 2
    finally:
        con.close()


def test_the_encrypted_store_keeps_more_decrypted_pages_and_the_plain_store_is_unchanged(plain):
    """The encrypted store's own connections (the GUI thread's and every worker's) cache 64 MiB
    of pages; a plaintext store keeps database.PRAGMAS exactly."""
    open_store(plain)
    assert not database.db.encrypted
    assert database.db.execute_sql("PRAGMA cache_size").fetchone()[0] == database.PRAGMAS["cache_size"]
    assert database.db.execute_sql("PRAGMA temp_store").fetchone()[0] == 0       # the library's default
    close_database()
    encrypt_file(plain.database, KEY)
    open_database(plain.database, key=KEY)
    assert database.db.execute_sql("PRAGMA cache_size").fetchone()[0] == -cipher.STORE_CACHE_KIB
    import threading

    seen = []
    def worker():
        seen.append(database.db.execute_sql("PRAGMA cache_size").fetchone()[0])
        database.db.close()
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [-cipher.STORE_CACHE_KIB]


def test_files_are_written_in_the_documented_format(plain, tmp_path):
    """Every encrypted file (the converted store and a copy) is SQLCipher 4 with a raw key,
    8 KiB pages and HMAC-SHA256 (docs/security.md): any SQLCipher 4 tool opens it with those
    two settings spelled out, and SQLCipher's own defaults (4 KiB, HMAC-SHA512) do not — so a
    change of the format, or of a dependency's defaults, fails here and not at a customer's."""
    encrypt_file(plain.database, KEY)
    cipher.copy_encrypted(plain.database, tmp_path / "copy.db", KEY)
    from carecenter.db import engine

    for path in (plain.database, tmp_path / "copy.db"):
        assert path.stat().st_size % 8192 == 0
        con = engine.sqlite.connect(str(path))
        try:
            con.execute("PRAGMA cipher_compatibility = 4")
            con.execute(cipher.key_pragma(KEY))
            con.execute("PRAGMA cipher_page_size = 8192")
            con.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA256")
            assert con.execute("SELECT count(*) FROM cadre").fetchone()[0] == 3
        finally:
            con.close()
        con = engine.sqlite.connect(str(path))
        try:
            con.execute("PRAGMA cipher_compatibility = 4")
            con.execute(cipher.key_pragma(KEY))
            with pytest.raises(engine.DatabaseError):
                con.execute("SELECT count(*) FROM cadre").fetchone()
        finally:
            con.close()


def test_the_bundled_sqlcipher_does_not_wipe_every_allocation():
    """``cipher_memory_security`` (wipe and lock every SQLite allocation, not only key material)
    is OFF by default since SQLCipher 4.5 and cannot be switched off once on: a dependency that
    changes the default is noticed here (it costs 0–8% on the 50,000-cadre scans)."""
    result = _run("""
        from sqlcipher3 import dbapi2 as sqlcipher
        print(sqlcipher.connect(":memory:").execute("PRAGMA cipher_memory_security").fetchone()[0])
        """)
    assert result.stdout.strip() == "0", result.stderr
