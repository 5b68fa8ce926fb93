"""Leave use cases (DOMAIN.md §2): calendar overrides, leave-type rules, records,
annual-leave balances and deferrals.

Rules come from the ``leave_type_rule`` table (seeded from a preset, editable);
the working-day calendar is chinese-calendar plus the ``calendar_day`` overrides.
Each write is one transaction with an audit entry; a refused save changes nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, NamedTuple

from ..db.database import db
from ..db.models import (AnnualLeaveDeferral, CalendarDay, Cadre, FamilyMember, LeaveRecord,
                         LeaveTypeRule, Setting, now)
from ..domain import leave as rules
from ..domain import presets
from ..domain.errors import DomainError, ValidationError
from ..domain.workcalendar import DayOverride, WorkCalendar
from ..paths import resource_path
from . import audit
from .values import builds_large_list, from_json as _loads, to_json as _dumps
from ..security.access import exempt, requires

ZERO = Decimal(0)
PRESET_KEY = "leave_preset"


# ---------------------------------------------------------------- rule tables

_rule_cache: dict[str, list[rules.LeaveType]] = {}


def _invalidate() -> None:
    _rule_cache.clear()
    _calendar_cache.clear()


@exempt('start-up seeding of shipped presets')
def seed_rules_if_empty(preset: str = presets.NATIONAL) -> int:
    """Load a preset's leave-type rows into an empty table; return rows added."""
    if LeaveTypeRule.select().exists():
        return 0
    return _load_preset(preset)


def _load_preset(preset: str) -> int:
    base = resource_path("presets")
    rows = presets.load_leave_types(base, preset)
    raw = json.loads((base / preset / presets.LEAVE_TYPES_FILE).read_text(encoding="utf-8"),
                     parse_float=Decimal)["rows"]
    with db.atomic():
        for row, data in zip(rows, raw):
            LeaveTypeRule.create(code=row.code, name=row.name, effective_from=row.effective_from,
                                 preset=preset, data=_dumps(data))
        Setting.replace(key=PRESET_KEY, value=preset).execute()
        audit.record("create", "leave_type_rule", "preset", f"载入请休假规则预设：{preset}")
    _invalidate()
    return len(rows)


@requires('settings.edit')
def replace_with_preset(preset: str) -> int:
    """Swap every leave-type row for a preset's rows (settings screen, asks first).

    The old rows are archived, not deleted, so the change can be traced."""
    with db.atomic():
        for r in LeaveTypeRule.select().where(LeaveTypeRule.archived == False):  # noqa: E712
            audit.record("archive", "leave_type_rule", r.uuid,
                         f"更换预设为 {preset}，停用：{r.name}（{r.effective_from}起）")
        LeaveTypeRule.update(archived=True, updated_at=now()).where(
            LeaveTypeRule.archived == False).execute()  # noqa: E712
        # unique (code, effective_from): move archived rows out of the way
        for r in LeaveTypeRule.select().where(LeaveTypeRule.archived == True):  # noqa: E712
            if not r.code.startswith("~"):
                LeaveTypeRule.update(code="~" + r.uuid[:8] + r.code).where(LeaveTypeRule.id == r.id).execute()
        return _load_preset(preset)


@requires()
def current_preset() -> str:
    row = Setting.get_or_none(Setting.key == PRESET_KEY)
    return row.value if row else ""


@requires()
def rule_rows() -> list[dict[str, Any]]:
    """Every active rule row for the settings screen: id plus the row's data."""
    out = []
    q = LeaveTypeRule.select().where(LeaveTypeRule.archived == False).order_by(  # noqa: E712
        LeaveTypeRule.code, LeaveTypeRule.effective_from)
    for r in q:
        data = _loads(r.data)
        data["id"] = r.id
        data["preset"] = r.preset
        out.append(data)
    order = {code: i for i, code in enumerate(rules.LEAVE_TYPE_CODES)}
    out.sort(key=lambda d: (order.get(d["code"], 99), d["effective_from"]))
    return out


@requires()
def all_rules() -> list[rules.LeaveType]:
    key = db.database or ""
    if key not in _rule_cache:
        q = LeaveTypeRule.select().where(LeaveTypeRule.archived == False)  # noqa: E712
        _rule_cache[key] = [presets.leave_type_from_dict(_loads(r.data)) for r in q]
    return _rule_cache[key]


@requires()
def rule_for(code: str, on: date) -> rules.LeaveType:
    return rules.rule_in_force(all_rules(), code, on)


@requires()
def type_names() -> list[tuple[str, str]]:
    """(code, name) of the leave types that have rules, in display order."""
    present = {r.code: r.name for r in all_rules()}
    return [(c, present[c]) for c in rules.LEAVE_TYPE_CODES if c in present] + sorted(
        (c, n) for c, n in present.items() if c not in rules.LEAVE_TYPE_CODES)


