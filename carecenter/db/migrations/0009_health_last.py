"""The latest non-archived check per cadre and package, kept by triggers.

The due/overdue list and the 工作台 read each serving cadre's last check of each
package; grouping a decade of checks for that took ~100 ms at 50,000 cadres.
SQLite triggers recompute the one affected (cadre, package) row on every insert,
update or delete of a check, whichever code path wrote it (services, imports,
bulk demo data), so the table cannot drift from the checks."""

RECOMPUTE = """
    DELETE FROM health_last WHERE cadre_id = {r}.cadre_id AND package = {r}.package;
    INSERT INTO health_last (cadre_id, package, last_date)
        SELECT cadre_id, package, max(check_date) FROM health_check
        WHERE cadre_id = {r}.cadre_id AND package = {r}.package AND archived = 0
        GROUP BY cadre_id, package;"""


def up(migrator, database):
    database.execute_sql(
        'CREATE TABLE "health_last" ("cadre_id" INTEGER NOT NULL, "package" VARCHAR(30) NOT NULL, '
        '"last_date" DATE NOT NULL, PRIMARY KEY ("cadre_id", "package"))')
    database.execute_sql(
        "INSERT INTO health_last (cadre_id, package, last_date) SELECT cadre_id, package, max(check_date) "
        "FROM health_check WHERE archived = 0 GROUP BY cadre_id, package")
    database.execute_sql(f"CREATE TRIGGER health_last_ins AFTER INSERT ON health_check BEGIN"
                         f"{RECOMPUTE.format(r='NEW')} END")
    database.execute_sql(f"CREATE TRIGGER health_last_del AFTER DELETE ON health_check BEGIN"
                         f"{RECOMPUTE.format(r='OLD')} END")
    database.execute_sql(f"CREATE TRIGGER health_last_upd AFTER UPDATE OF cadre_id, package, check_date, archived "
                         f"ON health_check BEGIN{RECOMPUTE.format(r='OLD')}{RECOMPUTE.format(r='NEW')} END")


def down(migrator, database):
    for trigger in ("health_last_ins", "health_last_del", "health_last_upd"):
        database.execute_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    database.execute_sql('DROP TABLE IF EXISTS "health_last"')
