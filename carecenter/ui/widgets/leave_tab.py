"""The 休假 tab of a cadre's detail window: annual-leave balances (this year and
last year), 探亲假 eligibility, the leave history, and 登记休假 with the cadre
pre-filled.  ``reload()`` re-reads everything (the detail window calls it)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain import leave as rules
from ...domain.errors import DomainError
from ...services import leave as leave_service
from .. import messages, theme
from ..dialogs.leave_dialog import KIND_NAMES, LeaveDialog
from ..models.leave_models import (
    WARNING_COLOUR,
    fmt_days,
    fmt_end,
    fmt_start,
    is_late,
    status_colour,
)
from .list_page import make_button

BALANCE_HEADERS = ["年度", "应休", "已休", "剩余", "说明"]
HISTORY_HEADERS = ["假别", "开始", "结束", "天数", "路程假", "状态", "审批人", "事由"]
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _table(headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(30)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    return table


def _item(text: str, right: bool = False, colour: QColor | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(RIGHT)
    if colour is not None:
        item.setForeground(colour)
    if len(text) > 16:
        item.setToolTip(text)
    return item


class LeaveTab(QWidget):
    """``leaves_changed()`` after a leave was recorded or changed from this tab."""

    leaves_changed = Signal()

    def __init__(self, cadre_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.dialog: LeaveDialog | None = None
        self._leaves: list[dict] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        content = QWidget()
        content.setObjectName("DetailContent")
        scroll.setWidget(content)
        column = QVBoxLayout(content)
        column.setContentsMargins(18, 8, 18, 16)
        column.setSpacing(6)

        balance_box = QGroupBox(self.tr("年休假"), content)
        bl = QVBoxLayout(balance_box)
        bl.setContentsMargins(0, 8, 0, 0)
        self.balance_table = _table([self.tr(h) for h in BALANCE_HEADERS], balance_box)
        self.balance_table.setFixedHeight(self.balance_table.horizontalHeader().sizeHint().height() + 2 * 30 + 4)
        self.balance_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for i, w in enumerate((80, 64, 64, 72)):
            self.balance_table.setColumnWidth(i, w)
        self.balance_table.horizontalHeader().setStretchLastSection(True)
        bl.addWidget(self.balance_table)
        self.balance_note = QLabel(balance_box)
        self.balance_note.setWordWrap(True)
        theme.set_role(self.balance_note, "hint")
        bl.addWidget(self.balance_note)
        column.addWidget(balance_box)

        visit_box = QGroupBox(self.tr("探亲假"), content)
        vl = QVBoxLayout(visit_box)
        vl.setContentsMargins(0, 8, 0, 0)
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

        history_box = QGroupBox(self.tr("请假记录"), content)
        hl = QVBoxLayout(history_box)
        hl.setContentsMargins(0, 8, 0, 0)
        hl.setSpacing(6)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.add_button = make_button(self.tr("登记休假"), "add-white", primary=True, parent=history_box,
                                      tooltip=self.tr("为这名干部登记一次请假"))
        self.edit_button = make_button(self.tr("修改"), "edit", parent=history_box,
                                       tooltip=self.tr("修改所选请假记录（也可双击）"))
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        self.count_label = QLabel(history_box)
        theme.set_role(self.count_label, "count")
        buttons.addWidget(self.count_label)
        hl.addLayout(buttons)
        self.history_table = _table([self.tr(h) for h in HISTORY_HEADERS], history_box)
        for i, w in enumerate((110, 120, 120, 56, 64, 76, 110)):
            self.history_table.setColumnWidth(i, w)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_table.setMinimumHeight(200)
        hl.addWidget(self.history_table, 1)
        self.empty_label = QLabel(self.tr("还没有请假记录。点击「登记休假」添加。"), history_box)
        theme.set_role(self.empty_label, "hint")
        hl.addWidget(self.empty_label)
        column.addWidget(history_box, 1)

        self.add_button.clicked.connect(self.add_leave)
        self.edit_button.clicked.connect(self.edit_selected)
        self.history_table.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        self.history_table.itemSelectionChanged.connect(self._update_buttons)
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
                _item(self.tr("{0} 年").format(year)),
                _item(fmt_days(bal.entitled + bal.deferred_in), right=True),
                _item(fmt_days(bal.taken), right=True),
                _item(fmt_days(bal.remaining), right=True, colour=WARNING_COLOUR if unfinished else None),
                _item(reason, colour=WARNING_COLOUR if unfinished else None),
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
        table = self.history_table
        table.setRowCount(len(self._leaves))
        for r, lv in enumerate(self._leaves):
            muted = lv["status"] == rules.STATUS_CANCELLED
            grey = QColor(theme.MUTED) if muted else None
            travel = lv["travel_days"] or 0
            cells = [
                _item(lv["type_name"], colour=grey),
                _item(fmt_start(lv["start_date"], lv["start_half"]), colour=grey),
                _item(fmt_end(lv["end_date"], lv["end_half"]), colour=grey),
                _item(fmt_days(lv["days"]), right=True, colour=grey),
                _item(fmt_days(travel) if travel else "", right=True, colour=grey),
                _item(lv["status"], colour=status_colour(lv["status"])),
                _item(lv["approver"] or "", colour=grey),
                _item(lv["reason"] or "", colour=grey),
            ]
            for c, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, lv["id"])
                table.setItem(r, c, item)
        self.history_table.setVisible(bool(self._leaves))
        self.empty_label.setVisible(not self._leaves)
        taken = sum((lv["days"] for lv in self._leaves if rules.counts_as_taken(lv["status"])), 0)
        self.count_label.setText(self.tr("共 {0} 条，已休合计 {1} 天").format(len(self._leaves), fmt_days(taken))
                                 if self._leaves else "")
        self._update_buttons()

    # ================================================================ actions
    def selected_record_id(self) -> int | None:
        rows = self.history_table.selectionModel().selectedRows()
        if rows and 0 <= rows[0].row() < len(self._leaves):
            return self._leaves[rows[0].row()]["id"]
        return None

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_record_id() is not None)

    def add_leave(self) -> LeaveDialog | None:
        return self._open(None)

    def edit_selected(self) -> LeaveDialog | None:
        record_id = self.selected_record_id()
        return self._open(record_id) if record_id is not None else None

    def _open(self, record_id: int | None) -> LeaveDialog | None:
        if record_id is None and not leave_service.type_names():
            messages.info(self, self.tr("还没有假期规则，请先在「休假管理」中点击「假期规则」载入预设。"))
            return None
        self.dialog = LeaveDialog(record_id, self.window(), cadre_id=self.cadre_id, lock_cadre=True)
        self.dialog.saved.connect(self._on_dialog_saved)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.open()
        return self.dialog

    def _on_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.dialog:
            self.dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_dialog_saved(self, record_id: int) -> None:
        self.reload()
        for r, lv in enumerate(self._leaves):
            if lv["id"] == record_id:
                self.history_table.selectRow(r)
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
