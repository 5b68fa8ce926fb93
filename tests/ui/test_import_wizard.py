"""从 Excel 导入 the way a clerk uses it: a county's messy workbook (title rows, a total row,
errors of every kind), the detected columns checked, the problems read, the valid rows
imported, the page reloaded — and 取消 leaving the database as it was."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

from carecenter.db.models import Cadre, HealthCheck
from carecenter.exchange import importer
from carecenter.ui.dialogs import import_wizard as iw

SHEET = "2026年干部花名册"
BAD_CHECKSUM = "身份证号校验位不正确，请核对最后一位"


def bad_checksum(id_number: str) -> str:
    return id_number[:-1] + ("0" if id_number[-1] != "0" else "1")


@pytest.fixture
def town(add_unit, add_cadre, make_id):
    """One unit and one cadre already in the roster (陈晓东)."""
    unit = add_unit("青岭镇人民政府")
    existing_id = make_id("330328", "19800101", 51)
    add_cadre("陈晓东", existing_id, unit, phone="13900000000", post="党委委员")
    return existing_id


@pytest.fixture
def messy_book(tmp_path, town, make_id):
    """A roster as a township sends it: a merged title, a note, the header on row 3, then
    row 4 张伟 (his ID again on row 8), 5 李娜 (bad check digit), 6 王强 (unknown unit),
    7 赵敏 (impossible date), 9 刘洋 (good), 10 陈晓东 (already in the roster: update),
    11 合计."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "青岭镇干部花名册（2026年3月）"
    ws.merge_cells("A1:I1")
    ws["A2"] = "填报单位：青岭镇党政办"
    ws.append(["序号", "姓名", "性别", "公民身份号码", "出生年月", "工作单位", "现任职务", "联系电话", "参加工作时间"])
    zhang = make_id("330328", "19850312", 11)
    ws.append([1, "张伟", "男", zhang, "1985.03", "青岭镇人民政府", "党政办主任", "13800000001", "2008.07"])
    ws.append([2, "李娜", "女", bad_checksum(make_id("330328", "19900521", 22)), "1990.05", "青岭镇人民政府",
               "组织委员", "13800000002", "2012.09"])
    ws.append([3, "王强", "男", make_id("330328", "19880102", 31), "1988.01", "白云乡人民政府", "科员",
               "13800000003", "2010.08"])
    ws.append([4, "赵敏", "女", make_id("330328", "19920815", 42), "1992.08", "青岭镇人民政府", "科员",
               "13800000004", "2014.13"])
    ws.append([5, "张伟", "男", zhang, "1985.03", "青岭镇人民政府", "党政办主任", "13800000001", "2008.07"])
    ws.append([6, "刘洋", "男", make_id("330328", "19950606", 63), "1995.06", "青岭镇人民政府", "科员",
               "13800000007", "2017.08"])
    ws.append([7, "陈晓东", "男", town, "1980.01", "青岭镇人民政府", "副镇长", "13900000006", "2001.08"])
    ws.append(["合计", "7人"])
    path = tmp_path / "青岭镇干部花名册.xlsx"
    wb.save(path)
    return path


def open_wizard(qtbot, page, kind: str):
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    wizard = page.import_wizard
    assert wizard is not None and wizard.kind_combo.currentData() == kind
    qtbot.waitUntil(wizard.isActiveWindow, timeout=2000)
    return wizard


def choose_file(qtbot, monkeypatch, wizard, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), iw.XLSX_FILTER))
    qtbot.mouseClick(wizard.browse_button, Qt.MouseButton.LeftButton)


def to_mapping(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.job is None and wizard.step == iw.MAPPING, timeout=10000)


def to_preview(qtbot, wizard) -> None:
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.job is None and wizard.step == iw.PREVIEW, timeout=10000)


def problems_on_screen(wizard) -> list[tuple[str, ...]]:
    t = wizard.problem_table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


def cadre_snapshot() -> list[tuple]:
    return sorted((c.id_number, c.name, c.phone, c.post, c.work_start_date) for c in Cadre.select())


