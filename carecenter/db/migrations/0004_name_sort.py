"""Sort names in pinyin order: a full-pinyin key (surname reading first).

The (archived, name_initials) index served the old initials order and goes;
searching by initials stays on name_initials."""
from carecenter.domain.pinyin import sort_key


def up(migrator, database):
    database.execute_sql("ALTER TABLE cadre ADD COLUMN name_sort VARCHAR(200) NOT NULL DEFAULT ''")
    rows = database.execute_sql("SELECT id, name FROM cadre").fetchall()
    keys: dict[str, str] = {}
    for cadre_id, name in rows:
        if name not in keys:
            keys[name] = sort_key(name)
    database.connection().executemany("UPDATE cadre SET name_sort = ? WHERE id = ?",
                                      [(keys[name], cadre_id) for cadre_id, name in rows])
    database.execute_sql('DROP INDEX IF EXISTS "cadre_archived_name_initials"')
    database.execute_sql('CREATE INDEX "cadre_archived_name_sort" ON "cadre" ("archived", "name_sort")')


def down(migrator, database):
    database.execute_sql('DROP INDEX IF EXISTS "cadre_archived_name_sort"')
    database.execute_sql('CREATE INDEX "cadre_archived_name_initials" ON "cadre" ("archived", "name_initials")')
    database.execute_sql("ALTER TABLE cadre DROP COLUMN name_sort")
