"""系统设置 (permission settings.edit): the rule tables, the printing unit and 交换设置 in one place.

The 系统管理员 keeps the settings but sees no business data (三员分立), so the rule
dialogs that the business pages open from their toolbars are reachable here too.  A
county database (issue 15) has no rule tables of its own (the townships apply their
rules); its page holds the printing unit and the county's 交换设置.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...services import printing
from .. import theme
from ..widgets.list_page import make_button, page_column
from ..widgets.exchange_settings import CountyExchangeBox, TownshipExchangeBox
from ..widgets.unit_name import save_unit_name


def _leave_calendar(parent):
    from ..dialogs.leave_calendar_dialog import LeaveCalendarDialog

    return LeaveCalendarDialog(parent)


def _leave_types(parent):
    from ..dialogs.leave_types_dialog import LeaveTypesDialog

    return LeaveTypesDialog(parent)


def _health_rules(parent):
    from ..dialogs.health_rules_dialog import HealthRulesDialog

    return HealthRulesDialog(parent)


def _allowance_rates(parent):
    from ..dialogs.allowance_rates_dialog import AllowanceRatesDialog

    return AllowanceRatesDialog(parent)


def _welfare_rules(parent):
    from ..dialogs.welfare_rules_dialog import WelfareRulesDialog

    return WelfareRulesDialog(parent)


#: key, title, what it is, icon, the dialog
ENTRIES: tuple[tuple[str, str, str, str, Callable[[QWidget], QDialog]], ...] = (
    ("calendar", "节假日日历", "法定节假日和调休上班日，计算休假工作日用", "calendar", _leave_calendar),
    ("leave", "假期规则", "年休假、探亲假等假期类型和天数", "leave-rules", _leave_types),
    ("health", "体检周期", "各类干部的体检周期和套餐", "health-rules", _health_rules),
    ("allowance", "津贴标准", "乡镇工作补贴和艰苦边远地区津贴的标准", "allowance-rates", _allowance_rates),
    ("welfare", "慰问标准", "慰问事由、标准金额和经费来源", "welfare-rules", _welfare_rules),
)


class SettingsPage(QWidget):
    def __init__(self, parent: QWidget | None = None, *, county: bool = False):
        super().__init__(parent)
        self.setObjectName("PageBody")
        self.dialog: QDialog | None = None
        outer = page_column(self, self.tr("系统设置"), 12)
        intro = QLabel(self.tr("规则和标准是数据，按本单位的实际情况修改；每次修改都记入审计日志。") if not county
                       else self.tr("县级版只汇总乡镇报送的数据，休假、体检、津贴、慰问的规则在各乡镇的程序中设置；"
                                    "每次修改都记入审计日志。"), self)
        intro.setWordWrap(True)
        theme.set_role(intro, "hint")
        outer.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(10)
        self.buttons = {}
        for row, (key, name, text, icon, factory) in enumerate(() if county else ENTRIES):
            button = make_button(self.tr(name), icon, parent=self)
            button.setMinimumWidth(140)
            button.clicked.connect(lambda _=False, f=factory: self.open(f))
            self.buttons[key] = button
            grid.addWidget(button, row, 0)
            grid.addWidget(QLabel(self.tr(text), self), row, 1)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)

        card = QFrame(self)
        unit_row = QHBoxLayout(card)
        unit_row.setContentsMargins(0, 8, 0, 0)
        unit_row.addWidget(QLabel(self.tr("打印单位名称"), card))
        self.unit_name_edit = QLineEdit(printing.unit_name(), card)
        self.unit_name_edit.setMaxLength(60)
        self.unit_name_edit.setToolTip(self.tr("印在每份打印件页脚的单位名称；按 Enter 保存"))
        unit_row.addWidget(self.unit_name_edit, 1)
        self.unit_name_button = make_button(self.tr("保存"), parent=card)
        unit_row.addWidget(self.unit_name_button)
        self.unit_name_message = QLabel(card)
        unit_row.addWidget(self.unit_name_message)
        outer.addWidget(card)
        self.exchange_box = CountyExchangeBox(self) if county else TownshipExchangeBox(self)
        outer.addWidget(self.exchange_box)
        outer.addStretch(1)
        self.unit_name_button.clicked.connect(self.save_unit_name)
        self.unit_name_edit.returnPressed.connect(self.save_unit_name)

    def open(self, factory: Callable[[QWidget], QDialog]) -> None:
        self.dialog = factory(self)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.finished.connect(self._on_finished)
        self.dialog.open()

    def _on_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def save_unit_name(self) -> bool:
        """Store the footer's printing unit; a bad name is refused with the reason."""
        return save_unit_name(self)
