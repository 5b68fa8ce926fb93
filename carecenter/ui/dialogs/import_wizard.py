"""从 Excel 导入: a four-step wizard over ``exchange.importer``.

1 选择文件 — record type (pre-selected by the page), the workbook, its sheet, and
  下载模板… for a blank workbook with the right columns.
2 列对应 — the header row and, per field, which column holds it: detected
  automatically, adjustable; a sample of the first rows shows how they will be read.
3 预览 — every row checked in the background (progress + 取消): counts, each problem
  by row, column and a Chinese reason, and what will change for people who are
  already in the database.  保存问题清单… writes the problems as .xlsx for the sender.
  导入有效行 imports the valid rows in one transaction (again with 取消, which
  leaves the database untouched).
4 完成 — what was imported.

``imported(kind)`` fires after an import so the page that opened the wizard reloads.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...exchange import importer, xlsx_reader
from ...exchange.xlsx_cells import cell_text
from ...exchange.xlsx_fields import match_header
from ...exchange.xlsx_reader import column_letter
from .. import actions, file_dialogs, messages, theme
from ..tasks import JobCancelled, run_job
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


def _with_suffix(path: str) -> Path:
    p = Path(path)
    return p if p.suffix.lower() == ".xlsx" else p.with_name(p.name + ".xlsx")


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
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(28)
    table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _item(text: Any, tooltip: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    if tooltip and item.text():
        item.setToolTip(item.text())
    return item


class ImportWizard(QDialog):
    """``ImportWizard(kind, parent)``; ``imported(kind)`` after rows were written."""

    imported = Signal(str)

    def __init__(self, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModal(True)
        self.kind = kind if kind in importer.KINDS else next(iter(importer.KINDS))
        self.path: Path | None = None
        self.sheet = ""
        self.header_list: list[str] = []
        self.field_list: list[Any] = []
        self.field_combos: dict[str, QComboBox] = {}
        self.preview: Any = None
        self.result: Any = None
        self.job = None
        self._filling = False
        self._rerun_preview = False
        self._sample: tuple[Any, list[list[str]]] = (None, [])
        self._mapped_for: tuple | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        outer.setSpacing(10)
        self.steps = StepBar([self.tr(t) for t in STEP_TITLES], self)
        outer.addWidget(self.steps)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_file_page())
        self.stack.addWidget(self._build_mapping_page())
        self.stack.addWidget(self._build_preview_page())
        self.stack.addWidget(self._build_result_page())

        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.footer_hint = QLabel(self)
        self.footer_hint.setWordWrap(True)
        theme.set_role(self.footer_hint, "error")
        footer.addWidget(self.footer_hint, 1)
        self.back_button = make_button(self.tr("上一步"), parent=self)
        self.next_button = make_button(self.tr("下一步"), primary=True, parent=self)
        self.import_button = make_button(self.tr("导入有效行"), primary=True, parent=self,
                                         tooltip=self.tr("在一次操作中导入全部没有问题的行"))
        self.finish_button = make_button(self.tr("完成"), primary=True, parent=self)
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        for b in (self.back_button, self.next_button, self.import_button, self.finish_button, self.cancel_button):
            footer.addWidget(b)
        outer.addLayout(footer)

        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.import_button.clicked.connect(self.start_import)
        self.finish_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        self._set_kind_title()
        self._show_step(FILE)
        self._fit_to_screen(1060, 680)
        self.file_edit.setFocus()

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

    def _fit_to_screen(self, width: int, height: int) -> None:
        self.resize(width, height)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(width, screen.width() - 40), min(height, screen.height() - 60))

    # ================================================================ navigation
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    @property
    def kind_label(self) -> str:
        return self.tr(importer.KINDS[self.kind])

    def _set_kind_title(self) -> None:
        self.setWindowTitle(self.tr("从 Excel 导入{0}").format(self.kind_label))
        names = [f.label + (" *" if f.required else "") for f in importer.fields(self.kind)]
        self.columns_label.setText(self.tr("{0}的列：{1}。标 * 的必须有；列的顺序和名称可以不同，"
                                           "下一步可逐项对应。").format(self.kind_label, "、".join(names)))

    def _show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.steps.set_current(step)
        self.back_button.setVisible(step in (MAPPING, PREVIEW))
        self.next_button.setVisible(step in (FILE, MAPPING))
        self.import_button.setVisible(step == PREVIEW)
        self.finish_button.setVisible(step == RESULT)
        self.cancel_button.setVisible(step != RESULT)
        for b in (self.next_button, self.import_button, self.finish_button):
            b.setDefault(False)
        default = {FILE: self.next_button, MAPPING: self.next_button, PREVIEW: self.import_button,
                   RESULT: self.finish_button}[step]
        default.setDefault(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        reason = ""
        if self.step == FILE:
            if self.path is None:   # an unreadable file is explained under the field
                self.next_button.setToolTip(self.tr("请先选择要导入的 Excel 文件"))
            elif not self.sheet:
                reason = self.tr("这个工作簿里没有工作表，请选择另一个文件")
                self.next_button.setToolTip(reason)
            else:
                self.next_button.setToolTip("")
            self.next_button.setEnabled(self.path is not None and bool(self.sheet))
        elif self.step == MAPPING:
            reason = self.mapping_problem()
            self.next_button.setEnabled(not reason)
            self.next_button.setToolTip(reason)
        elif self.step == PREVIEW:
            ok = self.preview is not None and self.preview.valid_count > 0
            if self.preview is not None and not ok:
                reason = self.tr("没有可导入的行：请按问题清单修改工作簿后重新选择")
            self.import_button.setEnabled(ok)
            self.import_button.setToolTip(reason or self.tr("在一次操作中导入全部没有问题的行"))
        self.footer_hint.setText(reason)

    def go_next(self) -> None:
        if self.job is not None:
            return
        if self.step == FILE and self.next_button.isEnabled():
            # coming back without changing anything keeps the clerk's own choices
            if self._mapping_source() == self._mapped_for:
                self._show_mapping()
            else:
                self.start_detect()
        elif self.step == MAPPING and self.next_button.isEnabled():
            self.start_preview()

    def go_back(self) -> None:
        if self.job is not None:
            return
        if self.step == MAPPING:
            self._show_step(FILE)
            self.sheet_combo.setFocus()
        elif self.step == PREVIEW:
            self._show_step(MAPPING)
            self.header_combo.setFocus()

    def reject(self) -> None:
        if self.job is not None:  # the progress dialog's 取消 stops a running job first
            return
        super().reject()

    # ================================================================ step 1: file
    def _on_kind_changed(self, _index: int) -> None:
        self.kind = self.kind_combo.currentData()
        self._set_kind_title()
        self.template_label.clear()

    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else str(file_dialogs.start_folder())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择要导入的 Excel 文件"), start, self.tr(XLSX_FILTER))
        if path:
            file_dialogs.remember(path)
            self.file_edit.setText(QDir.toNativeSeparators(path))
            self.load_file(Path(path))
            if self.sheet_combo.isEnabled():
                self.sheet_combo.setFocus()

    def _on_file_edited(self) -> None:
        text = self.file_edit.text().strip().strip('"')
        if not text:
            return
        path = Path(QDir.fromNativeSeparators(text))
        if self.path is None or path != self.path:
            self.load_file(path)

    def load_file(self, path: Path) -> bool:
        """Read the workbook's sheets; a Chinese message under the field when it cannot be read."""
        self.path = None
        self.sheet = ""
        self.preview = None
        self._filling = True
        self.sheet_combo.clear()
        self._filling = False
        self.sheet_combo.setEnabled(False)
        try:
            names = importer.sheet_names(path)
        except DomainError as err:
            self.file_error.setText(err.message)
            self.file_error.show()
            theme.set_state(self.file_edit, "error")
            self._update_buttons()
            return False
        self.file_error.hide()
        self.file_error.clear()
        theme.set_state(self.file_edit, None)
        self.path = path
        self._filling = True
        for name in names:
            self.sheet_combo.addItem(name, name)
        self._filling = False
        self.sheet_combo.setEnabled(bool(names))
        self.sheet = names[0] if names else ""
        self._update_buttons()
        return True

    def _on_sheet_changed(self, _index: int) -> None:
        if self._filling:
            return
        self.sheet = self.sheet_combo.currentData() or ""
        self.preview = None
        self._update_buttons()

    def download_template(self) -> None:
        folder = self.path.parent if self.path else file_dialogs.start_folder()
        default = folder / self.tr("{0}导入模板.xlsx").format(self.kind_label)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("保存{0}模板").format(self.kind_label), str(default),
                                              self.tr(XLSX_FILTER))
        if not path:
            return
        out = _with_suffix(path)
        try:
            importer.write_template(self.kind, out)
        except DomainError as err:
            messages.error(self, err.message)
            return
        except OSError:
            messages.error(self, self.tr("无法保存到 {0}：文件可能正在 Excel 中打开，或没有写入权限。"
                                         "请关闭该文件或换一个位置后重试").format(QDir.toNativeSeparators(str(out))))
            return
        self.template_label.setText(self.tr("模板已保存：{0}").format(QDir.toNativeSeparators(str(out))))

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

    # ================================================================ step 3: preview
    def start_preview(self) -> None:
        if self.job is not None:
            return
        self.preview = None
        step_text = self.tr("正在检查第 {0}/{1} 行")
        self.job = run_job(_preview_job, self.path, self.sheet, self.kind, self.current_mapping(), step_text,
                           parent=self, title=self.tr("检查{0}").format(self.kind_label),
                           label=self.tr("正在读取工作簿…"))
        self.job.finished.connect(self._on_preview_finished)
        self.job.failed.connect(self._on_job_failed)
        self.job.done.connect(self._on_job_done)
        self._update_buttons()

    def _on_job_done(self) -> None:
        self.job = None
        self._update_buttons()
        if self._rerun_preview:
            self._rerun_preview = False
            self.start_preview()

    def _on_job_failed(self, message: str) -> None:
        messages.error(self, message)

    def _on_preview_finished(self, preview: Any) -> None:
        self.preview = preview
        self._fill_preview()
        self._show_step(PREVIEW)
        (self.import_button if self.import_button.isEnabled() else self.preview_tabs).setFocus()

    def problem_row_count(self) -> int:
        return self.preview.refused_count if self.preview else 0

    def _unit(self) -> str:
        return self.tr("名") if self.kind == "roster" else self.tr("条")

    def counts_text(self) -> str:
        p = self.preview
        text = self.tr("共 {0} 行，可导入 {1} 行，有问题 {2} 行").format(
            p.rows_total, p.valid_count, self.problem_row_count())
        if self.kind == "roster":
            text += self.tr("，新增 {0} 名，更新 {1} 名").format(p.creates, len(p.updates))
            if p.unchanged:
                text += self.tr("，无变化 {0} 名").format(p.unchanged)
        else:
            text += self.tr("，新增 {0} 条").format(p.creates)
        return text

    def _fill_preview(self) -> None:
        p = self.preview
        self.counts_label.setText(self.counts_text())
        bad_rows = self.problem_row_count()
        parts = []
        if bad_rows:
            parts.append(self.tr("有问题的 {0} 行不会导入：可以先导入其余的行，再把问题清单发给报送人，"
                                 "修改后只导入这些行。").format(bad_rows))
        else:
            parts.append(self.tr("没有发现问题。"))
        if p.updates:
            parts.append(self.tr("身份证号与名册中已有干部相同的 {0} 行会更新该干部（见「将更新」），不会重复新增。"
                                 ).format(len(p.updates)))
        if p.skipped:
            by_reason: dict[str, list[int]] = {}
            for row, why in p.skipped:
                by_reason.setdefault(why, []).append(row)
            parts.append(self.tr("已跳过：{0}。").format("；".join(
                self.tr("{0} 第 {1} 行").format(why, "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else ""))
                for why, rows in by_reason.items())))
        self.preview_note.setText("".join(parts))
        self.save_problems_button.setEnabled(bool(p.problems))
        self.save_problems_button.setToolTip(
            self.tr("把问题清单保存为 Excel，发给报送人修改") if p.problems else self.tr("没有问题需要保存"))

        table = self.problem_table
        table.setRowCount(len(p.problems))
        for r, problem in enumerate(p.problems):
            row_item = _item(problem.row)
            row_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, 0, row_item)
            table.setItem(r, 1, _item(problem.column))
            table.setItem(r, 2, _item(problem.field))
            table.setItem(r, 3, _item(problem.value, tooltip=True))
            reason = _item(problem.reason, tooltip=True)
            table.setItem(r, 4, reason)
        self.preview_tabs.setTabText(0, self.tr("问题（{0} 处）").format(len(p.problems)))

        tree = self.update_tree
        tree.clear()
        for row, name, changes in p.updates:
            top = QTreeWidgetItem([self.tr("第 {0} 行　{1}").format(row, name),
                                   self.tr("{0} 项变化").format(len(changes)), "", ""])
            for change in changes:
                child = QTreeWidgetItem(["", change.field, change.old or self.tr("（空）"),
                                         change.new or self.tr("（空）")])
                child.setToolTip(2, change.old)
                child.setToolTip(3, change.new)
                top.addChild(child)
            tree.addTopLevelItem(top)
        tree.expandAll()
        self.preview_tabs.setTabText(1, self.tr("将更新（{0} 名）").format(len(p.updates)))
        self.preview_tabs.setTabVisible(1, self.kind == "roster")
        self.preview_tabs.setTabEnabled(1, bool(p.updates))
        self.preview_tabs.setCurrentIndex(0 if p.problems or not p.updates else 1)

    def save_problem_list(self) -> None:
        if self.preview is None or not self.preview.problems:
            return
        folder = self.path.parent if self.path else file_dialogs.start_folder()
        stem = self.path.stem if self.path else self.kind_label
        default = folder / self.tr("{0}-问题清单.xlsx").format(stem)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("保存问题清单"), str(default), self.tr(XLSX_FILTER))
        if not path:
            return
        out = _with_suffix(path)
        try:
            importer.save_problems(self.preview, out)
        except DomainError as err:
            messages.error(self, err.message)
            return
        except OSError:
            messages.error(self, self.tr("无法保存到 {0}：文件可能正在 Excel 中打开，或没有写入权限。"
                                         "请关闭该文件或换一个位置后重试").format(QDir.toNativeSeparators(str(out))))
            return
        messages.info(self, self.tr("问题清单已保存：{0}").format(QDir.toNativeSeparators(str(out))))

    # ================================================================ import
    def start_import(self) -> None:
        p = self.preview
        if self.job is not None or p is None or p.valid_count <= 0:
            return
        bad_rows = self.problem_row_count()
        if bad_rows or p.updates:
            parts = [self.tr("确定导入 {0} 行？其中新增 {1} {3}，更新 {2} {3}。").format(
                p.valid_count, p.creates, len(p.updates), self._unit())]
            if bad_rows:
                parts.append(self.tr("有问题的 {0} 行不导入。").format(bad_rows))
            if not messages.confirm(self, "".join(parts), self.tr("导入")):
                return
        step_text = self.tr("正在导入第 {0}/{1} 行")
        self.job = run_job(_import_job, p, step_text, parent=self, title=self.tr("导入{0}").format(self.kind_label),
                           label=self.tr("正在导入…"))
        self.job.finished.connect(self._on_import_finished)
        self.job.failed.connect(self._on_import_failed)
        self.job.cancelled.connect(self._on_import_cancelled)
        self.job.done.connect(self._on_job_done)
        self._update_buttons()

    def _on_import_failed(self, message: str) -> None:
        """Nothing was written; check the rows again (the database may have changed since the preview)."""
        messages.error(self, message, informative=self.tr("没有导入任何数据，将重新检查工作簿。"))
        self._rerun_preview = True

    def _on_import_cancelled(self) -> None:
        messages.info(self, self.tr("已取消导入，数据没有任何改动。"))

    def _on_import_finished(self, result: Any) -> None:
        self.result = result
        self.result_title.setText(self.tr("导入完成"))
        if self.kind == "roster":
            done = self.tr("已导入{0}：新增 {1} 名，更新 {2} 名干部。").format(self.kind_label, result.created,
                                                                         result.updated)
        else:
            done = self.tr("已导入{0} {1} 条。").format(self.kind_label, result.created)
        self.result_label.setText(done)
        bad_rows = self.problem_row_count()
        if bad_rows:
            self.result_problems.setText(self.tr("有问题的 {0} 行没有导入。请保存问题清单发给报送人，"
                                                 "修改后只导入这些行即可。").format(bad_rows))
        self.result_problems.setVisible(bool(bad_rows))
        self.result_save_button.setVisible(bool(bad_rows))
        self._show_step(RESULT)
        self.finish_button.setFocus()
        self.imported.emit(self.kind)


def open_import_wizard(owner: QWidget, kind: str, on_imported: Callable[[str], None]) -> ImportWizard:
    """Open the wizard window-modal as ``owner.import_wizard``; ``on_imported(kind)`` after an import."""
    wizard = ImportWizard(kind, owner)
    actions.open_dialog(owner, wizard, on_imported, signal="imported", attr="import_wizard")
    return wizard


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


def _preview_job(ctx, path: Path, sheet: str, kind: str, mapping: Any, step_text: str) -> Any:
    try:
        return importer.preview(path, sheet, kind, mapping, progress=_progress(ctx, step_text),
                                cancelled=lambda: ctx.cancelled)
    except importer.Cancelled:
        raise JobCancelled() from None


def _import_job(ctx, preview: Any, step_text: str) -> Any:
    try:
        return importer.run_import(preview, progress=_progress(ctx, step_text), cancelled=lambda: ctx.cancelled)
    except importer.Cancelled:
        raise JobCancelled() from None
