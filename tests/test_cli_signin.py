"""Headless commands act as the account given with ``--user`` (issue 10): a Chinese
message and exit code 2 for every credential failure; ``user`` and ``audit`` commands."""
from __future__ import annotations

import os
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, one_unit_for_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data(store):
    return one_unit_for_cli(store)


def run(*args, env=None, password: str | None = TEST_PASSWORD):
    """The real entry point in a child process, with no terminal to type into."""
    e = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    e.pop("CARECENTER_PASSWORD", None)
    if password is not None:
        e["CARECENTER_PASSWORD"] = password
    e.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT, env=e,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=120)


def last_audit(data: Path) -> tuple:
    con = sqlite3.connect(str(data / "carecenter.db"))
    try:
        return con.execute("SELECT user, action, summary FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        con.close()


@pytest.mark.parametrize("args, password, said", [
    ((), TEST_PASSWORD, "请用 --user 指定登录名"),
    (("--user", "jingban"), None, "CARECENTER_PASSWORD"),
    (("--user", "jingban"), "wrong", "登录名或密码不正确"),
    (("--user", "nobody"), TEST_PASSWORD, "登录名或密码不正确"),
    (("--user", "shenji"), TEST_PASSWORD, "没有「导出到 Excel」权限"),
])
def test_credential_failures_exit_2_with_a_chinese_message(data, tmp_path, args, password, said):
    proc = run(*args, "--data-dir", data, "export", "roster", "--out", tmp_path / "r.xlsx", password=password)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert said in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_disabled_locked_and_must_change(data, tmp_path, monkeypatch):
    proc = run("--user", "admin", "--data-dir", data, "user", "disable", "fuzeren")
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "fuzeren", "--data-dir", data, "export", "roster", "--out", tmp_path / "r.xlsx")
    assert proc.returncode == 2 and "已停用" in proc.stderr
    for _ in range(5):
        run("--user", "jingban", "--data-dir", data, "user", "list", password="wrong")
    proc = run("--user", "jingban", "--data-dir", data, "export", "roster", "--out", tmp_path / "r.xlsx")
    assert proc.returncode == 2 and "已锁定" in proc.stderr
    proc = run("--user", "admin", "--data-dir", data, "user", "unlock", "jingban")
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "admin", "--data-dir", data, "user", "reset-password", "jingban",
               env={"CARECENTER_NEW_PASSWORD": "Chongzhi@2026"})
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "jingban", "--data-dir", data, "export", "roster", "--out", tmp_path / "r.xlsx",
               password="Chongzhi@2026")
    assert proc.returncode == 2 and "user passwd" in proc.stderr
    proc = run("--user", "jingban", "--data-dir", data, "user", "passwd", password="Chongzhi@2026",
               env={"CARECENTER_NEW_PASSWORD": "Xinmima@2026"})
    assert proc.returncode == 0, proc.stderr
    proc = run("--user", "jingban", "--data-dir", data, "export", "roster", "--out", tmp_path / "r.xlsx",
               password="Xinmima@2026")
    assert proc.returncode == 0, proc.stderr


def test_user_add_list_and_the_environment_cannot_change_who(data, tmp_path):
    proc = run("--user", "admin", "--data-dir", data, "user", "add", "zhaoqi", "--name", "赵琪", "--role", "clerk",
               "--unit", "城关镇人民政府", env={"CARECENTER_NEW_PASSWORD": "Chushi@2026", "USER": "张三",
                                               "LOGNAME": "张三"})
    assert proc.returncode == 0, proc.stderr
    assert last_audit(data)[:2] == ("admin（演示系统管理员）", "account")
    proc = run("--user", "admin", "--data-dir", data, "user", "list")
    assert proc.returncode == 0 and "zhaoqi\t赵琪\t经办人\t城关镇人民政府" in proc.stdout
    proc = run("--user", "jingban", "--data-dir", data, "user", "list")
    assert proc.returncode == 2 and "账户管理" in proc.stderr


def test_audit_export_by_the_auditor(data, tmp_path):
    out = tmp_path / "审计.xlsx"
    proc = run("--user", "shenji", "--data-dir", data, "audit", "export", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and "已导出" in proc.stdout
    assert last_audit(data)[1] == "export"
    proc = run("--user", "shenji", "--data-dir", data, "audit", "verify")
    assert proc.returncode == 0 and "完整" in proc.stdout


def test_user_setup_only_on_a_database_without_an_admin(tmp_path):
    data = tmp_path / "new"
    proc = run("--data-dir", data, "user", "setup", "--admin", "guanli", "--name", "王管理",
               env={"CARECENTER_NEW_PASSWORD": "Anquan@2026"}, password=None)
    assert proc.returncode == 0, proc.stderr
    again = run("--data-dir", data, "user", "setup", "--admin", "other", "--name", "别人",
                env={"CARECENTER_NEW_PASSWORD": "Anquan@2026"}, password=None)
    assert again.returncode == 2 and "已经有系统管理员" in again.stderr


def test_a_busy_database_is_waited_for_with_a_message_then_refused(data, tmp_path, monkeypatch):
    from carecenter import signin_cli

    holder = sqlite3.connect(str(data / "carecenter.db"), timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        proc = run("--user", "jingban", "--data-dir", data, "export", "roster", "--out", tmp_path / "r.xlsx",
                   env={"CARECENTER_WRITE_WAIT": "1"})
    finally:
        holder.rollback()
        holder.close()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "正在等待" in proc.stderr and "没有做任何改动" in proc.stderr
    assert not (tmp_path / "r.xlsx").exists()
