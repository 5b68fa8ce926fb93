"""``python main.py county summary --period 2025 --out 汇总.pdf|汇总.xlsx`` (issue 15): the county
summary register or workbook without a window, the same as 汇总's 打印… and 导出 Excel…."""
from __future__ import annotations

import subprocess

import openpyxl
import pytest

from carecenter.db.database import close_database
from carecenter.domain.money import to_capital
from tests.conftest import add_accounts, signed_in_cli
from tests.exchange.exchange_world import PERIOD, build_world, open_db
from tests.reports.test_county_summary_layout import pdf_text


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from carecenter.security import access

    with access.acting_as(access.system_actor("测试")):
        built = build_world(tmp_path_factory.mktemp("county-cli"))
        open_db(built.county)
        add_accounts()
        close_database()
    return built


@pytest.fixture
def cli(capsys, monkeypatch, cli_password):
    from carecenter import cli as entry

    def call(*args: str):
        try:
            code = entry.main(signed_in_cli(args))
        finally:
            close_database()
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return call


def test_summary_as_pdf_and_as_excel(world, cli, tmp_path):
    data = str(world.county.root)
    done = cli("--data-dir", data, "county", "summary", "--period", str(PERIOD), "--out", str(tmp_path / "汇总.pdf"))
    assert done.returncode == 0, done.stderr
    assert "已保存《乡镇公务员关心关爱工作汇总表（2025年度）》" in done.stdout and "核验码" in done.stdout
    body = pdf_text((tmp_path / "汇总.pdf").read_bytes())
    for town in world.towns:
        assert town.name in body
    open_db(world.county)
    from carecenter.security import access
    from carecenter.services import county

    with access.acting_as(access.system_actor("测试")):
        total = county.summary(PERIOD).total.allowance_total_fen
    close_database()
    assert f"津贴补贴发放合计（大写）：人民币{to_capital(total)}" in body

    done = cli("--data-dir", data, "county", "summary", "--period", str(PERIOD), "--out", str(tmp_path / "汇总.xlsx"))
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总"]
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == [t.name for t in
                                                               sorted(world.towns, key=lambda t: t.code)] + ["合计"]


def test_summary_refuses_another_file_type_and_an_empty_year(world, cli, tmp_path):
    data = str(world.county.root)
    done = cli("--data-dir", data, "county", "summary", "--period", str(PERIOD), "--out", str(tmp_path / "汇总.docx"))
    assert done.returncode == 2 and "汇总表保存为 .pdf" in done.stderr
    done = cli("--data-dir", data, "county", "summary", "--period", "2019", "--out", str(tmp_path / "汇总.pdf"))
    assert done.returncode == 2 and "2019年度没有可打印的记录" in done.stderr
    assert not (tmp_path / "汇总.pdf").exists()
