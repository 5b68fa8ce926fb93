"""What the signed-in account sees: the one place the window decides from permission names.

The services refuse anything the account may not do (``security.access``); this
module only keeps the window honest about it.  ``PAGES`` says which permission a
navigation page needs (any one of them), ``ACTIONS`` which permission a page's
button needs, ``DETAIL_TABS`` the same for the tabs of a cadre's detail window.
``guard(root)`` disables the buttons of ``root`` the account may not use and
keeps them disabled (pages re-enable buttons as the selection changes), with a
tooltip naming the missing permission.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from ..security import access

#: the business permissions that make the 工作台 (to-do list and coverage) useful
BUSINESS_READ = ("roster.read", "leave.read", "health.read", "welfare.read", "allowance.read")

#: navigation page → the account needs at least one of these permissions
PAGES: dict[str, tuple[str, ...]] = {
    "home": BUSINESS_READ,
    "roster": ("roster.read",),
    "leave": ("leave.read",),
    "health": ("health.read",),
    "allowance": ("allowance.read",),
    "welfare": ("welfare.read",),
    "reports": ("print",),
    "units": ("roster.read",),
    "settings": ("settings.edit",),
    "backup": ("backup",),
    "accounts": ("accounts.manage",),
    "audit": ("audit.read",),
    # the county edition (issue 15)
    "submissions": ("county.read",),
    "summary": ("county.read",),
    "county_roster": ("county.read",),
}

_EDIT = {"add_button": "roster.edit", "edit_button": "roster.edit", "archive_button": "roster.edit"}

#: widget class name → {attribute of a button: the permission it needs}
ACTIONS: dict[str, dict[str, str]] = {
    "RosterPage": {**_EDIT, "import_button": "import", "export_button": "export", "print_button": "print"},
    "UnitsPage": {**_EDIT, "export_button": "export"},
    "LeavePage": {"add_button": "leave.edit", "edit_button": "leave.edit", "approve_button": "leave.edit",
                  "close_button": "leave.edit", "cancel_button": "leave.edit", "defer_button": "leave.edit",
                  "calendar_button": "settings.edit", "rules_button": "settings.edit",
                  "export_button": "export", "print_button": "print"},
    "HealthPage": {"add_button": "health.edit", "edit_button": "health.edit", "archive_button": "health.edit",
                   "register_button": "health.edit", "followup_button": "health.edit",
                   "rules_button": "settings.edit", "export_button": "export", "print_button": "print"},
    "AllowancePage": {"generate_button": "allowance.edit", "adjust_button": "allowance.edit",
                      "correction_button": "allowance.edit", "lock_button": "allowance.lock",
                      "rates_button": "settings.edit", "banner_rates_button": "settings.edit",
                      "export_button": "export", "print_button": "print"},
    "WelfarePage": {"add_button": "welfare.edit", "edit_button": "welfare.edit", "archive_button": "welfare.edit",
                    "add_talk_button": "welfare.edit", "budget_button": "settings.edit",
                    "rules_button": "settings.edit", "export_button": "export", "print_button": "print"},
    "ReportsPage": {"unit_name_button": "settings.edit", "county_pack_button": "exchange.pack"},
    "CountyKeyBox": {"import_button": "settings.edit"},
    "IdentityForm": {"save_button": "settings.edit"},
    "CadreDetail": {"edit_button": "roster.edit", "archive_button": "roster.edit", "print_care_button": "print"},
    "LeaveTab": {"add_button": "leave.edit", "edit_button": "leave.edit"},
    "WelfareTab": {"add_button": "welfare.edit", "edit_button": "welfare.edit", "add_talk_button": "welfare.edit",
                   "edit_talk_button": "welfare.edit"},
    "AllowanceTab": {"transferred": "allowance.edit", "retirement_kind": "allowance.edit", "retired": "allowance.edit",
                     "sent_down": "allowance.edit", "save_facts_button": "allowance.edit",
                     "add_period_button": "allowance.edit", "edit_period_button": "allowance.edit",
                     "remove_period_button": "allowance.edit", "export_button": "export"},
    "HealthTab": {"reveal_button": "mental.read", "edit_check_button": "health.edit", "followup_button": "health.edit",
                  "mental_edit_button": "mental.edit", "mental_add_button": "mental.edit"},
    "BackupPage": {"restore_button": "backup", "backup_button": "backup", "backup_to_button": "backup"},
    "CountySubmissionsPage": {"receive_button": "county.receive"},
    "CountySummaryPage": {"print_button": "print", "export_button": "export"},
    "CountyRosterPage": {"export_button": "export"},
}

#: the tabs of a cadre's detail window (title → permission to read them)
DETAIL_TABS: dict[str, str] = {"休假": "leave.read", "健康": "health.read", "津贴": "allowance.read",
                               "慰问": "welfare.read"}


def page_allowed(key: str) -> bool:
    """True when the signed-in account may open navigation page ``key``."""
    needed = PAGES.get(key)
    if needed is None:
        return access.current() is not None
    return any(access.allowed(p) for p in needed)


def tab_allowed(title: str) -> bool:
    needed = DETAIL_TABS.get(title)
    return access.current() is not None and (needed is None or access.allowed(needed))


def denied_text(permission: str) -> str:
    return f"您的账户没有「{access.PERMISSIONS.get(permission, permission)}」权限，请联系系统管理员。"


class _KeepDisabled(QObject):
    """Turns a denied button off again whenever its page enables it."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.EnabledChange and isinstance(obj, QWidget) and obj.isEnabled():
            obj.setEnabled(False)
        return False


_keeper: _KeepDisabled | None = None


def _the_keeper() -> _KeepDisabled:
    """One filter for every denied button (no per-button child objects)."""
    global _keeper
    if _keeper is None:
        _keeper = _KeepDisabled()
    return _keeper


def guard(root: QObject) -> list[QWidget]:
    """Disable the buttons of ``root`` (a page, a detail window, a tab) that need a
    permission the account lacks; returns the widgets disabled."""
    out = []
    for cls in type(root).__mro__:
        table = ACTIONS.get(cls.__name__)
        if not table:
            continue
        for attr, permission in table.items():
            widget = getattr(root, attr, None)
            if not isinstance(widget, QWidget) or access.allowed(permission):
                continue
            widget.installEventFilter(_the_keeper())   # installing twice keeps one
            widget.setEnabled(False)
            widget.setToolTip(denied_text(permission))
            out.append(widget)
    return out
