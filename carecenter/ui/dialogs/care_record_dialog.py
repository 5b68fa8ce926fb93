"""打印关爱档案: the options before one cadre's 关心关爱档案 is printed.

The period (a year, or from–to dates), and whether the person's mental-health
records go in.  They are left out unless the clerk ticks 包含心理健康记录 for this
print, which asks for the reason (查阅事由); the service writes it to the audit
trail.  Then 预览 (Enter), 打印… or 导出 PDF…; the PDF is built off the GUI
thread and this dialog closes once it is ready.

``PeriodPicker`` is shared with the batch dialog.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...services import health as health_service
from ...services import printing
from ...services import roster as roster_service
from .. import theme
from ..tasks import Job
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import add_note, dialog_column, status_footer
from ..widgets.list_page import make_button
from ..widgets.password_box import PasswordBox
from . import print_preview_dialog as preview

REQUIRED_MARK = "<span style='color:#c62828'>*</span> "
YEARS_BACK = 10
PURPOSE_MAX = 100


class PeriodPicker(QWidget):
    """按年度 [2026 年 ▾]  or  起止日期 [from] 至 [to].  ``changed()`` on any edit.

    ``period()`` is ``(start, end)`` or None; ``error()`` says what is wrong, in Chinese."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        today = today or date.today()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        self.year_radio = QRadioButton(self.tr("按年度"), self)
        self.range_radio = QRadioButton(self.tr("起止日期"), self)
        self.group = QButtonGroup(self)
        self.group.addButton(self.year_radio)
        self.group.addButton(self.range_radio)
        self.year_combo = QComboBox(self)
        for year in range(today.year, today.year - YEARS_BACK, -1):
            self.year_combo.addItem(self.tr("{0} 年").format(year), year)
        self.year_combo.setMinimumWidth(110)
        self.year_combo.setToolTip(self.tr("打印这一年（1 月 1 日至 12 月 31 日）的记录"))
        self.from_edit = DateEdit(self, field="start", label=self.tr("开始日期"))
        self.to_edit = DateEdit(self, field="end", label=self.tr("结束日期"))
        self.from_edit.setValue(date(today.year, 1, 1))
        self.to_edit.setValue(today)
        self.from_edit.setToolTip(self.tr("开始日期，如 2026-01-01"))
        self.to_edit.setToolTip(self.tr("结束日期，如 2026-12-31"))
        grid.addWidget(self.year_radio, 0, 0)
        year_row = QHBoxLayout()
        year_row.addWidget(self.year_combo)
        year_row.addStretch(1)
        grid.addLayout(year_row, 0, 1)
        grid.addWidget(self.range_radio, 1, 0)
        range_row = QHBoxLayout()
        range_row.setSpacing(6)
        range_row.addWidget(self.from_edit, 1)
        range_row.addWidget(QLabel(self.tr("至"), self))
        range_row.addWidget(self.to_edit, 1)
        grid.addLayout(range_row, 1, 1)
        grid.setColumnStretch(1, 1)
        self.year_radio.setChecked(True)

        self.group.buttonToggled.connect(lambda *_a: self._on_mode_changed())
        self.year_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for edit in (self.from_edit, self.to_edit):
            edit.edited.connect(self.changed.emit)
            edit.editing_finished.connect(self.changed.emit)
        self._on_mode_changed(emit=False)

    def _on_mode_changed(self, emit: bool = True) -> None:
        by_year = self.year_radio.isChecked()
        self.year_combo.setEnabled(by_year)
        self.from_edit.setEnabled(not by_year)
        self.to_edit.setEnabled(not by_year)
        if emit:
            self.changed.emit()

    # ------------------------------------------------------------ values
    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(self.tr("{0} 年").format(year), year)
            index = self.year_combo.count() - 1
        self.year_combo.setCurrentIndex(index)
        self.year_radio.setChecked(True)

    def set_range(self, start: date, end: date) -> None:
        self.from_edit.setValue(start)
        self.to_edit.setValue(end)
        self.range_radio.setChecked(True)

    def error(self) -> str | None:
        if self.year_radio.isChecked():
            return None
        for edit, name in ((self.from_edit, self.tr("开始日期")), (self.to_edit, self.tr("结束日期"))):
            err = edit.error()
            if err is not None:
                return err.message
            if edit.value() is None:
                return self.tr("请填写{0}，如 2026-01-01").format(name)
        if self.from_edit.value() > self.to_edit.value():
            return self.tr("开始日期晚于结束日期，请核对起止日期")
        return None

    def period(self) -> tuple[date, date] | None:
        if self.error() is not None:
            return None
        if self.year_radio.isChecked():
            year = int(self.year_combo.currentData())
            return date(year, 1, 1), date(year, 12, 31)
        return self.from_edit.value(), self.to_edit.value()

    def describe(self) -> str:
        span = self.period()
        if span is None:
            return ""
        if self.year_radio.isChecked():
            return self.tr("{0} 年").format(span[0].year)
        return f"{span[0].isoformat()} 至 {span[1].isoformat()}"


