"""Encryption at rest end to end (issue 11): a new store, the demo, sign-in through the
key file, password changes, recovery, the upgrade of a plaintext database, encrypted
backups restored on another installation, file modes, no known bytes on disk."""
from __future__ import annotations

import os
import sqlite3 as stdlib_sqlite3
import stat

import pytest

from carecenter import app, encryption
from carecenter.db import cipher, database, engine
from carecenter.db.database import close_database
from carecenter.domain.errors import DomainError
from carecenter.exchange import backup, backup_keys
from carecenter.paths import DataPaths
from carecenter.security import access, keys, storekey
from carecenter.services import accounts, audit, demo

DEMO_PW = accounts.DEMO_PASSWORD
ADMIN_PW = "Anquan@2026"


@pytest.fixture
def fresh():
    yield
    close_database()
    storekey.forget()


def _demo(tmp_path, name="demo") -> tuple[DataPaths, str]:
    paths = DataPaths(tmp_path / name)
    recovery = encryption.create_demo_store(paths, app.open_store)
    with access.acting_as(access.system_actor("测试")):
        demo.build(12, history_years=1)
    app.seed_rule_tables()
    return paths, recovery


def _known_values(paths: DataPaths) -> list[bytes]:
    from carecenter.db.models import Cadre

    rows = list(Cadre.select(Cadre.name, Cadre.id_number).limit(4))
    assert rows
    return [v.encode("utf-8") for r in rows for v in (r.name, r.id_number)]


def _raw_contains(path, values: list[bytes]) -> list[bytes]:
    data = path.read_bytes()
    return [v for v in values if v in data]


def _signed_in_open(paths: DataPaths, login: str, password: str) -> None:
    close_database()
    keyfile, key = accounts.unlock_store(paths.database, login, password)
    app.open_store(paths, key=key, keyfile=keyfile)
    accounts.sign_in(login, password)


def test_a_new_store_is_encrypted_from_its_first_byte(tmp_path, fresh):
    paths = DataPaths(tmp_path / "new")
    created = encryption.create_store(paths, app.open_store, "guanli", "王管理", ADMIN_PW, ADMIN_PW)
    assert keys.normalize_recovery_key(created.recovery_key) == created.recovery_key
    assert encryption.store_state(paths) == encryption.ENCRYPTED
    assert not cipher.is_plaintext(paths.database)
    con = stdlib_sqlite3.connect(paths.database)
    with pytest.raises(stdlib_sqlite3.DatabaseError):
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    con.close()
    kf = keys.KeyFile.load(paths.key_file)
    assert kf.logins() == ["guanli"]
    assert kf.unlock("guanli", ADMIN_PW) == database.db.key
    assert kf.unlock_with_recovery(created.recovery_key) == database.db.key


def test_a_refused_first_account_leaves_nothing_behind(tmp_path, fresh):
    paths = DataPaths(tmp_path / "new")
    with pytest.raises(DomainError):
        encryption.create_store(paths, app.open_store, "guanli", "王管理", "short", "short")
    assert not paths.database.exists() and not paths.key_file.exists()
    assert encryption.store_state(paths) == encryption.NEW