@requires('settings.edit')
def save_rule(data: dict[str, Any], rule_id: int | None = None) -> int:
    """Add or edit one dated rule row after validating it with the domain loader."""
    clean = {k: v for k, v in data.items() if k not in ("id", "preset")}
    try:
        parsed = presets.leave_type_from_dict(json.loads(_dumps(clean), parse_float=Decimal))
    except DomainError as err:
        raise ValidationError([err]) from None
    dup = LeaveTypeRule.select().where((LeaveTypeRule.code == parsed.code)
                                       & (LeaveTypeRule.effective_from == parsed.effective_from))
    if rule_id:
        dup = dup.where(LeaveTypeRule.id != rule_id)
    if dup.exists():
        raise ValidationError([DomainError(
            "duplicate", f"“{parsed.name}”已有自 {parsed.effective_from} 起执行的规则，请修改生效日期",
            "effective_from")])
    with db.atomic():
        if rule_id:
            row = LeaveTypeRule.get_by_id(rule_id)
            changes = audit.diff(_loads(row.data), json.loads(_dumps(clean)))
            LeaveTypeRule.update(code=parsed.code, name=parsed.name, effective_from=parsed.effective_from,
                                 data=_dumps(clean), updated_at=now()).where(LeaveTypeRule.id == rule_id).execute()
            audit.record("update", "leave_type_rule", row.uuid, parsed.name, changes)
        else:
            row = LeaveTypeRule.create(code=parsed.code, name=parsed.name, effective_from=parsed.effective_from,
                                       preset="本地", data=_dumps(clean))
            audit.record("create", "leave_type_rule", row.uuid, parsed.name)
    _invalidate()
    return row.id


# ---------------------------------------------------------------- calendar

_calendar_cache: dict[str, WorkCalendar] = {}


@requires()
def calendar() -> WorkCalendar:
    key = db.database or ""
    if key not in _calendar_cache:
        q = CalendarDay.select().where(CalendarDay.archived == False)  # noqa: E712
        _calendar_cache[key] = WorkCalendar([DayOverride(d.day, d.is_workday, d.name) for d in q])
    return _calendar_cache[key]


@requires()
def calendar_overrides(year: int | None = None) -> list[dict[str, Any]]:
    q = CalendarDay.select().where(CalendarDay.archived == False).order_by(CalendarDay.day)  # noqa: E712
    if year:
        q = q.where((CalendarDay.day >= date(year, 1, 1)) & (CalendarDay.day <= date(year, 12, 31)))
    return [{"id": d.id, "day": d.day, "is_workday": d.is_workday, "name": d.name, "note": d.note} for d in q]


@requires('settings.edit')
def save_calendar_day(day: date | None, is_workday: bool, name: str, note: str = "") -> int:
    if day is None:
        raise ValidationError([DomainError("required", "请填写日期", "day")])
    name = (name or "").strip()
    if not name:
        raise ValidationError([DomainError("required", "请填写名称，如“国庆节”或“国庆节调休上班”", "name")])
    with db.atomic():
        row = CalendarDay.get_or_none(CalendarDay.day == day)
        if row:
            CalendarDay.update(is_workday=is_workday, name=name, note=note, archived=False,
                               updated_at=now()).where(CalendarDay.id == row.id).execute()
            audit.record("update", "calendar_day", row.uuid, f"{day} {name}",
                         audit.diff({"is_workday": row.is_workday, "name": row.name},
                                    {"is_workday": is_workday, "name": name}))
        else:
            row = CalendarDay.create(day=day, is_workday=is_workday, name=name, note=note)
            audit.record("create", "calendar_day", row.uuid, f"{day} {name}")
    _invalidate()
    return row.id


@requires('settings.edit')
def remove_calendar_day(day_id: int) -> None:
    """Drop a local override (kept archived); the built-in calendar applies again."""
    with db.atomic():
        row = CalendarDay.get_by_id(day_id)
        CalendarDay.update(archived=True, updated_at=now()).where(CalendarDay.id == day_id).execute()
        audit.record("archive", "calendar_day", row.uuid, f"{row.day} {row.name}")
    _invalidate()


# ---------------------------------------------------------------- records

@dataclass
class LeaveInput:
    cadre_id: int | None
    type_code: str
    start_date: date | None
    end_date: date | None
    start_half: bool = False
    end_half: bool = False
    travel_days: Decimal = ZERO
    reason: str = ""
    approver: str = ""
    status: str = rules.STATUS_APPROVED
    over_balance_reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notes: str = ""


@dataclass
class LeavePreview:
    days: Decimal | None
    total: Decimal | None            # days + travel days
    errors: list[DomainError]
    warnings: list[rules.LeaveWarning]
    needs_reason: bool               # a warning that must be explained before saving
    info: list[str]                  # neutral hints (certificate needed, entitlement …)


def _records_of(cadre_id: int, exclude_id: int | None = None) -> list[rules.LeaveRecord]:
    q = (LeaveRecord.select(LeaveRecord.id, LeaveRecord.type_code, LeaveRecord.start_date,
                            LeaveRecord.end_date, LeaveRecord.days, LeaveRecord.start_half,
                            LeaveRecord.end_half, LeaveRecord.status)
         .where((LeaveRecord.cadre == cadre_id) & (LeaveRecord.archived == False)))  # noqa: E712
    out = []
    for r in q:
        if exclude_id and r.id == exclude_id:
            continue
        out.append(rules.LeaveRecord(r.type_code, r.start_date, r.end_date, r.days, r.start_half,
                                     r.end_half, r.status, r.id))
    return out