class CareRecordDialog(QDialog):
    """``CareRecordDialog(cadre_id)``: options, then 预览 / 打印… / 导出 PDF….

    ``printout_ready(printout)`` once the PDF is built (the dialog then closes and
    the preview, the print dialog or the save dialog opens over its parent)."""

    printout_ready = Signal(object)

    def __init__(self, cadre_id: int, parent: QWidget | None = None, *, name: str = ""):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.job: Job | None = None
        self.name = name or roster_service.get_cadre(cadre_id)["name"]
        self._purpose_touched = False
        self.setModal(True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setWindowTitle(self.tr("打印关爱档案 — {0}").format(self.name))

        outer = dialog_column(self)
        add_note(outer, self.tr("为 {0} 生成关心关爱档案：基本信息、休假、体检与随访、津贴补贴、慰问与谈心谈话。"
                                "纸面印有「内部资料 注意保密」字样和核验码。").format(self.name), "info")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.period_picker = PeriodPicker(self)
        self.period_message = self._message_label()
        form.addRow(self._label(self.tr("期间"), True), self._column(self.period_picker, self.period_message))

        mental = health_service.mental_count(cadre_id)
        self.mental_check = QCheckBox(self.tr("包含心理健康记录"), self)
        self.mental_hint = QLabel(self)
        self.mental_hint.setWordWrap(True)
        theme.set_role(self.mental_hint, "hint")
        if mental:
            self.mental_hint.setText(self.tr("心理健康记录属敏感信息，默认不打印。仅在确有需要时勾选，"
                                             "并写明查阅事由；本次查阅将记入操作记录。"))
        else:
            self.mental_check.setEnabled(False)
            self.mental_hint.setText(self.tr("该干部没有心理健康记录。"))
        form.addRow(self._label(self.tr("敏感信息"), False), self._column(self.mental_check, self.mental_hint))

        self.purpose_edit = QLineEdit(self)
        self.purpose_edit.setMaxLength(PURPOSE_MAX)
        self.purpose_edit.setPlaceholderText(self.tr("如 县委组织部年度考核调阅，经分管领导同意"))
        self.purpose_message = self._message_label()
        self.purpose_label = self._label(self.tr("查阅事由"), True)
        self.purpose_label.setBuddy(self.purpose_edit)
        self.purpose_row = self._column(self.purpose_edit, self.purpose_message)
        form.addRow(self.purpose_label, self.purpose_row)
        # issue 11: a saved care record with mental-health content may be protected with a password
        self.password_box = PasswordBox(self, opens=self.tr("打开导出的 PDF 文件"))
        self.password_label = self._label(self.tr("文件加密"), False)
        form.addRow(self.password_label, self.password_box)
        self.form = form
        outer.addLayout(form)
        outer.addStretch(1)

        footer = status_footer(self, outer, "hint")
        footer.setSpacing(8)
        self.preview_button = make_button(self.tr("预览"), "eye-white", primary=True, parent=self,
                                          tooltip=self.tr("在程序里查看打印效果（Enter）"))
        self.print_button = make_button(self.tr("打印…"), "print", parent=self, tooltip=self.tr("选择打印机后打印"))
        self.export_button = make_button(self.tr("导出 PDF…"), "export-pdf", parent=self,
                                         tooltip=self.tr("保存为 PDF 文件"))
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        for b in (self.preview_button, self.print_button, self.export_button, self.cancel_button):
            footer.addWidget(b)

        self.period_picker.changed.connect(self._validate)
        self.mental_check.toggled.connect(self._on_mental_toggled)
        self.purpose_edit.textEdited.connect(lambda _t: self._validate())
        self.purpose_edit.editingFinished.connect(self._on_purpose_left)
        self.preview_button.clicked.connect(lambda: self.run(preview.PREVIEW))
        self.print_button.clicked.connect(lambda: self.run(preview.PRINT))
        self.export_button.clicked.connect(lambda: self.run(preview.EXPORT))
        self.cancel_button.clicked.connect(self.reject)

        self.password_box.changed.connect(self._validate)
        self.form.setRowVisible(self.purpose_row, False)
        self.form.setRowVisible(self.password_box, False)
        self.password_box.setEnabled(False)
        self._validate()
        self.resize(max(560, self.sizeHint().width()), self.sizeHint().height())
        self.period_picker.year_combo.setFocus()

    # ------------------------------------------------------------ building blocks
    def _label(self, text: str, required: bool) -> QLabel:
        label = QLabel((REQUIRED_MARK + text) if required else text, self)
        label.setMinimumWidth(72)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        label.setContentsMargins(0, 4, 0, 0)
        return label

    def _message_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setVisible(False)
        theme.set_role(label, "error")
        return label

    @staticmethod
    def _column(widget: QWidget, below: QWidget) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(widget)
        column.addWidget(below)
        return holder

    # ------------------------------------------------------------ checking
    @property
    def include_mental(self) -> bool:
        return self.mental_check.isEnabled() and self.mental_check.isChecked()

    @property
    def purpose(self) -> str:
        return self.purpose_edit.text().strip()

    def problems(self) -> dict[str, str]:
        """field -> what to do; empty when the printout can be built."""
        out: dict[str, str] = {}
        period_error = self.period_picker.error()
        if period_error:
            out["period"] = period_error
        if self.include_mental and not self.purpose:
            out["purpose"] = self.tr("请填写查阅事由：打印心理健康记录须写明用途（如 组织部调阅）")
        found = self.password_box.problem() if self.include_mental else None
        if found:
            out["password"] = found[1]
        return out

    @property
    def password(self) -> str | None:
        """The password to protect the saved PDF with (mental-health content, box ticked)."""
        return self.password_box.password if self.include_mental else None

    def _on_mental_toggled(self, checked: bool) -> None:
        self.form.setRowVisible(self.purpose_row, checked)
        self.form.setRowVisible(self.password_box, checked)
        self.password_box.setEnabled(checked)
        if checked:
            self._purpose_touched = False
            self.purpose_edit.setFocus()
        self._validate()
        self.resize(self.width(), self.sizeHint().height())

    def _on_purpose_left(self) -> None:
        if self.include_mental:
            self._purpose_touched = True
            self._validate()

    def _validate(self) -> None:
        problems = self.problems()
        self._show(self.period_message, None, problems.get("period"))
        purpose = problems.get("purpose") if self._purpose_touched else None
        self._show(self.purpose_message, self.purpose_edit, purpose)
        ok = not problems and not (self.job is not None and self.job.running)
        for b in (self.preview_button, self.print_button, self.export_button):
            b.setEnabled(ok)
        if problems:
            tip = self.tr("请先改正以下问题：") + "\n" + "\n".join(f"· {m}" for m in problems.values())
            for b in (self.preview_button, self.print_button, self.export_button):
                b.setToolTip(tip)
            names = {"period": self.tr("期间"), "purpose": self.tr("查阅事由"), "password": self.tr("文件密码")}
            self.status_label.setText(self.tr("还需填写：") + "、".join(names[k] for k in problems))
            theme.set_role(self.status_label, "warning")
        else:
            self.preview_button.setToolTip(self.tr("在程序里查看打印效果（Enter）"))
            self.print_button.setToolTip(self.tr("选择打印机后打印"))
            self.export_button.setToolTip(self.tr("保存为 PDF 文件"))
            text = self.tr("期间：{0}").format(self.period_picker.describe())
            if self.include_mental:
                text += self.tr("；包含心理健康记录")
            if self.password:
                text += self.tr("；导出的 PDF 用密码加密")
            self.status_label.setText(text)
            theme.set_role(self.status_label, "hint")

    @staticmethod
    def _show(label: QLabel, field: QWidget | None, text: str | None) -> None:
        label.setText(text or "")
        label.setVisible(bool(text))
        if field is not None:
            theme.set_state(field, "error" if text else None)

    # ------------------------------------------------------------ acting
    def run(self, action: str) -> Job | None:
        """Build the care record off the GUI thread, then 预览 / 打印 / 导出."""
        if self.job is not None and self.job.running:
            return self.job
        problems = self.problems()
        if problems:
            self._purpose_touched = True
            self._validate()
            if "purpose" in problems:
                self.purpose_edit.setFocus()
            elif "password" in problems:
                self.password_box.show_problems()
            return None
        start, end = self.period_picker.period()
        kwargs: dict[str, Any] = {"include_mental": self.include_mental,
                                  "purpose": self.purpose if self.include_mental else ""}
        if self.password:
            kwargs["password"] = self.password
        self.job = preview.build(self, printing.care_record, self.cadre_id, start, end,
                                 title=self.tr("打印关爱档案"),
                                 label=self.tr("正在生成 {0} 的关心关爱档案…").format(self.name),
                                 on_ready=lambda printout: self._on_ready(action, printout), **kwargs)
        self.job.done.connect(self._validate)
        self._validate()
        return self.job

    def _on_ready(self, action: str, printout: Any) -> None:
        target = self.parentWidget()
        self.printout_ready.emit(printout)
        self.accept()
        preview.act(target, action, printout)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.run(preview.PREVIEW)
            return
        super().keyPressEvent(event)
