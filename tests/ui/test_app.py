"""Application shell: fonts, settings, keyboard, the error hook, the benchmark hook, Chinese everywhere."""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QTableView,
    QWidget,
)

from carecenter.domain.errors import DomainError
from carecenter.ui import theme
from carecenter.ui.widgets.date_edit import DateEdit

REPO = Path(__file__).resolve().parents[2]
ALLOWED_LATIN = {"Ctrl", "Enter", "F", "N", "X", "PDF",  # PDF: 导出 PDF (issue 5)
                 "Excel",  # 导出当前列表到 Excel… / 从 Excel 导入… (issue 6)
                 "U",  # 备份到 U 盘 (issue 6)
                 "L",  # 锁定屏幕（Ctrl+L） (issue 10)
                 "county", "pub", "ccx", "O"}  # the files 县里公钥 county.pub and 报送包 .ccx; Ctrl+O (issue 15)


def visible_texts(root: QWidget, skip: tuple = ()) -> list[str]:
    out = [root.windowTitle()]
    for w in root.findChildren(QWidget):
        if w in skip:
            continue
        if isinstance(w, QLabel):
            out.append(re.sub(r"<[^>]+>", "", w.text()))
        elif isinstance(w, QAbstractButton):
            out += [w.text(), w.toolTip()]
        elif isinstance(w, QLineEdit):
            out += [w.placeholderText(), w.toolTip()]
        elif isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())] + [w.placeholderText()]
        elif isinstance(w, QGroupBox):
            out.append(w.title())
        elif isinstance(w, QTabWidget):
            out += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QTableView) and w.model() is not None:
            m = w.model()
            out += [str(m.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(m.columnCount())]
    return [t for t in out if t]


def english_words(texts: list[str]) -> set[str]:
    words = set()
    for t in texts:
        for word in re.findall(r"[A-Za-z]+", t):
            if word not in ALLOWED_LATIN:
                words.add(word)
    return words


def test_no_english_on_screen(window, qtbot, add_unit, add_cadre):
    unit_id = add_unit()
    cadre_id = add_cadre("张三", "11010519491231002X", unit_id)
    window.roster_page.reload_units()
    # the data folder's path (and the backup folder's, inside it) is the clerk's own, not our text;
    # so is the signed-in login name
    assert english_words(visible_texts(window, skip=(window.data_dir_label, window.who_label,
                                                     window.backup_page.folder_label))) == set()
    window.roster_page.add()
    dialog = window.roster_page.dialog
    assert english_words(visible_texts(dialog)) == set()
    dialog.reject()
    window.set_page("units")
    window.units_page.add()
    assert english_words(visible_texts(window.units_page.dialog)) == set()
    window.units_page.dialog.reject()
    detail = window.open_cadre(cadre_id)
    assert english_words(visible_texts(detail)) == set()


def test_bundled_font_registered_and_used(themed):
    family = theme.register_bundled_font()
    assert family, "resources/fonts/wqy-microhei.ttc must register"
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)
    families = themed.font().families()
    assert family in families
    assert 10 <= themed.font().pointSize() <= 11


def test_window_title_and_status_bar(window, store):
    assert window.windowTitle() == "关心关爱中心"
    assert window.data_dir_label.text().startswith("数据目录 ")
    assert str(store.root.name) in window.data_dir_label.text()
    assert window.count_label.text() == "在册干部 0 人"
    assert window.backup_label.text() == "尚未备份"
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "工作台", "干部名册", "休假管理", "健康体检", "津贴补贴", "福利慰问", "报表打印", "单位管理", "系统设置",
        "数据备份", "账户管理", "审计日志"]
    assert window.who_label.text() == "当前用户 tester（测试员）｜系统管理员、经办人、负责人、心理关爱专员、安全审计员"


def test_demo_title(store, themed, qtbot):
    from carecenter.ui.main_window import MainWindow

    w = MainWindow(store, demo=True)
    qtbot.addWidget(w)
    assert w.windowTitle() == "关心关爱中心 — 演示数据（非真实信息）"


