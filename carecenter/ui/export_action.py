"""导出: the flow behind the 导出 button of every list page.

A page builds the query of what it shows (its model's filter and sort, or — for a
list its model sorts in memory — the model's rows in the order shown) and calls
``export_view``.  That asks whether to include confidential columns (only for lists
that have some; default off), asks where to save (documents folder, e.g.
干部名册_2026-11-25.xlsx), writes the workbook on a worker thread with progress and
取消 (``tasks.run_job``), and ends with a message offering 打开文件 / 打开所在文件夹.

The dialogs are module functions (``ask_confidential``, ``ask_path``) and the final
message is opened window-modally without blocking, so tests can answer each step.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import QCoreApplication, QDir, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from ..domain.errors import DomainError
from ..exchange.export import ExportCancelled, ExportSummary, export_list
from ..services import exports
from . import file_dialogs, messages, theme
from .tasks import Job, JobCancelled, run_job
from .widgets.list_page import make_button
from .widgets.password_box import PasswordBox


def _tr(text: str) -> str:
    return QCoreApplication.translate("export_action", text)


# ================================================================ the two questions

class ExportOptionsDialog(QDialog):
    """包含敏感信息? — asked before saving a list that has confidential columns (default: no)."""

    def __init__(self, spec: exports.ListExport, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("导出到 Excel"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        title = QLabel(self.tr("按当前的筛选和排序导出「{0}」。").format(spec.name), self)
        title.setWordWrap(True)
        layout.addWidget(title)
        self.confidential_check = QCheckBox(self.tr("包含敏感信息（{0}）").format(spec.confidential), self)
        self.confidential_check.setChecked(False)
        layout.addWidget(self.confidential_check)
        if spec.key == "roster":
            hidden = self.tr("不勾选时，身份证号只显示前 6 位和后 4 位。")
        else:
            hidden = self.tr("不勾选时，文件中不含这些内容。")
        note = QLabel(hidden + self.tr("勾选后文件含敏感个人信息，请妥善保管；每次导出都会记入审计。"), self)
        note.setWordWrap(True)
        theme.set_role(note, "hint")
        layout.addWidget(note)
        # issue 11: a file holding sensitive columns may be protected with a password
        self.password_box = PasswordBox(self, opens=self.tr("用 Excel 或 WPS 打开文件"))
        self.password_box.setVisible(False)
        self.password_box.setEnabled(False)
        layout.addWidget(self.password_box)
        self.confidential_check.toggled.connect(self._on_confidential_toggled)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok_button = make_button(self.tr("选择保存位置…"), primary=True, parent=self)
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.setMinimumWidth(420)

    @property
    def include_confidential(self) -> bool:
        return self.confidential_check.isChecked()

    @property
    def password(self) -> str | None:
        """The file password (only with sensitive columns and the box ticked), else None."""
        return self.password_box.password if self.include_confidential else None

    def _on_confidential_toggled(self, checked: bool) -> None:
        self.password_box.setVisible(checked)
        self.password_box.setEnabled(checked)
        self.password_box.fit_window()

    def accept(self) -> None:  # noqa: D401 - Qt override
        if self.include_confidential and self.password_box.problem() is not None:
            self.password_box.show_problems()
            return
        super().accept()


def ask_options(parent: QWidget | None, spec: exports.ListExport) -> tuple[bool, str | None] | None:
    """(include confidential columns, file password or None); None: the clerk cancelled."""
    dialog = ExportOptionsDialog(spec, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.include_confidential, dialog.password
    finally:
        dialog.deleteLater()


def ask_confidential(parent: QWidget | None, spec: exports.ListExport) -> bool | None:
    """True / False: include confidential columns or not; None: the clerk cancelled."""
    answer = ask_options(parent, spec)
    return None if answer is None else answer[0]


def default_path(key: str, today: date | None = None) -> Path:
    return file_dialogs.start_folder() / exports.default_file_name(key, today)


def ask_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save (``None``: cancelled); ``.xlsx`` is added when the name lacks it."""
    return file_dialogs.ask_save_path(parent, _tr("导出到 Excel"), suggested, _tr("Excel 工作簿 (*.xlsx)"), ".xlsx")


# ================================================================ the job

