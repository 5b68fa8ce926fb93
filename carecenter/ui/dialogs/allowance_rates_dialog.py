"""津贴标准: the allowance rate tables, each row with its effective-from date.

* 艰苦边远地区津贴 — the matrix as a grid (area class × post/rank band, 元/月).
  It ships empty (the national figures could not be verified): the clerk fills it
  in from the local document, for a chosen 起执行日期.  Cells in force from an
  earlier date are shown grey; typing over one writes a new cell for this date.
* 档次对照 — which 领导职务层次 / 职级 fall into which band.
* 离退休比例 — 离休 100%, 退休 85%, 退职 60% of the serving figure.
* 乡镇工作补贴 — bands by years worked in townships, the especially-hard
  supplement, and who qualifies (waiting and suspension periods).

载入预设 replaces every active row with a preset's rows after asking; the Hunan
preset is an example and says so.  Every row a preset gives only as an example is
marked 示例 until the clerk unticks it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain import allowance as rules
from ...domain.errors import DomainError, ValidationError
from ...domain.money import format_yuan, format_yuan_plain, parse_yuan
from ...services import allowance as service
from .. import actions, messages, theme
from ..models.allowance_models import RuleRowsModel
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column, fit_to_screen, make_form
from ..widgets.rule_table import RuleTable, call_confirmed
from .allowance_adjust_dialog import GrowingForm

# (key, kind, label, placeholder) per table; every table also has 起执行日期, 依据, 备注 (and 示例)
ROW_FIELDS: dict[str, list[tuple[str, str, str, str]]] = {
    "hardship_scheme": [("area_classes", "list", "艰苦边远地区类别", "用顿号分隔，如 一类、二类、三类")],
    "hardship_band": [("band", "text", "档次名称", "如 乡科级正职"),
                      ("order", "int", "档次顺序", "1 为最高档"),
                      ("leadership_levels", "list", "对应领导职务层次", "用顿号分隔，如 乡科级正职"),
                      ("ranks", "list", "对应职级", "用顿号分隔，如 一级主任科员、二级主任科员")],
    "hardship_rate": [("area_class", "area", "类区", ""), ("band", "band", "档次", ""),
                      ("amount", "yuan", "月标准", "如 380 或 1,200.00")],
    "retiree_share": [("kind", "retire", "类别", ""), ("percent", "percent", "比例", "如 85")],
    "township_band": [("min_years", "int", "乡镇工作满（年）", "如 10；第一档填 0"),
                      ("amount", "yuan", "月标准", "如 260")],
    "township_supplement": [("amount", "yuan", "加发标准", "如 100")],
    "township_rule": [("township_categories", "list", "适用乡镇类别", "如 乡、镇（不含街道）"),
                      ("personnel_statuses", "list", "适用人员身份", "如 公务员、参照公务员法管理、事业人员、工勤"),
                      ("sent_down_wait_months", "int", "派驻满几个月享受", "如 6"),
                      ("suspension_kinds", "list", "停发的离岗类型", "如 脱产学习、借调"),
                      ("suspension_min_months", "int", "离岗超过几个月停发", "如 1"),
                      ("suspension_inclusive", "bool", "正好满这么多个月也停发（“以上”含本数）", "")],
}
AREA_CLASSES = ["一类", "二类", "三类", "四类", "五类", "六类"]
ROW_WIDTHS = {"table": 150, "value": 110, "effective_from": 100, "example": 100, "source": 200}


def _form_text(row: dict[str, Any], key: str) -> Any:
    if key == "amount":
        return format_yuan_plain(int(row["amount_fen"])) if row.get("amount_fen") is not None else ""
    value = row.get(key)
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return value
    return "" if value is None else str(value)


class RowDialog(GrowingForm, SaveFlow, QDialog):
    """Add (``RowDialog(table)``) or edit (``RowDialog(table, row)``) one dated row; ``saved(row_id)``."""

    saved = Signal(int)

    def __init__(self, table: str, row: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._init_form()
        self.table = table
        self.row_id = row["id"] if row else None
        self.FIELD_NAMES = {key: label for key, _k, label, _p in ROW_FIELDS[table]}
        self.FIELD_NAMES["effective_from"] = "起执行日期"
        name = service.TABLE_NAMES[table]
        self.setModal(True)
        self.setWindowTitle(self.tr("修改 — {0}").format(name) if row else self.tr("新增 — {0}").format(name))
        outer = dialog_column(self)
        form = make_form()
        self.widgets: dict[str, QWidget] = {}
        rs = service.rates()
        today = date.today()
        for key, kind, label, placeholder in ROW_FIELDS[table]:
            extra = None
            if kind in ("text", "list", "int", "yuan", "percent"):
                w = QLineEdit()
                w.setMaxLength(200)
                w.setPlaceholderText(self.tr(placeholder))
                w.textEdited.connect(lambda _t, k=key: self._on_edited(k))
                w.editingFinished.connect(lambda k=key: self._on_left(k))
                if kind in ("int", "yuan", "percent"):
                    w.setMaximumWidth(180)
                    w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    extra = QLabel({"yuan": self.tr("元/月"), "percent": "%", "int": ""}[kind])
            elif kind == "bool":
                w = QCheckBox(self.tr(label))
                w.toggled.connect(lambda _c, k=key: self._on_choice(k))
                label = ""
            else:
                w = QComboBox()
                if kind == "area":
                    items = list(rules.area_classes(rs, today)) or AREA_CLASSES
                elif kind == "band":
                    items = [b.band for b in sorted(rules.table_in_force(rs.hardship_bands, today),
                                                     key=lambda b: b.order)]
                    w.setEditable(True)
                    w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                    w.editTextChanged.connect(lambda _t, k=key: self._on_edited(k))
                else:
                    items = list(service.RETIREMENT_KINDS)
                for item in items:
                    w.addItem(item, item)
                w.activated.connect(lambda _i, k=key: self._on_choice(k))
            self.widgets[key] = w
            self.add_field(form, key, label, w, required=kind not in ("bool",) and key not in (
                "leadership_levels", "ranks", "suspension_kinds"), extra=extra)
        self.effective = DateEdit(field="effective_from", label=self.tr("起执行日期"))
        self.effective.edited.connect(lambda: self._on_edited("effective_from"))
        self.effective.editing_finished.connect(lambda: self._on_left("effective_from"))
        self.add_field(form, "effective_from", self.tr("起执行日期"), self.effective, required=True)
        self.source = QLineEdit()
        self.source.setMaxLength(300)
        self.source.setPlaceholderText(self.tr("文件名称和文号，如 湘人社发〔2015〕××号"))
        self.source.textEdited.connect(lambda _t: self._on_edited("source"))
        self.add_field(form, "source", self.tr("依据"), self.source)
        self.notes = QLineEdit()
        self.notes.setMaxLength(300)
        self.notes.textEdited.connect(lambda _t: self._on_edited("notes"))
        self.add_field(form, "notes", self.tr("备注"), self.notes)
        self.example = QCheckBox(self.tr("示例数据（尚未按本地文件核实）"))
        self.example.toggled.connect(lambda _c: self._on_choice("example"))
        if table != "hardship_scheme":
            self.add_field(form, "example", "", self.example)
        outer.addLayout(form)
        add_note(outer, self.tr("每个月按该月最后一天已生效的标准计算：标准调整时新增一行并填写新的起执行日期，"
                                "以前月份仍按原标准。起执行日期不清楚时填 1900-01-01，表示一直适用。"))
        self.make_footer(outer)

        r = row or {}
        for key, kind, _label, _p in ROW_FIELDS[table]:
            w = self.widgets[key]
            value = _form_text(r, key) if row else ""
            if isinstance(w, QLineEdit):
                w.setText(str(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                index = w.findData(value) if value else 0
                if index < 0 and value:
                    w.addItem(str(value), value)
                    index = w.findData(value)
                w.setCurrentIndex(max(0, index))
        if table == "township_rule" and not row:
            self.widgets["township_categories"].setText("乡、镇")  # type: ignore[attr-defined]
        self.effective.setText(str(r.get("effective_from") or ""))
        self.source.setText(str(r.get("source") or ""))
        self.notes.setText(str(r.get("notes") or ""))
        self.example.setChecked(bool(r.get("example")))
        self._example_fields = list(r.get("example_fields") or [])
        self._loading = False
        self._validate()
        for w in (*self.widgets.values(), self.source, self.notes):
            if isinstance(w, QLineEdit):
                w.setCursorPosition(0)
        self.fit_to_screen(620, self.sizeHint().height())
        first = next(iter(self.widgets.values()), self.effective)
        first.setFocus()

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QLineEdit):
                out[key] = w.text()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[key] = w.currentText()
        if self.table == "township_supplement":
            out["kind"] = rules.ESPECIALLY_HARD
        out.update(effective_from=self.effective.text(), source=self.source.text(), notes=self.notes.text(),
                   example=self.example.isChecked(), example_fields=self._example_fields)
        return out

    def collect_errors(self) -> list[DomainError]:
        errors = service.row_problems(self.table, self.data(), self.row_id)
        for err in errors:
            if err.field == "amount_fen":
                err.field = "amount"
        return errors

    def store(self) -> int:
        self.row_id = service.save_rule(self.table, self.data(), self.row_id)
        return self.row_id


# ---------------------------------------------------------------- the hardship matrix

INHERITED = QColor("#8a929b")


class MatrixTab(QWidget):
    """The hardship-area allowance matrix for one 起执行日期, edited as a grid; ``changed()``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loaded: dict[tuple[str, str], tuple[str, bool]] = {}   # cell → (text, own row of this date)
        self._areas: list[str] = []
        self._bands: list[str] = []
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 10, 12, 8)
        col.setSpacing(8)
        warn = QLabel(self.tr("软件不预置艰苦边远地区津贴标准（未能核实现行全国标准，不估算）。请按上级文件逐格填写，"
                              "单位：元/月；空格表示未填写，生成时这些干部会列入「未能计算」。"))
        warn.setWordWrap(True)
        theme.set_role(warn, "warning")
        col.addWidget(warn)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(QLabel(self.tr("起执行日期")))
        self.date_edit = DateEdit(field="effective_from", label=self.tr("起执行日期"))
        self.date_edit.setMaximumWidth(170)
        bar.addWidget(self.date_edit)
        self.show_button = make_button(self.tr("显示"), parent=self, tooltip=self.tr("显示该日起执行的标准"))
        bar.addWidget(self.show_button)
        self.versions_label = QLabel()
        theme.set_role(self.versions_label, "hint")
        bar.addWidget(self.versions_label, 1)
        col.addLayout(bar)
        self.grid = QTableWidget(0, 0, self)
        self.grid.setAlternatingRowColors(True)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.verticalHeader().setDefaultSectionSize(30)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addWidget(self.grid, 1)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(QLabel(self.tr("依据")))
        self.source = QLineEdit()
        self.source.setPlaceholderText(self.tr("文件名称和文号"))
        bottom.addWidget(self.source, 1)
        self.example = QCheckBox(self.tr("示例数据"))
        bottom.addWidget(self.example)
        self.save_button = make_button(self.tr("保存标准"), primary=True, parent=self,
                                       tooltip=self.tr("把表中填写的标准按上面的起执行日期保存"))
        bottom.addWidget(self.save_button)
        col.addLayout(bottom)
        self.status = QLabel()
        self.status.setWordWrap(True)
        col.addWidget(self.status)
        self.show_button.clicked.connect(self.load)
        self.date_edit.editing_finished.connect(self.load)
        self.save_button.clicked.connect(self.save)
        versions = service.matrix_versions()
        if versions:
            self.date_edit.setValue(versions[0])
        self.load()

    def on_date(self) -> date:
        return self.date_edit.value() or date.today()

    def load(self) -> None:
        on = self.on_date()
        m = service.matrix(on)
        self._areas, self._bands = m["area_classes"], m["bands"]
        versions = service.matrix_versions()
        self.versions_label.setText(self.tr("已填写的起执行日期：{0}").format(
            "、".join(v.isoformat() for v in versions)) if versions else self.tr("尚未填写任何标准"))
        self.grid.blockSignals(True)
        self.grid.clear()
        self.grid.setRowCount(len(self._bands))
        self.grid.setColumnCount(len(self._areas))
        self.grid.setHorizontalHeaderLabels(self._areas)
        self.grid.setVerticalHeaderLabels(self._bands)
        own_date = self.date_edit.value()
        self._loaded = {}
        for r, band in enumerate(self._bands):
            for c, area in enumerate(self._areas):
                cell = m["cells"].get((area, band))
                text = format_yuan(cell["amount_fen"]) if cell else ""
                own = bool(cell and own_date and cell["effective_from"] == own_date)
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if cell and not own:
                    item.setForeground(QBrush(INHERITED))
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                    item.setToolTip(self.tr("沿用 {0} 起执行的标准；改写后按上面的起执行日期另存一格").format(
                        cell["effective_from"].isoformat()))
                elif cell:
                    item.setToolTip(self.tr("{0} 起执行").format(cell["effective_from"].isoformat())
                                    + (self.tr("（示例数据）") if cell["example"] else ""))
                if cell and cell["example"]:
                    item.setForeground(QBrush(QColor(theme.WARNING)))
                self.grid.setItem(r, c, item)
                self._loaded[(area, band)] = (text, own)
        self.grid.blockSignals(False)
        self.status.setText("")

    def cell_text(self, area: str, band: str) -> str:
        item = self.grid.item(self._bands.index(band), self._areas.index(area))
        return item.text().strip() if item else ""

    def set_cell(self, area: str, band: str, text: str) -> None:
        item = self.grid.item(self._bands.index(band), self._areas.index(area))
        item.setText(text)

    def save(self) -> bool:
        on = self.date_edit.value()
        if on is None:
            self.status.setText(self.tr("请先填写起执行日期（如 2025-01-01），再保存"))
            theme.set_role(self.status, "error")
            return False
        changes: dict[tuple[str, str], int | None] = {}
        problems: list[str] = []
        for (area, band), (loaded, own) in self._loaded.items():
            text = self.cell_text(area, band)
            if text == loaded and (own or not text):
                continue
            if not text:
                if own:
                    changes[(area, band)] = None
                continue
            try:
                fen = parse_yuan(text, "amount", f"{area}·{band}")
            except DomainError as err:
                problems.append(err.message)
                continue
            if text == loaded and not own:
                continue   # an inherited figure left as it was
            changes[(area, band)] = fen
        if problems:
            self.status.setText(self.tr("还不能保存：") + problems[0])
            theme.set_role(self.status, "error")
            return False
        if not changes:
            self.status.setText(self.tr("没有修改"))
            theme.set_role(self.status, "hint")
            return False
        try:
            n = service.save_matrix(on, changes, self.source.text().strip(), example=self.example.isChecked())
        except ValidationError as err:
            self.status.setText(self.tr("还不能保存：") + err.errors[0].message)
            theme.set_role(self.status, "error")
            return False
        except DomainError as err:
            messages.error(self, err.message)
            return False
        self.load()
        self.status.setText(self.tr("已保存 {0} 格，{1} 起执行").format(n, on.isoformat()))
        theme.set_role(self.status, "info")
        self.changed.emit()
        return True


