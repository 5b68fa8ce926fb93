"""Accounts, roles and a tamper-evident audit trail (issue 10).

* ``role``: a named set of permissions (presets are loaded by the accounts service).
* ``account``: login name, display name, roles, optional unit scope, enabled flag,
  the argon2id password hash and the sign-in state.  Accounts are never deleted.
* ``audit_log`` is rebuilt with AUTOINCREMENT (so rows deleted at the end leave a gap
  that ``audit verify`` sees), ``cadre_uuid`` for filtering, and a hash chain:
  ``row_hash = SHA-256(prev_hash + canonical row)``.  Existing rows keep their
  content (and their old "who") and are chained here, in id order.  Triggers refuse
  every UPDATE and DELETE of audit rows.

Frozen DDL: later model changes come in later migrations, never here."""

STATEMENTS = [
    'CREATE TABLE "role" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, '
    '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, '
    '"code" VARCHAR(30) NOT NULL, "name" VARCHAR(40) NOT NULL, "permissions" TEXT NOT NULL, '
    '"preset" INTEGER NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "role_uuid" ON "role" ("uuid")',
    'CREATE UNIQUE INDEX "role_code" ON "role" ("code")',
    'CREATE TABLE "account" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, '
    '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, '
    '"login" VARCHAR(40) NOT NULL, "display_name" VARCHAR(40) NOT NULL, "roles" TEXT NOT NULL, '
    '"unit_ids" TEXT NOT NULL, "enabled" INTEGER NOT NULL, "password_hash" TEXT NOT NULL, '
    '"password_set_at" DATETIME, "must_change" INTEGER NOT NULL, "password_history" TEXT NOT NULL, '
    '"failed_count" INTEGER NOT NULL, "locked_until" DATETIME, "last_failed_at" DATETIME, '
    '"last_login_at" DATETIME)',
    'CREATE UNIQUE INDEX "account_uuid" ON "account" ("uuid")',
    'CREATE UNIQUE INDEX "account_login" ON "account" ("login")',
    'CREATE TABLE "audit_log_chained" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, '
    '"at" DATETIME NOT NULL, "user" VARCHAR(60) NOT NULL, "action" VARCHAR(20) NOT NULL, '
    '"table" VARCHAR(40) NOT NULL, "record_uuid" VARCHAR(32) NOT NULL, '
    '"summary" VARCHAR(200) NOT NULL DEFAULT \'\', "changes" TEXT NOT NULL DEFAULT \'\', '
    '"cadre_uuid" VARCHAR(32) NOT NULL DEFAULT \'\', "prev_hash" VARCHAR(64) NOT NULL DEFAULT \'\', '
    '"row_hash" VARCHAR(64) NOT NULL DEFAULT \'\')',
    'INSERT INTO "audit_log_chained" ("id", "at", "user", "action", "table", "record_uuid", "summary", "changes") '
    'SELECT "id", "at", "user", "action", "table", "record_uuid", "summary", "changes" FROM "audit_log" ORDER BY "id"',
    'DROP TABLE "audit_log"',
    'ALTER TABLE "audit_log_chained" RENAME TO "audit_log"',
    'CREATE INDEX "audit_log_at" ON "audit_log" ("at")',
    'CREATE INDEX "audit_log_record_uuid" ON "audit_log" ("record_uuid")',
    'CREATE INDEX "audit_log_cadre_uuid" ON "audit_log" ("cadre_uuid")',
]

TRIGGERS = [
    'CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE ON "audit_log" '
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END",
    'CREATE TRIGGER "audit_log_no_delete" BEFORE DELETE ON "audit_log" '
    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END",
]


def up(migrator, database):
    from carecenter.security.auditchain import chain_existing

    for sql in STATEMENTS:
        database.execute_sql(sql)
    chain_existing(database.connection())
    for sql in TRIGGERS:
        database.execute_sql(sql)


def down(migrator, database):
    raise RuntimeError("the accounts and audit chain migration cannot be undone")
