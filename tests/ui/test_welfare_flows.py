"""福利慰问 the way a clerk uses it: real widgets, real keys, checked on screen and in the database.

Caps are the national preset's example figures (illness ≤ 1,000 元 per episode; festivals
in kind only).  The 工会经费 budget below is a test figure.
"""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from carecenter.db.models import Fund, TalkRecord, WelfareRecord, WelfareRuleRow
from carecenter.domain import welfare as wf
from carecenter.services import welfare as welfare_service
from carecenter.services.welfare import TalkInput, WelfareInput
from carecenter.ui.models.welfare_models import (FundUsageModel, OccasionsModel, TalkRecordsModel,
                                                  WelfareRecordsModel)
from tests.ui.helpers import active, archive_first_row, detail_tab

TODAY = date.today()
YEAR = TODAY.year
UNION = "工会经费"


@pytest.fixture
def rules(store):
    # the 工作台 may already have seeded the national preset on first use
    welfare_service.seed_rules_if_empty()
    assert welfare_service.occasion_rows()


@pytest.fixture
def person(rules, add_unit, add_cadre, make_id):
    unit = add_unit("云溪乡人民政府", township="云溪乡", township_category="乡", hardship_area_class="二类")
    return add_cadre("曾小明", make_id("330328", "19800101", 11), unit)



def welfare_tab(detail):
    return detail_tab(detail, "慰问")


def choose(qtbot, type_text, combo, text: str) -> None:
    """Pick an item the way a clerk does with the keyboard: focus the list and type its start."""
    combo.setFocus()
    type_text(combo, text)
    assert combo.currentText().startswith(text)


def test_visit_over_the_cap_from_the_detail_window(type_text, window, qtbot, person):
    welfare_service.save_budget(UNION, YEAR, "5,000")
    detail = window.open_cadre(person)
    tab = welfare_tab(detail)
    assert "还没有慰问记录" in tab.records_empty.text() and not tab.records_empty.isHidden()

    # 登记慰问 in the window's action row: the person is fixed
    qtbot.mouseClick(tab.visit_action, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, tab.dialog)
    assert detail.tabs.currentWidget() is tab
    assert dialog.picker.isReadOnly() and dialog.picker.cadre_id == person
    assert dialog.occasion_combo.hasFocus()
    assert not dialog.save_button.isEnabled()

    choose(qtbot, type_text, dialog.occasion_combo, "生病")
    assert dialog.source_combo.currentText() == UNION            # the occasion's usual source
    assert "每次（同一病程合计） 1,000.00 元" in dialog.occasion_hint.text()
    type_text(dialog.money_edit.line_edit, "1200")
    qtbot.keyClick(dialog.money_edit.line_edit, Qt.Key.Key_Tab)
    assert dialog.money_edit.text() == "1,200.00"                  # shown as money once left
    type_text(dialog.visitors_edit, "镇党委书记 王某")
    dialog.episode_combo.setFocus()
    type_text(dialog.episode_combo.lineEdit(), "11月 阑尾炎手术住院")

    # the warning, with its word, and the reason it now needs
    assert "合计 1,200.00 元" == dialog.total_label.text()
    assert dialog.warning_label.isVisible() and dialog.warning_label.text().startswith("【超出上限】")
    assert "超出200.00元" in dialog.warning_label.text()
    assert dialog.rows["over_reason"].isVisible()
    assert "*" in dialog.row_labels["over_reason"].text()
    assert not dialog.save_button.isEnabled()
    assert "超出说明" in dialog.save_button.toolTip()
    assert dialog.status_label.text() == "还需填写：超出说明"
    assert any(line.startswith(f"{UNION} {YEAR} 年预算 5,000.00 元") for line in dialog.info_label.text().split("\n"))

    qtbot.keyClick(dialog.visitors_edit, Qt.Key.Key_Return)       # Enter tries to save: refused, says where
    assert dialog.isVisible() and WelfareRecord.select().count() == 0
    assert dialog.over_edit.hasFocus()
    assert "超出说明" in dialog.messages["over_reason"].text() and dialog.messages["over_reason"].isVisible()

    type_text(dialog.over_edit, "病情较重，经工会委员会研究同意")
    assert dialog.save_button.isEnabled()
    assert dialog.status_label.text().startswith("超出上限：")
    qtbot.keyClick(dialog.over_edit, Qt.Key.Key_Return)          # Enter saves
    assert not dialog.isVisible()

    rec = WelfareRecord.get()
    assert (rec.cadre_id, rec.occasion, rec.record_date, rec.money_fen, rec.funding_source, rec.visitors) == (
        person, wf.ILLNESS, TODAY, 120000, UNION, "镇党委书记 王某")
    assert rec.episode == "11月 阑尾炎手术住院" and rec.over_reason == "病情较重，经工会委员会研究同意"

    # the tab shows it with its reason, marked
    assert tab.records_table.rowCount() == 1
    assert tab.records_table.item(0, 2).text() == "1,200.00"
    assert tab.records_table.item(0, 6).text().startswith("超出说明：病情较重")
    assert f"{YEAR} 年已慰问 1 次，共 1,200.00 元" in tab.summary_label.text()

    # … the page's list, and the fund's used amount
    window.set_page("welfare")
    page = window.welfare_page
    qtbot.waitUntil(lambda: page.records_model.total == 1, timeout=2000)
    model = page.records_model
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[:6] == [TODAY.isoformat(), "曾小明", "云溪乡人民政府", "生病住院慰问", "1,200.00", ""]
    assert cells[6:8] == [UNION, "镇党委书记 王某"] and cells[8].startswith("超出说明：")
    assert page.count_label.text() == "共 1 条，合计 1,200.00 元"
    page.set_view("funds")
    usage = {u.name: u for u in page.budget_model.rows()}
    assert usage[UNION].used_fen == 120000 and usage[UNION].remaining_fen == 380000
    row = page.budget_model.row_of(UNION)
    assert page.budget_model.index(row, 2).data() == "1,200.00"
    assert page.budget_model.index(row, 5).data() == "正常"


