"""Named reads for lists: pages of plain tuples, filtered and sorted in SQL.

Table models ask for pages (``LIMIT/OFFSET``) and never hold peewee objects.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

from .database import db
from ..security import access
from ..security.access import exempt, requires

ROSTER_COLUMNS = ["name", "sex", "age", "unit", "post", "rank", "category", "phone", "status"]
# sort key -> SQL expression (age sorts by birth date, youngest = latest birth)
_ROSTER_SORT = {
    "name": "c.name_sort",
    "sex": "c.sex",
    "age": "c.birth_date",
    "unit": "u.name",
    "post": "c.post",
    "rank": "c.rank",
    "category": "c.position_category",
    "phone": "c.phone",
    "status": "c.employment_status",
}
_AGE_REVERSED = {"age"}


@dataclass(frozen=True)
class RosterFilter:
    text: str = ""
    unit_id: int | None = None
    category: str = ""
    status: str = ""
    include_archived: bool = False


def _search_clause(text: str) -> tuple[str, list]:
    q = unicodedata.normalize("NFKC", text).strip()
    if not q:
        return "", []
    if q.replace("x", "").replace("X", "").isdigit():
        # tail of the ID number or of the phone number
        tail = q.upper()
        return "(c.id_number LIKE ? OR c.phone LIKE ?)", [f"%{tail}", f"%{q}"]
    if q.isascii() and q.isalpha():
        return "c.name_initials LIKE ?", [f"% {q.lower()}%"]
    return "instr(c.name, ?) > 0", [q]


def _scan_hint(f: "RosterFilter", sort: str = "name") -> str:
    """How the roster reads cadres while searching: through the narrow ``cadre_search``
    index (name, initials, ID number, phone in name order; migration 0008), which
    both filters and, in name order, yields the first page without sorting.  For
    other orders a plain scan and a sort of the few matches is best."""
    if not unicodedata.normalize("NFKC", f.text).strip():
        return ""
    return " INDEXED BY cadre_search" if sort == "name" else " NOT INDEXED"


def _where(parts: list[str], equal: list[tuple[str, object]], text: str = "",
           year_column: str = "", year: int | None = None) -> tuple[str, list]:
    """WHERE clause from fixed parts, ``column = value`` filters (skipped when the
    value is empty), an optional calendar year on a date column and the search text."""
    parts, params = list(parts), []
    if year:
        parts.append(f"{year_column} >= ? AND {year_column} <= ?")
        params += [f"{year}-01-01", f"{year}-12-31"]
    for column, value in equal:
        if value:
            parts.append(f"{column} = ?")
            params.append(value)
    clause, p = _search_clause(text)
    if clause:
        parts.append(clause)
        params += p
    scope = access.scope_sql("c.unit_id")
    if scope:
        parts.append(scope)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _scoped() -> bool:
    """Is the signed-in account limited to some units (then lists join the cadre table)?"""
    return access.unit_scope() is not None


@exempt("builds SQL text; the queries that run it declare their permissions")
def serving_where() -> str:
    """SERVING_WHERE limited to the account's unit scope (use this, not the constant)."""
    scope = access.scope_sql("c.unit_id")
    return SERVING_WHERE + (f" AND {scope}" if scope else "")


def _scope_part(parts: list[str]) -> list[str]:
    scope = access.scope_sql("c.unit_id")
    if scope:
        parts.append(scope)
    return parts


def _roster_where(f: RosterFilter) -> tuple[str, list]:
    return _where([] if f.include_archived else ["c.archived = 0"],
                  [("c.unit_id", f.unit_id), ("c.position_category", f.category),
                   ("c.employment_status", f.status)], f.text)


#: the columns of a roster row (``roster_page``); the export adds the ID number
ROSTER_SELECT = ("c.id, c.name, c.sex, c.birth_date, c.unit_id, c.post, c.rank, "
                 "c.position_category, c.phone, c.employment_status, c.archived")


@exempt('builds the SQL text the roster runs (bench floor); reads nothing')
def roster_sql(f: RosterFilter, sort: str = "name", descending: bool = False,
               offset: int = 0, limit: int = 200, select: str = ROSTER_SELECT) -> tuple[str, list, str, list]:
    """(count_sql, count_params, page_sql, page_params) — the exact statements the
    roster runs; the benchmark runs them through bare sqlite3 as the floor.
    ``limit`` -1: every row (the export); ``select``: the columns read."""
    where, params = _roster_where(f)
    searching = bool(unicodedata.normalize("NFKC", f.text).strip())
    count_sql = f"SELECT count(*) FROM cadre c{' INDEXED BY cadre_search' if searching else ''}{where}"
    expr = _ROSTER_SORT.get(sort, "c.name_sort")
    desc = descending != (sort in _AGE_REVERSED)
    order = f"{expr} {'DESC' if desc else 'ASC'}, c.id"
    join = " JOIN unit u ON u.id = c.unit_id" if sort == "unit" else ""
    page_sql = (f"SELECT {select} "
                f"FROM cadre c{_scan_hint(f, sort)}{join}{where} ORDER BY {order} LIMIT ? OFFSET ?")
    return count_sql, params, page_sql, params + [limit, offset]


@requires('roster.read')
def roster_count(f: RosterFilter) -> int:
    count_sql, params, _, _ = roster_sql(f)
    return db.execute_sql(count_sql, params).fetchone()[0]


