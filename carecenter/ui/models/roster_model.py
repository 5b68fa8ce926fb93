"""Table model for the cadre roster: pages of tuples from db.queries, loaded lazily.

Filtering and sorting happen in SQL (``queries.roster_page``); the model keeps
only the rows fetched so far (plain tuples, never peewee objects) and asks for
the next page when the view scrolls near the end (``canFetchMore``/``fetchMore``).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from ...db import queries
from ...db.queries import ROSTER_COLUMNS, RosterFilter
from .paged import PAGE_SIZE, PagedSqlModel


# key -> header (ROSTER_COLUMNS are the query's sort keys)
HEADERS = {
    "name": "姓名", "sex": "性别", "age": "年龄", "unit": "单位", "post": "职务",
    "rank": "职级", "category": "类别", "phone": "电话", "status": "状态",
}
# position of each column in a roster_page row (id is 0, archived is last)
_ROW_INDEX = {key: i + 1 for i, key in enumerate(ROSTER_COLUMNS)}
ARCHIVED_INDEX = len(ROSTER_COLUMNS) + 1
NUMERIC = {"age"}
ARCHIVED_COLOUR = QColor("#8a929b")
ID_ROLE = Qt.ItemDataRole.UserRole
ARCHIVED_ROLE = Qt.ItemDataRole.UserRole + 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("RosterModel", text)


class RosterModel(PagedSqlModel):
    COLUMNS = list(ROSTER_COLUMNS)

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent, page_size=page_size, filter_=RosterFilter(), sort_key="name")

    def _count(self) -> int:
        return queries.roster_count(self._filter)

    def _page(self, offset: int, limit: int) -> list[tuple]:
        return queries.roster_page(self._filter, self._sort_key, self._descending, offset=offset, limit=limit)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        key = self.COLUMNS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._sort_key and descending == self._descending and (self._rows or not self._total):
            return
        self._set_sort(key, descending)

    # ------------------------------------------------------------ access
    def cadre_id(self, row: int) -> int | None:
        if 0 <= row < len(self._rows):
            return self._rows[row][0]
        return None

    def is_archived(self, row: int) -> bool:
        return 0 <= row < len(self._rows) and bool(self._rows[row][ARCHIVED_INDEX])

    def row_of(self, cadre_id: int) -> int:
        """Row of a loaded cadre, or -1."""
        for i, r in enumerate(self._rows):
            if r[0] == cadre_id:
                return i
        return -1

    # ------------------------------------------------------------ Qt model API
    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            key = self.COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return _tr(HEADERS[key])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                if key in NUMERIC:
                    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._rows):
            return section + 1
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(self.COLUMNS)):
            return None
        r = self._rows[row]
        key = self.COLUMNS[col]
        archived = bool(r[ARCHIVED_INDEX])
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = r[_ROW_INDEX[key]]
            if key == "status" and archived:
                return f"{value}{_tr('（已归档）')}"
            if key == "age":
                return str(value)
            if role == Qt.ItemDataRole.ToolTipRole and key != "unit":
                return None
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and archived:
            return ARCHIVED_COLOUR
        if role == ID_ROLE:
            return r[0]
        if role == ARCHIVED_ROLE:
            return archived
        return None

