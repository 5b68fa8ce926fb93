"""登记随访结果: the follow-up of one abnormal finding (notified, referred, re-check,
outcome, closed), saved with ``services.health.update_finding``.

Validated as the clerk types (``finding_problems``); closing needs the outcome
and the closing date (ticking 已关闭 fills in today, which the clerk may change).
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QLineEdit, QPlainTextEdit, QWidget

from ...domain.errors import DomainError
from ...services import health as health_service
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column, make_form, summary_frame
from ..widgets.record_form import FormMixin

LEVEL_TEXT = {"A": "A类（需立即临床处置）", "B": "B类（需进一步检查或治疗）"}


class FindingDialog(FormMixin, SaveFlow, QDialog):
    """``FindingDialog(finding_id, check_id)``; ``saved(finding_id)`` after saving."""

    saved = Signal(int)
    SAVE_ON_CTRL_ENTER = True

    FIELD_NAMES = {"outcome": "处理结果", "closed_date": "关闭日期"}

    def __init__(self, finding_id: int, check_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.finding_id = finding_id
        check = health_service.get_check(check_id)
        finding = next((f for f in check["findings"] if f["id"] == finding_id), None)
        if finding is None:
            raise DomainError("not_found", "该异常结果已从体检记录中移除，请刷新后重试", None)
        self.check = check
        self.finding = finding
        self.check_date: date = check["check_date"]
        self.setModal(True)
        self.setWindowTitle(self.tr("登记随访结果 — {0}").format(check["cadre_name"]))
        self._build()
        self._load()
        self._loading = False
        self._validate()
        self.fit_to_screen(600, self.sizeHint().height())

    def _build(self) -> None:
        outer = dialog_column(self)

        f, c = self.finding, self.check
        rows = [
            ("干部", c["cadre_name"]),
            ("体检", f"{c['check_date'].isoformat()}　{c['package']}　{c['institution'] or ''}".strip()),
            ("异常项目", f"{f['item']}　{self.tr(LEVEL_TEXT.get(f['level'], f['level']))}"),
            ("描述", f["description"] or "—"),
        ]
        summary, self.summary_values = summary_frame([(self.tr(label), value) for label, value in rows], self)
        outer.addWidget(summary)

        form = make_form()
        self.notified = DateEdit(field="notified_date", label=self.tr("告知日期"))
        self.add_field(form, "notified_date", "告知日期", self.notified)
        self.referral = QLineEdit()
        self.referral.setMaxLength(100)
        self.referral.setPlaceholderText(self.tr("如 县人民医院心内科"))
        self.add_field(form, "referral", "转诊科室/医院", self.referral)
        self.recheck = DateEdit(field="recheck_due", label=self.tr("复查日期"))
        self.add_field(form, "recheck_due", "复查日期", self.recheck)
        self.outcome = QPlainTextEdit()
        self.outcome.setFixedHeight(64)
        self.outcome.setPlaceholderText(self.tr("如 复查正常 / 已住院治疗 / 服药控制良好"))
        self.watch_multiline(self.outcome)
        self.add_field(form, "outcome", "处理结果", self.outcome)
        self.closed = QCheckBox(self.tr("随访已结束，关闭这条异常"))
        self.add_field(form, "closed", "关闭随访", self.closed)
        self.closed_date = DateEdit(field="closed_date", label=self.tr("关闭日期"))
        self.add_field(form, "closed_date", "关闭日期", self.closed_date)
        outer.addLayout(form)
        add_note(outer, self.tr("过了复查日期仍未关闭的异常显示为「复查逾期」。处理结果中 Enter 换行，Ctrl+Enter 保存。"))
        self.make_footer(outer, required_hint=False)

        for key, w in (("notified_date", self.notified), ("recheck_due", self.recheck),
                       ("closed_date", self.closed_date)):
            w.edited.connect(lambda k=key: self._on_edited(k))
            w.editing_finished.connect(lambda k=key: self._on_left(k))
        self.referral.textEdited.connect(lambda _t: self._on_edited("referral"))
        self.referral.editingFinished.connect(lambda: self._on_left("referral"))
        self.outcome.textChanged.connect(lambda: self._on_edited("outcome"))
        self.closed.toggled.connect(self._on_closed_toggled)
        order = [self.notified.line_edit, self.referral, self.recheck.line_edit, self.outcome, self.closed,
                 self.closed_date.line_edit, self.save_button, self.cancel_button]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def _load(self) -> None:
        f = self.finding
        self.notified.setValue(f["notified_date"])
        self.referral.setText(f["referral"] or "")
        self.recheck.setValue(f["recheck_due"])
        self.outcome.setPlainText(f["outcome"] or "")
        self.closed.setChecked(bool(f["closed"]))
        self.closed_date.setValue(f["closed_date"])
        first = self.outcome if f["notified_date"] else self.notified
        first.setFocus()

    def _on_closed_toggled(self, on: bool) -> None:
        if self._loading:
            return
        if on and not self.closed_date.text().strip():
            self.closed_date.setValue(date.today())
        # closing needs the outcome and the date: say so under those fields at once
        self._touched.update({"closed", "outcome", "closed_date"} if on else {"closed"})
        self._on_choice("closed")

    # ------------------------------------------------------------ data
    def values(self) -> dict:
        return dict(notified_date=self.notified.value(), referral=self.referral.text(),
                    recheck_due=self.recheck.value(), outcome=self.outcome.toPlainText(),
                    closed=self.closed.isChecked(), closed_date=self.closed_date.value())

    def collect_errors(self) -> list[DomainError]:
        local = [e for e in (self.notified.error(), self.recheck.error(), self.closed_date.error()) if e]
        f = self.finding
        inp = health_service.FindingInput(item=f["item"], description=f["description"], level=f["level"],
                                          **self.values())
        local_fields = {e.field for e in local}
        out = list(local)
        for err in health_service.finding_problems(inp, self.check_date):
            key = err.params.get("key") or err.field
            if key not in local_fields:
                out.append(DomainError(err.code, err.message, key, **err.params))
        return out

    def store(self) -> int:
        health_service.update_finding(self.finding_id, **self.values())
        return self.finding_id

    def field_errors(self, errors: list[DomainError]) -> list[DomainError]:
        return [DomainError(e.code, e.message, e.params.get("key") or e.field, **e.params) for e in errors]
