"""Base classes shared by the list models of the pages."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor

from .. import theme

ID_ROLE = Qt.ItemDataRole.UserRole          # the record's id
CADRE_ROLE = Qt.ItemDataRole.UserRole + 1   # the cadre's id
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class ColumnTable(QAbstractTableModel):
    """Shared plumbing for list models: ``COLUMNS`` keys, ``HEADERS`` texts (translated),
    ``NUMERIC`` right-aligned, ``TOOLTIP`` columns whose full text shows on hover; colour,
    icon and id roles through small hooks."""

    COLUMNS: list[str] = []
    HEADERS: dict[str, str] = {}
    NUMERIC: set[str] = set()
    TOOLTIP: set[str] = set()

    # Subclasses define ``_row_count() -> int`` and ``_text(row, key) -> str``.

    def _foreground(self, row: int, key: str) -> QColor | None:
        return None

    def _icon(self, row: int, key: str) -> str | None:
        return None

    def _tooltip(self, row: int, key: str) -> str | None:
        if key in self.TOOLTIP:
            return self._text(row, key) or None
        return None

    def _role(self, row: int, role: int) -> Any:
        return None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self.COLUMNS)

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            key = self.COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate("ListModels", self.HEADERS[key])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return RIGHT if key in self.NUMERIC else LEFT
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < self._row_count():
            return section + 1
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < self._row_count() and 0 <= col < len(self.COLUMNS)):
            return None
        key = self.COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if key in self.NUMERIC else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, key)
        if role == Qt.ItemDataRole.DecorationRole:
            name = self._icon(row, key)
            return theme.icon(name) if name else None
        if role in (ID_ROLE, CADRE_ROLE):
            return self._role(row, role)
        return None


class MemoryTable(ColumnTable):
    """A whole list held in memory, sorted here (``SORT_KEYS``), shown to the view ``CHUNK``
    rows at a time (``CHUNK = None``: all at once)."""

    CHUNK: int | None = 500

    SORT_KEYS: dict[str, Callable[[Any], Any]] = {}

    def __init__(self, parent=None, chunk: int | None = None):
        super().__init__(parent)
        self.chunk = chunk or self.CHUNK or 1 << 30
        self._all: list[Any] = []
        self._shown = 0
        self._fetching = False
        self._sort: tuple[str, bool] | None = None

    def set_rows(self, rows: Sequence[Any], keep_loaded: bool = False) -> None:
        loaded = self._shown
        self.beginResetModel()
        self._all = list(rows)
        self._apply_sort()
        self._shown = min(len(self._all), max(self.chunk, loaded if keep_loaded else 0))
        self.endResetModel()

    @property
    def total(self) -> int:
        return len(self._all)

    def rows(self) -> list[Any]:
        return list(self._all)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt naming
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt naming
        if parent.isValid() or self._shown >= len(self._all) or self._fetching:
            return
        end = min(len(self._all), self._shown + self.chunk)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), self._shown, end - 1)
            self._shown = end
            self.endInsertRows()
        finally:
            self._fetching = False

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (self.COLUMNS[column], order == Qt.SortOrder.DescendingOrder)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        if self._sort is None:
            return  # the service's own order (most urgent first)
        key, descending = self._sort
        getter = self.SORT_KEYS.get(key)
        if getter is None:
            return
        self._all.sort(key=getter, reverse=descending)

    def item(self, row: int) -> Any:
        return self._all[row] if 0 <= row < self._shown else None

    def _row_count(self) -> int:
        return self._shown
