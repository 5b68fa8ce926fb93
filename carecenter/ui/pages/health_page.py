"""健康体检: check records, who is due or overdue, and open follow-ups of abnormal findings.

Three views share the page's anatomy (title, search box, filters, actions,
table, empty state):

* 体检记录 — every check, filtered by 年度 / 单位 / 体检项目 and the search box,
  paged from SQL; 新增 (Ctrl+N), 编辑 (double-click), 归档.
* 应检/逾期 — ``services.health.due_list`` for a year, run off the GUI thread
  (it reads every serving cadre); a coverage line from ``due_summary``;
  double-click registers the check with the person and item filled in.
* 异常随访 — open findings (``open_followups``), 复查逾期 first; 登记随访结果.

Mental-health records never appear here (DOMAIN.md §6): they are shown only in
a cadre's detail window, after the clerk states a purpose.

Importing this module registers the detail window's 健康 tab.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QWidget

from ...db import queries
from ...db.database import db
from ...db.queries import CheckFilter
from ...domain import health as health_rules
from ...domain.errors import DomainError
from ...services import health as health_service
from ...services import roster as roster_service
from .. import actions, messages, theme
from ..dialogs import cadre_detail
from ..dialogs.check_dialog import CheckDialog
from ..dialogs.finding_dialog import FindingDialog
from ..dialogs.health_rules_dialog import HealthRulesDialog
from ..models.health_models import CheckRecordsModel, DueModel, FollowupModel
from ..tasks import run_job
from ..widgets.health_tab import HealthTab
from ..widgets.list_page import (ListPage, make_button, make_table, refill_combo, reset_filters, single_shot,
                                 unit_items, view_bar)
from ..widgets.table_view import DataTable

RECORDS, DUE, FOLLOWUPS = "records", "due", "followups"
VIEWS = [RECORDS, DUE, FOLLOWUPS]
VIEW_TITLES = {RECORDS: "体检记录", DUE: "应检/逾期", FOLLOWUPS: "异常随访"}
HINTS = {RECORDS: "双击或按 Enter 修改体检记录", DUE: "双击或按 Enter 为所选干部登记体检",
         FOLLOWUPS: "双击或按 Enter 登记随访结果"}

RECORD_WIDTHS = {"check_date": 104, "name": 88, "unit": 170, "package": 96, "institution": 170,
                 "open_findings": 118}
DUE_WIDTHS = {"name": 88, "sex": 56, "age": 60, "package": 96, "rule_name": 230, "last_date": 104,
              "due_year": 84, "status": 104}
FOLLOWUP_WIDTHS = {"name": 80, "unit": 150, "check_date": 100, "item": 104, "level": 64, "notified_date": 100,
                   "referral": 130, "recheck_due": 100, "status": 104}

DUE_STATUS_CHOICES = [("全部待办", ""), ("逾期", "逾期"), ("本年应检", "本年应检"), ("已完成", "已完成")]


def _due_work(ctx, year: int, today: date, unit_id: int | None, text: str, status: str,
              with_summary: bool) -> tuple[list, dict | None]:
    """Worker thread: the due list (and the coverage summary when asked); no widgets here."""
    try:
        ctx.check()
        summary = health_service.due_summary(year, today, unit_id) if with_summary else None
        ctx.check()
        rows = health_service.due_list(year, today, unit_id, text, status)
        return rows, summary
    finally:
        if not db.is_closed():
            db.close()  # this worker thread's own connection


def coverage_text(summary: dict[str, dict[str, int]]) -> str:
    parts = []
    for package in sorted(summary, key=lambda p: (-sum(summary[p].values()), p)):
        counts = summary[package]
        total = sum(counts.values())
        done = counts.get(health_rules.STATUS_DONE, 0)
        if not total:
            continue
        parts.append(f"{package}：已检 {done:,} / 应检 {total:,}（{done * 100 / total:.1f}%）")
    return "　".join(parts)


class HealthPage(ListPage):
    """Signals: ``cadre_open_requested(id)``, ``health_changed()`` (after a save or archive done here)."""

    cadre_open_requested = Signal(int)
    health_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("健康体检"), self.tr("搜索 姓名/拼音首字母/身份证尾号"), parent)
        self.dialog = None
        self._pending: tuple[int, int] | None = None   # (check id, year) saved while another year is shown
        self.rules_dialog: HealthRulesDialog | None = None
        self.view = RECORDS
        self._stale: set[str] = set(VIEWS)
        self._data_gen = 0
        self._due_job = None
        self._due_again = False
        self._due_params: tuple | None = None
        self._summary_key: tuple | None = None
        self._summary: dict[str, dict[str, int]] = {}
        self._due_error = ""
        today = date.today()

        # ---- view switcher and 体检周期设置, under the title
        views_row, self.view_bar = view_bar(self, [self.tr(VIEW_TITLES[key]) for key in VIEWS])
        views_row.setSpacing(8)
        self.rules_button = make_button(self.tr("体检周期设置"), "health-rules", parent=self,
                                        tooltip=self.tr("按年龄段和性别设置多久体检一次"))
        views_row.addWidget(self.rules_button)
        self.layout().insertLayout(1, views_row)

        # ---- filters
        self.records_year = QComboBox(self)
        self.records_year.setToolTip(self.tr("按体检年度筛选"))
        self.due_year = QComboBox(self)
        self.due_year.setToolTip(self.tr("计算哪一年的应检名单"))
        for y in range(today.year + 1, today.year - 5, -1):
            self.due_year.addItem(self.tr("{0} 年").format(y), y)
        self.due_year.setCurrentIndex(self.due_year.findData(today.year))
        self.unit_filter = QComboBox(self)
        self.unit_filter.setMinimumWidth(200)
        self.unit_filter.setMaxVisibleItems(20)
        self.unit_filter.setToolTip(self.tr("按单位筛选"))
        self.package_filter = QComboBox(self)
        self.package_filter.setToolTip(self.tr("按体检项目筛选"))
        self.status_filter = QComboBox(self)
        for text, value in DUE_STATUS_CHOICES:
            self.status_filter.addItem(self.tr(text), value)
        self.status_filter.setToolTip(self.tr("全部待办＝逾期和本年应检"))
        self.overdue_check = QCheckBox(self.tr("只看逾期"), self)
        self.overdue_check.setToolTip(self.tr("只显示过了复查日期仍未关闭的异常"))
        for w in (self.records_year, self.due_year, self.unit_filter, self.package_filter, self.status_filter,
                  self.overdue_check):
            self.filter_bar.addWidget(w)

        # ---- actions
        self.add_button = make_button(self.tr("新增"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("登记一次体检（Ctrl+N）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选体检记录"))
        self.archive_button = make_button(self.tr("归档"), "archive", parent=self,
                                          tooltip=self.tr("归档录错的体检记录（连同其异常结果）"))
        self.register_button = make_button(self.tr("登记体检"), "health-check-white", primary=True, parent=self,
                                           tooltip=self.tr("为所选干部登记这一项体检"))
        self.followup_button = make_button(self.tr("登记随访结果"), "health-followup-white", primary=True, parent=self,
                                           tooltip=self.tr("登记告知、转诊、复查和处理结果，或关闭随访"))
        self.view_check_button = make_button(self.tr("查看体检"), "edit", parent=self,
                                             tooltip=self.tr("打开这条异常所属的体检记录"))
        self.person_button = make_button(self.tr("干部详情"), "health-person", parent=self,
                                         tooltip=self.tr("打开所选干部的详情窗口"))
        for b in (self.add_button, self.edit_button, self.archive_button, self.register_button,
                  self.followup_button, self.view_check_button, self.person_button):
            self.action_bar.addWidget(b)
        self.make_exchange_buttons(self.tr("预览并打印所选年度的健康体检汇总表"))
        views_row.insertWidget(views_row.indexOf(self.rules_button), self.import_button)   # action bar is full
        views_row.insertWidget(views_row.indexOf(self.rules_button), self.export_button)   # exports this view
        self.action_bar.addWidget(self.print_button)

        # ---- coverage line (应检/逾期)
        self.coverage_label = QLabel(self)
        self.coverage_label.setWordWrap(True)
        theme.set_role(self.coverage_label, "info")
        self.layout().insertWidget(3, self.coverage_label)

        # ---- tables
        self.records_model = CheckRecordsModel(self)
        self.due_model = DueModel(self)
        self.followup_model = FollowupModel(self)
        self.records_table = self._make_table(self.records_model, RECORD_WIDTHS, sortable=False)
        self.due_table = self._make_table(self.due_model, DUE_WIDTHS, sortable=True)
        self.followup_table = self._make_table(self.followup_model, FOLLOWUP_WIDTHS, sortable=True)
        self.set_table(self.records_table)
        self.stack.addWidget(self.due_table)
        self.stack.addWidget(self.followup_table)
        self.tables = {RECORDS: self.records_table, DUE: self.due_table, FOLLOWUPS: self.followup_table}

        self._flash = single_shot(self, 6000, lambda: self.hint_label.setText(self.tr(HINTS[self.view])))
        self._refresh_timer = single_shot(self, 0, self._load_current)

        # ---- wiring
        self.view_bar.currentChanged.connect(self._on_view_bar_current_changed)
        self.rules_button.clicked.connect(self.open_rules)
        self.search_changed.connect(self._on_filter_changed)
        for combo in (self.records_year, self.due_year, self.unit_filter, self.package_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.overdue_check.toggled.connect(self._on_filter_changed)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.archive_button.clicked.connect(self.archive_selected)
        self.register_button.clicked.connect(self.register_selected)
        self.followup_button.clicked.connect(self.record_followup_selected)
        self.view_check_button.clicked.connect(self.view_check_selected)
        self.person_button.clicked.connect(self.open_person_selected)
        self.records_table.open_requested.connect(lambda _row: self.edit_selected())
        self.due_table.open_requested.connect(lambda _row: self.register_selected())
        self.followup_table.open_requested.connect(lambda _row: self.record_followup_selected())
        for table in self.tables.values():
            table.selectionModel().selectionChanged.connect(self._update_buttons)
            table.model().modelReset.connect(self._update_buttons)

        self._facets_loaded = False  # 年度 and 体检项目 lists: read when the page is first shown
        self.reload_units(apply=False)
        self._show_view(RECORDS)

    def _make_table(self, model, widths: dict[str, int], sortable: bool) -> DataTable:
        table = make_table(self, model, widths)
        header = table.horizontalHeader()
        if sortable:
            header.setSortIndicatorShown(False)
            table.setSortingEnabled(False)
            header.setSectionsClickable(True)
            header.sectionClicked.connect(lambda col, t=table: self._on_header_clicked(t, col))
        else:
            header.setSectionsClickable(False)
        return table

    def _on_header_clicked(self, table: DataTable, column: int) -> None:
        header = table.horizontalHeader()
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
            order = Qt.SortOrder.DescendingOrder if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder \
                else Qt.SortOrder.AscendingOrder
        else:
            order = Qt.SortOrder.AscendingOrder
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, order)
        table.model().sort(column, order)

    # ================================================================ views
    def set_view(self, key: str) -> None:
        self.view_bar.setCurrentIndex(VIEWS.index(key))

    def _on_view_bar_current_changed(self, index: int) -> None:
        if 0 <= index < len(VIEWS):
            self._show_view(VIEWS[index])

    def _show_view(self, key: str) -> None:
        self.view = key
        self.table = self.tables[key]
        self.records_year.setVisible(key == RECORDS)
        self.package_filter.setVisible(key == RECORDS)
        self.due_year.setVisible(key == DUE)
        self.status_filter.setVisible(key == DUE)
        self.overdue_check.setVisible(key == FOLLOWUPS)
        for b in (self.add_button, self.edit_button, self.archive_button):
            b.setVisible(key == RECORDS)
        self.register_button.setVisible(key == DUE)
        self.followup_button.setVisible(key == FOLLOWUPS)
        self.view_check_button.setVisible(key == FOLLOWUPS)
        self.coverage_label.setVisible(key == DUE)
        self.hint_label.setText(self.tr(HINTS[key]))
        self.show_table()
        if not self.isVisible():
            return  # nothing is read until the page is shown
        if key in self._stale:
            self._load_current()
        else:
            self._after_load()

    # ================================================================ loading
    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if self.view in self._stale:
            self._load_current()

    def import_from_excel(self) -> None:
        from ..dialogs.import_wizard import open_import_wizard  # openpyxl loads on first use

        open_import_wizard(self, "health", self._on_imported)

    def _on_imported(self, _kind: str) -> None:
        self.refresh()
        self.health_changed.emit()

    def refresh(self, *_args) -> None:
        """Re-read after a change (here or elsewhere): every view goes stale, the visible one reloads."""
        self._data_gen += 1
        self._stale = set(VIEWS)
        self._facets_loaded = False
        if self.isVisible():
            self._refresh_timer.start()

    def _on_filter_changed(self, *_args) -> None:
        self._load_current()

    def _load_current(self) -> None:
        self._refresh_timer.stop()
        if not self._facets_loaded:
            self._reload_year_and_packages()
        if self._search_timer.isActive():
            self._search_timer.stop()
        self._stale.discard(self.view)
        if self.view == RECORDS:
            self._load_records()
        elif self.view == FOLLOWUPS:
            self._load_followups()
        else:
            self._load_due()

    def apply_filter(self) -> None:
        """Filter the visible view now (no typing pause)."""
        self._load_current()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)
        self._search_timer.stop()
        self._load_current()

    def print_register(self):
        """打印: the 健康体检汇总表 of the year shown (and the unit filtered on), built in the background."""
        from ..dialogs.print_preview_dialog import preview_register

        combo = self.due_year if self.view == DUE else self.records_year
        year = combo.currentData() or date.today().year
        return preview_register(self, "health", str(year), self._unit_id())

    def _unit_id(self) -> int | None:
        return self.unit_filter.currentData() or None

    def current_record_filter(self) -> CheckFilter:
        return CheckFilter(year=self.records_year.currentData() or None, unit_id=self._unit_id(),
                           text=self.search_box.text(), package=self.package_filter.currentData() or "")

    def _load_records(self) -> None:
        keep = self.records_model.check_id(self.records_table.current_row())
        if self._pending is not None:
            keep, year = self._pending
            self._pending = None
            self._show_year(year)
        self.records_model.set_filter(self.current_record_filter())
        if keep is not None:
            row = self.records_model.row_of(keep)
            while row < 0 and self.records_model.canFetchMore():
                self.records_model.fetchMore()
                row = self.records_model.row_of(keep)
            if row >= 0:
                self.records_table.select_row(row)
        self._after_load()

    def _show_year(self, year: int) -> None:
        """A check was saved in another year than the one shown: show that year, and say so,
        so a back-entered record is seen rather than thought lost."""
        if (self.records_year.currentData() or None) in (None, year):
            return
        index = self.records_year.findData(year)
        self.records_year.blockSignals(True)
        if index < 0:
            self.records_year.addItem(self.tr("{0} 年").format(year), year)
            index = self.records_year.count() - 1
        self.records_year.setCurrentIndex(index)
        self.records_year.blockSignals(False)
        self.hint_label.setText(self.hint_label.text()
                                + self.tr("（这条记录在 {0} 年，列表已切换到 {0} 年）").format(year))

    def _load_followups(self) -> None:
        row = self.followup_table.current_row()
        keep = self.followup_model.item(row).finding_id if self.followup_model.item(row) else None
        rows = health_service.open_followups(date.today(), self._unit_id(), self.search_box.text(),
                                             overdue_only=self.overdue_check.isChecked())
        self.followup_model.set_rows(rows)
        if keep is not None:
            r = self.followup_model.row_of(keep)
            if r >= 0:
                self.followup_table.select_row(r)
        self._after_load()

    # ---- the due list runs on a worker thread
    @property
    def due_busy(self) -> bool:
        return self._due_job is not None

    def _load_due(self) -> None:
        if self._due_job is not None:
            self._due_again = True   # filters changed while computing: run once more with the latest
            return
        year = self.due_year.currentData() or date.today().year
        unit_id = self._unit_id()
        params = (year, unit_id, self.search_box.text().strip(), self.status_filter.currentData() or "")
        summary_key = (year, unit_id, self._data_gen)
        with_summary = summary_key != self._summary_key
        self._due_params = params
        self._due_error = ""
        self.coverage_label.setText(self.tr("正在计算…"))
        if self.due_model.total == 0 and self.view == DUE:
            self.show_empty(self.tr("正在计算 {0} 年的应检名单…").format(year))
        if self.view == DUE:
            self.count_label.setText("")
        job = run_job(_due_work, year, date.today(), unit_id, params[2], params[3], with_summary,
                      parent=self, title=self.tr("计算应检名单"), dialog=False)
        self._due_job = job
        job.finished.connect(lambda result, k=summary_key: self._on_due_finished(result, k))
        job.failed.connect(self._on_due_failed)
        job.done.connect(self._on_due_done)

    def _on_due_finished(self, result: tuple[list, dict | None], summary_key: tuple) -> None:
        rows, summary = result
        if summary is not None:
            self._summary, self._summary_key = summary, summary_key
        keep = self._selected_due_key()
        self.due_model.set_rows(rows)
        if keep is not None:
            for i in range(self.due_model.rowCount()):
                r = self.due_model.item(i)
                if (r.cadre_id, r.package) == keep:
                    self.due_table.select_row(i)
                    break

    def _on_due_failed(self, message: str) -> None:
        self._due_error = message

    def _on_due_done(self) -> None:
        self._due_job = None
        if self._due_again:
            self._due_again = False
            if self.view == DUE:
                self._load_due()
                return
            self._stale.add(DUE)
        if self.view == DUE:
            self._after_load()

    def _selected_due_key(self) -> tuple[int, str] | None:
        r = self.due_model.item(self.due_table.current_row())
        return (r.cadre_id, r.package) if r is not None else None

    # ---- after any load: table or empty state, counts
    def _after_load(self) -> None:
        if self.view == RECORDS:
            self._after_records()
        elif self.view == FOLLOWUPS:
            self._after_followups()
        else:
            self._after_due()
        self._update_buttons()

    def _filtered(self) -> bool:
        return bool(self.search_box.text().strip() or self._unit_id())

    def _after_records(self) -> None:
        total = self.records_model.total
        if total:
            self.show_table()
            self.count_label.setText(self.tr("共 {0} 次体检").format(total))
            return
        self.count_label.setText("")
        if roster_service.cadre_count() == 0:
            self.show_empty(self.tr("还没有干部。请先在「干部名册」中新增干部，再登记体检"))
        elif health_service.check_count() == 0:
            self.show_empty(self.tr("还没有体检记录，点击「新增」登记第一次体检"), self.tr("新增"), self.add)
        else:
            self.show_empty(self.tr("没有符合条件的体检记录"), self.tr("清除搜索和筛选"), self.clear_filters)

    def _after_followups(self) -> None:
        rows = self.followup_model.rows()
        if rows:
            self.show_table()
            overdue = sum(1 for r in rows if r.status == health_rules.FOLLOWUP_OVERDUE)
            text = self.tr("共 {0} 项未关闭").format(len(rows))
            if overdue and not self.overdue_check.isChecked():
                text += self.tr("，其中复查逾期 {0} 项").format(overdue)
            self.count_label.setText(text)
            return
        self.count_label.setText("")
        if self._filtered() or self.overdue_check.isChecked():
            self.show_empty(self.tr("没有符合条件的异常随访"), self.tr("清除搜索和筛选"), self.clear_filters)
        else:
            self.show_empty(self.tr("没有未关闭的异常随访。登记体检时填写的异常结果会出现在这里"))

    def _after_due(self) -> None:
        if self._due_job is not None:
            return  # still computing: the "正在计算…" state stays until it is done
        year = self.due_year.currentData() or date.today().year
        if self._due_error:
            self.coverage_label.setText("")
            self.count_label.setText("")
            self.show_empty(self._due_error, self.tr("重试"), self.refresh)
            return
        coverage = coverage_text(self._summary)
        self.coverage_label.setText(self.tr("{0} 年覆盖率　").format(year) + coverage if coverage else "")
        total = self.due_model.total
        status = self.status_filter.currentData() or ""
        if total:
            self.show_table()
            noun = self.tr("项待办") if not status else self.tr("项")
            self.count_label.setText(self.tr("共 {0} {1}").format(total, noun))
            return
        self.count_label.setText("")
        if not health_service.rule_rows():
            self.show_empty(self.tr("还没有体检周期规则，点击「体检周期设置」载入预设或新增规则"),
                            self.tr("体检周期设置"), self.open_rules)
        elif self._filtered():
            self.show_empty(self.tr("没有符合条件的干部"), self.tr("清除搜索和筛选"), self.clear_filters)
        elif not status:
            self.show_empty(self.tr("{0} 年的应检体检都已完成").format(year), self.tr("查看已完成"),
                            lambda: self.status_filter.setCurrentIndex(self.status_filter.findData("已完成")))
        else:
            self.show_empty(self.tr("{0} 年没有「{1}」的项目").format(year, self.status_filter.currentText()),
                            self.tr("查看全部待办"), lambda: self.status_filter.setCurrentIndex(0))

    def clear_filters(self) -> None:
        reset_filters(self.unit_filter, self.package_filter, self.overdue_check, self.search_box)
        self._load_current()

    def reload_units(self, apply: bool = True) -> None:
        refill_combo(self.unit_filter, (self.tr("全部单位"), 0), unit_items())
        if apply:
            self.refresh()

    def _reload_year_and_packages(self) -> None:
        self._facets_loaded = True
        this_year = date.today().year
        years = sorted(set(queries.check_years()) | {this_year}, reverse=True)
        refill_combo(self.records_year, (self.tr("全部年度"), 0), [(self.tr("{0} 年").format(y), y) for y in years],
                     this_year)
        refill_combo(self.package_filter, (self.tr("全部项目"), ""),
                     [(p, p) for p in sorted(set(health_service.packages()) | set(queries.check_packages()))])

    @property
    def empty_text(self) -> str:
        return self.empty_state.label.text() if self.empty_visible else ""

    # ================================================================ selection
    def selected_cadre_id(self) -> int | None:
        row = self.table.current_row()
        if self.view == RECORDS:
            return self.records_model.cadre_id(row)
        item = (self.due_model if self.view == DUE else self.followup_model).item(row)
        return item.cadre_id if item is not None else None

    def _update_buttons(self, *_args) -> None:
        has = self.table.current_row() >= 0
        for b in (self.edit_button, self.archive_button, self.register_button, self.followup_button,
                  self.view_check_button, self.person_button):
            b.setEnabled(has)
        if not has:
            self.person_button.setToolTip(self.tr("先在表格中选择一行"))
        else:
            self.person_button.setToolTip(self.tr("打开所选干部的详情窗口"))

    # ================================================================ actions
    def add(self) -> None:
        """新增 (Ctrl+N): record a check for anyone."""
        self._open(CheckDialog(None, self))

    def edit_selected(self) -> None:
        check_id = self.records_model.check_id(self.records_table.current_row())
        if check_id is not None:
            self._open(CheckDialog(check_id, self))

    def register_selected(self) -> None:
        item = self.due_model.item(self.due_table.current_row())
        if item is not None:
            self._open(CheckDialog(None, self, cadre_id=item.cadre_id, package=item.package, lock_cadre=True))

    def record_followup_selected(self) -> None:
        item = self.followup_model.item(self.followup_table.current_row())
        if item is None:
            return
        try:
            dialog = FindingDialog(item.finding_id, item.check_id, self)
        except DomainError as err:
            messages.error(self, err.message)
            self.refresh()
            return
        self._open(dialog)

    def view_check_selected(self) -> None:
        item = self.followup_model.item(self.followup_table.current_row())
        if item is not None:
            self._open(CheckDialog(item.check_id, self))

    def open_person_selected(self) -> None:
        cadre_id = self.selected_cadre_id()
        if cadre_id is not None:
            self.cadre_open_requested.emit(cadre_id)

    def export_current(self):
        """导出: the view on screen to Excel — 体检记录 (the model's filter, every row),
        应检/逾期 or 异常随访 (the rows computed, in the order shown)."""
        from ...services.exports import DueQuery, FollowupQuery
        from ..export_action import export_view, sort_label

        if self.view == RECORDS:
            return export_view(self, "health-checks", self.records_model.filter, count=self.records_model.total)
        if self.view == FOLLOWUPS:
            m = self.followup_model
            rows = m.rows()
            query = FollowupQuery(self._unit_id(), self.search_box.text(), self.overdue_check.isChecked(),
                                  sort_label=sort_label(self.followup_table, m.HEADERS, m.COLUMNS,
                                                        self.tr("复查逾期在前，A 类在前，再按复查日期")))
            return export_view(self, "health-followups", query, items=rows, count=len(rows))
        if self.due_busy or self._due_params is None:
            messages.info(self, self.tr("正在计算应检名单，请稍候再导出。"))
            return None
        year, unit_id, text, status = self._due_params
        m = self.due_model
        rows = m.rows()
        query = DueQuery(year, unit_id, text, status,
                         sort_label=sort_label(self.due_table, m.HEADERS, m.COLUMNS, self.tr("逾期在前，再按姓名")))
        return export_view(self, "health-due", query, items=rows, count=len(rows))

    def archive_selected(self) -> None:
        row = self.records_table.current_row()
        record = self.records_model.row_tuple(row)
        if record is None:
            return
        check_id, _cid, check_date, name, _unit, package = record[:6]
        text = self.tr("确定将 {0} {1} 的{2}记录归档？").format(name, check_date.isoformat() if check_date else "",
                                                        package)
        informative = self.tr("归档后不再计入体检记录、应检名单和异常随访；记录保留在修改记录中。")
        if not messages.confirm(self, text, self.tr("归档"), informative=informative):
            return
        try:
            health_service.archive_check(check_id)
        except DomainError as err:
            messages.error(self, err.message)
            return
        self._changed(self.tr("已归档：{0} {1}").format(name, package))

    def open_rules(self) -> None:
        actions.open_dialog(self, HealthRulesDialog(self), self._on_rules_changed, signal="rules_changed",
                            attr="rules_dialog")

    def _on_rules_changed(self) -> None:
        self._changed(self.tr("体检周期规则已更新，应检名单已按新规则重新计算"))

    def _open(self, dialog) -> None:
        actions.open_dialog(self, dialog, self._on_dialog_saved)

    def _on_dialog_saved(self, _id: int) -> None:
        dialog = self.sender()
        if isinstance(dialog, FindingDialog):
            self._changed(self.tr("已登记随访结果：{0}").format(dialog.finding["item"]))
        else:
            name = ""
            if isinstance(dialog, CheckDialog) and dialog.picker.cadre_id is not None:
                label = queries.picker_label(dialog.picker.cadre_id)
                name = label[1] if label else ""
            checked_on = dialog.date_edit.value() if isinstance(dialog, CheckDialog) else None
            if checked_on is not None and self.view == RECORDS:
                self._pending = (_id, checked_on.year)
            self._changed(self.tr("已保存体检记录：{0}").format(name))

    def _changed(self, message: str) -> None:
        self.refresh()
        self.hint_label.setText(message)
        self._flash.start()
        self.health_changed.emit()


# ---------------------------------------------------------------- the detail window's 健康 tab

def _make_health_tab(cadre_id: int, parent: QWidget) -> HealthTab:
    tab = HealthTab(cadre_id, parent)
    if hasattr(parent, "add_action"):
        button = make_button(tab.tr("登记体检"), "health-check", parent=parent,
                             tooltip=tab.tr("为这名干部登记一次体检"))
        button.clicked.connect(lambda: _register_from_detail(parent, tab))
        parent.add_action(button)
        tab.add_check_button = button
    changed = getattr(parent, "cadres_changed", None)
    if changed is not None:
        tab.health_changed.connect(changed)
    return tab


def _register_from_detail(window: Any, tab: HealthTab) -> None:
    tabs = getattr(window, "tabs", None)
    if tabs is not None:
        tabs.setCurrentWidget(tab)
    tab.add_check()


cadre_detail.register_detail_tab("健康", _make_health_tab)
