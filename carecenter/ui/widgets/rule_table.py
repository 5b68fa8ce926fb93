"""The rule-settings table: the widget and the dialog every rule setting is built from.

Rules (health-check cycles, welfare standards, allowance rates …) are dated rows edited in a
table: 新增 / 编辑 / 停用 a row in a small form dialog, 载入预设 to replace them all.

* ``RuleTable``: a bar (a label at the left; 新增, 编辑, 停用 and any extra buttons at the
  right), the table with its column widths and a line shown while it is empty; 编辑 and 停用
  follow the selection and a double-click edits.
* ``RuleTableDialog``: a whole settings dialog from declarations — texts, the model, the
  column widths, the row dialog and the service's rows / archive / presets.  A new rule
  setting is a subclass that fills these in.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMenu, QVBoxLayout, QWidget

from ...domain.errors import DomainError
from .. import actions, messages, theme
from .form_dialog import fit_to_screen
from .list_page import make_button
from .table_view import DataTable, set_column_widths


def call_confirmed(parent: QWidget, question: str, ok_text: str, call: Callable[[], Any], *,
                   informative: str | None = None) -> tuple[bool, Any]:
    """Ask ``question``; when confirmed run ``call()``: ``(True, its result)``.  A refusal of the
    service (DomainError) is shown; ``(False, None)`` when nothing was done."""
    if not messages.confirm(parent, question, ok_text, informative=informative):
        return False, None
    try:
        return True, call()
    except DomainError as err:
        messages.error(parent, err.message)
        return False, None


class RuleTable(QWidget):
    """A table of rule rows with its bar.  ``model`` has ``COLUMNS``, ``item(row)`` (the row's
    dict or None) and ``row_of(id)``; columns not in ``widths`` stretch."""

    def __init__(self, model, widths: dict[str, int], *, add_tip: str, edit_tip: str,
                 retire_tip: str | None = None, empty_text: str = "", primary_add: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        self.bar = QHBoxLayout()
        self.bar.setSpacing(8)
        self.lead_label = QLabel(self)
        theme.set_role(self.lead_label, "hint")
        self.bar.addWidget(self.lead_label)
        self.bar.addStretch(1)
        self.add_button = make_button(self.tr("新增"), "add-white" if primary_add else "add", primary=primary_add,
                                      parent=self, tooltip=add_tip)
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=edit_tip)
        self.bar.addWidget(self.add_button)
        self.bar.addWidget(self.edit_button)
        self.retire_button = None
        if retire_tip:
            self.retire_button = make_button(self.tr("停用"), "archive", parent=self, tooltip=retire_tip)
            self.bar.addWidget(self.retire_button)
        col.addLayout(self.bar)
        self.model = model
        self.view = DataTable(self)
        self.view.setModel(model)
        set_column_widths(self.view, list(model.COLUMNS), widths)
        col.addWidget(self.view, 1)
        self.empty_label = QLabel(empty_text, self)
        theme.set_role(self.empty_label, "hint")
        self.empty_label.setVisible(False)
        if empty_text:
            col.addWidget(self.empty_label)
        self.view.selectionModel().selectionChanged.connect(self.update_buttons)
        self.model.modelReset.connect(self.update_buttons)

    def add_widget(self, widget: QWidget) -> None:
        """Put another button at the right end of the bar."""
        self.bar.addWidget(widget)

    def selected(self) -> dict[str, Any] | None:
        return self.model.item(self.view.current_row())

    def select(self, row_id: int | None) -> None:
        if row_id is not None:
            row = self.model.row_of(row_id)
            if row >= 0:
                self.view.select_row(row)

    def rows_loaded(self, select_id: int | None = None) -> None:
        """After the model was filled: the empty line, the selection, the buttons."""
        self.empty_label.setVisible(self.model.rowCount() == 0)
        self.select(select_id)
        self.update_buttons()

    def update_buttons(self, *_args) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        if self.retire_button is not None:
            self.retire_button.setEnabled(has)


class RuleTableDialog(QDialog):
    """A rule-settings dialog: intro, the ``RuleTable`` with a 载入预设 menu, a footer hint
    and 关闭; ``rules_changed()`` after any change.  Subclasses declare the texts below and
    implement ``make_model``, ``load_rows``, ``row_dialog``, ``archive`` and the preset hooks."""

    rules_changed = Signal()

    TITLE: str = ""                  # the window title
    INTRO: str = ""                  # what the rules are for, above the table
    ADD_TIP: str = ""                # tooltips of 新增 / 编辑 / 停用 / 载入预设
    EDIT_TIP: str = ""
    RETIRE_TIP: str = ""
    PRESET_TIP: str = ""
    PRESET_ICON: str = "health-rules"
    EMPTY_TEXT: str = ""             # shown while there are no rules
    FOOTER_HINT: str = ""            # the line beside 关闭
    WIDTHS: dict[str, int] = {}      # column widths (the other columns stretch)
    SIZE: tuple[int, int] = (1000, 480)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dialog: QDialog | None = None
        self.setModal(True)
        self.setWindowTitle(self.tr(self.TITLE))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        intro = QLabel(self.tr(self.INTRO))
        intro.setWordWrap(True)
        theme.set_role(intro, "info")
        outer.addWidget(intro)

        self.model = self.make_model()
        self.rule_table = RuleTable(self.model, self.WIDTHS, add_tip=self.tr(self.ADD_TIP),
                                    edit_tip=self.tr(self.EDIT_TIP), retire_tip=self.tr(self.RETIRE_TIP),
                                    empty_text=self.tr(self.EMPTY_TEXT), parent=self)
        t = self.rule_table
        self.preset_label, self.table_view, self.empty_label = t.lead_label, t.view, t.empty_label
        self.add_button, self.edit_button, self.retire_button = t.add_button, t.edit_button, t.retire_button
        self.preset_button = make_button(self.tr("载入预设"), self.PRESET_ICON, parent=self,
                                         tooltip=self.tr(self.PRESET_TIP))
        self.preset_menu = QMenu(self.preset_button)
        for key, title in self.preset_choices():
            action = self.preset_menu.addAction(self.tr("{0}预设").format(title))
            action.triggered.connect(lambda _c=False, k=key, t=title: self.load_preset(k, t))
        self.preset_button.setMenu(self.preset_menu)
        t.add_widget(self.preset_button)
        outer.addWidget(t, 1)
        self.add_below_table(outer)

        footer = QHBoxLayout()
        hint = QLabel(self.tr(self.FOOTER_HINT))
        theme.set_role(hint, "hint")
        footer.addWidget(hint, 1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        footer.addWidget(self.close_button)
        outer.addLayout(footer)

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.close_button.clicked.connect(self.accept)
        self.table_view.open_requested.connect(lambda _row: self.edit_selected())
        self.reload()
        fit_to_screen(self, *self.SIZE)

    # ------------------------------------------------------------ what a rule setting declares
    def make_model(self):
        raise NotImplementedError

    def load_rows(self) -> None:
        """Fill the model from the service."""
        raise NotImplementedError

    def preset_text(self) -> str:
        """The line at the left of the bar (where the rules came from)."""
        return ""

    def row_dialog(self, row: dict[str, Any] | None, current: dict[str, Any] | None) -> QDialog:
        """The form for a new row (``row`` None; ``current`` is the selected row) or an existing one."""
        raise NotImplementedError

    def archive(self, row: dict[str, Any]) -> None:
        raise NotImplementedError

    def retire_question(self, row: dict[str, Any]) -> tuple[str, str | None]:
        """The question asked before 停用 and its informative text."""
        raise NotImplementedError

    def preset_choices(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def replace_with_preset(self, key: str) -> int:
        raise NotImplementedError

    def preset_question(self, title: str) -> str:
        """The informative text asked before a preset replaces the rules."""
        raise NotImplementedError

    def preset_loaded(self, title: str, count: int) -> str:
        return self.tr("已载入{0}预设，共 {1} 条规则。").format(title, count)

    def add_below_table(self, outer: QVBoxLayout) -> None:
        """A hook for more widgets between the table and the footer."""

    # ------------------------------------------------------------ behaviour
    def reload(self, select_id: int | None = None) -> None:
        self.load_rows()
        self.preset_label.setText(self.preset_text())
        self.rule_table.rows_loaded(select_id)

    def selected_row(self) -> dict[str, Any] | None:
        return self.rule_table.selected()

    def add(self) -> None:
        self.open_row_dialog(self.row_dialog(None, self.selected_row()))

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_row_dialog(self.row_dialog(row, row))

    def open_row_dialog(self, dialog: QDialog) -> None:
        actions.open_dialog(self, dialog, self._on_saved)

    def _on_saved(self, row_id: int) -> None:
        self.reload(select_id=row_id)
        self.rules_changed.emit()

    def retire_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        question, informative = self.retire_question(row)
        done, _ = call_confirmed(self, question, self.tr("停用"), lambda: self.archive(row), informative=informative)
        if done:
            self.reload()
            self.rules_changed.emit()

    def load_preset(self, key: str, title: str) -> None:
        done, count = call_confirmed(self, self.tr("确定载入{0}预设？").format(title), self.tr("载入预设"),
                                     lambda: self.replace_with_preset(key),
                                     informative=self.preset_question(title))
        if not done:
            return
        self.reload()
        self.rules_changed.emit()
        messages.info(self, self.preset_loaded(title, count))
