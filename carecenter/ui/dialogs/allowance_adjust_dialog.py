"""调整 one line of a draft month: the new amount (typed as 1200 or 1,200.00) and a
mandatory reason.  The generated amount stays beside it (调整说明 shows both).

Saved with ``services.allowance.adjust_line``; a locked month is refused there
too.  Enter saves (in 调整原因 Ctrl+Enter), Esc cancels.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPlainTextEdit, QWidget

from ...domain.errors import DomainError
from ...domain.money import format_yuan, format_yuan_plain, parse_yuan
from ...services import allowance as service
from .. import messages
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column, make_form, summary_frame
from ..widgets.record_form import FormMixin


def fit_wrapped(dialog: QDialog, width: int) -> None:
    """Size a dialog whose labels wrap: tall enough for its content at ``width``."""
    layout = dialog.layout()
    layout.activate()
    height = dialog.sizeHint().height()
    if layout.hasHeightForWidth():
        height = max(height, layout.totalHeightForWidth(width))
    dialog.fit_to_screen(width, height)


def grow_to_fit(dialog: QDialog) -> None:
    """After messages appeared under fields: grow the dialog so nothing is squeezed."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    need = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else layout.sizeHint().height()
    if need > dialog.height():
        screen = dialog.screen().availableGeometry() if dialog.screen() else None
        dialog.resize(dialog.width(), min(need, screen.height() - 60) if screen is not None else need)


class GrowingForm(FormMixin):
    """FormMixin whose dialog grows when messages appear under the fields."""

    def _show_messages(self) -> None:
        super()._show_messages()
        if not self._loading:
            grow_to_fit(self)  # type: ignore[arg-type]


class AdjustDialog(GrowingForm, SaveFlow, QDialog):
    """``AdjustDialog(line_id)``; ``saved(line_id)`` after the amount was changed."""

    saved = Signal(int)
    TOUCH_ON_SAVE = ("amount", "reason")
    ENTER_IN_TEXT_AREA_IS_NEWLINE = True

    FIELD_NAMES = {"amount": "调整后金额", "reason": "调整原因"}

    def __init__(self, line_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.line_id = line_id
        self.line: dict[str, Any] = service.get_line(line_id)
        if self.line["locked"]:
            raise DomainError("month_locked", self.tr(service.LOCKED_HINT), "month")
        line = self.line
        self.setModal(True)
        self.setWindowTitle(self.tr("调整金额 — {0}").format(line["name"]))
        outer = dialog_column(self)
        band = service.band_text(line["scheme"], line["band"], line["area_class"])
        rows = [
            (self.tr("干部"), f"{line['name']}　{line['unit']}"),
            (self.tr("月份"), f"{line['month'].year}年{line['month'].month}月"),
            (self.tr("项目"), f"{line['scheme_name']}　{band}"),
            (self.tr("依据"), line["basis"] or "—"),
            (self.tr("计算金额"), self.tr("{0} 元").format(format_yuan(line["generated_fen"]))),
        ]
        if line["adjusted"]:
            rows.append((self.tr("当前金额"), self.tr("{0} 元（已调整：{1}）").format(
                format_yuan(line["amount_fen"]), line["reason"])))
        frame, self.summary_values = summary_frame(rows, self)
        outer.addWidget(frame)

        form = make_form()
        self.amount = QLineEdit()
        self.amount.setMaxLength(20)
        self.amount.setPlaceholderText(self.tr("如 1200 或 1,200.00"))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.amount.setMaximumWidth(200)
        self.add_field(form, "amount", self.tr("调整后金额"), self.amount, required=True, extra=QLabel(self.tr("元")))
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(64)
        self.reason.setPlaceholderText(self.tr("必填，如：当月下旬才到岗，经党委会研究按半月发放"))
        self.watch_multiline(self.reason)
        self.add_field(form, "reason", self.tr("调整原因"), self.reason, required=True)
        outer.addLayout(form)
        add_note(outer, self.tr("调整只改本月这一行，原计算金额保留在「调整说明」中。本月锁定后不能再调整，"
                                "更正请在以后月份添加补发或扣减。"))
        self.make_footer(outer)

        self.amount.textEdited.connect(lambda _t: self._on_edited("amount"))
        self.amount.editingFinished.connect(self._on_amount_left)
        self.reason.textChanged.connect(lambda: self._on_edited("reason"))

        self.amount.setText(format_yuan_plain(line["amount_fen"]))
        self.reason.setPlainText(line["reason"] if line["adjusted"] else "")
        self._loading = False
        self._validate()
        fit_wrapped(self, 640)
        self.amount.setFocus()
        self.amount.selectAll()

    def _on_amount_left(self) -> None:
        self._on_left("amount")
        try:
            fen = parse_yuan(self.amount.text(), "amount", self.tr("调整后金额"))
        except DomainError:
            return
        if fen is not None:
            self.amount.setText(format_yuan(fen))

    def amount_fen(self) -> int | None:
        try:
            return parse_yuan(self.amount.text(), "amount", self.tr("调整后金额"))
        except DomainError:
            return None

    def collect_errors(self) -> list[DomainError]:
        errors: list[DomainError] = []
        try:
            parse_yuan(self.amount.text(), "amount", self.tr("调整后金额"))
        except DomainError as err:
            errors.append(err)
        if not self.reason.toPlainText().strip():
            errors.append(DomainError("required", self.tr("请填写调整原因（调整金额必须写明原因）"), "reason"))
        return errors

    def store(self) -> int:
        service.adjust_line(self.line_id, self.amount_fen(), self.reason.toPlainText())  # type: ignore[arg-type]
        return self.line_id
