"""Permissions are enforced in the services and named queries, not only by hiding
buttons (issue 10): every public function declares what it needs, and for every
permission a use case that needs it is refused without it and allowed with it."""
from __future__ import annotations

import importlib
import inspect
from datetime import date

import pytest

from carecenter.domain.errors import DomainError
from carecenter.security import access
from carecenter.security.access import Actor, PermissionDenied

MODULES = ["carecenter.services." + m for m in (
    "roster", "leave", "health", "welfare", "allowance", "printing", "exports", "home", "choices", "values",
    "demo", "demo_care", "print_data", "print_format", "audit", "accounts", "exchange_setup", "exchange_pack",
    "county", "figures")] + ["carecenter.db.queries"]


@pytest.mark.parametrize("module_name", MODULES)
def test_every_public_function_declares_its_permission(module_name):
    module = importlib.import_module(module_name)
    undeclared = []
    for name, obj in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
            continue
        if not (hasattr(obj, "permissions") or hasattr(obj, "exempt")):
            undeclared.append(name)
    assert undeclared == [], f"{module_name}: declare @requires(...) or @exempt(...) on {undeclared}"


def only(*permissions: str, units=None) -> Actor:
    return Actor("probe", "探针", frozenset(permissions), unit_ids=units)


@pytest.fixture
def world(store, cadre_data):
    """A cadre, a leave record, a check and a welfare record to act on."""
    from carecenter.app import seed_rule_tables
    from carecenter.services import roster

    seed_rule_tables()
    cid = roster.save_cadre(cadre_data(work_start_date=date(2010, 7, 1))).id
    return {"cadre": cid}


def _leave_input(cid):
    from carecenter.services import leave

    return leave.LeaveInput(cadre_id=cid, type_code="sick", start_date=date(2026, 3, 2), end_date=date(2026, 3, 3))


# permission → a call that needs it (and nothing the probe lacks besides what is listed with it)
CASES = {
    "roster.read": (("roster.read",), lambda w: __import__("carecenter.services.roster", fromlist=["x"]).get_cadre(w["cadre"])),
    "roster.edit": (("roster.edit",), lambda w: __import__("carecenter.services.roster", fromlist=["x"]).save_unit(
        {"name": "新单位", "kind": "政府", "township": "城关镇", "township_category": "镇"})),
    "id.reveal": (("id.reveal",), lambda w: __import__("carecenter.services.roster", fromlist=["x"]).record_id_viewed(w["cadre"])),
    "leave.read": (("leave.read",), lambda w: __import__("carecenter.services.leave", fromlist=["x"]).cadre_leaves(w["cadre"])),
    "leave.edit": (("leave.edit",), lambda w: __import__("carecenter.services.leave", fromlist=["x"]).save_leave(_leave_input(w["cadre"]))),
    "health.read": (("health.read",), lambda w: __import__("carecenter.services.health", fromlist=["x"]).cadre_health(w["cadre"], date(2026, 6, 1))),
    "health.edit": (("health.edit",), lambda w: __import__("carecenter.services.health", fromlist=["x"]).save_check(
        __import__("carecenter.services.health", fromlist=["x"]).CheckInput(
            cadre_id=w["cadre"], check_date=date(2026, 5, 6), package="常规体检", institution="县人民医院"),
        today=date(2026, 6, 1))),
    "mental.read": (("mental.read",), lambda w: __import__("carecenter.services.health", fromlist=["x"]).mental_records(
        w["cadre"], confidential_ok=True, purpose="复核")),
    "mental.edit": (("mental.edit",), lambda w: __import__("carecenter.services.health", fromlist=["x"]).save_mental(
        __import__("carecenter.services.health", fromlist=["x"]).MentalInput(
            cadre_id=w["cadre"], kind="评估", record_date=date(2026, 5, 6), scale="PHQ-9", score=3,
            consent_date=date(2026, 5, 6), consent_scope="心理评估"), today=date(2026, 6, 1))),
    "welfare.read": (("welfare.read",), lambda w: __import__("carecenter.services.welfare", fromlist=["x"]).cadre_welfare(w["cadre"])),
    "welfare.edit": (("welfare.edit",), lambda w: __import__("carecenter.services.welfare", fromlist=["x"]).save_budget(
        "工会经费", 2026, "10000")),
    "allowance.read": (("allowance.read",), lambda w: __import__("carecenter.services.allowance", fromlist=["x"]).cadre_history(w["cadre"])),
    "allowance.edit": (("allowance.edit", "allowance.read"), lambda w: __import__("carecenter.services.allowance", fromlist=["x"]).generate_month(date(2026, 11, 1))),
    "allowance.lock": (("allowance.lock", "allowance.edit", "allowance.read"), lambda w: (
        __import__("carecenter.services.allowance", fromlist=["x"]).generate_month(date(2026, 10, 1)),
        __import__("carecenter.services.allowance", fromlist=["x"]).lock_month(date(2026, 10, 1)))),
    "print": (("print", "roster.read", "leave.read", "health.read", "welfare.read", "allowance.read"),
              lambda w: __import__("carecenter.services.printing", fromlist=["x"]).care_record(
                  w["cadre"], date(2026, 1, 1), date(2026, 12, 31))),
    "export": (("export", "roster.read"), lambda w: _export(w, False)),
    "export.sensitive": (("export", "export.sensitive", "roster.read"), lambda w: _export(w, True)),
    "import": (("import", "roster.edit", "roster.read"), lambda w: _import(w)),
    "settings.edit": (("settings.edit",), lambda w: __import__("carecenter.services.printing", fromlist=["x"]).set_unit_name("青岭镇")),
    "backup": (("backup",), lambda w: _backup(w)),
    "accounts.manage": (("accounts.manage",), lambda w: __import__("carecenter.services.accounts", fromlist=["x"]).list_accounts()),
    "audit.read": (("audit.read",), lambda w: __import__("carecenter.services.audit", fromlist=["x"]).verify()),
    "audit.export": (("audit.read", "audit.export"), lambda w: _audit_export(w)),
    "exchange.pack": (("exchange.pack",), lambda w: __import__("carecenter.services.exchange_pack", fromlist=["x"]).pack(
        2026, out=w["tmp"] / "x.ccx")),
    "county.read": (("county.read",), lambda w: __import__("carecenter.services.county", fromlist=["x"]).summary(2026)),
    "county.receive": (("county.receive",), lambda w: __import__("carecenter.services.county", fromlist=["x"]).receive(
        w["tmp"] / "x.ccx")),
}


