"""Table models for 休假管理.

``LeaveModel``: leave records in pages of tuples from ``db.queries.leave_page``,
filtered and sorted in SQL, loaded lazily (``canFetchMore``/``fetchMore``) like
the roster.

``BalanceModel``: the year's annual-leave balance per cadre.  The rows come
whole from ``services.leave.annual_balances`` (computed off the GUI thread by
the page) as plain ``BalanceRow`` tuples and are sorted here in Python — one
list of tuples, never one item object per cell.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QColor

from ...db import queries
from ...db.queries import LeaveFilter
from ...domain import leave as rules
from .. import theme
from .paged import PAGE_SIZE, PagedSqlModel

ID_ROLE = Qt.ItemDataRole.UserRole
CADRE_ROLE = Qt.ItemDataRole.UserRole + 1

MUTED_COLOUR = QColor(theme.MUTED)
DONE_COLOUR = QColor("#1b7a3d")
WARNING_COLOUR = QColor(theme.WARNING)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)  # numeric headers: clear of the sort arrow at the right

#: From this day of the year on, a balance left over is marked 未休完 (a past year: always).
LATE_IN_YEAR = (10, 1)


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeaveModels", text)


def fmt_days(value: Any) -> str:
    """2.5 → '2.5', 6 → '6', '0' → '0' (day counts are exact halves)."""
    if value is None or value == "":
        return ""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return str(d.normalize())


def fmt_start(day: date | None, half: bool) -> str:
    """Start of a leave: 2026-11-25, or 2026-11-25 下午 when it starts in the afternoon."""
    if day is None:
        return ""
    return f"{day.isoformat()} {_tr('下午')}" if half else day.isoformat()


def fmt_end(day: date | None, half: bool) -> str:
    """End of a leave: 2026-11-27, or 2026-11-27 上午 when it ends at noon."""
    if day is None:
        return ""
    return f"{day.isoformat()} {_tr('上午')}" if half else day.isoformat()


def status_colour(status: str) -> QColor | None:
    """已撤销 muted, 已销假 green (done); the status word is always shown too."""
    if status == rules.STATUS_CANCELLED:
        return MUTED_COLOUR
    if status == rules.STATUS_CLOSED:
        return DONE_COLOUR
    return None


# ================================================================ leave records

class LeaveModel(PagedSqlModel):
    COLUMNS = ["name", "unit", "type", "start", "end", "days", "travel", "status", "approver", "reason"]
    HEADERS = {"name": "姓名", "unit": "单位", "type": "假别", "start": "开始", "end": "结束", "days": "天数",
               "travel": "路程假", "status": "状态", "approver": "审批人", "reason": "事由"}
    NUMERIC = {"days", "travel"}
    #: columns sorted in SQL (queries.LEAVE_SORT); the others keep the current order
    SORTABLE = {"name", "unit", "type", "start", "end", "days", "status", "approver"}

    # positions in a leave_page row
    _ID, _CADRE, _NAME, _UNIT, _TYPE, _START, _END, _SHALF, _EHALF, _DAYS, _TRAVEL, _STATUS, _APPROVER, \
        _REASON = range(14)

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent, page_size=page_size, filter_=LeaveFilter(), sort_key="start", descending=True)
        self._type_names: dict[str, str] = dict(rules.LEAVE_TYPE_NAMES)

    def set_type_names(self, names: dict[str, str]) -> None:
        self._type_names = dict(rules.LEAVE_TYPE_NAMES) | dict(names)

    def _count(self) -> int:
        return queries.leave_count(self._filter)

    def _page(self, offset: int, limit: int) -> list[tuple]:
        return queries.leave_page(self._filter, self._sort_key, self._descending, offset=offset, limit=limit)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        key = self.COLUMNS[column]
        if key not in self.SORTABLE:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._sort_key and descending == self._descending and (self._rows or not self._total):
            return
        self._set_sort(key, descending)

    # ------------------------------------------------------------ access
    def record_id(self, row: int) -> int | None:
        return self._rows[row][self._ID] if 0 <= row < len(self._rows) else None

    def cadre_id(self, row: int) -> int | None:
        return self._rows[row][self._CADRE] if 0 <= row < len(self._rows) else None

    def status(self, row: int) -> str:
        return self._rows[row][self._STATUS] if 0 <= row < len(self._rows) else ""

    def describe(self, row: int) -> str:
        """'张三 2026-11-02 至 2026-11-06 年休假' — names the record in confirmations."""
        if not 0 <= row < len(self._rows):
            return ""
        r = self._rows[row]
        start = fmt_start(r[self._START], r[self._SHALF])
        end = fmt_end(r[self._END], r[self._EHALF])
        span = start if start == end else _tr("{0} 至 {1}").format(start, end)
        return f"{r[self._NAME]} {span} {self._type_names.get(r[self._TYPE], r[self._TYPE])}"

    def row_of(self, record_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r[self._ID] == record_id:
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
                return _tr(self.HEADERS[key])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return CENTER if key in self.NUMERIC else LEFT
            if role == Qt.ItemDataRole.ToolTipRole and key not in self.SORTABLE:
                return _tr("此列不能排序")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._rows):
            return section + 1
        return None

    def _text(self, r: tuple, key: str) -> str:
        if key == "name":
            return r[self._NAME]
        if key == "unit":
            return r[self._UNIT] or ""
        if key == "type":
            return self._type_names.get(r[self._TYPE], r[self._TYPE])
        if key == "start":
            return fmt_start(r[self._START], r[self._SHALF])
        if key == "end":
            return fmt_end(r[self._END], r[self._EHALF])
        if key == "days":
            return fmt_days(r[self._DAYS])
        if key == "travel":
            travel = Decimal(str(r[self._TRAVEL] or 0))
            return fmt_days(travel) if travel else ""
        if key == "status":
            return r[self._STATUS]
        if key == "approver":
            return r[self._APPROVER] or ""
        return r[self._REASON] or ""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(self.COLUMNS)):
            return None
        r = self._rows[row]
        key = self.COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in ("reason", "unit"):
                text = self._text(r, key)
                return text or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if key in self.NUMERIC else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            status = r[self._STATUS]
            if status == rules.STATUS_CANCELLED:
                return MUTED_COLOUR
            if key == "status":
                return status_colour(status)
            return None
        if role == ID_ROLE:
            return r[self._ID]
        if role == CADRE_ROLE:
            return r[self._CADRE]
        return None


# ================================================================ annual-leave balances

def is_late(year: int, today: date | None = None) -> bool:
    """Is it late enough in ``year`` that leave still left over should be pointed out?"""
    today = today or date.today()
    return year < today.year or (year == today.year and (today.month, today.day) >= LATE_IN_YEAR)


class BalanceModel(QAbstractTableModel):
    COLUMNS = ["name", "unit", "due", "taken", "remaining", "reason"]
    HEADERS = {"name": "姓名", "unit": "单位", "due": "应休", "taken": "已休", "remaining": "剩余",
               "reason": "说明"}
    NUMERIC = {"due", "taken", "remaining"}
    TOOLTIPS = {"due": "本年应休天数（含上年顺延）", "taken": "已批准和已销假的年休假天数",
                "remaining": "应休减已休（顺延到下年的已扣除）"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple] = []     # (order, BalanceRow)
        self._year = date.today().year
        self._late = False
        self._sort = ("name", False)

    # ------------------------------------------------------------ loading
    @property
    def year(self) -> int:
        return self._year

    @property
    def total(self) -> int:
        return len(self._rows)

    @property
    def sort_key(self) -> str:
        return self._sort[0]

    @property
    def descending(self) -> bool:
        return self._sort[1]

    def set_rows(self, year: int, rows: Sequence[Any], today: date | None = None) -> None:
        """Show ``rows`` (BalanceRow, in the service's name order) for ``year``."""
        self.beginResetModel()
        self._year = year
        self._late = is_late(year, today)
        self._rows = list(enumerate(rows))
        self._sort_rows()
        self.endResetModel()

    def unfinished_count(self) -> int:
        """Cadres marked 未休完 (leave left over late in the year)."""
        return sum(1 for _, r in self._rows if self._unfinished(r))

    def _unfinished(self, r) -> bool:
        return self._late and r.remaining > 0

    def _key(self, key: str, item: tuple):
        order, r = item
        if key == "name":
            return order   # the service's pinyin order
        if key == "unit":
            return r.unit
        if key == "due":
            return r.entitled + r.deferred_in
        if key == "taken":
            return r.taken
        if key == "remaining":
            return r.remaining
        return self._reason(r)

    def _sort_rows(self) -> None:
        key, descending = self._sort
        # ties stay in name order either way (Python's sort is stable, also with reverse=True)
        self._rows.sort(key=lambda item: item[0])
        self._rows.sort(key=lambda item: self._key(key, item), reverse=descending)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        old = [item[1].cadre_id for item in self._rows]
        persistent = self.persistentIndexList()
        self._sort = (self.COLUMNS[column], order == Qt.SortOrder.DescendingOrder)
        self._sort_rows()
        if persistent:
            where = {item[1].cadre_id: i for i, item in enumerate(self._rows)}
            self.changePersistentIndexList(
                persistent, [self.index(where[old[p.row()]], p.column()) for p in persistent])
        self.layoutChanged.emit()

    # ------------------------------------------------------------ access
    def cadre_id(self, row: int) -> int | None:
        return self._rows[row][1].cadre_id if 0 <= row < len(self._rows) else None

    def balance(self, row: int):
        return self._rows[row][1] if 0 <= row < len(self._rows) else None

    def row_of(self, cadre_id: int) -> int:
        for i, (_, r) in enumerate(self._rows):
            if r.cadre_id == cadre_id:
                return i
        return -1

    def _reason(self, r) -> str:
        if self._unfinished(r):
            return _tr("未休完。") + r.reason
        return r.reason

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self._rows)

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
                return _tr(self.HEADERS[key])
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return CENTER if key in self.NUMERIC else LEFT
            if role == Qt.ItemDataRole.ToolTipRole and key in self.TOOLTIPS:
                return _tr(self.TOOLTIPS[key])
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
        r = self._rows[row][1]
        key = self.COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "name":
                return r.name
            if key == "unit":
                return r.unit
            if key == "due":
                return fmt_days(r.entitled + r.deferred_in)
            if key == "taken":
                return fmt_days(r.taken)
            if key == "remaining":
                return fmt_days(r.remaining)
            return self._reason(r)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "reason":
                return self._reason(r)
            if key == "due" and r.deferred_in:
                return _tr("本年 {0} 天，上年顺延 {1} 天").format(fmt_days(r.entitled), fmt_days(r.deferred_in))
            if key == "unit":
                return r.unit or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if key in self.NUMERIC else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            if key in ("remaining", "reason") and self._unfinished(r):
                return WARNING_COLOUR
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            if key == "reason" and self._unfinished(r):
                return theme.icon("warning")
            return None
        if role == ID_ROLE or role == CADRE_ROLE:
            return r.cadre_id
        return None
