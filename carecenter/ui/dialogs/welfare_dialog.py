"""登记慰问 / 修改慰问记录: one visit, checked live against caps, the fund's budget and
likely duplicates (DOMAIN.md §5).

Every change calls ``services.welfare.preview`` and shows what it says at once:
neutral information (this year's visits and the cap, the fund's budget) in the
panel on the right, warnings in amber each with its word (超出上限, 超出预算,
可能重复 …), and errors in red under the field they concern — cash for a festival
is refused there ("节日慰问不得发放现金或购物卡，请改为物品").  When a warning needs a
reason the 超出说明 row appears and is required.  保存 stays disabled while
anything is wrong and its tooltip says why; Enter saves, Esc cancels.

``MoneyEdit`` (an amount typed as 1200 or 1,200.00, shown with 元) and
``FormBase`` (messages under fields, the save button's state) are shared with
the other welfare dialogs.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...domain import welfare as rules
from ...domain.errors import DomainError, ValidationError
from ...domain.money import format_yuan, parse_yuan, to_capital
from ...services import welfare as welfare_service
from ...services.welfare import WelfareInput
from .. import messages, theme
from ..widgets.cadre_picker import CadrePicker
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button

REQUIRED_MARK = "<span style='color:#c62828'>*</span> "


class MoneyEdit(QWidget):
    """An amount in yuan: accepts 1200, 1,200.00, ￥1200, 1200元; shows 元 after the field.

    ``value()`` is integer fen (0 when empty, None when the text is not an amount);
    ``error()`` says what is wrong.  Leaving the field rewrites a valid entry as 1,200.00."""

    edited = Signal()
    editing_finished = Signal()

    def __init__(self, parent: QWidget | None = None, *, field: str = "amount", label: str = "金额",
                 required: bool = False, placeholder: str = "0.00"):
        super().__init__(parent)
        self.field = field
        self.label = label
        self.required = required
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.line_edit = QLineEdit(self)
        self.line_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.line_edit.setPlaceholderText(placeholder)
        self.line_edit.setMaxLength(20)
        self.line_edit.setMinimumWidth(120)
        self.line_edit.setMaximumWidth(170)
        self.line_edit.setToolTip(self.tr("以元为单位，如 1200 或 1,200.50"))
        row.addWidget(self.line_edit)
        unit = QLabel(self.tr("元"), self)
        row.addWidget(unit)
        row.addStretch(1)
        self.setFocusProxy(self.line_edit)
        self.line_edit.textEdited.connect(lambda _t: self.edited.emit())
        self.line_edit.editingFinished.connect(self._on_editing_finished)

    def text(self) -> str:
        return self.line_edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setText(text)

    def fen(self) -> int | None:
        """The amount in fen; None when empty."""
        try:
            return parse_yuan(self.text(), self.field, self.label, required=False)
        except DomainError:
            return None

    def value(self) -> int:
        return self.fen() or 0

    def error(self) -> DomainError | None:
        try:
            parse_yuan(self.text(), self.field, self.label, required=self.required)
        except DomainError as err:
            return err
        return None

    def setValue(self, fen: int | None) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setText(format_yuan(fen) if fen else "")

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - Qt naming
        self.line_edit.setReadOnly(read_only)

    def _on_editing_finished(self) -> None:
        fen = self.fen()
        if fen is not None and self.error() is None:
            text = format_yuan(fen)
            if text != self.line_edit.text():
                self.line_edit.setText(text)
        self.editing_finished.emit()


def target_of(widget: QWidget) -> QWidget:
    """The widget that takes the error border and the focus (a field's line edit)."""
    inner = getattr(widget, "line_edit", None)
    return inner if inner is not None else widget


class FormBase:
    """Messages under fields, touched-field tracking, the save button's state, Enter/Esc.

    The dialog provides ``inputs``/``messages``/``rows`` dicts, ``LABELS`` (field → name),
    ``CALM`` (error codes shown only after the clerk left the field), ``save_button``,
    ``status_label``, ``collect_errors()`` and ``save()``."""

    LABELS: dict[str, str] = {}
    REQUIRED: set[str] = set()
    CALM = {"required", "reason_required", "amount_required"}

    def _init_form(self) -> None:
        self.inputs: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}
        self.row_labels: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._errors: list[DomainError] = []
        self._dirty = False
        self._loading = True

    @staticmethod
    def make_form() -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        return form

    def add_row(self, form: QFormLayout, key: str, widget: QWidget, extra: QWidget | None = None,
                input_widget: QWidget | None = None) -> None:
        self.inputs[key] = input_widget or widget
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if extra is not None:
            column.addWidget(extra)
        message = QLabel(holder)
        message.setWordWrap(True)
        message.setVisible(False)
        message.setObjectName(f"msg_{key}")
        theme.set_role(message, "error")
        column.addWidget(message)
        self.messages[key] = message
        label = QLabel()
        label.setMinimumWidth(80)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setBuddy(target_of(self.inputs[key]))
        self.row_labels[key] = label
        self.set_required(key, key in self.REQUIRED)
        form.addRow(label, holder)
        self.rows[key] = holder

    def set_required(self, key: str, required: bool) -> None:
        text = self.tr(self.LABELS[key])
        self.row_labels[key].setText((REQUIRED_MARK + text) if required else text)

    def set_row_visible(self, form: QFormLayout, key: str, visible: bool) -> None:
        form.setRowVisible(self.rows[key], visible)

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

    def _is_calm(self, err: DomainError) -> bool:
        return err.code in self.CALM and (err.field or "") not in self._touched

    def _show_messages(self) -> None:
        shown: dict[str, list[str]] = {}
        for err in self._errors:
            if err.field in self.messages and not self._is_calm(err):
                shown.setdefault(err.field, []).append(err.message)
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
            self._status_ok()
            return
        self.save_button.setToolTip(self.tr("请先改正以下问题：") + "\n" + "\n".join(
            f"· {m}" for m in dict.fromkeys(e.message for e in self._errors)))
        calm = [e for e in self._errors if self._is_calm(e)]
        if len(calm) == len(self._errors):
            names = [self.tr(self.LABELS.get(e.field or "", "")) for e in calm]
            self.status_label.setText(self.tr("还需填写：") + "、".join(dict.fromkeys(n for n in names if n)))
            theme.set_role(self.status_label, "info")
        else:
            first = [e for e in self._errors if not self._is_calm(e)] or self._errors
            more = self.tr("（共 {0} 处需要改正）").format(len(self._errors)) if len(self._errors) > 1 else ""
            self.status_label.setText(self.tr("还不能保存：") + first[0].message + more)
            theme.set_role(self.status_label, "error")

    def _status_ok(self) -> None:
        self.status_label.setText("")
        theme.set_role(self.status_label, "info")

    def reveal_errors(self) -> None:
        """Show every error (as after a save attempt) and put the cursor on the first one."""
        self._touched.update(self.messages.keys())
        self._show_messages()
        for err in self._errors:
            widget = self.inputs.get(err.field or "")
            if widget is not None and widget.isEnabled() and self.rows[err.field].isVisible():
                if getattr(widget, "isReadOnly", lambda: False)():
                    continue
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

    def enter_saves(self, event) -> bool:
        """Enter (without modifiers) saves; True when the key was used."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.NoModifier:
            picker = self.inputs.get("cadre_id")
            if isinstance(picker, CadrePicker) and picker.hasFocus() and picker.cadre_id is None \
                    and picker.text().strip():
                picker.choose_first()   # type a name, Enter picks the first match
                return True
            self.save()
            return True
        return False


def combo_value(combo: QComboBox) -> str:
    """The current item's data as text ("" when nothing is chosen)."""
    if combo.currentIndex() < 0:
        return ""
    value = combo.currentData()
    return "" if value is None else str(value)


