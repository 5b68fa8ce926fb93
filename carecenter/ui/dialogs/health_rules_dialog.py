"""体检周期设置: the health-check cycle rules by age band and sex (DOMAIN.md §4).

The rules are data with an effective date, seeded from a preset and edited
here: 新增 / 编辑 / 停用 a rule, or 载入预设 (which retires every active rule and
loads the preset's rows, after asking).  Rules a preset gives only as an
example are marked 示例 until the clerk changes them.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...domain.errors import DomainError
from ...services import health as health_service
from ..models.health_models import RulesModel
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column, make_form
from ..widgets.rule_table import RuleTableDialog
from ..widgets.record_form import FormMixin

RULE_WIDTHS = {"sex": 64, "ages": 120, "interval": 84, "package": 96, "effective_from": 104, "example": 200}
SEX_CHOICES = [("不限", "any"), ("男", "男"), ("女", "女")]


class RuleDialog(FormMixin, SaveFlow, QDialog):
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
        outer = dialog_column(self)
        form = make_form()
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
        add_note(outer, self.tr("年龄按当年年底计算。生效日期不清楚时填 1900-01-01，表示一直适用；"
                                "规定变化时新增一条同名规则并填新的生效日期，以前年度仍按旧规则。"))
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

    def store(self) -> int:
        self.rule_id = health_service.save_rule(self.data(), self.rule_id)
        return self.rule_id


class HealthRulesDialog(RuleTableDialog):
    """The rule table with 新增 / 编辑 / 停用 and 载入预设; ``rules_changed()`` after any change."""

    TITLE = "体检周期设置"
    INTRO = ("按年龄段和性别规定多久体检一次。「应检/逾期」名单按这里的规则计算；"
             "标为「示例」的周期请按本地规定修改。")
    ADD_TIP = "新增一条体检周期规则"
    EDIT_TIP = "修改所选规则"
    RETIRE_TIP = "停用所选规则（保留记录，不再参与计算）"
    PRESET_ICON = "health-rules"
    PRESET_TIP = "用内置的预设规则替换现有规则"
    EMPTY_TEXT = "还没有体检周期规则，点击「新增」或「载入预设」开始"
    FOOTER_HINT = "双击一行可修改；停用的规则不再参与计算，但保留在修改记录中。"
    WIDTHS = RULE_WIDTHS
    SIZE = (1000, 480)

    def make_model(self) -> RulesModel:
        return RulesModel(self)

    def load_rows(self) -> None:
        self.model.set_rules(health_service.rule_rows(), health_service.example_rule_ids())

    def preset_text(self) -> str:
        preset = health_service.current_preset()
        titles = dict(health_service.preset_choices())
        return self.tr("规则来源：{0}预设").format(titles.get(preset, preset)) if preset else ""

    def selected_rule(self) -> dict[str, Any] | None:
        return self.selected_row()

    def row_dialog(self, row: dict[str, Any] | None, current: dict[str, Any] | None) -> RuleDialog:
        return RuleDialog(row, self)

    def archive(self, row: dict[str, Any]) -> None:
        health_service.archive_rule(row["id"])

    def retire_question(self, row: dict[str, Any]) -> tuple[str, str | None]:
        return self.tr("确定停用规则“{0}”？停用后不再参与应检计算").format(row["name"]), None

    def preset_choices(self) -> list[tuple[str, str]]:
        return health_service.preset_choices()

    def replace_with_preset(self, key: str) -> int:
        return health_service.replace_with_preset(key)

    def preset_question(self, title: str) -> str:
        return self.tr("现有的 {0} 条规则将全部停用（保留记录），换成{1}预设的规则。").format(self.model.total, title)
