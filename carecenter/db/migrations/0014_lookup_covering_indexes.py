"""Covering indexes for the open-findings list (issue 11: the encrypted store).

On an SQLCipher store every page read from the file is decrypted and its HMAC checked, so
a list that looks up thousands of rows by id in wide tables pays for every page it
touches.  The 异常随访 list (and the 工作台's overdue count) joined each open finding to
its check (67 MB of rows with the items text) and its cadre (18 MB): at 50,000 cadres ×
10 years the list took 132 ms plain and 332 ms encrypted.  Three narrow indexes answer it
from the indexes alone (measured: 90 ms plain, 95 ms encrypted, of which the SQL is about
60 and 65 ms):

* the open findings (a partial index, ``WHERE closed = 0``: a fifth of the findings) by
  re-check date with the columns the list shows; it replaces the (closed, recheck_due)
  index, whose only readers ask for open findings.  Partial, so SQLite cannot pick it for a
  query about closed or all findings (a full index led by ``closed`` was chosen for the
  check list's per-check count and made it 80 ms).  ``closed`` is a column of it too: the
  standard library's SQLite (3.40 here) does not count a column fixed by the index's WHERE
  as covered, SQLCipher's (3.53) does;
* a check's date and archived flag by id;
* a cadre's name, unit and search columns by id (the list's text search and unit scope
  stay inside the index).

Queries name the lookups with INDEXED BY (SQLite prefers the table's own rowid otherwise).

Frozen DDL: later model changes come in later migrations, never here."""

FINDING = "health_finding_open_list"
CHECK = "health_check_date_lookup"
CADRE = "cadre_name_lookup"

STATEMENTS = [
    'DROP INDEX IF EXISTS "health_finding_closed_recheck_due"',
    f'CREATE INDEX "{FINDING}" ON "health_finding" ("recheck_due", "archived", "level", "cadre_id", "check_id", '
    '"item", "description", "notified_date", "referral", "closed") WHERE "closed" = 0',
    f'CREATE INDEX "{CHECK}" ON "health_check" ("id", "archived", "check_date")',
    f'CREATE INDEX "{CADRE}" ON "cadre" ("id", "archived", "unit_id", "name", "name_initials", "id_number", "phone")',
]


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)


def down(migrator, database):
    for name in (FINDING, CHECK, CADRE):
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    database.execute_sql('CREATE INDEX IF NOT EXISTS "health_finding_closed_recheck_due" ON "health_finding" '
                         '("closed", "recheck_due")')
