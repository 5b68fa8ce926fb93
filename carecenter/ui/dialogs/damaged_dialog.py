"""The database is damaged (issue 12): say so, list the backups with their dates, and
restore the chosen one — nothing is written to the damaged file.

Restoring needs an account with the 备份与恢复 permission; with the live file
unreadable, the account is checked against the chosen backup (its own accounts), as
``python main.py restore`` does.  The restore then runs as a background job.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QDir, Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from ...domain.errors import DomainError
from ...exchange import backup
from ...paths import DataPaths
from .. import messages, tasks


def _tr(text: str) -> str:
    return QCoreApplication.translate("DamagedDialog", text)


def sign_in_against(file: Path, login: str, password: str, open_store: Callable[[DataPaths], object]) -> None:
    """Sign ``login`` in with the accounts stored in the backup ``file`` (a temporary
    copy is opened with ``open_store``, the composition root's, and thrown away)."""
    from ... import encryption
    from ...services import accounts

    def keyed_open(copy: DataPaths):
        # an encrypted backup: the same password unwraps the key the backup carries
        if encryption.store_state(copy) == encryption.ENCRYPTED:
            keyfile, key = accounts.unlock_store(copy.database, login, password)
            return open_store(copy, key=key, keyfile=keyfile)
        return open_store(copy)

    with backup.opened_copy(file, keyed_open):
        accounts.sign_in(login, password)


def restore_damaged(ctx, paths: DataPaths, file: Path, login: str, password: str,
                    open_store: Callable[[DataPaths], object]):
    """The background job: check the account against the backup, then restore it."""
    sign_in_against(file, login, password, open_store)
    return backup.restore(paths, file, progress=ctx.progress, check=ctx.check, secret=("password", login, password))


class DamagedDialog(QDialog):
    """Shown instead of the window when the database failed its check."""

    def __init__(self, paths: DataPaths, message: str, parent: QWidget | None = None, *,
                 open_store: Callable[[DataPaths], object]):
        super().__init__(parent)
        self.paths = paths
        self.open_store = open_store   # handed in by the composition root (app.open_store)
        self.restored = False
        self.setWindowTitle(_tr("数据库已损坏"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        head = QLabel(_tr("<b>数据库文件已损坏，程序没有改动它。</b>"))
        layout.addWidget(head)
        text = QLabel(message + "\n" + _tr("请从下面的备份中选一份恢复（一般选最新的一份）。恢复前当前的文件会另存为"
                                          "安全副本，不会丢失。恢复需要有「备份与恢复」权限的账户（如系统管理员）。"))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.list = QListWidget(self)
        self.entries = backup.list_backups(paths)
        for e in self.entries:
            item = QListWidgetItem(f"{e.taken_at:%Y-%m-%d %H:%M}　{e.kind_name}　{backup.size_text(e.size)}　{e.path.name}")
            item.setData(Qt.ItemDataRole.UserRole, str(e.path))
            self.list.addItem(item)
        if self.entries:
            self.list.setCurrentRow(0)
        else:
            self.list.addItem(_tr("本机没有找到备份。若有拷到 U 盘的备份，请点「选择其他备份文件…」。"))
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        layout.addWidget(self.list, 1)
        other = QPushButton(_tr("选择其他备份文件…"), self)
        other.clicked.connect(self._choose_file)
        layout.addWidget(other, 0, Qt.AlignmentFlag.AlignLeft)
        form = QFormLayout()
        self.login = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_tr("登录名"), self.login)
        form.addRow(_tr("密码"), self.password)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.restore_button = buttons.addButton(_tr("用所选备份恢复"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_tr("退出"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.restore)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.restore_button.setEnabled(bool(self.entries))
        self.login.setFocus()

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return Path(value) if value else None

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, _tr("选择备份文件"), QDir.homePath(), _tr("备份文件 (*.db)"))
        if path:
            item = QListWidgetItem(Path(path).name)
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.list.insertItem(0, item)
            self.list.setCurrentRow(0)
            self.restore_button.setEnabled(True)

    def restore(self) -> None:
        file = self.chosen()
        if file is None:
            return
        if not self.login.text().strip() or not self.password.text():
            messages.error(self, _tr("请输入有「备份与恢复」权限的账户的登录名和密码。"))
            return
        job = tasks.run_job(restore_damaged, self.paths, file, self.login.text().strip(), self.password.text(),
                            self.open_store, parent=self, title=_tr("从备份恢复"), label=_tr("正在检查并恢复备份…"))
        job.finished.connect(self._on_restored)
        job.failed.connect(lambda message: messages.error(self, message, title=_tr("未能恢复")))

    def _on_restored(self, result) -> None:
        from ...db import database

        database.close_database()
        self.restored = True
        messages.info(self, _tr("已用 {0:%Y-%m-%d %H:%M} 的备份恢复数据。程序将重新打开。").format(result.info.taken_at))
        self.accept()


def describe(err: DomainError | Exception) -> str:
    return getattr(err, "message", None) or str(err)