@requires('roster.read')
def roster_page(f: RosterFilter, sort: str = "name", descending: bool = False,
                offset: int = 0, limit: int = 200, today: date | None = None) -> list[tuple]:
    """Rows: (id, name, sex, age, unit, post, rank, category, phone, status, archived)."""
    _, _, sql, params = roster_sql(f, sort, descending, offset, limit)
    rows = db.execute_sql(sql, params).fetchall()
    today = today or date.today()
    units = unit_names()
    return [_roster_row(r, today, units) for r in rows]


def _roster_row(r, today: date, units: dict[int, str]) -> tuple:
    birth = r[3] if isinstance(r[3], date) else date.fromisoformat(r[3])
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return (r[0], r[1], r[2], age, units.get(r[4], ""), r[5], r[6], r[7], r[8], r[9], bool(r[10]))


@requires('roster.read')
def roster_rows(f: RosterFilter, sort: str = "name", descending: bool = False,
                today: date | None = None) -> Iterator[tuple]:
    """Every row the roster shows for the filter and order (no paging), streamed:
    ``roster_page``'s tuple plus the full ID number last (callers mask it)."""
    _, _, sql, params = roster_sql(f, sort, descending, 0, -1, select=ROSTER_SELECT + ", c.id_number")
    today = today or date.today()
    units = unit_names()
    for r in db.execute_sql(sql, params):
        yield _roster_row(r, today, units) + (r[11],)


#: every field of a cadre record, in the order of the 干部花名册 (full roster export)
ROSTER_RECORD_FIELDS = (
    "name", "sex", "ethnicity", "id_number", "birth_date", "native_place", "political_status", "party_join_date",
    "education_fulltime", "degree_fulltime", "education_inservice", "degree_inservice", "marital_status",
    "only_child", "phone", "emergency_contact", "emergency_phone", "unit_id", "post", "leadership_level", "rank",
    "pay_grade", "personnel_status", "position_category", "employment_status", "work_start_date",
    "township_start_date", "current_post_date", "notes", "archived")


@requires('roster.read')
def roster_records(f: RosterFilter, sort: str = "name", descending: bool = False) -> Iterator[dict[str, Any]]:
    """Every field of each cadre the roster shows for the filter and order (no paging),
    streamed as dicts (dates as ``date``; ``unit_id`` as given)."""
    select = ", ".join(f"c.{k}" for k in ROSTER_RECORD_FIELDS)
    _, _, sql, params = roster_sql(f, sort, descending, 0, -1, select=select)
    date_fields = {"birth_date", "party_join_date", "work_start_date", "township_start_date", "current_post_date"}
    for r in db.execute_sql(sql, params):
        row = dict(zip(ROSTER_RECORD_FIELDS, r))
        for k in date_fields:
            v = row[k]
            if isinstance(v, str) and v:
                row[k] = date.fromisoformat(v[:10])
        yield row


_unit_cache: dict[str, dict[int, str]] = {}


@requires()
def unit_names() -> dict[int, str]:
    """id -> name; cached per database file state (cleared by ``invalidate_units``)."""
    key = db.database or ""
    if key not in _unit_cache:
        _unit_cache[key] = dict(db.execute_sql("SELECT id, name FROM unit").fetchall())
    return _unit_cache[key]


@exempt('cache reset')
def invalidate_units() -> None:
    _unit_cache.clear()


# ---------------------------------------------------------------- leave

SERVING_STATUSES = ("在职", "借调", "挂职", "驻村")
#: serving cadres read through the covering index of migration 0007: an index-only scan
#: (the planner would otherwise walk the (archived, name_sort) index row by row)
SERVING_CADRES = ("cadre c INDEXED BY "
                  "cadre_serving_list")
SERVING_WHERE = f"c.archived = 0 AND c.employment_status IN ({','.join('?' * len(SERVING_STATUSES))})"


@requires('leave.read')
def balance_cadres(unit_id: int | None = None, text: str = "") -> list[tuple]:
    """(id, name, unit_id, work_start_date) of serving, non-archived cadres."""
    parts = ["c.archived = 0", f"c.employment_status IN ({','.join('?' * len(SERVING_STATUSES))})"]
    params: list = list(SERVING_STATUSES)
    clause, p = _search_clause(text)
    if clause:
        parts.append(clause)
        params += p
    if unit_id:
        parts.append("c.unit_id = ?")
        params.append(unit_id)
    source = SERVING_CADRES if not clause else "cadre c NOT INDEXED"
    sql = (f"SELECT c.id, c.name, c.unit_id, c.work_start_date FROM {source} "
           f"WHERE {' AND '.join(_scope_part(parts))} ORDER BY c.name_sort, c.id")
    return db.execute_sql(sql, params).fetchall()


@requires('roster.read')
def cadres_by_ids(cadre_ids: list[int]) -> list[tuple]:
    """``balance_cadres`` rows for the given cadres that are serving, by name."""
    if not cadre_ids:
        return []
    sql = (f"SELECT c.id, c.name, c.unit_id, c.work_start_date FROM cadre c "
           f"WHERE c.id IN (SELECT value FROM json_each(?)) AND {serving_where()} ORDER BY c.name_sort, c.id")
    return db.execute_sql(sql, (json.dumps(list(cadre_ids)), *SERVING_STATUSES)).fetchall()


