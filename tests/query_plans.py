"""The query plans of what the application sends to SQLite: for the tests that hold a read
to its indexes (on the encrypted store every row page read is decrypted)."""
from __future__ import annotations

from carecenter.bench import SqlTrace
from carecenter.db.database import db


def plans(call, table: str) -> list[list[str]]:
    """The ``EXPLAIN QUERY PLAN`` lines of each statement ``call`` sends that names ``table``."""
    with SqlTrace() as trace:
        call()
    return [[row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql)]
            for sql in trace.statements if table in sql]
