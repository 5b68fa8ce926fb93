"""数据备份: when the data was last backed up, the backups kept in the data folder,
立即备份, 备份到… (a folder such as a USB stick) and 从备份恢复….

Every backup and restore runs as a background job (``tasks.run_job``).  A restore
goes: check the chosen file → confirm (naming the backup's date, saying a safety
copy is kept) → prepare (safety copy, replacement written beside the database) →
close this window's connection → swap and reopen → ``database_restored`` (the main
window then reopens the application so no page can show the old data).
"""
from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDir, QProcess, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...db import database
from ...exchange import backup
from ...paths import DataPaths
from ...security import access
from .. import messages, tasks, theme
from ..models.base import ColumnTable
from ..widgets.list_page import EmptyState, add_count_and_hint, make_button, page_column, single_shot
from ..widgets.table_view import DataTable

log = logging.getLogger(__name__)

#: the automatic backup starts this long after the window is shown, so it never
#: competes with drawing the first page
AUTO_BACKUP_DELAY_MS = 5000
COLUMN_WIDTHS = {"taken_at": 170, "kind": 150, "size": 110}


def _tr(text: str) -> str:
    return QCoreApplication.translate("BackupPage", text)


#: how each kind of backup came about (the kind is part of the file name, see exchange.backup)
KIND_HOW = {
    backup.KIND_AUTO: "自动备份：程序每天第一次打开时自动做的，并检查过备份文件是否完好",
    backup.KIND_MANUAL: "手动备份：点击「立即备份」时做的",
    backup.KIND_SAFETY: "恢复前的安全副本：从备份恢复之前，程序先把当时的数据保存了一份",
}