BALANCE_COLUMNS = "c.id, c.name, c.unit_id, c.work_start_date"
HEALTH_COLUMNS = "c.id, c.name, c.unit_id, c.sex, CAST(substr(c.birth_date, 1, 4) AS INTEGER)"


@requires('roster.read')
def serving_cadre_chunks(columns: str = BALANCE_COLUMNS, size: int = 200):
    """Rows of every serving cadre in name order, ``size`` at a time (for walks that
    usually stop after the first chunk).  ``columns``: ``BALANCE_COLUMNS`` (the rows of
    ``balance_cadres``) or ``HEALTH_COLUMNS`` (those of ``health_cadres``)."""
    assert columns in (BALANCE_COLUMNS, HEALTH_COLUMNS)
    cursor = db.execute_sql(f"SELECT {columns} FROM {SERVING_CADRES} "
                            f"WHERE {serving_where()} ORDER BY c.name_sort, c.id", SERVING_STATUSES)
    try:
        while True:
            chunk = cursor.fetchmany(size)
            if not chunk:
                return
            yield chunk
    finally:
        cursor.close()


@requires('leave.read')
def annual_leave_groups(year: int, codes: tuple[str, str, str], statuses: tuple[str, ...],
                        exclude_ids: list[int]) -> list[tuple]:
    """Serving cadres grouped by what their annual-leave balance for ``year`` depends on:
    (a work-start date of the group, half-days taken of each of ``codes`` (annual, 事假,
    病假), number of cadres).

    The group is the service tier on 30 November (see domain.leave) and the year's
    totals, so every cadre in a group has the same balance; ``exclude_ids`` are left
    out (their balance depends on more)."""
    start, end = f"{year}-01-01", f"{year}-12-31"
    sql = (
        "WITH t AS (SELECT cadre_id, "
        "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER) a, "
        "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER) p, "
        "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER) s "
        "FROM leave_record WHERE type_code IN (?, ?, ?) AND start_date >= ? "
        f"AND start_date <= ? AND status IN ({','.join('?' * len(statuses))}) AND +archived = 0 "
        "GROUP BY cadre_id) "
        "SELECT min(c.work_start_date), coalesce(t.a, 0), coalesce(t.p, 0), coalesce(t.s, 0), count(*) "
        f"FROM {SERVING_CADRES} LEFT JOIN t ON t.cadre_id = c.id WHERE {serving_where()} "
        "AND c.id NOT IN (SELECT value FROM json_each(?)) "
        "GROUP BY CASE WHEN c.work_start_date IS NULL THEN NULL ELSE "
        "? - CAST(substr(c.work_start_date, 1, 4) AS INTEGER) - (substr(c.work_start_date, 6, 5) > '11-30') END, "
        "2, 3, 4")
    params = (*codes, *codes, start, end, *statuses, *SERVING_STATUSES, json.dumps(list(exclude_ids)), year)
    return db.execute_sql(sql, params).fetchall()


@dataclass(frozen=True)
class LeaveFilter:
    year: int | None = None
    unit_id: int | None = None
    type_code: str = ""
    status: str = ""
    text: str = ""
    cadre_id: int | None = None


LEAVE_SORT = {
    "name": "c.name_sort", "unit": "c.unit_id", "type": "l.type_code", "start": "l.start_date",
    "end": "l.end_date", "days": "CAST(l.days AS REAL)", "status": "l.status", "approver": "l.approver",
}


def _leave_where(f: LeaveFilter) -> tuple[str, list]:
    # "+": keep SQLite off the low-selectivity archived index (the date or cadre index is far better)
    return _where(["+l.archived = 0"], [("c.unit_id", f.unit_id), ("l.type_code", f.type_code),
                                       ("l.status", f.status), ("l.cadre_id", f.cadre_id)],
                  f.text, "l.start_date", f.year)


@requires('leave.read')
def leave_count(f: LeaveFilter) -> int:
    where, params = _leave_where(f)
    # the cadre join is only needed to filter by unit or search by person (halves the time)
    join = " JOIN cadre c ON c.id = l.cadre_id" if (f.unit_id or f.text.strip() or _scoped()) else ""
    return db.execute_sql(f"SELECT count(*) FROM leave_record l{join}{where}", params).fetchone()[0]


@requires('leave.read')
def leave_exists() -> bool:
    """Is there any leave record at all (for the empty state), without counting them."""
    return db.execute_sql("SELECT 1 FROM leave_record WHERE archived = 0 LIMIT 1").fetchone() is not None


@requires('leave.read')
def leave_page(f: LeaveFilter, sort: str = "start", descending: bool = True,
               offset: int = 0, limit: int = 200) -> list[tuple]:
    """Rows: (id, cadre_id, name, unit, type_code, start, end, start_half, end_half, days,
    travel_days, status, approver, reason)."""
    sql, params = _leave_sql(f, sort, descending)
    units = unit_names()
    return [_leave_row(r, units) for r in db.execute_sql(sql, params + [limit, offset]).fetchall()]


