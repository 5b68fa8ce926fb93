"""The pieces a tab of the cadre's detail window is built from.

* ``detail_page(tab)``: the tab's scrolling page; returns the column to add boxes to.
* ``record_table(headers, …)``: a read-only table of records (one row selected at a time).
* ``cell(text, …)``: one of its cells (right-aligned numbers, a colour, an icon, the full
  text as tooltip when long).
* ``HistoryBox``: a titled box with 新增 / 修改 and a count above the records, a line
  shown while there are none; double-click edits; ``show_rows`` fills it from dicts with
  an ``id``.  A new history is a few declarations::

      box = HistoryBox(self.tr("请假记录"), HEADERS, widths=(110, 120), add_text=…, …)
      box.show_rows(records, lambda r: [cell(r["type_name"]), …], count_text)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from .list_page import make_button
from .table_view import read_only_rows

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ROW_HEIGHT = 30


def detail_page(tab: QWidget) -> QVBoxLayout:
    """Give ``tab`` a scrolling page (as every detail tab has) and return its column."""
    outer = QVBoxLayout(tab)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea(tab)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    outer.addWidget(scroll)
    content = QWidget()
    content.setObjectName("DetailContent")
    scroll.setWidget(content)
    column = QVBoxLayout(content)
    column.setContentsMargins(18, 8, 18, 16)
    column.setSpacing(6)
    return column


def group_column(*args) -> tuple[QGroupBox, QVBoxLayout]:
    """A titled box of a detail tab (``QGroupBox(*args)``) and the column inside it."""
    box = QGroupBox(*args)
    col = QVBoxLayout(box)
    col.setContentsMargins(0, 8, 0, 0)
    return box, col


def record_table(headers: Sequence[str], parent: QWidget | None = None, widths: Sequence[int] = (), *,
                 stretch: int | None = -1) -> QTableWidget:
    """A read-only table, one row selected at a time; ``widths`` of the first columns;
    column ``stretch`` (default the last, None for none) takes the rest of the width."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    read_only_rows(table)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    for i, width in enumerate(widths):
        table.setColumnWidth(i, width)
    if stretch is not None:
        header.setSectionResizeMode(stretch % len(headers), QHeaderView.ResizeMode.Stretch)
    return table


def cell(text: str, right: bool = False, colour: QColor | None = None, icon: str = "",
         tooltip_over: int = 16) -> QTableWidgetItem:
    """A table cell; texts longer than ``tooltip_over`` characters show in full on hover."""
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(RIGHT)
    if colour is not None:
        item.setForeground(colour)
    if icon:
        item.setIcon(theme.icon(icon))
    if len(text) > tooltip_over:
        item.setToolTip(text)
    return item


def fill_table(table: QTableWidget, rows: Sequence[dict[str, Any]],
               cells_of: Callable[[dict[str, Any]], list[QTableWidgetItem]]) -> None:
    """One table row per dict; every cell carries the dict's ``id`` (UserRole) when it has one."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, item in enumerate(cells_of(row)):
            if row.get("id") is not None:
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
            table.setItem(r, c, item)


class HistoryBox(QGroupBox):
    """A titled list of records: a bar (新增, 修改, a count at the right), the table and a
    line shown while empty.  ``add_requested`` / ``edit_requested`` (修改 or double-click)."""

    add_requested = Signal()
    edit_requested = Signal()

    def __init__(self, title: str, headers: Sequence[str], *, widths: Sequence[int] = (), add_text: str,
                 add_icon: str, add_tip: str, edit_tip: str, empty_text: str, min_height: int = 180,
                 parent: QWidget | None = None):
        super().__init__(title, parent)
        self.rows: list[dict[str, Any]] = []
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 8, 0, 0)     # as group_column
        col.setSpacing(6)
        self.bar = QHBoxLayout()
        self.bar.setSpacing(8)
        self.add_button = make_button(add_text, add_icon, primary=True, parent=self, tooltip=add_tip)
        self.edit_button = make_button(self.tr("修改"), "edit", parent=self, tooltip=edit_tip)
        self.bar.addWidget(self.add_button)
        self.bar.addWidget(self.edit_button)
        self.bar.addStretch(1)
        self.count_label = QLabel(self)
        theme.set_role(self.count_label, "count")
        self.bar.addWidget(self.count_label)
        col.addLayout(self.bar)
        self.table = record_table(headers, self, widths)
        self.table.setMinimumHeight(min_height)
        col.addWidget(self.table, 1)
        self.empty_label = QLabel(empty_text, self)
        theme.set_role(self.empty_label, "hint")
        col.addWidget(self.empty_label)
        self.add_button.clicked.connect(self.add_requested)
        self.edit_button.clicked.connect(self.edit_requested)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_requested.emit())
        self.table.itemSelectionChanged.connect(self.update_buttons)

    def show_rows(self, rows: Sequence[dict[str, Any]], cells_of: Callable[[dict[str, Any]], list[QTableWidgetItem]],
                  count_text: str = "") -> None:
        """Fill the table (or show the empty line) and the count."""
        self.rows = list(rows)
        fill_table(self.table, self.rows, cells_of)
        self.table.setVisible(bool(self.rows))
        self.empty_label.setVisible(not self.rows)
        self.count_label.setText(count_text if self.rows else "")
        self.update_buttons()

    def selected_id(self) -> int | None:
        selected = self.table.selectionModel().selectedRows()
        if selected and 0 <= selected[0].row() < len(self.rows):
            return self.rows[selected[0].row()]["id"]
        return None

    def select_id(self, row_id: int) -> None:
        for r, row in enumerate(self.rows):
            if row["id"] == row_id:
                self.table.selectRow(r)
                break

    def update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_id() is not None)
