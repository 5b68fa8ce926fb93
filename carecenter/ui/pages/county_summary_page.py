"""汇总 (county edition, issue 15): the townships' figures for a year, per township and in total.

The figures are what each township reported in its last package for the year
(``county.summary``, computed in SQL); the page reads them in the background and shows
them as a table (one row per township, the 合计 row last) and as a chart per figure:

* 体检 — coverage (已检/应检) per township, and the open follow-ups;
* 年休假 — days taken against days due per township, and how many took none;
* 津贴补贴 — paid per month (the county, one township, or the townships stacked);
* 慰问经费 — spent against budget per fund (the county or one township);
* 走访慰问 — coverage of the cadres in hardship areas per township.

打印… builds the 乡镇公务员关心关爱工作汇总表 (``printing.register("county", year)``; its preview
offers 打印 and 导出 PDF); 导出 Excel… writes the same figures to a workbook (``county-summary``).
Both are logged/audited.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from ...services import county
from ...services import print_format as fmt
from .. import tasks, theme
from ..models.county_models import SummaryModel
from ..widgets.bar_chart import BarChart, Series, chart_panel
from ..widgets.list_page import ListPage, make_button, make_table, refill_combo, view_bar
from .county_common import CountyYearPage

MAX_STACKED = 8      # more townships than colours: the stacked view would be ambiguous
DUE, DONE = "#9cc0e6", "#2563a8"

TABLE, HEALTH, LEAVE, ALLOWANCE, WELFARE, VISITS = "table", "health", "leave", "allowance", "welfare", "visits"
VIEWS = [TABLE, HEALTH, LEAVE, ALLOWANCE, WELFARE, VISITS]
VIEW_TITLES = {TABLE: "汇总表", HEALTH: "体检", LEAVE: "年休假", ALLOWANCE: "津贴补贴", WELFARE: "慰问经费",
               VISITS: "走访慰问"}
WIDTHS = {"name": 104, "as_of": 88, "cadres": 52, "health": 136, "followups": 68, "leave": 116, "untaken": 68,
          "allowance": 112, "welfare": 150}
COUNTY, STACKED = "", "*"


def money_label(fen: float) -> str:
    """A bar's amount: 1,234元 below 10,000 元, else 12.35万元 (the table has the exact figure)."""
    yuan = Decimal(int(fen)) / 100
    if abs(yuan) >= 10000:
        return f"{yuan / 10000:,.2f}万元"
    return f"{yuan:,.0f}元"


def coverage(done: int, due: int, none_text: str) -> tuple[float, str]:
    """(percent, label) of a coverage bar: 85.0%（34/40）, or ``none_text`` when nobody is due."""
    if not due:
        return 0.0, none_text
    return float(Decimal(done) * 100 / Decimal(due)), f"{fmt.percent(done, due)}（{done}/{due}）"


