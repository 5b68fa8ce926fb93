"""Issue 10: the 账户管理 page (系统管理员) and the 审计日志 page (安全审计员)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from carecenter.db.models import Account, AuditLog
from carecenter.security import access
from carecenter.services import accounts, audit
from tests.conftest import TEST_PASSWORD, add_accounts

PASSWORD = "Chushi#2026"


@pytest.fixture
def as_admin(store):
    with access.acting_as(access.system_actor("测试准备")):
        add_accounts()
    access.set_actor(None)
    accounts.sign_in("admin", TEST_PASSWORD)
    return store


@pytest.fixture
def page(as_admin, themed, qtbot, boxes):
    from carecenter.ui.pages.accounts_page import AccountsPage

    p = AccountsPage()
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    return p


def answer_dialog(monkeypatch, cls, fill):
    """Stand in for ``cls.exec``: fill the dialog like a person would, then press its button."""
    def run(dialog):
        fill(dialog)
        return dialog.result()

    monkeypatch.setattr(cls, "exec", run)


def column(page, col: int) -> list[str]:
    m = page.model
    return [m.data(m.index(r, col)) for r in range(m.rowCount())]


def test_lists_accounts_with_state_and_last_sign_in(page):
    logins = column(page, 0)
    assert {"admin", "shenji", "jingban", "fuzeren", "xinli", "tester"} <= set(logins)
    row = logins.index("admin")
    assert page.model.data(page.model.index(row, 2)) == "系统管理员"
    assert page.model.data(page.model.index(row, 3)) == "全部单位"
    assert page.model.data(page.model.index(row, 4)) == "正常"
    assert page.model.data(page.model.index(logins.index("xinli"), 5)) == "从未登录"
    assert page.model.data(page.model.index(row, 5)) != "从未登录"   # admin just signed in


def test_create_account_with_roles_unit_scope_and_live_rules(page, monkeypatch, add_unit):
    from carecenter.ui.pages import accounts_page

    with access.acting_as(access.system_actor("测试准备")):
        unit_id = add_unit("青岭镇人民政府")
        add_unit("城关镇党政办")
    seen = {}

    def fill(dialog):
        dialog.login_edit.setText("wangwu")
        dialog.name_edit.setText("王五")
        dialog.role_checks["clerk"].setChecked(True)
        dialog.some_units.setChecked(True)
        for i in range(dialog.units_list.count()):
            item = dialog.units_list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == unit_id:
                item.setCheckState(Qt.CheckState.Checked)
        dialog.password_edit.setText("wangwu2026")   # too simple, contains the login
        seen["feedback"] = dialog.feedback.text()
        dialog.confirm_edit.setText("wangwu2026")
        dialog.save()
        seen["error"] = dialog.error_label.text()
        dialog.password_edit.setText(PASSWORD)
        dialog.confirm_edit.setText(PASSWORD)
        seen["ok"] = dialog.feedback.text()
        dialog.save()

    answer_dialog(monkeypatch, accounts_page.AccountDialog, fill)
    page.add_button.click()
    assert "密码不能包含登录名" in seen["feedback"] and "密码不能包含登录名" in seen["error"]
    assert seen["ok"] == "✓ 密码符合要求"
    info = page.selected()
    assert info is not None and info.login == "wangwu" and info.roles == ["clerk"] and info.unit_ids == [unit_id]
    row = column(page, 0).index("wangwu")
    assert page.model.data(page.model.index(row, 3)) == "青岭镇人民政府"
    assert page.model.data(page.model.index(row, 4)) == "正常（下次登录须改密码）"
    assert "新建账户 wangwu（王五）" in [r.summary for r in AuditLog.select().where(AuditLog.action == "account")]


def test_disable_enable_and_the_last_admin(page, boxes):
    page.select_login("jingban")
    assert page.enable_button.text() == "停用"
    page.enable_button.click()
    assert boxes.texts[-1] == "确定停用账户 jingban（演示经办人）？停用后不能登录，可随时重新启用。"
    row = column(page, 0).index("jingban")
    assert page.model.data(page.model.index(row, 4)) == "停用"
    assert page.selected().login == "jingban" and page.enable_button.text() == "启用"
    page.enable_button.click()
    assert page.selected().enabled
    # tester holds the 系统管理员 role too: take it away, then the last admin is refused
    with access.acting_as(access.system_actor("测试准备")):
        tester = Account.get(Account.login == "tester")
        accounts.update_account(tester.id, "测试员", ["clerk"], None)
    page.refresh()
    page.select_login("admin")
    page.enable_button.click()
    assert boxes.texts[-1].startswith("这样修改后将没有任何可用的系统管理员账户")
    assert Account.get(Account.login == "admin").enabled


def test_cancelled_disable_changes_nothing(page, boxes):
    page.select_login("fuzeren")
    boxes.answers = [QMessageBox.StandardButton.Cancel]
    page.enable_button.click()
    assert Account.get(Account.login == "fuzeren").enabled


def test_reset_password_and_unlock(page, monkeypatch, boxes):
    from carecenter.ui.pages import accounts_page

    now = [datetime(2026, 11, 25, 9, 0)]
    monkeypatch.setattr(accounts, "clock", lambda: now[0])
    who = access.current()
    access.set_actor(None)
    for _ in range(5):
        with pytest.raises(Exception):
            accounts.sign_in("xinli", "Wrong#2026x")
    access.set_actor(who)
    page.refresh()
    page.select_login("xinli")
    row = column(page, 0).index("xinli")
    assert page.model.data(page.model.index(row, 4)) == "锁定中（09:10 解锁）"
    assert page.unlock_button.isEnabled()
    page.unlock_button.click()
    assert page.model.data(page.model.index(column(page, 0).index("xinli"), 4)) == "正常"

    def fill(dialog):
        dialog.password_edit.setText(PASSWORD)
        dialog.confirm_edit.setText(PASSWORD)
        dialog.save()

    answer_dialog(monkeypatch, accounts_page.ResetPasswordDialog, fill)
    page.reset_button.click()
    assert boxes.texts[-1] == "已重置 xinli 的密码，下次登录时须修改。"
    access.set_actor(None)
    result = accounts.sign_in("xinli", PASSWORD)
    assert result.must_change


def test_roles_tab_edits_permissions_and_refuses_an_empty_role(page):
    tab = page.roles_tab
    names = [r["code"] for r in tab.roles]
    tab.role_list.setCurrentRow(names.index("head"))
    assert tab.checks["allowance.lock"].isChecked() and not tab.checks["roster.edit"].isChecked()
    tab.checks["roster.edit"].setChecked(True)
    tab.save()
    assert "roster.edit" in next(r for r in accounts.list_roles() if r["code"] == "head")["permissions"]
    tab.new_role()
    tab.code_edit.setText("viewer")
    tab.name_edit.setText("查阅员")
    tab.save()
    assert tab.error_label.text() == "角色至少要有一项权限；不再使用的角色请从账户中移除"
    tab.checks["roster.read"].setChecked(True)
    tab.save()
    assert any(r["code"] == "viewer" and r["permissions"] == ["roster.read"] for r in accounts.list_roles())
    # every permission appears once, grouped as access.GROUPS
    assert sorted(tab.checks) == sorted(access.PERMISSIONS)


def test_password_rules_tab(page):
    tab = page.rules_tab
    assert tab.spins["idle_lock_minutes"].value() == 10
    assert tab.spins["min_length"].minimum() == 6 and tab.spins["min_length"].maximum() == 64
    tab.spins["idle_lock_minutes"].setValue(5)
    tab.save_button.click()
    assert tab.message_label.text() == "已保存密码与登录规则。"
    assert accounts.password_rules().idle_lock_minutes == 5


# ================================================================ 审计日志

@pytest.fixture
def audit_page(store, themed, qtbot, boxes):
    with access.acting_as(access.system_actor("测试准备")):
        add_accounts()
    access.set_actor(None)
    for login in ("jingban", "fuzeren", "shenji"):
        accounts.sign_in(login, TEST_PASSWORD)
    from carecenter.ui.pages.audit_page import AuditPage

    p = AuditPage()
    qtbot.addWidget(p)
    p.resize(1300, 700)
    p.show()
    qtbot.waitUntil(lambda: p.report is not None and p._verify_job is None, timeout=10000)
    return p


def test_audit_page_filters_and_sorts(audit_page, qtbot):
    p = audit_page
    total = audit.count(audit.AuditFilter())
    assert p.model.total == total and p.count_label.text().startswith(f"共 {total:,} 条记录")
    p.action_filter.setCurrentIndex(p.action_filter.findData("signin"))
    assert p.model.total == 3
    assert {p.model.data(p.model.index(r, 3)) for r in range(p.model.rowCount())} == {"登录"}
    p.user_filter.setCurrentIndex(p.user_filter.findData("fuzeren（演示负责人）"))
    assert p.model.total == 1
    assert p.model.data(p.model.index(0, 2)) == "fuzeren（演示负责人）"
    p.user_filter.setCurrentIndex(0)
    p.text_filter.setText("jingban")
    qtbot.waitUntil(lambda: p.model.total == 1, timeout=3000)
    p.text_filter.clear()
    qtbot.waitUntil(lambda: p.model.total == 3, timeout=3000)
    # newest first; a click on 序号 turns it around
    first = p.model.data(p.model.index(0, 0))
    p.table_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert int(p.model.data(p.model.index(0, 0))) < int(first)
    tomorrow = date.today() + timedelta(days=1)
    p.set_dates(tomorrow, None)
    assert p.model.total == 0
    p.set_dates(date.today(), date.today() - timedelta(days=1))
    assert p.filter_error.text() == "开始日期晚于结束日期，请调换或修改其中一个日期"


def test_audit_page_exports_the_filtered_rows(audit_page, qtbot, monkeypatch, tmp_path):
    from carecenter.ui.pages import audit_page as module

    p = audit_page
    out = tmp_path / "审计.xlsx"
    monkeypatch.setattr(module, "ask_path", lambda parent, suggested: out)
    p.action_filter.setCurrentIndex(p.action_filter.findData("signin"))
    job = p.export()
    qtbot.waitUntil(lambda: not job.running, timeout=20000)
    assert job.error is None and out.exists()
    sheet = load_workbook(out).worksheets[0]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert sum(1 for v in flat if v == "登录") == 3
    exported = AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id.desc()).first()
    assert exported.summary == "导出审计日志 3 行" and exported.user == "shenji（演示安全审计员）"


def test_audit_export_needs_its_permission(audit_page):
    access.set_actor(access.Actor(login="r", display_name="只读", permissions=frozenset({"audit.read"})))
    from carecenter.ui.pages.audit_page import AuditPage

    p = AuditPage()
    assert not p.export_button.isEnabled()
    p.deleteLater()


def test_audit_page_shows_a_broken_chain_in_red_words(audit_page, qtbot):
    from carecenter.db.database import db

    p = audit_page
    assert p.chain_label.text().startswith("✓ 审计日志完整")
    db.execute_sql('INSERT INTO "audit_log" ("at", "user", "action", "table", "record_uuid", "cadre_uuid", '
                   '"summary", "changes", "prev_hash", "row_hash") VALUES '
                   "('2026-11-25 09:00:00', 'x', 'view', 'cadre', '', '', '伪造', '{}', 'bad', 'bad')")
    p.verify_button.click()
    qtbot.waitUntil(lambda: p._verify_job is None and not p.report.ok, timeout=10000)
    assert p.chain_label.text().startswith("✗ 审计日志校验未通过：第 ")
    assert "#b42318" in p.chain_frame.styleSheet()


# ================================================================ 系统设置

def test_settings_page_opens_every_rule_table_for_the_admin(as_admin, themed, qtbot, boxes):
    from carecenter.services import printing
    from carecenter.ui.pages import settings_page

    p = settings_page.SettingsPage()
    qtbot.addWidget(p)
    p.show()
    assert not access.allowed("roster.read")     # the 系统管理员 sees no business data …
    for key, button in p.buttons.items():        # … yet keeps every rule table
        button.click()
        assert p.dialog is not None and p.dialog.isVisible(), key
        p.dialog.reject()
        qtbot.waitUntil(lambda: p.dialog is None, timeout=3000)
    assert boxes.texts == []
    p.unit_name_edit.setText("青岭镇公务员关心关爱中心")
    assert p.save_unit_name() and printing.unit_name() == "青岭镇公务员关心关爱中心"
    p.unit_name_edit.setText("")
    assert not p.save_unit_name() and p.unit_name_message.text().startswith("请填写打印单位名称")
