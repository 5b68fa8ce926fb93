"""A cadre's detail window: a header, tabs, and the actions that belong to the person.

Later capabilities add their own tab without touching this file::

    from carecenter.ui.dialogs.cadre_detail import register_detail_tab

    register_detail_tab("休假", lambda cadre_id, parent: LeaveTab(cadre_id, parent))

Every factory in ``DETAIL_TABS`` is called once per window, in order, after the
基本信息 tab.  If the returned widget has a ``reload()`` method it is called
whenever the window re-reads the cadre (after 编辑, 归档, 恢复 or a change made
elsewhere).  ``add_tab(widget, title)`` adds a tab to one window directly, and
``add_action(button)`` puts a person-level action (登记休假 …) in the button row.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...db import queries
from ...domain import dates, idcard
from ...domain import roster as rules
from ...services import audit
from ...services import roster as roster_service
from .. import actions, theme
from ..widgets.list_page import make_button
from ..widgets.table_view import read_only_rows
from .cadre_dialog import CadreDialog

DetailTabFactory = Callable[[int, QWidget], QWidget]
DETAIL_TABS: list[tuple[str, DetailTabFactory]] = []


def register_detail_tab(title: str, factory: DetailTabFactory) -> None:
    """Add a tab to every cadre detail window opened from now on."""
    DETAIL_TABS.append((title, factory))


SECTIONS: list[list[tuple[str, list[str]]]] = [
    [("个人信息", ["name", "id_number", "birth_date", "sex", "ethnicity", "native_place", "marital_status",
                "only_child", "phone"])],
    [("单位与职务", ["unit_id", "post", "leadership_level", "rank", "pay_grade", "personnel_status",
                 "position_category", "employment_status"]),
     ("紧急联系人", ["emergency_contact", "emergency_phone"])],
    [("政治面貌与学历", ["political_status", "party_join_date", "education_fulltime", "degree_fulltime",
                   "education_inservice", "degree_inservice"]),
     ("工作时间", ["work_start_date", "township_start_date", "current_post_date"])],
]
ACTION_NAMES = {"create": "新增", "update": "修改", "archive": "归档", "restore": "恢复", "view": "查看",
                "export": "导出", "print": "打印"}
FAMILY_COLUMNS = ["name", "relation", "birth_date", "lives_with", "residence", "phone", "work_unit"]


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class CadreDetail(QDialog):
    """Non-modal window for one cadre. ``cadres_changed()`` after 编辑 / 归档 / 恢复 here."""

    cadres_changed = Signal()

    def __init__(self, cadre_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.cadre_id = cadre_id
        self.record: dict[str, Any] = {}
        self.dialog: CadreDialog | None = None
        self._show_full_id = False
        self.extra_tabs: list[QWidget] = []
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)

        header = QFrame(self)
        header.setObjectName("DetailHeader")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(16, 10, 16, 10)
        hl.setSpacing(12)
        self.name_label = QLabel(header)
        self.name_label.setObjectName("DetailName")
        hl.addWidget(self.name_label)
        self.summary_label = QLabel(header)
        theme.set_role(self.summary_label, "info")
        hl.addWidget(self.summary_label, 1)
        self.status_badge = QLabel(header)
        hl.addWidget(self.status_badge)
        outer.addWidget(header)

        self.tabs = QTabWidget(self)
        outer.addWidget(self.tabs, 1)
        self.basic_scroll = QScrollArea()
        self.basic_scroll.setWidgetResizable(True)
        self.basic_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(self.basic_scroll, self.tr("基本信息"))

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.edit_button = make_button(self.tr("编辑"), "edit", primary=False, parent=self)
        self.archive_button = make_button(self.tr("归档"), "archive", parent=self)
        self.action_bar = QHBoxLayout()
        self.action_bar.setSpacing(8)
        self.close_button = make_button(self.tr("关闭"), parent=self)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.archive_button)
        buttons.addLayout(self.action_bar)
        self.print_care_button = make_button(self.tr("打印关爱档案"), "print", parent=self,
                                             tooltip=self.tr("预览、打印或导出此人的关心关爱档案"))
        self.care_dialog = None
        buttons.addWidget(self.print_care_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        self.edit_button.clicked.connect(self.edit)
        self.archive_button.clicked.connect(self.toggle_archived)
        self.close_button.clicked.connect(self.close)
        self.print_care_button.clicked.connect(self.print_care_record)

        self.reload()
        from ..permissions import tab_allowed

        for title, factory in DETAIL_TABS:
            if tab_allowed(title):   # a tab the account may not read is not built
                self.add_tab(factory(cadre_id, self), title)
        self._fit_to_screen()

    def _fit_to_screen(self) -> None:
        self.resize(1040, 680)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(self.width(), screen.width() - 40), min(self.height(), screen.height() - 50))

    # ================================================================ extension points
    def add_tab(self, widget: QWidget, title: str) -> int:
        self.extra_tabs.append(widget)
        return self.tabs.addTab(widget, title)

    def add_action(self, button: QPushButton) -> None:
        button.setAutoDefault(False)
        self.action_bar.addWidget(button)

    # ================================================================ content
    def reload(self) -> None:
        """Re-read the cadre and rebuild the 基本信息 tab; ask added tabs to reload too."""
        self.record = roster_service.get_cadre(self.cadre_id)
        r = self.record
        title = self.tr("干部详情 — {0}").format(r["name"])
        self.setWindowTitle(title)
        self.name_label.setText(r["name"])
        parts = [r["sex"], self.tr("{0} 岁").format(r["age"]), r["unit_name"], r["post"]]
        self.summary_label.setText("　·　".join(p for p in parts if p))
        if r["archived"]:
            self.status_badge.setText(self.tr("{0}（已归档）").format(r["employment_status"]))
            theme.set_role(self.status_badge, "badge-archived")
            self.archive_button.setText(self.tr("恢复"))
            self.archive_button.setIcon(theme.icon("restore"))
        else:
            self.status_badge.setText(r["employment_status"])
            theme.set_role(self.status_badge, "badge")
            self.archive_button.setText(self.tr("归档"))
            self.archive_button.setIcon(theme.icon("archive"))
        old = self.basic_scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.basic_scroll.setWidget(self._build_basic())
        for w in self.extra_tabs:
            reload = getattr(w, "reload", None)
            if callable(reload):
                reload()

    def _value_text(self, field: str) -> str:
        r = self.record
        if field == "unit_id":
            return r["unit_name"]
        if field == "id_number":
            return r["id_number"] if self._show_full_id else idcard.mask(r["id_number"])
        if field == "birth_date":
            return f"{_plain(r['birth_date'])}（{r['age']} 岁）"
        if field == "pay_grade":
            return self.tr("{0} 级").format(r["pay_grade"]) if r.get("pay_grade") else "—"
        if field in rules.MONTH_DATE_FIELDS:   # 1985.03, never a day the clerk did not type
            return dates.fmt_month_date(r.get(field)) or "—"
        return _plain(r.get(field))

    def _build_basic(self) -> QWidget:
        content = QWidget()
        content.setObjectName("DetailContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(18, 8, 18, 16)
        column.setSpacing(6)
        grid = QHBoxLayout()
        grid.setSpacing(28)
        self.value_labels: dict[str, QLabel] = {}
        for sections in SECTIONS:
            col = QVBoxLayout()
            col.setSpacing(4)
            for title, fields in sections:
                col.addWidget(self._section(title, fields))
            col.addStretch(1)
            grid.addLayout(col, 1)
        column.addLayout(grid)
        if self.record.get("notes"):
            column.addWidget(self._section("备注", ["notes"]))

        family_box = QGroupBox(self.tr("家庭成员"))
        fl = QVBoxLayout(family_box)
        fl.setContentsMargins(0, 8, 0, 0)
        self.family_table = self._table([self.tr(rules.FAMILY_LABELS[c]) for c in FAMILY_COLUMNS],
                                        [[_plain(m.get(c)) for c in FAMILY_COLUMNS]
                                         for m in self.record["family"]],
                                        stretch=4)
        if self.record["family"]:
            fl.addWidget(self.family_table)
        else:
            none = QLabel(self.tr("未登记家庭成员。点击「编辑」可在「家庭与联系人」中添加。"))
            theme.set_role(none, "hint")
            fl.addWidget(none)
        column.addWidget(family_box)

        history_box = QGroupBox(self.tr("修改记录"))
        hl = QVBoxLayout(history_box)
        hl.setContentsMargins(0, 8, 0, 0)
        rows = [[_plain(at), user, self.tr(ACTION_NAMES.get(action, action)),
                 summary if action in ("print", "export", "view") and summary and not changes
                 else self._describe(action, changes)]
                for at, user, action, summary, changes in audit.history(self.record["uuid"])]
        self.history_table = self._table([self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("内容")],
                                         rows, stretch=3)
        if rows:
            hl.addWidget(self.history_table)
        else:
            none = QLabel(self.tr("暂无修改记录"))
            theme.set_role(none, "hint")
            hl.addWidget(none)
        column.addWidget(history_box)
        column.addStretch(1)
        return content

    def _section(self, title: str, fields: list[str]) -> QGroupBox:
        box = QGroupBox(self.tr(title))
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 8, 0, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        for i, field in enumerate(fields):
            label = QLabel(self.tr(rules.CADRE_LABELS[field]))
            theme.set_role(label, "label")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            label.setMinimumWidth(84)
            value = QLabel(self._value_text(field))
            theme.set_role(value, "value")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.value_labels[field] = value
            row = i + (1 if "id_number" in fields[:i] else 0)
            grid.addWidget(label, row, 0)
            if field == "id_number":
                value.setWordWrap(False)
                grid.addWidget(value, row, 1)
                line = QHBoxLayout()
                line.setContentsMargins(0, 0, 0, 0)
                self.id_toggle = QPushButton()
                self.id_toggle.setProperty("flat", True)
                self.id_toggle.setAutoDefault(False)
                self.id_toggle.setCursor(Qt.CursorShape.PointingHandCursor)
                self.id_toggle.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
                self.id_toggle.clicked.connect(self.toggle_full_id)
                self._update_id_toggle()
                line.addWidget(self.id_toggle)
                line.addStretch(1)
                grid.addLayout(line, row + 1, 1)
            else:
                grid.addWidget(value, row, 1)
        return box

    def _table(self, headers: list[str], rows: list[list[str]], stretch: int) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(30)
        read_only_rows(table, single=False)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text if len(text) > 20 else "")
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        for c in range(len(headers)):
            table.setColumnWidth(c, max(table.columnWidth(c) + 16, 72))
        header.setSectionResizeMode(min(stretch, len(headers) - 1), QHeaderView.ResizeMode.Stretch)
        height = header.sizeHint().height() + 30 * max(1, len(rows)) + 4
        table.setFixedHeight(min(height, 30 * 12))
        if len(rows) > 11:
            table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        return table

    def _describe(self, action: str, changes: dict[str, Any]) -> str:
        if action == "create":
            return self.tr("建立干部档案")
        if action in ("archive", "restore"):
            return self.tr("归档") if action == "archive" else self.tr("恢复为在册")
        parts = []
        units = queries.unit_names()
        for field, change in changes.items():
            if field == "family":
                parts.append(self.tr("家庭成员：") + "、".join(change))
                continue
            label = rules.CADRE_LABELS.get(field, field)
            old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
            if field == "unit_id":
                old, new = units.get(old, old), units.get(new, new)
            if field == "id_number":
                old = idcard.mask(old) if old else old
                new = idcard.mask(new) if new else new
            parts.append(f"{label}：{_plain(old)} → {_plain(new)}")
        return "；".join(parts) or self.tr("无变化")

    # ================================================================ actions
    def toggle_full_id(self) -> None:
        self._show_full_id = not self._show_full_id
        if self._show_full_id:
            roster_service.record_id_viewed(self.cadre_id)
        self.value_labels["id_number"].setText(self._value_text("id_number"))
        self._update_id_toggle()

    def _update_id_toggle(self) -> None:
        if self._show_full_id:
            self.id_toggle.setText(self.tr("隐藏证件号"))
            self.id_toggle.setIcon(theme.icon("eye-off"))
        else:
            self.id_toggle.setText(self.tr("显示完整证件号"))
            self.id_toggle.setIcon(theme.icon("eye"))

    @property
    def shown_id_text(self) -> str:
        return self.value_labels["id_number"].text()

    def edit(self) -> None:
        actions.open_dialog(self, CadreDialog(self.cadre_id, self), self._on_dialog_saved)

    def print_care_record(self) -> None:
        """打印关爱档案: the options dialog (period, mental-health records), then 预览/打印/导出."""
        from .care_record_dialog import CareRecordDialog

        actions.open_dialog(self, CareRecordDialog(self.cadre_id, self, name=self.record["name"]),
                            lambda _printout: None, signal="printout_ready", attr="care_dialog")

    def _on_dialog_saved(self, _cadre_id: int) -> None:
        self.reload()
        self.cadres_changed.emit()

    def toggle_archived(self) -> None:
        archive = not self.record["archived"]
        if actions.set_cadre_archived(self, self.cadre_id, self.record["name"], archive):
            self.reload()
            self.cadres_changed.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)
