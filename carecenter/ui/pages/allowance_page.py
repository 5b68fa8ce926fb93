"""津贴补贴: the monthly payout batch (DOMAIN.md §3).

The clerk picks a month (the current one by default) and sees its batch:

* 发放明细 — every line (姓名, 单位, 项目, 档次/类区, 金额, 依据, 调整说明, 类型),
  filtered by 单位 / 项目 / 类型 and the search box, fetched from SQL a page at a time;
* 合计 — totals by unit and by scheme; the month's grand total (also in 大写) is
  always shown under the table, checked against the sum of the lines;
* 未能计算 — cadres the last generation could not compute (e.g. the empty hardship
  matrix), each with what to do.

Actions: 生成本月 / 重新生成 (a background job with progress and 取消), 调整 (a
draft line, reason required), 补发/扣减 (a correction into a later month), 锁定本月
(asks first; afterwards editing is disabled and the tooltips say corrections go to
a later month), 津贴标准 (the rate tables), 干部详情.

Importing this module registers the detail window's 津贴 tab.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...db import queries
from ...db.database import db
from ...domain.errors import DomainError
from ...domain.money import format_yuan, to_capital
from ...services import allowance as service
from ...services import roster as roster_service
from .. import actions, messages, theme
from ..dialogs import cadre_detail
from ..dialogs.allowance_adjust_dialog import AdjustDialog
from ..dialogs.allowance_correction_dialog import CorrectionDialog
from ..dialogs.allowance_rates_dialog import AllowanceRatesDialog
from ..models.allowance_models import (CADRE_ROLE, LinesModel, ProblemsModel, SchemeTotalsModel, UnitTotalsModel,
                                       month_text)
from ..tasks import run_job
from ..widgets.allowance_tab import AllowanceTab
from ..widgets.list_page import (ListPage, make_button, refill_combo, reset_filters, single_shot, view_bar)
from ..widgets.table_view import DataTable

LINES, TOTALS, PROBLEMS = "lines", "totals", "problems"
VIEWS = [LINES, TOTALS, PROBLEMS]
VIEW_TITLES = {LINES: "发放明细", TOTALS: "合计", PROBLEMS: "未能计算"}
HINTS = {LINES: "双击或按 Enter 调整所选一行", TOTALS: "按单位和项目汇总本月发放",
         PROBLEMS: "双击或按 Enter 打开干部详情，补充信息后重新生成"}
LINE_WIDTHS = {"name": 80, "unit": 150, "scheme": 124, "band": 150, "amount": 96, "reason": 140, "kind": 96}
MONTHS_BACK = 24


def _lock_work(ctx, month: date) -> dict:
    """Worker thread: the safety copy and the lock; no widgets here."""
    try:
        return service.lock_month(month)
    finally:
        if not db.is_closed():
            db.close()  # this worker thread's own connection


def _generate_work(ctx, month: date) -> service.GenerateSummary:
    """Worker thread: generate the month; no widgets here."""
    try:
        return service.generate_month(month, progress=ctx.progress, check=ctx.check)
    finally:
        if not db.is_closed():
            db.close()  # this worker thread's own connection


class AllowancePage(ListPage):
    """Signals: ``cadre_open_requested(id)``, ``allowance_changed()`` (after any change made here)."""

    cadre_open_requested = Signal(int)
    allowance_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("津贴补贴"), self.tr("搜索 姓名/拼音首字母/身份证尾号"), parent)
        self.dialog = None
        self.rates_dialog: AllowanceRatesDialog | None = None
        self.job = None
        self.last_summary: service.GenerateSummary | None = None
        self.view = LINES
        self.info: dict[str, Any] | None = None
        self._stale = True

        # ---- month, status, 津贴标准
        month_row = QHBoxLayout()
        month_row.setSpacing(8)
        month_label = QLabel(self.tr("发放月份"), self)
        theme.set_role(month_label, "label")
        month_row.addWidget(month_label)
        self.month_combo = QComboBox(self)
        self.month_combo.setMinimumWidth(170)
        self.month_combo.setMaxVisibleItems(16)
        self.month_combo.setToolTip(self.tr("选择要查看或生成的月份"))
        month_row.addWidget(self.month_combo)
        self.status_badge = QLabel(self)
        month_row.addWidget(self.status_badge)
        self.status_info = QLabel(self)
        theme.set_role(self.status_info, "hint")
        month_row.addWidget(self.status_info, 1)
        self.example_label = QLabel(self)
        theme.set_role(self.example_label, "warning")
        month_row.addWidget(self.example_label)
        self.rates_button = make_button(self.tr("津贴标准"), "allowance-rates", parent=self,
                                        tooltip=self.tr("艰苦边远地区津贴标准、乡镇工作补贴分档等，每行带起执行日期"))
        month_row.addWidget(self.rates_button)
        self.layout().insertLayout(1, month_row)

        views_row, self.view_bar = view_bar(self, [self.tr(VIEW_TITLES[key]) for key in VIEWS])
        self.layout().insertLayout(2, views_row)

        # ---- filters
        self.unit_filter = QComboBox(self)
        self.unit_filter.setMinimumWidth(190)
        self.unit_filter.setMaxVisibleItems(20)
        self.unit_filter.setToolTip(self.tr("按单位筛选（发放时的单位）"))
        self.scheme_filter = QComboBox(self)
        self.scheme_filter.addItem(self.tr("全部项目"), "")
        for code in service.SCHEMES:
            self.scheme_filter.addItem(self.tr(service.SCHEME_NAMES[code]), code)
        self.scheme_filter.setToolTip(self.tr("按津贴项目筛选"))
        self.kind_filter = QComboBox(self)
        self.kind_filter.addItem(self.tr("全部类型"), "")
        for k in service.LINE_KINDS:
            self.kind_filter.addItem(self.tr(k), k)
        self.kind_filter.setToolTip(self.tr("正常发放、补发或扣减"))
        for w in (self.unit_filter, self.scheme_filter, self.kind_filter):
            self.filter_bar.addWidget(w)

        # ---- actions
        self.generate_button = make_button(self.tr("生成本月"), "allowance-generate-white", primary=True, parent=self)
        self.adjust_button = make_button(self.tr("调整"), "allowance-adjust", parent=self)
        self.correction_button = make_button(self.tr("补发/扣减"), "allowance-correction", parent=self,
                                             tooltip=self.tr("更正已锁定的月份：在以后月份添加补发或扣减"))
        self.lock_button = make_button(self.tr("锁定本月"), "allowance-lock", parent=self)
        self.person_button = make_button(self.tr("干部详情"), "health-person", parent=self,
                                         tooltip=self.tr("打开所选干部的详情窗口"))
        for b in (self.generate_button, self.adjust_button, self.correction_button, self.lock_button,
                  self.person_button):
            self.action_bar.addWidget(b)
        self.make_exchange_buttons(self.tr("预览并打印所选月份的津贴补贴发放花名册（带签字栏）"))
        views_row.addWidget(self.import_button)   # beside the view tabs: the action bar is full at 1366 px
        views_row.addWidget(self.export_button)
        self.action_bar.addWidget(self.print_button)

        # ---- problems banner
        self.banner = QFrame(self)
        self.banner.setObjectName("AllowanceBanner")
        self.banner.setStyleSheet("#AllowanceBanner { background: #fdf6ea; border: 1px solid #f0d3a4; "
                                  "border-radius: 6px; }")
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(12, 8, 12, 8)
        bl.setSpacing(10)
        icon = QLabel(self.banner)
        icon.setPixmap(theme.icon("warning").pixmap(20, 20))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        bl.addWidget(icon)
        self.banner_label = QLabel(self.banner)
        self.banner_label.setWordWrap(True)
        theme.set_role(self.banner_label, "warning")
        bl.addWidget(self.banner_label, 1)
        self.banner_list_button = make_button(self.tr("查看名单"), parent=self.banner)
        self.banner_rates_button = make_button(self.tr("填写津贴标准"), "allowance-rates", parent=self.banner)
        bl.addWidget(self.banner_list_button, 0, Qt.AlignmentFlag.AlignTop)
        bl.addWidget(self.banner_rates_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout().insertWidget(4, self.banner)
        self.banner.setVisible(False)

        # ---- tables
        self.lines_model = LinesModel(self)
        self.lines_table = DataTable(self)
        self.lines_table.setModel(self.lines_model)
        header = self.lines_table.horizontalHeader()
        for i, key in enumerate(self.lines_model.COLUMNS):
            if key in LINE_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.lines_table.setColumnWidth(i, LINE_WIDTHS[key])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        header.setSectionsClickable(False)
        self.remove_action = QAction(self.tr("删除这一行补发/扣减"), self.lines_table)
        self.lines_table.addAction(self.remove_action)
        self.lines_table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.set_table(self.lines_table)

        self.unit_totals = UnitTotalsModel(self)
        self.scheme_totals = SchemeTotalsModel(self)
        self.totals_widget = QWidget(self)
        tl = QHBoxLayout(self.totals_widget)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(16)
        self.unit_totals_table = self._totals_table(self.unit_totals, {"lines": 70, "amount": 130})
        self.scheme_totals_table = self._totals_table(self.scheme_totals, {"kind": 80, "lines": 70, "amount": 130})
        for title, table, stretch in ((self.tr("按单位"), self.unit_totals_table, 3),
                                      (self.tr("按项目"), self.scheme_totals_table, 2)):
            box = QVBoxLayout()
            box.setSpacing(4)
            label = QLabel(title, self.totals_widget)
            theme.set_role(label, "section")
            box.addWidget(label)
            box.addWidget(table, 1)
            tl.addLayout(box, stretch)
        self.stack.addWidget(self.totals_widget)

        self.problems_model = ProblemsModel(self)
        self.problems_table = DataTable(self)
        self.problems_table.setModel(self.problems_model)
        ph = self.problems_table.horizontalHeader()
        for i, w in enumerate((80, 180, 250)):
            ph.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            self.problems_table.setColumnWidth(i, w)
        ph.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.stack.addWidget(self.problems_table)
        self.tables = {LINES: self.lines_table, TOTALS: self.totals_widget, PROBLEMS: self.problems_table}

        # ---- grand total under the table
        self.total_bar = QFrame(self)
        self.total_bar.setObjectName("DetailHeader")
        tb = QHBoxLayout(self.total_bar)
        tb.setContentsMargins(14, 6, 14, 6)
        tb.setSpacing(12)
        self.total_label = QLabel(self.total_bar)
        self.total_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tb.addWidget(self.total_label)
        self.capital_label = QLabel(self.total_bar)
        self.capital_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.capital_label, "value")
        tb.addWidget(self.capital_label, 1)
        self.check_label = QLabel(self.total_bar)
        tb.addWidget(self.check_label)
        self.layout().insertWidget(self.layout().count() - 1, self.total_bar)

        self._flash = single_shot(self, 6000, self._update_hint)
        self._refresh_timer = single_shot(self, 0, self.reload)

        # ---- wiring
        self.view_bar.currentChanged.connect(self._on_view_bar_current_changed)
        self.month_combo.currentIndexChanged.connect(self._on_month_changed)
        self.search_changed.connect(self._on_filter_changed)
        for combo in (self.unit_filter, self.scheme_filter, self.kind_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.generate_button.clicked.connect(self.generate)
        self.adjust_button.clicked.connect(self.adjust_selected)
        self.correction_button.clicked.connect(self.add_correction)
        self.lock_button.clicked.connect(self.lock)
        self.person_button.clicked.connect(self.open_person_selected)
        self.rates_button.clicked.connect(self.open_rates)
        self.banner_rates_button.clicked.connect(self.open_rates)
        self.banner_list_button.clicked.connect(lambda: self.set_view(PROBLEMS))
        self.remove_action.triggered.connect(self.remove_selected_correction)
        self.lines_table.open_requested.connect(lambda _row: self.adjust_selected())
        self.problems_table.open_requested.connect(lambda _row: self.open_person_selected())
        for table in (self.lines_table, self.problems_table):
            table.selectionModel().selectionChanged.connect(self._update_buttons)
            table.model().modelReset.connect(self._update_buttons)

        self._fill_months(date.today())
        self._show_view(LINES)

    def _totals_table(self, model, widths: dict[str, int]) -> DataTable:
        table = DataTable(self.totals_widget)
        table.setModel(model)
        header = table.horizontalHeader()
        header.setSectionsClickable(False)
        for i, key in enumerate(model.COLUMNS):
            if key in widths:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                table.setColumnWidth(i, widths[key])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        return table

    # ================================================================ months
    def _fill_months(self, select: date | None = None) -> None:
        this = service.month_of(date.today())
        keep = service.month_of(select) if select else self.current_month()
        statuses = service.batch_statuses()
        months = set(statuses) | {service.add_month(this, -i) for i in range(MONTHS_BACK)} | {
            service.add_month(this, 1)}
        if keep:
            months.add(keep)
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        for m in sorted(months, reverse=True):
            status = statuses.get(m)
            suffix = {service.STATUS_LOCKED: self.tr("　已锁定"), service.STATUS_DRAFT: self.tr("　草稿")}.get(status, "")
            self.month_combo.addItem(month_text(m) + suffix, m.isoformat())
        index = self.month_combo.findData((keep or this).isoformat())
        self.month_combo.setCurrentIndex(max(0, index))
        self.month_combo.blockSignals(False)

    def print_register(self):
        """打印: the 发放花名册 of the month shown (and the unit filtered on), built in the background."""
        from ...db import queries
        from ..dialogs.print_preview_dialog import preview_register

        month = self.current_month() or service.month_of(date.today())
        unit_name = self.unit_filter.currentData() or ""
        unit_id = next((uid for uid, name in queries.unit_names().items() if name == unit_name), None) \
            if unit_name else None
        return preview_register(self, "allowance", f"{month:%Y-%m}", unit_id)

    def current_month(self) -> date | None:
        value = self.month_combo.currentData() if self.month_combo.count() else None
        return date.fromisoformat(value) if value else None

    def set_month(self, month: date) -> None:
        index = self.month_combo.findData(service.month_of(month).isoformat())
        if index < 0:
            self._fill_months(month)
            index = self.month_combo.findData(service.month_of(month).isoformat())
        self.month_combo.setCurrentIndex(index)
        self.reload()

    def _on_month_changed(self, _index: int) -> None:
        self._reset_filters()
        self.reload()

    # ================================================================ views
    def set_view(self, key: str) -> None:
        self.view_bar.setCurrentIndex(VIEWS.index(key))

    def _on_view_bar_current_changed(self, index: int) -> None:
        if 0 <= index < len(VIEWS):
            self._show_view(VIEWS[index])

    def _show_view(self, key: str) -> None:
        self.view = key
        self.table = self.tables[key]
        for w in (self.unit_filter, self.scheme_filter, self.kind_filter):
            w.setVisible(key == LINES)
        self.search_box.setEnabled(key != TOTALS)
        self.adjust_button.setVisible(key == LINES)
        self.hint_label.setText(self.tr(HINTS[key]))
        if self.isVisible() and not self._stale:
            self._after_load()

    # ================================================================ loading
    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if self._stale:
            self.reload()

    def import_from_excel(self) -> None:
        from ..dialogs.import_wizard import open_import_wizard  # openpyxl loads on first use

        open_import_wizard(self, "allowance", self._on_imported)

    def _on_imported(self, _kind: str) -> None:
        self.refresh()
        self.allowance_changed.emit()

    def refresh(self, *_args) -> None:
        """Re-read after a change made here or elsewhere (deferred while hidden)."""
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()

    def reload(self) -> None:
        self._refresh_timer.stop()
        self._stale = False
        month = self.current_month()
        self._fill_months(month)
        month = self.current_month()
        self.info = service.batch_info(month) if month else None
        self._has_cadres = roster_service.cadre_count() > 0
        self._reload_units()
        self._load_lines()
        self._load_totals()
        self.problems_model.set_groups(self._problem_groups())
        self._apply_problem_search()
        self._after_load()

    def _problem_groups(self) -> list[service.ProblemGroup]:
        return list(self.info["problem_groups"]) if self.info else []

    def _reload_units(self) -> None:
        month = self.current_month()
        names = service.unit_names_of(month) if month and self.info else []
        refill_combo(self.unit_filter, (self.tr("全部单位"), ""), [(n or self.tr("（未填写单位）"), n) for n in names])

    def current_filter(self) -> service.LineFilter | None:
        month = self.current_month()
        if month is None or self.info is None:
            return None
        return service.LineFilter(month, unit_name=self.unit_filter.currentData() or "",
                                  scheme=self.scheme_filter.currentData() or "",
                                  kind=self.kind_filter.currentData() or "", text=self.search_box.text())

    def _load_lines(self) -> None:
        keep = self.selected_line()
        self.lines_model.set_filter(self.current_filter())
        if keep is not None:
            row = self.lines_model.row_of(keep["id"])
            if row >= 0:
                self.lines_table.select_row(row)

    def _load_totals(self) -> None:
        month = self.current_month()
        self.unit_totals.set_rows(service.totals_by_unit(month) if month and self.info else [])
        self.scheme_totals.set_rows(service.totals_by_scheme(month) if month and self.info else [])

    def _apply_problem_search(self) -> None:
        text = self.search_box.text().strip()
        groups = self._problem_groups()
        if text:
            groups = [service.ProblemGroup(g.key, g.code, g.title, g.advice, g.count,
                                           [s for s in g.samples if text in s.get("name", "")
                                            or text in s.get("unit", "")]) for g in groups]
        self.problems_model.set_groups(groups)

    def _on_filter_changed(self, *_args) -> None:
        if self._search_timer.isActive():
            self._search_timer.stop()
        self._load_lines()
        self._apply_problem_search()
        self._after_load()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)
        self._search_timer.stop()
        self._on_filter_changed()

    def _reset_filters(self) -> None:
        reset_filters(self.unit_filter, self.scheme_filter, self.kind_filter)

    def clear_filters(self) -> None:
        self._reset_filters()
        reset_filters(self.search_box)
        self._on_filter_changed()

    def _filtered(self) -> bool:
        return bool(self.search_box.text().strip() or self.unit_filter.currentData()
                    or self.scheme_filter.currentData() or self.kind_filter.currentData())

    # ---- after any load: status, banner, totals, table or empty state
    def _after_load(self) -> None:
        month = self.current_month()
        info = self.info
        label = month_text(month) if month else ""
        if info is None:
            self.status_badge.setText(self.tr("未生成"))
            theme.set_role(self.status_badge, "badge")
            self.status_info.setText("")
        elif info["locked"]:
            self.status_badge.setText(self.tr("已锁定"))
            theme.set_role(self.status_badge, "badge-archived")
            at = info["locked_at"]
            when = at.strftime("%Y-%m-%d %H:%M") if hasattr(at, "strftime") else str(at or "")[:16]
            self.status_info.setText(self.tr("{0} 由 {1} 锁定，不能再修改；更正请在以后月份添加补发或扣减").format(
                when, info["locked_by"] or "—"))
        else:
            self.status_badge.setText(self.tr("草稿"))
            theme.set_role(self.status_badge, "badge")
            gen = info["generated_at"]
            self.status_info.setText(self.tr("生成于 {0}，核对无误后请「锁定本月」").format(gen[:16]) if gen
                                     else self.tr("尚未生成正常发放，只有补发/扣减"))
        self._update_banner()
        self._update_example_marker()
        self._update_hint()
        self._update_total()
        if self.view == LINES:
            self._after_lines(label)
        elif self.view == TOTALS:
            self._after_totals(label)
        else:
            self._after_problems(label)
        self._update_buttons()

    def _update_banner(self) -> None:
        groups = self._problem_groups()
        if not groups:
            self.banner.setVisible(False)
            return
        n = sum(g.count for g in groups)
        if self.locked:
            parts = [self.tr("本月生成时有 {0} 名干部未能计算，未列入发放。本月已锁定：应发的请补充后在以后月份「补发」。")
                     .format(n)]
            parts += [self.tr("· {0}（{1} 人）").format(g.title, g.count) for g in groups]
        else:
            parts = [self.tr("有 {0} 名干部未能计算，未列入本月发放：").format(n)]
            parts += [self.tr("· {0}（{1} 人）：{2}").format(g.title, g.count, g.advice) for g in groups]
        self.banner_label.setText("\n".join(parts))
        rates_related = any(g.code in ("rate_missing", "rule_not_in_force") for g in groups)
        self.banner_rates_button.setVisible(rates_related and not self.locked)
        self.banner_list_button.setVisible(self.view != PROBLEMS)
        self.banner.setVisible(True)

    def _update_example_marker(self) -> None:
        rows = service.example_amount_rows()
        if rows:
            self.example_label.setText(self.tr("津贴标准含示例数据"))
            self.example_label.setToolTip(self.tr("有 {0} 条金额标准标为「示例」（如湖南省示例分档），尚未按本地文件核实；"
                                                  "请在「津贴标准」中核对后取消「示例数据」").format(rows))
        else:
            self.example_label.setText("")
            self.example_label.setToolTip("")

    def _update_hint(self) -> None:
        if self._flash.isActive():
            return
        if self.view == LINES and self.locked:
            self.hint_label.setText(self.tr("本月已锁定：更正请用「补发/扣减」计入以后月份"))
        else:
            self.hint_label.setText(self.tr(HINTS[self.view]))

    def _update_total(self) -> None:
        month = self.current_month()
        if self.info is None or month is None:
            self.total_bar.setVisible(False)
            return
        total = service.month_total(month)
        self.total_bar.setVisible(True)
        self.total_label.setText(self.tr("{0}合计 <b>{1}</b> 元").format(month_text(month),
                                                                       format_yuan(total["total_fen"])))
        self.capital_label.setText(self.tr("大写：{0}").format(total["capital"]))
        if total["matches"]:
            self.check_label.setText(self.tr("共 {0} 行，与各行之和核对一致").format(self.info["lines"]))
            theme.set_role(self.check_label, "hint")
        else:
            self.check_label.setText(self.tr("批次合计 {0} 元与各行之和不一致，请重新生成或联系管理员").format(
                format_yuan(total["stored_fen"])))
            theme.set_role(self.check_label, "error")

    def _after_lines(self, label: str) -> None:
        total = self.lines_model.total
        if total:
            self.show_table()
            if self._filtered():
                ids_total = self._filtered_total()
                self.count_label.setText(self.tr("筛选出 {0} 行，合计 {1} 元").format(total, format_yuan(ids_total)))
            else:
                self.count_label.setText(self.tr("共 {0} 行").format(total))
            return
        self.count_label.setText("")
        if self.info is None:
            if roster_service.cadre_count() == 0:
                self.show_empty(self.tr("还没有干部。请先在「干部名册」中新增干部，再生成津贴补贴"))
            else:
                self.show_empty(self.tr("{0}还没有生成津贴补贴。点击「生成本月」，按当月有效的津贴标准为全部干部计算").format(
                    label), self.tr("生成本月"), self.generate)
        elif self._filtered():
            self.show_empty(self.tr("没有符合条件的发放明细"), self.tr("清除搜索和筛选"), self.clear_filters)
        elif self._problem_groups():
            self.show_empty(self.tr("{0}没有可发放的干部：有 {1} 名干部未能计算，请先补充标准或干部信息").format(
                label, sum(g.count for g in self._problem_groups())), self.tr("查看名单"),
                lambda: self.set_view(PROBLEMS))
        else:
            self.show_empty(self.tr("{0}没有符合发放条件的干部").format(label))

    def _filtered_total(self) -> int:
        f = self.current_filter()
        if f is None:
            return 0
        return queries.allowance_line_sum(f)

    def _after_totals(self, label: str) -> None:
        self.count_label.setText("")
        if self.info is None:
            self.show_empty(self.tr("{0}还没有生成津贴补贴").format(label), self.tr("生成本月"), self.generate)
            return
        self.show_table()
        self.count_label.setText(self.tr("{0} 个单位").format(self.unit_totals.rowCount()))

    def _after_problems(self, label: str) -> None:
        rows = self.problems_model.rowCount()
        if rows:
            self.show_table()
            n = sum(g.count for g in self._problem_groups())
            shown = self.tr("（列出前 {0} 名）").format(rows) if rows < n and not self.search_box.text().strip() else ""
            self.count_label.setText(self.tr("共 {0} 名干部未能计算{1}").format(n, shown))
            return
        self.count_label.setText("")
        if self.info is None:
            self.show_empty(self.tr("{0}还没有生成津贴补贴").format(label))
        elif self.search_box.text().strip():
            self.show_empty(self.tr("没有符合条件的干部"), self.tr("清除搜索和筛选"), self.clear_filters)
        else:
            self.show_empty(self.tr("{0}生成时所有干部都已计算，没有问题").format(label))

    @property
    def empty_text(self) -> str:
        return self.empty_state.label.text() if self.empty_visible else ""

    @property
    def locked(self) -> bool:
        return bool(self.info and self.info["locked"])

    # ================================================================ selection and buttons
    def selected_line(self) -> dict[str, Any] | None:
        return self.lines_model.line(self.lines_table.current_row())

    def selected_cadre_id(self) -> int | None:
        if self.view == LINES:
            line = self.selected_line()
            return line["cadre_id"] if line else None
        if self.view == PROBLEMS:
            row = self.problems_table.current_row()
            if row >= 0:
                return self.problems_model.index(row, 0).data(CADRE_ROLE)
        return None

    def _update_buttons(self, *_args) -> None:
        locked = self.locked
        busy = self.job is not None
        info = self.info
        line = self.selected_line() if self.view == LINES else None
        locked_tip = self.tr(service.LOCKED_HINT)
        # 生成
        self.generate_button.setText(self.tr("重新生成") if info is not None and info["generated_at"]
                                     else self.tr("生成本月"))
        no_cadres = not getattr(self, "_has_cadres", True)
        no_cadres_tip = self.tr("还没有干部：请先在「干部名册」中添加干部")
        self.generate_button.setEnabled(not locked and not busy and not no_cadres)
        self.generate_button.setToolTip(locked_tip if locked else no_cadres_tip if no_cadres else self.tr(
            "按当月有效的津贴标准重新计算正常发放；人工调整过且计算金额未变的行保留调整，补发/扣减不受影响")
            if info is not None else self.tr("按当月有效的津贴标准为全部干部计算本月的津贴补贴"))
        # 调整
        if locked:
            self.adjust_button.setEnabled(False)
            self.adjust_button.setToolTip(locked_tip)
        elif line is None:
            self.adjust_button.setEnabled(False)
            self.adjust_button.setToolTip(self.tr("先在表格中选择一行"))
        elif line["kind"] != service.KIND_REGULAR:
            self.adjust_button.setEnabled(False)
            self.adjust_button.setToolTip(self.tr("补发/扣减行不能调整；如有误，请右键删除后重新添加"))
        else:
            self.adjust_button.setEnabled(not busy)
            self.adjust_button.setToolTip(self.tr("修改所选一行的金额（必须填写原因）"))
        # 锁定
        if locked:
            self.lock_button.setEnabled(False)
            self.lock_button.setToolTip(locked_tip)
        elif info is None:
            self.lock_button.setEnabled(False)
            self.lock_button.setToolTip(self.tr("本月还没有生成，不能锁定"))
        else:
            self.lock_button.setEnabled(not busy)
            self.lock_button.setToolTip(self.tr("核对无误后锁定本月：锁定后不能再修改，更正只能在以后月份补发或扣减"))
        self.correction_button.setEnabled(not busy and not no_cadres)
        self.correction_button.setToolTip(no_cadres_tip if no_cadres else self.tr(
            "更正已锁定的月份：在以后月份添加补发或扣减"))
        # 导出: nothing to export on a month never generated
        exportable = info is not None
        self.export_button.setEnabled(exportable)
        self.export_button.setToolTip(self.tr("导出当前列表到 Excel…") if exportable
                                      else self.tr("本月还没有生成，没有可导出的内容"))
        self.remove_action.setEnabled(bool(line and line["kind"] != service.KIND_REGULAR and not locked))
        has_person = self.selected_cadre_id() is not None
        self.person_button.setVisible(self.view != TOTALS)
        self.person_button.setEnabled(has_person)
        self.person_button.setToolTip(self.tr("打开所选干部的详情窗口") if has_person else self.tr("先在表格中选择一行"))

    # ================================================================ actions
    def add(self) -> None:
        """Ctrl+N: a 补发/扣减 line."""
        self.add_correction()

    @property
    def generating(self) -> bool:
        return self.job is not None

    def generate(self) -> None:
        month = self.current_month()
        if month is None or self.job is not None:
            return
        if self.locked:
            messages.error(self, self.tr(service.LOCKED_HINT))
            return
        if self.info is not None and self.info["generated_at"]:
            if not messages.confirm(
                    self, self.tr("确定重新生成{0}的津贴补贴？").format(month_text(month)), self.tr("重新生成"),
                    informative=self.tr("正常发放的 {0} 行将按最新的干部信息和津贴标准重新计算。人工调整过的行，"
                                        "计算金额没变的保留调整，变了的会列出来请您重新核对；补发/扣减行不受影响。").format(
                        self.info["lines"])):
                return
        self.job = run_job(_generate_work, month, parent=self, title=self.tr("生成津贴补贴"),
                           label=self.tr("正在生成{0}的津贴补贴…").format(month_text(month)))
        self.job.finished.connect(self._on_generated)
        self.job.failed.connect(self._on_generate_failed)
        self.job.cancelled.connect(self._on_generate_cancelled)
        self.job.done.connect(self._on_generate_done)
        self._update_buttons()

    def _on_generated(self, summary: service.GenerateSummary) -> None:
        self.last_summary = summary
        self.set_month(summary.month)
        self.set_view(PROBLEMS if summary.lines == 0 and summary.problem_count else LINES)
        text = self.tr("已生成{0}的津贴补贴：{1} 名干部 {2} 行，合计 {3} 元（{4}）。").format(
            month_text(summary.month), summary.cadres, summary.all_lines, format_yuan(summary.total_fen),
            to_capital(summary.total_fen))
        if summary.correction_lines:   # the same 共 N 行 as the page: the kept 补发/扣减 lines are counted
            text += self.tr("其中正常发放 {0} 行，补发/扣减 {1} 行。").format(summary.lines, summary.correction_lines)
        informative = []
        if summary.problem_count:
            informative.append(self.tr("有 {0} 名干部未能计算，未列入发放，见「未能计算」：").format(summary.problem_count))
            informative += [self.tr("· {0}（{1} 人）").format(g.title, g.count) for g in summary.problem_groups]
        if summary.kept_adjustments:
            informative.append(self.tr("保留了 {0} 行人工调整。").format(summary.kept_adjustments))
        if summary.dropped_adjustments:
            informative.append(self.tr("以下调整因计算金额变化未保留，请重新核对："))
            informative += ["· " + d for d in summary.dropped_adjustments[:10]]
        self.hint_label.setText(self.tr("已生成{0}").format(month_text(summary.month)))
        self._flash.start()
        self.allowance_changed.emit()
        box_text = text + ("\n\n" + "\n".join(informative) if informative else "")
        messages.info(self, box_text, title=self.tr("生成完成"))

    def _on_generate_failed(self, message: str) -> None:
        messages.error(self, message)

    def _on_generate_cancelled(self) -> None:
        self.hint_label.setText(self.tr("已取消生成，没有作任何修改"))
        self._flash.start()

    def _on_generate_done(self) -> None:
        self.job = None
        self._update_buttons()

    def adjust_selected(self) -> None:
        line = self.selected_line()
        if line is None:
            return
        if self.locked:
            messages.error(self, self.tr(service.LOCKED_HINT))
            return
        if line["kind"] != service.KIND_REGULAR:
            messages.info(self, self.tr("补发/扣减行不能调整金额；如有误，请右键删除这一行后重新添加。"))
            return
        try:
            dialog = AdjustDialog(line["id"], self)
        except DomainError as err:
            messages.error(self, err.message)
            self.refresh()
            return
        self._open(dialog, lambda _id: self._changed(self.tr("已调整：{0}").format(line["name"])))

    def add_correction(self) -> None:
        line = self.selected_line() if self.view == LINES else None
        kwargs: dict[str, Any] = {}
        if line is not None and self.locked:
            kwargs = {"cadre_id": line["cadre_id"], "scheme": line["scheme"], "corrects_month": self.current_month()}
        elif self.locked:
            kwargs = {"corrects_month": self.current_month()}
        dialog = CorrectionDialog(self, **kwargs)
        self._open(dialog, self._on_correction_saved)

    def _on_correction_saved(self, line_id: int) -> None:
        try:
            line = service.get_line(line_id)
        except DomainError:
            self._changed("")
            return
        self.set_month(line["month"])
        self.set_view(LINES)
        row = self.lines_model.row_of(line_id)
        while row < 0 and self.lines_model.canFetchMore():
            self.lines_model.fetchMore()
            row = self.lines_model.row_of(line_id)
        if row >= 0:
            self.lines_table.select_row(row)
        self._changed(self.tr("已添加{0}：{1} {2} 元，计入{3}").format(
            line["kind"], line["name"], format_yuan(line["amount_fen"]), month_text(line["month"])))

    def remove_selected_correction(self) -> None:
        line = self.selected_line()
        if line is None or line["kind"] == service.KIND_REGULAR:
            return
        if not messages.confirm(self, self.tr("确定删除 {0} 的{1}行（{2} 元）？").format(
                line["name"], line["kind"], format_yuan(line["amount_fen"])), self.tr("删除")):
            return
        try:
            service.remove_correction(line["id"])
        except DomainError as err:
            messages.error(self, err.message)
            return
        self._changed(self.tr("已删除{0}行：{1}").format(line["kind"], line["name"]))

    def lock(self) -> None:
        month = self.current_month()
        if month is None or self.info is None or self.locked or self.job is not None:
            return
        total = service.month_total(month)
        groups = list(self.info.get("problem_groups") or [])
        missing = sum(g.count for g in groups)
        informative = self.tr("共 {0} 行，合计 {1} 元（{2}）。").format(
            self.info["lines"], format_yuan(total["total_fen"]), total["capital"])
        if missing:
            informative += "\n\n" + self.tr("另有 {0} 名干部未能计算，本月不会发给他们，锁定后也不能再补进本月"
                                             "（只能在以后月份补发）：").format(missing)
            informative += "".join("\n" + self.tr("· {0}（{1} 人）").format(g.title, g.count) for g in groups)
        informative += "\n\n" + self.tr("锁定后本月不能再修改，发现差错只能在以后月份添加补发或扣减。")
        choice = self._ask_lock(self.tr("确定锁定{0}的津贴补贴？").format(month_text(month)), informative,
                                with_problems=bool(missing))
        if choice == "problems":
            self.set_view(PROBLEMS)
            return
        if choice != "lock":
            return
        # the safety copy made before locking takes seconds on a large database: in the background
        self.job = run_job(_lock_work, month, parent=self, title=self.tr("锁定本月"),
                           label=self.tr("正在保存安全副本并锁定{0}…").format(month_text(month)))
        self.job.finished.connect(lambda _result: self._changed(self.tr("已锁定{0}").format(month_text(month))))
        self.job.failed.connect(self._on_lock_failed)
        self.job.done.connect(self._on_lock_done)
        self._update_buttons()

    @property
    def locking(self) -> bool:
        return self.job is not None

    def _on_lock_failed(self, message: str) -> None:
        messages.error(self, message)
        self.refresh()

    def _on_lock_done(self) -> None:
        self.job = None
        self._update_buttons()

    def _ask_lock(self, text: str, informative: str, *, with_problems: bool) -> str:
        """The lock confirmation: "lock", "problems" (查看未能计算, the list of those left out) or ""."""
        sb = QMessageBox.StandardButton
        buttons = sb.Ok | sb.Cancel | (sb.Open if with_problems else sb.NoButton)
        box = QMessageBox(QMessageBox.Icon.Warning if with_problems else QMessageBox.Icon.Question,
                          self.tr("请确认"), text, buttons, self)
        box.setInformativeText(informative)
        box.button(sb.Ok).setText(self.tr("锁定本月"))
        box.button(sb.Cancel).setText(self.tr("取消"))
        if with_problems:
            box.button(sb.Open).setText(self.tr("查看未能计算"))
            box.setDefaultButton(sb.Open)   # the safe choice first when people are left out
        else:
            box.setDefaultButton(sb.Ok)
        box.setEscapeButton(sb.Cancel)
        answer = box.exec()
        return {int(sb.Ok.value): "lock", int(sb.Open.value): "problems"}.get(int(answer), "")

    def open_person_selected(self) -> None:
        cadre_id = self.selected_cadre_id()
        if cadre_id is not None:
            self.cadre_open_requested.emit(cadre_id)

    def export_current(self):
        """导出: the view on screen to Excel — 发放明细 (the model's filter, every line),
        合计 (both tables) or 未能计算 (the rows listed)."""
        from ...services.exports import MonthQuery, ProblemQuery
        from ..export_action import export_view

        month = self.current_month()
        if self.view == LINES:
            f = self.lines_model.filter
            if f is None:
                messages.info(self, self.tr("这个月还没有生成津贴补贴，没有可导出的明细。"))
                return None
            return export_view(self, "allowance-lines", f, count=self.lines_model.total)
        if month is None or self.info is None:
            messages.info(self, self.tr("这个月还没有生成津贴补贴，没有可导出的内容。"))
            return None
        if self.view == TOTALS:
            units = [self.unit_totals.row_tuple(i) for i in range(self.unit_totals.rowCount())]
            schemes = [self.scheme_totals.row_tuple(i) for i in range(self.scheme_totals.rowCount())]
            return export_view(self, "allowance-totals", MonthQuery(month), items=(units, schemes),
                               count=len(units) + len(schemes))
        rows = [self.problems_model.row_tuple(i) for i in range(self.problems_model.rowCount())]
        return export_view(self, "allowance-problems", ProblemQuery(month, self.search_box.text()), items=rows,
                           count=len(rows))

    def open_rates(self) -> None:
        actions.open_dialog(self, AllowanceRatesDialog(self), self._on_rates_changed, signal="rates_changed",
                            attr="rates_dialog")

    def _on_rates_changed(self) -> None:
        if not self.locked and self.info is not None:
            self.hint_label.setText(self.tr("津贴标准已修改：未锁定的月份请点击「重新生成」按新标准计算"))
        else:
            self.hint_label.setText(self.tr("津贴标准已修改"))
        self._flash.start()

    def _open(self, dialog, on_saved) -> None:
        actions.open_dialog(self, dialog, on_saved)

    def _changed(self, message: str) -> None:
        self.reload()
        if message:
            self.hint_label.setText(message)
            self._flash.start()
        self.allowance_changed.emit()


# ---------------------------------------------------------------- the detail window's 津贴 tab

def _make_allowance_tab(cadre_id: int, parent: QWidget) -> AllowanceTab:
    tab = AllowanceTab(cadre_id, parent)
    changed = getattr(parent, "cadres_changed", None)
    if changed is not None:
        tab.allowance_changed.connect(changed)
    return tab


cadre_detail.register_detail_tab("津贴", _make_allowance_tab)