def _leave_sql(f: LeaveFilter, sort: str, descending: bool) -> tuple[str, list]:
    """The leave list's statement, ending in ``LIMIT ? OFFSET ?`` (the caller adds both)."""
    where, params = _leave_where(f)
    order = f"{LEAVE_SORT.get(sort, 'l.start_date')} {'DESC' if descending else 'ASC'}, l.id DESC"
    sql = (f"SELECT l.id, l.cadre_id, c.name, c.unit_id, l.type_code, l.start_date, l.end_date, "
           f"l.start_half, l.end_half, l.days, l.travel_days, l.status, l.approver, l.reason "
           f"FROM leave_record l JOIN cadre c ON c.id = l.cadre_id{where} ORDER BY {order} LIMIT ? OFFSET ?")
    return sql, params


def _leave_row(r, units: dict[int, str]) -> tuple:
    return (r[0], r[1], r[2], units.get(r[3], ""), r[4], _d(r[5]), _d(r[6]), bool(r[7]), bool(r[8]),
            r[9], r[10], r[11], r[12], r[13])


@requires('leave.read')
def leave_rows(f: LeaveFilter, sort: str = "start", descending: bool = True) -> Iterator[tuple]:
    """Every row ``leave_page`` would give for the filter and order (no paging), streamed."""
    sql, params = _leave_sql(f, sort, descending)
    units = unit_names()
    for r in db.execute_sql(sql, params + [-1, 0]):
        yield _leave_row(r, units)


def _d(value):
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


@requires('roster.read')
def picker_search(text: str, limit: int = 20) -> list[tuple]:
    """Cadres for a picker: (id, name, unit, post, id_number) matching name / initials / ID tail."""
    clause, params = _search_clause(text)
    if not clause:
        return []
    sql = (f"SELECT c.id, c.name, c.unit_id, c.post, c.id_number FROM cadre c INDEXED BY cadre_search "
           f"WHERE {' AND '.join(_scope_part(['c.archived = 0', clause]))} ORDER BY c.name_sort, c.id LIMIT ?")
    units = unit_names()
    return [(r[0], r[1], units.get(r[2], ""), r[3], r[4])
            for r in db.execute_sql(sql, params + [limit]).fetchall()]


@requires('roster.read')
def picker_label(cadre_id: int) -> tuple | None:
    row = db.execute_sql("SELECT c.id, c.name, c.unit_id, c.post, c.id_number FROM cadre c WHERE c.id = ?",
                         (cadre_id,)).fetchone()
    if not row or not access.in_scope(row[2]):
        return None
    return (row[0], row[1], unit_names().get(row[2], ""), row[3], row[4])


# ---------------------------------------------------------------- health (DOMAIN.md §4)
# Mental-health records are confidential: no query here reads mental_record.

@requires('health.read')
def health_cadres(unit_id: int | None = None, text: str = "") -> list[tuple]:
    """(id, name, unit_id, sex, birth year) of serving, non-archived cadres, by name."""
    parts = ["c.archived = 0", f"c.employment_status IN ({','.join('?' * len(SERVING_STATUSES))})"]
    params: list = list(SERVING_STATUSES)
    clause, p = _search_clause(text)
    if clause:
        parts.append(clause)
        params += p
    if unit_id:
        parts.append("c.unit_id = ?")
        params.append(unit_id)
    source = SERVING_CADRES if not clause else "cadre c NOT INDEXED"
    sql = (f"SELECT c.id, c.name, c.unit_id, c.sex, CAST(substr(c.birth_date, 1, 4) AS INTEGER) "
           f"FROM {source} WHERE {' AND '.join(_scope_part(parts))} "
           f"ORDER BY c.name_sort, c.id")
    return db.execute_sql(sql, params).fetchall()


@requires('health.read')
def health_due_groups(until: date) -> list[tuple]:
    """Serving cadres grouped by what their check plan depends on: (birth year, sex,
    last-check profile, number of cadres).  The profile lists each package's latest
    check year on or before ``until`` as "package\x1fyear" joined by "\x1e" (from the
    trigger-kept ``health_last``; ``until`` must not be before today)."""
    sql = ("SELECT CAST(substr(c.birth_date, 1, 4) AS INTEGER), c.sex, "
           "(SELECT group_concat(h.package || char(31) || substr(h.last_date, 1, 4), char(30)) "
           " FROM health_last h WHERE h.cadre_id = c.id AND h.last_date <= ?), count(*) "
           f"FROM {SERVING_CADRES} WHERE {serving_where()} GROUP BY 1, 2, 3")
    return db.execute_sql(sql, (until.isoformat(), *SERVING_STATUSES)).fetchall()


@requires()
def write_stamp() -> tuple:
    """Changes whenever anything has been written to the database since the last call:
    rows changed through this connection, or commits by another connection.

    Services use it to keep an aggregate between calls without missing a write."""
    conn = db.connection()
    return (db.database, conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])


