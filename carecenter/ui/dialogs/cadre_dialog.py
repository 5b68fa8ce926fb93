"""Add or edit a cadre: every roster field, grouped on three tabs, validated as the clerk types.

Validation comes from ``services.roster.check_cadre``: errors appear in red under
their field once the clerk has left it (or typed a complete ID number), warnings
(typed birth date / sex disagreeing with the ID number) in amber; 保存 stays
disabled while anything is wrong and the line beside it says why.  Nothing is
written until ``save_cadre`` accepts the whole record.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain import idcard
from ...domain import roster as rules
from ...domain.errors import DomainError
from ...services import choices
from ...services import roster as roster_service
from .. import theme
from ..widgets.date_edit import DateEdit
from ..widgets.family_editor import FamilyEditor
from ..widgets.form_dialog import SaveFlow, blocked_status, fit_to_screen, hinted_footer, savable_status

REQUIRED = {"name", "id_number", "unit_id", "employment_status"}
MONTH_DATES = set(rules.MONTH_DATE_FIELDS)
DATE_FIELDS = {"birth_date"} | MONTH_DATES
TEXT_LIMITS = {"name": 40, "native_place": 60, "phone": 20, "emergency_contact": 40,
               "emergency_phone": 20, "post": 60, "id_number": 24}
PLACEHOLDERS = {
    "id_number": "18位，输入后自动填出生日期和性别",
    "phone": "手机或座机，如 0577-12345678",
    "emergency_phone": "手机或座机",
    "native_place": "如 浙江温州",
    "post": "如 党政办主任",
}

# tab title -> [(group title, [fields])]
LAYOUT: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("基本信息", [
        ("个人信息", ["name", "id_number", "birth_date", "sex", "ethnicity", "native_place",
                  "marital_status", "only_child", "phone"]),
        ("单位与职务", ["unit_id", "post", "leadership_level", "rank", "pay_grade",
                   "personnel_status", "position_category", "employment_status"]),
    ]),
    ("学历与工作时间", [
        ("政治面貌与学历", ["political_status", "party_join_date", "education_fulltime", "degree_fulltime",
                     "education_inservice", "degree_inservice"]),
        ("工作时间", ["work_start_date", "township_start_date", "current_post_date"]),
    ]),
    ("家庭与联系人", [
        ("紧急联系人", ["emergency_contact", "emergency_phone"]),
        ("其他", ["notes"]),
    ]),
]
WORK_DATES_HINT = ("参加工作时间决定年休假天数，到乡镇工作时间决定乡镇工作补贴。"
                   "只知道年月时可只填年月，如 1985.03。")
NEW_DEFAULTS = {"ethnicity": "汉族", "personnel_status": "公务员", "position_category": "综合管理类",
                "employment_status": "在职", "leadership_level": "无"}


class CadreDialog(SaveFlow, QDialog):
    """``CadreDialog(None)`` adds a cadre, ``CadreDialog(cadre_id)`` edits one; ``saved(id)`` after saving."""

    saved = Signal(int)

    def __init__(self, cadre_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.result_info: roster_service.SaveResult | None = None
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self._field_tab: dict[str, int] = {}
        self._touched: set[str] = set()
        self._errors: list[DomainError] = []
        self._warnings: list[DomainError] = []
        self._dirty = False
        self._loading = True
        self._auto_birth: date | None = None
        self._auto_sex: str | None = None
        self._lists = choices.all_lists()

        record = roster_service.get_cadre(cadre_id) if cadre_id else None
        self._record = record
        self.setWindowTitle(self.tr("修改干部信息 — {0}").format(record["name"]) if record
                            else self.tr("新增干部"))
        self.setModal(True)
        self._build()
        self._load(record)
        self._loading = False
        self._validate()
        self._fit_to_screen()

    # ================================================================ building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        self.tabs = QTabWidget(self)
        outer.addWidget(self.tabs, 1)
        for tab_index, (tab_title, groups) in enumerate(LAYOUT):
            page = QWidget()
            page.setObjectName("FormArea")
            if tab_index == 2:
                self._build_family_tab(page, groups, tab_index)
            else:
                row = QHBoxLayout(page)
                row.setContentsMargins(18, 8, 18, 12)
                row.setSpacing(28)
                for group_title, fields in groups:
                    box = self._group(group_title, fields, tab_index)
                    if group_title == "工作时间":
                        hint = QLabel(self.tr(WORK_DATES_HINT))
                        hint.setWordWrap(True)
                        theme.set_role(hint, "hint")
                        box.layout().addRow(hint)
                    row.addWidget(box, 1, Qt.AlignmentFlag.AlignTop)
            self.tabs.addTab(page, self.tr(tab_title))

        self.required_hint = hinted_footer(self, outer)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self._chain_tab_order()

    def _group(self, title: str, fields: list[str], tab_index: int) -> QGroupBox:
        box = QGroupBox(self.tr(title))
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(7)
        form.setContentsMargins(0, 8, 0, 0)
        for field in fields:
            self._add_field(form, field, tab_index)
        return box

    def _label(self, field: str) -> QLabel:
        text = self.tr(rules.CADRE_LABELS[field])
        if field in REQUIRED:
            text = f"<span style='color:#c62828'>*</span> {text}"
        label = QLabel(text)
        label.setMinimumWidth(96)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _add_field(self, form: QFormLayout, field: str, tab_index: int) -> None:
        widget = self._make_input(field)
        self.inputs[field] = widget
        self._field_tab[field] = tab_index
        message = QLabel()
        message.setWordWrap(True)
        message.setVisible(False)
        message.setObjectName(f"msg_{field}")
        self.messages[field] = message
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if field == "birth_date":
            line = QHBoxLayout()
            line.setSpacing(8)
            line.addWidget(widget, 1)
            self.age_label = QLabel()
            theme.set_role(self.age_label, "hint")
            self.age_label.setMinimumWidth(48)
            line.addWidget(self.age_label)
            column.addLayout(line)
        else:
            column.addWidget(widget)
        column.addWidget(message)
        label = self._label(field)
        label.setBuddy(widget)
        form.addRow(label, holder)

    def _make_input(self, field: str) -> QWidget:
        label = rules.CADRE_LABELS[field]
        if field in DATE_FIELDS:
            w = DateEdit(allow_month=field in MONTH_DATES, field=field, label=label,
                         placeholder=self.tr("如 1985-03-10") if field == "birth_date" else "")
            w.edited.connect(lambda f=field: self._on_edited(f))
            w.editing_finished.connect(lambda f=field: self._on_left(f))
            return w
        if field == "only_child":
            w = QCheckBox(self.tr("是"))
            w.toggled.connect(lambda _v, f=field: self._on_choice(f))
            return w
        if field == "notes":
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setFixedHeight(96)
            w.setPlaceholderText(self.tr("其他需要记录的情况"))
            w.textChanged.connect(lambda f=field: self._on_edited(f))
            return w
        if field == "unit_id":
            w = QComboBox()
            w.setPlaceholderText(self.tr("请选择单位"))
            w.setMaxVisibleItems(20)
            w.activated.connect(lambda _i, f=field: self._on_choice(f))
            return w
        if field == "pay_grade":
            w = QComboBox()
            w.addItem("", 0)  # 0 = not filled in (never None as item data: see theme.py)
            for grade in range(1, 28):
                w.addItem(self.tr("{0} 级").format(grade), grade)
            w.setMaxVisibleItems(15)
            w.activated.connect(lambda _i, f=field: self._on_choice(f))
            return w
        if field in rules.CADRE_CHOICES:
            w = QComboBox()
            values = self._lists.get(rules.CADRE_CHOICES[field], [])
            if field in REQUIRED:
                w.setPlaceholderText(self.tr("请选择"))
            else:
                w.addItem("")
            w.addItems(values)
            w.setMaxVisibleItems(15)
            w.activated.connect(lambda _i, f=field: self._on_choice(f))
            return w
        w = QLineEdit()
        w.setMaxLength(TEXT_LIMITS.get(field, 100))
        if field in PLACEHOLDERS:
            w.setPlaceholderText(self.tr(PLACEHOLDERS[field]))
        w.textEdited.connect(lambda _t, f=field: self._on_edited(f))
        w.editingFinished.connect(lambda f=field: self._on_left(f))
        return w

    def _build_family_tab(self, page: QWidget, groups, tab_index: int) -> None:
        column = QVBoxLayout(page)
        column.setContentsMargins(18, 8, 18, 12)
        column.setSpacing(4)
        top = QHBoxLayout()
        top.setSpacing(28)
        for group_title, fields in groups:
            top.addWidget(self._group(group_title, fields, tab_index), 1, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        box = QGroupBox(self.tr("家庭成员"))
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 8, 0, 0)
        self.family = FamilyEditor(self._lists.get("relation", []), box)
        self.family.changed.connect(lambda: self._on_edited("family"))
        self.family.editing_finished.connect(lambda: self._on_left("family"))
        inner.addWidget(self.family, 1)
        self.family_message = QLabel()
        self.family_message.setWordWrap(True)
        self.family_message.setVisible(False)
        inner.addWidget(self.family_message)
        hint = QLabel(self.tr("是否同住关系到探亲假；移除的成员在保存后才生效。"))
        theme.set_role(hint, "hint")
        inner.addWidget(hint)
        column.addWidget(box, 1)
        self.messages["family"] = self.family_message
        self._field_tab["family"] = tab_index

    def _focus_order(self) -> list[QWidget]:
        order: list[QWidget] = []
        for _tab, groups in LAYOUT:
            for _g, fields in groups:
                for f in fields:
                    w = self.inputs[f]
                    order.append(w.line_edit if isinstance(w, DateEdit) else w)
        return order

    def focusNextPrevChild(self, next_: bool) -> bool:  # noqa: N802 - Qt naming
        """Tab from the last field of a tab page goes on to the next page's first field (and
        Shift+Tab back), instead of staying on the first page: a hidden page's fields are not
        in Qt's focus chain."""
        current = self.focusWidget()
        order = self._focus_order()
        while current is not None and current not in order and current is not self:
            current = current.parentWidget()   # the line edit inside an editable combo box
        if current in order:
            j = order.index(current) + (1 if next_ else -1)
            if 0 <= j < len(order):
                target = order[j]
                tab = self._widget_tab().get(target)
                if tab is not None and tab != self.tabs.currentIndex():
                    self.tabs.tabBar().setFocus()   # off the page about to be hidden (Qt would move it)
                    self.tabs.setCurrentIndex(tab)
                    target.setFocus(Qt.FocusReason.TabFocusReason if next_ else Qt.FocusReason.BacktabFocusReason)
                    return True
        return super().focusNextPrevChild(next_)

    def _widget_tab(self) -> dict[QWidget, int]:
        out: dict[QWidget, int] = {}
        for field, tab in self._field_tab.items():
            w = self.inputs.get(field)
            if w is not None:
                out[w.line_edit if isinstance(w, DateEdit) else w] = tab
        return out

    def _chain_tab_order(self) -> None:
        order = self._focus_order()
        order += [self.family.first_widget(), self.save_button, self.cancel_button]
        for a, b in zip(order, order[1:]):
            if a is not b:
                QWidget.setTabOrder(a, b)

    def _fit_to_screen(self) -> None:
        fit_to_screen(self, 960, 580)

    # ================================================================ loading
    def _load(self, record: dict[str, Any] | None) -> None:
        units = roster_service.list_units(include_archived=False, with_counts=False)
        combo: QComboBox = self.inputs["unit_id"]  # type: ignore[assignment]
        for u in units:
            combo.addItem(u["name"], u["id"])
        if record and combo.findData(record["unit_id"]) < 0:
            combo.addItem(self.tr("{0}（已归档）").format(record["unit_name"]), record["unit_id"])
        values = dict(record) if record else dict(NEW_DEFAULTS)
        if not record:
            values["unit_id"] = None
        for field, widget in self.inputs.items():
            self._set_value(field, widget, values.get(field))
        self.family.set_members(record["family"] if record else [])
        if record:
            info = self._id_info()
            if info:
                self._auto_birth, self._auto_sex = info.birth_date, info.sex
        self._update_age()
        self.inputs["name"].setFocus()

    def _set_value(self, field: str, widget: QWidget, value: Any) -> None:
        if isinstance(widget, DateEdit):
            widget.setValue(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value or "")
        elif isinstance(widget, QComboBox):
            if field in ("unit_id", "pay_grade"):
                widget.setCurrentIndex(widget.findData(value) if value is not None else
                                       (-1 if field == "unit_id" else 0))
            else:
                text = value or ""
                index = widget.findText(text)
                if index < 0 and text:
                    widget.addItem(text)  # a value no longer in the list: kept, flagged by the check
                    index = widget.findText(text)
                widget.setCurrentIndex(index)
        elif isinstance(widget, QLineEdit):
            widget.setText("" if value is None else str(value))

    # ================================================================ reading
    def _value(self, field: str) -> Any:
        widget = self.inputs[field]
        if isinstance(widget, DateEdit):
            return widget.value()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            if field in ("unit_id", "pay_grade"):
                return (widget.currentData() or None) if widget.currentIndex() >= 0 else None
            return widget.currentText() if widget.currentIndex() >= 0 else ""
        return widget.text()  # type: ignore[union-attr]

    def collect(self) -> tuple[dict[str, Any], list[dict[str, Any]], list[DomainError]]:
        """(data for the service, family rows, errors found by the widgets themselves)."""
        data: dict[str, Any] = {}
        local: list[DomainError] = []
        for field in roster_service.CADRE_FIELDS:
            widget = self.inputs[field]
            if isinstance(widget, DateEdit):
                err = widget.error()
                if err is not None:
                    local.append(err)
            data[field] = self._value(field)
        family, family_errors = self.family.members()
        return data, family, local + family_errors

    def _id_info(self) -> idcard.IdInfo | None:
        try:
            return idcard.parse(self.inputs["id_number"].text())  # type: ignore[union-attr]
        except DomainError:
            return None

    # ================================================================ reacting
    def _on_edited(self, field: str) -> None:
        if self._loading:
            return
        self._dirty = True
        if field == "id_number":
            self._on_id_edited()
        if field == "birth_date":
            self._update_age()
        self._validate()

    def _on_left(self, field: str) -> None:
        if self._loading:
            return
        self._touched.add(field)
        if field == "birth_date":
            self._update_age()
        self._validate()

    def _on_choice(self, field: str) -> None:
        if self._loading:
            return
        self._dirty = True
        self._touched.add(field)
        self._validate()

    def _on_id_edited(self) -> None:
        text = self.inputs["id_number"].text()  # type: ignore[union-attr]
        if len(idcard.normalise(text)) >= 18:
            self._touched.add("id_number")
        info = self._id_info()
        if info is None:
            return
        birth: DateEdit = self.inputs["birth_date"]  # type: ignore[assignment]
        sex: QComboBox = self.inputs["sex"]  # type: ignore[assignment]
        if not birth.text().strip() or birth.value() == self._auto_birth:
            birth.setValue(info.birth_date)
        current_sex = sex.currentText() if sex.currentIndex() >= 0 else ""
        if not current_sex or current_sex == self._auto_sex:
            sex.setCurrentIndex(sex.findText(info.sex))
        self._auto_birth, self._auto_sex = info.birth_date, info.sex
        self._update_age()

    def _update_age(self) -> None:
        birth = self.inputs["birth_date"].value()  # type: ignore[union-attr]
        if birth is None:
            info = self._id_info()
            birth = info.birth_date if info else None
        if birth is None or birth > date.today():
            self.age_label.setText("")
        else:
            self.age_label.setText(self.tr("{0} 岁").format(idcard.age_on(birth, date.today())))

    # ================================================================ validation
    def _validate(self) -> None:
        data, family, local = self.collect()
        checked = roster_service.check_cadre(data, family, self.cadre_id)
        local_fields = {e.field for e in local if e.field != "family"}
        errors = list(local) + [e for e in checked.errors if e.field not in local_fields]
        self._errors = errors
        self._warnings = list(checked.warnings)
        self._show_messages()

    @property
    def errors(self) -> list[DomainError]:
        return list(self._errors)

    @property
    def warnings(self) -> list[DomainError]:
        return list(self._warnings)

    def is_valid(self) -> bool:
        return not self._errors

    def _show_messages(self) -> None:
        by_field: dict[str, list[str]] = {}
        for err in self._errors:
            if err.field in self.messages:
                by_field.setdefault(err.field, []).append(err.message)
        warn_by_field: dict[str, list[str]] = {}
        for w in self._warnings:
            if w.field in self.messages:
                warn_by_field.setdefault(w.field, []).append(w.message)
        tab_has_error: dict[int, bool] = {}
        for field, label in self.messages.items():
            widget = self.inputs.get(field)
            target = widget.line_edit if isinstance(widget, DateEdit) else widget
            shown_errors = by_field.get(field) if field in self._touched else None
            if shown_errors:
                messages_text = "\n".join(dict.fromkeys(shown_errors))
                label.setText(messages_text)
                theme.set_role(label, "error")
                label.setVisible(True)
                if target is not None:
                    theme.set_state(target, "error")
                tab_has_error[self._field_tab[field]] = True
            elif warn_by_field.get(field):
                label.setText(self.tr("注意：") + "\n".join(warn_by_field[field]))
                theme.set_role(label, "warning")
                label.setVisible(True)
                if target is not None:
                    theme.set_state(target, "warning")
            else:
                label.setVisible(False)
                label.setText("")
                if target is not None:
                    theme.set_state(target, None)
        family_rows = {e.params.get("row") for e in self._errors if e.field == "family"} \
            if "family" in self._touched else set()
        self.family.mark_rows({r for r in family_rows if r})
        for index in range(self.tabs.count()):
            bad = tab_has_error.get(index, False)
            self.tabs.setTabIcon(index, theme.icon("error") if bad else QIcon())
            self.tabs.tabBar().setTabTextColor(index, QColor(theme.ERROR) if bad else QColor())
        self._update_save_state()

    def _update_save_state(self) -> None:
        valid = not self._errors
        self.save_button.setEnabled(valid)
        if not valid:
            self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
                f"· {e.message}" for e in self._errors))
            untouched = [e for e in self._errors if e.field not in self._touched]
            if len(untouched) == len(self._errors) and all(e.code in ("required", "id_required") for e in self._errors):
                # nothing typed wrong yet: just say what is still missing, calmly
                names = [self.tr(rules.CADRE_LABELS.get(e.field or "", "")) for e in self._errors]
                self.status_label.setText(self.tr("还需填写：") + "、".join(n for n in names if n))
                theme.set_role(self.status_label, "info")
            else:
                shown = [e for e in self._errors if e.field in self._touched] or self._errors
                blocked_status(self, self._errors, shown[0])
        elif self._warnings:
            savable_status(self, self._warnings[0].message, self.tr("（不影响保存）"))
        else:
            savable_status(self)

    def reveal_errors(self) -> None:
        """Show every error (as after a save attempt) and put the cursor on the first one."""
        self._touched.update(self.messages.keys())
        self._show_messages()
        if not self._errors:
            return
        field = self._errors[0].field or "name"
        if field not in self._field_tab:
            field = "name"
        self.tabs.setCurrentIndex(self._field_tab[field])
        if field == "family":
            self.family.first_widget().setFocus()
        else:
            self.inputs[field].setFocus()

    # ================================================================ saving
    def store(self) -> int:
        data, family, _local = self.collect()
        result = roster_service.save_cadre(data, family, self.cadre_id)
        self.result_info = result
        self.cadre_id = result.id
        return result.id
