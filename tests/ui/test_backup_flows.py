"""数据备份: 立即备份, 备份到… (a folder such as a USB stick), 从备份恢复… (check → confirm naming
the backup's date and the safety copy → restore → the application reopens), refusals that
change nothing, the automatic daily backup in the background and the status bar."""
from __future__ import annotations

from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
import sys
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from carecenter.exchange import backup
from carecenter.services import roster
from carecenter.ui import messages
from carecenter.ui.pages import backup_page


def unit_names() -> list[str]:
    return sorted(u["name"] for u in roster.list_units(include_archived=True))


def wait_idle(page, qtbot) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=20000)


@pytest.fixture
def page(window):
    window.set_page("backup")
    return window.backup_page


@pytest.fixture
def restarts(monkeypatch):
    calls = []
    monkeypatch.setattr("carecenter.ui.main_window.restart_application", lambda w: calls.append(w) or True)
    return calls


class Confirmations(list):
    """What each confirmation said; ``answer`` is what the clerk clicks (True: 恢复)."""

    answer = True


@pytest.fixture
def confirms(monkeypatch):
    seen = Confirmations()

    def confirm(parent, text, ok_text, *, title=None, cancel_text=None, informative=""):
        seen.append({"text": text, "ok": ok_text, "informative": informative})
        return seen.answer

    monkeypatch.setattr(messages, "confirm", confirm)
    return seen


def test_page_in_the_navigation_and_backup_now(window, page, qtbot, add_unit):
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "数据备份" in labels
    assert window.current_page() is page
    assert window.backup_label.text() == "尚未备份"
    assert page.empty_state.isVisible() and "立即备份" in page.empty_state.label.text()
    add_unit("青岭镇人民政府")

    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    assert not page.backup_button.isEnabled()          # one job at a time
    wait_idle(page, qtbot)

    assert page.model.rowCount() == 1 and page.table_view.isVisible()
    made = backup.list_backups(window.paths)[0]
    assert made.kind == backup.KIND_MANUAL
    assert page.model.data(page.model.index(0, 1)) == "手动备份"
    assert page.model.data(page.model.index(0, 2)) == "每日、每周、每月、当日首份"   # the only backup: newest and first of the day
    assert window.backup_label.text() == f"上次备份 今天 {made.taken_at:%H:%M}"
    assert page.last_label.text() == f"上次备份：今天 {made.taken_at:%H:%M}"
    assert page.hint_label.text().startswith("已备份：今天")
    assert page.count_label.text().startswith("共 1 份备份")
    assert page.backup_button.isEnabled()


def test_backup_to_a_folder(window, page, qtbot, boxes, monkeypatch, tmp_path):
    stick = tmp_path / "U盘"
    stick.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(stick))
    qtbot.mouseClick(page.backup_to_button, Qt.MouseButton.LeftButton)
    wait_idle(page, qtbot)

    files = list(stick.glob("关爱中心备份-*.db"))
    assert len(files) == 1
    assert boxes.shown[-1]["title"] == "备份完成"
    assert f"已备份到 {files[0]}" in boxes.shown[-1]["text"] and "已通过检查" in boxes.shown[-1]["text"]
    assert "打开所在文件夹" in boxes.shown[-1]["buttons"]
    assert page.external_label.isVisible() and str(files[0]) in page.external_label.text()
    assert window.backup_label.text().startswith("上次备份 今天")
    assert backup.list_backups(window.paths) == []      # not part of the rotation


def test_backup_to_chooser_cancelled_does_nothing(window, page, qtbot, boxes, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    qtbot.mouseClick(page.backup_to_button, Qt.MouseButton.LeftButton)
    assert not page.busy and boxes.shown == []


def test_restore_from_a_chosen_file(window, page, qtbot, boxes, monkeypatch, restarts, confirms, add_unit):
    add_unit("备份里的单位")
    made = backup.backup_now(window.paths, now=datetime(2026, 11, 20, 8, 31))
    add_unit("备份之后加的单位")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(made.path), ""))

    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(restarts), timeout=20000)

    # the confirmation named the backup's date, what is in it and the safety copy
    assert len(confirms) == 1
    assert confirms[0]["text"] == "确定用 2026-11-20 08:31 的备份恢复数据？" and confirms[0]["ok"] == "恢复"
    assert "在册干部 0 人" in confirms[0]["informative"]
    assert "安全副本" in confirms[0]["informative"] and str(window.paths.backups) in confirms[0]["informative"]
    assert "程序会重新打开" in confirms[0]["informative"]
    # restored, with the current data kept as a safety copy
    assert unit_names() == ["备份里的单位"]
    safety = [e for e in backup.list_backups(window.paths) if e.kind == backup.KIND_SAFETY]
    assert len(safety) == 1
    con = sqlite3.connect(str(safety[0].path))
    assert "备份之后加的单位" in [r[0] for r in con.execute("SELECT name FROM unit")]
    con.close()
    # told, then the application reopens (no page can show the old data)
    done = boxes.shown[-1]
    assert done["title"] == "恢复完成" and "已用 2026-11-20 08:31 的备份恢复数据" in done["text"]
    assert str(safety[0].path) in done["text"] and "程序将重新打开" in done["text"]
    assert restarts == [window] and window.isEnabled()