@requires('health.read')
def health_last_checks(until: date, cadre_ids: list[int] | None = None) -> list[tuple]:
    """(cadre_id, package, ISO date of the latest non-archived check on or before ``until``),
    ordered by cadre and package.

    One grouped pass over the checks (or, for a short list of cadres, index lookups).  When
    ``until`` is not before today, the trigger-kept ``health_last`` table already holds the
    answer (checks are never dated in the future), read in one narrow pass."""
    if until >= date.today():
        sql = "SELECT cadre_id, package, last_date FROM health_last WHERE last_date <= ?"
    else:
        sql = ("SELECT cadre_id, package, max(check_date) FROM health_check WHERE archived = 0 "
               "AND check_date <= ?")
    params: list = [until.isoformat()]
    if cadre_ids is not None:
        if not cadre_ids:
            return []
        if len(cadre_ids) <= 500:
            sql += f" AND cadre_id IN ({','.join('?' * len(cadre_ids))})"
            params += list(cadre_ids)
    if until < date.today():
        sql += " GROUP BY cadre_id, package"
    sql += " ORDER BY cadre_id, package"
    return db.execute_sql(sql, params).fetchall()


#: open findings with their check and cadre, every column from an index (migration 0014)
OPEN_FINDINGS_FROM = ("health_finding f INDEXED BY health_finding_open_list "
                      "JOIN health_check h INDEXED BY health_check_date_lookup ON h.id = f.check_id "
                      "JOIN cadre c INDEXED BY cadre_name_lookup ON c.id = f.cadre_id")


@requires('health.read')
def open_findings(overdue_before: date | None = None, unit_id: int | None = None,
                  text: str = "") -> list[tuple]:
    """Open (not closed) findings of non-archived checks and cadres:
    (finding_id, check_id, cadre_id, name, unit_id, check_date, item, description, level,
    notified_date, referral, recheck_due); ``overdue_before``: only re-checks due before that day."""
    parts = ["f.closed = 0", "f.archived = 0", "h.archived = 0", "c.archived = 0"]
    params: list = []
    if overdue_before is not None:
        parts.append("f.recheck_due < ?")
        params.append(overdue_before.isoformat())
    if unit_id:
        parts.append("c.unit_id = ?")
        params.append(unit_id)
    clause, p = _search_clause(text)
    if clause:
        parts.append(clause)
        params += p
    # read from three indexes only (migration 0014): the open findings in one range of their
    # index, each one's check date and cadre looked up by id in narrow indexes instead of the
    # wide rows (on the encrypted store each page read is decrypted: 349 → 65 ms at 50,000 cadres)
    sql = ("SELECT f.id, f.check_id, f.cadre_id, c.name, c.unit_id, h.check_date, f.item, f.description, "
           "f.level, f.notified_date, f.referral, f.recheck_due "
           f"FROM {OPEN_FINDINGS_FROM} WHERE {' AND '.join(_scope_part(parts))}")
    return db.execute_sql(sql, params).fetchall()


@dataclass(frozen=True)
class CheckFilter:
    year: int | None = None
    unit_id: int | None = None
    text: str = ""
    package: str = ""
    cadre_id: int | None = None


def _check_where(f: CheckFilter) -> tuple[str, list]:
    return _where(["+h.archived = 0", "+c.archived = 0"],
                  [("c.unit_id", f.unit_id), ("h.package", f.package), ("h.cadre_id", f.cadre_id)],
                  f.text, "h.check_date", f.year)


@requires('health.read')
def check_count(f: CheckFilter) -> int:
    where, params = _check_where(f)
    return db.execute_sql(f"SELECT count(*) FROM health_check h JOIN cadre c ON c.id = h.cadre_id{where}",
                          params).fetchone()[0]


