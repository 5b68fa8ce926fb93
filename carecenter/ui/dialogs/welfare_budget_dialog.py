"""设置预算: one funding source's budget for one year (工会经费 2026 年 …).

Shows what has been used so far, so the clerk sees the effect at once; the
budget is typed like any amount (50000 or 50,000.00) and saved in fen.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QWidget

from ...domain.errors import DomainError
from ...domain.money import format_yuan
from ...services import welfare as welfare_service
from .. import theme
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column
from ..widgets.money_edit import MoneyEdit
from ..widgets.record_form import FormBase, combo_value


class BudgetDialog(FormBase, SaveFlow, QDialog):
    """``BudgetDialog(year, name)``; ``saved(fund_id)``.  With no name the clerk picks the source."""

    saved = Signal(int)
    TOUCH_ON_SAVE = ("*",)

    LABELS = {"name": "经费来源", "year": "年度", "budget": "预算", "notes": "备注"}
    REQUIRED = {"name", "budget"}

    def __init__(self, year: int, name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.year = year
        usage = {u.name: u for u in welfare_service.fund_usage(year)}
        self._usage = usage
        self.setModal(True)
        self.setWindowTitle(self.tr("设置 {0} 年预算").format(year) + (f" — {name}" if name else ""))
        outer = dialog_column(self)
        form = self.make_form()
        self.name_combo = QComboBox(self)
        for source in usage:
            self.name_combo.addItem(source, source)
        self.name_combo.setMinimumWidth(180)
        self.add_row(form, "name", self.name_combo)
        self.year_label = QLabel(self.tr("{0} 年").format(year), self)
        self.add_row(form, "year", self.year_label)
        self.budget_edit = MoneyEdit(self, field="budget", label="预算", required=True)
        self.used_label = QLabel(self)
        self.used_label.setWordWrap(True)
        theme.set_role(self.used_label, "info")
        self.add_row(form, "budget", self.budget_edit, extra=self.used_label)
        self.notes_edit = QLineEdit(self)
        self.notes_edit.setMaxLength(200)
        self.notes_edit.setPlaceholderText(self.tr("如 经镇党委会研究确定"))
        self.add_row(form, "notes", self.notes_edit)
        outer.addLayout(form)
        add_note(outer, self.tr("已用＝本年度从该经费列支的慰问金和物品价值合计。使用到预算的一定比例时"
                                "（见「慰问标准」中的通用设置）标为「接近预算」，超过时登记慰问需填写超出说明。"))
        self.make_footer(outer)

        if name:
            index = self.name_combo.findData(name)
            self.name_combo.setCurrentIndex(max(index, 0))
            self.name_combo.setEnabled(False)
        self.name_combo.currentIndexChanged.connect(lambda _i: self._on_name_changed())
        self.budget_edit.edited.connect(lambda: self._on_edited("budget"))
        self.budget_edit.editing_finished.connect(lambda: self._on_left("budget"))
        self.notes_edit.textEdited.connect(lambda _t: self._on_edited("notes"))
        self._on_name_changed(initial=True)
        self._loading = False
        self._validate()
        self.fit_to_screen(520, self.sizeHint().height())
        self.budget_edit.line_edit.setFocus()
        self.budget_edit.line_edit.selectAll()

    @property
    def name(self) -> str:
        return combo_value(self.name_combo)

    def _current(self) -> Any:
        return self._usage.get(self.name)

    def _on_name_changed(self, initial: bool = False) -> None:
        u = self._current()
        was_loading = self._loading
        self._loading = True
        self.budget_edit.setValue(u.budget_fen if u and u.budget_fen is not None else None)
        self.notes_edit.setText(u.notes if u else "")
        self._loading = was_loading
        used = u.used_fen if u else 0
        self.used_label.setText(self.tr("{0} 年已用 {1} 元").format(self.year, format_yuan(used)))
        if not initial:
            self._validate()

    def collect_errors(self) -> list[DomainError]:
        u = self._current()
        errors = welfare_service.budget_problems(self.name, self.year, self.budget_edit.text(),
                                                 u.fund_id if u else None)
        if not errors and u is not None:
            fen = self.budget_edit.value()
            if fen < u.used_fen:
                self.used_label.setText(self.tr("{0} 年已用 {1} 元，低于已用金额，保存后将显示「超出预算」").format(
                    self.year, format_yuan(u.used_fen)))
                theme.set_role(self.used_label, "warning")
            else:
                self.used_label.setText(self.tr("{0} 年已用 {1} 元，剩余 {2} 元").format(
                    self.year, format_yuan(u.used_fen), format_yuan(fen - u.used_fen)))
                theme.set_role(self.used_label, "info")
        return errors

    def store(self) -> int:
        u = self._current()
        return welfare_service.save_budget(self.name, self.year, self.budget_edit.value(),
                                           self.notes_edit.text(), u.fund_id if u else None)
