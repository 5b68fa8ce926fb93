"""登记顺延: the unit defers unused annual leave of one year to the next (DOMAIN.md, 年休假)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...domain.errors import DomainError, ValidationError
from ...services import leave as leave_service
from .. import messages, theme
from ..widgets.days_spin import DaysSpin
from ..models.leave_models import fmt_days
from ..widgets.form_dialog import form_area, message_row, save_footer


class DeferralDialog(QDialog):
    """登记顺延: the unit defers unused annual leave of one year to the next (at most one year)."""

    saved = Signal(int)

    def __init__(self, cadre_id: int, name: str, year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.setWindowTitle(self.tr("登记年休假顺延 — {0}").format(name))
        self.setModal(True)
        self.messages: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        form = form_area(outer, self)

        self.year_combo = QComboBox(self)
        for y in range(year - 1, year + 1):
            self.year_combo.addItem(self.tr("{0} 年 → {1} 年").format(y, y + 1), y)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))
        self.days_spin = DaysSpin(self, maximum=30)
        self.days_spin.setSuffix(self.tr(" 天"))
        self.limit_label = QLabel(self)
        self.limit_label.setWordWrap(True)
        theme.set_role(self.limit_label, "info")
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setMaxLength(200)
        self.reason_edit.setPlaceholderText(self.tr("如 年底防汛值班，经镇党委同意跨年度安排"))
        self.approver_edit = QLineEdit(self)
        self.approver_edit.setMaxLength(40)
        self.approver_edit.setPlaceholderText(self.tr("如 镇党委书记 王某"))
        self._row(form, "from_year", self.tr("顺延"), self.year_combo, required=True)
        self._row(form, "days", self.tr("天数"), self.days_spin, required=True, extra=self.limit_label)
        self._row(form, "reason", self.tr("原因"), self.reason_edit, required=True)
        self._row(form, "approved_by", self.tr("批准人"), self.approver_edit)
        hint = QLabel(self.tr("年休假一般不跨年度安排；单位确因工作需要的，可以顺延到下一年，最多 1 个年度。"), self)
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        form.addRow(hint)

        save_footer(self, outer)
        self.year_combo.currentIndexChanged.connect(lambda _i: self._on_year_changed())
        self.days_spin.valueChanged.connect(lambda _v: self._validate())
        self.reason_edit.textEdited.connect(lambda _t: self._validate())
        self.reason_edit.editingFinished.connect(lambda: self._touch("reason"))
        self._limit = Decimal(0)
        self._on_year_changed()
        self.days_spin.setFocus()
        self.days_spin.selectAll()
        self.resize(520, self.sizeHint().height())

    def _row(self, form: QFormLayout, key: str, text: str, widget: QWidget, required: bool = False,
             extra: QWidget | None = None) -> None:
        self.messages[key] = message_row(form, text, widget, self, required=required, label_width=60, extra=extra)

    @property
    def from_year(self) -> int:
        return int(self.year_combo.currentData())

    def days(self) -> Decimal:
        return Decimal(f"{self.days_spin.value():.1f}").normalize() + Decimal(0)

    def _on_year_changed(self) -> None:
        try:
            bal = leave_service.annual_balance(self.cadre_id, self.from_year)
        except DomainError as err:
            self._limit = Decimal(0)
            self.limit_label.setText(err.message)
        else:
            self._limit = max(min(bal.remaining, bal.entitled), Decimal(0))
            self.limit_label.setText(self.tr("{0} 年应休 {1} 天，已休 {2} 天，剩余 {3} 天；最多可顺延 {4} 天").format(
                self.from_year, fmt_days(bal.entitled + bal.deferred_in), fmt_days(bal.taken),
                fmt_days(bal.remaining), fmt_days(self._limit)))
        self.days_spin.blockSignals(True)
        self.days_spin.setValue(float(self._limit))
        self.days_spin.blockSignals(False)
        self._validate()

    def _touch(self, key: str) -> None:
        self._touched.add(key)
        self._validate()

    def errors(self) -> dict[str, str]:
        out: dict[str, str] = {}
        days = self.days()
        if days <= 0:
            out["days"] = self.tr("顺延天数应大于 0") if self._limit > 0 else self.tr(
                "{0} 年没有可顺延的年休假").format(self.from_year)
        elif days * 2 != (days * 2).to_integral_value():
            out["days"] = self.tr("天数应为整数或半天（0.5 的倍数）")
        elif days > self._limit:
            out["days"] = self.tr("最多可顺延 {0} 天，请改小").format(fmt_days(self._limit))
        if not self.reason_edit.text().strip():
            out["reason"] = self.tr("请填写顺延原因（单位因工作需要安排跨年度休假）")
        return out

    def _validate(self, show_all: bool = False) -> dict[str, str]:
        errors = self.errors()
        for key, label in self.messages.items():
            text = errors.get(key, "")
            if key == "reason" and not (show_all or key in self._touched):
                text = ""
            label.setText(text)
            label.setVisible(bool(text))
        self.save_button.setEnabled(not errors)
        self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
            f"· {m}" for m in errors.values()) if errors else self.tr("保存（Enter）"))
        return errors

    def save(self) -> bool:
        if self._validate(show_all=True):
            return False
        try:
            deferral_id = leave_service.save_deferral(self.cadre_id, self.from_year, self.days(),
                                                      self.reason_edit.text(), self.approver_edit.text())
        except ValidationError as err:
            for e in err.errors:
                key = {"to_year": "from_year"}.get(e.field or "", e.field or "")
                label = self.messages.get(key) or self.messages["days"]
                label.setText(e.message)
                label.setVisible(True)
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.saved.emit(deferral_id)
        self.accept()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)
