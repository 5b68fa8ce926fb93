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
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from ...domain import welfare as rules
from ...domain.errors import DomainError, ValidationError
from ...domain.money import format_yuan
from ...services import welfare as welfare_service
from .. import messages, theme
from ..models.welfare_models import OccasionsModel
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button
from ..widgets.table_view import DataTable
from .welfare_dialog import FormBase, MoneyEdit, combo_value

OCCASION_WIDTHS = {"name": 160, "standard": 96, "cap": 100, "scope": 170, "max_per_year": 80, "cash": 84,
                   "effective_from": 100, "example": 130}


class OccasionDialog(FormBase, QDialog):
    """Add (``OccasionDialog(None)``) or edit one dated occasion row; ``saved(row_id)``.

    ``copy_of`` pre-fills a new row from an existing one (a new standard from a later date)."""

    saved = Signal(int)

    LABELS = dict(welfare_service.OCCASION_FORM_LABELS)
    REQUIRED = {"code", "name", "effective_from"}

    def __init__(self, row: dict[str, Any] | None = None, parent: QWidget | None = None, *,
                 copy_of: dict[str, Any] | None = None):
        super().__init__(parent)
        self._init_form()
        self.row_id = row["id"] if row else None
        base = row or copy_of or {}
        self.setModal(True)
        self.setWindowTitle(self.tr("修改慰问标准 — {0}").format(row["name"]) if row
                            else self.tr("新增慰问标准"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 14)
        outer.setSpacing(10)
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
        hint = QLabel(self.tr("金额以元为单位。标准调整时请「新增」一条同一事由、新生效日期的标准，以前的记录仍按旧标准核对；"
                              "经费来源不勾选表示不限；生效日期 1900-01-01 表示一直适用。"), self)
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        outer.addWidget(hint)
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

    def save(self) -> bool:
        self._touched.update(self.messages.keys())
        self._validate()
        if self._errors:
            self.reveal_errors()
            return False
        try:
            row_id = welfare_service.save_occasion(self.data(), self.row_id)
        except ValidationError as err:
            self._errors = list(err.errors)
            self.reveal_errors()
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.row_id = row_id
        self._dirty = False
        self.saved.emit(row_id)
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


class SettingsDialog(FormBase, QDialog):
    """通用设置: funding sources, the duplicate window, the budget alert, talk triggers, 低保."""

    saved = Signal(int)

    LABELS = dict(welfare_service.SETTINGS_FORM_LABELS)
    REQUIRED = {"funding_sources", "duplicate_window_days", "budget_near_percent", "talk_triggers",
                "effective_from"}

    def __init__(self, row: dict[str, Any] | None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.row_id = row["id"] if row else None
        r = row or {}
        self.setModal(True)
        self.setWindowTitle(self.tr("福利慰问通用设置"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 14)
        outer.setSpacing(10)
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
        hint = QLabel(self.tr("重复提醒天数和预算提醒比例是本软件的提醒设置，不是政策规定；低保标准按当地民政部门公布的填写。"))
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        outer.addWidget(hint)
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
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(widget)
        label = QLabel(text, holder)
        theme.set_role(label, "hint")
        row.addWidget(label)
        row.addStretch(1)
        return holder

    def data(self) -> dict[str, Any]:
        return dict(funding_sources=self.sources_edit.text(), duplicate_window_days=self.window_edit.text(),
                    budget_near_percent=self.percent_edit.text(), talk_triggers=self.triggers_edit.text(),
                    dibao=self.dibao_edit.text(), effective_from=self.effective.text())

    def collect_errors(self) -> list[DomainError]:
        return welfare_service.settings_problems(self.data(), self.row_id)

    def save(self) -> bool:
        self._touched.update(self.messages.keys())
        self._validate()
        if self._errors:
            self.reveal_errors()
            return False
        try:
            row_id = welfare_service.save_settings(self.data(), self.row_id)
        except ValidationError as err:
            self._errors = list(err.errors)
            self.reveal_errors()
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self._dirty = False
        self.saved.emit(row_id)
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


class WelfareRulesDialog(QDialog):
    """The occasions table with 新增 / 编辑 / 停用 / 载入预设 and the shared settings;
    ``rules_changed()`` after any change."""

    rules_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dialog: QDialog | None = None
        self.setModal(True)
        self.setWindowTitle(self.tr("慰问标准"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        intro = QLabel(self.tr("各慰问事由的标准、上限和范围。登记慰问时按慰问日期适用的标准核对；"
                               "标为「示例」的数字来自外省规定，请按本省、本单位规定修改。"))
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
                                      tooltip=self.tr("新增一条慰问标准（选中一行时以它为底稿，填写新的生效日期）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选标准"))
        self.retire_button = make_button(self.tr("停用"), "archive", parent=self,
                                         tooltip=self.tr("停用所选标准（保留记录，不再用于核对）"))
        self.preset_button = make_button(self.tr("载入预设"), "welfare-rules", parent=self,
                                         tooltip=self.tr("用内置的预设标准替换现有标准"))
        self.preset_menu = QMenu(self.preset_button)
        for key, title in welfare_service.preset_choices():
            action = self.preset_menu.addAction(self.tr("{0}预设").format(title))
            action.triggered.connect(lambda _c=False, k=key, t=title: self.load_preset(k, t))
        self.preset_button.setMenu(self.preset_menu)
        for b in (self.add_button, self.edit_button, self.retire_button, self.preset_button):
            bar.addWidget(b)
        outer.addLayout(bar)

        self.model = OccasionsModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        header = self.table_view.horizontalHeader()
        for i, key in enumerate(self.model.COLUMNS):
            if key in OCCASION_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table_view.setColumnWidth(i, OCCASION_WIDTHS[key])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.table_view, 1)
        self.empty_label = QLabel(self.tr("还没有慰问标准，点击「新增」或「载入预设」开始"))
        theme.set_role(self.empty_label, "hint")
        outer.addWidget(self.empty_label)

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

        footer = QHBoxLayout()
        hint = QLabel(self.tr("双击一行可修改；停用的标准不再用于核对，但保留在修改记录中。"))
        theme.set_role(hint, "hint")
        footer.addWidget(hint, 1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        footer.addWidget(self.close_button)
        outer.addLayout(footer)

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.settings_button.clicked.connect(self.edit_settings)
        self.close_button.clicked.connect(self.accept)
        self.table_view.open_requested.connect(lambda _row: self.edit_selected())
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.reload()
        self.resize(1120, 640)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(self.width(), screen.width() - 40), min(self.height(), screen.height() - 60))

    def reload(self, select_id: int | None = None) -> None:
        self.model.set_rows(welfare_service.occasion_rows())
        preset = welfare_service.current_preset()
        titles = dict(welfare_service.preset_choices())
        self.preset_label.setText(self.tr("标准来源：{0}预设").format(titles.get(preset, preset)) if preset else "")
        self.empty_label.setVisible(self.model.total == 0)
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
        if select_id is not None:
            row = self.model.row_of(select_id)
            if row >= 0:
                self.table_view.select_row(row)
        self._update_buttons()

    def selected_row(self) -> dict[str, Any] | None:
        return self.model.item(self.table_view.current_row())

    def _update_buttons(self, *_args) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.retire_button.setEnabled(has)

    def add(self) -> None:
        current = self.selected_row()
        self._open(OccasionDialog(None, self, copy_of=current) if current else OccasionDialog(None, self))

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open(OccasionDialog(row, self))

    def edit_settings(self) -> None:
        self._open(SettingsDialog(self._settings, self))

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(self._on_dialog_finished)
        dialog.open()

    def _on_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.dialog:
            self.dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _on_saved(self, row_id: int) -> None:
        self.reload(select_id=row_id if isinstance(self.sender(), OccasionDialog) else None)
        self.rules_changed.emit()

    def retire_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        when = row["effective_from"]
        since = self.tr("一直适用") if when is None or when.year <= 1900 else self.tr("{0} 起").format(when)
        if not messages.confirm(self, self.tr("确定停用“{0}”（{1}）这条标准？").format(row["name"], since),
                                self.tr("停用"), informative=self.tr("停用后这一事由在该日期起不再有标准可核对，"
                                                                   "登记慰问时会提示补充标准。")):
            return
        try:
            welfare_service.archive_occasion(row["id"])
        except DomainError as err:
            messages.error(self, err.message)
            return
        self.reload()
        self.rules_changed.emit()

    def load_preset(self, key: str, title: str) -> None:
        if not messages.confirm(
                self, self.tr("确定载入{0}预设？").format(title), self.tr("载入预设"),
                informative=self.tr("现有的 {0} 条慰问标准和通用设置将全部停用（保留记录），换成{1}预设。"
                                    "已登记的慰问记录不受影响。").format(self.model.total, title)):
            return
        try:
            count = welfare_service.replace_with_preset(key)
        except DomainError as err:
            messages.error(self, err.message)
            return
        self.reload()
        self.rules_changed.emit()
        messages.info(self, self.tr("已载入{0}预设，共 {1} 条。").format(title, count))
