"""The field mixins of the record dialogs: messages under fields, touched-field tracking,
the save button's state, Ctrl+Enter in text areas, closing with unsaved changes.

``FieldForm`` holds what both share; ``FormMixin`` (the health and allowance dialogs: a
label per field, the untouched *required* errors stay calm) and ``FormBase`` (the welfare
and talk dialogs: rows that can hide and change their * mark, a ``CALM`` set of codes) add
how they lay out a row and word the status line.  ``SaveFlow`` in ``form_dialog`` goes after
either mixin and before QDialog.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ...domain.errors import DomainError
from .. import theme
from .cadre_picker import CadrePicker
from .date_edit import DateEdit
from .form_dialog import ask_discard, blocked_status, field_holder, fit_to_screen, hinted_footer

REQUIRED_MARK = "<span style='color:#c62828'>*</span> "


def required_label(text: str, required: bool) -> QLabel:
    label = QLabel((REQUIRED_MARK + text) if required else text)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.setMinimumWidth(88)
    return label


def date_target(widget: QWidget) -> QWidget:
    """The widget that shows the error border (a DateEdit's line edit, a combo's editor …)."""
    if isinstance(widget, DateEdit):
        return widget.line_edit
    return widget


def target_of(widget: QWidget) -> QWidget:
    """The widget that takes the error border and the focus (a field's line edit)."""
    inner = getattr(widget, "line_edit", None)
    return inner if inner is not None else widget


def combo_value(combo: QComboBox) -> str:
    """The current item's data as text ("" when nothing is chosen)."""
    if combo.currentIndex() < 0:
        return ""
    value = combo.currentData()
    return "" if value is None else str(value)


class FieldForm:
    """What both field mixins share.  The dialog provides ``collect_errors()`` and ``save()``;
    the mixin provides ``_field_messages()`` (field → texts to show) and ``_update_save_state()``."""

    @staticmethod
    def _target(widget: QWidget) -> QWidget:
        return target_of(widget)

    def _init_form(self) -> None:
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._errors: list[DomainError] = []
        self._dirty = False
        self._loading = True

    def watch_multiline(self, edit: QPlainTextEdit) -> None:
        """Tab leaves the field, Enter is a new line, Ctrl+Enter saves."""
        edit.setTabChangesFocus(True)
        edit.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if isinstance(obj, QPlainTextEdit) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.save()
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ reacting
    def _on_edited(self, key: str) -> None:
        if self._loading:
            return
        self._dirty = True
        self._validate()

    def _on_left(self, key: str) -> None:
        if self._loading:
            return
        self._touched.add(key)
        self._validate()

    def _on_choice(self, key: str) -> None:
        if self._loading:
            return
        self._dirty = True
        self._touched.add(key)
        self._validate()

    def _validate(self) -> None:
        self._errors = self.collect_errors()
        self._show_messages()

    @property
    def errors(self) -> list[DomainError]:
        return list(self._errors)

    def _show_messages(self) -> None:
        shown = self._field_messages()
        for key, label in self.messages.items():
            texts = shown.get(key)
            widget = self.inputs.get(key)
            if texts:
                label.setText("\n".join(dict.fromkeys(texts)))
                label.setVisible(True)
                if widget is not None:
                    theme.set_state(self._target(widget), "error")
            else:
                label.setVisible(False)
                label.setText("")
                if widget is not None:
                    theme.set_state(self._target(widget), None)
        self._update_save_state()

    def _show_blockers(self, calm: bool, names: list[str], first: list[DomainError]) -> None:
        """The status line while saving is blocked: the fields still to fill (all ``calm``)
        or the first problem and how many there are."""
        if calm:
            self.status_label.setText(self.tr("还需填写：") + "、".join(names))
            theme.set_role(self.status_label, "info")
        else:
            blocked_status(self, self._errors, first[0])

    def _reveal(self, usable) -> None:
        """Show every error (as after a save attempt) and focus the first field ``usable`` accepts."""
        self._touched.update(self.messages.keys())
        self._show_messages()
        for err in self._errors:
            widget = self.inputs.get(err.field or "")
            if widget is not None and widget.isEnabled() and usable(err, widget):
                self._target(widget).setFocus()
                break

    def confirm_discard(self) -> bool:
        return ask_discard(self)

    def make_footer(self, outer: QVBoxLayout, required_hint: bool = True) -> None:
        hinted_footer(self, outer, required_hint=required_hint)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

    def fit_to_screen(self, width: int, height: int) -> None:
        fit_to_screen(self, width, height)


class FormMixin(FieldForm):
    """Messages under fields, touched-field tracking, the save-button state and Ctrl+Enter.

    The dialog provides ``inputs``/``messages`` dicts, ``save_button``,
    ``status_label``, ``FIELD_NAMES`` (field → Chinese name for "还需填写：…"),
    ``collect_errors()`` and ``save()``."""

    FIELD_NAMES: dict[str, str] = {}

    @staticmethod
    def _target(widget: QWidget) -> QWidget:
        return date_target(widget)

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget, *,
                  required: bool = False, extra: QWidget | None = None) -> None:
        self.inputs[key] = widget
        message = QLabel()
        message.setWordWrap(True)
        message.setVisible(False)
        theme.set_role(message, "error")
        self.messages[key] = message
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if extra is not None:
            line = QHBoxLayout()
            line.setSpacing(8)
            line.addWidget(widget, 1)
            line.addWidget(extra)
            column.addLayout(line)
        else:
            column.addWidget(widget)
        column.addWidget(message)
        lab = required_label(self.tr(label), required)
        lab.setBuddy(widget)
        form.addRow(lab, holder)

    def is_valid(self) -> bool:
        return not self._errors

    def _field_errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for err in self._errors:
            if err.field in self.messages and err.field in self._touched:
                out.setdefault(err.field, []).append(err.message)
        return out

    def _field_messages(self) -> dict[str, list[str]]:
        return self._field_errors()

    def _update_save_state(self) -> None:
        valid = not self._errors
        self.save_button.setEnabled(valid)
        if valid:
            self.save_button.setToolTip(self.tr("保存（Enter）"))
            self.status_label.setText("")
            theme.set_role(self.status_label, "info")
            return
        self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
            f"· {e.message}" for e in self._errors))
        untouched = [e for e in self._errors if e.field not in self._touched]
        calm = all(e.code in ("required", "consent_required") and e.field in self.FIELD_NAMES for e in self._errors)
        calm = len(untouched) == len(self._errors) and calm
        names = list(dict.fromkeys(self.tr(self.FIELD_NAMES[e.field]) for e in self._errors)) if calm else []
        first = [e for e in self._errors if e.field in self._touched] or self._errors
        self._show_blockers(calm, names, first)

    def reveal_errors(self) -> None:
        """Show every error (as after a save attempt) and put the cursor on the first one."""
        self._reveal(lambda err, widget: True)


