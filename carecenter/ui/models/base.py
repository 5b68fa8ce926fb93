"""Base classes shared by the list models of the pages."""
from __future__ import annotations

from typing import Any

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