def test_settings_remember_size_in_data_folder_and_start_on_home(store, themed, qtbot, boxes, _private_home):
    from carecenter.ui.main_window import MainWindow

    w = MainWindow(store)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    w.show()
    w.set_page("units")
    w.close()
    assert store.settings_file.exists()
    assert "units" in store.settings_file.read_text(encoding="utf-8")

    again = MainWindow(store)
    qtbot.addWidget(again)
    # the day always starts on 工作台 (issue 4: the first page a clerk sees), size as last time
    assert again.current_page() is again.home_page
    assert again.settings.value("window/geometry") is not None
    qtbot.waitUntil(lambda: again.home_page._job is None, timeout=10000)
    # nothing was written to the home folder
    assert not any(p.suffix in (".ini", ".conf") for p in Path(_private_home).rglob("*"))


def test_ctrl_n_adds_on_current_page(window, qtbot):
    window.set_page("units")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.units_page.dialog is not None and window.units_page.dialog.isVisible()
    window.units_page.dialog.reject()
    window.set_page("units")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.units_page.search_box.hasFocus()


@pytest.mark.parametrize("typed,allow_month,expected", [
    ("2026-11-25", False, date(2026, 11, 25)),
    ("2026.11.25", False, date(2026, 11, 25)),
    ("20261125", False, date(2026, 11, 25)),
    ("2026年11月25日", False, date(2026, 11, 25)),
    ("1985.03", True, date(1985, 3, 1)),
    ("", False, None),
])
def test_date_edit_accepts_what_clerks_type(qtbot, typed, allow_month, expected):
    edit = DateEdit(allow_month=allow_month, field="work_start_date", label="参加工作时间")
    qtbot.addWidget(edit)
    edit.setText(typed)
    assert edit.value() == expected and edit.error() is None
    edit.line_edit.editingFinished.emit()
    # a month alone stays a month (issue 13): 1985.03, not 1985-03-01
    shown = (f"{expected:%Y.%m}" if allow_month and expected.day == 1 else expected.isoformat()) if expected else ""
    assert edit.text() == shown


def test_date_edit_explains_a_wrong_date(qtbot):
    edit = DateEdit(field="birth_date", label="出生日期")
    qtbot.addWidget(edit)
    edit.setText("1985.03")
    err = edit.error()
    assert isinstance(err, DomainError) and err.field == "birth_date"
    assert "出生日期格式不对" in err.message
    edit.setText("2026.02.30")
    assert "不是真实日期" in edit.error().message
    edit.line_edit.editingFinished.emit()
    assert edit.text() == "2026.02.30"  # kept as typed so it can be corrected


def test_date_edit_calendar_popup(qtbot):
    from PySide6.QtCore import QDate

    edit = DateEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.mouseClick(edit.button, Qt.MouseButton.LeftButton)
    popup = edit._popup
    assert popup.isVisible()
    popup.calendar.clicked.emit(QDate(2026, 11, 25))
    assert edit.value() == date(2026, 11, 25) and not popup.isVisible()


def test_unexpected_error_is_logged_and_explained(tmp_path, boxes, qapp, caplog):
    from carecenter.ui.application import ExceptionReporter

    logfile = tmp_path / "carecenter.log"
    reporter = ExceptionReporter(logfile)
    try:
        raise ValueError("boom")
    except ValueError:
        with caplog.at_level(logging.ERROR):
            reporter(*sys.exc_info())
    assert "ValueError: boom" in caplog.text
    assert boxes.texts == [f"程序遇到意外错误，已记录到日志：{logfile}。您可以继续工作；"
                           "如问题反复出现，请把日志文件发给技术人员。"]


