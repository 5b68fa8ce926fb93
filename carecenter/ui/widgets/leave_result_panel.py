"""The 计算结果 panel of the leave dialog: the counted days, the day breakdown (which days
count and which do not, and why), information, warnings, loose problems and the button to
the calendar settings when a year's holidays are missing."""
from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ...domain import workcalendar
from ...domain.errors import DomainError
from ...services import leave as leave_service
from .. import theme
from .form_dialog import side_panel
from .list_page import make_button


class LeaveResultPanel(QFrame):
    """``days_label``, ``total_label``, ``mode_label``, ``breakdown_label`` (and the same as
    plain ``breakdown_lines``), ``info_label``, ``warning_label``, ``problem_label`` and
    ``calendar_button``, top to bottom."""

    BREAKDOWN_RUNS = 10   # lines shown; a longer span ends with "另有 …"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        pcol = side_panel(self, self.tr("计算结果"), 300)
        self.days_label = QLabel(self)
        self.days_label.setObjectName("LeaveDays")
        self.days_label.setWordWrap(True)
        self.days_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        pcol.addWidget(self.days_label)
        self.total_label = self._label(pcol, "info")
        self.mode_label = self._label(pcol, "hint")
        # which days count and which do not, and why, to check against the paper form
        self.breakdown_label = self._label(pcol, "hint", selectable=True)
        self.breakdown_label.setObjectName("LeaveDayBreakdown")
        self.breakdown_label.setTextFormat(Qt.TextFormat.RichText)
        self.breakdown_label.setVisible(False)
        self.breakdown_lines: list[str] = []   # the same, as plain lines
        self.info_label = self._label(pcol, "info", selectable=True)
        self.warning_label = self._label(pcol, "warning", selectable=True)
        self.problem_label = self._label(pcol, "error")
        self.calendar_button = make_button(self.tr("打开日历设置"), "calendar", parent=self,
                                           tooltip=self.tr("录入该年的法定节假日和调休上班日"))
        self.calendar_button.setVisible(False)
        pcol.addWidget(self.calendar_button, 0, Qt.AlignmentFlag.AlignLeft)
        pcol.addStretch(1)

    def _label(self, column: QVBoxLayout, role: str, *, selectable: bool = False) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        if selectable:
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(label, role)
        column.addWidget(label)
        return label

    def show_breakdown(self, working: bool, start: date | None, end: date | None) -> None:
        """Under 共 N 个工作日: each run of days, counted or not, and why (周末 / 法定节假日 / 调休上班)."""
        day_runs: list[workcalendar.DayRun] = []
        if working and start and end and start < end:
            try:
                day_runs = workcalendar.runs(leave_service.calendar().breakdown(start, end))
            except DomainError:
                day_runs = []
        shown = day_runs[:self.BREAKDOWN_RUNS]
        self.breakdown_lines = [r.text() for r in shown]
        rows = "".join(
            f"<tr><td style='color:{theme.TEXT if r.counts else theme.MUTED}; padding-right:6px'>{r.mark}</td>"
            f"<td style='padding-right:6px; white-space:nowrap'>{html.escape(r.span_text())}</td>"
            f"<td>{html.escape(r.why_text())}</td></tr>" for r in shown)
        if len(day_runs) > self.BREAKDOWN_RUNS:
            rest = day_runs[self.BREAKDOWN_RUNS:]
            more = self.tr("……另有 {0} 段，共 {1} 天").format(len(rest), sum(r.days for r in rest))
            self.breakdown_lines.append(more)
            rows += f"<tr><td colspan='3'>{html.escape(more)}</td></tr>"
        self.breakdown_label.setText(f"<table cellspacing='0' cellpadding='1'>{rows}</table>" if rows else "")
        self.breakdown_label.setVisible(bool(rows))

    def show_notes(self, pre: leave_service.LeavePreview, loose: list[str], calendar_unknown: bool) -> None:
        """The preview's information and warnings, the problems that belong to no field, and
        the calendar button when a year's holidays are missing."""
        self.total_label.setVisible(bool(self.total_label.text()))
        self.info_label.setText("\n".join(pre.info))
        self.info_label.setVisible(bool(pre.info))
        self.warning_label.setText("\n".join(self.tr("注意：") + w.message for w in pre.warnings))
        self.warning_label.setVisible(bool(pre.warnings))
        self.calendar_button.setVisible(calendar_unknown)
        self.problem_label.setText("\n".join(dict.fromkeys(loose)))
        self.problem_label.setVisible(bool(loose))
