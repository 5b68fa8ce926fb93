"""登记体检 / 修改体检记录: the check, its items and results, and its abnormal findings.

Validation comes from ``services.health.check_problems``: an error shows in red
under its field once the clerk has left it (or after a save attempt); errors of
a finding mark the cell on its row and are listed under the table.  保存 stays
disabled while anything is wrong and its tooltip and the line beside it say
why.  Enter saves; in the multi-line fields Enter starts a new line and
Ctrl+Enter saves.  Nothing is written until ``save_check`` accepts the whole
record (one transaction with its findings).

``FormMixin`` (labels, messages under fields, the save-button state, Ctrl+Enter)
is shared with the other health dialogs.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...db import queries
from ...domain.errors import DomainError, ValidationError
from ...services import health as health_service
from .. import messages, theme
from ..widgets.cadre_picker import CadrePicker
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button

REQUIRED_MARK = "<span style='color:#c62828'>*</span> "
DEFAULT_PACKAGE = "常规体检"


def required_label(text: str, required: bool) -> QLabel:
    label = QLabel((REQUIRED_MARK + text) if required else text)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.setMinimumWidth(88)
    return label


def target_of(widget: QWidget) -> QWidget:
    """The widget that shows the error border (a DateEdit's line edit, a combo's editor …)."""
    if isinstance(widget, DateEdit):
        return widget.line_edit
    return widget


class FormMixin:
    """Messages under fields, touched-field tracking, the save-button state and Ctrl+Enter.

    The dialog provides ``inputs``/``messages`` dicts, ``save_button``,
    ``status_label``, ``FIELD_NAMES`` (field → Chinese name for "还需填写：…"),
    ``collect_errors()`` and ``save()``."""

    FIELD_NAMES: dict[str, str] = {}

    def _init_form(self) -> None:
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._errors: list[DomainError] = []
        self._dirty = False
        self._loading = True

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget, *,
                  required: bool = False, extra: QWidget | None = None) -> None:
        self.inputs[key] = widget
        message = QLabel()
        message.setWordWrap(True)
        message.setVisible(False)
        theme.set_role(message, "error")
        self.messages[key] = message
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if extra is not None:
            line = QHBoxLayout()
            line.setSpacing(8)
            line.addWidget(widget, 1)
            line.addWidget(extra)
            column.addLayout(line)
        else:
            column.addWidget(widget)
        column.addWidget(message)
        lab = required_label(self.tr(label), required)
        lab.setBuddy(widget)
        form.addRow(lab, holder)

    def watch_multiline(self, edit: QPlainTextEdit) -> None:
        """Tab leaves the field, Enter is a new line, Ctrl+Enter saves."""
        edit.setTabChangesFocus(True)
        edit.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if isinstance(obj, QPlainTextEdit) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.save()
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ reacting
    def _on_edited(self, key: str) -> None:
        if self._loading:
            return
        self._dirty = True
        self._validate()

    def _on_left(self, key: str) -> None:
        if self._loading:
            return
        self._touched.add(key)
        self._validate()

    def _on_choice(self, key: str) -> None:
        if self._loading:
            return
        self._dirty = True
        self._touched.add(key)
        self._validate()

    def _validate(self) -> None:
        self._errors = self.collect_errors()
        self._show_messages()

    @property
    def errors(self) -> list[DomainError]:
        return list(self._errors)

    def is_valid(self) -> bool:
        return not self._errors

    def _field_errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for err in self._errors:
            if err.field in self.messages and err.field in self._touched:
                out.setdefault(err.field, []).append(err.message)
        return out

    def _show_messages(self) -> None:
        shown = self._field_errors()
        for key, label in self.messages.items():
            texts = shown.get(key)
            widget = self.inputs.get(key)
            if texts:
                label.setText("\n".join(dict.fromkeys(texts)))
                label.setVisible(True)
                if widget is not None:
                    theme.set_state(target_of(widget), "error")
            else:
                label.setVisible(False)
                label.setText("")
                if widget is not None:
                    theme.set_state(target_of(widget), None)
        self._update_save_state()

    def _update_save_state(self) -> None:
        valid = not self._errors
        self.save_button.setEnabled(valid)
        if valid:
            self.save_button.setToolTip(self.tr("保存（Enter）"))
            self.status_label.setText("")
            theme.set_role(self.status_label, "info")
            return
        self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
            f"· {e.message}" for e in self._errors))
        untouched = [e for e in self._errors if e.field not in self._touched]
        calm = all(e.code in ("required", "consent_required") and e.field in self.FIELD_NAMES for e in self._errors)
        if len(untouched) == len(self._errors) and calm:
            names = list(dict.fromkeys(self.tr(self.FIELD_NAMES[e.field]) for e in self._errors))
            self.status_label.setText(self.tr("还需填写：") + "、".join(names))
            theme.set_role(self.status_label, "info")
        else:
            first = [e for e in self._errors if e.field in self._touched] or self._errors
            more = self.tr("（共 {0} 处需要改正）").format(len(self._errors)) if len(self._errors) > 1 else ""
            self.status_label.setText(self.tr("还不能保存：") + first[0].message + more)
            theme.set_role(self.status_label, "error")

    def reveal_errors(self) -> None:
        """Show every error (as after a save attempt) and put the cursor on the first one."""
        self._touched.update(self.messages.keys())
        self._show_messages()
        for err in self._errors:
            widget = self.inputs.get(err.field or "")
            if widget is not None and widget.isEnabled():
                target_of(widget).setFocus()
                break

    def confirm_discard(self) -> bool:
        if not self._dirty:
            return True
        return messages.confirm(self, self.tr("放弃未保存的修改？"), self.tr("放弃修改"),
                                cancel_text=self.tr("继续编辑"))

    def make_footer(self, outer: QVBoxLayout, required_hint: bool = True) -> None:
        footer = QHBoxLayout()
        footer.setSpacing(10)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        footer.addWidget(self.status_label, 1)
        if required_hint:
            hint = QLabel(self.tr("带 <span style='color:#c62828'>*</span> 为必填项"), self)
            theme.set_role(hint, "hint")
            footer.addWidget(hint)
        self.save_button = make_button(self.tr("保存"), primary=True, parent=self)
        self.save_button.setDefault(True)
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        footer.addWidget(self.save_button)
        footer.addWidget(self.cancel_button)
        outer.addLayout(footer)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

    def fit_to_screen(self, width: int, height: int) -> None:
        self.resize(width, height)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(width, screen.width() - 40), min(height, screen.height() - 60))


# ================================================================ findings table

FINDING_COLUMNS = ["item", "description", "level", "notified_date", "referral", "recheck_due", "outcome",
                   "closed", "closed_date"]
FINDING_HEADERS = {"item": "异常项目", "description": "描述", "level": "级别", "notified_date": "告知日期",
                   "referral": "转诊科室/医院", "recheck_due": "复查日期", "outcome": "结果", "closed": "已关闭",
                   "closed_date": "关闭日期"}
FINDING_WIDTHS = {"item": 116, "level": 108, "notified_date": 128, "referral": 128, "recheck_due": 128,
                  "outcome": 116, "closed": 58, "closed_date": 128}
FINDING_DATES = ("notified_date", "recheck_due", "closed_date")
LEVEL_TEXT = {"A": "A类", "B": "B类"}
ROW_HEIGHT = 36


class FindingsEditor(QWidget):
    """The abnormal findings of one check, one row of ordinary input widgets each.

    ``changed`` on every edit, ``row_left(row)`` when the clerk finishes a cell of a row."""

    changed = Signal()
    row_left = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.table = QTableWidget(0, len(FINDING_COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(FINDING_HEADERS[c]) for c in FINDING_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(48)
        for i, col in enumerate(FINDING_COLUMNS):
            if col in FINDING_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table.setColumnWidth(i, FINDING_WIDTHS[col])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.add_button = make_button(self.tr("添加异常"), "health-finding-add", parent=self,
                                      tooltip=self.tr("添加一条异常结果"))
        self.remove_button = make_button(self.tr("移除异常"), "health-finding-remove", parent=self,
                                         tooltip=self.tr("移除所选异常结果（保存后生效）"))
        self.remove_button.setEnabled(False)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addSpacing(12)
        # the levels said on the form, not only in a tooltip
        self.level_legend = QLabel(self.tr("分级：A类 需立即临床处置；B类 需进一步检查或治疗"), self)
        self.level_legend.setObjectName("FindingLevelLegend")
        theme.set_role(self.level_legend, "hint")
        buttons.addWidget(self.level_legend)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self.remove_current_row)
        self.table.itemSelectionChanged.connect(self._update_buttons)

    # ------------------------------------------------------------ rows
    def set_findings(self, findings: list[health_service.FindingInput]) -> None:
        self.table.setRowCount(0)
        self._rows.clear()
        for f in findings:
            self.add_row(f, focus=False)
        self._update_buttons()

    def row_count(self) -> int:
        return len(self._rows)

    def row_widgets(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def _on_add_button_clicked(self) -> None:
        self.add_row(focus=True)
        self.changed.emit()

    def add_row(self, finding: health_service.FindingInput | None = None, *, focus: bool = True) -> int:
        f = finding or health_service.FindingInput()
        row = self.table.rowCount()
        self.table.insertRow(row)
        w: dict[str, Any] = {"id": f.id}
        w["item"] = QLineEdit(f.item)
        w["item"].setMaxLength(60)
        w["item"].setPlaceholderText(self.tr("如 血压"))
        w["description"] = QLineEdit(f.description)
        w["description"].setPlaceholderText(self.tr("如 收缩压 150 mmHg"))
        w["level"] = QComboBox()
        w["level"].setPlaceholderText(self.tr("请选择"))
        for code, text in LEVEL_TEXT.items():
            w["level"].addItem(self.tr(text), code)
            w["level"].setItemData(w["level"].count() - 1, self.tr(health_service.FINDING_LEVELS[code]),
                                   Qt.ItemDataRole.ToolTipRole)
        w["level"].setCurrentIndex(w["level"].findData(f.level) if f.level else -1)
        w["level"].setToolTip(self.tr("A类：需立即临床处置；B类：需进一步检查或治疗"))
        labels = {"notified_date": "告知日期", "recheck_due": "复查日期", "closed_date": "关闭日期"}
        for key in FINDING_DATES:
            w[key] = DateEdit(field="findings", label=self.tr(labels[key]), compact=True)
            w[key].setValue(getattr(f, key))
            w[key].line_edit.setPlaceholderText("")
        w["referral"] = QLineEdit(f.referral)
        w["referral"].setMaxLength(100)
        w["outcome"] = QLineEdit(f.outcome)
        w["outcome"].setPlaceholderText(self.tr("如 复查正常"))
        box = QWidget()
        box_layout = QHBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        w["closed"] = QCheckBox(box)
        w["closed"].setChecked(bool(f.closed))
        w["closed"].setToolTip(self.tr("随访已结束（需填写结果和关闭日期）"))
        box_layout.addWidget(w["closed"])
        for i, col in enumerate(FINDING_COLUMNS):
            self.table.setCellWidget(row, i, box if col == "closed" else w[col])
        self._rows.append(w)
        for key in FINDING_COLUMNS:
            widget = w[key]
            target_of(widget).installEventFilter(self)
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._on_cell_changed)
                widget.editingFinished.connect(lambda wid=widget: self._on_cell_left(wid))
            elif isinstance(widget, DateEdit):
                widget.edited.connect(self._on_cell_changed)
                widget.editing_finished.connect(lambda wid=widget: self._on_cell_left(wid))
            elif isinstance(widget, QComboBox):
                widget.activated.connect(lambda _i, wid=widget: self._on_cell_chosen(wid))
            else:
                widget.toggled.connect(lambda on, wid=widget: self._on_closed_toggled(wid, on))
        self._chain_tab_order()
        if focus:
            self.table.selectRow(row)
            self.table.scrollToBottom()
            w["item"].setFocus()
        self._update_buttons()
        return row

    def remove_current_row(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self.table.removeRow(row)
        del self._rows[row]
        if self._rows:
            self.table.selectRow(min(row, len(self._rows) - 1))
        self._chain_tab_order()
        self._update_buttons()
        self.changed.emit()

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _row_of(self, widget) -> int:
        for i, w in enumerate(self._rows):
            for key in FINDING_COLUMNS:
                cell = w[key]
                if cell is widget or target_of(cell) is widget:
                    return i
        return -1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.FocusIn:
            row = self._row_of(obj)
            if row >= 0 and row != self.current_row():
                self.table.selectRow(row)
        return super().eventFilter(obj, event)

    def _chain_tab_order(self) -> None:
        order = [target_of(w[key]) for w in self._rows for key in FINDING_COLUMNS]
        order.append(self.add_button)
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def first_widget(self) -> QWidget:
        return self._rows[0]["item"] if self._rows else self.add_button

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.current_row() >= 0)

    def _on_cell_changed(self, *_args) -> None:
        self.changed.emit()

    def _on_cell_left(self, widget) -> None:
        row = self._row_of(widget)
        if row >= 0:
            self.row_left.emit(row)

    def _on_cell_chosen(self, widget) -> None:
        self.changed.emit()
        self._on_cell_left(widget)

    def _on_closed_toggled(self, widget, on: bool) -> None:
        row = self._row_of(widget)
        if row >= 0 and on:
            closed_date: DateEdit = self._rows[row]["closed_date"]
            if not closed_date.text().strip():
                closed_date.setValue(date.today())
        self.changed.emit()
        if row >= 0:
            self.row_left.emit(row)

    # ------------------------------------------------------------ data
    def findings(self) -> tuple[list[health_service.FindingInput], list[DomainError]]:
        """The rows for the service, plus errors the date widgets found themselves."""
        out: list[health_service.FindingInput] = []
        errors: list[DomainError] = []
        for i, w in enumerate(self._rows, start=1):
            for key in FINDING_DATES:
                err = w[key].error()
                if err is not None:
                    errors.append(DomainError(err.code, self.tr("异常结果第{0}条：").format(i) + err.message,
                                              "findings", row=i, key=key))
            level = w["level"].currentData() if w["level"].currentIndex() >= 0 else ""
            out.append(health_service.FindingInput(
                item=w["item"].text(), description=w["description"].text(), level=level or "",
                notified_date=w["notified_date"].value(), referral=w["referral"].text(),
                recheck_due=w["recheck_due"].value(), outcome=w["outcome"].text(),
                closed=w["closed"].isChecked(), closed_date=w["closed_date"].value(), id=w["id"]))
        return out, errors

    def mark_cells(self, cells: set[tuple[int, str]]) -> None:
        """Red border on the cells that have an error ((1-based row, column key))."""
        for i, w in enumerate(self._rows, start=1):
            for key in FINDING_COLUMNS:
                if key == "closed":
                    continue
                theme.set_state(target_of(w[key]), "error" if (i, key) in cells else None)


# ================================================================ the dialog

class CheckDialog(FormMixin, QDialog):
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
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(7)
        form.setContentsMargins(0, 8, 0, 0)
        return form

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

    def reject(self) -> None:
        if not self.confirm_discard():
            return
        self._dirty = False
        super().reject()

