"""Covering indexes for the yearly lists at 50,000 cadres × ten years of history:
the annual-leave balance view (taken days per cadre and type) and the health
due/overdue list (latest check per cadre and package)."""

STATEMENTS = [
    'CREATE INDEX "leave_record_type_code_start_date_status_archived_cadre_id_days" ON "leave_record" '
    '("type_code", "start_date", "status", "archived", "cadre_id", "days")',
    'CREATE INDEX "health_check_cadre_id_package_check_date_archived" ON "health_check" '
    '("cadre_id", "package", "check_date", "archived")',
]


def up(migrator, database):
    for sql in STATEMENTS:
        database.execute_sql(sql)


def down(migrator, database):
    database.execute_sql('DROP INDEX IF EXISTS "leave_record_type_code_start_date_status_archived_cadre_id_days"')
    database.execute_sql('DROP INDEX IF EXISTS "health_check_cadre_id_package_check_date_archived"')
