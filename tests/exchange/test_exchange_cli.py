"""``exchange`` and ``county`` on the command line (issue 15): a county made with ``county init``
(its first 系统管理员 made like ``user setup`` does), a township's 交换设置 and ``exchange pack``,
the county's ``receive`` refusing an unconfirmed township (exit code 2, the fingerprint in the
message) and accepting it with ``--trust``, a second receive changing nothing (exit code 0)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from carecenter import cli
from carecenter.db.database import close_database
from tests.conftest import TEST_PASSWORD, add_accounts, keyed_connect


def main(capsys, *args) -> tuple[int, str, str]:
    try:
        code = cli.main([str(a) for a in args])
    finally:
        close_database()
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def township(store):
    """A demo township with the test accounts, closed."""
    from carecenter.app import seed_rule_tables
    from carecenter.services import demo

    seed_rule_tables()
    demo.build(20, seed=31, history_years=1, today=date(2025, 12, 31))
    add_accounts()
    close_database()
    return store.root


def test_county_init_then_a_township_packs_and_the_county_receives(township, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CARECENTER_NEW_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("CARECENTER_PASSWORD", TEST_PASSWORD)
    folder = tmp_path / "县里"
    code, out, err = main(capsys, "--data-dir", folder, "county", "init", "--admin", "guanli", "--name", "王管理",
                          "--county", "某某县", "--code", "330328000000")
    assert code == 0, err
    assert "已建立加密数据库" in out and "系统管理员账户 guanli" in out and "恢复密钥" in out
    assert "已建立县级数据库：某某县" in out
    county_fp = re.search(r"县级公钥指纹：([0-9A-Z-]+)", out).group(1)
    assert (folder / "county.pub").exists()
    con = keyed_connect(folder / "carecenter.db", "guanli", TEST_PASSWORD)
    try:
        assert con.execute("SELECT value FROM setting WHERE key = 'exchange.edition'").fetchone() == ("county",)
        assert con.execute("SELECT login FROM account").fetchall() == [("guanli",)]
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'county_init'").fetchone() == (1,)
    finally:
        con.close()
    code, _out, err = main(capsys, "--data-dir", folder, "county", "init", "--admin", "x", "--name", "x",
                           "--county", "某某县", "--code", "330328000000")
    assert code == 2 and "已经有数据库" in err

    t = ["--data-dir", township, "--user", "tester"]
    code, out, err = main(capsys, *t, "exchange", "identity", "--name", "青岭镇", "--code", "330328101000")
    assert code == 0 and "330328101000" in out, err
    code, out, err = main(capsys, *t, "exchange", "trust-county", folder / "county.pub")
    assert code == 0 and county_fp in out, err
    code, out, err = main(capsys, *t, "exchange", "fingerprint")
    assert code == 0, err
    township_fp = out.split("签名指纹：")[1].strip()
    code, out, err = main(capsys, *t, "exchange", "pack", "--period", "2025", "--out", tmp_path / "青岭镇-2025")
    assert code == 0, err
    package = tmp_path / "青岭镇-2025.ccx"
    assert package.exists() and township_fp in out and "报送包指纹" in out
    code, out, err = main(capsys, *t, "exchange", "list")
    assert code == 0 and "2025年度" in out

    # the county: the test accounts (with their copies of the database key), then receive
    from carecenter.app import open_store
    from carecenter.paths import DataPaths
    from carecenter.security import keys, storekey

    keyfile = keys.KeyFile.load(folder / "carecenter.keys")
    open_store(DataPaths(folder), key=keyfile.unlock("guanli", TEST_PASSWORD), keyfile=keyfile)
    add_accounts()
    storekey.current().keyfile.set_account("tester", TEST_PASSWORD, storekey.current().key)
    close_database()
    c = ["--data-dir", folder, "--user", "tester"]
    code, _out, err = main(capsys, *c, "county", "receive", package)
    assert code == 2 and township_fp in err and "--trust" in err and "Traceback" not in err
    code, out, err = main(capsys, *c, "county", "receive", package, "--trust", township_fp.lower())
    assert code == 0 and "已接收「青岭镇」2025年度报送包" in out, err
    code, out, err = main(capsys, *c, "county", "receive", package)
    assert code == 0 and "已接收过，未作改动" in out, err
    code, out, err = main(capsys, *c, "county", "summary", "--period", "2025")
    assert code == 0 and "青岭镇" in out and "合计" in out, err
    code, out, err = main(capsys, *c, "county", "status", "--period", "2025")
    assert code == 0 and "330328101000" in out, err
    code, out, err = main(capsys, *c, "county", "info")
    assert code == 0 and county_fp in out, err
    code, out, err = main(capsys, *c, "print", "register", "county", "--period", "2025", "--out", tmp_path / "汇总表.pdf")
    assert code == 0 and (tmp_path / "汇总表.pdf").exists(), err
    code, out, err = main(capsys, *c, "export", "county-summary", "--year", "2025", "--out", tmp_path / "汇总.xlsx")
    assert code == 0 and (tmp_path / "汇总.xlsx").exists(), err


def test_county_init_checks_its_input_before_making_anything(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CARECENTER_NEW_PASSWORD", TEST_PASSWORD)
    folder = tmp_path / "县里"
    code, _out, err = main(capsys, "--data-dir", folder, "county", "init", "--admin", "guanli", "--name", "王管理",
                           "--county", "某某县", "--code", "330328101000")
    assert code == 2 and "后 6 位应为 0" in err and not folder.exists()
