"""Issue 11 in the window: set-up of a new encrypted database with its recovery key, the
sign-in that opens an encrypted database, the 忘记密码 link, and the encryption of a
database from before the upgrade."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from carecenter import app, encryption
from carecenter.db import cipher, database
from carecenter.db.database import close_database
from carecenter.paths import DataPaths
from carecenter.security import access, keys, storekey
from carecenter.services import accounts, demo

ADMIN_PW = "Anquan@2026"


@pytest.fixture
def closed():
    access.set_actor(None)
    yield
    close_database()
    storekey.forget()


@pytest.fixture
def encrypted_demo(tmp_path, closed):
    paths = DataPaths(tmp_path / "demo")
    recovery = encryption.create_demo_store(paths, app.open_store)
    with access.acting_as(access.system_actor("测试")):
        demo.build(10, history_years=1)
    close_database()
    storekey.forget()
    return paths, recovery


def test_recovery_key_dialog_finishes_only_once_the_key_is_safe(tmp_path, themed, qtbot, closed):
    from carecenter.ui.dialogs.encryption_dialogs import RecoveryKeyDialog

    key = keys.new_recovery_key()
    dialog = RecoveryKeyDialog(key, DataPaths(tmp_path), unit_name="青岭镇公务员关心关爱中心")
    qtbot.addWidget(dialog)
    assert dialog.key_label.text() == key and not dialog.done_button.isEnabled()
    dialog.reject()                     # Esc does not lose the key
    assert dialog.result() != QDialog.DialogCode.Accepted
    sheet = dialog.save_sheet(tmp_path / "恢复密钥.pdf")
    assert sheet is not None and sheet.read_bytes().startswith(b"%PDF")
    assert "打印后请删除" in dialog.status.text()
    dialog.confirm_check.setChecked(True)
    assert dialog.done_button.isEnabled()


def test_a_new_data_folder_is_set_up_encrypted(tmp_path, themed, qtbot, monkeypatch, closed):
    from carecenter.ui import application, signin
    from carecenter.ui.dialogs import encryption_dialogs

    paths = DataPaths(tmp_path / "new")
    shown_keys = []

    def fill(dialog):
        dialog.login_edit.setText("guanli")
        dialog.name_edit.setText("王管理")
        dialog.password_edit.setText(ADMIN_PW)
        dialog.confirm_edit.setText(ADMIN_PW)
        dialog.submit()
        return dialog.result()

    def keep_key(dialog):
        shown_keys.append(dialog.recovery_key)
        dialog.confirm_check.setChecked(True)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(signin.SetupDialog, "exec", fill)
    monkeypatch.setattr(encryption_dialogs.RecoveryKeyDialog, "exec", keep_key)
    session = application.Session(paths, opened=False)
    assert session.start()
    qtbot.addWidget(session.window)
    assert encryption.store_state(paths) == encryption.ENCRYPTED
    assert access.current().login == "guanli"
    kf = keys.KeyFile.load(paths.key_file)
    assert kf.unlock_with_recovery(shown_keys[0]) == database.db.key


def test_the_sign_in_window_opens_an_encrypted_database(encrypted_demo, themed, qtbot, monkeypatch):
    from carecenter.ui import application, signin

    paths, _recovery = encrypted_demo
    seen = []

    def sign_in(dialog):
        seen.append(dialog.demo_box is not None and dialog.recover_button is not None)
        dialog.login_edit.setText("jingban")
        dialog.password_edit.setText("Wrong@pass1")
        dialog.submit()
        seen.append(dialog.error_label.text())
        dialog.password_edit.setText(accounts.DEMO_PASSWORD)
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(signin.SignInDialog, "exec", sign_in)
    session = application.Session(paths, demo=True, opened=False)
    assert session.start()
    qtbot.addWidget(session.window)
    assert seen[0] is True and seen[1] == accounts.BAD_CREDENTIALS
    assert access.current().login == "jingban" and database.db.key is not None


def test_forgotten_password_link_uses_the_recovery_key(encrypted_demo, themed, qtbot, monkeypatch):
    from carecenter.ui import application, signin
    from carecenter.ui.dialogs import encryption_dialogs

    paths, recovery = encrypted_demo

    def recover(dialog):
        dialog.key_edit.setText(recovery)
        dialog.login_edit.setText("admin")
        dialog.password_edit.setText("Hui@fu2026x")
        dialog.confirm_edit.setText("Hui@fu2026x")
        dialog.submit()
        return dialog.result()

    def change(dialog):
        dialog.old_edit.setText("Hui@fu2026x")
        dialog.new_edit.setText("Zi@ji2026mm")
        dialog.confirm_edit.setText("Zi@ji2026mm")
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(signin.SignInDialog, "exec", lambda d: (d._recover(), d.result())[1])
    monkeypatch.setattr(encryption_dialogs.RecoveryDialog, "exec", recover)
    monkeypatch.setattr(signin.ChangePasswordDialog, "exec", change)
    session = application.Session(paths, demo=True, opened=False)
    assert session.start()
    qtbot.addWidget(session.window)
    assert access.current().login == "admin"
    assert keys.KeyFile.load(paths.key_file).unlock("admin", "Zi@ji2026mm") == database.db.key


def test_an_admin_is_offered_to_encrypt_a_plaintext_database(accounts_plain, themed, qtbot, monkeypatch,
                                                            encryption_offers, boxes):
    from carecenter.ui.dialogs import encryption_dialogs

    paths = accounts_plain
    accounts.sign_in("admin", accounts.DEMO_PASSWORD)
    steps = []

    def encrypt(dialog):
        dialog.password_edit.setText("Wrong@pass1")
        dialog.submit()
        steps.append(dialog.error_label.text())
        dialog.password_edit.setText(accounts.DEMO_PASSWORD)
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20000)
        return dialog.result()

    def keep_key(dialog):
        steps.append("key")
        dialog.confirm_check.setChecked(True)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    def copies(dialog):
        steps.append(len(dialog.files))
        dialog.submit()
        return dialog.result()

    monkeypatch.setattr(encryption_dialogs.EncryptDialog, "exec", encrypt)
    monkeypatch.setattr(encryption_dialogs.RecoveryKeyDialog, "exec", keep_key)
    monkeypatch.setattr(encryption_dialogs.PlaintextCopiesDialog, "exec", copies)
    assert encryption_offers.real(paths, app.open_store)
    assert "密码不正确" in steps[0] and steps[1] == "key" and steps[2] >= 1
    assert encryption.store_state(paths) == encryption.ENCRYPTED and not cipher.is_plaintext(paths.database)
    assert accounts.accounts_without_key()          # the other accounts need a reset: said in a box
    assert any("重设密码" in t for t in boxes.texts)


@pytest.fixture
def accounts_plain(tmp_path, closed):
    """A plaintext database from before the upgrade, with the demo's accounts."""
    paths = DataPaths(tmp_path / "old")
    app.open_store(paths)
    with access.acting_as(access.system_actor("测试")):
        demo.build(10, history_years=1)
    app.seed_rule_tables()
    access.set_actor(None)
    return paths


