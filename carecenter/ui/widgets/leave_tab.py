"""The 休假 tab of a cadre's detail window: annual-leave balances (this year and
last year), 探亲假 eligibility, the leave history, and 登记休假 with the cadre
pre-filled.  ``reload()`` re-reads everything (the detail window calls it)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from ...domain import leave as rules
from ...domain.errors import DomainError
from ...services import leave as leave_service
from .. import actions, messages, theme
from ..dialogs.leave_dialog import KIND_NAMES, LeaveDialog
from ..models.leave_models import (
    WARNING_COLOUR,
    fmt_days,
    fmt_end,
    fmt_start,
    is_late,
    status_colour,
)
from .history import HistoryBox, cell, detail_page, group_column, record_table
from .list_page import make_button

BALANCE_HEADERS = ["年度", "应休", "已休", "剩余", "说明"]
HISTORY_HEADERS = ["假别", "开始", "结束", "天数", "路程假", "状态", "审批人", "事由"]

class LeaveTab(QWidget):
    """``leaves_changed()`` after a leave was recorded or changed from this tab."""

    leaves_changed = Signal()

    def __init__(self, cadre_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.dialog: LeaveDialog | None = None
        self._leaves: list[dict] = []

        column = detail_page(self)
        content = column.parentWidget()

        balance_box, bl = group_column(self.tr("年休假"), content)
        self.balance_table = record_table([self.tr(h) for h in BALANCE_HEADERS], balance_box, (80, 64, 64, 72))
        self.balance_table.setFixedHeight(self.balance_table.horizontalHeader().sizeHint().height() + 2 * 30 + 4)
        self.balance_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bl.addWidget(self.balance_table)
        self.balance_note = QLabel(balance_box)
        self.balance_note.setWordWrap(True)
        theme.set_role(self.balance_note, "hint")
        bl.addWidget(self.balance_note)
        column.addWidget(balance_box)

        visit_box, vl = group_column(self.tr("探亲假"), content)
        self.visit_label = QLabel(visit_box)
        self.visit_label.setWordWrap(True)
        self.visit_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.visit_label, "value")
        vl.addWidget(self.visit_label)
        visit_hint = QLabel(self.tr("按家庭成员中配偶、父母是否同住判断；点击「编辑」修改家庭成员后自动更新。"), visit_box)
        visit_hint.setWordWrap(True)
        theme.set_role(visit_hint, "hint")
        vl.addWidget(visit_hint)
        column.addWidget(visit_box)

        self.history = HistoryBox(self.tr("请假记录"), [self.tr(h) for h in HISTORY_HEADERS],
                                  widths=(110, 120, 120, 56, 64, 76, 110), add_text=self.tr("登记休假"),
                                  add_icon="add-white", add_tip=self.tr("为这名干部登记一次请假"),
                                  edit_tip=self.tr("修改所选请假记录（也可双击）"),
                                  empty_text=self.tr("还没有请假记录。点击「登记休假」添加。"), min_height=200,
                                  parent=content)
        h = self.history
        self.add_button, self.edit_button, self.count_label = h.add_button, h.edit_button, h.count_label
        self.history_table, self.empty_label = h.table, h.empty_label
        column.addWidget(h, 1)
        h.add_requested.connect(self.add_leave)
        h.edit_requested.connect(self.edit_selected)
        self.reload()

    # ================================================================ content
    def reload(self) -> None:
        self._load_balances()
        self._load_home_visit()
        self._load_history()

    def _load_balances(self) -> None:
        this_year = date.today().year
        self.balance_table.setRowCount(0)
        self.balances: dict[int, object] = {}
        problems = []
        for year in (this_year, this_year - 1):
            try:
                bal = leave_service.annual_balance(self.cadre_id, year)
            except DomainError as err:
                problems.append(err.message)
                continue
            self.balances[year] = bal
            row = self.balance_table.rowCount()
            self.balance_table.insertRow(row)
            unfinished = bal.remaining > 0 and is_late(year)
            reason = bal.reason
            if unfinished:
                reason = self.tr("未休完。") + reason
            cells = [
                cell(self.tr("{0} 年").format(year)),
                cell(fmt_days(bal.entitled + bal.deferred_in), right=True),
                cell(fmt_days(bal.taken), right=True),
                cell(fmt_days(bal.remaining), right=True, colour=WARNING_COLOUR if unfinished else None),
                cell(reason, colour=WARNING_COLOUR if unfinished else None),
            ]
            if unfinished:
                cells[4].setIcon(theme.icon("warning"))
            for c, item in enumerate(cells):
                self.balance_table.setItem(row, c, item)
        self.balance_note.setText("\n".join(dict.fromkeys(problems)) if problems else self.tr(
            "应休含上年顺延；已休只计已批准和已销假的年休假（工作日）。"))
        theme.set_role(self.balance_note, "error" if problems else "hint")

    def _load_home_visit(self) -> None:
        try:
            options = leave_service.home_visit_options(self.cadre_id, date.today())
        except DomainError as err:
            self.visit_label.setText(err.message)
            return
        lines = []
        for o in options:
            who = self.tr("探望{0}").format(self.tr(KIND_NAMES.get(o.kind, o.kind)))
            mark = self.tr("可休") if o.available else self.tr("不可休")
            lines.append(f"{who}（{mark}）：{o.reason}")
        self.visit_label.setText("\n".join(dict.fromkeys(lines)) or self.tr("不符合探亲假条件"))

    def _load_history(self) -> None:
        self._leaves = leave_service.cadre_leaves(self.cadre_id)

        def cells(lv: dict) -> list:
            grey = QColor(theme.MUTED) if lv["status"] == rules.STATUS_CANCELLED else None
            travel = lv["travel_days"] or 0
            return [cell(lv["type_name"], colour=grey),
                    cell(fmt_start(lv["start_date"], lv["start_half"]), colour=grey),
                    cell(fmt_end(lv["end_date"], lv["end_half"]), colour=grey),
                    cell(fmt_days(lv["days"]), right=True, colour=grey),
                    cell(fmt_days(travel) if travel else "", right=True, colour=grey),
                    cell(lv["status"], colour=status_colour(lv["status"])),
                    cell(lv["approver"] or "", colour=grey),
                    cell(lv["reason"] or "", colour=grey)]

        taken = sum((lv["days"] for lv in self._leaves if rules.counts_as_taken(lv["status"])), 0)
        self.history.show_rows(self._leaves, cells,
                               self.tr("共 {0} 条，已休合计 {1} 天").format(len(self._leaves), fmt_days(taken)))

    # ================================================================ actions
    def selected_record_id(self) -> int | None:
        return self.history.selected_id()

    def add_leave(self) -> LeaveDialog | None:
        return self._open(None)

    def edit_selected(self) -> LeaveDialog | None:
        record_id = self.selected_record_id()
        return self._open(record_id) if record_id is not None else None

    def _open(self, record_id: int | None) -> LeaveDialog | None:
        if record_id is None and not leave_service.type_names():
            messages.info(self, self.tr("还没有假期规则，请先在「休假管理」中点击「假期规则」载入预设。"))
            return None
        dialog = LeaveDialog(record_id, self.window(), cadre_id=self.cadre_id, lock_cadre=True)
        actions.open_dialog(self, dialog, self._on_dialog_saved)
        return dialog

    def _on_dialog_saved(self, record_id: int) -> None:
        self.reload()
        self.history.select_id(record_id)
        self.leaves_changed.emit()


def make_leave_tab(cadre_id: int, detail: QWidget) -> LeaveTab:
    """Factory for ``cadre_detail.register_detail_tab``: the tab, plus 登记休假 in the window's actions."""
    tab = LeaveTab(cadre_id, detail)
    add_action = getattr(detail, "add_action", None)
    if callable(add_action):
        button = make_button(tab.tr("登记休假"), "nav-leave", parent=detail,
                             tooltip=tab.tr("为这名干部登记一次请假"))
        button.clicked.connect(tab.add_leave)
        add_action(button)
        tab.action_button = button
    changed = getattr(detail, "cadres_changed", None)
    if changed is not None:
        # the main window refreshes the 休假管理 page and other windows on this signal
        tab.leaves_changed.connect(changed)
    return tab