def test_cash_for_a_festival_is_refused_under_the_field(type_text, window, qtbot, boxes, person):
    window.set_page("welfare")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = active(qtbot, window.welfare_page.dialog)
    assert dialog.windowTitle() == "登记慰问" and dialog.picker.hasFocus()
    type_text(dialog.picker, "曾小明")
    dialog.picker.search_now()
    assert dialog.picker.cadre_id == person
    choose(qtbot, type_text, dialog.occasion_combo, "春节")
    assert "只能发放物品" in dialog.occasion_hint.text()
    type_text(dialog.money_edit.line_edit, "500")
    qtbot.keyClick(dialog.money_edit.line_edit, Qt.Key.Key_Tab)
    message = dialog.messages["money_fen"]
    assert message.isVisible() and message.text() == "节日慰问不得发放现金或购物卡，请改为物品"
    assert not dialog.save_button.isEnabled()
    assert "节日慰问不得发放现金或购物卡" in dialog.save_button.toolTip()

    # goods instead: clear the cash, enter the goods and their value
    dialog.money_edit.line_edit.clear()
    type_text(dialog.goods_edit, "大米一袋、食用油一桶")
    type_text(dialog.goods_value.line_edit, "300")
    assert not message.isVisible() and dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.goods_value.line_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    rec = WelfareRecord.get()
    assert (rec.money_fen, rec.goods, rec.goods_fen) == (0, "大米一袋、食用油一桶", 30000)

    # a second one within the window is flagged as a likely duplicate, naming the first
    qtbot.mouseClick(window.welfare_page.add_button, Qt.MouseButton.LeftButton)
    again = active(qtbot, window.welfare_page.dialog)
    again.picker.set_cadre(person)
    choose(qtbot, type_text, again.occasion_combo, "春节")
    type_text(again.goods_edit, "水果")
    type_text(again.goods_value.line_edit, "100")
    assert again.warning_label.text().startswith("【可能重复】")
    assert "大米一袋、食用油一桶" in again.warning_label.text()
    assert again.save_button.isEnabled()                           # a duplicate needs checking, not a reason
    qtbot.keyClick(again.goods_value.line_edit, Qt.Key.Key_Escape)  # Esc: asks (there are changes)
    assert boxes.texts[-1] == "放弃未保存的修改？"
    assert not again.isVisible() and WelfareRecord.select().count() == 1


