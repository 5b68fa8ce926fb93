"""A covering index for the county's 汇总 (issue 11: the encrypted store).

The 汇总 adds up nine small per-cadre figures of every current package.  It read them
through the (package, ID number) index and then each cadre's whole row, about 200 bytes
of names, units and dates for a few bytes of figures: at 20 townships × 5,000 cadres that
read was 110–150 ms of the 汇总's 450–580 ms, and with the allowance index beside it the
pages it touched no longer fitted the 64 MB page cache, so on the SQLCipher store every
repeat decrypted them again (县级汇总 1.3× the plaintext figure).  This index holds the
figures themselves (about 3 MB at 100,000 cadres): the read takes 50 ms and a repeat is
served from the cache, encrypted or not.

Frozen DDL: later model changes come in later migrations, never here."""

NAME = "county_cadre_figures"

STATEMENTS = [
    f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "county_cadre" ("package_id", "serving", "hardship", "visited", '
    '"health_due", "health_done", "followups_open", "leave_due_halves", "leave_taken_halves", "leave_untaken")',
]


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)


def down(migrator, database):
    database.execute_sql(f'DROP INDEX IF EXISTS "{NAME}"')