@requires('leave.edit')
def preview(inp: LeaveInput, record_id: int | None = None) -> LeavePreview:
    """Count the days and run every check without saving (the form calls this live)."""
    errors: list[DomainError] = []
    warnings: list[rules.LeaveWarning] = []
    info: list[str] = []
    needs_reason = False
    days = total = None
    cadre = Cadre.get_or_none(Cadre.id == inp.cadre_id) if inp.cadre_id else None
    if cadre is None:
        errors.append(DomainError("required", "请选择干部", "cadre_id"))
    if inp.start_date is None:
        errors.append(DomainError("required", "请填写开始日期", "start_date"))
    if inp.end_date is None:
        errors.append(DomainError("required", "请填写结束日期", "end_date"))
    if inp.status not in rules.LEAVE_STATUSES:
        errors.append(DomainError("choice", "请选择状态", "status"))
    rule = None
    if inp.start_date is not None:
        try:
            rule = rule_for(inp.type_code, inp.start_date)
        except DomainError as err:
            errors.append(DomainError(err.code, err.message, "type_code"))
    if rule is None or inp.start_date is None or inp.end_date is None:
        return LeavePreview(None, None, errors, warnings, False, info)
    try:
        days = rules.count_leave(rule, calendar(), inp.start_date, inp.end_date, inp.start_half, inp.end_half)
        total = rules.with_travel_days(rule, days, inp.travel_days or 0)
    except DomainError as err:
        errors.append(err if err.field else DomainError(err.code, err.message, "end_date"))
        return LeavePreview(None, None, errors, warnings, False, info)
    if days == 0:
        errors.append(DomainError("zero_days", "所选日期内没有需要计算的假期天数（均为休息日），请调整日期", "end_date"))
    if cadre is None:
        return LeavePreview(days, total, errors, warnings, False, info)
    existing = _records_of(cadre.id, record_id)
    try:
        rules.check_overlap(rules.LeavePeriod(inp.start_date, inp.end_date, inp.start_half, inp.end_half,
                                              inp.status, record_id), existing)
    except DomainError as err:
        errors.append(err)
    counts = rules.counts_as_taken(inp.status)
    year = inp.start_date.year
    if rule.code == rules.ANNUAL and counts:
        bal = annual_balance(cadre.id, year, exclude_id=record_id)
        info.append(f"{year}年年休假：应休{_fmt(bal.entitled + bal.deferred_in)}天，"
                    f"已休{_fmt(bal.taken)}天，剩余{_fmt(bal.remaining)}天")
        w = rules.check_balance(days, bal.remaining)
        if w:
            warnings.append(w)
            needs_reason = True
    elif rule.code == rules.HOME_VISIT:
        opts = home_visit_options(cadre.id, inp.start_date, inp.travel_days or 0, exclude_id=record_id)
        kind = inp.details.get("kind")
        matching = [o for o in opts if o.kind == kind] if kind else opts
        if not any(o.available for o in matching):
            reasons = "；".join(dict.fromkeys(o.reason for o in matching)) or "不符合探亲假条件"
            warnings.append(rules.LeaveWarning("home_visit_ineligible", f"探亲假条件不符：{reasons}"))
            needs_reason = True
        else:
            best = max((o for o in matching if o.available), key=lambda o: o.days)
            info.append(f"{best.reason}，最多{_fmt(best.days)}天（自然日），另可加路程假")
            if days > best.days:
                warnings.append(rules.LeaveWarning(
                    "home_visit_too_long", f"探亲假最多{_fmt(best.days)}天，本次{_fmt(days)}天（不含路程假），请核对"))
                needs_reason = True
    elif rule.code == rules.MATERNITY:
        try:
            expected = rules.maternity_days(
                rule, difficult_birth=bool(inp.details.get("difficult_birth")),
                babies=int(inp.details.get("babies") or 1), child_order=int(inp.details.get("child_order") or 1),
                miscarriage_months=inp.details.get("miscarriage_months"))
            info.append(f"按规定产假{_fmt(expected)}天（自然日）")
            if days > expected:
                warnings.append(rules.LeaveWarning("maternity_too_long",
                                                   f"产假按规定为{_fmt(expected)}天，本次{_fmt(days)}天，请核对"))
                needs_reason = True
        except DomainError as err:
            errors.append(err)
        if cadre.sex != "女":
            warnings.append(rules.LeaveWarning("maternity_sex", "产假适用于女职工；男职工请选择“陪产假”"))
            needs_reason = True
    elif rule.code == rules.BEREAVEMENT and inp.details.get("relation"):
        el = rules.bereavement_eligibility(rule, inp.details["relation"], travel_days=inp.travel_days or 0)
        (info if el.eligible else warnings).append(
            el.reason if el.eligible else rules.LeaveWarning("bereavement_relation", el.reason))
        needs_reason = needs_reason or not el.eligible
    elif rule.code == rules.CHILDCARE:
        births = [m.birth_date for m in FamilyMember.select().where(
            (FamilyMember.cadre == cadre.id) & (FamilyMember.relation == "子女")
            & (FamilyMember.archived == False)) if m.birth_date]  # noqa: E712
        el = rules.childcare_eligibility(rule, births, inp.end_date)
        if el.eligible:
            info.append(el.reason)
        else:
            warnings.append(rules.LeaveWarning("childcare_ineligible", el.reason))
            needs_reason = True
    if rule.code in (rules.SICK,) and rules.needs_certificate(rule, days):
        info.append(f"{rule.name}{_fmt(days)}天，需要提供医疗机构证明")
    if counts and rule.code != rules.ANNUAL:
        taken = rules.taken_days(existing, type_code=rule.code, year=year)
        w = rules.check_yearly_cap(rule, days, taken)
        if w:
            warnings.append(w)
            needs_reason = True
    if rule.code == rules.RECUPERATION:
        history = [(r.start, bool(_loads(LeaveRecord.get_by_id(r.record_id).details).get("out_of_province")))
                   for r in existing if r.type_code == rules.RECUPERATION and rules.counts_as_taken(r.status)]
        ws = rules.check_recuperation(rule, days, out_of_province=bool(inp.details.get("out_of_province")),
                                      on=inp.start_date, history=history)
        warnings.extend(ws)
        needs_reason = needs_reason or bool(ws)
    if needs_reason and not inp.over_balance_reason.strip():
        errors.append(DomainError("reason_required", "有超出规定的情况，请在“超出说明”中填写原因后再保存",
                                  "over_balance_reason"))
    return LeavePreview(days, total, errors, warnings, needs_reason, info)


