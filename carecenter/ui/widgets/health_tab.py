"""The 健康 tab of a cadre's detail window.

* 本年应检 — this year's check items by the cycle rules and where each stands.
* 体检记录 — every check, newest first, with its abnormal findings underneath
  (open ones marked 待复查 / 复查逾期); double-click a check to edit it, a finding
  to record its follow-up.
* 心理健康（保密） — by default only "有 N 条保密记录".  查看保密记录 asks for the
  purpose first; only then are the records read (``mental_records`` writes the
  view to the audit trail) and shown, until 隐藏 or the window closes.

``health_changed()`` after anything was saved here (the registration wires it to
the detail window's ``cadres_changed`` so the main window refreshes the rest).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain import health as rules
from ...domain.errors import DomainError
from ...services import health as health_service
from .. import actions, messages, theme
from ..dialogs.check_dialog import CheckDialog
from ..dialogs.finding_dialog import FindingDialog
from ..dialogs.mental_dialog import MentalDialog
from ..models.health_models import LEVEL_SHORT, STATUS_STYLE
from .history import group_column, record_table
from .list_page import make_button
from .form_dialog import dialog_column

PURPOSES = ["心理咨询随访", "本人申请查阅", "谈心谈话前了解情况", "组织关怀回访"]
KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
CHECK_ROLE = Qt.ItemDataRole.UserRole + 2
TREE_ROW_HEIGHT = 28


def _fmt(value: date | None) -> str:
    return value.isoformat() if value else ""


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


class PurposeDialog(QDialog):
    """Asks before confidential records are shown: a warning and the purpose of viewing."""

    def __init__(self, name: str, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModal(True)
        self.setWindowTitle(self.tr("查看保密记录"))
        outer = dialog_column(self)
        text = QLabel(self.tr("{0} 的心理健康记录（{1} 条）属于敏感个人信息，只在工作需要时查看。"
                              "查看人、时间和目的将被记录。").format(name, count))
        text.setWordWrap(True)
        outer.addWidget(text)
        label = QLabel(self.tr("<span style='color:#c62828'>*</span> 查看目的"))
        outer.addWidget(label)
        self.purpose = QComboBox()
        self.purpose.setEditable(True)
        self.purpose.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.purpose.addItems([self.tr(p) for p in PURPOSES])
        self.purpose.setCurrentIndex(-1)
        self.purpose.lineEdit().setMaxLength(60)
        self.purpose.lineEdit().setPlaceholderText(self.tr("选择或输入，如 心理咨询随访"))
        label.setBuddy(self.purpose)
        outer.addWidget(self.purpose)
        row = QHBoxLayout()
        row.addStretch(1)
        self.view_button = make_button(self.tr("查看"), "eye", primary=True, parent=self)
        self.view_button.setDefault(True)
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        row.addWidget(self.view_button)
        row.addWidget(self.cancel_button)
        outer.addLayout(row)
        self.view_button.clicked.connect(self._on_view_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.purpose.editTextChanged.connect(self._update)
        self._update()
        self.resize(440, self.sizeHint().height())
        self.purpose.setFocus()

    def text(self) -> str:
        return self.purpose.currentText().strip()

    def _update(self, *_args) -> None:
        ok = bool(self.text())
        self.view_button.setEnabled(ok)
        self.view_button.setToolTip(self.tr("查看（Enter）") if ok else self.tr("请先填写查看目的"))

    def _on_view_clicked(self) -> None:
        if self.text():
            self.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_view_clicked()
            return
        super().keyPressEvent(event)


def _small_table(headers: list[str], stretch: int) -> QTableWidget:
    table = record_table(headers, stretch=stretch)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


def _fill(table: QTableWidget, rows: list[list[Any]], max_rows: int = 10) -> None:
    """Rows of cells; a cell is text or (text, colour, icon name)."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            text, colour, icon = cell if isinstance(cell, tuple) else (cell, None, None)
            item = QTableWidgetItem(text)
            if colour is not None:
                item.setForeground(colour)
            if icon:
                item.setIcon(theme.icon(icon))
            item.setToolTip(text if len(text) > 16 else "")
            table.setItem(r, c, item)
    stretch = next((i for i in range(table.columnCount())
                    if table.horizontalHeader().sectionResizeMode(i) == QHeaderView.ResizeMode.Stretch), -1)
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        if c != stretch:
            table.setColumnWidth(c, max(table.columnWidth(c) + 16, 80))
    height = table.horizontalHeader().sizeHint().height() + 30 * max(1, len(rows)) + 4
    table.setFixedHeight(min(height, table.horizontalHeader().sizeHint().height() + 30 * max_rows + 4))
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if len(rows) > max_rows
                                     else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class HealthTab(QScrollArea):
    """``HealthTab(cadre_id, parent)``; ``reload()`` re-reads everything but the confidential records."""

    health_changed = Signal()

    def __init__(self, cadre_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.data: dict[str, Any] = {}
        self.dialog: QDialog | None = None
        self.purpose_dialog: PurposeDialog | None = None
        self.mental_rows: list[dict[str, Any]] | None = None  # None = hidden
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        content.setObjectName("DetailContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(18, 8, 18, 16)
        column.setSpacing(6)

        # ---- this year's due items
        self.due_box, dl = group_column()
        self.due_table = _small_table([self.tr("项目"), self.tr("适用规则"), self.tr("上次体检"),
                                       self.tr("应检年度"), self.tr("状态")], stretch=1)
        dl.addWidget(self.due_table)
        self.due_note = QLabel()
        self.due_note.setWordWrap(True)
        theme.set_role(self.due_note, "hint")
        dl.addWidget(self.due_note)
        column.addWidget(self.due_box)

        # ---- checks with their findings
        checks_box, cl = group_column(self.tr("体检记录"))
        cl.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.checks_summary = QLabel()
        theme.set_role(self.checks_summary, "info")
        bar.addWidget(self.checks_summary, 1)
        self.edit_check_button = make_button(self.tr("编辑体检"), "edit", parent=self,
                                             tooltip=self.tr("修改所选体检记录"))
        self.followup_button = make_button(self.tr("登记随访结果"), "health-followup", parent=self,
                                           tooltip=self.tr("登记所选异常的告知、转诊、复查和处理结果"))
        bar.addWidget(self.edit_check_button)
        bar.addWidget(self.followup_button)
        cl.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels([self.tr("体检日期 / 异常项目"), self.tr("项目 / 级别"), self.tr("体检机构 / 转诊"),
                                   self.tr("结论 / 描述"), self.tr("随访状态")])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for i, width in enumerate((170, 100, 170, 0, 220)):
            if width:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
                self.tree.setColumnWidth(i, width)
            else:
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        cl.addWidget(self.tree)
        self.no_checks = QLabel(self.tr("还没有体检记录。点击下方「登记体检」登记。"))
        theme.set_role(self.no_checks, "hint")
        cl.addWidget(self.no_checks)
        column.addWidget(checks_box)

        # ---- confidential mental-health records
        mental_box, ml = group_column(self.tr("心理健康（保密）"))
        ml.setSpacing(6)
        line = QHBoxLayout()
        line.setSpacing(8)
        lock = QLabel()
        lock.setPixmap(theme.icon("health-lock").pixmap(18, 18))
        line.addWidget(lock)
        self.mental_label = QLabel()
        line.addWidget(self.mental_label, 1)
        self.reveal_button = make_button(self.tr("查看保密记录"), "eye", parent=self,
                                         tooltip=self.tr("说明查看目的后显示；每次查看都会留下记录"))
        self.hide_button = make_button(self.tr("隐藏"), "eye-off", parent=self, tooltip=self.tr("不再显示保密内容"))
        self.mental_edit_button = make_button(self.tr("编辑记录"), "edit", parent=self,
                                              tooltip=self.tr("修改所选心理健康记录"))
        self.mental_add_button = make_button(self.tr("登记心理评估/咨询"), "health-lock", parent=self,
                                             tooltip=self.tr("登记心理健康评估或咨询（须本人知情同意）"))
        for b in (self.reveal_button, self.hide_button, self.mental_edit_button, self.mental_add_button):
            line.addWidget(b)
        ml.addLayout(line)
        self.mental_table = _small_table([self.tr("日期"), self.tr("类型"), self.tr("量表"), self.tr("得分"),
                                          self.tr("结果分级"), self.tr("咨询师/机构"), self.tr("摘要"),
                                          self.tr("知情同意")], stretch=6)
        ml.addWidget(self.mental_table)
        self.mental_note = QLabel()
        self.mental_note.setWordWrap(True)
        theme.set_role(self.mental_note, "hint")
        ml.addWidget(self.mental_note)
        column.addWidget(mental_box)
        column.addStretch(1)
        self.setWidget(content)

        self.edit_check_button.clicked.connect(self.edit_selected_check)
        self.followup_button.clicked.connect(self.record_followup_selected)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.reveal_button.clicked.connect(self.ask_reveal)
        self.hide_button.clicked.connect(self.hide_confidential)
        self.mental_add_button.clicked.connect(self.add_mental)
        self.mental_edit_button.clicked.connect(self.edit_selected_mental)
        self.mental_table.itemDoubleClicked.connect(lambda _item: self.edit_selected_mental())
        self.mental_table.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    # ================================================================ content
    def reload(self) -> None:
        today = date.today()
        self.data = health_service.cadre_health(self.cadre_id, today)
        self._fill_due(today)
        self._fill_checks()
        self._show_mental()
        self._update_buttons()

    def _fill_due(self, today: date) -> None:
        d = self.data
        self.due_box.setTitle(self.tr("本年应检（{0} 年）").format(today.year))
        rows = []
        for item in d["due"]:
            colour, icon = STATUS_STYLE.get(item["status"], (None, None))
            rows.append([item["package"], item["rule_name"], _fmt(item["last_date"]) or self.tr("从未体检"),
                         str(item["due_year"]), (self.tr(item["status"]), colour, icon)])
        _fill(self.due_table, rows)
        self.due_table.setVisible(bool(rows))
        if d["due_error"]:
            self.due_note.setText(d["due_error"])
        elif not rows and d["employment_status"] not in ("在职", "借调", "挂职", "驻村"):
            self.due_note.setText(self.tr("{0}，不列入应检名单。").format(d["employment_status"]))
        elif not rows:
            self.due_note.setText(self.tr("按现行体检周期规则，本年没有应检项目。"))
        else:
            self.due_note.setText("")
        self.due_note.setVisible(bool(self.due_note.text()))

    def _fill_checks(self) -> None:
        self.tree.clear()
        checks = self.data["checks"]
        open_count = self.data["open_findings"]
        for c in checks:
            open_here = sum(1 for f in c["findings"] if not f["closed"])
            state = self.tr("{0} 项异常未关闭").format(open_here) if open_here else \
                (self.tr("异常均已关闭") if c["findings"] else self.tr("无异常"))
            top = QTreeWidgetItem([_fmt(c["check_date"]), c["package"], c["institution"] or "",
                                   _one_line(c["conclusion"]), state])
            top.setData(0, KIND_ROLE, "check")
            top.setData(0, ID_ROLE, c["id"])
            top.setData(0, CHECK_ROLE, c["id"])
            top.setToolTip(3, c["conclusion"] or "")
            if open_here:
                top.setForeground(4, QColor(theme.ERROR))
                top.setIcon(4, theme.icon("health-overdue"))
            else:
                top.setForeground(4, QColor(theme.MUTED))
            for f in c["findings"]:
                status = f.get("status") or ""
                colour, icon = STATUS_STYLE.get(status, (None, None))
                if status == rules.FOLLOWUP_CLOSED:
                    text = self.tr("已关闭（{0}）").format(_fmt(f["closed_date"])) if f["closed_date"] \
                        else self.tr("已关闭")
                elif f["recheck_due"]:
                    text = self.tr("{0}（复查 {1}）").format(self.tr(status), _fmt(f["recheck_due"]))
                else:
                    text = self.tr("{0}（未定复查日期）").format(self.tr(status))
                child = QTreeWidgetItem([self.tr("异常：{0}").format(f["item"]),
                                         self.tr(LEVEL_SHORT.get(f["level"], f["level"])),
                                         f["referral"] or "", _one_line(f["description"]), text])
                child.setData(0, KIND_ROLE, "finding")
                child.setData(0, ID_ROLE, f["id"])
                child.setData(0, CHECK_ROLE, c["id"])
                child.setToolTip(1, self.tr(rules.FINDING_LEVELS.get(f["level"], "")))
                child.setToolTip(3, f["description"] or "")
                if colour is not None:
                    child.setForeground(4, colour)
                    child.setIcon(4, theme.icon(icon))
                top.addChild(child)
            for item in [top] + [top.child(i) for i in range(top.childCount())]:
                item.setSizeHint(0, QSize(0, TREE_ROW_HEIGHT))
            self.tree.addTopLevelItem(top)
            top.setExpanded(bool(c["findings"]))
        self.tree.setVisible(bool(checks))
        self.no_checks.setVisible(not checks)
        if checks:
            summary = self.tr("共 {0} 次体检").format(len(checks))
            if open_count:
                summary += self.tr("，{0} 项异常未关闭").format(open_count)
            self.checks_summary.setText(summary)
        else:
            self.checks_summary.setText("")
        rows = self.tree.topLevelItemCount() + sum(len(c["findings"]) for c in checks)
        head = self.tree.header().sizeHint().height()
        self.tree.setFixedHeight(head + TREE_ROW_HEIGHT * min(max(rows, 3), 12) + 6)

    def _show_mental(self) -> None:
        count = health_service.mental_count(self.cadre_id)
        self.mental_count = count
        revealed = self.mental_rows is not None
        if count == 0 and not revealed:
            self.mental_label.setText(self.tr("没有保密记录"))
        elif revealed:
            self.mental_label.setText(self.tr("正在显示 {0} 条保密记录").format(len(self.mental_rows or [])))
        else:
            self.mental_label.setText(self.tr("有 {0} 条保密记录").format(count))
        self.reveal_button.setVisible(not revealed and count > 0)
        self.hide_button.setVisible(revealed)
        self.mental_edit_button.setVisible(revealed)
        self.mental_table.setVisible(revealed)
        if revealed:
            rows = []
            for r in self.mental_rows or []:
                band = r["band"] or ""
                rows.append([_fmt(r["record_date"]), r["kind"], r["scale"] or "—",
                             "" if r["score"] is None else str(r["score"]), band or "—", r["counsellor"] or "",
                             _one_line(r["summary"]),
                             self.tr("{0}（{1}）").format(_fmt(r["consent_date"]), r["consent_scope"])
                             if r["consent_date"] else self.tr("未记录")])
            _fill(self.mental_table, rows, max_rows=8)
            self.mental_note.setText(self.tr("本次查看已记录。关闭窗口或点击「隐藏」后不再显示；不要截图、打印或转发。"))
        else:
            self.mental_table.setRowCount(0)
            self.mental_note.setText(self.tr("保密内容默认不显示，也不出现在任何名单、报表和导出中。"))

    @property
    def confidential_visible(self) -> bool:
        return self.mental_rows is not None

    # ================================================================ selection
    def selected_tree_item(self) -> QTreeWidgetItem | None:
        items = self.tree.selectedItems()
        return items[0] if items else None

    def _update_buttons(self) -> None:
        item = self.selected_tree_item()
        self.edit_check_button.setEnabled(item is not None)
        is_finding = item is not None and item.data(0, KIND_ROLE) == "finding"
        self.followup_button.setEnabled(is_finding)
        self.followup_button.setToolTip(self.tr("登记所选异常的告知、转诊、复查和处理结果") if is_finding
                                        else self.tr("先在体检记录中选择一条异常"))
        self.mental_edit_button.setEnabled(bool(self.mental_table.selectedItems()))

    def select_finding(self, finding_id: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                child = top.child(j)
                if child.data(0, ID_ROLE) == finding_id:
                    self.tree.setCurrentItem(child)
                    return True
        return False

    # ================================================================ actions
    def _open(self, dialog: QDialog, on_saved) -> QDialog:
        actions.open_dialog(self, dialog, on_saved)
        return dialog

    def add_check(self) -> CheckDialog:
        """登记体检 for this cadre (the person is fixed)."""
        return self._open(CheckDialog(None, self, cadre_id=self.cadre_id, lock_cadre=True), self._on_saved)

    def edit_selected_check(self) -> None:
        item = self.selected_tree_item()
        if item is not None:
            self._open(CheckDialog(item.data(0, CHECK_ROLE), self), self._on_saved)

    def record_followup_selected(self) -> None:
        item = self.selected_tree_item()
        if item is None or item.data(0, KIND_ROLE) != "finding":
            return
        try:
            dialog = FindingDialog(item.data(0, ID_ROLE), item.data(0, CHECK_ROLE), self)
        except DomainError as err:
            messages.error(self, err.message)
            self.reload()
            return
        self._open(dialog, self._on_saved)

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self.tree.setCurrentItem(item)
        if item.data(0, KIND_ROLE) == "finding":
            self.record_followup_selected()
        else:
            self.edit_selected_check()

    def _on_saved(self, _id: int) -> None:
        self.reload()
        self.health_changed.emit()

    # ---- confidential
    def ask_reveal(self) -> PurposeDialog:
        """Ask for the purpose; the records are read only once the clerk confirms."""
        self.purpose_dialog = PurposeDialog(self.data.get("name", ""), self.mental_count, self)
        self.purpose_dialog.accepted.connect(self._on_purpose_accepted)
        self.purpose_dialog.finished.connect(self._on_purpose_finished)
        self.purpose_dialog.open()
        return self.purpose_dialog

    def _on_purpose_accepted(self) -> None:
        dialog = self.purpose_dialog
        if dialog is None:
            return
        self.reveal(dialog.text())

    def _on_purpose_finished(self, _result: int) -> None:
        dialog = self.sender()
        if dialog is self.purpose_dialog:
            self.purpose_dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def reveal(self, purpose: str) -> None:
        try:
            self.mental_rows = health_service.mental_records(self.cadre_id, confidential_ok=True, purpose=purpose)
        except DomainError as err:
            messages.error(self, err.message)
            return
        self._show_mental()
        self._update_buttons()
        self.ensureWidgetVisible(self.mental_table)

    def hide_confidential(self) -> None:
        self.mental_rows = None
        self._show_mental()
        self._update_buttons()

    def add_mental(self) -> None:
        self._open(MentalDialog(self.cadre_id, None, self), self._on_mental_saved)

    def edit_selected_mental(self) -> None:
        rows = self.mental_table.selectionModel().selectedRows() if self.mental_rows is not None else []
        if not rows or not self.mental_rows:
            return
        record = self.mental_rows[rows[0].row()]
        self._open(MentalDialog(self.cadre_id, record, self), self._on_mental_saved)

    def _on_mental_saved(self, _id: int) -> None:
        # the content is hidden again after a change: viewing it anew is a new, recorded view
        self.mental_rows = None
        self._show_mental()
        self._update_buttons()
        self.mental_note.setText(self.tr("已保存。保密内容已隐藏，需要时请重新查看。"))