def test_refused_file_changes_nothing(window, page, qtbot, boxes, monkeypatch, restarts, confirms, add_unit,
                                      tmp_path):
    add_unit("现在的单位")
    junk = tmp_path / "照片.db"
    junk.write_bytes(b"not a database" * 300)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(junk), ""))
    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    wait_idle(page, qtbot)

    assert confirms == [] and restarts == []
    assert boxes.shown[-1]["title"] == "不能用这个文件恢复"
    assert boxes.shown[-1]["text"].startswith("文件 照片.db 不是关心关爱中心的备份")
    assert "没有任何改动" in boxes.shown[-1]["text"]
    assert unit_names() == ["现在的单位"] and backup.list_backups(window.paths) == []
    assert page.restore_button.isEnabled()


def test_no_at_the_confirmation_changes_nothing(window, page, qtbot, restarts, confirms, add_unit):
    add_unit("备份里的单位")
    backup.backup_now(window.paths)
    page.refresh()
    add_unit("备份之后加的单位")
    confirms.answer = False
    # double-click (here: Enter) on a backup in the list starts a restore from it
    page.table_view.select_row(0)
    page.table_view.open_requested.emit(0)
    wait_idle(page, qtbot)

    assert len(confirms) == 1 and restarts == []
    assert unit_names() == ["备份之后加的单位", "备份里的单位"]
    assert [e.kind for e in backup.list_backups(window.paths)] == [backup.KIND_MANUAL]


def test_automatic_backup_runs_in_the_background_once_a_day(window, page, qtbot):
    page.start_auto_backup()
    assert page.busy and not page.restore_button.isEnabled()
    assert page.hint_label.text() == "正在自动备份…"
    wait_idle(page, qtbot)
    made = backup.list_backups(window.paths)
    assert [e.kind for e in made] == [backup.KIND_AUTO]
    assert window.statusBar().currentMessage() == f"已自动备份（今天 {made[0].taken_at:%H:%M}）"
    assert window.backup_label.text() == f"上次备份 今天 {made[0].taken_at:%H:%M}"
    assert page.model.rowCount() == 1 and page.hint_label.text() == "双击某一份备份可用它恢复"

    window.statusBar().clearMessage()
    page.start_auto_backup()                      # already done today: nothing new, nothing said
    wait_idle(page, qtbot)
    assert len(backup.list_backups(window.paths)) == 1 and window.statusBar().currentMessage() == ""


def test_a_backup_reporting_back_after_sign_out_reads_nothing(window, page, qtbot):
    """Signing out closes the window, but Qt deletes it only later: the automatic backup
    still running reports back then (and its timer may still fire), maybe while another
    account without 查看干部名册 (the 系统管理员) is signed in.  The closed window reads nothing
    — no error box — and starts no new backup."""
    from carecenter.security import access

    page.start_auto_backup()
    window.close()
    admin = access.Actor("admin", "管理员", frozenset({"accounts.manage"}))
    with access.acting_as(admin):
        wait_idle(page, qtbot)            # its news arrives in the closed window
        page.start_auto_backup()
        assert not page.busy
    with access.acting_as(None):
        window.refresh_status()           # and with nobody signed in
    assert [e.kind for e in backup.list_backups(window.paths)] == [backup.KIND_AUTO]
    assert window.statusBar().currentMessage() == ""


def test_automatic_backup_failure_is_logged_and_shown(window, page, qtbot, monkeypatch, caplog):
    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_fsync_file", broken)
    page.start_auto_backup()
    wait_idle(page, qtbot)
    assert window.statusBar().currentMessage().startswith("今天的自动备份未能完成：")
    assert "磁盘空间不足" in window.statusBar().currentMessage()
    assert "automatic backup failed" in caplog.text


def test_show_initial_schedules_the_automatic_backup(window, monkeypatch):
    calls = []
    monkeypatch.setattr(window.backup_page, "schedule_auto_backup", lambda *a: calls.append(a))
    window.show_initial()
    assert calls == [()]


@pytest.mark.parametrize("argv, frozen, expected", [
    (["main.py", "--demo"], False, ["{main}", "--demo"]),
    (["/x/carecenter/__main__.py", "--data-dir", "d"], False, ["-m", "carecenter", "--data-dir", "d"]),
    (["carecenter.exe", "--demo"], True, ["--demo"]),
])
def test_relaunch_command_repeats_how_the_application_was_started(monkeypatch, tmp_path, argv, frozen, expected):
    main = tmp_path / "main.py"
    main.write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", argv)
    if frozen:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    program, args = backup_page.relaunch_command()
    assert program == sys.executable
    assert args == [a.replace("{main}", str(main.resolve())) for a in expected]
