"""健康体检 the way a clerk uses it: real widgets, real keys, checked on screen and in the database.

Rules are seeded from the Zhejiang preset (DOMAIN.md §4: 常规体检 every 2 years under 45 and
yearly from 45 — an example; 两癌筛查 every 3 years for women aged 35–64).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from carecenter.db.models import AuditLog, HealthCheck, HealthFinding, MentalRecord
from carecenter.services import health
from carecenter.ui import theme
from tests.ui.helpers import active, archive_first_row

TODAY = date.today()


@pytest.fixture
def rules(store):
    health.seed_rules_if_empty("zhejiang")



def health_tab(detail):
    from carecenter.ui.widgets.health_tab import HealthTab

    index = next(i for i in range(detail.tabs.count()) if detail.tabs.tabText(i) == "健康")
    tab = detail.tabs.widget(index)
    assert isinstance(tab, HealthTab)
    return tab


def texts(model, key: str) -> list[str]:
    col = model.COLUMNS.index(key)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def cell(model, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return model.index(row, model.COLUMNS.index(key)).data(role)


def all_cells(model) -> str:
    while model.canFetchMore():
        model.fetchMore()
    return " ".join(str(model.index(r, c).data() or "") for r in range(model.rowCount())
                    for c in range(model.columnCount()))


def wait_due(qtbot, page):
    qtbot.waitUntil(lambda: not page.due_busy and not page._refresh_timer.isActive(), timeout=5000)


def double_click_row(qtbot, table, row: int = 0):
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# ---------------------------------------------------------------- a check with a finding, then its follow-up

def test_check_with_overdue_finding_from_detail_window_then_closed(type_text, window, qtbot, rules,
                                                                   add_unit, add_cadre, make_id):
    cadre_id = add_cadre("曾小明", make_id("330328", "19800101", 11), add_unit())
    detail = window.open_cadre(cadre_id)
    tab = health_tab(detail)
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert titles[titles.index("休假") + 1] == "健康"     # registered right after 休假 (later tabs follow)
    assert "还没有体检记录" in tab.no_checks.text() and not tab.no_checks.isHidden()
    assert tab.due_table.item(0, 4).text() == "本年应检"

    # 登记体检 in the window's action row: the person is fixed, the cursor is in 体检日期
    qtbot.mouseClick(tab.add_check_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, tab.dialog)
    assert detail.tabs.currentWidget() is tab
    assert dialog.windowTitle() == "登记体检 — 曾小明"
    assert dialog.picker.isReadOnly() and dialog.picker.cadre_id == cadre_id
    assert dialog.date_edit.line_edit.hasFocus()
    assert dialog.package.currentText() == "常规体检"
    assert not dialog.save_button.isEnabled()
    assert dialog.status_label.text() == "还需填写：体检日期"

    check_day = TODAY - timedelta(days=100)
    recheck = check_day + timedelta(days=30)  # already past: the follow-up is overdue
    type_text(dialog.date_edit.line_edit, check_day.strftime("%Y.%m.%d"))
    qtbot.keyClick(dialog.date_edit.line_edit, Qt.Key.Key_Tab)
    assert dialog.date_edit.text() == check_day.isoformat()
    assert dialog.institution.hasFocus()
    type_text(dialog.institution, "县人民医院体检中心")
    type_text(dialog.items_edit, "血压 150/95 mmHg")
    qtbot.keyClick(dialog.items_edit, Qt.Key.Key_Return)  # a new line, not a save
    type_text(dialog.items_edit, "空腹血糖 5.4 mmol/L")
    assert dialog.isVisible()
    assert dialog.items_edit.toPlainText() == "血压 150/95 mmHg\n空腹血糖 5.4 mmol/L"
    type_text(dialog.conclusion_edit, "血压偏高，建议专科就诊")

    qtbot.mouseClick(dialog.findings.add_button, Qt.MouseButton.LeftButton)
    row = dialog.findings.row_widgets(0)
    assert row["item"].hasFocus()
    type_text(row["item"], "血压")
    qtbot.keyClick(row["item"], Qt.Key.Key_Tab)
    # a finding needs its class: 保存 stays disabled and says why, on the row
    assert not dialog.save_button.isEnabled()
    assert "异常结果第1条：请选择分级" in dialog.save_button.toolTip()
    assert "异常结果第1条：请选择分级" in dialog.findings_message.text()
    assert dialog.findings_message.isVisible()
    type_text(row["description"], "收缩压 150 mmHg")
    row["level"].setFocus()
    type_text(row["level"], "B")
    assert row["level"].currentText() == "B类"
    type_text(row["referral"], "县人民医院心内科")
    type_text(row["recheck_due"].line_edit, recheck.strftime("%Y%m%d"))
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(row["referral"], Qt.Key.Key_Return)  # Enter saves
    assert not dialog.isVisible()

    check = HealthCheck.get()
    assert (check.cadre_id, check.check_date, check.package, check.institution) == (
        cadre_id, check_day, "常规体检", "县人民医院体检中心")
    assert check.items == "血压 150/95 mmHg\n空腹血糖 5.4 mmol/L"
    finding = HealthFinding.get()
    assert (finding.check_id, finding.item, finding.level, finding.recheck_due, finding.referral, finding.closed) == (
        check.id, "血压", "B", recheck, "县人民医院心内科", False)

    # the detail tab shows the check and its open finding, marked
    top = tab.tree.topLevelItem(0)
    assert top.text(0) == check_day.isoformat() and top.text(4) == "1 项异常未关闭"
    assert top.child(0).text(0) == "异常：血压"
    assert top.child(0).text(4) == f"复查逾期（复查 {recheck.isoformat()}）"

    # 异常随访 lists it as 复查逾期, in red and in words
    window.set_page("health")
    page = window.health_page
    page.set_view("followups")
    fm = page.followup_model
    assert texts(fm, "name") == ["曾小明"]
    assert cell(fm, 0, "status") == "复查逾期"
    assert cell(fm, 0, "status", Qt.ItemDataRole.ForegroundRole).name() == theme.ERROR
    assert cell(fm, 0, "level") == "B类"
    assert cell(fm, 0, "recheck_due") == recheck.isoformat()
    assert page.count_label.text() == "共 1 项未关闭，其中复查逾期 1 项"
    qtbot.mouseClick(page.overdue_check, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    assert texts(fm, "name") == ["曾小明"]

    # 登记随访结果: closing needs the outcome; ticking 已关闭 fills in today
    page.followup_table.select_row(0)
    qtbot.mouseClick(page.followup_button, Qt.MouseButton.LeftButton)
    fd = active(qtbot, page.dialog)
    assert fd.windowTitle() == "登记随访结果 — 曾小明"
    qtbot.mouseClick(fd.closed, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    assert fd.closed.isChecked() and fd.closed_date.value() == TODAY
    assert not fd.save_button.isEnabled()
    assert "关闭随访前请填写处理结果" in fd.messages["outcome"].text()
    type_text(fd.outcome, "复查正常")
    assert fd.save_button.isEnabled()
    qtbot.keyClick(fd.outcome, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves
    assert not fd.isVisible()

    finding = HealthFinding.get()
    assert (finding.closed, finding.closed_date, finding.outcome) == (True, TODAY, "复查正常")
    qtbot.waitUntil(lambda: fm.rowCount() == 0)
    assert page.empty_text == "没有符合条件的异常随访"
    qtbot.mouseClick(page.overdue_check, Qt.MouseButton.LeftButton, pos=QPoint(8, 8))
    assert page.empty_text.startswith("没有未关闭的异常随访")
    # the detail window followed (through the main window)
    assert tab.tree.topLevelItem(0).child(0).text(4) == f"已关闭（{TODAY.isoformat()}）"


# ---------------------------------------------------------------- who is due

def test_never_checked_cadre_is_due_then_done_after_a_check(type_text, window, qtbot, rules,
                                                           add_unit, add_cadre, make_id):
    cadre_id = add_cadre("张三", make_id("330328", "19700202", 13), add_unit())  # 56: yearly 常规体检
    window.set_page("health")
    page = window.health_page
    page.set_view("due")
    wait_due(qtbot, page)
    dm = page.due_model
    assert texts(dm, "name") == ["张三"]
    assert cell(dm, 0, "status") == "本年应检"
    assert cell(dm, 0, "status", Qt.ItemDataRole.ForegroundRole).name() == theme.WARNING
    assert cell(dm, 0, "last_date") == "从未体检"
    assert cell(dm, 0, "rule_name") == "常规体检（45岁及以上，每年）"
    assert page.coverage_label.text() == f"{TODAY.year} 年覆盖率　常规体检：已检 0 / 应检 1（0.0%）"

    # double-click: 登记体检 with the person and the item filled in
    double_click_row(qtbot, page.due_table)
    dialog = active(qtbot, page.dialog)
    assert dialog.picker.isReadOnly() and dialog.picker.cadre_id == cadre_id
    assert dialog.package.currentText() == "常规体检"
    type_text(dialog.date_edit.line_edit, TODAY.isoformat())
    qtbot.keyClick(dialog.date_edit.line_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert HealthCheck.get().check_date == TODAY

    # the to-do list empties and says so; 已完成 shows the person, in green
    wait_due(qtbot, page)
    assert dm.rowCount() == 0
    assert page.empty_text == f"{TODAY.year} 年的应检体检都已完成"
    qtbot.mouseClick(page.empty_state.button, Qt.MouseButton.LeftButton)
    wait_due(qtbot, page)
    assert page.status_filter.currentText() == "已完成"
    assert texts(dm, "name") == ["张三"] and cell(dm, 0, "status") == "已完成"
    assert cell(dm, 0, "last_date") == TODAY.isoformat()
    assert page.coverage_label.text().endswith("常规体检：已检 1 / 应检 1（100.0%）")

    # the record is in 体检记录 too
    page.set_view("records")
    assert texts(page.records_model, "name") == ["张三"]
    assert cell(page.records_model, 0, "open_findings") == "无"


# ---------------------------------------------------------------- confidential records

def test_mental_records_only_after_a_stated_purpose(type_text, window, qtbot, boxes, rules,
                                                    add_unit, add_cadre, make_id):
    cadre_id = add_cadre("李丽", make_id("330328", "19850505", 22), add_unit())
    day = TODAY - timedelta(days=20)
    health.save_mental(health.MentalInput(cadre_id, "评估", day, "PHQ-9", 12, "县心理服务中心", "睡眠欠佳",
                                          day, "心理健康评估及结果记录"))
    health.save_check(health.CheckInput(cadre_id, day, "县人民医院", "常规体检", conclusion="未见明显异常"))

    # never in the page's lists
    window.set_page("health")
    page = window.health_page
    for view in ("records", "due", "followups"):
        page.set_view(view)
        wait_due(qtbot, page)
    page.status_filter.setCurrentIndex(page.status_filter.findData("已完成"))
    wait_due(qtbot, page)
    assert page.due_model.rowCount() >= 1
    for model in (page.records_model, page.due_model, page.followup_model):
        shown = all_cells(model)
        assert "PHQ" not in shown and "睡眠" not in shown and "心理" not in shown

    # the detail tab says only how many there are
    detail = window.open_cadre(cadre_id)
    tab = health_tab(detail)
    detail.tabs.setCurrentWidget(tab)
    assert tab.mental_label.text() == "有 1 条保密记录"
    assert not tab.mental_table.isVisible() and tab.mental_table.rowCount() == 0
    views = AuditLog.select().where((AuditLog.action == "view") & (AuditLog.table == "mental_record"))
    assert views.count() == 0

    # 取消 at the question shows nothing and records nothing
    qtbot.mouseClick(tab.reveal_button, Qt.MouseButton.LeftButton)
    ask = active(qtbot, tab.purpose_dialog)
    assert "敏感个人信息" in ask.findChildren(type(tab.mental_label))[0].text()
    assert not ask.view_button.isEnabled()  # a purpose is required
    qtbot.mouseClick(ask.cancel_button, Qt.MouseButton.LeftButton)
    assert not tab.confidential_visible and tab.mental_table.rowCount() == 0
    assert views.count() == 0

    # with a purpose: shown, and the view is in the audit trail
    qtbot.mouseClick(tab.reveal_button, Qt.MouseButton.LeftButton)
    ask = active(qtbot, tab.purpose_dialog)
    type_text(ask.purpose.lineEdit(), "心理咨询随访")
    qtbot.keyClick(ask.purpose.lineEdit(), Qt.Key.Key_Return)
    assert tab.confidential_visible and tab.mental_table.isVisible()
    row = [tab.mental_table.item(0, c).text() for c in range(tab.mental_table.columnCount())]
    assert row[:5] == [day.isoformat(), "评估", "PHQ-9", "12", "中度"]
    assert views.count() == 1
    assert "心理咨询随访" in views.get().summary and "12" not in views.get().summary

    # 隐藏, and closing the window, hide the content again
    qtbot.mouseClick(tab.hide_button, Qt.MouseButton.LeftButton)
    assert not tab.confidential_visible and tab.mental_table.rowCount() == 0
    assert tab.mental_label.text() == "有 1 条保密记录"
    qtbot.mouseClick(tab.reveal_button, Qt.MouseButton.LeftButton)
    ask = active(qtbot, tab.purpose_dialog)
    type_text(ask.purpose.lineEdit(), "本人申请查阅")
    qtbot.mouseClick(ask.view_button, Qt.MouseButton.LeftButton)
    assert tab.confidential_visible and views.count() == 2
    detail.close()
    qtbot.waitUntil(lambda: cadre_id not in window.detail_windows)
    tab = health_tab(window.open_cadre(cadre_id))
    assert not tab.confidential_visible and tab.mental_table.rowCount() == 0
    assert views.count() == 2


def test_mental_record_needs_consent_and_shows_the_band(type_text, window, qtbot, rules,
                                                        add_unit, add_cadre, make_id):
    cadre_id = add_cadre("王五", make_id("330328", "19750303", 15), add_unit())
    tab = health_tab(window.open_cadre(cadre_id))
    assert tab.mental_label.text() == "没有保密记录"
    qtbot.mouseClick(tab.mental_add_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, tab.dialog)
    assert dialog.kind.currentText() == "评估" and dialog.scale.currentText() == "PHQ-9"
    type_text(dialog.record_date.line_edit, TODAY.isoformat())
    type_text(dialog.score, "16")
    assert dialog.band_label.text() == "结果：中重度（建议进一步评估）"
    type_text(dialog.score, "0")  # 160: out of the PHQ-9 range
    qtbot.keyClick(dialog.score, Qt.Key.Key_Tab)
    assert "PHQ-9 总分应为 0–27 的整数" in dialog.messages["score"].text()
    dialog.score.clear()
    type_text(dialog.score, "7")
    assert dialog.band_label.text() == "结果：轻度"
    # no consent yet: nothing can be saved
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.score, Qt.Key.Key_Return)
    assert dialog.isVisible() and MentalRecord.select().count() == 0
    assert "请填写知情同意日期" in dialog.messages["consent_date"].text()
    type_text(dialog.consent_date.line_edit, TODAY.isoformat())
    type_text(dialog.consent_scope.lineEdit(), "心理健康评估及结果记录")
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.consent_scope.lineEdit(), Qt.Key.Key_Return)
    assert not dialog.isVisible()
    record = MentalRecord.get()
    assert (record.cadre_id, record.scale, record.score, record.band, record.consent_date) == (
        cadre_id, "PHQ-9", 7, "轻度", TODAY)
    assert tab.mental_label.text() == "有 1 条保密记录" and not tab.confidential_visible


# ---------------------------------------------------------------- a check that cannot be saved

def test_check_without_date_cannot_be_saved(type_text, window, qtbot, boxes, rules, add_unit, add_cadre,
                                            make_id):
    add_cadre("曾小明", make_id("330328", "19800101", 11), add_unit())
    window.set_page("health")
    page = window.health_page
    assert page.empty_text == "还没有体检记录，点击「新增」登记第一次体检"
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, page.dialog)
    assert dialog.picker.hasFocus() and not dialog.picker.isReadOnly()
    type_text(dialog.picker, "zxm")
    qtbot.keyClick(dialog.picker, Qt.Key.Key_Return)  # takes the first match
    assert dialog.picker.cadre_id is not None and dialog.picker.text().startswith("曾小明（")
    assert dialog.date_edit.line_edit.hasFocus()

    assert not dialog.save_button.isEnabled()
    assert "请填写体检日期" in dialog.save_button.toolTip()
    assert dialog.status_label.text() == "还需填写：体检日期"
    qtbot.keyClick(dialog.date_edit.line_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.messages["check_date"].text() == "请填写体检日期"
    assert dialog.messages["check_date"].isVisible()

    type_text(dialog.date_edit.line_edit, (TODAY + timedelta(days=3)).isoformat())
    assert dialog.messages["check_date"].text() == "体检日期不能晚于今天，请核对"
    assert not dialog.save_button.isEnabled()
    dialog.date_edit.line_edit.clear()
    type_text(dialog.date_edit.line_edit, "2026.13.40")
    qtbot.keyClick(dialog.date_edit.line_edit, Qt.Key.Key_Tab)
    assert "体检日期" in dialog.messages["check_date"].text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert HealthCheck.select().count() == 0 and HealthFinding.select().count() == 0

    # Esc asks before throwing the typing away
    qtbot.keyClick(dialog.date_edit.line_edit, Qt.Key.Key_Escape)
    assert boxes.texts[-1] == "放弃未保存的修改？"
    assert not dialog.isVisible()
    assert HealthCheck.select().count() == 0


def test_archive_check_asks_first(window, qtbot, boxes, rules, add_unit, add_cadre, make_id):
    cadre_id = add_cadre("曾小明", make_id("330328", "19800101", 11), add_unit())
    check_id = health.save_check(health.CheckInput(cadre_id, TODAY, "县人民医院", "常规体检"))
    window.set_page("health")
    page = window.health_page
    assert archive_first_row(page, qtbot, boxes, cancel=True) == f"确定将 曾小明 {TODAY.isoformat()} 的常规体检记录归档？"
    assert not HealthCheck.get_by_id(check_id).archived
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert HealthCheck.get_by_id(check_id).archived
    qtbot.waitUntil(lambda: page.records_model.rowCount() == 0)
    assert page.empty_text == "还没有体检记录，点击「新增」登记第一次体检"


# ---------------------------------------------------------------- 体检周期设置

def test_rules_dialog_loads_a_preset_after_asking(window, qtbot, boxes, rules):
    window.set_page("health")
    page = window.health_page
    qtbot.mouseClick(page.rules_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.rules_dialog)
    model = dialog.model
    assert set(texts(model, "name")) == {"两癌筛查（35–64岁女性，每3年）", "常规体检（45岁及以上，每年）",
                                         "常规体检（45岁以下，每2年）"}
    examples = [cell(model, r, "example") for r in range(model.rowCount())]
    assert examples.count("示例，请按本地规定修改") == 2
    assert dialog.preset_label.text() == "规则来源：浙江省预设"

    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    dialog.load_preset("national", "全国基准")
    assert "确定载入全国基准预设？" in boxes.texts[-1]
    assert health.current_preset() == "zhejiang"
    dialog.load_preset("national", "全国基准")
    assert health.current_preset() == "national"
    assert set(texts(model, "name")) == {"两癌筛查（35–64岁女性，每3年）", "常规体检（每年）"}
    assert boxes.texts[-1] == "已载入全国基准预设，共 2 条规则。"

    # edit a rule: its errors show as the clerk types
    dialog.table_view.select_row(texts(model, "name").index("常规体检（每年）"))
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    edit = active(qtbot, dialog.dialog)
    edit.interval.selectAll()
    qtbot.keyClick(edit.interval, Qt.Key.Key_0)
    qtbot.keyClick(edit.interval, Qt.Key.Key_Tab)
    assert not edit.save_button.isEnabled()
    edit.interval.selectAll()
    qtbot.keyClick(edit.interval, Qt.Key.Key_2)
    qtbot.keyClick(edit.interval, Qt.Key.Key_Return)
    assert not edit.isVisible()
    assert [r["interval_years"] for r in health.rule_rows() if r["name"] == "常规体检（每年）"] == [2]


# ---------------------------------------------------------------- models

def test_models_pass_qtmodeltester(store, qtmodeltester):
    from carecenter.db.queries import CheckFilter
    from carecenter.services import demo
    from carecenter.ui.models.health_models import CheckRecordsModel, DueModel, FollowupModel, RulesModel

    demo.build(80)
    records = CheckRecordsModel(page_size=50)
    records.set_filter(CheckFilter())
    assert records.total > 50 and records.rowCount() == 50 and records.canFetchMore()
    qtmodeltester.check(records)  # the tester fetches more pages itself
    while records.canFetchMore():
        records.fetchMore()
    ids = [records.check_id(r) for r in range(records.rowCount())]
    assert len(ids) == len(set(ids)) == records.total  # each check once, even when asked again mid-insert

    due = DueModel(chunk=20)
    due.set_rows(health.due_list(TODAY.year, TODAY, status=health.STATUS_ALL))
    assert due.total > 20 and due.rowCount() == 20
    qtmodeltester.check(due)
    due.sort(due.COLUMNS.index("age"), Qt.SortOrder.DescendingOrder)
    ages = [int(a) for a in texts(due, "age")]
    assert ages == sorted(ages, reverse=True)
    qtmodeltester.check(due)

    followups = FollowupModel()
    followups.set_rows(health.open_followups(TODAY))
    assert followups.rowCount() > 0
    qtmodeltester.check(followups)

    rule_model = RulesModel()
    rule_model.set_rules(health.rule_rows(), health.example_rule_ids())
    qtmodeltester.check(rule_model)

    empty = CheckRecordsModel()
    empty.set_filter(CheckFilter(text="nobody"))
    assert empty.rowCount() == 0 and not empty.canFetchMore()
    qtmodeltester.check(empty)
