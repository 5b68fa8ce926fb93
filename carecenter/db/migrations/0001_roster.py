"""Initial schema: pick lists, units, cadres, family members, audit log."""


def up(migrator, database):
    database.execute_sql(
        """
        CREATE TABLE choice (
            id INTEGER NOT NULL PRIMARY KEY,
            category VARCHAR(40) NOT NULL,
            value VARCHAR(60) NOT NULL,
            sort_order INTEGER NOT NULL DEFAULT 0,
            archived INTEGER NOT NULL DEFAULT 0
        )"""
    )
    database.execute_sql('CREATE UNIQUE INDEX choice_category_value ON choice (category, value)')
    common = """
            uuid VARCHAR(32) NOT NULL,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL,
            archived INTEGER NOT NULL DEFAULT 0"""
    database.execute_sql(
        f"""
        CREATE TABLE unit (
            id INTEGER NOT NULL PRIMARY KEY,{common},
            name VARCHAR(100) NOT NULL,
            kind VARCHAR(20) NOT NULL DEFAULT '',
            township VARCHAR(60) NOT NULL DEFAULT '',
            township_category VARCHAR(10) NOT NULL DEFAULT '',
            hardship_area_class VARCHAR(10) NOT NULL DEFAULT '无',
            notes TEXT NOT NULL DEFAULT ''
        )"""
    )
    database.execute_sql(
        f"""
        CREATE TABLE cadre (
            id INTEGER NOT NULL PRIMARY KEY,{common},
            name VARCHAR(40) NOT NULL,
            name_initials VARCHAR(120) NOT NULL DEFAULT '',
            sex VARCHAR(2) NOT NULL,
            ethnicity VARCHAR(20) NOT NULL DEFAULT '汉族',
            id_number VARCHAR(18) NOT NULL,
            birth_date DATE NOT NULL,
            native_place VARCHAR(60) NOT NULL DEFAULT '',
            political_status VARCHAR(20) NOT NULL DEFAULT '',
            party_join_date DATE,
            education_fulltime VARCHAR(20) NOT NULL DEFAULT '',
            degree_fulltime VARCHAR(20) NOT NULL DEFAULT '',
            education_inservice VARCHAR(20) NOT NULL DEFAULT '',
            degree_inservice VARCHAR(20) NOT NULL DEFAULT '',
            marital_status VARCHAR(10) NOT NULL DEFAULT '',
            only_child INTEGER NOT NULL DEFAULT 0,
            phone VARCHAR(20) NOT NULL DEFAULT '',
            emergency_contact VARCHAR(40) NOT NULL DEFAULT '',
            emergency_phone VARCHAR(20) NOT NULL DEFAULT '',
            unit_id INTEGER NOT NULL REFERENCES unit (id) ON DELETE RESTRICT,
            post VARCHAR(60) NOT NULL DEFAULT '',
            leadership_level VARCHAR(20) NOT NULL DEFAULT '',
            rank VARCHAR(20) NOT NULL DEFAULT '',
            pay_grade INTEGER,
            personnel_status VARCHAR(20) NOT NULL DEFAULT '公务员',
            position_category VARCHAR(20) NOT NULL DEFAULT '综合管理类',
            employment_status VARCHAR(10) NOT NULL DEFAULT '在职',
            work_start_date DATE,
            township_start_date DATE,
            current_post_date DATE,
            notes TEXT NOT NULL DEFAULT ''
        )"""
    )
    database.execute_sql(
        f"""
        CREATE TABLE family_member (
            id INTEGER NOT NULL PRIMARY KEY,{common},
            cadre_id INTEGER NOT NULL REFERENCES cadre (id) ON DELETE CASCADE,
            name VARCHAR(40) NOT NULL,
            relation VARCHAR(10) NOT NULL,
            birth_date DATE,
            lives_with INTEGER NOT NULL DEFAULT 1,
            residence VARCHAR(100) NOT NULL DEFAULT '',
            phone VARCHAR(20) NOT NULL DEFAULT '',
            work_unit VARCHAR(100) NOT NULL DEFAULT ''
        )"""
    )
    database.execute_sql(
        """
        CREATE TABLE audit_log (
            id INTEGER NOT NULL PRIMARY KEY,
            at DATETIME NOT NULL,
            user VARCHAR(60) NOT NULL,
            action VARCHAR(20) NOT NULL,
            "table" VARCHAR(40) NOT NULL,
            record_uuid VARCHAR(32) NOT NULL,
            summary VARCHAR(200) NOT NULL DEFAULT '',
            changes TEXT NOT NULL DEFAULT ''
        )"""
    )
    for sql in [
        "CREATE UNIQUE INDEX unit_uuid ON unit (uuid)",
        "CREATE INDEX unit_archived ON unit (archived)",
        "CREATE UNIQUE INDEX cadre_uuid ON cadre (uuid)",
        "CREATE UNIQUE INDEX cadre_id_number ON cadre (id_number)",
        "CREATE INDEX cadre_archived ON cadre (archived)",
        "CREATE INDEX cadre_archived_name_initials ON cadre (archived, name_initials)",
        "CREATE INDEX cadre_name ON cadre (name)",
        "CREATE INDEX cadre_birth_date ON cadre (birth_date)",
        "CREATE INDEX cadre_phone ON cadre (phone)",
        "CREATE INDEX cadre_unit_id ON cadre (unit_id)",
        "CREATE INDEX cadre_employment_status ON cadre (employment_status)",
        "CREATE UNIQUE INDEX family_member_uuid ON family_member (uuid)",
        "CREATE INDEX family_member_archived ON family_member (archived)",
        "CREATE INDEX family_member_cadre_id ON family_member (cadre_id)",
        "CREATE INDEX audit_log_at ON audit_log (at)",
        "CREATE INDEX audit_log_record_uuid ON audit_log (record_uuid)",
    ]:
        database.execute_sql(sql)


def down(migrator, database):
    for table in ["audit_log", "family_member", "cadre", "unit", "choice"]:
        database.execute_sql(f"DROP TABLE IF EXISTS {table}")
