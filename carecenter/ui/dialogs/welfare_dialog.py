"""登记慰问 / 修改慰问记录: one visit, checked live against caps, the fund's budget and
likely duplicates (DOMAIN.md §5).

Every change calls ``services.welfare.preview`` and shows what it says at once:
neutral information (this year's visits and the cap, the fund's budget) in the
panel on the right, warnings in amber each with its word (超出上限, 超出预算,
可能重复 …), and errors in red under the field they concern — cash for a festival
is refused there ("节日慰问不得发放现金或购物卡，请改为物品").  When a warning needs a
reason the 超出说明 row appears and is required.  保存 stays disabled while
anything is wrong and its tooltip says why; Enter saves, Esc cancels.

``MoneyEdit`` (an amount typed as 1200 or 1,200.00, shown with 元, in
``widgets.money_edit``) and ``FormBase`` (messages under fields, the save button's
state, in ``widgets.record_form``) are shared with the other welfare dialogs.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain import welfare as rules
from ...domain.errors import DomainError
from ...domain.money import format_yuan, to_capital
from ...services import welfare as welfare_service
from ...services.welfare import WelfareInput
from .. import theme
from ..widgets.cadre_picker import CadrePicker
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import SaveFlow, scrolled_form, side_panel
from ..widgets.money_edit import MoneyEdit
from ..widgets.record_form import FormBase, combo_value, target_of



class WelfareDialog(FormBase, SaveFlow, QDialog):
    """``WelfareDialog(None, cadre_id=…)`` records a visit, ``WelfareDialog(record_id)`` edits one.

    ``lock_cadre=True`` (from a cadre's detail window) shows the cadre but does not let
    it change.  ``saved(record_id)`` after saving."""

    saved = Signal(int)
    TOUCH_ON_SAVE = ("*",)

    LABELS = dict(welfare_service.RECORD_LABELS)
    REQUIRED = {"cadre_id", "occasion", "record_date", "funding_source"}

    def __init__(self, record_id: int | None = None, parent: QWidget | None = None, *,
                 cadre_id: int | None = None, occasion: str = "", lock_cadre: bool = False,
                 today: date | None = None):
        super().__init__(parent)
        self._init_form()
        self.record_id = record_id
        self.today = today
        self.preview_result: welfare_service.WelfarePreview | None = None
        self._source_chosen = False
        record = welfare_service.get_record(record_id) if record_id else None
        self._record = record
        self.lock_cadre = lock_cadre or record is not None
        self.setWindowTitle(self.tr("修改慰问记录 — {0}").format(record["cadre_name"]) if record
                            else self.tr("登记慰问"))
        self.setModal(True)
        self._build()
        self._load(record, cadre_id, occasion)
        self._loading = False
        self._validate()
        self.fit_to_screen(940, 660)

    # ================================================================ building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        body = QHBoxLayout()
        body.setSpacing(16)
        outer.addLayout(body, 1)

        left, left_col = scrolled_form(self, body)

        box = QGroupBox(self.tr("慰问信息"), left)
        self.form = self.make_form()
        self.form.setContentsMargins(0, 8, 0, 0)
        box.setLayout(self.form)
        left_col.addWidget(box)

        self.picker = CadrePicker(self)
        self.add_row(self.form, "cadre_id", self.picker)

        self.occasion_combo = QComboBox(self)
        self.occasion_combo.setMaxVisibleItems(18)
        self.occasion_combo.setMinimumWidth(200)
        for code, name in welfare_service.occasion_names():
            self.occasion_combo.addItem(name, code)
        self.occasion_combo.setPlaceholderText(self.tr("请选择"))
        self.occasion_combo.setCurrentIndex(-1)
        self.occasion_hint = QLabel(self)
        self.occasion_hint.setWordWrap(True)
        theme.set_role(self.occasion_hint, "hint")
        self.add_row(self.form, "occasion", self._line(self.occasion_combo), extra=self.occasion_hint,
                     input_widget=self.occasion_combo)

        self.date_edit = DateEdit(self, field="record_date", label="慰问日期")
        self.add_row(self.form, "record_date", self._line(self.date_edit), input_widget=self.date_edit)

        self.money_edit = MoneyEdit(self, field="money_fen", label="慰问金")
        self.add_row(self.form, "money_fen", self.money_edit)
        self.money_hint = QLabel(self)
        self.money_hint.setWordWrap(True)
        theme.set_role(self.money_hint, "hint")

        self.goods_edit = QLineEdit(self)
        self.goods_edit.setMaxLength(200)
        self.goods_edit.setPlaceholderText(self.tr("如 大米一袋、食用油一桶、水果"))
        self.add_row(self.form, "goods", self.goods_edit)
        self.goods_value = MoneyEdit(self, field="goods_fen", label="物品价值")
        self.add_row(self.form, "goods_fen", self.goods_value)

        self.source_combo = QComboBox(self)
        self.source_combo.setMinimumWidth(160)
        for name in welfare_service.funding_sources(self.today):
            self.source_combo.addItem(name, name)
        self.source_combo.setPlaceholderText(self.tr("请选择"))
        self.source_combo.setCurrentIndex(-1)
        self.add_row(self.form, "funding_source", self._line(self.source_combo), input_widget=self.source_combo)

        self.visitors_edit = QLineEdit(self)
        self.visitors_edit.setMaxLength(200)
        self.visitors_edit.setPlaceholderText(self.tr("如 镇党委书记 王某、工会主席 李某"))
        self.add_row(self.form, "visitors", self.visitors_edit)

        self.episode_combo = QComboBox(self)
        self.episode_combo.setEditable(True)
        self.episode_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.episode_combo.lineEdit().setMaxLength(60)
        self.episode_combo.lineEdit().setPlaceholderText(self.tr("如 2026年3月 住院；同一事项多次慰问填相同内容"))
        self.episode_hint = QLabel(self.tr("同一事项的几次慰问合计计算上限（如同一次住院的多次探望）"), self)
        self.episode_hint.setWordWrap(True)
        theme.set_role(self.episode_hint, "hint")
        self.add_row(self.form, "episode", self.episode_combo, extra=self.episode_hint)

        self.notes_edit = QLineEdit(self)
        self.notes_edit.setMaxLength(500)
        self.add_row(self.form, "notes", self.notes_edit)

        self.over_edit = QLineEdit(self)
        self.over_edit.setMaxLength(500)
        self.over_edit.setPlaceholderText(self.tr("说明为什么超出，如 病情较重，经工会委员会研究同意"))
        self.add_row(self.form, "over_reason", self.over_edit)
        left_col.addStretch(1)

        # -- the live result
        panel = QFrame(self)
        pcol = side_panel(panel, self.tr("核对结果"), 310)
        self.total_label = QLabel(panel)
        self.total_label.setObjectName("WelfareTotal")
        self.total_label.setWordWrap(True)
        self.total_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        pcol.addWidget(self.total_label)
        self.capital_label = QLabel(panel)
        self.capital_label.setWordWrap(True)
        theme.set_role(self.capital_label, "hint")
        pcol.addWidget(self.capital_label)
        self.info_label = QLabel(panel)
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.info_label, "info")
        pcol.addWidget(self.info_label)
        self.warning_label = QLabel(panel)
        self.warning_label.setWordWrap(True)
        self.warning_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.warning_label, "warning")
        pcol.addWidget(self.warning_label)
        self.problem_label = QLabel(panel)
        self.problem_label.setWordWrap(True)
        theme.set_role(self.problem_label, "error")
        pcol.addWidget(self.problem_label)
        pcol.addStretch(1)
        body.addWidget(panel)

        self.make_footer(outer)

        # -- wiring
        self.picker.cadre_changed.connect(lambda _c: self._on_cadre_changed())
        self.picker.editingFinished.connect(lambda: self._on_left("cadre_id"))
        self.occasion_combo.currentIndexChanged.connect(lambda _i: self._on_occasion_changed())
        self.date_edit.edited.connect(lambda: self._on_edited("record_date"))
        self.date_edit.editing_finished.connect(lambda: self._on_left("record_date"))
        for w, key in ((self.money_edit, "money_fen"), (self.goods_value, "goods_fen")):
            w.edited.connect(lambda k=key: self._on_edited(k))
            w.editing_finished.connect(lambda k=key: self._on_left(k))
        self.source_combo.activated.connect(self._on_source_activated)
        self.source_combo.currentIndexChanged.connect(lambda _i: self._on_choice("funding_source"))
        for edit, key in ((self.goods_edit, "goods"), (self.visitors_edit, "visitors"), (self.notes_edit, "notes"),
                          (self.over_edit, "over_reason")):
            edit.textEdited.connect(lambda _t, k=key: self._on_edited(k))
            edit.editingFinished.connect(lambda k=key: self._on_left(k))
        self.episode_combo.editTextChanged.connect(lambda _t: self._on_edited("episode"))
        self.episode_combo.lineEdit().editingFinished.connect(lambda: self._on_left("episode"))
        order = [self.picker, self.occasion_combo, self.date_edit.line_edit, self.money_edit.line_edit,
                 self.goods_edit, self.goods_value.line_edit, self.source_combo, self.visitors_edit,
                 self.episode_combo, self.notes_edit, self.over_edit, self.save_button, self.cancel_button]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def _line(self, *widgets: QWidget) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for w in widgets:
            row.addWidget(w, 1 if isinstance(w, DateEdit) else 0)
        row.addStretch(1)
        return holder

    # ================================================================ loading
    def _load(self, record: dict[str, Any] | None, cadre_id: int | None, occasion: str) -> None:
        if record is None:
            if cadre_id:
                self.picker.set_cadre(cadre_id)
            if occasion:
                self.occasion_combo.setCurrentIndex(self.occasion_combo.findData(occasion))
            self.date_edit.setValue(self.today or date.today())
        else:
            self.picker.set_cadre(record["cadre_id"])
            index = self.occasion_combo.findData(record["occasion"])
            if index < 0:
                self.occasion_combo.addItem(record["occasion_name"], record["occasion"])
                index = self.occasion_combo.count() - 1
            self.occasion_combo.setCurrentIndex(index)
            self.date_edit.setValue(record["record_date"])
            self.money_edit.setValue(record["money_fen"])
            self.goods_edit.setText(record["goods"] or "")
            self.goods_value.setValue(record["goods_fen"])
            source = record["funding_source"]
            if source and self.source_combo.findData(source) < 0:
                self.source_combo.addItem(source, source)
            self.source_combo.setCurrentIndex(self.source_combo.findData(source) if source else -1)
            self._source_chosen = True
            self.visitors_edit.setText(record["visitors"] or "")
            self.episode_combo.setEditText(record["episode"] or "")
            self.notes_edit.setText(record["notes"] or "")
            self.over_edit.setText(record["over_reason"] or "")
        self._adapt_to_occasion()
        self._reload_episodes()
        if self.lock_cadre and self.picker.cadre_id is not None:
            self.picker.setReadOnly(True)
            self.picker.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            self.picker.setToolTip(self.tr("从干部详情或已有记录打开，干部不能更改"))
            self.occasion_combo.setFocus()
        else:
            self.picker.setFocus()

    # ================================================================ reading
    @property
    def occasion(self) -> str:
        return combo_value(self.occasion_combo)

    def welfare_input(self) -> WelfareInput:
        return WelfareInput(
            cadre_id=self.picker.cadre_id, occasion=self.occasion, record_date=self.date_edit.value(),
            money_fen=self.money_edit.value(), goods=self.goods_edit.text(), goods_fen=self.goods_value.value(),
            funding_source=combo_value(self.source_combo), visitors=self.visitors_edit.text(),
            episode=self.episode_combo.currentText(), notes=self.notes_edit.text(),
            over_reason=self.over_edit.text())

    def _occasion_rule(self) -> rules.Occasion | None:
        if not self.occasion:
            return None
        try:
            return welfare_service.occasion_for(self.occasion, self.date_edit.value() or date.today())
        except DomainError:
            return None

    # ================================================================ reacting
    def _on_cadre_changed(self) -> None:
        self._reload_episodes()
        self._on_edited("cadre_id")

    def _on_occasion_changed(self) -> None:
        self._adapt_to_occasion()
        self._reload_episodes()
        self._on_choice("occasion")

    def _on_source_activated(self, _index: int) -> None:
        self._source_chosen = True

    def _reload_episodes(self) -> None:
        text = self.episode_combo.currentText()
        self.episode_combo.blockSignals(True)
        self.episode_combo.clear()
        self.episode_combo.addItems(welfare_service.episodes(self.picker.cadre_id, self.occasion))
        self.episode_combo.setEditText(text)
        self.episode_combo.blockSignals(False)

    def _adapt_to_occasion(self) -> None:
        occ = self._occasion_rule()
        notes = []
        if occ is not None:
            if occ.cap_fen is not None:
                notes.append(self.tr("上限：{0} {1} 元").format(self.tr(rules.CAP_SCOPES.get(occ.cap_scope or "", "")),
                                                             format_yuan(occ.cap_fen)))
            if occ.standard_fen is not None:
                notes.append(self.tr("标准 {0} 元").format(format_yuan(occ.standard_fen)))
            if not occ.cash_allowed:
                notes.append(self.tr("只能发放物品，不得发放现金或购物卡"))
            # the occasion's usual source, until the clerk picks one
            if not self._source_chosen and occ.funding_sources:
                index = self.source_combo.findData(occ.funding_sources[0])
                if index >= 0 and index != self.source_combo.currentIndex():
                    self.source_combo.blockSignals(True)
                    self.source_combo.setCurrentIndex(index)
                    self.source_combo.blockSignals(False)
        self.occasion_hint.setText("；".join(notes))
        self.occasion_hint.setVisible(bool(notes))
        cash = occ is None or occ.cash_allowed
        self.money_edit.line_edit.setPlaceholderText("0.00" if cash else self.tr("不得发放现金"))

    # ================================================================ validation
    def _local_errors(self) -> list[DomainError]:
        out = []
        for w in (self.date_edit, self.money_edit, self.goods_value):
            err = w.error()
            if err is not None:
                out.append(err)
        if self.picker.cadre_id is None and self.picker.text().strip() and not self.lock_cadre:
            out.append(DomainError("cadre_not_chosen", "请从下拉列表中选择干部（可输入姓名、拼音首字母或身份证尾号）",
                                   "cadre_id"))
        return out

    def collect_errors(self) -> list[DomainError]:
        local = self._local_errors()
        pre = welfare_service.preview(self.welfare_input(), self.record_id, self.today)
        self.preview_result = pre
        local_fields = {e.field for e in local}
        return local + [e for e in pre.errors if e.field not in local_fields]

    def _validate(self) -> None:
        super()._validate()
        self._show_preview()

    def _show_preview(self) -> None:
        pre = self.preview_result
        if pre is None:
            return
        needs = pre.needs_reason or bool(self._record and self._record.get("over_reason"))
        self.set_row_visible(self.form, "over_reason", needs)
        self.set_required("over_reason", pre.needs_reason)
        total = self.money_edit.value() + self.goods_value.value()
        if total:
            self.total_label.setText(self.tr("合计 {0} 元").format(format_yuan(total)))
            self.capital_label.setText(self.tr("大写：{0}").format(to_capital(total)))
        else:
            self.total_label.setText(self.tr("—"))
            self.capital_label.setText(self.tr("填写慰问金或物品价值后显示合计"))
        self.info_label.setText("\n".join(pre.info))
        self.info_label.setVisible(bool(pre.info))
        lines = []
        for w in pre.warnings:
            tag = self.tr(welfare_service.WARNING_TAGS.get(w.code, "注意"))
            lines.append(f"【{tag}】{w.message}")
        self.warning_label.setText("\n".join(lines))
        self.warning_label.setVisible(bool(lines))
        loose = [e.message for e in self._errors if (e.field or "") not in self.messages]
        self.problem_label.setText("\n".join(dict.fromkeys(loose)))
        self.problem_label.setVisible(bool(loose))
        if not self._errors and pre.warnings:
            w = pre.warnings[0]
            tag = self.tr(welfare_service.WARNING_TAGS.get(w.code, "注意"))
            suffix = self.tr("（已填写超出说明，可以保存）") if pre.needs_reason else self.tr("（请核对后保存）")
            self.status_label.setText(f"{tag}：{w.message}{suffix}")
            theme.set_role(self.status_label, "warning")
            for key in ("over_reason",):
                theme.set_state(target_of(self.inputs[key]), None)

    @property
    def warnings(self) -> list[rules.WelfareWarning]:
        return list(self.preview_result.warnings) if self.preview_result else []

    # ================================================================ actions
    def store(self) -> int:
        self.record_id = welfare_service.save_record(self.welfare_input(), self.record_id, self.today)
        return self.record_id
