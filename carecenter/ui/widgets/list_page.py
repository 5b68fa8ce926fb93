"""The anatomy every list page shares (UI.md): title, search box, filter drop-downs,
actions on the right, the table, and an empty state that says what to do.

Subclasses fill ``filter_bar`` and ``action_bar``, put their table in with
``set_table`` and implement ``add()`` (Ctrl+N) — the main window calls
``focus_search()`` for Ctrl+F and ``add()`` for Ctrl+N on the current page.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from ...services import roster as roster_service
from .. import theme
from .table_view import DataTable, set_column_widths

SEARCH_DEBOUNCE_MS = 150


def refill_combo(combo: QComboBox, first: tuple[str, Any] | None, items: Iterable[tuple[str, Any]],
                 default: Any = None) -> None:
    """Refill a filter drop-down without emitting: ``first`` (the "全部…" choice, text and
    data), then ``items`` (text, data).  The choice stays when it is still there (an empty
    drop-down takes ``default``), otherwise the first item is chosen."""
    current = combo.currentData() if combo.count() else default
    blocked = combo.blockSignals(True)
    combo.clear()
    if first is not None:
        combo.addItem(*first)
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(blocked)


def unit_items() -> list[tuple[str, int]]:
    """The current units as (name, id) for a 单位 filter."""
    return [(u["name"], u["id"]) for u in roster_service.list_units(include_archived=False, with_counts=False)]


def add_count_and_hint(page: QWidget, outer: QVBoxLayout) -> None:
    """The line under a list: the count at the left (``page.count_label``), a hint at the right
    (``page.hint_label``: what a double-click does, or a passing message)."""
    footer = QHBoxLayout()
    page.count_label = QLabel(page)
    theme.set_role(page.count_label, "count")
    footer.addWidget(page.count_label)
    footer.addStretch(1)
    page.hint_label = QLabel(page)
    theme.set_role(page.hint_label, "hint")
    footer.addWidget(page.hint_label)
    outer.addLayout(footer)


def page_column(page: QWidget, title: str, spacing: int | None = None) -> QVBoxLayout:
    """A page's column with the pages' margins and the page title on top."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(20, 16, 20, 10)
    if spacing is not None:
        outer.setSpacing(spacing)
    heading = QLabel(title, page)
    heading.setObjectName("PageTitle")
    outer.addWidget(heading)
    return outer


def card(parent: QWidget, title: str) -> tuple[QFrame, QVBoxLayout]:
    """A white card with a section heading (the blocks of the 报表打印 and 系统设置 pages)."""
    frame = QFrame(parent)
    frame.setObjectName("Card")
    frame.setStyleSheet("#Card { background: #ffffff; border: 1px solid #dde1e6; border-radius: 6px; }")
    column = QVBoxLayout(frame)
    column.setContentsMargins(16, 12, 16, 14)
    column.setSpacing(8)
    heading = QLabel(title, frame)
    theme.set_role(heading, "section")
    column.addWidget(heading)
    return frame, column


def text_and_button(parent: QWidget, text: str, button: QWidget) -> QHBoxLayout:
    """A card's row: a wrapped explanation at the left, its button at the right."""
    row = QHBoxLayout()
    label = QLabel(text, parent)
    label.setWordWrap(True)
    theme.set_role(label, "info")
    row.addWidget(label, 1)
    row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
    return row


class RefreshWhenShown:
    """Mixed into a page before QWidget: data changed elsewhere → ``mark_stale()`` reads again
    now if the page is visible, else when it is next shown (``refresh()``)."""

    _stale = True

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if self._stale:
            self.refresh()


def single_shot(owner: QWidget, interval_ms: int, slot: Callable[[], Any]) -> QTimer:
    """A single-shot timer of ``owner`` that calls ``slot``: a hint shown for a while, a
    refresh deferred to the next turn of the event loop."""
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer


def view_bar(parent: QWidget, titles: Iterable[str]) -> tuple[QHBoxLayout, QTabBar]:
    """The switcher between the views of a page (one tab per view) in a row that takes more
    buttons at the right; returns the row and the tab bar."""
    row = QHBoxLayout()
    bar = QTabBar(parent)
    bar.setDrawBase(False)
    bar.setExpanding(False)
    for title in titles:
        bar.addTab(title)
    row.addWidget(bar)
    row.addStretch(1)
    return row, bar


def make_table(parent: QWidget, model, widths: dict[str, int], *, clickable: bool = True) -> DataTable:
    """A page's table on ``model``: the columns in ``widths`` have that width, the others stretch;
    ``clickable=False``: the headers do not sort."""
    table = DataTable(parent)
    table.setModel(model)
    set_column_widths(table, list(model.COLUMNS), widths)
    table.horizontalHeader().setSectionsClickable(clickable)
    return table


def year_combo(parent: QWidget, years_back: int = 10, text: str = "{0} 年度") -> QComboBox:
    """A drop-down of the years from this one back ``years_back`` (the year is the item data)."""
    combo = QComboBox(parent)
    this_year = date.today().year
    for year in range(this_year, this_year - years_back, -1):
        combo.addItem(text.format(year), year)
    combo.setMinimumWidth(100)
    return combo


