"""The migrated schema and the peewee models agree (carecenter/db/models.py docstring).

For every model: columns (name, type affinity, NOT NULL, primary key), the database-side
default against the model's Python default, indexes (columns + uniqueness) and foreign
keys of the migrated file equal what peewee would create from the model.
"""
from __future__ import annotations

import difflib
import pprint
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)

import pytest
from peewee import SqliteDatabase

from carecenter.db.database import close_database
from carecenter.db.models import ALL_MODELS


def affinity(declared: str) -> str:
    """SQLite's column affinity rules (https://sqlite.org/datatype3.html §3.1)."""
    t = (declared or "").upper()
    if "INT" in t:
        return "INTEGER"
    if any(k in t for k in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not t or "BLOB" in t:
        return "BLOB"
    if any(k in t for k in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def describe(con, table: str) -> dict:
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    # sorted by name: a column added later by ALTER TABLE lands at the end, which is fine
    columns = sorted((name, affinity(ctype), bool(notnull), bool(pk))
                     for _cid, name, ctype, notnull, _dflt, pk in q(f'PRAGMA table_info("{table}")'))
    indexes = set()
    for _seq, name, unique, origin, _partial in q(f'PRAGMA index_list("{table}")'):
        if origin == "pk":
            continue
        cols = tuple(r[2] for r in q(f'PRAGMA index_info("{name}")'))
        indexes.add((name if origin == "c" else f"<{origin}>", cols, bool(unique)))
    fks = sorted((r[3], r[2], r[4], r[5], r[6]) for r in q(f'PRAGMA foreign_key_list("{table}")'))
    return {"columns": columns, "indexes": sorted(indexes), "foreign_keys": fks}


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    from carecenter.app import open_store
    from carecenter.paths import DataPaths

    paths = DataPaths(tmp_path_factory.mktemp("schema") / "data")
    open_store(paths)
    close_database()
    migrated = sqlite3.connect(str(paths.database))

    mem = SqliteDatabase(":memory:")
    with mem.bind_ctx(ALL_MODELS):
        mem.create_tables(ALL_MODELS)
        modelled = mem.connection()
        out = {}
        for model in ALL_MODELS:
            table = model._meta.table_name
            out[table] = (describe(migrated, table), describe(modelled, table),
                          _db_defaults(migrated, table))
    mem.close()
    migrated.close()
    return out


def _db_defaults(con, table: str) -> dict:
    return {name: dflt for _cid, name, _t, _nn, dflt, _pk in con.execute(f'PRAGMA table_info("{table}")')
            if dflt is not None}


def _diff(a, b) -> str:
    return "\n".join(difflib.unified_diff(pprint.pformat(a, width=100).splitlines(),
                                          pprint.pformat(b, width=100).splitlines(),
                                          "migrated database", "peewee models", lineterm=""))


@pytest.mark.parametrize("model", ALL_MODELS, ids=[m.__name__ for m in ALL_MODELS])
def test_migrated_table_matches_model(model, schemas):
    migrated, modelled, _ = schemas[model._meta.table_name]
    for part in ("columns", "indexes", "foreign_keys"):
        assert migrated[part] == modelled[part], (
            f"{model.__name__} {part} differ between the migrations and models.py:\n"
            + _diff(migrated[part], modelled[part]))


def _literal(sql_default: str):
    text = sql_default.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    try:
        return int(text)
    except ValueError:
        return float(text)


@pytest.mark.parametrize("model", ALL_MODELS, ids=[m.__name__ for m in ALL_MODELS])
def test_database_defaults_match_model_defaults(model, schemas):
    """A DEFAULT written in a migration must be the model's own default, so rows written
    by raw SQL (imports, migrations) and by peewee look the same."""
    _, _, defaults = schemas[model._meta.table_name]
    fields = {f.column_name: f for f in model._meta.sorted_fields}
    wrong = {}
    for column, sql_default in defaults.items():
        field = fields[column]
        if callable(field.default) or field.default is None:
            wrong[column] = (sql_default, field.default)
            continue
        if _literal(sql_default) != field.db_value(field.default):
            wrong[column] = (sql_default, field.default)
    assert not wrong, f"{model.__name__}: DEFAULT in migration vs model default: {wrong}"


def test_every_model_table_exists(schemas):
    for model in ALL_MODELS:
        migrated, _, _ = schemas[model._meta.table_name]
        assert migrated["columns"], f"table {model._meta.table_name} missing from the migrated database"
