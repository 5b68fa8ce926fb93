"""The abnormal findings of one check (体检异常): one row of ordinary input widgets each,
used by the check dialog (``CheckDialog``)."""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...services import health as health_service
from .. import theme
from .date_edit import DateEdit
from .list_page import make_button
from .record_form import date_target as target_of

FINDING_COLUMNS = ["item", "description", "level", "notified_date", "referral", "recheck_due", "outcome",
                   "closed", "closed_date"]
FINDING_HEADERS = {"item": "异常项目", "description": "描述", "level": "级别", "notified_date": "告知日期",
                   "referral": "转诊科室/医院", "recheck_due": "复查日期", "outcome": "结果", "closed": "已关闭",
                   "closed_date": "关闭日期"}
FINDING_WIDTHS = {"item": 116, "level": 108, "notified_date": 128, "referral": 128, "recheck_due": 128,
                  "outcome": 116, "closed": 58, "closed_date": 128}
FINDING_DATES = ("notified_date", "recheck_due", "closed_date")
LEVEL_TEXT = {"A": "A类", "B": "B类"}
ROW_HEIGHT = 36


class FindingsEditor(QWidget):
    """The abnormal findings of one check, one row of ordinary input widgets each.

    ``changed`` on every edit, ``row_left(row)`` when the clerk finishes a cell of a row."""

    changed = Signal()
    row_left = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.table = QTableWidget(0, len(FINDING_COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(FINDING_HEADERS[c]) for c in FINDING_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(48)
        for i, col in enumerate(FINDING_COLUMNS):
            if col in FINDING_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(i, FINDING_WIDTHS[col])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.add_button = make_button(self.tr("添加异常"), "health-finding-add", parent=self,
                                      tooltip=self.tr("添加一条异常结果"))
        self.remove_button = make_button(self.tr("移除异常"), "health-finding-remove", parent=self,
                                         tooltip=self.tr("移除所选异常结果（保存后生效）"))
        self.remove_button.setEnabled(False)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addSpacing(12)
        # the levels said on the form, not only in a tooltip
        self.level_legend = QLabel(self.tr("分级：A类 需立即临床处置；B类 需进一步检查或治疗"), self)
        self.level_legend.setObjectName("FindingLevelLegend")
        theme.set_role(self.level_legend, "hint")
        buttons.addWidget(self.level_legend)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self.remove_current_row)
        self.table.itemSelectionChanged.connect(self._update_buttons)

    # ------------------------------------------------------------ rows
    def set_findings(self, findings: list[health_service.FindingInput]) -> None:
        self.table.setRowCount(0)
        self._rows.clear()
        for f in findings:
            self.add_row(f, focus=False)
        self._update_buttons()

    def row_count(self) -> int:
        return len(self._rows)

    def row_widgets(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def _on_add_button_clicked(self) -> None:
        self.add_row(focus=True)
        self.changed.emit()

    def add_row(self, finding: health_service.FindingInput | None = None, *, focus: bool = True) -> int:
        f = finding or health_service.FindingInput()
        row = self.table.rowCount()
        self.table.insertRow(row)
        w: dict[str, Any] = {"id": f.id}
        w["item"] = QLineEdit(f.item)
        w["item"].setMaxLength(60)
        w["item"].setPlaceholderText(self.tr("如 血压"))
        w["description"] = QLineEdit(f.description)
        w["description"].setPlaceholderText(self.tr("如 收缩压 150 mmHg"))
        w["level"] = QComboBox()
        w["level"].setPlaceholderText(self.tr("请选择"))
        for code, text in LEVEL_TEXT.items():
            w["level"].addItem(self.tr(text), code)
            w["level"].setItemData(w["level"].count() - 1, self.tr(health_service.FINDING_LEVELS[code]),
                                   Qt.ItemDataRole.ToolTipRole)
        w["level"].setCurrentIndex(w["level"].findData(f.level) if f.level else -1)
        w["level"].setToolTip(self.tr("A类：需立即临床处置；B类：需进一步检查或治疗"))
        labels = {"notified_date": "告知日期", "recheck_due": "复查日期", "closed_date": "关闭日期"}
        for key in FINDING_DATES:
            w[key] = DateEdit(field="findings", label=self.tr(labels[key]), compact=True)
            w[key].setValue(getattr(f, key))
            w[key].line_edit.setPlaceholderText("")
        w["referral"] = QLineEdit(f.referral)
        w["referral"].setMaxLength(100)
        w["outcome"] = QLineEdit(f.outcome)
        w["outcome"].setPlaceholderText(self.tr("如 复查正常"))
        box = QWidget()
        box_layout = QHBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        w["closed"] = QCheckBox(box)
        w["closed"].setChecked(bool(f.closed))
        w["closed"].setToolTip(self.tr("随访已结束（需填写结果和关闭日期）"))
        box_layout.addWidget(w["closed"])
        for i, col in enumerate(FINDING_COLUMNS):
            self.table.setCellWidget(row, i, box if col == "closed" else w[col])
        self._rows.append(w)
        for key in FINDING_COLUMNS:
            widget = w[key]
            target_of(widget).installEventFilter(self)
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._on_cell_changed)
                widget.editingFinished.connect(lambda wid=widget: self._on_cell_left(wid))
            elif isinstance(widget, DateEdit):
                widget.edited.connect(self._on_cell_changed)
                widget.editing_finished.connect(lambda wid=widget: self._on_cell_left(wid))
            elif isinstance(widget, QComboBox):
                widget.activated.connect(lambda _i, wid=widget: self._on_cell_chosen(wid))
            else:
                widget.toggled.connect(lambda on, wid=widget: self._on_closed_toggled(wid, on))
        self._chain_tab_order()
        if focus:
            self.table.selectRow(row)
            self.table.scrollToBottom()
            w["item"].setFocus()
        self._update_buttons()
        return row

    def remove_current_row(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self.table.removeRow(row)
        del self._rows[row]
        if self._rows:
            self.table.selectRow(min(row, len(self._rows) - 1))
        self._chain_tab_order()
        self._update_buttons()
        self.changed.emit()

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _row_of(self, widget) -> int:
        for i, w in enumerate(self._rows):
            for key in FINDING_COLUMNS:
                cell = w[key]
                if cell is widget or target_of(cell) is widget:
                    return i
        return -1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.FocusIn:
            row = self._row_of(obj)
            if row >= 0 and row != self.current_row():
                self.table.selectRow(row)
        return super().eventFilter(obj, event)

    def _chain_tab_order(self) -> None:
        order = [target_of(w[key]) for w in self._rows for key in FINDING_COLUMNS]
        order.append(self.add_button)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def first_widget(self) -> QWidget:
        return self._rows[0]["item"] if self._rows else self.add_button

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.current_row() >= 0)

    def _on_cell_changed(self, *_args) -> None:
        self.changed.emit()

    def _on_cell_left(self, widget) -> None:
        row = self._row_of(widget)
        if row >= 0:
            self.row_left.emit(row)

    def _on_cell_chosen(self, widget) -> None:
        self.changed.emit()
        self._on_cell_left(widget)

    def _on_closed_toggled(self, widget, on: bool) -> None:
        row = self._row_of(widget)
        if row >= 0 and on:
            closed_date: DateEdit = self._rows[row]["closed_date"]
            if not closed_date.text().strip():
                closed_date.setValue(date.today())
        self.changed.emit()
        if row >= 0:
            self.row_left.emit(row)

    # ------------------------------------------------------------ data
    def findings(self) -> tuple[list[health_service.FindingInput], list[DomainError]]:
        """The rows for the service, plus errors the date widgets found themselves."""
        out: list[health_service.FindingInput] = []
        errors: list[DomainError] = []
        for i, w in enumerate(self._rows, start=1):
            for key in FINDING_DATES:
                err = w[key].error()
                if err is not None:
                    errors.append(DomainError(err.code, self.tr("异常结果第{0}条：").format(i) + err.message,
                                              "findings", row=i, key=key))
            level = w["level"].currentData() if w["level"].currentIndex() >= 0 else ""
            out.append(health_service.FindingInput(
                item=w["item"].text(), description=w["description"].text(), level=level or "",
                notified_date=w["notified_date"].value(), referral=w["referral"].text(),
                recheck_due=w["recheck_due"].value(), outcome=w["outcome"].text(),
                closed=w["closed"].isChecked(), closed_date=w["closed_date"].value(), id=w["id"]))
        return out, errors

    def mark_cells(self, cells: set[tuple[int, str]]) -> None:
        """Red border on the cells that have an error ((1-based row, column key))."""
        for i, w in enumerate(self._rows, start=1):
            for key in FINDING_COLUMNS:
                if key == "closed":
                    continue
                theme.set_state(target_of(w[key]), "error" if (i, key) in cells else None)
