"""The print log (issue 5): every printout's verification code, what it was, for whom,
which period, who printed it and when, and a hash of its content data.

Frozen DDL: later model changes come in later migrations, never here."""

STATEMENTS = [
    'CREATE TABLE "print_log" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "code" VARCHAR(9) NOT NULL, "kind" VARCHAR(20) NOT NULL, "title" VARCHAR(200) NOT NULL, "subject" VARCHAR(100) NOT NULL, "period" VARCHAR(60) NOT NULL, "params" TEXT NOT NULL, "printed_at" DATETIME NOT NULL, "printed_by" VARCHAR(60) NOT NULL, "pages" INTEGER NOT NULL, "content_hash" VARCHAR(64) NOT NULL, "actions" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "print_log_uuid" ON "print_log" ("uuid")',
    'CREATE UNIQUE INDEX "print_log_code" ON "print_log" ("code")',
    'CREATE INDEX "print_log_printed_at" ON "print_log" ("printed_at")',
]


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)


def down(migrator, database):
    database.execute_sql('DROP TABLE IF EXISTS "print_log"')
