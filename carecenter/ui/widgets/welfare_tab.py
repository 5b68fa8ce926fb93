"""The 慰问 tab of a cadre's detail window: this year's visits against the caps, every
visit record and every 谈心谈话, with 登记慰问 / 登记谈心谈话 pre-filling the cadre.

``reload()`` re-reads everything (the detail window calls it); ``welfare_changed()``
after anything was saved here (the registration wires it to the window's
``cadres_changed`` so the main window refreshes the 福利慰问 page).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.money import format_yuan
from ...services import welfare as welfare_service
from .. import actions, theme
from ..dialogs.talk_dialog import TalkDialog
from ..dialogs.welfare_dialog import WelfareDialog
from .list_page import make_button

RECORD_HEADERS = ["日期", "事由", "金额（元）", "物品", "经费来源", "走访人", "备注"]
TALK_HEADERS = ["谈话日期", "谈话人", "谈话事由", "谈话要点", "后续跟进"]
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _table(headers: list[str], parent: QWidget, widths: list[int]) -> QTableWidget:
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
    for i, w in enumerate(widths):
        table.setColumnWidth(i, w)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _item(text: str, right: bool = False, colour: QColor | None = None, icon: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(RIGHT)
    if colour is not None:
        item.setForeground(colour)
    if icon:
        item.setIcon(theme.icon(icon))
    if len(text) > 14:
        item.setToolTip(text)
    return item


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


class WelfareTab(QWidget):
    """``WelfareTab(cadre_id, parent)``; ``welfare_changed()`` after a save made here."""

    welfare_changed = Signal()

    def __init__(self, cadre_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.dialog: QDialog | None = None
        self.data: dict[str, Any] = {}

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

        self.summary_label = QLabel(content)
        self.summary_label.setWordWrap(True)
        theme.set_role(self.summary_label, "info")
        column.addWidget(self.summary_label)

        records_box = QGroupBox(self.tr("慰问记录"), content)
        rl = QVBoxLayout(records_box)
        rl.setContentsMargins(0, 8, 0, 0)
        rl.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.add_button = make_button(self.tr("登记慰问"), "welfare-visit-white", primary=True, parent=records_box,
                                      tooltip=self.tr("为这名干部登记一次慰问"))
        self.edit_button = make_button(self.tr("修改"), "edit", parent=records_box,
                                       tooltip=self.tr("修改所选慰问记录（也可双击）"))
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addStretch(1)
        self.count_label = QLabel(records_box)
        theme.set_role(self.count_label, "count")
        bar.addWidget(self.count_label)
        rl.addLayout(bar)
        self.records_table = _table([self.tr(h) for h in RECORD_HEADERS], records_box,
                                    [100, 130, 100, 170, 90, 150])
        self.records_table.setMinimumHeight(180)
        rl.addWidget(self.records_table, 1)
        self.records_empty = QLabel(self.tr("还没有慰问记录。点击「登记慰问」添加。"), records_box)
        theme.set_role(self.records_empty, "hint")
        rl.addWidget(self.records_empty)
        column.addWidget(records_box, 3)

        talks_box = QGroupBox(self.tr("谈心谈话"), content)
        tl = QVBoxLayout(talks_box)
        tl.setContentsMargins(0, 8, 0, 0)
        tl.setSpacing(6)
        tbar = QHBoxLayout()
        tbar.setSpacing(8)
        self.add_talk_button = make_button(self.tr("登记谈心谈话"), "welfare-talk-white", primary=True,
                                           parent=talks_box, tooltip=self.tr("记录与这名干部的一次谈心谈话"))
        self.edit_talk_button = make_button(self.tr("修改"), "edit", parent=talks_box,
                                            tooltip=self.tr("修改所选谈话记录（也可双击）"))
        tbar.addWidget(self.add_talk_button)
        tbar.addWidget(self.edit_talk_button)
        tbar.addStretch(1)
        self.talk_count_label = QLabel(talks_box)
        theme.set_role(self.talk_count_label, "count")
        tbar.addWidget(self.talk_count_label)
        tl.addLayout(tbar)
        self.talks_table = _table([self.tr(h) for h in TALK_HEADERS], talks_box, [100, 120, 110, 300])
        self.talks_table.setMinimumHeight(140)
        tl.addWidget(self.talks_table, 1)
        self.talks_empty = QLabel(self.tr("还没有谈心谈话记录。点击「登记谈心谈话」添加。"), talks_box)
        theme.set_role(self.talks_empty, "hint")
        tl.addWidget(self.talks_empty)
        column.addWidget(talks_box, 2)
        column.addStretch(0)
        self._column, self._records_box, self._talks_box = column, records_box, talks_box

        self.add_button.clicked.connect(self.add_visit)
        self.edit_button.clicked.connect(self.edit_selected_visit)
        self.add_talk_button.clicked.connect(self.add_talk)
        self.edit_talk_button.clicked.connect(self.edit_selected_talk)
        self.records_table.itemDoubleClicked.connect(lambda _i: self.edit_selected_visit())
        self.talks_table.itemDoubleClicked.connect(lambda _i: self.edit_selected_talk())
        self.records_table.itemSelectionChanged.connect(self._update_buttons)
        self.talks_table.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    # ================================================================ content
    def reload(self) -> None:
        self.data = welfare_service.cadre_welfare(self.cadre_id)
        d = self.data
        self.summary_label.setText(self.tr("{0} 年已慰问 {1} 次，共 {2} 元；历年合计 {3} 次，{4} 元；谈心谈话 {5} 次。").format(
            d["year"], d["year_count"], format_yuan(d["year_total_fen"]), len(d["records"]),
            format_yuan(d["total_fen"]), len(d["talks"])))
        amber = QColor(theme.WARNING)
        table = self.records_table
        table.setRowCount(len(d["records"]))
        for r, rec in enumerate(d["records"]):
            notes = []
            if rec["over_reason"]:
                notes.append(self.tr("超出说明：") + _one_line(rec["over_reason"]))
            if rec["episode"]:
                notes.append(self.tr("同一事项：") + rec["episode"])
            if rec["notes"]:
                notes.append(_one_line(rec["notes"]))
            over = bool(rec["over_reason"])
            cells = [
                _item(rec["record_date"].isoformat()),
                _item(rec["occasion_name"]),
                _item(format_yuan(rec["total_fen"]), right=True),
                _item(_one_line(rec["goods"])),
                _item(rec["funding_source"]),
                _item(rec["visitors"]),
                _item("；".join(notes), colour=amber if over else None, icon="warning" if over else ""),
            ]
            for c, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, rec["id"])
                table.setItem(r, c, item)
        table.setVisible(bool(d["records"]))
        self.records_empty.setVisible(not d["records"])
        self.count_label.setText(self.tr("共 {0} 条").format(len(d["records"])) if d["records"] else "")
        talks = self.talks_table
        talks.setRowCount(len(d["talks"]))
        for r, t in enumerate(d["talks"]):
            cells = [_item(t["talk_date"].isoformat()), _item(t["talker"]), _item(t["trigger"]),
                     _item(_one_line(t["gist"])), _item(_one_line(t["follow_up"]))]
            for c, item in enumerate(cells):
                item.setData(Qt.ItemDataRole.UserRole, t["id"])
                talks.setItem(r, c, item)
        talks.setVisible(bool(d["talks"]))
        self.talks_empty.setVisible(not d["talks"])
        self.talk_count_label.setText(self.tr("共 {0} 次").format(len(d["talks"])) if d["talks"] else "")
        # an empty list takes only its line; the tables share the height
        self._column.setStretchFactor(self._records_box, 3 if d["records"] else 0)
        self._column.setStretchFactor(self._talks_box, 2 if d["talks"] else 0)
        self._column.setStretch(self._column.count() - 1, 0 if (d["records"] or d["talks"]) else 1)
        self._update_buttons()

    def _selected(self, table: QTableWidget, rows: list[dict]) -> int | None:
        selected = table.selectionModel().selectedRows()
        if selected and 0 <= selected[0].row() < len(rows):
            return rows[selected[0].row()]["id"]
        return None

    def selected_record_id(self) -> int | None:
        return self._selected(self.records_table, self.data.get("records", []))

    def selected_talk_id(self) -> int | None:
        return self._selected(self.talks_table, self.data.get("talks", []))

    def _update_buttons(self) -> None:
        self.edit_button.setEnabled(self.selected_record_id() is not None)
        self.edit_talk_button.setEnabled(self.selected_talk_id() is not None)

    # ================================================================ actions
    def add_visit(self) -> WelfareDialog:
        return self._open(WelfareDialog(None, self.window(), cadre_id=self.cadre_id, lock_cadre=True))

    def edit_selected_visit(self) -> WelfareDialog | None:
        record_id = self.selected_record_id()
        return self._open(WelfareDialog(record_id, self.window())) if record_id is not None else None

    def add_talk(self) -> TalkDialog:
        return self._open(TalkDialog(None, self.window(), cadre_id=self.cadre_id, lock_cadre=True))

    def edit_selected_talk(self) -> TalkDialog | None:
        talk_id = self.selected_talk_id()
        return self._open(TalkDialog(talk_id, self.window())) if talk_id is not None else None

    def _open(self, dialog: QDialog) -> Any:
        actions.open_dialog(self, dialog, self._on_dialog_saved)
        return dialog

    def _on_dialog_saved(self, saved_id: int) -> None:
        is_talk = isinstance(self.sender(), TalkDialog)
        self.reload()
        rows = self.data["talks" if is_talk else "records"]
        table = self.talks_table if is_talk else self.records_table
        for r, row in enumerate(rows):
            if row["id"] == saved_id:
                table.selectRow(r)
                break
        self.welfare_changed.emit()


def make_welfare_tab(cadre_id: int, detail: QWidget) -> WelfareTab:
    """Factory for ``cadre_detail.register_detail_tab``: the tab, plus 登记慰问 and
    登记谈心谈话 in the window's actions (they bring the tab forward)."""
    tab = WelfareTab(cadre_id, detail)
    add_action = getattr(detail, "add_action", None)
    if callable(add_action):
        visit = make_button(tab.tr("登记慰问"), "welfare-visit", parent=detail,
                            tooltip=tab.tr("为这名干部登记一次慰问"))
        talk = make_button(tab.tr("登记谈心谈话"), "welfare-talk", parent=detail,
                           tooltip=tab.tr("记录与这名干部的一次谈心谈话"))
        visit.clicked.connect(lambda: (_show(detail, tab), tab.add_visit()))
        talk.clicked.connect(lambda: (_show(detail, tab), tab.add_talk()))
        add_action(visit)
        add_action(talk)
        tab.visit_action, tab.talk_action = visit, talk
    changed = getattr(detail, "cadres_changed", None)
    if changed is not None:
        tab.welfare_changed.connect(changed)
    return tab


def _show(detail: QWidget, tab: WelfareTab) -> None:
    tabs = getattr(detail, "tabs", None)
    if tabs is not None:
        tabs.setCurrentWidget(tab)
