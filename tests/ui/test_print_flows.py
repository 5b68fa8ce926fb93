"""Printing the way a clerk does it: 打印关爱档案 from the detail window, the preview's real
pages, printing through a QPrinter, batch care records with 取消, 核验 and the 打印 buttons
on the list pages.  Everything on the real widgets and the real printing service."""
from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QPushButton

from carecenter.services import health as health_service
from carecenter.services import printing
from carecenter.ui.dialogs.batch_print_dialog import BatchPrintDialog
from carecenter.ui.dialogs.care_record_dialog import CareRecordDialog
from carecenter.ui.dialogs.print_preview_dialog import PrintPreviewDialog, print_pdf

TODAY = date.today()
YEAR = TODAY.year


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def top_dialog(kind):
    """The visible top-level dialog of ``kind`` (the newest one)."""
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[-1] if found else None


def wait_dialog(qtbot, kind, timeout=15000):
    qtbot.waitUntil(lambda: top_dialog(kind) is not None, timeout=timeout)
    return top_dialog(kind)


def save_as(monkeypatch, path: Path, seen: list | None = None):
    """Answer the save dialog with ``path`` (remembering the suggested name)."""
    def fake(parent, caption="", directory="", filter=""):
        if seen is not None:
            seen.append(directory)
        return str(path), filter
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))


def log_actions(code: str) -> str:
    row = next(r for r in printing.print_log() if r.code == code)
    return row.actions


@pytest.fixture
def rules(store):
    from carecenter.app import seed_rule_tables

    seed_rule_tables()  # as the application does on start


@pytest.fixture
def town(rules, add_unit):
    return add_unit("云溪乡人民政府", township="云溪乡", township_category="乡")


@pytest.fixture
def person(town, add_cadre, make_id):
    return add_cadre("曾小明", make_id("330328", "19800101", 11), town, work_start_date=date(2001, 8, 1))


@pytest.fixture
def with_mental(person):
    health_service.save_mental(health_service.MentalInput(
        person, "评估", date(YEAR, 1, 10), scale="PHQ-9", score=6, counsellor="县心理服务站",
        consent_date=date(YEAR, 1, 9), consent_scope="心理健康评估及结果记录"))
    return person


# ---------------------------------------------------------------- the detail window

def test_detail_window_prints_care_record_to_file(window, qtbot, person, monkeypatch, tmp_path, boxes):
    detail = window.open_cadre(person)
    qtbot.mouseClick(detail.print_care_button, Qt.MouseButton.LeftButton)
    dialog = detail.care_dialog
    assert isinstance(dialog, CareRecordDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "打印关爱档案 — 曾小明"
    assert dialog.period_picker.period() == (date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert not dialog.mental_check.isChecked()

    target = tmp_path / "out" / "档案.pdf"
    suggested: list[str] = []
    save_as(monkeypatch, target, suggested)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists, timeout=15000)
    assert detail.care_dialog is None                      # closed once the PDF was ready

    text = pdf_text(target.read_bytes())
    assert "曾小明" in text and "个人关心关爱档案" in text
    assert "心理健康" not in text                          # not ticked in: left out
    assert suggested and Path(suggested[0]).name == f"个人关心关爱档案_曾小明_{YEAR}.pdf"
    assert any(f"已导出到 {target}" in t for t in boxes.texts)
    entry = printing.print_log()[0]
    assert entry.subject == "曾小明" and "导出" in entry.actions and str(target) in entry.actions


def test_preview_from_detail_window_and_print_with_ctrl_p(window, qtbot, person, monkeypatch, tmp_path):
    detail = window.open_cadre(person)
    qtbot.mouseClick(detail.print_care_button, Qt.MouseButton.LeftButton)
    dialog = detail.care_dialog
    qtbot.keyClick(dialog, Qt.Key.Key_Return)              # Enter = 预览
    preview = wait_dialog(qtbot, PrintPreviewDialog)
    assert preview.parent() is detail
    assert preview.title_label.text().startswith("个人关心关爱档案（曾小明")
    code = preview.printout.code
    assert preview.code_label.text() == f"核验码 {code}"
    assert "预览" in log_actions(code)

    out = tmp_path / "printed.pdf"

    def answer(dialog_self):
        printer = dialog_self.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", answer)
    preview.activateWindow()
    qtbot.waitUntil(preview.isActiveWindow, timeout=3000)
    qtbot.keyClick(preview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: preview.job is not None and not preview.job.running, timeout=20000)
    assert out.exists() and len(pypdf.PdfReader(out).pages) == preview.printout.pages
    assert "打印" in log_actions(code) and str(out) in log_actions(code)
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: top_dialog(PrintPreviewDialog) is None, timeout=3000)


