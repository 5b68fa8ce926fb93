"""Accounts, roles, sign-in, lockout and password rules (issue 10, 等保 2.0 level 2).

* There is no default account or password: a new database (and one upgraded from
  a version without accounts) has no account until ``create_first_admin``.
* Passwords are stored as argon2id hashes only; the rules (length, character
  classes, expiry, history, lockout, idle lock) are data in the settings table.
* ``sign_in`` never reveals whether a login name exists: an unknown name, a wrong
  password and a disabled account with a wrong password get the same sentence, in
  about the same time, and unknown names are locked out like real ones.
* Every sign-in, failure, lockout, lock/unlock, sign-out, account, role, password
  and rule change is audited.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

from ..db import database
from ..db.database import db
from ..db.models import Account, Role, Setting, Unit, now
from ..domain.errors import DomainError, ValidationError
from ..paths import resource_path
from ..security import access, keys, passwords, storekey
from ..security.access import Actor, exempt, requires
from . import audit

RULES_KEY = "security.password_rules"
DEMO_KEY = "demo.database"
DEMO_PASSWORD = "Demo@2026"
#: the demo database's accounts, one per preset role (README lists them)
DEMO_ACCOUNTS = (("admin", "演示系统管理员", "admin"), ("shenji", "演示安全审计员", "auditor"),
                 ("jingban", "演示经办人", "clerk"), ("fuzeren", "演示负责人", "head"),
                 ("xinli", "演示心理关爱专员", "mental"))
BAD_CREDENTIALS = "登录名或密码不正确，请重新输入。"

@exempt("the clock sign-in reads (tests replace it)")
def clock() -> datetime:
    return datetime.now().replace(microsecond=0)


_unknown_failures: dict[str, tuple[int, datetime | None]] = {}
_unknown_lock = threading.Lock()


class SignInError(DomainError):
    def __init__(self, code: str, message: str, **params):
        super().__init__(code, message, "password", **params)


@dataclass(frozen=True)
class SignIn:
    actor: Actor
    must_change: bool = False          # set by an administrator, or expired: change before anything else
    reason: str = ""                   # why it must be changed
    expires_in_days: int | None = None  # warn when within the rules' warning window
    demo: bool = False


@dataclass
class AccountInfo:
    id: int
    login: str
    display_name: str
    roles: list[str]
    role_names: list[str]
    unit_ids: list[int] | None
    unit_names: list[str]
    enabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    password_set_at: datetime | None
    must_change: bool
    failed_count: int = 0
    permissions: list[str] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > clock()


# ---------------------------------------------------------------- rules and roles (data)

def _loads(text: str, default):
    try:
        value = json.loads(text or "")
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


@exempt("the rules are read before anyone signs in (lockout, idle lock)")
def password_rules() -> passwords.PasswordRules:
    """The rules of the open store; the shipped defaults while none is open (the set-up
    window of a new encrypted database, the recovery window before it opens)."""
    if db.database is None:
        return passwords.PasswordRules()
    row = Setting.get_or_none(Setting.key == RULES_KEY)
    return passwords.PasswordRules.from_dict(_loads(row.value, {}) if row else None)


@requires("accounts.manage")
def save_password_rules(values: dict[str, Any]) -> passwords.PasswordRules:
    old = password_rules()
    rules = passwords.PasswordRules.from_dict({**old.to_dict(), **values})
    errors = rules.problems()
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        Setting.insert(key=RULES_KEY, value=json.dumps(rules.to_dict())).on_conflict_replace().execute()
        audit.record("settings", "setting", RULES_KEY, "修改密码与登录规则", audit.diff(old.to_dict(), rules.to_dict()))
    return rules


def _preset_roles(path: Path | None = None) -> list[dict[str, Any]]:
    data = json.loads((path or resource_path("presets", "roles.json")).read_text(encoding="utf-8"))
    return data["roles"]


@exempt("the shipped role names (no data): the sign-in window names the demo accounts' roles before opening")
def preset_role_names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _preset_roles()}


@exempt("start-up seeding of the shipped role presets")
def seed_roles_if_empty() -> None:
    if Role.select().exists():
        return
    with db.atomic():
        for r in _preset_roles():
            Role.create(code=r["code"], name=r["name"], permissions=json.dumps(r["permissions"]),
                        preset=True, notes=r.get("notes", ""))


@exempt("role names and permission sets hold no personal data (shown on the sign-in and account pages)")
def list_roles() -> list[dict[str, Any]]:
    return [dict(id=r.id, code=r.code, name=r.name, permissions=_loads(r.permissions, []), preset=r.preset,
                 notes=r.notes, archived=r.archived)
            for r in Role.select().order_by(Role.id)]


def _role_permissions() -> dict[str, tuple[str, frozenset[str]]]:
    return {r.code: (r.name, frozenset(_loads(r.permissions, [])))
            for r in Role.select().where(Role.archived == False)}  # noqa: E712


@requires("accounts.manage")
def save_role(code: str, name: str, permissions: Iterable[str], notes: str = "") -> None:
    code, name = (code or "").strip(), (name or "").strip()
    perms = sorted(set(permissions))
    errors = []
    if not code or not code.isascii() or not code.replace("_", "").isalnum():
        errors.append(DomainError("code", "角色代码只能由英文字母、数字和下划线组成", "code"))
    if not name:
        errors.append(DomainError("name", "请填写角色名称", "name"))
    if not perms:
        errors.append(DomainError("empty", "角色至少要有一项权限；不再使用的角色请从账户中移除", "permissions"))
    unknown = [p for p in perms if p not in access.PERMISSIONS]
    if unknown:
        errors.append(DomainError("unknown", f"未知的权限：{'、'.join(unknown)}", "permissions"))
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        row = Role.get_or_none(Role.code == code)
        old = dict(name=row.name, permissions=_loads(row.permissions, [])) if row else {}
        if row:
            Role.update(name=name, permissions=json.dumps(perms), notes=notes, updated_at=now()).where(
                Role.id == row.id).execute()
        else:
            row = Role.create(code=code, name=name, permissions=json.dumps(perms), notes=notes)
        _check_admin_remains()
        audit.record("role", "role", row.uuid, f"{'修改' if old else '新增'}角色「{name}」",
                     audit.diff(old, dict(name=name, permissions=perms)))


# ---------------------------------------------------------------- accounts

@exempt("asked before anyone can sign in: is there any account that manages accounts?")
def needs_setup() -> bool:
    """True while no enabled account can manage accounts (a new or upgraded database)."""
    return not any(access.PERMISSIONS and "accounts.manage" in _permissions_of(a)
                   for a in Account.select().where(Account.enabled == True))  # noqa: E712


def _permissions_of(account: Account, roles: dict | None = None) -> frozenset[str]:
    roles = roles if roles is not None else _role_permissions()
    out: set[str] = set()
    for code in _loads(account.roles, []):
        out |= roles.get(code, ("", frozenset()))[1]
    return frozenset(out)


def _unit_ids(account: Account) -> frozenset[int] | None:
    if not account.unit_ids:
        return None
    ids = _loads(account.unit_ids, [])
    return frozenset(int(i) for i in ids)


def _actor_of(account: Account) -> Actor:
    return Actor(login=account.login, display_name=account.display_name, permissions=_permissions_of(account),
                 unit_ids=_unit_ids(account), account_id=account.id, roles=tuple(_loads(account.roles, [])))


def _check_login(login: str) -> list[DomainError]:
    errors = []
    if not login:
        errors.append(DomainError("login", "请填写登录名", "login"))
    elif not (login.isascii() and all(c.isalnum() or c in "._-" for c in login)) or len(login) > 40:
        errors.append(DomainError("login", "登录名只能由英文字母、数字和 . _ - 组成，最长 40 位", "login"))
    return errors


def _check_new_password(password: str, confirm: str | None, login: str,
                        history: list[str] | None = None) -> list[DomainError]:
    rules = password_rules()
    errors = passwords.strength_problems(password or "", login, rules)
    if confirm is not None and password != confirm:
        errors.append(DomainError("confirm", "两次输入的密码不一致", "confirm"))
    if history and rules.history and any(passwords.verify(h, password) for h in history[:rules.history]):
        errors.append(DomainError("reused", f"新密码不能与最近 {rules.history} 次用过的密码相同", "password"))
    return errors


def _check_units(unit_ids: Iterable[int] | None) -> tuple[str, list[DomainError]]:
    if unit_ids is None:
        return "", []
    ids = sorted({int(i) for i in unit_ids})
    if not ids:
        return "", [DomainError("units", "请至少选择一个单位，或选择「全部单位」", "unit_ids")]
    units = {u.id: u for u in Unit.select().where(Unit.id.in_(ids))}
    errors = []
    for i in ids:
        u = units.get(i)
        if u is None:
            errors.append(DomainError("units", "所选单位不存在，请重新选择", "unit_ids"))
        elif u.archived:
            errors.append(DomainError("units", f"单位「{u.name}」已归档，不能作为账户的管理范围", "unit_ids"))
    return json.dumps(ids), errors


def _check_roles(roles: Iterable[str]) -> tuple[list[str], list[DomainError]]:
    codes = sorted(set(roles))
    known = _role_permissions()
    errors = []
    if not codes:
        errors.append(DomainError("roles", "请至少选择一个角色", "roles"))
    for c in codes:
        if c not in known:
            errors.append(DomainError("roles", f"角色「{c}」不存在", "roles"))
    return codes, errors


@exempt("only while no account can manage accounts (first start); refused afterwards")
def create_first_admin(login: str, display_name: str, password: str, confirm: str | None = None) -> Actor:
    """The first 系统管理员 of a new (or upgraded) database; signs it in."""
    login, display_name = (login or "").strip(), (display_name or "").strip()
    errors = _check_login(login)
    if not display_name:
        errors.append(DomainError("display_name", "请填写姓名", "display_name"))
    errors += _check_new_password(password, confirm, login)
    with db.atomic():
        if not needs_setup():
            raise DomainError("exists", "系统管理员账户已经建立，请用已有账户登录。")
        if Account.select().where(Account.login == login).exists():
            errors.append(DomainError("login", f"登录名「{login}」已被使用，请换一个", "login"))
        if errors:
            raise ValidationError(errors)
        at = clock()
        account = Account.create(login=login, display_name=display_name, roles=json.dumps([access.ADMIN_ROLE]),
                                 unit_ids="", enabled=True, password_hash=passwords.hash_password(password),
                                 password_set_at=at, must_change=False, password_history="[]",
                                 last_login_at=at)
        _wrap_for(login, password)
        who = _actor_of(account)
        with access.acting_as(who):
            audit.record("account", "account", account.uuid, f"首次启动：建立系统管理员账户 {who.who}",
                         {"roles": [None, [access.ADMIN_ROLE]]})
            audit.record("signin", "account", account.uuid, f"{who.who} 登录")
    access.set_actor(who)
    return who


def _lock_remaining(locked_until: datetime | None, at: datetime, rules: passwords.PasswordRules) -> datetime | None:
    """The lock's end while it holds.  A lock that ends further ahead than one lockout
    period means the clock was set back: it ends one period from now instead, so it
    never becomes permanent."""
    if locked_until is None or locked_until <= at:
        return None
    longest = at + timedelta(minutes=rules.lockout_minutes)
    return min(locked_until, longest)


def _account_lock(account: Account, at: datetime, rules: passwords.PasswordRules) -> datetime | None:
    """The end of the account's lock while it holds; when the clock went back, the lock
    now ends one period from this moment, and that is stored for good."""
    until = _lock_remaining(account.locked_until, at, rules)
    if until is not None and until != account.locked_until:
        with db.atomic():
            Account.update(locked_until=until).where(Account.id == account.id).execute()
    return until


def _locked_message(until: datetime) -> str:
    return f"连续输错密码次数过多，账户已锁定，请于 {until:%H:%M} 后再试（或请系统管理员解锁）。"


def _fail_unknown(login: str, rules: passwords.PasswordRules, at: datetime) -> None:
    with _unknown_lock:
        count, until = _unknown_failures.get(login, (0, None))
        until = _lock_remaining(until, at, rules)
        if until is not None:
            _unknown_failures[login] = (0, until)
            raise SignInError("locked", _locked_message(until))
        count += 1
        if count >= rules.max_failures:
            _unknown_failures[login] = (0, at + timedelta(minutes=rules.lockout_minutes))
        else:
            _unknown_failures[login] = (count, None)


# ---------------------------------------------------------------- the encrypted store's door

def _gate(database_path: Path) -> storekey.Gate:
    return storekey.Gate(storekey.gate_file_for(database_path))


def _dummy_derive(password: str) -> None:
    """As long as a real unwrap: an unknown name costs what a wrong password costs."""
    keys.derive(password or "-", b"\0" * keys.SALT_BYTES)


@exempt("signs in: unwraps the data key with the password itself, before the database is open")
def unlock_store(database_path: Path, login: str, password: str) -> tuple[keys.KeyFile, bytes]:
    """The encrypted store's key file and data key from an account's password.

    The failures are counted outside the database (``storekey.Gate``), with the same
    lockout and the same sentences as ``sign_in``: an unknown name, an account without
    a copy of the key and a wrong password read alike.  Raises SignInError, or the key
    file's own errors (missing, damaged) which name the file to bring back."""
    login = (login or "").strip()
    if not login or not password:
        raise SignInError("empty", "请输入登录名和密码。")
    at = clock()
    gate = _gate(database_path)
    until = gate.locked_until(login, at)
    if until is not None:
        _dummy_derive(password)
        raise SignInError("locked", _locked_message(until))
    keyfile = keys.KeyFile.load(storekey.key_file_for(database_path))
    try:
        return keyfile, keyfile.unlock(login, password)
    except keys.AccountKeyMissing:
        _dummy_derive(password)
    except keys.WrongPassword:
        pass
    until = gate.fail(login, at, f"登录失败（未能解开数据库密钥）：登录名「{login}」")
    if until is not None:
        raise SignInError("locked", _locked_message(until))
    raise SignInError("bad", BAD_CREDENTIALS)