class FormBase(FieldForm):
    """Messages under fields, touched-field tracking, the save button's state, Enter/Esc.

    The dialog provides ``inputs``/``messages``/``rows`` dicts, ``LABELS`` (field → name),
    ``CALM`` (error codes shown only after the clerk left the field), ``save_button``,
    ``status_label``, ``collect_errors()`` and ``save()``."""

    LABELS: dict[str, str] = {}
    REQUIRED: set[str] = set()
    CALM = {"required", "reason_required", "amount_required"}

    def _init_form(self) -> None:
        super()._init_form()
        self.rows: dict[str, QWidget] = {}
        self.row_labels: dict[str, QLabel] = {}

    @staticmethod
    def make_form() -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        return form

    def add_row(self, form: QFormLayout, key: str, widget: QWidget, extra: QWidget | None = None,
                input_widget: QWidget | None = None) -> None:
        self.inputs[key] = input_widget or widget
        holder, self.messages[key] = field_holder(None, widget, extra, f"msg_{key}")
        label = QLabel()
        label.setMinimumWidth(80)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setBuddy(target_of(self.inputs[key]))
        self.row_labels[key] = label
        self.set_required(key, key in self.REQUIRED)
        form.addRow(label, holder)
        self.rows[key] = holder

    def set_required(self, key: str, required: bool) -> None:
        text = self.tr(self.LABELS[key])
        self.row_labels[key].setText((REQUIRED_MARK + text) if required else text)

    def set_row_visible(self, form: QFormLayout, key: str, visible: bool) -> None:
        form.setRowVisible(self.rows[key], visible)

    def _is_calm(self, err: DomainError) -> bool:
        return err.code in self.CALM and (err.field or "") not in self._touched

    def _field_messages(self) -> dict[str, list[str]]:
        shown: dict[str, list[str]] = {}
        for err in self._errors:
            if err.field in self.messages and not self._is_calm(err):
                shown.setdefault(err.field, []).append(err.message)
        return shown

    def _update_save_state(self) -> None:
        valid = not self._errors
        self.save_button.setEnabled(valid)
        if valid:
            self.save_button.setToolTip(self.tr("保存（Enter）"))
            self._status_ok()
            return
        self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
            f"· {m}" for m in dict.fromkeys(e.message for e in self._errors)))
        calm = [e for e in self._errors if self._is_calm(e)]
        names = [self.tr(self.LABELS.get(e.field or "", "")) for e in calm]
        first = [e for e in self._errors if not self._is_calm(e)] or self._errors
        self._show_blockers(len(calm) == len(self._errors), list(dict.fromkeys(n for n in names if n)), first)

    def _status_ok(self) -> None:
        self.status_label.setText("")
        theme.set_role(self.status_label, "info")

    def reveal_errors(self) -> None:
        """Show every error (as after a save attempt) and put the cursor on the first one."""
        self._reveal(lambda err, widget: self.rows[err.field].isVisible()
                     and not getattr(widget, "isReadOnly", lambda: False)())

    def enter_saves(self, event) -> bool:
        """Enter (without modifiers) saves; True when the key was used."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.NoModifier:
            picker = self.inputs.get("cadre_id")
            if isinstance(picker, CadrePicker) and picker.hasFocus() and picker.cadre_id is None \
                    and picker.text().strip():
                picker.choose_first()   # type a name, Enter picks the first match
                return True
            self.save()
            return True
        return False
