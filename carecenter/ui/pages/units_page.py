"""单位管理: the township's units, with add / edit / archive / restore."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from ...services import roster as roster_service
from .. import actions, theme
from ..dialogs.unit_dialog import UnitDialog
from ..models.units_model import COLUMNS, UnitsModel
from ..widgets.list_page import ListPage, make_button, refill_combo, reset_filters, single_shot
from ..widgets.table_view import DataTable, set_column_widths

COLUMN_WIDTHS = {"kind": 110, "township": 130, "township_category": 90, "hardship_area_class": 140,
                 "cadre_count": 90}


class UnitsPage(ListPage):
    """Signal ``units_changed()`` after a unit was added, edited, archived or restored."""

    units_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("单位管理"), self.tr("搜索 单位名称/拼音首字母"), parent)
        self.dialog: UnitDialog | None = None

        self.township_filter = QComboBox(self)
        self.township_filter.setMinimumWidth(140)
        self.township_filter.setToolTip(self.tr("按所属乡镇筛选"))
        self.archived_check = QCheckBox(self.tr("显示已归档"), self)
        self.filter_bar.addWidget(self.township_filter)
        self.filter_bar.addSpacing(4)
        self.filter_bar.addWidget(self.archived_check)

        self.add_button = make_button(self.tr("新增"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("新增单位（Ctrl+N）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选单位"))
        self.archive_button = make_button(self.tr("归档"), "archive", parent=self)
        for b in (self.add_button, self.edit_button, self.archive_button):
            self.action_bar.addWidget(b)
        self.export_button = make_button(self.tr("导出"), "export", parent=self,
                                         tooltip=self.tr("导出当前列表到 Excel…"))
        self.action_bar.addWidget(self.export_button)
        self.export_button.clicked.connect(self.export_current)

        self.model = UnitsModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        set_column_widths(self.table_view, COLUMNS, COLUMN_WIDTHS)
        header = self.table_view.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table_view.setSortingEnabled(True)
        self.set_table(self.table_view)
        self._default_hint = self.tr("双击或按 Enter 修改单位")
        self.hint_label.setText(self._default_hint)
        self._flash = single_shot(self, 6000, lambda: self.hint_label.setText(self._default_hint))

        self.search_changed.connect(self._on_filter_changed)
        self.township_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.archived_check.toggled.connect(self.refresh)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.archive_button.clicked.connect(self.toggle_archived_selected)
        self.table_view.open_requested.connect(self._on_table_open_requested)
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.refresh()

    # ================================================================ data
    def refresh(self, *_args, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.selected_unit_id()
        units = roster_service.list_units(include_archived=self.archived_check.isChecked())
        refill_combo(self.township_filter, (self.tr("全部乡镇"), ""),
                     [(town, town) for town in sorted({u["township"] for u in units if u["township"]})], "")
        self.model.set_units(units)
        self._apply(keep)

    def _on_filter_changed(self, *_args) -> None:
        self._apply(self.selected_unit_id())

    def _apply(self, keep: int | None) -> None:
        self.model.set_filter(self.search_box.text(), self.township_filter.currentData() or "")
        if self.model.rowCount():
            self.show_table()
            row = self.model.row_of(keep) if keep else -1
            if row >= 0:
                self.table_view.select_row(row)
        elif self.model.unfiltered_count == 0 and not self.archived_check.isChecked():
            self.show_empty(self.tr("还没有单位，点击「新增」开始"), self.tr("新增"), self.add)
        else:
            self.show_empty(self.tr("没有符合条件的单位"), self.tr("清除搜索和筛选"), self.clear_filters)
        count = self.model.rowCount()
        self.count_label.setText(self.tr("共 {0} 个单位").format(count) if count else "")
        self._update_buttons()

    def clear_filters(self) -> None:
        reset_filters(self.search_box, self.township_filter)
        self._apply(None)

    @property
    def empty_text(self) -> str:
        return self.empty_state.label.text() if self.empty_visible else ""

    # ================================================================ selection
    def selected_unit(self) -> dict | None:
        return self.model.unit(self.table_view.current_row())

    def selected_unit_id(self) -> int | None:
        u = self.selected_unit()
        return u["id"] if u else None

    def select_unit(self, unit_id: int) -> bool:
        row = self.model.row_of(unit_id)
        if row >= 0:
            self.table_view.select_row(row)
        return row >= 0

    def _update_buttons(self, *_args) -> None:
        u = self.selected_unit()
        self.edit_button.setEnabled(u is not None)
        self.archive_button.setEnabled(u is not None)
        if u is not None and u["archived"]:
            self.archive_button.setText(self.tr("恢复"))
            self.archive_button.setIcon(theme.icon("restore"))
            self.archive_button.setToolTip(self.tr("恢复所选单位"))
        else:
            self.archive_button.setText(self.tr("归档"))
            self.archive_button.setIcon(theme.icon("archive"))
            self.archive_button.setToolTip(self.tr("归档所选单位（单位下没有在册干部时才能归档）"))

    # ================================================================ actions
    def add(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        unit_id = self.selected_unit_id()
        if unit_id is not None:
            self._open_dialog(unit_id)

    def _open_dialog(self, unit_id: int | None) -> None:
        actions.open_dialog(self, UnitDialog(unit_id, self), self._on_dialog_saved)

    def _on_dialog_saved(self, unit_id: int) -> None:
        self.refresh(select_id=unit_id)
        if not self.select_unit(unit_id):
            self.clear_filters()
            self.select_unit(unit_id)
        self.hint_label.setText(self.tr("已保存：{0}").format(roster_service.get_unit(unit_id)["name"]))
        self._flash.start()
        self.units_changed.emit()

    def toggle_archived_selected(self) -> None:
        u = self.selected_unit()
        if u is None:
            return
        archive = not u["archived"]
        if actions.set_unit_archived(self, u["id"], u["name"], archive, cadre_count=u["cadre_count"]):
            self.refresh(select_id=u["id"])
            done = self.tr("已归档：{0}") if archive else self.tr("已恢复：{0}")
            self.hint_label.setText(done.format(u["name"]))
            self._flash.start()
            self.units_changed.emit()

    def _on_table_open_requested(self, row: int) -> None:
        u = self.model.unit(row)
        if u is not None:
            self._open_dialog(u["id"])

    def export_current(self):
        """导出: the units shown (search, township, archived), in the order shown, to Excel."""
        from ...services.exports import UnitQuery
        from ..export_action import export_view

        rows = [self.model.unit(i) for i in range(self.model.rowCount())]
        header = self.table_view.horizontalHeader()
        section = header.sortIndicatorSection()
        sort = COLUMNS[section] if header.isSortIndicatorShown() and 0 <= section < len(COLUMNS) else "name"
        query = UnitQuery(self.search_box.text(), self.township_filter.currentData() or "",
                          self.archived_check.isChecked(), sort,
                          header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)
        return export_view(self, "units", query, items=rows, count=len(rows))
