"""Accounts, sign-in, lockout and password rules (issue 10, 等保 2.0 level 2)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from carecenter.db.models import Account, AuditLog
from carecenter.domain.errors import DomainError, ValidationError
from carecenter.security import access, passwords
from carecenter.services import accounts

GOOD = "Qingling#2026"


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw) -> None:
        self.at += timedelta(**kw)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(datetime(2026, 12, 2, 9, 0, 0))
    monkeypatch.setattr(accounts, "clock", c)
    return c


@pytest.fixture
def admin(store, clock):
    """A new database: nobody signed in, then the first 系统管理员."""
    access.set_actor(None)
    assert accounts.needs_setup()
    return accounts.create_first_admin("guanli", "王管理", GOOD, GOOD)


def audit_actions():
    return [(r.action, r.user) for r in AuditLog.select().order_by(AuditLog.id)]


def test_a_new_database_has_no_account_and_setup_makes_the_first_admin(store, clock):
    access.set_actor(None)
    assert accounts.needs_setup() and Account.select().count() == 0
    with pytest.raises(ValidationError) as err:
        accounts.create_first_admin("guanli", "王管理", "short", "short")
    assert "至少 8 位" in err.value.by_field()["password"]
    who = accounts.create_first_admin("guanli", "王管理", GOOD, GOOD)
    assert who.can("accounts.manage") and not who.can("roster.read")    # no business data
    assert access.current() == who and not accounts.needs_setup()
    row = Account.get(Account.login == "guanli")
    assert row.password_hash.startswith("$argon2id$") and GOOD not in row.password_hash
    with pytest.raises(DomainError):
        accounts.create_first_admin("second", "另一个", GOOD, GOOD)          # only once


def test_password_rules(admin):
    rules = accounts.password_rules()
    assert (rules.min_length, rules.min_classes, rules.expiry_days, rules.history, rules.max_failures,
            rules.lockout_minutes, rules.idle_lock_minutes) == (8, 3, 90, 5, 5, 10, 10)
    said = lambda pw, login="zhangsan": [e.code for e in passwords.strength_problems(pw, login, rules)]  # noqa: E731
    assert said("Abcdefg1") == []
    assert said("abcdefgh") == ["too_simple"]
    assert said("Ab1!") == ["too_short"]
    assert said("Zhangsan#1") == ["contains_login"]
    accounts.save_password_rules({"min_length": 12})
    assert accounts.password_rules().min_length == 12
    with pytest.raises(ValidationError):
        accounts.save_password_rules({"max_failures": 0})
    assert audit_actions()[-1][0] == "settings"


def test_sign_in_lockout_and_unlock_time(admin, clock):
    accounts.create_account("jingban", "李经办", ["clerk"], None, GOOD, GOOD)
    accounts.sign_out()
    for _ in range(4):
        with pytest.raises(accounts.SignInError) as err:
            accounts.sign_in("jingban", "wrong")
        assert err.value.message == accounts.BAD_CREDENTIALS
    with pytest.raises(accounts.SignInError):
        accounts.sign_in("jingban", "wrong")                         # the 5th: locked for 10 minutes
    with pytest.raises(accounts.SignInError) as err:
        accounts.sign_in("jingban", GOOD)                            # even the right password
    assert "已锁定" in err.value.message and "09:10" in err.value.message
    clock.advance(minutes=10, seconds=1)
    result = accounts.sign_in("jingban", GOOD)
    assert result.must_change and "首次登录" in result.reason       # set by an administrator
    actions = [a for a, _ in audit_actions()]
    assert actions.count("signin_failed") == 6 and "lockout" in actions and actions[-1] == "signin"


def test_unknown_login_names_are_answered_like_real_ones(admin, clock):
    accounts.sign_out()
    with pytest.raises(accounts.SignInError) as err:
        accounts.sign_in("nobody", "wrong")
    assert err.value.message == accounts.BAD_CREDENTIALS
    for _ in range(4):
        with pytest.raises(accounts.SignInError):
            accounts.sign_in("nobody", "wrong")
    with pytest.raises(accounts.SignInError) as err:
        accounts.sign_in("nobody", "wrong")
    assert "已锁定" in err.value.message                               # no hint that the name does not exist
    failed = AuditLog.select().where(AuditLog.action == "signin_failed").order_by(AuditLog.id).first()
    assert "nobody" in failed.summary                                 # the name tried is recorded


def test_clock_set_backwards_never_makes_the_lock_permanent(admin, clock):
    accounts.create_account("jingban", "李经办", ["clerk"], None, GOOD, GOOD)
    accounts.sign_out()
    for _ in range(5):
        with pytest.raises(accounts.SignInError):
            accounts.sign_in("jingban", "wrong")
    clock.advance(days=-30)                                           # someone sets the clock a month back
    with pytest.raises(accounts.SignInError) as err:
        accounts.sign_in("jingban", GOOD)
    assert "已锁定" in err.value.message                              # still locked, not skipped …
    clock.advance(minutes=10, seconds=1)
    assert accounts.sign_in("jingban", GOOD).actor.login == "jingban"  # … and ends one period later


def test_disabled_expired_and_forced_change(admin, clock):
    jid = accounts.create_account("jingban", "李经办", ["clerk"], None, GOOD, GOOD)
    accounts.set_enabled(jid, False)
    accounts.sign_out()
    with pytest.raises(accounts.SignInError) as err:
        accounts.sign_in("jingban", "wrong")
    assert err.value.message == accounts.BAD_CREDENTIALS               # a wrong password reveals nothing
    with pytest.raises(accounts.SignInError) as err:
        accounts.sign_in("jingban", GOOD)
    assert "已停用" in err.value.message
    accounts.sign_in("guanli", GOOD)
    accounts.set_enabled(jid, True)
    accounts.sign_out()
    first = accounts.sign_in("jingban", GOOD)
    assert first.must_change
    with pytest.raises(ValidationError) as err:
        accounts.change_password(GOOD, GOOD, GOOD)                     # the last passwords are not reused
    assert "不能与最近" in err.value.by_field()["password"]
    accounts.change_password(GOOD, "Xinmima@2026", "Xinmima@2026")
    accounts.sign_out()
    assert not accounts.sign_in("jingban", "Xinmima@2026").must_change
    clock.advance(days=84)
    assert accounts.sign_in("jingban", "Xinmima@2026").expires_in_days == 6   # warned 7 days before
    clock.advance(days=6)
    expired = accounts.sign_in("jingban", "Xinmima@2026")
    assert expired.must_change and "有效期" in expired.reason


def test_last_admin_cannot_be_disabled_and_roles_need_permissions(admin):
    me = Account.get(Account.login == "guanli").id
    with pytest.raises(DomainError) as err:
        accounts.set_enabled(me, False)
    assert err.value.code == "last_admin"
    with pytest.raises(DomainError):
        accounts.update_account(me, "王管理", ["clerk"], None)             # nor lose the admin role
    with pytest.raises(ValidationError) as err:
        accounts.save_role("clerk", "经办人", [])
    assert "至少要有一项权限" in err.value.message
    assert Account.get_by_id(me).enabled


def test_unit_scope_naming_an_archived_unit_is_refused(unit, admin):
    from carecenter.services import roster

    with access.acting_as(access.system_actor("测试")):
        roster.set_unit_archived(unit, True)
    with pytest.raises(ValidationError) as err:
        accounts.create_account("jingban", "李经办", ["clerk"], [unit], GOOD, GOOD)
    assert "已归档" in err.value.message


def test_reset_password_forces_a_change_and_unlock(admin, clock):
    jid = accounts.create_account("jingban", "李经办", ["clerk"], None, GOOD, GOOD)
    accounts.reset_password(jid, "Chongzhi@2026", "Chongzhi@2026")
    assert Account.get_by_id(jid).must_change
    rows = [a for a, _ in audit_actions()]
    assert "password_reset" in rows and "account" in rows
    infos = {a.login: a for a in accounts.list_accounts()}
    assert infos["jingban"].role_names == ["经办人"] and infos["jingban"].unit_ids is None


def test_lock_screen_needs_the_same_password_and_counts_failures(admin, clock):
    accounts.record_lock(idle=True)
    with pytest.raises(accounts.SignInError):
        accounts.unlock_screen("wrong")
    accounts.unlock_screen(GOOD)
    actions = [a for a, _ in audit_actions()]
    assert actions[-3:] == ["lock", "signin_failed", "unlock"]


def test_environment_cannot_change_who(admin, monkeypatch):
    for var in ("USER", "LOGNAME", "USERNAME"):
        monkeypatch.setenv(var, "张三")
    accounts.record_lock(idle=False)
    assert audit_actions()[-1] == ("lock", "guanli（王管理）")
