"""报送情况 (county edition, issue 15): which township sent what, and who is late.

One row per township for the chosen year: its last package's period, 截至日期 (the
day its data counts to), when the county received it, how many cadres and rows it
held, the fingerprint of the key that signed it, and — in red with the word 逾期 —
whether it is late against the 报送截止日期.  接收报送… (Ctrl+O) receives a .ccx file
(``county_receive``); double-click a township for its dated history of packages.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QWidget

from ...services import county
from .. import messages, theme
from ..dialogs.county_lists import SnapshotsDialog
from ..dialogs.county_receive import Receiver
from ..models.county_models import SubmissionsModel
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import ListPage, make_button, make_table, single_shot
from .county_common import CountyYearPage

WIDTHS = {"name": 88, "code": 112, "period": 80, "as_of": 92, "received_at": 128, "cadres": 72, "rows": 76,
          "late": 150}
HINT = "双击或按 Enter 查看该乡镇的历次报送"


class CountySubmissionsPage(CountyYearPage, ListPage):
    """Signals: ``packages_received()`` after a package was stored (the other county pages
    read again)."""

    packages_received = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("报送情况"), self.tr("筛选乡镇 名称/区划代码"), parent)
        self.dialog = None
        self.rows: list[Any] = []

        # ---- the year and the deadline
        self.make_year_combo(self.tr("报送的数据年度"))
        self.deadline_edit = DateEdit(self, field="deadline", label="报送截止日期")
        self.deadline_edit.setToolTip(self.tr("报送截止日期：此后才报送、或到期仍未报送的乡镇标为「逾期」；"
                                              "不填按程序默认的截止日期"))
        self.deadline_edit.setMaximumWidth(150)
        self.filter_bar.addWidget(QLabel(self.tr("年度"), self))
        self.filter_bar.addWidget(self.year_combo)
        self.filter_bar.addSpacing(8)
        self.filter_bar.addWidget(QLabel(self.tr("报送截止"), self))
        self.filter_bar.addWidget(self.deadline_edit)
        self.deadline_message = QLabel(self)
        theme.set_role(self.deadline_message, "error")
        self.filter_bar.addWidget(self.deadline_message)

        # ---- actions
        self.receive_button = make_button(self.tr("接收报送…"), "import-white", primary=True, parent=self,
                                          tooltip=self.tr("选择乡镇报来的 .ccx 数据包并接收（Ctrl+O）"))
        self.snapshots_button = make_button(self.tr("历次报送"), "calendar", parent=self,
                                            tooltip=self.tr("所选乡镇收到过的全部数据包（按日期）"))
        self.refresh_button = make_button(self.tr("刷新"), "refresh", parent=self)
        for b in (self.receive_button, self.snapshots_button, self.refresh_button):
            self.action_bar.addWidget(b)
        self.receive_shortcut = QShortcut(QKeySequence("Ctrl+O"), self)
        self.receive_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)   # only while the page shows

        # ---- table
        self.model = SubmissionsModel(self)
        self.table_view = make_table(self, self.model, WIDTHS)
        header = self.table_view.horizontalHeader()
        header.setSortIndicator(self.model.COLUMNS.index("code"), Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        self.table_view.setSortingEnabled(True)
        self.set_table(self.table_view)
        self.hint_label.setText(self.tr(HINT))
        self._flash = single_shot(self, 8000, lambda: self.hint_label.setText(self.tr(HINT)))

        self.receiver = Receiver(self)

        # ---- wiring
        self.year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.deadline_edit.editing_finished.connect(self.refresh)
        self.search_changed.connect(lambda _t: self._show())
        self.receive_button.clicked.connect(self.receive)
        self.receive_shortcut.activated.connect(self.receive)
        self.snapshots_button.clicked.connect(self.open_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.table_view.open_requested.connect(self.open_snapshots)
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.receiver.received.connect(self._on_received)

    # ================================================================ loading
    def refresh(self) -> None:
        self._stale = False
        problem = self.deadline_edit.error()
        self.deadline_message.setText(problem.message if problem is not None else "")
        if problem is not None:
            return
        keep = self.selected_code()
        default = county.default_deadline(self.period, county.deadline_days())
        self.deadline_edit.line_edit.setPlaceholderText(self.tr("默认 {0}").format(default.isoformat()))
        self.rows = county.submissions(self.period, self.deadline_edit.value())
        self._show(keep)

    def _show(self, keep: str | None = None) -> None:
        keep = keep or self.selected_code()
        text = self.search_box.text().strip().lower()
        shown = [r for r in self.rows if not text or text in r.name.lower() or text in r.code]
        self.model.set_rows(shown)
        late = sum(1 for r in self.rows if r.late)
        if shown:
            self.show_table()
            row = self.model.row_of(keep) if keep else -1
            if row >= 0:
                self.table_view.select_row(row)
        elif not self.rows:
            self.show_empty(self.tr("还没有收到任何乡镇的报送。\n点「接收报送…」（Ctrl+O），选择乡镇报来的 .ccx 数据包。"),
                            self.tr("接收报送…"), self.receive)
        else:
            self.show_empty(self.tr("没有符合条件的乡镇"), self.tr("清除筛选"), self.search_box.clear)
        sent = sum(1 for r in self.rows if r.period is not None)
        summary = self.tr("{0} 个乡镇，已报送 {1} 个").format(len(self.rows), sent) if self.rows else ""
        if late:
            summary += self.tr("，逾期 {0} 个").format(late)
        self.count_label.setText(summary)
        self._update_buttons()

    # ================================================================ selection
    def selected_code(self) -> str | None:
        return self.model.code(self.table_view.current_row())

    def _update_buttons(self, *_args) -> None:
        self.snapshots_button.setEnabled(self.table_view.current_row() >= 0)

    # ================================================================ actions
    def receive(self):
        """接收报送… (Ctrl+O): choose a .ccx package and receive it in the background."""
        if not self.receive_button.isEnabled():   # the account may not receive (permissions.guard)
            return None
        return self.receiver.start()

    def _on_received(self, result: Any) -> None:
        self.refresh()
        text = receipt_text(result)
        self.hint_label.setText(text)
        self._flash.start()
        messages.info(self, text, title=self.tr("接收完成"))
        self.packages_received.emit()

    def open_selected(self) -> None:
        row = self.table_view.current_row()
        if row >= 0:
            self.open_snapshots(row)

    def open_snapshots(self, row: int) -> SnapshotsDialog | None:
        item = self.model.item(row)
        if item is None:
            return None
        dialog = SnapshotsDialog(item.code, item.name, self)
        self.dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def add(self) -> None:
        """Ctrl+N on this page: receive a package (nothing is typed in here)."""
        self.receive()


def receipt_text(result: Any) -> str:
    """The sentence after a package was received (its warnings on lines of their own)."""
    return "\n".join([result.message, *result.warnings])
