"""导出 the way a clerk uses it (issue 6): filter and sort a list, click 导出, answer the
dialogs, and the saved workbook holds exactly the rows the table shows, in the same
order; sensitive columns only when ticked; 打开所在文件夹 at the end."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog

from carecenter.db import queries
from carecenter.db.models import AuditLog
from carecenter.ui import export_action


@pytest.fixture
def populated(store):
    from carecenter.services import demo

    demo.build(60, history_years=1)
    queries.invalidate_units()
    return store


@pytest.fixture
def win(populated, window):
    window.roster_page.reload_units()
    return window


class Answers:
    """Stands in for the two questions: 包含敏感信息 (the real dialog, ticked or not) and
    the save dialog (returns ``path``, or "" = 取消)."""

    def __init__(self, monkeypatch, path: Path):
        self.path = path
        self.confidential = False
        self.asked_confidential: list[tuple[str, bool]] = []
        self.suggested: list[str] = []
        self.opened: list[str] = []

        def options_exec(dialog):
            self.asked_confidential.append((dialog.windowTitle(), dialog.confidential_check.isChecked()))
            dialog.confidential_check.setChecked(self.confidential)
            return int(QDialog.DialogCode.Accepted.value)

        def save_name(parent, caption, suggested, filters):
            self.suggested.append(suggested)
            return (str(self.path) if self.path else "", filters)

        monkeypatch.setattr(export_action.ExportOptionsDialog, "exec", options_exec)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
        monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: self.opened.append(url.toLocalFile())
                                                                      or True))


@pytest.fixture
def answers(monkeypatch, tmp_path):
    return Answers(monkeypatch, tmp_path / "out" / "导出.xlsx")


def export(qtbot, page):
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    job = getattr(page, "_export_job", None)
    assert job is not None
    qtbot.waitUntil(lambda: not job.running, timeout=15000)
    assert job.error is None, job.error
    return job.result


def workbook_rows(path, sheet=0):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def shown(model, columns=None) -> list[list[str]]:
    """Every row the table shows (scrolled to the end), as displayed."""
    from PySide6.QtCore import QModelIndex

    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    cols = range(model.columnCount()) if columns is None else columns
    return [[model.index(r, c).data() for c in cols] for r in range(model.rowCount())]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def busiest_unit() -> int:
    return queries.db.execute_sql("SELECT unit_id FROM cadre WHERE archived = 0 GROUP BY unit_id "
                                  "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


# ---------------------------------------------------------------- 干部名册

def test_roster_filtered_sorted_export_equals_the_table(win, qtbot, answers):
    page = win.roster_page
    assert page.export_button.toolTip() == "导出当前列表到 Excel…"
    unit_id = busiest_unit()
    page.unit_filter.setCurrentIndex(page.unit_filter.findData(unit_id))
    first = page.model.row_tuple(0)[1]
    page.set_search_text(first[0])                      # the first character of a name
    page.table_view.sortByColumn(page.model.COLUMNS.index("age"), Qt.SortOrder.DescendingOrder)
    table = shown(page.model)
    assert table

    summary = export(qtbot, page)
    assert answers.asked_confidential == [("导出到 Excel", False)]   # asked, unticked by default
    assert Path(answers.suggested[0]).name == f"干部名册_{date.today().isoformat()}.xlsx"
    rows = workbook_rows(answers.path)
    assert rows[0] == ["姓名", "身份证号", "性别", "年龄", "单位", "职务", "职级", "类别", "电话", "状态"]
    keys = ["name", "sex", "age", "unit", "post", "rank", "category", "phone", "status"]
    file_rows = [[as_text(r[[0, 2, 3, 4, 5, 6, 7, 8, 9][i]]) for i in range(len(keys))] for r in rows[1:]]
    assert file_rows == table                            # same rows, same order, as displayed
    assert summary.rows == len(table)
    assert all("********" in r[1] for r in rows[1:])     # ID numbers masked

    # the closing message offers the file and its folder
    box = page._export_message
    assert box.isVisible() and "已导出「干部名册」" in box.text()
    labels = [b.text() for b in box.buttons()]
    assert {"打开文件", "打开所在文件夹", "关闭"} <= set(labels)
    folder_button = next(b for b in box.buttons() if b.text() == "打开所在文件夹")
    qtbot.mouseClick(folder_button, Qt.MouseButton.LeftButton)
    assert answers.opened == [str(answers.path.parent)]


def test_roster_confidential_export_has_full_id_and_is_audited(win, qtbot, answers):
    page = win.roster_page
    answers.confidential = True
    export(qtbot, page)
    rows = workbook_rows(answers.path)
    numbers = dict(queries.db.execute_sql("SELECT name, id_number FROM cadre WHERE archived = 0").fetchall())
    assert [r[1] for r in rows[1:]] == [numbers[r[0]] for r in rows[1:]]
    entry = AuditLog.select().where(AuditLog.action == "export").get()
    assert entry.record_uuid == "roster" and "含完整身份证号" in entry.summary
    assert "文件含敏感个人信息" in page._export_message.informativeText()


def test_cancelled_save_dialog_writes_nothing(win, qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(export_action.ExportOptionsDialog, "exec",
                        lambda d: int(QDialog.DialogCode.Accepted.value))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    page = win.roster_page
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert getattr(page, "_export_job", None) is None
    assert AuditLog.select().where(AuditLog.action == "export").count() == 0


def test_empty_list_says_there_is_nothing_to_export(win, qtbot, boxes, answers):
    page = win.roster_page
    page.set_search_text("没有这个人")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert boxes.texts == ["当前列表没有内容，没有可导出的行。"]
    assert not answers.path.exists() and answers.suggested == []


# ---------------------------------------------------------------- the other pages' current views

def test_leave_balances_export_in_the_order_shown(win, qtbot, answers):
    win.set_page("leave")
    page = win.leave_page
    qtbot.mouseClick(page.balance_tab, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.balance_loading and page.balance_model.rowCount() > 0, timeout=10000)
    page.balance_view.sortByColumn(page.balance_model.COLUMNS.index("remaining"), Qt.SortOrder.DescendingOrder)
    table = shown(page.balance_model)
    export(qtbot, page)
    assert answers.asked_confidential == []              # nothing confidential in this list
    rows = workbook_rows(answers.path)
    assert rows[0] == ["姓名", "单位", "应休", "已休", "剩余", "说明"]
    assert [[as_text(v) for v in r] for r in rows[1:]] == table
    notes = dict(workbook_rows(answers.path, "说明")[1:])
    assert notes["排序"] == "剩余 降序" and notes["列表"] == "年休假余额"


def test_health_followups_view_export(win, qtbot, answers):
    win.set_page("health")
    page = win.health_page
    page.set_view("followups")
    table = shown(page.followup_model)
    assert table
    export(qtbot, page)
    rows = workbook_rows(answers.path)
    m = page.followup_model
    assert rows[0] == [m.HEADERS[k] for k in m.COLUMNS if k not in ("description", "referral")]
    visible = [i for i, k in enumerate(m.COLUMNS) if k not in ("description", "referral")]
    assert [[as_text(v) for v in r] for r in rows[1:]] == [[row[i] for i in visible] for row in table]


def test_units_page_export_follows_search_and_sort(win, qtbot, answers):
    win.set_page("units")
    page = win.units_page
    page.table_view.sortByColumn(5, Qt.SortOrder.DescendingOrder)     # 在册干部, most first
    table = shown(page.model)
    export(qtbot, page)
    rows = workbook_rows(answers.path)
    assert rows[0] == ["名称", "类别", "所属乡镇", "乡镇类别", "艰苦边远地区类别", "在册干部"]
    assert [[as_text(v) for v in r] for r in rows[1:]] == table
    assert dict(workbook_rows(answers.path, "说明")[1:])["排序"] == "在册干部 降序"


def test_allowance_totals_view_exports_both_tables(win, qtbot, answers):
    from carecenter.services import allowance

    win.set_page("allowance")
    page = win.allowance_page
    page.set_month(max(allowance.batch_statuses()))
    page.set_view("totals")
    export(qtbot, page)
    wb = openpyxl.load_workbook(answers.path)
    assert wb.sheetnames == ["按单位", "按项目", "说明"]
    units = [list(r) for r in wb["按单位"].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in units] == [page.unit_totals.index(i, 0).data() for i in range(page.unit_totals.rowCount())]
    assert wb["按单位"]["C2"].number_format == "#,##0.00"


def test_welfare_records_export_equals_the_table(win, qtbot, answers):
    win.set_page("welfare")
    page = win.welfare_page
    page.set_search_text("z")
    table = shown(page.records_model, columns=[0, 1, 2, 3, 4])   # 日期 姓名 单位 事由 金额
    export(qtbot, page)
    rows = workbook_rows(answers.path)
    assert [[as_text(r[0]), r[1], r[2] or "", r[3], f"{r[4]:,.2f}"] for r in rows[1:]] == table


def test_command_line_unit_rows_match_the_units_table(win):
    """``python main.py export units`` reads ``exports.unit_rows``: the same filter and
    order as the 单位管理 table for the same search, township and sort."""
    from carecenter.services import exports

    page = win.units_page
    model = page.model
    towns = [page.township_filter.itemData(i) for i in range(1, page.township_filter.count())]
    for text, town, column, desc in [("", "", 0, False), ("镇", "", 2, True), ("qlz", "", 0, True),
                                     ("", towns[0], 5, True), ("政府", towns[-1], 1, False)]:
        page.township_filter.setCurrentIndex(page.township_filter.findData(town))
        page.search_box.setText(text)
        page._emit_search()
        page.table_view.sortByColumn(column, Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder)
        table = [model.unit(i)["id"] for i in range(model.rowCount())]
        query = exports.UnitQuery(text, town, False, exports.UNIT_COLUMNS[column], desc)
        assert [u["id"] for u in exports.unit_rows(query)] == table, (text, town, column, desc)


def test_detail_window_allowance_history_exports_its_rows(win, qtbot, answers):
    cadre_id = queries.db.execute_sql(
        "SELECT cadre_id FROM allowance_line GROUP BY cadre_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    detail = win.open_cadre(cadre_id)
    tab = next(detail.tabs.widget(i) for i in range(detail.tabs.count()) if detail.tabs.tabText(i) == "津贴")
    table = tab.history_table
    assert table.rowCount() > 0
    export(qtbot, tab)
    rows = workbook_rows(answers.path)
    assert rows[0][:4] == ["月份", "项目", "档次/类区", "金额（元）"]
    body = rows[1:]
    assert len(body) == table.rowCount()
    for r, row in enumerate(body):
        year, month = table.item(r, 0).text().rstrip("月").split("年")
        assert row[0] == f"{int(year)}-{int(month):02d}"
        assert row[1] == table.item(r, 1).text()
        assert f"{row[3]:,.2f}" == table.item(r, 3).text()


def test_full_roster_button_exports_every_field_of_the_cadres_shown(win, qtbot, answers):
    """Issue 13: beside the list as shown, the 干部花名册 — every field, month dates as 1985.03."""
    page = win.roster_page
    unit_id = busiest_unit()
    page.unit_filter.setCurrentIndex(page.unit_filter.findData(unit_id))
    table = shown(page.model)
    qtbot.mouseClick(page.roster_export_button, Qt.MouseButton.LeftButton)
    job = page._export_job
    qtbot.waitUntil(lambda: not job.running, timeout=15000)
    assert job.error is None, job.error
    assert Path(answers.suggested[0]).name == f"干部花名册_{date.today().isoformat()}.xlsx"
    rows = workbook_rows(answers.path)
    header = rows[0]
    for label in ("出生日期", "参加工作时间", "到乡镇工作时间", "任现职时间", "入党时间", "全日制学历", "人员身份",
                  "民族", "籍贯"):
        assert label in header
    assert "备注" not in header                                    # not asked for
    names = [r[header.index("姓名")] for r in rows[1:]]
    assert names == [r[0] for r in table]                           # the cadres shown, in order
    months = [r[header.index("参加工作时间")] for r in rows[1:] if r[header.index("参加工作时间")]]
    assert months and all(len(m) in (7, 10) and m[4] in ".-" for m in months)


# ---------------------------------------------------------------- password protection (issue 11)

def test_options_dialog_offers_a_password_only_with_sensitive_columns(qtbot, store, type_text):
    dialog = export_action.ExportOptionsDialog(export_action.exports.get("roster"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    box = dialog.password_box
    assert not box.isVisible() and dialog.password is None
    dialog.confidential_check.setChecked(True)
    assert box.isVisible() and not box.fields.isVisible()
    box.protect_check.setChecked(True)
    assert box.fields.isVisible() and box.password_edit.hasFocus()
    type_text(box.password_edit, "Mima@2026")
    type_text(box.confirm_edit, "Mima@2027")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()      # not accepted
    assert box.message.isVisible() and "两次输入的文件密码不一致" in box.message.text()
    box.confirm_edit.clear()
    type_text(box.confirm_edit, "Mima@2026")
    assert not box.message.isVisible()
    assert dialog.password == "Mima@2026"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    dialog.confidential_check.setChecked(False)      # no sensitive columns: no password is used
    assert dialog.password is None


def test_sensitive_export_protected_with_a_password(win, qtbot, monkeypatch, tmp_path):
    import json

    from tests.security.test_protect import open_protected

    def options_exec(dialog):
        dialog.confidential_check.setChecked(True)
        dialog.password_box.protect_check.setChecked(True)
        dialog.password_box.password_edit.setText("Mima@2026")
        dialog.password_box.confirm_edit.setText("Mima@2026")
        return int(QDialog.DialogCode.Accepted.value)

    out = tmp_path / "名册.xlsx"
    monkeypatch.setattr(export_action.ExportOptionsDialog, "exec", options_exec)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(out), "")))
    summary = export(qtbot, win.roster_page)
    assert summary.protected
    rows = open_protected(out, "Mima@2026")
    numbers = dict(queries.db.execute_sql("SELECT name, id_number FROM cadre WHERE archived = 0").fetchall())
    assert [r[1] for r in rows[1:]] == [numbers[r[0]] for r in rows[1:]]
    entry = AuditLog.select().where(AuditLog.action == "export").get()
    assert json.loads(entry.changes)["protected"] is True
    assert "已用密码加密" in win.roster_page._export_message.informativeText()
