"""A damaged database at start-up (issue 12): the dialog lists the backups with their
dates and restores the chosen one for an account with the 备份与恢复 permission."""
from __future__ import annotations

from pathlib import Path

import pytest

from carecenter.db import database
from tests.conftest import TEST_PASSWORD, add_accounts


@pytest.fixture
def damaged(store):
    from carecenter.exchange import backup
    from carecenter.services import roster

    roster.save_unit({"name": "备份里的单位", "kind": "政府", "township": "城关镇", "township_category": "镇"})
    add_accounts()
    made = backup.backup_now(store, backup.KIND_AUTO)
    database.close_database()
    for side in ("-wal", "-shm"):
        Path(str(store.database) + side).unlink(missing_ok=True)
    store.database.write_bytes(store.database.read_bytes()[:8192])        # a truncated file of ours
    with pytest.raises(database.DatabaseDamaged) as err:
        database.open_database(store.database)
    return store, made, str(err.value)


def test_lists_backups_and_restores_with_an_admin_account(damaged, qtbot, boxes):
    from carecenter.app import open_store
    from carecenter.ui.dialogs.damaged_dialog import DamagedDialog

    store, made, message = damaged
    dialog = DamagedDialog(store, message, open_store=open_store)
    qtbot.addWidget(dialog)
    assert dialog.list.count() >= 1 and made.path.name in dialog.list.item(0).text()
    assert f"{made.taken_at:%Y-%m-%d %H:%M}" in dialog.list.item(0).text()
    dialog.login.setText("jingban")                       # a 经办人 may not restore
    dialog.password.setText(TEST_PASSWORD)
    dialog.restore()
    qtbot.waitUntil(lambda: any("备份与恢复" in t for t in boxes.texts), timeout=20000)
    assert not dialog.restored
    dialog.login.setText("admin")
    dialog.restore()
    qtbot.waitUntil(lambda: dialog.restored, timeout=20000)
    database.open_database(store.database)
    names = [r[0] for r in database.db.execute_sql("SELECT name FROM unit").fetchall()]
    assert names == ["备份里的单位"]
