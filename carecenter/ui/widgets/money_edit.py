"""``MoneyEdit``: an amount typed in yuan (1200, 1,200.00, ￥1200, 1200元), held as integer fen."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from ...domain.errors import DomainError
from ...domain.money import format_yuan, parse_yuan


class MoneyEdit(QWidget):
    """An amount in yuan: accepts 1200, 1,200.00, ￥1200, 1200元; shows 元 after the field.

    ``value()`` is integer fen (0 when empty, None when the text is not an amount);
    ``error()`` says what is wrong.  Leaving the field rewrites a valid entry as 1,200.00."""

    edited = Signal()
    editing_finished = Signal()

    def __init__(self, parent: QWidget | None = None, *, field: str = "amount", label: str = "金额",
                 required: bool = False, placeholder: str = "0.00"):
        super().__init__(parent)
        self.field = field
        self.label = label
        self.required = required
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.line_edit = QLineEdit(self)
        self.line_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.line_edit.setPlaceholderText(placeholder)
        self.line_edit.setMaxLength(20)
        self.line_edit.setMinimumWidth(120)
        self.line_edit.setMaximumWidth(170)
        self.line_edit.setToolTip(self.tr("以元为单位，如 1200 或 1,200.50"))
        row.addWidget(self.line_edit)
        unit = QLabel(self.tr("元"), self)
        row.addWidget(unit)
        row.addStretch(1)
        self.setFocusProxy(self.line_edit)
        self.line_edit.textEdited.connect(lambda _t: self.edited.emit())
        self.line_edit.editingFinished.connect(self._on_editing_finished)

    def text(self) -> str:
        return self.line_edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setText(text)

    def fen(self) -> int | None:
        """The amount in fen; None when empty."""
        try:
            return parse_yuan(self.text(), self.field, self.label, required=False)
        except DomainError:
            return None

    def value(self) -> int:
        return self.fen() or 0

    def error(self) -> DomainError | None:
        try:
            parse_yuan(self.text(), self.field, self.label, required=self.required)
        except DomainError as err:
            return err
        return None

    def setValue(self, fen: int | None) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setText(format_yuan(fen) if fen else "")

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setReadOnly(read_only)

    def _on_editing_finished(self) -> None:
        fen = self.fen()
        if fen is not None and self.error() is None:
            text = format_yuan(fen)
            if text != self.line_edit.text():
                self.line_edit.setText(text)
        self.editing_finished.emit()