def _export_work(ctx, key: str, path: Path, query: Any, confidential: bool, items: list | None,
                 extra_notes: tuple, password: str | None = None) -> ExportSummary:
    """Worker thread: write the workbook (no widgets here)."""
    try:
        return export_list(key, path, query, include_confidential=confidential, items=items,
                           extra_notes=extra_notes, progress=ctx.progress, cancelled=lambda: ctx.cancelled,
                           password=password)
    except ExportCancelled:
        raise JobCancelled() from None
    except PermissionError:
        raise DomainError("write", f"无法写入 {QDir.toNativeSeparators(str(path))}：文件可能正在 Excel 或 WPS 中"
                          "打开，或没有写入这个文件夹的权限。请关闭该文件或换一个保存位置后再导出。") from None
    except OSError as err:
        raise DomainError("write", f"无法写入 {QDir.toNativeSeparators(str(path))}：{err.strerror or err}。"
                          "请换一个保存位置后再导出。") from None


def export_view(parent: QWidget, key: str, query: Any, *, items: Iterable[Any] | None = None,
                count: int | None = None, extra_notes: Sequence[tuple[str, str]] = (),
                on_finished: Callable[[ExportSummary], None] | None = None) -> Job | None:
    """Export list ``key`` as the page shows it: ``query`` (the page's filter and sort)
    or ``items`` (the view's rows, in order).  ``count`` 0: tell the clerk there is
    nothing to export.  Returns the running job, or None when the clerk cancelled."""
    spec = exports.get(key)
    running = getattr(parent, "_export_job", None)
    if running is not None and running.running:
        return running   # one export at a time per page: its progress dialog is up
    if count == 0:
        messages.info(parent, _tr("当前列表没有内容，没有可导出的行。"))
        return None
    confidential, password = False, None
    if spec.has_confidential:
        answer = ask_options(parent, spec)
        if answer is None:
            return None
        confidential, password = answer
    path = ask_path(parent, default_path(key))
    if path is None:
        return None
    rows = list(items) if items is not None else None
    job = run_job(_export_work, spec.key, path, query, confidential, rows, tuple(extra_notes), password,
                  parent=parent, title=_tr("导出到 Excel"), label=_tr("正在导出「{0}」…").format(spec.name))
    parent._export_job = job
    job.finished.connect(lambda summary: _on_finished(parent, summary, on_finished))
    job.failed.connect(lambda message: messages.error(parent, _tr("导出没有完成：{0}").format(message)))
    return job


def _on_finished(parent: QWidget, summary: ExportSummary,
                 on_finished: Callable[[ExportSummary], None] | None) -> None:
    show_done(parent, summary)
    if on_finished is not None:
        on_finished(summary)


def open_file(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_folder(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


def show_done(parent: QWidget | None, summary: ExportSummary) -> QMessageBox:
    """「已导出 … 行」with 打开文件 / 打开所在文件夹 / 关闭 (window-modal, not blocking)."""
    where = QDir.toNativeSeparators(str(summary.path))
    text = _tr("已导出「{0}」{1} 行。").format(summary.name, f"{summary.rows:,}")
    box = QMessageBox(QMessageBox.Icon.Information, _tr("导出完成"), text, QMessageBox.StandardButton.NoButton,
                      parent)
    info = _tr("保存在：{0}").format(where)
    if summary.confidential:
        info += "\n" + _tr("文件含敏感个人信息，请妥善保管。")
    if summary.protected:
        info += "\n" + _tr("文件已用密码加密，打开时要输入密码。")
    box.setInformativeText(info)
    file_button = box.addButton(_tr("打开文件"), QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton(_tr("打开所在文件夹"), QMessageBox.ButtonRole.ActionRole)
    close_button = box.addButton(_tr("关闭"), QMessageBox.ButtonRole.RejectRole)
    for button in (file_button, folder_button, close_button):
        # QMessageBox sizes its buttons before the application stylesheet's padding and
        # min-width apply (a long label came out clipped): ask for room for the words
        button.setStyleSheet(f"min-width: {button.fontMetrics().horizontalAdvance(button.text()) + 8}px;")
    box.setDefaultButton(file_button)
    box.setEscapeButton(close_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def clicked(button) -> None:
        if button is file_button:
            open_file(summary.path)
        elif button is folder_button:
            open_folder(summary.path)

    box.buttonClicked.connect(clicked)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    if parent is not None:
        parent._export_message = box
    return box


# ================================================================ what a view shows

def sort_label(table, headers: dict[str, str], columns: Sequence[str], default: str) -> str:
    """「剩余 降序」from a table's sort indicator, or ``default`` when none is shown."""
    header = table.horizontalHeader()
    section = header.sortIndicatorSection()
    if not header.isSortIndicatorShown() or not 0 <= section < len(columns):
        return default
    order = _tr("降序") if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder else _tr("升序")
    return f"{headers.get(columns[section], columns[section])} {order}"