def _settle_gate(login: str, rules: passwords.PasswordRules) -> None:
    """After a sign-in to the encrypted store: the failures counted outside it go into the
    audit log (with their times), the name's count is cleared, and the lockout rule is
    mirrored for the next attempt before opening."""
    sk = storekey.current()
    if sk is None:
        return
    gate = _gate(sk.database)
    events, dropped = gate.take_events()
    rows = [("signin_failed", "account", "", f"{what}（{when.replace('T', ' ')}，打开数据库前）", {"login": name})
            for when, name, what in events]
    if dropped:
        rows.append(("signin_failed", "account", "", f"另有 {dropped} 次打开数据库前的登录失败未能逐条保留", {}))
    if rows:
        audit.record_many(rows)
    gate.succeed(login, storekey.GateRules(rules.max_failures, rules.lockout_minutes))


def _wrap_for(login: str, password: str) -> None:
    """The account's copy of the data key follows its password (encrypted store only);
    called inside the transaction that stores the password, so a failed write of the
    key file leaves the old password in both places."""
    sk = storekey.current()
    if sk is not None:
        sk.keyfile.set_account(login, password, sk.key)


def _unwrap_removed(login: str) -> None:
    sk = storekey.current()
    if sk is not None:
        sk.keyfile.remove_account(login)


