"""``python main.py import <kind> FILE.xlsx [--dry-run]`` (issue 6 §4): the same
report as the preview, valid rows imported unless --dry-run, exit code 1 when
any row was refused, 2 when the file cannot be used."""
from __future__ import annotations

import os
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import TEST_PASSWORD, make_id_number, one_unit_for_cli, signed_in_cli
from tests.exchange.test_importer_support import workbook

ROOT = Path(__file__).resolve().parents[2]


def main(*args, home: Path):
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home), QT_QPA_PLATFORM="offscreen",
               PYTHONIOENCODING="utf-8", CARECENTER_PASSWORD=TEST_PASSWORD)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *signed_in_cli(map(str, args))], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture
def data_dir(store):
    """A database with one unit, closed so the command line can open it."""
    return one_unit_for_cli(store)


def cadres(data_dir: Path) -> list[tuple]:
    con = sqlite3.connect(str(data_dir / "carecenter.db"))
    try:
        return con.execute("SELECT name, id_number FROM cadre ORDER BY name").fetchall()
    finally:
        con.close()


def test_dry_run_then_import(data_dir, tmp_path):
    good = make_id_number("19900315", 11)
    path = workbook(tmp_path / "名册.xlsx", [
        ["城关镇干部名册"],
        ["姓名", "身份证号码", "工作单位", "参加工作时间"],
        ["王伟", good, "城关镇人民政府", "2012.08"],
        ["李娜", "330328198807200228", "城关镇人民政府", "2010.07"],
    ], merges=["A1:D1"])
    dry = main("import", "roster", path, "--dry-run", "--data-dir", data_dir, "--problems", tmp_path / "p.xlsx",
               home=tmp_path)
    assert dry.returncode == 1, dry.stderr
    out = dry.stdout
    assert "共 2 行：可导入 1 行（新增 1 名，更新 0 名），有问题未导入 1 行" in out
    assert "第4行 B列（身份证号）：身份证号校验位不正确，请核对最后一位" in out
    assert "没有写入数据库" in out
    assert cadres(data_dir) == []
    rows = list(load_workbook(tmp_path / "p.xlsx")["问题清单"].iter_rows(values_only=True))
    assert rows[1][:3] == (4, "B", "身份证号")

    done = main("import", "roster", path, "--data-dir", data_dir, home=tmp_path)
    assert done.returncode == 1            # one row was refused, even though the others were imported
    assert "已导入：新增 1 名，更新 0 名。" in done.stdout
    assert cadres(data_dir) == [("王伟", good)]

    clean = workbook(tmp_path / "ok.xlsx", [["姓名", "身份证号", "单位", "职务"],
                                            ["王伟", good, "城关镇人民政府", "副镇长"]])
    again = main("import", "roster", clean, "--data-dir", data_dir, home=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "更新 第2行 王伟：职务 （空） → 副镇长" in again.stdout
    assert cadres(data_dir) == [("王伟", good)]


def test_unusable_files_exit_2(data_dir, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 broken")
    proc = main("import", "leave", junk, "--data-dir", data_dir, home=tmp_path)
    assert proc.returncode == 2 and "无法读取文件" in proc.stderr
    no_header = workbook(tmp_path / "none.xlsx", [["甲", "乙"], [1, 2]])
    proc = main("import", "health", no_header, "--data-dir", data_dir, home=tmp_path)
    assert proc.returncode == 2 and "没有找到体检记录的表头" in proc.stderr
