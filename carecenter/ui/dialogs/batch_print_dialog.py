"""批量打印关爱档案: the care records of many cadres at once (a whole unit, or the
roster's current filter), into one PDF or one file per cadre.

The work runs in the background (``ui/tasks.run_job``) with progress and 取消;
at the end the dialog shows a short summary with 打开文件夹.  Mental-health
records are never part of a batch: they are printed one person at a time, with a
reason (打印关爱档案).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDir, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...db import queries
from ...db.queries import RosterFilter
from ...domain.errors import DomainError
from ...services import printing
from ...services import roster as roster_service
from .. import file_dialogs, messages, theme
from ..tasks import Job, JobCancelled, run_job
from ..widgets.list_page import make_button
from ..widgets.form_dialog import dialog_column, status_footer
from .care_record_dialog import REQUIRED_MARK, PeriodPicker

ALL_ROWS = 10 ** 9


def _filter_ids(roster_filter: RosterFilter) -> list[int]:
    """The ids the roster shows for ``roster_filter``, in its name order."""
    return [row[0] for row in queries.roster_page(roster_filter, offset=0, limit=ALL_ROWS)]


def _batch_work(ctx, ids: list[int] | None, roster_filter: RosterFilter | None, start: date, end: date,
                out: Path, one_file: bool) -> tuple[int, list[Path]]:
    """Worker thread: (cadres printed, files written)."""
    ctx.progress(-1, "正在整理干部名单…")
    if ids is None:
        ids = _filter_ids(roster_filter or RosterFilter())
    if not ids:
        raise DomainError("batch_empty", "所选范围内没有干部，请换一个单位或筛选条件。")
    total = len(ids)

    def progress(done: int, count: int) -> None:
        count = count or total
        ctx.progress(done * 100 // max(count, 1), f"正在生成第 {min(done + 1, count)}/{count} 份关爱档案…"
                     if done < count else "正在保存…")

    try:
        files = printing.care_records_batch(ids, start, end, out, one_file=one_file, progress=progress,
                                            cancelled=lambda: ctx.cancelled)
    except printing.Cancelled:
        raise JobCancelled() from None
    return total, files


class BatchPrintDialog(QDialog):
    """``BatchPrintDialog(parent, cadre_ids=…, roster_filter=…, scope_text=…)``.

    With ``cadre_ids`` or ``roster_filter`` (the roster's current filter) those cadres
    are printed by default; the clerk may instead choose a unit.  ``finished_batch(files)``
    after the files were written."""

    finished_batch = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, cadre_ids: list[int] | None = None,
                 roster_filter: RosterFilter | None = None, scope_text: str = "", unit_id: int | None = None):
        super().__init__(parent)
        self.given_ids = list(cadre_ids) if cadre_ids is not None else None
        self.given_filter = roster_filter
        self.job: Job | None = None
        self.files: list[Path] = []
        self.output_folder: Path | None = None
        self._path_edited = False
        self._note = ""
        self.setModal(True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setWindowTitle(self.tr("批量打印关爱档案"))

        outer = dialog_column(self)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_options(scope_text, unit_id))
        self.stack.addWidget(self._build_summary())

        footer = status_footer(self, outer, "hint")
        footer.setSpacing(8)
        self.open_folder_button = make_button(self.tr("打开文件夹"), "folder-open", parent=self,
                                              tooltip=self.tr("在文件管理器中打开保存的位置"))
        self.start_button = make_button(self.tr("开始生成"), "print-white", primary=True, parent=self,
                                        tooltip=self.tr("生成关爱档案 PDF（Enter）"))
        self.close_button = make_button(self.tr("取消"), parent=self)
        for b in (self.open_folder_button, self.start_button, self.close_button):
            footer.addWidget(b)
        self.open_folder_button.setVisible(False)

        self.start_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.period_picker.changed.connect(self._on_options_changed)
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._on_scope_changed())
        self.scope_group.buttonToggled.connect(lambda *_a: self._on_scope_changed())
        self.output_group.buttonToggled.connect(lambda *_a: self._on_output_kind_changed())
        self.path_edit.textEdited.connect(self._on_path_edited)
        self.browse_button.clicked.connect(self.browse)

        self._on_scope_changed()
        self.resize(max(620, self.sizeHint().width()), self.sizeHint().height())
        self.start_button.setFocus()

    # ================================================================ building
    def _build_options(self, scope_text: str, unit_id: int | None) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        intro = QLabel(self.tr("为多名干部生成关心关爱档案（不含心理健康记录；需要时请在干部详情中单独打印）。"), page)
        intro.setWordWrap(True)
        theme.set_role(intro, "info")
        column.addWidget(intro)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)

        scope = QWidget(page)
        scope_layout = QVBoxLayout(scope)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        scope_layout.setSpacing(6)
        self.scope_group = QButtonGroup(self)
        self.given_radio = QRadioButton(page)
        self.unit_radio = QRadioButton(self.tr("按单位"), page)
        self.scope_group.addButton(self.given_radio)
        self.scope_group.addButton(self.unit_radio)
        has_given = self._has_given = self.given_ids is not None or self.given_filter is not None
        if has_given:
            count = len(self.given_ids) if self.given_ids is not None else queries.roster_count(self.given_filter)
            self.given_count = count
            text = scope_text or self.tr("名册当前筛选结果")
            self.given_radio.setText(self.tr("{0}（{1} 人）").format(text, count))
            scope_layout.addWidget(self.given_radio)
        else:
            self.given_count = 0
            self.given_radio.setVisible(False)
        unit_row = QHBoxLayout()
        unit_row.setSpacing(8)
        unit_row.addWidget(self.unit_radio)
        self.unit_combo = QComboBox(page)
        self.unit_combo.addItem(self.tr("全部单位"), 0)
        for u in roster_service.list_units(with_counts=False):
            self.unit_combo.addItem(u["name"], u["id"])
        self.unit_combo.setMinimumWidth(240)
        self.unit_combo.setMaxVisibleItems(20)
        if unit_id:
            self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit_id)))
        unit_row.addWidget(self.unit_combo, 1)
        scope_layout.addLayout(unit_row)
        self.scope_count = QLabel(page)
        theme.set_role(self.scope_count, "hint")
        scope_layout.addWidget(self.scope_count)
        (self.given_radio if has_given else self.unit_radio).setChecked(True)
        form.addRow(self._label(self.tr("干部"), True), scope)

        self.period_picker = PeriodPicker(page)
        self.period_message = QLabel(page)
        self.period_message.setWordWrap(True)
        self.period_message.setVisible(False)
        theme.set_role(self.period_message, "error")
        period_box = QWidget(page)
        period_layout = QVBoxLayout(period_box)
        period_layout.setContentsMargins(0, 0, 0, 0)
        period_layout.setSpacing(3)
        period_layout.addWidget(self.period_picker)
        period_layout.addWidget(self.period_message)
        form.addRow(self._label(self.tr("期间"), True), period_box)

        output = QWidget(page)
        output_layout = QHBoxLayout(output)
        output_layout.setContentsMargins(0, 0, 0, 0)
        output_layout.setSpacing(16)
        self.output_group = QButtonGroup(self)
        self.one_file_radio = QRadioButton(self.tr("合并为一个 PDF"), page)
        self.per_cadre_radio = QRadioButton(self.tr("每人一个 PDF 文件"), page)
        self.output_group.addButton(self.one_file_radio)
        self.output_group.addButton(self.per_cadre_radio)
        self.one_file_radio.setChecked(True)
        output_layout.addWidget(self.one_file_radio)
        output_layout.addWidget(self.per_cadre_radio)
        output_layout.addStretch(1)
        form.addRow(self._label(self.tr("输出"), False), output)

        path_box = QWidget(page)
        path_layout = QVBoxLayout(path_box)
        path_layout.setContentsMargins(0, 0, 0, 0)
        path_layout.setSpacing(3)
        path_row = QHBoxLayout()
        path_row.setSpacing(6)
        self.path_edit = QLineEdit(page)
        self.path_edit.setMinimumWidth(320)
        self.browse_button = make_button(self.tr("浏览…"), parent=page)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        path_layout.addLayout(path_row)
        self.path_message = QLabel(page)
        self.path_message.setWordWrap(True)
        self.path_message.setVisible(False)
        theme.set_role(self.path_message, "error")
        path_layout.addWidget(self.path_message)
        self.path_label = self._label(self.tr("保存为"), True)
        self.path_label.setBuddy(self.path_edit)
        form.addRow(self.path_label, path_box)
        column.addLayout(form)
        column.addStretch(1)
        return page

    def _build_summary(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(10)
        self.summary_title = QLabel(page)
        self.summary_title.setObjectName("PageTitle")
        column.addWidget(self.summary_title)
        self.summary_label = QLabel(page)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.summary_label)
        column.addStretch(1)
        return page

    def _label(self, text: str, required: bool) -> QLabel:
        label = QLabel((REQUIRED_MARK + text) if required else text, self)
        label.setMinimumWidth(64)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 4, 0, 0)
        return label

    # ================================================================ options
    @property
    def one_file(self) -> bool:
        return self.one_file_radio.isChecked()

    @property
    def uses_given(self) -> bool:
        return self._has_given and self.given_radio.isChecked()

    def scope(self) -> tuple[list[int] | None, RosterFilter | None]:
        """(ids, filter): exactly one of them is set."""
        if self.uses_given:
            if self.given_ids is not None:
                return list(self.given_ids), None
            return None, self.given_filter
        return None, RosterFilter(unit_id=self.unit_combo.currentData() or None)

    def _scope_name(self) -> str:
        if self.uses_given:
            return self.tr("所选干部")
        return self.unit_combo.currentText() if self.unit_combo.currentData() else self.tr("全部单位")

    def _on_scope_changed(self) -> None:
        self.unit_combo.setEnabled(self.unit_radio.isChecked())
        if self.uses_given:
            self.scope_count.setText("")
            self.scope_count.setVisible(False)
        else:
            count = queries.roster_count(RosterFilter(unit_id=self.unit_combo.currentData() or None))
            self.scope_count.setText(self.tr("在册干部 {0} 人").format(count))
            self.scope_count.setVisible(True)
        self._on_options_changed()

    def _on_output_kind_changed(self) -> None:
        self.path_label.setText(REQUIRED_MARK + (self.tr("保存为") if self.one_file else self.tr("保存到")))
        self._path_edited = False
        self._on_options_changed()

    def _on_path_edited(self, _text: str) -> None:
        self._path_edited = True
        self._validate()

    def _on_options_changed(self) -> None:
        if not self._path_edited:
            self.path_edit.setText(QDir.toNativeSeparators(str(self.default_path())))
        self._validate()

    def default_path(self) -> Path:
        folder = file_dialogs.start_folder()
        period = self.period_picker.describe().replace(" ", "") or self.tr("期间")
        name = self.tr("关心关爱档案_{0}_{1}").format(self._scope_name(), period)
        name = "".join("_" if c in '\\/:*?"<>|' else c for c in name)
        return folder / (name + ".pdf") if self.one_file else folder / name

    def output_path(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(QDir.fromNativeSeparators(text)).expanduser()
        if self.one_file and path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        return path

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        period_error = self.period_picker.error()
        if period_error:
            out["period"] = period_error
        if self.uses_given and self.given_count == 0:
            out["scope"] = self.tr("名册当前筛选结果中没有干部，请改为按单位")
        path = self.output_path()
        if path is None:
            out["path"] = self.tr("请填写保存位置，或点击「浏览…」选择") if self.one_file else \
                self.tr("请填写保存的文件夹，或点击「浏览…」选择")
        elif not self.one_file and path.exists() and not path.is_dir():
            out["path"] = self.tr("同名文件已存在，请换一个文件夹名")
        elif self.one_file and path.is_dir():
            out["path"] = self.tr("这是一个文件夹，请填写 PDF 文件名")
        return out

    def _validate(self) -> None:
        problems = self.problems()
        for label, key in ((self.period_message, "period"), (self.path_message, "path")):
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        theme.set_state(self.path_edit, "error" if "path" in problems else None)
        running = self.job is not None and self.job.running
        self.start_button.setEnabled(not problems and not running)
        if problems:
            self.start_button.setToolTip(self.tr("请先改正以下问题：") + "\n" +
                                         "\n".join(f"· {m}" for m in problems.values()))
            if "scope" in problems:
                self.status_label.setText(problems["scope"])
                theme.set_role(self.status_label, "warning")
                return
        else:
            self.start_button.setToolTip(self.tr("生成关爱档案 PDF（Enter）"))
        if self._note:
            self.status_label.setText(self._note)
            theme.set_role(self.status_label, "warning")
            return
        self.status_label.setText(self.tr("文件较多时需要一些时间，可随时取消。"))
        theme.set_role(self.status_label, "hint")

    def browse(self) -> None:
        current = self.output_path() or self.default_path()
        if self.one_file:
            chosen, _f = QFileDialog.getSaveFileName(self, self.tr("保存关爱档案"), str(current),
                                                     self.tr("PDF 文件 (*.pdf)"))
        else:
            chosen = QFileDialog.getExistingDirectory(self, self.tr("选择保存关爱档案的文件夹"),
                                                      str(current.parent if not current.exists() else current))
        if chosen:
            file_dialogs.remember(chosen)
            self.path_edit.setText(QDir.toNativeSeparators(chosen))
            self._path_edited = True
            self._validate()

    # ================================================================ running
    def start(self) -> Job | None:
        if self.job is not None and self.job.running:
            return self.job
        problems = self.problems()
        if problems:
            self._validate()
            return None
        ids, roster_filter = self.scope()
        start, end = self.period_picker.period()
        out = self.output_path()
        if self.one_file and out.exists():
            if not messages.confirm(self, self.tr("{0} 已存在，要替换它吗？").format(
                    QDir.toNativeSeparators(str(out))), self.tr("替换")):
                return None
        self.job = run_job(_batch_work, ids, roster_filter, start, end, out, self.one_file, parent=self,
                           title=self.tr("批量打印关爱档案"), label=self.tr("正在准备…"))
        self.job.out = out
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.done.connect(self._validate)
        self._note = ""
        self._validate()
        self.status_label.setText(self.tr("正在生成…"))
        return self.job

    def cancel_job(self) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()

    def _on_finished(self, result: tuple[int, list[Path]]) -> None:
        count, files = result
        self.files = [Path(f) for f in files]
        out = self.job.out
        self.output_folder = out.parent if self.one_file else out
        self.summary_title.setText(self.tr("已生成 {0} 人的关心关爱档案").format(count))
        where = QDir.toNativeSeparators(str(self.output_folder))
        if self.one_file:
            text = self.tr("合并为 1 个 PDF 文件：{0}").format(
                QDir.toNativeSeparators(str(self.files[0] if self.files else out)))
        else:
            text = self.tr("共 {0} 个 PDF 文件，保存在 {1}").format(len(self.files), where)
        self.summary_label.setText(text)
        self.stack.setCurrentIndex(1)
        self.start_button.setVisible(False)
        self.open_folder_button.setVisible(True)
        self.open_folder_button.setDefault(True)
        self.close_button.setText(self.tr("关闭"))
        self.open_folder_button.setFocus()
        self.finished_batch.emit(self.files)

    def _on_failed(self, text: str) -> None:
        messages.error(self, text)

    def _on_cancelled(self) -> None:
        self._note = self.tr("已取消，未保存任何文件。")
        self._validate()

    def open_folder(self) -> bool:
        if self.output_folder is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.output_folder)))

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            if self.stack.currentIndex() == 0:
                self.start()
            else:
                self.open_folder()
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        if self.job is not None and self.job.running:
            self.job.cancel()  # closing while it runs means 取消
        super().done(result)
