"""补发/扣减: correct a locked (or never generated) month with a separate line in a
later draft month.  The locked month itself never changes.

The clerk picks the cadre, the scheme and the month to correct; the dialog shows
what was paid for it (the regular line plus earlier corrections) and, as the
应发金额 is typed, whether that makes a 补发 or a 扣减 and of how much.  The line
goes into 计入月份 (a later month that is not locked).  The reason is mandatory.
Saved with ``services.allowance.add_correction``.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QPlainTextEdit, QWidget

from ...domain.errors import DomainError
from ...domain.money import format_yuan, parse_yuan
from ...services import allowance as service
from .. import theme
from ..widgets.cadre_picker import CadrePicker
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column, make_form
from .allowance_adjust_dialog import GrowingForm, fit_wrapped


def _month_text(d: date) -> str:
    return f"{d.year}年{d.month}月"


class CorrectionDialog(GrowingForm, SaveFlow, QDialog):
    """``CorrectionDialog(parent, cadre_id=…, scheme=…, corrects_month=…)``; ``saved(line_id)``."""

    saved = Signal(int)

    FIELD_NAMES = {"cadre": "干部", "scheme": "项目", "corrects_month": "更正月份", "due": "应发金额",
                   "into_month": "计入月份", "reason": "原因"}

    def __init__(self, parent: QWidget | None = None, *, cadre_id: int | None = None, scheme: str | None = None,
                 corrects_month: date | None = None, today: date | None = None):
        super().__init__(parent)
        self._init_form()
        self.today = today or date.today()
        self.line_id: int | None = None
        self._paid: dict | None = None
        self.setModal(True)
        self.setWindowTitle(self.tr("补发/扣减"))
        outer = dialog_column(self)
        add_note(outer, self.tr("已锁定的月份不能修改。少发的在以后月份「补发」，多发的在以后月份「扣减」，"
                                "各占单独一行，并注明所更正的月份和原因。"), "info")

        form = make_form()
        self.picker = CadrePicker()
        self.add_field(form, "cadre", self.tr("干部"), self.picker, required=True)
        self.scheme = QComboBox()
        for code in service.SCHEMES:
            self.scheme.addItem(self.tr(service.SCHEME_NAMES[code]), code)
        self.add_field(form, "scheme", self.tr("项目"), self.scheme, required=True)
        self.corrects = QComboBox()
        self.corrects.setMaxVisibleItems(16)
        self.add_field(form, "corrects_month", self.tr("更正月份"), self.corrects, required=True)
        self.paid_label = QLabel()
        self.paid_label.setWordWrap(True)
        theme.set_role(self.paid_label, "value")
        self.add_field(form, "paid", self.tr("原发金额"), self.paid_label)
        self.due = QLineEdit()
        self.due.setMaxLength(20)
        self.due.setPlaceholderText(self.tr("该月应发多少，如 260 或 1,200.00"))
        self.due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.due.setMaximumWidth(200)
        self.add_field(form, "due", self.tr("应发金额"), self.due, required=True, extra=QLabel(self.tr("元")))
        self.diff_label = QLabel()
        self.diff_label.setWordWrap(True)
        self.add_field(form, "diff", self.tr("差额"), self.diff_label)
        self.into = QComboBox()
        self.add_field(form, "into_month", self.tr("计入月份"), self.into, required=True)
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(60)
        self.reason.setPlaceholderText(self.tr("必填，如：乡镇工作年限核定有误，少计一档"))
        self.watch_multiline(self.reason)
        self.add_field(form, "reason", self.tr("原因"), self.reason, required=True)
        outer.addLayout(form)
        self.make_footer(outer)

        self._fill_corrects(corrects_month)
        self.picker.cadre_changed.connect(lambda _c: self._on_choice_changed("cadre"))
        self.scheme.currentIndexChanged.connect(lambda _i: self._on_choice_changed("scheme"))
        self.corrects.currentIndexChanged.connect(lambda _i: self._on_corrects_changed())
        self.into.currentIndexChanged.connect(lambda _i: self._on_choice_changed("into_month"))
        self.due.textEdited.connect(lambda _t: self._on_edited("due"))
        self.due.editingFinished.connect(lambda: self._on_left("due"))
        self.reason.textChanged.connect(lambda: self._on_edited("reason"))

        if cadre_id is not None:
            self.picker.set_cadre(cadre_id)
            self.picker.setReadOnly(True)
        if scheme is not None:
            self.scheme.setCurrentIndex(max(0, self.scheme.findData(scheme)))
        self._fill_into()
        self._update_paid()
        self._loading = False
        self._validate()
        fit_wrapped(self, 660)
        (self.due if cadre_id is not None else self.picker).setFocus()

    # ------------------------------------------------------------ months
    def _fill_corrects(self, selected: date | None) -> None:
        statuses = service.batch_statuses()
        this = service.month_of(self.today)
        months = [m for m, s in statuses.items() if s == service.STATUS_LOCKED]
        for i in range(1, 13):   # recent months never generated: a month that was never paid
            m = service.add_month(this, -i)
            if m not in statuses:
                months.append(m)
        if selected is not None and service.month_of(selected) not in months:
            months.append(service.month_of(selected))
        for m in sorted(set(months), reverse=True):
            label = _month_text(m) + (self.tr("（已锁定）") if statuses.get(m) == service.STATUS_LOCKED
                                      else self.tr("（未生成）") if m not in statuses else "")
            self.corrects.addItem(label, m.isoformat())
        if selected is not None:
            self.corrects.setCurrentIndex(max(0, self.corrects.findData(service.month_of(selected).isoformat())))

    def _fill_into(self) -> None:
        current = self.into.currentData()
        self.into.blockSignals(True)
        self.into.clear()
        statuses = service.batch_statuses()
        start = self.corrects_month()
        this = service.month_of(self.today)
        if start is not None:
            last = max(service.add_month(this, 1), start)
            m = service.add_month(start, 1)
            while m <= last:
                status = statuses.get(m, service.STATUS_NONE)
                if status != service.STATUS_LOCKED:
                    suffix = self.tr("（草稿）") if status == service.STATUS_DRAFT else self.tr("（未生成）")
                    self.into.addItem(_month_text(m) + suffix, m.isoformat())
                m = service.add_month(m, 1)
        index = self.into.findData(current) if current else -1
        if index < 0:
            index = self.into.findData(this.isoformat())
        self.into.setCurrentIndex(max(0, index) if self.into.count() else -1)
        self.into.blockSignals(False)

    def corrects_month(self) -> date | None:
        value = self.corrects.currentData()
        return date.fromisoformat(value) if value else None

    def into_month(self) -> date | None:
        value = self.into.currentData()
        return date.fromisoformat(value) if value else None

    # ------------------------------------------------------------ live figures
    def _on_corrects_changed(self) -> None:
        self._fill_into()
        self._on_choice_changed("corrects_month")

    def _on_choice_changed(self, key: str) -> None:
        self._update_paid()
        self._on_choice(key)

    def _update_paid(self) -> None:
        cadre_id, month = self.picker.cadre_id, self.corrects_month()
        if cadre_id is None or month is None:
            self._paid = None
            self.paid_label.setText(self.tr("先选择干部、项目和更正月份"))
            theme.set_role(self.paid_label, "hint")
        else:
            self._paid = service.paid_for(cadre_id, self.scheme.currentData(), month)
            p = self._paid
            if p["regular_fen"] is None and not p["corrections_fen"]:
                text = self.tr("0.00 元（该月没有发放这一项）")
            else:
                text = self.tr("{0} 元").format(format_yuan(p["paid_fen"]))
                if p["corrections_fen"]:
                    text += self.tr("（含已补发/扣减 {0} 元）").format(format_yuan(p["corrections_fen"]))
                if p["basis"]:
                    text += "\n" + p["basis"]
            self.paid_label.setText(text)
            theme.set_role(self.paid_label, "value")
        self._update_diff()

    def due_fen(self) -> int | None:
        try:
            return parse_yuan(self.due.text(), "due", self.tr("应发金额"))
        except DomainError:
            return None

    def _update_diff(self) -> None:
        due = self.due_fen()
        if due is None or self._paid is None:
            self.diff_label.setText("")
            return
        diff = due - self._paid["paid_fen"]
        if diff > 0:
            self.diff_label.setText(self.tr("补发 {0} 元").format(format_yuan(diff)))
            theme.set_role(self.diff_label, "value")
        elif diff < 0:
            self.diff_label.setText(self.tr("扣减 {0} 元").format(format_yuan(-diff)))
            theme.set_role(self.diff_label, "warning")
        else:
            self.diff_label.setText(self.tr("与原发金额相同，无需补发或扣减"))
            theme.set_role(self.diff_label, "hint")

    def _validate(self) -> None:
        self._update_diff()
        super()._validate()

    def collect_errors(self) -> list[DomainError]:
        errors: list[DomainError] = []
        if self.picker.cadre_id is None:
            errors.append(DomainError("required", self.tr("请选择干部（输入姓名后从列表中选择）"), "cadre"))
        if self.corrects_month() is None:
            errors.append(DomainError("required", self.tr("请选择要更正的月份"), "corrects_month"))
        if self.into_month() is None:
            errors.append(DomainError("required", self.tr("没有可计入的月份：更正月份之后的月份都已锁定"), "into_month"))
        try:
            due = parse_yuan(self.due.text(), "due", self.tr("应发金额"))
        except DomainError as err:
            errors.append(err)
            due = None
        if due is not None and self._paid is not None and due == self._paid["paid_fen"]:
            errors.append(DomainError("correction_zero", self.tr("应发金额与原发金额相同，无需补发或扣减"), "due"))
        if not self.reason.toPlainText().strip():
            errors.append(DomainError("required", self.tr("请填写原因"), "reason"))
        return errors

    def store(self) -> int:
        self.line_id = service.add_correction(self.picker.cadre_id, self.corrects_month(),  # type: ignore[arg-type]
                                              self.due_fen(), self.into_month(),  # type: ignore[arg-type]
                                              self.reason.toPlainText(), self.scheme.currentData())
        return self.line_id

    def enter_saves(self, event) -> bool:
        """Enter saves only from the amount (the other fields pick or take lines)."""
        return self.focusWidget() is self.due and super().enter_saves(event)