def _run_gui(args, env_extra, tmp_path, timeout=60):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env_extra)
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_timing_hook_writes_json_and_quits(tmp_path):
    data = tmp_path / "demo"
    out = tmp_path / "timing.json"
    # the benchmark signs in without the window: --user plus CARECENTER_PASSWORD (issue 10)
    result = _run_gui(["--demo", "--data-dir", str(data), "--user", "jingban"],
                      {"CARECENTER_TIMING_FILE": str(out), "CARECENTER_PASSWORD": "Demo@2026"}, tmp_path)
    assert result.returncode == 0, result.stderr
    timing = json.loads(out.read_text(encoding="utf-8"))
    assert set(timing) == {"window_shown", "first_page", "maxrss_kb"}
    assert timing["window_shown"] > 0 and timing["first_page"] > 0 and timing["maxrss_kb"] >= 0
    # --demo generated the demo roster on first use, with its accounts; the window was the 经办人's
    assert (data / "carecenter.db").exists()
    from tests.conftest import keyed_connect

    con = keyed_connect(data / "carecenter.db")
    try:
        actions = con.execute('SELECT "action", "user" FROM "audit_log" WHERE "action" IN ("signin", "signout") '
                              'ORDER BY "id"').fetchall()
    finally:
        con.close()
    assert actions == [("signin", "jingban（演示经办人）"), ("signout", "jingban（演示经办人）")]


def _gui_answering_boxes(tmp_path, data_dir, answer: str):
    """Start the window on ``data_dir`` in a child process whose message boxes answer
    ``answer`` (a Python expression; there is no clerk) and write their text to stderr."""
    hook = tmp_path / "hook.py"
    hook.write_text(
        "from PySide6.QtWidgets import QMessageBox\n"
        "import sys\n"
        "def _exec(box):\n"
        "    sys.stderr.write('BOX:' + box.text() + '\\n')\n"
        f"    return {answer}\n"
        "QMessageBox.exec = _exec\n", encoding="utf-8")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]), "PYTHONSTARTUP": ""}
    code = ("import hook, sys; from carecenter.cli import main; "
            f"sys.exit(main(['--data-dir', r'{data_dir}']))")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env),
                          capture_output=True, text=True, timeout=60)


def test_refuses_foreign_file_without_touching_it(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = data / "carecenter.db"
    db.write_bytes(b"this is not a database at all" * 100)
    before = db.read_bytes()
    result = _gui_answering_boxes(tmp_path, data, "1024")
    assert result.returncode != 0
    assert "不是关心关爱中心的数据库" in result.stderr
    assert db.read_bytes() == before


def test_two_windows_on_one_data_folder_work_side_by_side(tmp_path):
    """Issue 12: a second window on the same data folder is not refused; each signs in on
    its own (issue 10) and both are in the audit trail, while another program reads too."""
    from carecenter.db.engine import sqlite as sqlite3
    import subprocess as sp
    import sys

    data = tmp_path / "demo"
    first = _run_gui(["--demo", "--data-dir", str(data), "--user", "jingban"],
                     {"CARECENTER_TIMING_FILE": str(tmp_path / "t0.json"), "CARECENTER_PASSWORD": "Demo@2026"},
                     tmp_path)
    assert first.returncode == 0, first.stderr
    from tests.conftest import keyed_connect

    reader = keyed_connect(data / "carecenter.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM cadre").fetchone()      # a reader holding a snapshot open
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CARECENTER_PASSWORD="Demo@2026",
               PYTHONPATH=str(REPO))
    procs = [sp.Popen([sys.executable, str(REPO / "main.py"), "--data-dir", str(data), "--user", user],
                      env=dict(env, CARECENTER_TIMING_FILE=str(tmp_path / f"{user}.json")), cwd=tmp_path,
                      stdout=sp.PIPE, stderr=sp.PIPE, text=True)
             for user in ("jingban", "fuzeren")]
    try:
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        reader.rollback()
        reader.close()
    assert [p.returncode for p in procs] == [0, 0], results
    con = keyed_connect(data / "carecenter.db")
    try:
        users = {u for (u,) in con.execute('SELECT "user" FROM "audit_log" WHERE "action" = \'signin\'')}
    finally:
        con.close()
    assert {"jingban（演示经办人）", "fuzeren（演示负责人）"} <= users


def test_a_data_dir_that_does_not_exist_is_a_question(tmp_path):
    """Issue 12: a mistyped --data-dir asks before creating an empty database there;
    取消 (here: the box answered with Cancel) leaves nothing behind."""
    missing = tmp_path / "输错的目录"
    result = _gui_answering_boxes(tmp_path, missing, "int(QMessageBox.StandardButton.Cancel.value)")
    assert result.returncode == 2, result.stderr
    assert "不存在" in result.stderr and "新建" in result.stderr
    assert not missing.exists()
