"""津贴补贴 the way a clerk uses it: generate a month, adjust a line (refused without a
reason), lock it and see editing disabled, correct it with a 补发 in a later month,
fill in the empty hardship matrix, and the cadre's 津贴 tab — checked on screen and in
the database.  Township bands are the Hunan example (DOMAIN.md §3); matrix figures
typed here are test figures, not real standards.
"""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from carecenter.db.models import AllowanceBatch, AllowanceLine, AllowanceRuleRow, CadreAllowanceFacts, CadrePeriod, Unit
from carecenter.services import allowance as al
from tests.ui.helpers import active

THIS = date.today().replace(day=1)
LAST = al.add_month(THIS, -1)
START_A = date(THIS.year - 12, 1, 1)



def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_generated(qtbot, page):
    qtbot.waitUntil(lambda: not page.generating, timeout=10000)


def col(model, key: str) -> int:
    return model.COLUMNS.index(key)


def cell(model, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    return model.index(row, col(model, key)).data(role)


@pytest.fixture
def township(store, add_unit, add_cadre, make_id):
    """Two cadres in a 镇 (Hunan example bands): 12 and 6 years in townships (260 and 200 元)."""
    al.replace_with_preset("hunan_example")
    unit = add_unit()
    a = add_cadre("曾小明", make_id("330328", "19800101", 11), unit, township_start_date=START_A,
                  personnel_status="公务员", rank="一级科员")
    b = add_cadre("王丽", make_id("330328", "19900101", 12), unit, township_start_date=date(THIS.year - 6, 1, 1),
                  personnel_status="公务员", rank="一级科员")
    return a, b


def test_generate_adjust_lock_then_correct_in_a_later_month(window, qtbot, boxes, type_text, township):
    a, _b = township
    window.set_page("allowance")
    page = window.allowance_page
    assert page.current_month() == THIS
    assert page.status_badge.text() == "未生成"
    assert page.empty_text.startswith(f"{THIS.year}年{THIS.month}月还没有生成津贴补贴")
    assert page.generate_button.text() == "生成本月" and not page.lock_button.isEnabled()

    # 生成本月 (a background job), then a short summary
    page.set_month(LAST)
    click(qtbot, page.generate_button)
    wait_generated(qtbot, page)
    qtbot.waitUntil(lambda: page.lines_model.total == 2)
    assert "已生成" in boxes.texts[-1] and "2 名干部 2 行" in boxes.texts[-1]
    assert page.status_badge.text() == "草稿"
    assert [cell(page.lines_model, r, "name") for r in range(2)] == ["王丽", "曾小明"]
    row = next(r for r in range(2) if cell(page.lines_model, r, "name") == "曾小明")
    assert cell(page.lines_model, row, "amount") == "260.00"          # 满10年不满15年
    assert cell(page.lines_model, row, "amount", Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert cell(page.lines_model, row, "kind") == "正常"
    assert cell(page.lines_model, row, "band") == "满10年不满15年"
    assert "460.00" in page.total_label.text() and page.capital_label.text() == "大写：肆佰陆拾元整"
    assert "核对一致" in page.check_label.text()

    # 调整: the amount as 1,200.00 style, refused without a reason
    page.lines_table.select_row(row)
    assert page.adjust_button.isEnabled()
    click(qtbot, page.adjust_button)
    dialog = active(qtbot, page.dialog)
    assert dialog.amount.text() == "260.00" and dialog.amount.hasFocus()
    dialog.amount.selectAll()
    type_text(dialog.amount, "1,30")
    assert not dialog.save_button.isEnabled()
    dialog.amount.clear()
    type_text(dialog.amount, "130")
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)                  # Enter: refused, says why
    assert dialog.isVisible()
    assert "请填写调整原因" in dialog.messages["reason"].text() and dialog.messages["reason"].isVisible()
    assert AllowanceLine.get(AllowanceLine.cadre == a).amount_fen == 26000
    type_text(dialog.reason, "当月下旬到岗，经党委会研究按半月发放")
    assert dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    line = AllowanceLine.get(AllowanceLine.cadre == a)
    assert (line.amount_fen, line.generated_fen, line.reason) == (13000, 26000, "当月下旬到岗，经党委会研究按半月发放")
    row = page.lines_model.row_of(line.id)
    assert cell(page.lines_model, row, "reason") == "原260.00元，当月下旬到岗，经党委会研究按半月发放"
    assert "330.00" in page.total_label.text()

    # 锁定本月: asks first, then editing is disabled and says where corrections go
    page.lines_table.select_row(row)
    click(qtbot, page.lock_button)
    qtbot.waitUntil(lambda: not page.locking, timeout=20000)       # the safety copy and lock run in the background
    assert boxes.shown[-1]["text"].startswith(f"确定锁定{LAST.year}年{LAST.month}月")
    assert "锁定本月" in boxes.shown[-1]["buttons"]
    assert AllowanceBatch.get(AllowanceBatch.month == LAST).status == "已锁定"
    assert page.status_badge.text() == "已锁定"
    for button in (page.generate_button, page.adjust_button, page.lock_button):
        assert not button.isEnabled()
        assert "补发或扣减" in button.toolTip()
    assert page.correction_button.isEnabled()
    n = len(boxes.shown)
    page.lines_table.open_requested.emit(row)                          # double-click on a locked line
    assert page.dialog is None and "补发或扣减" in boxes.texts[-1] and len(boxes.shown) == n + 1

    # 补发/扣减 from the locked month: prefilled with the person, scheme and month
    page.lines_table.select_row(row)
    click(qtbot, page.correction_button)
    cd = active(qtbot, page.dialog)
    assert cd.picker.cadre_id == a and cd.picker.isReadOnly()
    assert cd.corrects_month() == LAST and cd.into_month() == THIS
    assert cd.paid_label.text().startswith("130.00 元")
    type_text(cd.due, "260")
    assert cd.diff_label.text() == "补发 130.00 元"
    assert not cd.save_button.isEnabled() and "原因" in cd.status_label.text()
    type_text(cd.reason, "按半月发放有误，补发差额")
    click(qtbot, cd.save_button)
    assert not cd.isVisible()
    back = AllowanceLine.get(AllowanceLine.kind == "补发")
    assert (back.cadre_id, back.amount_fen, back.corrects_month) == (a, 13000, LAST)
    assert AllowanceBatch.get(AllowanceBatch.month == THIS).status == "草稿"
    assert page.current_month() == THIS
    sel = page.selected_line()
    assert sel is not None and sel["id"] == back.id
    assert cell(page.lines_model, page.lines_table.current_row(), "kind") == f"补发（{LAST.year}年{LAST.month}月）"
    # the locked month did not change
    assert AllowanceLine.get(AllowanceLine.cadre == a, AllowanceLine.kind == "正常").amount_fen == 13000

    # generating the current month keeps the back-pay line
    click(qtbot, page.generate_button)
    wait_generated(qtbot, page)
    assert page.lines_model.total == 3 and "1,000.00" not in page.total_label.text()
    assert AllowanceBatch.get(AllowanceBatch.month == THIS).total_fen == 26000 + 20000 + 13000

    # the detail window's 津贴 tab shows the history
    detail = window.open_cadre(a)
    tab = next(detail.tabs.widget(i) for i in range(detail.tabs.count()) if detail.tabs.tabText(i) == "津贴")
    texts = [tab.history_table.item(r, 4).text() for r in range(tab.history_table.rowCount())]
    assert "正常" in texts and f"补发（{LAST.year}年{LAST.month}月）" in texts
    assert tab.history_count.text().startswith("共 2 个月 3 行")


def test_regenerate_asks_first_and_cancel_keeps_everything(window, qtbot, boxes, township):
    from PySide6.QtWidgets import QMessageBox

    window.set_page("allowance")
    page = window.allowance_page
    click(qtbot, page.generate_button)
    wait_generated(qtbot, page)
    assert page.generate_button.text() == "重新生成"
    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    click(qtbot, page.generate_button)
    assert boxes.shown[-1]["text"].startswith("确定重新生成") and not page.generating
    assert AllowanceLine.select().count() == 2


def test_empty_hardship_matrix_is_listed_and_filled_in_from_the_page(window, qtbot, boxes, type_text, store,
                                                                     add_unit, add_cadre, make_id):
    unit = add_unit("云溪乡人民政府", township="云溪乡", township_category="乡", hardship_area_class="三类")
    cid = add_cadre("李四", make_id("330328", "19800101", 21), unit, township_start_date=date(2012, 5, 1),
                    personnel_status="公务员", rank="一级科员")
    window.set_page("allowance")
    page = window.allowance_page
    click(qtbot, page.generate_button)
    wait_generated(qtbot, page)
    assert "艰苦边远地区津贴标准未填写（1 人）" in boxes.texts[-1]
    assert page.banner.isVisible()
    assert "艰苦边远地区津贴标准未填写" in page.banner_label.text() and "津贴标准" in page.banner_label.text()
    assert page.lines_model.total == 1                               # the township subsidy is still paid
    click(qtbot, page.banner_list_button)
    assert page.view == "problems" and page.problems_model.rowCount() == 1
    assert cell(page.problems_model, 0, "title") == "艰苦边远地区津贴标准未填写"
    assert page.selected_cadre_id() is None
    page.problems_table.select_row(0)
    assert page.selected_cadre_id() == cid

    # 填写津贴标准: type the cell in 元 for a date, save
    click(qtbot, page.banner_rates_button)
    rd = active(qtbot, page.rates_dialog)
    assert rd.tabs.tabText(0) == "艰苦边远地区津贴" and rd.tabs.currentIndex() == 0
    mt = rd.matrix_tab
    type_text(mt.date_edit.line_edit, "2006.07.01")
    qtbot.keyClick(mt.date_edit.line_edit, Qt.Key.Key_Tab)
    mt.set_cell("三类", "科员", "1,234.5")
    mt.set_cell("三类", "办事员", "12.345")                             # three decimals: refused, nothing saved
    assert not mt.save()
    assert "最多只能有两位小数" in mt.status.text()
    assert not AllowanceRuleRow.select().where(AllowanceRuleRow.table == "hardship_rate").exists()
    mt.set_cell("三类", "办事员", "")
    click(qtbot, mt.save_button)
    assert "已保存 1 格" in mt.status.text()
    cells = al.matrix(date(2025, 1, 1))["cells"]
    assert cells[("三类", "科员")]["amount_fen"] == 123450
    rd.accept()

    click(qtbot, page.generate_button)
    wait_generated(qtbot, page)
    assert not page.banner.isVisible()
    assert {x.scheme: x.amount_fen for x in AllowanceLine.select()} == {"hardship": 123450, "township": 20000}


def new_township_band(qtbot, type_text, tab, years: str, amount: str):
    """新增 a 乡镇工作补贴 band from 2026-01-01 and type it in (not saved yet)."""
    tab.add("township_band")
    rd = active(qtbot, tab.dialog)
    type_text(rd.widgets["min_years"], years)
    type_text(rd.widgets["amount"], amount)
    type_text(rd.effective.line_edit, "2026-01-01")
    return rd


def test_rates_dialog_rows_and_presets(window, qtbot, boxes, type_text, store):
    from carecenter.ui.dialogs.allowance_rates_dialog import AllowanceRatesDialog

    dialog = AllowanceRatesDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.preset_label.text() == "标准来源：全国基准"
    menu = [a.text() for a in dialog.preset_menu.actions()]
    assert menu[0] == "全国基准" and any("湖南" in t and "示例" in t for t in menu)
    dialog.load_preset("hunan_example", "湖南省示例（乡镇工作补贴分档）")
    assert boxes.shown[-2]["text"] == "确定载入「湖南省示例（乡镇工作补贴分档）」预设？"
    assert boxes.shown[-1]["text"].startswith("已载入「湖南省示例")
    assert al.current_preset() == "hunan_example" and "示例数据" in dialog.preset_label.text()

    tab = dialog.township_tab
    assert tab.model.rowCount() == 8
    rd = new_township_band(qtbot, type_text, tab, "35", "560")
    assert rd.save_button.isEnabled()
    qtbot.keyClick(rd.widgets["amount"], Qt.Key.Key_Return)
    assert not rd.isVisible()
    assert any(r["min_years"] == 35 and r["amount_fen"] == 56000 for r in al.rule_rows("township_band"))
    assert tab.model.rowCount() == 9

    # a row with a bad amount: the message is under the field, saving is refused
    rd = new_township_band(qtbot, type_text, tab, "40", "5.555")
    assert not rd.save()
    assert "最多只能有两位小数" in rd.messages["amount"].text()
    rd.reject()


def test_cadre_tab_dates_and_periods(window, qtbot, boxes, type_text, township):
    a, _b = township
    detail = window.open_cadre(a)
    tab = next(detail.tabs.widget(i) for i in range(detail.tabs.count()) if detail.tabs.tabText(i) == "津贴")
    assert "乡镇工作补贴：发放" in tab.preview_label.text()
    assert tab.township_label.text() == START_A.isoformat()
    assert not tab.save_facts_button.isEnabled()
    type_text(tab.transferred.line_edit, "2026.01.15")
    assert tab.save_facts_button.isEnabled() and tab.facts_status.text() == "有未保存的修改"
    click(qtbot, tab.save_facts_button)
    assert CadreAllowanceFacts.get().transferred_on == date(2026, 1, 15)
    assert "已保存" in tab.facts_status.text()
    tab.retirement_kind.setCurrentIndex(tab.retirement_kind.findData("退休"))
    assert not tab.save_facts_button.isEnabled() and "请填写退休日期" in tab.facts_status.text()

    click(qtbot, tab.add_period_button)
    pd = active(qtbot, tab.dialog)
    pd.kind.setCurrentIndex(pd.kind.findData("借调"))
    type_text(pd.start.line_edit, "2025-03-15")
    type_text(pd.end.line_edit, "2025-03-01")
    qtbot.keyClick(pd.end.line_edit, Qt.Key.Key_Tab)
    assert not pd.save_button.isEnabled() and "结束日期早于开始日期" in pd.messages["end_date"].text()
    pd.end.line_edit.clear()
    type_text(pd.end.line_edit, "2025-04-15")
    type_text(pd.note, "借调县委办")
    click(qtbot, pd.save_button)
    assert not pd.isVisible()
    p = CadrePeriod.get()
    assert (p.kind, p.start_date, p.end_date, p.note) == ("借调", date(2025, 3, 15), date(2025, 4, 15), "借调县委办")
    assert tab.periods_table.rowCount() == 1 and tab.periods_table.item(0, 0).text() == "借调"


def test_unit_dialog_especially_hard_checkbox(window, qtbot, boxes, add_unit):
    from carecenter.ui.dialogs.unit_dialog import UnitDialog

    unit = add_unit()
    dialog = UnitDialog(unit, window.units_page)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.inputs["especially_hard"]
    assert not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    assert dialog.save()
    assert Unit.get_by_id(unit).especially_hard is True
    # a street cannot be marked
    dialog = UnitDialog(unit, window.units_page)
    qtbot.addWidget(dialog)
    dialog.inputs["township_category"].setCurrentText("街道")
    dialog._on_left("township_category")
    assert not dialog.save_button.isEnabled()
    assert "街道办事处不享受乡镇工作补贴" in dialog.messages["especially_hard"].text()


def test_models_pass_qtmodeltester(store, qtmodeltester):
    from carecenter.db import queries
    from carecenter.services import demo
    from carecenter.ui.models.allowance_models import (LinesModel, ProblemsModel, RuleRowsModel, SchemeTotalsModel,
                                                       UnitTotalsModel)

    today = date(2025, 6, 20)
    demo.generate(80, today=today)
    al.generate_demo_months(today=today)
    month = date(2025, 6, 1)
    lines = LinesModel(page_size=25)
    lines.set_filter(queries.AllowanceLineFilter(month))
    assert lines.total > 25 and lines.rowCount() == 25
    qtmodeltester.check(lines)
    while lines.canFetchMore():
        lines.fetchMore()
    ids = [lines.line(r)["id"] for r in range(lines.rowCount())]
    assert len(ids) == len(set(ids)) == lines.total
    assert sum(lines.line(r)["amount_fen"] for r in range(lines.rowCount())) == al.month_total(month)["total_fen"]
    lines.set_filter(queries.AllowanceLineFilter(month, kind="补发"))
    assert lines.total == 1
    qtmodeltester.check(lines)

    units = UnitTotalsModel()
    units.set_rows(al.totals_by_unit(month))
    qtmodeltester.check(units)
    schemes = SchemeTotalsModel()
    schemes.set_rows(al.totals_by_scheme(month))
    qtmodeltester.check(schemes)
    problems = ProblemsModel()
    problems.set_groups(al.batch_info(month)["problem_groups"])
    qtmodeltester.check(problems)
    rules = RuleRowsModel()
    rules.set_rules(al.rule_rows())
    assert rules.rowCount() > 10
    qtmodeltester.check(rules)
