"""Table model for 单位管理.  A township has tens of units, so the list is read whole
(``services.roster.list_units`` returns plain dicts) and filtered/sorted in memory."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor

from ...domain.pinyin import initials_key

COLUMNS = ["name", "kind", "township", "township_category", "hardship_area_class", "cadre_count"]
HEADERS = {"name": "名称", "kind": "类别", "township": "所属乡镇", "township_category": "乡镇类别",
           "hardship_area_class": "艰苦边远地区类别", "cadre_count": "在册干部"}
NUMERIC = {"cadre_count"}
ID_ROLE = Qt.ItemDataRole.UserRole
ARCHIVED_COLOUR = QColor("#8a929b")


def _tr(text: str) -> str:
    return QCoreApplication.translate("UnitsModel", text)


class UnitsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[dict[str, Any]] = []
        self._rows: list[dict[str, Any]] = []
        self._text = ""
        self._township = ""
        self._sort = ("name", False)

    def set_units(self, units: list[dict[str, Any]]) -> None:
        self._all = [dict(u, _initials=initials_key(u["name"])) for u in units]
        self._apply()

    def set_filter(self, text: str = "", township: str = "") -> None:
        self._text, self._township = text.strip(), township
        self._apply()

    @property
    def unfiltered_count(self) -> int:
        return len(self._all)

    def _match(self, u: dict[str, Any]) -> bool:
        if self._township and u["township"] != self._township:
            return False
        q = self._text
        if not q:
            return True
        if q.isascii() and q.isalpha():
            return f" {q.lower()}" in u["_initials"] or q.lower() in u["name"].lower()
        return q in u["name"] or q in u["township"] or q in u["kind"]

    def _apply(self) -> None:
        self.beginResetModel()
        key, desc = self._sort
        rows = [u for u in self._all if self._match(u)]
        sort_key = (lambda u: u["_initials"]) if key == "name" else (lambda u: (u[key], u["_initials"]))
        rows.sort(key=sort_key, reverse=desc)
        rows.sort(key=lambda u: u["archived"])  # archived ones last
        self._rows = rows
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            self._sort = (COLUMNS[column], order == Qt.SortOrder.DescendingOrder)
            self._apply()

    def unit(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, unit_id: int) -> int:
        for i, u in enumerate(self._rows):
            if u["id"] == unit_id:
                return i
        return -1

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            key = COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return _tr(HEADERS[key])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                align = Qt.AlignmentFlag.AlignRight if key in NUMERIC else Qt.AlignmentFlag.AlignLeft
                return int(align | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        u = self._rows[index.row()]
        key = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = u.get(key)
            if key == "name" and u["archived"]:
                return f"{value}{_tr('（已归档）')}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignRight if key in NUMERIC else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and u["archived"]:
            return ARCHIVED_COLOUR
        if role == ID_ROLE:
            return u["id"]
        return None
