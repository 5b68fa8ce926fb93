"""Backups and restore (issue 6): the online-backup copy and its checks, the 7/4/12
rotation, the daily automatic backup, copies to another folder, and restores that
validate first, keep a safety copy, replace atomically and migrate older files —
and refuse, changing nothing, a file that is not ours, damaged or too new."""
from __future__ import annotations

import os
import shutil
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
from sqlite3.dump import _iterdump as iterdump  # works on any DB-API connection (sqlcipher3 has no iterdump)
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from carecenter.app import open_store, seed_rule_tables
from tests.conftest import TEST_PASSWORD, add_accounts, foreign_sqlite, signed_in_cli
from carecenter.db import database
from carecenter.db.database import APP_ID, close_database, known_version, open_database
from carecenter.db.models import AuditLog
from carecenter.exchange import backup
from carecenter.paths import DataPaths
from carecenter.services import roster

ROOT = Path(__file__).resolve().parents[2]


def dump(path: Path) -> list[str]:
    """The whole content of a database file (schema and rows), read-only."""
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return list(iterdump(con))
    finally:
        con.close()


def live_dump(paths: DataPaths) -> list[str]:
    """The live database as the application sees it (committed rows, WAL included)."""
    con = sqlite3.connect(str(paths.database))
    try:
        return list(iterdump(con))
    finally:
        con.close()


def data_lines(lines: list[str]) -> list[str]:
    """A dump without the audit trail (which a restore carries over from the live file)."""
    return [line for line in lines if not line.startswith(('INSERT INTO "audit_log"', 'INSERT INTO "sqlite_sequence"',
                                                           "DELETE FROM \"sqlite_sequence\""))]


def pragma(path: Path, name: str):
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


def add_unit(name: str) -> int:
    return roster.save_unit({"name": name, "kind": "政府", "township": "青岭镇", "township_category": "镇"}).id


def unit_names() -> list[str]:
    return sorted(u["name"] for u in roster.list_units(include_archived=True))


@pytest.fixture
def filled(store):
    seed_rule_tables()   # as at start-up, so a restore's reopening adds nothing
    add_accounts()
    add_unit("青岭镇人民政府")
    add_unit("云溪乡人民政府")
    return store


# ================================================================ making a backup

def test_backup_is_a_verified_self_contained_copy(filled):
    before = live_dump(filled)
    made = backup.backup_now(filled)
    assert made.kind == backup.KIND_MANUAL and made.path.parent == filled.backups
    assert made.path.name.startswith("关爱中心备份-") and made.path.name.endswith("-手动.db")
    # one file: rollback-journal mode (header bytes 18/19 = 1), nothing beside it
    assert made.path.read_bytes()[18:20] == b"\x01\x01"
    assert sorted(p.name for p in filled.backups.iterdir()) == [made.path.name]
    assert pragma(made.path, "integrity_check") == "ok"
    assert pragma(made.path, "application_id") == APP_ID
    assert pragma(made.path, "user_version") == known_version()
    assert dump(made.path) == before
    assert made.size == made.path.stat().st_size and made.keep == ("每日", "每周", "每月", "当日首份")
    # then audited, naming where it went: the live database differs by that row only
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert row.action == "backup" and str(made.path) in row.summary and str(made.path) in row.changes
    added = [line for line in live_dump(filled) if line not in before]
    assert len([line for line in added if line.startswith('INSERT INTO "audit_log"')]) == 1
    assert all(line.startswith('INSERT INTO "audit_log"') or line.startswith('INSERT INTO "sqlite_sequence" '
                                                                            "VALUES('audit_log'") for line in added)


def test_backup_is_a_consistent_snapshot_while_a_write_is_open(filled):
    """The online backup API copies committed data only: an open transaction is not in it."""
    with database.db.atomic():
        add_unit("写到一半的单位")
        made = backup.backup_now(filled)
    assert "写到一半的单位" in unit_names()
    con = sqlite3.connect(str(made.path))
    names = [r[0] for r in con.execute("SELECT name FROM unit")]
    con.close()
    assert "写到一半的单位" not in names and "青岭镇人民政府" in names


