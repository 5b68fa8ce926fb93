"""Allowances (rule rows, per-cadre dates and periods, monthly batches and lines) and
welfare (rule rows, funds with yearly budgets, visit records, 谈心谈话); the unit gains
the especially-hard flag for the township subsidy supplement.

Frozen DDL: later model changes come in later migrations, never here."""

STATEMENTS = [
    'ALTER TABLE "unit" ADD COLUMN "especially_hard" INTEGER NOT NULL DEFAULT 0',
    'CREATE TABLE "allowance_batch" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "month" DATE NOT NULL, "status" VARCHAR(10) NOT NULL, "locked_at" DATETIME, "locked_by" VARCHAR(60) NOT NULL, "total_fen" INTEGER NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "allowance_batch_uuid" ON "allowance_batch" ("uuid")',
    'CREATE INDEX "allowance_batch_archived" ON "allowance_batch" ("archived")',
    'CREATE UNIQUE INDEX "allowance_batch_month" ON "allowance_batch" ("month")',
    'CREATE TABLE "allowance_line" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "batch_id" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "scheme" VARCHAR(20) NOT NULL, "kind" VARCHAR(10) NOT NULL, "band" VARCHAR(40) NOT NULL, "area_class" VARCHAR(10) NOT NULL, "amount_fen" INTEGER NOT NULL, "generated_fen" INTEGER, "basis" TEXT NOT NULL, "reason" TEXT NOT NULL, "corrects_month" DATE, "unit_name" VARCHAR(100) NOT NULL, FOREIGN KEY ("batch_id") REFERENCES "allowance_batch" ("id") ON DELETE RESTRICT, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "allowance_line_uuid" ON "allowance_line" ("uuid")',
    'CREATE INDEX "allowance_line_archived" ON "allowance_line" ("archived")',
    'CREATE INDEX "allowance_line_batch_id" ON "allowance_line" ("batch_id")',
    'CREATE INDEX "allowance_line_cadre_id" ON "allowance_line" ("cadre_id")',
    'CREATE INDEX "allowance_line_cadre_id_batch_id" ON "allowance_line" ("cadre_id", "batch_id")',
    'CREATE TABLE "allowance_rule_row" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "table" VARCHAR(30) NOT NULL, "effective_from" DATE NOT NULL, "preset" VARCHAR(20) NOT NULL, "data" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "allowance_rule_row_uuid" ON "allowance_rule_row" ("uuid")',
    'CREATE INDEX "allowance_rule_row_archived" ON "allowance_rule_row" ("archived")',
    'CREATE INDEX "allowance_rule_row_table_effective_from" ON "allowance_rule_row" ("table", "effective_from")',
    'CREATE TABLE "cadre_allowance_facts" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "transferred_on" DATE, "retired_on" DATE, "retirement_kind" VARCHAR(4) NOT NULL, "sent_down_on" DATE, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "cadre_allowance_facts_uuid" ON "cadre_allowance_facts" ("uuid")',
    'CREATE INDEX "cadre_allowance_facts_archived" ON "cadre_allowance_facts" ("archived")',
    'CREATE UNIQUE INDEX "cadre_allowance_facts_cadre_id" ON "cadre_allowance_facts" ("cadre_id")',
    'CREATE TABLE "cadre_period" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE, "note" TEXT NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "cadre_period_uuid" ON "cadre_period" ("uuid")',
    'CREATE INDEX "cadre_period_archived" ON "cadre_period" ("archived")',
    'CREATE INDEX "cadre_period_cadre_id" ON "cadre_period" ("cadre_id")',
    'CREATE TABLE "fund" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "name" VARCHAR(40) NOT NULL, "year" INTEGER NOT NULL, "budget_fen" INTEGER NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "fund_uuid" ON "fund" ("uuid")',
    'CREATE INDEX "fund_archived" ON "fund" ("archived")',
    'CREATE UNIQUE INDEX "fund_name_year" ON "fund" ("name", "year")',
    'CREATE TABLE "talk_record" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "talk_date" DATE NOT NULL, "talker" VARCHAR(60) NOT NULL, "trigger" VARCHAR(40) NOT NULL, "gist" TEXT NOT NULL, "follow_up" TEXT NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "talk_record_uuid" ON "talk_record" ("uuid")',
    'CREATE INDEX "talk_record_archived" ON "talk_record" ("archived")',
    'CREATE INDEX "talk_record_cadre_id" ON "talk_record" ("cadre_id")',
    'CREATE INDEX "talk_record_talk_date" ON "talk_record" ("talk_date")',
    'CREATE TABLE "welfare_record" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "occasion" VARCHAR(40) NOT NULL, "record_date" DATE NOT NULL, "money_fen" INTEGER NOT NULL, "goods" TEXT NOT NULL, "goods_fen" INTEGER NOT NULL, "funding_source" VARCHAR(40) NOT NULL, "visitors" TEXT NOT NULL, "episode" VARCHAR(60) NOT NULL, "over_reason" TEXT NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "welfare_record_uuid" ON "welfare_record" ("uuid")',
    'CREATE INDEX "welfare_record_archived" ON "welfare_record" ("archived")',
    'CREATE INDEX "welfare_record_cadre_id" ON "welfare_record" ("cadre_id")',
    'CREATE INDEX "welfare_record_record_date" ON "welfare_record" ("record_date")',
    'CREATE INDEX "welfare_record_cadre_id_record_date" ON "welfare_record" ("cadre_id", "record_date")',
    'CREATE TABLE "welfare_rule_row" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "table" VARCHAR(20) NOT NULL, "code" VARCHAR(40) NOT NULL, "effective_from" DATE NOT NULL, "preset" VARCHAR(20) NOT NULL, "data" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "welfare_rule_row_uuid" ON "welfare_rule_row" ("uuid")',
    'CREATE INDEX "welfare_rule_row_archived" ON "welfare_rule_row" ("archived")',
]


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)


def down(migrator, database):
    for table in ["talk_record", "welfare_record", "fund", "welfare_rule_row", "allowance_line",
                  "allowance_batch", "allowance_rule_row", "cadre_period", "cadre_allowance_facts"]:
        database.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    database.execute_sql('ALTER TABLE "unit" DROP COLUMN "especially_hard"')
