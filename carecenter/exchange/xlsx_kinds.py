"""What each import does with its rows, reusing the services' own rules.

Two ways of working, chosen per record type:

* **plan + bulk write** (roster, allowance): every row is checked with the
  domain rules the dialogs use (``services.roster._clean_cadre`` +
  ``domain.roster.check_cadre``; ``domain.money``; the allowance service's
  lock rule) against lookups fetched once, then written with ``executemany``.
  A 10,000-row roster stays within seconds.
* **apply** (leave, health, welfare): every row goes through the service's own
  save function (``save_leave`` / ``save_check`` / ``save_record``) in a
  savepoint, so overlaps, balances, caps, duplicates and budgets are judged
  exactly as in the forms — including against the rows before it in the same
  file.  A refused row's savepoint is rolled back and its errors become the
  row's problems.

Both run inside the caller's transaction; the preview rolls it back, the import
commits it (see ``importer``).
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

from ..db.database import db
from ..db.models import AllowanceBatch, Cadre, HealthCheck, LeaveRecord, Unit, new_uuid, now
from ..domain import idcard, pinyin
from ..domain import allowance as allowance_rules
from ..domain import leave as leave_rules
from ..domain import roster as roster_rules
from ..domain.errors import DomainError, ValidationError
from ..domain.money import format_yuan
from ..services import allowance as allowance_service
from ..services import audit, choices
from ..services import health as health_service
from ..services import leave as leave_service
from ..services import roster as roster_service
from ..services import welfare as welfare_service
from .xlsx_cells import (compact, is_blank, read_bool, read_choice, read_date, read_days, read_half, read_id,
                         read_int, read_money, read_name, read_text)
from .xlsx_fields import FIELDS, Field

#: (field key or None, Chinese reason)
RowErrors = list[tuple[str | None, str]]
CHUNK = 500


@dataclass
class RowIn:
    row: int                       # Excel row number
    cells: dict[str, Any]          # field key -> cell value (merged cells resolved)


@dataclass
class Outcome:
    errors: dict[int, RowErrors] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: roster: (Excel row, name, [(label, old, new)])
    updates: list[tuple[int, str, list[tuple[str, str, str]]]] = field(default_factory=list)
    #: what the rows will do, compared between the preview and the import
    signature: list[Any] = field(default_factory=list)
    #: allowance: lines to write per valid row
    lines: int = 0


class Refused(Exception):
    def __init__(self, errors: RowErrors):
        super().__init__(errors[0][1] if errors else "")
        self.errors = errors


def import_message(message: str) -> str:
    """A form's sentence turned into one for a spreadsheet ('choose' → 'fill in')."""
    return (message.replace("请从下拉列表选择", "请改用模板「说明」页列出的值")
            .replace("请重新选择", "请改正").replace("请选择", "请填写"))


def _chunks(items: list, size: int | None = None) -> Iterable[list]:
    size = size or CHUNK
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _sql_value(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "strftime") and hasattr(v, "hour"):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _audit_rows(rows: list[tuple[str, str, str, str, dict]]) -> None:
    """Per-record audit entries written in bulk (same shape as ``audit.record``)."""
    audit.record_many(rows)


# ================================================================ cadres of history rows

class _Cadres:
    """Finds the cadre of a history row by ID number (or, when there is none, by a
    unique name) with a few bulk queries."""

    def __init__(self, rows: list[RowIn]):
        numbers, names = set(), set()
        for r in rows:
            raw = r.cells.get("id_number")
            if not is_blank(raw) and not isinstance(raw, float):
                numbers.add(idcard.normalise(read_id(raw)))
            elif not is_blank(r.cells.get("name")):
                names.add(read_name(r.cells.get("name")))
        self.by_id: dict[str, tuple] = {}
        for part in _chunks(sorted(numbers)):
            for row in (Cadre.select(Cadre.id, Cadre.name, Cadre.archived, Cadre.id_number, Cadre.unit)
                        .where(Cadre.id_number.in_(part)).tuples()):
                self.by_id[row[3]] = row
        self.by_name: dict[str, list[tuple]] = {}
        for part in _chunks(sorted(names)):
            for row in (Cadre.select(Cadre.id, Cadre.name, Cadre.archived, Cadre.id_number, Cadre.unit)
                        .where(Cadre.name.in_(part)).tuples()):
                self.by_name.setdefault(row[1], []).append(row)

    def resolve(self, r: RowIn, errs: RowErrors) -> tuple | None:
        """(id, name, archived, id_number, unit_id) or None with the reason in ``errs``."""
        raw_id, raw_name = r.cells.get("id_number"), r.cells.get("name")
        name = read_name(raw_name) if not is_blank(raw_name) else ""
        if not is_blank(raw_id):
            try:
                info = idcard.parse(read_id(raw_id))
            except DomainError as err:
                errs.append(("id_number", err.message))
                return None
            found = self.by_id.get(info.number)
            if found is None:
                errs.append(("id_number", f"名册中没有身份证号为 {info.number} 的干部，请核对，或先导入、录入该干部"))
                return None
            if name and name != found[1]:
                errs.append(("name", f"身份证号对应的干部是「{found[1]}」，与本行姓名「{name}」不一致，请核对"))
                return None
            return found
        if name:
            found_all = self.by_name.get(name, [])
            active = [c for c in found_all if not c[2]] or found_all
            if not active:
                errs.append(("name", f"名册中没有名为「{name}」的干部，请核对姓名，或填写身份证号"))
                return None
            if len(active) > 1:
                errs.append(("name", f"名册中有 {len(active)} 位「{name}」，请填写身份证号以区分"))
                return None
            return active[0]
        errs.append(("id_number", "请填写身份证号或姓名"))
        return None


