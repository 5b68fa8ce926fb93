"""休假管理: leave records (filter, add, edit, approve, 销假, 撤销) and the year's
annual-leave balances (sortable, to find who has not rested), with the calendar
and leave-rule settings one click away.

Importing this module registers the 休假 tab of the cadre detail window.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QFrame, QHBoxLayout, QPushButton, QWidget

from ...db import queries
from ...db.database import db
from ...db.queries import LeaveFilter
from ...domain import leave as rules
from ...domain.errors import DomainError
from ...services import leave as leave_service
from ...services import roster as roster_service
from .. import messages
from ..dialogs.cadre_detail import register_detail_tab
from ..dialogs.leave_calendar_dialog import LeaveCalendarDialog
from ..dialogs.deferral_dialog import DeferralDialog
from ..dialogs.leave_dialog import LeaveDialog
from ..dialogs.leave_types_dialog import LeaveTypesDialog
from ..models.leave_models import BalanceModel, LeaveModel
from ..tasks import run_job
from ..widgets.leave_tab import make_leave_tab
from ..widgets.list_page import (ListPage, make_button, make_table, refill_combo, reset_filters, single_shot,
                                 unit_items)
from ..widgets.table_view import DataTable

register_detail_tab("休假", make_leave_tab)

RECORDS, BALANCES = "records", "balances"
RECORD_WIDTHS = {"name": 88, "unit": 170, "type": 110, "start": 126, "end": 126, "days": 64, "travel": 68,
                 "status": 76, "approver": 120}
BALANCE_WIDTHS = {"name": 100, "unit": 200, "due": 76, "taken": 76, "remaining": 96}
RECORDS_HINT = "双击或按 Enter 修改请假记录"
BALANCE_HINT = "点击列标题排序，如按「剩余」找出还没休完的人；双击打开干部详情"
SEGMENT_STYLE = """
QPushButton { border: 1px solid #c5ccd4; border-radius: 0px; padding: 4px 16px; background: #ffffff;
              min-width: 72px; color: #374151; }
QPushButton:hover { background: #f1f4f7; }
QPushButton:checked { background: #dbe7f5; color: #1d4f88; font-weight: bold; border-color: #9db6d3; }
QPushButton#SegmentFirst { border-top-left-radius: 4px; border-bottom-left-radius: 4px; }
QPushButton#SegmentLast { border-top-right-radius: 4px; border-bottom-right-radius: 4px; border-left: none; }
"""


def _compute_balances(_ctx, year: int, unit_id: int | None, text: str):
    """Worker thread: the year's balance rows (≈300 ms at 50,000 cadres)."""
    try:
        return leave_service.annual_balances(year, unit_id, text)
    finally:
        # peewee keeps one connection per thread; a pooled worker thread outlives the
        # job (and possibly the database it opened), so it gives its connection back
        db.close()


class LeavePage(ListPage):
    """Signals: ``cadre_open_requested(id)`` (open the detail window) and
    ``leaves_changed()`` (a record or deferral was saved here: detail windows re-read)."""

    cadre_open_requested = Signal(int)
    leaves_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("休假管理"), self.tr("搜索 姓名/拼音首字母/身份证尾号"), parent)
        self.view = RECORDS
        self.dialog = None
        self.settings_dialog = None
        self._has_cadres = False
        self._balance_gen = 0
        self._balance_job = None
        self._balance_pending = False
        self._balance_stale = True
        self._balance_loaded = False
        this_year = date.today().year

        # ---- header: the two views, the settings
        header = self.layout().itemAt(0).layout()
        segment = QFrame(self)
        segment.setStyleSheet(SEGMENT_STYLE)
        sl = QHBoxLayout(segment)
        sl.setContentsMargins(16, 0, 0, 0)
        sl.setSpacing(0)
        self.records_tab = QPushButton(self.tr("请假记录"), segment)
        self.records_tab.setObjectName("SegmentFirst")
        self.balance_tab = QPushButton(self.tr("年休假余额"), segment)
        self.balance_tab.setObjectName("SegmentLast")
        self.view_group = QButtonGroup(self)
        for b in (self.records_tab, self.balance_tab):
            b.setCheckable(True)
            b.setAutoDefault(False)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            self.view_group.addButton(b)
            sl.addWidget(b)
        self.records_tab.setChecked(True)
        self.records_tab.setToolTip(self.tr("所有请假记录"))
        self.balance_tab.setToolTip(self.tr("每名干部本年度年休假的应休、已休和剩余天数"))
        header.insertWidget(1, segment)
        self.calendar_button = make_button(self.tr("日历设置"), "calendar", parent=self,
                                           tooltip=self.tr("法定节假日和调休上班日"))
        self.rules_button = make_button(self.tr("假期规则"), "leave-rules", parent=self,
                                        tooltip=self.tr("各类假期的天数、计算方式和证明要求"))
        header.insertWidget(3, self.calendar_button)
        header.insertWidget(4, self.rules_button)
        header.insertSpacing(5, 8)

        # ---- filters
        self.year_filter = QComboBox(self)
        self.year_filter.setToolTip(self.tr("按请假开始日期所在年度筛选"))
        self.year_filter.setMinimumWidth(100)
        self.balance_year = QComboBox(self)
        self.balance_year.setToolTip(self.tr("计算哪一年的年休假"))
        self.balance_year.setMinimumWidth(100)
        self.unit_filter = QComboBox(self)
        self.unit_filter.setMinimumWidth(180)
        self.unit_filter.setMaxVisibleItems(20)
        self.unit_filter.setToolTip(self.tr("按单位筛选"))
        self.type_filter = QComboBox(self)
        self.type_filter.setMinimumWidth(110)
        self.type_filter.setMaxVisibleItems(15)
        self.type_filter.setToolTip(self.tr("按假别筛选"))
        self.status_filter = QComboBox(self)
        self.status_filter.addItem(self.tr("全部状态"), "")
        for status in rules.LEAVE_STATUSES:
            self.status_filter.addItem(self.tr(status), status)
        self.status_filter.setToolTip(self.tr("按状态筛选"))
        for w in (self.year_filter, self.balance_year, self.unit_filter, self.type_filter, self.status_filter):
            self.filter_bar.addWidget(w)

        # ---- actions
        self.add_button = make_button(self.tr("新增"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("登记一次请假（Ctrl+N）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选请假记录"))
        self.approve_button = make_button(self.tr("批准"), "leave-approve", parent=self,
                                          tooltip=self.tr("把所选申请改为已批准"))
        self.close_button = make_button(self.tr("销假"), "leave-return", parent=self,
                                        tooltip=self.tr("干部休假结束回岗，登记销假"))
        self.cancel_button = make_button(self.tr("撤销"), "leave-cancel", parent=self,
                                         tooltip=self.tr("撤销所选请假（记录保留，天数不再计入）"))
        self.defer_button = make_button(self.tr("登记顺延"), "leave-defer", parent=self,
                                        tooltip=self.tr("单位安排所选干部的年休假跨年度休（最多顺延 1 年）"))
        for b in (self.add_button, self.edit_button, self.approve_button, self.close_button, self.cancel_button,
                  self.defer_button):
            self.action_bar.addWidget(b)
        self.make_exchange_buttons(self.tr("预览并打印所选年度的年休假统计表"))
        # the action bar is full (it must fit 1280 px: 1920×1080 at 150%): 导入/导出 go up here
        header.insertWidget(header.indexOf(self.calendar_button), self.import_button)
        header.insertWidget(header.indexOf(self.calendar_button), self.export_button)
        self.action_bar.addWidget(self.print_button)

        # ---- tables
        self.model = LeaveModel(self)
        self.table_view = self._make_table(self.model, RECORD_WIDTHS)
        self.table_view.horizontalHeader().setSortIndicator(LeaveModel.COLUMNS.index("start"),
                                                            Qt.SortOrder.DescendingOrder)
        self.table_view.setSortingEnabled(True)
        self.balance_model = BalanceModel(self)
        self.balance_view = self._make_table(self.balance_model, BALANCE_WIDTHS)
        self.balance_view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.balance_view.setSortingEnabled(True)
        self.set_table(self.table_view)
        self.stack.addWidget(self.balance_view)
        self.hint_label.setText(self.tr(RECORDS_HINT))
        self._flash = single_shot(self, 6000, self._restore_hint)
        # several changes in one go: compute once
        self._balance_timer = single_shot(self, 0, self._load_balances)

        # ---- wiring
        self.view_group.buttonClicked.connect(self._on_view_button_clicked)
        self.search_changed.connect(self._on_search_changed)
        for combo in (self.year_filter, self.type_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._on_records_filter_changed)
        self.unit_filter.currentIndexChanged.connect(self._on_unit_filter_changed)
        self.balance_year.currentIndexChanged.connect(self._on_balance_year_changed)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.approve_button.clicked.connect(lambda: self.set_selected_status(rules.STATUS_APPROVED))
        self.close_button.clicked.connect(lambda: self.set_selected_status(rules.STATUS_CLOSED))
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.defer_button.clicked.connect(self.defer_selected)
        self.calendar_button.clicked.connect(lambda: self.open_calendar_settings())
        self.rules_button.clicked.connect(self.open_rule_settings)
        self.table_view.open_requested.connect(self._on_table_open_requested)
        self.balance_view.open_requested.connect(self._on_balance_open_requested)
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.balance_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.balance_model.modelReset.connect(self._update_buttons)
        self.table_view.horizontalHeader().sortIndicatorChanged.connect(self._on_records_sort_changed)

        self._fill_years(this_year, this_year)
        self.reload_types(apply=False)
        self.reload_units(apply=False)
        # nothing is read until the page is first shown: start-up stays fast at 50,000 cadres
        self._loaded = False
        self.view = RECORDS

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.model.set_filter(self.current_filter())
            self._show_view(self.view)

    def _make_table(self, model, widths: dict[str, int]) -> DataTable:
        view = make_table(self, model, widths)
        view.horizontalHeader().setSortIndicatorShown(True)
        return view

    # ================================================================ views
    @property
    def is_balance_view(self) -> bool:
        return self.view == BALANCES

    def show_records(self) -> None:
        self._show_view(RECORDS)

    def show_balances(self) -> None:
        self._show_view(BALANCES)

    def set_view(self, key: str) -> None:
        """Show the "records" or "balances" view (the home page links here); "calendar:2027"
        opens 日历设置 on that year."""
        if key.startswith("calendar"):
            year = key.partition(":")[2]
            self.open_calendar_settings(int(year) if year.isdigit() else None)
            return
        self.view = BALANCES if key == BALANCES else RECORDS
        if self._loaded:
            self._show_view(self.view)

    def _on_view_button_clicked(self, button) -> None:
        self._show_view(BALANCES if button is self.balance_tab else RECORDS)

    def _show_view(self, view: str) -> None:
        self.view = view
        balance = view == BALANCES
        (self.balance_tab if balance else self.records_tab).setChecked(True)
        self.table = self.balance_view if balance else self.table_view
        for w in (self.year_filter, self.type_filter, self.status_filter, self.edit_button, self.approve_button,
                  self.close_button, self.cancel_button):
            w.setVisible(not balance)
        self.balance_year.setVisible(balance)
        self.defer_button.setVisible(balance)
        self.add_button.setText(self.tr("登记休假") if balance else self.tr("新增"))
        self.add_button.setToolTip(self.tr("为所选干部登记一次请假（Ctrl+N）") if balance
                                   else self.tr("登记一次请假（Ctrl+N）"))
        self._restore_hint()
        if balance:
            if self._balance_stale:
                self._load_balances()
            else:
                self._after_balance_load()
        else:
            self._after_load(self.selected_record_id())

    def _restore_hint(self) -> None:
        self.hint_label.setText(self.tr(BALANCE_HINT) if self.is_balance_view else self.tr(RECORDS_HINT))

    def _flash_hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self._flash.start()

    # ================================================================ filters
    def _fill_years(self, first: int, last: int) -> None:
        this = date.today().year
        span = queries.leave_year_range()
        if span:
            first, last = min(first, span[0]), max(last, span[1])
        years = list(range(max(last, this + 1), min(first, this) - 1, -1))
        for combo, with_all in ((self.year_filter, True), (self.balance_year, False)):
            current = combo.currentData() if combo.count() else this
            combo.blockSignals(True)
            combo.clear()
            if with_all:
                combo.addItem(self.tr("全部年度"), 0)
            for y in years:
                combo.addItem(self.tr("{0} 年").format(y), y)
            index = combo.findData(current)
            combo.setCurrentIndex(index if index >= 0 else combo.findData(this))
            combo.blockSignals(False)

    def reload_types(self, apply: bool = True) -> None:
        """Refill the 假别 filter (after the rules changed)."""
        self._type_names = leave_service.type_names()
        self.model.set_type_names(dict(self._type_names))
        refill_combo(self.type_filter, (self.tr("全部假别"), ""), [(name, code) for code, name in self._type_names])
        if apply:
            self.apply_filter()

    def reload_units(self, apply: bool = True) -> None:
        """Refill the 单位 filter (after units changed)."""
        refill_combo(self.unit_filter, (self.tr("全部单位"), 0), unit_items())
        if apply:
            self.apply_filter()
            self._balance_changed()

    def print_register(self):
        """打印: the 年休假统计表 of the year shown (and the unit filtered on), built in the background."""
        from ..dialogs.print_preview_dialog import preview_register

        combo = self.balance_year if self.view == BALANCES else self.year_filter
        year = combo.currentData() or date.today().year
        return preview_register(self, "leave", str(year), self.unit_filter.currentData() or None)

    def current_filter(self) -> LeaveFilter:
        return LeaveFilter(year=self.year_filter.currentData() or None, unit_id=self.unit_filter.currentData() or None,
                           type_code=self.type_filter.currentData() or "",
                           status=self.status_filter.currentData() or "", text=self.search_box.text())

    def set_search_text(self, text: str) -> None:
        """Put ``text`` in the search box and filter at once (no typing pause)."""
        self.search_box.setText(text)
        self._search_timer.stop()
        self._on_search_changed(text)

    def _on_search_changed(self, _text: str) -> None:
        self.apply_filter()
        self._balance_changed()

    def _on_records_filter_changed(self, *_args) -> None:
        self.apply_filter()

    def _on_unit_filter_changed(self, *_args) -> None:
        self.apply_filter()
        self._balance_changed()

    def _on_balance_year_changed(self, *_args) -> None:
        self._balance_changed()

    def clear_filters(self) -> None:
        # 全部单位 / 全部假别 / 全部状态 / 全部年度
        reset_filters(self.unit_filter, self.type_filter, self.status_filter, self.year_filter, self.search_box)
        self._search_timer.stop()
        self.apply_filter()
        self._balance_changed()

    def _on_records_sort_changed(self, column: int, _order) -> None:
        key = LeaveModel.COLUMNS[column] if 0 <= column < len(LeaveModel.COLUMNS) else ""
        if key not in LeaveModel.SORTABLE:
            header = self.table_view.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(LeaveModel.COLUMNS.index(self.model.sort_key),
                                    Qt.SortOrder.DescendingOrder if self.model.descending
                                    else Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            self._flash_hint(self.tr("「{0}」列不能排序").format(self.tr(LeaveModel.HEADERS[key])))

    # ================================================================ records
    def apply_filter(self, select_id: int | None = None) -> None:
        if not self._loaded:
            return  # the filter is applied when the page is first shown
        keep = select_id if select_id is not None else self.selected_record_id()
        self.model.set_filter(self.current_filter())
        self._after_load(keep)

    def import_from_excel(self) -> None:
        from ..dialogs.import_wizard import open_import_wizard  # openpyxl loads on first use

        open_import_wizard(self, "leave", self._on_imported)

    def _on_imported(self, _kind: str) -> None:
        self.refresh()
        self.leaves_changed.emit()

    def refresh(self, select_id: int | None = None) -> None:
        """Re-read after a change elsewhere (a leave, a cadre, the rules), keeping the selection."""
        if not self._loaded:
            return
        keep = select_id if select_id is not None else self.selected_record_id()
        self.reload_types(apply=False)
        span = queries.leave_year_range()
        if span and (self.year_filter.findData(span[0]) < 0 or self.year_filter.findData(span[1]) < 0):
            self._fill_years(*span)
        self.model.refresh()
        self._after_load(keep)
        self._balance_changed()

    def _after_load(self, keep: int | None = None) -> None:
        if self.is_balance_view:
            return
        total = self.model.total
        if total:
            self.show_table()
            row = self.model.row_of(keep) if keep else -1
            if row >= 0:
                self.table_view.select_row(row)
            self.count_label.setText(self.tr("共 {0} 条").format(total))
        else:
            self.count_label.setText("")
            self._has_cadres = self._has_cadres or roster_service.cadre_count() > 0
            if not self._type_names:
                self.show_empty(self.tr("还没有假期规则，点击「假期规则」载入预设"), self.tr("假期规则"),
                                self.open_rule_settings)
            elif not self._has_cadres:
                self.show_empty(self.tr("还没有干部，请先在「干部名册」中新增干部，再登记休假"))
            elif not queries.leave_exists():
                self.show_empty(self.tr("还没有请假记录，点击「新增」开始"), self.tr("新增"), self.add)
            else:
                self.show_empty(self.tr("没有符合条件的请假记录"), self.tr("清除搜索和筛选"), self.clear_filters)
        self._update_buttons()

    @property
    def empty_text(self) -> str:
        return self.empty_state.label.text() if self.empty_visible else ""

    def selected_row(self) -> int:
        return self.table_view.current_row()

    def selected_record_id(self) -> int | None:
        return self.model.record_id(self.selected_row())

    def select_record(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        while row < 0 and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(record_id)
        if row >= 0:
            self.table_view.select_row(row)
            return True
        return False

    def _update_buttons(self, *_args) -> None:
        if self.is_balance_view:
            cadre = self.selected_balance_cadre()
            self.defer_button.setEnabled(cadre is not None)
            return
        row = self.selected_row()
        status = self.model.status(row) if row >= 0 else ""
        self.edit_button.setEnabled(row >= 0)
        self.approve_button.setEnabled(status == rules.STATUS_APPLIED)
        self.close_button.setEnabled(status == rules.STATUS_APPROVED)
        self.cancel_button.setEnabled(status in (rules.STATUS_APPLIED, rules.STATUS_APPROVED))
        if row >= 0 and status == rules.STATUS_CLOSED:
            self.cancel_button.setToolTip(self.tr("已销假的请假已经休完，不能撤销；如登记有误请「编辑」"))
        elif row >= 0 and status == rules.STATUS_CANCELLED:
            self.cancel_button.setToolTip(self.tr("这条请假已经撤销"))
        else:
            self.cancel_button.setToolTip(self.tr("撤销所选请假（记录保留，天数不再计入）"))

    def add(self) -> None:
        cadre_id = self.selected_balance_cadre() if self.is_balance_view else None
        self._open_dialog(None, cadre_id)

    def edit_selected(self) -> None:
        record_id = self.selected_record_id()
        if record_id is not None:
            self._open_dialog(record_id)

    def _open_dialog(self, record_id: int | None, cadre_id: int | None = None) -> None:
        if not self._type_names:
            self.reload_types(apply=False)
        if not self._type_names:
            messages.info(self, self.tr("还没有假期规则，请先点击「假期规则」载入预设。"))
            return
        self.dialog = LeaveDialog(record_id, self, cadre_id=cadre_id)
        self.dialog.saved.connect(self._on_dialog_saved)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.open()

    def _on_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.dialog:
            self.dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_dialog_saved(self, record_id: int) -> None:
        self.refresh()
        shown = ""
        if not self.is_balance_view and not self.select_record(record_id):
            shown = self._show_saved(record_id)
            if not self.select_record(record_id):
                self.table_view.clearSelection()
        self._flash_hint(self.tr("已保存：{0}").format(self._describe(record_id)) + shown)
        self.leaves_changed.emit()

    def _show_saved(self, record_id: int) -> str:
        """A record saved outside the year (or filters) shown: switch the list to where it
        is, so a back-entered record from last year is seen, not thought lost."""
        year = leave_service.get_leave(record_id)["start_date"].year
        note = ""
        if self.year_filter.currentData() not in (0, None, year):
            if self.year_filter.findData(year) < 0:
                self._fill_years(year, year)
            self.year_filter.blockSignals(True)
            self.year_filter.setCurrentIndex(self.year_filter.findData(year))
            self.year_filter.blockSignals(False)
            note = self.tr("（这条记录在 {0} 年，列表已切换到 {0} 年）").format(year)
            self.apply_filter(record_id)
        if self.model.row_of(record_id) < 0 and not self.select_record(record_id):
            for combo in (self.unit_filter, self.type_filter, self.status_filter):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.search_box.blockSignals(True)
            self.search_box.clear()
            self.search_box.blockSignals(False)
            note = note or self.tr("（已清除筛选，以便看到这条记录）")
            self.apply_filter(record_id)
        return note

    def _describe(self, record_id: int) -> str:
        row = self.model.row_of(record_id)
        if row >= 0:
            return self.model.describe(row)
        r = leave_service.get_leave(record_id)
        return f"{r['cadre_name']} {r['start_date'].isoformat()}"

    def set_selected_status(self, status: str) -> bool:
        record_id = self.selected_record_id()
        if record_id is None:
            return False
        try:
            leave_service.set_status(record_id, status)
        except DomainError as err:
            messages.error(self, err.message)
            return False
        text = self.model.describe(self.selected_row())
        self.refresh(select_id=record_id)
        self._flash_hint(self.tr("已{0}：{1}").format(
            {rules.STATUS_APPROVED: self.tr("批准"), rules.STATUS_CLOSED: self.tr("销假"),
             rules.STATUS_CANCELLED: self.tr("撤销")}.get(status, status), text))
        self.leaves_changed.emit()
        return True

    def cancel_selected(self) -> bool:
        row = self.selected_row()
        if row < 0:
            return False
        text = self.tr("确定撤销 {0}？").format(self.model.describe(row))
        info = self.tr("撤销后这几天不再计入已休，记录仍然保留，状态为“已撤销”。")
        if not messages.confirm(self, text, self.tr("撤销"), cancel_text=self.tr("返回"), informative=info):
            return False
        return self.set_selected_status(rules.STATUS_CANCELLED)

    def _on_table_open_requested(self, row: int) -> None:
        record_id = self.model.record_id(row)
        if record_id is not None:
            self._open_dialog(record_id)

    # ================================================================ balances
    @property
    def balance_loading(self) -> bool:
        """True while the balances are being (or about to be) computed."""
        return self._balance_timer.isActive() or (self._balance_job is not None and self._balance_job.running)

    def selected_balance_cadre(self) -> int | None:
        return self.balance_model.cadre_id(self.balance_view.current_row())

    def _balance_changed(self) -> None:
        """The balances may differ now: recompute if they are on screen, else when shown."""
        self._balance_stale = True
        if self.is_balance_view:
            self._balance_timer.start()

    def _load_balances(self) -> None:
        self._balance_timer.stop()
        self._balance_stale = False
        self._balance_gen += 1
        if self.balance_loading:
            self._balance_pending = True  # start again when the running job ends
            return
        self._start_balance_job()

    def _start_balance_job(self) -> None:
        self._balance_pending = False
        year = self.balance_year.currentData() or date.today().year
        unit_id = self.unit_filter.currentData() or None
        job = run_job(_compute_balances, year, unit_id, self.search_box.text(), parent=self,
                      title=self.tr("计算年休假余额"), dialog=False)
        job.gen, job.year = self._balance_gen, year
        job.finished.connect(self._on_balance_job_finished)
        job.failed.connect(self._on_balance_job_failed)
        job.done.connect(self._on_balance_job_done)
        self._balance_job = job
        self._show_balance_loading()

    def _show_balance_loading(self) -> None:
        if not self.is_balance_view:
            return
        self.count_label.setText(self.tr("正在计算…"))
        if not self._balance_loaded:
            self.show_empty(self.tr("正在计算…"))

    def _on_balance_job_finished(self, rows) -> None:
        job = self.sender()
        if job is None or getattr(job, "gen", None) != self._balance_gen:
            return  # an older request: a newer one is on its way
        keep = self.selected_balance_cadre()
        self.balance_model.set_rows(job.year, rows)
        self._balance_loaded = True
        if keep is not None:
            row = self.balance_model.row_of(keep)
            if row >= 0:
                self.balance_view.select_row(row)
        self._after_balance_load()

    def _on_balance_job_failed(self, message: str) -> None:
        job = self.sender()
        if job is None or getattr(job, "gen", None) != self._balance_gen:
            return
        self.balance_model.set_rows(job.year, [])
        self._balance_loaded = True
        if self.is_balance_view:
            self.count_label.setText("")
            self.show_empty(self.tr("无法计算年休假余额：{0}").format(message), self.tr("假期规则"),
                            self.open_rule_settings)

    def _on_balance_job_done(self) -> None:
        if self._balance_pending and self.sender() is self._balance_job:
            self._balance_job = None
            self._start_balance_job()

    def _after_balance_load(self) -> None:
        if not self.is_balance_view:
            return
        if self.balance_loading:
            self._show_balance_loading()
            if not self._balance_loaded:
                return
        total = self.balance_model.total
        if total:
            self.stack.setCurrentWidget(self.balance_view)
            unfinished = self.balance_model.unfinished_count()
            text = self.tr("共 {0} 人").format(total)
            if unfinished:
                text += self.tr("，其中 {0} 人未休完").format(unfinished)
            if not self.balance_loading:
                self.count_label.setText(text)
        else:
            if not self.balance_loading:
                self.count_label.setText("")
            if self.search_box.text().strip() or self.unit_filter.currentData():
                self.show_empty(self.tr("没有符合条件的干部"), self.tr("清除搜索和筛选"), self.clear_filters)
            else:
                self.show_empty(self.tr("没有在职干部。在「干部名册」中新增干部后，这里显示每人的年休假"))
        self._update_buttons()

    def defer_selected(self) -> None:
        cadre_id = self.selected_balance_cadre()
        if cadre_id is None:
            return
        bal = self.balance_model.balance(self.balance_view.current_row())
        self.dialog = DeferralDialog(cadre_id, bal.name, self.balance_model.year, self)
        self.dialog.saved.connect(lambda _id, name=bal.name: self._on_deferral_saved(name))
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.open()

    def _on_deferral_saved(self, name: str) -> None:
        self._flash_hint(self.tr("已登记顺延：{0}").format(name))
        self._balance_changed()
        self.leaves_changed.emit()

    def export_current(self):
        """导出: the view on screen to Excel — the records (the model's filter and order,
        every row) or the balances (the rows computed, in the order shown)."""
        from ...services.exports import BalanceQuery, LeaveQuery
        from ..export_action import export_view, sort_label

        if not self.is_balance_view:
            self.ensure_loaded()
            query = LeaveQuery(self.model.filter, self.model.sort_key, self.model.descending)
            return export_view(self, "leave", query, count=self.model.total)
        if self.balance_loading:
            messages.info(self, self.tr("正在计算年休假余额，请稍候再导出。"))
            return None
        m = self.balance_model
        rows = [m.balance(i) for i in range(m.rowCount())]
        query = BalanceQuery(m.year, self.unit_filter.currentData() or None, self.search_box.text(),
                             sort_label=sort_label(self.balance_view, m.HEADERS, m.COLUMNS, self.tr("姓名 升序")))
        return export_view(self, "leave-balance", query, items=rows, count=len(rows))

    def _on_balance_open_requested(self, row: int) -> None:
        cadre_id = self.balance_model.cadre_id(row)
        if cadre_id is not None:
            self.cadre_open_requested.emit(cadre_id)

    # ================================================================ settings
    def open_calendar_settings(self, year: int | None = None) -> None:
        self.settings_dialog = LeaveCalendarDialog(self, year=year)
        self.settings_dialog.finished.connect(self._on_settings_finished)
        self.settings_dialog.open()

    def open_rule_settings(self) -> None:
        self.settings_dialog = LeaveTypesDialog(self)
        self.settings_dialog.rules_changed.connect(self._on_rules_changed)
        self.settings_dialog.finished.connect(self._on_settings_finished)
        self.settings_dialog.open()

    def _on_rules_changed(self) -> None:
        self.reload_types(apply=False)
        self.refresh()
        self.leaves_changed.emit()   # balances in open detail windows follow the new rules

    def _on_settings_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.settings_dialog:
            self.settings_dialog = None
        if dialog is not None:
            dialog.deleteLater()

