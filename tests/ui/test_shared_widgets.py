"""The shared building blocks of the window (docs/architecture.md, "Where new things go"):
the rule table and its dialog, the form save flow, the history box, the filter helpers and the
table-model bases.  Each is driven the way a page uses it, with stand-in data."""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLineEdit, QMessageBox, QVBoxLayout

from carecenter.domain.errors import DomainError, ValidationError
from carecenter.ui.widgets.record_form import FormMixin
from carecenter.ui.models.base import MemoryTable
from carecenter.ui.models.paged import PagedSqlModel
from carecenter.ui.widgets.form_dialog import SaveFlow, make_form
from carecenter.ui.widgets.history import HistoryBox, cell
from carecenter.ui.widgets.list_page import refill_combo, reset_filters
from carecenter.ui.widgets.rule_table import RuleTable, RuleTableDialog


class RowsModel(MemoryTable):
    COLUMNS = ["name", "days"]
    HEADERS = {"name": "名称", "days": "天数"}
    NUMERIC = {"days"}
    SORT_KEYS = {"name": lambda r: r["name"], "days": lambda r: r["days"]}

    def _text(self, row: int, key: str) -> str:
        return str(self._all[row][key])

    def row_of(self, row_id: int) -> int:
        return next((i for i, r in enumerate(self._all[:self._shown]) if r["id"] == row_id), -1)


ROWS = [{"id": 7, "name": "婚假", "days": 13}, {"id": 9, "name": "丧假", "days": 3}]


# ---------------------------------------------------------------- rule table

def test_rule_table_buttons_follow_the_selection_and_the_empty_line(qtbot):
    model = RowsModel()
    table = RuleTable(model, {"days": 60}, add_tip="新增", edit_tip="修改", retire_tip="停用",
                      empty_text="还没有规则")
    qtbot.addWidget(table)
    table.show()
    table.rows_loaded()
    assert table.empty_label.isVisible() and not table.edit_button.isEnabled()
    model.set_rows(ROWS)
    table.rows_loaded(select_id=9)
    assert not table.empty_label.isVisible()
    assert table.selected() == ROWS[1]
    assert table.edit_button.isEnabled() and table.retire_button.isEnabled()
    assert table.view.columnWidth(1) == 60
    table.view.clearSelection()
    assert not table.edit_button.isEnabled() and not table.retire_button.isEnabled()


class FakeRules:
    def __init__(self):
        self.rows = [dict(r) for r in ROWS]
        self.archived: list[int] = []
        self.preset = "national"

    def archive(self, row_id: int) -> None:
        if row_id == 9:
            raise DomainError("in_use", "这条规则正在使用，不能停用", None)
        self.archived.append(row_id)
        self.rows = [r for r in self.rows if r["id"] != row_id]

    def replace(self, key: str) -> int:
        self.preset = key
        self.rows = [{"id": 20, "name": "年休假", "days": 5}]
        return 1


class RowDialog(QDialog):
    saved = Signal(int)


def make_rules_dialog(fake: FakeRules):
    class Dialog(RuleTableDialog):
        TITLE = "测试规则"
        INTRO = "说明"
        ADD_TIP, EDIT_TIP, RETIRE_TIP, PRESET_TIP = "新增", "修改", "停用", "预设"
        EMPTY_TEXT = "还没有规则"
        FOOTER_HINT = "双击一行可修改"
        WIDTHS = {"days": 80}
        SIZE = (700, 400)

        def make_model(self):
            return RowsModel(self)

        def load_rows(self):
            self.model.set_rows(fake.rows)

        def preset_text(self):
            return f"来源：{fake.preset}"

        def row_dialog(self, row, current):
            dialog = RowDialog(self)
            dialog.row, dialog.current = row, current
            return dialog

        def archive(self, row):
            fake.archive(row["id"])

        def retire_question(self, row):
            return f"确定停用“{row['name']}”？", None

        def preset_choices(self):
            return [("national", "全国基准"), ("zhejiang", "浙江省")]

        def replace_with_preset(self, key):
            return fake.replace(key)

        def preset_question(self, title):
            return f"换成{title}预设"

    return Dialog()