def _convert(f: Field, raw: Any, lists: dict[str, list[str]] | None = None, category: str = "") -> Any:
    """A cell read by its field type (raises DomainError naming the field)."""
    t = f.type
    if t == "name":
        return read_name(raw, f.label, f.key)
    if t == "id":
        return idcard.normalise(read_id(raw, f.label, f.key))
    if t in ("date", "month"):
        return read_date(raw, f.label, f.key, allow_month=t == "month")
    if t == "choice":
        return read_choice(raw, category or f.key, (lists or {}).get(category or f.key))
    if t == "bool":
        return read_bool(raw, f.label, f.key)
    if t == "int":
        return read_int(raw, f.label, f.key)
    if t == "money":
        return read_money(raw, f.label, f.key)
    if t == "days":
        return read_days(raw, f.label, f.key)
    if t == "half":
        return read_half(raw, f.label, f.key)
    if t in ("phone", "unit", "leave_type"):
        return compact(read_text(raw))
    return read_text(raw)


def _read_all(fields: dict[str, Field], r: RowIn, errs: RowErrors) -> dict[str, Any]:
    """Every non-blank cell of a history row read by its field's type (the cadre's
    ID number and name are read by ``_Cadres.resolve``)."""
    out: dict[str, Any] = {}
    for key, raw in r.cells.items():
        if key in ("id_number", "name") or is_blank(raw):
            continue
        try:
            out[key] = _convert(fields[key], raw)
        except DomainError as err:
            errs.append((key, err.message))
    return out


def _map_errors(errors: Iterable[DomainError], field_map: dict[str, str]) -> RowErrors:
    out: RowErrors = []
    for err in errors:
        key = err.field
        if key == "findings":
            key = err.params.get("key")
            message = err.message.split("：", 1)[1] if err.message.startswith("异常结果第") else err.message
        else:
            message = err.message
        out.append((field_map.get(key or "", None), import_message(message)))
    return out


# ================================================================ roster

_ROSTER_FIELD_OF = {"unit_id": "unit"}
_CADRE_COLUMNS = [f for f in roster_service.CADRE_FIELDS]


