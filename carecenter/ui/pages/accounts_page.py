"""账户管理 (系统管理员, permission accounts.manage): accounts, roles and the password rules.

Three tabs: 账户 (新建, 修改, 停用/启用, 重置密码, 解锁), 角色 (the permissions of each
role, grouped as in ``access.GROUPS``) and 密码规则 (``PasswordRules.LABELS``).  The
services decide and audit; a refusal (the last 系统管理员 …) is shown as their sentence.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...security import access, passwords
from ...services import accounts
from ...services import roster as roster_service
from .. import messages, theme
from ..signin import PasswordRulesFeedback, error_text
from ..widgets.list_page import make_button, page_column
from ..widgets.table_view import DataTable

COLUMNS = ["登录名", "姓名", "角色", "单位范围", "状态", "上次登录", "建立时间"]


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "从未登录"


def state_text(info: accounts.AccountInfo) -> str:
    if not info.enabled:
        return "停用"
    if info.locked_until is not None and info.locked:
        return f"锁定中（{info.locked_until:%H:%M} 解锁）"
    if info.must_change:
        return "正常（下次登录须改密码）"
    return "正常"


def _error_and_buttons(dialog: QDialog, outer: QVBoxLayout, save_text: str) -> None:
    """The bottom of an account dialog: the service's refusal in red (``error_label``), then
    取消 and the primary button (``cancel_button``, ``save_button``, the Enter default)."""
    dialog.error_label = QLabel(dialog)
    dialog.error_label.setWordWrap(True)
    dialog.error_label.setStyleSheet(f"color: {theme.ERROR};")
    outer.addWidget(dialog.error_label)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    dialog.cancel_button = QPushButton(dialog.tr("取消"), dialog)
    dialog.cancel_button.setAutoDefault(False)
    dialog.save_button = QPushButton(save_text, dialog)
    dialog.save_button.setProperty("primary", True)
    dialog.save_button.setDefault(True)
    buttons.addWidget(dialog.cancel_button)
    buttons.addWidget(dialog.save_button)
    outer.addLayout(buttons)


class AccountsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[accounts.AccountInfo] = []

    def set_rows(self, rows: list[accounts.AccountInfo]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt naming
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def text(self, info: accounts.AccountInfo, column: int) -> str:
        return [info.login, info.display_name, "、".join(info.role_names),
                "、".join(info.unit_names) if info.unit_ids is not None else "全部单位",
                state_text(info), _when(info.last_login_at), _when(info.created_at)][column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(info, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 4 and (not info.enabled or info.locked):
            from PySide6.QtGui import QColor

            return QColor(theme.ERROR if info.locked else theme.MUTED)
        return None

    def info(self, row: int) -> accounts.AccountInfo | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class AccountDialog(QDialog):
    """新建 (login, name, roles, unit scope, initial password twice) or 修改 (no password)."""

    def __init__(self, info: accounts.AccountInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.info = info
        self.account_id: int | None = info.id if info else None
        self.setWindowTitle(self.tr("修改账户") if info else self.tr("新建账户"))
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.login_edit = QLineEdit(info.login if info else "", self)
        self.login_edit.setPlaceholderText(self.tr("英文字母或数字，如姓名拼音"))
        self.login_edit.setReadOnly(info is not None)
        self.name_edit = QLineEdit(info.display_name if info else "", self)
        form.addRow(self.tr("登录名"), self.login_edit)
        form.addRow(self.tr("姓名"), self.name_edit)

        roles_box = QWidget(self)
        grid = QGridLayout(roles_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.role_checks: dict[str, QCheckBox] = {}
        current = set(info.roles) if info else set()
        for i, role in enumerate(r for r in accounts.list_roles() if not r["archived"]):
            check = QCheckBox(role["name"], roles_box)
            check.setToolTip(role["notes"] or "、".join(access.permission_labels(role["permissions"])))
            check.setChecked(role["code"] in current)
            self.role_checks[role["code"]] = check
            grid.addWidget(check, i // 3, i % 3)
        form.addRow(self.tr("角色"), roles_box)

        scope = QWidget(self)
        col = QVBoxLayout(scope)
        col.setContentsMargins(0, 0, 0, 0)
        self.all_units = QRadioButton(self.tr("全部单位"), scope)
        self.some_units = QRadioButton(self.tr("只管理下列勾选的单位"), scope)
        self.units_list = QListWidget(scope)
        self.units_list.setMaximumHeight(130)
        chosen = set(info.unit_ids or []) if info else set()
        for u in roster_service.list_units(include_archived=False, with_counts=False):
            item = QListWidgetItem(u["name"], self.units_list)
            item.setData(Qt.ItemDataRole.UserRole, u["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if u["id"] in chosen else Qt.CheckState.Unchecked)
        (self.some_units if info and info.unit_ids is not None else self.all_units).setChecked(True)
        self.some_units.toggled.connect(self.units_list.setEnabled)
        self.units_list.setEnabled(self.some_units.isChecked())
        col.addWidget(self.all_units)
        col.addWidget(self.some_units)
        col.addWidget(self.units_list)
        form.addRow(self.tr("单位范围"), scope)

        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.feedback = PasswordRulesFeedback(self)
        if info is None:
            form.addRow(self.tr("初始密码"), self.password_edit)
            form.addRow(self.tr("再次输入密码"), self.confirm_edit)
            form.addRow("", self.feedback)
            note = QLabel(self.tr("初始密码请当面告知本人；首次登录时须修改。"), self)
            theme.set_role(note, "hint")
            form.addRow("", note)
            for edit in (self.login_edit, self.password_edit, self.confirm_edit):
                edit.textChanged.connect(self._on_changed)
            self._on_changed()
        else:
            self.password_edit.hide()
            self.confirm_edit.hide()
            self.feedback.hide()
        outer.addLayout(form)
        _error_and_buttons(self, outer, self.tr("保存"))
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        (self.name_edit if info else self.login_edit).setFocus()

    def _on_changed(self) -> None:
        self.feedback.update_for(self.password_edit.text(), self.login_edit.text().strip(), self.confirm_edit.text())

    def roles(self) -> list[str]:
        return [code for code, check in self.role_checks.items() if check.isChecked()]

    def unit_ids(self) -> list[int] | None:
        if self.all_units.isChecked():
            return None
        return [self.units_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.units_list.count())
                if self.units_list.item(i).checkState() == Qt.CheckState.Checked]

    def save(self) -> None:
        try:
            if self.account_id is None:
                self.account_id = accounts.create_account(self.login_edit.text(), self.name_edit.text(), self.roles(),
                                                          self.unit_ids(), self.password_edit.text(),
                                                          self.confirm_edit.text())
            else:
                accounts.update_account(self.account_id, self.name_edit.text(), self.roles(), self.unit_ids())
        except DomainError as err:
            self.error_label.setText(error_text(err))
            return
        self.accept()


class ResetPasswordDialog(QDialog):
    def __init__(self, info: accounts.AccountInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(self.tr("重置密码"))
        self.setMinimumWidth(440)
        outer = QVBoxLayout(self)
        intro = QLabel(self.tr("为 {0}（{1}）设置新密码。请当面告知本人，下次登录时须修改。").format(
            info.login, info.display_name), self)
        intro.setWordWrap(True)
        outer.addWidget(intro)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.feedback = PasswordRulesFeedback(self)
        form.addRow(self.tr("新密码"), self.password_edit)
        form.addRow(self.tr("再次输入新密码"), self.confirm_edit)
        form.addRow("", self.feedback)
        outer.addLayout(form)
        _error_and_buttons(self, outer, self.tr("重置密码"))
        for edit in (self.password_edit, self.confirm_edit):
            edit.textChanged.connect(self._on_changed)
        self._on_changed()
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        self.password_edit.setFocus()

    def _on_changed(self) -> None:
        self.feedback.update_for(self.password_edit.text(), self.info.login, self.confirm_edit.text())

    def save(self) -> None:
        try:
            accounts.reset_password(self.info.id, self.password_edit.text(), self.confirm_edit.text())
        except DomainError as err:
            self.error_label.setText(error_text(err))
            return
        self.accept()


class RolesTab(QWidget):
    """Each role's permissions, grouped as in access.GROUPS; saved with accounts.save_role."""

    roles_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        left = QVBoxLayout()
        self.role_list = QListWidget(self)
        self.role_list.setMaximumWidth(220)
        left.addWidget(self.role_list, 1)
        self.new_button = make_button(self.tr("新增角色"), "add", parent=self)
        left.addWidget(self.new_button)
        row.addLayout(left)
        right = QVBoxLayout()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText(self.tr("英文字母、数字和下划线"))
        self.name_edit = QLineEdit(self)
        self.notes_label = QLabel(self)
        self.notes_label.setWordWrap(True)
        theme.set_role(self.notes_label, "hint")
        form.addRow(self.tr("角色代码"), self.code_edit)
        form.addRow(self.tr("角色名称"), self.name_edit)
        form.addRow("", self.notes_label)
        right.addLayout(form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        host = QWidget(scroll)
        groups = QGridLayout(host)
        self.checks: dict[str, QCheckBox] = {}
        for i, (title, names) in enumerate(access.GROUPS):
            box = QGroupBox(title, host)
            col = QVBoxLayout(box)
            for name in names:
                check = QCheckBox(access.PERMISSIONS[name], box)
                self.checks[name] = check
                col.addWidget(check)
            col.addStretch(1)
            groups.addWidget(box, i // 4, i % 4)
        scroll.setWidget(host)
        right.addWidget(scroll, 1)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.ERROR};")
        right.addWidget(self.error_label)
        bar = QHBoxLayout()
        bar.addStretch(1)
        self.save_button = make_button(self.tr("保存角色"), primary=True, parent=self)
        bar.addWidget(self.save_button)
        right.addLayout(bar)
        row.addLayout(right, 1)
        self.role_list.currentRowChanged.connect(self._show_role)
        self.new_button.clicked.connect(self.new_role)
        self.save_button.clicked.connect(self.save)
        self.refresh()

    def refresh(self, select_code: str = "") -> None:
        self.roles = [r for r in accounts.list_roles() if not r["archived"]]
        self.role_list.blockSignals(True)
        self.role_list.clear()
        for r in self.roles:
            self.role_list.addItem(r["name"] + ("" if r["preset"] else self.tr("（自定义）")))
        self.role_list.blockSignals(False)
        index = next((i for i, r in enumerate(self.roles) if r["code"] == select_code), 0)
        if self.roles:
            self.role_list.setCurrentRow(index)
            self._show_role(index)

    def _show_role(self, row: int) -> None:
        if not 0 <= row < len(self.roles):
            return
        role = self.roles[row]
        self.code_edit.setText(role["code"])
        self.code_edit.setReadOnly(True)
        self.name_edit.setText(role["name"])
        self.notes_label.setText(role["notes"])
        for name, check in self.checks.items():
            check.setChecked(name in role["permissions"])
        self.error_label.clear()

    def new_role(self) -> None:
        self.role_list.clearSelection()
        self.code_edit.setReadOnly(False)
        self.code_edit.clear()
        self.name_edit.clear()
        self.notes_label.setText(self.tr("新角色：填写代码和名称，勾选权限后保存。"))
        for check in self.checks.values():
            check.setChecked(False)
        self.code_edit.setFocus()

    def save(self) -> None:
        code = self.code_edit.text().strip()
        notes = next((r["notes"] for r in self.roles if r["code"] == code), "")
        try:
            accounts.save_role(code, self.name_edit.text(), [n for n, c in self.checks.items() if c.isChecked()],
                               notes)
        except DomainError as err:
            self.error_label.setText(error_text(err))
            return
        self.refresh(code)
        self.error_label.clear()
        self.roles_changed.emit()


class RulesTab(QWidget):
    """PasswordRules: one spin box per field, labels and limits from PasswordRules.LABELS."""

    rules_saved = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        intro = QLabel(self.tr("默认值符合网络安全等级保护 2.0 第二级的要求。修改后对之后的登录和设置的密码生效。"), self)
        intro.setWordWrap(True)
        theme.set_role(intro, "hint")
        outer.addWidget(intro)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.spins: dict[str, QSpinBox] = {}
        for name, (label, low, high) in passwords.PasswordRules.LABELS.items():
            spin = QSpinBox(self)
            spin.setRange(low, high)
            spin.setMinimumWidth(100)
            self.spins[name] = spin
            form.addRow(label, spin)
        outer.addLayout(form)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        outer.addWidget(self.message_label)
        bar = QHBoxLayout()
        self.save_button = make_button(self.tr("保存规则"), primary=True, parent=self)
        bar.addWidget(self.save_button)
        bar.addStretch(1)
        outer.addLayout(bar)
        outer.addStretch(1)
        self.save_button.clicked.connect(self.save)
        self.load()

    def load(self) -> None:
        rules = accounts.password_rules()
        for name, spin in self.spins.items():
            spin.setValue(getattr(rules, name))

    def values(self) -> dict[str, Any]:
        return {name: spin.value() for name, spin in self.spins.items()}

    def save(self) -> None:
        try:
            accounts.save_password_rules(self.values())
        except DomainError as err:
            self.message_label.setStyleSheet(f"color: {theme.ERROR};")
            self.message_label.setText(error_text(err))
            return
        self.message_label.setStyleSheet("color: #1a7f37;")
        self.message_label.setText(self.tr("已保存密码与登录规则。"))
        self.rules_saved.emit()


class AccountsPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("PageBody")
        self.dialog: QDialog | None = None
        outer = page_column(self, self.tr("账户管理"))
        self.tabs = QTabWidget(self)
        outer.addWidget(self.tabs, 1)

        accounts_tab = QWidget(self)
        col = QVBoxLayout(accounts_tab)
        bar = QHBoxLayout()
        self.add_button = make_button(self.tr("新建"), "add-white", primary=True, parent=self,
                                      tooltip=self.tr("新建账户（Ctrl+N）"))
        self.edit_button = make_button(self.tr("修改"), "edit", parent=self, tooltip=self.tr("修改姓名、角色和单位范围"))
        self.enable_button = make_button(self.tr("停用"), "archive", parent=self)
        self.reset_button = make_button(self.tr("重置密码"), parent=self)
        self.unlock_button = make_button(self.tr("解锁"), "lock", parent=self, tooltip=self.tr("解除连续输错密码造成的锁定"))
        for b in (self.add_button, self.edit_button, self.enable_button, self.reset_button, self.unlock_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.recovery_button = make_button(self.tr("重新设置恢复密钥…"), parent=self,
                                           tooltip=self.tr("生成新的恢复密钥并打印；旧的恢复密钥纸随即作废"))
        bar.addWidget(self.recovery_button)
        col.addLayout(bar)
        self.key_label = QLabel(self)
        self.key_label.setWordWrap(True)
        self.key_label.setStyleSheet(f"color: {theme.WARNING};")
        col.addWidget(self.key_label)
        self.model = AccountsModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        header = self.table_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for i, width in enumerate((110, 120, 150, 170, 190, 140)):
            self.table_view.setColumnWidth(i, width)
        col.addWidget(self.table_view, 1)
        self.hint_label = QLabel(self.tr("账户不能删除（审计日志要引用）；不再使用的账户请停用。双击修改账户。"), self)
        theme.set_role(self.hint_label, "hint")
        col.addWidget(self.hint_label)
        self.tabs.addTab(accounts_tab, self.tr("账户"))
        self.roles_tab = RolesTab(self)
        self.tabs.addTab(self.roles_tab, self.tr("角色"))
        self.rules_tab = RulesTab(self)
        self.tabs.addTab(self.rules_tab, self.tr("密码规则"))

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.enable_button.clicked.connect(self.toggle_enabled_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.recovery_button.clicked.connect(self.replace_recovery_key)
        self.table_view.open_requested.connect(lambda _row=None: self.edit_selected())
        self.table_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.roles_tab.roles_changed.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------ data
    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else (self.selected().id if self.selected() else None)
        self.model.set_rows(accounts.list_accounts())
        for row, info in enumerate(self.model.rows):
            if info.id == keep:
                self.table_view.selectRow(row)
        self._update_buttons()
        from ...security import storekey

        encrypted = storekey.current() is not None
        self.recovery_button.setVisible(encrypted)
        missing = accounts.accounts_without_key() if encrypted else []
        self.key_label.setText(self.tr("以下账户还不能登录加密的数据库（加密之前建立，或停用后重新启用）："
                                       "{0}。选中后点「重置密码」即可。").format("、".join(missing)) if missing else "")
        self.key_label.setVisible(bool(missing))

    def replace_recovery_key(self) -> None:
        from ... import encryption
        from ...services import printing
        from ..dialogs.encryption_dialogs import RecoveryKeyDialog

        if not messages.confirm(self, self.tr("生成新的恢复密钥？旧的恢复密钥纸将作废，请按涉密载体销毁。"),
                                self.tr("生成新的恢复密钥")):
            return
        try:
            key = encryption.replace_recovery_key()
        except DomainError as err:
            messages.error(self, err.message)
            return
        from ...paths import DataPaths
        from ...security import storekey

        RecoveryKeyDialog(key, DataPaths(storekey.current().database.parent), self, printing.unit_name()).exec()

    def selected(self) -> accounts.AccountInfo | None:
        rows = self.table_view.selectionModel().selectedRows() if self.table_view.selectionModel() else []
        return self.model.info(rows[0].row()) if rows else None

    def select_login(self, login: str) -> None:
        for row, info in enumerate(self.model.rows):
            if info.login == login:
                self.table_view.selectRow(row)
                return

    def _update_buttons(self, *_args) -> None:
        info = self.selected()
        for b in (self.edit_button, self.enable_button, self.reset_button):
            b.setEnabled(info is not None)
        self.unlock_button.setEnabled(info is not None and (info.locked or info.failed_count > 0))
        self.enable_button.setText(self.tr("启用") if info is not None and not info.enabled else self.tr("停用"))

    # ------------------------------------------------------------ actions
    def _open(self, dialog: QDialog) -> bool:
        self.dialog = dialog
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self.dialog = None

    def add(self) -> None:
        dialog = AccountDialog(None, self)
        if self._open(dialog):
            self.refresh(dialog.account_id)

    def edit_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self._open(AccountDialog(info, self)):
            self.refresh(info.id)

    def toggle_enabled_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if info.enabled:
            text = self.tr("确定停用账户 {0}（{1}）？停用后不能登录，可随时重新启用。").format(info.login, info.display_name)
            ok = self.tr("停用")
        else:
            text = self.tr("确定启用账户 {0}（{1}）？").format(info.login, info.display_name)
            ok = self.tr("启用")
        if not messages.confirm(self, text, ok):
            return
        self._apply(info, lambda account_id: accounts.set_enabled(account_id, not info.enabled))

    def reset_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self._open(ResetPasswordDialog(info, self)):
            messages.info(self, self.tr("已重置 {0} 的密码，下次登录时须修改。").format(info.login))
            self.refresh(info.id)

    def unlock_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self._apply(info, accounts.unlock_account)

    def _apply(self, info: accounts.AccountInfo, change) -> None:
        """Make ``change(account_id)`` through the service; its refusal in a box, else the
        list is read again with the account still selected."""
        try:
            change(info.id)
        except DomainError as err:
            messages.error(self, err.message)
            return
        self.refresh(info.id)
