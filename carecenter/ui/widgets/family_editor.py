"""Editable table of a cadre's family members, used inside the cadre dialog.

Each row is a set of ordinary input widgets (so Tab moves across a row in
reading order).  Rows removed here are only removed when the dialog is saved —
the service then archives them, never deletes.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain import roster as rules
from ...domain.errors import DomainError
from .. import theme
from .table_view import set_column_widths
from .date_edit import DateEdit
from .list_page import make_button

COLUMNS = ["name", "relation", "birth_date", "lives_with", "residence", "phone", "work_unit"]
WIDTHS = {"name": 90, "relation": 100, "birth_date": 140, "lives_with": 72, "phone": 124, "work_unit": 150}
ROW_HEIGHT = 36


class FamilyEditor(QWidget):
    changed = Signal()
    editing_finished = Signal()

    def __init__(self, relations: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.relations = relations
        self._rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(rules.FAMILY_LABELS[c]) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        set_column_widths(self.table, list(COLUMNS), WIDTHS)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.add_button = make_button(self.tr("添加成员"), "person-add", parent=self)
        self.remove_button = make_button(self.tr("移除成员"), "person-remove", parent=self,
                                         tooltip=self.tr("移除所选成员（保存后生效）"))
        self.remove_button.setEnabled(False)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self.remove_current_row)
        self.table.itemSelectionChanged.connect(self._update_buttons)

    # ------------------------------------------------------------ rows
    def set_members(self, members: list[dict[str, Any]]) -> None:
        self.table.setRowCount(0)
        self._rows.clear()
        for m in members:
            self.add_row(m, focus=False)
        self._update_buttons()

    def row_count(self) -> int:
        return len(self._rows)

    def row_widgets(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def _on_add_button_clicked(self) -> None:
        self.add_row(focus=True)
        self.changed.emit()

    def add_row(self, member: dict[str, Any] | None = None, *, focus: bool = True) -> int:
        member = member or {}
        row = self.table.rowCount()
        self.table.insertRow(row)
        w: dict[str, Any] = {"id": member.get("id")}
        w["name"] = QLineEdit(member.get("name") or "")
        w["name"].setMaxLength(40)
        w["relation"] = QComboBox()
        w["relation"].setPlaceholderText(self.tr("请选择"))
        w["relation"].addItems(self.relations)
        relation = member.get("relation") or ""
        if relation and relation not in self.relations:
            w["relation"].addItem(relation)
        w["relation"].setCurrentIndex(w["relation"].findText(relation) if relation else -1)
        w["birth_date"] = DateEdit(field="family", label=self.tr("出生日期"), compact=True)
        w["birth_date"].setValue(member.get("birth_date"))
        box = QWidget()
        box_layout = QHBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        w["lives_with"] = QCheckBox(box)
        w["lives_with"].setChecked(bool(member.get("lives_with", True)))
        w["lives_with"].setToolTip(self.tr("与干部同住（不同住的父母、配偶关系到探亲假）"))
        box_layout.addWidget(w["lives_with"])
        for key in ("residence", "phone", "work_unit"):
            w[key] = QLineEdit(member.get(key) or "")
            w[key].setMaxLength(100 if key != "phone" else 20)
        for i, col in enumerate(COLUMNS):
            self.table.setCellWidget(row, i, box if col == "lives_with" else w[col])
        self._rows.append(w)
        for key in COLUMNS:
            widget = w[key]
            target = widget.line_edit if isinstance(widget, DateEdit) else widget
            target.installEventFilter(self)
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._on_cell_changed)
                widget.editingFinished.connect(self.editing_finished)
            elif isinstance(widget, DateEdit):
                widget.edited.connect(self._on_cell_changed)
                widget.editing_finished.connect(self.editing_finished)
            elif isinstance(widget, QComboBox):
                widget.activated.connect(self._on_combo_activated)
            else:
                widget.toggled.connect(self._on_cell_changed)
        self._chain_tab_order()
        if focus:
            self.table.selectRow(row)
            self.table.scrollToBottom()
            w["name"].setFocus()
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
        self.editing_finished.emit()

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _row_of(self, widget) -> int:
        for i, w in enumerate(self._rows):
            for key in COLUMNS:
                cell = w[key]
                if cell is widget or (isinstance(cell, DateEdit) and cell.line_edit is widget):
                    return i
        return -1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.FocusIn:
            row = self._row_of(obj)
            if row >= 0 and row != self.current_row():
                self.table.selectRow(row)
        return super().eventFilter(obj, event)

    def _chain_tab_order(self) -> None:
        order = []
        for w in self._rows:
            for key in COLUMNS:
                cell = w[key]
                order.append(cell.line_edit if isinstance(cell, DateEdit) else cell)
        order.append(self.add_button)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def first_widget(self) -> QWidget:
        if self._rows:
            return self._rows[0]["name"]
        return self.add_button

    def last_widget(self) -> QWidget:
        return self.remove_button

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.current_row() >= 0)

    def _on_cell_changed(self, *_args) -> None:
        self.changed.emit()

    def _on_combo_activated(self, *_args) -> None:
        self.changed.emit()
        self.editing_finished.emit()

    # ------------------------------------------------------------ data
    def members(self) -> tuple[list[dict[str, Any]], list[DomainError]]:
        """Rows as dicts for the service, plus errors the widgets found (bad dates)."""
        out, errors = [], []
        for i, w in enumerate(self._rows, start=1):
            err = w["birth_date"].error()
            if err is not None:
                errors.append(DomainError(err.code, self.tr("家庭成员第{0}行：").format(i) + err.message,
                                          "family", row=i))
            relation = w["relation"].currentText() if w["relation"].currentIndex() >= 0 else ""
            out.append({
                "id": w["id"],
                "name": w["name"].text(),
                "relation": relation,
                "birth_date": w["birth_date"].value(),
                "lives_with": w["lives_with"].isChecked(),
                "residence": w["residence"].text(),
                "phone": w["phone"].text(),
                "work_unit": w["work_unit"].text(),
            })
        return out, errors

    def mark_rows(self, rows: set[int]) -> None:
        """Show which rows have an error (1-based row numbers)."""
        for i, w in enumerate(self._rows, start=1):
            theme.set_state(w["name"], "error" if i in rows else None)