def _fmt(d: Decimal) -> str:
    return rules._fmt_days(d)


@requires('leave.edit')
def save_leave(inp: LeaveInput, record_id: int | None = None) -> int:
    """Create or edit a leave record in one transaction; raise ValidationError if refused."""
    with db.atomic():
        pre = preview(inp, record_id)
        if pre.errors:
            raise ValidationError(pre.errors)
        values = dict(cadre=inp.cadre_id, type_code=inp.type_code, start_date=inp.start_date,
                      end_date=inp.end_date, start_half=inp.start_half, end_half=inp.end_half,
                      days=pre.days, travel_days=Decimal(inp.travel_days or 0), reason=inp.reason.strip(),
                      approver=inp.approver.strip(), status=inp.status,
                      over_balance_reason=inp.over_balance_reason.strip() if pre.needs_reason else "",
                      details=_dumps(inp.details or {}), notes=inp.notes.strip())
        summary = f"{Cadre.get_by_id(inp.cadre_id).name} {rules.LEAVE_TYPE_NAMES.get(inp.type_code, inp.type_code)} " \
                  f"{inp.start_date}~{inp.end_date} {_fmt(pre.days)}天"
        if record_id:
            row = LeaveRecord.get_by_id(record_id)
            old = {k: getattr(row, k) for k in values if k != "cadre"}
            LeaveRecord.update(**values, updated_at=now()).where(LeaveRecord.id == record_id).execute()
            audit.record("update", "leave_record", row.uuid, summary,
                         audit.diff(old, {k: v for k, v in values.items() if k != "cadre"}))
            return record_id
        row = LeaveRecord.create(**values)
        audit.record("create", "leave_record", row.uuid, summary)
        return row.id


@requires('leave.edit')
def set_status(record_id: int, status: str) -> None:
    """申请 → 已批准 → 已销假, or 已撤销 (kept, never deleted)."""
    if status not in rules.LEAVE_STATUSES:
        raise DomainError("choice", "状态无效", "status")
    with db.atomic():
        row = LeaveRecord.get_by_id(record_id)
        if row.status == status:
            return
        if status != rules.STATUS_CANCELLED:
            existing = _records_of(row.cadre_id, record_id)
            rules.check_overlap(rules.LeavePeriod(row.start_date, row.end_date, row.start_half, row.end_half,
                                                  status, record_id), existing)
        LeaveRecord.update(status=status, updated_at=now()).where(LeaveRecord.id == record_id).execute()
        audit.record("update", "leave_record", row.uuid, f"状态 {row.status} → {status}",
                     {"status": [row.status, status]})


@requires('leave.read')
def get_leave(record_id: int) -> dict[str, Any]:
    r = LeaveRecord.get_by_id(record_id)
    return dict(id=r.id, cadre_id=r.cadre_id, cadre_name=r.cadre.name, type_code=r.type_code,
                start_date=r.start_date, end_date=r.end_date, start_half=r.start_half, end_half=r.end_half,
                days=r.days, travel_days=r.travel_days, reason=r.reason, approver=r.approver,
                status=r.status, over_balance_reason=r.over_balance_reason, details=_loads(r.details),
                notes=r.notes)


