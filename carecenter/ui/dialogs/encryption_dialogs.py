"""The windows of encryption at rest (issue 11).

* ``RecoveryKeyDialog``: the recovery key, shown once after set-up, the encryption of
  an old database or a new recovery key; saves the printable sheet (PDF); 完成 only
  after the clerk ticks that it was printed or written down.
* ``RecoveryDialog``: every password lost: the recovery key opens the database and a
  系统管理员 gets a new password (the sign-in window's link 忘记密码？).
* ``EncryptDialog``: a database from before the encryption, for a 系统管理员 after
  signing in: the password again, the conversion as a background job, then the
  recovery key and the plaintext copies left in the data folder (encrypt / delete).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import encryption
from ...domain.errors import DomainError
from ...paths import DataPaths
from .. import messages, theme
from ..file_dialogs import ask_save_path
from ..signin import PasswordRulesFeedback, _error_label, _Form, _password_field, error_text
from ..tasks import run_job


def _tr(text: str) -> str:
    return QCoreApplication.translate("encryption", text)


def _mono_label(text: str, parent: QWidget, size: int = 20) -> QLabel:
    label = QLabel(text, parent)
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("background: #f6f8fa; border: 1px solid #d6dbe1; border-radius: 6px; padding: 12px;")
    return label


class RecoveryKeyDialog(QDialog):
    """The recovery key, once.  完成 needs the tick; the sheet is saved as a PDF to print."""

    def __init__(self, recovery_key: str, paths: DataPaths, parent: QWidget | None = None, unit_name: str = ""):
        super().__init__(parent)
        self.recovery_key = recovery_key
        self.paths = paths
        self.unit_name = unit_name
        self.saved: Path | None = None
        self.setWindowTitle(self.tr("恢复密钥 — 请打印后交单位保密员保管"))
        self.setMinimumWidth(620)
        col = QVBoxLayout(self)
        col.setContentsMargins(28, 22, 28, 18)
        col.setSpacing(12)
        title = QLabel(self.tr("数据库已加密。这是它的恢复密钥"), self)
        title.setObjectName("PageTitle")
        col.addWidget(title)
        intro = QLabel(self.tr(
            "数据只能用账户密码或这个恢复密钥打开。所有系统管理员的密码都遗失时，或在新电脑上恢复备份而没有任何账户密码时，"
            "要用它重新设置密码。程序不会再显示它：请现在打印恢复密钥纸（或工整抄写），交单位保密员放入保密柜。"
            "不要拍照，不要存到电脑、U 盘或聊天软件里，不要与备份 U 盘放在一起。"), self)
        intro.setWordWrap(True)
        col.addWidget(intro)
        self.key_label = _mono_label(recovery_key, self)
        col.addWidget(self.key_label)
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("保存恢复密钥纸（PDF，打印用）…"), self)
        self.save_button.setAutoDefault(False)
        row.addWidget(self.save_button)
        row.addStretch(1)
        col.addLayout(row)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setStyleSheet(f"color: {theme.MUTED};")
        col.addWidget(self.status)
        self.confirm_check = QCheckBox(self.tr("我已打印或抄写了恢复密钥，将交单位保密员保管"), self)
        col.addWidget(self.confirm_check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.done_button = QPushButton(self.tr("完成"), self)
        self.done_button.setProperty("primary", True)
        self.done_button.setEnabled(False)
        buttons.addWidget(self.done_button)
        col.addLayout(buttons)
        self.confirm_check.toggled.connect(self.done_button.setEnabled)
        self.done_button.clicked.connect(self.accept)
        self.save_button.clicked.connect(self.save_sheet)

    def save_sheet(self, target: Path | None = None) -> Path | None:
        from ...reports import recovery_sheet

        target = target or ask_save_path(self, self.tr("保存恢复密钥纸"), "恢复密钥.pdf", self.tr("PDF 文件 (*.pdf)"),
                                         ".pdf")
        if target is None:
            return None
        try:
            recovery_sheet.write(Path(target), self.recovery_key, database=self.paths.database,
                                 unit_name=self.unit_name)
        except OSError as err:
            messages.error(self, self.tr("无法写入 {0}：{1}").format(target, err))
            return None
        self.saved = Path(target)
        self.status.setText(self.tr("已保存到 {0}。打印后请删除这个文件（它含有恢复密钥）。").format(target))
        return self.saved

    def reject(self) -> None:   # Esc: only once the key is safe
        if self.confirm_check.isChecked():
            self.accept()


class RecoveryDialog(_Form):
    """忘记密码：the recovery key opens the store; a 系统管理员 gets a new password."""

    def __init__(self, paths: DataPaths, open_store: Callable[..., object], parent: QWidget | None = None):
        super().__init__(self.tr("用恢复密钥重设密码"), self.tr("用恢复密钥重设系统管理员密码"), self.tr("重设并登录"),
                         self.tr("取消"), parent)
        self.paths = paths
        self.open_store = open_store
        intro = QLabel(self.tr("所有系统管理员的密码都遗失时使用。请照单位保密员保管的恢复密钥纸输入（可不输短横线），"
                               "再为一个系统管理员设置新密码；登录后须再改为自己的密码。此操作记入审计日志。"), self)
        intro.setWordWrap(True)
        self.outer.insertWidget(1, intro)
        self.key_edit = QLineEdit(self)
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.key_edit.setMinimumWidth(340)
        self.login_edit = QLineEdit(self)
        self.password_edit = _password_field(self)
        self.confirm_edit = _password_field(self)
        self.feedback = PasswordRulesFeedback(self)
        self.form.addRow(self.tr("恢复密钥"), self.key_edit)
        self.form.addRow(self.tr("系统管理员登录名"), self.login_edit)
        self.form.addRow(self.tr("新密码"), self.password_edit)
        self.form.addRow(self.tr("再次输入新密码"), self.confirm_edit)
        self.form.addRow("", self.feedback)
        for edit in (self.login_edit, self.password_edit, self.confirm_edit):
            edit.textChanged.connect(self._on_changed)
        self._on_changed()
        self.signin = None
        self.key_edit.setFocus()

    def _on_changed(self) -> None:
        self.feedback.update_for(self.password_edit.text(), self.login_edit.text().strip(), self.confirm_edit.text())

    def submit(self) -> None:
        from ...services import accounts

        login, password = self.login_edit.text().strip(), self.password_edit.text()
        try:
            encryption.recover(self.paths, self.open_store, self.key_edit.text(), login, password,
                               self.confirm_edit.text())
            self.signin = accounts.sign_in(login, password)
        except DomainError as err:
            self.show_error(error_text(err))
            return
        self.accept()


class BackupSecretDialog(_Form):
    """An encrypted backup of another database: one of its accounts' passwords, or its
    recovery key.  ``secret`` is what ``backup.inspect_backup`` takes."""

    def __init__(self, message: str, parent: QWidget | None = None):
        super().__init__(self.tr("打开另一套数据的备份"), self.tr("需要这份备份的密码或恢复密钥"), self.tr("打开备份"),
                         self.tr("取消"), parent)
        intro = QLabel(message + self.tr("填登录名和密码，或只填恢复密钥。"), self)
        intro.setWordWrap(True)
        self.outer.insertWidget(1, intro)
        self.login_edit = QLineEdit(self)
        self.password_edit = _password_field(self)
        self.key_edit = QLineEdit(self)
        self.key_edit.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.form.addRow(self.tr("备份中的登录名"), self.login_edit)
        self.form.addRow(self.tr("该账户的密码"), self.password_edit)
        self.form.addRow(self.tr("或：恢复密钥"), self.key_edit)
        self.secret = None
        self.login_edit.setFocus()

    def submit(self) -> None:
        from ...security import keys

        text = self.key_edit.text().strip()
        if text:
            try:
                keys.normalize_recovery_key(text)
            except DomainError as err:
                self.show_error(err.message)
                return
            self.secret = ("recovery", text)
        elif self.login_edit.text().strip() and self.password_edit.text():
            self.secret = ("password", self.login_edit.text().strip(), self.password_edit.text())
        else:
            self.show_error(self.tr("请填写备份中的登录名和密码，或填写恢复密钥"))
            return
        self.accept()


class PlaintextCopiesDialog(_Form):
    """The unencrypted copies left in the data folder: encrypt them all, or delete them."""

    def __init__(self, files: list[Path], parent: QWidget | None = None):
        super().__init__(self.tr("未加密的副本"), self.tr("数据目录里还有 {0} 份未加密的副本").format(len(files)),
                         self.tr("全部加密"), self.tr("暂不处理"), parent)
        self.files = files
        note = QLabel(self.tr("它们是加密前的备份和升级前的副本，含有完整的干部信息，任何人复制走都能读取。"
                              "「全部加密」后它们成为加密备份（可用账户密码或恢复密钥恢复）；"
                              "「安全删除」会先覆盖再删除（固态硬盘上不能保证覆盖到原位置）。"), self)
        note.setWordWrap(True)
        self.outer.insertWidget(1, note)
        self.setMinimumWidth(640)
        self.list = QListWidget(self)
        where = {"backups": self.tr("备份文件夹"), "pre-migration": self.tr("升级前副本文件夹")}
        for f in files:
            self.list.addItem(f"{f.name}（{where.get(f.parent.name, f.parent.name)}）")
            self.list.item(self.list.count() - 1).setToolTip(str(f))
        self.list.setMinimumHeight(120)
        self.outer.insertWidget(2, self.list)
        self.delete_button = QPushButton(self.tr("安全删除…"), self)
        self.delete_button.setAutoDefault(False)
        self.outer.itemAt(self.outer.count() - 1).layout().insertWidget(1, self.delete_button)
        self.delete_button.clicked.connect(self.delete_all)
        self.handled: list[Path] = []

    def submit(self) -> None:
        from ...exchange import backup

        try:
            self.handled = backup.encrypt_copies(self.files)
        except (DomainError, OSError) as err:
            self.show_error(getattr(err, "message", str(err)))
            return
        messages.info(self, self.tr("已加密 {0} 份副本。").format(len(self.handled)))
        self.accept()

    def delete_all(self) -> None:
        from ...exchange import backup

        if not messages.confirm(self, self.tr("安全删除这 {0} 份未加密的副本？删除后不能找回。").format(len(self.files)),
                                self.tr("安全删除")):
            return
        try:
            self.handled = backup.shred_copies(self.files)
        except (DomainError, OSError) as err:
            self.show_error(getattr(err, "message", str(err)))
            return
        self.accept()


class EncryptDialog(_Form):
    """A database from before the encryption: encrypt it now (系统管理员)."""

    def __init__(self, paths: DataPaths, open_store: Callable[..., object], parent: QWidget | None = None):
        super().__init__(self.tr("加密数据库"), self.tr("这个数据库还没有加密"), self.tr("立即加密"), self.tr("以后再说"),
                         parent)
        self.paths = paths
        self.open_store = open_store
        intro = QLabel(self.tr(
            "数据库文件现在是明文：任何人复制走它（或备份 U 盘）就能读到全部身份证号和健康、心理记录。"
            "加密后只有账户密码或恢复密钥才能打开。加密前会先保存并核对一份副本；加密中断时原数据库保持不变。"
            "加密后，加密前建立的其他账户需要您重设密码才能登录。请输入您的登录密码确认："), self)
        intro.setWordWrap(True)
        self.outer.insertWidget(1, intro)
        self.password_edit = _password_field(self)
        self.form.addRow(self.tr("您的密码"), self.password_edit)
        self.outcome: encryption.Encrypted | None = None
        self.password_edit.setFocus()

    def submit(self) -> None:
        from ...db import database
        from ...services import accounts

        password = self.password_edit.text()
        try:
            accounts.check_own_password(password)
        except DomainError as err:
            self.show_error(error_text(err))
            return
        self.ok_button.setEnabled(False)
        database.close_database()    # the job's thread converts the file: no connection of ours may stay
        job = run_job(lambda ctx: encryption.encrypt_store(self.paths, self.open_store, password,
                                                           progress=ctx.progress),
                      parent=self, title=self.tr("加密数据库"), label=self.tr("正在加密数据库…"))
        job.finished.connect(self._done)
        job.failed.connect(self._failed)
        self.job = job

    def _done(self, result) -> None:
        self.outcome = result
        self.accept()

    def _failed(self, message: str) -> None:
        self.ok_button.setEnabled(True)
        self.show_error(message)


def after_encryption(result: encryption.Encrypted, paths: DataPaths, parent: QWidget | None = None,
                     unit_name: str = "") -> None:
    """The recovery key, the accounts that need a new password, the plaintext copies."""
    RecoveryKeyDialog(result.recovery_key, paths, parent, unit_name).exec()
    if result.without_key:
        messages.info(parent, _tr("以下账户在加密前建立，还不能登录加密的数据库，请在「账户管理」中为它们重设密码：{0}")
                      .format("、".join(result.without_key)))
    if result.plaintext_copies:
        PlaintextCopiesDialog(result.plaintext_copies, parent).exec()


def offer_encryption(paths: DataPaths, open_store: Callable[..., object], parent: QWidget | None = None) -> bool:
    """After a 系统管理员 signed in to a plaintext database: ask to encrypt it; True when done."""
    from ...security import access
    from ...services import printing

    if encryption.store_state(paths) != encryption.PLAIN or not access.allowed("accounts.manage"):
        return False
    dialog = EncryptDialog(paths, open_store, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.outcome is None:
        return False
    after_encryption(dialog.outcome, paths, parent, printing.unit_name())
    return True
