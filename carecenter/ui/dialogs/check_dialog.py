"""登记体检 / 修改体检记录: the check, its items and results, and its abnormal findings.

Validation comes from ``services.health.check_problems``: an error shows in red
under its field once the clerk has left it (or after a save attempt); errors of
a finding mark the cell on its row and are listed under the table.  保存 stays
disabled while anything is wrong and its tooltip and the line beside it say
why.  Enter saves; in the multi-line fields Enter starts a new line and
Ctrl+Enter saves.  Nothing is written until ``save_check`` accepts the whole
record (one transaction with its findings).

``FormMixin`` (labels, messages under fields, the save-button state, Ctrl+Enter)
lives in ``widgets.record_form``; the findings table is ``widgets.findings_editor``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...db import queries
from ...domain.errors import DomainError, ValidationError
from ...services import health as health_service
from .. import messages, theme
from ..widgets.cadre_picker import CadrePicker
from ..widgets.date_edit import DateEdit
from ..widgets.findings_editor import FINDING_COLUMNS, FindingsEditor
from ..widgets.form_dialog import SaveFlow, box_form
from ..widgets.record_form import FormMixin
from ..widgets.record_form import date_target as target_of

DEFAULT_PACKAGE = "常规体检"


# ================================================================ the dialog

class CheckDialog(FormMixin, SaveFlow, QDialog):
    """``CheckDialog(None, cadre_id=…)`` records a check, ``CheckDialog(check_id)`` edits one.

    ``lock_cadre`` keeps the pre-filled person (opened from the detail window or
    the due list); ``package`` pre-selects the check item.  ``saved(check_id)``
    after saving."""

    saved = Signal(int)

    FIELD_NAMES = {"cadre_id": "干部", "check_date": "体检日期", "package": "体检项目"}

    def __init__(self, check_id: int | None = None, parent: QWidget | None = None, *,
                 cadre_id: int | None = None, package: str = "", lock_cadre: bool = False):
        super().__init__(parent)
        self._init_form()
        self.check_id = check_id
        self._finding_touched: set[int] = set()
        self.saved_id: int | None = None
        loaded = health_service.check_input(check_id) if check_id else None
        self._loaded = loaded
        if loaded is not None:
            cadre_id = loaded.cadre_id
            lock_cadre = True
        self.setModal(True)
        self._build()
        self._load(loaded, cadre_id, package, lock_cadre)
        self._loading = False
        self._validate()
        self.fit_to_screen(1130, 660)

    # ================================================================ building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(28)

        left = QGroupBox(self.tr("体检信息"))
        form = self._form(left)
        self.picker = CadrePicker()
        self.picker.cadre_changed.connect(lambda _c: self._on_choice("cadre_id"))
        self.add_field(form, "cadre_id", "干部", self.picker, required=True)
        self.date_edit = DateEdit(field="check_date", label=self.tr("体检日期"))
        self.date_edit.edited.connect(lambda: self._on_edited("check_date"))
        self.date_edit.editing_finished.connect(lambda: self._on_left("check_date"))
        self.add_field(form, "check_date", "体检日期", self.date_edit, required=True)
        self.institution = QLineEdit()
        self.institution.setMaxLength(100)
        self.institution.setPlaceholderText(self.tr("如 县人民医院体检中心"))
        self.institution.textEdited.connect(lambda _t: self._on_edited("institution"))
        self.institution.editingFinished.connect(lambda: self._on_left("institution"))
        self.add_field(form, "institution", "体检机构", self.institution)
        self.package = QComboBox()
        self.package.setEditable(True)
        self.package.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.package.lineEdit().setMaxLength(30)
        self.package.lineEdit().setPlaceholderText(self.tr("选择或输入，如 常规体检"))
        self.package.addItems(self._package_names())
        self.package.setCurrentIndex(-1)
        self.package.editTextChanged.connect(lambda _t: self._on_edited("package"))
        self.package.lineEdit().editingFinished.connect(lambda: self._on_left("package"))
        self.package.activated.connect(lambda _i: self._on_choice("package"))
        self.add_field(form, "package", "体检项目", self.package, required=True)
        top.addWidget(left, 1, Qt.AlignmentFlag.AlignTop)

        right = QGroupBox(self.tr("检查结果"))
        form = self._form(right)
        self.items_edit = QPlainTextEdit()
        self.items_edit.setPlaceholderText(self.tr("每行一项，如：血压 128/82 mmHg；空腹血糖 5.4 mmol/L"))
        self.items_edit.setFixedHeight(84)
        self.watch_multiline(self.items_edit)
        self.items_edit.textChanged.connect(lambda: self._on_edited("items"))
        self.add_field(form, "items", "检查项目及结果", self.items_edit)
        self.conclusion_edit = QPlainTextEdit()
        self.conclusion_edit.setPlaceholderText(self.tr("如 未见明显异常"))
        self.conclusion_edit.setFixedHeight(56)
        self.watch_multiline(self.conclusion_edit)
        self.conclusion_edit.textChanged.connect(lambda: self._on_edited("conclusion"))
        self.add_field(form, "conclusion", "总体结论", self.conclusion_edit)
        self.notes_edit = QLineEdit()
        self.notes_edit.setMaxLength(200)
        self.notes_edit.textEdited.connect(lambda _t: self._on_edited("notes"))
        self.add_field(form, "notes", "备注", self.notes_edit)
        top.addWidget(right, 1, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        box = QGroupBox(self.tr("异常结果及随访"))
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 8, 0, 0)
        inner.setSpacing(4)
        self.findings = FindingsEditor(box)
        self.findings.changed.connect(lambda: self._on_edited("findings"))
        self.findings.row_left.connect(self._on_finding_row_left)
        inner.addWidget(self.findings, 1)
        self.findings_message = QLabel()
        self.findings_message.setWordWrap(True)
        self.findings_message.setVisible(False)
        theme.set_role(self.findings_message, "error")
        inner.addWidget(self.findings_message)
        hint = QLabel(self.tr("有复查日期的异常会进入「异常随访」提醒名单，关闭后移出；移除的异常在保存后才生效。"
                              "多行输入框中按 Enter 换行，按 Ctrl+Enter 保存。"))
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        inner.addWidget(hint)
        outer.addWidget(box, 1)
        self.make_footer(outer)

    def _form(self, box: QGroupBox) -> QFormLayout:
        return box_form(box, 7)

    def _package_names(self) -> list[str]:
        return sorted(set(health_service.packages()) | set(queries.check_packages()))

    def _chain_tab_order(self) -> None:
        order = [self.picker, self.date_edit.line_edit, self.institution, self.package, self.items_edit,
                 self.conclusion_edit, self.notes_edit, self.findings.first_widget(), self.save_button,
                 self.cancel_button]
        if self.picker.isReadOnly():
            order.remove(self.picker)
        for a, b in zip(order, order[1:]):
            if a is not b:
                QWidget.setTabOrder(a, b)

    # ================================================================ loading
    def _load(self, loaded: health_service.CheckInput | None, cadre_id: int | None, package: str,
              lock_cadre: bool) -> None:
        if cadre_id:
            self.picker.set_cadre(cadre_id)
        if lock_cadre and self.picker.cadre_id is not None:
            self.picker.setReadOnly(True)
            self.picker.setToolTip(self.tr("从干部详情或应检名单登记，干部已确定"))
            self.picker.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        name = ""
        if self.picker.cadre_id is not None:
            label = queries.picker_label(self.picker.cadre_id)
            name = label[1] if label else ""
        if loaded is not None:
            self.setWindowTitle(self.tr("修改体检记录 — {0}").format(name))
            self.date_edit.setValue(loaded.check_date)
            self.institution.setText(loaded.institution)
            self._set_package(loaded.package)
            self.items_edit.setPlainText(loaded.items)
            self.conclusion_edit.setPlainText(loaded.conclusion)
            self.notes_edit.setText(loaded.notes)
            self.findings.set_findings(loaded.findings)
        else:
            self.setWindowTitle(self.tr("登记体检 — {0}").format(name) if name else self.tr("登记体检"))
            names = [self.package.itemText(i) for i in range(self.package.count())]
            self._set_package(package or (DEFAULT_PACKAGE if DEFAULT_PACKAGE in names else ""))
        self._chain_tab_order()
        if self.picker.isReadOnly():
            self.date_edit.setFocus()
        else:
            self.picker.setFocus()

    def _set_package(self, name: str) -> None:
        index = self.package.findText(name) if name else -1
        if index < 0 and name:
            self.package.addItem(name)
            index = self.package.findText(name)
        self.package.setCurrentIndex(index)
        if index < 0:
            self.package.setEditText("")

    # ================================================================ reading
    def collect(self) -> tuple[health_service.CheckInput, list[DomainError]]:
        findings, local = self.findings.findings()
        err = self.date_edit.error()
        if err is not None:
            local.insert(0, err)
        inp = health_service.CheckInput(
            cadre_id=self.picker.cadre_id, check_date=self.date_edit.value(),
            institution=self.institution.text(), package=self.package.currentText(),
            items=self.items_edit.toPlainText(), conclusion=self.conclusion_edit.toPlainText(),
            notes=self.notes_edit.text(), findings=findings)
        return inp, local

    def collect_errors(self) -> list[DomainError]:
        inp, local = self.collect()
        checked = health_service.check_problems(inp, self.check_id)
        local_keys = {(e.field, e.params.get("row"), e.params.get("key")) for e in local}
        return local + [e for e in checked
                        if (e.field, e.params.get("row"), e.params.get("key")) not in local_keys
                        and not (e.field == "check_date" and ("check_date", None, None) in local_keys)]

    # ================================================================ reacting
    def _on_finding_row_left(self, row: int) -> None:
        if self._loading:
            return
        self._finding_touched.add(row + 1)
        self._validate()

    def _show_messages(self) -> None:
        super()._show_messages()
        visible = [e for e in self._errors if e.field == "findings"
                   and (e.params.get("row") in self._finding_touched or "findings" in self._touched)]
        self.findings.mark_cells({(e.params.get("row"), e.params.get("key")) for e in visible})
        if visible:
            self.findings_message.setText("\n".join(dict.fromkeys(e.message for e in visible[:4])))
            self.findings_message.setVisible(True)
        else:
            self.findings_message.setVisible(False)
            self.findings_message.setText("")

    def reveal_errors(self) -> None:
        self._touched.add("findings")
        super().reveal_errors()
        if self._errors and all(e.field == "findings" for e in self._errors[:1]):
            row = (self._errors[0].params.get("row") or 1) - 1
            key = self._errors[0].params.get("key") or "item"
            if 0 <= row < self.findings.row_count() and key in FINDING_COLUMNS:
                target_of(self.findings.row_widgets(row)[key]).setFocus()

    # ================================================================ saving
    def save(self) -> bool:
        self._validate()
        if self._errors:
            self.reveal_errors()
            return False
        inp, _local = self.collect()
        try:
            check_id = health_service.save_check(inp, self.check_id)
        except ValidationError as err:
            self._errors = list(err.errors)
            self.reveal_errors()
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.saved_id = check_id
        self.check_id = check_id
        self._dirty = False
        self.saved.emit(check_id)
        self.accept()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier):
            if self.picker.hasFocus() and self.picker.cadre_id is None and self.picker.text().strip():
                if self.picker.choose_first():
                    self._touched.add("cadre_id")
                    self._validate()
                    self.date_edit.setFocus()
                    return
            self.save()
            return
        super().keyPressEvent(event)