def _display(key: str, value: Any, units: dict[int, str]) -> str:
    if value is None:
        return ""
    if key == "unit_id":
        return units.get(value, str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RosterHandler:
    kind = "roster"
    bulk = True

    def __init__(self):
        self.fields = {f.key: f for f in FIELDS["roster"]}
        self.today = date.today()

    def prepare(self, rows: list[RowIn]) -> None:
        self.lists = choices.all_lists()
        self.units_by_key: dict[str, tuple[int, str, bool]] = {}
        self.unit_names: dict[int, str] = {}
        for uid, name, archived in Unit.select(Unit.id, Unit.name, Unit.archived).tuples():
            self.unit_names[uid] = name
            key = compact(name)
            if key not in self.units_by_key or self.units_by_key[key][2]:   # an active unit wins
                self.units_by_key[key] = (uid, name, bool(archived))
        # each row's ID number, normalised once (None: blank or unreadable, reported by _row)
        self.numbers: dict[int, str | None] = {}
        for r in rows:
            raw = r.cells.get("id_number")
            self.numbers[r.row] = None if is_blank(raw) or isinstance(raw, float) else \
                idcard.normalise(read_id(raw))
        numbers = {n for n in self.numbers.values() if n}
        # cells that repeat (ethnicity, units, dates …) are read once per distinct value
        self.memo: dict[tuple[str, type, Any], Any] = {}
        self.existing: dict[str, dict[str, Any]] = {}
        cols = [getattr(Cadre, f) if f != "unit_id" else Cadre.unit for f in _CADRE_COLUMNS]
        for part in _chunks(sorted(numbers)):
            q = Cadre.select(Cadre.id, Cadre.uuid, Cadre.archived, *cols).where(Cadre.id_number.in_(part)).dicts()
            for row in q:
                row["unit_id"] = row.pop("unit")
                self.existing[row["id_number"]] = row

    def state(self) -> Any:
        """What the plan was judged against (compared before writing a preview's plan)."""
        return (self.today, self.lists, self.units_by_key, self.existing)

    def plan(self, rows: list[RowIn], tick: Callable[[int], None]) -> tuple[Outcome, list[tuple]]:
        out = Outcome()
        plan: list[tuple] = []
        # duplicates in the file: every occurrence is refused (which one is right is the sender's call)
        seen: dict[str, list[int]] = {}
        for r in rows:
            number = self.numbers.get(r.row)
            if number:
                seen.setdefault(number, []).append(r.row)
        initials: dict[str, tuple[str, str]] = {}
        for i, r in enumerate(rows, start=1):
            tick(i)
            errs: RowErrors = []
            item = self._row(r, errs, seen)
            if errs:
                out.errors[r.row] = errs
                continue
            if item is None:
                out.unchanged += 1
                continue
            if item[0] == "create":
                name = item[2]["name"]
                if name not in initials:
                    initials[name] = (pinyin.initials_key(name), pinyin.sort_key(name))
                plan.append(item + initials[name])
                out.created += 1
                out.signature.append((r.row, "create", item[2]["id_number"]))
            else:
                _, row_no, clean, cadre, changes = item
                name = clean["name"]
                if name not in initials:
                    initials[name] = (pinyin.initials_key(name), pinyin.sort_key(name))
                plan.append(item + initials[name])
                out.updated += 1
                shown = [(roster_rules.CADRE_LABELS.get(k, k),
                          _display(k, cadre.get(k), self.unit_names), _display(k, clean.get(k), self.unit_names))
                         for k in _CADRE_COLUMNS if k in changes]
                out.updates.append((row_no, cadre["name"], shown))
                out.signature.append((row_no, "update", cadre["id"], json.dumps(changes, ensure_ascii=False,
                                                                                sort_keys=True, default=str)))
        return out, plan

    def _row(self, r: RowIn, errs: RowErrors, seen: dict[str, list[int]]):
        values: dict[str, Any] = {}
        birth_text = None
        memo = self.memo
        for key, raw in r.cells.items():
            if raw is None or is_blank(raw):
                continue
            f = self.fields[key]
            if key == "id_number" and self.numbers.get(r.row):
                values[key] = self.numbers[r.row]
                continue
            try:
                if key == "birth_date":   # 出生年月 is often given to the month only: checked against the ID below
                    birth_text = raw
                    read_date(raw, f.label, key, allow_month=True)
                    continue
                if f.type in ("name", "id", "phone"):
                    values[key] = _convert(f, raw, self.lists, roster_rules.CADRE_CHOICES.get(key, ""))
                    continue
                found = memo.get((key, type(raw), raw), memo)
                if found is memo:
                    try:
                        found = _convert(f, raw, self.lists, roster_rules.CADRE_CHOICES.get(key, ""))
                    except DomainError as err:
                        found = err
                    memo[(key, type(raw), raw)] = found
                if isinstance(found, DomainError):
                    raise found
                values[key] = found
            except DomainError as err:
                errs.append((key, err.message))
        number = values.get("id_number", "")
        if not number and not any(k == "id_number" for k, _ in errs):
            errs.append(("id_number", "请填写身份证号"))
        rows_with = seen.get(number, ()) if number else ()
        if len(rows_with) > 1:
            # each row names one other row, so the list grows with the file, not with its square
            if rows_with[0] == r.row:
                more = f"等 {len(rows_with)} 行" if len(rows_with) > 2 else ""
                errs.append(("id_number", f"身份证号在文件中重复出现（与第{rows_with[1]}行{more}相同），请只保留一行"))
            else:
                errs.append(("id_number", f"身份证号与第{rows_with[0]}行重复，请只保留一行"))
        old = self.existing.get(number) if number else None
        if old is not None and old["archived"]:
            errs.append(("id_number", f"该身份证号属于已归档的干部「{old['name']}」，请先在干部名册中恢复"
                                      f"（勾选「显示已归档」）后再导入"))
        unit_id = None
        if "unit" in values:
            name = values.pop("unit")
            found = self.units_by_key.get(name)
            if found is None:
                errs.append(("unit", f"单位「{name}」不在「单位管理」中，请先添加该单位，或改为已有的单位名称"))
            elif found[2]:
                errs.append(("unit", f"单位「{found[1]}」已归档，请改为其他单位"))
            else:
                unit_id = found[0]
        if old is not None:
            data = {k: old[k] for k in _CADRE_COLUMNS}
        else:
            data = {k: "" for k in _CADRE_COLUMNS}
            data.update(only_child=False, pay_grade=None, unit_id=None, employment_status="在职",
                        **{k: None for k in roster_service.CADRE_DATE_FIELDS})
        data.update(values)
        if unit_id is not None:
            data["unit_id"] = unit_id
        date_errors: list[DomainError] = []
        clean = roster_service._clean_cadre(data, date_errors)
        checked = roster_rules.check_cadre(clean, self.lists, self.today)
        failed = {k for k, _ in errs}
        if "unit" in failed:
            failed.add("unit_id")
        problems = [e for e in checked.errors + date_errors if e.field not in failed]
        errs.extend(_map_errors(problems, {k: _ROSTER_FIELD_OF.get(k, k) for k in _CADRE_COLUMNS}))
        info = checked.id_info
        if info is not None and not any(k == "id_number" for k, _ in errs):
            self._check_against_id(info, birth_text, values.get("sex"), errs)
        if errs:
            return None
        assert info is not None
        clean["id_number"] = info.number
        clean["birth_date"] = info.birth_date
        clean["sex"] = clean.get("sex") or info.sex
        if old is None:
            return ("create", r.row, clean)
        changes = audit.diff({k: old[k] for k in _CADRE_COLUMNS}, clean)
        if not changes:
            return None
        return ("update", r.row, clean, old, changes)

    @staticmethod
    def _check_against_id(info: idcard.IdInfo, birth_raw: Any, sex: str | None, errs: RowErrors) -> None:
        """A birth date or sex in the file that contradicts the ID number is refused
        (the form only warns; an unattended import must not store a contradiction).
        A birth month alone (出生年月 1990.03) is compared to the month."""
        if birth_raw is not None and not any(k == "birth_date" for k, _ in errs):
            try:
                full = read_date(birth_raw, "出生日期", "birth_date")
                month_only = False
            except DomainError:
                full = read_date(birth_raw, "出生日期", "birth_date", allow_month=True)
                month_only = True
            expected = info.birth_date.replace(day=1) if month_only else info.birth_date
            if full is not None and full != expected:
                shown = f"{info.birth_date:%Y.%m}" if month_only else info.birth_date.isoformat()
                errs.append(("birth_date", f"出生日期与身份证号不一致（身份证号为 {shown}），请核对"))
        for err in idcard.mismatches(info, None, sex):
            errs.append((err.field, err.message))

    def write(self, plan: list[tuple], tick: Callable[[int], None]) -> tuple[int, int]:
        stamp = _sql_value(now())
        created = updated = 0
        conn = db.connection()
        cols = ["uuid", "created_at", "updated_at", "archived", "name_initials", "name_sort"] + _CADRE_COLUMNS
        insert = 'INSERT INTO cadre (%s) VALUES (%s)' % (", ".join(f'"{c}"' for c in cols),
                                                         ", ".join("?" for _ in cols))
        sets = ", ".join(f'"{c}" = ?' for c in _CADRE_COLUMNS + ["name_initials", "name_sort", "updated_at"])
        update = f'UPDATE cadre SET {sets} WHERE id = ?'
        done = 0
        for part in _chunks(plan):
            inserts, updates, audits = [], [], []
            for item in part:
                if item[0] == "create":
                    _, _row, clean, ini, sort = item
                    uuid = new_uuid()
                    inserts.append([uuid, stamp, stamp, 0, ini, sort] + [_sql_value(clean[c]) for c in _CADRE_COLUMNS])
                    # = audit.diff({}, clean), without comparing each field with nothing
                    audits.append(("create", "cadre", uuid, clean["name"],
                                   {k: [None, audit._plain(v)] for k, v in clean.items() if v is not None}))
                else:
                    _, _row, clean, old, changes, ini, sort = item
                    updates.append([_sql_value(clean[c]) for c in _CADRE_COLUMNS] + [ini, sort, stamp, old["id"]])
                    audits.append(("update", "cadre", old["uuid"], clean["name"], changes))
            if inserts:
                conn.executemany(insert, inserts)
            if updates:
                conn.executemany(update, updates)
            _audit_rows(audits)
            created += len(inserts)
            updated += len(updates)
            done += len(part)
            tick(done)
        return created, updated


# ================================================================ allowance

_SCHEME_WORDS = {
    "艰苦边远地区津贴": allowance_rules.HARDSHIP, "艰边津贴": allowance_rules.HARDSHIP,
    "艰苦边远津贴": allowance_rules.HARDSHIP, "艰苦地区津贴": allowance_rules.HARDSHIP,
    "艰苦边远地区补贴": allowance_rules.HARDSHIP, allowance_rules.HARDSHIP: allowance_rules.HARDSHIP,
    "乡镇工作补贴": allowance_rules.TOWNSHIP, "乡镇补贴": allowance_rules.TOWNSHIP,
    "乡镇工作津贴": allowance_rules.TOWNSHIP, "乡镇津贴": allowance_rules.TOWNSHIP,
    allowance_rules.TOWNSHIP: allowance_rules.TOWNSHIP,
}


class AllowanceHandler:
    kind = "allowance"
    bulk = True

    def __init__(self):
        self.fields = {f.key: f for f in FIELDS["allowance"]}
        self.this_month = date.today().replace(day=1)

    def prepare(self, rows: list[RowIn]) -> None:
        self.cadres = _Cadres(rows)
        self.batches = {allowance_service.month_of(b.month): b for b in AllowanceBatch.select().where(
            AllowanceBatch.archived == False)}  # noqa: E712
        self.units = dict(Unit.select(Unit.id, Unit.name).tuples())
        self.existing: dict[tuple[date, int, str], int] = {}
        ids = [b.id for b in self.batches.values()]
        month_of_batch = {b.id: m for m, b in self.batches.items()}
        for part in _chunks(ids):
            sql = ("SELECT batch_id, cadre_id, scheme, amount_fen FROM allowance_line WHERE kind = ? AND archived = 0 "
                   f"AND batch_id IN ({','.join('?' * len(part))})")
            for bid, cid, scheme, amount in db.execute_sql(sql, [allowance_service.KIND_REGULAR, *part]):
                key = (month_of_batch[bid], cid, scheme)
                self.existing[key] = self.existing.get(key, 0) + amount

    def state(self) -> Any:
        """What the plan was judged against (compared before writing a preview's plan)."""
        return (self.this_month, self.cadres.by_id, self.cadres.by_name, self.units, self.existing,
                {m: (b.id, b.status, b.uuid) for m, b in self.batches.items()})

    def plan(self, rows: list[RowIn], tick: Callable[[int], None]) -> tuple[Outcome, list[tuple]]:
        out = Outcome()
        plan: list[tuple] = []
        first: dict[tuple[date, int, str], int] = {}
        for i, r in enumerate(rows, start=1):
            tick(i)
            errs: RowErrors = []
            cadre = self.cadres.resolve(r, errs)
            values = _read_all(self.fields, r, errs)
            month = values.get("month")
            if "month" not in values and not any(k == "month" for k, _ in errs):
                errs.append(("month", "请填写发放月份，如 2024.03"))
            if month is not None:
                month = allowance_service.month_of(month)
                if month > self.this_month:
                    errs.append(("month", f"发放月份 {allowance_service.fmt_month(month)} 晚于本月，请核对"))
            lines: list[tuple[str, int, str]] = []   # (scheme, fen, field key of the amount)
            scheme_text = values.get("scheme")
            if scheme_text is not None or "amount" in values:
                scheme = _SCHEME_WORDS.get(scheme_text or "")
                if scheme_text is None:
                    errs.append(("scheme", "填写了金额，请同时填写津贴项目（艰苦边远地区津贴 或 乡镇工作补贴）"))
                elif scheme is None:
                    errs.append(("scheme", f"津贴项目「{scheme_text}」无法识别，请填写 艰苦边远地区津贴 或 乡镇工作补贴"))
                elif "amount" not in values:
                    if not any(k == "amount" for k, _ in errs):
                        errs.append(("amount", "请填写金额（元）"))
                else:
                    lines.append((scheme, values["amount"], "amount"))
            for key, scheme in (("hardship", allowance_rules.HARDSHIP), ("township", allowance_rules.TOWNSHIP)):
                if key in values:
                    lines.append((scheme, values[key], key))
            if not lines and not errs:
                errs.append(("amount", "没有金额：请填写「金额」（和「津贴项目」），或「艰苦边远地区津贴」「乡镇工作补贴」"))
            band, area = values.get("band", ""), values.get("area_class", "")
            if len(band) > 40:
                errs.append(("band", "档次不超过40个字"))
            if len(area) > 10:
                errs.append(("area_class", "类区不超过10个字"))
            if cadre is not None and month is not None:
                batch = self.batches.get(month)
                if batch is not None and batch.status == allowance_service.STATUS_LOCKED:
                    errs.append(("month", allowance_service._locked_error(month).message))
                for scheme, fen, key in lines:
                    k = (month, cadre[0], scheme)
                    name = allowance_rules.SCHEME_NAMES[scheme]
                    if k in first:
                        errs.append((key, f"与第{first[k]}行重复（同一干部、同一月份的{name}），请只保留一行"))
                    elif k in self.existing:
                        errs.append((key, f"{allowance_service.fmt_month(month)}已有{cadre[1]}的{name}发放记录"
                                          f"（{format_yuan(self.existing[k])} 元），请勿重复导入"))
            if errs:
                out.errors[r.row] = errs
                continue
            assert cadre is not None and month is not None
            for scheme, fen, _key in lines:
                first[(month, cadre[0], scheme)] = r.row
                plan.append((r.row, month, cadre[0], cadre[1], scheme, fen, band, area, values.get("basis", ""),
                             self.units.get(cadre[4], "")))
                out.signature.append((r.row, month.isoformat(), cadre[0], scheme, fen))
            out.created += len(lines)
            out.lines += len(lines)
        return out, plan

    def write(self, plan: list[tuple], tick: Callable[[int], None]) -> tuple[int, int]:
        stamp = _sql_value(now())
        by_month: dict[date, list[tuple]] = {}
        for item in plan:
            by_month.setdefault(item[1], []).append(item)
        done = 0
        for month in sorted(by_month):
            items = by_month[month]
            batch = allowance_service._ensure_draft(month)
            for part in _chunks(items):
                db.connection().executemany(
                    "INSERT INTO allowance_line (uuid, created_at, updated_at, archived, batch_id, cadre_id, scheme, "
                    "kind, band, area_class, amount_fen, generated_fen, basis, reason, corrects_month, unit_name) "
                    "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, NULL, ?, '', NULL, ?)",
                    [(new_uuid(), stamp, stamp, batch.id, cid, scheme, allowance_service.KIND_REGULAR, band, area,
                      fen, basis or "导入的发放记录", unit)
                     for _row, _m, cid, _name, scheme, fen, band, area, basis, unit in part])
                done += len(part)
                tick(done)
            before = batch.total_fen
            total = allowance_service._set_total(batch)
            added = sum(item[5] for item in items)
            audit.record("update", "allowance_batch", batch.uuid,
                         f"导入{allowance_service.fmt_month(month)}津贴补贴发放记录：{len(items)} 行，"
                         f"合计 {format_yuan(added)} 元",
                         {"imported_lines": len(items), "imported_fen": added, "total_fen": [before, total]})
        return len(plan), 0


# ================================================================ history rows through the services

class _ApplyHandler(ABC):
    bulk = False
    kind = ""

    def __init__(self):
        self.fields = {f.key: f for f in FIELDS[self.kind]}

    def prepare(self, rows: list[RowIn]) -> None:
        self.cadres = _Cadres(rows)

    def apply(self, r: RowIn) -> RowErrors:
        """Write the row through the service; return its problems (nothing written then)."""
        errs: RowErrors = []
        cadre = self.cadres.resolve(r, errs)
        values = _read_all(self.fields, r, errs)
        self._required(values, errs)
        self.precheck(values, errs)
        if cadre is None or errs:
            return errs
        try:
            with db.atomic():
                self.save(cadre, values, r)
        except Refused as err:
            return err.errors
        except ValidationError as err:
            return self.explain(err.errors, cadre, values)
        except DomainError as err:
            return self.explain([err], cadre, values)
        return []

    def _required(self, values: dict[str, Any], errs: RowErrors) -> None:
        for f in self.fields.values():
            if f.required and f.key not in values and not any(k == f.key for k, _ in errs):
                errs.append((f.key, f"请填写{f.label}"))

    field_map: dict[str, str] = {}

    def precheck(self, values: dict[str, Any], errs: RowErrors) -> None:
        """Look up codes (leave type, occasion …) so every problem of a row is listed at once."""

    @abstractmethod
    def save(self, cadre: tuple, values: dict[str, Any], r: RowIn) -> None:
        """Write one valid row through the service (inside the import's transaction)."""

    def explain(self, errors: list[DomainError], cadre: tuple, values: dict[str, Any]) -> RowErrors:
        return _map_errors(errors, self.field_map)


_LEAVE_ALIASES = {
    "年假": leave_rules.ANNUAL, "公休假": leave_rules.ANNUAL, "带薪年休假": leave_rules.ANNUAL,
    "年休": leave_rules.ANNUAL, "休年假": leave_rules.ANNUAL, "探亲": leave_rules.HOME_VISIT,
    "婚嫁假": leave_rules.MARRIAGE, "护理假": leave_rules.PATERNITY, "男方护理假": leave_rules.PATERNITY,
    "陪护假": leave_rules.PATERNITY, "育儿": leave_rules.CHILDCARE, "病": leave_rules.SICK,
    "事": leave_rules.PERSONAL, "疗养": leave_rules.RECUPERATION, "疗休养假": leave_rules.RECUPERATION,
    "独生子女护理假": leave_rules.ONLY_CHILD_CARER, "丧葬假": leave_rules.BEREAVEMENT,
}
_STATUS_ALIASES = {"批准": "已批准", "已审批": "已批准", "同意": "已批准", "审批通过": "已批准", "销假": "已销假",
                   "撤销": "已撤销", "已取消": "已撤销", "待审批": "申请", "申请中": "申请", "已申请": "申请"}


class LeaveHandler(_ApplyHandler):
    kind = "leave"
    field_map = {"cadre_id": "id_number", "type_code": "type", "start_date": "start_date", "end_date": "end_date",
                 "status": "status", "over_balance_reason": "over_balance_reason", "travel_days": "travel_days"}

    def prepare(self, rows: list[RowIn]) -> None:
        super().prepare(rows)
        self.types: dict[str, str] = {}
        for code, name in leave_service.type_names():
            self.types[compact(name)] = code
            self.types[code] = code
        for word, code in _LEAVE_ALIASES.items():
            self.types.setdefault(word, code)

    def precheck(self, values: dict[str, Any], errs: RowErrors) -> None:
        type_text = values.get("type")
        if type_text is not None:
            code = self.types.get(type_text) or self.types.get(type_text.removesuffix("假") + "假") or \
                self.types.get(type_text + "假")
            if code is None:
                names = "、".join(name for _, name in leave_service.type_names())
                errs.append(("type", f"假别「{type_text}」无法识别，请填写：{names}"))
            values["type_code"] = code
        status = values.get("status") or leave_rules.STATUS_APPROVED
        status = _STATUS_ALIASES.get(status, status)
        if status not in leave_rules.LEAVE_STATUSES:
            errs.append(("status", f"状态「{status}」无法识别，请填写 申请、已批准、已销假 或 已撤销"))
        values["status"] = status

    def _input(self, cadre: tuple, values: dict[str, Any]) -> leave_service.LeaveInput:
        code, status = values["type_code"], values["status"]
        return leave_service.LeaveInput(
            cadre_id=cadre[0], type_code=code, start_date=values.get("start_date"), end_date=values.get("end_date"),
            start_half=values.get("start_half") == "下午", end_half=values.get("end_half") == "上午",
            travel_days=values.get("travel_days", Decimal(0)), reason=values.get("reason", ""),
            approver=values.get("approver", ""), status=status,
            over_balance_reason=values.get("over_balance_reason", ""), notes=values.get("notes", ""))

    def save(self, cadre: tuple, values: dict[str, Any], r: RowIn) -> None:
        inp = self._input(cadre, values)
        record_id = leave_service.save_leave(inp)
        if "days" in values:
            counted = LeaveRecord.get_by_id(record_id).days
            if counted != values["days"]:
                raise Refused([("days", f"天数 {values['days']} 与按「{leave_rules.LEAVE_TYPE_NAMES.get(inp.type_code, '')}」"
                                        f"规则算出的 {leave_rules._fmt_days(counted)} 天不一致，请核对起止日期或天数")])

    def explain(self, errors: list[DomainError], cadre: tuple, values: dict[str, Any]) -> RowErrors:
        out = _map_errors([e for e in errors if e.code != "reason_required"], self.field_map)
        if any(e.code == "reason_required" for e in errors):
            try:
                pre = leave_service.preview(self._input(cadre, values))
                said = "；".join(w.message for w in pre.warnings)
            except DomainError:
                said = ""
            out.append(("over_balance_reason", (said + "。" if said else "有超出规定的情况。")
                        + "如确属实，请在「超出说明」列写明原因"))
        return out


class HealthHandler(_ApplyHandler):
    kind = "health"
    field_map = {"cadre_id": "id_number", "check_date": "check_date", "package": "package",
                 "institution": "institution", "item": "finding_item", "level": "finding_level",
                 "recheck_due": "recheck_due", "description": "finding_description"}
    DEFAULT_PACKAGE = "常规体检"

    def prepare(self, rows: list[RowIn]) -> None:
        super().prepare(rows)
        self.seen: dict[tuple[int, date, str], int] = {}

    def save(self, cadre: tuple, values: dict[str, Any], r: RowIn) -> None:
        package = values.get("package") or self.DEFAULT_PACKAGE
        check_date = values.get("check_date")
        key = (cadre[0], check_date, package)
        if key in self.seen:
            raise Refused([("check_date", f"与第{self.seen[key]}行重复（同一干部、同一天的「{package}」），请只保留一行")])
        if check_date is not None and HealthCheck.select().where(
                (HealthCheck.cadre == cadre[0]) & (HealthCheck.check_date == check_date)
                & (HealthCheck.package == package) & (HealthCheck.archived == False)).exists():  # noqa: E712
            raise Refused([("check_date", f"{cadre[1]} {check_date.isoformat()} 已有「{package}」体检记录，请勿重复导入")])
        findings = []
        if any(k in values for k in ("finding_item", "finding_level", "finding_description", "recheck_due")):
            level = (values.get("finding_level") or "").upper().removesuffix("类")
            findings.append(health_service.FindingInput(
                item=values.get("finding_item", ""), description=values.get("finding_description", ""),
                level=level, recheck_due=values.get("recheck_due")))
        health_service.save_check(health_service.CheckInput(
            cadre_id=cadre[0], check_date=check_date, institution=values.get("institution", ""), package=package,
            items=values.get("items", ""), conclusion=values.get("conclusion", ""), notes=values.get("notes", ""),
            findings=findings))
        self.seen[key] = r.row


class WelfareHandler(_ApplyHandler):
    kind = "welfare"
    field_map = {"cadre_id": "id_number", "occasion": "occasion", "record_date": "record_date",
                 "money_fen": "money", "goods_fen": "goods_value", "goods": "goods",
                 "funding_source": "funding_source", "visitors": "visitors", "episode": "episode",
                 "notes": "notes", "over_reason": "over_reason"}

    def prepare(self, rows: list[RowIn]) -> None:
        super().prepare(rows)
        self.occasions: dict[str, str] = {}
        for code, name in welfare_service.occasion_names():
            key = compact(name)
            self.occasions[key] = code
            self.occasions.setdefault(key.removesuffix("慰问"), code)
            self.occasions.setdefault(code, code)

    def precheck(self, values: dict[str, Any], errs: RowErrors) -> None:
        text = values.get("occasion")
        if text is not None:
            code = self.occasions.get(text) or self.occasions.get(text.removesuffix("慰问"))
            if code is None:
                names = "、".join(name for _, name in welfare_service.occasion_names())
                errs.append(("occasion", f"慰问事由「{text}」无法识别，请填写：{names}"))
            values["occasion_code"] = code

    def _input(self, cadre: tuple, values: dict[str, Any]) -> welfare_service.WelfareInput:
        return welfare_service.WelfareInput(
            cadre_id=cadre[0], occasion=values["occasion_code"], record_date=values.get("record_date"),
            money_fen=values.get("money") or 0, goods=values.get("goods", ""), goods_fen=values.get("goods_value") or 0,
            funding_source=values.get("funding_source", ""), visitors=values.get("visitors", ""),
            episode=values.get("episode", ""), notes=values.get("notes", ""), over_reason=values.get("over_reason", ""))

    def save(self, cadre: tuple, values: dict[str, Any], r: RowIn) -> None:
        welfare_service.save_record(self._input(cadre, values))

    def explain(self, errors: list[DomainError], cadre: tuple, values: dict[str, Any]) -> RowErrors:
        out = _map_errors([e for e in errors if e.code != "reason_required"], self.field_map)
        if any(e.code == "reason_required" for e in errors):
            try:
                pre = welfare_service.preview(self._input(cadre, values))
                said = "；".join(f"{welfare_service.WARNING_TAGS.get(w.code, '提示')}：{w.message}"
                                for w in pre.warnings if w.needs_reason)
            except DomainError:
                said = ""
            out.append(("over_reason", (said + "。" if said else "有超出规定的情况。")
                        + "如确需登记，请在「超出说明」列写明原因（如 经工会委员会研究同意）"))
        return out


HANDLERS = {"roster": RosterHandler, "allowance": AllowanceHandler, "leave": LeaveHandler,
            "health": HealthHandler, "welfare": WelfareHandler}
