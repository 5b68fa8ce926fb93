"""Roster use cases: units, cadres and their family members.

Each public function is one transaction: it validates with the domain rules,
writes, records the audit trail and returns a plain result.  A failed call
raises ``ValidationError`` (or ``DomainError``) and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from peewee import fn

from ..db import queries
from ..db.database import db
from ..db.models import Cadre, FamilyMember, Unit, now
from ..domain import dates, idcard, pinyin
from ..domain import roster as rules
from ..domain.errors import DomainError, ValidationError
from . import audit, choices, values
from ..security import access
from ..security.access import exempt, requires

CADRE_FIELDS = [f for f in rules.CADRE_LABELS]
FAMILY_FIELDS = list(rules.FAMILY_LABELS)
UNIT_FIELDS = list(rules.UNIT_LABELS) + ["notes"]


@dataclass
class SaveResult:
    id: int
    created: bool
    warnings: list[DomainError] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)


def _today() -> date:
    return date.today()


def _as_dict(obj, fields) -> dict[str, Any]:
    out = {}
    for f in fields:
        if f == "unit_id":
            out[f] = obj.unit_id
        else:
            out[f] = getattr(obj, f)
    return out


# ---------------------------------------------------------------- units

@requires()
def list_units(include_archived: bool = False, with_counts: bool = True) -> list[dict[str, Any]]:
    """Units by name; ``cadre_count`` (non-archived cadres) only ``with_counts`` — a filter
    drop-down does not need it, and counting reads the whole roster."""
    counts = dict(
        Cadre.select(Cadre.unit, fn.COUNT(Cadre.id))
        .where(Cadre.archived == False)  # noqa: E712
        .group_by(Cadre.unit).tuples()
    ) if with_counts else {}
    q = Unit.select().order_by(Unit.archived, Unit.name)
    if not include_archived:
        q = q.where(Unit.archived == False)  # noqa: E712
    return [dict(_as_dict(u, UNIT_FIELDS), id=u.id, archived=u.archived,
                 cadre_count=counts.get(u.id, 0) if with_counts else None) for u in q]


@requires()
def get_unit(unit_id: int) -> dict[str, Any]:
    u = Unit.get_by_id(unit_id)
    return dict(_as_dict(u, UNIT_FIELDS), id=u.id, archived=u.archived, uuid=u.uuid)


@requires('roster.edit')
def save_unit(data: Mapping[str, Any], unit_id: int | None = None) -> SaveResult:
    clean = {f: (data.get(f) or "").strip() for f in UNIT_FIELDS if f not in rules.UNIT_BOOL_FIELDS}
    for f in rules.UNIT_BOOL_FIELDS:  # a flag left out (an older caller) keeps its saved value
        if f in data:
            clean[f] = _truthy(data.get(f))
        else:
            old = Unit.get_or_none(Unit.id == unit_id) if unit_id else None
            clean[f] = bool(getattr(old, f)) if old is not None else False
    if not clean["hardship_area_class"]:
        clean["hardship_area_class"] = "无"
    errors = rules.check_unit(clean, choices.all_lists())
    dup = Unit.select().where((Unit.name == clean["name"]) & (Unit.archived == False))  # noqa: E712
    if unit_id:
        dup = dup.where(Unit.id != unit_id)
    if clean["name"] and dup.exists():
        errors.append(DomainError("duplicate", f"单位「{clean['name']}」已存在，请勿重复添加", "name"))
    if errors:
        raise ValidationError(errors)
    queries.invalidate_units()
    with db.atomic():
        if unit_id:
            unit = Unit.get_by_id(unit_id)
            changes = audit.diff(_as_dict(unit, UNIT_FIELDS), clean)
            if changes:
                Unit.update(**clean, updated_at=now()).where(Unit.id == unit_id).execute()
                audit.record("update", "unit", unit.uuid, clean["name"], changes)
            return SaveResult(unit_id, False, changes=changes)
        unit = Unit.create(**clean)
        audit.record("create", "unit", unit.uuid, clean["name"], audit.diff({}, clean))
        return SaveResult(unit.id, True)


@requires('roster.edit')
def set_unit_archived(unit_id: int, archived: bool) -> None:
    with db.atomic():
        unit = Unit.get_by_id(unit_id)
        if archived:
            active = Cadre.select().where((Cadre.unit == unit_id) & (Cadre.archived == False)).count()  # noqa: E712
            if active:
                raise DomainError(
                    "unit_has_cadres",
                    f"单位「{unit.name}」下还有 {active} 名在册干部，请先将他们调整到其他单位或归档",
                    "unit_id", count=active)
        if unit.archived == archived:
            return
        Unit.update(archived=archived, updated_at=now()).where(Unit.id == unit_id).execute()
        audit.record("archive" if archived else "restore", "unit", unit.uuid, unit.name)


# ---------------------------------------------------------------- cadres

@requires('roster.read')
def get_cadre(cadre_id: int) -> dict[str, Any]:
    c = Cadre.get_by_id(cadre_id)
    out = _as_dict(c, CADRE_FIELDS)
    out.update(id=c.id, uuid=c.uuid, archived=c.archived, unit_name=c.unit.name,
               created_at=c.created_at, updated_at=c.updated_at)
    out["age"] = idcard.age_on(c.birth_date, _today())
    out["family"] = list_family(cadre_id)
    return out


@requires('roster.read')
def list_family(cadre_id: int) -> list[dict[str, Any]]:
    q = (FamilyMember.select()
         .where((FamilyMember.cadre == cadre_id) & (FamilyMember.archived == False))  # noqa: E712
         .order_by(FamilyMember.id))
    return [dict(_as_dict(m, FAMILY_FIELDS), id=m.id) for m in q]


CADRE_DATE_FIELDS = ("birth_date", "party_join_date", "work_start_date", "township_start_date",
                     "current_post_date")


def _as_date(value: Any, field: str, label: str, errors: list[DomainError] | None,
             allow_month: bool = False, **params) -> date | None:
    """A date from a widget, an import or a typed string; '' and None are no date.

    A string that is not a date becomes None and (when ``errors`` is given) an error
    naming the field, so a bad entry is reported rather than crashing the rule check.
    """
    try:
        return values.as_date(value, lambda text: dates.parse_date(text, field, label, allow_month=allow_month))
    except DomainError as err:
        if errors is not None:
            err.params.update(params)
            errors.append(err)
        return None


def _as_id(value: Any) -> int | None:
    """A row id from a combo box or table: 3, "3" or "" / None / junk (→ None)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() in ("是", "1", "true", "True", "Y", "y", "yes")
    return bool(value)