class BackupsModel(ColumnTable):
    COLUMNS = ["taken_at", "kind", "keep", "size"]
    HEADERS = {"taken_at": "备份时间", "kind": "类型", "keep": "保留原因", "size": "大小"}
    NUMERIC = {"size"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[backup.BackupFile] = []

    def set_rows(self, rows: list[backup.BackupFile]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def entry(self, row: int) -> backup.BackupFile | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _row_count(self) -> int:
        return len(self.rows)

    def _text(self, row: int, key: str) -> str:
        e = self.rows[row]
        if key == "taken_at":
            return backup.when_text(e.taken_at)
        if key == "kind":
            return _tr(e.kind_name)
        if key == "keep":
            if e.kind == backup.KIND_SAFETY:
                return _tr("恢复前保存，保留最近 {0} 份").format(backup.KEEP_SAFETY)
            if e.kind == backup.KIND_BEFORE_IMPORT:
                return _tr("导入前保存，保留最近 {0} 份").format(backup.KEEP_SAFETY)
            if e.kind == backup.KIND_BEFORE_LOCK:
                return _tr("锁定津贴月份前保存，保留最近 {0} 份").format(backup.KEEP_SAFETY)
            return "、".join(_tr(k) for k in e.keep)
        if key == "size":
            return backup.size_text(e.size)
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        e = self.rows[row]
        if key == "kind" and e.kind in KIND_HOW:
            return _tr(KIND_HOW[e.kind])
        return _tr("{0}（{1:%Y-%m-%d %H:%M:%S}）双击可用它恢复").format(e.path.name, e.taken_at)

    def _foreground(self, row: int, key: str) -> QColor | None:
        if key == "kind" and self.rows[row].kind in backup.SAFETY_KINDS:
            return QColor(theme.WARNING)
        return None


def relaunch_command() -> tuple[str, list[str]]:
    """How this application was started, to start it again after a restore."""
    argv = list(sys.argv)
    if getattr(sys, "frozen", False):
        return sys.executable, argv[1:]
    first = Path(argv[0]) if argv and argv[0] else None
    if first is None or first.name == "__main__.py" or not first.exists():
        return sys.executable, ["-m", "carecenter", *argv[1:]]
    return sys.executable, [str(first.resolve()), *argv[1:]]


def restart_application(window: QWidget) -> bool:
    """Start the application again, then close this one (the restored data is read afresh)."""
    program, args = relaunch_command()
    started = QProcess.startDetached(program, args, os.getcwd())
    ok = bool(started[0] if isinstance(started, tuple) else started)
    if not ok:
        log.error("could not restart: %s %s", program, args)
        messages.error(window, _tr("程序未能自动重新打开，请手动重新打开关心关爱中心。"))
    window.close()
    app = QApplication.instance()
    if app is not None:
        app.quit()
    return ok


class BackupPage(QWidget):
    """``backups_changed()`` after a backup was made; ``status_message(text)`` for the status
    bar (the automatic backup); ``database_restored(text)`` once the database was replaced."""

    backups_changed = Signal()
    status_message = Signal(str)
    database_restored = Signal(str)

    def __init__(self, paths: DataPaths, parent: QWidget | None = None):
        super().__init__(parent)
        self.paths = paths
        self.setObjectName("PageBody")
        self._job: tasks.Job | None = None
        self._auto_running = False
        self._stopped = False        # the window closed (signed out): no more automatic work or news

        outer = page_column(self, self.tr("数据备份"), 10)

        card = QFrame(self)
        card.setObjectName("BackupCard")
        card.setStyleSheet("#BackupCard { background: white; border: 1px solid #e4e7ec; border-radius: 6px; }")
        col = QVBoxLayout(card)
        col.setContentsMargins(16, 12, 16, 12)
        col.setSpacing(6)
        self.last_label = QLabel(card)
        self.last_label.setStyleSheet("font-size: 12pt; font-weight: bold;")
        col.addWidget(self.last_label)
        self.external_label = QLabel(card)
        theme.set_role(self.external_label, "hint")
        self.external_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.external_label)
        policy = QLabel(self.tr(
            "程序每天第一次打开时自动备份一次（下表类型为「自动备份」），并检查备份文件是否完好；点击「立即备份」"
            "做的是「手动备份」，不会替掉当天的自动备份，两份都列在下面。较早的备份按周、按月各留一份，"
            "「保留原因」一栏说明每份为什么保留。重要数据请再用「备份到…」另存一份到 U 盘等其他地方。"), card)
        policy.setWordWrap(True)
        col.addWidget(policy)
        row = QHBoxLayout()
        self.folder_label = QLabel(card)
        theme.set_role(self.folder_label, "hint")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.folder_label, 1)
        self.open_folder_button = make_button(self.tr("打开备份文件夹"), "folder-open", parent=card,
                                              tooltip=self.tr("在文件管理器中打开数据目录里的备份文件夹"))
        row.addWidget(self.open_folder_button)
        col.addLayout(row)
        outer.addWidget(card)

        toolbar = QHBoxLayout()
        toolbar.setSpacing(8)
        heading = QLabel(self.tr("数据目录里的备份"), self)
        heading.setStyleSheet("font-weight: bold;")
        toolbar.addWidget(heading)
        toolbar.addStretch(1)
        self.backup_button = make_button(self.tr("立即备份"), "backup-white", primary=True, parent=self,
                                         tooltip=self.tr("现在备份一次，存入数据目录的备份文件夹"))
        self.backup_to_button = make_button(self.tr("备份到…"), "backup-to", parent=self,
                                            tooltip=self.tr("把备份另存到一个文件夹，例如 U 盘"))
        self.restore_button = make_button(self.tr("从备份恢复…"), "restore", parent=self,
                                          tooltip=self.tr("选择一个备份文件，用它替换当前的数据"))
        for b in (self.backup_button, self.backup_to_button, self.restore_button):
            toolbar.addWidget(b)
        outer.addLayout(toolbar)

        self.model = BackupsModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        header = self.table_view.horizontalHeader()
        for i, key in enumerate(BackupsModel.COLUMNS):
            if key in COLUMN_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table_view.setColumnWidth(i, COLUMN_WIDTHS[key])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        self.empty_state = EmptyState(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table_view)
        self.stack.addWidget(self.empty_state)
        outer.addWidget(self.stack, 1)

        add_count_and_hint(self, outer)
        self._default_hint = self.tr("双击某一份备份可用它恢复")
        self.hint_label.setText(self._default_hint)
        self._flash = single_shot(self, 8000, self._on_flash_timeout)

        self.backup_button.clicked.connect(self.backup_now)
        self.backup_to_button.clicked.connect(self.backup_to_folder)
        self.restore_button.clicked.connect(self.restore_from_file)
        self.open_folder_button.clicked.connect(self.open_backup_folder)
        self.table_view.open_requested.connect(self._on_table_open_requested)
        self.refresh()

    # ================================================================ data
    def refresh(self, *_args) -> None:
        entries = backup.list_backups(self.paths)
        self.model.set_rows(entries)
        last = backup.last_backup_time(self.paths)
        if last is None:
            self.last_label.setText(self.tr("尚未备份"))
        else:
            self.last_label.setText(self.tr("上次备份：{0}").format(backup.when_text(last)))
        external = backup.last_external(self.paths)
        if external is not None:
            self.external_label.setText(self.tr("上次备份到其他位置：{0}，{1}").format(
                backup.when_text(external[0]), QDir.toNativeSeparators(external[1])))
            self.external_label.show()
        else:
            self.external_label.hide()
        self.folder_label.setText(self.tr("备份文件夹 {0}").format(QDir.toNativeSeparators(str(self.paths.backups))))
        if entries:
            self.stack.setCurrentWidget(self.table_view)
            total = sum(e.size for e in entries)
            kinds = Counter(e.kind for e in entries)
            parts = [self.tr("{0} {1} 份").format(self.tr(name), kinds[kind])
                     for kind, name in ((backup.KIND_AUTO, "自动"), (backup.KIND_MANUAL, "手动"),
                                        (backup.KIND_SAFETY, "恢复前")) if kinds[kind]]
            self.count_label.setText(self.tr("共 {0} 份备份（{1}），合计 {2}").format(
                len(entries), "，".join(parts), backup.size_text(total)))
        else:
            self.empty_state.set_content(self.tr("还没有备份。程序每天第一次打开时会自动备份，也可以点击「立即备份」"),
                                         self.tr("立即备份"), self.backup_now)
            self.stack.setCurrentWidget(self.empty_state)
            self.count_label.setText("")
        self._update_buttons()

    @property
    def busy(self) -> bool:
        return self._job is not None

    def _update_buttons(self) -> None:
        for b in (self.backup_button, self.backup_to_button, self.restore_button, self.empty_state.button):
            b.setEnabled(not self.busy)

    def _say(self, text: str) -> None:
        self.hint_label.setText(text)
        self._flash.start()

    def _on_flash_timeout(self) -> None:
        self.hint_label.setText(self.tr("正在自动备份…") if self._auto_running else self._default_hint)

    def _start(self, fn, *args, title: str, label: str, dialog: bool = True, **kwargs) -> tasks.Job:
        job = tasks.run_job(fn, *args, parent=self.window(), title=title, label=label, dialog=dialog, **kwargs)
        self._job = job
        job.done.connect(self._on_job_done)
        self._update_buttons()
        return job

    def _on_job_done(self) -> None:
        if self.sender() is self._job:
            self._job = None
        self._update_buttons()

    # ================================================================ automatic backup
    def schedule_auto_backup(self, delay_ms: int = AUTO_BACKUP_DELAY_MS) -> None:
        """Start the daily backup a moment after the window is shown (never delays it)."""
        QTimer.singleShot(delay_ms, self, self.start_auto_backup)

    def start_auto_backup(self) -> None:
        """The daily backup at start-up, in the background (no dialog); not once the window
        has closed (signed out: Qt deletes the window later, its timer may still fire)."""
        if self.busy or self._stopped or access.current() is None:
            return
        from ...exchange.startup_backup import daily_backup

        def work(ctx, paths):
            return daily_backup(paths, progress=ctx.progress, check=ctx.check, quiet=(tasks.JobCancelled,))

        self._auto_running = True
        self.hint_label.setText(self.tr("正在自动备份…"))
        job = self._start(work, self.paths, title=self.tr("自动备份"), label="", dialog=False)
        job.finished.connect(self._on_auto_backup_finished)
        job.failed.connect(self._on_auto_backup_failed)
        job.done.connect(self._on_auto_backup_done)

    def stop(self) -> None:
        """The window closed: a backup still running finishes (its file is complete or
        removed) but reports nothing to a window another account may have replaced."""
        self._stopped = True

    def _on_auto_backup_finished(self, made) -> None:
        if made is not None and not self._stopped:
            self.status_message.emit(self.tr("已自动备份（{0}）").format(backup.when_text(made.taken_at)))
            self.refresh()
            self.backups_changed.emit()

    def _on_auto_backup_failed(self, message: str) -> None:
        if self._stopped:
            return
        self.status_message.emit(self.tr("今天的自动备份未能完成：{0}（详见日志）").format(message))

    def _on_auto_backup_done(self) -> None:
        self._auto_running = False
        self.hint_label.setText(self._default_hint)

    # ================================================================ backups
    def backup_now(self) -> None:
        if self.busy:
            return

        def work(ctx, paths):
            return backup.backup_now(paths, backup.KIND_MANUAL, progress=ctx.progress, check=ctx.check)

        job = self._start(work, self.paths, title=self.tr("立即备份"), label=self.tr("正在备份数据…"))
        job.finished.connect(self._on_backup_finished)
        job.failed.connect(self._on_failed)

    def _on_backup_finished(self, made: backup.BackupFile) -> None:
        self.refresh()
        self.backups_changed.emit()
        row = next((i for i, e in enumerate(self.model.rows) if e.path == made.path), -1)
        if row >= 0:
            self.table_view.select_row(row)
        self._say(self.tr("已备份：{0}，{1}，已通过检查").format(backup.when_text(made.taken_at),
                                                                  backup.size_text(made.size)))

    def choose_folder(self) -> str:
        start = self.paths.root.parent
        external = backup.last_external(self.paths)
        if external is not None and Path(external[1]).parent.is_dir():
            start = Path(external[1]).parent
        return QFileDialog.getExistingDirectory(self, self.tr("选择保存备份的文件夹（例如 U 盘）"), str(start))

    def backup_to_folder(self) -> None:
        if self.busy:
            return
        folder = self.choose_folder()
        if not folder:
            return

        def work(ctx, paths, target):
            return backup.backup_to(paths, target, progress=ctx.progress, check=ctx.check)

        job = self._start(work, self.paths, Path(folder), title=self.tr("备份到…"),
                          label=self.tr("正在备份到 {0}…").format(QDir.toNativeSeparators(folder)))
        job.finished.connect(self._on_backup_to_finished)
        job.failed.connect(self._on_failed)

    def _on_backup_to_finished(self, made: backup.BackupFile) -> None:
        self.refresh()
        self.backups_changed.emit()
        self._say(self.tr("已备份到 {0}").format(QDir.toNativeSeparators(str(made.path))))
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("备份完成"),
                          self.tr("已备份到 {0}（{1}），副本已通过检查。").format(
                              QDir.toNativeSeparators(str(made.path)), backup.size_text(made.size)),
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Ok, self)
        box.button(QMessageBox.StandardButton.Open).setText(self.tr("打开所在文件夹"))
        box.button(QMessageBox.StandardButton.Ok).setText(self.tr("知道了"))
        box.setDefaultButton(QMessageBox.StandardButton.Ok)
        if box.exec() == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(made.path.parent)))

    def open_backup_folder(self) -> None:
        try:
            self.paths.backups.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            messages.error(self, self.tr("无法打开备份文件夹 {0}：{1}").format(self.paths.backups, err))
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.backups)))

    def _on_failed(self, message: str) -> None:
        messages.error(self, message)
        self.refresh()

    # ================================================================ restore
    def choose_backup_file(self) -> str:
        start = self.paths.backups if self.paths.backups.is_dir() else self.paths.root
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("选择要恢复的备份文件"), str(start),
                                                    self.tr("备份文件 (*.db);;所有文件 (*)"))
        return path

    def restore_from_file(self) -> None:
        if self.busy:
            return
        path = self.choose_backup_file()
        if path:
            self.restore(Path(path))

    def _on_table_open_requested(self, row: int) -> None:
        e = self.model.entry(row)
        if e is not None and not self.busy:
            self.restore(e.path)

    def restore(self, file: Path, secret=None) -> None:
        """Check ``file`` (background), confirm, then restore from it.  An encrypted backup of
        another database first asks for one of its passwords or its recovery key."""
        if self.busy:
            return
        self._secret = secret

        def work(ctx, paths, path):
            try:
                return backup.inspect_backup(paths, path, progress=ctx.progress, check=ctx.check, secret=secret)
            except backup.BackupKeyNeeded as err:
                return err

        job = self._start(work, self.paths, Path(file), title=self.tr("检查备份文件"),
                          label=self.tr("正在检查备份文件…"))
        job.finished.connect(lambda result, f=Path(file): self._on_checked(f, result))
        job.failed.connect(self._on_refused)

    def _on_checked(self, file: Path, result) -> None:
        if isinstance(result, backup.BackupKeyNeeded):
            from ..dialogs.encryption_dialogs import BackupSecretDialog

            dialog = BackupSecretDialog(result.message, self)
            if dialog.exec() == BackupSecretDialog.DialogCode.Accepted and dialog.secret:
                self.restore(file, dialog.secret)
            return
        self._on_inspected(result)

    def _on_refused(self, message: str) -> None:
        messages.error(self, message, title=self.tr("不能用这个文件恢复"))

    def confirm_text(self, info: backup.BackupInfo) -> tuple[str, str]:
        text = self.tr("确定用 {0:%Y-%m-%d %H:%M} 的备份恢复数据？").format(info.taken_at)
        lines = [self.tr("这份备份里有在册干部 {0} 人").format(info.cadres)
                 + (self.tr("，数据最后修改于 {0:%Y-%m-%d %H:%M}").format(info.last_change) if info.last_change else "")
                 + self.tr("。"),
                 self.tr("当前的数据会被这份备份整体替换。替换前会先保存一份当前数据的安全副本（存放在 {0}），"
                         "需要时可以用它恢复回来。").format(QDir.toNativeSeparators(str(self.paths.backups)))]
        if info.older:
            lines.append(self.tr("这份备份由较早版本的程序创建，恢复后会自动升级。"))
        lines.append(self.tr("恢复完成后程序会重新打开。"))
        return text, "\n".join(lines)

    def _on_inspected(self, info: backup.BackupInfo) -> None:
        text, informative = self.confirm_text(info)
        if not messages.confirm(self, text, self.tr("恢复"), title=self.tr("从备份恢复"), informative=informative):
            return

        def work(ctx, paths, path, checked):
            return backup.prepare_restore(paths, path, progress=ctx.progress, check=ctx.check, info=checked,
                                          secret=getattr(self, "_secret", None))

        job = self._start(work, self.paths, info.path, info, title=self.tr("从备份恢复"),
                          label=self.tr("正在准备恢复…"))
        job.finished.connect(self._on_prepared)
        job.failed.connect(self._on_failed)

    def _on_prepared(self, prepared: backup.PreparedRestore) -> None:
        job = self.sender()
        if getattr(job, "cancel_requested", False):
            backup.discard(prepared)
            return
        window = self.window()
        # nothing else may read the old file while it is swapped: stop the other background
        # jobs, close this thread's connection and take input away until it is done
        if not tasks.cancel_all(10000):
            backup.discard(prepared)
            messages.error(self, self.tr("还有后台任务没有结束，暂时不能恢复，数据没有任何改动。请稍后再试。"))
            return
        for detail in list(getattr(window, "detail_windows", {}).values()):
            detail.close()
        database.close_database()
        window.setEnabled(False)

        def work(_ctx, paths, ready):
            return backup.commit_restore(paths, ready)

        job = self._start(work, self.paths, prepared, title=self.tr("从备份恢复"),
                          label=self.tr("正在替换数据库，请勿关闭程序…"))
        job.finished.connect(self._on_restored)
        job.failed.connect(self._on_commit_failed)

    def _on_commit_failed(self, message: str) -> None:
        self.window().setEnabled(True)
        self._on_failed(message)

    def _on_restored(self, result: backup.RestoreResult) -> None:
        self.window().setEnabled(True)
        info = result.info
        text = self.tr("已用 {0:%Y-%m-%d %H:%M} 的备份恢复数据（在册干部 {1} 人）。").format(info.taken_at, info.cadres)
        if result.safety is not None:
            text += self.tr("\n原来的数据已保存为安全副本：{0}").format(QDir.toNativeSeparators(str(result.safety.path)))
        if result.migrations:
            text += self.tr("\n备份已升级到本版本程序的数据结构。")
        self.database_restored.emit(text)

    # ================================================================ misc
    def last_backup_text(self, today: date | None = None) -> str:
        last = backup.last_backup_time(self.paths)
        return backup.when_text(last, today) if last else ""
