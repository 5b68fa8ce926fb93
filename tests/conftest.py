"""Shared fixtures: headless Qt, a private home folder, a fresh migrated store.

``QT_QPA_PLATFORM`` is assigned (not setdefault) at import time so no test ever
tries to reach a real display, whatever the developer's shell exports.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

# The repository root, so ``import carecenter`` works without installing the package.
REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import pytest  # noqa: E402

_HOME_VARS = {
    "HOME": "home",
    "USERPROFILE": "home",
    "XDG_DATA_HOME": "home/.local/share",
    "XDG_CONFIG_HOME": "home/.config",
    "XDG_CACHE_HOME": "home/.cache",
    "APPDATA": "home/AppData/Roaming",
    "LOCALAPPDATA": "home/AppData/Local",
}


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    """Point every per-user folder at tmp_path so no test touches the real home."""
    base = tmp_path / "_env"
    for var, rel in _HOME_VARS.items():
        folder = base / rel
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(folder))
    runtime = base / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)  # Qt warns about a runtime dir with looser permissions
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    if not sys.platform.startswith("linux"):
        # platformdirs asks the OS (not the environment) on Windows and macOS: keep it in tmp too
        import carecenter.paths as paths_module

        data_home = base / _HOME_VARS["XDG_DATA_HOME"]
        monkeypatch.setattr(paths_module, "user_data_dir",
                            lambda appname=None, appauthor=None, *a, **k: str(data_home / (appname or "")))
    yield base / "home"


def _tester():
    from carecenter.security import access

    return access.Actor(login="tester", display_name="测试员", permissions=frozenset(access.PERMISSIONS),
                        roles=("admin", "clerk", "head", "mental", "auditor"))


@pytest.fixture(scope="session", autouse=True)
def _session_actor():
    """Module-scoped fixtures build their data as the test account too."""
    from carecenter.security import access

    access.set_actor(_tester())
    yield
    access.set_actor(None)


@pytest.fixture(autouse=True)
def actor():
    """Every test acts as a signed-in account holding every permission (tests of the
    permission checks set another actor); the test account is restored afterwards."""
    from carecenter.security import access

    who = _tester()
    access.set_actor(who)
    yield who
    access.set_actor(who)


TEST_PASSWORD = "Demo@2026"


def add_accounts() -> None:
    """The demo accounts (admin, shenji, jingban, fuzeren, xinli) plus ``tester`` holding
    every preset role, all with TEST_PASSWORD: for tests that go through sign-in (the
    command line, the sign-in window)."""
    import json

    from carecenter.db.models import Account
    from carecenter.security import access, passwords
    from carecenter.services import accounts

    with access.acting_as(access.system_actor("测试准备")):
        accounts.create_demo_accounts()
        if not Account.select().where(Account.login == "tester").exists():
            Account.create(login="tester", display_name="测试员", roles=json.dumps(
                ["admin", "auditor", "clerk", "head", "mental"]), unit_ids="", enabled=True,
                password_hash=passwords.hash_password(TEST_PASSWORD), must_change=False, password_history="[]",
                password_set_at=accounts.clock())


def signed_in_cli(args, user: str = "tester") -> list[str]:
    """``args`` of a headless command with the global ``--user`` in front."""
    return ["--user", user, *args]


@pytest.fixture
def cli_password(monkeypatch):
    """Headless commands read the password from CARECENTER_PASSWORD (no terminal here)."""
    monkeypatch.setenv("CARECENTER_PASSWORD", TEST_PASSWORD)
    return TEST_PASSWORD


@pytest.fixture
def store(tmp_path):
    """A fresh, migrated, seeded database in tmp_path/data; yields its DataPaths."""
    import carecenter.db.queries as q
    from carecenter.app import open_store
    from carecenter.db.database import close_database
    from carecenter.paths import DataPaths

    paths = DataPaths(tmp_path / "data")
    q.invalidate_units()
    open_store(paths)
    try:
        yield paths
    finally:
        close_database()
        q.invalidate_units()


@pytest.fixture
def unit(store):
    """One active unit; returns its id."""
    from carecenter.services import roster

    return roster.save_unit({"name": "城关镇党政办", "kind": "党委", "township": "城关镇",
                             "township_category": "镇"}).id


# ------------------------------------------------------------------ roster helpers

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id_number(birth: str = "19900315", seq: int = 1, region: str = "330328") -> str:
    """A valid 18-character ID (DOMAIN.md §1 MOD 11-2); odd seq = male, even = female."""
    body = f"{region}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11]


def cadre_record(unit, **over):
    """A complete, valid cadre record as the edit dialog would hand it to the service."""
    base = {
        "name": "张三", "sex": "", "ethnicity": "汉族", "id_number": make_id_number("19900315", 11),
        "birth_date": None, "native_place": "浙江温州", "political_status": "中共党员",
        "party_join_date": None, "education_fulltime": "本科", "degree_fulltime": "学士",
        "education_inservice": "", "degree_inservice": "", "marital_status": "已婚", "only_child": False,
        "phone": "13800138000", "emergency_contact": "李四", "emergency_phone": "13900139000",
        "unit_id": unit, "post": "党政办科员", "leadership_level": "无", "rank": "一级科员",
        "pay_grade": 24, "personnel_status": "公务员", "position_category": "综合管理类",
        "employment_status": "在职", "work_start_date": None, "township_start_date": None,
        "current_post_date": None, "notes": "",
    }
    base.update(over)
    return base


@pytest.fixture
def make_id():
    return make_id_number


@pytest.fixture
def cadre_data(unit):
    """Builder for valid cadre records in the ``unit`` fixture's unit."""
    return lambda **over: cadre_record(unit, **over)


def one_unit_for_cli(store) -> Path:
    """The store with one unit and the test accounts, closed so a command-line child process
    can open it; returns its data folder."""
    from carecenter.db.database import close_database
    from carecenter.services import roster

    roster.save_unit({"name": "城关镇人民政府", "kind": "政府", "township": "城关镇", "township_category": "镇"})
    add_accounts()
    close_database()
    return store.root


def foreign_sqlite(path, ddl: str):
    """An SQLite file of another program: one table made by ``ddl``."""
    from carecenter.db.engine import sqlite as sqlite3

    con = sqlite3.connect(str(path))
    con.execute(ddl)
    con.commit()
    con.close()
    return path


def keyed_connect(db_path, login: str = "admin", password: str = "Demo@2026", **kwargs):
    """A connection to an encrypted database of ours (a demo's, by default), keyed through
    the key file beside it with an account's password — as the program opens it."""
    from pathlib import Path

    from carecenter.db import engine
    from carecenter.security import keys

    db_path = Path(db_path)
    key = keys.KeyFile.load(keys.key_file_for(db_path)).unlock(login, password)
    return engine.connect(db_path, key, **kwargs)
