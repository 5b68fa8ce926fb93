"""A cadre's period away from the post: 脱产学习 or 借调 (over one month suspends the
township subsidy for every month it touches) or 离开乡镇工作 (a break not counted
in the years worked in townships).  Saved with ``services.allowance.save_period``."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QWidget

from ...domain.errors import DomainError
from ...services import allowance as service
from .. import theme
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import SaveFlow, dialog_column, make_form
from .allowance_adjust_dialog import GrowingForm

KIND_HINTS = {
    service.PERIOD_STUDY: "脱产学习超过1个月的，所涉及的各月停发乡镇工作补贴。",
    service.PERIOD_SECONDED: "借调超过1个月的，所涉及的各月停发乡镇工作补贴；尚未结束的可不填结束日期。",
    service.PERIOD_BREAK: "离开乡镇到其他单位工作的时间不计入乡镇工作年限（影响补贴档次），请填写起止日期。",
}


class PeriodDialog(GrowingForm, SaveFlow, QDialog):
    """``PeriodDialog(cadre_id, period=None)``; ``saved(period_id)``."""

    saved = Signal(int)

    FIELD_NAMES = {"kind": "类型", "start_date": "开始日期"}

    def __init__(self, cadre_id: int, period: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.cadre_id = cadre_id
        self.period_id = period["id"] if period else None
        self.setModal(True)
        self.setWindowTitle(self.tr("修改离岗/间断时间") if period else self.tr("登记离岗/间断时间"))
        outer = dialog_column(self)
        form = make_form()
        self.kind = QComboBox()
        for k in service.PERIOD_KINDS:
            self.kind.addItem(self.tr(k), k)
        self.add_field(form, "kind", self.tr("类型"), self.kind, required=True)
        self.start = DateEdit(field="start_date", label=self.tr("开始日期"))
        self.add_field(form, "start_date", self.tr("开始日期"), self.start, required=True)
        self.end = DateEdit(field="end_date", label=self.tr("结束日期"))
        self.add_field(form, "end_date", self.tr("结束日期"), self.end)
        self.note = QLineEdit()
        self.note.setMaxLength(200)
        self.note.setPlaceholderText(self.tr("如 县委党校中青班 / 借调县委办"))
        self.add_field(form, "note", self.tr("说明"), self.note)
        outer.addLayout(form)
        self.kind_hint = QLabel()
        self.kind_hint.setWordWrap(True)
        theme.set_role(self.kind_hint, "hint")
        outer.addWidget(self.kind_hint)
        self.make_footer(outer)

        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.start.edited.connect(lambda: self._on_edited("start_date"))
        self.start.editing_finished.connect(lambda: self._on_left("start_date"))
        self.end.edited.connect(lambda: self._on_edited("end_date"))
        self.end.editing_finished.connect(lambda: self._on_left("end_date"))
        self.note.textEdited.connect(lambda _t: self._on_edited("note"))

        p = period or {}
        self.kind.setCurrentIndex(max(0, self.kind.findData(p.get("kind") or service.PERIOD_STUDY)))
        self.start.setValue(p.get("start_date"))
        self.end.setValue(p.get("end_date"))
        self.note.setText(p.get("note") or "")
        self._update_hint()
        self._loading = False
        self._validate()
        self.fit_to_screen(520, self.sizeHint().height())
        self.kind.setFocus()

    def _on_kind_changed(self, _index: int) -> None:
        self._update_hint()
        self._on_choice("kind")

    def _update_hint(self) -> None:
        self.kind_hint.setText(self.tr(KIND_HINTS.get(self.kind.currentData(), "")))

    def data(self) -> dict[str, Any]:
        return {"kind": self.kind.currentData(), "start_date": self.start.text(), "end_date": self.end.text(),
                "note": self.note.text()}

    def collect_errors(self) -> list[DomainError]:
        return service.period_problems(self.data())

    def store(self) -> int:
        self.period_id = service.save_period(self.cadre_id, self.data(), self.period_id)
        return self.period_id
