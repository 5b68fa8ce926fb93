"""What the form dialogs share beyond their field mixins (``FormMixin``, ``FormBase`` in
``record_form``, ``GrowingForm``): the form layout, the rows with their error lines, the
record dialogs' scrolled form, result panel, footer and status line, the save flow, Enter and
closing with unsaved changes.

A form dialog declares its fields and implements ``store()`` (save through the service and
return the saved row's id); ``SaveFlow`` does the rest::

    class BudgetDialog(FormBase, SaveFlow, QDialog):
        saved = Signal(int)

        def store(self) -> int:
            return welfare_service.save_fund(self.data())

Put ``SaveFlow`` after the field mixin (a mixin's own ``enter_saves`` wins) and before QDialog.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit, QScrollArea,
                               QVBoxLayout, QWidget)

from ...domain.errors import DomainError, ValidationError
from .. import messages, theme
from .list_page import make_button

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def make_form(vertical_spacing: int = 8) -> QFormLayout:
    """A form with right-aligned labels and fields that grow, as every form dialog uses."""
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(vertical_spacing)
    return form


def dialog_column(dialog: QWidget) -> QVBoxLayout:
    """The column of a form dialog, with the margins every form dialog uses."""
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(20, 16, 20, 14)
    outer.setSpacing(10)
    return outer


def add_note(layout, text: str, role: str = "hint") -> QLabel:
    """A wrapped line of explanation under a form or above a table (``role`` hint or info)."""
    label = QLabel(text)
    label.setWordWrap(True)
    theme.set_role(label, role)
    layout.addWidget(label)
    return label


def form_area(outer: QVBoxLayout, parent: QWidget) -> QFormLayout:
    """A form on the light 'FormArea' panel (the calendar and leave forms), added to ``outer``."""
    area = QFrame(parent)
    area.setObjectName("FormArea")
    form = QFormLayout(area)
    form.setContentsMargins(16, 12, 16, 12)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(6)
    outer.addWidget(area)
    return form


def scrolled_form(dialog: QWidget, body: QHBoxLayout, *, focusable: bool = True) -> tuple[QFrame, QVBoxLayout]:
    """The left side of a record dialog: a 'FormArea' panel in a scroll area that only scrolls
    up and down, added to ``body`` with the stretch; returns the panel and its column."""
    scroll = QScrollArea(dialog)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    if not focusable:
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    left = QFrame()
    left.setObjectName("FormArea")
    column = QVBoxLayout(left)
    column.setContentsMargins(18, 4, 18, 12)
    column.setSpacing(0)
    scroll.setWidget(left)
    body.addWidget(scroll, 1)
    return left, column


def side_panel(panel: QFrame, title: str, width: int) -> QVBoxLayout:
    """Make ``panel`` the right side of a record dialog (the live result): a 'FormArea' of
    ``width`` with a section ``title``; returns its column."""
    panel.setObjectName("FormArea")
    panel.setFixedWidth(width)
    column = QVBoxLayout(panel)
    column.setContentsMargins(16, 14, 16, 14)
    column.setSpacing(8)
    heading = QLabel(title, panel)
    theme.set_role(heading, "section")
    column.addWidget(heading)
    return column


def field_holder(parent: QWidget | None, widget: QWidget, extra: QWidget | None = None,
                 name: str = "") -> tuple[QWidget, QLabel]:
    """A form row's field: ``widget`` (and ``extra`` under it) above its error line (hidden
    until there is an error, object name ``name``); returns the holder and the error line."""
    holder = QWidget(parent)
    col = QVBoxLayout(holder)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(2)
    col.addWidget(widget)
    if extra is not None:
        col.addWidget(extra)
    message = QLabel(holder)
    message.setWordWrap(True)
    message.setVisible(False)
    if name:
        message.setObjectName(name)
    theme.set_role(message, "error")
    col.addWidget(message)
    return holder, message


def box_form(box: QWidget, vertical_spacing: int) -> QFormLayout:
    """The form inside a group box of a record dialog."""
    form = QFormLayout(box)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(vertical_spacing)
    form.setContentsMargins(0, 8, 0, 0)
    return form


def message_row(form: QFormLayout, text: str, widget: QWidget, parent: QWidget, *, required: bool = False,
                label_width: int = 0, extra: QWidget | None = None) -> QLabel:
    """A form row: the label (a red * when required) and the field (with ``extra`` under it)
    with its error line under it (hidden until there is an error); returns the error line."""
    holder, message = field_holder(parent, widget, extra)
    label = QLabel(f"<span style='color:#c62828'>*</span> {text}" if required else text, parent)
    if label_width:
        label.setMinimumWidth(label_width)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.setBuddy(widget)
    form.addRow(label, holder)
    return message


def status_footer(dialog: QWidget, outer: QVBoxLayout, role: str | None = None) -> QHBoxLayout:
    """The footer row of a dialog, added to ``outer``: a status line at the left
    (``dialog.status_label``, stretching); the caller adds the buttons."""
    footer = QHBoxLayout()
    outer.addLayout(footer)
    dialog.status_label = QLabel(dialog)
    dialog.status_label.setWordWrap(True)
    if role:
        theme.set_role(dialog.status_label, role)
    footer.addWidget(dialog.status_label, 1)
    return footer


def with_label(widget: QWidget, label: QLabel, parent: QWidget, *, stretch: bool = False) -> QWidget:
    """``widget`` with ``label`` right after it on one line (a unit, an 示例 mark …)."""
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(6)
    row.addWidget(widget)
    row.addWidget(label)
    if stretch:
        row.addStretch(1)
    return holder


def save_footer(dialog: QWidget, outer: QVBoxLayout, *, default: bool = True) -> None:
    """The footer of a form: a status line, 保存 and 取消 (``dialog.status_label``,
    ``save_button``, ``cancel_button``), wired to ``dialog.save`` and ``dialog.reject``."""
    footer = status_footer(dialog, outer)
    dialog.save_button = make_button(dialog.tr("保存"), primary=True, parent=dialog)
    dialog.save_button.setDefault(default)
    dialog.cancel_button = make_button(dialog.tr("取消"), parent=dialog)
    footer.addWidget(dialog.save_button)
    footer.addWidget(dialog.cancel_button)
    dialog.save_button.clicked.connect(dialog.save)
    dialog.cancel_button.clicked.connect(dialog.reject)


def hinted_footer(dialog: QWidget, outer: QVBoxLayout, *, selectable: bool = True,
                  required_hint: bool = True) -> QLabel | None:
    """The footer of a record dialog, added to ``outer``: the status line, "带 * 为必填项",
    保存 and 取消 (``dialog.status_label``, ``save_button``, ``cancel_button``, not yet wired);
    returns the hint (None without ``required_hint``)."""
    footer = QHBoxLayout()
    footer.setSpacing(10)
    dialog.status_label = QLabel(dialog)
    dialog.status_label.setWordWrap(True)
    if selectable:
        dialog.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    footer.addWidget(dialog.status_label, 1)
    hint = None
    if required_hint:
        hint = QLabel(dialog.tr("带 <span style='color:#c62828'>*</span> 为必填项"), dialog)
        theme.set_role(hint, "hint")
        footer.addWidget(hint)
    dialog.save_button = make_button(dialog.tr("保存"), primary=True, parent=dialog)
    dialog.save_button.setDefault(True)
    dialog.cancel_button = make_button(dialog.tr("取消"), parent=dialog)
    footer.addWidget(dialog.save_button)
    footer.addWidget(dialog.cancel_button)
    outer.addLayout(footer)
    return hint


def blocked_status(dialog: QWidget, errors: list[DomainError], first: DomainError) -> None:
    """The status line while saving is refused: the first problem and how many there are."""
    more = dialog.tr("（共 {0} 处需要改正）").format(len(errors)) if len(errors) > 1 else ""
    dialog.status_label.setText(dialog.tr("还不能保存：") + first.message + more)
    theme.set_role(dialog.status_label, "error")


def savable_status(dialog: QWidget, warning: str = "", tail: str = "") -> None:
    """The status line and 保存's tooltip when the record can be saved: the first warning
    (with ``tail``, such as （不影响保存）) in amber, or nothing."""
    dialog.status_label.setText(dialog.tr("注意：") + warning + tail if warning else "")
    theme.set_role(dialog.status_label, "warning" if warning else "info")
    dialog.save_button.setToolTip(dialog.tr("保存（Enter）"))


def summary_frame(rows: list[tuple[str, str]], parent: QWidget) -> tuple[QFrame, dict[str, QLabel]]:
    """A white box of label/value pairs at the top of a dialog."""
    frame = QFrame(parent)
    frame.setObjectName("DetailHeader")
    grid = QGridLayout(frame)
    grid.setContentsMargins(14, 10, 14, 10)
    grid.setHorizontalSpacing(12)
    grid.setVerticalSpacing(4)
    values: dict[str, QLabel] = {}
    for i, (label, value) in enumerate(rows):
        lab = QLabel(label)
        theme.set_role(lab, "label")
        lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        val = QLabel(value)
        val.setWordWrap(True)
        val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(val, "value")
        grid.addWidget(lab, i, 0)
        grid.addWidget(val, i, 1)
        values[label] = val
    grid.setColumnStretch(1, 1)
    return frame, values


def fit_to_screen(dialog: QWidget, width: int, height: int) -> None:
    """Resize a list dialog to ``width`` × ``height``, but never beyond the screen it is on."""
    dialog.resize(width, height)
    screen = dialog.screen().availableGeometry() if dialog.screen() else None
    if screen is not None:
        dialog.resize(min(dialog.width(), screen.width() - 40), min(dialog.height(), screen.height() - 60))


def enter_pressed(event, *, ctrl: bool = False) -> bool:
    """Enter or Return without modifiers (with ``ctrl``: Ctrl+Enter too); the keypad counts."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    allowed = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier) if ctrl \
        else (Qt.KeyboardModifier.NoModifier,)
    return event.key() in ENTER_KEYS and mods in allowed