def select_year(combo: QComboBox, year: int, text: str = "{0} 年度") -> None:
    """Choose ``year`` in a ``year_combo`` (added in order when the list lacks it)."""
    index = combo.findData(year)
    if index < 0:
        index = next((i for i in range(combo.count()) if combo.itemData(i) < year), combo.count())
        combo.insertItem(index, text.format(year), year)
    combo.setCurrentIndex(index)


def reset_filters(*widgets: QWidget) -> None:
    """Back to "all" without emitting: drop-downs to their first item, check boxes off, text cleared."""
    for w in widgets:
        blocked = w.blockSignals(True)
        if isinstance(w, QComboBox):
            w.setCurrentIndex(0)
        elif isinstance(w, QAbstractButton):
            w.setChecked(False)
        elif isinstance(w, QLineEdit):
            w.clear()
        w.blockSignals(blocked)


class EmptyState(QFrame):
    """A calm panel in place of the table: one sentence and, when useful, one button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("EmptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.label = QLabel(self)
        self.label.setObjectName("EmptyStateText")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.button = QPushButton(self)
        self.button.setProperty("primary", True)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(3)
        self._callback: Callable[[], None] | None = None
        self.button.clicked.connect(self._on_button_clicked)

    def set_content(self, text: str, button_text: str | None = None,
                    callback: Callable[[], None] | None = None) -> None:
        self.label.setText(text)
        self._callback = callback
        self.button.setVisible(bool(button_text))
        self.button.setText(button_text or "")

    def _on_button_clicked(self) -> None:
        if self._callback is not None:
            self._callback()


def make_button(text: str, icon_name: str | None = None, *, primary: bool = False,
                tooltip: str = "", parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    if icon_name:
        button.setIcon(theme.icon(icon_name))
    if primary:
        button.setProperty("primary", True)
    if tooltip:
        button.setToolTip(tooltip)
    button.setAutoDefault(False)
    return button


class ListPage(QWidget):
    """Base for list pages. ``search_changed(text)`` fires after a short pause in typing."""

    search_changed = Signal(str)

    def __init__(self, title: str, search_placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("PageBody")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 10)
        outer.setSpacing(10)

        header = QHBoxLayout()
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("PageTitle")
        header.addWidget(self.title_label)
        header.addStretch(1)
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("SearchBox")
        self.search_box.setPlaceholderText(search_placeholder)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.setToolTip(self.tr("输入即筛选（Ctrl+F）"))
        self.search_box.setMinimumWidth(340)
        header.addWidget(self.search_box)
        outer.addLayout(header)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        self.filter_bar = QHBoxLayout()
        self.filter_bar.setSpacing(8)
        toolbar.addLayout(self.filter_bar)
        toolbar.addStretch(1)
        self.action_bar = QHBoxLayout()
        self.action_bar.setSpacing(8)
        toolbar.addLayout(self.action_bar)
        outer.addLayout(toolbar)

        self.stack = QStackedWidget(self)
        self.empty_state = EmptyState(self)
        outer.addWidget(self.stack, 1)

        add_count_and_hint(self, outer)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._emit_search)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.installEventFilter(self)

    # ------------------------------------------------------------ layout helpers
    def make_exchange_buttons(self, print_tooltip: str = "") -> None:
        """The 导入 / 导出 / 打印 buttons every list page has, wired to the page's
        ``import_from_excel``, ``export_current`` and (with ``print_tooltip``)
        ``print_register``; the page places them where its bars have room."""
        self.import_wizard = None
        self.import_button = make_button(self.tr("导入"), "import", parent=self, tooltip=self.tr("从 Excel 导入…"))
        self.import_button.clicked.connect(self.import_from_excel)
        self.export_button = make_button(self.tr("导出"), "export", parent=self,
                                         tooltip=self.tr("导出当前列表到 Excel…"))
        self.export_button.clicked.connect(self.export_current)
        self.print_button = make_button(self.tr("打印"), "print", parent=self, tooltip=print_tooltip)
        if print_tooltip:
            self.print_button.clicked.connect(self.print_register)

    def set_table(self, table: QWidget) -> None:
        self.table = table
        self.stack.addWidget(table)
        self.stack.addWidget(self.empty_state)
        self.stack.setCurrentWidget(table)

    def show_table(self) -> None:
        self.stack.setCurrentWidget(self.table)

    def show_empty(self, text: str, button_text: str | None = None,
                   callback: Callable[[], None] | None = None) -> None:
        self.empty_state.set_content(text, button_text, callback)
        self.stack.setCurrentWidget(self.empty_state)

    @property
    def empty_visible(self) -> bool:
        return self.stack.currentWidget() is self.empty_state

    # ------------------------------------------------------------ search
    def _on_search_box_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _emit_search(self) -> None:
        self._search_timer.stop()
        self.search_changed.emit(self.search_box.text())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        # ↓ in the search box moves to the table (after a pending search has run)
        if obj is self.search_box and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Down and getattr(self, "table", None) is not None:
            if self._search_timer.isActive():
                self._emit_search()
            if self.stack.currentWidget() is self.table and self.table.model().rowCount():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                if self.table.currentIndex().row() < 0 or not self.table.selectionModel().hasSelection():
                    self.table.selectRow(0)
                return True
        return super().eventFilter(obj, event)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def add(self) -> None:  # pragma: no cover - every page overrides
        raise NotImplementedError
