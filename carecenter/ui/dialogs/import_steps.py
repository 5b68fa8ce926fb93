"""The steps of the 从 Excel 导入 wizard (``import_wizard.ImportWizard``): the step bar, the
pages it is built from, and step 2 (列对应: the header row and which column holds each field).
No logic of the import itself: that is ``exchange.importer``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...exchange import importer, xlsx_reader
from ...exchange.xlsx_cells import cell_text
from ...exchange.xlsx_fields import match_header
from ...exchange.xlsx_reader import column_letter
from .. import messages, theme
from ..tasks import run_job
from ..widgets.history import record_table
from ..widgets.list_page import make_button

FILE, MAPPING, PREVIEW, RESULT = range(4)
STEP_TITLES = ("选择文件", "列对应", "预览", "完成")
SAMPLE_ROWS = 5
MAX_HEADER_ROW = importer.HEADER_SCAN_ROWS
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
NOT_MAPPED = -1


def match_headers(kind: str, headers: list[str]) -> dict[str, int]:
    """Field key → the first column whose header names it (used when the clerk picks
    another header row)."""
    out: dict[str, int] = {}
    for i, text in enumerate(headers):
        key = match_header([text], kind) if text else None
        if key and key not in out:
            out[key] = i
    return out


class StepBar(QFrame):
    """1 选择文件 — 2 列对应 — 3 预览 — 4 完成; the current step bold and underlined in the accent colour."""

    def __init__(self, titles: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ImportSteps")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.labels: list[QLabel] = []
        for i, title in enumerate(titles):
            if i:
                sep = QLabel("—", self)
                sep.setObjectName("ImportStepSep")
                row.addWidget(sep)
            label = QLabel(f"{i + 1}  {title}", self)
            label.setObjectName("ImportStep")
            row.addWidget(label)
            self.labels.append(label)
        row.addStretch(1)
        self.setStyleSheet(
            "#ImportStep { color: #6b7280; padding: 4px 6px; border-bottom: 2px solid transparent; }"
            "#ImportStep[current=\"true\"] { color: #1d4f88; font-weight: bold; border-bottom: 2px solid #2563a8; }"
            "#ImportStepSep { color: #c5ccd4; }")

    def set_current(self, index: int) -> None:
        for i, label in enumerate(self.labels):
            label.setProperty("current", i == index)
            label.style().unpolish(label)
            label.style().polish(label)


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = record_table(headers, parent, stretch=None)
    table.verticalHeader().setDefaultSectionSize(28)
    return table


def _item(text: Any, tooltip: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    if tooltip and item.text():
        item.setToolTip(item.text())
    return item


class WizardPages:
    """The four pages of the wizard, built once (mixed into ``ImportWizard``)."""

    # ================================================================ building
    def _build_file_page(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 6, 0, 0)
        col.setSpacing(10)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)

        self.kind_combo = QComboBox(page)
        for key, label in importer.KINDS.items():
            self.kind_combo.addItem(self.tr(label), key)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(self.kind))
        self.kind_combo.setMinimumWidth(220)
        self.kind_combo.setToolTip(self.tr("要导入哪一类记录"))
        form.addRow(self.tr("导入内容"), self._row(self.kind_combo))

        self.file_edit = QLineEdit(page)
        self.file_edit.setPlaceholderText(self.tr("选择或粘贴 .xlsx 文件的位置"))
        self.file_edit.setMinimumWidth(460)
        self.browse_button = make_button(self.tr("选择文件…"), parent=page,
                                         tooltip=self.tr("选择要导入的 Excel 工作簿（.xlsx）"))
        file_row = QHBoxLayout()
        file_row.setSpacing(8)
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        file_box = QVBoxLayout()
        file_box.setSpacing(2)
        file_box.addLayout(file_row)
        self.file_error = QLabel(page)
        self.file_error.setWordWrap(True)
        theme.set_role(self.file_error, "error")
        self.file_error.hide()
        file_box.addWidget(self.file_error)
        form.addRow(self.tr("Excel 文件"), file_box)

        self.sheet_combo = QComboBox(page)
        self.sheet_combo.setMinimumWidth(220)
        self.sheet_combo.setEnabled(False)
        self.sheet_combo.setToolTip(self.tr("数据所在的工作表"))
        form.addRow(self.tr("工作表"), self._row(self.sheet_combo))
        col.addLayout(form)

        line = QFrame(page)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #dde1e6;")
        col.addSpacing(8)
        col.addWidget(line)
        self.columns_label = QLabel(page)
        self.columns_label.setWordWrap(True)
        theme.set_role(self.columns_label, "info")
        col.addWidget(self.columns_label)
        template_row = QHBoxLayout()
        self.template_button = make_button(self.tr("下载模板…"), parent=page,
                                           tooltip=self.tr("保存一份空白工作簿，列名已按要求写好"))
        template_row.addWidget(self.template_button)
        self.template_label = QLabel(page)
        self.template_label.setWordWrap(True)
        self.template_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.template_label, "hint")
        template_row.addWidget(self.template_label, 1)
        col.addLayout(template_row)
        col.addStretch(1)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.browse_button.clicked.connect(self.choose_file)
        self.file_edit.editingFinished.connect(self._on_file_edited)
        self.sheet_combo.currentIndexChanged.connect(self._on_sheet_changed)
        self.template_button.clicked.connect(self.download_template)
        return page

    def _row(self, widget: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(widget)
        row.addStretch(1)
        return row

    def _build_mapping_page(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 6, 0, 0)
        col.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(8)
        header_label = QLabel(self.tr("列名所在行"), page)
        self.header_combo = QComboBox(page)
        self.header_combo.setMinimumWidth(420)
        self.header_combo.setMaxVisibleItems(16)
        self.header_combo.setToolTip(self.tr("工作表中写着列名（姓名、身份证号…）的那一行"))
        header_label.setBuddy(self.header_combo)
        top.addWidget(header_label)
        top.addWidget(self.header_combo)
        top.addSpacing(16)
        self.mapping_hint = QLabel(self.tr("已按列名自动对应，可逐项调整；标 * 的必须对应。"), page)
        self.mapping_hint.setWordWrap(True)
        theme.set_role(self.mapping_hint, "hint")
        top.addWidget(self.mapping_hint, 1)
        col.addLayout(top)

        self.fields_area = QScrollArea(page)
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_host = QWidget(self.fields_area)
        self.fields_grid = QGridLayout(self.fields_host)
        self.fields_grid.setContentsMargins(0, 0, 8, 0)
        self.fields_grid.setHorizontalSpacing(12)
        self.fields_grid.setVerticalSpacing(6)
        self.fields_area.setWidget(self.fields_host)
        col.addWidget(self.fields_area, 3)

        sample_title = QLabel(self.tr("按当前对应读出的前几行"), page)
        theme.set_role(sample_title, "section")
        col.addWidget(sample_title)
        self.sample_table = _table(page, [])
        self.sample_table.setMinimumHeight(150)
        col.addWidget(self.sample_table, 2)

        self.header_combo.currentIndexChanged.connect(self._on_header_row_changed)
        return page

    def _build_preview_page(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 6, 0, 0)
        col.setSpacing(8)
        self.counts_label = QLabel(page)
        font = QFont(self.counts_label.font())
        font.setPointSizeF(font.pointSizeF() + 1.5)
        font.setBold(True)
        self.counts_label.setFont(font)
        self.counts_label.setWordWrap(True)
        col.addWidget(self.counts_label)
        note_row = QHBoxLayout()
        self.preview_note = QLabel(page)
        self.preview_note.setWordWrap(True)
        theme.set_role(self.preview_note, "info")
        note_row.addWidget(self.preview_note, 1)
        self.save_problems_button = make_button(self.tr("保存问题清单…"), parent=page,
                                                tooltip=self.tr("把问题清单保存为 Excel，发给报送人修改"))
        note_row.addWidget(self.save_problems_button, 0, Qt.AlignmentFlag.AlignTop)
        col.addLayout(note_row)

        self.preview_tabs = QTabWidget(page)
        self.problem_table = _table(page, [self.tr("行号"), self.tr("列"), self.tr("字段"), self.tr("原值"),
                                           self.tr("问题")])
        hh = self.problem_table.horizontalHeader()
        for i, width in enumerate((64, 56, 120, 200)):
            hh.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            self.problem_table.setColumnWidth(i, width)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.preview_tabs.addTab(self.problem_table, "")
        self.update_tree = QTreeWidget(page)
        self.update_tree.setColumnCount(4)
        self.update_tree.setHeaderLabels([self.tr("行号 / 干部"), self.tr("字段"), self.tr("原值"),
                                          self.tr("新值")])
        self.update_tree.setRootIsDecorated(True)
        self.update_tree.setAlternatingRowColors(True)
        self.update_tree.setUniformRowHeights(True)
        self.update_tree.setStyleSheet("QTreeView::item { padding: 4px 2px; }")
        th = self.update_tree.header()
        for i, width in enumerate((190, 130, 250)):
            th.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            self.update_tree.setColumnWidth(i, width)
        th.setStretchLastSection(True)
        self.preview_tabs.addTab(self.update_tree, "")
        col.addWidget(self.preview_tabs, 1)

        self.save_problems_button.clicked.connect(self.save_problem_list)
        return page

    def _build_result_page(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 24, 0, 0)
        col.setSpacing(12)
        self.result_title = QLabel(page)
        font = QFont(self.result_title.font())
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setBold(True)
        self.result_title.setFont(font)
        col.addWidget(self.result_title)
        self.result_label = QLabel(page)
        self.result_label.setWordWrap(True)
        col.addWidget(self.result_label)
        self.result_problems = QLabel(page)
        self.result_problems.setWordWrap(True)
        theme.set_role(self.result_problems, "warning")
        col.addWidget(self.result_problems)
        row = QHBoxLayout()
        self.result_save_button = make_button(self.tr("保存问题清单…"), parent=page,
                                              tooltip=self.tr("把未导入的行及原因保存为 Excel，发给报送人修改"))
        row.addWidget(self.result_save_button)
        row.addStretch(1)
        col.addLayout(row)
        col.addStretch(1)
        self.result_save_button.clicked.connect(self.save_problem_list)
        return page


class MappingStep:
    """Step 2, 列对应 (mixed into ``ImportWizard``): detect the header row and the columns in the
    background, let the clerk adjust them, show how the first rows will be read."""

    # ================================================================ step 2: mapping
    def _mapping_source(self) -> tuple:
        """What the columns were detected from: the file as it is now, the sheet, the record type."""
        try:
            stamp = self.path.stat().st_mtime_ns if self.path else None
        except OSError:
            stamp = None
        return (self.path, stamp, self.sheet, self.kind)

    def start_detect(self) -> None:
        """Read the sheet in the background (a large roster takes a moment) and find its columns."""
        self._mapped_for = None
        self.job = run_job(_detect_job, self.path, self.sheet, self.kind, parent=self,
                           title=self.tr("读取工作簿"), label=self.tr("正在读取「{0}」…").format(self.sheet))
        self.job.finished.connect(self._on_detected)
        self.job.failed.connect(self._on_job_failed)
        self.job.done.connect(self._on_job_done)
        self._update_buttons()

    def _on_detected(self, mapping: Any) -> None:
        self.field_list = list(importer.fields(self.kind))
        self._build_field_combos()
        self._fill_header_rows(mapping.header_row)
        if not self._read_headers(mapping.header_row):
            return
        self._apply_columns(mapping.columns)
        self._mapped_for = self._mapping_source()
        self._show_mapping()

    def _show_mapping(self) -> None:
        self._show_step(MAPPING)
        first = self.field_combos[self.field_list[0].key] if self.field_list else self.header_combo
        first.setFocus()

    def _build_field_combos(self) -> None:
        while self.fields_grid.count():
            item = self.fields_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.field_combos = {}
        half = (len(self.field_list) + 1) // 2
        for i, field in enumerate(self.field_list):
            # reading order: down the left half, then down the right half
            r, c = (i, 0) if i < half else (i - half, 2)
            label = QLabel(self.tr(field.label) + (" *" if field.required else ""), self.fields_host)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            combo = QComboBox(self.fields_host)
            combo.setMinimumWidth(240)
            combo.setMaxVisibleItems(20)
            tip = self.tr("「{0}」在工作表的哪一列").format(self.tr(field.label))
            combo.setToolTip(tip + ("\n" + self.tr(field.hint) if field.hint else ""))
            label.setBuddy(combo)
            self.fields_grid.addWidget(label, r, c)
            self.fields_grid.addWidget(combo, r, c + 1)
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            self.field_combos[field.key] = combo
        self.fields_grid.setColumnStretch(1, 1)
        self.fields_grid.setColumnStretch(3, 1)
        self.fields_grid.setColumnMinimumWidth(2, 130)
        self.fields_grid.setRowStretch(half, 1)
        previous: QWidget = self.header_combo
        for field in self.field_list:
            combo = self.field_combos[field.key]
            QWidget.setTabOrder(previous, combo)
            previous = combo

    def _read_headers(self, header_row: int) -> bool:
        try:
            self.header_list = list(importer.headers(self.path, self.sheet, header_row))
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self._filling = True
        for combo in self.field_combos.values():
            combo.clear()
            combo.addItem(self.tr("（不导入）"), NOT_MAPPED)
            for i, text in enumerate(self.header_list):
                shown = text.strip() if text else ""
                combo.addItem(self.tr("{0} 列：{1}").format(column_letter(i), shown) if shown
                              else self.tr("{0} 列（无列名）").format(column_letter(i)), i)
        self._filling = False
        return True

    def _apply_columns(self, columns: dict[str, int]) -> None:
        self._filling = True
        for key, combo in self.field_combos.items():
            index = combo.findData(columns.get(key, NOT_MAPPED))
            combo.setCurrentIndex(max(index, 0))
        self._filling = False
        self._on_mapping_changed()

    @property
    def header_row(self) -> int:
        return self.header_combo.currentData() or 1

    def set_header_row(self, row: int) -> None:
        """Choose the header row as the clerk does in the list."""
        self.header_combo.setCurrentIndex(self.header_combo.findData(row))

    def _fill_header_rows(self, current: int) -> None:
        """第 N 行：序号、姓名、性别… for the first rows, so the clerk sees which row holds the names."""
        try:
            sheet = xlsx_reader.load_sheet(self.path, self.sheet)
            last = max(1, min(sheet.max_row, MAX_HEADER_ROW))
        except DomainError:
            sheet, last = None, MAX_HEADER_ROW
        self.header_combo.blockSignals(True)
        self.header_combo.clear()
        for r in range(1, max(last, current) + 1):
            texts = []
            if sheet is not None:
                texts = [t for t in (cell_text(sheet.raw(r, c)) for c in range(sheet.max_col)) if t][:8]
            shown = "、".join(texts)
            if len(shown) > 48:
                shown = shown[:47] + "…"
            self.header_combo.addItem(self.tr("第 {0} 行：{1}").format(r, shown) if shown
                                      else self.tr("第 {0} 行（空行）").format(r), r)
        self.header_combo.setCurrentIndex(max(self.header_combo.findData(current), 0))
        self.header_combo.blockSignals(False)

    def _on_header_row_changed(self, _index: int) -> None:
        if self.path is None or not self.field_combos:
            return
        if self._read_headers(self.header_row):
            self._apply_columns(match_headers(self.kind, self.header_list))

    def current_mapping(self) -> Any:
        columns = {key: combo.currentData() for key, combo in self.field_combos.items()
                   if combo.currentData() is not None and combo.currentData() != NOT_MAPPED}
        return importer.Mapping(header_row=self.header_row, columns=columns)

    def mapping_problem(self) -> str:
        """Why the mapping cannot be used yet ('' when it can)."""
        if not any(h.strip() for h in self.header_list):
            return self.tr("所选的行没有列名：请在「列名所在行」中选择写着姓名、身份证号等列名的那一行")
        columns = self.current_mapping().columns
        missing = [self.tr(f.label) for f in self.field_list if f.required and f.key not in columns]
        if missing:
            return self.tr("请为「{0}」选择对应的列").format("」「".join(missing))
        by_column: dict[int, list[str]] = {}
        labels = {f.key: self.tr(f.label) for f in self.field_list}
        for key, index in columns.items():
            by_column.setdefault(index, []).append(labels[key])
        for index, names in sorted(by_column.items()):
            if len(names) > 1:
                return self.tr("「{0}」都对应了 {1} 列，请只保留一个").format("」「".join(names), column_letter(index))
        return ""

    def _on_mapping_changed(self, *_args) -> None:
        if self._filling:
            return
        self.preview = None
        columns = self.current_mapping().columns
        counts: dict[int, int] = {}
        for index in columns.values():
            counts[index] = counts.get(index, 0) + 1
        for field in self.field_list:
            combo = self.field_combos[field.key]
            index = columns.get(field.key)
            bad = (field.required and index is None) or (index is not None and counts[index] > 1)
            theme.set_state(combo, "error" if bad else None)
        self._fill_sample(columns)
        self._update_buttons()

    def _fill_sample(self, columns: dict[str, int]) -> None:
        shown = [f for f in self.field_list if f.key in columns]
        rows = self._sample_rows()
        table = self.sample_table
        table.clear()
        table.setColumnCount(len(shown))
        table.setHorizontalHeaderLabels([self.tr(f.label) for f in shown])
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, field in enumerate(shown):
                index = columns[field.key]
                table.setItem(r, c, _item(values[index] if index < len(values) else "", tooltip=True))
        header = table.horizontalHeader()
        for c in range(len(shown)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(c, {"id_number": 176, "unit": 150}.get(shown[c].key, 110))

    def _sample_rows(self) -> list[list[str]]:
        """The first few non-blank rows under the header, as text (kept while the
        file, sheet and header row stay the same)."""
        key = (self.path, self.sheet, self.header_row)
        if self._sample[0] != key:
            rows: list[list[str]] = []
            try:
                sheet = xlsx_reader.load_sheet(self.path, self.sheet)  # the importer keeps the last sheet read
            except DomainError:
                sheet = None
            for r in range(self.header_row + 1, sheet.max_row + 1 if sheet else 0):
                values = [cell_text(sheet.value(r, c)) for c in range(sheet.max_col)]
                if any(values):
                    rows.append(values)
                    if len(rows) == SAMPLE_ROWS:
                        break
            self._sample = (key, rows)
        return self._sample[1]


def _progress(ctx, step_text: str):
    """An importer progress callback that reports each whole percent once."""
    last = [-1]

    def report(done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if percent != last[0]:
            last[0] = percent
            ctx.progress(percent, step_text.format(done, total))

    return report


def _detect_job(ctx, path: Path, sheet: str, kind: str) -> Any:
    ctx.progress(-1)
    return importer.detect(path, sheet, kind)   # keeps the sheet for the wizard's next reads
