"""ARCHITECTURE.md: imports flow ui → services → db, domain; nothing below ui loads Qt.

Imports every non-ui module in a fresh interpreter and asserts no PySide6 module got loaded.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT_FREE_PACKAGES = ["domain", "db", "services", "reports", "exchange", "security"]

PROBE = r"""
import importlib, json, pkgutil, sys
import carecenter
names = ["carecenter", "carecenter.cli", "carecenter.app", "carecenter.paths",
         "carecenter.db.models", "carecenter.db.queries", "carecenter.db.database"]
for pkg in %(packages)r:
    name = "carecenter." + pkg
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError:
        continue
    names.append(name)
    for info in pkgutil.walk_packages(module.__path__, name + "."):
        names.append(info.name)
imported, failed = [], {}
for name in names:
    try:
        importlib.import_module(name)
        imported.append(name)
    except Exception as exc:
        failed[name] = repr(exc)
qt = sorted(m for m in sys.modules if m.startswith("PySide6") or m.startswith("shiboken6"))
print(json.dumps({"imported": imported, "failed": failed, "qt": qt}))
"""


def _run_probe() -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE % {"packages": QT_FREE_PACKAGES}],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_non_ui_packages_do_not_load_qt():
    result = _run_probe()
    assert result["qt"] == [], f"Qt loaded by a non-ui import: {result['qt']}"
    assert result["failed"] == {}, result["failed"]
    imported = set(result["imported"])
    for must in ["carecenter.domain", "carecenter.domain.idcard", "carecenter.domain.pinyin",
                 "carecenter.domain.dates", "carecenter.domain.roster", "carecenter.db",
                 "carecenter.db.models", "carecenter.db.queries", "carecenter.services",
                 "carecenter.services.roster", "carecenter.services.demo", "carecenter.services.audit",
                 "carecenter.services.choices", "carecenter.cli", "carecenter.app"]:
        assert must in imported


def test_domain_imports_nothing_else_of_the_project():
    """domain imports nothing of the project but domain (ARCHITECTURE.md)."""
    import ast

    offenders = []
    for path in sorted((ROOT / "carecenter" / "domain").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level >= 2 or (node.level == 0 and (node.module or "").startswith("carecenter")
                                       and not (node.module or "").startswith("carecenter.domain")):
                    offenders.append(f"{path.name}: from {'.' * node.level}{node.module or ''}")
                if node.level == 0 and (node.module or "").split(".")[0] in {"peewee", "playhouse", "PySide6"}:
                    offenders.append(f"{path.name}: from {node.module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if top in {"peewee", "playhouse", "PySide6"} or (
                            alias.name.startswith("carecenter") and not alias.name.startswith("carecenter.domain")):
                        offenders.append(f"{path.name}: import {alias.name}")
    assert offenders == []


def test_services_and_db_do_not_import_reports_exchange_or_ui():
    """Imports flow ui → services → db, domain; reports and exchange sit above the services
    (ARCHITECTURE.md), so nothing in services/ or db/ imports them (the printing service
    gets its layouts from the composition root, app.open_store)."""
    import ast

    offenders = []
    for package in ("services", "db"):
        for path in sorted((ROOT / "carecenter" / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    module = node.module or ""
                    target = module if node.level == 0 else ("." * node.level) + module
                    if any(part in {"reports", "exchange", "ui"} for part in target.lstrip(".").split(".")[:2]) \
                            and (node.level >= 2 or module.startswith("carecenter.")):
                        offenders.append(f"{path.relative_to(ROOT)}: from {target}")
                    if node.level == 2 and module == "" and any(a.name in {"reports", "exchange", "ui"}
                                                                for a in node.names):
                        offenders.append(f"{path.relative_to(ROOT)}: from .. import …")
    assert offenders == []


def test_security_sits_below_the_services():
    """Crypto, accounts and keys (ARCHITECTURE.md): no Qt, no peewee, and nothing of the
    project but ``domain`` and ``security`` itself."""
    import ast

    offenders = []
    for path in sorted((ROOT / "carecenter" / "security").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 2 and not module.startswith("domain"):
                    offenders.append(f"{path.name}: from ..{module}")
                if node.level == 0 and (module.split(".")[0] in {"peewee", "playhouse", "PySide6"}
                                        or module.startswith("carecenter")):
                    offenders.append(f"{path.name}: from {module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in {"peewee", "playhouse", "PySide6", "carecenter"}:
                        offenders.append(f"{path.name}: import {alias.name}")


# ---------------------------------------------------------------- import graph

#: The composition root: it wires the packages together and hands down what they need
#: (``app.open_store`` hands ``printing`` its layouts and ``backup`` its reopen function;
#: ``cli`` hands ``bench`` the GUI figures).  ``ui.application`` is the GUI half of it.
ROOT_MODULES = {"carecenter.cli", "carecenter.app", "carecenter.__main__", "carecenter.bench",
                "carecenter.ui.application"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Every module of carecenter → the carecenter modules it imports anywhere in its text
    (function-level and TYPE_CHECKING imports included: a lazy import is still a dependency)."""
    import ast

    files = {_module_name(p): p for p in (ROOT / "carecenter").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[:len(package) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    if f"{target}.{alias.name}" in files:
                        deps.add(f"{target}.{alias.name}")
                    elif target in files:
                        deps.add(target)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names if alias.name in files)
        deps.discard(name)
        graph[name] = deps
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return cycles


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    """No two modules of the project import each other, directly or round a circle (the
    circles app ↔ exchange.backup ↔ ui.application, exchange.importer ↔ exchange.xlsx_writer
    and services.allowance ↔ services.demo were broken by handing things down)."""
    graph = import_graph()
    assert "carecenter.exchange.backup" in graph and graph["carecenter.app"]   # the walk saw the tree
    assert import_cycles(graph) == []


def test_feature_packages_never_import_the_composition_root():
    """domain, db, services, reports, exchange and ui get what they need from the root handed
    down (a function, a path, a factory); they never import carecenter.cli or carecenter.app."""
    graph = import_graph()
    offenders = sorted(f"{module} → {dep}" for module, deps in graph.items()
                       if module not in ROOT_MODULES and module != "carecenter"
                       for dep in deps if dep in {"carecenter.cli", "carecenter.app"})
    assert offenders == []
