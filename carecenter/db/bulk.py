"""Bulk inserts straight through sqlite3, for generated data (the demo database, the benchmark):
peewee's insert_many is too slow for 50,000 rows."""
from __future__ import annotations

from datetime import date, datetime

from .database import db


def _sql_value(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    return v


def bulk_insert(table: str, rows: list[dict]) -> None:
    """executemany ``rows`` (dicts with the same keys, the column names) into ``table``."""
    if not rows:
        return
    cols = list(rows[0])
    sql = 'INSERT INTO "%s" (%s) VALUES (%s)' % (
        table, ", ".join(f'"{c}"' for c in cols), ", ".join("?" for _ in cols))
    db.connection().executemany(sql, [[_sql_value(r[c]) for c in cols] for r in rows])
