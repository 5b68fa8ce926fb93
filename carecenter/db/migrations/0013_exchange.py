"""Township → county exchange (issue 15): the exchange keys (the township's signing key, the
county's encryption key, the county key a township trusts), the packages a township made,
and the county's tables: the townships it knows, the packages it received and, per package,
the snapshot of the township's data (units, cadres with the period's figures, leave, checks,
findings, mental-health counts, allowance lines, fund budgets, welfare and talks).

A database made before this version keeps its roles (the administrator may have changed
them); the shipped 经办人 and 负责人 roles get the new permissions added, nothing else.

Frozen DDL: later model changes come in later migrations, never here."""
import json

STATEMENTS = [
    'CREATE TABLE "county_township" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "code" VARCHAR(12) NOT NULL, "name" VARCHAR(100) NOT NULL, "public_key" VARCHAR(64) NOT NULL, "fingerprint" VARCHAR(39) NOT NULL, "trusted_at" DATETIME, "trusted_by" VARCHAR(60) NOT NULL)',
    'CREATE UNIQUE INDEX "county_township_uuid" ON "county_township" ("uuid")',
    'CREATE UNIQUE INDEX "county_township_code" ON "county_township" ("code")',
    'CREATE TABLE "county_package" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" VARCHAR(32) NOT NULL, "township_id" INTEGER NOT NULL, "township_name" VARCHAR(100) NOT NULL, "period" INTEGER NOT NULL, "through" DATE NOT NULL, "created_at" DATETIME NOT NULL, "received_at" DATETIME NOT NULL, "received_by" VARCHAR(60) NOT NULL, "file_name" TEXT NOT NULL, "package_fingerprint" VARCHAR(39) NOT NULL, "signer_fingerprint" VARCHAR(39) NOT NULL, "manifest_sha256" VARCHAR(64) NOT NULL, "app_version" VARCHAR(20) NOT NULL, "schema_version" INTEGER NOT NULL, "rows" INTEGER NOT NULL, "cadres" INTEGER NOT NULL, "current" INTEGER NOT NULL, "superseded_by" VARCHAR(32) NOT NULL, "superseded_at" DATETIME, FOREIGN KEY ("township_id") REFERENCES "county_township" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "county_package_package_id" ON "county_package" ("package_id")',
    'CREATE INDEX "county_package_township_id_period_current" ON "county_package" ("township_id", "period", "current")',
    'CREATE INDEX "county_package_period_current" ON "county_package" ("period", "current")',
    'CREATE TABLE "county_allowance" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "month" DATE NOT NULL, "scheme" VARCHAR(20) NOT NULL, "kind" VARCHAR(10) NOT NULL, "amount_fen" INTEGER NOT NULL, "corrects_month" DATE, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_allowance_month" ON "county_allowance" ("package_id", "month", "amount_fen")',
    'CREATE TABLE "county_cadre" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "name" VARCHAR(40) NOT NULL, "name_initials" VARCHAR(120) NOT NULL, "name_sort" VARCHAR(200) NOT NULL, "sex" VARCHAR(2) NOT NULL, "ethnicity" VARCHAR(20) NOT NULL, "birth_date" DATE NOT NULL, "political_status" VARCHAR(20) NOT NULL, "education" VARCHAR(20) NOT NULL, "unit_uuid" VARCHAR(32) NOT NULL, "unit_name" VARCHAR(100) NOT NULL, "hardship_area_class" VARCHAR(10) NOT NULL, "post" VARCHAR(60) NOT NULL, "leadership_level" VARCHAR(20) NOT NULL, "rank" VARCHAR(20) NOT NULL, "personnel_status" VARCHAR(20) NOT NULL, "position_category" VARCHAR(20) NOT NULL, "employment_status" VARCHAR(10) NOT NULL, "work_start_date" DATE, "township_start_date" DATE, "current_post_date" DATE, "transferred_on" DATE, "retired_on" DATE, "retirement_kind" VARCHAR(4) NOT NULL, "serving" INTEGER NOT NULL, "hardship" INTEGER NOT NULL, "health_due" INTEGER NOT NULL, "health_done" INTEGER NOT NULL, "followups_open" INTEGER NOT NULL, "leave_due_halves" INTEGER NOT NULL, "leave_taken_halves" INTEGER NOT NULL, "leave_untaken" INTEGER NOT NULL, "visited" INTEGER NOT NULL, "listed" INTEGER NOT NULL, "townships" INTEGER NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "county_cadre_package_id_id_number" ON "county_cadre" ("package_id", "id_number")',
    'CREATE INDEX "county_cadre_id_number" ON "county_cadre" ("id_number")',
    'CREATE INDEX "county_cadre_roster" ON "county_cadre" ("listed", "name_sort", "name", "name_initials", "id_number", "package_id")',
    'CREATE TABLE "county_check" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "check_date" DATE NOT NULL, "check_package" VARCHAR(30) NOT NULL, "institution" VARCHAR(100) NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_check_package_id" ON "county_check" ("package_id")',
    'CREATE TABLE "county_finding" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "check_date" DATE NOT NULL, "item" VARCHAR(60) NOT NULL, "level" VARCHAR(2) NOT NULL, "recheck_due" DATE, "closed" INTEGER NOT NULL, "closed_date" DATE, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_finding_package_id" ON "county_finding" ("package_id")',
    'CREATE TABLE "county_fund" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "name" VARCHAR(40) NOT NULL, "budget_fen" INTEGER NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_fund_package_id" ON "county_fund" ("package_id")',
    'CREATE TABLE "county_leave" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "type_code" VARCHAR(30) NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE NOT NULL, "days_halves" INTEGER NOT NULL, "status" VARCHAR(10) NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_leave_package_id" ON "county_leave" ("package_id")',
    'CREATE TABLE "county_mental_count" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "scale" VARCHAR(10) NOT NULL, "count" INTEGER NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_mental_count_package_id" ON "county_mental_count" ("package_id")',
    'CREATE TABLE "county_talk" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "talk_date" DATE NOT NULL, "talker" VARCHAR(60) NOT NULL, "trigger" VARCHAR(40) NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_talk_package_id" ON "county_talk" ("package_id")',
    'CREATE TABLE "county_unit" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "unit_uuid" VARCHAR(32) NOT NULL, "name" VARCHAR(100) NOT NULL, "kind" VARCHAR(20) NOT NULL, "township" VARCHAR(60) NOT NULL, "township_category" VARCHAR(10) NOT NULL, "hardship_area_class" VARCHAR(10) NOT NULL, "especially_hard" INTEGER NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_unit_package_id" ON "county_unit" ("package_id")',
    'CREATE TABLE "county_welfare" ("id" INTEGER NOT NULL PRIMARY KEY, "package_id" INTEGER NOT NULL, "id_number" VARCHAR(18) NOT NULL, "occasion" VARCHAR(40) NOT NULL, "record_date" DATE NOT NULL, "money_fen" INTEGER NOT NULL, "goods_fen" INTEGER NOT NULL, "funding_source" VARCHAR(40) NOT NULL, FOREIGN KEY ("package_id") REFERENCES "county_package" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "county_welfare_fund" ON "county_welfare" ("package_id", "funding_source", "money_fen", "goods_fen")',
    'CREATE TABLE "exchange_key" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "kind" VARCHAR(20) NOT NULL, "algorithm" VARCHAR(10) NOT NULL, "public_key" VARCHAR(64) NOT NULL, "private_key" TEXT NOT NULL, "fingerprint" VARCHAR(39) NOT NULL, "name" VARCHAR(100) NOT NULL, "code" VARCHAR(12) NOT NULL)',
    'CREATE UNIQUE INDEX "exchange_key_uuid" ON "exchange_key" ("uuid")',
    'CREATE INDEX "exchange_key_kind_archived" ON "exchange_key" ("kind", "archived")',
    'CREATE TABLE "exchange_sent" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "package_id" VARCHAR(32) NOT NULL, "period" INTEGER NOT NULL, "through" DATE NOT NULL, "made_by" VARCHAR(60) NOT NULL, "file_name" TEXT NOT NULL, "size_bytes" INTEGER NOT NULL, "rows" INTEGER NOT NULL, "cadres" INTEGER NOT NULL, "package_fingerprint" VARCHAR(39) NOT NULL, "signer_fingerprint" VARCHAR(39) NOT NULL, "county_name" VARCHAR(100) NOT NULL, "county_fingerprint" VARCHAR(39) NOT NULL)',
    'CREATE UNIQUE INDEX "exchange_sent_uuid" ON "exchange_sent" ("uuid")',
    'CREATE UNIQUE INDEX "exchange_sent_package_id" ON "exchange_sent" ("package_id")',
    'CREATE INDEX "exchange_sent_period" ON "exchange_sent" ("period")',
]

TABLES = ["county_welfare", "county_unit", "county_talk", "county_mental_count", "county_leave", "county_fund",
          "county_finding", "county_check", "county_cadre", "county_allowance", "county_package", "county_township",
          "exchange_sent", "exchange_key"]


#: the permissions this version adds to the shipped roles
ROLE_ADDITIONS = {"clerk": ["exchange.pack", "county.read", "county.receive"], "head": ["exchange.pack", "county.read"]}


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)
    for code, names in ROLE_ADDITIONS.items():
        row = database.execute_sql('SELECT id, permissions FROM "role" WHERE code = ? AND preset = 1',
                                   (code,)).fetchone()
        if row is None:
            continue
        try:
            permissions = json.loads(row[1] or "[]")
        except ValueError:
            continue
        if isinstance(permissions, list):
            permissions += [n for n in names if n not in permissions]
            database.execute_sql('UPDATE "role" SET permissions = ? WHERE id = ?', (json.dumps(permissions), row[0]))


def down(migrator, database):
    for table in TABLES:
        database.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
