"""日历设置: the local holidays and make-up workdays (调休上班) that override the
built-in calendar, one year at a time, with a month view to check the result.

The built-in calendar (chinese-calendar) only knows the years up to its release;
a new year's State Council notice has to be entered here, because an offline
install cannot update itself.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QStandardItem,
    QStandardItemModel,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError, ValidationError
from ...services import leave as leave_service
from .. import messages, theme
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import form_area, message_row, save_footer
from ..widgets.history import group_column
from ..widgets.list_page import make_button
from ..widgets.table_view import DataTable

WEEKDAYS = "一二三四五六日"
# the app's calendar style paints no cell backgrounds: days are told apart by text colour,
# weight and underline, with a legend and the selected day described in words
HOLIDAY_FG = QColor("#1d4f88")
WORKDAY_FG = QColor("#9a4d00")
WEEKEND_FG = QColor("#6b7280")
UNKNOWN_FG = QColor("#b8bec6")
MAX_RANGE_DAYS = 31
TYPE_HOLIDAY = "放假"
TYPE_WORKDAY = "调休上班"


def weekday_name(d: date) -> str:
    return "星期" + WEEKDAYS[d.weekday()]


class CalendarDayDialog(QDialog):
    """Add one day or a run of days (添加), or change one day's entry (修改)."""

    saved = Signal()

    def __init__(self, parent: QWidget | None = None, entry: dict[str, Any] | None = None,
                 year: int | None = None):
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle(self.tr("修改日历设置") if entry else self.tr("添加放假日或调休上班日"))
        self.setModal(True)
        self.messages: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        form = form_area(outer, self)

        self.day_edit = DateEdit(self, field="day", label="日期")
        self.end_edit = DateEdit(self, field="end", label="结束日期")
        self.end_edit.line_edit.setPlaceholderText(self.tr("只设一天可不填"))
        self.type_combo = QComboBox(self)
        self.type_combo.addItem(self.tr(TYPE_HOLIDAY), False)
        self.type_combo.addItem(self.tr(TYPE_WORKDAY), True)
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(40)
        self.name_edit.setPlaceholderText(self.tr("如 国庆节、春节调休上班"))
        self.note_edit = QLineEdit(self)
        self.note_edit.setMaxLength(200)
        self.note_edit.setPlaceholderText(self.tr("如 国办发明电〔2026〕X号"))
        self._row(form, "day", self.tr("日期"), self.day_edit, required=True)
        if entry is None:
            self._row(form, "end", self.tr("至"), self.end_edit)
        self._row(form, "type", self.tr("类型"), self.type_combo, required=True)
        self._row(form, "name", self.tr("名称"), self.name_edit, required=True)
        self._row(form, "note", self.tr("备注"), self.note_edit)
        hint = QLabel(self.tr("连续几天放假时，可填写开始和结束日期一次添加；"
                              "调休上班日请逐日添加。"), self)
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        if entry is None:
            form.addRow(hint)

        save_footer(self, outer)
        for w in (self.day_edit, self.end_edit):
            w.edited.connect(self._validate)
            w.editing_finished.connect(self._validate)
        self.name_edit.textEdited.connect(lambda _t: self._validate())
        self.type_combo.currentIndexChanged.connect(lambda _i: self._validate())

        if entry is not None:
            self.day_edit.setValue(entry["day"])
            self.day_edit.setReadOnly(True)
            self.day_edit.setToolTip(self.tr("要改日期，请移除这一天后重新添加"))
            self.type_combo.setCurrentIndex(1 if entry["is_workday"] else 0)
            self.name_edit.setText(entry["name"])
            self.note_edit.setText(entry["note"])
            self.type_combo.setFocus()
        else:
            if year is not None and year != date.today().year:
                self.day_edit.line_edit.setPlaceholderText(self.tr("如 {0}-10-01").format(year))
            self.day_edit.setFocus()
        self._touched = False
        self._validate()
        self.resize(460, self.sizeHint().height())

    def _row(self, form: QFormLayout, key: str, text: str, widget: QWidget, required: bool = False) -> None:
        self.messages[key] = message_row(form, text, widget, self, required=required, label_width=60)

    def days(self) -> list[date]:
        start = self.day_edit.value()
        end = self.end_edit.value() if self.entry is None else None
        if start is None:
            return []
        end = end or start
        return [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def errors(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, edit in (("day", self.day_edit), ("end", self.end_edit)):
            err = edit.error()
            if err is not None:
                out[key] = err.message
        start, end = self.day_edit.value(), self.end_edit.value()
        if "day" not in out and start is None:
            out["day"] = self.tr("请填写日期")
        if start and end and self.entry is None:
            if end < start:
                out["end"] = self.tr("结束日期早于开始日期，请修改")
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                out["end"] = self.tr("一次最多添加 {0} 天，请分几次添加").format(MAX_RANGE_DAYS)
        if not self.name_edit.text().strip():
            out["name"] = self.tr("请填写名称，如“国庆节”或“国庆节调休上班”")
        return out

    def _validate(self, show_all: bool = False) -> dict[str, str]:
        errors = self.errors()
        for key, label in self.messages.items():
            text = errors.get(key, "")
            calm = not show_all and key in ("day", "name") and text.startswith(("请填写",))
            label.setText("" if calm else text)
            label.setVisible(bool(text) and not calm)
        self.save_button.setEnabled(not errors)
        if errors:
            self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
                f"· {m}" for m in errors.values()))
        else:
            self.save_button.setToolTip(self.tr("保存（Enter）"))
        return errors

    def save(self) -> bool:
        if self._validate(show_all=True):
            return False
        is_workday = bool(self.type_combo.currentData())
        name, note = self.name_edit.text().strip(), self.note_edit.text().strip()
        try:
            for day in self.days():
                leave_service.save_calendar_day(day, is_workday, name, note)
        except ValidationError as err:
            for e in err.errors:
                key = "day" if e.field == "day" else ("name" if e.field == "name" else "")
                if key:
                    self.messages[key].setText(e.message)
                    self.messages[key].setVisible(True)
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.saved.emit()
        self.accept()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)