def test_roster_import_like_a_clerk(window, qtbot, monkeypatch, boxes, messy_book, town, tmp_path, make_id):
    page = window.roster_page
    assert page.import_button.toolTip() == "从 Excel 导入…"
    wizard = open_wizard(qtbot, page, "roster")
    assert "干部名册" in wizard.windowTitle()
    assert not wizard.next_button.isEnabled()            # nothing chosen yet

    # 1 选择文件: the chooser, then Enter goes on
    choose_file(qtbot, monkeypatch, wizard, messy_book)
    assert wizard.sheet_combo.currentText() == SHEET and wizard.next_button.isEnabled()
    assert wizard.sheet_combo.hasFocus()
    qtbot.keyClick(wizard.sheet_combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.step == iw.MAPPING, timeout=5000)

    # 2 列对应: the header row and columns were found under the title rows
    assert wizard.header_row == 3
    assert wizard.header_combo.currentText().startswith("第 3 行：序号、姓名、性别")
    combos = wizard.field_combos
    assert combos["name"].currentText() == "B 列：姓名"
    assert combos["id_number"].currentText() == "D 列：公民身份号码"
    assert combos["unit"].currentText() == "F 列：工作单位"
    assert combos["phone"].currentText() == "H 列：联系电话"
    assert combos["ethnicity"].currentText() == "（不导入）"
    assert combos["name"].hasFocus()
    sample = wizard.sample_table
    headers = [sample.horizontalHeaderItem(c).text() for c in range(sample.columnCount())]
    assert sample.item(0, headers.index("姓名")).text() == "张伟"
    assert sample.item(3, headers.index("参加工作时间")).text() == "2014.13"

    # a required column left out stops the way on, saying which
    combos["id_number"].setCurrentIndex(0)
    assert not wizard.next_button.isEnabled()
    assert "身份证号" in wizard.footer_hint.text()
    # two fields on one column too
    combos["id_number"].setCurrentIndex(combos["id_number"].findData(1))
    assert "都对应了 B 列" in wizard.footer_hint.text() and not wizard.next_button.isEnabled()
    combos["id_number"].setCurrentIndex(combos["id_number"].findData(3))
    # another header row: the mapping follows that row's names
    wizard.set_header_row(1)
    assert combos["name"].currentText() == "（不导入）" and not wizard.next_button.isEnabled()
    wizard.set_header_row(3)
    assert combos["name"].currentText() == "B 列：姓名" and wizard.next_button.isEnabled()
    # a column chosen by hand survives 上一步 / 下一步
    combos["native_place"].setCurrentIndex(combos["native_place"].findData(0))
    qtbot.mouseClick(wizard.back_button, Qt.MouseButton.LeftButton)
    assert wizard.step == iw.FILE
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == iw.MAPPING and wizard.job is None      # not read again
    assert combos["native_place"].currentText() == "A 列：序号"
    combos["native_place"].setCurrentIndex(0)

    # 3 预览: counts, every problem with its Chinese reason, the update spelled out
    to_preview(qtbot, wizard)
    assert wizard.counts_label.text() == "共 7 行，可导入 2 行，有问题 5 行，新增 1 名，更新 1 名"
    shown = problems_on_screen(wizard)
    li_na = bad_checksum(make_id("330328", "19900521", 22))
    assert ("5", "D", "身份证号", li_na, BAD_CHECKSUM) in shown
    reasons = {(row, col): reason for row, col, _f, _v, reason in shown}
    assert "白云乡人民政府" in reasons[("6", "F")] and "单位管理" in reasons[("6", "F")]
    assert "不是真实日期" in reasons[("7", "I")]
    assert "重复" in reasons[("4", "D")] and "重复" in reasons[("8", "D")]
    assert "合计行 第 11 行" in wizard.preview_note.text()
    tree = wizard.update_tree
    assert tree.topLevelItemCount() == 1
    top = tree.topLevelItem(0)
    assert "第 10 行" in top.text(0) and "陈晓东" in top.text(0)
    changes = {top.child(i).text(1): (top.child(i).text(2), top.child(i).text(3)) for i in range(top.childCount())}
    assert changes["联系电话"] == ("13900000000", "13900000006")
    assert changes["职务"] == ("党委委员", "副镇长")

    # 保存问题清单… for the sender (the suffix is added when typed without it)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "问题清单"), iw.XLSX_FILTER))
    qtbot.mouseClick(wizard.save_problems_button, Qt.MouseButton.LeftButton)
    saved = tmp_path / "问题清单.xlsx"
    assert saved.exists()
    texts = [str(v) for row in load_workbook(saved).active.iter_rows(values_only=True) for v in row if v]
    assert BAD_CHECKSUM in texts
    assert any("问题清单已保存" in t for t in boxes.texts)

    # 导入有效行: asks (naming what happens), imports, shows the summary
    before = len(boxes.shown)
    with qtbot.waitSignal(wizard.imported, timeout=10000) as signal:
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["roster"]
    assert "确定导入 2 行？其中新增 1 名，更新 1 名。有问题的 5 行不导入。" in boxes.texts[before]
    qtbot.waitUntil(lambda: wizard.step == iw.RESULT, timeout=2000)
    assert wizard.result_label.text() == "已导入干部名册：新增 1 名，更新 1 名干部。"
    assert "5 行没有导入" in wizard.result_problems.text()

    # the database: the good row added, 陈晓东 updated, no second 陈晓东, nothing from the bad rows
    assert sorted(c.name for c in Cadre.select()) == ["刘洋", "陈晓东"]
    chen = Cadre.get(Cadre.id_number == town)
    assert (chen.phone, chen.post, chen.work_start_date) == ("13900000006", "副镇长", date(2001, 8, 1))
    # the page and the status bar followed
    assert page.model.total == 2
    assert window.count_label.text() == "在册干部 2 人"

    qtbot.mouseClick(wizard.finish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.import_wizard is None, timeout=2000)


