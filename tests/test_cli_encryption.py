"""The command line on encrypted databases (issue 11): set-up shows the recovery key, every
command opens the store with the ``--user`` password, recovery, the upgrade of a plaintext
database, and restoring another installation's backup with its password."""
from __future__ import annotations

import re

import pytest

from carecenter.db import cipher
from carecenter.security import keys
from tests.conftest import TEST_PASSWORD, keyed_connect, one_unit_for_cli
from tests.test_cli_signin import run

ADMIN_PW = "Anquan@2026"
KEY_RE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}")


@pytest.fixture
def demo(tmp_path):
    data = tmp_path / "demo"
    proc = run("demo", "--data-dir", data, "--cadres", "15", "--years", "1", password=None)
    assert proc.returncode == 0, proc.stderr
    assert "已加密" in proc.stdout
    return data


def test_setup_creates_an_encrypted_database_and_shows_the_recovery_key_once(tmp_path):
    data = tmp_path / "new"
    sheet = tmp_path / "恢复密钥.pdf"
    proc = run("--data-dir", data, "user", "setup", "--admin", "guanli", "--name", "王管理", "--sheet", sheet,
               env={"CARECENTER_NEW_PASSWORD": ADMIN_PW}, password=None)
    assert proc.returncode == 0, proc.stderr
    recovery = KEY_RE.search(proc.stdout).group(0)
    assert "保密员" in proc.stdout and sheet.read_bytes().startswith(b"%PDF")
    assert not cipher.is_plaintext(data / "carecenter.db")
    kf = keys.KeyFile.load(data / "carecenter.keys")
    assert kf.unlock("guanli", ADMIN_PW) == kf.unlock_with_recovery(recovery)
    assert not any(recovery.encode() in f.read_bytes() for f in data.rglob("*") if f.is_file())
    proc = run("--user", "guanli", "--data-dir", data, "user", "list", password=ADMIN_PW)
    assert proc.returncode == 0 and "guanli" in proc.stdout, proc.stderr
    proc = run("--user", "guanli", "--data-dir", data, "user", "list", password="Wrong@pass1")
    assert proc.returncode == 2 and "登录名或密码不正确" in proc.stderr


def test_commands_open_the_encrypted_demo_with_the_user_password(demo, tmp_path):
    proc = run("--user", "jingban", "--data-dir", demo, "export", "roster", "--out", tmp_path / "r.xlsx",
               password="Demo@2026")
    assert proc.returncode == 0, proc.stderr
    con = keyed_connect(demo / "carecenter.db")
    try:
        assert con.execute("SELECT count(*) FROM cadre").fetchone()[0] == 15
    finally:
        con.close()


def test_a_database_without_its_key_file_says_what_to_bring_back(demo, tmp_path):
    (demo / "carecenter.keys").rename(tmp_path / "saved.keys")
    proc = run("--user", "jingban", "--data-dir", demo, "user", "list", password="Demo@2026")
    assert proc.returncode == 2 and "找不到密钥文件 carecenter.keys" in proc.stderr
    assert "not a database" not in proc.stderr and "Traceback" not in proc.stderr


def test_recover_with_the_recovery_key(demo):
    recovery = KEY_RE.search((demo / "演示数据库的恢复密钥.txt").read_text(encoding="utf-8")).group(0)
    proc = run("--data-dir", demo, "user", "recover", "admin", password=None,
               env={"CARECENTER_RECOVERY_KEY": "0000-0000-0000-0000-0000-0000-0000",
                    "CARECENTER_NEW_PASSWORD": "Hui@fu2026x"})
    assert proc.returncode == 2 and "恢复密钥" in proc.stderr
    proc = run("--data-dir", demo, "user", "recover", "admin", password=None,
               env={"CARECENTER_RECOVERY_KEY": recovery, "CARECENTER_NEW_PASSWORD": "Hui@fu2026x"})
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "admin", "--data-dir", demo, "user", "passwd", password="Hui@fu2026x",
               env={"CARECENTER_NEW_PASSWORD": "Zi@ji2026mm"})
    assert proc.returncode == 0, proc.stderr


def test_encrypt_a_plaintext_database_and_its_copies(store, tmp_path):
    data = one_unit_for_cli(store)
    from carecenter.db.database import close_database

    close_database()
    proc = run("--user", "admin", "--data-dir", data, "backup", password=TEST_PASSWORD)
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "admin", "--data-dir", data, "encrypt", "--copies", "encrypt", password=TEST_PASSWORD)
    assert proc.returncode == 0, proc.stderr
    assert KEY_RE.search(proc.stdout) and "已加密" in proc.stdout
    assert not cipher.is_plaintext(data / "carecenter.db")
    assert not [f for f in (data / "backups").iterdir() if cipher.is_plaintext(f)]
    proc = run("--user", "jingban", "--data-dir", data, "user", "passwd", password=TEST_PASSWORD)
    assert proc.returncode == 2 and "登录名或密码不正确" in proc.stderr    # no copy of the key yet
    proc = run("--user", "admin", "--data-dir", data, "encrypt", password=TEST_PASSWORD)
    assert proc.returncode == 0 and "已经是加密的" in proc.stdout


def test_restore_another_installations_backup_with_its_password(demo, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    proc = run("--user", "admin", "--data-dir", demo, "backup", "--to", usb, password="Demo@2026")
    assert proc.returncode == 0, proc.stderr
    made = next(usb.iterdir())
    other = tmp_path / "newpc"
    proc = run("--data-dir", other, "user", "setup", "--admin", "xinguan", "--name", "新管理员",
               env={"CARECENTER_NEW_PASSWORD": ADMIN_PW}, password=None)
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "xinguan", "--data-dir", other, "restore", made, "--yes", password=ADMIN_PW)
    assert proc.returncode == 2 and "--backup-user" in proc.stderr
    proc = run("--user", "xinguan", "--data-dir", other, "restore", made, "--yes", "--backup-user", "admin",
               password=ADMIN_PW, env={"CARECENTER_BACKUP_PASSWORD": "Demo@2026"})
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "jingban", "--data-dir", other, "user", "passwd", password="Demo@2026",
               env={"CARECENTER_NEW_PASSWORD": "Xin@mima2026"})
    assert proc.returncode == 0, proc.stderr
