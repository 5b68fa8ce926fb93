"""The tamper-evident audit trail (issue 10): a hash chain that raw-SQL deletes, edits
and inserts break, append-only triggers, and restores that keep later rows."""
from __future__ import annotations

from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)

import pytest

from carecenter.db.database import close_database
from carecenter.security import auditchain
from carecenter.services import audit


@pytest.fixture
def logged(store):
    for i in range(20):
        audit.record("view", "cadre", f"u{i}", f"查看第 {i} 条")
    close_database()
    return store


def raw(paths):
    con = sqlite3.connect(str(paths.database))
    con.isolation_level = None
    return con


def report(paths) -> auditchain.ChainReport:
    con = sqlite3.connect(str(paths.database))
    try:
        return auditchain.verify(con)
    finally:
        con.close()


def row_id(paths, n: int) -> int:
    con = raw(paths)
    try:
        return con.execute("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET ?", (n,)).fetchone()[0]
    finally:
        con.close()


def test_an_untouched_chain_verifies(logged):
    r = report(logged)
    assert r.ok and r.rows >= 20 and "完整" in r.message


def test_the_application_cannot_update_or_delete_audit_rows(logged):
    con = raw(logged)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE audit_log SET summary = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM audit_log")
    finally:
        con.close()


def _drop_triggers(con):
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")


def _tamper(logged, sql: str, target: int):
    """Edit the trail behind the program's back (its triggers dropped) and verify again."""
    con = raw(logged)
    _drop_triggers(con)
    con.execute(sql, (target,))
    con.close()
    return report(logged)


def test_an_edited_row_is_named(logged):
    target = row_id(logged, 7)
    r = _tamper(logged, "UPDATE audit_log SET user = '别人' WHERE id = ?", target)
    assert not r.ok and r.first_bad_id == target and "改动" in r.message


def test_a_deleted_row_is_named(logged):
    target = row_id(logged, 5)
    r = _tamper(logged, "DELETE FROM audit_log WHERE id = ?", target)
    assert not r.ok and r.first_bad_id == target + 1 and "删除或插入" in r.message


def test_an_inserted_row_is_named(logged):
    con = raw(logged)
    con.execute("INSERT INTO audit_log (id, at, user, action, \"table\", record_uuid, summary, changes, cadre_uuid, "
                "prev_hash, row_hash) SELECT id + 1000, at, user, action, \"table\", record_uuid, summary, changes, "
                "cadre_uuid, prev_hash, row_hash FROM audit_log ORDER BY id LIMIT 1")
    con.close()
    r = report(logged)
    assert not r.ok


def test_rows_deleted_at_the_end_are_seen(logged):
    con = raw(logged)
    _drop_triggers(con)
    last = con.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    con.execute("DELETE FROM audit_log WHERE id > ?", (last - 3,))
    con.close()
    r = report(logged)
    assert not r.ok and r.first_bad_id is None and "3 条记录被删除" in r.message


def test_cli_audit_verify_names_the_row(logged, cli_password, capsys):
    from carecenter import cli
    from tests.conftest import add_accounts
    from carecenter.app import open_store

    open_store(logged)
    add_accounts()
    close_database()
    assert cli.main(["--user", "shenji", "--data-dir", str(logged.root), "audit", "verify"]) == 0
    assert "完整" in capsys.readouterr().out
    target = row_id(logged, 3)
    con = raw(logged)
    _drop_triggers(con)
    con.execute("UPDATE audit_log SET summary = '改过' WHERE id = ?", (target,))
    con.close()
    assert cli.main(["--user", "shenji", "--data-dir", str(logged.root), "audit", "verify"]) == 1
    assert f"第 {target} 号记录" in capsys.readouterr().out


def test_surrogates_from_a_legacy_file_name_are_stored_printable(store):
    name = b"\xb5\xb5\xb0\xb8.xlsx".decode("utf-8", "surrogateescape")   # a GBK name read by a UTF-8 system
    audit.record("export", "export", "roster", f"导出到 {name}", {"file": name})
    row = audit.history("roster")[0]
    assert "\\udcb5" in row[3]


def test_restore_refuses_a_file_with_a_trigger_the_app_does_not_have(store, tmp_path):
    from carecenter.exchange import backup
    from tests.conftest import add_accounts

    add_accounts()
    made = backup.backup_now(store)
    evil = tmp_path / "带触发器的备份.db"
    con = sqlite3.connect(str(made.path))
    con.execute("CREATE TRIGGER wipe AFTER INSERT ON audit_log BEGIN SELECT 1; END")
    con.commit()
    con.close()
    made.path.rename(evil)
    close_database()
    before = store.database.read_bytes()
    with pytest.raises(backup.BackupError) as err:
        backup.restore(store, evil)
    assert "wipe" in err.value.message and "没有任何改动" in err.value.message
    close_database()
    assert store.database.read_bytes() == before        # the live file, byte for byte


def test_restore_refuses_a_file_with_only_some_of_our_tables(store, tmp_path):
    from carecenter.db.database import APP_ID, known_version
    from carecenter.exchange import backup

    odd = tmp_path / "只有名册表.db"
    con = sqlite3.connect(str(odd))
    con.execute("CREATE TABLE cadre (id INTEGER PRIMARY KEY, archived INTEGER)")
    con.execute(f"PRAGMA application_id = {APP_ID}")
    con.execute(f"PRAGMA user_version = {known_version()}")
    con.commit()
    con.close()
    with pytest.raises(backup.BackupError) as err:
        backup.restore(store, odd)
    assert "没有任何改动" in err.value.message
