"""Issue 13: what a new clerk tripped over in a day with the app, one test per numbered point."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from carecenter.db.models import HealthCheck, LeaveRecord, WelfareRecord
from carecenter.services import health
from carecenter.services import leave as leave_service
from carecenter.services import welfare as welfare_service

TODAY = date.today()
LAST_YEAR = TODAY.year - 1


def active(qtbot, dialog):
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def type_date(qtbot, type_text, edit, text: str) -> None:
    edit.line_edit.setFocus()
    edit.line_edit.selectAll()
    type_text(edit.line_edit, text)
    qtbot.keyClick(edit.line_edit, Qt.Key.Key_Tab)


def pick(qtbot, type_text, picker, text: str) -> None:
    picker.setFocus()
    type_text(picker, text)
    qtbot.keyClick(picker, Qt.Key.Key_Return)   # the first match
    assert picker.cadre_id is not None


@pytest.fixture
def person(store, add_unit, add_cadre, make_id):
    leave_service.seed_rules_if_empty("zhejiang")
    health.seed_rules_if_empty("zhejiang")
    welfare_service.seed_rules_if_empty()
    unit = add_unit()
    return add_cadre("曾小明", make_id("330328", "19800101", 11), unit, work_start_date=date(2005, 7, 1))


# ---------------------------------------------------------------- 1. a record saved in another year

def test_leave_saved_in_another_year_is_shown_and_selected(type_text, window, qtbot, person):
    """2025-09-29 … 2025-10-10 back-entered while the list shows this year: the list switches to that
    year and selects the record, and the hint says so."""
    window.set_page("leave")
    page = window.leave_page
    assert page.year_filter.currentData() == TODAY.year
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    pick(qtbot, type_text, dialog.picker, "zxm")
    type_date(qtbot, type_text, dialog.start_edit, f"{LAST_YEAR}-09-29")
    type_date(qtbot, type_text, dialog.end_edit, f"{LAST_YEAR}-10-10")
    type_text(dialog.reason_edit, "回老家")
    assert dialog.save_button.isEnabled(), dialog.status_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    record = LeaveRecord.get()
    assert page.year_filter.currentData() == LAST_YEAR
    assert page.selected_record_id() == record.id
    assert page.count_label.text() == "共 1 条"
    assert f"列表已切换到 {LAST_YEAR} 年" in page.hint_label.text()


def test_check_and_visit_saved_in_another_year_are_shown_and_selected(type_text, window, qtbot, person):
    # 体检
    window.set_page("health")
    page = window.health_page
    page.records_year.setCurrentIndex(page.records_year.findData(TODAY.year))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    pick(qtbot, type_text, dialog.picker, "zxm")
    type_date(qtbot, type_text, dialog.date_edit, f"{LAST_YEAR}-05-12")
    assert dialog.save_button.isEnabled(), dialog.status_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page._refresh_timer.isActive(), timeout=3000)
    check = HealthCheck.get()
    assert page.records_year.currentData() == LAST_YEAR
    assert page.records_model.check_id(page.records_table.current_row()) == check.id
    assert f"列表已切换到 {LAST_YEAR} 年" in page.hint_label.text()

    # 慰问
    window.set_page("welfare")
    page = window.welfare_page
    page.year_filter.setCurrentIndex(page.year_filter.findData(TODAY.year))
    page.add()                                   # 新增
    dialog = active(qtbot, page.dialog)
    pick(qtbot, type_text, dialog.picker, "zxm")
    dialog.occasion_combo.setFocus()
    type_text(dialog.occasion_combo, "生病")
    type_date(qtbot, type_text, dialog.date_edit, f"{LAST_YEAR}-11-03")
    type_text(dialog.money_edit.line_edit, "500")
    type_text(dialog.visitors_edit, "镇党委书记 王某")
    assert dialog.save_button.isEnabled(), dialog.status_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page._refresh_timer.isActive(), timeout=3000)
    visit = WelfareRecord.get()
    assert page.year_filter.currentData() == LAST_YEAR
    qtbot.waitUntil(lambda: page.records_model.record_id(page.records_table.current_row()) == visit.id,
                    timeout=3000)
    assert f"列表已切换到 {LAST_YEAR} 年" in page.hint_label.text()


# ---------------------------------------------------------------- 5. typing over an auto-filled date

def test_typing_over_an_auto_filled_end_date_replaces_it(type_text, window, qtbot, person):
    window.set_page("leave")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, window.leave_page.dialog)
    pick(qtbot, type_text, dialog.picker, "zxm")
    type_date(qtbot, type_text, dialog.start_edit, f"{LAST_YEAR}-10-08")
    assert dialog.end_edit.text() == f"{LAST_YEAR}-10-08"            # proposed: a one-day leave
    # the clerk clicks into the end date and types the real one
    line = dialog.end_edit.line_edit
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=line.rect().center())
    qtbot.waitUntil(lambda: line.selectedText() == f"{LAST_YEAR}-10-08", timeout=2000)
    type_text(line, f"{LAST_YEAR}-1")
    assert line.text() == f"{LAST_YEAR}-1"                             # replaced, not "…-10-082025-1"
    # half-typed: the form does not call a non-empty field missing
    assert "还需填写：结束日期" not in dialog.status_label.text()
    assert "日期还没填完整：结束日期" in dialog.status_label.text()
    type_text(line, "0-10")
    qtbot.keyClick(line, Qt.Key.Key_Tab)
    assert dialog.end_edit.value() == date(LAST_YEAR, 10, 10)
    # and by Tab: the whole date is selected, so typing replaces it too
    dialog.reason_edit.setFocus()
    line.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: line.selectedText() == f"{LAST_YEAR}-10-10", timeout=2000)


def test_every_date_field_selects_a_complete_date_on_entry(qtbot):
    from carecenter.ui.widgets.date_edit import DateEdit

    for allow_month, value, shown in ((False, date(2026, 11, 25), "2026-11-25"),
                                      (True, date(1985, 3, 1), "1985.03")):
        edit = DateEdit(allow_month=allow_month)
        qtbot.addWidget(edit)
        edit.show()
        qtbot.waitExposed(edit)
        edit.setValue(value)
        assert edit.text() == shown
        edit.activateWindow()
        qtbot.mouseClick(edit.line_edit, Qt.MouseButton.LeftButton, pos=edit.line_edit.rect().center())
        qtbot.waitUntil(lambda e=edit, s=shown: e.line_edit.selectedText() == s, timeout=2000)
        qtbot.keyClicks(edit.line_edit, "2")
        assert edit.text() == "2"


# ---------------------------------------------------------------- 10. month-only dates stay month-only

def test_month_only_dates_round_trip_as_months(type_text, window, qtbot, person):
    from carecenter.db.models import Cadre
    from carecenter.services import printing
    from carecenter.ui.dialogs.cadre_dialog import CadreDialog

    from ..reports.pdfcheck import text as pdf_text

    detail = window.open_cadre(person)
    assert detail.value_labels["work_start_date"].text() == "2005.07"     # stored 2005-07-01, typed 2005.07
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, detail.dialog)
    assert isinstance(dialog, CadreDialog)
    assert dialog.inputs["work_start_date"].text() == "2005.07"           # not 2005-07-01
    type_date(qtbot, type_text, dialog.inputs["township_start_date"], "2011.03")
    assert dialog.inputs["township_start_date"].text() == "2011.03"
    type_date(qtbot, type_text, dialog.inputs["party_join_date"], "2003-07-15")   # a day given stays a day
    assert dialog.inputs["party_join_date"].text() == "2003-07-15"
    assert dialog.save_button.isEnabled(), dialog.status_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    cadre = Cadre.get_by_id(person)
    assert cadre.township_start_date == date(2011, 3, 1) and cadre.party_join_date == date(2003, 7, 15)
    assert detail.value_labels["township_start_date"].text() == "2011.03"
    assert detail.value_labels["party_join_date"].text() == "2003-07-15"
    again = CadreDialog(person, detail)
    qtbot.addWidget(again)
    assert again.inputs["township_start_date"].text() == "2011.03"
    printout = printing.care_record(person, date(TODAY.year, 1, 1), date(TODAY.year, 12, 31))
    printed = pdf_text(printout.pdf)
    assert "到乡镇工作时间2011.03" in printed and "参加工作时间2005.07" in printed
    assert "2011-03-01" not in printed


# ---------------------------------------------------------------- 4. the lock confirmation lists who is left out

def test_lock_confirmation_lists_the_cadres_left_out(window, qtbot, boxes, store, add_unit, add_cadre, make_id):
    from PySide6.QtWidgets import QMessageBox

    from carecenter.db.models import AllowanceBatch
    from carecenter.services import allowance as al

    al.replace_with_preset("hunan_example")
    town = add_unit()
    add_cadre("曾小明", make_id("330328", "19800101", 11), town, township_start_date=date(2012, 5, 1),
              personnel_status="公务员", rank="一级科员")
    hard = add_unit("云溪乡人民政府", township="云溪乡", township_category="乡", hardship_area_class="三类")
    for seq, name in ((21, "李四"), (23, "王五")):   # no hardship figures typed in: cannot be calculated
        add_cadre(name, make_id("330328", "19800101", seq), hard, township_start_date=date(2012, 5, 1),
                  personnel_status="公务员", rank="一级科员")
    window.set_page("allowance")
    page = window.allowance_page
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.generating, timeout=10000)
    month = page.current_month()

    boxes.answers.append(QMessageBox.StandardButton.Open)            # 查看未能计算
    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    box = boxes.shown[-1]
    assert box["text"].startswith("确定锁定")
    assert "另有 2 名干部未能计算，本月不会发给他们" in box["informative"]
    assert "艰苦边远地区津贴标准未填写（2 人）" in box["informative"]
    assert {"锁定本月", "查看未能计算", "取消"} <= set(box["buttons"])
    assert page.view == "problems" and page.problems_model.rowCount() == 2     # 李四, 王五
    assert AllowanceBatch.get(AllowanceBatch.month == month).status != "已锁定"

    page.set_view("lines")
    boxes.answers.append(QMessageBox.StandardButton.Ok)              # 锁定本月, knowingly
    qtbot.mouseClick(page.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.locking, timeout=20000)
    assert AllowanceBatch.get(AllowanceBatch.month == month).status == "已锁定"


# ---------------------------------------------------------------- 6. which days count, and why

def test_leave_dialog_shows_the_day_breakdown(type_text, window, qtbot, person):
    """2025-09-29 … 2025-10-10: 12 days, 4 working days — 国庆/中秋 off, 9-28 and 10-11 are 调休上班
    but outside the span (State Council notice for 2025, via chinese_calendar)."""
    window.set_page("leave")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, window.leave_page.dialog)
    pick(qtbot, type_text, dialog.picker, "zxm")
    type_date(qtbot, type_text, dialog.start_edit, "2025-09-27")
    type_date(qtbot, type_text, dialog.end_edit, "2025-10-10")
    assert dialog.days_label.text() == "共 5 个工作日"
    assert dialog.breakdown_label.isVisible()
    assert dialog.breakdown_lines == [
        "不计　9月27日（六）　周末",
        "计入　9月28日（日）　调休上班（国庆节）",
        "计入　9月29日—30日　工作日 2 天",
        "不计　10月1日—8日　法定节假日 8 天（国庆节、中秋节）",
        "计入　10月9日—10日　工作日 2 天",
    ]
    shown = dialog.breakdown_label.text()                 # the same, laid out as a small table
    assert "法定节假日 8 天（国庆节、中秋节）" in shown and "10月1日—8日" in shown
    # a one-day leave needs no breakdown
    type_date(qtbot, type_text, dialog.end_edit, "2025-09-29")
    type_date(qtbot, type_text, dialog.start_edit, "2025-09-29")
    assert dialog.days_label.text() == "共 1 个工作日"
    assert not dialog.breakdown_label.isVisible()


# ---------------------------------------------------------------- 8. Qt's own dialogs in Chinese, in the right folder

def test_file_dialog_speaks_chinese_and_opens_in_documents_or_the_last_folder(window, qtbot, tmp_path):
    import re

    from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QToolButton

    from carecenter.ui import export_action, file_dialogs

    dialog = QFileDialog(window, "导出到 Excel")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)     # what Linux desktops get
    qtbot.addWidget(dialog)
    texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QPushButton) if w.text()]
    texts += [b.toolTip() for b in dialog.findChildren(QToolButton) if b.toolTip()]
    assert "查找范围(&L)：" in texts and "文件类型(&T)：" in texts and "取消" in texts
    assert not [t for t in texts if re.search(r"[A-Za-z]{3,}", t.replace("&", ""))], texts

    # no folder used yet: Documents (never the working directory); then the last folder used
    assert export_action.default_path("roster").parent == file_dialogs.documents_folder()
    chosen = tmp_path / "县里要的" / "花名册.xlsx"
    chosen.parent.mkdir()
    file_dialogs.remember(chosen)
    assert export_action.default_path("roster").parent == chosen.parent
    window.settings.sync()
    assert window.settings.value(file_dialogs.KEY) == str(chosen.parent)   # kept for the next start


# ---------------------------------------------------------------- 9. next year's holiday calendar, from November

def test_home_asks_for_next_years_calendar_from_november(window, qtbot, person):
    from carecenter.domain.workcalendar import WorkCalendar
    from carecenter.ui.dialogs.leave_calendar_dialog import LeaveCalendarDialog
    from carecenter.ui.pages.home_page import TodoCard

    last = WorkCalendar().known_range()[1].year        # the built-in calendar's last year
    page = window.home_page

    def titles(today: date) -> dict[str, TodoCard]:
        page.today = lambda: today
        window.set_page("home")
        page.refresh()
        qtbot.waitUntil(lambda: page._job is None, timeout=10000)
        layout = page.cards                                  # the cards shown (old ones await deletion)
        shown = [layout.itemAt(i).widget() for i in range(layout.count())]
        return {c.item.title: c for c in shown if isinstance(c, TodoCard)}

    assert f"录入{last + 1}年节假日安排" not in titles(date(last, 10, 31))    # October: not yet
    cards = titles(date(last, 11, 1))
    card = cards[f"录入{last + 1}年节假日安排"]
    assert "日历设置" in card.item.detail
    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    assert window.current_page_key == "leave"
    dialog = window.leave_page.settings_dialog
    assert isinstance(dialog, LeaveCalendarDialog) and dialog.isVisible()
    assert dialog.year_combo.currentData() == last + 1                   # opened on the missing year
    dialog.reject()

    # once a day of that year is entered, the year is known and the to-do goes
    leave_service.save_calendar_day(date(last + 1, 1, 1), False, "元旦")
    assert f"录入{last + 1}年节假日安排" not in titles(date(last, 12, 2))


# ---------------------------------------------------------------- 2. the morning's automatic backup and a 立即备份

def test_backup_page_lists_the_automatic_and_the_manual_backup(window, qtbot, store):
    """Both copies of the day are listed, each saying how it came about (the rotation that keeps
    both is exchange.backup's; here: the page shows what is in the folder)."""
    from datetime import datetime

    from carecenter.exchange import backup

    folder = store.backups
    folder.mkdir(parents=True, exist_ok=True)
    today = datetime.now().replace(hour=8, minute=31, second=5, microsecond=0)
    for moment, kind in ((today, backup.KIND_AUTO), (today.replace(hour=10, minute=2), backup.KIND_MANUAL)):
        (folder / f"{backup.PREFIX}-{moment:%Y%m%d-%H%M%S}-{kind}{backup.SUFFIX}").write_bytes(b"x" * 4096)
    window.set_page("backup")
    page = window.backup_page
    page.refresh()
    model = page.model
    kinds = [model.index(r, model.COLUMNS.index("kind")).data() for r in range(model.rowCount())]
    assert kinds == ["手动备份", "自动备份"]                      # newest first, both there
    tips = [model.index(r, model.COLUMNS.index("kind")).data(Qt.ItemDataRole.ToolTipRole)
            for r in range(model.rowCount())]
    assert tips[0].startswith("手动备份：点击「立即备份」") and tips[1].startswith("自动备份：程序每天第一次打开时")
    assert "共 2 份备份（自动 1 份，手动 1 份）" in page.count_label.text()


# ---------------------------------------------------------------- lesser points

def test_status_messages_do_not_hide_the_data_folder_and_last_backup(window, qtbot):
    window.statusBar().showMessage("已自动备份（今天 08:31）", 10000)
    for label in (window.data_dir_label, window.count_label, window.backup_label):
        assert label.isVisible() and label.text()
    assert window.data_dir_label.text().startswith("数据目录 ")


def test_empty_database_allowance_actions_are_disabled_and_say_why(window, qtbot):
    window.set_page("allowance")
    page = window.allowance_page
    page.reload()
    for button in (page.generate_button, page.correction_button, page.export_button):
        assert not button.isEnabled()
    assert "还没有干部" in page.generate_button.toolTip()
    assert "还没有干部" in page.correction_button.toolTip()
    assert "没有可导出的内容" in page.export_button.toolTip()


def test_finding_levels_are_explained_on_the_form(window, qtbot, person):
    window.set_page("health")
    page = window.health_page
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    legend = dialog.findings.level_legend
    assert legend.isVisible() and "A类 需立即临床处置" in legend.text() and "B类 需进一步检查或治疗" in legend.text()


def test_tab_in_the_cadre_dialog_moves_on_to_the_next_tab_page(window, qtbot, person):
    from carecenter.ui.dialogs.cadre_dialog import CadreDialog

    dialog = CadreDialog(person, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    last = dialog.inputs["employment_status"]             # the last field of 基本信息
    last.setFocus()
    qtbot.keyClick(last, Qt.Key.Key_Tab)
    assert dialog.tabs.currentIndex() == 1
    assert dialog.inputs["political_status"].hasFocus()   # the first field of 学历与工作时间
    qtbot.keyClick(dialog.inputs["political_status"], Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.tabs.currentIndex() == 0 and last.hasFocus()