@requires('leave.read')
def cadre_leaves(cadre_id: int) -> list[dict[str, Any]]:
    names = dict(type_names())
    q = (LeaveRecord.select().where((LeaveRecord.cadre == cadre_id) & (LeaveRecord.archived == False))  # noqa: E712
         .order_by(LeaveRecord.start_date.desc()))
    return [dict(id=r.id, type_code=r.type_code, type_name=names.get(r.type_code, r.type_code),
                 start_date=r.start_date, end_date=r.end_date, start_half=r.start_half, end_half=r.end_half,
                 days=r.days, travel_days=r.travel_days, status=r.status, reason=r.reason,
                 approver=r.approver) for r in q]


# ---------------------------------------------------------------- balances

def _year_totals(cadre_ids: Iterable[int] | None, year: int, exclude_id: int | None = None
                 ) -> dict[int, dict[str, Decimal]]:
    """{cadre_id: {type_code: days}} of leave that counts as taken, by start year."""
    sql = ("SELECT cadre_id, type_code, days FROM leave_record WHERE archived = 0 "
           "AND start_date >= ? AND start_date <= ? AND status IN (?, ?) "
           "AND type_code IN (?, ?, ?)")
    params: list[Any] = [date(year, 1, 1), date(year, 12, 31), rules.STATUS_APPROVED, rules.STATUS_CLOSED,
                         rules.ANNUAL, rules.SICK, rules.PERSONAL]
    if exclude_id:
        sql += " AND id != ?"
        params.append(exclude_id)
    ids = None
    if cadre_ids is not None:
        ids = list(cadre_ids)
        if len(ids) <= 500:
            sql += f" AND cadre_id IN ({','.join('?' * len(ids))})"
            params += ids
    out: dict[int, dict[str, Decimal]] = {}
    for cid, code, days in db.execute_sql(sql, [p.isoformat() if isinstance(p, date) else p for p in params]):
        d = out.setdefault(cid, {})
        d[code] = d.get(code, ZERO) + Decimal(days)
    return out


def _year_events(year: int) -> dict[int, list[tuple[date, str, Decimal]]]:
    """{cadre_id: [(start, type_code, days)]} of the year's taken 年休假/病假/事假, in date order
    (one SQL pass for the balance list instead of one query per cadre)."""
    sql = ("SELECT cadre_id, start_date, type_code, days FROM leave_record WHERE archived = 0 "
           "AND start_date >= ? AND start_date <= ? AND status IN (?, ?) AND type_code IN (?, ?, ?) "
           "ORDER BY cadre_id, start_date, id")
    out: dict[int, list[tuple[date, str, Decimal]]] = {}
    for cid, start, code, days in db.execute_sql(sql, (f"{year}-01-01", f"{year}-12-31", rules.STATUS_APPROVED,
                                                       rules.STATUS_CLOSED, rules.ANNUAL, rules.SICK,
                                                       rules.PERSONAL)):
        start = start if isinstance(start, date) else date.fromisoformat(start)
        out.setdefault(cid, []).append((start, code, Decimal(days)))
    return out


def _forfeited(cadre_id: int, work_start: date, year: int, rule: rules.LeaveType) -> bool:
    events = [(r.start, r.type_code, r.days) for r in _records_of(cadre_id)
              if r.start.year == year and rules.counts_as_taken(r.status)]
    return rules.annual_lost_next_year(events, work_start=work_start, year=year, rule=rule)


@requires('leave.read')
def annual_balance(cadre_id: int, year: int, exclude_id: int | None = None) -> rules.AnnualBalance:
    cadre = Cadre.get_by_id(cadre_id)
    rule = rule_for(rules.ANNUAL, date(year, 12, 31))
    if cadre.work_start_date is None:
        ent = rules.AnnualEntitlement(ZERO, 0, "未填写参加工作时间，无法计算年休假（请在干部信息中补充）",
                                      "not_eligible")
        return rules.annual_balance(year, ent, taken=_year_totals([cadre_id], year, exclude_id)
                                    .get(cadre_id, {}).get(rules.ANNUAL, ZERO))
    totals = _year_totals([cadre_id], year, exclude_id).get(cadre_id, {})
    prev = _year_totals([cadre_id], year - 1).get(cadre_id, {})
    forfeited = False
    if prev.get(rules.ANNUAL) and (prev.get(rules.SICK) or prev.get(rules.PERSONAL)):
        forfeited = _forfeited(cadre_id, cadre.work_start_date, year - 1,
                               rule_for(rules.ANNUAL, date(year - 1, 12, 31)))
    ent = rules.annual_entitlement(cadre.work_start_date, year, rule,
                                   personal_leave_days=totals.get(rules.PERSONAL, ZERO),
                                   sick_leave_days=totals.get(rules.SICK, ZERO),
                                   forfeited_by_prev_year=forfeited)
    return rules.annual_balance(year, ent, deferrals=_deferrals(cadre_id, year),
                                taken=totals.get(rules.ANNUAL, ZERO))