def _clean_cadre(data: Mapping[str, Any], errors: list[DomainError] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in CADRE_FIELDS:
        v = data.get(f)
        if isinstance(v, str):
            v = v.strip()
        out[f] = v
    out["id_number"] = idcard.normalise(out.get("id_number") or "")
    out["only_child"] = _truthy(out.get("only_child"))
    out["unit_id"] = _as_id(out.get("unit_id"))
    for f in CADRE_DATE_FIELDS:
        out[f] = _as_date(out[f], f, rules.CADRE_LABELS[f], errors, allow_month=f != "birth_date")
    if out.get("pay_grade") in ("", None):
        out["pay_grade"] = None
    else:
        try:
            out["pay_grade"] = int(out["pay_grade"])
        except (TypeError, ValueError):
            out["pay_grade"] = -1  # reported by the rule check
    for f in CADRE_FIELDS:
        if out[f] is None and f not in ("pay_grade", "unit_id", *CADRE_DATE_FIELDS):
            out[f] = ""
    return out


def _clean_family(rows: list[Mapping[str, Any]], errors: list[DomainError] | None = None) -> list[dict[str, Any]]:
    out = []
    for i, row in enumerate(rows, start=1):
        r = {f: row.get(f) for f in FAMILY_FIELDS}
        for f in ("name", "relation", "residence", "phone", "work_unit"):
            r[f] = (r.get(f) or "").strip()
        r["lives_with"] = bool(r.get("lives_with"))
        r["birth_date"] = _as_date(r.get("birth_date"), "family", f"家庭成员第{i}行出生日期", errors, row=i)
        r["id"] = _as_id(row.get("id"))
        out.append(r)
    return out


@requires('roster.edit')
def check_cadre(data: Mapping[str, Any], family: list[Mapping[str, Any]] | None = None,
                cadre_id: int | None = None) -> rules.Checked:
    """Validate without saving (the dialog calls this as the clerk types)."""
    date_errors: list[DomainError] = []
    clean = _clean_cadre(data, date_errors)
    lists = choices.all_lists()
    checked = rules.check_cadre(clean, lists, _today())
    checked.errors.extend(date_errors)
    if family is not None:
        family_errors: list[DomainError] = []
        checked.errors.extend(rules.check_family(_clean_family(family, family_errors), lists))
        checked.errors.extend(family_errors)
    if clean["unit_id"]:
        unit = Unit.get_or_none(Unit.id == clean["unit_id"])
        if unit is None:
            checked.errors.append(DomainError("unit_missing", "所选单位不存在，请重新选择", "unit_id"))
        elif unit.archived and not (cadre_id and Cadre.get_by_id(cadre_id).unit_id == unit.id):
            checked.errors.append(DomainError("unit_archived", f"单位「{unit.name}」已归档，请选择其他单位", "unit_id"))
    if checked.id_info is not None:
        other = Cadre.select(Cadre.id, Cadre.name, Cadre.archived).where(
            Cadre.id_number == checked.id_info.number)
        if cadre_id:
            other = other.where(Cadre.id != cadre_id)
        o = other.first()
        if o is not None:
            where = "（已归档，可在「显示已归档」中恢复）" if o.archived else ""
            checked.errors.append(DomainError(
                "id_duplicate", f"该身份证号已登记为「{o.name}」{where}，请勿重复新增", "id_number"))
    return checked


@requires('roster.edit')
def save_cadre(data: Mapping[str, Any], family: list[Mapping[str, Any]] | None = None,
               cadre_id: int | None = None) -> SaveResult:
    """Create or update a cadre and (when given) the family members, in one transaction."""
    checked = check_cadre(data, family, cadre_id)
    if checked.errors:
        raise ValidationError(checked.errors)
    access.check_unit(_as_id(data.get("unit_id")), "所选单位")
    if cadre_id:
        Cadre.get_by_id(cadre_id)   # refused when the cadre is outside the account's units
    clean = _clean_cadre(data)
    info = checked.id_info
    assert info is not None
    clean["id_number"] = info.number
    clean["birth_date"] = clean.get("birth_date") or info.birth_date
    clean["sex"] = clean.get("sex") or info.sex
    values = dict(clean)
    unit_id = values.pop("unit_id")
    with db.atomic():
        if cadre_id:
            cadre = Cadre.get_by_id(cadre_id)
            changes = audit.diff(_as_dict(cadre, CADRE_FIELDS), clean)
            if changes:
                Cadre.update(**values, unit=unit_id, name_initials=pinyin.initials_key(values["name"]),
                             name_sort=pinyin.sort_key(values["name"]),
                             updated_at=now()).where(Cadre.id == cadre_id).execute()
            created = False
        else:
            cadre = Cadre.create(**values, unit=unit_id, name_initials=pinyin.initials_key(values["name"]),
                                 name_sort=pinyin.sort_key(values["name"]))
            changes = audit.diff({}, clean)
            created = True
        if family is not None:
            fam_changes = _sync_family(cadre, _clean_family(family))
            if fam_changes:
                changes["family"] = fam_changes
        if changes or created:
            audit.record("create" if created else "update", "cadre", cadre.uuid, values["name"], changes)
        return SaveResult(cadre.id, created, checked.warnings, changes)


def _sync_family(cadre: Cadre, rows: list[dict[str, Any]]) -> list[str]:
    """Update, add, and archive (never delete) family members; return change notes."""
    existing = {m.id: m for m in FamilyMember.select().where(
        (FamilyMember.cadre == cadre.id) & (FamilyMember.archived == False))}  # noqa: E712
    notes: list[str] = []
    kept: set[int] = set()
    for row in rows:
        values = {f: row[f] for f in FAMILY_FIELDS}
        member_id = row.get("id")
        if member_id and member_id in existing:
            kept.add(member_id)
            old = _as_dict(existing[member_id], FAMILY_FIELDS)
            if audit.diff(old, values):
                FamilyMember.update(**values, updated_at=now()).where(FamilyMember.id == member_id).execute()
                notes.append(f"修改 {values['relation']} {values['name']}")
        else:
            FamilyMember.create(cadre=cadre.id, **values)
            notes.append(f"新增 {values['relation']} {values['name']}")
    for member_id, member in existing.items():
        if member_id not in kept:
            FamilyMember.update(archived=True, updated_at=now()).where(FamilyMember.id == member_id).execute()
            notes.append(f"移除 {member.relation} {member.name}")
    return notes


@requires('roster.edit')
def set_cadre_archived(cadre_id: int, archived: bool) -> None:
    with db.atomic():
        cadre = Cadre.get_by_id(cadre_id)
        if cadre.archived == archived:
            return
        if not archived and Cadre.select().where(
                (Cadre.id_number == cadre.id_number) & (Cadre.id != cadre_id) & (Cadre.archived == False)).exists():  # noqa: E712
            raise DomainError("id_duplicate", "已有相同身份证号的在册干部，无法恢复", "id_number")
        Cadre.update(archived=archived, updated_at=now()).where(Cadre.id == cadre_id).execute()
        audit.record("archive" if archived else "restore", "cadre", cadre.uuid, cadre.name)


@requires('roster.read')
def cadre_count(include_archived: bool = False) -> int:
    q = Cadre.select()
    if not include_archived:
        q = q.where(Cadre.archived == False)  # noqa: E712
    scope = access.unit_scope()
    if scope is not None:
        q = q.where(Cadre.unit.in_(sorted(scope)))
    return q.count()


@requires('id.reveal')
def record_id_viewed(cadre_id: int) -> None:
    """The full ID number was shown on screen: keep it in the audit trail (DOMAIN.md §6)."""
    cadre = Cadre.get_by_id(cadre_id)
    audit.record("view", "cadre", cadre.uuid, f"查看 {cadre.name} 的完整身份证号")
