"""A date field the way clerks type dates: 2026-11-25, 2026.11.25, 20261125, 2026年11月25日.

With ``allow_month=True`` a month alone (1985.03, 198503) is accepted and read
as the first of that month (rosters often keep 参加工作时间 to the month), and
such a value is shown as 1985.03 again (``dates.fmt_month_date``).  A button
opens a calendar.  Leaving the field rewrites a valid entry as 2026-11-25; an
invalid entry is kept as typed so the clerk can correct it, and ``error()`` says
what is wrong (the owning form shows it under the field).

Entering a field that holds a complete date (one the form filled in, or the
clerk's own) selects it, so typing replaces it instead of running on
("2025-10-082025-1").
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain import dates
from ...domain.errors import DomainError
from .. import theme


class _CalendarPopup(QFrame):
    picked = Signal(QDate)

    def __init__(self, parent: QWidget):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setMinimumDate(QDate(1900, 1, 1))
        self.calendar.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.calendar.setMinimumSize(300, 230)
        weekend = QTextCharFormat()
        weekend.setForeground(QColor("#6b7280"))  # red is kept for errors
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.calendar.setWeekdayTextFormat(day, weekend)
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        layout.addWidget(self.calendar)

    def _pick(self, qdate: QDate) -> None:
        self.picked.emit(qdate)
        self.hide()


class DateEdit(QWidget):
    """Line edit + calendar button. ``value()`` is a ``datetime.date`` or None."""

    edited = Signal()          # text changed by the clerk or the calendar
    editing_finished = Signal()  # focus left the field / Enter / calendar pick

    def __init__(self, parent: QWidget | None = None, *, allow_month: bool = False,
                 field: str = "date", label: str = "日期", compact: bool = False, placeholder: str = ""):
        super().__init__(parent)
        self.allow_month = allow_month
        self.field = field
        self.label = label
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.line_edit = QLineEdit(self)
        self.line_edit.setPlaceholderText(
            placeholder or (self.tr("如 1985.03") if allow_month else self.tr("如 2026-11-25")))
        self.line_edit.setMaxLength(16)
        self.line_edit.setToolTip(
            self.tr("可输入 2026-11-25、2026.11.25 或 20261125")
            + (self.tr("；也可只填年月，如 1985.03") if allow_month else ""))
        self.button = QToolButton(self)
        self.button.setIcon(theme.icon("calendar"))
        self.button.setToolTip(self.tr("从日历中选择"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        if compact:
            self.button.setFixedSize(24, 24)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line_edit)
        self._popup: _CalendarPopup | None = None
        self.line_edit.textEdited.connect(lambda _t: self.edited.emit())
        self.line_edit.editingFinished.connect(self._on_editing_finished)
        self.button.clicked.connect(self.open_calendar)
        self.line_edit.installEventFilter(self)

    # ------------------------------------------------------------ value
    def text(self) -> str:
        return self.line_edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setText(text)

    def parse(self) -> date | None:
        """The date, None when empty; raises DomainError naming the field when wrong."""
        return dates.parse_date(self.line_edit.text(), self.field, self.label, allow_month=self.allow_month)

    def value(self) -> date | None:
        try:
            return self.parse()
        except DomainError:
            return None

    def error(self) -> DomainError | None:
        try:
            self.parse()
        except DomainError as err:
            return err
        return None

    def format(self, value: date | None) -> str:
        """How a value is shown: 1985.03 for a month alone in a month field, else 2026-11-25."""
        return dates.fmt_month_date(value) if self.allow_month else dates.fmt(value)

    def setValue(self, value: date | None) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setText(self.format(value))

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setReadOnly(read_only)
        self.button.setEnabled(not read_only)

    # ------------------------------------------------------------ behaviour
    def _normalise(self) -> None:
        try:
            value = self.parse()
        except DomainError:
            return
        text = self.format(value)
        if value is not None and text != self.line_edit.text():
            self.line_edit.setText(text)

    def _on_editing_finished(self) -> None:
        self._normalise()
        self.editing_finished.emit()

    def _select_complete(self) -> None:
        if self.line_edit.hasFocus() and self.line_edit.text().strip() and self.value() is not None:
            self.line_edit.selectAll()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if obj is self.line_edit and event.type() == QEvent.Type.FocusIn and not self.line_edit.isReadOnly():
            # after the click that focused the field has placed the caret
            QTimer.singleShot(0, self, self._select_complete)
        if obj is self.line_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.open_calendar()
                return True
        return super().eventFilter(obj, event)

    def open_calendar(self) -> None:
        if self._popup is None:
            self._popup = _CalendarPopup(self)
            self._popup.picked.connect(self._on_picked)
        current = self.value() or date.today()
        self._popup.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        self._popup.adjustSize()
        pos = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry() if self.screen() else None
        size = self._popup.sizeHint()
        if screen is not None:
            if pos.y() + size.height() > screen.bottom():
                pos.setY(self.mapToGlobal(QPoint(0, 0)).y() - size.height())
            pos.setX(max(screen.left(), min(pos.x(), screen.right() - size.width())))
        self._popup.move(pos)
        self._popup.show()
        self._popup.calendar.setFocus()

    def _on_picked(self, qdate: QDate) -> None:
        self.line_edit.setText(date(qdate.year(), qdate.month(), qdate.day()).isoformat())
        self._normalise()
        self.line_edit.setFocus()
        self.edited.emit()
        self.editing_finished.emit()