def test_mental_records_need_a_purpose(window, qtbot, with_mental, type_text):
    detail = window.open_cadre(with_mental)
    qtbot.mouseClick(detail.print_care_button, Qt.MouseButton.LeftButton)
    dialog = detail.care_dialog
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    assert dialog.mental_check.isEnabled() and not dialog.purpose_edit.isVisible()

    box = dialog.mental_check
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))  # the tick box
    assert dialog.mental_check.isChecked() and dialog.purpose_edit.isVisible()
    assert dialog.purpose_edit.hasFocus()
    assert not dialog.preview_button.isEnabled() and not dialog.export_button.isEnabled()
    assert "查阅事由" in dialog.status_label.text()
    assert "查阅事由" in dialog.preview_button.toolTip()
    qtbot.keyClick(dialog.purpose_edit, Qt.Key.Key_Return)  # Enter without a purpose: says what to do
    assert dialog.job is None
    assert dialog.purpose_message.isVisible() and "请填写查阅事由" in dialog.purpose_message.text()

    type_text(dialog.purpose_edit, "组织部年度考核调阅")
    assert dialog.preview_button.isEnabled() and not dialog.purpose_message.isVisible()
    with qtbot.waitSignal(dialog.printout_ready, timeout=15000) as ready:
        qtbot.keyClick(dialog.purpose_edit, Qt.Key.Key_Return)
    text = pdf_text(ready.args[0].pdf)
    assert "心理健康" in text and "组织部年度考核调阅" in text
    preview = wait_dialog(qtbot, PrintPreviewDialog)
    preview.reject()

    # unticked (the default), the same person's record leaves them out
    qtbot.mouseClick(detail.print_care_button, Qt.MouseButton.LeftButton)
    dialog = detail.care_dialog
    with qtbot.waitSignal(dialog.printout_ready, timeout=15000) as ready:
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert "心理健康" not in pdf_text(ready.args[0].pdf)
    wait_dialog(qtbot, PrintPreviewDialog).reject()


def test_no_mental_records_no_checkbox(window, qtbot, person):
    dialog = CareRecordDialog(person, window)
    qtbot.addWidget(dialog)
    assert not dialog.mental_check.isEnabled() and "没有心理健康记录" in dialog.mental_hint.text()


def test_bad_period_is_explained(window, qtbot, person, type_text):
    dialog = CareRecordDialog(person, window)
    qtbot.addWidget(dialog)
    dialog.show()
    picker = dialog.period_picker
    qtbot.mouseClick(picker.range_radio, Qt.MouseButton.LeftButton)
    picker.from_edit.setValue(date(YEAR, 6, 1))
    picker.to_edit.setValue(date(YEAR, 3, 1))
    picker.changed.emit()
    assert not dialog.preview_button.isEnabled()
    assert dialog.period_message.isVisible() and "开始日期晚于结束日期" in dialog.period_message.text()
    picker.to_edit.setValue(date(YEAR, 9, 30))
    picker.changed.emit()
    assert dialog.preview_button.isEnabled() and picker.period() == (date(YEAR, 6, 1), date(YEAR, 9, 30))


# ---------------------------------------------------------------- the preview and the printer

def test_preview_renders_every_page_and_prints_through_qprinter(window, qtbot, person, tmp_path):
    printout = printing.care_record(person, date(YEAR - 1, 1, 1), date(YEAR, 12, 31))
    pages = len(pypdf.PdfReader(io.BytesIO(printout.pdf)).pages)
    assert pages == printout.pages
    preview = PrintPreviewDialog(printout, window)
    qtbot.addWidget(preview)
    preview.show()
    view = preview.view
    assert view.page_count == pages and preview.pages_label.text() == f"共 {pages} 页"
    for page in range(pages):
        view.go_to_page(page)
        qtbot.waitUntil(lambda p=page: p in view.rendered_pages(), timeout=5000)
        assert not view.page_image(page).isNull()
    assert view.rendered_pages() == set(range(pages))

    printer = preview.new_printer()
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    out = tmp_path / "printer.pdf"
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(preview.printed, timeout=20000) as sent:
        preview.print_to(printer)
    assert sent.args == [pages]
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == pages
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595, abs=2)   # A4 portrait
    assert "打印" in log_actions(printout.code) and "预览" in log_actions(printout.code)
    assert preview.status_label.text() == f"已发送 {pages} 页到打印机"


