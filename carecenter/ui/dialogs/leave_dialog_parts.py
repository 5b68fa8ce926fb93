"""The leave dialog's form plumbing (``LeaveDialog`` in ``leave_dialog``): its field names,
the rows with their error lines, the tab order, the status line and save button's state,
where the cursor goes after a refused save, Enter and closing with unsaved changes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QWidget

from ...domain import leave as rules
from ...domain.errors import DomainError
from ...services import leave as leave_service
from .. import theme
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import ask_discard, blocked_status, box_form, field_holder, fit_to_screen, savable_status

LABELS = {
    "cadre_id": "干部", "type_code": "假别", "start_date": "开始日期", "end_date": "结束日期",
    "travel_days": "路程假", "kind": "探望对象", "birth": "生育情况", "miscarriage": "流产",
    "relation": "去世亲属", "out_of_province": "疗休养地点", "reason": "事由", "approver": "审批人",
    "status": "状态", "over_balance_reason": "超出说明", "notes": "备注",
}
REQUIRED = {"cadre_id", "type_code", "start_date", "end_date"}
# domain error fields that belong to a row of this form
FIELD_ALIASES = {"babies": "birth", "child_order": "birth", "difficult_birth": "birth",
                 "miscarriage_months": "miscarriage", "days": "end_date", "kind": "kind"}
CALM_CODES = {"required", "reason_required"}   # shown in red only once the clerk has been there
TYPE_ROWS = {
    rules.HOME_VISIT: ["kind"],
    rules.MATERNITY: ["birth", "miscarriage"],
    rules.BEREAVEMENT: ["relation"],
    rules.RECUPERATION: ["out_of_province"],
}
KIND_NAMES = {"spouse": "配偶", "parents": "父母"}


class LeaveFormParts:
    """Mixed into ``LeaveDialog`` before QDialog; the dialog holds ``inputs``, ``messages``,
    ``rows``, ``_errors``, ``_touched``, ``_local_ids``, ``status_label``, ``save_button``,
    ``picker`` and the preview."""

    def _form(self, box: QGroupBox) -> QFormLayout:
        return box_form(box, 6)

    def _line(self, *widgets: QWidget, stretch: bool = False) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for w in widgets:
            if isinstance(w, str):
                label = QLabel(w, holder)
                row.addWidget(label)
            else:
                row.addWidget(w, 1 if isinstance(w, DateEdit) else 0)
        if stretch:
            row.addStretch(1)
        return holder

    def _add_row(self, form: QFormLayout, key: str, field: QWidget, extra: QWidget | None = None) -> None:
        holder, self.messages[key] = field_holder(self, field, extra, f"msg_{key}")
        text = self.tr(LABELS[key])
        if key in REQUIRED:
            text = f"<span style='color:#c62828'>*</span> {text}"
        label = QLabel(text, self)
        label.setMinimumWidth(76)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        widget = self.inputs.get(key)
        label.setBuddy(widget.line_edit if isinstance(widget, DateEdit) else widget)
        form.addRow(label, holder)
        self.rows[key] = holder

    def _focus_order(self) -> list[QWidget]:
        return [self.picker, self.type_combo, self.start_edit.line_edit, self.start_half,
                self.end_edit.line_edit, self.end_half, self.travel_spin, self.kind_combo,
                self.difficult_check, self.babies_spin, self.order_spin, self.miscarriage_check,
                self.miscarriage_spin, self.relation_combo, self.out_check, self.reason_edit,
                self.approver_edit, self.status_combo, self.over_edit, self.notes_edit,
                self.save_button, self.cancel_button]

    def _chain_tab_order(self) -> None:
        order = self._focus_order()
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def _fit_to_screen(self) -> None:
        fit_to_screen(self, 920, 640)

    def _is_calm(self, err: DomainError) -> bool:
        """Missing entries and half-typed fields wait until the clerk has left the field."""
        calm = err.code in CALM_CODES or id(err) in self._local_ids
        return calm and self._field_of(err) not in self._touched

    def _field_of(self, err: DomainError) -> str:
        field = FIELD_ALIASES.get(err.field or "", err.field or "")
        return field if field in self.messages else ""

    def _update_save_state(self, pre: leave_service.LeavePreview) -> None:
        valid = not self._errors
        self.save_button.setEnabled(valid)
        if not valid:
            self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
                f"· {m}" for m in dict.fromkeys(e.message for e in self._errors)))
            calm = [e for e in self._errors if self._is_calm(e)]
            if calm and len(calm) == len(self._errors):
                # an empty field is still to be filled; a half-typed date is not "missing"
                missing, unfinished = [], []
                for e in calm:
                    field = self._field_of(e)
                    widget = self.inputs.get(field)
                    typed = isinstance(widget, DateEdit) and bool(widget.text().strip())
                    (unfinished if typed else missing).append(self.tr(LABELS.get(field, "")))
                parts = []
                if any(missing):
                    parts.append(self.tr("还需填写：") + "、".join(dict.fromkeys(n for n in missing if n)))
                if any(unfinished):
                    parts.append(self.tr("日期还没填完整：") + "、".join(dict.fromkeys(n for n in unfinished if n))
                                 + self.tr("（如 2026-11-25）"))
                self.status_label.setText("；".join(parts))
                theme.set_role(self.status_label, "info")
            else:
                shown = [e for e in self._errors if not self._is_calm(e)] or self._errors
                blocked_status(self, self._errors, shown[0])
        elif pre.warnings:
            tail = self.tr("（已填写超出说明，可以保存）") if pre.needs_reason else self.tr("（不影响保存）")
            savable_status(self, pre.warnings[0].message, tail)
        else:
            savable_status(self)

    def reveal_errors(self) -> None:
        """Show every error (as after a save attempt) and put the cursor on the first one."""
        self._touched.update(self.messages.keys())
        if self.preview_result is not None:
            self._show(self.preview_result)
        for err in self._errors:
            field = self._field_of(err)
            widget = self.inputs.get(field)
            if widget is not None and widget.isEnabled() and self.rows[field].isVisible():
                if field == "cadre_id" and self.lock_cadre:
                    continue
                widget.setFocus()
                return

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            if self.picker.hasFocus() and self.picker.cadre_id is None and self.picker.text().strip():
                self.picker.choose_first()   # type a name, Enter picks the first match
                return
            self.save()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if not ask_discard(self):
            return
        self._dirty = False
        super().reject()