def test_talk_from_the_detail_window(type_text, window, qtbot, person):
    detail = window.open_cadre(person)
    tab = welfare_tab(detail)
    qtbot.mouseClick(tab.talk_action, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, tab.dialog)
    assert dialog.picker.cadre_id == person and dialog.talker_edit.hasFocus()
    assert dialog.status_label.text() == "还需填写：谈话人、谈话事由、谈话要点"
    type_text(dialog.talker_edit, "镇党委书记 王某")
    choose(qtbot, type_text, dialog.trigger_combo, "岗位")
    type_text(dialog.gist_edit, "谈了新岗位的职责")
    qtbot.keyClick(dialog.gist_edit, Qt.Key.Key_Return)          # a new line, not a save
    assert dialog.isVisible()
    type_text(dialog.gist_edit, "本人表示服从安排")
    qtbot.keyClick(dialog.gist_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter saves
    assert not dialog.isVisible()
    talk = TalkRecord.get()
    assert (talk.cadre_id, talk.talker, talk.trigger, talk.gist) == (
        person, "镇党委书记 王某", "岗位变动", "谈了新岗位的职责\n本人表示服从安排")
    assert tab.talks_table.rowCount() == 1 and tab.talks_table.item(0, 2).text() == "岗位变动"
    window.set_page("welfare")
    page = window.welfare_page
    page.set_view("talks")
    assert page.talks_model.total == 1 and page.talks_model.index(0, 1).data() == "曾小明"


def test_archive_asks_and_gives_the_money_back(window, qtbot, boxes, person):
    welfare_service.save_budget(UNION, YEAR, 100000)
    welfare_service.save_record(WelfareInput(person, wf.BIRTHDAY, TODAY, goods="生日蛋糕", goods_fen=20000,
                                             funding_source=UNION))
    window.set_page("welfare")
    page = window.welfare_page
    assert archive_first_row(page, qtbot, boxes, cancel=True) == f"确定将 曾小明 {TODAY.isoformat()} 生日慰问 的慰问记录归档？"
    assert WelfareRecord.select().where(WelfareRecord.archived == False).count() == 1  # noqa: E712
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    assert WelfareRecord.get().archived
    qtbot.waitUntil(lambda: page.empty_visible, timeout=2000)
    assert {u.name: u for u in welfare_service.fund_usage(YEAR)}[UNION].used_fen == 0


def test_budget_set_from_the_funds_view(type_text, window, qtbot, person):
    window.set_page("welfare")
    page = window.welfare_page
    page.set_view("funds")
    row = page.budget_model.row_of("行政经费")
    page.budget_table.select_row(row)
    assert page.budget_model.index(row, 1).data() == "未设预算"
    qtbot.mouseClick(page.budget_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.dialog)
    assert dialog.name == "行政经费" and dialog.budget_edit.line_edit.hasFocus()
    type_text(dialog.budget_edit.line_edit, "abc")
    assert not dialog.save_button.isEnabled()
    dialog.budget_edit.line_edit.clear()
    type_text(dialog.budget_edit.line_edit, "20,000.00")
    qtbot.keyClick(dialog.budget_edit.line_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert Fund.get().budget_fen == 2000000 and Fund.get().year == YEAR
    qtbot.waitUntil(lambda: page.budget_model.index(page.budget_model.row_of("行政经费"), 1).data() == "20,000.00",
                    timeout=2000)


def test_rules_dialog_asks_before_loading_a_preset(window, qtbot, boxes, rules):
    window.set_page("welfare")
    page = window.welfare_page
    qtbot.mouseClick(page.rules_button, Qt.MouseButton.LeftButton)
    dialog = active(qtbot, page.rules_dialog)
    assert dialog.model.total == 18
    birthday = dialog.model.row_of(next(r["id"] for r in welfare_service.occasion_rows() if r["code"] == wf.BIRTHDAY))
    assert dialog.model.index(birthday, 2).data() == "300.00"
    assert dialog.model.index(birthday, 8).data() == "示例，请修改"
    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    dialog.load_preset("zhejiang", "浙江省")
    assert boxes.texts[-1] == "确定载入浙江省预设？" and welfare_service.current_preset() == "national"
    dialog.load_preset("zhejiang", "浙江省")
    assert welfare_service.current_preset() == "zhejiang"
    assert WelfareRuleRow.select().where(WelfareRuleRow.archived == True).count() == 19  # noqa: E712


def test_models_pass_qtmodeltester(store, qtmodeltester, add_unit, add_cadre, make_id):
    from carecenter.db.queries import TalkFilter, WelfareFilter

    welfare_service.seed_rules_if_empty()
    unit = add_unit()
    ids = [add_cadre(name, make_id("330328", "19800101", i * 2 + 1), unit)
           for i, name in enumerate(("张三", "李四", "王五"), 1)]
    for i, cid in enumerate(ids):
        for m in range(1, 8):
            welfare_service.save_record(WelfareInput(cid, wf.HARDSHIP_AID, date(2025, m, 1 + i), money_fen=1000 * m,
                                                     funding_source="行政经费"), today=date(2025, 12, 31))
        welfare_service.save_talk(TalkInput(cid, date(2025, 3, 1), "镇长", "日常谈心", "了解近况"),
                                  today=date(2025, 12, 31))
    records = WelfareRecordsModel(page_size=5)
    records.set_filter(WelfareFilter(year=2025))
    assert records.total == 21 and records.rowCount() == 5
    qtmodeltester.check(records)                 # the tester fetches more pages itself
    assert records.total_fen() == 3 * 28000
    talks = TalkRecordsModel(page_size=2)
    talks.set_filter(TalkFilter(year=2025))
    qtmodeltester.check(talks)
    funds = FundUsageModel()
    funds.set_rows(welfare_service.fund_usage(2025))
    qtmodeltester.check(funds)
    occasions = OccasionsModel()
    occasions.set_rows(welfare_service.occasion_rows())
    qtmodeltester.check(occasions)
    empty = WelfareRecordsModel()
    empty.set_filter(WelfareFilter(year=1999))
    qtmodeltester.check(empty)