def test_print_pdf_respects_page_range_and_copies(qapp, person, tmp_path):
    printout = printing.care_record(person, date(YEAR, 1, 1), date(YEAR, 12, 31))
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "copies.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(1, 1)
    printer.setCopyCount(2)
    steps = []
    assert print_pdf(printout.pdf, printer, progress=lambda done, total: steps.append((done, total))) == 2
    assert len(pypdf.PdfReader(tmp_path / "copies.pdf").pages) == 2
    assert steps == [(1, 2), (2, 2)]


# ---------------------------------------------------------------- batch

@pytest.fixture
def crew(town, add_cadre, make_id):
    names = ["曾小明", "王芳", "李强", "赵敏", "钱伟", "孙丽"]
    return [add_cadre(n, make_id("330328", f"198{i}0203", 20 + i), town) for i, n in enumerate(names)]


def test_batch_one_file_per_cadre_with_summary(window, qtbot, crew, town, tmp_path, monkeypatch):
    dialog = BatchPrintDialog(window, unit_id=town)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.unit_radio.isChecked() and dialog.unit_combo.currentData() == town
    assert dialog.scope_count.text() == "在册干部 6 人"
    qtbot.mouseClick(dialog.per_cadre_radio, Qt.MouseButton.LeftButton)
    assert dialog.path_label.text().endswith("保存到")
    folder = tmp_path / "档案"
    dialog.path_edit.setText(str(folder))
    dialog.path_edit.textEdited.emit(str(folder))
    with qtbot.waitSignal(dialog.finished_batch, timeout=30000) as done:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    files = done.args[0]
    assert len(files) == 6 and all(f.parent == folder and f.exists() for f in files)
    assert "曾小明" in pdf_text(next(f for f in files if "曾小明" in f.name).read_bytes())
    assert dialog.summary_title.text() == "已生成 6 人的关心关爱档案"
    assert str(folder) in dialog.summary_label.text() and "共 6 个 PDF 文件" in dialog.summary_label.text()
    opened = []
    from PySide6.QtGui import QDesktopServices
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    qtbot.mouseClick(dialog.open_folder_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in opened] == [str(folder)]


def test_batch_from_roster_filter_into_one_file(window, qtbot, crew, town, tmp_path, add_unit, add_cadre, make_id):
    other = add_unit("城关镇人民政府")
    add_cadre("周杰", make_id("330328", "19900101", 41), other)
    page = window.roster_page
    page.reload_units()                             # as after 单位管理 changed
    page.unit_filter.setCurrentIndex(page.unit_filter.findData(town))
    assert page.model.rowCount() == 6
    dialog = page.open_batch_print()
    assert dialog.given_radio.isChecked() and "（6 人）" in dialog.given_radio.text()
    target = tmp_path / "all.pdf"
    dialog.path_edit.setText(str(target))
    dialog.path_edit.textEdited.emit(str(target))
    with qtbot.waitSignal(dialog.finished_batch, timeout=30000) as done:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == [target]
    text = pdf_text(target.read_bytes())
    assert all(n in text for n in ("曾小明", "王芳", "孙丽")) and "周杰" not in text
    assert "合并为 1 个 PDF 文件" in dialog.summary_label.text()
    dialog.close()


def test_batch_cancel_stops_and_leaves_nothing(window, qtbot, crew, town, tmp_path, monkeypatch):
    real = printing.care_records_batch
    gate = threading.Event()

    def held(*args, progress=None, cancelled=None, **kwargs):
        def step(done, total):
            progress(done, total)
            if done == 1:
                gate.wait(10)                      # hold after the first cadre until 取消 was pressed
        return real(*args, progress=step, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(printing, "care_records_batch", held)
    dialog = BatchPrintDialog(window, unit_id=town)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.per_cadre_radio.setChecked(True)
    folder = tmp_path / "partial"
    dialog.path_edit.setText(str(folder))
    dialog.path_edit.textEdited.emit(str(folder))
    job = dialog.start()
    assert not dialog.start_button.isEnabled()
    qtbot.waitUntil(lambda: job.dialog.value() > 0, timeout=15000)
    assert "份关爱档案" in job.dialog.labelText()
    qtbot.waitUntil(job.dialog.isVisible, timeout=5000)
    cancel = job.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    with qtbot.waitSignal(job.cancelled, timeout=15000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)  # the progress dialog's 取消
        gate.set()
    assert not folder.exists() or not any(folder.iterdir())
    assert dialog.stack.currentIndex() == 0 and "已取消" in dialog.status_label.text()
    assert dialog.start_button.isEnabled()
    assert not any(r.subject == "曾小明" for r in printing.print_log())


# ---------------------------------------------------------------- 报表打印

def test_verify_box(window, qtbot, person, type_text):
    printout = printing.care_record(person, date(YEAR, 1, 1), date(YEAR, 12, 31))
    window.set_page("reports")
    page = window.reports_page
    assert window.current_page() is page
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)   # Ctrl+F: the 核验 box
    assert page.code_edit.hasFocus()
    assert page.log_table.rowCount() == 1
    assert page.log_table.item(0, 1).text() == printout.code
    type_text(page.code_edit, printout.code.lower().replace("-", ""))
    qtbot.keyClick(page.code_edit, Qt.Key.Key_Return)
    expected = printing.verify(printout.code).message
    assert expected.startswith(f"核验码 {printout.code}") and expected in page.verify_text
    assert "曾小明" in page.verify_text and "内容与当前数据一致" in page.verify_text

    page.code_edit.clear()
    type_text(page.code_edit, "ZZZZ-ZZZZ")
    qtbot.keyClick(page.code_edit, Qt.Key.Key_Return)
    assert page.verify_text.startswith("未找到核验码 ZZZZ-ZZZZ")
    assert page.verify_result.property("result_role") == "error"