@requires()
def check_own_password(password: str) -> None:
    """The signed-in account's password again (before a step as grave as encrypting)."""
    account = Account.get_or_none(Account.id == access.actor().account_id)
    if account is None or not passwords.verify(account.password_hash, password or ""):
        raise ValidationError([DomainError("password", "密码不正确，请输入您登录时用的密码", "password")])


@exempt("only on a store opened with the recovery key and nobody signed in: the recovery key is the credential")
def reset_with_recovery(login: str, password: str, confirm: str | None = None) -> Actor:
    """Every password lost: a 系统管理员 gets a new password (to change at the next
    sign-in) and a fresh copy of the data key; audited as done with the recovery key.
    Returns the account; the caller signs it in with the new password (``sign_in``),
    which then asks for a password of the account's own choosing."""
    sk = storekey.current()
    if sk is None or not sk.by_recovery or access.current() is not None:
        raise DomainError("recovery_only", "只有用恢复密钥打开数据库后才能这样重设密码", None)
    login = (login or "").strip()
    account = Account.get_or_none(Account.login == login)
    if account is None or not account.enabled or "accounts.manage" not in _permissions_of(account):
        raise ValidationError([DomainError("login", f"「{login}」不是可用的系统管理员账户。请输入一个系统管理员的登录名"
                                                    "（忘记了可以先用恢复密钥打开后在账户列表中查看）", "login")])
    errors = _check_new_password(password, confirm, login)
    if errors:
        raise ValidationError(errors)
    who = _actor_of(account)
    with db.atomic():
        _set_password(account, password, must_change=True,
                      history=[account.password_hash] + _loads(account.password_history, []))
        with access.acting_as(who):
            audit.record("password_reset", "account", account.uuid,
                         f"用恢复密钥重设系统管理员 {login} 的密码（下次登录须修改）", {"by": "recovery_key"})
    _gate(sk.database).succeed(login)
    return who


