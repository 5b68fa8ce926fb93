"""Issue 11: a list exported with a password — only the password opens it; the audit says so."""
from __future__ import annotations

import json

import pytest
from msoffcrypto.exceptions import InvalidKeyError

from carecenter.db import queries
from carecenter.db.models import AuditLog
from carecenter.exchange.export import export_list
from carecenter.services import exports
from tests.security.test_protect import open_protected


@pytest.fixture
def demo_store(store):
    from carecenter.services import demo

    demo.build(30, history_years=1)
    queries.invalidate_units()
    return store


def test_confidential_roster_protected_with_a_password(demo_store, tmp_path):
    q = exports.RosterQuery(queries.RosterFilter())
    out = tmp_path / "usb" / "名册.xlsx"
    summary = export_list("roster", out, q, include_confidential=True, password="Mima@2026")
    assert summary.protected and summary.confidential and summary.path == out
    numbers = [r[0] for r in queries.db.execute_sql("SELECT id_number FROM cadre").fetchall()]
    raw = out.read_bytes()
    assert not any(n.encode() in raw for n in numbers)
    with pytest.raises(InvalidKeyError):
        open_protected(out, "Mima@2027")
    rows = open_protected(out, "Mima@2026")
    assert rows[0][:2] == ["姓名", "身份证号"] and len(rows) == summary.rows + 1
    assert {r[1] for r in rows[1:]} <= set(numbers)
    assert list(out.parent.iterdir()) == [out]                 # no plain copy left beside it
    entries = list(AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id))
    assert "文件已加密" in entries[-1].summary and json.loads(entries[-1].changes)["protected"] is True


def test_unprotected_export_is_audited_as_such(demo_store, tmp_path):
    export_list("roster", tmp_path / "r.xlsx", exports.RosterQuery(queries.RosterFilter()))
    entry = AuditLog.select().where(AuditLog.action == "export").get()
    assert json.loads(entry.changes)["protected"] is False and "加密" not in entry.summary


def test_a_bad_password_writes_and_audits_nothing(demo_store, tmp_path):
    from carecenter.domain.errors import DomainError

    with pytest.raises(DomainError):
        export_list("roster", tmp_path / "r.xlsx", exports.RosterQuery(queries.RosterFilter()), password="123")
    assert not (tmp_path / "r.xlsx").exists()
    assert AuditLog.select().where(AuditLog.action == "export").count() == 0


from tests.exchange.test_export import cli  # noqa: E402  (signed in as the demo 负责人)


def test_cli_password_from_the_environment(demo_store, tmp_path, capsys, monkeypatch):
    from carecenter.security.protect import PASSWORD_ENV

    out = tmp_path / "full.xlsx"
    monkeypatch.setenv(PASSWORD_ENV, "Mima@2026")
    assert cli("export", "roster", "--data-dir", str(demo_store.root), "--out", str(out), "--confidential",
               "--password") == 0
    assert "文件已用密码加密" in capsys.readouterr().out
    assert open_protected(out, "Mima@2026")[0][0] == "姓名"


def test_cli_password_prompted_twice(demo_store, tmp_path, capsys, monkeypatch):
    import getpass
    import sys

    out = tmp_path / "full.xlsx"
    answers = iter(["Mima@2026", "Mima@2026"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    assert cli("export", "roster", "--data-dir", str(demo_store.root), "--out", str(out), "--password") == 0
    assert open_protected(out, "Mima@2026")[0][0] == "姓名"


def test_cli_password_without_terminal_or_too_short(demo_store, tmp_path, capsys, monkeypatch):
    import sys

    from carecenter.security.protect import PASSWORD_ENV

    out = tmp_path / "full.xlsx"
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert cli("export", "roster", "--data-dir", str(demo_store.root), "--out", str(out), "--password") == 2
    assert PASSWORD_ENV in capsys.readouterr().err
    monkeypatch.setenv(PASSWORD_ENV, "123")
    assert cli("export", "roster", "--data-dir", str(demo_store.root), "--out", str(out), "--password") == 2
    assert "至少 6 个字符" in capsys.readouterr().err
    assert not out.exists()