def _deferrals(cadre_id: int, year: int) -> list[rules.AnnualDeferral]:
    q = AnnualLeaveDeferral.select().where(
        (AnnualLeaveDeferral.cadre == cadre_id) & (AnnualLeaveDeferral.archived == False)  # noqa: E712
        & (AnnualLeaveDeferral.from_year.in_([year - 1, year])))
    return [rules.AnnualDeferral(d.from_year, d.from_year + 1, d.days, d.reason) for d in q]


class BalanceRow(NamedTuple):
    cadre_id: int
    name: str
    unit: str
    entitled: Decimal
    deferred_in: Decimal
    taken: Decimal
    remaining: Decimal
    reason: str


def _year_half_days(year: int, codes: tuple[str, ...]) -> dict[int, dict[str, int]]:
    """{cadre_id: {type_code: half-days}} of taken leave starting in ``year``.

    Summed in SQL over the covering index (type_code, start_date, status, …):
    day counts are multiples of 0.5, so doubling them gives exact integers."""
    sql = (f"SELECT cadre_id, type_code, CAST(round(sum(days * 2)) AS INTEGER) FROM leave_record "
           f"WHERE type_code IN ({','.join('?' * len(codes))}) AND start_date >= ? AND start_date <= ? "
           f"AND status IN (?, ?) AND +archived = 0 GROUP BY cadre_id, type_code")
    out: dict[int, dict[str, int]] = {}
    for cid, code, halves in db.execute_sql(sql, (*codes, f"{year}-01-01", f"{year}-12-31",
                                                  rules.STATUS_APPROVED, rules.STATUS_CLOSED)):
        out.setdefault(cid, {})[code] = halves
    return out


def _year_pivot(year: int, until: date | None = None) -> dict[int, tuple[int, int, int]]:
    """{cadre_id: (annual, personal, sick) half-days} taken in ``year`` (leave starting on or
    before ``until`` only, when given), one row per cadre."""
    sql = ("SELECT cadre_id, "
           "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER), "
           "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER), "
           "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER) "
           "FROM leave_record WHERE type_code IN (?, ?, ?) AND start_date >= ? AND start_date <= ? "
           "AND status IN (?, ?) AND +archived = 0 GROUP BY cadre_id")
    codes = (rules.ANNUAL, rules.PERSONAL, rules.SICK)
    end = min(until, date(year, 12, 31)).isoformat() if until else f"{year}-12-31"
    rows = db.execute_sql(sql, (*codes, *codes, f"{year}-01-01", end,
                                rules.STATUS_APPROVED, rules.STATUS_CLOSED)).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _forfeit_candidates(year: int, rule: rules.LeaveType) -> set[int]:
    """Cadres who may lose next year's leave for ``year``: annual leave taken and a
    事假/病假 total that reached the smallest 第四条 threshold (checked in detail later)."""
    personal_limit = Decimal(str(rule.param("personal_exclusion_days"))) * 2
    months = min(Decimal(str(m)) for _, m in rule.param("sick_exclusion_months"))
    sick_limit = months * Decimal(str(rule.param("sick_month_days"))) * 2
    totals = _year_half_days(year, (rules.SICK, rules.PERSONAL))
    heavy = {cid for cid, t in totals.items()
             if t.get(rules.PERSONAL, 0) >= personal_limit or t.get(rules.SICK, 0) >= sick_limit}
    if not heavy:
        return set()
    annual = _year_half_days(year, (rules.ANNUAL,))
    return {cid for cid in heavy if annual.get(cid, {}).get(rules.ANNUAL)}