def test_reports_page_register_preview_and_empty_period(window, qtbot, person, boxes, monkeypatch, tmp_path):
    window.set_page("reports")
    page = window.reports_page
    page.set_register("leave", str(YEAR))
    assert page.month_combo.isHidden()
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    preview = wait_dialog(qtbot, PrintPreviewDialog)
    assert preview.printout.title.startswith("年休假统计表")
    assert preview.view.page_count == preview.printout.pages
    preview.reject()
    qtbot.waitUntil(lambda: page.log_table.rowCount() == 1, timeout=3000)
    assert page.log_table.item(0, 2).text().startswith("年休假统计表")

    # a month with no 花名册: the service's sentence, no traceback
    page.set_register("allowance", f"{YEAR}-{TODAY.month:02d}")
    assert not page.month_combo.isHidden()
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(boxes.shown) == 1, timeout=10000)
    assert "没有可打印的记录" in boxes.texts[0] and "Traceback" not in boxes.texts[0]


# ---------------------------------------------------------------- the list pages' 打印

@pytest.mark.parametrize("key,kind,has_rows", [("leave", "leave", True), ("health", "health", False),
                                               ("welfare", "welfare", False)])
def test_list_page_print_button(window, qtbot, person, town, boxes, key, kind, has_rows, monkeypatch):
    seen = []
    real = printing.register

    def spy(kind_, period, *, unit_id=None):
        seen.append((kind_, period, unit_id))
        return real(kind_, period, unit_id=unit_id)

    monkeypatch.setattr(printing, "register", spy)
    window.units_page.units_changed.emit()          # the pages learn about the new unit
    window.set_page(key)
    page = window.pages[key]
    page.unit_filter.setCurrentIndex(page.unit_filter.findText("云溪乡人民政府"))
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen) and (top_dialog(PrintPreviewDialog) is not None or bool(boxes.shown)),
                    timeout=15000)
    assert seen == [(kind, str(YEAR), town)]           # the page's period and its unit filter
    preview = top_dialog(PrintPreviewDialog)
    if has_rows:
        assert preview is not None and preview.printout.title.startswith(printing.REGISTER_KINDS[kind])
        assert "云溪乡人民政府" in preview.printout.title
        preview.reject()
    else:                                           # nothing to print yet: said in Chinese, no preview
        assert preview is None and "没有可打印的记录" in boxes.texts[-1]


def test_allowance_page_prints_the_month_shown(window, qtbot, town, add_cadre, make_id, monkeypatch):
    from carecenter.services import allowance

    allowance.replace_with_preset("hunan_example")
    add_cadre("王丽", make_id("330328", "19900101", 12), town, township_start_date=date(YEAR - 6, 1, 1),
              personnel_status="公务员", rank="一级科员")
    month = date(YEAR, TODAY.month, 1)
    allowance.generate_month(month)
    seen = []
    real = printing.register
    monkeypatch.setattr(printing, "register",
                        lambda kind, period, *, unit_id=None: seen.append((kind, period, unit_id))
                        or real(kind, period, unit_id=unit_id))
    window.set_page("allowance")
    page = window.allowance_page
    page.reload()
    assert page.current_month() == month
    page.unit_filter.setCurrentIndex(page.unit_filter.findText("云溪乡人民政府"))
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    preview = wait_dialog(qtbot, PrintPreviewDialog)
    assert seen == [("allowance", f"{month:%Y-%m}", town)]
    assert preview.printout.title.startswith("津贴补贴发放花名册") and "云溪乡人民政府" in preview.printout.title
    assert "王丽" in pdf_text(preview.printout.pdf)
    preview.reject()


