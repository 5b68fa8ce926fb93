"""The 慰问 tab of a cadre's detail window: this year's visits against the caps, every
visit record and every 谈心谈话, with 登记慰问 / 登记谈心谈话 pre-filling the cadre.

``reload()`` re-reads everything (the detail window calls it); ``welfare_changed()``
after anything was saved here (the registration wires it to the window's
``cadres_changed`` so the main window refreshes the 福利慰问 page).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QTableWidgetItem, QWidget

from ...domain.money import format_yuan
from ...services import welfare as welfare_service
from .. import actions, theme
from ..dialogs.talk_dialog import TalkDialog
from ..dialogs.welfare_dialog import WelfareDialog
from .history import HistoryBox, cell, detail_page
from .list_page import make_button

RECORD_HEADERS = ["日期", "事由", "金额（元）", "物品", "经费来源", "走访人", "备注"]
TALK_HEADERS = ["谈话日期", "谈话人", "谈话事由", "谈话要点", "后续跟进"]


def _item(text: str, right: bool = False, colour: QColor | None = None, icon: str = "") -> QTableWidgetItem:
    return cell(text, right, colour, icon, tooltip_over=14)


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

        column = detail_page(self)
        content = column.parentWidget()

        self.summary_label = QLabel(content)
        self.summary_label.setWordWrap(True)
        theme.set_role(self.summary_label, "info")
        column.addWidget(self.summary_label)

        self.records = HistoryBox(self.tr("慰问记录"), [self.tr(h) for h in RECORD_HEADERS],
                                  widths=(100, 130, 100, 170, 90, 150), add_text=self.tr("登记慰问"),
                                  add_icon="welfare-visit-white", add_tip=self.tr("为这名干部登记一次慰问"),
                                  edit_tip=self.tr("修改所选慰问记录（也可双击）"),
                                  empty_text=self.tr("还没有慰问记录。点击「登记慰问」添加。"), parent=content)
        self.talks = HistoryBox(self.tr("谈心谈话"), [self.tr(h) for h in TALK_HEADERS], widths=(100, 120, 110, 300),
                                add_text=self.tr("登记谈心谈话"), add_icon="welfare-talk-white",
                                add_tip=self.tr("记录与这名干部的一次谈心谈话"),
                                edit_tip=self.tr("修改所选谈话记录（也可双击）"),
                                empty_text=self.tr("还没有谈心谈话记录。点击「登记谈心谈话」添加。"), min_height=140,
                                parent=content)
        r, t = self.records, self.talks
        self.add_button, self.edit_button, self.count_label = r.add_button, r.edit_button, r.count_label
        self.records_table, self.records_empty = r.table, r.empty_label
        self.add_talk_button, self.edit_talk_button, self.talk_count_label = t.add_button, t.edit_button, t.count_label
        self.talks_table, self.talks_empty = t.table, t.empty_label
        column.addWidget(r, 3)
        column.addWidget(t, 2)
        column.addStretch(0)
        self._column = column
        r.add_requested.connect(self.add_visit)
        r.edit_requested.connect(self.edit_selected_visit)
        t.add_requested.connect(self.add_talk)
        t.edit_requested.connect(self.edit_selected_talk)
        self.reload()

    # ================================================================ content
    def reload(self) -> None:
        self.data = welfare_service.cadre_welfare(self.cadre_id)
        d = self.data
        self.summary_label.setText(self.tr("{0} 年已慰问 {1} 次，共 {2} 元；历年合计 {3} 次，{4} 元；谈心谈话 {5} 次。").format(
            d["year"], d["year_count"], format_yuan(d["year_total_fen"]), len(d["records"]),
            format_yuan(d["total_fen"]), len(d["talks"])))
        amber = QColor(theme.WARNING)

        def record_cells(rec: dict) -> list[QTableWidgetItem]:
            notes = []
            if rec["over_reason"]:
                notes.append(self.tr("超出说明：") + _one_line(rec["over_reason"]))
            if rec["episode"]:
                notes.append(self.tr("同一事项：") + rec["episode"])
            if rec["notes"]:
                notes.append(_one_line(rec["notes"]))
            over = bool(rec["over_reason"])
            return [_item(rec["record_date"].isoformat()), _item(rec["occasion_name"]),
                    _item(format_yuan(rec["total_fen"]), right=True), _item(_one_line(rec["goods"])),
                    _item(rec["funding_source"]), _item(rec["visitors"]),
                    _item("；".join(notes), colour=amber if over else None, icon="warning" if over else "")]

        def talk_cells(t: dict) -> list[QTableWidgetItem]:
            return [_item(t["talk_date"].isoformat()), _item(t["talker"]), _item(t["trigger"]),
                    _item(_one_line(t["gist"])), _item(_one_line(t["follow_up"]))]

        self.records.show_rows(d["records"], record_cells, self.tr("共 {0} 条").format(len(d["records"])))
        self.talks.show_rows(d["talks"], talk_cells, self.tr("共 {0} 次").format(len(d["talks"])))
        # an empty list takes only its line; the tables share the height
        self._column.setStretchFactor(self.records, 3 if d["records"] else 0)
        self._column.setStretchFactor(self.talks, 2 if d["talks"] else 0)
        self._column.setStretch(self._column.count() - 1, 0 if (d["records"] or d["talks"]) else 1)

    def selected_record_id(self) -> int | None:
        return self.records.selected_id()

    def selected_talk_id(self) -> int | None:
        return self.talks.selected_id()

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
        (self.talks if is_talk else self.records).select_id(saved_id)
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