def test_rule_table_dialog_edits_retires_and_loads_presets(qtbot, boxes):
    fake = FakeRules()
    dialog = make_rules_dialog(fake)
    qtbot.addWidget(dialog)
    changed = []
    dialog.rules_changed.connect(lambda: changed.append(True))
    dialog.show()
    assert dialog.windowTitle() == "测试规则" and dialog.preset_label.text() == "来源：national"
    assert [a.text() for a in dialog.preset_menu.actions()] == ["全国基准预设", "浙江省预设"]

    # 编辑 opens the row dialog on the selected row; its saved(id) reloads and selects
    dialog.table_view.select_row(0)
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    assert dialog.dialog.row == ROWS[0]
    fake.rows[0]["days"] = 15
    dialog.dialog.saved.emit(7)
    assert dialog.model.index(0, 1).data() == "15" and dialog.selected_row()["id"] == 7 and changed == [True]
    dialog.dialog.reject()
    qtbot.waitUntil(lambda: dialog.dialog is None, timeout=2000)
    # 新增 gets the selected row as its model
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.dialog.row is None and dialog.dialog.current["id"] == 7
    dialog.dialog.reject()

    # 停用 asks; cancel keeps the row; a refusal of the service is shown, nothing changes
    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    dialog.retire_selected()
    assert boxes.texts[-1] == "确定停用“婚假”？" and fake.archived == []
    dialog.retire_selected()
    assert fake.archived == [7] and dialog.model.total == 1 and changed == [True, True]
    dialog.table_view.select_row(0)
    dialog.retire_selected()
    assert boxes.texts[-1] == "这条规则正在使用，不能停用" and dialog.model.total == 1

    # 载入预设 asks with the informative text, then reports the count
    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    dialog.load_preset("zhejiang", "浙江省")
    assert boxes.texts[-1] == "确定载入浙江省预设？" and fake.preset == "national"
    dialog.load_preset("zhejiang", "浙江省")
    assert fake.preset == "zhejiang" and dialog.preset_label.text() == "来源：zhejiang"
    assert boxes.texts[-1] == "已载入浙江省预设，共 1 条规则。"
    assert dialog.model.index(0, 0).data() == "年休假"


# ---------------------------------------------------------------- save flow

class NameDialog(FormMixin, SaveFlow, QDialog):
    saved = Signal(int)
    FIELD_NAMES = {"name": "名称"}

    def __init__(self, store_fn):
        super().__init__()
        self._init_form()
        self.store_fn = store_fn
        outer = QVBoxLayout(self)
        form = make_form()
        self.name = QLineEdit()
        self.add_field(form, "name", "名称", self.name, required=True)
        self.name.textEdited.connect(lambda _t: self._on_edited("name"))
        outer.addLayout(form)
        self.make_footer(outer)
        self._loading = False
        self._validate()

    def collect_errors(self) -> list[DomainError]:
        return [] if self.name.text().strip() else [DomainError("required", "请填写名称", "name")]

    def store(self) -> int:
        return self.store_fn(self.name.text())


def test_save_flow_shows_problems_saves_on_enter_and_asks_before_discarding(qtbot, boxes, type_text):
    stored = []

    def store(name: str) -> int:
        if name == "重复":
            raise ValidationError([DomainError("duplicate", "名称「重复」已存在", "name")])
        stored.append(name)
        return 42

    dialog = NameDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    saved = []
    dialog.saved.connect(saved.append)
    assert not dialog.save() and dialog.messages["name"].text() == "请填写名称"
    type_text(dialog.name, "重复")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.messages["name"].text() == "名称「重复」已存在" and saved == []
    # closing with a change asks first; 继续编辑 keeps the dialog open
    boxes.answers.append(QMessageBox.StandardButton.Cancel)
    dialog.reject()
    assert dialog.isVisible() and boxes.texts[-1] == "放弃未保存的修改？"
    dialog.name.clear()
    type_text(dialog.name, "青岭镇")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Enter)
    assert stored == ["青岭镇"] and saved == [42] and not dialog.isVisible()


# ---------------------------------------------------------------- history box

