"""报表打印: registers (花名册, 年休假统计表, 体检汇总表, 慰问登记表), batch care
records, the 核验 box and the print log.

* 登记表 — choose a register and its period (a month for the 花名册, else a
  year) and optionally a unit, then 预览 / 打印… / 导出 PDF….  The PDF is built
  off the GUI thread (``print_preview_dialog.produce``).
* 关心关爱档案 — opens the batch dialog (a unit, a period, one file or one per
  cadre).
* 报送县里 — the township's package for the county (``exchange_pack_dialog``, issue 15).
* 核验 — type (or scan) the code printed on a sheet, Enter: what that printout
  contained and whether it is still current (``printing.verify``).
* 打印记录 — every printout made, newest first, with what was done with it;
  double-click a row to 核验 it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...services import printing
from .. import actions, theme
from ..dialogs import print_preview_dialog as preview
from ..dialogs.batch_print_dialog import BatchPrintDialog
from ..widgets.list_page import card, make_button, page_column, refill_combo, text_and_button, unit_items
from ..widgets.table_view import set_column_widths
from ..widgets.unit_name import save_unit_name

YEARS_BACK = 10
#: registers of the county edition (its 汇总 page prints them), not of a township
COUNTY_ONLY = ("county",)
LOG_LIMIT = 500
LOG_COLUMNS = ["printed_at", "code", "title", "subject", "period", "printed_by", "actions"]
LOG_TITLES = {"printed_at": "生成时间", "code": "核验码", "title": "名称", "subject": "对象", "period": "期间",
              "printed_by": "操作人", "actions": "预览/打印/导出"}
LOG_WIDTHS = {"printed_at": 136, "code": 104, "subject": 110, "period": 110, "printed_by": 84, "actions": 320}
REGISTER_HINTS = {
    "allowance": "所选月份乡镇工作补贴和艰苦边远地区津贴的发放名单，按单位分组，带签字栏；补发、扣减单独列出。",
    "leave": "所选年度每人的年休假应休、顺延、已休和剩余天数，以及不享受的原因，按单位排列。",
    "health": "所选年度各单位的体检人数、异常情况汇总，体检明细和未关闭的异常随访。",
    "welfare": "所选年度的走访慰问记录，按经费来源分组，列出慰问金和物品价值。",
}


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(_text(v) for v in value) or "—"
    return str(value)


class ReportsPage(QWidget):
    """The 报表打印 page; Ctrl+F (the window's search key) goes to the 核验 box.
    ``settings_requested()``: the clerk wants 系统设置 → 交换设置 (from 报送县里)."""

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("PageBody")
        self.dialog: BatchPrintDialog | None = None
        self.job = None
        today = date.today()
        outer = page_column(self, self.tr("报表打印"), 12)

        cards = QGridLayout()
        cards.setHorizontalSpacing(12)
        cards.setVerticalSpacing(12)

        # ---- 登记表
        register_card, rc = card(self, self.tr("登记表"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.kind_combo = QComboBox(register_card)
        for kind, name in printing.REGISTER_KINDS.items():
            if kind not in COUNTY_ONLY:
                self.kind_combo.addItem(name, kind)
        self.kind_combo.setMinimumWidth(220)
        form.addRow(self._label(self.tr("报表")), self.kind_combo)
        period_row = QHBoxLayout()
        period_row.setSpacing(6)
        self.year_combo = QComboBox(register_card)
        for year in range(today.year, today.year - YEARS_BACK, -1):
            self.year_combo.addItem(self.tr("{0} 年").format(year), year)
        self.year_combo.setMinimumWidth(100)
        self.month_combo = QComboBox(register_card)
        for month in range(1, 13):
            self.month_combo.addItem(self.tr("{0} 月").format(month), month)
        self.month_combo.setCurrentIndex(today.month - 1)
        self.month_combo.setMinimumWidth(80)
        period_row.addWidget(self.year_combo)
        period_row.addWidget(self.month_combo)
        period_row.addStretch(1)
        form.addRow(self._label(self.tr("期间")), period_row)
        self.unit_combo = QComboBox(register_card)
        self.unit_combo.setMinimumWidth(220)
        self.unit_combo.setMaxVisibleItems(20)
        form.addRow(self._label(self.tr("单位")), self.unit_combo)
        rc.addLayout(form)
        self.register_hint = QLabel(register_card)
        self.register_hint.setWordWrap(True)
        theme.set_role(self.register_hint, "hint")
        rc.addWidget(self.register_hint)
        rc.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        self.preview_button = make_button(self.tr("预览"), "eye-white", primary=True, parent=register_card,
                                          tooltip=self.tr("在程序里查看打印效果"))
        self.print_button = make_button(self.tr("打印…"), "print", parent=register_card,
                                        tooltip=self.tr("选择打印机后打印"))
        self.export_button = make_button(self.tr("导出 PDF…"), "export-pdf", parent=register_card,
                                         tooltip=self.tr("保存为 PDF 文件"))
        for b in (self.preview_button, self.print_button, self.export_button):
            buttons.addWidget(b)
        rc.addLayout(buttons)
        cards.addWidget(register_card, 0, 0)

        # ---- 核验
        verify_card, vc = card(self, self.tr("核验"))
        hint = QLabel(self.tr("输入打印件上的核验码，查看它打印时的内容，以及与现有数据是否一致。"), verify_card)
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        vc.addWidget(hint)
        code_row = QHBoxLayout()
        code_row.setSpacing(8)
        self.code_edit = QLineEdit(verify_card)
        self.code_edit.setPlaceholderText(self.tr("输入打印件上的 8 位核验码"))
        self.code_edit.setClearButtonEnabled(True)
        self.code_edit.setToolTip(self.tr("输入后按 Enter 核验"))
        self.verify_button = make_button(self.tr("核验"), "verify", parent=verify_card)
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.verify_button)
        vc.addLayout(code_row)
        self.verify_result = QLabel(verify_card)
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextFormat(Qt.TextFormat.RichText)
        self.verify_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_result.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.verify_result.setMinimumHeight(60)
        vc.addWidget(self.verify_result, 1)
        cards.addWidget(verify_card, 0, 1)

        # ---- 关心关爱档案 (batch)
        batch_card, bc = card(self, self.tr("关心关爱档案"))
        self.batch_button = make_button(self.tr("批量打印…"), "print", parent=batch_card,
                                        tooltip=self.tr("选择单位和期间，批量生成关爱档案"))
        bc.addLayout(text_and_button(batch_card, self.tr(
            "按单位批量生成干部的关心关爱档案，合并为一个 PDF 或每人一个文件（不含心理健康记录）。"
            "单人档案请在干部详情中点击「打印关爱档案」。"), self.batch_button))
        # the printing unit: every printout's footer names it
        unit_row = QHBoxLayout()
        unit_row.setSpacing(8)
        unit_row.addWidget(self._label(self.tr("页脚打印单位")))
        self.unit_name_edit = QLineEdit(batch_card)
        self.unit_name_edit.setMaxLength(60)
        self.unit_name_edit.setToolTip(self.tr("印在每份打印件页脚的单位名称，如“××镇公务员关心关爱中心”；按 Enter 保存"))
        unit_row.addWidget(self.unit_name_edit, 1)
        self.unit_name_button = make_button(self.tr("保存"), parent=batch_card,
                                            tooltip=self.tr("保存页脚打印单位名称"))
        unit_row.addWidget(self.unit_name_button)
        self.unit_name_message = QLabel(batch_card)
        theme.set_role(self.unit_name_message, "hint")
        unit_row.addWidget(self.unit_name_message)
        bc.addLayout(unit_row)
        cards.addWidget(batch_card, 1, 0)

        # ---- 报送县里 (issue 15)
        county_card, cc = card(self, self.tr("报送县里"))
        self.county_pack_button = make_button(self.tr("报送县里…"), "export", parent=county_card,
                                              tooltip=self.tr("选择年度和截至日期，生成报送包"))
        cc.addLayout(text_and_button(county_card, self.tr(
            "把本乡镇一个年度的数据生成签名并加密的报送包（.ccx），拷到 U 盘或作为附件发给县里；"
            "只有县里能打开，县里能验证确实来自本乡镇、途中没有改动。"), self.county_pack_button))
        cc.addStretch(1)
        cards.addWidget(county_card, 1, 1)
        cards.setColumnStretch(0, 1)
        cards.setColumnStretch(1, 1)
        outer.addLayout(cards)

        # ---- 打印记录
        log_head = QHBoxLayout()
        log_title = QLabel(self.tr("打印记录"), self)
        theme.set_role(log_title, "section")
        log_head.addWidget(log_title)
        self.log_count = QLabel(self)
        theme.set_role(self.log_count, "count")
        log_head.addWidget(self.log_count)
        log_head.addStretch(1)
        self.refresh_button = make_button(self.tr("刷新"), "refresh", parent=self)
        log_head.addWidget(self.refresh_button)
        outer.addLayout(log_head)
        self.log_table = QTableWidget(0, len(LOG_COLUMNS), self)
        self.log_table.setHorizontalHeaderLabels([self.tr(LOG_TITLES[c]) for c in LOG_COLUMNS])
        self.log_table.verticalHeader().setVisible(False)
        self.log_table.verticalHeader().setDefaultSectionSize(30)
        self.log_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.log_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.log_table.setAlternatingRowColors(True)
        self.log_table.setShowGrid(False)
        self.log_table.setWordWrap(False)
        header = self.log_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        set_column_widths(self.log_table, LOG_COLUMNS, LOG_WIDTHS)
        self.log_table.setToolTip(self.tr("双击一行可核验该打印件"))
        outer.addWidget(self.log_table, 1)
        self.log_empty = QLabel(self.tr("还没有打印记录。预览、打印或导出任何报表后会记录在这里。"), self)
        theme.set_role(self.log_empty, "hint")
        outer.addWidget(self.log_empty)

        # ---- wiring
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._on_kind_changed())
        self.preview_button.clicked.connect(lambda: self.run_register(preview.PREVIEW))
        self.print_button.clicked.connect(lambda: self.run_register(preview.PRINT))
        self.export_button.clicked.connect(lambda: self.run_register(preview.EXPORT))
        self.batch_button.clicked.connect(self.open_batch)
        self.county_pack_button.clicked.connect(self.open_pack)
        self.code_edit.returnPressed.connect(self.verify)
        self.verify_button.clicked.connect(self.verify)
        self.refresh_button.clicked.connect(self.refresh)
        self.log_table.cellDoubleClicked.connect(self._on_log_table_cell_double_clicked)
        self.unit_name_edit.returnPressed.connect(self.save_unit_name)
        self.unit_name_button.clicked.connect(self.save_unit_name)
        self.unit_name_edit.textEdited.connect(lambda _t: self.unit_name_message.clear())

        self.unit_name_edit.setText(printing.unit_name())
        self.reload_units()
        self._on_kind_changed()

    def save_unit_name(self) -> bool:
        """Store the footer's printing unit; a bad name is refused with the reason."""
        return save_unit_name(self)

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        theme.set_role(label, "label")
        return label

    # ================================================================ registers
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def period(self) -> str:
        year = int(self.year_combo.currentData())
        if self.kind == "allowance":
            return f"{year:04d}-{int(self.month_combo.currentData()):02d}"
        return f"{year:04d}"

    def unit_id(self) -> int | None:
        return self.unit_combo.currentData() or None

    def set_register(self, kind: str, period: str, unit_id: int | None = None) -> None:
        """Choose a register and period (``2026`` or ``2026-11``) as the clerk would."""
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        year = int(period[:4])
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(self.tr("{0} 年").format(year), year)
            index = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(index)
        if len(period) > 4:
            self.month_combo.setCurrentIndex(int(period[5:7]) - 1)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit_id or 0)))

    def _on_kind_changed(self) -> None:
        monthly = self.kind == "allowance"
        self.month_combo.setVisible(monthly)
        self.register_hint.setText(self.tr(REGISTER_HINTS.get(self.kind, "")))
        self.year_combo.setToolTip(self.tr("发放年份") if monthly else self.tr("统计年度"))

    def reload_units(self) -> None:
        refill_combo(self.unit_combo, (self.tr("全部单位"), 0), unit_items())

    def run_register(self, action: str):
        """预览 / 打印 / 导出 the chosen register; the PDF is built in the background."""
        name = self.kind_combo.currentText()
        self.job = preview.produce(self, action, printing.register, self.kind, self.period(),
                                   unit_id=self.unit_id(), title=self.tr("打印{0}").format(name),
                                   label=self.tr("正在生成{0}…").format(name))
        self.job.done.connect(self.refresh)
        return self.job

    # ================================================================ batch
    def open_batch(self) -> BatchPrintDialog:
        dialog = BatchPrintDialog(self, unit_id=self.unit_id())
        actions.open_dialog(self, dialog, lambda _files: self.refresh(), signal="finished_batch")
        return dialog

    # ================================================================ 报送县里
    def open_pack(self):
        """报送县里…: the package dialog (its county-key import needs 修改设置 like 交换设置)."""
        from ...security import access
        from .. import permissions
        from ..dialogs.exchange_pack_dialog import PackDialog

        dialog = PackDialog(self, can_edit_settings=access.allowed("settings.edit"))
        permissions.guard(dialog.county_key)
        dialog.settings_requested.connect(self.settings_requested)
        actions.open_dialog(self, dialog, lambda _result: self.refresh(), signal="packed")
        return dialog

    # ================================================================ 核验
    def focus_search(self) -> None:
        self.code_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.code_edit.selectAll()

    def verify(self) -> Any:
        code = self.code_edit.text().strip()
        if not code:
            self._show_verification(self.tr("请输入核验码（打印件页脚的编号）"), "warning", [])
            self.code_edit.setFocus()
            return None
        result = printing.verify(code)
        rows: list[tuple[str, str]] = []
        if result.found:
            rows = [(self.tr("名称"), _text(result.title)), (self.tr("对象"), _text(result.subject)),
                    (self.tr("期间"), _text(result.period)), (self.tr("生成时间"), _text(result.printed_at)),
                    (self.tr("操作人"), _text(result.printed_by)), (self.tr("记录"), result.actions or "—")]
            role = "info" if result.current else "warning"
        else:
            role = "error"
        self._show_verification(result.message, role, rows)
        return result

    def _show_verification(self, message: str, role: str, rows: list[tuple[str, str]]) -> None:
        colour = {"error": theme.ERROR, "warning": theme.WARNING}.get(role, theme.TEXT)
        html = f"<p style='color:{colour}; font-weight:bold'>{_escape(message)}</p>"
        if rows:
            html += "<table cellspacing='0' cellpadding='2'>" + "".join(
                f"<tr><td style='color:#6b7280; padding-right:12px'>{_escape(k)}</td>"
                f"<td>{_escape(v).replace(chr(10), '<br>')}</td></tr>"
                for k, v in rows) + "</table>"
        self.verify_result.setText(html)
        self.verify_result.setProperty("result_role", role)

    @property
    def verify_text(self) -> str:
        """The result as plain text (what the clerk reads)."""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.verify_result.text())
        return doc.toPlainText()

    def _on_log_table_cell_double_clicked(self, row: int, _column: int) -> None:
        item = self.log_table.item(row, LOG_COLUMNS.index("code"))
        if item is not None:
            self.code_edit.setText(item.text())
            self.verify()

    # ================================================================ print log
    def refresh(self, *_args) -> None:
        rows = printing.print_log(LOG_LIMIT)
        rows = sorted(rows, key=lambda r: (r.printed_at is not None, r.printed_at), reverse=True)
        table = self.log_table
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for r, entry in enumerate(rows):
            for c, key in enumerate(LOG_COLUMNS):
                value = getattr(entry, key)
                if key == "actions":
                    lines = [line for line in (value or "").splitlines() if line.strip()]
                    # newest first on one line; every line in the tooltip
                    text, tip = "；".join(reversed(lines)) or "—", "\n".join(lines)
                else:
                    text = _text(value)
                    tip = text if len(text) > 16 else ""
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                table.setItem(r, c, item)
        self.log_count.setText(self.tr("最近 {0} 条").format(len(rows)) if rows else "")
        self.log_empty.setVisible(not rows)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.refresh()


def _escape(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