@exempt("enabled administrators' login names, for the recovery dialog on a store opened with the recovery key")
def recovery_admins() -> list[str]:
    sk = storekey.current()
    if sk is None or not sk.by_recovery:
        return []
    return [a.login for a in Account.select().where(Account.enabled == True).order_by(Account.login)  # noqa: E712
            if "accounts.manage" in _permissions_of(a)]


@requires("accounts.manage")
def accounts_without_key() -> list[str]:
    """Enabled accounts that cannot open the encrypted store yet (no copy of the data key:
    made before the encryption, or re-enabled): a password reset gives them one."""
    sk = storekey.current()
    if sk is None:
        return []
    have = set(sk.keyfile.logins())
    return [a.login for a in Account.select().where(Account.enabled == True).order_by(Account.login)  # noqa: E712
            if a.login not in have]


@exempt("signs in: checks the password itself")
def sign_in(login: str, password: str) -> SignIn:
    """Check the credentials; on success set and return the actor.  Raises SignInError
    with a Chinese sentence (wrong credentials, locked, disabled)."""
    login = (login or "").strip()
    rules = password_rules()
    at = clock()
    if not login or not password:
        raise SignInError("empty", "请输入登录名和密码。")
    account = Account.get_or_none(Account.login == login)
    if account is None:
        passwords.dummy_verify(password)
        with db.atomic():
            audit.record("signin_failed", "account", "", f"登录失败：登录名「{login}」", {"login": login})
        _fail_unknown(login, rules, at)
        raise SignInError("bad", BAD_CREDENTIALS)
    until = _account_lock(account, at, rules)
    if until is not None:
        passwords.dummy_verify(password)
        with db.atomic():
            audit.record("signin_failed", "account", account.uuid, f"登录失败（账户锁定中）：{login}", {"login": login})
        raise SignInError("locked", _locked_message(until))
    if not passwords.verify(account.password_hash, password):
        _record_failure(account, rules, at, "登录失败")
        raise SignInError("bad", BAD_CREDENTIALS)
    if not account.enabled:
        with db.atomic():
            audit.record("signin_failed", "account", account.uuid, f"登录失败（账户已停用）：{login}", {"login": login})
        raise SignInError("disabled", "该账户已停用，请联系系统管理员。")
    who = _actor_of(account)
    must, reason = account.must_change, "系统管理员设置的初始密码须在首次登录时修改" if account.must_change else ""
    expires = None
    if rules.expiry_days and account.password_set_at is not None:
        expiry = account.password_set_at + timedelta(days=rules.expiry_days)
        left = (expiry.date() - at.date()).days
        if left <= 0:
            must, reason = True, f"密码已超过 {rules.expiry_days} 天有效期，请设置新密码"
        elif left <= rules.warn_days:
            expires = left
    def bookkeeping() -> None:
        with db.atomic():
            Account.update(failed_count=0, locked_until=None, last_login_at=at).where(
                Account.id == account.id).execute()
            with access.acting_as(who):
                _settle_gate(login, rules)
                audit.record("signin", "account", account.uuid, f"{who.who} 登录")

    # written once the open-time check of a large database has passed (never before)
    database.when_checked(bookkeeping)
    access.set_actor(who)
    return SignIn(who, must, reason, expires, is_demo())


