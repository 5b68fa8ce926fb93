"""休假管理 the way a clerk uses it: real widgets, real keys, checked on screen and in the database."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from carecenter.db.models import CalendarDay, LeaveRecord, LeaveTypeRule
from carecenter.domain import leave as lv
from carecenter.services import leave as leave_service
from carecenter.services.leave import LeaveInput
from carecenter.ui.models.leave_models import BalanceModel, LeaveModel, is_late
from tests.ui.helpers import active, detail_tab, double_click_row


@pytest.fixture
def rules(store):
    assert leave_service.seed_rules_if_empty("zhejiang") > 0


@pytest.fixture
def year(rules):
    """This year, made known to the working-day calendar if the built-in one stops earlier."""
    this = date.today().year
    if this > leave_service.calendar().known_range()[1].year:
        leave_service.save_calendar_day(date(this, 1, 1), False, "元旦")
    return this


def december_monday(year: int) -> date:
    """The first Monday of December: no statutory holiday or make-up workday falls in December."""
    d = date(year, 12, 1)
    while d.weekday() != 0:
        d += timedelta(days=1)
    return d


@pytest.fixture
def people(year, add_unit, add_cadre, make_id):
    """Three cadres: 张三 (since 2010: 10 days), 李四 (since 2020: 5 days), 王五 (started this year: 0)."""
    unit = add_unit()
    return {
        "张三": add_cadre("张三", make_id("330328", "19850310", 11), unit, work_start_date=date(2010, 7, 1)),
        "李四": add_cadre("李四", make_id("330328", "19920405", 13), unit, work_start_date=date(2020, 7, 1)),
        "王五": add_cadre("王五", make_id("330328", "19990606", 15), unit, work_start_date=date(year, 3, 1)),
    }



def leave_tab(detail):
    return detail_tab(detail, "休假")


def balance_cells(tab, row: int) -> list[str]:
    return [tab.balance_table.item(row, c).text() for c in range(5)]


def type_date(qtbot, type_text, edit, text: str) -> None:
    """Select what is there, type the date, leave the field with Tab."""
    edit.line_edit.setFocus()
    edit.line_edit.selectAll()
    type_text(edit.line_edit, text)
    qtbot.keyClick(edit.line_edit, Qt.Key.Key_Tab)


def open_new_leave(qtbot, window):
    window.set_page("leave")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.leave_page.dialog
    assert dialog is not None and dialog.isVisible()
    return active(qtbot, dialog)


def pick_cadre(qtbot, type_text, dialog, name: str, cadre_id: int) -> None:
    assert dialog.picker.hasFocus()  # first field focused
    type_text(dialog.picker, name)
    qtbot.waitUntil(lambda: dialog.picker.cadre_id == cadre_id, timeout=2000)
    dialog.picker.completer().popup().hide()


def record_annual(cadre_id: int, start: date, end: date, **over) -> int:
    return leave_service.save_leave(LeaveInput(cadre_id, lv.ANNUAL, start, end, approver="镇长", **over))


def click_header(qtbot, view, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


# ---------------------------------------------------------------- recording leave

def test_record_annual_leave_from_detail_window(type_text, window, qtbot, year, people):
    cadre_id = people["张三"]
    monday = december_monday(year)
    detail = window.open_cadre(cadre_id)
    tab = leave_tab(detail)
    detail.tabs.setCurrentWidget(tab)  # the clerk opens the 休假 tab
    assert balance_cells(tab, 0)[:4] == [f"{year} 年", "10", "0", "10"]
    assert "还没有请假记录" in tab.empty_label.text() and tab.empty_label.isVisible()

    qtbot.mouseClick(tab.action_button, Qt.MouseButton.LeftButton)  # 登记休假 in the window's actions
    dialog = active(qtbot, tab.dialog)
    assert dialog.windowTitle() == "登记休假"
    assert dialog.picker.isReadOnly() and dialog.picker.text().startswith("张三")
    assert dialog.type_combo.hasFocus()  # the cadre is given: the first field to fill has focus
    assert dialog.type_combo.currentText() == "年休假"
    assert not dialog.save_button.isEnabled()

    type_date(qtbot, type_text, dialog.start_edit, monday.strftime("%Y.%m.%d"))
    assert dialog.start_edit.text() == monday.isoformat()       # rewritten as 2026-12-07
    assert dialog.end_edit.text() == monday.isoformat()         # a one-day leave proposed
    assert dialog.days_label.text() == "共 1 个工作日"
    assert f"{year}年年休假：应休10天，已休0天，剩余10天" in dialog.info_label.text()
    type_date(qtbot, type_text, dialog.end_edit, (monday + timedelta(days=2)).strftime("%Y%m%d"))
    assert dialog.days_label.text() == "共 3 个工作日"            # counted live as the dates change
    type_text(dialog.reason_edit, "回老家探亲")
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)        # Enter saves

    assert not dialog.isVisible()
    record = LeaveRecord.get()
    assert (record.cadre_id, record.type_code, record.start_date, record.end_date, record.days, record.status,
            record.reason) == (cadre_id, lv.ANNUAL, monday, monday + timedelta(days=2), Decimal(3), "已批准",
                               "回老家探亲")
    # the tab shows the new balance and the record
    assert balance_cells(tab, 0)[1:4] == ["10", "3", "7"]
    assert tab.history_table.isVisible()
    assert [tab.history_table.item(0, c).text() for c in (0, 3, 5)] == ["年休假", "3", "已批准"]
    # … and so does the 休假管理 list
    window.set_page("leave")
    page = window.leave_page
    model = page.model
    assert model.rowCount() == 1
    row = {key: model.index(0, i).data() for i, key in enumerate(model.COLUMNS)}
    assert (row["name"], row["type"], row["start"], row["days"], row["status"]) == (
        "张三", "年休假", monday.isoformat(), "3", "已批准")


def test_overlapping_leave_is_refused(type_text, window, qtbot, year, people):
    cadre_id = people["张三"]
    monday = december_monday(year)
    record_annual(cadre_id, monday, monday + timedelta(days=2))
    dialog = open_new_leave(qtbot, window)
    pick_cadre(qtbot, type_text, dialog, "张三", cadre_id)
    type_date(qtbot, type_text, dialog.start_edit, (monday + timedelta(days=2)).isoformat())
    type_date(qtbot, type_text, dialog.end_edit, (monday + timedelta(days=4)).isoformat())

    message = dialog.messages["start_date"]
    assert message.isVisible()
    assert "时间重叠，同一人不能重复请假，请调整开始或结束日期" in message.text()
    assert message.property("role") == "error"
    assert not dialog.save_button.isEnabled()
    assert "时间重叠" in dialog.save_button.toolTip()
    qtbot.keyClick(dialog.end_edit.line_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert LeaveRecord.select().count() == 1

    # the afternoon after a leave ending at noon is free: half days do not overlap
    type_date(qtbot, type_text, dialog.start_edit, (monday + timedelta(days=3)).isoformat())
    assert not message.isVisible()
    assert dialog.save_button.isEnabled()


def test_over_balance_annual_leave_needs_a_reason(type_text, window, qtbot, year, people):
    cadre_id = people["李四"]     # 5 days this year
    monday = december_monday(year)
    dialog = open_new_leave(qtbot, window)
    type_text(dialog.picker, "ls")                                # pinyin initials, then Enter
    qtbot.keyClick(dialog.picker, Qt.Key.Key_Return)
    assert dialog.picker.cadre_id == cadre_id and dialog.picker.text().startswith("李四（")
    assert dialog.isVisible() and LeaveRecord.select().count() == 0
    assert not dialog.rows["over_balance_reason"].isVisible()
    type_date(qtbot, type_text, dialog.start_edit, monday.isoformat())
    type_date(qtbot, type_text, dialog.end_edit, (monday + timedelta(days=11)).isoformat())

    assert dialog.days_label.text() == "共 10 个工作日"
    assert dialog.warning_label.isVisible()
    assert dialog.warning_label.text() == "注意：本次申请10天，超过年休假剩余的5天，请核对"
    assert dialog.warning_label.property("role") == "warning"
    assert dialog.rows["over_balance_reason"].isVisible()
    assert not dialog.save_button.isEnabled()
    assert "超出说明" in dialog.save_button.toolTip()
    qtbot.keyClick(dialog.end_edit.line_edit, Qt.Key.Key_Return)   # tries to save: says where
    assert dialog.isVisible() and LeaveRecord.select().count() == 0
    assert dialog.over_edit.hasFocus()
    assert "超出说明" in dialog.messages["over_balance_reason"].text()

    type_text(dialog.over_edit, "年底集中休假，经镇党委同意")
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.over_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    record = LeaveRecord.get()
    assert (record.days, record.over_balance_reason) == (Decimal(10), "年底集中休假，经镇党委同意")
    assert leave_service.annual_balance(cadre_id, year).remaining == -5


def test_half_days_follow_the_rule(type_text, window, qtbot, year, people):
    monday = december_monday(year)
    dialog = open_new_leave(qtbot, window)
    pick_cadre(qtbot, type_text, dialog, "张三", people["张三"])
    type_date(qtbot, type_text, dialog.start_edit, monday.isoformat())
    type_date(qtbot, type_text, dialog.end_edit, (monday + timedelta(days=1)).isoformat())
    assert dialog.start_half.isEnabled()
    dialog.start_half.setCurrentIndex(dialog.start_half.findText("下午"))
    assert dialog.days_label.text() == "共 1.5 个工作日"
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findText("婚假"))   # no half days
    assert not dialog.start_half.isEnabled() and dialog.start_half.currentText() == "上午"
    assert "不能按半天请假" in dialog.start_half.toolTip()
    assert dialog.days_label.text() == "共 2 个工作日"
    assert dialog.travel_spin.isEnabled()     # 婚假 may have 路程假
    dialog.travel_spin.setValue(2)
    assert dialog.total_label.text() == "另加路程假 2 天，合计 4 天"


# ---------------------------------------------------------------- the list

def test_balance_view_sorts_by_remaining(window, qtbot, year, people):
    monday = december_monday(year)
    record_annual(people["张三"], monday, monday + timedelta(days=2))      # 10 - 3 = 7
    window.set_page("leave")
    page = window.leave_page
    qtbot.mouseClick(page.balance_tab, Qt.MouseButton.LeftButton)
    assert page.is_balance_view and page.balance_year.isVisible() and not page.status_filter.isVisible()
    qtbot.waitUntil(lambda: not page.balance_loading and page.balance_model.total == 3, timeout=5000)
    model = page.balance_model
    col = model.COLUMNS.index("remaining")

    def column(key):
        return [model.index(r, model.COLUMNS.index(key)).data() for r in range(model.rowCount())]

    assert column("name") == ["李四", "王五", "张三"]      # by pinyin: ls, ww, zs
    click_header(qtbot, page.balance_view, col)
    first = [Decimal(v) for v in column("remaining")]
    assert first == sorted(first, reverse=model.descending)
    click_header(qtbot, page.balance_view, col)
    second = [Decimal(v) for v in column("remaining")]
    assert second == sorted(second, reverse=model.descending) and second == first[::-1]
    model.sort(col, Qt.SortOrder.DescendingOrder)
    assert column("name") == ["张三", "李四", "王五"] and column("remaining") == ["7", "5", "0"]
    assert column("due") == ["10", "5", "0"] and column("taken") == ["3", "0", "0"]
    reasons = column("reason")
    assert "参加工作未满1年" in reasons[2]               # why 0
    if is_late(year):
        assert reasons[0].startswith("未休完") and not reasons[2].startswith("未休完")
        assert "其中 2 人未休完" in page.count_label.text()

    # search narrows the balances too
    page.set_search_text("ls")
    qtbot.waitUntil(lambda: not page.balance_loading and page.balance_model.total == 1, timeout=5000)
    assert column("name") == ["李四"]


def test_cancel_leave_asks_then_frees_the_days(window, qtbot, boxes, year, people):
    cadre_id = people["张三"]
    monday = december_monday(year)
    record_id = record_annual(cadre_id, monday, monday + timedelta(days=2))
    assert leave_service.annual_balance(cadre_id, year).remaining == 7
    window.set_page("leave")
    page = window.leave_page
    page.refresh()
    page.table_view.select_row(0)
    assert page.cancel_button.isEnabled() and page.close_button.isEnabled() and not page.approve_button.isEnabled()

    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    expected = f"确定撤销 张三 {monday.isoformat()} 至 {(monday + timedelta(days=2)).isoformat()} 年休假？"
    assert boxes.texts[-1] == expected
    assert boxes.shown[-1]["buttons"] == ["撤销", "返回"]
    assert LeaveRecord.get_by_id(record_id).status == "已批准"      # changed their mind

    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    record = LeaveRecord.get_by_id(record_id)
    assert (record.status, record.archived) == ("已撤销", False)   # kept, never deleted
    assert leave_service.annual_balance(cadre_id, year).remaining == 10
    status_col = page.model.COLUMNS.index("status")
    assert page.model.index(0, status_col).data() == "已撤销"
    assert not page.cancel_button.isEnabled()
    assert "已撤销" in page.hint_label.text() or "已撤销" in page.model.index(0, status_col).data()

    # the status filter finds it; nothing else shows under 已批准
    page.status_filter.setCurrentIndex(page.status_filter.findText("已批准"))
    assert page.model.rowCount() == 0 and page.empty_text == "没有符合条件的请假记录"
    qtbot.mouseClick(page.empty_state.button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 1 and page.year_filter.currentText() == "全部年度"


def test_approve_and_return_from_leave(window, qtbot, year, people):
    monday = december_monday(year)
    record_id = record_annual(people["张三"], monday, monday, status="申请")
    assert leave_service.annual_balance(people["张三"], year).taken == 0      # an application is not taken
    window.set_page("leave")
    page = window.leave_page
    page.refresh()
    page.table_view.select_row(0)
    assert page.approve_button.isEnabled() and not page.close_button.isEnabled()
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert LeaveRecord.get_by_id(record_id).status == "已批准"
    assert leave_service.annual_balance(people["张三"], year).taken == 1
    assert page.close_button.isEnabled()
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert LeaveRecord.get_by_id(record_id).status == "已销假"
    assert not page.cancel_button.isEnabled() and "不能撤销" in page.cancel_button.toolTip()


def test_double_click_opens_record_for_editing(type_text, window, qtbot, year, people):
    monday = december_monday(year)
    record_id = record_annual(people["张三"], monday, monday + timedelta(days=2))
    window.set_page("leave")
    page = window.leave_page
    page.refresh()
    double_click_row(qtbot, page.table_view)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "修改请假记录 — 张三"
    assert dialog.days_label.text() == "共 3 个工作日"
    assert dialog.picker.isReadOnly()
    type_date(qtbot, type_text, dialog.end_edit, (monday + timedelta(days=1)).isoformat())
    assert dialog.days_label.text() == "共 2 个工作日"      # its own days do not overlap it
    qtbot.keyClick(dialog.end_edit.line_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert LeaveRecord.get_by_id(record_id).days == Decimal(2)
    assert page.model.index(0, page.model.COLUMNS.index("days")).data() == "2"


# ---------------------------------------------------------------- settings

def test_calendar_override_makes_a_new_year_countable(type_text, window, qtbot, boxes, year, people):
    new_year = leave_service.calendar().known_range()[1].year + 1
    start, end = date(new_year, 3, 1), date(new_year, 3, 5)
    weekdays = sum(1 for i in range(5) if (start + timedelta(days=i)).weekday() < 5)
    dialog = open_new_leave(qtbot, window)
    pick_cadre(qtbot, type_text, dialog, "张三", people["张三"])
    type_date(qtbot, type_text, dialog.start_edit, start.isoformat())
    type_date(qtbot, type_text, dialog.end_edit, end.isoformat())
    assert f"系统没有 {new_year} 年的节假日安排" in dialog.messages["end_date"].text()
    assert not dialog.save_button.isEnabled()
    assert dialog.calendar_button.isVisible()

    qtbot.mouseClick(dialog.calendar_button, Qt.MouseButton.LeftButton)
    settings = active(qtbot, dialog.calendar_dialog)
    assert settings.year == new_year
    assert settings.note_label.property("role") == "warning"
    assert f"还没有 {new_year} 年的安排" in settings.note_label.text()
    qtbot.mouseClick(settings.add_button, Qt.MouseButton.LeftButton)
    day = active(qtbot, settings.day_dialog)
    assert day.day_edit.line_edit.hasFocus()
    type_text(day.day_edit.line_edit, f"{new_year}0101")
    type_text(day.name_edit, "元旦")
    qtbot.keyClick(day.name_edit, Qt.Key.Key_Return)
    assert not day.isVisible()
    assert [(d.day, d.is_workday, d.name) for d in CalendarDay.select().where(CalendarDay.day.year == new_year)] \
        == [(date(new_year, 1, 1), False, "元旦")]
    assert settings.model.rowCount() == 1
    assert [settings.model.index(0, c).data() for c in range(4)][::2] == [f"{new_year}-01-01", "放假"]
    assert settings.note_label.property("role") == "info"

    # removing asks first
    settings.table.select_row(0)
    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(settings.remove_button, Qt.MouseButton.LeftButton)
    assert f"确定移除 {new_year}-01-01「元旦」的本地设置？" in boxes.texts[-1]
    assert settings.model.rowCount() == 1

    qtbot.mouseClick(settings.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.calendar_dialog is None, timeout=2000)
    assert dialog.days_label.text() == f"共 {weekdays} 个工作日"
    assert not dialog.calendar_button.isVisible()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert LeaveRecord.get().days == Decimal(weekdays)


def test_rule_settings_edit_example_figure_and_load_preset(type_text, window, qtbot, boxes, rules):
    window.set_page("leave")
    page = window.leave_page
    qtbot.mouseClick(page.rules_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.settings_dialog)
    names = [dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount())]
    row = names.index("事假")
    assert "每年上限天数 15（示例）" in dialog.model.index(row, 6).data()     # example figures say so
    dialog.table.select_row(row)
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    edit = active(qtbot, dialog.edit_dialog)
    key_row = edit._param_keys.index("yearly_cap_days")
    assert edit.param_table.item(key_row, 2).text() == "示例"
    edit.param_table.item(key_row, 1).setText("12")
    assert edit.param_table.item(key_row, 2).text() == ""       # the local figure is no longer an example
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    assert not edit.isVisible()
    saved = next(r for r in leave_service.rule_rows() if r["code"] == lv.PERSONAL)
    assert saved["params"]["yearly_cap_days"] == 12 and saved["example"] is False
    assert dialog.model.index(row, 6).data() == "每年上限天数 12"

    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findText("全国基准"))
    qtbot.mouseClick(dialog.preset_button, Qt.MouseButton.LeftButton)
    assert boxes.texts[-1] == "确定载入「全国基准」预设？"
    assert leave_service.current_preset() == "zhejiang"
    qtbot.mouseClick(dialog.preset_button, Qt.MouseButton.LeftButton)
    assert leave_service.current_preset() == "national"
    assert LeaveTypeRule.select().where(LeaveTypeRule.archived).count() == 12  # kept, not deleted
    assert "全国基准" in dialog.preset_label.text()


def test_empty_states(window, qtbot, rules):
    window.set_page("leave")
    page = window.leave_page
    page.refresh()
    assert page.empty_text == "还没有干部，请先在「干部名册」中新增干部，再登记休假"


# ---------------------------------------------------------------- models

def test_models_pass_qtmodeltester(qtmodeltester, year, people):
    monday = december_monday(year)
    for i, cid in enumerate(people.values()):
        if i < 2:
            record_annual(cid, monday + timedelta(days=7 * i), monday + timedelta(days=7 * i + 1))
    model = LeaveModel(page_size=1)
    from carecenter.db.queries import LeaveFilter

    model.set_filter(LeaveFilter())
    assert model.total == 2 and model.rowCount() == 1 and model.canFetchMore()
    qtmodeltester.check(model)
    model.sort(LeaveModel.COLUMNS.index("days"), Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)

    balances = BalanceModel()
    balances.set_rows(year, leave_service.annual_balances(year))
    assert balances.rowCount() == 3
    qtmodeltester.check(balances)
    balances.sort(BalanceModel.COLUMNS.index("remaining"), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(balances)
    balances.set_rows(year, [])
    qtmodeltester.check(balances)
