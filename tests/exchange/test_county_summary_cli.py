"""``python main.py county summary --period 2025 --out 汇总表.pdf|汇总.xlsx`` (issue 15): the county's
汇总表 or workbook without a window, the same as 汇总's 打印… and 导出 Excel…."""
from __future__ import annotations

import openpyxl
import pytest

from carecenter.db.database import close_database
from carecenter.domain.money import to_capital
from carecenter.services import county
from tests.conftest import add_accounts
from tests.exchange.exchange_world import PERIOD, build_world, open_db
from tests.reports.test_county_summary_layout import pdf_text
from tests.reports.test_print_cli import cli  # noqa: F401 - the command line in this process (a fixture)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_world(tmp_path_factory.mktemp("county-cli"))
    open_db(built.county)
    try:
        add_accounts()      # the command line signs in
        built.summary = county.summary(PERIOD)
    finally:
        close_database()
    return built


def summary_command(cli, world, tmp_path, period, out: str):
    return cli("--data-dir", str(world.county.root), "county", "summary", "--period", str(period),
               "--out", str(tmp_path / out), cwd=tmp_path)


def test_summary_as_pdf_and_as_excel(world, cli, tmp_path):
    done = summary_command(cli, world, tmp_path, PERIOD, "汇总表.pdf")
    assert done.returncode == 0, done.stderr
    assert "已保存《乡镇公务员关心关爱工作汇总表（2025年度）》" in done.stdout and "核验码" in done.stdout
    body = pdf_text((tmp_path / "汇总表.pdf").read_bytes())
    for town in world.towns:
        assert town.name in body
    assert f"津贴补贴发放合计（大写）：人民币{to_capital(world.summary.total.allowance_total_fen)}" in body

    done = summary_command(cli, world, tmp_path, PERIOD, "汇总.xlsx")
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总"]
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == [t.name for t in world.summary.townships] + ["合计"]


def test_summary_refuses_another_file_type_and_an_empty_year(world, cli, tmp_path):
    done = summary_command(cli, world, tmp_path, PERIOD, "汇总.docx")
    assert done.returncode == 2 and "汇总表保存为 .pdf" in done.stderr
    done = summary_command(cli, world, tmp_path, 2019, "汇总表.pdf")
    assert done.returncode == 2 and "2019年度没有可打印的记录" in done.stderr
    assert not (tmp_path / "汇总表.pdf").exists()
