"""干部花名册（全县） (county edition, issue 15): the consolidated roster, read-only.

One row per ID number across the townships' latest packages: a cadre who moved between
townships appears once, where they serve now, and 报送乡镇数 says in how many townships'
packages they appear.  Searched like the township roster (name characters, pinyin
initials, the tail of the ID number; Ctrl+F), filtered by township, paged from SQL.
Double-click (or Enter) opens the cadre's service history from every township; 导出
writes the list as shown to Excel (``county-roster``).
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from ...services import county
from ..dialogs.county_lists import HistoryDialog
from ..models.county_models import ROSTER_ORDER, CountyRosterModel
from ..widgets.list_page import ListPage, RefreshWhenShown, make_button, make_table, refill_combo, reset_filters

WIDTHS = {"name": 90, "sex": 52, "birth_date": 96, "id_number": 170, "township": 96, "unit": 180, "status": 80,
          "townships": 96}
HINT = "双击或按 Enter 查看该干部在各乡镇的任职经历"


class CountyRosterPage(RefreshWhenShown, ListPage):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("干部花名册（全县）"), self.tr("搜索 姓名/拼音首字母/身份证号尾号"), parent)
        self.dialog: HistoryDialog | None = None
        self.township_filter = QComboBox(self)
        self.township_filter.setMinimumWidth(160)
        self.township_filter.setToolTip(self.tr("只看某个乡镇最新报送的干部"))
        self.filter_bar.addWidget(self.township_filter)
        self.export_button = make_button(self.tr("导出"), "export", parent=self,
                                         tooltip=self.tr("按当前搜索和筛选导出全县干部名册到 Excel…"))
        self.action_bar.addWidget(self.export_button)
        self.export_button.clicked.connect(self.export_current)

        self.model = CountyRosterModel(self)
        self.table_view = make_table(self, self.model, WIDTHS)
        self.table_view.setSortingEnabled(True)
        header = self.table_view.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.sortIndicatorChanged.connect(self._show_order)
        self.set_table(self.table_view)
        self.hint_label.setText(self.tr(HINT))

        self.search_changed.connect(lambda _t: self.apply_filter())
        self.township_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.table_view.open_requested.connect(self.open_history)

    # ================================================================ loading
    def refresh(self) -> None:
        """Read the townships (for the filter) and the roster again."""
        self._stale = False
        # every township the county knows (the list of any year names them all)
        towns = county.submissions(date.today().year)
        refill_combo(self.township_filter, (self.tr("全部乡镇"), ""), [(t.name, t.code) for t in towns])
        self.apply_filter()

    def current_filter(self) -> tuple[str, str | None]:
        return self.search_box.text().strip(), self.township_filter.currentData() or None

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        total = self.model.total
        if total:
            self.show_table()
        elif county.roster_count() == 0:
            self.show_empty(self.tr("还没有乡镇的干部名册。\n在「报送情况」页接收乡镇的报送包后，这里列出全县的干部。"))
        else:
            self.show_empty(self.tr("没有符合条件的干部"), self.tr("清除搜索和筛选"), self.clear_filters)
        self.count_label.setText(self.tr("共 {0} 人").format(f"{total:,}") if total else "")

    def _show_order(self, *_args) -> None:
        """The arrow stays on the column the list is really ordered by (the service orders a few
        columns, ascending only)."""
        header = self.table_view.horizontalHeader()
        column = next(i for i, key in enumerate(self.model.COLUMNS) if ROSTER_ORDER.get(key) == self.model.order)
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, Qt.SortOrder.AscendingOrder):
            blocked = header.blockSignals(True)
            header.setSortIndicator(column, Qt.SortOrder.AscendingOrder)
            header.blockSignals(blocked)
            header.viewport().update()

    def clear_filters(self) -> None:
        reset_filters(self.township_filter, self.search_box)
        self.apply_filter()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)
        self._search_timer.stop()
        self.apply_filter()

    # ================================================================ the history
    def open_history(self, row: int) -> HistoryDialog | None:
        r = self.model.row_tuple(row)
        if r is None:
            return None
        dialog = HistoryDialog(self.model.id_number(row), self.model.data(self.model.index(row, 0)),
                               self.model.data(self.model.index(row, self.model.COLUMNS.index("id_number"))), self)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def export_current(self):
        """导出: the roster as shown (search, township, order; every row) to Excel; the full ID
        number only when asked for (and allowed), audited like every export."""
        from ...services.exports import CountyRosterQuery
        from ..export_action import export_view

        search, code = self.current_filter()
        return export_view(self, "county-roster", CountyRosterQuery(search, code, self.model.order),
                           count=self.model.total)

    def add(self) -> None:
        """Ctrl+N: the roster is read-only here (it comes from the townships' packages)."""
        self.focus_search()
