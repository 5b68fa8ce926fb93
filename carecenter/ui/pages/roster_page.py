"""干部名册: search, filter, add, edit, archive and open cadres."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHeaderView, QMenu, QWidget

from ...db.queries import RosterFilter
from ...services import choices
from ...services import roster as roster_service
from .. import actions, theme
from ..dialogs.cadre_dialog import CadreDialog
from ..models.roster_model import RosterModel
from ..widgets.list_page import ListPage, make_button, refill_combo, reset_filters, single_shot, unit_items
from ..widgets.table_view import DataTable

COLUMN_WIDTHS = {"name": 96, "sex": 56, "age": 60, "post": 150, "rank": 118, "category": 104,
                 "phone": 124, "status": 112}


class RosterPage(ListPage):
    """Signals: ``cadre_open_requested(id)`` (open the detail window),
    ``units_page_requested()`` (there are no units yet), ``cadres_changed()`` (after a save,
    archive or restore done here)."""

    cadre_open_requested = Signal(int)
    units_page_requested = Signal()
    cadres_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("干部名册"), self.tr("搜索 姓名/拼音首字母/身份证或电话尾号"), parent)
        self.dialog: CadreDialog | None = None
        self._has_units = False

        # ---- filters
        self.unit_filter = QComboBox(self)
        self.unit_filter.setMinimumWidth(200)
        self.unit_filter.setMaxVisibleItems(20)
        self.unit_filter.setToolTip(self.tr("按单位筛选"))
        self.category_filter = QComboBox(self)
        self.category_filter.addItem(self.tr("全部类别"), "")
        for value in choices.values("position_category"):
            self.category_filter.addItem(value, value)
        self.category_filter.setToolTip(self.tr("按职位类别筛选"))
        self.status_filter = QComboBox(self)
        self.status_filter.addItem(self.tr("全部状态"), "")
        for value in choices.values("employment_status"):
            self.status_filter.addItem(value, value)
        self.status_filter.setToolTip(self.tr("按在职状态筛选"))
        self.archived_check = QCheckBox(self.tr("显示已归档"), self)
        for w in (self.unit_filter, self.category_filter, self.status_filter):
            self.filter_bar.addWidget(w)
        self.filter_bar.addSpacing(4)
        self.filter_bar.addWidget(self.archived_check)

        # ---- actions
        self.add_button = make_button(self.tr("新增"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("新增干部（Ctrl+N）"))
        self.edit_button = make_button(self.tr("编辑"), "edit", parent=self, tooltip=self.tr("修改所选干部的信息"))
        self.archive_button = make_button(self.tr("归档"), "archive", parent=self,
                                          tooltip=self.tr("归档所选干部（可恢复）"))
        for b in (self.add_button, self.edit_button, self.archive_button):
            self.action_bar.addWidget(b)
        self.make_exchange_buttons()
        self.print_button.setToolTip(self.tr("打印所选干部或当前筛选结果的关心关爱档案"))
        self.action_bar.insertWidget(1, self.import_button)
        self.print_menu = QMenu(self.print_button)
        self.print_selected_action = self.print_menu.addAction(self.tr("打印所选干部的关爱档案…"))
        self.print_selected_action.triggered.connect(self.print_selected)
        self.print_batch_action = self.print_menu.addAction(self.tr("批量打印当前筛选结果的关爱档案…"))
        self.print_batch_action.triggered.connect(self.open_batch_print)
        self.print_button.setMenu(self.print_menu)
        self.action_bar.addWidget(self.export_button)
        # beside the list as shown: every field of each record, as the county asks for it
        self.roster_export_button = make_button(
            self.tr("花名册"), "export", parent=self,
            tooltip=self.tr("导出干部花名册到 Excel：当前筛选的干部的全部字段（出生日期、参加工作时间、学历、"
                            "人员身份、民族、籍贯等），年月日期写成 1985.03；敏感信息需另行勾选"))
        self.roster_export_button.clicked.connect(self.export_full_roster)
        self.action_bar.addWidget(self.roster_export_button)
        self.action_bar.addWidget(self.print_button)

        # ---- table
        self.model = RosterModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        header = self.table_view.horizontalHeader()
        for i, key in enumerate(self.model.COLUMNS):
            if key in COLUMN_WIDTHS:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.table_view.setColumnWidth(i, COLUMN_WIDTHS[key])
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        self.table_view.setSortingEnabled(True)
        self.set_table(self.table_view)
        self.hint_label.setText(self.tr("双击或按 Enter 打开干部详情"))
        self._flash = single_shot(self, 6000,
                                  lambda: self.hint_label.setText(self.tr("双击或按 Enter 打开干部详情")))

        # ---- wiring
        self.search_changed.connect(self._on_search_changed)
        self.unit_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.category_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.status_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.archived_check.toggled.connect(self._on_filter_changed)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.archive_button.clicked.connect(self.toggle_archived_selected)
        self.table_view.open_requested.connect(self._on_table_open_requested)
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

        self.reload_units(apply=False)
        self.apply_filter()

    # ================================================================ filtering
    def current_filter(self) -> RosterFilter:
        return RosterFilter(
            text=self.search_box.text(),
            unit_id=self.unit_filter.currentData() or None,
            category=self.category_filter.currentData() or "",
            status=self.status_filter.currentData() or "",
            include_archived=self.archived_check.isChecked(),
        )

    def set_search_text(self, text: str) -> None:
        """Put ``text`` in the search box and filter at once (no typing pause)."""
        self.search_box.setText(text)
        self._search_timer.stop()
        self.apply_filter()

    def _on_search_changed(self, _text: str) -> None:
        self.apply_filter()

    def _on_filter_changed(self, *_args) -> None:
        self.apply_filter()

    def apply_filter(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.selected_cadre_id()
        self.model.set_filter(self.current_filter())
        self._after_load(keep)

    def refresh(self, select_id: int | None = None) -> None:
        """Re-read the roster (after a change elsewhere), keeping the selection."""
        keep = select_id if select_id is not None else self.selected_cadre_id()
        self.model.refresh()
        self._after_load(keep)

    def clear_filters(self) -> None:
        reset_filters(self.unit_filter, self.category_filter, self.status_filter, self.search_box)
        self.apply_filter()

    def reload_units(self, apply: bool = True) -> None:
        """Refill the 单位 filter (after units changed)."""
        units = unit_items()
        self._has_units = bool(units)
        refill_combo(self.unit_filter, (self.tr("全部单位"), 0), units)   # 0 = all units
        if apply:
            self.apply_filter()

    def _after_load(self, keep: int | None) -> None:
        total = self.model.total
        if total:
            self.show_table()
            row = self.model.row_of(keep) if keep else -1
            if row >= 0:
                self.table_view.select_row(row)
        elif not self._has_units and roster_service.cadre_count(include_archived=True) == 0:
            self.show_empty(self.tr("请先在「单位管理」中添加单位，再新增干部"), self.tr("前往单位管理"),
                            self.units_page_requested.emit)
        elif roster_service.cadre_count(include_archived=True) == 0:
            self.show_empty(self.tr("还没有干部，点击「新增」或「导入」开始"), self.tr("新增"), self.add)
        else:
            self.show_empty(self.tr("没有符合条件的干部"), self.tr("清除搜索和筛选"), self.clear_filters)
        self.count_label.setText(self.tr("共 {0} 人").format(total) if total else "")
        self._update_buttons()

    @property
    def empty_text(self) -> str:
        """The sentence shown in place of the table ('' while the table shows)."""
        return self.empty_state.label.text() if self.empty_visible else ""

    # ================================================================ selection
    def selected_row(self) -> int:
        return self.table_view.current_row()

    def selected_cadre_id(self) -> int | None:
        return self.model.cadre_id(self.selected_row())

    def select_cadre(self, cadre_id: int) -> bool:
        row = self.model.row_of(cadre_id)
        while row < 0 and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(cadre_id)
        if row >= 0:
            self.table_view.select_row(row)
            return True
        return False

    def _update_buttons(self, *_args) -> None:
        row = self.selected_row()
        has = row >= 0
        self.edit_button.setEnabled(has)
        self.archive_button.setEnabled(has)
        self.print_selected_action.setEnabled(has)
        if has and self.model.is_archived(row):
            self.archive_button.setText(self.tr("恢复"))
            self.archive_button.setIcon(theme.icon("restore"))
            self.archive_button.setToolTip(self.tr("恢复所选干部为在册"))
        else:
            self.archive_button.setText(self.tr("归档"))
            self.archive_button.setIcon(theme.icon("archive"))
            self.archive_button.setToolTip(self.tr("归档所选干部（可恢复）"))

    # ================================================================ actions
    def add(self) -> None:
        if not self._has_units:
            self._has_units = bool(roster_service.list_units(with_counts=False))
        if not self._has_units:
            self.units_page_requested.emit()
            return
        self._open_dialog(None)

    def print_selected(self) -> None:
        """打印 → the selected cadre's 关爱档案 (options, then 预览/打印/导出)."""
        from ..dialogs.care_record_dialog import CareRecordDialog

        cadre_id = self.selected_cadre_id()
        if cadre_id is not None:
            actions.open_dialog(self, CareRecordDialog(cadre_id, self), lambda _p: None,
                                signal="printout_ready", attr="print_dialog")

    def open_batch_print(self):
        """打印 → the care records of everyone the current filter shows, in one go."""
        from ..dialogs.batch_print_dialog import BatchPrintDialog

        f = self.current_filter()
        parts = [self.unit_filter.currentText() if f.unit_id else "", f.category, f.status,
                 self.tr("搜索“{0}”").format(f.text.strip()) if f.text.strip() else ""]
        scope = self.tr("名册当前筛选结果") + (f"：{' · '.join(p for p in parts if p)}" if any(parts) else "")
        dialog = BatchPrintDialog(self, roster_filter=f, scope_text=scope, unit_id=f.unit_id)
        actions.open_dialog(self, dialog, lambda _files: None, signal="finished_batch", attr="print_dialog")
        return dialog

    def edit_selected(self) -> None:
        cadre_id = self.selected_cadre_id()
        if cadre_id is not None:
            self._open_dialog(cadre_id)

    def _open_dialog(self, cadre_id: int | None) -> None:
        actions.open_dialog(self, CadreDialog(cadre_id, self), self._on_dialog_saved)

    def _on_dialog_saved(self, cadre_id: int) -> None:
        self.refresh()
        if not self.select_cadre(cadre_id):
            self.table_view.clearSelection()
        name = roster_service.get_cadre(cadre_id)["name"]
        self.hint_label.setText(self.tr("已保存：{0}").format(name))
        self._flash.start()
        self.cadres_changed.emit()

    def import_from_excel(self) -> None:
        from ..dialogs.import_wizard import open_import_wizard  # openpyxl loads on first use

        open_import_wizard(self, "roster", self._on_imported)

    def _on_imported(self, _kind: str) -> None:
        self.refresh()
        self.cadres_changed.emit()

    def toggle_archived_selected(self) -> None:
        row = self.selected_row()
        cadre_id = self.model.cadre_id(row)
        if cadre_id is None:
            return
        record = self.model.row_tuple(row)
        name = record[1] if record else ""
        archive = not self.model.is_archived(row)
        if actions.set_cadre_archived(self, cadre_id, name, archive):
            self.refresh(select_id=cadre_id)
            done = self.tr("已归档：{0}") if archive else self.tr("已恢复：{0}")
            self.hint_label.setText(done.format(name))
            self._flash.start()
            self.cadres_changed.emit()

    def export_current(self):
        """导出: the roster as shown (the model's filter and order, every row) to Excel."""
        from ...services.exports import RosterQuery
        from ..export_action import export_view

        query = RosterQuery(self.model.filter, self.model.sort_key, self.model.descending)
        return export_view(self, "roster", query, count=self.model.total)

    def export_full_roster(self):
        """花名册: every field of the cadres shown (same filter and order) to Excel."""
        from ...services.exports import RosterQuery
        from ..export_action import export_view

        query = RosterQuery(self.model.filter, self.model.sort_key, self.model.descending)
        return export_view(self, "roster-full", query, count=self.model.total)

    def _on_table_open_requested(self, row: int) -> None:
        cadre_id = self.model.cadre_id(row)
        if cadre_id is not None:
            self.cadre_open_requested.emit(cadre_id)
