"""Two read-only lists of the county edition (issue 15), each in its own window:

* ``SnapshotsDialog`` — a township's packages, every year, newest first: the current one
  per year (the 汇总 uses it) and the dated snapshots it replaced, so last year's figures
  stay as they were reported;
* ``HistoryDialog`` — one cadre's service in every township that reported them.

关闭 (Esc) closes either.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...services import county
from .. import theme
from ..models.county_models import ServiceModel, SnapshotsModel
from ..widgets.list_page import make_button, make_table


class _ListDialog(QDialog):
    """A heading, a line under it, a read-only table and 关闭."""

    def __init__(self, title: str, heading: str, note: str, model, widths: dict[str, int],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        self.heading = QLabel(heading, self)
        theme.set_role(self.heading, "section")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        self.note = QLabel(note, self)
        self.note.setWordWrap(True)
        theme.set_role(self.note, "hint")
        layout.addWidget(self.note)
        self.model = model
        self.table = make_table(self, model, widths, clickable=False)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self)
        theme.set_role(self.empty_label, "hint")
        layout.addWidget(self.empty_label)
        row = QHBoxLayout()
        self.count_label = QLabel(self)
        theme.set_role(self.count_label, "count")
        row.addWidget(self.count_label)
        row.addStretch(1)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.resize(1000, 480)

    def show_rows(self, rows: list, empty: str, count: str) -> None:
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty_label.setText("" if rows else empty)
        self.empty_label.setVisible(not rows)
        self.count_label.setText(count if rows else "")
        if rows:
            self.table.select_row(0)
            self.table.setFocus()


class SnapshotsDialog(_ListDialog):
    """``SnapshotsDialog(code, name)``: the township's dated packages."""

    WIDTHS = {"period": 60, "as_of": 92, "created_at": 132, "received_at": 132, "received_by": 90, "state": 170,
              "cadres": 72, "rows": 80, "package_fingerprint": 190}

    def __init__(self, code: str, name: str, parent: QWidget | None = None):
        super().__init__(self.tr("历次报送 — {0}").format(name), self.tr("{0}（区划代码 {1}）").format(name, code),
                         self.tr("每个年度以最新的一份报送包为准（「现行」），被替换的报送包保留为带日期的历史快照。"),
                         SnapshotsModel(), self.WIDTHS, parent)
        self.model.setParent(self)
        rows = county.snapshots(code)
        self.show_rows(rows, self.tr("还没有收到这个乡镇的报送包。"),
                       self.tr("共 {0} 份报送包").format(len(rows)))


class HistoryDialog(_ListDialog):
    """``HistoryDialog(id_number, name, shown_number)``: the cadre's service in every township."""

    WIDTHS = {"township": 90, "code": 112, "unit": 170, "post": 130, "employment_status": 60, "start": 92, "end": 92,
              "work_start_date": 92, "current_post_date": 92}

    def __init__(self, id_number: str, name: str, shown_number: str, parent: QWidget | None = None):
        super().__init__(self.tr("任职经历 — {0}").format(name), self.tr("{0}　{1}").format(name, shown_number),
                         self.tr("按各乡镇最新报送的数据，依到乡镇工作的先后排列。"), ServiceModel(), self.WIDTHS, parent)
        self.model.setParent(self)
        rows = county.cadre_history(id_number)
        self.show_rows(rows, self.tr("没有这名干部的报送记录。"),
                       self.tr("在 {0} 个乡镇任职").format(len(rows)))
