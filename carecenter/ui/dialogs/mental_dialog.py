"""登记心理评估/咨询 (confidential, DOMAIN.md §4 and §6).

Mental-health information is sensitive personal information: it may only be
recorded with the person's consent, so 知情同意日期 and 同意范围 are required.
The score band (PHQ-9 / GAD-7 severity, SCL-90 screen) shows live as the clerk
types, from ``services.health.mental_problems``.  The record is written by
``save_mental``; its audit row never carries the content.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ...db import queries
from ...domain.errors import DomainError
from ...services import health as health_service
from .. import theme
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import SaveFlow, dialog_column, make_form
from ..widgets.record_form import FormMixin

CONSENT_SCOPES = ["心理健康评估及结果记录", "心理咨询记录", "心理健康评估、咨询及结果记录"]
SCALE_HINT = {"PHQ-9": "0–27 分", "GAD-7": "0–21 分", "SCL-90": "总分 90–450"}


class MentalDialog(FormMixin, SaveFlow, QDialog):
    """``MentalDialog(cadre_id)`` records; ``MentalDialog(cadre_id, record)`` edits a revealed record.

    ``saved(record_id)`` after saving."""

    saved = Signal(int)
    SAVE_ON_CTRL_ENTER = True

    FIELD_NAMES = {"record_date": "日期", "consent_date": "知情同意日期", "consent_scope": "同意范围",
                   "scale": "量表", "score": "得分", "summary": "摘要"}

    def __init__(self, cadre_id: int, record: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.cadre_id = cadre_id
        self.record_id = record["id"] if record else None
        self.band = None
        label = queries.picker_label(cadre_id)
        name = label[1] if label else ""
        self.setModal(True)
        self.setWindowTitle(self.tr("修改心理健康记录 — {0}（保密）").format(name) if record
                            else self.tr("登记心理评估/咨询 — {0}（保密）").format(name))
        self._build()
        self._load(record)
        self._loading = False
        self._validate()
        self.fit_to_screen(620, self.sizeHint().height())

    def _build(self) -> None:
        outer = dialog_column(self)
        notice = QFrame(self)
        notice.setObjectName("DetailHeader")
        nl = QHBoxLayout(notice)
        nl.setContentsMargins(12, 8, 12, 8)
        icon = QLabel()
        icon.setPixmap(theme.icon("health-lock").pixmap(20, 20))
        nl.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QLabel(self.tr("心理健康信息属于敏感个人信息，须取得本人同意后记录。此记录不出现在任何名单、报表和导出中，"
                              "只能在干部详情中说明查看目的后查看，每次查看都会留下记录。"))
        text.setWordWrap(True)
        theme.set_role(text, "info")
        nl.addWidget(text, 1)
        outer.addWidget(notice)

        form = make_form()
        self.kind = QComboBox()
        self.kind.addItems([self.tr(k) for k in health_service.MENTAL_KINDS])
        for i, k in enumerate(health_service.MENTAL_KINDS):
            self.kind.setItemData(i, k)
        self.add_field(form, "kind", "类型", self.kind, required=True)
        self.record_date = DateEdit(field="record_date", label=self.tr("日期"))
        self.add_field(form, "record_date", "日期", self.record_date, required=True)
        self.scale = QComboBox()
        self.scale.addItem(self.tr("不使用量表"), "")
        for s in health_service.SCALES:
            self.scale.addItem(s, s)
        self.add_field(form, "scale", "量表", self.scale)
        self.score = QLineEdit()
        self.score.setValidator(QIntValidator(0, 999, self.score))
        self.score.setMaxLength(3)
        self.score.setMaximumWidth(110)
        self.band_label = QLabel()
        self.band_label.setMinimumWidth(220)
        self.add_field(form, "score", "得分", self.score, extra=self.band_label)
        self.counsellor = QLineEdit()
        self.counsellor.setMaxLength(40)
        self.counsellor.setPlaceholderText(self.tr("如 县心理服务中心 王老师"))
        self.add_field(form, "counsellor", "咨询师/机构", self.counsellor)
        self.summary = QPlainTextEdit()
        self.summary.setFixedHeight(80)
        self.summary.setPlaceholderText(self.tr("评估结论或咨询要点，只记必要内容"))
        self.watch_multiline(self.summary)
        self.add_field(form, "summary", "摘要", self.summary)
        self.consent_date = DateEdit(field="consent_date", label=self.tr("知情同意日期"))
        self.add_field(form, "consent_date", "知情同意日期", self.consent_date, required=True)
        self.consent_scope = QComboBox()
        self.consent_scope.setEditable(True)
        self.consent_scope.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.consent_scope.addItems([self.tr(s) for s in CONSENT_SCOPES])
        self.consent_scope.lineEdit().setMaxLength(100)
        self.consent_scope.lineEdit().setPlaceholderText(self.tr("本人同意记录的内容"))
        self.add_field(form, "consent_scope", "同意范围", self.consent_scope, required=True)
        outer.addLayout(form)
        self.make_footer(outer)

        self.kind.activated.connect(lambda _i: self._on_choice("kind"))
        self.scale.activated.connect(lambda _i: self._on_scale_chosen())
        for key, w in (("record_date", self.record_date), ("consent_date", self.consent_date)):
            w.edited.connect(lambda k=key: self._on_edited(k))
            w.editing_finished.connect(lambda k=key: self._on_left(k))
        self.score.textEdited.connect(lambda _t: self._on_score_edited())
        self.score.editingFinished.connect(lambda: self._on_left("score"))
        self.counsellor.textEdited.connect(lambda _t: self._on_edited("counsellor"))
        self.summary.textChanged.connect(lambda: self._on_edited("summary"))
        self.consent_scope.editTextChanged.connect(lambda _t: self._on_edited("consent_scope"))
        self.consent_scope.lineEdit().editingFinished.connect(lambda: self._on_left("consent_scope"))
        self.consent_scope.activated.connect(lambda _i: self._on_choice("consent_scope"))
        order = [self.kind, self.record_date.line_edit, self.scale, self.score, self.counsellor, self.summary,
                 self.consent_date.line_edit, self.consent_scope, self.save_button, self.cancel_button]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def _load(self, record: dict[str, Any] | None) -> None:
        r = record or {}
        self.kind.setCurrentIndex(max(0, self.kind.findData(r.get("kind") or "评估")))
        self.record_date.setValue(r.get("record_date"))
        self.scale.setCurrentIndex(max(0, self.scale.findData(r.get("scale") or ("PHQ-9" if not record else ""))))
        self.score.setText("" if r.get("score") is None else str(r["score"]))
        self.counsellor.setText(r.get("counsellor") or "")
        self.summary.setPlainText(r.get("summary") or "")
        self.consent_date.setValue(r.get("consent_date"))
        scope = r.get("consent_scope") or ""
        if scope and self.consent_scope.findText(scope) < 0:
            self.consent_scope.addItem(scope)
        self.consent_scope.setCurrentIndex(self.consent_scope.findText(scope) if scope else -1)
        if not scope:
            self.consent_scope.setEditText("")
        self.kind.setFocus()

    def _on_scale_chosen(self) -> None:
        if self.scale.currentData() == "":
            self.score.clear()
        self._touched.add("scale")
        self._on_choice("scale")

    def _on_score_edited(self) -> None:
        self._on_edited("score")

    # ------------------------------------------------------------ data
    def collect(self) -> tuple[health_service.MentalInput, list[DomainError]]:
        local = [e for e in (self.record_date.error(), self.consent_date.error()) if e]
        inp = health_service.MentalInput(
            cadre_id=self.cadre_id, kind=self.kind.currentData() or "",
            record_date=self.record_date.value(), scale=self.scale.currentData() or "",
            score=self.score.text().strip() or None, counsellor=self.counsellor.text(),
            summary=self.summary.toPlainText(), consent_date=self.consent_date.value(),
            consent_scope=self.consent_scope.currentText())
        return inp, local

    def collect_errors(self) -> list[DomainError]:
        inp, local = self.collect()
        errors, self.band = health_service.mental_problems(inp)
        fields = {e.field for e in local}
        return local + [e for e in errors if e.field not in fields]

    def _show_messages(self) -> None:
        super()._show_messages()
        scale = self.scale.currentData() or ""
        if self.band is not None:
            text = self.band.band + (self.tr("（建议进一步评估）") if self.band.attention
                                     and "建议" not in self.band.band else "")
            self.band_label.setText(self.tr("结果：{0}").format(text))
            theme.set_role(self.band_label, "warning" if self.band.attention else "info")
        elif scale:
            self.band_label.setText(self.tr("{0}，输入后显示结果分级").format(SCALE_HINT.get(scale, "")))
            theme.set_role(self.band_label, "hint")
        else:
            self.band_label.setText("")
        self.score.setEnabled(bool(scale))

    def store(self) -> int:
        inp, _ = self.collect()
        self.record_id = health_service.save_mental(inp, self.record_id)
        return self.record_id