def test_cancel_during_import_and_closing_leave_the_database_unchanged(window, qtbot, monkeypatch, boxes,
                                                                       messy_book):
    before = cadre_snapshot()
    page = window.roster_page
    wizard = open_wizard(qtbot, page, "roster")
    choose_file(qtbot, monkeypatch, wizard, messy_book)
    to_mapping(qtbot, wizard)
    to_preview(qtbot, wizard)

    # hold the import at its start until 取消 has been pressed in the progress dialog
    real_run_import = importer.run_import
    started, go_on = threading.Event(), threading.Event()

    def held_run_import(preview, *, progress=None, cancelled=None):
        started.set()
        go_on.wait(10)
        return real_run_import(preview, progress=progress, cancelled=cancelled)

    monkeypatch.setattr(importer, "run_import", held_run_import)
    qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=5000)
    cancel = wizard.job.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    cancel.click()                             # 取消 in the progress dialog
    go_on.set()
    qtbot.waitUntil(lambda: wizard.job is None, timeout=10000)
    assert "已取消导入，数据没有任何改动。" in boxes.texts
    assert wizard.step == iw.PREVIEW
    assert cadre_snapshot() == before

    # and 取消 on the wizard itself closes it without writing anything
    qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.import_wizard is None, timeout=2000)
    assert cadre_snapshot() == before


def test_template_download_and_unreadable_file(window, qtbot, monkeypatch, boxes, tmp_path):
    wizard = open_wizard(qtbot, window.roster_page, "roster")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "名册模板"), iw.XLSX_FILTER))
    qtbot.mouseClick(wizard.template_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "名册模板.xlsx"
    assert out.exists() and str(out) in wizard.template_label.text()
    first = [str(v) for row in load_workbook(out).worksheets[0].iter_rows(values_only=True) for v in row if v]
    assert any("姓名" in t for t in first) and any("身份证号" in t for t in first)

    # another record type, another template
    wizard.kind_combo.setCurrentIndex(wizard.kind_combo.findData("health"))
    assert "体检记录" in wizard.windowTitle()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "体检模板.xlsx"), iw.XLSX_FILTER))
    qtbot.mouseClick(wizard.template_button, Qt.MouseButton.LeftButton)
    cells = [str(v) for row in load_workbook(tmp_path / "体检模板.xlsx").worksheets[0].iter_rows(values_only=True)
             for v in row if v]
    assert any("体检日期" in t for t in cells)

    # a file that is not a workbook: a Chinese sentence under the field, no way on
    fake = tmp_path / "名单.xlsx"
    fake.write_text("姓名,身份证号\n", encoding="utf-8")
    choose_file(qtbot, monkeypatch, wizard, fake)
    assert wizard.file_error.isVisible() and "无法读取文件" in wizard.file_error.text()
    assert not wizard.next_button.isEnabled()


def test_health_records_from_the_health_page(window, qtbot, monkeypatch, boxes, town, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "体检"
    ws.append(["姓名", "身份证号", "体检日期", "体检机构", "总体结论"])
    ws.append(["陈晓东", town, "2026.03.15", "县人民医院", "未见明显异常"])
    ws.append(["陈晓东", town, "2026.02.30", "县人民医院", ""])
    path = tmp_path / "体检.xlsx"
    wb.save(path)

    window.set_page("health")
    page = window.health_page
    wizard = open_wizard(qtbot, page, "health")
    choose_file(qtbot, monkeypatch, wizard, path)
    to_mapping(qtbot, wizard)
    assert wizard.field_combos["check_date"].currentText() == "C 列：体检日期"
    to_preview(qtbot, wizard)
    assert wizard.counts_label.text() == "共 2 行，可导入 1 行，有问题 1 行，新增 1 条"
    assert not wizard.preview_tabs.isTabVisible(1)            # history rows never update anyone
    (row, col, field, value, reason), = problems_on_screen(wizard)
    assert (row, col, field, value) == ("3", "C", "体检日期", "2026.02.30") and "不是真实日期" in reason

    with qtbot.waitSignal(page.health_changed, timeout=10000):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert wizard.result_label.text() == "已导入体检记录 1 条。"
    check = HealthCheck.get()
    assert (check.check_date, check.institution) == (date(2026, 3, 15), "县人民医院")
    qtbot.waitUntil(lambda: page.records_model.rowCount() == 1, timeout=5000)


@pytest.mark.parametrize("page_key, kind, changed", [
    ("leave", "leave", "leaves_changed"),
    ("allowance", "allowance", "allowance_changed"),
    ("welfare", "welfare", "welfare_changed"),
])
def test_each_page_opens_the_wizard_for_its_records(window, qtbot, page_key, kind, changed):
    window.set_page(page_key)
    page = window.pages[page_key]
    assert page.import_button.isVisible() and page.import_button.text() == "导入"
    wizard = open_wizard(qtbot, page, kind)
    assert importer.KINDS[kind] in wizard.windowTitle()
    # after an import the page reloads and tells the main window (工作台, status bar)
    with qtbot.waitSignal(getattr(page, changed), timeout=2000):
        wizard.imported.emit(kind)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.import_wizard is None, timeout=2000)
