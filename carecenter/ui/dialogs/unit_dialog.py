"""Add or edit a unit (单位)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain import roster as rules
from ...domain.errors import DomainError
from ...services import choices
from ...services import roster as roster_service
from .. import messages, theme
from ..widgets.form_dialog import SaveFlow, add_note, save_footer

FIELDS = ["name", "kind", "township", "township_category", "especially_hard", "hardship_area_class", "notes"]
LABELS = dict(rules.UNIT_LABELS, notes="备注")


class UnitDialog(SaveFlow, QDialog):
    """``UnitDialog(None)`` adds a unit, ``UnitDialog(unit_id)`` edits one; ``saved(id)`` after saving."""

    saved = Signal(int)
    ENTER_IN_TEXT_AREA_IS_NEWLINE = True

    def __init__(self, unit_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.unit_id = unit_id
        self._touched: set[str] = set()
        self._errors: list[DomainError] = []
        self._dirty = False
        self._loading = True
        self._lists = choices.all_lists()
        units = roster_service.list_units(include_archived=True)
        self._other_names = {u["name"] for u in units if not u["archived"] and u["id"] != unit_id}
        townships = sorted({u["township"] for u in units if u["township"]})
        record = roster_service.get_unit(unit_id) if unit_id else None
        self.setWindowTitle(self.tr("修改单位 — {0}").format(record["name"]) if record else self.tr("新增单位"))
        self.setModal(True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 14)
        outer.setSpacing(12)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        for field in FIELDS:
            if field == "name":
                w = QLineEdit()
                w.setMaxLength(100)
                w.setPlaceholderText(self.tr("如 青岭镇人民政府"))
                w.textEdited.connect(lambda _t, f=field: self._on_edited(f))
                w.editingFinished.connect(lambda f=field: self._on_left(f))
            elif field == "township":
                w = QComboBox()
                w.setEditable(True)
                w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                w.addItems(townships)
                w.lineEdit().setMaxLength(60)
                w.lineEdit().setPlaceholderText(self.tr("如 青岭镇"))
                w.setCurrentIndex(-1)
                w.editTextChanged.connect(lambda _t, f=field: self._on_edited(f))
            elif field == "especially_hard":
                w = QCheckBox(self.tr("是（经核准的偏远乡镇，乡镇工作补贴按规定加发）"))
                w.setToolTip(self.tr("经上级核准的条件特别艰苦乡镇才勾选；加发标准在「津贴补贴 → 津贴标准」中填写"))
                w.toggled.connect(lambda _c, f=field: self._on_left(f))
            elif field == "notes":
                w = QPlainTextEdit()
                w.setTabChangesFocus(True)
                w.setFixedHeight(72)
                w.textChanged.connect(lambda f=field: self._on_edited(f))
            else:
                w = QComboBox()
                if field != "hardship_area_class":
                    w.addItem("")
                w.addItems(self._lists.get(rules.UNIT_CHOICES[field], []))
                w.activated.connect(lambda _i, f=field: self._on_left(f))
            self.inputs[field] = w
            msg = QLabel()
            msg.setWordWrap(True)
            msg.setVisible(False)
            self.messages[field] = msg
            holder = QWidget()
            col = QVBoxLayout(holder)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(2)
            col.addWidget(w)
            col.addWidget(msg)
            text = self.tr(LABELS[field])
            if field == "name":
                text = f"<span style='color:#c62828'>*</span> {text}"
            label = QLabel(text)
            label.setBuddy(w)
            form.addRow(label, holder)
        outer.addLayout(form)
        add_note(outer, self.tr("艰苦边远地区类别按县（市、区）确定，决定艰苦边远地区津贴；不在津贴范围的选「无」。"))

        save_footer(self, outer)

        self._load(record)
        self._loading = False
        self._validate()
        self.resize(520, self.sizeHint().height())
        self.inputs["name"].setFocus()

    def _load(self, record: dict[str, Any] | None) -> None:
        values = record or {"hardship_area_class": "无"}
        for field, w in self.inputs.items():
            value = values.get(field) or ""
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QLineEdit):
                w.setText(value)
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText(value)
            elif w.isEditable():
                w.setEditText(value)
            else:
                index = w.findText(value)
                if index < 0 and value:
                    w.addItem(value)
                    index = w.findText(value)
                w.setCurrentIndex(max(index, 0))

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, w in self.inputs.items():
            if isinstance(w, QCheckBox):
                out[field] = w.isChecked()
            elif isinstance(w, QLineEdit):
                out[field] = w.text()
            elif isinstance(w, QPlainTextEdit):
                out[field] = w.toPlainText()
            else:
                out[field] = w.currentText()
        return out

    def _on_edited(self, field: str) -> None:
        if self._loading:
            return
        self._dirty = True
        self._validate()

    def _on_left(self, field: str) -> None:
        if self._loading:
            return
        self._touched.add(field)
        if field == "township_category":  # the especially-hard flag depends on it (not for a 街道)
            self._touched.add("especially_hard")
        self._dirty = True
        self._validate()

    def _validate(self) -> None:
        data = {k: v if isinstance(v, bool) else (v or "").strip() for k, v in self.data().items()}
        if not data["hardship_area_class"]:
            data["hardship_area_class"] = "无"
        errors = rules.check_unit(data, self._lists)
        if data["name"] and data["name"] in self._other_names:
            errors.append(DomainError("duplicate", self.tr("单位「{0}」已存在，请勿重复添加").format(data["name"]),
                                      "name"))
        if data["name"] and data["name"] in self._other_names:
            self._touched.add("name")
        self._errors = errors
        self._show()

    def _show(self) -> None:
        by_field: dict[str, str] = {}
        for err in self._errors:
            by_field.setdefault(err.field or "name", err.message)
        for field, label in self.messages.items():
            text = by_field.get(field) if field in self._touched else None
            label.setVisible(bool(text))
            label.setText(text or "")
            theme.set_role(label, "error")
            w = self.inputs[field]
            theme.set_state(w, "error" if text else None)
        self.save_button.setEnabled(not self._errors)
        if self._errors and all(e.field not in self._touched and e.code == "required" for e in self._errors):
            self.status_label.setText(self.tr("还需填写：单位名称"))
            theme.set_role(self.status_label, "info")
            self.save_button.setToolTip("\n".join(e.message for e in self._errors))
        elif self._errors:
            self.status_label.setText(self.tr("还不能保存：") + self._errors[0].message)
            theme.set_role(self.status_label, "error")
            self.save_button.setToolTip("\n".join(e.message for e in self._errors))
        else:
            self.status_label.setText("")
            self.save_button.setToolTip(self.tr("保存（Enter）"))

    @property
    def errors(self) -> list[DomainError]:
        return list(self._errors)

    def reveal_errors(self) -> None:
        """Show every problem and put the cursor on the first one."""
        self._touched.update(self.inputs)
        self._show()
        field = (self._errors[0].field or "name") if self._errors else "name"
        self.inputs.get(field, self.inputs["name"]).setFocus()

    def store(self) -> int:
        self.unit_id = roster_service.save_unit(self.data(), self.unit_id).id
        return self.unit_id

    def confirm_discard(self) -> bool:
        return not self._dirty or messages.confirm(self, self.tr("放弃未保存的修改？"), self.tr("放弃修改"),
                                                   cancel_text=self.tr("继续编辑"))