class LeaveCalendarDialog(QDialog):
    """``calendar_changed()`` after an override was added, changed or removed."""

    calendar_changed = Signal()

    COLUMNS = ["日期", "星期", "类型", "名称", "备注"]

    def __init__(self, parent: QWidget | None = None, year: int | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("日历设置 — 法定节假日与调休"))
        self.setModal(True)
        self.day_dialog: CalendarDayDialog | None = None
        self._entries: list[dict[str, Any]] = []
        first, last = leave_service.calendar().known_range()
        self.known_first, self.known_last = first.year, last.year

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)

        top = QHBoxLayout()
        top.setSpacing(8)
        year_label = QLabel(self.tr("年度"), self)
        top.addWidget(year_label)
        self.year_combo = QComboBox(self)
        self.year_combo.setMaxVisibleItems(15)
        self.year_combo.setMinimumWidth(110)
        year_label.setBuddy(self.year_combo)
        top.addWidget(self.year_combo)
        top.addSpacing(12)
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        top.addWidget(self.note_label, 1)
        outer.addLayout(top)

        body = QHBoxLayout()
        body.setSpacing(16)
        outer.addLayout(body, 1)

        list_box, lcol = group_column(self.tr("本地设置"), self)
        lcol.setSpacing(8)
        self.model = QStandardItemModel(0, len(self.COLUMNS), self)
        self.model.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table = DataTable(list_box)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for i, width in enumerate((110, 70, 90, 150)):
            self.table.setColumnWidth(i, width)
        header.setStretchLastSection(True)
        lcol.addWidget(self.table, 1)
        self.empty_label = QLabel(list_box)
        self.empty_label.setWordWrap(True)
        theme.set_role(self.empty_label, "hint")
        lcol.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        self.add_button = make_button(self.tr("添加"), "add", parent=list_box,
                                      tooltip=self.tr("添加放假日或调休上班日"))
        self.edit_button = make_button(self.tr("修改"), "edit", parent=list_box)
        self.remove_button = make_button(self.tr("移除"), "leave-remove", parent=list_box,
                                         tooltip=self.tr("移除所选日期的本地设置，恢复按内置日历计算"))
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lcol.addLayout(buttons)
        body.addWidget(list_box, 3)

        month_box, mcol = group_column(self.tr("月历核对"), self)
        self.month = QCalendarWidget(month_box)
        self.month.setGridVisible(False)
        self.month.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.month.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.month.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.month.setMinimumSize(320, 240)
        plain = QTextCharFormat()
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.month.setWeekdayTextFormat(day, plain)
        mcol.addWidget(self.month)
        legend = QLabel(self.tr(
            "<b style='color:#1d4f88'>蓝色粗体</b> 放假　<b style='color:#9a4d00'>橙色粗体</b> 调休上班　"
            "<span style='color:#6b7280'>灰色</span> 周末　<u>下划线</u> 本地设置"), month_box)
        mcol.addWidget(legend)
        self.day_label = QLabel(month_box)
        self.day_label.setWordWrap(True)
        theme.set_role(self.day_label, "info")
        mcol.addWidget(self.day_label)
        mcol.addStretch(1)
        body.addWidget(month_box, 2)

        footer = QHBoxLayout()
        footer.addStretch(1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        footer.addWidget(self.close_button)
        outer.addLayout(footer)

        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.open_requested.connect(lambda _row: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.month.selectionChanged.connect(self._describe_selected_day)
        self.close_button.clicked.connect(self.accept)

        self._fill_years(year or date.today().year)
        self.reload()
        self.resize(940, 560)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(self.width(), screen.width() - 40), min(self.height(), screen.height() - 60))

    # ================================================================ content
    @property
    def year(self) -> int:
        return int(self.year_combo.currentData() or date.today().year)

    def _fill_years(self, select: int) -> None:
        this = date.today().year
        override_years = {e["day"].year for e in leave_service.calendar_overrides()}
        years = set(range(this - 5, max(self.known_last, this) + 4)) | override_years | {select}
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in sorted(years):
            self.year_combo.addItem(self.tr("{0} 年").format(y), y)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(select), 0))
        self.year_combo.blockSignals(False)

    def set_year(self, year: int) -> None:
        if self.year_combo.findData(year) < 0:
            self._fill_years(year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))

    def reload(self, select_day: date | None = None) -> None:
        year = self.year
        self._entries = leave_service.calendar_overrides(year)
        self.model.removeRows(0, self.model.rowCount())
        for e in self._entries:
            cells = [e["day"].isoformat(), weekday_name(e["day"]),
                     self.tr(TYPE_WORKDAY) if e["is_workday"] else self.tr(TYPE_HOLIDAY), e["name"], e["note"]]
            items = []
            for text in cells:
                item = QStandardItem(text)
                item.setEditable(False)
                item.setToolTip(text if len(text) > 12 else "")
                items.append(item)
            self.model.appendRow(items)
        if select_day is not None:
            for i, e in enumerate(self._entries):
                if e["day"] == select_day:
                    self.table.select_row(i)
        builtin = self.known_first <= year <= self.known_last
        range_text = self.tr("内置日历包含 {0}—{1} 年国务院公布的放假和调休安排。").format(
            self.known_first, self.known_last)
        if builtin:
            self.note_label.setText(range_text + self.tr("这里的本地设置优先于内置日历，可用于本地调整。"))
            theme.set_role(self.note_label, "info")
        elif self._entries:
            self.note_label.setText(range_text + self.tr(
                "{0} 年按这里录入的安排计算，其余日期按周一至周五上班。新一年的国务院放假通知发布后，"
                "请在这里补全放假日和调休上班日。").format(year))
            theme.set_role(self.note_label, "info")
        else:
            self.note_label.setText(range_text + self.tr(
                "注意：还没有 {0} 年的安排，按工作日计算的请假无法计算天数。国务院办公厅发布 {0} 年放假"
                "通知后，请点击「添加」录入放假日和调休上班日。").format(year))
            theme.set_role(self.note_label, "warning")
        self.empty_label.setText(self.tr("{0} 年没有本地设置。").format(year) if not self._entries else "")
        self.empty_label.setVisible(not self._entries)
        self._paint_month(year)
        self._update_buttons()

    def _paint_month(self, year: int) -> None:
        cal = leave_service.calendar()
        local = {e["day"] for e in self._entries}
        self.month.setDateTextFormat(QDate(), QTextCharFormat())  # clear every format
        self.month.setDateRange(QDate(year, 1, 1), QDate(year, 12, 31))
        d = date(year, 1, 1)
        while d.year == year:
            fmt = QTextCharFormat()
            try:
                is_workday, name = cal.day_info(d)
                weekend = d.weekday() >= 5
                if not is_workday and (name or not weekend):
                    fmt.setForeground(HOLIDAY_FG)
                    fmt.setFontWeight(QFont.Weight.Bold)
                elif is_workday and weekend:
                    fmt.setForeground(WORKDAY_FG)
                    fmt.setFontWeight(QFont.Weight.Bold)
                elif weekend:
                    fmt.setForeground(WEEKEND_FG)
            except DomainError:
                fmt.setForeground(UNKNOWN_FG)
            if d in local:
                fmt.setFontUnderline(True)
            self.month.setDateTextFormat(QDate(d.year, d.month, d.day), fmt)
            d += timedelta(days=1)
        today = date.today()
        show = today if today.year == year else (self._entries[0]["day"] if self._entries else date(year, 1, 1))
        self.month.setSelectedDate(QDate(show.year, show.month, show.day))
        self._describe_selected_day()

    def _describe_selected_day(self) -> None:
        q = self.month.selectedDate()
        d = date(q.year(), q.month(), q.day())
        local = next((e for e in self._entries if e["day"] == d), None)
        head = f"{d.year}年{d.month}月{d.day}日 {weekday_name(d)}："
        try:
            is_workday, name = leave_service.calendar().day_info(d)
        except DomainError:
            self.day_label.setText(head + self.tr("没有该年的节假日安排"))
            return
        kind = self.tr("上班") if is_workday else self.tr("休息")
        if is_workday and d.weekday() >= 5:
            kind = self.tr("调休上班")
        elif not is_workday and (name or d.weekday() < 5):
            kind = self.tr("放假")
        text = head + kind + (f"（{name}）" if name else "")
        if local:
            text += self.tr("，本地设置")
        self.day_label.setText(text)

    # ================================================================ selection and actions
    def selected_entry(self) -> dict[str, Any] | None:
        row = self.table.current_row()
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def _update_buttons(self, *_args) -> None:
        has = self.selected_entry() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def add(self) -> None:
        self._open_day_dialog(None)

    def edit_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._open_day_dialog(entry)

    def _open_day_dialog(self, entry: dict[str, Any] | None) -> None:
        self.day_dialog = CalendarDayDialog(self, entry, year=self.year)
        self.day_dialog.saved.connect(self._on_day_saved)
        self.day_dialog.finished.connect(self._on_day_dialog_finished)
        self.day_dialog.open()

    def _on_day_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.day_dialog:
            self.day_dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_day_saved(self) -> None:
        dialog = self.sender()
        days = dialog.days() if isinstance(dialog, CalendarDayDialog) else []
        if days and days[0].year != self.year:
            self.set_year(days[0].year)
        self.reload(select_day=days[0] if days else None)
        if days:
            self.month.setSelectedDate(QDate(days[0].year, days[0].month, days[0].day))
        self.calendar_changed.emit()

    def remove_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        text = self.tr("确定移除 {0}「{1}」的本地设置？移除后这一天按内置日历计算。").format(
            entry["day"].isoformat(), entry["name"])
        if not messages.confirm(self, text, self.tr("移除")):
            return
        leave_service.remove_calendar_day(entry["id"])
        self.reload()
        self.calendar_changed.emit()
