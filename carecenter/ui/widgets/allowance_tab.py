"""The 津贴 tab of a cadre's detail window.

* 本月测算 — what the rules say for this month (eligible or not, and why).
* 津贴相关日期 — 调离乡镇日期, 离退休类别 and 日期, 上级派驻乡镇日期, edited here
  (``services.allowance.save_facts``); 到乡镇工作时间 stays in 基本信息.
* 离岗和间断时间 — 脱产学习 / 借调 (suspend the township subsidy when over one
  month) and 离开乡镇工作 (not counted in township years).
* 发放记录 — every month's lines with amount, basis and adjustment.

``reload()`` re-reads everything (the detail window calls it after a change).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QTableWidgetItem, QWidget

from ...domain.errors import DomainError, ValidationError
from ...domain.money import format_yuan
from ...services import allowance as service
from ...services import roster as roster_service
from .. import actions, messages, theme
from ..dialogs.allowance_period_dialog import PeriodDialog
from .date_edit import DateEdit
from .history import HistoryBox, cell, detail_page, fill_table, group_column, record_table
from .list_page import make_button

PERIOD_HEADERS = ["类型", "开始日期", "结束日期", "说明"]
HISTORY_HEADERS = ["月份", "项目", "档次/类区", "金额（元）", "类型", "状态", "依据", "调整说明"]
KIND_COLOURS = {service.KIND_BACK_PAY: QColor("#2e7d32"), service.KIND_DEDUCTION: QColor(theme.ERROR)}


def _item(text: str, right: bool = False, colour: QColor | None = None) -> QTableWidgetItem:
    return cell(text, right, colour, tooltip_over=12)


def _month(d: date | None) -> str:
    return f"{d.year}年{d.month}月" if d else ""


class AllowanceTab(QWidget):
    """``allowance_changed()`` after the cadre's dates or periods were saved here."""

    allowance_changed = Signal()

    def __init__(self, cadre_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.dialog: PeriodDialog | None = None
        self._periods: list[dict[str, Any]] = []
        self._history: list[dict[str, Any]] = []
        self._loading = False

        column = detail_page(self)
        content = column.parentWidget()

        # ---- this month
        preview_box, pl = group_column(self.tr("本月测算"), content)
        self.preview_label = QLabel(preview_box)
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.preview_label, "value")
        pl.addWidget(self.preview_label)
        column.addWidget(preview_box)

        # ---- dates
        facts_box, fl = group_column(self.tr("津贴相关日期"), content)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self.township_label = QLabel(facts_box)
        theme.set_role(self.township_label, "value")
        self.transferred = DateEdit(field="transferred_on", label=self.tr("调离乡镇日期"))
        self.retirement_kind = QComboBox(facts_box)
        self.retirement_kind.addItem(self.tr("（未离退休）"), "")
        for k in service.RETIREMENT_KINDS:
            self.retirement_kind.addItem(self.tr(k), k)
        self.retired = DateEdit(field="retired_on", label=self.tr("离退休日期"))
        self.sent_down = DateEdit(field="sent_down_on", label=self.tr("上级派驻乡镇日期"))
        self.inputs = {"transferred_on": self.transferred, "retirement_kind": self.retirement_kind,
                       "retired_on": self.retired, "sent_down_on": self.sent_down}
        cells = [("到乡镇工作时间", self.township_label, 0, 0), ("上级派驻乡镇日期", self.sent_down, 0, 1),
                 ("调离乡镇日期", self.transferred, 1, 0), ("离退休类别", self.retirement_kind, 2, 0),
                 ("离退休日期", self.retired, 2, 1)]
        for label, w, r, c in cells:
            lab = QLabel(self.tr(label), facts_box)
            theme.set_role(lab, "label")
            lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            lab.setMinimumWidth(110)
            grid.addWidget(lab, r, c * 2)
            grid.addWidget(w, r, c * 2 + 1)
        for w in (self.transferred, self.retired, self.sent_down, self.retirement_kind):
            w.setMaximumWidth(220)
        grid.setColumnStretch(4, 1)
        fl.addLayout(grid)
        row = QHBoxLayout()
        self.facts_status = QLabel(facts_box)
        self.facts_status.setWordWrap(True)
        theme.set_role(self.facts_status, "hint")
        row.addWidget(self.facts_status, 1)
        self.save_facts_button = make_button(self.tr("保存日期"), primary=True, parent=facts_box,
                                             tooltip=self.tr("保存调离、离退休、派驻日期"))
        row.addWidget(self.save_facts_button)
        fl.addLayout(row)
        column.addWidget(facts_box)

        # ---- periods
        self.periods = HistoryBox(self.tr("离岗和间断时间"), [self.tr(h) for h in PERIOD_HEADERS],
                                  widths=(110, 110, 110), add_text=self.tr("登记"), add_icon="add-white",
                                  add_tip=self.tr("登记脱产学习、借调或离开乡镇工作的时间"),
                                  edit_tip=self.tr("修改所选记录（也可双击）"),
                                  empty_text=self.tr("没有登记离岗或间断时间。"), min_height=0, parent=content)
        q = self.periods
        self.add_period_button, self.edit_period_button = q.add_button, q.edit_button
        self.periods_table, self.no_periods = q.table, q.empty_label
        self.remove_period_button = make_button(self.tr("删除"), "archive", parent=q,
                                                tooltip=self.tr("删除所选记录（保留在修改记录中）"))
        q.bar.insertWidget(2, self.remove_period_button)
        periods_hint = QLabel(self.tr("脱产学习、借调超过1个月的月份停发乡镇工作补贴；离开乡镇工作的时间不计入乡镇工作年限。"), q)
        periods_hint.setWordWrap(True)
        theme.set_role(periods_hint, "hint")
        q.bar.addWidget(periods_hint, 3)
        column.addWidget(q)

        # ---- history
        history_box, hl = group_column(self.tr("发放记录"), content)
        self.history_count = QLabel(history_box)
        theme.set_role(self.history_count, "count")
        history_head = QHBoxLayout()
        history_head.addWidget(self.history_count, 1)
        self.export_button = make_button(self.tr("导出"), "export", parent=history_box,
                                         tooltip=self.tr("把此人的发放记录导出到 Excel…"))
        self.export_button.clicked.connect(self.export_history)
        history_head.addWidget(self.export_button)
        hl.addLayout(history_head)
        self.history_table = record_table([self.tr(h) for h in HISTORY_HEADERS], history_box,
                                          (100, 120, 110, 96, 150, 60, 320))
        self.history_table.setMinimumHeight(220)
        hl.addWidget(self.history_table, 1)
        self.no_history = QLabel(self.tr("还没有发放记录。在「津贴补贴」页面生成月份后会出现在这里。"), history_box)
        theme.set_role(self.no_history, "hint")
        hl.addWidget(self.no_history)
        column.addWidget(history_box, 1)

        self.save_facts_button.clicked.connect(self.save_facts)
        for w in (self.transferred, self.retired, self.sent_down):
            w.edited.connect(self._on_facts_edited)
        self.retirement_kind.currentIndexChanged.connect(lambda _i: self._on_facts_edited())
        q.add_requested.connect(self.add_period)
        q.edit_requested.connect(self.edit_period)
        self.remove_period_button.clicked.connect(self.remove_period)
        self.periods_table.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    # ================================================================ content
    def reload(self) -> None:
        self._loading = True
        try:
            cadre = roster_service.get_cadre(self.cadre_id)
            start = cadre.get("township_start_date")
            self.township_label.setText(start.isoformat() if start else self.tr("未填写（在「基本信息」中编辑）"))
            facts = service.get_facts(self.cadre_id)
            self.transferred.setValue(facts["transferred_on"])
            self.retirement_kind.setCurrentIndex(max(0, self.retirement_kind.findData(facts["retirement_kind"])))
            self.retired.setValue(facts["retired_on"])
            self.sent_down.setValue(facts["sent_down_on"])
        finally:
            self._loading = False
        self._facts_dirty = False
        self._show_facts_state()
        self._load_preview()
        self._load_periods()
        self._load_history()

    def _load_preview(self) -> None:
        try:
            lines = service.cadre_preview(self.cadre_id, date.today())
        except DomainError as err:
            lines = [err.message]
        self.preview_label.setText("\n".join(lines) or self.tr("—"))

    def _load_periods(self) -> None:
        self._periods = service.list_periods(self.cadre_id)
        t = self.periods_table
        self.periods.show_rows(self._periods, lambda p: [
            _item(p["kind"]), _item(p["start_date"].isoformat()),
            _item(p["end_date"].isoformat() if p["end_date"] else self.tr("（尚未结束）")), _item(p["note"])])
        t.setFixedHeight(t.horizontalHeader().sizeHint().height() + 30 * max(1, min(len(self._periods), 5)) + 4)
        self._update_buttons()

    def _load_history(self) -> None:
        self._history = service.cadre_history(self.cadre_id)
        t = self.history_table

        def cells(h: dict) -> list[QTableWidgetItem]:
            kind = h["kind"]
            if kind != service.KIND_REGULAR and h["corrects_month"]:
                kind = self.tr("{0}（{1}）").format(kind, _month(h["corrects_month"]))
            reason = h["reason"]
            if h["adjusted"]:
                reason = self.tr("原{0}元，{1}").format(format_yuan(h["generated_fen"]), reason)
            return [_item(_month(h["month"])), _item(h["scheme_name"]),
                    _item(service.band_text(h["scheme"], h["band"], h["area_class"])),
                    _item(format_yuan(h["amount_fen"]), right=True,
                          colour=QColor(theme.ERROR) if h["amount_fen"] < 0 else None),
                    _item(kind, colour=KIND_COLOURS.get(h["kind"])),
                    _item(h["status"]), _item(h["basis"]),
                    _item(reason, colour=QColor(theme.WARNING) if h["adjusted"] else None)]

        fill_table(t, self._history, cells)
        t.setVisible(bool(self._history))
        self.no_history.setVisible(not self._history)
        total = sum(h["amount_fen"] for h in self._history)
        months = len({h["month"] for h in self._history})
        self.history_count.setText(self.tr("共 {0} 个月 {1} 行，合计 {2} 元").format(
            months, len(self._history), format_yuan(total)) if self._history else "")

    def export_history(self):
        """导出: this cadre's payout history, as the table lists it, to Excel."""
        from ...services.exports import HistoryQuery
        from ..export_action import export_view

        return export_view(self, "allowance-history", HistoryQuery(self.cadre_id), count=len(self._history))

    # ================================================================ dates
    def facts_data(self) -> dict[str, Any]:
        return {"transferred_on": self.transferred.text(), "retirement_kind": self.retirement_kind.currentData(),
                "retired_on": self.retired.text(), "sent_down_on": self.sent_down.text()}

    def _on_facts_edited(self) -> None:
        if self._loading:
            return
        self._facts_dirty = True
        self._show_facts_state()

    def _show_facts_state(self) -> None:
        # checked only once edited: an account that may only read (负责人) never asks
        errors = service.facts_problems(self.facts_data()) if self._facts_dirty else []
        by_field = {e.field: e.message for e in errors}
        for key, w in self.inputs.items():
            target = w.line_edit if isinstance(w, DateEdit) else w
            theme.set_state(target, "error" if key in by_field and self._facts_dirty else None)
        if errors and self._facts_dirty:
            self.facts_status.setText(errors[0].message)
            theme.set_role(self.facts_status, "error")
        elif self._facts_dirty:
            self.facts_status.setText(self.tr("有未保存的修改"))
            theme.set_role(self.facts_status, "warning")
        else:
            self.facts_status.setText(self.tr("调离、退休的下月起停发乡镇工作补贴；上级派驻人员满6个月后享受。"))
            theme.set_role(self.facts_status, "hint")
        self.save_facts_button.setEnabled(self._facts_dirty and not errors)
        self.save_facts_button.setToolTip("\n".join(e.message for e in errors) if errors
                                          else self.tr("保存调离、离退休、派驻日期"))

    def save_facts(self) -> bool:
        try:
            changes = service.save_facts(self.cadre_id, self.facts_data())
        except ValidationError as err:
            self._facts_dirty = True
            self.facts_status.setText(err.errors[0].message)
            theme.set_role(self.facts_status, "error")
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.reload()
        if changes:
            self.facts_status.setText(self.tr("已保存；未锁定的月份请在「津贴补贴」页面重新生成"))
            theme.set_role(self.facts_status, "info")
            self.allowance_changed.emit()
        return True

    # ================================================================ periods
    def selected_period(self) -> dict[str, Any] | None:
        selected = self.periods.selected_id()
        return next((p for p in self._periods if p["id"] == selected), None)

    def _update_buttons(self) -> None:
        has = self.selected_period() is not None
        self.edit_period_button.setEnabled(has)
        self.remove_period_button.setEnabled(has)

    def add_period(self) -> PeriodDialog:
        return self._open(None)

    def edit_period(self) -> PeriodDialog | None:
        p = self.selected_period()
        return self._open(p) if p is not None else None

    def _open(self, period: dict[str, Any] | None) -> PeriodDialog:
        dialog = PeriodDialog(self.cadre_id, period, self.window())
        actions.open_dialog(self, dialog, self._on_period_saved)
        return dialog

    def _on_period_saved(self, _period_id: int) -> None:
        self.reload()
        self.allowance_changed.emit()

    def remove_period(self) -> None:
        p = self.selected_period()
        if p is None:
            return
        if not messages.confirm(self, self.tr("确定删除 {0} {1} 起的记录？").format(p["kind"], p["start_date"].isoformat()),
                                self.tr("删除")):
            return
        service.archive_period(p["id"])
        self.reload()
        self.allowance_changed.emit()