def test_demo_database_wal_and_backups_hold_no_known_values(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    values = _known_values(paths)
    made = backup.backup_now(paths)
    wal = paths.database.with_name(paths.database.name + "-wal")
    for f in [paths.database, made.path] + ([wal] if wal.exists() else []):
        assert _raw_contains(f, values) == [], f
    assert backup_keys.read(made.path) is not None


def test_every_account_and_the_recovery_key_open_the_demo(tmp_path, fresh):
    paths, recovery = _demo(tmp_path)
    kf = keys.KeyFile.load(paths.key_file)
    key = database.db.key
    assert sorted(kf.logins()) == sorted(login for login, _n, _r in accounts.DEMO_ACCOUNTS)
    for login in kf.logins():
        assert kf.unlock(login, DEMO_PW) == key
    assert kf.unlock_with_recovery(recovery) == key
    assert recovery in (paths.root / encryption.DEMO_RECOVERY_FILE).read_text(encoding="utf-8")


def test_sign_in_unwraps_the_key_and_a_password_change_rewraps_only_that_account(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    _signed_in_open(paths, "jingban", DEMO_PW)
    before = {e.login: e for e in keys.KeyFile.load(paths.key_file).entries}
    accounts.change_password(DEMO_PW, "Xin@mima2026", "Xin@mima2026")
    after = {e.login: e for e in keys.KeyFile.load(paths.key_file).entries}
    assert after["jingban"] != before["jingban"]
    assert all(after[login] == before[login] for login in before if login != "jingban")
    _signed_in_open(paths, "jingban", "Xin@mima2026")
    assert access.actor().login == "jingban"
    _signed_in_open(paths, "fuzeren", DEMO_PW)          # the others still open it
    with pytest.raises(accounts.SignInError):
        accounts.unlock_store(paths.database, "jingban", DEMO_PW)   # the old password no longer does


def test_disabling_an_account_removes_its_copy_and_a_reset_gives_one(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    _signed_in_open(paths, "admin", DEMO_PW)
    from carecenter.db.models import Account

    xinli = Account.get(Account.login == "xinli").id
    accounts.set_enabled(xinli, False)
    assert "xinli" not in keys.KeyFile.load(paths.key_file).logins()
    accounts.set_enabled(xinli, True)
    assert accounts.accounts_without_key() == ["xinli"]
    accounts.reset_password(xinli, "Chong@zhi2026", "Chong@zhi2026")
    assert accounts.accounts_without_key() == []
    assert keys.KeyFile.load(paths.key_file).unlock("xinli", "Chong@zhi2026") == database.db.key


def test_failures_before_opening_lock_out_and_reach_the_audit_log(tmp_path, fresh, monkeypatch):
    paths, _recovery = _demo(tmp_path)
    close_database()
    for _ in range(4):
        with pytest.raises(accounts.SignInError) as err:
            accounts.unlock_store(paths.database, "jingban", "Wrong@pass1")
        assert err.value.message == accounts.BAD_CREDENTIALS
    with pytest.raises(accounts.SignInError) as err:
        accounts.unlock_store(paths.database, "nobody", "Wrong@pass1")    # unknown names read alike
    assert err.value.message == accounts.BAD_CREDENTIALS
    with pytest.raises(accounts.SignInError) as err:
        accounts.unlock_store(paths.database, "jingban", "Wrong@pass1")
    assert "锁定" in err.value.message
    with pytest.raises(accounts.SignInError) as err:
        accounts.unlock_store(paths.database, "jingban", DEMO_PW)        # locked: even the right one
    assert "锁定" in err.value.message
    gate = storekey.gate_file_for(paths.database)
    assert stat.S_IMODE(gate.stat().st_mode) == 0o600
    _signed_in_open(paths, "fuzeren", DEMO_PW)
    database.ensure_checked()
    rows = [r.summary for r in audit.AuditLog.select().where(audit.AuditLog.action == "signin_failed")]
    assert sum("未能解开数据库密钥" in r and "jingban" in r for r in rows) == 5
    assert any("nobody" in r for r in rows)
    assert storekey.Gate(gate).events == []


def test_the_recovery_key_sets_a_new_admin_password(tmp_path, fresh):
    paths, recovery = _demo(tmp_path)
    close_database()
    storekey.forget()
    access.set_actor(None)
    with pytest.raises(keys.RecoveryKeyMistyped):
        encryption.recover(paths, app.open_store, "ABCD-EFGH", "admin", "Hui@fu2026x", "Hui@fu2026x")
    who = encryption.recover(paths, app.open_store, recovery.lower().replace("-", " "), "admin",
                             "Hui@fu2026x", "Hui@fu2026x")
    assert who.login == "admin"
    signin = accounts.sign_in("admin", "Hui@fu2026x")
    assert signin.must_change
    assert keys.KeyFile.load(paths.key_file).unlock("admin", "Hui@fu2026x") == database.db.key
    assert audit.AuditLog.select().where(audit.AuditLog.summary.contains("用恢复密钥重设")).exists()


def test_recovery_refuses_a_login_that_is_no_admin(tmp_path, fresh):
    paths, recovery = _demo(tmp_path)
    close_database()
    access.set_actor(None)
    with pytest.raises(DomainError) as err:
        encryption.recover(paths, app.open_store, recovery, "jingban", "Hui@fu2026x", "Hui@fu2026x")
    assert "不是可用的系统管理员" in str(err.value.errors[0].message)


def test_a_missing_key_file_is_named_before_anything_opens(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    close_database()
    paths.key_file.rename(tmp_path / "elsewhere.keys")
    with pytest.raises(keys.KeyFileMissing) as err:
        encryption.prepare_open(paths)
    assert "carecenter.keys" in err.value.message and "not a database" not in err.value.message


def test_upgrade_of_a_plaintext_database(tmp_path, fresh):
    paths = DataPaths(tmp_path / "old")
    app.open_store(paths)
    with access.acting_as(access.system_actor("测试")):
        demo.build(12, history_years=1)
    values = _known_values(paths)
    old_backup = backup.backup_now(paths)
    assert cipher.is_plaintext(old_backup.path)
    accounts.sign_in("admin", DEMO_PW)
    result = encryption.encrypt_store(paths, app.open_store, DEMO_PW)
    assert encryption.store_state(paths) == encryption.ENCRYPTED
    assert _raw_contains(paths.database, values) == []
    assert cipher.is_plaintext(result.verified_copy)
    assert set(result.plaintext_copies) == {old_backup.path, result.verified_copy}
    assert "jingban" in result.without_key and "admin" not in result.without_key
    assert keys.KeyFile.load(paths.key_file).unlock_with_recovery(result.recovery_key) == database.db.key
    assert audit.AuditLog.select().where(audit.AuditLog.action == "encrypt").exists()
    # the plaintext copies: one encrypted into a self-contained backup, one deleted
    backup.encrypt_copies([old_backup.path])
    assert _raw_contains(old_backup.path, values) == [] and backup_keys.read(old_backup.path) is not None
    backup.shred_copies([result.verified_copy])
    assert not result.verified_copy.exists()
    assert backup.plaintext_copies(paths) == []


def test_a_key_file_left_by_an_unfinished_conversion_is_put_aside(tmp_path, fresh):
    paths = DataPaths(tmp_path / "old")
    app.open_store(paths)
    close_database()
    keys.KeyFile.create(paths.key_file, keys.new_data_key(), keys.new_recovery_key())
    encryption.prepare_open(paths)
    assert not paths.key_file.exists()
    assert paths.key_file.with_name(paths.key_file.name + ".unused").exists()


def test_a_backup_alone_restores_on_another_installation(tmp_path, fresh):
    paths, recovery = _demo(tmp_path, "township")
    _signed_in_open(paths, "admin", DEMO_PW)
    usb = tmp_path / "usb"
    usb.mkdir()
    made = backup.backup_to(paths, usb)
    close_database()
    # a new PC: another database with another key and another administrator
    other = DataPaths(tmp_path / "newpc")
    encryption.create_store(other, app.open_store, "xinguan", "新管理员", ADMIN_PW, ADMIN_PW)
    with pytest.raises(backup.BackupKeyNeeded):
        backup.inspect_backup(other, made.path)
    with pytest.raises(keys.WrongPassword):
        backup.inspect_backup(other, made.path, secret=("password", "admin", "Wrong@pass1"))
    info = backup.inspect_backup(other, made.path, secret=("recovery", recovery))
    assert info.encrypted and info.cadres == 12
    backup.restore(other, made.path, secret=("password", "admin", DEMO_PW))
    # the restored database opens with the backup's passwords, and its key file came with it
    kf = keys.KeyFile.load(other.key_file)
    assert "admin" in kf.logins() and "xinguan" not in kf.logins()
    close_database()
    _signed_in_open(other, "jingban", DEMO_PW)
    from carecenter.db.models import Cadre

    assert Cadre.select().count() == 12
    assert not list(other.root.glob(".carecenter.db-backup-*"))
    assert not other.key_file.with_name(other.key_file.name + backup.RESTORING_KEYS).exists()


def test_a_backup_of_the_same_database_needs_no_password_and_keeps_todays_recovery_key(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    _signed_in_open(paths, "admin", DEMO_PW)
    made = backup.backup_now(paths)
    new_recovery = encryption.replace_recovery_key()
    backup.restore(paths, made.path)
    assert keys.KeyFile.load(paths.key_file).unlock_with_recovery(new_recovery) == database.db.key


def test_a_restore_killed_between_its_renames_is_finished_at_the_next_start(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    close_database()
    kf = keys.KeyFile.load(paths.key_file)
    waiting = paths.key_file.with_name(paths.key_file.name + backup.RESTORING_KEYS)
    other = keys.KeyFile(paths.key_file, kf.check, kf.entries[:1], "x")
    backup._write_restoring_keys(paths.key_file, other, paths.database)   # the database is "the restored one"
    assert backup.finish_key_swap(paths.database)
    assert not waiting.exists() and len(keys.KeyFile.load(paths.key_file).entries) == 1
    backup._write_restoring_keys(paths.key_file, kf, tmp_path / "demo" / encryption.DEMO_RECOVERY_FILE)
    assert not backup.finish_key_swap(paths.database)                      # another file: dropped
    assert not waiting.exists() and len(keys.KeyFile.load(paths.key_file).entries) == 1


def test_data_files_are_private(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    made = backup.backup_now(paths)
    for f in (paths.database, paths.key_file, made.path, paths.root / encryption.DEMO_RECOVERY_FILE):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert stat.S_IMODE(paths.root.stat().st_mode) == 0o700


def test_the_program_opens_its_files_with_one_sqlite_library(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    con = database.db.connection()
    assert type(con).__module__.startswith("sqlcipher3")
    assert engine.sqlite.__name__.startswith("sqlcipher3")
    assert os.fspath(paths.database) == database.db.database


def test_the_bench_database_is_encrypted(tmp_path, fresh):
    from carecenter import bench

    try:
        bench.build_database(tmp_path / "bench", 12, 1, encrypted=True)
        values = _known_values(DataPaths(tmp_path / "bench"))
        assert bench._KEY is not None
        for f in (tmp_path / "bench").iterdir():
            if f.is_file():
                assert _raw_contains(f, values) == [], f
    finally:
        app.set_key_provider(None)


def test_a_conversion_running_elsewhere_refuses_the_open_and_a_killed_ones_file_is_removed(tmp_path, fresh):
    paths = DataPaths(tmp_path / "old")
    app.open_store(paths)
    close_database()
    leftover = cipher.converting_file(paths.database)
    leftover.write_bytes(b"half written")
    holder = engine.connect(paths.database)
    holder.execute("BEGIN IMMEDIATE")          # the converting process holds the write lock
    try:
        with pytest.raises(encryption.ConversionRunning):
            encryption.prepare_open(paths)
    finally:
        holder.rollback()
        holder.close()
    encryption.prepare_open(paths)               # nobody converting: the leftover goes
    assert not leftover.exists() and cipher.is_plaintext(paths.database)


def test_a_wrong_recovery_key_and_a_damaged_key_file_say_so(tmp_path, fresh):
    paths, _recovery = _demo(tmp_path)
    close_database()
    kf = keys.KeyFile.load(paths.key_file)
    with pytest.raises(keys.WrongRecoveryKey):
        kf.unlock_with_recovery(keys.new_recovery_key())
    paths.key_file.write_text("{ not json", encoding="utf-8")
    with pytest.raises(keys.KeyFileCorrupted) as err:
        encryption.prepare_open(paths)
    assert "已损坏" in err.value.message


def test_an_encrypted_backup_is_copied_page_for_page_and_checked_by_its_hmacs(tmp_path, fresh, monkeypatch):
    paths, _recovery = _demo(tmp_path)
    copied = []
    real = backup._raw_pages
    monkeypatch.setattr(backup, "_raw_pages", lambda *a, **k: copied.append(real(*a, **k)) or copied[-1])
    made = backup.backup_now(paths)
    assert copied == [True]
    _kf, length = backup_keys.read(made.path)
    extracted = tmp_path / "extracted.db"
    backup_keys.extract(made.path, extracted, length)
    con = engine.connect(extracted, database.db.key)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        from carecenter.db.models import Cadre

        assert con.execute("SELECT count(*) FROM cadre").fetchone()[0] == Cadre.select().count()
    finally:
        con.close()
    # a page changed on the way: the HMAC check refuses the copy
    data = bytearray(extracted.read_bytes())
    data[3 * 4096 + 100] ^= 0xFF
    extracted.write_bytes(bytes(data))
    con = engine.connect(extracted, database.db.key)
    try:
        assert not backup._pages_authentic(con, lambda: None)
    finally:
        con.close()


def test_the_full_check_reads_through_a_large_page_cache(tmp_path, fresh):
    """``integrity_check`` re-reads pages all the time, and every read that misses SQLite's
    cache decrypts the page again: the check's connection gets a 256 MiB cache (the daily
    backup's check of the 1 GB benchmark file: 136 s with the default few MB, 43 s with
    64 MiB, 33 s with 256 MiB; plain 28–30 s)."""
    paths, _recovery = _demo(tmp_path)
    con = engine.connect(paths.database, database.db.key)
    try:
        default = con.execute("PRAGMA cache_size").fetchone()[0]
        assert default != -backup.FULL_CHECK_CACHE_KIB
        assert backup.verify(con, full=False)
        assert con.execute("PRAGMA cache_size").fetchone()[0] == default    # quick_check reads each page once
        assert backup.verify(con, full=True)
        assert con.execute("PRAGMA cache_size").fetchone()[0] == -backup.FULL_CHECK_CACHE_KIB == -256 * 1024
    finally:
        con.close()


def test_a_write_during_the_copy_falls_back_to_the_backup_api(tmp_path, fresh, monkeypatch):
    """A reader elsewhere keeps the WAL from being emptied: the backup uses the backup API,
    and its checkpoint never holds the write lock while it waits for that reader, so another
    window can still write (its sign-in's audit row) while the backup runs (CI saw a second
    window refused with 'database is locked' when the checkpoint waited 10 s)."""
    import threading
    import time

    paths, _recovery = _demo(tmp_path)
    holder = engine.connect(paths.database, database.db.key)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM cadre").fetchone()    # a reader keeps the WAL from being truncated
    writer = engine.connect(paths.database, database.db.key)
    try:
        from carecenter.db.models import Setting

        Setting.insert(key="test.write", value="1").on_conflict_replace().execute()
        copied, entered, made = [], threading.Event(), []
        real = backup._raw_pages

        def raw_pages(*a, **k):
            entered.set()
            copied.append(real(*a, **k))
            return copied[-1]

        monkeypatch.setattr(backup, "_raw_pages", raw_pages)
        worker = threading.Thread(target=lambda: made.append(backup.backup_now(paths)))
        worker.start()
        assert entered.wait(30)
        time.sleep(0.3)                          # the checkpoint has begun (or is long over)
        writer.execute("PRAGMA busy_timeout = 3000")
        writer.execute("BEGIN IMMEDIATE")        # 'database is locked' if the checkpoint holds the lock
        writer.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('test.other', '2')")
        writer.execute("COMMIT")
        worker.join(60)
        assert not worker.is_alive()
        assert copied == [False] and made and backup_keys.read(made[0].path) is not None
    finally:
        writer.close()
        holder.rollback()
        holder.close()