def test_roster_print_menu_prints_selected_cadre(window, qtbot, person):
    page = window.roster_page
    page.refresh()                                  # the cadre was added through the service
    assert page.select_cadre(person)
    menu = page.print_button.menu()
    titles = [a.text() for a in menu.actions()]
    assert titles[0].startswith("打印所选干部的关爱档案")
    assert page.print_selected_action.isEnabled()
    page.print_selected_action.trigger()
    dialog = wait_dialog(qtbot, CareRecordDialog)
    assert dialog.cadre_id == person
    dialog.reject()


def test_print_screens_speak_chinese(window, qtbot, person, type_text):
    from tests.ui.test_app import english_words, visible_texts

    printout = printing.care_record(person, date(YEAR, 1, 1), date(YEAR, 12, 31))
    window.set_page("reports")
    page = window.reports_page
    assert english_words(visible_texts(page, skip=(page.verify_result,))) == set()   # codes are data
    preview = PrintPreviewDialog(printout, window)
    care = CareRecordDialog(person, window)
    batch = BatchPrintDialog(window)
    for dialog, skip in ((preview, (preview.code_label,)), (care, ()), (batch, ())):
        qtbot.addWidget(dialog)
        # key names as printed on the keyboard (Ctrl+P, Esc, PgUp) are allowed
        assert english_words(visible_texts(dialog, skip=skip)) <= {"Esc", "P", "PgUp", "PgDn"}, dialog.windowTitle()

    # a wrong date is explained naming the field
    care.show()
    care.period_picker.range_radio.setChecked(True)
    care.period_picker.from_edit.setText("")
    type_text(care.period_picker.from_edit.line_edit, "2026.13.01")
    assert not care.preview_button.isEnabled()
    assert care.period_message.text().startswith("开始日期")


def test_printing_unit_name_is_saved_from_the_reports_page(window, qtbot):
    from carecenter.services import printing

    window.set_page("reports")
    page = window.current_page()
    page.unit_name_edit.setText("  ")
    qtbot.keyClick(page.unit_name_edit, Qt.Key.Key_Return)
    assert "请填写打印单位名称" in page.unit_name_message.text()
    assert printing.unit_name() == printing.DEFAULT_UNIT_NAME
    page.unit_name_edit.setText("城关镇公务员关心关爱中心")
    qtbot.keyClick(page.unit_name_edit, Qt.Key.Key_Return)
    assert printing.unit_name() == "城关镇公务员关心关爱中心"
    assert page.unit_name_message.text() == "已保存"


def test_mental_record_saved_with_a_password(window, qtbot, with_mental, type_text, monkeypatch, tmp_path):
    """Issue 11: with mental-health content ticked, 文件加密 is offered; the saved PDF opens
    only with the password, the preview stays readable."""
    detail = window.open_cadre(with_mental)
    qtbot.mouseClick(detail.print_care_button, Qt.MouseButton.LeftButton)
    dialog = detail.care_dialog
    box = dialog.password_box
    assert not box.isVisible()
    dialog.mental_check.setChecked(True)
    assert box.isVisible() and box.isEnabled()
    type_text(dialog.purpose_edit, "组织部年度考核调阅")
    box.protect_check.setChecked(True)
    assert not dialog.export_button.isEnabled() and "文件密码" in dialog.status_label.text()
    type_text(box.password_edit, "Mima@2026")
    type_text(box.confirm_edit, "Mima@2026")
    assert dialog.export_button.isEnabled() and "用密码加密" in dialog.status_label.text()
    target = tmp_path / "档案.pdf"
    save_as(monkeypatch, target)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists, timeout=15000)
    locked = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    assert locked.is_encrypted and locked.decrypt("Mima@2027") == pypdf.PasswordType.NOT_DECRYPTED
    locked = pypdf.PdfReader(io.BytesIO(target.read_bytes()))
    assert locked.decrypt("Mima@2026") != pypdf.PasswordType.NOT_DECRYPTED
    assert "心理健康" in "".join(p.extract_text() for p in locked.pages)
    entry = printing.print_log()[0]
    assert "导出" in entry.actions
    from carecenter.db.models import AuditLog

    exported = AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id.desc()).get()
    assert "文件已加密" in exported.summary