class _BalanceContext:
    """What every cadre's balance for ``year`` reads besides the cadre's own totals:
    the rule, last year's heavy 事假/病假 cases, the deferrals and the memoised
    entitlements.  Built once per view; ``row`` computes one cadre."""

    def __init__(self, year: int):
        from ..db import queries

        self.year = year
        self.rule = rule_for(rules.ANNUAL, date(year, 12, 31))
        self.prev_rule = rule_for(rules.ANNUAL, date(year - 1, 12, 31))
        self.candidates = _forfeit_candidates(year - 1, self.prev_rule)
        self.prev_events = _year_events(year - 1) if self.candidates else {}
        self.deferred: dict[tuple[int, int], Decimal] = {}
        for cid, from_year, days in db.execute_sql(
                "SELECT cadre_id, from_year, days FROM annual_leave_deferral WHERE archived = 0 "
                "AND from_year IN (?, ?)", (year - 1, year)):
            self.deferred[(cid, from_year)] = Decimal(days)
        self.units = queries.unit_names()
        self.memo: dict[tuple, rules.AnnualEntitlement] = {}
        # (tier, personal, sick, forfeited, annual taken) -> (entitled, taken, remaining, reason):
        # most cadres share these inputs, so the Decimal work is done once per distinct case
        self.cases: dict[tuple, tuple] = {}

    #: exact day values by half-day count
    _HALVES = [Decimal(n) / 2 for n in range(0, 2 * 400 + 1)]
    _NO_START = rules.AnnualEntitlement(ZERO, 0, "未填写参加工作时间，无法计算年休假（请在干部信息中补充）",
                                        "not_eligible")

    def days_of(self, n: int) -> Decimal:
        return self._HALVES[n] if 0 <= n < len(self._HALVES) else Decimal(n) / 2

    def special(self) -> set[int]:
        """Cadres whose balance depends on more than (service, this year's totals):
        a possible forfeiture from last year or a deferral."""
        return set(self.candidates) | {cid for cid, _ in self.deferred}

    def entitlement(self, cid: int, work_start: Any, t: tuple[int, int, int]) -> tuple[Any, rules.AnnualEntitlement]:
        if work_start is None:
            return None, self._NO_START
        ws = str(work_start)
        year = self.year
        # full years of service on 30 November (the month-after rule, see domain.leave)
        tier = year - int(ws[:4]) - (ws[5:10] > "11-30")
        forfeited = cid in self.candidates and rules.annual_lost_next_year(
            self.prev_events.get(cid, ()), work_start=date.fromisoformat(ws[:10]), year=year - 1,
            rule=self.prev_rule)
        key = (tier, t[1], t[2], forfeited)
        ent = self.memo.get(key)
        if ent is None:
            ent = self.memo[key] = rules.annual_entitlement(
                date.fromisoformat(ws[:10]), year, self.rule, personal_leave_days=self.days_of(key[1]),
                sick_leave_days=self.days_of(key[2]), forfeited_by_prev_year=forfeited)
        return key, ent

    def row(self, cid: int, name: str, unit: Any, work_start: Any, t: tuple[int, int, int]) -> "BalanceRow":
        """One cadre's balance; ``t``: (annual, personal, sick) half-days taken in the year."""
        key, ent = self.entitlement(cid, work_start, t)
        deferred = self.deferred
        if deferred and ((cid, self.year - 1) in deferred or (cid, self.year) in deferred):
            taken = self.days_of(t[0])
            d_in = deferred.get((cid, self.year - 1), ZERO)
            remaining = ent.days + d_in - deferred.get((cid, self.year), ZERO) - taken
            if ent.excluded and remaining < 0:
                remaining = ZERO
            return BalanceRow(cid, name, self.units.get(unit, ""), ent.days, d_in, taken, remaining, ent.reason)
        case = self.cases.get((key, t[0]))
        if case is None:
            taken = self.days_of(t[0])
            remaining = ent.days - taken
            if ent.excluded and remaining < 0:
                remaining = ZERO
            case = self.cases[(key, t[0])] = (ent.days, taken, remaining, ent.reason)
        return BalanceRow(cid, name, self.units.get(unit, ""), case[0], ZERO, case[1], case[2], case[3])


@requires('leave.read')
@builds_large_list
def annual_balances(year: int, unit_id: int | None = None, text: str = "",
                    until: date | None = None) -> list[BalanceRow]:
    """The year's balance for every serving cadre (the 休假管理 balance view).

    One SQL pass per input (cadres, the year's totals, last year's heavy 事假/病假
    cases, deferrals); entitlements memoised by their inputs, so 50,000 cadres
    with ten years of history stay fast.  Same rules as ``annual_balance``.
    ``until``: count only the leave starting on or before that day (the balance as it
    stood then: a package reported to the county as of a date, issue 15).
    """
    from ..db import queries

    ctx = _BalanceContext(year)
    cadres = queries.balance_cadres(unit_id, text)
    totals = _year_pivot(year, until)
    empty = (0, 0, 0)
    row = ctx.row
    return [row(cid, name, unit, ws, totals.get(cid, empty)) for cid, name, unit, ws in cadres]


class AnnualOverview(NamedTuple):
    """The 工作台's view of the year's annual leave over serving cadres."""
    none_taken: int          # leave left and none taken yet
    partly: int              # some taken, some left
    rested: int              # some annual leave taken
    total: int               # serving cadres
    first_none: list[BalanceRow]     # the first few of each, by name (as the balance view lists them)
    first_partly: list[BalanceRow]


