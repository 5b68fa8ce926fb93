"""Issue 10 in the window: first-run setup, sign-in, lockout, forced password change,
the idle lock, 切换用户 / 退出登录, and what each preset role sees."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QMessageBox

from carecenter.db.models import AuditLog, Setting
from carecenter.security import access
from carecenter.services import accounts
from tests.conftest import TEST_PASSWORD, add_accounts
from tests.ui.helpers import main_window

NEW_PASSWORD = "Xin#mima2026"


def audit_actions(action: str) -> list[tuple[str, str]]:
    return [(r.user, r.summary) for r in AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)]


def role_actor(code: str) -> access.Actor:
    role = next(r for r in accounts.list_roles() if r["code"] == code)
    return access.Actor(login=f"u_{code}", display_name=role["name"], permissions=frozenset(role["permissions"]),
                        roles=(code,))


@pytest.fixture
def nobody(store):
    """No one signed in (start-up)."""
    access.set_actor(None)
    yield store


@pytest.fixture
def accounts_ready(nobody):
    with access.acting_as(access.system_actor("测试准备")):
        add_accounts()
    access.set_actor(None)
    return nobody


def press_enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


# ================================================================ first run

def test_first_run_setup_creates_the_first_admin(nobody, themed, qtbot, type_text):
    from carecenter.ui.signin import SetupDialog

    assert accounts.needs_setup()
    dialog = SetupDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.login_edit, "wangadmin")
    type_text(dialog.name_edit, "王管理")
    type_text(dialog.password_edit, "short")
    assert "密码至少 8 位" in dialog.feedback.text()
    dialog.submit()   # refused: the service's sentences, nothing created
    assert dialog.result() != QDialog.DialogCode.Accepted and "密码至少 8 位" in dialog.error_label.text()
    assert accounts.needs_setup() and access.current() is None
    dialog.password_edit.setText(NEW_PASSWORD)
    dialog.confirm_edit.setText(NEW_PASSWORD + "x")
    assert "两次输入的密码不一致" in dialog.feedback.text()
    dialog.confirm_edit.setText(NEW_PASSWORD)
    assert dialog.feedback.text() == "✓ 密码符合要求"
    press_enter(qtbot, dialog.confirm_edit)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not accounts.needs_setup()
    assert access.current().login == "wangadmin" and access.allowed("accounts.manage")
    assert [u for u, _ in audit_actions("signin")] == ["wangadmin（王管理）"]


def test_setup_comes_first_and_escape_quits(nobody, themed, qtbot, monkeypatch):
    from carecenter.ui import signin

    shown = []

    def refuse(dialog):
        shown.append(type(dialog).__name__)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(signin.SetupDialog, "exec", refuse)
    monkeypatch.setattr(signin.SignInDialog, "exec", refuse)
    assert signin.sign_in_flow(None, "someone") is None
    assert shown == ["SetupDialog"]           # no sign-in window before the first admin exists
    assert access.current() is None


# ================================================================ sign-in

def test_sign_in_with_enter_and_demo_accounts_shown(accounts_ready, themed, qtbot, type_text):
    from carecenter.ui.signin import SignInDialog

    dialog = SignInDialog("jingban")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.demo_box is not None      # the test database is marked as a demo by add_accounts
    texts = " ".join(w.text() for w in dialog.demo_box.findChildren(type(dialog.heading)))
    assert "Demo@2026" in texts and all(login in texts for login, _n, _r in accounts.DEMO_ACCOUNTS)
    assert dialog.focusWidget() is dialog.password_edit   # the login is prefilled: straight to the password
    type_text(dialog.password_edit, TEST_PASSWORD)
    press_enter(qtbot, dialog.password_edit)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signin.actor.login == "jingban" and access.current().login == "jingban"


def test_wrong_password_shows_the_service_message(accounts_ready, themed, qtbot, type_text):
    from carecenter.ui.signin import SignInDialog

    Setting.delete().where(Setting.key == accounts.DEMO_KEY).execute()
    dialog = SignInDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.demo_box is None           # a real database never shows the demo accounts
    assert dialog.focusWidget() is dialog.login_edit
    for login in ("jingban", "nobody-here"):  # a wrong password and an unknown name read the same
        dialog.login_edit.setText(login)
        type_text(dialog.password_edit, "Wrong#2026x")
        press_enter(qtbot, dialog.password_edit)
        assert dialog.result() != QDialog.DialogCode.Accepted
        assert dialog.error_label.text() == accounts.BAD_CREDENTIALS
        assert dialog.password_edit.text() == ""
    assert access.current() is None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_lockout_with_an_injected_clock(accounts_ready, themed, qtbot, monkeypatch):
    from carecenter.ui.signin import SignInDialog

    now = [datetime(2026, 11, 25, 9, 0, 0)]
    monkeypatch.setattr(accounts, "clock", lambda: now[0])
    dialog = SignInDialog("jingban")
    qtbot.addWidget(dialog)
    for _ in range(5):
        dialog.password_edit.setText("Wrong#2026x")
        dialog.submit()
    dialog.password_edit.setText(TEST_PASSWORD)   # the right password is refused while locked
    dialog.submit()
    assert "账户已锁定" in dialog.error_label.text() and "09:10" in dialog.error_label.text()
    assert access.current() is None
    now[0] += timedelta(minutes=11)
    dialog.password_edit.setText(TEST_PASSWORD)
    dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted and access.current().login == "jingban"
    assert audit_actions("lockout")


def test_forced_password_change_at_first_sign_in(accounts_ready, themed, qtbot, monkeypatch):
    from carecenter.ui import signin

    with access.acting_as(access.system_actor("测试准备")):
        accounts.create_account("zhaoliu", "赵六", ["clerk"], None, "Chushi#2026", "Chushi#2026")
    seen = []

    def sign_in(dialog):
        seen.append(("signin", dialog.login_edit.text()))
        dialog.password_edit.setText("Chushi#2026")
        dialog.submit()
        return dialog.result()

    def change(dialog):
        seen.append(("change", dialog.forced))
        dialog.old_edit.setText("Chushi#2026")
        dialog.new_edit.setText("Chushi#2026")    # the same password again: refused (history)
        dialog.confirm_edit.setText("Chushi#2026")
        dialog.submit()
        assert "不能与最近" in dialog.error_label.text()
        dialog.new_edit.setText(NEW_PASSWORD)
        dialog.confirm_edit.setText(NEW_PASSWORD)
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(signin.SignInDialog, "exec", sign_in)
    monkeypatch.setattr(signin.ChangePasswordDialog, "exec", change)
    result = signin.sign_in_flow(None, "zhaoliu")
    assert seen == [("signin", "zhaoliu"), ("change", True)]
    assert result is not None and result.must_change and access.current().login == "zhaoliu"
    assert [u for u, _ in audit_actions("password_change")] == ["zhaoliu（赵六）"]
    access.set_actor(None)
    assert not accounts.sign_in("zhaoliu", NEW_PASSWORD).must_change


def test_refusing_the_forced_change_signs_out(accounts_ready, themed, qtbot, monkeypatch):
    from carecenter.ui import signin

    with access.acting_as(access.system_actor("测试准备")):
        accounts.create_account("zhaoliu", "赵六", ["clerk"], None, "Chushi#2026", "Chushi#2026")
    calls = []

    def sign_in(dialog):
        calls.append("signin")
        if len(calls) > 1:
            return QDialog.DialogCode.Rejected   # the second time the person chooses 退出
        dialog.password_edit.setText("Chushi#2026")
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(signin.SignInDialog, "exec", sign_in)
    monkeypatch.setattr(signin.ChangePasswordDialog, "exec", lambda d: QDialog.DialogCode.Rejected)
    assert signin.sign_in_flow(None, "zhaoliu") is None
    assert calls == ["signin", "signin"] and access.current() is None
    assert audit_actions("signout")


def test_environment_password_signs_in_without_the_window(accounts_ready, themed, monkeypatch, boxes):
    from carecenter.ui import signin

    monkeypatch.setenv("CARECENTER_PASSWORD", TEST_PASSWORD)
    monkeypatch.setattr(signin.SignInDialog, "exec", lambda d: pytest.fail("no window expected"))
    assert signin.sign_in_flow(None, "fuzeren").actor.login == "fuzeren"
    # a wrong one opens the window with the service's sentence
    access.set_actor(None)
    monkeypatch.setenv("CARECENTER_PASSWORD", "Wrong#2026x")
    shown = []
    monkeypatch.setattr(signin.SignInDialog, "exec",
                        lambda d: shown.append(d.error_label.text()) or QDialog.DialogCode.Rejected)
    assert signin.sign_in_flow(None, "fuzeren") is None
    assert shown == [accounts.BAD_CREDENTIALS]


def test_expiry_warning(accounts_ready, themed, monkeypatch, boxes):
    from carecenter.ui import signin

    monkeypatch.setattr(accounts, "clock", lambda: datetime.now().replace(microsecond=0) + timedelta(days=85))
    monkeypatch.setenv("CARECENTER_PASSWORD", TEST_PASSWORD)
    result = signin.sign_in_flow(None, "jingban")
    assert result.expires_in_days is not None
    assert boxes.texts == [f"您的密码将在 {result.expires_in_days} 天后过期，请及时在「账户」菜单中选择「修改密码」。"]


# ================================================================ the window: lock, switch, navigation

@pytest.fixture
def signed_window(accounts_ready, themed, qtbot, boxes):
    """The main window of ``tester`` (a real account) with an injected idle timer."""
    accounts.sign_in("tester", TEST_PASSWORD)
    timer = QTimer()
    with main_window(qtbot, accounts_ready, idle_timer=timer) as w:
        yield w


def test_idle_lock_with_an_injected_timer(signed_window, qtbot):
    w = signed_window
    assert w.idle.timer.interval() == 10 * 60_000     # password_rules().idle_lock_minutes
    w.idle.timer.stop()
    qtbot.keyClick(w.nav, Qt.Key.Key_Down)            # any input restarts the countdown
    assert w.idle.timer.isActive()
    w.idle.timer.timeout.emit()                       # ten quiet minutes later
    assert w.locked and w.outer_stack.currentWidget() is w.lock_screen
    assert not w.new_shortcut.isEnabled() and not w.find_shortcut.isEnabled()
    assert not w.content.isVisible() and not w.statusBar().isVisible()
    assert not w.idle.timer.isActive()                 # nothing to watch while locked
    assert "无操作自动锁屏" in audit_actions("lock")[-1][1]
    w.lock_screen.password_edit.setText("Wrong#2026x")
    press_enter(qtbot, w.lock_screen.password_edit)
    assert w.locked and w.lock_screen.error_label.text() == "密码不正确，请重新输入。"
    w.lock_screen.password_edit.setText(TEST_PASSWORD)
    press_enter(qtbot, w.lock_screen.password_edit)
    assert not w.locked and w.content.isVisible() and w.idle.timer.isActive() and w.new_shortcut.isEnabled()
    assert audit_actions("unlock")


def test_ctrl_l_locks_and_hides_detail_windows(signed_window, qtbot, add_unit, add_cadre, make_id):
    w = signed_window
    cadre_id = add_cadre("张三", make_id("110105", "19850312", 11), add_unit())
    detail = w.open_cadre(cadre_id)
    assert detail.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.locked and not detail.isVisible()
    w.lock_screen.password_edit.setText(TEST_PASSWORD)
    w.lock_screen.unlock()
    assert not w.locked and detail.isVisible()


def test_switch_user_asks_once_about_open_windows(signed_window, qtbot, boxes, add_unit, add_cadre, make_id):
    w = signed_window
    detail = w.open_cadre(add_cadre("张三", make_id("110105", "19850312", 11), add_unit()))
    w.lock()
    requested = []
    w.sign_out_requested.connect(requested.append)
    boxes.answers = [QMessageBox.StandardButton.Cancel]
    w.lock_screen.switch_button.click()
    assert boxes.texts == ["关闭所有打开的窗口？未保存的内容将丢失。"] and requested == []
    assert w.locked
    w.lock_screen.switch_button.click()                # this time 关闭并继续
    assert requested == [True] and not detail.isVisible()
    assert len(boxes.texts) == 2


def test_session_switches_user_and_signs_out(accounts_ready, themed, qtbot, monkeypatch, boxes):
    from PySide6.QtWidgets import QApplication

    from carecenter.ui import application, signin

    logins = ["admin", "shenji", None]

    def sign_in(dialog):
        login = logins.pop(0)
        if login is None:
            return QDialog.DialogCode.Rejected
        dialog.login_edit.setText(login)
        dialog.password_edit.setText(TEST_PASSWORD)
        dialog.submit()
        return dialog.result()

    quits = []
    monkeypatch.setattr(signin.SignInDialog, "exec", sign_in)
    monkeypatch.setattr(QApplication, "quit", lambda *_a: quits.append(True))
    session = application.Session(accounts_ready, demo=True, user="")
    assert session.start()
    first = session.window
    assert list(first.pages) == ["settings", "backup", "accounts"]
    first.switch_user()
    second = session.window
    qtbot.addWidget(second)
    assert second is not first and list(second.pages) == ["audit"]
    assert access.current().login == "shenji"
    assert [u for u, s in audit_actions("signout")] == ["admin（演示系统管理员）"]
    second.sign_out()
    assert quits == [True] and access.current() is None and session.window is None


EXPECTED_NAV = {
    "admin": ["系统设置", "数据备份", "账户管理"],
    "auditor": ["审计日志"],
    "clerk": ["工作台", "干部名册", "休假管理", "健康体检", "津贴补贴", "福利慰问", "报表打印", "单位管理"],
    "head": ["工作台", "干部名册", "休假管理", "健康体检", "津贴补贴", "福利慰问", "报表打印", "单位管理"],
    "mental": ["工作台", "干部名册", "健康体检", "单位管理"],
}


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_navigation_of_each_preset_role(store, themed, qtbot, boxes, role):
    from carecenter.ui.main_window import MainWindow

    access.set_actor(role_actor(role))
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    assert [w.nav.item(i).text() for i in range(w.nav.count())] == EXPECTED_NAV[role]
    assert w.current_page() is w.pages[w.current_page_key]
    assert w.count_label.isVisible() == ("干部名册" in EXPECTED_NAV[role])
    if w.home_page is not None:
        qtbot.waitUntil(lambda: w.home_page._job is None, timeout=10000)
    w.close()


def test_actions_the_role_lacks_stay_disabled(store, themed, qtbot, boxes, add_unit, add_cadre, make_id):
    from carecenter.ui import permissions
    from carecenter.ui.main_window import MainWindow

    add_cadre("张三", make_id("110105", "19850312", 11), add_unit())
    access.set_actor(role_actor("head"))       # 负责人: reads, locks months, no roster edits
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.home_page._job is None, timeout=10000)
    w.set_page("roster")
    page = w.roster_page
    page.table_view.selectRow(0)                 # selecting re-enables 编辑 on the page …
    assert not page.add_button.isEnabled() and not page.edit_button.isEnabled()
    assert page.edit_button.toolTip() == "您的账户没有「维护干部名册和单位」权限，请联系系统管理员。"
    assert page.export_button.toolTip() != page.edit_button.toolTip()    # 导出 is the 负责人's
    disabled = permissions.guard(w.allowance_page)
    assert w.allowance_page.generate_button in disabled and w.allowance_page.lock_button not in disabled
    assert not w.allowance_page.generate_button.isEnabled()
    w.close()


@pytest.mark.parametrize("role,tabs", [("head", ["基本信息", "休假", "健康", "津贴", "慰问"]),
                                       ("mental", ["基本信息", "健康"])])
def test_detail_window_tabs_follow_the_role(store, themed, qtbot, boxes, add_unit, add_cadre, make_id, role, tabs):
    from carecenter.ui.main_window import MainWindow

    cadre_id = add_cadre("张三", make_id("110105", "19850312", 11), add_unit())
    access.set_actor(role_actor(role))
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.home_page._job is None, timeout=10000)
    detail = w.open_cadre(cadre_id)
    assert [detail.tabs.tabText(i) for i in range(detail.tabs.count())] == tabs
    assert boxes.texts == []
    if role == "head":   # reads the allowance tab, may not change its dates
        tab = next(t for t in detail.extra_tabs if type(t).__name__ == "AllowanceTab")
        assert not tab.transferred.isEnabled() and not tab.add_period_button.isEnabled()
    assert not detail.edit_button.isEnabled()


def test_a_refusal_reaching_the_window_shows_its_chinese_sentence(tmp_path, boxes, qapp):
    import sys

    from carecenter.ui.application import ExceptionReporter

    reporter = ExceptionReporter(tmp_path / "carecenter.log")
    try:
        raise access.PermissionDenied("roster.edit")
    except access.PermissionDenied:
        reporter(*sys.exc_info())
    assert boxes.texts == ["您的账户没有「维护干部名册和单位」权限，请联系系统管理员。"]


def test_broken_chain_is_shown_on_the_home_page(signed_window, qtbot):
    from carecenter.db.database import db

    w = signed_window
    qtbot.waitUntil(lambda: w._chain_job is None, timeout=10000)
    w.start_chain_check()
    qtbot.waitUntil(lambda: w.chain_report is not None and w._chain_job is None, timeout=10000)
    assert w.chain_report.ok and not w.home_page.chain_alert.isVisible() and not w.chain_label.isVisible()
    db.execute_sql('INSERT INTO "audit_log" ("at", "user", "action", "table", "record_uuid", "cadre_uuid", '
                   '"summary", "changes", "prev_hash", "row_hash") VALUES '
                   "('2026-11-25 09:00:00', 'x', 'view', 'cadre', '', '', '伪造', '{}', 'bad', 'bad')")
    w.start_chain_check()
    qtbot.waitUntil(lambda: w._chain_job is None and not w.chain_report.ok, timeout=10000)
    assert w.home_page.chain_alert.isVisible()
    assert "审计日志校验未通过" in w.home_page.chain_alert.text()
    assert w.chain_label.isVisible() and w.chain_label.text() == "审计日志校验未通过"
