"""假期规则: the leave-type rule rows (every figure is data with an effective date).

The list shows each dated row; 编辑 changes a row, 新增 adds a row of a type
from a new effective date (a new local regulation), 载入预设 replaces every
row with a shipped preset (the old rows are archived, never deleted).  Figures
the preset only knows as an example from one place carry the word 示例 until
the clerk sets the local figure.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain import leave as rules
from ...domain.errors import DomainError, ValidationError
from ...services import leave as leave_service
from .. import actions, messages, theme
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import add_note, fit_to_screen, message_row, save_footer, with_label
from ..widgets.list_page import make_button
from ..widgets.rule_table import call_confirmed
from ..widgets.table_view import DataTable, set_column_widths
from .leave_rule_texts import (EXAMPLE, EXAMPLE_COLOUR, MODE_NAMES, NO_DATE, certificate_text, days_text,
                               effective_text, leave_presets, num_text, param_label, param_text,
                               params_summary, parse_param)


# ================================================================ one rule row

class RuleEditDialog(QDialog):
    """编辑 one dated rule row, or 新增 a row (copied from ``row``) with a new effective date."""

    saved = Signal(int)

    def __init__(self, row: dict[str, Any], parent: QWidget | None = None, *, new: bool = False):
        super().__init__(parent)
        self.row = dict(row)
        self.new = new
        self.rule_id = None if new else row.get("id")
        self.example_fields = list(row.get("example_fields") or [])
        self.messages: dict[str, QLabel] = {}
        self.setWindowTitle(self.tr("新增规则 — {0}").format(row["name"]) if new
                            else self.tr("编辑规则 — {0}").format(row["name"]))
        self.setModal(True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        area = QWidget()
        area.setObjectName("FormArea")
        scroll.setWidget(area)
        outer.addWidget(scroll, 1)
        columns = QHBoxLayout(area)
        columns.setContentsMargins(18, 8, 18, 12)
        columns.setSpacing(24)

        main = QGroupBox(self.tr("基本规定"), area)
        form = QFormLayout(main)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        form.setContentsMargins(0, 8, 0, 0)
        columns.addWidget(main, 1, Qt.AlignmentFlag.AlignTop)

        self.type_label = QLabel(self.tr(rules.LEAVE_TYPE_NAMES.get(row["code"], row["name"])), main)
        self.name_edit = QLineEdit(row["name"], main)
        self.name_edit.setMaxLength(30)
        self.mode_combo = QComboBox(main)
        for mode, name in MODE_NAMES.items():
            self.mode_combo.addItem(self.tr(name), mode)
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(row["count_mode"]), 0))
        self.days_edit = QLineEdit(num_text(row.get("days")), main)
        self.days_edit.setPlaceholderText(self.tr("不填：按下方参数计算或不设天数"))
        self.effective_edit = DateEdit(main, field="effective_from", label="生效日期")
        effective = row["effective_from"]
        effective = effective if isinstance(effective, date) else date.fromisoformat(str(effective))
        self.effective_edit.setValue(date.today() if new else effective)
        self.half_check = QCheckBox(self.tr("可以按半天请假"), main)
        self.half_check.setChecked(bool(row["half_day_allowed"]))
        self.reduces_check = QCheckBox(self.tr("计入年休假"), main)
        self.reduces_check.setChecked(bool(row["reduces_annual"]))
        self.cert_check = QCheckBox(self.tr("需要证明"), main)
        self.cert_check.setChecked(bool(row["certificate_required"]))
        self.threshold_edit = QLineEdit(num_text(row.get("certificate_threshold_days")), main)
        self.threshold_edit.setPlaceholderText(self.tr("不填：一律需要"))
        self.threshold_edit.setFixedWidth(120)
        self.approval_edit = QLineEdit(row.get("approval_note") or "", main)
        self.notes_edit = QLineEdit(row.get("notes") or "", main)
        self.source_edit = QPlainTextEdit(row.get("source") or "", main)
        self.source_edit.setTabChangesFocus(True)
        self.source_edit.setFixedHeight(70)

        self._row(form, "code", self.tr("假别"), self.type_label)
        self._row(form, "name", self.tr("名称"), self.name_edit)
        self._row(form, "count_mode", self.tr("计算方式"), self.mode_combo)
        self._row(form, "days", self.tr("天数"), self._with_example(self.days_edit, "days"))
        effective_line = QWidget(main)
        el = QHBoxLayout(effective_line)
        el.setContentsMargins(0, 0, 0, 0)
        el.addWidget(self.effective_edit, 1)
        if not new and effective <= NO_DATE:
            always = QLabel(self.tr("即一直适用"), effective_line)
            always.setToolTip(self.tr("1900-01-01 表示没有具体的生效日期，对所有日期都适用"))
            theme.set_role(always, "hint")
            el.addWidget(always)
        self._row(form, "effective_from", self.tr("生效日期"), effective_line)
        flags = QWidget(main)
        fl = QHBoxLayout(flags)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.half_check)
        fl.addWidget(self.reduces_check)
        fl.addStretch(1)
        self._row(form, "half_day_allowed", self.tr("选项"), flags)
        cert = QWidget(main)
        cl = QHBoxLayout(cert)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.cert_check)
        cl.addWidget(QLabel(self.tr("天数达到"), cert))
        cl.addWidget(self._with_example(self.threshold_edit, "certificate_threshold_days"))
        cl.addWidget(QLabel(self.tr("天时需要"), cert))
        cl.addStretch(1)
        self._row(form, "certificate_threshold_days", self.tr("证明"), cert)
        self._row(form, "approval_note", self.tr("审批说明"), self.approval_edit)
        self._row(form, "source", self.tr("依据"), self.source_edit)
        self._row(form, "notes", self.tr("备注"), self.notes_edit)

        side = QGroupBox(self.tr("具体参数"), area)
        scol = QVBoxLayout(side)
        scol.setContentsMargins(0, 8, 0, 0)
        self.params = dict(row.get("params") or {})
        self.param_table = QTableWidget(len(self.params), 3, side)
        self.param_table.setHorizontalHeaderLabels([self.tr("参数"), self.tr("数值"), self.tr("说明")])
        self.param_table.verticalHeader().setVisible(False)
        self.param_table.verticalHeader().setDefaultSectionSize(30)
        self.param_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.param_table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.param_table.setAlternatingRowColors(True)
        header = self.param_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.param_table.setColumnWidth(1, 130)
        self._param_keys = list(self.params)
        for i, key in enumerate(self._param_keys):
            name = QTableWidgetItem(self.tr(param_label(key)))
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            name.setToolTip(self.tr(param_label(key)))
            value = QTableWidgetItem(param_text(self.params[key]))
            value.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if self.params[key] is None:
                value.setToolTip(self.tr("未设置，按本地规定填写"))
            note = QTableWidgetItem(self._note_for(key))
            note.setFlags(Qt.ItemFlag.ItemIsEnabled)
            note.setForeground(EXAMPLE_COLOUR)
            self.param_table.setItem(i, 0, name)
            self.param_table.setItem(i, 1, value)
            self.param_table.setItem(i, 2, note)
        scol.addWidget(self.param_table, 1)
        if not self.params:
            none = QLabel(self.tr("该假别没有其他参数。"), side)
            theme.set_role(none, "hint")
            scol.addWidget(none)
            self.param_table.setVisible(False)
        pm = QLabel(side)
        pm.setWordWrap(True)
        theme.set_role(pm, "error")
        pm.setVisible(False)
        self.messages["params"] = pm
        scol.addWidget(pm)
        hint = QLabel(self.tr("双击数值修改。成对的数值写成“年数:天数”，多组用逗号隔开；是/否 写“是”或“否”；"
                              "标有“示例”的数字是别处的例子，请按本地规定核实后修改。"), side)
        hint.setWordWrap(True)
        theme.set_role(hint, "hint")
        scol.addWidget(hint)
        self.example_check = QCheckBox(self.tr("含示例数字（尚未按本地规定核实）"), side)
        self.example_check.setChecked(bool(row.get("example")))
        scol.addWidget(self.example_check)
        columns.addWidget(side, 1)

        save_footer(self, outer, default=False)
        theme.set_role(self.status_label, "error")
        self.days_edit.textEdited.connect(lambda _t: self._figure_set("days"))
        self.threshold_edit.textEdited.connect(lambda _t: self._figure_set("certificate_threshold_days"))
        self.param_table.itemChanged.connect(self._on_param_changed)
        self.name_edit.setFocus()
        fit_to_screen(self, 1000, 600)

    def _note_for(self, key: str) -> str:
        return self.tr(EXAMPLE) if f"params.{key}" in self.example_fields else ""

    def _with_example(self, widget: QWidget, field: str) -> QWidget:
        mark = QLabel(self.tr(EXAMPLE))
        mark.setToolTip(self.tr("这个数字是别处的例子，请按本地规定核实"))
        theme.set_role(mark, "warning")
        mark.setVisible(field in self.example_fields)
        setattr(self, f"_mark_{field}", mark)
        return with_label(widget, mark, self)

    def _row(self, form: QFormLayout, key: str, text: str, widget: QWidget) -> None:
        self.messages[key] = message_row(form, text, widget, self, label_width=64)

    def _figure_set(self, field: str) -> None:
        """The clerk typed the local figure: it is no longer an example."""
        if field in self.example_fields:
            self.example_fields.remove(field)
            mark = getattr(self, f"_mark_{field}", None)
            if mark is not None:
                mark.setVisible(False)
            if not self.example_fields:
                self.example_check.setChecked(False)

    def _on_param_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 1:
            return
        key = self._param_keys[item.row()]
        field = f"params.{key}"
        if field in self.example_fields:
            self.example_fields.remove(field)
            note = self.param_table.item(item.row(), 2)
            if note is not None:
                note.setText("")
            if not self.example_fields:
                self.example_check.setChecked(False)

    def collect(self) -> tuple[dict[str, Any], list[DomainError]]:
        errors: list[DomainError] = []
        data = {k: v for k, v in self.row.items() if k not in ("id", "preset")}
        data["name"] = self.name_edit.text().strip()
        if not data["name"]:
            errors.append(DomainError("required", "请填写名称", "name"))
        data["count_mode"] = self.mode_combo.currentData()
        text = self.days_edit.text().strip()
        if text:
            try:
                data["days"] = rules.to_days(text, "days")
            except DomainError as err:
                errors.append(err)
        else:
            data["days"] = None
        err = self.effective_edit.error()
        if err is not None:
            errors.append(err)
        elif self.effective_edit.value() is None:
            errors.append(DomainError("required", "请填写生效日期", "effective_from"))
        else:
            data["effective_from"] = self.effective_edit.value().isoformat()
        data["half_day_allowed"] = self.half_check.isChecked()
        data["reduces_annual"] = self.reduces_check.isChecked()
        data["certificate_required"] = self.cert_check.isChecked()
        text = self.threshold_edit.text().strip()
        if text:
            if not text.isdigit():
                errors.append(DomainError("invalid", "证明天数应为整数，如 8", "certificate_threshold_days"))
            else:
                data["certificate_threshold_days"] = int(text)
        else:
            data["certificate_threshold_days"] = None
        data["approval_note"] = self.approval_edit.text().strip()
        data["notes"] = self.notes_edit.text().strip()
        data["source"] = self.source_edit.toPlainText().strip()
        params = {}
        for i, key in enumerate(self._param_keys):
            item = self.param_table.item(i, 1)
            try:
                params[key] = parse_param(item.text() if item else "", self.params[key], param_label(key))
            except DomainError as e:
                errors.append(e)
        data["params"] = params
        example = self.example_check.isChecked()
        data["example"] = example
        data["example_fields"] = self.example_fields if example else []
        return data, errors

    def _show(self, errors: list[DomainError]) -> None:
        by_field: dict[str, list[str]] = {}
        loose = []
        for e in errors:
            if e.field in self.messages:
                by_field.setdefault(e.field, []).append(e.message)
            else:
                loose.append(e.message)
        for key, label in self.messages.items():
            texts = by_field.get(key)
            label.setText("\n".join(texts or []))
            label.setVisible(bool(texts))
        self.status_label.setText(("还不能保存：" + (loose[0] if loose else errors[0].message)) if errors else "")

    def save(self) -> bool:
        data, errors = self.collect()
        if errors:
            self._show(errors)
            return False
        try:
            rule_id = leave_service.save_rule(data, self.rule_id)
        except ValidationError as err:
            self._show(err.errors)
            return False
        except DomainError as err:
            self._show([err])
            return False
        self.saved.emit(rule_id)
        self.accept()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.param_table.hasFocus() \
                and not self.source_edit.hasFocus():
            self.save()
            return
        super().keyPressEvent(event)


# ================================================================ the list

class LeaveTypesDialog(QDialog):
    """``rules_changed()`` after a row was saved or a preset loaded."""

    rules_changed = Signal()

    COLUMNS = ["假别", "计算方式", "天数", "生效日期", "半天", "证明要求", "其他规定", "来源"]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("假期规则"))
        self.setModal(True)
        self.edit_dialog: RuleEditDialog | None = None
        self._rows: list[dict[str, Any]] = []
        self._titles = dict(leave_presets())

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.preset_label = QLabel(self)
        top.addWidget(self.preset_label, 1)
        top.addWidget(QLabel(self.tr("预设"), self))
        self.preset_combo = QComboBox(self)
        for name, title in self._titles.items():
            self.preset_combo.addItem(title, name)
        top.addWidget(self.preset_combo)
        self.preset_button = make_button(self.tr("载入预设"), "leave-preset", parent=self,
                                         tooltip=self.tr("用所选预设替换全部规则（原有规则停用并保留）"))
        top.addWidget(self.preset_button)
        outer.addLayout(top)

        self.model = QStandardItemModel(0, len(self.COLUMNS), self)
        self.model.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table = DataTable(self)
        self.table.setModel(self.model)
        set_column_widths(self.table, self.COLUMNS, dict(zip(self.COLUMNS, (150, 76, 150, 96, 56, 170, 0, 120))))
        outer.addWidget(self.table, 1)

        add_note(outer, self.tr("每条规则从生效日期起适用，请假按开始日期所在的规则计算；新规定出台时请「新增」一条并填写生效日期，"
                                "旧规则保留用于以前的记录。标有“示例”的数字只是某地的例子，请按本地规定核实后修改。"))

        footer = QHBoxLayout()
        self.add_button = make_button(self.tr("新增"), "add", parent=self,
                                      tooltip=self.tr("按所选假别新增一条规则（新的生效日期）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选规则"))
        footer.addWidget(self.add_button)
        footer.addWidget(self.edit_button)
        footer.addStretch(1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        footer.addWidget(self.close_button)
        outer.addLayout(footer)

        self.add_button.clicked.connect(self.add_selected)
        self.edit_button.clicked.connect(self.edit_selected)
        self.preset_button.clicked.connect(self.load_preset)
        self.table.open_requested.connect(lambda _r: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.close_button.clicked.connect(self.accept)
        self.reload()
        fit_to_screen(self, 1180, 560)

    def reload(self, select_id: int | None = None) -> None:
        self._rows = leave_service.rule_rows()
        self.model.removeRows(0, self.model.rowCount())
        for r in self._rows:
            source = self.tr("本地修改") if r.get("preset") == "本地" else self._titles.get(r.get("preset"), "")
            if r.get("example"):
                source = f"{source} · {self.tr(EXAMPLE)}" if source else self.tr(EXAMPLE)
            cells = [r["name"], self.tr(MODE_NAMES.get(r["count_mode"], r["count_mode"])), days_text(r),
                     effective_text(r["effective_from"]), self.tr("可") if r["half_day_allowed"] else self.tr("不可"),
                     certificate_text(r), params_summary(r), source]
            items = []
            for i, text in enumerate(cells):
                item = QStandardItem(text)
                item.setEditable(False)
                if i == 7:
                    item.setToolTip(r.get("source") or "")
                elif i == 6:
                    item.setToolTip(text.replace("；", "\n"))
                if EXAMPLE in text:
                    item.setForeground(EXAMPLE_COLOUR)
                items.append(item)
            self.model.appendRow(items)
        preset = leave_service.current_preset()
        title = self._titles.get(preset, preset) or self.tr("未载入")
        self.preset_label.setText(self.tr("当前使用：{0}预设，共 {1} 条规则").format(title, len(self._rows)))
        index = self.preset_combo.findData(preset)
        if index >= 0:
            self.preset_combo.setCurrentIndex(index)
        if select_id is not None:
            for i, r in enumerate(self._rows):
                if r["id"] == select_id:
                    self.table.select_row(i)
        self._update_buttons()

    def selected_row(self) -> dict[str, Any] | None:
        row = self.table.current_row()
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _update_buttons(self, *_args) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.add_button.setEnabled(has)
        if not has:
            self.add_button.setToolTip(self.tr("先在列表中选择一个假别"))
        else:
            self.add_button.setToolTip(self.tr("按所选假别新增一条规则（新的生效日期）"))

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open(row, new=False)

    def add_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open(row, new=True)

    def _open(self, row: dict[str, Any], new: bool) -> None:
        actions.open_dialog(self, RuleEditDialog(row, self, new=new), self._on_saved, attr="edit_dialog")

    def _on_saved(self, rule_id: int) -> None:
        self.reload(select_id=rule_id)
        self.rules_changed.emit()

    def load_preset(self) -> None:
        preset = self.preset_combo.currentData()
        if not preset:
            return
        title = self.preset_combo.currentText()
        text = self.tr("确定载入「{0}」预设？").format(title)
        info = self.tr("现有的 {0} 条规则将全部停用（保留在历史记录中，不会删除），改用预设中的规则；"
                       "在本软件中修改过的数字需要重新修改。已登记的请假记录不受影响。").format(len(self._rows))
        done, _ = call_confirmed(self, text, self.tr("载入预设"), lambda: leave_service.replace_with_preset(preset),
                                 informative=info)
        if not done:
            return
        self.reload()
        self.rules_changed.emit()
