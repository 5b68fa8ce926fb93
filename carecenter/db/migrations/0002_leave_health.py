"""Leave (calendar overrides, leave-type rules, records, deferrals) and health
(cycle rules, checks, findings, confidential mental-health records), plus settings.

Frozen DDL: later model changes come in later migrations, never here."""

STATEMENTS = [
    'CREATE TABLE "annual_leave_deferral" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "from_year" INTEGER NOT NULL, "days" TEXT NOT NULL, "reason" TEXT NOT NULL, "approved_by" VARCHAR(40) NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "annual_leave_deferral_uuid" ON "annual_leave_deferral" ("uuid")',
    'CREATE INDEX "annual_leave_deferral_archived" ON "annual_leave_deferral" ("archived")',
    'CREATE INDEX "annual_leave_deferral_cadre_id" ON "annual_leave_deferral" ("cadre_id")',
    'CREATE UNIQUE INDEX "annual_leave_deferral_cadre_id_from_year" ON "annual_leave_deferral" ("cadre_id", "from_year")',
    'CREATE TABLE "calendar_day" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "day" DATE NOT NULL, "is_workday" INTEGER NOT NULL, "name" VARCHAR(40) NOT NULL, "note" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "calendar_day_uuid" ON "calendar_day" ("uuid")',
    'CREATE INDEX "calendar_day_archived" ON "calendar_day" ("archived")',
    'CREATE UNIQUE INDEX "calendar_day_day" ON "calendar_day" ("day")',
    'CREATE TABLE "health_check" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "check_date" DATE NOT NULL, "institution" VARCHAR(100) NOT NULL, "package" VARCHAR(30) NOT NULL, "items" TEXT NOT NULL, "conclusion" TEXT NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "health_check_uuid" ON "health_check" ("uuid")',
    'CREATE INDEX "health_check_archived" ON "health_check" ("archived")',
    'CREATE INDEX "health_check_cadre_id" ON "health_check" ("cadre_id")',
    'CREATE INDEX "health_check_cadre_id_check_date" ON "health_check" ("cadre_id", "check_date")',
    'CREATE INDEX "health_check_check_date" ON "health_check" ("check_date")',
    'CREATE TABLE "health_cycle_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "name" VARCHAR(40) NOT NULL, "sex" VARCHAR(4) NOT NULL, "age_min" INTEGER NOT NULL, "age_max" INTEGER, "interval_years" INTEGER NOT NULL, "package" VARCHAR(30) NOT NULL, "effective_from" DATE NOT NULL, "preset" VARCHAR(20) NOT NULL, "source" TEXT NOT NULL, "notes" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "health_cycle_rule_uuid" ON "health_cycle_rule" ("uuid")',
    'CREATE INDEX "health_cycle_rule_archived" ON "health_cycle_rule" ("archived")',
    'CREATE TABLE "health_finding" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "check_id" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "item" VARCHAR(60) NOT NULL, "description" TEXT NOT NULL, "level" VARCHAR(2) NOT NULL, "notified_date" DATE, "referral" VARCHAR(100) NOT NULL, "recheck_due" DATE, "outcome" TEXT NOT NULL, "closed" INTEGER NOT NULL, "closed_date" DATE, FOREIGN KEY ("check_id") REFERENCES "health_check" ("id") ON DELETE CASCADE, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "health_finding_uuid" ON "health_finding" ("uuid")',
    'CREATE INDEX "health_finding_archived" ON "health_finding" ("archived")',
    'CREATE INDEX "health_finding_check_id" ON "health_finding" ("check_id")',
    'CREATE INDEX "health_finding_cadre_id" ON "health_finding" ("cadre_id")',
    'CREATE INDEX "health_finding_closed_recheck_due" ON "health_finding" ("closed", "recheck_due")',
    'CREATE TABLE "leave_record" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "type_code" VARCHAR(30) NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE NOT NULL, "start_half" INTEGER NOT NULL, "end_half" INTEGER NOT NULL, "days" TEXT NOT NULL, "travel_days" TEXT NOT NULL, "reason" TEXT NOT NULL, "approver" VARCHAR(40) NOT NULL, "status" VARCHAR(10) NOT NULL, "over_balance_reason" TEXT NOT NULL, "details" TEXT NOT NULL, "notes" TEXT NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "leave_record_uuid" ON "leave_record" ("uuid")',
    'CREATE INDEX "leave_record_archived" ON "leave_record" ("archived")',
    'CREATE INDEX "leave_record_cadre_id" ON "leave_record" ("cadre_id")',
    'CREATE INDEX "leave_record_cadre_id_start_date" ON "leave_record" ("cadre_id", "start_date")',
    'CREATE INDEX "leave_record_start_date" ON "leave_record" ("start_date")',
    'CREATE TABLE "leave_type_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "code" VARCHAR(30) NOT NULL, "name" VARCHAR(30) NOT NULL, "effective_from" DATE NOT NULL, "preset" VARCHAR(20) NOT NULL, "data" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "leave_type_rule_uuid" ON "leave_type_rule" ("uuid")',
    'CREATE INDEX "leave_type_rule_archived" ON "leave_type_rule" ("archived")',
    'CREATE UNIQUE INDEX "leave_type_rule_code_effective_from" ON "leave_type_rule" ("code", "effective_from")',
    'CREATE TABLE "mental_record" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(32) NOT NULL, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "archived" INTEGER NOT NULL, "cadre_id" INTEGER NOT NULL, "kind" VARCHAR(10) NOT NULL, "record_date" DATE NOT NULL, "scale" VARCHAR(10) NOT NULL, "score" INTEGER, "band" VARCHAR(30) NOT NULL, "counsellor" VARCHAR(40) NOT NULL, "summary" TEXT NOT NULL, "consent_date" DATE, "consent_scope" VARCHAR(100) NOT NULL, FOREIGN KEY ("cadre_id") REFERENCES "cadre" ("id") ON DELETE RESTRICT)',
    'CREATE UNIQUE INDEX "mental_record_uuid" ON "mental_record" ("uuid")',
    'CREATE INDEX "mental_record_archived" ON "mental_record" ("archived")',
    'CREATE INDEX "mental_record_cadre_id" ON "mental_record" ("cadre_id")',
    'CREATE INDEX "mental_record_cadre_id_record_date" ON "mental_record" ("cadre_id", "record_date")',
    'CREATE TABLE "setting" ("key" VARCHAR(60) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
]


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)


def down(migrator, database):
    for table in ["mental_record", "health_finding", "health_check", "health_cycle_rule",
                  "annual_leave_deferral", "leave_record", "leave_type_rule", "calendar_day", "setting"]:
        database.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
