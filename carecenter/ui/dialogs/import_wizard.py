"""从 Excel 导入: a four-step wizard over ``exchange.importer``.

1 选择文件 — record type (pre-selected by the page), the workbook, its sheet, and
  下载模板… for a blank workbook with the right columns.
2 列对应 — the header row and, per field, which column holds it: detected
  automatically, adjustable; a sample of the first rows shows how they will be read.
3 预览 — every row checked in the background (progress + 取消): counts, each problem
  by row, column and a Chinese reason, and what will change for people who are
  already in the database.  保存问题清单… writes the problems as .xlsx for the sender.
  导入有效行 imports the valid rows in one transaction (again with 取消, which
  leaves the database untouched).
4 完成 — what was imported.

``imported(kind)`` fires after an import so the page that opened the wizard reloads.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...exchange import importer
from .. import actions, file_dialogs, messages, theme
from ..tasks import JobCancelled, run_job
from ..widgets.form_dialog import fit_to_screen
from ..widgets.list_page import make_button
from .import_steps import (FILE, MAPPING, PREVIEW, RESULT, STEP_TITLES, XLSX_FILTER, MappingStep, StepBar,
                           WizardPages, _item, _progress)


class ImportWizard(WizardPages, MappingStep, QDialog):
    """``ImportWizard(kind, parent)``; ``imported(kind)`` after rows were written."""

    imported = Signal(str)

    def __init__(self, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModal(True)
        self.kind = kind if kind in importer.KINDS else next(iter(importer.KINDS))
        self.path: Path | None = None
        self.sheet = ""
        self.header_list: list[str] = []
        self.field_list: list[Any] = []
        self.field_combos: dict[str, QComboBox] = {}
        self.preview: Any = None
        self.result: Any = None
        self.job = None
        self._filling = False
        self._rerun_preview = False
        self._sample: tuple[Any, list[list[str]]] = (None, [])
        self._mapped_for: tuple | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        outer.setSpacing(10)
        self.steps = StepBar([self.tr(t) for t in STEP_TITLES], self)
        outer.addWidget(self.steps)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_file_page())
        self.stack.addWidget(self._build_mapping_page())
        self.stack.addWidget(self._build_preview_page())
        self.stack.addWidget(self._build_result_page())

        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.footer_hint = QLabel(self)
        self.footer_hint.setWordWrap(True)
        theme.set_role(self.footer_hint, "error")
        footer.addWidget(self.footer_hint, 1)
        self.back_button = make_button(self.tr("上一步"), parent=self)
        self.next_button = make_button(self.tr("下一步"), primary=True, parent=self)
        self.import_button = make_button(self.tr("导入有效行"), primary=True, parent=self,
                                         tooltip=self.tr("在一次操作中导入全部没有问题的行"))
        self.finish_button = make_button(self.tr("完成"), primary=True, parent=self)
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        for b in (self.back_button, self.next_button, self.import_button, self.finish_button, self.cancel_button):
            footer.addWidget(b)
        outer.addLayout(footer)

        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.import_button.clicked.connect(self.start_import)
        self.finish_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        self._set_kind_title()
        self._show_step(FILE)
        fit_to_screen(self, 1060, 680)
        self.file_edit.setFocus()

    # ================================================================ navigation
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    @property
    def kind_label(self) -> str:
        return self.tr(importer.KINDS[self.kind])

    def _set_kind_title(self) -> None:
        self.setWindowTitle(self.tr("从 Excel 导入{0}").format(self.kind_label))
        names = [f.label + (" *" if f.required else "") for f in importer.fields(self.kind)]
        self.columns_label.setText(self.tr("{0}的列：{1}。标 * 的必须有；列的顺序和名称可以不同，"
                                           "下一步可逐项对应。").format(self.kind_label, "、".join(names)))

    def _show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.steps.set_current(step)
        self.back_button.setVisible(step in (MAPPING, PREVIEW))
        self.next_button.setVisible(step in (FILE, MAPPING))
        self.import_button.setVisible(step == PREVIEW)
        self.finish_button.setVisible(step == RESULT)
        self.cancel_button.setVisible(step != RESULT)
        for b in (self.next_button, self.import_button, self.finish_button):
            b.setDefault(False)
        default = {FILE: self.next_button, MAPPING: self.next_button, PREVIEW: self.import_button,
                   RESULT: self.finish_button}[step]
        default.setDefault(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        reason = ""
        if self.step == FILE:
            if self.path is None:   # an unreadable file is explained under the field
                self.next_button.setToolTip(self.tr("请先选择要导入的 Excel 文件"))
            elif not self.sheet:
                reason = self.tr("这个工作簿里没有工作表，请选择另一个文件")
                self.next_button.setToolTip(reason)
            else:
                self.next_button.setToolTip("")
            self.next_button.setEnabled(self.path is not None and bool(self.sheet))
        elif self.step == MAPPING:
            reason = self.mapping_problem()
            self.next_button.setEnabled(not reason)
            self.next_button.setToolTip(reason)
        elif self.step == PREVIEW:
            ok = self.preview is not None and self.preview.valid_count > 0
            if self.preview is not None and not ok:
                reason = self.tr("没有可导入的行：请按问题清单修改工作簿后重新选择")
            self.import_button.setEnabled(ok)
            self.import_button.setToolTip(reason or self.tr("在一次操作中导入全部没有问题的行"))
        self.footer_hint.setText(reason)

    def go_next(self) -> None:
        if self.job is not None:
            return
        if self.step == FILE and self.next_button.isEnabled():
            # coming back without changing anything keeps the clerk's own choices
            if self._mapping_source() == self._mapped_for:
                self._show_mapping()
            else:
                self.start_detect()
        elif self.step == MAPPING and self.next_button.isEnabled():
            self.start_preview()

    def go_back(self) -> None:
        if self.job is not None:
            return
        if self.step == MAPPING:
            self._show_step(FILE)
            self.sheet_combo.setFocus()
        elif self.step == PREVIEW:
            self._show_step(MAPPING)
            self.header_combo.setFocus()

    def reject(self) -> None:
        if self.job is not None:  # the progress dialog's 取消 stops a running job first
            return
        super().reject()

    # ================================================================ step 1: file
    def _on_kind_changed(self, _index: int) -> None:
        self.kind = self.kind_combo.currentData()
        self._set_kind_title()
        self.template_label.clear()

    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else str(file_dialogs.start_folder())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择要导入的 Excel 文件"), start, self.tr(XLSX_FILTER))
        if path:
            file_dialogs.remember(path)
            self.file_edit.setText(QDir.toNativeSeparators(path))
            self.load_file(Path(path))
            if self.sheet_combo.isEnabled():
                self.sheet_combo.setFocus()

    def _on_file_edited(self) -> None:
        text = self.file_edit.text().strip().strip('"')
        if not text:
            return
        path = Path(QDir.fromNativeSeparators(text))
        if self.path is None or path != self.path:
            self.load_file(path)

    def load_file(self, path: Path) -> bool:
        """Read the workbook's sheets; a Chinese message under the field when it cannot be read."""
        self.path = None
        self.sheet = ""
        self.preview = None
        self._filling = True
        self.sheet_combo.clear()
        self._filling = False
        self.sheet_combo.setEnabled(False)
        try:
            names = importer.sheet_names(path)
        except DomainError as err:
            self.file_error.setText(err.message)
            self.file_error.show()
            theme.set_state(self.file_edit, "error")
            self._update_buttons()
            return False
        self.file_error.hide()
        self.file_error.clear()
        theme.set_state(self.file_edit, None)
        self.path = path
        self._filling = True
        for name in names:
            self.sheet_combo.addItem(name, name)
        self._filling = False
        self.sheet_combo.setEnabled(bool(names))
        self.sheet = names[0] if names else ""
        self._update_buttons()
        return True

    def _on_sheet_changed(self, _index: int) -> None:
        if self._filling:
            return
        self.sheet = self.sheet_combo.currentData() or ""
        self.preview = None
        self._update_buttons()

    def download_template(self) -> None:
        folder = self.path.parent if self.path else file_dialogs.start_folder()
        default = folder / self.tr("{0}导入模板.xlsx").format(self.kind_label)
        out = self._save_workbook(self.tr("保存{0}模板").format(self.kind_label), default,
                                  lambda path: importer.write_template(self.kind, path))
        if out is not None:
            self.template_label.setText(self.tr("模板已保存：{0}").format(QDir.toNativeSeparators(str(out))))

    def _save_workbook(self, title: str, default: Path, write: Callable[[Path], object]) -> Path | None:
        """Ask where to save a workbook and write it; a refusal or an unwritable place is said
        (``None``: cancelled or not written)."""
        out = file_dialogs.ask_save_path(self, title, default, self.tr(XLSX_FILTER), ".xlsx")
        if out is None:
            return None
        try:
            write(out)
        except DomainError as err:
            messages.error(self, err.message)
            return None
        except OSError:
            messages.error(self, self.tr("无法保存到 {0}：文件可能正在 Excel 中打开，或没有写入权限。"
                                         "请关闭该文件或换一个位置后重试").format(QDir.toNativeSeparators(str(out))))
            return None
        return out

    # ================================================================ step 3: preview
    def start_preview(self) -> None:
        if self.job is not None:
            return
        self.preview = None
        step_text = self.tr("正在检查第 {0}/{1} 行")
        self.job = run_job(_preview_job, self.path, self.sheet, self.kind, self.current_mapping(), step_text,
                           parent=self, title=self.tr("检查{0}").format(self.kind_label),
                           label=self.tr("正在读取工作簿…"))
        self.job.finished.connect(self._on_preview_finished)
        self.job.failed.connect(self._on_job_failed)
        self.job.done.connect(self._on_job_done)
        self._update_buttons()

    def _on_job_done(self) -> None:
        self.job = None
        self._update_buttons()
        if self._rerun_preview:
            self._rerun_preview = False
            self.start_preview()

    def _on_job_failed(self, message: str) -> None:
        messages.error(self, message)

    def _on_preview_finished(self, preview: Any) -> None:
        self.preview = preview
        self._fill_preview()
        self._show_step(PREVIEW)
        (self.import_button if self.import_button.isEnabled() else self.preview_tabs).setFocus()

    def problem_row_count(self) -> int:
        return self.preview.refused_count if self.preview else 0

    def _unit(self) -> str:
        return self.tr("名") if self.kind == "roster" else self.tr("条")

    def counts_text(self) -> str:
        p = self.preview
        text = self.tr("共 {0} 行，可导入 {1} 行，有问题 {2} 行").format(
            p.rows_total, p.valid_count, self.problem_row_count())
        if self.kind == "roster":
            text += self.tr("，新增 {0} 名，更新 {1} 名").format(p.creates, len(p.updates))
            if p.unchanged:
                text += self.tr("，无变化 {0} 名").format(p.unchanged)
        else:
            text += self.tr("，新增 {0} 条").format(p.creates)
        return text

    def _fill_preview(self) -> None:
        p = self.preview
        self.counts_label.setText(self.counts_text())
        bad_rows = self.problem_row_count()
        parts = []
        if bad_rows:
            parts.append(self.tr("有问题的 {0} 行不会导入：可以先导入其余的行，再把问题清单发给报送人，"
                                 "修改后只导入这些行。").format(bad_rows))
        else:
            parts.append(self.tr("没有发现问题。"))
        if p.updates:
            parts.append(self.tr("身份证号与名册中已有干部相同的 {0} 行会更新该干部（见「将更新」），不会重复新增。"
                                 ).format(len(p.updates)))
        if p.skipped:
            by_reason: dict[str, list[int]] = {}
            for row, why in p.skipped:
                by_reason.setdefault(why, []).append(row)
            parts.append(self.tr("已跳过：{0}。").format("；".join(
                self.tr("{0} 第 {1} 行").format(why, "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else ""))
                for why, rows in by_reason.items())))
        self.preview_note.setText("".join(parts))
        self.save_problems_button.setEnabled(bool(p.problems))
        self.save_problems_button.setToolTip(
            self.tr("把问题清单保存为 Excel，发给报送人修改") if p.problems else self.tr("没有问题需要保存"))

        table = self.problem_table
        table.setRowCount(len(p.problems))
        for r, problem in enumerate(p.problems):
            row_item = _item(problem.row)
            row_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, 0, row_item)
            table.setItem(r, 1, _item(problem.column))
            table.setItem(r, 2, _item(problem.field))
            table.setItem(r, 3, _item(problem.value, tooltip=True))
            reason = _item(problem.reason, tooltip=True)
            table.setItem(r, 4, reason)
        self.preview_tabs.setTabText(0, self.tr("问题（{0} 处）").format(len(p.problems)))

        tree = self.update_tree
        tree.clear()
        for row, name, changes in p.updates:
            top = QTreeWidgetItem([self.tr("第 {0} 行　{1}").format(row, name),
                                   self.tr("{0} 项变化").format(len(changes)), "", ""])
            for change in changes:
                child = QTreeWidgetItem(["", change.field, change.old or self.tr("（空）"),
                                         change.new or self.tr("（空）")])
                child.setToolTip(2, change.old)
                child.setToolTip(3, change.new)
                top.addChild(child)
            tree.addTopLevelItem(top)
        tree.expandAll()
        self.preview_tabs.setTabText(1, self.tr("将更新（{0} 名）").format(len(p.updates)))
        self.preview_tabs.setTabVisible(1, self.kind == "roster")
        self.preview_tabs.setTabEnabled(1, bool(p.updates))
        self.preview_tabs.setCurrentIndex(0 if p.problems or not p.updates else 1)

    def save_problem_list(self) -> None:
        if self.preview is None or not self.preview.problems:
            return
        folder = self.path.parent if self.path else file_dialogs.start_folder()
        stem = self.path.stem if self.path else self.kind_label
        default = folder / self.tr("{0}-问题清单.xlsx").format(stem)
        out = self._save_workbook(self.tr("保存问题清单"), default, lambda path: importer.save_problems(self.preview, path))
        if out is not None:
            messages.info(self, self.tr("问题清单已保存：{0}").format(QDir.toNativeSeparators(str(out))))

    # ================================================================ import
    def start_import(self) -> None:
        p = self.preview
        if self.job is not None or p is None or p.valid_count <= 0:
            return
        bad_rows = self.problem_row_count()
        if bad_rows or p.updates:
            parts = [self.tr("确定导入 {0} 行？其中新增 {1} {3}，更新 {2} {3}。").format(
                p.valid_count, p.creates, len(p.updates), self._unit())]
            if bad_rows:
                parts.append(self.tr("有问题的 {0} 行不导入。").format(bad_rows))
            if not messages.confirm(self, "".join(parts), self.tr("导入")):
                return
        step_text = self.tr("正在导入第 {0}/{1} 行")
        self.job = run_job(_import_job, p, step_text, parent=self, title=self.tr("导入{0}").format(self.kind_label),
                           label=self.tr("正在导入…"))
        self.job.finished.connect(self._on_import_finished)
        self.job.failed.connect(self._on_import_failed)
        self.job.cancelled.connect(self._on_import_cancelled)
        self.job.done.connect(self._on_job_done)
        self._update_buttons()

    def _on_import_failed(self, message: str) -> None:
        """Nothing was written; check the rows again (the database may have changed since the preview)."""
        messages.error(self, message, informative=self.tr("没有导入任何数据，将重新检查工作簿。"))
        self._rerun_preview = True

    def _on_import_cancelled(self) -> None:
        messages.info(self, self.tr("已取消导入，数据没有任何改动。"))

    def _on_import_finished(self, result: Any) -> None:
        self.result = result
        self.result_title.setText(self.tr("导入完成"))
        if self.kind == "roster":
            done = self.tr("已导入{0}：新增 {1} 名，更新 {2} 名干部。").format(self.kind_label, result.created,
                                                                         result.updated)
        else:
            done = self.tr("已导入{0} {1} 条。").format(self.kind_label, result.created)
        self.result_label.setText(done)
        bad_rows = self.problem_row_count()
        if bad_rows:
            self.result_problems.setText(self.tr("有问题的 {0} 行没有导入。请保存问题清单发给报送人，"
                                                 "修改后只导入这些行即可。").format(bad_rows))
        self.result_problems.setVisible(bool(bad_rows))
        self.result_save_button.setVisible(bool(bad_rows))
        self._show_step(RESULT)
        self.finish_button.setFocus()
        self.imported.emit(self.kind)


def open_import_wizard(owner: QWidget, kind: str, on_imported: Callable[[str], None]) -> ImportWizard:
    """Open the wizard window-modal as ``owner.import_wizard``; ``on_imported(kind)`` after an import."""
    wizard = ImportWizard(kind, owner)
    actions.open_dialog(owner, wizard, on_imported, signal="imported", attr="import_wizard")
    return wizard


def _preview_job(ctx, path: Path, sheet: str, kind: str, mapping: Any, step_text: str) -> Any:
    try:
        return importer.preview(path, sheet, kind, mapping, progress=_progress(ctx, step_text),
                                cancelled=lambda: ctx.cancelled)
    except importer.Cancelled:
        raise JobCancelled() from None


def _import_job(ctx, preview: Any, step_text: str) -> Any:
    try:
        return importer.run_import(preview, progress=_progress(ctx, step_text), cancelled=lambda: ctx.cancelled)
    except importer.Cancelled:
        raise JobCancelled() from None