class WelfareDialog(FormBase, QDialog):
    """``WelfareDialog(None, cadre_id=…)`` records a visit, ``WelfareDialog(record_id)`` edits one.

    ``lock_cadre=True`` (from a cadre's detail window) shows the cadre but does not let
    it change.  ``saved(record_id)`` after saving."""

    saved = Signal(int)

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

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QFrame()
        left.setObjectName("FormArea")
        left_col = QVBoxLayout(left)
        left_col.setContentsMargins(18, 4, 18, 12)
        left_col.setSpacing(0)
        scroll.setWidget(left)
        body.addWidget(scroll, 1)

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
        panel.setObjectName("FormArea")
        panel.setFixedWidth(310)
        pcol = QVBoxLayout(panel)
        pcol.setContentsMargins(16, 14, 16, 14)
        pcol.setSpacing(8)
        title = QLabel(self.tr("核对结果"), panel)
        theme.set_role(title, "section")
        pcol.addWidget(title)
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
    def save(self) -> bool:
        self._touched.update(self.messages.keys())
        self._validate()
        if self._errors:
            self.reveal_errors()
            return False
        try:
            record_id = welfare_service.save_record(self.welfare_input(), self.record_id, self.today)
        except ValidationError as err:
            self._errors = list(err.errors)
            self._show_messages()
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

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if self.enter_saves(event):
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if not self.confirm_discard():
            return
        self._dirty = False
        super().reject()
