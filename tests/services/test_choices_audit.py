"""Pick lists kept as data (services/choices.py) and the audit trail helpers (services/audit.py)."""
from __future__ import annotations

import getpass
import json
from datetime import date, datetime

from carecenter.db.models import AuditLog, Choice
from carecenter.paths import resource_path
from carecenter.services import audit, choices


def test_seeded_on_first_open_from_the_national_preset(store):
    preset = json.loads(resource_path("presets", "national", "choices.json").read_text(encoding="utf-8"))
    lists = choices.all_lists()
    for category, values in preset.items():
        if category.startswith("_"):
            continue
        assert lists[category] == values, category
    # DOMAIN.md §1 counts
    assert len(lists["political_status"]) == 13
    assert len(lists["ethnicity"]) == 56
    assert lists["employment_status"] == ["在职", "借调", "挂职", "驻村", "调离", "退休", "离休"]
    assert choices.seed_if_empty() == 0  # never seeded twice


def test_values_in_order_without_archived(store):
    assert choices.values("sex") == ["男", "女"]
    Choice.update(archived=True).where((Choice.category == "sex") & (Choice.value == "女")).execute()
    assert choices.values("sex") == ["男"]
    assert choices.all_lists()["sex"] == ["男"]
    assert choices.values("no-such-list") == []


def test_seed_from_another_preset_file(store, tmp_path):
    Choice.delete().execute()
    preset = tmp_path / "choices.json"
    preset.write_text(json.dumps({"_note": "x", "sex": ["女", "男"], "relation": ["配偶"]}), encoding="utf-8")
    assert choices.seed_if_empty(preset) == 3
    assert choices.all_lists() == {"relation": ["配偶"], "sex": ["女", "男"]}


def test_diff_plain_values():
    old = {"a": 1, "b": date(2020, 1, 1), "c": "x", "d": None}
    new = {"a": 1, "b": date(2020, 1, 2), "c": "x", "d": "", "e": datetime(2020, 1, 1, 8, 0)}
    assert audit.diff(old, new) == {"b": ["2020-01-01", "2020-01-02"], "d": [None, ""],
                                    "e": [None, "2020-01-01T08:00:00"]}
    assert audit.diff(old, old) == {}
    # a date and its ISO string are the same value
    assert audit.diff({"b": date(2020, 1, 1)}, {"b": "2020-01-01"}) == {}


def test_record_and_history(store, monkeypatch):
    # "who" is the signed-in account, never an environment variable (issue 10)
    for var in ("LOGNAME", "USER", "USERNAME"):
        monkeypatch.setenv(var, "张会计")
    before = AuditLog.select().count()  # first-run rule presets are audited too
    audit.record("create", "cadre", "u1", "张三" * 200, {"name": [None, "张三"]})
    audit.record("print", "cadre", "u1", "打印个人关爱档案")
    audit.record("view", "cadre", "u2", "")
    rows = audit.history("u1")
    assert [r[2] for r in rows] == ["print", "create"]
    at, user, action, summary, changes = rows[1]
    assert user == "tester（测试员）"
    assert isinstance(at, datetime)
    assert len(summary) == 200
    assert changes == {"name": [None, "张三"]}
    assert rows[0][4] == {}
    assert AuditLog.select().count() == before + 3


def test_current_user_without_anyone_signed_in(monkeypatch):
    from carecenter.security import access

    monkeypatch.setattr(getpass, "getuser", lambda: "someone")
    access.set_actor(None)
    assert audit.current_user() == "系统"
