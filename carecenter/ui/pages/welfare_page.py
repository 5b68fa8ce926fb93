"""福利慰问: visit records, budget used vs budget per fund, and 谈心谈话 (DOMAIN.md §5).

Three views share the page's anatomy (title, search box, filters, actions,
table, empty state):

* 慰问记录 — every visit, filtered by 年度 / 单位 / 慰问事由 / 经费来源 and the search
  box (by cadre), paged from SQL; 新增 (Ctrl+N), 编辑 (double-click), 归档 (asks).
* 经费预算 — per funding source for a year: 预算, 已用, 剩余, 使用率 and a status
  word (接近预算 amber, 超出预算 red, each with an icon); 设置预算.
* 谈心谈话 — talk records; 新增谈心谈话 (Ctrl+N), 编辑, 归档.

慰问标准 (under the title) opens the occasions and settings.  Importing this
module registers the detail window's 慰问 tab.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from ...db.queries import TalkFilter, WelfareFilter
from ...domain.errors import DomainError
from ...domain.money import format_yuan
from ...services import roster as roster_service
from ...services import welfare as welfare_service
from .. import actions, messages, theme
from ..dialogs import cadre_detail
from ..dialogs.talk_dialog import TalkDialog
from ..dialogs.welfare_budget_dialog import BudgetDialog
from ..dialogs.welfare_dialog import WelfareDialog
from ..dialogs.welfare_rules_dialog import WelfareRulesDialog
from ..models.welfare_models import FundUsageModel, TalkRecordsModel, WelfareRecordsModel
from ..widgets.list_page import (ListPage, make_button, make_table, refill_combo, reset_filters, single_shot,
                                 unit_items, view_bar)
from ..widgets.table_view import DataTable
from ..widgets.welfare_tab import make_welfare_tab

cadre_detail.register_detail_tab("慰问", make_welfare_tab)

RECORDS, BUDGETS, TALKS = "records", "funds", "talks"
VIEWS = [RECORDS, BUDGETS, TALKS]
VIEW_TITLES = {RECORDS: "慰问记录", BUDGETS: "经费预算", TALKS: "谈心谈话"}
HINTS = {RECORDS: "双击或按 Enter 修改慰问记录", BUDGETS: "双击或按 Enter 设置所选经费的预算",
         TALKS: "双击或按 Enter 修改谈话记录"}

RECORD_WIDTHS = {"record_date": 96, "name": 76, "unit": 150, "occasion": 110, "amount": 96, "goods": 150,
                 "funding_source": 80, "visitors": 140}
BUDGET_WIDTHS = {"name": 160, "budget": 150, "used": 150, "remaining": 150, "rate": 100}
TALK_WIDTHS = {"talk_date": 96, "name": 80, "unit": 160, "talker": 110, "trigger": 132, "gist": 340}


class WelfarePage(ListPage):
    """Signals: ``cadre_open_requested(id)``, ``welfare_changed()`` (after a change made here)."""

    cadre_open_requested = Signal(int)
    welfare_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("福利慰问"), self.tr("搜索 姓名/拼音首字母/身份证尾号"), parent)
        self.dialog = None
        self._pending_year: int | None = None   # a record saved in a year the list does not show
        self._pending_select: int | None = None
        self.rules_dialog: WelfareRulesDialog | None = None
        self.view = RECORDS
        self._stale: set[str] = set(VIEWS)
        self._facets_loaded = False

        # ---- view switcher and 慰问标准, under the title
        views_row, self.view_bar = view_bar(self, [self.tr(VIEW_TITLES[key]) for key in VIEWS])
        views_row.setSpacing(8)
        self.rules_button = make_button(self.tr("慰问标准"), "welfare-rules", parent=self,
                                        tooltip=self.tr("各慰问事由的标准、上限、可否发放现金和经费来源"))
        views_row.addWidget(self.rules_button)
        self.layout().insertLayout(1, views_row)

        # ---- filters
        self.year_filter = QComboBox(self)
        self.year_filter.setToolTip(self.tr("按年度筛选"))
        self.unit_filter = QComboBox(self)
        self.unit_filter.setMaxVisibleItems(20)
        self.unit_filter.setToolTip(self.tr("按单位筛选"))
        self.occasion_filter = QComboBox(self)
        self.occasion_filter.setMaxVisibleItems(20)
        self.occasion_filter.setToolTip(self.tr("按慰问事由筛选"))
        self.fund_filter = QComboBox(self)
        self.fund_filter.setToolTip(self.tr("按经费来源筛选"))
        self.trigger_filter = QComboBox(self)
        self.trigger_filter.setToolTip(self.tr("按谈话事由筛选"))
        for w in (self.occasion_filter, self.fund_filter, self.trigger_filter):
            # as wide as "全部经费来源", not as the longest entry: the bar must fit 1280 px
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(8)
        self.unit_filter.setMinimumWidth(150)
        for w in (self.year_filter, self.unit_filter, self.occasion_filter, self.fund_filter, self.trigger_filter):
            self.filter_bar.addWidget(w)

        # ---- actions
        self.add_button = make_button(self.tr("新增"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("登记一次慰问（Ctrl+N）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选记录"))
        self.archive_button = make_button(self.tr("归档"), "archive", parent=self,
                                          tooltip=self.tr("归档录错的记录（不再计入上限和经费）"))
        self.budget_button = make_button(self.tr("设置预算"), "welfare-budget-white", primary=True, parent=self,
                                         tooltip=self.tr("设置所选经费来源本年度的预算"))
        self.add_talk_button = make_button(self.tr("新增谈心谈话"), "welfare-talk-white", primary=True, parent=self,
                                           tooltip=self.tr("记录一次谈心谈话（Ctrl+N）"))
        self.person_button = make_button(self.tr("干部详情"), "health-person", parent=self,
                                         tooltip=self.tr("打开所选干部的详情窗口"))
        for b in (self.add_button, self.add_talk_button, self.budget_button, self.edit_button, self.archive_button,
                  self.person_button):
            self.action_bar.addWidget(b)
        self.make_exchange_buttons(self.tr("预览并打印所选年度的福利慰问登记表"))
        views_row.insertWidget(views_row.indexOf(self.rules_button), self.import_button)   # action bar is full
        views_row.insertWidget(views_row.indexOf(self.rules_button), self.export_button)   # exports this view
        self.action_bar.addWidget(self.print_button)

        # ---- a line above the budget table
        self.budget_note = QLabel(self)
        self.budget_note.setWordWrap(True)
        theme.set_role(self.budget_note, "info")
        self.layout().insertWidget(3, self.budget_note)

        # ---- tables
        self.records_model = WelfareRecordsModel(self)
        self.budget_model = FundUsageModel(self)
        self.talks_model = TalkRecordsModel(self)
        self.records_table = self._make_table(self.records_model, RECORD_WIDTHS)
        self.budget_table = self._make_table(self.budget_model, BUDGET_WIDTHS)
        self.talks_table = self._make_table(self.talks_model, TALK_WIDTHS)
        self.set_table(self.records_table)
        self.stack.addWidget(self.budget_table)
        self.stack.addWidget(self.talks_table)
        self.tables = {RECORDS: self.records_table, BUDGETS: self.budget_table, TALKS: self.talks_table}

        self._flash = single_shot(self, 6000, lambda: self.hint_label.setText(self.tr(HINTS[self.view])))
        self._refresh_timer = single_shot(self, 0, self._load_current)

        # ---- wiring
        self.view_bar.currentChanged.connect(self._on_view_bar_current_changed)
        self.rules_button.clicked.connect(self.open_rules)
        self.search_changed.connect(self._on_filter_changed)
        for combo in (self.year_filter, self.unit_filter, self.occasion_filter, self.fund_filter,
                      self.trigger_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.add_button.clicked.connect(self.add)
        self.add_talk_button.clicked.connect(self.add)
        self.budget_button.clicked.connect(self.edit_budget_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.archive_button.clicked.connect(self.archive_selected)
        self.person_button.clicked.connect(self.open_person_selected)
        self.records_table.open_requested.connect(lambda _row: self.edit_selected())
        self.budget_table.open_requested.connect(lambda _row: self.edit_budget_selected())
        self.talks_table.open_requested.connect(lambda _row: self.edit_selected())
        for table in self.tables.values():
            table.selectionModel().selectionChanged.connect(self._update_buttons)
            table.model().modelReset.connect(self._update_buttons)

        self.reload_units(apply=False)
        self._show_view(RECORDS)

    def _make_table(self, model, widths: dict[str, int]) -> DataTable:
        return make_table(self, model, widths, clickable=False)

    # ================================================================ views
    def set_view(self, key: str) -> None:
        self.view_bar.setCurrentIndex(VIEWS.index(key))

    def _on_view_bar_current_changed(self, index: int) -> None:
        if 0 <= index < len(VIEWS):
            self._show_view(VIEWS[index])

    def _show_view(self, key: str) -> None:
        self.view = key
        self.table = self.tables[key]
        self.unit_filter.setVisible(key != BUDGETS)
        self.occasion_filter.setVisible(key == RECORDS)
        self.fund_filter.setVisible(key == RECORDS)
        self.trigger_filter.setVisible(key == TALKS)
        self.search_box.setEnabled(key != BUDGETS)
        self.search_box.setToolTip(self.tr("输入即筛选（Ctrl+F）") if key != BUDGETS
                                   else self.tr("经费预算按经费来源汇总，不按干部搜索"))
        self.add_button.setVisible(key == RECORDS)
        self.add_talk_button.setVisible(key == TALKS)
        self.budget_button.setVisible(key == BUDGETS)
        for b in (self.edit_button, self.archive_button, self.person_button):
            b.setVisible(key != BUDGETS)
        self.budget_note.setVisible(key == BUDGETS)
        self.hint_label.setText(self.tr(HINTS[key]))
        self.show_table()
        if not self.isVisible():
            return
        self._load_current()

    # ================================================================ loading
    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if self.view in self._stale or not self._facets_loaded:
            self._load_current()

    def import_from_excel(self) -> None:
        from ..dialogs.import_wizard import open_import_wizard  # openpyxl loads on first use

        open_import_wizard(self, "welfare", self._on_imported)

    def _on_imported(self, _kind: str) -> None:
        self.refresh()
        self.welfare_changed.emit()

    def refresh(self, *_args) -> None:
        """Re-read after a change (here or elsewhere): every view goes stale, the visible one reloads."""
        self._stale = set(VIEWS)
        self._facets_loaded = False
        if self.isVisible():
            self._refresh_timer.start()

    def _on_filter_changed(self, *_args) -> None:
        self._load_current()

    def apply_filter(self) -> None:
        self._load_current()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)
        self._search_timer.stop()
        self._load_current()

    def _load_current(self) -> None:
        self._refresh_timer.stop()
        if not self._facets_loaded:
            self._reload_facets()
        if self._pending_year is not None:
            self._show_year(self._pending_year)
            self._pending_year = None
        if self._search_timer.isActive():
            self._search_timer.stop()
        self._stale.discard(self.view)
        if self.view == RECORDS:
            self._load_records()
        elif self.view == TALKS:
            self._load_talks()
        else:
            self._load_budgets()
        self._after_load()

    def print_register(self):
        """打印: the 福利慰问登记表 of the year shown (and the unit filtered on), built in the background."""
        from ..dialogs.print_preview_dialog import preview_register

        return preview_register(self, "welfare", str(self.budget_year()), self._unit_id())

    def _unit_id(self) -> int | None:
        return self.unit_filter.currentData() or None

    def year(self) -> int | None:
        return self.year_filter.currentData() or None

    def budget_year(self) -> int:
        return self.year() or date.today().year

    def current_record_filter(self) -> WelfareFilter:
        return WelfareFilter(year=self.year(), unit_id=self._unit_id(),
                             occasion=self.occasion_filter.currentData() or "",
                             fund=self.fund_filter.currentData() or "", text=self.search_box.text())

    def current_talk_filter(self) -> TalkFilter:
        return TalkFilter(year=self.year(), unit_id=self._unit_id(), trigger=self.trigger_filter.currentData() or "",
                          text=self.search_box.text())

    def _take_pending(self, keep: int | None) -> int | None:
        pending, self._pending_select = self._pending_select, None
        return pending if pending is not None else keep

    def _load_records(self) -> None:
        keep = self._take_pending(self.records_model.record_id(self.records_table.current_row()))
        self.records_model.set_occasion_names(dict(welfare_service.occasion_names(include_talk=True)))
        self.records_model.set_filter(self.current_record_filter())
        self._reselect(self.records_table, self.records_model, keep)

    def _load_talks(self) -> None:
        keep = self._take_pending(self.talks_model.record_id(self.talks_table.current_row()))
        self.talks_model.set_filter(self.current_talk_filter())
        self._reselect(self.talks_table, self.talks_model, keep)

    def _load_budgets(self) -> None:
        item = self.budget_model.item(self.budget_table.current_row())
        keep = item.name if item else None
        self.budget_model.set_rows(welfare_service.fund_usage(self.budget_year()))
        if keep is not None:
            row = self.budget_model.row_of(keep)
            if row >= 0:
                self.budget_table.select_row(row)

    @staticmethod
    def _reselect(table: DataTable, model, keep: int | None) -> None:
        if keep is not None:
            row = model.row_of(keep)
            while row < 0 and model.canFetchMore():
                model.fetchMore()
                row = model.row_of(keep)
            if row >= 0:
                table.select_row(row)

    def _show_year(self, year: int) -> None:
        """A record was saved in another year than the one shown: show that year, and say so,
        so a back-entered record is seen rather than thought lost."""
        if self.year() in (None, year):
            return
        index = self.year_filter.findData(year)
        self.year_filter.blockSignals(True)
        if index < 0:
            self.year_filter.addItem(self.tr("{0} 年").format(year), year)
            index = self.year_filter.count() - 1
        self.year_filter.setCurrentIndex(index)
        self.year_filter.blockSignals(False)
        self.hint_label.setText(self.hint_label.text()
                                + self.tr("（这条记录在 {0} 年，列表已切换到 {0} 年）").format(year))

    def _after_load(self) -> None:
        if self.view == RECORDS:
            self._after_records()
        elif self.view == TALKS:
            self._after_talks()
        else:
            self._after_budgets()
        self._update_buttons()

    def _filtered(self) -> bool:
        return bool(self.search_box.text().strip() or self._unit_id() or self.occasion_filter.currentData()
                    or self.fund_filter.currentData())

    def _after_records(self) -> None:
        total = self.records_model.total
        if total:
            self.show_table()
            self.count_label.setText(self.tr("共 {0} 条，合计 {1} 元").format(
                total, format_yuan(self.records_model.total_fen())))
            return
        self.count_label.setText("")
        year = self.year()
        if roster_service.cadre_count() == 0:
            self.show_empty(self.tr("还没有干部。请先在「干部名册」中新增干部，再登记慰问"))
        elif self._filtered():
            self.show_empty(self.tr("没有符合条件的慰问记录"), self.tr("清除搜索和筛选"), self.clear_filters)
        elif welfare_service.record_count() == 0:
            self.show_empty(self.tr("还没有慰问记录，点击「新增」登记第一次慰问"), self.tr("新增"), self.add)
        else:
            self.show_empty(self.tr("{0} 年还没有慰问记录，点击「新增」登记").format(year) if year
                            else self.tr("没有慰问记录"), self.tr("新增"), self.add)

    def _after_talks(self) -> None:
        total = self.talks_model.total
        if total:
            self.show_table()
            self.count_label.setText(self.tr("共 {0} 次谈心谈话").format(total))
            return
        self.count_label.setText("")
        if roster_service.cadre_count() == 0:
            self.show_empty(self.tr("还没有干部。请先在「干部名册」中新增干部，再登记谈心谈话"))
        elif self.search_box.text().strip() or self._unit_id() or self.trigger_filter.currentData():
            self.show_empty(self.tr("没有符合条件的谈话记录"), self.tr("清除搜索和筛选"), self.clear_filters)
        else:
            self.show_empty(self.tr("还没有谈心谈话记录，点击「新增谈心谈话」登记"), self.tr("新增谈心谈话"), self.add)

    def _after_budgets(self) -> None:
        rows = self.budget_model.rows()
        year = self.budget_year()
        if not rows:
            self.count_label.setText("")
            self.budget_note.setText("")
            self.show_empty(self.tr("还没有经费来源，请在「慰问标准」的通用设置中填写"), self.tr("慰问标准"),
                            self.open_rules)
            return
        self.show_table()
        used = sum(u.used_fen for u in rows)
        budgeted = [u for u in rows if u.budget_fen is not None]
        self.count_label.setText(self.tr("{0} 年已用合计 {1} 元").format(year, format_yuan(used)))
        notes = []
        near = [u.name for u in rows if u.budget_fen is not None and u.status == "near"]
        over = [u.name for u in rows if u.budget_fen is not None and u.status == "over"]
        if over:
            notes.append(self.tr("超出预算：{0}").format("、".join(over)))
        if near:
            notes.append(self.tr("接近预算：{0}").format("、".join(near)))
        missing = [u.name for u in rows if u.budget_fen is None and u.used_fen]
        if missing:
            notes.append(self.tr("已有支出但未设预算：{0}").format("、".join(missing)))
        if not budgeted:
            notes.append(self.tr("{0} 年还没有设置预算，选中经费来源后点击「设置预算」").format(year))
        self.budget_note.setText("　".join(notes) or self.tr("{0} 年各项经费均在预算内").format(year))
        theme.set_role(self.budget_note, "error" if over else "warning" if (near or missing) else "info")
        if self.budget_table.current_row() < 0:
            self.budget_table.select_row(0)

    def clear_filters(self) -> None:
        reset_filters(self.unit_filter, self.occasion_filter, self.fund_filter, self.trigger_filter, self.search_box)
        self._load_current()

    def reload_units(self, apply: bool = True) -> None:
        refill_combo(self.unit_filter, (self.tr("全部单位"), 0), unit_items())
        if apply:
            self.refresh()

    def _refill(self, combo: QComboBox, first: str, items: list[tuple[str, object]], default: object = "") -> None:
        refill_combo(combo, (first, "" if not isinstance(default, int) else 0), items, default)

    def _reload_facets(self) -> None:
        self._facets_loaded = True
        this_year = date.today().year
        self._refill(self.year_filter, self.tr("全部年度"),
                     [(self.tr("{0} 年").format(y), y) for y in welfare_service.years()], this_year)
        self._refill(self.occasion_filter, self.tr("全部事由"), [(n, c) for c, n in welfare_service.occasion_names()])
        sources = welfare_service.funding_sources()
        for u in welfare_service.fund_usage(self.year() or this_year):
            if u.name not in sources:
                sources.append(u.name)
        self._refill(self.fund_filter, self.tr("全部经费来源"), [(s, s) for s in sources])
        self._refill(self.trigger_filter, self.tr("全部谈话事由"), [(t, t) for t in welfare_service.talk_triggers()])

    @property
    def empty_text(self) -> str:
        return self.empty_state.label.text() if self.empty_visible else ""

    # ================================================================ selection
    def selected_cadre_id(self) -> int | None:
        row = self.table.current_row()
        if self.view == RECORDS:
            return self.records_model.cadre_id(row)
        if self.view == TALKS:
            return self.talks_model.cadre_id(row)
        return None

    def _update_buttons(self, *_args) -> None:
        has = self.table.current_row() >= 0
        for b in (self.edit_button, self.archive_button, self.person_button, self.budget_button):
            b.setEnabled(has)
        tip = self.tr("先在表格中选择一行")
        self.person_button.setToolTip(self.tr("打开所选干部的详情窗口") if has else tip)
        self.edit_button.setToolTip(self.tr("修改所选记录") if has else tip)
        self.archive_button.setToolTip(self.tr("归档录错的记录（不再计入上限和经费）") if has else tip)
        self.budget_button.setToolTip(self.tr("设置所选经费来源本年度的预算") if has else tip)

    # ================================================================ actions
    def add(self) -> None:
        """新增 (Ctrl+N): a visit on 慰问记录, a talk on 谈心谈话, a budget on 经费预算."""
        if self.view == TALKS:
            self._open(TalkDialog(None, self))
        elif self.view == BUDGETS:
            self.edit_budget_selected()
        else:
            self._open(WelfareDialog(None, self))

    def edit_selected(self) -> None:
        if self.view == RECORDS:
            record_id = self.records_model.record_id(self.records_table.current_row())
            if record_id is not None:
                self._open(WelfareDialog(record_id, self))
        elif self.view == TALKS:
            talk_id = self.talks_model.record_id(self.talks_table.current_row())
            if talk_id is not None:
                self._open(TalkDialog(talk_id, self))

    def edit_budget_selected(self) -> None:
        item = self.budget_model.item(self.budget_table.current_row())
        self._open(BudgetDialog(self.budget_year(), item.name if item else "", self))

    def open_person_selected(self) -> None:
        cadre_id = self.selected_cadre_id()
        if cadre_id is not None:
            self.cadre_open_requested.emit(cadre_id)

    def export_current(self):
        """导出: the view on screen to Excel — 慰问记录 or 谈心谈话 (the model's filter, every
        row) or 经费预算 (the rows shown)."""
        from ...services.exports import FundQuery
        from ..export_action import export_view

        if self.view == RECORDS:
            return export_view(self, "welfare", self.records_model.filter, count=self.records_model.total)
        if self.view == TALKS:
            return export_view(self, "welfare-talks", self.talks_model.filter, count=self.talks_model.total)
        rows = self.budget_model.rows()
        return export_view(self, "welfare-funds", FundQuery(self.budget_year()), items=rows, count=len(rows))

    def archive_selected(self) -> None:
        if self.view == RECORDS:
            row = self.records_table.current_row()
            record_id = self.records_model.record_id(row)
            if record_id is None:
                return
            what = self.records_model.describe(row)
            text = self.tr("确定将 {0} 的慰问记录归档？").format(what)
            informative = self.tr("归档后不再计入慰问上限和经费已用金额；记录保留在修改记录中。")
            action = welfare_service.archive_record
        elif self.view == TALKS:
            row = self.talks_table.current_row()
            record_id = self.talks_model.record_id(row)
            if record_id is None:
                return
            what = self.talks_model.describe(row)
            text = self.tr("确定将 {0} 的谈心谈话记录归档？").format(what)
            informative = self.tr("归档后不再显示在谈话记录中；记录保留在修改记录中。")
            action = welfare_service.archive_talk
        else:
            return
        if not messages.confirm(self, text, self.tr("归档"), informative=informative):
            return
        try:
            action(record_id)
        except DomainError as err:
            messages.error(self, err.message)
            return
        self._changed(self.tr("已归档：{0}").format(what))

    def open_rules(self) -> None:
        actions.open_dialog(self, WelfareRulesDialog(self), self._on_rules_changed, signal="rules_changed",
                            attr="rules_dialog")

    def _on_rules_changed(self) -> None:
        self._changed(self.tr("慰问标准已更新，登记慰问时按新标准核对"))

    def _open(self, dialog) -> None:
        actions.open_dialog(self, dialog, self._on_dialog_saved)

    def _on_dialog_saved(self, saved_id: int) -> None:
        dialog = self.sender()
        if isinstance(dialog, BudgetDialog):
            message = self.tr("已设置 {0} 年{1}预算").format(dialog.year, dialog.name)
        elif isinstance(dialog, TalkDialog):
            message = self.tr("已保存谈心谈话记录")
        else:
            message = self.tr("已保存慰问记录")
        edit = getattr(dialog, "date_edit", None)
        saved_on = edit.value() if edit is not None and not isinstance(dialog, BudgetDialog) else None
        if saved_on is not None and self.view in (RECORDS, TALKS):
            self._pending_year = saved_on.year
        self._changed(message)
        if not isinstance(dialog, BudgetDialog):
            self._pending_select = saved_id   # selected once the list has been re-read

    def _changed(self, message: str) -> None:
        self.refresh()
        self.hint_label.setText(message)
        self._flash.start()
        self.welfare_changed.emit()