def ask_discard(dialog: QWidget) -> bool:
    """True when the dialog may close: nothing changed (``dialog._dirty``) or the clerk
    agrees to drop the changes."""
    if not dialog._dirty:
        return True
    return messages.confirm(dialog, dialog.tr("放弃未保存的修改？"), dialog.tr("放弃修改"),
                            cancel_text=dialog.tr("继续编辑"))


class SaveFlow:
    """Save: validate, show every problem under its field, store through the service, emit
    ``saved(id)`` and close; Enter saves; closing with changes asks first.

    The dialog provides the field mixin's ``_validate``/``_errors``/``reveal_errors``/
    ``confirm_discard``/``_dirty``, a ``saved`` signal and ``store()``."""

    #: fields marked as left before saving (``"*"``: every field with a message line)
    TOUCH_ON_SAVE: tuple[str, ...] = ()
    #: Ctrl+Enter saves too (dialogs whose text areas take a plain Enter as a new line)
    SAVE_ON_CTRL_ENTER = False
    #: Enter in a multi-line text field is a new line, not a save
    ENTER_IN_TEXT_AREA_IS_NEWLINE = False

    def store(self) -> int:
        """Save the form through the service and return the saved row's id (raise
        ValidationError / DomainError to refuse)."""
        raise NotImplementedError

    def field_errors(self, errors: list[DomainError]) -> list[DomainError]:
        """The service's refusals as the form's field errors (a hook: some forms rename fields)."""
        return list(errors)

    def save(self) -> bool:
        if self.TOUCH_ON_SAVE == ("*",):
            self._touched.update(self.messages.keys())
        else:
            self._touched.update(self.TOUCH_ON_SAVE)
        self._validate()
        if self._errors:
            self.reveal_errors()
            return False
        try:
            saved_id = self.store()
        except ValidationError as err:
            self._errors = self.field_errors(err.errors)
            self.reveal_errors()
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self._dirty = False
        self.saved.emit(saved_id)
        self.accept()
        return True

    def enter_saves(self, event) -> bool:
        """Enter saves; True when the key was used."""
        if not enter_pressed(event, ctrl=self.SAVE_ON_CTRL_ENTER):
            return False
        if self.ENTER_IN_TEXT_AREA_IS_NEWLINE and isinstance(self.focusWidget(), QPlainTextEdit):
            return False
        self.save()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if self.enter_saves(event):
            return
        super().keyPressEvent(event)

    def confirm_discard(self) -> bool:
        return ask_discard(self)

    def reject(self) -> None:
        if not self.confirm_discard():
            return
        self._dirty = False
        super().reject()
