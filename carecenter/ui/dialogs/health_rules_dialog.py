"""体检周期设置: the health-check cycle rules by age band and sex (DOMAIN.md §4).

The rules are data with an effective date, seeded from a preset and edited
here: 新增 / 编辑 / 停用 a rule, or 载入预设 (which retires every active rule and
loads the preset's rows, after asking).  Rules a preset gives only as an
example are marked 示例 until the clerk changes them.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError, ValidationError
from ...services import health as health_service
from .. import messages, theme
from ..models.health_models import RulesModel
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button
from ..widgets.table_view import DataTable
from .check_dialog import FormMixin

RULE_WIDTHS = {"sex": 64, "ages": 120, "interval": 84, "package": 96, "effective_from": 104, "example": 200}
SEX_CHOICES = [("不限", "any"), ("男", "男"), ("女", "女")]


class RuleDialog(FormMixin, QDialog):
    """Add (``RuleDialog(None)``) or edit one rule row; ``saved(rule_id)``."""

    saved = Signal(int)

    FIELD_NAMES = {"name": "规则名称", "package": "体检项目", "interval_years": "体检周期",
                   "effective_from": "生效日期"}

    def __init__(self, rule: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.rule_id = rule["id"] if rule else None
        self.setModal(True)
        self.setWindowTitle(self.tr("修改体检周期规则 — {0}").format(rule["name"]) if rule
                            else self.tr("新增体检周期规则"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 14)
        outer.setSpacing(10)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.name.setPlaceholderText(self.tr("如 常规体检（45岁及以上，每年）"))
        self.add_field(form, "name", "规则名称", self.name, required=True)
        self.package = QComboBox()
        self.package.setEditable(True)
        self.package.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.package.addItems(health_service.packages())
        self.package.lineEdit().setMaxLength(30)
        self.package.lineEdit().setPlaceholderText(self.tr("如 常规体检、两癌筛查"))
        self.add_field(form, "package", "体检项目", self.package, required=True)
        self.sex = QComboBox()
        for text, code in SEX_CHOICES:
            self.sex.addItem(self.tr(text), code)
        self.add_field(form, "sex", "适用性别", self.sex)
        self.age_min = QLineEdit()
        self.age_min.setMaxLength(3)
        self.age_min.setPlaceholderText(self.tr("不限"))
        self.age_max = QLineEdit()
        self.age_max.setMaxLength(3)
        self.age_max.setPlaceholderText(self.tr("不限"))
        ages = QWidget()
        al = QHBoxLayout(ages)
        al.setContentsMargins(0, 0, 0, 0)
        al.setSpacing(6)
        al.addWidget(self.age_min, 1)
        al.addWidget(QLabel(self.tr("岁 至")))
        al.addWidget(self.age_max, 1)
        al.addWidget(QLabel(self.tr("岁（含）")))
        self.add_field(form, "age_min", "年龄段", ages)
        self.inputs["age_min"] = self.age_min  # errors of either bound show under this row
        self.interval = QLineEdit()
        self.interval.setMaxLength(2)
        self.interval.setMaximumWidth(120)
        years = QLabel(self.tr("年一次"))
        self.add_field(form, "interval_years", "体检周期", self.interval, required=True, extra=years)
        self.effective = DateEdit(field="effective_from", label=self.tr("生效日期"))
        self.add_field(form, "effective_from", "生效日期", self.effective, required=True)
        self.source = QLineEdit()
        self.source.setMaxLength(200)
        self.source.setPlaceholderText(self.tr("如 县委组织部关于干部健康体检的通知"))
        self.add_field(form, "source", "依据", self.source)
        self.notes = QLineEdit()
        self.notes.setMaxLength(200)
        self.add_field(form, "notes", "备注", self.notes)
        outer.addLayout(form)
        hint = QLabel(self.tr("年龄按当年年底计算。生效日期不清楚时填 1900-01-01，表示一直适用；"
                              "规定变化时新增一条同名规则并填新的生效日期，以前年度仍按旧规则。"))
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        outer.addWidget(hint)
        self.make_footer(outer)

        for key, w in (("name", self.name), ("age_min", self.age_min), ("age_max", self.age_max),
                       ("interval_years", self.interval), ("source", self.source), ("notes", self.notes)):
            w.textEdited.connect(lambda _t, k=key: self._on_edited(k))
            w.editingFinished.connect(lambda k=key: self._on_left(k))
        self.package.editTextChanged.connect(lambda _t: self._on_edited("package"))
        self.package.lineEdit().editingFinished.connect(lambda: self._on_left("package"))
        self.sex.activated.connect(lambda _i: self._on_choice("sex"))
        self.effective.edited.connect(lambda: self._on_edited("effective_from"))
        self.effective.editing_finished.connect(lambda: self._on_left("effective_from"))

        r = rule or {}
        self.name.setText(r.get("name") or "")
        package = r.get("package") or ""
        self.package.setCurrentIndex(self.package.findText(package) if package else -1)
        if package and self.package.currentIndex() < 0:
            self.package.setEditText(package)
        self.sex.setCurrentIndex(max(0, self.sex.findData(r.get("sex") or "any")))
        self.age_min.setText("" if r.get("age_min") is None else str(r["age_min"]))
        self.age_max.setText("" if r.get("age_max") is None else str(r["age_max"]))
        self.interval.setText(str(r["interval_years"]) if r.get("interval_years") else "")
        self.effective.setValue(r.get("effective_from"))
        self.source.setText(r.get("source") or "")
        self.notes.setText(r.get("notes") or "")
        self._loading = False
        self._validate()
        self.fit_to_screen(560, self.sizeHint().height())
        self.name.setFocus()

    def _on_left(self, key: str) -> None:
        if key == "age_max":
            key = "age_min"
        super()._on_left(key)

    def data(self) -> dict[str, Any]:
        return dict(name=self.name.text(), package=self.package.currentText(),
                    sex=self.sex.currentData() or "any", age_min=self.age_min.text(), age_max=self.age_max.text(),
                    interval_years=self.interval.text(), effective_from=self.effective.text(),
                    source=self.source.text(), notes=self.notes.text())

    def collect_errors(self) -> list[DomainError]:
        return health_service.rule_problems(self.data(), self.rule_id)

    def _field_errors(self) -> dict[str, list[str]]:
        out = super()._field_errors()
        if "age_min" in self._touched:
            for e in self._errors:
                if e.field == "age_max":
                    out.setdefault("age_min", []).append(e.message)
        out.pop("age_max", None)
        return out

    def save(self) -> bool:
        self._validate()
        if self._errors:
            self.reveal_errors()
            return False
        try:
            rule_id = health_service.save_rule(self.data(), self.rule_id)
        except ValidationError as err:
            self._errors = list(err.errors)
            self.reveal_errors()
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.rule_id = rule_id
        self._dirty = False
        self.saved.emit(rule_id)
        self.accept()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.NoModifier:
            self.save()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if not self.confirm_discard():
            return
        self._dirty = False
        super().reject()


class HealthRulesDialog(QDialog):
    """The rule table with 新增 / 编辑 / 停用 and 载入预设; ``rules_changed()`` after any change."""

    rules_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dialog: RuleDialog | None = None
        self.setModal(True)
        self.setWindowTitle(self.tr("体检周期设置"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        intro = QLabel(self.tr("按年龄段和性别规定多久体检一次。「应检/逾期」名单按这里的规则计算；"
                               "标为「示例」的周期请按本地规定修改。"))
        intro.setWordWrap(True)
        theme.set_role(intro, "info")
        outer.addWidget(intro)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.preset_label = QLabel()
        theme.set_role(self.preset_label, "hint")
        bar.addWidget(self.preset_label)
        bar.addStretch(1)
        self.add_button = make_button(self.tr("新增"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("新增一条体检周期规则"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选规则"))
        self.retire_button = make_button(self.tr("停用"), "archive", parent=self,
                                         tooltip=self.tr("停用所选规则（保留记录，不再参与计算）"))
        self.preset_button = make_button(self.tr("载入预设"), "health-rules", parent=self,
                                         tooltip=self.tr("用内置的预设规则替换现有规则"))
        self.preset_menu = QMenu(self.preset_button)
        for key, title in health_service.preset_choices():
            action = self.preset_menu.addAction(self.tr("{0}预设").format(title))
            action.triggered.connect(lambda _c=False, k=key, t=title: self.load_preset(k, t))
        self.preset_button.setMenu(self.preset_menu)
        for b in (self.add_button, self.edit_button, self.retire_button, self.preset_button):
            bar.addWidget(b)
        outer.addLayout(bar)

        self.model = RulesModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        header = self.table_view.horizontalHeader()
        for i, key in enumerate(self.model.COLUMNS):
            if key in RULE_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table_view.setColumnWidth(i, RULE_WIDTHS[key])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.table_view, 1)
        self.empty_label = QLabel(self.tr("还没有体检周期规则，点击「新增」或「载入预设」开始"))
        theme.set_role(self.empty_label, "hint")
        outer.addWidget(self.empty_label)

        footer = QHBoxLayout()
        hint = QLabel(self.tr("双击一行可修改；停用的规则不再参与计算，但保留在修改记录中。"))
        theme.set_role(hint, "hint")
        footer.addWidget(hint, 1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        footer.addWidget(self.close_button)
        outer.addLayout(footer)

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.close_button.clicked.connect(self.accept)
        self.table_view.open_requested.connect(lambda _row: self.edit_selected())
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.reload()
        self.resize(1000, 480)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(self.width(), screen.width() - 40), min(self.height(), screen.height() - 60))

    def reload(self, select_id: int | None = None) -> None:
        self.model.set_rules(health_service.rule_rows(), health_service.example_rule_ids())
        preset = health_service.current_preset()
        titles = dict(health_service.preset_choices())
        self.preset_label.setText(self.tr("规则来源：{0}预设").format(titles.get(preset, preset)) if preset else "")
        self.empty_label.setVisible(self.model.total == 0)
        if select_id is not None:
            row = self.model.row_of(select_id)
            if row >= 0:
                self.table_view.select_row(row)
        self._update_buttons()

    def selected_rule(self) -> dict[str, Any] | None:
        return self.model.rule(self.table_view.current_row())

    def _update_buttons(self, *_args) -> None:
        has = self.selected_rule() is not None
        self.edit_button.setEnabled(has)
        self.retire_button.setEnabled(has)

    def add(self) -> None:
        self._open(None)

    def edit_selected(self) -> None:
        rule = self.selected_rule()
        if rule is not None:
            self._open(rule)

    def _open(self, rule: dict[str, Any] | None) -> None:
        self.dialog = RuleDialog(rule, self)
        self.dialog.saved.connect(self._on_rule_saved)
        self.dialog.finished.connect(self._on_dialog_finished)
        self.dialog.open()

    def _on_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.dialog:
            self.dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_rule_saved(self, rule_id: int) -> None:
        self.reload(select_id=rule_id)
        self.rules_changed.emit()

    def retire_selected(self) -> None:
        rule = self.selected_rule()
        if rule is None:
            return
        if not messages.confirm(self, self.tr("确定停用规则“{0}”？停用后不再参与应检计算").format(rule["name"]),
                                self.tr("停用")):
            return
        try:
            health_service.archive_rule(rule["id"])
        except DomainError as err:
            messages.error(self, err.message)
            return
        self.reload()
        self.rules_changed.emit()

    def load_preset(self, key: str, title: str) -> None:
        if not messages.confirm(
                self, self.tr("确定载入{0}预设？").format(title), self.tr("载入预设"),
                informative=self.tr("现有的 {0} 条规则将全部停用（保留记录），换成{1}预设的规则。").format(
                    self.model.total, title)):
            return
        try:
            count = health_service.replace_with_preset(key)
        except DomainError as err:
            messages.error(self, err.message)
            return
        self.reload()
        self.rules_changed.emit()
        messages.info(self, self.tr("已载入{0}预设，共 {1} 条规则。").format(title, count))
