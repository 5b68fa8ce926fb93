"""``python main.py print …`` (issue 5 §6): a PDF on success; a non-zero exit and a Chinese
message on stderr for an unknown cadre, an empty period or an unknown register."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, add_accounts, signed_in_cli

from .conftest import TODAY, YEAR
from .pdfcheck import reader, text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from carecenter.app import open_store
    from carecenter.db.database import close_database
    from carecenter.paths import DataPaths
    from carecenter.services import demo

    root = tmp_path_factory.mktemp("printcli") / "data"
    open_store(DataPaths(root))
    try:
        demo.build(25, history_years=2, today=TODAY)
        add_accounts()
    finally:
        close_database()
    return root


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real entry point in a child process."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", HOME=str(cwd),
               CARECENTER_PASSWORD=TEST_PASSWORD)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *signed_in_cli(args)], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def cli(capsys, monkeypatch, cli_password):
    """The same command line in this process (faster): returns (exit code, stdout, stderr)."""
    from carecenter import cli as entry
    from carecenter.db import queries
    from carecenter.db.database import close_database

    def call(*args: str, cwd: Path):
        monkeypatch.chdir(cwd)
        queries.invalidate_units()
        try:
            code = entry.main(signed_in_cli(args))
        finally:
            close_database()
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return call


def an_id_number(data_dir: Path) -> tuple[str, str]:
    from carecenter.db.engine import sqlite as sqlite3

    con = sqlite3.connect(str(data_dir / "carecenter.db"))
    try:
        return con.execute("SELECT id_number, name FROM cadre WHERE archived = 0 ORDER BY id LIMIT 1").fetchone()
    finally:
        con.close()


def test_print_record_writes_a_pdf(data_dir, tmp_path):
    number, name = an_id_number(data_dir)
    out = tmp_path / "档案" / "记录.pdf"
    proc = run("--data-dir", str(data_dir), "print", "record", number.lower(), "--year", str(YEAR),
               "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    body = text(out.read_bytes())
    assert name in body and f"{number[:6]}********{number[14:]}" in body and number not in body
    assert "已生成" in proc.stdout and "核验码" in proc.stdout
    code = proc.stdout.split("核验码 ")[1].split("）")[0]
    check = run("print", "--data-dir", str(data_dir), "verify", code.lower().replace("-", ""), cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "内容与当前数据一致" in check.stdout and name in check.stdout
    from carecenter.db.engine import sqlite as sqlite3

    con = sqlite3.connect(str(data_dir / "carecenter.db"))
    try:
        actions = con.execute("SELECT actions FROM print_log WHERE code = ?", (code,)).fetchone()[0]
    finally:
        con.close()
    assert "导出" in actions and str(out) in actions


def test_print_record_default_file_name_and_period(data_dir, tmp_path, cli):
    number, name = an_id_number(data_dir)
    proc = cli("print", "--data-dir", str(data_dir), "record", number, "--from", f"{YEAR}-03-01", "--to",
               f"{YEAR}.08.31", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / f"个人关心关爱档案_{name}_{YEAR}0301-{YEAR}0831.pdf"
    assert out.exists()
    assert f"{YEAR}年3月1日至{YEAR}年8月31日" in text(out.read_bytes())


def test_unknown_id_number(data_dir, tmp_path):
    proc = run("--data-dir", str(data_dir), "print", "record", "11010519491231002X", "--year", str(YEAR),
               "--out", str(tmp_path / "x.pdf"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "未找到身份证号为 110105********002X 的干部" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_record_needs_a_period(data_dir, tmp_path, cli):
    number, _name = an_id_number(data_dir)
    proc = cli("--data-dir", str(data_dir), "print", "record", number, cwd=tmp_path)
    assert proc.returncode != 0 and "--year" in proc.stderr and "请用" in proc.stderr


@pytest.mark.parametrize("kind, period", [("allowance", "2001-01"), ("welfare", "2001"), ("health", "2001")])
def test_empty_period(data_dir, tmp_path, kind, period, cli):
    proc = cli("--data-dir", str(data_dir), "print", "register", kind, "--period", period, "--out",
               str(tmp_path / "r.pdf"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "没有可打印的记录" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_unknown_register_and_unit(data_dir, tmp_path, cli):
    proc = cli("--data-dir", str(data_dir), "print", "register", "payroll", "--period", str(YEAR), cwd=tmp_path)
    assert proc.returncode != 0 and "没有“payroll”这种登记表" in proc.stderr
    proc = cli("--data-dir", str(data_dir), "print", "register", "leave", "--period", str(YEAR), "--unit", "不存在的单位",
               cwd=tmp_path)
    assert proc.returncode != 0 and "没有名为“不存在的单位”的单位" in proc.stderr


@pytest.mark.parametrize("kind, period, title", [
    ("allowance", f"{TODAY:%Y-%m}", "津贴补贴发放花名册"),
    ("leave", str(YEAR), "年休假统计表"),
    ("health", str(YEAR), "健康体检汇总表"),
    ("welfare", str(YEAR), "福利慰问登记表"),
])
def test_print_register_writes_a_pdf(data_dir, tmp_path, kind, period, title, cli):
    out = tmp_path / f"{kind}.pdf"
    proc = cli("--data-dir", str(data_dir), "print", "register", kind, "--period", period, "--out", str(out),
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(reader(out.read_bytes()).pages) >= 1
    assert title in text(out.read_bytes())


def test_missing_database(tmp_path, cli):
    proc = cli("--data-dir", str(tmp_path / "nothing"), "print", "register", "leave", "--period", "2025",
               cwd=tmp_path)
    assert proc.returncode != 0 and "没有数据库" in proc.stderr
    assert not (tmp_path / "nothing" / "carecenter.db").exists()


def test_verify_unknown_code(data_dir, tmp_path, cli):
    proc = cli("--data-dir", str(data_dir), "print", "verify", "ZZZZ-ZZZZ", cwd=tmp_path)
    assert proc.returncode != 0 and "未找到核验码 ZZZZ-ZZZZ" in proc.stderr


def test_print_record_with_a_password(data_dir, tmp_path, cli, monkeypatch):
    """Issue 11: --password (here from CARECENTER_FILE_PASSWORD) writes an encrypted PDF."""
    import pypdf

    number, name = an_id_number(data_dir)
    monkeypatch.setenv("CARECENTER_FILE_PASSWORD", "Mima@2026")
    out = tmp_path / "加密.pdf"
    proc = cli("print", "--data-dir", str(data_dir), "record", number, "--year", str(YEAR), "--out", str(out),
               "--password", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "文件已用密码加密" in proc.stdout
    locked = reader(out.read_bytes())
    assert locked.is_encrypted and locked.decrypt("wrong!") == pypdf.PasswordType.NOT_DECRYPTED
    locked = reader(out.read_bytes())
    assert locked.decrypt("Mima@2026") != pypdf.PasswordType.NOT_DECRYPTED
    assert name in "".join(p.extract_text() for p in locked.pages)
