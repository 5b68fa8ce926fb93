"""The command line (main.py / carecenter.cli): Chinese help, the headless demo subcommand."""
from __future__ import annotations

import os
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, home: Path, timeout=60):
    env = dict(os.environ)
    for var in ("HOME", "USERPROFILE", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                "APPDATA", "LOCALAPPDATA"):
        env[var] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    return h


def test_help_lists_subcommands_in_chinese(home):
    proc = run("--help", home=home)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for cmd in ("gui", "demo", "bench"):
        assert cmd in out
    assert "关心关爱中心" in out
    assert "子命令" in out
    assert "生成演示数据库" in out and "打开图形界面" in out and "性能基准" in out


def test_demo_help(home):
    proc = run("demo", "--help", home=home)
    assert proc.returncode == 0
    assert "--cadres" in proc.stdout and "干部人数" in proc.stdout


def cadre_count(db: Path) -> int:
    from tests.conftest import keyed_connect

    con = keyed_connect(db)     # the demo is encrypted: opened with a demo account's password
    try:
        return con.execute("SELECT count(*) FROM cadre").fetchone()[0]
    finally:
        con.close()


def test_demo_creates_database_then_refuses_second_run(tmp_path, home):
    data = tmp_path / "演示 数据"
    proc = run("demo", "--data-dir", str(data), "--cadres", "200", home=home)
    assert proc.returncode == 0, proc.stderr
    db = data / "carecenter.db"
    assert db.exists()
    assert cadre_count(db) == 200
    assert "已生成演示数据库" in proc.stdout and "干部 200 名" in proc.stdout
    assert list(home.rglob("*.db")) == []  # nothing written to the (fake) home folder

    before = db.read_bytes()
    again = run("demo", "--data-dir", str(data), "--cadres", "200", home=home)
    assert again.returncode != 0
    assert "已存在" in again.stderr and "--data-dir" in again.stderr
    assert "Traceback" not in again.stderr
    assert db.read_bytes() == before
    assert cadre_count(db) == 200


@pytest.mark.parametrize("n", ["0", "-5"])
def test_demo_refuses_non_positive_count(tmp_path, home, n):
    data = tmp_path / "d"
    proc = run("demo", "--data-dir", str(data), "--cadres", n, home=home)
    assert proc.returncode != 0
    assert "正整数" in proc.stderr
    assert not (data / "carecenter.db").exists()


def test_demo_refuses_non_number(tmp_path, home):
    proc = run("demo", "--data-dir", str(tmp_path / "d"), "--cadres", "many", home=home)
    assert proc.returncode != 0
    assert not (tmp_path / "d" / "carecenter.db").exists()


def test_global_data_dir_option_works_for_demo(tmp_path, home):
    data = tmp_path / "global"
    proc = run("--data-dir", str(data), "demo", "--cadres", "60", home=home)
    assert proc.returncode == 0, proc.stderr
    assert cadre_count(data / "carecenter.db") == 60


def test_resolve_paths_defaults_keep_demo_apart(monkeypatch, tmp_path):
    from carecenter import cli
    from carecenter.paths import default_data_dir, demo_data_dir

    args = cli.build_parser().parse_args([])
    assert cli.resolve_paths(args).root == default_data_dir().resolve()
    args = cli.build_parser().parse_args(["--demo"])
    assert cli.resolve_paths(args).root == demo_data_dir().resolve()
    assert demo_data_dir() != default_data_dir()
    # per-user folders point into the test's temporary home, never the real one
    assert str(tmp_path) in str(default_data_dir())