def _export(w, confidential):
    from carecenter.db import queries
    from carecenter.exchange.export import export_list
    from carecenter.services import exports

    return export_list("roster", w["tmp"] / "r.xlsx", exports.RosterQuery(queries.RosterFilter()),
                       include_confidential=confidential)


def _import(w):
    from carecenter.exchange import importer
    from tests.exchange.test_importer_support import workbook

    path = workbook(w["tmp"] / "名册.xlsx", [["姓名", "身份证号码", "工作单位"],
                                             ["王伟", "330328199003150119", "城关镇党政办"]])
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    return importer.run_import(pre)


def _backup(w):
    from carecenter.exchange import backup

    return backup.backup_now(w["paths"])


def _audit_export(w):
    from carecenter.exchange import audit_export
    from carecenter.services import audit

    return audit_export.export_audit(audit.AuditFilter(), w["tmp"] / "audit.xlsx")


def test_every_permission_has_a_case():
    assert set(CASES) == set(access.PERMISSIONS)


@pytest.mark.parametrize("permission", sorted(CASES))
def test_refused_without_the_permission_and_allowed_with_it(permission, world, store, tmp_path):
    needs, call = CASES[permission]
    world = dict(world, tmp=tmp_path, paths=store)
    lacking = only(*[p for p in needs if p != permission])
    with access.acting_as(lacking), pytest.raises(PermissionDenied) as err:
        call(world)
    assert err.value.permission == permission
    assert access.PERMISSIONS[permission] in err.value.message and "请联系系统管理员" in err.value.message
    with access.acting_as(only(*needs)):
        try:
            call(world)
        except PermissionDenied as denied:  # pragma: no cover - the failure message
            pytest.fail(f"{permission}: refused with every permission it needs: {denied.message}")
        except DomainError:
            pass   # allowed through the check; a rule of the use case itself may still say no


def test_nobody_signed_in_is_refused(world):
    from carecenter.db import queries
    from carecenter.services import roster

    with access.acting_as(None):
        with pytest.raises(access.NotSignedIn):
            roster.get_cadre(world["cadre"])
        with pytest.raises(access.NotSignedIn):
            queries.roster_count(queries.RosterFilter())


def test_the_preset_roles_follow_the_three_officer_split(store):
    from carecenter.services import accounts

    roles = {r["code"]: set(r["permissions"]) for r in accounts.list_roles()}
    assert roles["admin"] == {"accounts.manage", "settings.edit", "backup"}          # no business data
    assert roles["auditor"] == {"audit.read", "audit.export"}
    assert "mental.read" not in roles["clerk"] and "export.sensitive" not in roles["clerk"]
    assert {"allowance.lock", "export.sensitive"} <= roles["head"] and not any(
        p.endswith(".edit") for p in roles["head"])
    assert [c for c, perms in roles.items() if "mental.read" in perms] == ["mental"]
    assert [c for c, perms in roles.items() if "county.receive" in perms] == ["clerk"]
    assert [c for c, perms in roles.items() if "exchange.pack" in perms] == ["clerk", "head"]
    for perms in roles.values():
        assert perms <= set(access.PERMISSIONS)
