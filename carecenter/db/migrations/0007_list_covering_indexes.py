"""Covering indexes for the whole-township lists and the 工作台 at 50,000 cadres:

* serving cadres in name order with the columns the lists read (balance view,
  due list, visits to make, birthdays, coverage) — an index-only scan instead of
  reading every wide cadre row (measured: 88 ms → 49 ms; the count 74 ms → 2 ms);
* the year's welfare records by date with fund, amounts and cadre — budget use
  and "visited this year" without touching the rows (1.3 million at ten years)."""

CADRE_LIST = "cadre_serving_list"
WELFARE_YEAR = "welfare_record_year_cover"


def up(migrator, database):
    database.execute_sql(
        f'CREATE INDEX "{CADRE_LIST}" ON "cadre" ("archived", "employment_status", "name_sort", "name", '
        f'"unit_id", "sex", "birth_date", "work_start_date")')
    database.execute_sql(
        f'CREATE INDEX "{WELFARE_YEAR}" ON "welfare_record" ("record_date", "archived", "funding_source", '
        f'"money_fen", "goods_fen", "cadre_id")')


def down(migrator, database):
    database.execute_sql(f'DROP INDEX IF EXISTS "{CADRE_LIST}"')
    database.execute_sql(f'DROP INDEX IF EXISTS "{WELFARE_YEAR}"')
