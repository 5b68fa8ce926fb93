"""Builders shared by the importer tests: workbooks laid out the way counties keep
them (title rows, merged cells, header synonyms, messy dates, total rows), and a
small roster to import history against.  No tests here."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook

from tests.conftest import make_id_number


def workbook(path: Path, rows: Iterable[Iterable[Any]], *, merges: Iterable[str] = (), sheet: str = "Sheet1",
             extra_sheets: dict[str, list[list[Any]]] | None = None, text_columns: str = "") -> Path:
    """Write ``rows`` (None = empty cell) to ``path``; ``merges`` like 'A1:H1'."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for col in text_columns:
        for cell in ws[col]:
            cell.number_format = "@"
    for name, data in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in data:
            other.append(row)
    wb.save(path)
    return path


def db_rows(sql: str, params=()) -> list[tuple]:
    from carecenter.db.database import db

    return db.execute_sql(sql, params).fetchall()


def snapshot() -> dict[str, list[tuple]]:
    """Every table the importer may write, as sorted rows (to prove 'nothing written')."""
    tables = ["cadre", "unit", "audit_log", "leave_record", "health_check", "health_finding", "welfare_record",
              "allowance_batch", "allowance_line"]
    return {t: sorted(map(repr, db_rows(f'SELECT * FROM "{t}"'))) for t in tables}


def roster_people(unit_id: int) -> dict[str, str]:
    """Three cadres in the roster; returns {name: id number}."""
    from carecenter.services import roster

    people = {"王伟": make_id_number("19850312", 11), "李娜": make_id_number("19880720", 22),
              "张强": make_id_number("19790105", 33)}
    sexes = {"王伟": "男", "李娜": "女", "张强": "男"}
    for name, number in people.items():
        roster.save_cadre({"name": name, "id_number": number, "unit_id": unit_id, "employment_status": "在职",
                           "sex": sexes[name], "work_start_date": "2008.08", "marital_status": "已婚"})
    return people