class CountySummaryPage(CountyYearPage, ListPage):
    """Signals: ``submissions_page_requested()`` (nothing received yet: go and receive)."""

    submissions_page_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("汇总"), self.tr("筛选乡镇 名称/区划代码"), parent)
        self.summary = None
        self._job: tasks.Job | None = None
        self._pending: int | None = None
        self.view = TABLE

        views_row, self.view_bar = view_bar(self, [self.tr(VIEW_TITLES[key]) for key in VIEWS])
        self.layout().insertLayout(1, views_row)

        # ---- the year
        self.make_year_combo(self.tr("汇总年度：各乡镇报送的该年度最新数据"))
        self.filter_bar.addWidget(QLabel(self.tr("年度"), self))
        self.filter_bar.addWidget(self.year_combo)
        self.status_label = QLabel(self)
        theme.set_role(self.status_label, "hint")
        self.filter_bar.addWidget(self.status_label)

        # ---- actions
        self.refresh_button = make_button(self.tr("刷新"), "refresh", parent=self, tooltip=self.tr("重新汇总"))
        self.print_button = make_button(self.tr("打印…"), "print", parent=self,
                                        tooltip=self.tr("打印乡镇公务员关心关爱工作汇总表（先预览，可打印或导出 PDF）"))
        self.export_button = make_button(self.tr("导出 Excel…"), "export", parent=self,
                                         tooltip=self.tr("把本年度各乡镇的汇总数字导出到 Excel"))
        for b in (self.refresh_button, self.print_button, self.export_button):
            self.action_bar.addWidget(b)

        # ---- the table and the charts
        self.model = SummaryModel(self)
        self.table_view = make_table(self, self.model, WIDTHS, clickable=False)
        self.set_table(self.table_view)
        self.charts: dict[str, BarChart] = {
            "health": BarChart(self), "followups": BarChart(self), "leave": BarChart(self),
            "untaken": BarChart(self), "allowance": BarChart(self, horizontal=False),
            "welfare": BarChart(self), "visits": BarChart(self)}
        self.allowance_choice = QComboBox(self)
        self.allowance_choice.setToolTip(self.tr("全县合计、某个乡镇，或各乡镇分色叠加"))
        self.welfare_choice = QComboBox(self)
        self.welfare_choice.setToolTip(self.tr("全县合计或某个乡镇"))
        self.panes: dict[str, QWidget] = {
            HEALTH: chart_panel(self, [[self.charts["health"], self.charts["followups"]]]),
            LEAVE: chart_panel(self, [[self.charts["leave"], self.charts["untaken"]]]),
            ALLOWANCE: chart_panel(self, [[self.charts["allowance"]]],
                                   top=self._choice_row(self.tr("显示"), self.allowance_choice)),
            WELFARE: chart_panel(self, [[self.charts["welfare"]]],
                                 top=self._choice_row(self.tr("乡镇"), self.welfare_choice)),
            VISITS: chart_panel(self, [[self.charts["visits"]]]),
        }
        self.charts["allowance"].setMinimumHeight(380)
        for pane in self.panes.values():
            self.stack.addWidget(pane)
        self.hint_label.setText(self.tr("各乡镇数字以其报送的数据为准，截至日期见「数据截至」"))

        # ---- wiring
        self.view_bar.currentChanged.connect(self._on_view_bar_current_changed)
        self.year_combo.currentIndexChanged.connect(self._on_year_changed)
        self.search_changed.connect(self._on_search_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_summary)
        self.export_button.clicked.connect(self.export_summary)
        self.allowance_choice.currentIndexChanged.connect(self._fill_allowance)
        self.welfare_choice.currentIndexChanged.connect(self._fill_welfare)
        self._update_buttons()

    def _choice_row(self, label: str, combo: QComboBox) -> QWidget:
        host = QWidget(self)
        row = QHBoxLayout(host)
        row.setContentsMargins(12, 0, 0, 0)
        row.addWidget(QLabel(label, host))
        combo.setMinimumWidth(180)
        row.addWidget(combo)
        row.addStretch(1)
        return host

    # ================================================================ loading
    def _on_year_changed(self, _index: int) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read the year's figures in the background (a second request waits for the first)."""
        self._stale = False
        if self._job is not None:
            self._pending = self.period
            return
        period = self.period
        self.status_label.setText(self.tr("正在汇总…"))
        self.refresh_button.setEnabled(False)
        self._job = tasks.run_job(lambda _ctx, p: county.summary(p), period, parent=self, dialog=False,
                                  title=self.tr("汇总"))
        self._job.finished.connect(self.show_summary)
        self._job.failed.connect(self._on_job_failed)
        self._job.done.connect(self._on_job_done)

    def _on_job_failed(self, message: str) -> None:
        self.status_label.setText(self.tr("汇总失败：{0}").format(message))

    def _on_job_done(self) -> None:
        self._job = None
        self.refresh_button.setEnabled(True)
        pending, self._pending = self._pending, None
        if pending is not None:
            self.refresh()

    @property
    def busy(self) -> bool:
        return self._job is not None

    # ================================================================ showing
    def shown_townships(self) -> list[Any]:
        """The townships the search box lets through (all when it is empty)."""
        if self.summary is None:
            return []
        text = self.search_box.text().strip().lower()
        return [t for t in self.summary.townships if not text or text in t.name.lower() or text in t.code]

    def show_summary(self, summary: Any) -> None:
        """Fill the table and every chart from ``summary`` (a ``county.CountySummary``)."""
        if summary.period != self.period:   # the clerk chose another year meanwhile
            return
        self.summary = summary
        self.status_label.setText("")
        names = [t.name for t in summary.townships]
        refill_combo(self.allowance_choice, (self.tr("全县合计"), COUNTY),
                     [(n, t.code) for n, t in zip(names, summary.townships)]
                     + ([(self.tr("各乡镇分色叠加"), STACKED)] if 1 < len(names) <= MAX_STACKED else []))
        refill_combo(self.welfare_choice, (self.tr("全县合计"), COUNTY), [(t.name, t.code) for t in summary.townships])
        self._apply()

    def _on_search_changed(self, _text: str) -> None:
        self._apply()

    def _apply(self) -> None:
        summary = self.summary
        if summary is None:
            return
        towns = self.shown_townships()
        self.model.set_figures(towns, summary.total)
        self.count_label.setText(self.tr("{0} 个乡镇报送了 {1} 年度的数据").format(len(summary.townships), summary.period)
                                 if summary.townships else "")
        self._fill_health(towns)
        self._fill_leave(towns)
        self._fill_allowance()
        self._fill_welfare()
        self._fill_visits(towns)
        self._show_view()
        self._update_buttons()

    def _fill_health(self, towns: list[Any]) -> None:
        names = [t.name for t in towns]
        bars = [coverage(t.health_done, t.health_due, self.tr("本年度无应检")) for t in towns]
        self.charts["health"].set_data(
            self.tr("体检覆盖率（已检/应检）"), names,
            [Series(self.tr("覆盖率"), [v for v, _l in bars], DONE, [lbl for _v, lbl in bars])], maximum=100,
            note=self.tr("应检：按体检周期本年度应当体检的在职干部"))
        self.charts["followups"].set_data(
            self.tr("未结异常随访（项）"), names,
            [Series(self.tr("未结随访"), [t.followups_open for t in towns], "#d98c2b")])

    def _fill_leave(self, towns: list[Any]) -> None:
        names = [t.name for t in towns]
        self.charts["leave"].set_data(
            self.tr("年休假 已休/应休（天）"), names,
            [Series(self.tr("应休"), [float(t.leave_due_days) for t in towns], DUE,
                    [fmt.days(t.leave_due_days) for t in towns]),
             Series(self.tr("已休"), [float(t.leave_taken_days) for t in towns], DONE,
                    [fmt.days(t.leave_taken_days) for t in towns])])
        self.charts["untaken"].set_data(
            self.tr("本年度未休年休假人数"), names,
            [Series(self.tr("未休人数"), [t.leave_untaken_cadres for t in towns], "#c2566b")],
            note=self.tr("有年休假而本年度一天未休的干部"))

    def _fill_allowance(self, *_args) -> None:
        summary = self.summary
        if summary is None:
            return
        months = [self.tr("{0}月").format(m) for m in range(1, 13)]
        choice = self.allowance_choice.currentData()
        chart = self.charts["allowance"]
        chart.stacked = choice == STACKED
        if chart.stacked:
            shown = summary.total
            series = [Series(t.name, [t.allowance_by_month.get(m, 0) for m in range(1, 13)])
                      for t in summary.townships]
            totals = [money_label(shown.allowance_by_month.get(m, 0)) for m in range(1, 13)]
            series[-1] = Series(series[-1].name, series[-1].values, "", totals)   # the stack's total on top
            title = self.tr("津贴补贴发放（各乡镇）")
        else:
            shown = next((x for x in summary.townships if x.code == choice), summary.total)
            series = [Series(self.tr("发放金额"), [shown.allowance_by_month.get(m, 0) for m in range(1, 13)], DONE)]
            title = self.tr("津贴补贴发放（{0}）").format(self._whose(shown))
        chart.set_data(title, months, series, value_format=money_label,
                       note=self.tr("全年合计 {0} 元").format(fmt.yuan(shown.allowance_total_fen)))

    def _whose(self, figures: Any) -> str:
        return self.tr("全县合计") if figures is self.summary.total else figures.name

    def _fill_welfare(self, *_args) -> None:
        summary = self.summary
        if summary is None:
            return
        choice = self.welfare_choice.currentData()
        t = next((x for x in summary.townships if x.code == choice), summary.total)
        funds = list(t.welfare_by_fund)
        self.charts["welfare"].set_data(
            self.tr("慰问经费 已用/预算（{0}）").format(self._whose(t)),
            [f.fund for f in funds],
            [Series(self.tr("年度预算"), [f.budget_fen for f in funds], DUE),
             Series(self.tr("已使用"), [f.spent_fen for f in funds], DONE,
                    [f"{money_label(f.spent_fen)}（{fmt.percent(f.spent_fen, f.budget_fen)}）" for f in funds])],
            value_format=money_label, empty_text=self.tr("没有经费预算和使用数据"))

    def _fill_visits(self, towns: list[Any]) -> None:
        bars = [coverage(t.hardship_visited, t.hardship_cadres, self.tr("无艰苦边远地区干部")) for t in towns]
        self.charts["visits"].set_data(
            self.tr("艰苦边远地区干部走访慰问覆盖率（已走访/应走访）"), [t.name for t in towns],
            [Series(self.tr("覆盖率"), [v for v, _l in bars], "#5b8c5a", [lbl for _v, lbl in bars])], maximum=100,
            note=self.tr("本年度至少走访慰问一次的艰苦边远地区干部所占比例"))

    # ================================================================ views
    def _on_view_bar_current_changed(self, index: int) -> None:
        self.view = VIEWS[index]
        self._show_view()

    def set_view(self, key: str) -> None:
        self.view_bar.setCurrentIndex(VIEWS.index(key))

    def _show_view(self) -> None:
        if self.summary is not None and not self.summary.townships:
            self.show_empty(self.tr("{0} 年度还没有收到乡镇的报送。\n在「报送情况」页点「接收报送…」，"
                                    "选择乡镇报来的 .ccx 文件。").format(self.summary.period),
                            self.tr("前往报送情况"), self.submissions_page_requested.emit)
        elif self.summary is not None and not self.shown_townships():
            self.show_empty(self.tr("没有符合条件的乡镇"), self.tr("清除筛选"), self.search_box.clear)
        elif self.view == TABLE:
            self.show_table()
        else:
            self.stack.setCurrentWidget(self.panes[self.view])

    def current_chart_pane(self) -> QWidget:
        return self.stack.currentWidget()

    def _update_buttons(self) -> None:
        has = self.summary is not None and bool(self.summary.townships)
        self.print_button.setEnabled(has)
        self.export_button.setEnabled(has)

    # ================================================================ print and export
    def print_summary(self):
        """打印…: the 乡镇公务员关心关爱工作汇总表 of the year, built in the background, then its preview
        (打印 / 导出 PDF there; logged with its verification code)."""
        from ..dialogs import print_preview_dialog as preview

        return preview.preview_register(self, "county", str(self.period))

    def export_summary(self):
        """导出 Excel…: the same figures as a workbook (audited like every export)."""
        from ...services.exports import CountyQuery
        from ..export_action import export_view

        count = len(self.summary.townships) if self.summary is not None else 0
        return export_view(self, "county-summary", CountyQuery(self.period), count=count)

    def add(self) -> None:
        """Ctrl+N: nothing is entered on this page; the period selector takes the focus."""
        self.year_combo.setFocus()
