"""Sign-in, first-run setup, password change, the lock screen and the idle watcher (issue 10).

Every window here is keyboard-only: Enter signs in (or saves), Esc quits (or
cancels).  The services decide; these windows only ask and show the service's
Chinese sentence.  ``sign_in_flow`` is what the application runs at start and
after 切换用户 / 退出登录.
"""
from __future__ import annotations

import os
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import DomainError, ValidationError
from ..security import passwords
from ..services import accounts
from . import messages, theme

PASSWORD_ENV = "CARECENTER_PASSWORD"


def error_text(err: DomainError) -> str:
    """All the sentences of a (validation) error, one per line."""
    if isinstance(err, ValidationError) and err.errors:
        seen: list[str] = []
        for e in err.errors:
            if e.message not in seen:
                seen.append(e.message)
        return "\n".join(seen)
    return err.message


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("SignInError")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {theme.ERROR};")
    label.setVisible(False)
    return label


def _password_field(parent: QWidget, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


class PasswordRulesFeedback(QLabel):
    """Live feedback on a new password against the password rules (green when met)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.rules = accounts.password_rules()
        self.problems: list[str] = []

    def update_for(self, password: str, login: str, confirm: str | None = None) -> bool:
        problems = [e.message for e in passwords.strength_problems(password, login, self.rules)]
        if confirm is not None and confirm and password != confirm:
            problems.append(self.tr("两次输入的密码不一致"))
        self.problems = problems
        if not password:
            self.setStyleSheet(f"color: {theme.MUTED};")
            self.setText(self.tr("密码要求：至少 {0} 位，包含大写字母、小写字母、数字、符号中的至少 {1} 类，"
                                 "不能包含登录名。").format(self.rules.min_length, self.rules.min_classes))
            return False
        if problems:
            self.setStyleSheet(f"color: {theme.ERROR};")
            self.setText("✗ " + "；".join(problems))
            return False
        self.setStyleSheet("color: #1a7f37;")
        self.setText(self.tr("✓ 密码符合要求"))
        return True


class _Form(QDialog):
    """A small dialog: a heading, a form, an error line and two buttons (Enter / Esc)."""

    def __init__(self, title: str, heading: str, ok_text: str, cancel_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowIcon(theme.icon("app"))
        self.setMinimumWidth(440)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(28, 22, 28, 18)
        self.outer.setSpacing(10)
        self.heading = QLabel(heading, self)
        self.heading.setObjectName("PageTitle")
        self.heading.setWordWrap(True)
        self.outer.addWidget(self.heading)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(10)
        self.outer.addLayout(self.form)
        self.error_label = _error_label(self)
        self.outer.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok_button = QPushButton(ok_text, self)
        self.ok_button.setProperty("primary", True)
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton(cancel_text, self)
        self.cancel_button.setAutoDefault(False)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        self.outer.addLayout(buttons)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def submit(self) -> None:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class SignInDialog(_Form):
    """The sign-in window.  ``signin`` holds the service's SignIn once accepted.

    ``opener(login, password)``: the database is still closed (encrypted): the password
    first unwraps its key and opens it; ``recover()`` (the link 忘记密码？) returns a
    SignIn made with the recovery key, or None."""

    def __init__(self, login: str = "", message: str = "", parent: QWidget | None = None,
                 opener: Callable[[str, str], None] | None = None, demo: bool = False,
                 recover: Callable[[QWidget], "accounts.SignIn | None"] | None = None):
        super().__init__(self.tr("登录 — 关心关爱中心"), self.tr("关心关爱中心"), self.tr("登录"), self.tr("退出"),
                         parent)
        self.signin: accounts.SignIn | None = None
        sub = QLabel(self.tr("请用您的账户登录。按 Enter 登录，按 Esc 退出。"), self)
        sub.setStyleSheet(f"color: {theme.MUTED};")
        self.outer.insertWidget(1, sub)
        self.login_edit = QLineEdit(login, self)
        self.login_edit.setPlaceholderText(self.tr("登录名"))
        self.password_edit = _password_field(self, self.tr("密码"))
        self.form.addRow(self.tr("登录名"), self.login_edit)
        self.form.addRow(self.tr("密码"), self.password_edit)
        self.opener = opener
        self.recover = recover
        self.demo_box: QFrame | None = None
        if demo if opener is not None else accounts.is_demo():
            self.demo_box = self._demo_accounts()
            self.outer.insertWidget(self.outer.count() - 1, self.demo_box)
        self.recover_button: QPushButton | None = None
        if recover is not None:
            self.recover_button = QPushButton(self.tr("忘记密码？用恢复密钥重设…"), self)
            self.recover_button.setFlat(True)
            self.recover_button.setAutoDefault(False)
            self.recover_button.setStyleSheet(f"color: {theme.ACCENT}; text-align: left;")
            self.outer.insertWidget(self.outer.count() - 1, self.recover_button)
            self.recover_button.clicked.connect(self._recover)
        self.show_error(message)
        (self.password_edit if login else self.login_edit).setFocus()

    def _demo_accounts(self) -> QFrame:
        box = QFrame(self)
        box.setObjectName("DemoAccounts")
        box.setStyleSheet("#DemoAccounts { background: #fff8e6; border: 1px solid #f0d9a8; border-radius: 6px; }")
        col = QVBoxLayout(box)
        col.setContentsMargins(12, 8, 12, 8)
        title = QLabel(self.tr("这是演示数据库（非真实信息）。演示账户的密码均为 <b>{0}</b>：").format(
            accounts.DEMO_PASSWORD), box)
        title.setWordWrap(True)
        col.addWidget(title)
        roles = accounts.preset_role_names() if self.opener is not None else \
            {r["code"]: r["name"] for r in accounts.list_roles()}
        grid = QFormLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        for login, _name, role in accounts.DEMO_ACCOUNTS:
            grid.addRow(QLabel(f"<b>{login}</b>", box), QLabel(roles.get(role, role), box))
        col.addLayout(grid)
        return box

    def _recover(self) -> None:
        signin = self.recover(self) if self.recover is not None else None
        if signin is not None:
            self.signin = signin
            self.accept()

    def submit(self) -> None:
        login, password = self.login_edit.text().strip(), self.password_edit.text()
        try:
            if self.opener is not None:
                self.opener(login, password)
                self.opener = None      # open now: a second try only signs in
            self.signin = accounts.sign_in(login, password)
        except DomainError as err:
            self.password_edit.clear()
            self.show_error(err.message)
            (self.password_edit if login else self.login_edit).setFocus()
            return
        self.accept()


class SetupDialog(_Form):
    """First start: create the first 系统管理员 (nothing else opens before).

    ``creator(login, name, password, confirm)``: a new database is created encrypted with
    the account (``encryption.create_store``); it returns what was created, whose
    ``recovery_key`` is then shown."""

    def __init__(self, parent: QWidget | None = None, creator: Callable[..., object] | None = None):
        super().__init__(self.tr("首次使用 — 建立系统管理员账户"), self.tr("建立系统管理员账户"),
                         self.tr("建立并登录"), self.tr("退出"), parent)
        intro = QLabel(self.tr("这是一个新的数据库，还没有任何账户。请先建立系统管理员账户：系统管理员负责建立其他"
                               "人员的账户、修改设置和备份，不查看业务数据。请牢记密码，程序中没有默认密码。"), self)
        if creator is not None:
            intro.setText(intro.text() + self.tr("数据库会加密保存；建立后将显示一次恢复密钥，请准备打印。"))
        intro.setWordWrap(True)
        self.outer.insertWidget(1, intro)
        self.login_edit = QLineEdit(self)
        self.login_edit.setPlaceholderText(self.tr("英文字母或数字，如姓名拼音"))
        self.name_edit = QLineEdit(self)
        self.password_edit = _password_field(self)
        self.confirm_edit = _password_field(self)
        self.feedback = PasswordRulesFeedback(self)
        self.form.addRow(self.tr("登录名"), self.login_edit)
        self.form.addRow(self.tr("姓名"), self.name_edit)
        self.form.addRow(self.tr("密码"), self.password_edit)
        self.form.addRow(self.tr("再次输入密码"), self.confirm_edit)
        self.form.addRow("", self.feedback)
        self.actor = None
        self.creator = creator
        self.created = None
        for edit in (self.login_edit, self.password_edit, self.confirm_edit):
            edit.textChanged.connect(self._on_changed)
        self._on_changed()
        self.login_edit.setFocus()

    def _on_changed(self) -> None:
        self.feedback.update_for(self.password_edit.text(), self.login_edit.text().strip(), self.confirm_edit.text())

    def submit(self) -> None:
        try:
            if self.creator is not None:
                self.created = self.creator(self.login_edit.text(), self.name_edit.text(),
                                            self.password_edit.text(), self.confirm_edit.text())
                self.actor = self.created.who
            else:
                self.actor = accounts.create_first_admin(self.login_edit.text(), self.name_edit.text(),
                                                         self.password_edit.text(), self.confirm_edit.text())
        except DomainError as err:
            self.show_error(error_text(err))
            return
        self.accept()


class ChangePasswordDialog(_Form):
    """The signed-in account changes its own password; ``forced`` at first sign-in or expiry."""

    def __init__(self, forced: bool = False, reason: str = "", parent: QWidget | None = None):
        super().__init__(self.tr("修改密码"), self.tr("请设置新密码") if forced else self.tr("修改密码"),
                         self.tr("保存新密码"), self.tr("退出登录") if forced else self.tr("取消"), parent)
        self.forced = forced
        if reason:
            note = QLabel(reason + self.tr("。修改后才能继续使用。") if forced else reason, self)
            note.setWordWrap(True)
            note.setStyleSheet(f"color: {theme.WARNING};")
            self.outer.insertWidget(1, note)
        from ..security import access

        who = access.current()
        self.login = who.login if who else ""
        self.old_edit = _password_field(self)
        self.new_edit = _password_field(self)
        self.confirm_edit = _password_field(self)
        self.feedback = PasswordRulesFeedback(self)
        self.form.addRow(self.tr("原密码"), self.old_edit)
        self.form.addRow(self.tr("新密码"), self.new_edit)
        self.form.addRow(self.tr("再次输入新密码"), self.confirm_edit)
        self.form.addRow("", self.feedback)
        for edit in (self.new_edit, self.confirm_edit):
            edit.textChanged.connect(self._on_changed)
        self._on_changed()
        self.old_edit.setFocus()

    def _on_changed(self) -> None:
        self.feedback.update_for(self.new_edit.text(), self.login, self.confirm_edit.text())

    def submit(self) -> None:
        try:
            accounts.change_password(self.old_edit.text(), self.new_edit.text(), self.confirm_edit.text())
        except DomainError as err:
            self.show_error(error_text(err))
            return
        self.accept()


def sign_in_flow(parent: QWidget | None = None, login: str = "", demo: bool = False,
                 use_env: bool = True, opener: Callable[[str, str], None] | None = None,
                 recover: Callable[[QWidget], "accounts.SignIn | None"] | None = None) -> accounts.SignIn | None:
    """Setup (new database) or sign-in, then the forced password change: returns the
    SignIn of the account now signed in, or None when the person chose 退出.

    ``opener``: the database is encrypted and still closed (see ``SignInDialog``)."""
    if opener is None and accounts.needs_setup():
        dialog = SetupDialog(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
            return None
        return accounts.SignIn(dialog.actor, demo=accounts.is_demo())
    if not login and (demo if opener is not None else accounts.is_demo()):
        login = "jingban"
    result: accounts.SignIn | None = None
    message = ""
    env_password = os.environ.get(PASSWORD_ENV) if use_env else None
    if login and env_password:
        # scripts (the benchmark's start-up measurement): --user plus CARECENTER_PASSWORD
        try:
            if opener is not None:
                opener(login, env_password)
                opener = recover = None
            result = accounts.sign_in(login, env_password)
        except DomainError as err:
            message = err.message
    while True:
        if result is None:
            dialog = SignInDialog(login, message, parent, opener=opener, demo=demo, recover=recover)
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signin is None:
                return None
            result = dialog.signin
            opener = recover = None      # the database is open now
        if not result.must_change:
            break
        change = ChangePasswordDialog(forced=True, reason=result.reason, parent=parent)
        if change.exec() == QDialog.DialogCode.Accepted:
            break
        accounts.sign_out(messages_text("未修改密码，退出登录"))
        login, message, result = result.actor.login, "", None
    if result.expires_in_days is not None:
        messages.info(parent, messages_text("您的密码将在 {0} 天后过期，请及时在「账户」菜单中选择「修改密码」。").format(
            result.expires_in_days), title=messages_text("密码即将过期"))
    return result


def messages_text(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("signin", text)


# ---------------------------------------------------------------- the lock screen

class LockScreen(QWidget):
    """Hides the window's content; asks the same account's password, or 切换用户."""

    unlocked = Signal()
    switch_user_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("LockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#LockScreen { background: #e9edf2; }")
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        card = QFrame(self)
        card.setObjectName("LockCard")
        card.setStyleSheet("#LockCard { background: white; border: 1px solid #d6dbe1; border-radius: 8px; }")
        card.setFixedWidth(420)
        col = QVBoxLayout(card)
        col.setContentsMargins(28, 22, 28, 20)
        col.setSpacing(10)
        title = QLabel(self.tr("屏幕已锁定"), card)
        title.setObjectName("PageTitle")
        col.addWidget(title)
        self.who_label = QLabel(card)
        self.who_label.setWordWrap(True)
        col.addWidget(self.who_label)
        self.password_edit = _password_field(card, self.tr("输入密码后按 Enter 解锁"))
        col.addWidget(self.password_edit)
        self.error_label = _error_label(card)
        col.addWidget(self.error_label)
        row = QHBoxLayout()
        self.switch_button = QPushButton(self.tr("切换用户"), card)
        self.switch_button.setAutoDefault(False)
        self.unlock_button = QPushButton(self.tr("解锁"), card)
        self.unlock_button.setProperty("primary", True)
        row.addWidget(self.switch_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        col.addLayout(row)
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(card)
        line.addStretch(1)
        outer.addLayout(line)
        outer.addStretch(3)
        self.password_edit.returnPressed.connect(self.unlock)
        self.unlock_button.clicked.connect(self.unlock)
        self.switch_button.clicked.connect(self.switch_user_requested)

    def prepare(self, who_text: str) -> None:
        self.who_label.setText(self.tr("当前账户：{0}\n请输入该账户的密码解锁，或切换为其他账户。").format(who_text))
        self.password_edit.clear()
        self.error_label.setVisible(False)
        self.password_edit.setFocus()

    def unlock(self) -> None:
        try:
            accounts.unlock_screen(self.password_edit.text())
        except DomainError as err:
            self.password_edit.clear()
            self.error_label.setText(err.message)
            self.error_label.setVisible(True)
            self.password_edit.setFocus()
            return
        self.password_edit.clear()
        self.unlocked.emit()


# ---------------------------------------------------------------- idle watcher

_INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
                 QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride}


class IdleWatcher(QObject):
    """Application-wide: ``idle`` fires after ``minutes`` without keyboard or mouse input.

    ``timer`` may be given (tests fire it themselves); by default a single-shot QTimer."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None, timer: QTimer | None = None,
                 app: QApplication | None = None):
        super().__init__(parent)
        self.timer = timer or QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_timeout)
        self.app = app or QApplication.instance()
        self.paused = False
        self.set_minutes(minutes)
        self.app.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = max(0, int(minutes))
        self.timer.setInterval(self.minutes * 60_000)
        self.restart()

    def restart(self) -> None:
        if self.minutes and not self.paused:
            self.timer.start()
        else:
            self.timer.stop()

    def pause(self, paused: bool) -> None:
        """While locked there is nothing to watch."""
        self.paused = paused
        self.restart()

    def stop(self) -> None:
        self.timer.stop()
        self.app.removeEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() in _INPUT_EVENTS and not self.paused and self.minutes:
            self.timer.start()
        return False

    def _on_timeout(self) -> None:
        if self.minutes and not self.paused:
            self.idle.emit()

