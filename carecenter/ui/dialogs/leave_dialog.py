"""登记休假 / 修改请假记录: one leave record, counted and checked live.

Every change calls ``services.leave.preview`` and shows what it says at once:
the counted days (working or calendar days, plus 路程假), neutral information
(the annual-leave balance, the certificate needed …), warnings in amber with
the word 注意, and errors in red under the field they concern.  保存 stays
disabled while anything is wrong and its tooltip says why.  Nothing is written
until ``save_leave`` accepts the whole record (one transaction).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...domain import leave as rules
from ...domain.errors import DomainError, ValidationError
from ...services import choices
from ...services import leave as leave_service
from ...services.leave import LeaveInput
from .. import messages, theme
from ..models.leave_models import fmt_days
from ..widgets.cadre_picker import CadrePicker
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import hinted_footer, scrolled_form
from ..widgets.days_spin import DaysSpin
from ..widgets.leave_result_panel import LeaveResultPanel
from .leave_dialog_parts import KIND_NAMES, TYPE_ROWS, LeaveFormParts

class LeaveDialog(LeaveFormParts, QDialog):
    """``LeaveDialog(None, cadre_id=…)`` records a leave, ``LeaveDialog(record_id)`` edits one.

    ``lock_cadre=True`` (opened from a cadre's detail window) shows the cadre but
    does not let it change.  ``saved(record_id)`` after saving.
    """

    saved = Signal(int)

    def __init__(self, record_id: int | None = None, parent: QWidget | None = None, *,
                 cadre_id: int | None = None, lock_cadre: bool = False):
        super().__init__(parent)
        self.record_id = record_id
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}
        self.preview_result: leave_service.LeavePreview | None = None
        self._errors: list[DomainError] = []
        self._touched: set[str] = set()
        self._dirty = False
        self._loading = True
        self._kind_chosen = False
        self._local_ids: set[int] = set()
        self.calendar_dialog = None
        record = leave_service.get_leave(record_id) if record_id else None
        self._record = record
        self.lock_cadre = lock_cadre or record is not None
        self.setWindowTitle(self.tr("修改请假记录 — {0}").format(record["cadre_name"]) if record
                            else self.tr("登记休假"))
        self.setModal(True)
        self._build()
        self._load(record, cadre_id)
        self._loading = False
        self._refresh()
        self._fit_to_screen()

    # ================================================================ building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        body = QHBoxLayout()
        body.setSpacing(16)
        outer.addLayout(body, 1)

        left, left_col = scrolled_form(self, body, focusable=False)

        box = QGroupBox(self.tr("请假信息"), left)
        self.form = self._form(box)
        left_col.addWidget(box)

        self.inputs["cadre_id"] = self.picker = CadrePicker(self)
        self._add_row(self.form, "cadre_id", self.picker)

        self.type_combo = QComboBox(self)
        self.type_combo.setMaxVisibleItems(15)
        for code, name in leave_service.type_names():
            self.type_combo.addItem(name, code)
        self.type_hint = QLabel(self)
        self.type_hint.setWordWrap(True)
        theme.set_role(self.type_hint, "hint")
        self.inputs["type_code"] = self.type_combo
        self._add_row(self.form, "type_code", self.type_combo, extra=self.type_hint)

        self.start_edit = DateEdit(self, field="start_date", label="开始日期")
        self.start_half = QComboBox(self)
        self.start_half.addItem(self.tr("上午"), False)
        self.start_half.addItem(self.tr("下午"), True)
        self.start_half.setToolTip(self.tr("从这一天的上午开始，或从下午开始（半天）"))
        self.inputs["start_date"] = self.start_edit
        self._add_row(self.form, "start_date", self._line(self.start_edit, self.start_half, self.tr("开始")))

        self.end_edit = DateEdit(self, field="end_date", label="结束日期")
        self.end_half = QComboBox(self)
        self.end_half.addItem(self.tr("下午"), False)
        self.end_half.addItem(self.tr("上午"), True)
        self.end_half.setToolTip(self.tr("到这一天的下午结束，或上午结束（半天）"))
        self.inputs["end_date"] = self.end_edit
        self._add_row(self.form, "end_date", self._line(self.end_edit, self.end_half, self.tr("结束")))

        self.travel_spin = DaysSpin(self)
        self.travel_spin.setSuffix(self.tr(" 天"))
        self.travel_hint = QLabel(self)
        theme.set_role(self.travel_hint, "hint")
        self.inputs["travel_days"] = self.travel_spin
        self._add_row(self.form, "travel_days", self._line(self.travel_spin, self.travel_hint, stretch=True))

        # -- type-specific rows
        self.kind_combo = QComboBox(self)
        for kind, name in KIND_NAMES.items():
            self.kind_combo.addItem(self.tr(name), kind)
        self.kind_combo.setMinimumWidth(120)
        self.eligibility_label = QLabel(self)
        self.eligibility_label.setWordWrap(True)
        theme.set_role(self.eligibility_label, "info")
        self.inputs["kind"] = self.kind_combo
        self._add_row(self.form, "kind", self._line(self.kind_combo, stretch=True), extra=self.eligibility_label)

        self.difficult_check = QCheckBox(self.tr("难产"), self)
        self.babies_spin = QSpinBox(self)
        self.babies_spin.setRange(1, 9)
        self.babies_spin.setSuffix(self.tr(" 胎"))
        self.babies_spin.setPrefix(self.tr("胎数 "))
        self.babies_spin.setToolTip(self.tr("一次生育的婴儿数，多胞胎每多一个增加产假"))
        self.order_spin = QSpinBox(self)
        self.order_spin.setRange(1, 9)
        self.order_spin.setPrefix(self.tr("第 "))
        self.order_spin.setSuffix(self.tr(" 孩"))
        self.order_spin.setToolTip(self.tr("孩次：本次生育的是第几个孩子"))
        self.inputs["birth"] = self.difficult_check
        self._add_row(self.form, "birth", self._line(self.difficult_check, self.babies_spin, self.order_spin,
                                                    stretch=True))
        self.miscarriage_check = QCheckBox(self.tr("流产，怀孕"), self)
        self.miscarriage_spin = QSpinBox(self)
        self.miscarriage_spin.setRange(0, 10)
        self.miscarriage_spin.setValue(3)
        self.miscarriage_spin.setSuffix(self.tr(" 个月"))
        self.miscarriage_spin.setEnabled(False)
        self.inputs["miscarriage"] = self.miscarriage_check
        self._add_row(self.form, "miscarriage", self._line(self.miscarriage_check, self.miscarriage_spin,
                                                          stretch=True))

        self.relation_combo = QComboBox(self)
        self.relation_combo.addItems(choices.values("relation") or ["父亲", "母亲", "配偶", "子女"])
        self.relation_combo.setMinimumWidth(120)
        self.inputs["relation"] = self.relation_combo
        self._add_row(self.form, "relation", self._line(self.relation_combo, stretch=True))

        self.out_check = QCheckBox(self.tr("省外"), self)
        self.out_check.setToolTip(self.tr("省外疗休养的天数上限和间隔年限与省内不同"))
        self.inputs["out_of_province"] = self.out_check
        self._add_row(self.form, "out_of_province", self.out_check)

        self.reason_edit = QLineEdit(self)
        self.reason_edit.setMaxLength(200)
        self.reason_edit.setPlaceholderText(self.tr("如 回老家探亲、身体不适"))
        self.inputs["reason"] = self.reason_edit
        self._add_row(self.form, "reason", self.reason_edit)

        box2 = QGroupBox(self.tr("审批"), left)
        self.form2 = self._form(box2)
        left_col.addWidget(box2)
        left_col.addStretch(1)
        self.approver_edit = QLineEdit(self)
        self.approver_edit.setMaxLength(40)
        self.approver_edit.setPlaceholderText(self.tr("如 镇党委书记 王某"))
        self.inputs["approver"] = self.approver_edit
        self._add_row(self.form2, "approver", self.approver_edit)
        self.status_combo = QComboBox(self)
        for status in rules.LEAVE_STATUSES:
            self.status_combo.addItem(self.tr(status), status)
        self.status_combo.setToolTip(self.tr("已批准和已销假的天数计入已休；申请未计入；已撤销的不计"))
        self.inputs["status"] = self.status_combo
        self._add_row(self.form2, "status", self._line(self.status_combo, stretch=True))
        self.over_edit = QLineEdit(self)
        self.over_edit.setMaxLength(200)
        self.over_edit.setPlaceholderText(self.tr("说明为什么超出，如 经镇党委同意"))
        self.inputs["over_balance_reason"] = self.over_edit
        self._add_row(self.form2, "over_balance_reason", self.over_edit)
        self.notes_edit = QLineEdit(self)
        self.notes_edit.setMaxLength(200)
        self.inputs["notes"] = self.notes_edit
        self._add_row(self.form2, "notes", self.notes_edit)

        # -- the live result
        self.result_panel = panel = LeaveResultPanel(self)
        self.days_label, self.total_label, self.mode_label = panel.days_label, panel.total_label, panel.mode_label
        self.breakdown_label, self.info_label = panel.breakdown_label, panel.info_label
        self.warning_label, self.problem_label = panel.warning_label, panel.problem_label
        self.calendar_button = panel.calendar_button
        body.addWidget(panel)

        self.required_hint = hinted_footer(self, outer, selectable=False)

        # -- wiring
        self.picker.cadre_changed.connect(lambda _c: self._on_changed("cadre_id"))
        self.type_combo.currentIndexChanged.connect(lambda _i: self._on_changed("type_code"))
        for edit, key in ((self.start_edit, "start_date"), (self.end_edit, "end_date")):
            edit.edited.connect(lambda k=key: self._on_changed(k, touch=False))
            edit.editing_finished.connect(lambda k=key: self._on_left(k))
        self.start_half.currentIndexChanged.connect(lambda _i: self._on_changed("start_date"))
        self.end_half.currentIndexChanged.connect(lambda _i: self._on_changed("end_date"))
        self.travel_spin.valueChanged.connect(lambda _v: self._on_changed("travel_days"))
        self.kind_combo.activated.connect(self._on_kind_activated)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._on_changed("kind"))
        for w, key in ((self.difficult_check, "birth"), (self.out_check, "out_of_province")):
            w.toggled.connect(lambda _v, k=key: self._on_changed(k))
        self.babies_spin.valueChanged.connect(lambda _v: self._on_changed("birth"))
        self.order_spin.valueChanged.connect(lambda _v: self._on_changed("birth"))
        self.miscarriage_check.toggled.connect(self._on_miscarriage_toggled)
        self.miscarriage_spin.valueChanged.connect(lambda _v: self._on_changed("miscarriage"))
        self.relation_combo.currentIndexChanged.connect(lambda _i: self._on_changed("relation"))
        self.status_combo.currentIndexChanged.connect(lambda _i: self._on_changed("status"))
        for edit, key in ((self.reason_edit, "reason"), (self.approver_edit, "approver"),
                          (self.over_edit, "over_balance_reason"), (self.notes_edit, "notes")):
            edit.textEdited.connect(lambda _t, k=key: self._on_changed(k, touch=False))
            edit.editingFinished.connect(lambda k=key: self._on_left(k))
        self.picker.editingFinished.connect(lambda: self._on_left("cadre_id"))
        self.calendar_button.clicked.connect(self.open_calendar_settings)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self._chain_tab_order()

    # ================================================================ loading
    def _load(self, record: dict[str, Any] | None, cadre_id: int | None) -> None:
        if record is None:
            if cadre_id:
                self.picker.set_cadre(cadre_id)
            self.status_combo.setCurrentIndex(self.status_combo.findData(rules.STATUS_APPROVED))
        else:
            self.picker.set_cadre(record["cadre_id"])
            index = self.type_combo.findData(record["type_code"])
            if index < 0:
                name = rules.LEAVE_TYPE_NAMES.get(record["type_code"], record["type_code"])
                self.type_combo.addItem(name, record["type_code"])
                index = self.type_combo.count() - 1
            self.type_combo.setCurrentIndex(index)
            self.start_edit.setValue(record["start_date"])
            self.end_edit.setValue(record["end_date"])
            self.start_half.setCurrentIndex(1 if record["start_half"] else 0)
            self.end_half.setCurrentIndex(1 if record["end_half"] else 0)
            self.travel_spin.setValue(float(record["travel_days"] or 0))
            details = record["details"] or {}
            if details.get("kind"):
                self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(details["kind"]), 0))
                self._kind_chosen = True
            self.difficult_check.setChecked(bool(details.get("difficult_birth")))
            self.babies_spin.setValue(int(details.get("babies") or 1))
            self.order_spin.setValue(int(details.get("child_order") or 1))
            if details.get("miscarriage_months") is not None:
                self.miscarriage_check.setChecked(True)
                self.miscarriage_spin.setValue(int(details["miscarriage_months"]))
            if details.get("relation"):
                if self.relation_combo.findText(details["relation"]) < 0:
                    self.relation_combo.addItem(details["relation"])
                self.relation_combo.setCurrentText(details["relation"])
            self.out_check.setChecked(bool(details.get("out_of_province")))
            self.reason_edit.setText(record["reason"] or "")
            self.approver_edit.setText(record["approver"] or "")
            index = self.status_combo.findData(record["status"])
            self.status_combo.setCurrentIndex(max(index, 0))
            self.over_edit.setText(record["over_balance_reason"] or "")
            self.notes_edit.setText(record["notes"] or "")
        if self.lock_cadre and self.picker.cadre_id is not None:
            self.picker.setReadOnly(True)
            self.picker.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            self.picker.setToolTip(self.tr("从干部详情或已有记录打开，干部不能更改"))
            self.type_combo.setFocus()
        else:
            self.picker.setFocus()

    # ================================================================ reading
    @property
    def type_code(self) -> str:
        return self.type_combo.currentData() or ""

    def _travel(self) -> Decimal:
        try:
            return Decimal(f"{self.travel_spin.value():.1f}").normalize() + Decimal(0)
        except InvalidOperation:  # pragma: no cover - a spin box holds a number
            return Decimal(0)

    def details(self) -> dict[str, Any]:
        code = self.type_code
        if code == rules.HOME_VISIT:
            return {"kind": self.kind_combo.currentData()}
        if code == rules.MATERNITY:
            out: dict[str, Any] = {"difficult_birth": self.difficult_check.isChecked(),
                                   "babies": self.babies_spin.value(), "child_order": self.order_spin.value()}
            if self.miscarriage_check.isChecked():
                out = {"miscarriage_months": self.miscarriage_spin.value()}
            return out
        if code == rules.BEREAVEMENT:
            return {"relation": self.relation_combo.currentText()}
        if code == rules.RECUPERATION:
            return {"out_of_province": self.out_check.isChecked()}
        return {}

    def leave_input(self) -> LeaveInput:
        return LeaveInput(
            cadre_id=self.picker.cadre_id, type_code=self.type_code,
            start_date=self.start_edit.value(), end_date=self.end_edit.value(),
            start_half=bool(self.start_half.currentIndex() == 1 and self.start_half.isEnabled()),
            end_half=bool(self.end_half.currentIndex() == 1 and self.end_half.isEnabled()),
            travel_days=self._travel() if self.travel_spin.isEnabled() else Decimal(0),
            reason=self.reason_edit.text(), approver=self.approver_edit.text(),
            status=self.status_combo.currentData() or rules.STATUS_APPROVED,
            over_balance_reason=self.over_edit.text(), details=self.details(), notes=self.notes_edit.text())

    def _rule(self) -> rules.LeaveType | None:
        code = self.type_code
        if not code:
            return None
        try:
            return leave_service.rule_for(code, self.start_edit.value() or date.today())
        except DomainError:
            return None

    # ================================================================ reacting
    def _on_changed(self, key: str, touch: bool = True) -> None:
        if self._loading:
            return
        self._dirty = True
        if touch:
            self._touched.add(key)
        self._refresh()

    def _on_left(self, key: str) -> None:
        if self._loading:
            return
        self._touched.add(key)
        if key == "start_date" and self.start_edit.value() and not self.end_edit.text().strip():
            # a one-day leave is the common case: propose the same day as the end
            self.end_edit.setValue(self.start_edit.value())
        self._refresh()

    def _on_kind_activated(self, _index: int) -> None:
        self._kind_chosen = True

    def _on_miscarriage_toggled(self, checked: bool) -> None:
        self.miscarriage_spin.setEnabled(checked)
        for w in (self.difficult_check, self.babies_spin, self.order_spin):
            w.setEnabled(not checked)
        self._on_changed("miscarriage")

    def _refresh(self) -> None:
        """Adapt the form to the type, then preview and show the outcome."""
        self._adapt_to_type()
        self._validate()

    def _adapt_to_type(self) -> None:
        code = self.type_code
        rule = self._rule()
        shown = set(TYPE_ROWS.get(code, []))
        for rows in TYPE_ROWS.values():
            for key in rows:
                self._set_row_visible(key, key in shown)
        half = bool(rule and rule.half_day_allowed)
        for combo in (self.start_half, self.end_half):
            if not half and combo.currentIndex() != 0:
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            combo.setEnabled(half)
        no_half = self.tr("“{0}”不能按半天请假").format(rule.name) if rule else ""
        self.start_half.setToolTip(self.tr("从这一天的上午开始，或从下午开始（半天）") if half else no_half)
        self.end_half.setToolTip(self.tr("到这一天的下午结束，或上午结束（半天）") if half else no_half)
        travel = bool(rule and rule.params.get("travel_days_allowed"))
        self.travel_spin.setEnabled(travel)
        if not travel and self.travel_spin.value():
            self.travel_spin.blockSignals(True)
            self.travel_spin.setValue(0)
            self.travel_spin.blockSignals(False)
        self.travel_hint.setText(self.tr("往返路途所需天数，另加在假期之外") if travel
                                 else (self.tr("该假别不给路程假") if rule else ""))
        notes = []
        if rule is not None:
            notes.append(self.tr("按工作日计算") if rule.count_mode == "working" else self.tr("按自然日计算"))
            if rule.approval_note:
                notes.append(rule.approval_note)
        self.type_hint.setText("；".join(notes))
        self.type_hint.setVisible(bool(notes))
        if code == rules.HOME_VISIT:
            self._update_home_visit()

    def _set_row_visible(self, key: str, visible: bool) -> None:
        holder = self.rows[key]
        form = self.form if self.form.indexOf(holder) >= 0 else self.form2
        form.setRowVisible(holder, visible)

    def _update_home_visit(self) -> None:
        cadre_id = self.picker.cadre_id
        if cadre_id is None:
            self.eligibility_label.setText(self.tr("选择干部后显示探亲假资格"))
            return
        try:
            options = leave_service.home_visit_options(cadre_id, self.start_edit.value() or date.today(),
                                                       exclude_id=self.record_id)
        except DomainError as err:
            self.eligibility_label.setText(err.message)
            return
        if not self._kind_chosen:
            available = [o for o in options if o.available]
            if available:
                index = self.kind_combo.findData(available[0].kind)
                if index >= 0 and index != self.kind_combo.currentIndex():
                    self.kind_combo.blockSignals(True)
                    self.kind_combo.setCurrentIndex(index)
                    self.kind_combo.blockSignals(False)
        kind = self.kind_combo.currentData()
        lines = []
        for o in options:
            if o.kind != kind:
                continue
            mark = self.tr("可休") if o.available else self.tr("不可休")
            lines.append(f"{mark}：{o.reason}")
        self.eligibility_label.setText("\n".join(dict.fromkeys(lines)) or self.tr("不符合探亲假条件"))

    # ================================================================ validation
    def _local_errors(self) -> list[DomainError]:
        out = []
        for edit in (self.start_edit, self.end_edit):
            err = edit.error()
            if err is not None:
                out.append(err)
        if self.picker.cadre_id is None and self.picker.text().strip() and not self.lock_cadre:
            out.append(DomainError("cadre_not_chosen", "请从下拉列表中选择干部（可输入姓名、拼音首字母或身份证尾号）",
                                   "cadre_id"))
        return out

    def _validate(self) -> None:
        local = self._local_errors()
        self._local_ids = {id(e) for e in local}
        pre = leave_service.preview(self.leave_input(), self.record_id)
        self.preview_result = pre
        local_fields = {e.field for e in local}
        self._errors = local + [e for e in pre.errors if e.field not in local_fields]
        self._show(pre)

    @property
    def errors(self) -> list[DomainError]:
        return list(self._errors)

    def _show(self, pre: leave_service.LeavePreview) -> None:
        # -- over-balance reason: only when something must be explained
        needs_reason = pre.needs_reason or bool(self.over_edit.text().strip() and self._record
                                                and self._record.get("over_balance_reason"))
        self._set_row_visible("over_balance_reason", needs_reason)

        # -- days
        rule = self._rule()
        if pre.days is not None:
            if rule is not None and rule.count_mode == "working":
                self.days_label.setText(self.tr("共 {0} 个工作日").format(fmt_days(pre.days)))
                self.mode_label.setText(self.tr("周末和法定节假日不计，调休上班日计入"))
            else:
                self.days_label.setText(self.tr("共 {0} 天（自然日）").format(fmt_days(pre.days)))
                self.mode_label.setText(self.tr("含周末和法定节假日"))
            self._show_breakdown(rule is not None and rule.count_mode == "working")
            travel = (pre.total or pre.days) - pre.days
            self.total_label.setText(self.tr("另加路程假 {0} 天，合计 {1} 天").format(
                fmt_days(travel), fmt_days(pre.total)) if travel else "")
        else:
            self.days_label.setText(self.tr("—"))
            self._show_breakdown(False)
            self.total_label.setText("")
            if any(e.code == "calendar_unknown" for e in self._errors):
                self.mode_label.setText(self.tr("缺少这一年的节假日安排，在「日历设置」中录入后即可计算天数"))
            elif self.start_edit.value() and self.end_edit.value():
                self.mode_label.setText(self.tr("暂时无法计算天数，请先改正左侧红字提示的问题"))
            else:
                self.mode_label.setText(self.tr("填写开始和结束日期后显示天数"))

        # -- messages under the fields
        by_field: dict[str, list[str]] = {}
        loose: list[str] = []
        for err in self._errors:
            field = self._field_of(err)
            if not field:
                loose.append(err.message)
                continue
            if self._is_calm(err):
                continue
            by_field.setdefault(field, []).append(err.message)
        for key, label in self.messages.items():
            widget = self.inputs.get(key)
            target = widget.line_edit if isinstance(widget, DateEdit) else widget
            texts = by_field.get(key)
            if texts:
                label.setText("\n".join(dict.fromkeys(texts)))
                theme.set_role(label, "error")
                label.setVisible(True)
                if isinstance(target, (QLineEdit, QComboBox)):
                    theme.set_state(target, "error")
            else:
                label.setVisible(False)
                label.setText("")
                if isinstance(target, (QLineEdit, QComboBox)):
                    theme.set_state(target, None)
        self.result_panel.show_notes(pre, loose, any(e.code == "calendar_unknown" for e in self._errors))
        self._update_save_state(pre)

    @property
    def breakdown_lines(self) -> list[str]:
        """The day breakdown as plain lines."""
        return self.result_panel.breakdown_lines

    def _show_breakdown(self, working: bool) -> None:
        self.result_panel.show_breakdown(working, self.start_edit.value(), self.end_edit.value())

    # ================================================================ actions
    def open_calendar_settings(self) -> None:
        from .leave_calendar_dialog import LeaveCalendarDialog

        calendar = leave_service.calendar()
        year = next((d.year for d in (self.start_edit.value(), self.end_edit.value())
                     if d is not None and not calendar.is_known(d)), None)
        self.calendar_dialog = LeaveCalendarDialog(self, year=year)
        self.calendar_dialog.finished.connect(self._on_calendar_dialog_finished)
        self.calendar_dialog.open()

    def _on_calendar_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.calendar_dialog:
            self.calendar_dialog = None
        if dialog is not None:
            dialog.deleteLater()
        self._refresh()

    def save(self) -> bool:
        self._touched.update(self.messages.keys())
        self._refresh()
        if self._errors:
            self.reveal_errors()
            return False
        try:
            record_id = leave_service.save_leave(self.leave_input(), self.record_id)
        except ValidationError as err:
            self._errors = list(err.errors)
            if self.preview_result is not None:
                self._show(self.preview_result)
            self.reveal_errors()
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.record_id = record_id
        self._dirty = False
        self.saved.emit(record_id)
        self.accept()
        return True
