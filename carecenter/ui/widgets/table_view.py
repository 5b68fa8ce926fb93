"""The table every list page uses: whole-row selection, comfortable rows, Enter/double-click opens."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

ROW_HEIGHT = 32


def set_column_widths(view: QTableView, columns: list[str], widths: dict[str, int]) -> None:
    """Columns named in ``widths`` get that width (the clerk may drag them); the others stretch."""
    header = view.horizontalHeader()
    for i, key in enumerate(columns):
        if widths.get(key):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            view.setColumnWidth(i, widths[key])
        else:
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)


def read_only_rows(view: QAbstractItemView, *, single: bool = True) -> None:
    """A read-only list of rows: whole rows selected (one at a time unless ``single`` is False),
    alternating colours, no grid, one line per row."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)


class DataTable(QTableView):
    """``open_requested(row)`` on double-click or Enter on the current row."""

    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        read_only_rows(self)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)
        vh = self.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        hh = self.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hh.setMinimumSectionSize(48)
        hh.setSectionsClickable(True)
        self.doubleClicked.connect(self._on_double_clicked)

    def _on_double_clicked(self, index) -> None:
        if index.isValid():
            self.open_requested.emit(index.row())

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            if index.isValid():
                self.open_requested.emit(index.row())
                event.accept()
                return
        super().keyPressEvent(event)

    def current_row(self) -> int:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if rows:
            return rows[0].row()
        return -1

    def select_row(self, row: int) -> None:
        model = self.model()
        if model is None or not (0 <= row < model.rowCount()):
            return
        self.setCurrentIndex(model.index(row, 0))
        self.selectRow(row)
        self.scrollTo(model.index(row, 0))