@requires('leave.read')
def annual_overview(year: int, sample: int = 5) -> AnnualOverview:
    """Counts of ``annual_balances(year)`` by state, without computing every cadre.

    Cadres are grouped in SQL by what their balance depends on (service tier and the
    year's annual/事假/病假 totals); each distinct group is evaluated once.  The few
    cadres whose balance also depends on last year or on a deferral are computed one
    by one with the same code as the balance view, and so are the first names,
    found by walking the roster in name order a chunk at a time."""
    from ..db import queries

    ctx = _BalanceContext(year)
    special = ctx.special()
    none_taken = partly = rested = total = 0

    def count(b: BalanceRow, n: int) -> None:
        nonlocal none_taken, partly, rested
        if b.taken > 0:
            rested += n
        if b.remaining > 0:
            if b.taken > 0:
                partly += n
            else:
                none_taken += n

    groups = queries.annual_leave_groups(year, (rules.ANNUAL, rules.PERSONAL, rules.SICK), _TAKEN_STATUSES,
                                          sorted(special))
    for work_start, annual, personal, sick, n in groups:
        total += n
        count(ctx.row(0, "", None, work_start, (annual, personal, sick)), n)
    for cid, name, unit, ws in queries.cadres_by_ids(sorted(special)):
        total += 1
        count(ctx.row(cid, name, unit, ws, _cadre_year_totals(year, [cid]).get(cid, (0, 0, 0))), 1)

    first_none: list[BalanceRow] = []
    first_partly: list[BalanceRow] = []
    if none_taken or partly:
        for chunk in queries.serving_cadre_chunks(queries.BALANCE_COLUMNS):
            totals = _cadre_year_totals(year, [r[0] for r in chunk])
            for cid, name, unit, ws in chunk:
                b = ctx.row(cid, name, unit, ws, totals.get(cid, (0, 0, 0)))
                if b.remaining > 0:
                    target = first_partly if b.taken > 0 else first_none
                    if len(target) < sample:
                        target.append(b)
            if len(first_none) >= min(sample, none_taken) and len(first_partly) >= min(sample, partly):
                break
    return AnnualOverview(none_taken, partly, rested, total, first_none, first_partly)


_TAKEN_STATUSES = (rules.STATUS_APPROVED, rules.STATUS_CLOSED)


def _cadre_year_totals(year: int, cadre_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """``_year_pivot`` for a few cadres (through the cadre/date index)."""
    if not cadre_ids:
        return {}
    codes = (rules.ANNUAL, rules.PERSONAL, rules.SICK)
    sql = ("SELECT cadre_id, "
           "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER), "
           "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER), "
           "CAST(round(sum(CASE WHEN type_code = ? THEN days * 2 ELSE 0 END)) AS INTEGER) "
           "FROM leave_record INDEXED BY leave_record_cadre_id_start_date "
           f"WHERE cadre_id IN ({','.join('?' * len(cadre_ids))}) AND start_date >= ? AND start_date <= ? "
           "AND type_code IN (?, ?, ?) AND status IN (?, ?) AND archived = 0 GROUP BY cadre_id")
    rows = db.execute_sql(sql, (*codes, *cadre_ids, f"{year}-01-01", f"{year}-12-31", *codes,
                                *_TAKEN_STATUSES)).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@requires('leave.edit')
def save_deferral(cadre_id: int, from_year: int, days: Any, reason: str, approved_by: str = "") -> int:
    """Record that the unit deferred unused annual leave to the next year (at most one year)."""
    try:
        deferral = rules.AnnualDeferral(from_year, from_year + 1, days, reason)
    except DomainError as err:
        raise ValidationError([err]) from None
    if not (reason or "").strip():
        raise ValidationError([DomainError("required", "请填写顺延原因（单位因工作需要安排跨年度休假）", "reason")])
    with db.atomic():
        if AnnualLeaveDeferral.select().where((AnnualLeaveDeferral.cadre == cadre_id)
                                              & (AnnualLeaveDeferral.from_year == from_year)
                                              & (AnnualLeaveDeferral.archived == False)).exists():  # noqa: E712
            raise ValidationError([DomainError("duplicate", f"{from_year}年的顺延已登记，请勿重复", "from_year")])
        bal = annual_balance(cadre_id, from_year)
        try:
            rules.validate_deferral(deferral, bal)
        except DomainError as err:
            raise ValidationError([err]) from None
        row = AnnualLeaveDeferral.create(cadre=cadre_id, from_year=from_year, days=deferral.days,
                                         reason=reason.strip(), approved_by=approved_by.strip())
        audit.record("create", "annual_leave_deferral", row.uuid,
                     f"{Cadre.get_by_id(cadre_id).name} {from_year}年年休假顺延{_fmt(deferral.days)}天")
        return row.id


# ---------------------------------------------------------------- 探亲假

@requires('leave.read')
def home_visit_options(cadre_id: int, on: date, travel_days: Any = 0,
                       exclude_id: int | None = None) -> list[rules.HomeVisitOption]:
    cadre = Cadre.get_by_id(cadre_id)
    rule = rule_for(rules.HOME_VISIT, on)
    family = [rules.FamilyInfo(m.relation, m.lives_with) for m in FamilyMember.select().where(
        (FamilyMember.cadre == cadre_id) & (FamilyMember.archived == False))]  # noqa: E712
    history = []
    for r in LeaveRecord.select().where((LeaveRecord.cadre == cadre_id) & (LeaveRecord.type_code == rules.HOME_VISIT)
                                        & (LeaveRecord.archived == False)):  # noqa: E712
        if r.id == exclude_id or not rules.counts_as_taken(r.status):
            continue
        kind = _loads(r.details).get("kind") or "parents"
        history.append(rules.HomeVisitTaken(r.start_date, kind, r.days))
    if cadre.work_start_date is None:
        return [rules.HomeVisitOption("spouse", ZERO, 1, False, "未填写参加工作时间")]
    return rules.home_visit_eligibility(cadre.marital_status == "已婚", family, cadre.work_start_date, on,
                                        history, rule, travel_days=travel_days)