def _record_failure(account: Account, rules: passwords.PasswordRules, at: datetime, what: str) -> None:
    with db.atomic():
        fresh = Account.get_by_id(account.id)
        count = fresh.failed_count + 1
        locked_until = None
        if count >= rules.max_failures:
            locked_until = at + timedelta(minutes=rules.lockout_minutes)
            count = 0
        Account.update(failed_count=count, last_failed_at=at, locked_until=locked_until).where(
            Account.id == account.id).execute()
        audit.record("signin_failed", "account", account.uuid, f"{what}：{account.login}", {"login": account.login})
        if locked_until is not None:
            audit.record("lockout", "account", account.uuid,
                         f"{account.login} 连续 {rules.max_failures} 次输错密码，锁定至 {locked_until:%H:%M}")


@requires()
def unlock_screen(password: str) -> None:
    """The lock screen: the same account's password again (failures count to the lockout)."""
    who = access.actor()
    account = Account.get_by_id(who.account_id) if who.account_id else None
    if account is None:
        raise SignInError("bad", BAD_CREDENTIALS)
    rules, at = password_rules(), clock()
    until = _account_lock(account, at, rules)
    if until is not None:
        raise SignInError("locked", _locked_message(until))
    if not account.enabled:
        raise SignInError("disabled", "该账户已停用，请联系系统管理员。")
    if not password or not passwords.verify(account.password_hash, password):
        _record_failure(account, rules, at, "解锁失败")
        raise SignInError("bad", "密码不正确，请重新输入。")
    with db.atomic():
        Account.update(failed_count=0).where(Account.id == account.id).execute()
        audit.record("unlock", "account", account.uuid, f"{who.who} 解锁屏幕")