# ---------------------------------------------------------------- lists of rows

class RowsTab(QWidget):
    """The rows of one or more tables with 新增 / 编辑 / 停用; ``changed()`` after a change."""

    changed = Signal()

    def __init__(self, tables: list[str], intro: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.tables = tables
        self.dialog: RowDialog | None = None
        col = QVBoxLayout(self)
        col.setContentsMargins(12, 10, 12, 8)
        col.setSpacing(8)
        label = QLabel(intro)
        label.setWordWrap(True)
        theme.set_role(label, "info")
        col.addWidget(label)
        self.model = RuleRowsModel(self)
        self.rule_table = RuleTable(self.model, ROW_WIDTHS, add_tip=self.tr("新增一行（填写起执行日期）"),
                                    edit_tip=self.tr("修改所选一行"),
                                    retire_tip=self.tr("停用所选一行（保留记录，不再参与计算）"), parent=self)
        t = self.rule_table
        t.layout().setSpacing(8)
        self.add_button, self.edit_button, self.retire_button, self.view = \
            t.add_button, t.edit_button, t.retire_button, t.view
        if len(tables) > 1:
            menu = QMenu(self.add_button)
            for name in tables:
                action = menu.addAction(self.tr(service.TABLE_NAMES[name]))
                action.triggered.connect(lambda _c=False, table=name: self.add(table))
            self.add_button.setMenu(menu)
        else:
            self.add_button.clicked.connect(lambda: self.add(tables[0]))
        self.view.setWordWrap(False)
        self.view.setColumnHidden(0, len(tables) == 1)
        col.addWidget(t, 1)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(self.retire_selected)
        self.view.open_requested.connect(lambda _r: self.edit_selected())
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        rows = [r for r in service.rule_rows() if r["table"] in self.tables]
        order = {t: i for i, t in enumerate(self.tables)}
        rows.sort(key=lambda r: order[r["table"]])
        self.model.set_rules(rows)
        self.view.setColumnHidden(self.model.COLUMNS.index("value"), not any(
            r.get("amount_fen") is not None or r.get("percent") is not None for r in rows))
        self.rule_table.rows_loaded(select_id)

    def selected(self) -> dict[str, Any] | None:
        return self.rule_table.selected()

    def add(self, table: str) -> None:
        actions.open_dialog(self, RowDialog(table, None, self), self._on_saved)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is not None:
            actions.open_dialog(self, RowDialog(row["table"], row, self), self._on_saved)

    def _on_saved(self, row_id: int) -> None:
        self.reload(select_id=row_id)
        self.changed.emit()

    def retire_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        from ..models.allowance_models import rule_summary

        done, _ = call_confirmed(self, self.tr("确定停用“{0}”（{1} 起执行）？").format(
            rule_summary(row), row["effective_from"]), self.tr("停用"), lambda: service.archive_rule(row["id"]),
            informative=self.tr("停用后不再参与计算，已生成的月份不受影响；记录保留在修改记录中。"))
        if done:
            self.reload()
            self.changed.emit()


class AllowanceRatesDialog(QDialog):
    """津贴标准 with its tabs and 载入预设; ``rates_changed()`` after any change."""

    rates_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModal(True)
        self.setWindowTitle(self.tr("津贴标准"))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.preset_label = QLabel()
        theme.set_role(self.preset_label, "info")
        top.addWidget(self.preset_label, 1)
        self.preset_button = make_button(self.tr("载入预设"), "health-rules", parent=self,
                                         tooltip=self.tr("用内置的预设替换现有的全部标准（先询问）"))
        self.preset_menu = QMenu(self.preset_button)
        for key, title in service.preset_choices():
            text = title + (self.tr("　【示例数据，仅作填写样板】") if service.preset_is_example(key) else "")
            action = self.preset_menu.addAction(text)
            action.triggered.connect(lambda _c=False, k=key, t=title: self.load_preset(k, t))
        self.preset_button.setMenu(self.preset_menu)
        top.addWidget(self.preset_button)
        outer.addLayout(top)

        self.tabs = QTabWidget(self)
        self.matrix_tab = MatrixTab(self)
        self.bands_tab = RowsTab(["hardship_band", "hardship_scheme"], self.tr(
            "领导职务层次和职级对应的艰苦边远地区津贴档次：职务和职级分属不同档次时按较高的档次发放。"
            "标为「示例」的对照请按本地津贴标准表核对。"), self)
        self.shares_tab = RowsTab(["retiree_share"], self.tr(
            "离退休人员按当地同职务在职人员标准的比例发放艰苦边远地区津贴（国人部发〔2006〕61号：离休100%，退休85%，"
            "退职60%），从离退休的下月起按比例发放，四舍五入到分。"), self)
        self.township_tab = RowsTab(["township_band", "township_supplement", "township_rule"], self.tr(
            "乡镇工作补贴按乡镇工作年限分档（同一起执行日期的各档构成一张表），条件特别艰苦的乡镇另加发；"
            "范围和条件规定派驻人员满几个月享受、离岗多久停发。"), self)
        self.tabs.addTab(self.matrix_tab, self.tr("艰苦边远地区津贴"))
        self.tabs.addTab(self.bands_tab, self.tr("档次对照"))
        self.tabs.addTab(self.shares_tab, self.tr("离退休比例"))
        self.tabs.addTab(self.township_tab, self.tr("乡镇工作补贴"))
        outer.addWidget(self.tabs, 1)
        footer = QHBoxLayout()
        hint = QLabel(self.tr("修改标准后，请在津贴补贴页面对未锁定的月份「重新生成」；已锁定的月份不受影响。"))
        theme.set_role(hint, "hint")
        hint.setWordWrap(True)
        footer.addWidget(hint, 1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        footer.addWidget(self.close_button)
        outer.addLayout(footer)
        self.close_button.clicked.connect(self.accept)
        for tab in (self.matrix_tab, self.bands_tab, self.shares_tab, self.township_tab):
            tab.changed.connect(self._on_changed)
        self._update_preset_label()
        fit_to_screen(self, 1000, 600)

    def _update_preset_label(self) -> None:
        preset = service.current_preset()
        titles = dict(service.preset_choices())
        text = self.tr("标准来源：{0}").format(titles.get(preset, preset)) if preset else ""
        if service.preset_is_example(preset):
            text += self.tr("（示例数据，请按本地文件核实修改）")
        self.preset_label.setText(text)

    def _on_changed(self) -> None:
        self.rates_changed.emit()

    def reload(self) -> None:
        self.matrix_tab.load()
        for tab in (self.bands_tab, self.shares_tab, self.township_tab):
            tab.reload()
        self._update_preset_label()

    def load_preset(self, key: str, title: str) -> None:
        informative = self.tr("现有的全部标准将停用（保留记录），换成「{0}」的标准；已锁定的月份不受影响。").format(title)
        if service.preset_is_example(key):
            informative += self.tr("\n注意：该预设中的数字是示例，只能作为填写样板，请按本地文件逐项核实修改。")
        done, count = call_confirmed(self, self.tr("确定载入「{0}」预设？").format(title), self.tr("载入预设"),
                                     lambda: service.replace_with_preset(key), informative=informative)
        if not done:
            return
        self.reload()
        self.rates_changed.emit()
        messages.info(self, self.tr("已载入「{0}」预设，共 {1} 条标准。").format(title, count))
