"""用密码加密文件: the tick box and the two password fields offered when an export or a
printout holds sensitive information (issue 11).  The rules are the service's
(``security.protect.check_file_password``); this box only shows what it says."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...domain.errors import DomainError
from ...security.protect import MAX_LENGTH, MIN_LENGTH, check_file_password
from .. import theme


class PasswordBox(QWidget):
    """``protect_check`` + 文件密码 / 确认密码 (shown when ticked) + a message line.

    ``password`` is the password to use, or None when the box is not ticked;
    ``problem()`` is (field, message) while the ticked fields are not acceptable."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, opens: str = ""):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.protect_check = QCheckBox(self.tr("用密码加密保存的文件"), self)
        layout.addWidget(self.protect_check)
        self.fields = QWidget(self)
        form = QFormLayout(self.fields)
        form.setContentsMargins(22, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        self.password_edit = QLineEdit(self.fields)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(MAX_LENGTH)
        self.password_edit.setPlaceholderText(self.tr("至少 {0} 个字符").format(MIN_LENGTH))
        self.confirm_edit = QLineEdit(self.fields)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.setMaxLength(MAX_LENGTH)
        self.confirm_edit.setPlaceholderText(self.tr("再输入一次"))
        form.addRow(self.tr("文件密码"), self.password_edit)
        form.addRow(self.tr("确认密码"), self.confirm_edit)
        # a fixed height: beside word-wrapped labels (height-for-width) the form was squeezed
        self.fields.setFixedHeight(form.sizeHint().height())
        layout.addWidget(self.fields)
        self.hint = QLabel(self.tr("{0}时要输入这个密码。程序不保存它，忘记后无法找回；"
                                   "请另行告知接收人，不要与文件一起发送。").format(opens or self.tr("打开文件")), self)
        self.hint.setWordWrap(True)
        theme.set_role(self.hint, "hint")
        layout.addWidget(self.hint)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        theme.set_role(self.message, "error")
        layout.addWidget(self.message)
        self._touched = False

        self.protect_check.toggled.connect(self._on_toggled)
        self.password_edit.textEdited.connect(lambda _t: self._refresh())
        self.confirm_edit.textEdited.connect(lambda _t: self._refresh())
        self.confirm_edit.editingFinished.connect(self._on_left)
        self._on_toggled(False)

    @property
    def protect(self) -> bool:
        return self.isEnabled() and self.protect_check.isChecked()

    def problem(self) -> tuple[str, str] | None:
        if not self.protect:
            return None
        try:
            check_file_password(self.password_edit.text(), self.confirm_edit.text())
        except DomainError as err:
            return err.field or "password", err.message
        return None

    @property
    def password(self) -> str | None:
        return self.password_edit.text() if self.protect and self.problem() is None else None

    def show_problems(self) -> None:
        """Show the message even before the fields were left (the clerk pressed OK)."""
        self._touched = True
        self._refresh()
        found = self.problem()
        if found:
            (self.confirm_edit if found[0] == "confirm" else self.password_edit).setFocus()

    def _on_toggled(self, checked: bool) -> None:
        self.fields.setVisible(checked)
        self.hint.setVisible(checked)
        if checked:
            self._touched = False
            self.password_edit.setFocus()
        self._refresh()
        self.fit_window()

    def fit_window(self) -> None:
        """Let the dialog holding the box take the height its content now needs."""
        top = self.window()
        if top is self or top.layout() is None:
            return
        top.layout().activate()
        hint = top.sizeHint()
        top.resize(max(top.width(), hint.width()), hint.height())

    def _on_left(self) -> None:
        self._touched = True
        self._refresh()

    def _refresh(self) -> None:
        found = self.problem() if self._touched else None
        self.message.setText(found[1] if found else "")
        if self.message.isVisibleTo(self) != bool(found):
            self.message.setVisible(bool(found))
            self.fit_window()
        theme.set_state(self.password_edit, "error" if found and found[0] == "password" else None)
        theme.set_state(self.confirm_edit, "error" if found and found[0] == "confirm" else None)
        self.changed.emit()
