"""The roster the way a clerk uses it: real widgets, real keys, checked on screen and in the database."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from carecenter.db.models import Cadre, FamilyMember, Unit
from carecenter.services import roster
from tests.ui.helpers import active, double_click_row

VALID_ID = "11010519491231002X"  # DOMAIN.md §1 example: born 1949-12-31, female
BAD_ID = "110105194912310021"    # same number, wrong check character


def roster_names(page) -> list[str]:
    m = page.model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def cell(page, row: int, key: str) -> str:
    m = page.model
    return m.index(row, m.COLUMNS.index(key)).data()



def open_add_dialog(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.roster_page.dialog
    assert dialog is not None and dialog.isVisible()
    return active(qtbot, dialog)


def pick_first_unit(qtbot, dialog):
    combo = dialog.inputs["unit_id"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentIndex() == 0


def filled_add_dialog(type_text, qtbot, window, add_unit, name: str):
    """新增干部 with a unit, ``name``, a valid ID number and the unit chosen."""
    add_unit()
    window.roster_page.reload_units()
    dialog = open_add_dialog(qtbot, window)
    type_text(dialog.inputs["name"], name)
    type_text(dialog.inputs["id_number"], VALID_ID)
    pick_first_unit(qtbot, dialog)
    return dialog


# ---------------------------------------------------------------- units, from an empty database

def test_empty_database_leads_to_units_then_add_unit(type_text, window, qtbot, store):
    page = window.roster_page
    assert "请先在「单位管理」中添加单位" in page.empty_text
    # 新增 on the roster leads to 单位管理 while there are no units
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.units_page
    units = window.units_page
    assert "还没有单位" in units.empty_text

    qtbot.mouseClick(units.add_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, units.dialog)
    assert dialog.inputs["name"].hasFocus()
    type_text(dialog.inputs["name"], "青岭镇人民政府")
    type_text(dialog.inputs["township"].lineEdit(), "青岭镇")
    kind = dialog.inputs["kind"]
    kind.setFocus()
    type_text(kind, "政")  # type-ahead in the drop-down, as on the keyboard
    assert kind.currentText() == "政府"
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Return)

    assert not dialog.isVisible()
    assert [u.name for u in Unit.select()] == ["青岭镇人民政府"]
    saved = Unit.get()
    assert (saved.kind, saved.township, saved.hardship_area_class) == ("政府", "青岭镇", "无")
    assert units.model.rowCount() == 1
    assert units.model.index(0, 0).data() == "青岭镇人民政府"
    # the roster now knows the unit and invites the first cadre
    window.set_page("roster")
    assert page.unit_filter.findText("青岭镇人民政府") > 0
    assert "还没有干部，点击「新增」或「导入」开始" in page.empty_text


def test_unit_name_required_and_unique(type_text, window, qtbot, add_unit):
    add_unit("青岭镇党委")
    window.units_page.refresh()
    window.set_page("units")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, window.units_page.dialog)
    type_text(dialog.inputs["name"], "青岭镇党委")
    assert not dialog.save_button.isEnabled()
    assert "已存在" in dialog.messages["name"].text()
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert Unit.select().count() == 1


def test_unit_with_cadres_cannot_be_archived(window, qtbot, boxes, add_unit, add_cadre):
    unit_id = add_unit()
    add_cadre("张三", VALID_ID, unit_id)
    window.units_page.refresh()
    window.set_page("units")
    units = window.units_page
    units.table_view.select_row(0)
    qtbot.mouseClick(units.archive_button, Qt.MouseButton.LeftButton)
    assert any("还有 1 名在册干部" in t for t in boxes.texts)
    assert not Unit.get_by_id(unit_id).archived


def test_archive_and_restore_unit(window, qtbot, boxes, add_unit):
    add_unit("云溪乡文化站")
    units = window.units_page
    units.refresh()
    window.set_page("units")
    units.table_view.select_row(0)
    qtbot.mouseClick(units.archive_button, Qt.MouseButton.LeftButton)
    assert "确定将单位 云溪乡文化站 归档？" in boxes.texts[-1]
    assert Unit.get().archived
    assert units.model.rowCount() == 0
    qtbot.mouseClick(units.archived_check, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    assert units.model.index(0, 0).data() == "云溪乡文化站（已归档）"
    units.table_view.select_row(0)
    assert units.archive_button.text() == "恢复"
    qtbot.mouseClick(units.archive_button, Qt.MouseButton.LeftButton)
    assert not Unit.get().archived


# ---------------------------------------------------------------- adding a cadre

def test_add_cadre_through_dialog(type_text, window, qtbot, add_unit):
    add_unit()
    window.units_page.refresh()
    window.roster_page.reload_units()
    dialog = open_add_dialog(qtbot, window)
    assert dialog.inputs["name"].hasFocus()  # first field focused
    assert not dialog.save_button.isEnabled()

    type_text(dialog.inputs["name"], "曾小明")
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Tab)
    assert dialog.inputs["id_number"].hasFocus()  # Tab moves in reading order
    type_text(dialog.inputs["id_number"], VALID_ID)
    # birth date, sex and age come from the ID number
    assert dialog.inputs["birth_date"].text() == "1949-12-31"
    assert dialog.inputs["sex"].currentText() == "女"
    assert dialog.age_label.text().endswith("岁")
    assert not dialog.messages["id_number"].isVisible()
    pick_first_unit(qtbot, dialog)
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.inputs["unit_id"], Qt.Key.Key_Return)

    assert not dialog.isVisible()
    cadre = Cadre.get()
    assert (cadre.name, cadre.id_number, cadre.birth_date, cadre.sex) == ("曾小明", VALID_ID, date(1949, 12, 31), "女")
    assert cadre.unit.name == "青岭镇人民政府"
    page = window.roster_page
    assert roster_names(page) == ["曾小明"]
    assert cell(page, 0, "unit") == "青岭镇人民政府"
    assert window.count_label.text() == "在册干部 1 人"
    assert page.selected_cadre_id() == cadre.id


def test_bad_id_shows_error_under_field_and_saves_nothing(type_text, window, qtbot, add_unit):
    add_unit()
    window.roster_page.reload_units()
    dialog = open_add_dialog(qtbot, window)
    type_text(dialog.inputs["name"], "张三")
    pick_first_unit(qtbot, dialog)
    type_text(dialog.inputs["id_number"], BAD_ID)

    message = dialog.messages["id_number"]
    assert message.isVisible()
    assert message.text() == "身份证号校验位不正确，请核对最后一位"
    assert not dialog.save_button.isEnabled()
    assert "身份证号校验位不正确" in dialog.save_button.toolTip()
    assert "身份证号校验位不正确" in dialog.status_label.text()
    qtbot.keyClick(dialog.inputs["id_number"], Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert Cadre.select().count() == 0

    # correcting the last character clears the message and allows saving
    qtbot.keyClick(dialog.inputs["id_number"], Qt.Key.Key_Backspace)
    type_text(dialog.inputs["id_number"], "X")
    assert not message.isVisible()
    assert dialog.save_button.isEnabled()


def test_required_fields_revealed_on_enter(window, qtbot, add_unit):
    add_unit()
    window.roster_page.reload_units()
    dialog = open_add_dialog(qtbot, window)
    # nothing typed yet: no red text, just what is missing
    assert not dialog.messages["name"].isVisible()
    assert dialog.status_label.text().startswith("还需填写：姓名")
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.messages["name"].text() == "请填写姓名"
    assert dialog.messages["unit_id"].text() == "请选择单位"
    assert dialog.inputs["name"].hasFocus()
    assert Cadre.select().count() == 0


def test_sex_disagreeing_with_id_warns_but_saves(type_text, window, qtbot, add_unit):
    dialog = filled_add_dialog(type_text, qtbot, window, add_unit, "李四")
    sex = dialog.inputs["sex"]
    sex.setFocus()
    type_text(sex, "男")
    assert sex.currentText() == "男"
    warning = dialog.messages["sex"]
    assert warning.isVisible() and "性别与身份证号不一致" in warning.text()
    assert warning.property("role") == "warning"
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(sex, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert Cadre.get().sex == "男"


def test_dates_typed_as_clerks_do(type_text, window, qtbot, add_unit):
    dialog = filled_add_dialog(type_text, qtbot, window, add_unit, "王五")
    dialog.tabs.setCurrentIndex(1)
    work = dialog.inputs["work_start_date"]
    type_text(work.line_edit, "1968.03")
    township = dialog.inputs["township_start_date"]
    township.line_edit.setFocus()  # leaving 参加工作时间 keeps it a month (issue 13: no day never typed)
    assert work.text() == "1968.03" and work.value() == date(1968, 3, 1)
    type_text(township.line_edit, "19800105")
    post = dialog.inputs["current_post_date"]
    type_text(post.line_edit, "2026.13.01")
    post.line_edit.clearFocus()
    qtbot.keyClick(township.line_edit, Qt.Key.Key_Tab)
    assert "任现职时间" in dialog.messages["current_post_date"].text()
    assert not dialog.save_button.isEnabled()
    post.line_edit.clear()
    type_text(post.line_edit, "2020-06-01")
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(post.line_edit, Qt.Key.Key_Return)
    cadre = Cadre.get()
    assert (cadre.work_start_date, cadre.township_start_date, cadre.current_post_date) == (
        date(1968, 3, 1), date(1980, 1, 5), date(2020, 6, 1))


def test_family_member_added_in_dialog_is_saved_and_removed_on_save(type_text, window, qtbot, add_unit):
    dialog = filled_add_dialog(type_text, qtbot, window, add_unit, "赵六")
    dialog.tabs.setCurrentIndex(2)
    family = dialog.family
    qtbot.mouseClick(family.add_button, Qt.MouseButton.LeftButton)
    row = family.row_widgets(0)
    assert row["name"].hasFocus()
    type_text(row["name"], "赵大")
    relation = row["relation"]
    relation.setFocus()
    type_text(relation, "父")
    assert relation.currentText() == "父亲"
    type_text(row["birth_date"].line_edit, "1920.5.6")
    row["lives_with"].setChecked(False)
    type_text(row["residence"], "浙江温州")
    qtbot.keyClick(row["residence"], Qt.Key.Key_Return)
    assert not dialog.isVisible()

    cadre = Cadre.get()
    member = FamilyMember.get()
    assert (member.cadre_id, member.name, member.relation, member.birth_date, member.lives_with,
            member.residence) == (cadre.id, "赵大", "父亲", date(1920, 5, 6), False, "浙江温州")

    # remove the member in the edit dialog: nothing happens until 保存
    page = window.roster_page
    page.table_view.select_row(0)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    dialog.tabs.setCurrentIndex(2)
    assert dialog.family.row_count() == 1
    dialog.family.row_widgets(0)["name"].setFocus()
    qtbot.mouseClick(dialog.family.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.family.row_count() == 0
    assert not FamilyMember.get().archived
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert FamilyMember.get().archived  # archived, never deleted
    assert roster.list_family(cadre.id) == []


def test_family_member_needs_name_and_relation(type_text, window, qtbot, add_unit):
    dialog = filled_add_dialog(type_text, qtbot, window, add_unit, "钱七")
    dialog.tabs.setCurrentIndex(2)
    qtbot.mouseClick(dialog.family.add_button, Qt.MouseButton.LeftButton)
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.family.row_widgets(0)["name"], Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "家庭成员第1行：请填写姓名" in dialog.messages["family"].text()
    assert Cadre.select().count() == 0


# ---------------------------------------------------------------- finding, editing, archiving

def test_search_by_name_pinyin_and_tails(type_text, window, qtbot, add_unit, add_cadre, make_id):
    unit_id = add_unit()
    add_cadre("曾小明", make_id("330328", "19800101", 11), unit_id, phone="13912345678")
    add_cadre("张三", make_id("330328", "19850202", 13), unit_id, phone="13800001111")
    add_cadre("单丽", make_id("330328", "19900303", 22), unit_id)
    page = window.roster_page
    page.refresh()
    assert len(roster_names(page)) == 3

    def search(text):
        page.search_box.clear()
        type_text(page.search_box, text)
        qtbot.waitUntil(lambda: page.model.filter.text == text, timeout=2000)
        return roster_names(page)

    assert search("zxm") == ["曾小明"]      # surname reading of 曾
    assert search("cxm") == ["曾小明"]      # the common reading finds the person too
    assert search("sl") == ["单丽"]
    assert search("张") == ["张三"]
    assert search("1111") == ["张三"]       # phone tail
    assert search(make_id("330328", "19900303", 22)[-4:]) == ["单丽"]  # ID tail
    assert search("zzz") == []
    assert page.empty_text == "没有符合条件的干部"
    qtbot.mouseClick(page.empty_state.button, Qt.MouseButton.LeftButton)
    assert len(roster_names(page)) == 3 and page.search_box.text() == ""


def test_set_search_text_applies_at_once(window, add_unit, add_cadre, make_id):
    unit_id = add_unit()
    add_cadre("曾小明", make_id("330328", "19800101", 11), unit_id)
    add_cadre("张三", make_id("330328", "19850202", 13), unit_id)
    page = window.roster_page
    page.refresh()
    page.set_search_text("zs")
    assert roster_names(page) == ["张三"]  # no waiting for the typing pause


def test_filters_and_ctrl_f(window, qtbot, add_unit, add_cadre, make_id):
    a = add_unit("青岭镇人民政府")
    b = add_unit("云溪乡党委")
    add_cadre("曾小明", make_id("330328", "19800101", 11), a)
    add_cadre("张三", make_id("330328", "19850202", 13), b, position_category="行政执法类",
              employment_status="驻村")
    page = window.roster_page
    page.reload_units()
    page.unit_filter.setCurrentIndex(page.unit_filter.findText("云溪乡党委"))
    assert roster_names(page) == ["张三"]
    page.unit_filter.setCurrentIndex(0)
    page.status_filter.setCurrentIndex(page.status_filter.findText("在职"))
    assert roster_names(page) == ["曾小明"]
    page.status_filter.setCurrentIndex(0)
    page.category_filter.setCurrentIndex(page.category_filter.findText("行政执法类"))
    assert roster_names(page) == ["张三"]
    assert page.unit_filter.itemText(0) == "全部单位"
    assert page.category_filter.itemText(0) == "全部类别"
    assert page.status_filter.itemText(0) == "全部状态"

    page.table_view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_box.hasFocus()


def test_edit_phone(type_text, window, qtbot, add_unit, add_cadre):
    unit_id = add_unit()
    cadre_id = add_cadre("曾小明", VALID_ID, unit_id, phone="13912345678")
    page = window.roster_page
    page.refresh()
    page.table_view.select_row(0)
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    assert dialog.windowTitle() == "修改干部信息 — 曾小明"
    phone = dialog.inputs["phone"]
    assert phone.text() == "13912345678"
    phone.selectAll()
    type_text(phone, "0577-1234567")
    qtbot.keyClick(phone, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert Cadre.get_by_id(cadre_id).phone == "0577-1234567"
    assert cell(page, 0, "phone") == "0577-1234567"
    # a wrong phone is refused under the field
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    dialog.inputs["phone"].selectAll()
    type_text(dialog.inputs["phone"], "12345")
    qtbot.keyClick(dialog.inputs["phone"], Qt.Key.Key_Tab)
    assert "联系电话格式不对" in dialog.messages["phone"].text()
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # asks before discarding the change
    assert not dialog.isVisible()
    assert Cadre.get_by_id(cadre_id).phone == "0577-1234567"


def test_escape_keeps_dialog_when_clerk_wants_to_continue(type_text, window, qtbot, boxes, add_unit):
    add_unit()
    window.roster_page.reload_units()
    dialog = open_add_dialog(qtbot, window)
    type_text(dialog.inputs["name"], "张三")
    boxes.answers.append(QMessageBox.StandardButton.Cancel)  # 继续编辑
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert boxes.texts[-1] == "放弃未保存的修改？"
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Escape)  # 放弃修改
    assert not dialog.isVisible()


def test_archive_with_confirmation_and_restore(window, qtbot, boxes, add_unit, add_cadre):
    unit_id = add_unit()
    cadre_id = add_cadre("曾小明", VALID_ID, unit_id)
    page = window.roster_page
    page.refresh()
    window.refresh_status()
    assert window.count_label.text() == "在册干部 1 人"
    page.table_view.select_row(0)

    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert not Cadre.get_by_id(cadre_id).archived  # changed their mind: nothing happens

    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert boxes.texts[-1] == "确定将 曾小明 归档？归档后可在「显示已归档」中恢复"
    assert boxes.shown[-1]["buttons"] == ["归档", "取消"]
    assert Cadre.get_by_id(cadre_id).archived
    assert roster_names(page) == []
    assert window.count_label.text() == "在册干部 0 人"

    qtbot.mouseClick(page.archived_check, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    assert page.archived_check.isChecked()
    assert roster_names(page) == ["曾小明"]
    assert cell(page, 0, "status") == "在职（已归档）"
    page.table_view.select_row(0)
    assert page.archive_button.text() == "恢复"
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert "恢复 曾小明" in boxes.texts[-1]
    assert not Cadre.get_by_id(cadre_id).archived
    assert cell(page, 0, "status") == "在职"
    assert window.count_label.text() == "在册干部 1 人"


def test_detail_window_opens_on_double_click_and_masks_id(window, qtbot, boxes, add_unit, add_cadre):
    unit_id = add_unit()
    cadre_id = add_cadre("曾小明", VALID_ID, unit_id, phone="13912345678")
    roster.save_cadre(dict(roster.get_cadre(cadre_id), phone="13900000000"),
                      [{"name": "曾大", "relation": "父亲", "lives_with": False}], cadre_id)
    page = window.roster_page
    page.refresh()
    view = page.table_view
    double_click_row(qtbot, view)
    detail = window.detail_windows[cadre_id]
    assert detail.isVisible()
    assert detail.windowTitle() == "干部详情 — 曾小明"
    assert detail.shown_id_text == "110105********002X"
    assert detail.tabs.tabText(0) == "基本信息"
    assert detail.family_table.item(0, 0).text() == "曾大"
    history = [detail.history_table.item(r, 3).text() for r in range(detail.history_table.rowCount())]
    assert any("联系电话：13912345678 → 13900000000" in h for h in history)
    assert any("新增 父亲 曾大" in h for h in history)
    from carecenter.db.models import AuditLog

    views_before = AuditLog.select().where(AuditLog.action == "view").count()
    qtbot.mouseClick(detail.id_toggle, Qt.MouseButton.LeftButton)
    assert detail.shown_id_text == VALID_ID
    assert detail.id_toggle.text() == "隐藏证件号"
    # showing the full number is recorded in the audit trail (DOMAIN.md §6)
    assert AuditLog.select().where(AuditLog.action == "view").count() == views_before + 1

    # Enter on the selected row brings the same window forward, not a second one
    view.setFocus()
    page.table_view.select_row(0)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert len(window.detail_windows) == 1

    # archiving from the detail window updates the roster and the status bar
    qtbot.mouseClick(detail.archive_button, Qt.MouseButton.LeftButton)
    assert "确定将 曾小明 归档？" in boxes.texts[-1]
    assert detail.status_badge.text() == "在职（已归档）"
    assert roster_names(page) == []
    assert window.count_label.text() == "在册干部 0 人"


def test_edit_from_detail_window_refreshes_everything(type_text, window, qtbot, add_unit, add_cadre):
    unit_id = add_unit()
    cadre_id = add_cadre("曾小明", VALID_ID, unit_id)
    page = window.roster_page
    page.refresh()
    detail = window.open_cadre(cadre_id)
    qtbot.mouseClick(detail.edit_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, detail.dialog)
    dialog.inputs["name"].selectAll()
    type_text(dialog.inputs["name"], "曾晓明")
    qtbot.keyClick(dialog.inputs["name"], Qt.Key.Key_Return)
    assert detail.name_label.text() == "曾晓明"
    assert roster_names(page) == ["曾晓明"]


def test_detail_tab_registry(window, qtbot, add_unit, add_cadre, monkeypatch):
    from PySide6.QtWidgets import QLabel

    from carecenter.ui.dialogs import cadre_detail

    seen = []

    class LeaveTab(QLabel):
        def reload(self):
            seen.append("reload")

    monkeypatch.setattr(cadre_detail, "DETAIL_TABS", [])
    cadre_detail.register_detail_tab("休假", lambda cid, parent: LeaveTab(f"cadre {cid}", parent))
    unit_id = add_unit()
    cadre_id = add_cadre("曾小明", VALID_ID, unit_id)
    detail = window.open_cadre(cadre_id)
    assert [detail.tabs.tabText(i) for i in range(detail.tabs.count())] == ["基本信息", "休假"]
    assert detail.tabs.widget(1).text() == f"cadre {cadre_id}"
    detail.reload()
    assert seen == ["reload"]


def test_down_arrow_from_search_to_table_then_enter_opens(type_text, window, qtbot, add_unit, add_cadre, make_id):
    unit_id = add_unit()
    cadre_id = add_cadre("曾小明", make_id("330328", "19800101", 11), unit_id)
    add_cadre("张三", make_id("330328", "19850202", 13), unit_id)
    page = window.roster_page
    page.refresh()
    type_text(page.search_box, "zxm")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)  # no need to wait for the typing pause
    assert roster_names(page) == ["曾小明"]
    assert page.table_view.hasFocus() and page.selected_cadre_id() == cadre_id
    qtbot.keyClick(page.table_view, Qt.Key.Key_Return)
    assert cadre_id in window.detail_windows
