"""Who is acting, and what they may do: the one permission mechanism (issue 10).

After sign-in the composition root (GUI or CLI) sets one *actor*: the account, its
permissions (the union of its roles) and its unit scope.  Every service function
and named query that reads or changes data is declared with ``@requires(...)``;
the check happens in that one decorator, so the GUI, the command line, exports
and printouts all get the same answer.  The UI asks ``allowed()`` what to enable,
it never decides permissions itself.

No Qt, no peewee: this module only knows names and sets.  The actor is process-
wide (not per thread): background jobs of the window act for the signed-in
account like the window itself.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, TypeVar

from ..domain.errors import DomainError

# ---------------------------------------------------------------- the permission names (data)

#: every permission: name → what it allows, as the clerk reads it
PERMISSIONS: dict[str, str] = {
    "roster.read": "查看干部名册",
    "roster.edit": "维护干部名册和单位",
    "id.reveal": "查看完整身份证号",
    "leave.read": "查看休假记录",
    "leave.edit": "登记休假",
    "health.read": "查看体检记录",
    "health.edit": "登记体检和随访",
    "mental.read": "查看心理健康记录",
    "mental.edit": "登记心理健康记录",
    "welfare.read": "查看慰问和谈心谈话",
    "welfare.edit": "登记慰问和谈心谈话",
    "allowance.read": "查看津贴补贴",
    "allowance.edit": "生成和调整津贴补贴",
    "allowance.lock": "锁定津贴补贴月份",
    "print": "打印",
    "export": "导出到 Excel",
    "export.sensitive": "导出敏感信息",
    "import": "从 Excel 导入",
    "settings.edit": "修改设置和规则",
    "backup": "备份与恢复",
    "accounts.manage": "账户管理",
    "audit.read": "查看审计日志",
    "audit.export": "导出审计日志",
    "exchange.pack": "报送县里（生成报送包）",
    "county.read": "查看乡镇报送和县级汇总",
    "county.receive": "接收乡镇报送",
}

#: permission groups as shown in the role editor
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("干部名册", ("roster.read", "roster.edit", "id.reveal")),
    ("休假", ("leave.read", "leave.edit")),
    ("体检与心理健康", ("health.read", "health.edit", "mental.read", "mental.edit")),
    ("慰问", ("welfare.read", "welfare.edit")),
    ("津贴补贴", ("allowance.read", "allowance.edit", "allowance.lock")),
    ("打印与交换", ("print", "export", "export.sensitive", "import")),
    ("系统", ("settings.edit", "backup", "accounts.manage")),
    ("审计", ("audit.read", "audit.export")),
    ("报送与汇总", ("exchange.pack", "county.read", "county.receive")),
)

ADMIN_ROLE = "admin"


# ---------------------------------------------------------------- errors

class PermissionDenied(DomainError):
    """The signed-in account may not do this; nothing was read or changed."""

    def __init__(self, permission: str, message: str | None = None):
        label = PERMISSIONS.get(permission, permission)
        super().__init__("permission_denied",
                         message or f"您的账户没有「{label}」权限，请联系系统管理员。",
                         None, permission=permission)
        self.permission = permission


class NotSignedIn(PermissionDenied):
    def __init__(self):
        super().__init__("", "尚未登录：请先用您的账户登录。")


class OutOfScope(PermissionDenied):
    def __init__(self, what: str = "这名干部"):
        super().__init__("", f"{what}不在您的账户可管理的单位范围内，请联系系统管理员。")


# ---------------------------------------------------------------- the actor

@dataclass(frozen=True)
class Actor:
    """The signed-in account as the services see it."""

    login: str
    display_name: str
    permissions: frozenset[str]
    unit_ids: frozenset[int] | None = None    # None: every unit
    account_id: int | None = None
    roles: tuple[str, ...] = field(default=())
    system: bool = False                       # demo/bench generation, not an account

    @property
    def who(self) -> str:
        """How the audit names the actor: login name and display name."""
        if self.display_name and self.display_name != self.login:
            return f"{self.login}（{self.display_name}）"
        return self.login

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def scoped(self) -> bool:
        return self.unit_ids is not None


def system_actor(purpose: str) -> Actor:
    """The program itself (building a demo or benchmark database that nobody signed in to):
    all permissions, named as such in the audit.  Never the result of a sign-in."""
    return Actor(login="系统", display_name=purpose, permissions=frozenset(PERMISSIONS), system=True)


_current: Actor | None = None


def set_actor(actor: Actor | None) -> None:
    global _current
    _current = actor


def current() -> Actor | None:
    return _current


def actor() -> Actor:
    """The signed-in actor; raises NotSignedIn when nobody is."""
    if _current is None:
        raise NotSignedIn()
    return _current


@contextmanager
def acting_as(who: Actor | None) -> Iterator[Actor | None]:
    previous = _current
    set_actor(who)
    try:
        yield who
    finally:
        set_actor(previous)


# ---------------------------------------------------------------- checks

def allowed(*permissions: str) -> bool:
    """True when the signed-in actor holds every one of ``permissions`` (the UI asks this)."""
    return _current is not None and all(p in _current.permissions for p in permissions)


def check(*permissions: str) -> Actor:
    """Raise PermissionDenied unless the signed-in actor holds every permission."""
    who = actor()
    for p in permissions:
        if p not in who.permissions:
            raise PermissionDenied(p)
    return who


F = TypeVar("F", bound=Callable)


def requires(*permissions: str) -> Callable[[F], F]:
    """Declare the permissions a service function or named query needs.

    ``requires()`` with no names: any signed-in account (reference data such as rule
    tables, pick lists and unit names, which hold no personal information)."""
    for p in permissions:
        if p not in PERMISSIONS:
            raise ValueError(f"unknown permission {p!r}")

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def checked(*args, **kwargs):
            check(*permissions)
            return func(*args, **kwargs)

        checked.permissions = permissions  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return wrap


def exempt(reason: str) -> Callable[[F], F]:
    """Mark a public function that needs no sign-in (pure formatting, start-up seeding …);
    the reason is kept for the test that checks every function is declared."""

    def wrap(func: F) -> F:
        func.exempt = reason  # type: ignore[attr-defined]
        return func

    return wrap


# ---------------------------------------------------------------- unit scope

def unit_scope() -> frozenset[int] | None:
    """The unit ids the actor may see, or None for every unit."""
    return None if _current is None else _current.unit_ids


def scope_sql(column: str) -> str:
    """A SQL condition limiting ``column`` (a unit id) to the actor's scope, or ''."""
    ids = unit_scope()
    if ids is None:
        return ""
    if not ids:
        return "0"
    return f"{column} IN ({','.join(str(int(i)) for i in sorted(ids))})"


def in_scope(unit_id: int | None) -> bool:
    ids = unit_scope()
    return ids is None or (unit_id is not None and int(unit_id) in ids)


def check_unit(unit_id: int | None, what: str = "这名干部") -> None:
    if not in_scope(unit_id):
        raise OutOfScope(what)


def require_whole_township(what: str) -> None:
    """Use cases that act on every cadre at once (the month's allowance batch …) need an
    account that is not limited to some units."""
    if unit_scope() is not None:
        raise PermissionDenied("", f"{what}涉及全乡镇干部，需由不限单位范围的账户操作。")


def permission_labels(names: Iterable[str]) -> list[str]:
    return [PERMISSIONS.get(n, n) for n in names]