def test_accounts_page_names_accounts_without_a_key_and_renews_the_recovery_key(encrypted_demo, themed, qtbot,
                                                                               monkeypatch, boxes):
    from carecenter.db.models import Account
    from carecenter.ui.dialogs import encryption_dialogs
    from carecenter.ui.pages.accounts_page import AccountsPage

    paths, old_recovery = encrypted_demo
    keyfile, key = accounts.unlock_store(paths.database, "admin", accounts.DEMO_PASSWORD)
    app.open_store(paths, key=key, keyfile=keyfile)
    accounts.sign_in("admin", accounts.DEMO_PASSWORD)
    xinli = Account.get(Account.login == "xinli").id
    accounts.set_enabled(xinli, False)
    accounts.set_enabled(xinli, True)
    page = AccountsPage()
    qtbot.addWidget(page)
    assert page.key_label.isVisibleTo(page) and "xinli" in page.key_label.text()
    assert page.recovery_button.isVisibleTo(page)
    shown = []
    monkeypatch.setattr(encryption_dialogs.RecoveryKeyDialog, "exec", lambda d: shown.append(d.recovery_key) or 1)
    page.replace_recovery_key()
    kf = keys.KeyFile.load(paths.key_file)
    assert kf.unlock_with_recovery(shown[0]) == key
    with pytest.raises(keys.WrongRecoveryKey):
        kf.unlock_with_recovery(old_recovery)
