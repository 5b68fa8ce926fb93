"""The audit trail's hash chain (issue 10): append, chain and verify.  No Qt, no peewee.

Each audit row carries ``prev_hash`` (the previous row's hash) and ``row_hash`` =
SHA-256 over ``prev_hash`` and the row's canonical content (id, time, who, action,
table, record, cadre, summary, changes).  Editing a row breaks its own hash,
deleting or inserting a row breaks the link of the row after it, and deleting rows
at the end leaves ``sqlite_sequence`` (AUTOINCREMENT) ahead of the last id.  SQLite
triggers refuse UPDATE and DELETE on the table, so the application itself cannot
change a row; the chain shows what was done around it with raw SQL.

Works on any DB-API connection (sqlite3 or the peewee connection), so the restore
can carry rows into a database that is not open in peewee.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

GENESIS = "0" * 64
COLUMNS = ("id", "at", "user", "action", "table", "record_uuid", "cadre_uuid", "summary", "changes")
_SELECT = ('SELECT "id", "at", "user", "action", "table", "record_uuid", "cadre_uuid", "summary", "changes", '
           '"prev_hash", "row_hash" FROM "audit_log"')


def printable(value) -> str:
    """Text as it can be stored and shown: lone surrogates (a file name in a legacy
    encoding, decoded with surrogateescape) become visible escapes instead of failing."""
    text = "" if value is None else str(value)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def canonical(row: Sequence) -> bytes:
    """The bytes a row's hash covers: each field length-prefixed, so no two rows share them."""
    return "|".join(f"{len(s)}:{s}" for s in (str(v) for v in row)).encode("utf-8")


def row_hash(prev_hash: str, row: Sequence) -> str:
    h = hashlib.sha256(prev_hash.encode("ascii"))
    h.update(b"\n")
    h.update(canonical(row))
    return h.hexdigest()


def _head(con) -> tuple[int, str]:
    """(last id used, its hash): the id from sqlite_sequence so ids never repeat."""
    last = con.execute('SELECT "id", "row_hash" FROM "audit_log" ORDER BY "id" DESC LIMIT 1').fetchone()
    seq = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    last_id = max(last[0] if last else 0, seq[0] if seq else 0)
    return last_id, (last[1] if last else GENESIS) or GENESIS


def append(con, rows: Iterable[Sequence]) -> int:
    """Append rows (at, user, action, table, record_uuid, cadre_uuid, summary, changes) to
    the chain, inside the caller's transaction.  Returns the last id written."""
    last_id, prev = _head(con)
    out = []
    for at, user, action, table, record_uuid, cadre_uuid, summary, changes in rows:
        last_id += 1
        values = (last_id, printable(at), printable(user), printable(action), printable(table),
                  printable(record_uuid), printable(cadre_uuid), printable(summary), printable(changes))
        digest = row_hash(prev, values)
        out.append(values + (prev, digest))
        prev = digest
    if out:
        con.executemany(
            'INSERT INTO "audit_log" ("id", "at", "user", "action", "table", "record_uuid", "cadre_uuid", '
            '"summary", "changes", "prev_hash", "row_hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', out)
    return last_id


def chain_existing(con) -> int:
    """Give every row without a hash its place in the chain (the migration's one-off step)."""
    prev = GENESIS
    updates = []
    for row in con.execute(_SELECT + ' ORDER BY "id"'):
        values = tuple("" if v is None else v for v in row[:9])
        digest = row_hash(prev, values)
        updates.append((prev, digest, row[0]))
        prev = digest
    con.executemany('UPDATE "audit_log" SET "prev_hash" = ?, "row_hash" = ? WHERE "id" = ?', updates)
    return len(updates)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    first_bad_id: int | None = None
    reason: str = ""
    last_id: int = 0

    @property
    def message(self) -> str:
        if self.ok:
            return f"审计日志完整：共 {self.rows} 行，哈希链校验一致。"
        where = f"第 {self.first_bad_id} 号记录" if self.first_bad_id is not None else "日志末尾"
        return f"审计日志校验未通过：{where}{self.reason}。此后的记录无法证明未被改动，请报告安全审计员。"


def _canonical_sql() -> str:
    """``canonical`` computed by SQLite: one text column per row instead of nine, so a
    walk over a million rows moves a third of the data into Python."""
    parts = []
    for c in COLUMNS:
        v = f'coalesce("{c}", \'\')'
        parts.append(f"length({v}) || ':' || {v}")
    return " || '|' || ".join(parts)


_VERIFY = f'SELECT "id", "prev_hash", "row_hash", {_canonical_sql()} FROM "audit_log" ORDER BY "id"'


def verify(con, progress: Callable[[int, int], None] | None = None, check: Callable[[], None] | None = None,
           ) -> ChainReport:
    """Walk the whole chain; report the first row where it breaks."""
    total = con.execute('SELECT count(*) FROM "audit_log"').fetchone()[0]
    prev = GENESIS
    prev_id = None
    n = 0
    sha256 = hashlib.sha256
    cur = con.execute(_VERIFY)
    while True:
        batch = cur.fetchmany(20000)
        if not batch:
            break
        for row_id, stored_prev, stored, canon in batch:
            if stored_prev != prev:
                reason = ("之前的记录被删除或插入了记录" if prev_id is not None else "不是日志的第一条（之前的记录被删除）")
                return ChainReport(False, total, row_id, reason, prev_id or 0)
            if sha256(f"{prev}\n{canon}".encode("utf-8")).hexdigest() != stored:
                return ChainReport(False, total, row_id, "的内容被改动过", prev_id or 0)
            prev, prev_id = stored, row_id
            n += 1
        if progress:
            progress(n, total)
        if check:
            check()
    seq = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").fetchone()
    if seq and prev_id is not None and seq[0] > prev_id:
        return ChainReport(False, total, None, f"的 {seq[0] - prev_id} 条记录被删除（最后一条应为第 {seq[0]} 号）",
                           prev_id)
    if seq and prev_id is None and seq[0] > 0:
        return ChainReport(False, total, None, f"的全部 {seq[0]} 条记录被删除", 0)
    return ChainReport(True, total, None, "", prev_id or 0)


def rows_after(con, after_id: int) -> list[tuple]:
    """Rows with id > after_id, in order, as stored (for carrying them over on restore)."""
    return con.execute(_SELECT + ' WHERE "id" > ? ORDER BY "id"', (after_id,)).fetchall()


def hash_of(con, row_id: int) -> str | None:
    row = con.execute('SELECT "row_hash" FROM "audit_log" WHERE "id" = ?', (row_id,)).fetchone()
    return row[0] if row else None


def copy_verbatim(con, rows: Iterable[Sequence]) -> None:
    """Insert rows exactly as they were stored elsewhere (same ids and hashes): used when
    the target's chain is a prefix of the source's, so the chain stays valid."""
    con.executemany(
        'INSERT INTO "audit_log" ("id", "at", "user", "action", "table", "record_uuid", "cadre_uuid", '
        '"summary", "changes", "prev_hash", "row_hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [tuple(r) for r in rows])
