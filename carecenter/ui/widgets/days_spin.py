"""``DaysSpin``: a number of leave days in half-day steps."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from ..models.leave_models import fmt_days


class DaysSpin(QDoubleSpinBox):
    """Days in half-day steps, shown as 2 or 2.5 (not 2.0)."""

    def __init__(self, parent: QWidget | None = None, maximum: float = 60):
        super().__init__(parent)
        self.setRange(0, maximum)
        self.setDecimals(1)
        self.setSingleStep(0.5)
        self.setSuffix(" 天")
        self.setFixedWidth(110)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt naming
        return fmt_days(Decimal(f"{value:.1f}"))