@requires()
def record_lock(idle: bool) -> None:
    who = access.actor()
    with db.atomic():
        audit.record("lock", "account", _uuid_of(who), f"{who.who} {'无操作自动' if idle else ''}锁屏")


@exempt("signs the current actor out (no actor: nothing to do)")
def sign_out(reason: str = "退出登录") -> None:
    who = access.current()
    if who is None:
        return
    if not who.system:
        with db.atomic():
            audit.record("signout", "account", _uuid_of(who), f"{who.who} {reason}")
    access.set_actor(None)


def _uuid_of(who: Actor) -> str:
    if who.account_id is None:
        return ""
    row = Account.get_or_none(Account.id == who.account_id)
    return row.uuid if row else ""


@requires()
def change_password(old: str, new: str, confirm: str | None = None) -> None:
    """The signed-in account changes its own password (also the forced change)."""
    who = access.actor()
    account = Account.get_by_id(who.account_id)
    if not passwords.verify(account.password_hash, old or ""):
        raise ValidationError([DomainError("old", "原密码不正确", "old")])
    history = [account.password_hash] + _loads(account.password_history, [])
    errors = _check_new_password(new, confirm, account.login, history)
    if errors:
        raise ValidationError(errors)
    _set_password(account, new, must_change=False, history=history)
    with db.atomic():
        audit.record("password_change", "account", account.uuid, f"{who.who} 修改了自己的密码")


def _set_password(account: Account, password: str, must_change: bool, history: list[str]) -> None:
    keep = max(password_rules().history, 1)
    with db.atomic():
        Account.update(password_hash=passwords.hash_password(password), password_set_at=clock(),
                       must_change=must_change, password_history=json.dumps(history[:keep]),
                       failed_count=0, locked_until=None, updated_at=now()).where(Account.id == account.id).execute()
        _wrap_for(account.login, password)


def _info(a: Account, roles: dict, units: dict) -> AccountInfo:
    codes = _loads(a.roles, [])
    ids = _unit_ids(a)
    return AccountInfo(
        id=a.id, login=a.login, display_name=a.display_name, roles=codes,
        role_names=[roles.get(c, (c, frozenset()))[0] for c in codes],
        unit_ids=sorted(ids) if ids is not None else None,
        unit_names=[units.get(i, f"#{i}") for i in sorted(ids)] if ids is not None else [],
        enabled=a.enabled, locked_until=_lock_remaining(a.locked_until, clock(), password_rules()),
        last_login_at=a.last_login_at, created_at=a.created_at, password_set_at=a.password_set_at,
        must_change=a.must_change, failed_count=a.failed_count,
        permissions=sorted(_permissions_of(a, roles)))


@requires("accounts.manage")
def list_accounts() -> list[AccountInfo]:
    roles = _role_permissions()
    units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
    return [_info(a, roles, units) for a in Account.select().order_by(Account.enabled.desc(), Account.login)]


@exempt("used by the CLI's user list and the status bar for the signed-in account only")
def describe_actor(who: Actor) -> str:
    roles = _role_permissions()
    names = [roles.get(c, (c, frozenset()))[0] for c in who.roles]
    return f"{who.who}｜{'、'.join(names) or '无角色'}"


@requires("accounts.manage")
def create_account(login: str, display_name: str, roles: Iterable[str], unit_ids: Iterable[int] | None,
                   password: str, confirm: str | None = None) -> int:
    login, display_name = (login or "").strip(), (display_name or "").strip()
    errors = _check_login(login)
    if not display_name:
        errors.append(DomainError("display_name", "请填写姓名", "display_name"))
    codes, role_errors = _check_roles(roles)
    scope, unit_errors = _check_units(unit_ids)
    errors += role_errors + unit_errors + _check_new_password(password, confirm, login)
    if login and Account.select().where(Account.login == login).exists():
        errors.append(DomainError("login", f"登录名「{login}」已被使用（停用的账户也保留登录名），请换一个", "login"))
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        account = Account.create(login=login, display_name=display_name, roles=json.dumps(codes), unit_ids=scope,
                                 enabled=True, password_hash=passwords.hash_password(password),
                                 password_set_at=clock(), must_change=True, password_history="[]")
        _wrap_for(login, password)
        audit.record("account", "account", account.uuid, f"新建账户 {login}（{display_name}）",
                     {"roles": [None, codes], "unit_ids": [None, scope or "全部单位"]})
    return account.id


