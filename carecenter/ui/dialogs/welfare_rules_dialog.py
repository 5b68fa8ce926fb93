"""慰问标准: the occasions with their standard amount, cap and scope, whether cash is
allowed and the usual funding source, each row dated (DOMAIN.md §5); plus the
shared settings (funding sources, the duplicate window, the budget alert, talk
triggers).

Rows are data with an effective date, seeded from a preset and edited here:
新增 (a new dated row — earlier dates keep the old figures), 编辑, 停用, and
载入预设 (asks first; the old rows are archived, never deleted).  Figures a preset
gives only as an example are marked 示例 until the clerk changes them.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain import welfare as rules
from ...domain.errors import DomainError
from ...domain.money import format_yuan
from ...services import welfare as welfare_service
from .. import theme
from ..models.welfare_models import OccasionsModel
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column, with_label
from ..widgets.rule_table import RuleTableDialog
from ..widgets.money_edit import MoneyEdit
from ..widgets.record_form import FormBase, combo_value

OCCASION_WIDTHS = {"name": 160, "standard": 96, "cap": 100, "scope": 170, "max_per_year": 80, "cash": 84,
                   "effective_from": 100, "example": 130}


class OccasionDialog(FormBase, SaveFlow, QDialog):
    """Add (``OccasionDialog(None)``) or edit one dated occasion row; ``saved(row_id)``.

    ``copy_of`` pre-fills a new row from an existing one (a new standard from a later date)."""

    saved = Signal(int)

    LABELS = dict(welfare_service.OCCASION_FORM_LABELS)
    REQUIRED = {"code", "name", "effective_from"}
    TOUCH_ON_SAVE = ("*",)

    def __init__(self, row: dict[str, Any] | None = None, parent: QWidget | None = None, *,
                 copy_of: dict[str, Any] | None = None):
        super().__init__(parent)
        self._init_form()
        self.row_id = row["id"] if row else None
        base = row or copy_of or {}
        self.setModal(True)
        self.setWindowTitle(self.tr("修改慰问标准 — {0}").format(row["name"]) if row
                            else self.tr("新增慰问标准"))
        outer = dialog_column(self)
        form = self.make_form()
        self.code_combo = QComboBox(self)
        for code, name in rules.OCCASION_NAMES.items():
            self.code_combo.addItem(name, code)
        self.add_row(form, "code", self.code_combo)
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(30)
        self.add_row(form, "name", self.name_edit)
        self.standard_edit = MoneyEdit(self, field="standard", label="标准金额", placeholder=self.tr("不设"))
        self.add_row(form, "standard", self.standard_edit)
        self.cap_edit = MoneyEdit(self, field="cap", label="上限", placeholder=self.tr("不设上限"))
        self.add_row(form, "cap", self.cap_edit)
        self.scope_combo = QComboBox(self)
        self.scope_combo.addItem(self.tr("不设上限"), "")
        for key, name in rules.CAP_SCOPES.items():
            self.scope_combo.addItem(self.tr(name), key)
        self.add_row(form, "cap_scope", self.scope_combo)
        self.count_edit = QLineEdit(self)
        self.count_edit.setMaxLength(3)
        self.count_edit.setMaximumWidth(100)
        self.count_edit.setPlaceholderText(self.tr("不限"))
        self.add_row(form, "max_per_year", self.count_edit)
        self.window_edit = QLineEdit(self)
        self.window_edit.setMaxLength(4)
        self.window_edit.setMaximumWidth(100)
        self.window_edit.setPlaceholderText(self.tr("按通用设置"))
        self.window_edit.setToolTip(self.tr("同一干部同一事由在多少天内再次登记时提示可能重复"))
        self.add_row(form, "duplicate_window_days", self.window_edit)
        self.cash_check = QCheckBox(self.tr("可以发放现金（不勾选则只能发放物品）"), self)
        self.add_row(form, "cash_allowed", self.cash_check)
        sources = QWidget(self)
        sl = QHBoxLayout(sources)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(12)
        self.source_checks: dict[str, QCheckBox] = {}
        names = list(welfare_service.funding_sources())
        for extra in base.get("funding_sources") or []:
            if extra not in names:
                names.append(extra)
        for name in names:
            check = QCheckBox(name, sources)
            sl.addWidget(check)
            self.source_checks[name] = check
        sl.addStretch(1)
        self.add_row(form, "funding_sources", sources)
        self.effective = DateEdit(self, field="effective_from", label="生效日期")
        self.add_row(form, "effective_from", self.effective)
        self.source_edit = QLineEdit(self)
        self.source_edit.setMaxLength(200)
        self.source_edit.setPlaceholderText(self.tr("如 县总工会关于规范基层工会经费收支的通知"))
        self.add_row(form, "source", self.source_edit)
        self.notes_edit = QLineEdit(self)
        self.notes_edit.setMaxLength(200)
        self.add_row(form, "notes", self.notes_edit)
        outer.addLayout(form)
        add_note(outer, self.tr("金额以元为单位。标准调整时请「新增」一条同一事由、新生效日期的标准，以前的记录仍按旧标准核对；"
                                "经费来源不勾选表示不限；生效日期 1900-01-01 表示一直适用。"))
        self.make_footer(outer)

        self.code_combo.currentIndexChanged.connect(self._on_code_changed)
        self.scope_combo.currentIndexChanged.connect(lambda _i: self._on_choice("cap_scope"))
        self.cash_check.toggled.connect(lambda _v: self._on_choice("cash_allowed"))
        for check in self.source_checks.values():
            check.toggled.connect(lambda _v: self._on_choice("funding_sources"))
        for w, key in ((self.standard_edit, "standard"), (self.cap_edit, "cap")):
            w.edited.connect(lambda k=key: self._on_edited(k))
            w.editing_finished.connect(lambda k=key: self._on_left(k))
        for edit, key in ((self.name_edit, "name"), (self.count_edit, "max_per_year"),
                          (self.window_edit, "duplicate_window_days"), (self.source_edit, "source"),
                          (self.notes_edit, "notes")):
            edit.textEdited.connect(lambda _t, k=key: self._on_edited(k))
            edit.editingFinished.connect(lambda k=key: self._on_left(k))
        self.effective.edited.connect(lambda: self._on_edited("effective_from"))
        self.effective.editing_finished.connect(lambda: self._on_left("effective_from"))

        if base:
            index = self.code_combo.findData(base.get("code"))
            if index < 0:
                self.code_combo.addItem(base.get("name") or base.get("code"), base.get("code"))
                index = self.code_combo.count() - 1
            self.code_combo.setCurrentIndex(index)
            self.name_edit.setText(base.get("name") or "")
            self.standard_edit.setValue(base.get("standard_fen"))
            self.cap_edit.setValue(base.get("cap_fen"))
            self.scope_combo.setCurrentIndex(max(0, self.scope_combo.findData(base.get("cap_scope") or "")))
            self.count_edit.setText(str(base["max_per_year"]) if base.get("max_per_year") else "")
            window = base.get("duplicate_window_days")
            self.window_edit.setText("" if window is None else str(window))
            self.cash_check.setChecked(bool(base.get("cash_allowed")))
            for name in base.get("funding_sources") or []:
                if name in self.source_checks:
                    self.source_checks[name].setChecked(True)
            self.source_edit.setText(base.get("source") or "")
            self.notes_edit.setText(base.get("notes") or "")
        else:
            self.name_edit.setText(self.code_combo.currentText())
            self.cash_check.setChecked(True)
        if row:
            self.effective.setValue(row.get("effective_from"))
            self.code_combo.setEnabled(False)
            self.code_combo.setToolTip(self.tr("要改事由请新增一条标准"))
        if copy_of:
            self.code_combo.setEnabled(False)
            self.effective.setText("")
        self._loading = False
        self._validate()
        self.fit_to_screen(640, self.sizeHint().height())
        (self.effective.line_edit if copy_of else self.name_edit if row else self.code_combo).setFocus()

    def _on_code_changed(self, _index: int) -> None:
        if self._loading:
            return
        self.name_edit.setText(self.code_combo.currentText())
        self._on_choice("code")

    def data(self) -> dict[str, Any]:
        return dict(code=combo_value(self.code_combo), name=self.name_edit.text(), standard=self.standard_edit.text(),
                    cap=self.cap_edit.text(), cap_scope=combo_value(self.scope_combo),
                    max_per_year=self.count_edit.text(), duplicate_window_days=self.window_edit.text(),
                    cash_allowed=self.cash_check.isChecked(),
                    funding_sources=[n for n, c in self.source_checks.items() if c.isChecked()],
                    effective_from=self.effective.text(), source=self.source_edit.text(),
                    notes=self.notes_edit.text())

    def collect_errors(self) -> list[DomainError]:
        return welfare_service.occasion_problems(self.data(), self.row_id)

    def store(self) -> int:
        self.row_id = welfare_service.save_occasion(self.data(), self.row_id)
        return self.row_id


class SettingsDialog(FormBase, SaveFlow, QDialog):
    """通用设置: funding sources, the duplicate window, the budget alert, talk triggers, 低保."""

    saved = Signal(int)

    LABELS = dict(welfare_service.SETTINGS_FORM_LABELS)
    REQUIRED = {"funding_sources", "duplicate_window_days", "budget_near_percent", "talk_triggers",
                "effective_from"}
    TOUCH_ON_SAVE = ("*",)

    def __init__(self, row: dict[str, Any] | None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.row_id = row["id"] if row else None
        r = row or {}
        self.setModal(True)
        self.setWindowTitle(self.tr("福利慰问通用设置"))
        outer = dialog_column(self)
        form = self.make_form()
        self.sources_edit = QLineEdit("、".join(r.get("funding_sources") or []), self)
        self.sources_edit.setPlaceholderText(self.tr("用顿号分隔，如 工会经费、行政经费、党费"))
        self.add_row(form, "funding_sources", self.sources_edit)
        self.window_edit = QLineEdit(str(r.get("duplicate_window_days", "")), self)
        self.window_edit.setMaximumWidth(100)
        self.add_row(form, "duplicate_window_days", self._with_unit(self.window_edit, self.tr("天内再次登记时提示可能重复")),
                     input_widget=self.window_edit)
        self.percent_edit = QLineEdit(str(r.get("budget_near_percent", "")), self)
        self.percent_edit.setMaximumWidth(100)
        self.add_row(form, "budget_near_percent", self._with_unit(self.percent_edit, self.tr("% 时提示「接近预算」")),
                     input_widget=self.percent_edit)
        self.triggers_edit = QLineEdit("、".join(r.get("talk_triggers") or []), self)
        self.triggers_edit.setPlaceholderText(self.tr("用顿号分隔，如 岗位变动、退休、家庭变故"))
        self.add_row(form, "talk_triggers", self.triggers_edit)
        self.dibao_edit = MoneyEdit(self, field="dibao", label="当地低保标准", placeholder=self.tr("未设置"))
        self.dibao_edit.setValue(r.get("dibao_monthly_fen"))
        self.add_row(form, "dibao", self._with_unit(self.dibao_edit, self.tr("/人·月（困难帮扶认定用）")),
                     input_widget=self.dibao_edit)
        self.effective = DateEdit(self, field="effective_from", label="生效日期")
        self.effective.setValue(r.get("effective_from"))
        self.add_row(form, "effective_from", self.effective)
        outer.addLayout(form)
        add_note(outer, self.tr("重复提醒天数和预算提醒比例是本软件的提醒设置，不是政策规定；低保标准按当地民政部门公布的填写。"))
        self.make_footer(outer)
        for edit, key in ((self.sources_edit, "funding_sources"), (self.window_edit, "duplicate_window_days"),
                          (self.percent_edit, "budget_near_percent"), (self.triggers_edit, "talk_triggers")):
            edit.textEdited.connect(lambda _t, k=key: self._on_edited(k))
            edit.editingFinished.connect(lambda k=key: self._on_left(k))
        self.dibao_edit.edited.connect(lambda: self._on_edited("dibao"))
        self.dibao_edit.editing_finished.connect(lambda: self._on_left("dibao"))
        self.effective.edited.connect(lambda: self._on_edited("effective_from"))
        self.effective.editing_finished.connect(lambda: self._on_left("effective_from"))
        for edit in (self.sources_edit, self.triggers_edit):
            edit.setCursorPosition(0)
        self._loading = False
        self._validate()
        self.fit_to_screen(760, self.sizeHint().height())
        self.sources_edit.setFocus()

    def _with_unit(self, widget: QWidget, text: str) -> QWidget:
        label = QLabel(text)
        theme.set_role(label, "hint")
        return with_label(widget, label, self, stretch=True)

    def data(self) -> dict[str, Any]:
        return dict(funding_sources=self.sources_edit.text(), duplicate_window_days=self.window_edit.text(),
                    budget_near_percent=self.percent_edit.text(), talk_triggers=self.triggers_edit.text(),
                    dibao=self.dibao_edit.text(), effective_from=self.effective.text())

    def collect_errors(self) -> list[DomainError]:
        return welfare_service.settings_problems(self.data(), self.row_id)

    def store(self) -> int:
        return welfare_service.save_settings(self.data(), self.row_id)


class WelfareRulesDialog(RuleTableDialog):
    """The occasions table with 新增 / 编辑 / 停用 / 载入预设 and the shared settings;
    ``rules_changed()`` after any change."""

    TITLE = "慰问标准"
    INTRO = ("各慰问事由的标准、上限和范围。登记慰问时按慰问日期适用的标准核对；"
             "标为「示例」的数字来自外省规定，请按本省、本单位规定修改。")
    ADD_TIP = "新增一条慰问标准（选中一行时以它为底稿，填写新的生效日期）"
    EDIT_TIP = "修改所选标准"
    RETIRE_TIP = "停用所选标准（保留记录，不再用于核对）"
    PRESET_ICON = "welfare-rules"
    PRESET_TIP = "用内置的预设标准替换现有标准"
    EMPTY_TEXT = "还没有慰问标准，点击「新增」或「载入预设」开始"
    FOOTER_HINT = "双击一行可修改；停用的标准不再用于核对，但保留在修改记录中。"
    WIDTHS = OCCASION_WIDTHS
    SIZE = (1120, 640)

    def make_model(self) -> OccasionsModel:
        return OccasionsModel(self)

    def add_below_table(self, outer: QVBoxLayout) -> None:
        settings_box = QGroupBox(self.tr("通用设置"), self)
        sl = QHBoxLayout(settings_box)
        sl.setContentsMargins(0, 8, 0, 0)
        self.settings_label = QLabel(settings_box)
        self.settings_label.setWordWrap(True)
        theme.set_role(self.settings_label, "value")
        sl.addWidget(self.settings_label, 1)
        self.settings_button = make_button(self.tr("编辑通用设置"), "edit", parent=settings_box,
                                           tooltip=self.tr("经费来源、重复提醒天数、预算提醒比例、谈话事由"))
        sl.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addWidget(settings_box)
        self.settings_button.clicked.connect(self.edit_settings)

    def load_rows(self) -> None:
        self.model.set_rows(welfare_service.occasion_rows())
        rows = welfare_service.settings_rows()
        self._settings = rows[-1] if rows else None
        if self._settings:
            s = self._settings
            dibao = s.get("dibao_monthly_fen")
            self.settings_label.setText(self.tr(
                "经费来源：{0}\n谈话事由：{1}\n同一事由 {2} 天内再次登记提示可能重复；经费用到预算的 {3}% 提示接近预算；"
                "当地低保标准：{4}").format(
                "、".join(s["funding_sources"]), "、".join(s["talk_triggers"]), s["duplicate_window_days"],
                s["budget_near_percent"], self.tr("{0} 元/人·月").format(format_yuan(dibao)) if dibao else self.tr("未设置")))
        else:
            self.settings_label.setText(self.tr("没有通用设置，请载入预设"))

    def preset_text(self) -> str:
        preset = welfare_service.current_preset()
        titles = dict(welfare_service.preset_choices())
        return self.tr("标准来源：{0}预设").format(titles.get(preset, preset)) if preset else ""

    def row_dialog(self, row: dict[str, Any] | None, current: dict[str, Any] | None) -> OccasionDialog:
        if row is None:
            return OccasionDialog(None, self, copy_of=current) if current else OccasionDialog(None, self)
        return OccasionDialog(row, self)

    def edit_settings(self) -> None:
        self.open_row_dialog(SettingsDialog(self._settings, self))

    def _on_saved(self, row_id: int) -> None:
        self.reload(select_id=row_id if isinstance(self.sender(), OccasionDialog) else None)
        self.rules_changed.emit()

    def archive(self, row: dict[str, Any]) -> None:
        welfare_service.archive_occasion(row["id"])

    def retire_question(self, row: dict[str, Any]) -> tuple[str, str | None]:
        when = row["effective_from"]
        since = self.tr("一直适用") if when is None or when.year <= 1900 else self.tr("{0} 起").format(when)
        return (self.tr("确定停用“{0}”（{1}）这条标准？").format(row["name"], since),
                self.tr("停用后这一事由在该日期起不再有标准可核对，登记慰问时会提示补充标准。"))

    def preset_choices(self) -> list[tuple[str, str]]:
        return welfare_service.preset_choices()

    def replace_with_preset(self, key: str) -> int:
        return welfare_service.replace_with_preset(key)

    def preset_question(self, title: str) -> str:
        return self.tr("现有的 {0} 条慰问标准和通用设置将全部停用（保留记录），换成{1}预设。"
                       "已登记的慰问记录不受影响。").format(self.model.total, title)

    def preset_loaded(self, title: str, count: int) -> str:
        return self.tr("已载入{0}预设，共 {1} 条。").format(title, count)