def test_backup_to_a_folder_is_not_rotated_and_is_remembered(filled, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()
    before = live_dump(filled)
    made = backup.backup_to(filled, stick, now=datetime(2026, 11, 25, 8, 31))
    assert made.path == stick / "关爱中心备份-20261125-083100.db"
    assert dump(made.path) == before
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()   # audited: where it went
    assert row.action == "backup" and str(made.path) in row.summary
    assert backup.list_backups(filled) == []          # the rotation folder holds none of it
    assert backup.last_backup_time(filled) == datetime(2026, 11, 25, 8, 31)
    assert backup.last_external(filled) == (datetime(2026, 11, 25, 8, 31), str(made.path))
    # the same second again gets a new name, never overwrites
    again = backup.backup_to(filled, stick, now=datetime(2026, 11, 25, 8, 31))
    assert again.path != made.path and made.path.exists()


def test_backup_to_a_missing_folder_says_what_to_do(filled, tmp_path):
    with pytest.raises(backup.BackupError) as err:
        backup.backup_to(filled, tmp_path / "没有插好的U盘")
    assert err.value.code == "no_folder" and "U 盘" in err.value.message


def test_cancelled_backup_leaves_nothing(filled):
    class Stop(Exception):
        pass

    def check():
        raise Stop()

    with pytest.raises(Stop):
        backup.backup_now(filled, check=check)
    assert list(filled.backups.iterdir()) == []


def test_write_failure_is_reported_in_chinese(filled, monkeypatch):
    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_fsync_file", broken)
    with pytest.raises(backup.BackupError) as err:
        backup.backup_now(filled)
    assert err.value.code == "write_failed" and "磁盘空间不足" in err.value.message
    assert list(filled.backups.iterdir()) == []


def test_a_copy_that_fails_its_check_is_deleted(filled, monkeypatch):
    monkeypatch.setattr(backup, "verify", lambda *_a, **_k: False)
    with pytest.raises(backup.BackupError) as err:
        backup.backup_now(filled)
    assert err.value.code == "copy_damaged" and "没有通过完整性检查" in err.value.message
    assert "另一个 U 盘" in err.value.message
    assert list(filled.backups.iterdir()) == []


def test_full_check_for_automatic_quick_for_manual(filled, monkeypatch):
    seen = []
    real = backup.verify

    def spy(con, full=True, check=backup._noop_check):
        seen.append(full)
        return real(con, full, check)

    monkeypatch.setattr(backup, "verify", spy)
    backup.backup_now(filled, backup.KIND_AUTO)
    backup.backup_now(filled, backup.KIND_MANUAL)
    assert seen == [True, False]


# ================================================================ rotation

def entry(moment: datetime, kind: str = backup.KIND_AUTO) -> backup.BackupFile:
    return backup.BackupFile(Path(f"/x/{moment:%Y%m%d-%H%M%S}-{kind}.db"), moment, kind, 1)


def test_rotation_keeps_7_daily_4_weekly_12_monthly():
    end = datetime(2026, 11, 25, 8, 30)    # a Wednesday
    entries = [entry(end - timedelta(days=d)) for d in range(400)]
    # two on the last day: the later one represents the day
    entries.append(entry(end + timedelta(hours=8), backup.KIND_MANUAL))
    reasons = backup._keep_reasons(entries)
    kept = {p: r for p, r in reasons.items()}
    by_day = {e.path: e.taken_at for e in entries}
    days = sorted((by_day[p].date(), r) for p, r in kept.items())
    daily = [d for d, r in days if "每日" in r]
    weekly = [d for d, r in days if "每周" in r]
    monthly = [d for d, r in days if "每月" in r]
    assert daily == [date(2026, 11, d) for d in range(19, 26)]
    assert weekly == [date(2026, 11, 8), date(2026, 11, 15), date(2026, 11, 22), date(2026, 11, 25)]
    month_ends = [date(2026, m + 1, 1) - timedelta(days=1) for m in range(1, 11)]   # 01-31 … 10-31
    assert monthly == [date(2025, 12, 31), *month_ends, date(2026, 11, 25)]
    assert len(kept) == 7 + 2 + 11 + 1
    newest = max(entries, key=lambda e: e.taken_at)
    # the newest represents the last day; its first (the morning's automatic one) stays too
    assert "每日" in kept[newest.path] and kept[entry(end).path] == ("当日首份",)


def test_a_manual_backup_never_prunes_the_days_automatic_one():
    end = datetime(2026, 11, 25, 8, 30)
    entries = [entry(end - timedelta(days=d)) for d in range(30)]
    manual = [entry(end + timedelta(hours=h), backup.KIND_MANUAL) for h in range(1, 6)]
    reasons = backup._keep_reasons(entries + manual)
    assert entry(end).path in reasons                       # today's automatic backup
    assert manual[-1].path in reasons                       # the newest of today
    assert not any(m.path in reasons for m in manual[:-1])  # the manual ones in between go
    # on an earlier day kept by the daily rotation, its first backup stays as well
    later = entry(end - timedelta(days=2) + timedelta(hours=3), backup.KIND_MANUAL)
    reasons = backup._keep_reasons(entries + [later])
    assert reasons[entry(end - timedelta(days=2)).path] == ("当日首份",) and "每日" in reasons[later.path]
    # beyond the seven daily days only the weekly/monthly newest stay
    assert entry(end - timedelta(days=20)).path not in reasons


def test_rotation_counts_days_that_have_a_backup():
    """A clerk who opens the program twice a week still keeps seven daily backups."""
    end = datetime(2026, 11, 25, 9, 0)
    entries = [entry(end - timedelta(days=3 * d)) for d in range(10)]
    reasons = backup._keep_reasons(entries)
    assert sum("每日" in r for r in reasons.values()) == 7


def test_prune_deletes_what_the_rotation_does_not_keep(filled):
    made = backup.backup_now(filled, backup.KIND_AUTO, now=datetime(2026, 11, 25, 8, 0))
    # older backups (copies of the same file under their names)
    for day in range(1, 12):
        moment = datetime(2026, 11, 25, 8, 0) - timedelta(days=day)
        shutil.copy(made.path, filled.backups / f"关爱中心备份-{moment:%Y%m%d-%H%M%S}-自动.db")
    for n in range(backup.KEEP_SAFETY + 2):
        shutil.copy(made.path, filled.backups / f"关爱中心备份-202611{10 + n:02d}-120000-恢复前.db")
    (filled.backups / "说明.txt").write_text("not ours", encoding="utf-8")
    removed = backup.prune(filled)
    names = {p.name for p in removed}
    assert len([n for n in names if n.endswith("-恢复前.db")]) == 2
    assert "关爱中心备份-20261110-120000-恢复前.db" in names   # the oldest safety copies go
    left = backup.list_backups(filled)
    assert all(e.keep for e in left if e.kind in backup.ROTATED)
    assert sum(e.kind == backup.KIND_SAFETY for e in left) == backup.KEEP_SAFETY
    # 7 days + the newest of the week before (11-22 is a Sunday, 11-15 one week before)
    assert sorted(e.taken_at.date() for e in left if e.kind in backup.ROTATED) == [
        date(2026, 11, 15), *[date(2026, 11, d) for d in range(19, 26)]]
    assert (filled.backups / "说明.txt").exists()


# ================================================================ automatic daily backup

def test_automatic_backup_once_a_day(filled):
    today = date.today()
    first = backup.auto_backup_if_due(filled, today)
    assert first is not None and first.kind == backup.KIND_AUTO and first.taken_at.date() == today
    assert backup.auto_backup_if_due(filled, today) is None
    tomorrow = today + timedelta(days=1)
    second = backup.auto_backup_if_due(filled, tomorrow)
    assert second is not None and second.taken_at.date() == tomorrow
    assert len(backup.list_backups(filled)) == 2
    assert backup.last_backup_time(filled) == second.taken_at


def test_a_manual_backup_today_makes_the_automatic_one_unnecessary(filled):
    backup.backup_now(filled)
    assert backup.auto_backup_if_due(filled) is None


def test_daily_backup_logs_a_failure(filled, monkeypatch, caplog):
    from carecenter.exchange.startup_backup import daily_backup

    monkeypatch.setattr(backup, "_fsync_file", lambda *_a: (_ for _ in ()).throw(OSError(13, "denied")))
    with pytest.raises(backup.BackupError):
        daily_backup(filled)
    assert "automatic backup failed" in caplog.text


def test_leftovers_of_an_interrupted_job_are_removed_at_start_up(filled):
    filled.backups.mkdir()
    part = filled.backups / "关爱中心备份-20261125-083100-自动.db.part"
    part.write_bytes(b"half")
    (filled.backups / (part.name + "-journal")).write_bytes(b"j")
    temp = filled.database.with_name(filled.database.name + backup.RESTORING)
    temp.write_bytes(b"half")
    made = backup.auto_backup_if_due(filled)
    assert made is not None
    assert not part.exists() and not temp.exists()
    assert sorted(p.name for p in filled.backups.iterdir()) == [made.path.name]


# ================================================================ refusals (nothing changes)

def _refused(paths: DataPaths, file: Path, code: str) -> backup.BackupError:
    before = live_dump(paths)
    with pytest.raises(backup.BackupError) as err:
        backup.restore(paths, file)
    assert err.value.code == code, err.value.message
    assert live_dump(paths) == before
    assert backup.list_backups(paths) == []                   # no safety copy either
    assert not list(paths.root.glob("*" + backup.RESTORING + "*"))
    assert unit_names() == ["云溪乡人民政府", "青岭镇人民政府"]  # the application keeps working
    return err.value


def test_refuses_a_file_that_is_not_a_database(filled, tmp_path):
    junk = tmp_path / "照片.db"
    junk.write_bytes(b"\x89PNG not a database" * 500)
    err = _refused(filled, junk, "not_ours")
    assert err.message.startswith("文件 照片.db 不是关心关爱中心的备份") and "没有任何改动" in err.message


def test_refuses_an_empty_file_and_a_missing_one(filled, tmp_path):
    empty = tmp_path / "空.db"
    empty.write_bytes(b"")
    _refused(filled, empty, "not_ours")
    err = _refused(filled, tmp_path / "不存在.db", "not_found")
    assert "找不到文件" in err.message


def test_refuses_another_programs_sqlite_database(filled, tmp_path):
    other = foreign_sqlite(tmp_path / "其他软件.db", "CREATE TABLE cadre (id INTEGER PRIMARY KEY, archived INTEGER)")
    _refused(filled, other, "not_ours")


def test_refuses_a_backup_from_a_newer_version(filled):
    made = backup.backup_now(filled)
    newer = filled.root / "新版本备份.db"
    shutil.copy(made.path, newer)
    made.path.unlink()
    con = sqlite3.connect(str(newer))
    con.execute(f"PRAGMA user_version = {known_version() + 1}")
    con.commit()
    con.close()
    err = _refused(filled, newer, "too_new")
    assert "更新版本" in err.message and "安装新版本" in err.message


def corrupt(path: Path) -> None:
    """Overwrite the middle of the file (past the header page) with garbage."""
    size = path.stat().st_size
    page = pragma(path, "page_size")
    with open(path, "r+b") as fh:
        for offset in range(2 * page, size - page, 3 * page):
            fh.seek(offset + 40)
            fh.write(b"\xde\xad\xbe\xef" * 200)


def test_refuses_a_damaged_backup(filled):
    for i in range(40):
        add_unit(f"单位{i:02d}" + "很长的名称" * 20)
    made = backup.backup_now(filled)
    damaged = filled.root / "损坏的备份.db"
    shutil.move(made.path, damaged)
    corrupt(damaged)
    before = live_dump(filled)
    with pytest.raises(backup.BackupError) as err:
        backup.restore(filled, damaged)
    assert err.value.code == "damaged" and "已损坏" in err.value.message and "没有任何改动" in err.value.message
    assert live_dump(filled) == before and backup.list_backups(filled) == []


def test_refuses_the_live_database_itself(filled):
    err = _refused(filled, filled.database, "same_file")
    assert "正在使用的数据库" in err.message


def test_refuses_while_another_connection_holds_the_database(filled):
    made = backup.backup_now(filled)
    add_unit("备份之后加的单位")
    other = sqlite3.connect(str(filled.database))
    other.execute("SELECT count(*) FROM unit").fetchone()
    try:
        with pytest.raises(backup.BackupError) as err:
            backup.restore(filled, made.path)
    finally:
        other.close()
    assert err.value.code == "in_use" and "没有任何改动" in err.value.message
    assert "备份之后加的单位" in unit_names()
    assert not list(filled.root.glob("*" + backup.RESTORING + "*"))


# ================================================================ restore

def test_restore_brings_the_backup_back_and_keeps_a_safety_copy(filled):
    made = backup.backup_now(filled)
    in_backup = dump(made.path)
    add_unit("备份之后加的单位")
    after = live_dump(filled)

    result = backup.restore(filled, made.path)

    assert "备份之后加的单位" not in unit_names()                # the application reads the restored file
    assert unit_names() == ["云溪乡人民政府", "青岭镇人民政府"]
    assert data_lines(live_dump(filled)) == data_lines(in_backup)
    # the audit rows written after the backup (adding the unit) survive, the chain holds,
    # and the restore is the newest row (issue 10)
    from carecenter.services import audit as audit_service
    from carecenter.db.models import AuditLog as Log
    rows = list(Log.select().order_by(Log.id))
    assert any("备份之后加的单位" in r.summary for r in rows)
    assert rows[-1].action == "restore" and made.path.name in rows[-1].summary
    assert audit_service.verify().ok
    assert result.safety is not None and result.safety.kind == backup.KIND_SAFETY
    assert dump(result.safety.path) == after                      # the data as it was before the restore
    assert result.info.cadres == 0 and result.migrations == []
    from carecenter.services import audit
    from carecenter.db.models import AuditLog
    row = AuditLog.get(AuditLog.action == "restore", AuditLog.table == "database")
    assert made.path.name in row.summary and row.user == audit.current_user()
    assert not list(filled.root.glob("*" + backup.RESTORING + "*"))
    # and the restore can be undone with the safety copy
    backup.restore(filled, result.safety.path)
    assert "备份之后加的单位" in unit_names()


def test_inspect_names_what_is_in_the_backup(filled, cadre_data):
    roster.save_cadre(cadre_data())
    made = backup.backup_now(filled, now=datetime(2026, 11, 20, 8, 31))
    info = backup.inspect_backup(filled, made.path)
    assert info.taken_at == datetime(2026, 11, 20, 8, 31) and info.cadres == 1
    assert info.version == known_version() and not info.older
    assert info.last_change is not None and info.size == made.size


def test_restore_from_a_usb_copy_with_a_foreign_name(filled, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    made = backup.backup_to(filled, stick)
    renamed = stick / "备份 十一月.db"
    made.path.rename(renamed)
    add_unit("以后加的")
    result = backup.restore(filled, renamed)
    assert "以后加的" not in unit_names()
    assert result.info.taken_at.date() == date.today()             # the file's time when the name says none


def _v1_database(tmp_path, monkeypatch) -> Path:
    """A database written by the first version (only 0001 applied), holding one unit."""
    old_dir = tmp_path / "migrations-v1"
    old_dir.mkdir()
    shutil.copy(database.MIGRATIONS_DIR / "0001_roster.py", old_dir)
    real = database.MIGRATIONS_DIR
    monkeypatch.setattr(database, "MIGRATIONS_DIR", old_dir)
    paths = DataPaths(tmp_path / "old").ensure()
    assert open_database(paths.database, paths.pre_migration) == ["0001_roster"]
    database.db.execute_sql("INSERT INTO unit (uuid, created_at, updated_at, archived, name) "
                            "VALUES ('unit-1', '2020-01-01 08:00:00', '2020-01-01 08:00:00', 0, '旧版本的单位')")
    close_database()
    monkeypatch.setattr(database, "MIGRATIONS_DIR", real)
    old = tmp_path / "旧版本备份.db"
    src = sqlite3.connect(str(paths.database))
    dst = sqlite3.connect(str(old))
    src.backup(dst)
    dst.execute("PRAGMA journal_mode=DELETE")
    dst.close()
    src.close()
    return old


def test_restore_an_older_backup_migrates_it(tmp_path, monkeypatch):
    old = _v1_database(tmp_path, monkeypatch)
    paths = DataPaths(tmp_path / "data")
    open_store(paths)
    add_unit("现在的单位")
    info = backup.inspect_backup(paths, old)
    assert info.version == 1 and info.older and info.last_change is None
    result = backup.restore(paths, old)
    assert result.migrations == [f.stem for f in sorted(database.MIGRATIONS_DIR.glob("[0-9]*.py"))][1:]
    assert unit_names() == ["旧版本的单位"]
    from carecenter.services import leave
    assert leave.all_rules()                                       # rule tables seeded as at start-up
    close_database()
    assert pragma(paths.database, "user_version") == known_version()
    # the copy is migrated and checked before the swap; the backup file itself stays as it was
    assert pragma(old, "user_version") == 1


def test_restore_replaces_a_database_sqlite_cannot_read(tmp_path):
    """The reason to restore: the current file is broken.  Its bytes are kept as the safety copy."""
    paths = DataPaths(tmp_path / "data")
    open_store(paths)
    add_unit("备份里的单位")
    made = backup.backup_now(paths)
    close_database()
    for side in ("-wal", "-shm"):
        p = paths.database.with_name(paths.database.name + side)
        if p.exists():
            p.unlink()
    broken = b"garbage after a disk failure" * 1000
    paths.database.write_bytes(broken)
    result = backup.restore(paths, made.path)
    assert unit_names() == ["备份里的单位"]
    assert result.safety is not None and result.safety.path.read_bytes() == broken


def test_cancelled_restore_changes_nothing(filled):
    made = backup.backup_now(filled)
    add_unit("备份之后加的单位")
    before = live_dump(filled)
    calls = []

    class Stop(Exception):
        pass

    def check():
        calls.append(1)
        if len(calls) > 3:
            raise Stop()

    with pytest.raises(Stop):
        backup.restore(filled, made.path, check=check)
    assert live_dump(filled) == before and "备份之后加的单位" in unit_names()
    assert not list(filled.root.glob("*" + backup.RESTORING + "*"))


# ================================================================ command line

def run_cli(*args, home: Path, stdin=subprocess.DEVNULL):
    env = dict(os.environ)
    for var in ("HOME", "USERPROFILE", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                "APPDATA", "LOCALAPPDATA"):
        env[var] = str(home)
    env["PYTHONIOENCODING"] = "utf-8"
    env["CARECENTER_PASSWORD"] = TEST_PASSWORD
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *signed_in_cli(args, "admin")], cwd=ROOT,
                          env=env, stdin=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_cli_backup_and_restore(filled, tmp_path):
    close_database()
    home = tmp_path / "home"
    home.mkdir()
    data = str(filled.root)
    proc = run_cli("--data-dir", data, "backup", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "已备份" in proc.stdout and "副本已通过检查" in proc.stdout
    made = backup.list_backups(filled)[0]
    assert made.kind == backup.KIND_MANUAL

    stick = tmp_path / "stick"
    stick.mkdir()
    proc = run_cli("backup", "--data-dir", data, "--to", str(stick), home=home)
    assert proc.returncode == 0, proc.stderr
    assert len(list(stick.glob("关爱中心备份-*.db"))) == 1

    proc = run_cli("backup", "--data-dir", data, "--list", home=home)
    assert proc.returncode == 0 and made.path.name in proc.stdout and "手动备份" in proc.stdout

    open_store(filled)
    add_unit("备份之后加的单位")
    close_database()
    before = live_dump(filled)
    # without --yes and with no one to ask: refused, nothing changed
    proc = run_cli("restore", "--data-dir", data, str(made.path), home=home)
    assert proc.returncode == 2 and "--yes" in proc.stderr and live_dump(filled) == before
    proc = run_cli("restore", "--data-dir", data, str(made.path), "--yes", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "已从备份恢复" in proc.stdout and "安全副本" in proc.stdout
    open_store(filled)
    assert "备份之后加的单位" not in unit_names()


def test_cli_refusals_exit_non_zero_and_change_nothing(filled, tmp_path):
    close_database()
    home = tmp_path / "home"
    home.mkdir()
    junk = tmp_path / "junk.db"
    junk.write_text("这不是数据库" * 100, encoding="utf-8")
    before = live_dump(filled)
    proc = run_cli("restore", "--data-dir", str(filled.root), str(junk), "--yes", home=home)
    assert proc.returncode == 2
    assert "不是关心关爱中心的备份" in proc.stderr and "Traceback" not in proc.stderr
    assert live_dump(filled) == before and backup.list_backups(filled) == []

    (tmp_path / "空目录").mkdir()
    proc = run_cli("backup", "--data-dir", str(tmp_path / "空目录"), home=home)
    assert proc.returncode == 2 and "还没有数据库" in proc.stderr
    proc = run_cli("backup", "--data-dir", str(tmp_path / "没有的目录"), home=home)
    assert proc.returncode == 2 and "不存在" in proc.stderr and not (tmp_path / "没有的目录").exists()
    proc = run_cli("backup", "--data-dir", str(filled.root), "--to", str(tmp_path / "nowhere"), home=home)
    assert proc.returncode == 2 and "找不到文件夹" in proc.stderr


def test_cli_help_in_chinese(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proc = run_cli("--help", home=home)
    assert "backup" in proc.stdout and "restore" in proc.stdout and "备份数据库" in proc.stdout
    proc = run_cli("restore", "--help", home=home)
    assert "--yes" in proc.stdout and "安全副本" in proc.stdout