@requires("accounts.manage")
def update_account(account_id: int, display_name: str, roles: Iterable[str], unit_ids: Iterable[int] | None) -> None:
    display_name = (display_name or "").strip()
    errors = [] if display_name else [DomainError("display_name", "请填写姓名", "display_name")]
    codes, role_errors = _check_roles(roles)
    scope, unit_errors = _check_units(unit_ids)
    errors += role_errors + unit_errors
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        a = Account.get_by_id(account_id)
        old = dict(display_name=a.display_name, roles=_loads(a.roles, []), unit_ids=a.unit_ids or "全部单位")
        new = dict(display_name=display_name, roles=codes, unit_ids=scope or "全部单位")
        Account.update(display_name=display_name, roles=json.dumps(codes), unit_ids=scope, updated_at=now()).where(
            Account.id == account_id).execute()
        _check_admin_remains()
        changes = audit.diff(old, new)
        if changes:
            audit.record("account", "account", a.uuid, f"修改账户 {a.login}", changes)


@requires("accounts.manage")
def set_enabled(account_id: int, enabled: bool) -> None:
    with db.atomic():
        a = Account.get_by_id(account_id)
        if a.enabled == enabled:
            return
        Account.update(enabled=enabled, updated_at=now()).where(Account.id == account_id).execute()
        _check_admin_remains()
        if not enabled:
            _unwrap_removed(a.login)   # a disabled account's password no longer opens the store
        audit.record("account", "account", a.uuid, f"{'启用' if enabled else '停用'}账户 {a.login}",
                     {"enabled": [a.enabled, enabled]})


@requires("accounts.manage")
def reset_password(account_id: int, password: str, confirm: str | None = None) -> None:
    """An administrator sets a new password; the account must change it at its next sign-in."""
    a = Account.get_by_id(account_id)
    errors = _check_new_password(password, confirm, a.login)
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        _set_password(a, password, must_change=True, history=[a.password_hash] + _loads(a.password_history, []))
        audit.record("password_reset", "account", a.uuid, f"重置账户 {a.login} 的密码（下次登录须修改）")


@requires("accounts.manage")
def unlock_account(account_id: int) -> None:
    with db.atomic():
        a = Account.get_by_id(account_id)
        Account.update(failed_count=0, locked_until=None).where(Account.id == account_id).execute()
        audit.record("account", "account", a.uuid, f"解除账户 {a.login} 的锁定")


def _check_admin_remains() -> None:
    """Refuse (inside the caller's transaction) a change that leaves no enabled account
    able to manage accounts."""
    if needs_setup():
        raise DomainError("last_admin", "这样修改后将没有任何可用的系统管理员账户，已取消。请先为另一个账户分配系统管理员角色。")


@exempt("looks up one account by login name for the CLI's prompts")
def account_exists(login: str) -> bool:
    return Account.select().where(Account.login == (login or "").strip()).exists()


# ---------------------------------------------------------------- the demo database

@exempt("asked before sign-in: the sign-in window shows the demo accounts only on a demo database")
def is_demo() -> bool:
    row = Setting.get_or_none(Setting.key == DEMO_KEY)
    return bool(row and row.value == "1")


@exempt("called only while building a demo database (no one signed in yet)")
def create_demo_accounts() -> None:
    """One account per preset role with the documented demo password (demo databases only)."""
    seed_roles_if_empty()
    with db.atomic():
        Setting.insert(key=DEMO_KEY, value="1").on_conflict_replace().execute()
        pw = passwords.hash_password(DEMO_PASSWORD)
        for login, name, role in DEMO_ACCOUNTS:
            if not Account.select().where(Account.login == login).exists():
                Account.create(login=login, display_name=name, roles=json.dumps([role]), unit_ids="",
                               enabled=True, password_hash=pw, password_set_at=clock(), must_change=False,
                               password_history="[]")
                _wrap_for(login, DEMO_PASSWORD)
        audit.record("account", "account", "", "演示数据库：建立各角色的演示账户")