@requires('health.read')
def check_page(f: CheckFilter, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """Rows, newest first: (id, cadre_id, check_date, name, unit, package, institution, conclusion,
    open_findings)."""
    sql, params = _check_sql(f)
    units = unit_names()
    rows = db.execute_sql(sql, params + [-1 if limit is None else limit, offset]).fetchall()
    return [_check_row(r, units) for r in rows]


def _check_sql(f: CheckFilter) -> tuple[str, list]:
    where, params = _check_where(f)
    sql = ("SELECT h.id, h.cadre_id, h.check_date, c.name, c.unit_id, h.package, h.institution, h.conclusion, "
           "(SELECT count(*) FROM health_finding x WHERE x.check_id = h.id AND x.archived = 0 AND x.closed = 0) "
           f"FROM health_check h JOIN cadre c ON c.id = h.cadre_id{where} "
           "ORDER BY h.check_date DESC, h.id DESC LIMIT ? OFFSET ?")
    return sql, params


def _check_row(r, units: dict[int, str]) -> tuple:
    return (r[0], r[1], _d(r[2]), r[3], units.get(r[4], ""), r[5], r[6], r[7], r[8])


@requires('health.read')
def check_rows(f: CheckFilter) -> Iterator[tuple]:
    """Every row ``check_page`` gives for the filter (newest first), streamed."""
    sql, params = _check_sql(f)
    units = unit_names()
    for r in db.execute_sql(sql, params + [-1, 0]):
        yield _check_row(r, units)


@requires()
def check_years() -> list[int]:
    """The years from the first to the last check, newest first (the records page's 年度
    filter).  Two index look-ups (min and max of check_date), not a scan: archived checks
    count too, which at worst offers a year with nothing in it."""
    first = db.execute_sql("SELECT min(check_date) FROM health_check").fetchone()[0]
    last = db.execute_sql("SELECT max(check_date) FROM health_check").fetchone()[0]
    if not first or not last:
        return []
    return list(range(int(str(last)[:4]), int(str(first)[:4]) - 1, -1))


@requires()
def check_packages() -> list[str]:
    """Package names used by non-archived checks (free text is allowed, so not only the rules')."""
    sql = "SELECT DISTINCT package FROM health_check WHERE archived = 0 AND package != '' ORDER BY package"
    return [r[0] for r in db.execute_sql(sql).fetchall()]


@requires()
def leave_year_range() -> tuple[int, int] | None:
    """(first, last) year in which a leave record starts, or None; for the year filters
    (min/max walk the start_date index, so this stays instant with years of history)."""
    row = db.execute_sql("SELECT (SELECT min(start_date) FROM leave_record), "
                         "(SELECT max(start_date) FROM leave_record)").fetchone()
    if not row or row[0] is None:
        return None
    first, last = _d(row[0]), _d(row[1])
    return first.year, last.year


# ---------------------------------------------------------------- welfare (DOMAIN.md §5)
# Records of archived cadres stay in the lists and sums: the money was spent.

@dataclass(frozen=True)
class WelfareFilter:
    year: int | None = None
    unit_id: int | None = None
    occasion: str = ""
    fund: str = ""
    text: str = ""
    cadre_id: int | None = None


def _welfare_where(f: WelfareFilter) -> tuple[str, list]:
    return _where(["+w.archived = 0"], [("c.unit_id", f.unit_id), ("w.occasion", f.occasion),
                                       ("w.funding_source", f.fund), ("w.cadre_id", f.cadre_id)],
                  f.text, "w.record_date", f.year)


def _welfare_from(f: WelfareFilter) -> str:
    """The cadre table is joined only when a filter needs it (the count reads every matching row)."""
    join = bool(f.unit_id or _search_clause(f.text)[0] or _scoped())
    return "welfare_record w" + (" JOIN cadre c ON c.id = w.cadre_id" if join else "")


@requires('welfare.read')
def welfare_count(f: WelfareFilter) -> int:
    where, params = _welfare_where(f)
    return db.execute_sql(f"SELECT count(*) FROM {_welfare_from(f)}{where}", params).fetchone()[0]


@requires('welfare.read')
def welfare_summary(f: WelfareFilter) -> tuple[int, int]:
    """(count, sum of money + goods value in integer fen) of the filtered records, in one pass."""
    where, params = _welfare_where(f)
    row = db.execute_sql(f"SELECT count(*), coalesce(sum(w.money_fen + w.goods_fen), 0) "
                         f"FROM {_welfare_from(f)}{where}", params).fetchone()
    return int(row[0]), int(row[1] or 0)


@requires('welfare.read')
def welfare_page(f: WelfareFilter, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """Rows, newest first: (id, cadre_id, record_date, name, unit, occasion, money_fen, goods, goods_fen,
    funding_source, visitors, episode, notes, over_reason)."""
    sql, params = _welfare_sql(f)
    units = unit_names()
    rows = db.execute_sql(sql, params + [-1 if limit is None else limit, offset]).fetchall()
    return [_welfare_row(r, units) for r in rows]


def _welfare_sql(f: WelfareFilter) -> tuple[str, list]:
    where, params = _welfare_where(f)
    sql = ("SELECT w.id, w.cadre_id, w.record_date, c.name, c.unit_id, w.occasion, w.money_fen, w.goods, "
           "w.goods_fen, w.funding_source, w.visitors, w.episode, w.notes, w.over_reason "
           f"FROM welfare_record w JOIN cadre c ON c.id = w.cadre_id{where} "
           "ORDER BY w.record_date DESC, w.id DESC LIMIT ? OFFSET ?")
    return sql, params


def _welfare_row(r, units: dict[int, str]) -> tuple:
    return (r[0], r[1], _d(r[2]), r[3], units.get(r[4], ""), r[5], r[6], r[7], r[8], r[9], r[10], r[11],
            r[12], r[13])


@requires('welfare.read')
def welfare_rows(f: WelfareFilter) -> Iterator[tuple]:
    """Every row ``welfare_page`` gives for the filter (newest first), streamed."""
    sql, params = _welfare_sql(f)
    units = unit_names()
    for r in db.execute_sql(sql, params + [-1, 0]):
        yield _welfare_row(r, units)


@requires('welfare.read')
def welfare_fund_used(year: int) -> dict[str, int]:
    """{funding source: money + goods value in fen} of the year's non-archived records."""
    sql = ("SELECT funding_source, sum(money_fen + goods_fen) FROM welfare_record INDEXED BY "
           "welfare_record_year_cover "
           "WHERE archived = 0 AND record_date >= ? AND record_date <= ? GROUP BY funding_source")
    return {r[0]: int(r[1] or 0) for r in db.execute_sql(sql, (f"{year}-01-01", f"{year}-12-31")).fetchall()}


@requires()
def welfare_year_range() -> tuple[int, int] | None:
    """(first, last) year of any welfare or talk record, or None (index look-ups, for the 年度 filter)."""
    row = db.execute_sql("SELECT (SELECT min(record_date) FROM welfare_record), "
                         "(SELECT max(record_date) FROM welfare_record), "
                         "(SELECT min(talk_date) FROM talk_record), (SELECT max(talk_date) FROM talk_record)"
                         ).fetchone()
    days = [_d(v) for v in row if v is not None]
    if not days:
        return None
    return min(days).year, max(days).year


@dataclass(frozen=True)
class TalkFilter:
    year: int | None = None
    unit_id: int | None = None
    trigger: str = ""
    text: str = ""
    cadre_id: int | None = None


def _talk_where(f: TalkFilter) -> tuple[str, list]:
    return _where(["+t.archived = 0"], [("c.unit_id", f.unit_id), ("t.\"trigger\"", f.trigger),
                                       ("t.cadre_id", f.cadre_id)], f.text, "t.talk_date", f.year)


@requires('welfare.read')
def talk_count(f: TalkFilter) -> int:
    where, params = _talk_where(f)
    join = " JOIN cadre c ON c.id = t.cadre_id" if (f.unit_id or _search_clause(f.text)[0] or _scoped()) else ""
    return db.execute_sql(f"SELECT count(*) FROM talk_record t{join}{where}", params).fetchone()[0]


@requires('welfare.read')
def talk_page(f: TalkFilter, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """Rows, newest first: (id, cadre_id, talk_date, name, unit, talker, trigger, gist, follow_up, notes)."""
    sql, params = _talk_sql(f)
    units = unit_names()
    rows = db.execute_sql(sql, params + [-1 if limit is None else limit, offset]).fetchall()
    return [_talk_row(r, units) for r in rows]


def _talk_sql(f: TalkFilter) -> tuple[str, list]:
    where, params = _talk_where(f)
    sql = ("SELECT t.id, t.cadre_id, t.talk_date, c.name, c.unit_id, t.talker, t.\"trigger\", t.gist, "
           f"t.follow_up, t.notes FROM talk_record t JOIN cadre c ON c.id = t.cadre_id{where} "
           "ORDER BY t.talk_date DESC, t.id DESC LIMIT ? OFFSET ?")
    return sql, params


def _talk_row(r, units: dict[int, str]) -> tuple:
    return (r[0], r[1], _d(r[2]), r[3], units.get(r[4], ""), r[5], r[6], r[7], r[8], r[9])


@requires('welfare.read')
def talk_rows(f: TalkFilter) -> Iterator[tuple]:
    """Every row ``talk_page`` gives for the filter (newest first), streamed."""
    sql, params = _talk_sql(f)
    units = unit_names()
    for r in db.execute_sql(sql, params + [-1, 0]):
        yield _talk_row(r, units)


HARDSHIP_NONE_CLASSES = ("", "无")
TOWNSHIP_CATEGORIES = ("乡", "镇")


@requires('welfare.read')
def hardship_township_cadres() -> list[tuple]:
    """Serving cadres of hardship-area (class not 无) or township (乡/镇) units, by name:
    (id, name, unit_id, hardship_area_class, township_category) — the index-only scan the
    工作台 filters against the year's visited set."""
    hardship = f"u.hardship_area_class NOT IN ({','.join('?' * len(HARDSHIP_NONE_CLASSES))})"
    township = f"u.township_category IN ({','.join('?' * len(TOWNSHIP_CATEGORIES))})"
    sql = ("SELECT c.id, c.name, c.unit_id, u.hardship_area_class, u.township_category "
           f"FROM {SERVING_CADRES} JOIN unit u ON u.id = c.unit_id WHERE {serving_where()} "
           f"AND ({hardship} OR {township}) ORDER BY c.name_sort, c.id")
    return db.execute_sql(sql, (*SERVING_STATUSES, *HARDSHIP_NONE_CLASSES, *TOWNSHIP_CATEGORIES)).fetchall()


@requires('welfare.read')
def not_visited(year: int, kind: str = "", unit_id: int | None = None) -> list[tuple]:
    """Serving, non-archived cadres of hardship-area units (class not 无) or of township (乡/镇) units
    with no non-archived welfare record in ``year``: (id, name, unit_id, hardship_area_class,
    township_category), by name.  ``kind``: "" both, "hardship" or "township" only."""
    parts = ["c.archived = 0", f"c.employment_status IN ({','.join('?' * len(SERVING_STATUSES))})"]
    params: list = list(SERVING_STATUSES)
    hardship = f"u.hardship_area_class NOT IN ({','.join('?' * len(HARDSHIP_NONE_CLASSES))})"
    township = f"u.township_category IN ({','.join('?' * len(TOWNSHIP_CATEGORIES))})"
    if kind == "hardship":
        parts.append(hardship)
        params += list(HARDSHIP_NONE_CLASSES)
    elif kind == "township":
        parts.append(township)
        params += list(TOWNSHIP_CATEGORIES)
    else:
        parts.append(f"({hardship} OR {township})")
        params += list(HARDSHIP_NONE_CLASSES) + list(TOWNSHIP_CATEGORIES)
    if unit_id:
        parts.append("c.unit_id = ?")
        params.append(unit_id)
    # the year's visited cadres read once from the year's range of the covering welfare index,
    # the serving cadres from theirs: no cadre row and no per-cadre probe into the visits
    # (at 50,000 cadres × 10 years: 67 → 53 ms plain, 242 → 53 ms encrypted; a NOT EXISTS per
    # cadre read the whole cadre table and a page of the visits index for each)
    parts.append("c.id NOT IN (SELECT w.cadre_id FROM welfare_record w INDEXED BY welfare_record_year_cover "
                 "WHERE w.archived = 0 AND w.record_date >= ? AND w.record_date <= ?)")
    params += [f"{year}-01-01", f"{year}-12-31"]
    sql = ("SELECT c.id, c.name, c.unit_id, u.hardship_area_class, u.township_category "
           f"FROM {SERVING_CADRES} JOIN unit u ON u.id = c.unit_id WHERE {' AND '.join(_scope_part(parts))} "
           "ORDER BY c.name_sort, c.id")
    return db.execute_sql(sql, params).fetchall()


# ---------------------------------------------------------------- allowances (DOMAIN.md §3)

@dataclass(frozen=True)
class AllowanceLineFilter:
    month: date
    unit_name: str = ""
    scheme: str = ""
    kind: str = ""
    text: str = ""


def _allowance_where(f: AllowanceLineFilter) -> tuple[str, list]:
    where, params = _where(["b.month = ?", "l.archived = 0"],
                           [("l.unit_name", f.unit_name), ("l.scheme", f.scheme), ("l.kind", f.kind)], f.text)
    return where, [f.month.isoformat()] + params


@requires('allowance.read')
def allowance_line_ids(f: AllowanceLineFilter) -> list[int]:
    """Ids of the month's lines matching the filter, ordered by unit, name, scheme, kind.

    One sorted read of ids (the table model then fetches rows a page at a time by id)."""
    where, params = _allowance_where(f)
    sql = ("SELECT l.id FROM allowance_line l JOIN allowance_batch b ON b.id = l.batch_id "
           f"JOIN cadre c ON c.id = l.cadre_id{where} "
           "ORDER BY l.unit_name, c.name_sort, c.id, l.scheme, l.kind DESC, l.id")
    return [r[0] for r in db.execute_sql(sql, params).fetchall()]


@requires('allowance.read')
def allowance_lines(ids: list[int]) -> list[tuple]:
    """Rows for the ids, in the ids' order: (id, cadre_id, name, unit, scheme, band, area_class,
    amount_fen, generated_fen, basis, reason, kind, corrects_month)."""
    if not ids:
        return []
    out: dict[int, tuple] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = ("SELECT l.id, l.cadre_id, c.name, l.unit_name, l.scheme, l.band, l.area_class, l.amount_fen, "
               "l.generated_fen, l.basis, l.reason, l.kind, l.corrects_month FROM allowance_line l "
               f"JOIN cadre c ON c.id = l.cadre_id WHERE l.id IN ({','.join('?' * len(chunk))})")
        for r in db.execute_sql(sql, chunk).fetchall():
            out[r[0]] = tuple(r)
    return [out[i] for i in ids if i in out]


@requires('allowance.read')
def allowance_line_sum(f: AllowanceLineFilter) -> int:
    """Sum in fen of the month's lines matching the filter."""
    where, params = _allowance_where(f)
    sql = ("SELECT coalesce(sum(l.amount_fen), 0) FROM allowance_line l JOIN allowance_batch b ON b.id = l.batch_id "
           f"JOIN cadre c ON c.id = l.cadre_id{where}")
    return int(db.execute_sql(sql, params).fetchone()[0])


@requires('health.read')
def overdue_findings_summary(today: date, limit: int = 5) -> tuple[int, list[tuple]]:
    """For the 工作台: how many open findings are past their re-check date, and the first
    few (class A first, then the longest overdue): (cadre_id, name, item, recheck_due)."""
    base = (f"FROM {OPEN_FINDINGS_FROM} "
            "WHERE f.closed = 0 AND f.archived = 0 AND h.archived = 0 AND c.archived = 0 AND f.recheck_due < ?")
    day = today.isoformat()
    if _scoped():     # an account limited to some units: count through the cadre join
        base = f"{base} AND {access.scope_sql('c.unit_id')}"
        count = db.execute_sql(f"SELECT count(*) {base}", (day,)).fetchone()[0]
        rows = db.execute_sql(f"SELECT f.cadre_id, c.name, f.item, f.recheck_due {base} "
                              "ORDER BY f.level, f.recheck_due, f.id LIMIT ?", (day, limit)).fetchall()
        return count, [(r[0], r[1], r[2], _d(r[3])) for r in rows]
    # Counted from the finding index alone, less those of archived cadres (few, found by the
    # archived index): joining every open finding to its check and cadre cost 3× as much.
    # An archived check's findings are archived with it (services.health.archive_check).
    count = db.execute_sql(
        "SELECT (SELECT count(*) FROM health_finding f WHERE f.closed = 0 AND f.archived = 0 AND f.recheck_due < ?1)"
        " - (SELECT count(*) FROM cadre c INDEXED BY cadre_archived_name_sort JOIN health_finding f "
        "ON f.cadre_id = c.id WHERE c.archived = 1 AND f.closed = 0 AND f.archived = 0 AND f.recheck_due < ?1)",
        (day,)).fetchone()[0]
    rows: list = []
    for level in ("A", "B"):  # walking the open findings in re-check order stops after a few rows
        if len(rows) < limit:
            rows += db.execute_sql(f"SELECT f.cadre_id, c.name, f.item, f.recheck_due {base} AND f.level = ? "
                                   f"ORDER BY f.recheck_due, f.id LIMIT ?", (day, level, limit - len(rows))).fetchall()
    return count, [(r[0], r[1], r[2], _d(r[3])) for r in rows]