def test_history_box_lists_counts_and_asks_for_edits(qtbot):
    box = HistoryBox("请假记录", ["假别", "天数"], widths=(120,), add_text="登记休假", add_icon="add-white",
                     add_tip="登记", edit_tip="修改所选", empty_text="还没有请假记录")
    qtbot.addWidget(box)
    box.show()
    asked = []
    box.add_requested.connect(lambda: asked.append("add"))
    box.edit_requested.connect(lambda: asked.append("edit"))
    box.show_rows([], lambda r: [], "共 0 条")
    assert box.empty_label.isVisible() and not box.table.isVisible() and box.count_label.text() == ""
    rows = [{"id": 3, "type": "年休假", "days": "5"}, {"id": 5, "type": "事假", "days": "1"}]
    box.show_rows(rows, lambda r: [cell(r["type"]), cell(r["days"], right=True)], "共 2 条")
    assert box.table.isVisible() and not box.empty_label.isVisible() and box.count_label.text() == "共 2 条"
    assert box.table.item(1, 0).text() == "事假" and box.table.item(1, 0).data(Qt.ItemDataRole.UserRole) == 5
    assert box.table.item(0, 1).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert not box.edit_button.isEnabled() and box.selected_id() is None
    box.select_id(5)
    assert box.selected_id() == 5 and box.edit_button.isEnabled()
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(box.edit_button, Qt.MouseButton.LeftButton)
    box.table.itemDoubleClicked.emit(box.table.item(0, 0))     # what a double-click on a row sends
    assert asked == ["add", "edit", "edit"]
    assert cell("一二三四五六七八九十一二三四五六七").toolTip() and not cell("短").toolTip()


# ---------------------------------------------------------------- filters

def test_refill_combo_keeps_the_choice_and_reset_filters_emits_nothing(qtbot):
    combo = QComboBox()
    check = QCheckBox()
    edit = QLineEdit("张")
    qtbot.addWidget(combo)
    emitted = []
    combo.currentIndexChanged.connect(emitted.append)
    refill_combo(combo, ("全部单位", 0), [("青岭镇", 1), ("云溪乡", 2)])
    combo.setCurrentIndex(2)
    emitted.clear()
    refill_combo(combo, ("全部单位", 0), [("云溪乡", 2), ("新设镇", 3)])
    assert combo.currentData() == 2 and combo.count() == 3 and emitted == []
    refill_combo(combo, ("全部单位", 0), [("新设镇", 3)])
    assert combo.currentData() == 0 and emitted == []       # gone: back to 全部
    empty = QComboBox()
    refill_combo(empty, ("全部年度", 0), [("2026 年", 2026), ("2025 年", 2025)], default=2025)
    assert empty.currentData() == 2025
    check.setChecked(True)
    combo.setCurrentIndex(1)
    emitted.clear()
    reset_filters(combo, check, edit)
    assert combo.currentIndex() == 0 and not check.isChecked() and edit.text() == "" and emitted == []


# ---------------------------------------------------------------- model bases

def test_memory_table_shows_chunks_and_sorts(qtmodeltester):
    model = RowsModel(chunk=2)
    model.set_rows([{"id": i, "name": f"第{i}条", "days": 10 - i} for i in range(5)])
    assert model.total == 5 and model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 4 and model.item(3)["id"] == 3 and model.item(4) is None
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.item(0)["days"] == 6
    assert model.headerData(1, Qt.Orientation.Horizontal) == "天数"
    qtmodeltester.check(model)


class NumbersModel(PagedSqlModel):
    """Pages of the numbers below ``filter`` (a stand-in for a query)."""

    COLUMNS = ["n"]

    def _count(self) -> int:
        return self._filter

    def _page(self, offset: int, limit: int) -> list[tuple]:
        return [(i,) for i in range(offset, min(offset + limit, self._filter))]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return str(self._rows[index.row()][0])
        return None


@pytest.mark.parametrize("total", [0, 5, 12])
def test_paged_rows_load_a_page_then_the_rest_as_asked(qtmodeltester, total):
    model = NumbersModel(page_size=5, filter_=total)
    model.refresh()
    assert model.total == total and model.rowCount() == min(5, total)
    assert model.canFetchMore() == (total > 5)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == total and (total == 0 or model.row_tuple(total - 1) == (total - 1,))
    model.set_filter(3)
    assert model.rowCount() == 3 and model.row_tuple(5) is None
    qtmodeltester.check(model)
