"""Health use cases (DOMAIN.md §4, §6): check-cycle rules, checks and their
abnormal findings, the due list, open follow-ups, and confidential
mental-health records.

Rules come from the ``health_cycle_rule`` table (seeded from a preset,
editable).  Each write is one transaction with an audit entry; a refused save
raises ``ValidationError`` and changes nothing.

Mental-health records are sensitive personal information (个人信息保护法 Art. 28):
no list, export or per-person summary in this module returns them; the only
way to read them is ``mental_records(..., confidential_ok=True, purpose=...)``,
which writes a "view" audit row; ``mental_count`` gives a bare count so the UI
can say "有 N 条保密记录".  Audit rows about them never carry scores or notes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, NamedTuple

from ..db import queries
from ..db.database import db
from ..db.models import Cadre, HealthCheck, HealthCycleRuleRow, HealthFinding, MentalRecord, Setting, now
from ..domain import dates
from ..domain import health as rules
from ..domain import presets
from ..domain.errors import DomainError, ValidationError
from ..paths import resource_path
from .values import as_date as _d, as_text as _s, builds_large_list, find_cadre as _cadre
from . import audit
from ..security.access import exempt, requires

PRESET_KEY = "health_preset"

#: status filter of ``due_list``: "" = what still needs doing (本年应检 + 逾期); "全部" = everything.
STATUS_ALL = "全部"
DUE_STATUSES = (rules.STATUS_OVERDUE, rules.STATUS_DUE, rules.STATUS_DONE)
_STATUS_RANK = {s: i for i, s in enumerate(DUE_STATUSES)}

MENTAL_KINDS = ("评估", "咨询")
SCALES = rules.SCALES                    # PHQ-9, GAD-7, SCL-90
FINDING_LEVELS = rules.FINDING_LEVELS    # {"A": "A类（需立即临床处置）", "B": …}
CONFIDENTIAL_MESSAGE = "心理健康记录属于敏感个人信息，查看前请确认"
_HIDDEN = "（保密）"


def _today() -> date:
    return date.today()


# ---------------------------------------------------------------- rule tables

RULE_LABELS = {"name": "规则名称", "sex": "适用性别", "age_min": "起始年龄", "age_max": "截止年龄",
               "interval_years": "体检周期（年）", "package": "体检项目", "effective_from": "生效日期",
               "source": "依据", "notes": "备注"}
SEX_NAMES = {rules.SEX_ANY: "不限", "男": "男", "女": "女"}

_rule_cache: dict[str, list[rules.HealthCycleRule]] = {}


def _invalidate() -> None:
    _rule_cache.clear()


def _rule_values(rule: rules.HealthCycleRule) -> dict[str, Any]:
    # The table's age_min is NOT NULL: 0 stands for "open" (nobody on the roster is 0).
    return dict(name=rule.name, sex=rule.sex, age_min=rule.age_min or 0, age_max=rule.age_max,
                interval_years=rule.interval_years, package=rule.package, effective_from=rule.effective_from,
                source=rule.source, notes=rule.notes)


def _rule_of(row: HealthCycleRuleRow) -> rules.HealthCycleRule:
    return rules.HealthCycleRule(name=row.name, sex=row.sex, age_min=row.age_min or None, age_max=row.age_max,
                                 interval_years=row.interval_years, package=row.package,
                                 effective_from=_d(row.effective_from), source=row.source, notes=row.notes)


@exempt('start-up seeding of shipped presets')
def seed_rules_if_empty(preset: str = presets.NATIONAL) -> int:
    """Load a preset's health-cycle rows into an empty table; return rows added."""
    if HealthCycleRuleRow.select().exists():
        return 0
    return _load_preset(preset)


def _load_preset(preset: str) -> int:
    loaded = presets.load_health_cycles(resource_path("presets"), preset)
    with db.atomic():
        for rule in loaded:
            HealthCycleRuleRow.create(**_rule_values(rule), preset=preset)
        Setting.replace(key=PRESET_KEY, value=preset).execute()
        audit.record("create", "health_cycle_rule", "preset", f"载入体检周期规则预设：{preset}（{len(loaded)} 条）")
    _invalidate()
    return len(loaded)


@requires('settings.edit')
def replace_with_preset(preset: str) -> int:
    """Swap every active rule for a preset's rows (settings screen, asks first).

    The old rows are archived, not deleted, so earlier plans stay traceable."""
    presets.load_health_cycles(resource_path("presets"), preset)  # refuse a bad preset before touching rows
    with db.atomic():
        old = list(HealthCycleRuleRow.select().where(HealthCycleRuleRow.archived == False))  # noqa: E712
        HealthCycleRuleRow.update(archived=True, updated_at=now()).where(
            HealthCycleRuleRow.archived == False).execute()  # noqa: E712
        for row in old:
            audit.record("archive", "health_cycle_rule", row.uuid, f"更换预设，停用：{row.name}")
        count = _load_preset(preset)
    _invalidate()
    return count


@requires()
def current_preset() -> str:
    row = Setting.get_or_none(Setting.key == PRESET_KEY)
    return row.value if row else ""


@requires()
def rule_rows() -> list[dict[str, Any]]:
    """Every active rule row for the settings screen."""
    q = (HealthCycleRuleRow.select().where(HealthCycleRuleRow.archived == False)  # noqa: E712
         .order_by(HealthCycleRuleRow.package, HealthCycleRuleRow.age_min, HealthCycleRuleRow.effective_from,
                   HealthCycleRuleRow.id))
    return [dict(id=r.id, name=r.name, sex=r.sex, sex_name=SEX_NAMES.get(r.sex, r.sex),
                 age_min=r.age_min or None, age_max=r.age_max, interval_years=r.interval_years,
                 package=r.package, effective_from=_d(r.effective_from), preset=r.preset, source=r.source,
                 notes=r.notes) for r in q]


@requires()
def all_rules() -> list[rules.HealthCycleRule]:
    key = db.database or ""
    if key not in _rule_cache:
        q = HealthCycleRuleRow.select().where(HealthCycleRuleRow.archived == False)  # noqa: E712
        _rule_cache[key] = [_rule_of(r) for r in q]
    return _rule_cache[key]


@requires()
def packages() -> list[str]:
    """Package names the rules know (the check form offers them; free text is allowed too)."""
    return sorted({r.package for r in all_rules()})


def _int_field(data: Mapping[str, Any], key: str, errors: list[DomainError], required: bool) -> int | None:
    raw = data.get(key)
    text = _s(raw)
    label = RULE_LABELS[key]
    if text == "":
        if required:
            errors.append(DomainError("required", f"请填写{label}", key))
        return None
    if isinstance(raw, bool):
        text = "x"
    try:
        value = int(text)
    except ValueError:
        errors.append(DomainError("not_integer", f"{label}应为整数，当前为“{text}”", key))
        return None
    if value < 0 or value > 150:
        errors.append(DomainError("out_of_range", f"{label}应在 0–150 之间，当前为 {value}", key))
        return None
    return value


def _parse_rule(data: Mapping[str, Any]) -> tuple[rules.HealthCycleRule | None, list[DomainError]]:
    errors: list[DomainError] = []
    name = _s(data.get("name"))
    package = _s(data.get("package"))
    if not name:
        errors.append(DomainError("required", "请填写规则名称，如“常规体检（45岁及以上，每年）”", "name"))
    elif len(name) > 40:
        errors.append(DomainError("too_long", "规则名称不超过40个字", "name"))
    if not package:
        errors.append(DomainError("required", "请填写体检项目，如“常规体检”或“两癌筛查”", "package"))
    elif len(package) > 30:
        errors.append(DomainError("too_long", "体检项目名称不超过30个字", "package"))
    sex = _s(data.get("sex")) or rules.SEX_ANY
    sex = {"不限": rules.SEX_ANY}.get(sex, sex)
    if sex not in (rules.SEX_ANY, *rules.SEXES):
        errors.append(DomainError("choice", "适用性别应为“男”“女”或“不限”", "sex"))
    age_min = _int_field(data, "age_min", errors, False)
    age_max = _int_field(data, "age_max", errors, False)
    interval = _int_field(data, "interval_years", errors, True)
    effective = None
    raw = data.get("effective_from")
    try:
        effective = _d(raw) if isinstance(raw, date) else dates.parse_date(_s(raw), "effective_from", "生效日期")
    except DomainError as err:
        errors.append(err)
    if effective is None and not any(e.field == "effective_from" for e in errors):
        errors.append(DomainError("required", "请填写生效日期（不清楚时可填 1900-01-01，表示一直适用）",
                                  "effective_from"))
    if errors:
        return None, errors
    try:
        rule = rules.HealthCycleRule(name=name, sex=sex, age_min=age_min or None, age_max=age_max,
                                     interval_years=interval, package=package, effective_from=effective,
                                     source=_s(data.get("source")), notes=_s(data.get("notes")))
    except DomainError as err:
        return None, [err]
    return rule, []


@requires('settings.edit')
def save_rule(data: Mapping[str, Any], rule_id: int | None = None) -> int:
    """Add or edit one dated rule row after validating it through the domain dataclass."""
    rule, errors = _parse_rule(data)
    if rule is None:
        raise ValidationError(errors)
    dup = HealthCycleRuleRow.select().where(
        (HealthCycleRuleRow.name == rule.name) & (HealthCycleRuleRow.effective_from == rule.effective_from)
        & (HealthCycleRuleRow.archived == False))  # noqa: E712
    if rule_id:
        dup = dup.where(HealthCycleRuleRow.id != rule_id)
    if dup.exists():
        raise ValidationError([DomainError(
            "duplicate", f"“{rule.name}”已有自 {rule.effective_from} 起执行的规则，请修改生效日期或规则名称",
            "effective_from")])
    values = _rule_values(rule)
    with db.atomic():
        if rule_id:
            row = HealthCycleRuleRow.get_or_none((HealthCycleRuleRow.id == rule_id)
                                                 & (HealthCycleRuleRow.archived == False))  # noqa: E712
            if row is None:
                raise DomainError("not_found", "该规则已被停用或删除，请刷新后重试", None)
            old = {k: getattr(row, k) for k in values}
            changes = audit.diff(old, values)
            if changes:
                HealthCycleRuleRow.update(**values, updated_at=now()).where(
                    HealthCycleRuleRow.id == rule_id).execute()
                audit.record("update", "health_cycle_rule", row.uuid, rule.name, changes)
        else:
            row = HealthCycleRuleRow.create(**values, preset="本地")
            audit.record("create", "health_cycle_rule", row.uuid, rule.name, audit.diff({}, values))
    _invalidate()
    return row.id


@requires('settings.edit')
def archive_rule(rule_id: int) -> None:
    with db.atomic():
        row = HealthCycleRuleRow.get_by_id(rule_id)
        if row.archived:
            return
        HealthCycleRuleRow.update(archived=True, updated_at=now()).where(HealthCycleRuleRow.id == rule_id).execute()
        audit.record("archive", "health_cycle_rule", row.uuid, row.name)
    _invalidate()


# ---------------------------------------------------------------- scales

@exempt('pure formatting or parsing, no data')
def score_label(scale: str, score: Any) -> str:
    """The band text for a scale score (PHQ-9 / GAD-7 severity, SCL-90 screen result)."""
    return rules.score_band(scale, score).band


# ---------------------------------------------------------------- checks

@dataclass
class FindingInput:
    item: str = ""
    description: str = ""
    level: str = ""                    # 'A' | 'B'
    notified_date: date | None = None
    referral: str = ""
    recheck_due: date | None = None
    outcome: str = ""
    closed: bool = False
    closed_date: date | None = None
    id: int | None = None              # an existing finding being edited


@dataclass
class CheckInput:
    cadre_id: int | None
    check_date: date | None
    institution: str = ""
    package: str = ""
    items: str = ""                    # items and results, one per line
    conclusion: str = ""
    notes: str = ""
    findings: list[FindingInput] = field(default_factory=list)


def _finding_problems(f: FindingInput, check_date: date | None, today: date,
                      row: int | None = None) -> list[DomainError]:
    """Errors of one finding; ``row`` (1-based) when it is a line of the check form."""
    where = f"异常结果第{row}条：" if row else ""
    fld = "findings" if row else None
    out: list[DomainError] = []

    def err(code: str, message: str, key: str) -> None:
        out.append(DomainError(code, where + message, fld or key, row=row, key=key))

    item = _s(f.item)
    if not item:
        err("required", "请填写检查项目（如“血压”“肺部CT”）", "item")
    elif len(item) > 60:
        err("too_long", "检查项目不超过60个字", "item")
    if f.level not in rules.FINDING_LEVELS:
        err("required", "请选择分级：A类（需立即临床处置）或B类（需进一步检查或治疗）", "level")
    if len(_s(f.referral)) > 100:
        err("too_long", "转诊去向不超过100个字", "referral")
    if f.notified_date is not None:
        if check_date is not None and f.notified_date < check_date:
            err("before_check", "告知日期早于体检日期，请核对", "notified_date")
        elif f.notified_date > today:
            err("future", "告知日期不能晚于今天", "notified_date")
    if f.recheck_due is not None and check_date is not None and f.recheck_due < check_date:
        err("before_check", "复查日期不能早于体检日期，请修改复查日期", "recheck_due")
    if f.closed:
        if not _s(f.outcome):
            err("required", "关闭随访前请填写处理结果（如“复查正常”）", "outcome")
        if f.closed_date is None:
            err("required", "关闭随访前请填写关闭日期", "closed_date")
        elif check_date is not None and f.closed_date < check_date:
            err("before_check", "关闭日期不能早于体检日期", "closed_date")
        elif f.closed_date > today:
            err("future", "关闭日期不能晚于今天", "closed_date")
    elif f.closed_date is not None:
        err("not_closed", "填写了关闭日期但未勾选“已关闭”，请勾选或清空关闭日期", "closed_date")
    return out


@requires('health.edit')
def check_problems(inp: CheckInput, check_id: int | None = None, today: date | None = None) -> list[DomainError]:
    """Every error of a check form, for live validation (nothing is saved)."""
    today = today or _today()
    errors: list[DomainError] = []
    if _cadre(inp.cadre_id) is None:
        errors.append(DomainError("required", "请选择干部", "cadre_id"))
    if inp.check_date is None:
        errors.append(DomainError("required", "请填写体检日期", "check_date"))
    elif inp.check_date > today:
        errors.append(DomainError("future", "体检日期不能晚于今天，请核对", "check_date"))
    package = _s(inp.package)
    if not package:
        choices = "、".join(packages())
        errors.append(DomainError("required", "请选择或填写体检项目" + (f"（如{choices}）" if choices else ""),
                                  "package"))
    elif len(package) > 30:
        errors.append(DomainError("too_long", "体检项目名称不超过30个字", "package"))
    if len(_s(inp.institution)) > 100:
        errors.append(DomainError("too_long", "体检机构名称不超过100个字", "institution"))
    known: set[int] = set()
    if check_id:
        known = {f.id for f in HealthFinding.select(HealthFinding.id).where(
            (HealthFinding.check == check_id) & (HealthFinding.archived == False))}  # noqa: E712
    for i, f in enumerate(inp.findings, start=1):
        errors.extend(_finding_problems(f, inp.check_date, today, i))
        if f.id is not None and f.id not in known:
            errors.append(DomainError("not_found", f"异常结果第{i}条已不属于本次体检，请刷新后重试", "findings",
                                      row=i, key="id"))
    return errors


_CHECK_FIELDS = ("check_date", "institution", "package", "items", "conclusion", "notes")
_FINDING_FIELDS = ("item", "description", "level", "notified_date", "referral", "recheck_due", "outcome",
                   "closed", "closed_date")


def _check_values(inp: CheckInput) -> dict[str, Any]:
    return dict(check_date=inp.check_date, institution=_s(inp.institution), package=_s(inp.package),
                items=(inp.items or "").strip(), conclusion=(inp.conclusion or "").strip(),
                notes=(inp.notes or "").strip())


def _finding_values(f: FindingInput) -> dict[str, Any]:
    return dict(item=_s(f.item), description=(f.description or "").strip(), level=f.level,
                notified_date=f.notified_date, referral=_s(f.referral), recheck_due=f.recheck_due,
                outcome=(f.outcome or "").strip(), closed=bool(f.closed),
                closed_date=f.closed_date if f.closed else None)


@requires('health.edit')
def save_check(inp: CheckInput, check_id: int | None = None, today: date | None = None) -> int:
    """Create or edit a check with its findings in one transaction.

    Findings left out of an edit are archived (kept for the audit trail), never deleted."""
    with db.atomic():
        errors = check_problems(inp, check_id, today)
        if errors:
            raise ValidationError(errors)
        cadre = Cadre.get_by_id(int(inp.cadre_id))
        values = _check_values(inp)
        summary = f"{cadre.name} {values['check_date']} {values['package']}"
        if check_id:
            row = HealthCheck.get_by_id(check_id)
            if row.archived:
                raise DomainError("not_found", "该体检记录已归档，不能修改", None)
            old = {k: getattr(row, k) for k in _CHECK_FIELDS}
            old["cadre_id"] = row.cadre_id
            new = dict(values, cadre_id=cadre.id)
            changes = audit.diff(old, new)
            if changes:
                HealthCheck.update(**values, cadre=cadre.id, updated_at=now()).where(
                    HealthCheck.id == check_id).execute()
                audit.record("update", "health_check", row.uuid, summary, changes)
        else:
            row = HealthCheck.create(cadre=cadre.id, **values)
            audit.record("create", "health_check", row.uuid, summary, audit.diff({}, values))
        _sync_findings(row.id, cadre.id, cadre.name, inp.findings)
        return row.id


def _sync_findings(check_id: int, cadre_id: int, cadre_name: str, findings: list[FindingInput]) -> None:
    existing = {f.id: f for f in HealthFinding.select().where(
        (HealthFinding.check == check_id) & (HealthFinding.archived == False))}  # noqa: E712
    kept: set[int] = set()
    for f in findings:
        values = _finding_values(f)
        label = f"{cadre_name} {values['item']}（{values['level']}类）"
        if f.id is not None and f.id in existing:
            kept.add(f.id)
            row = existing[f.id]
            changes = audit.diff({k: getattr(row, k) for k in _FINDING_FIELDS}, values)
            if changes:
                HealthFinding.update(**values, cadre=cadre_id, updated_at=now()).where(
                    HealthFinding.id == f.id).execute()
                audit.record("update", "health_finding", row.uuid, label, changes)
        else:
            row = HealthFinding.create(check=check_id, cadre=cadre_id, **values)
            audit.record("create", "health_finding", row.uuid, label, audit.diff({}, values))
    for fid, row in existing.items():
        if fid not in kept:
            HealthFinding.update(archived=True, updated_at=now()).where(HealthFinding.id == fid).execute()
            audit.record("archive", "health_finding", row.uuid, f"{cadre_name} {row.item}（从体检记录中移除）")


def _finding_dict(f: HealthFinding, today: date | None = None) -> dict[str, Any]:
    out = {k: getattr(f, k) for k in _FINDING_FIELDS}
    for k in ("notified_date", "recheck_due", "closed_date"):
        out[k] = _d(out[k])
    out.update(id=f.id, check_id=f.check_id, cadre_id=f.cadre_id)
    if today is not None:
        out["status"] = rules.followup_status(_domain_finding(f), today)
    return out


def _domain_finding(f: HealthFinding) -> rules.Finding:
    return rules.Finding(level=f.level if f.level in rules.FINDING_LEVELS else "B", description=f.description,
                         notified_at=_d(f.notified_date), referral=f.referral, recheck_due=_d(f.recheck_due),
                         outcome=f.outcome, closed_on=(_d(f.closed_date) or date.min) if f.closed else None)


def _check_dict(c: HealthCheck, today: date | None = None) -> dict[str, Any]:
    findings = (HealthFinding.select()
                .where((HealthFinding.check == c.id) & (HealthFinding.archived == False))  # noqa: E712
                .order_by(HealthFinding.id))
    return dict(id=c.id, cadre_id=c.cadre_id, check_date=_d(c.check_date), institution=c.institution,
                package=c.package, items=c.items, conclusion=c.conclusion, notes=c.notes,
                findings=[_finding_dict(f, today) for f in findings])


@requires('health.read')
def get_check(check_id: int, today: date | None = None) -> dict[str, Any]:
    """One check with its active findings (each with its follow-up status)."""
    c = HealthCheck.get_by_id(check_id)
    out = _check_dict(c, today or _today())
    out.update(cadre_name=c.cadre.name, archived=c.archived)
    return out


@requires('health.read')
def check_input(check_id: int) -> CheckInput:
    """The stored check as a form input (for editing)."""
    d = get_check(check_id)
    return CheckInput(d["cadre_id"], d["check_date"], d["institution"], d["package"], d["items"],
                      d["conclusion"], d["notes"],
                      [FindingInput(**{k: f[k] for k in _FINDING_FIELDS}, id=f["id"]) for f in d["findings"]])


_KEEP: Any = object()


@requires('health.edit')
def update_finding(finding_id: int, *, notified_date: Any = _KEEP, referral: Any = _KEEP,
                   recheck_due: Any = _KEEP, outcome: Any = _KEEP, closed: Any = _KEEP,
                   closed_date: Any = _KEEP, today: date | None = None) -> None:
    """Record the follow-up of one finding (notified, referred, re-check, outcome, close).

    Arguments left out keep their stored value."""
    today = today or _today()
    with db.atomic():
        row = HealthFinding.get_by_id(finding_id)
        if row.archived:
            raise DomainError("not_found", "该异常结果已从体检记录中移除，请刷新后重试", None)
        check = HealthCheck.get_by_id(row.check_id)
        current = _finding_dict(row)
        given = dict(notified_date=notified_date, referral=referral, recheck_due=recheck_due, outcome=outcome,
                     closed=closed, closed_date=closed_date)
        if closed is False and closed_date is _KEEP:
            given["closed_date"] = None          # reopening clears the closing date
        merged = dict(current)
        merged.update({k: v for k, v in given.items() if v is not _KEEP})
        f = FindingInput(**{k: merged[k] for k in _FINDING_FIELDS})
        errors = _finding_problems(f, _d(check.check_date), today)
        if errors:
            raise ValidationError(errors)
        values = _finding_values(f)
        changes = audit.diff({k: current[k] for k in _FINDING_FIELDS}, values)
        if not changes:
            return
        HealthFinding.update(**values, updated_at=now()).where(HealthFinding.id == finding_id).execute()
        action = "关闭随访" if values["closed"] and not row.closed else "更新随访"
        audit.record("update", "health_finding", row.uuid, f"{check.cadre.name} {row.item} {action}", changes)


@requires('health.edit')
def archive_check(check_id: int) -> None:
    """Archive a check entered by mistake, with its findings (kept, never deleted)."""
    with db.atomic():
        row = HealthCheck.get_by_id(check_id)
        if row.archived:
            return
        HealthCheck.update(archived=True, updated_at=now()).where(HealthCheck.id == check_id).execute()
        HealthFinding.update(archived=True, updated_at=now()).where(
            (HealthFinding.check == check_id) & (HealthFinding.archived == False)).execute()  # noqa: E712
        audit.record("archive", "health_check", row.uuid, f"{row.cadre.name} {row.check_date} {row.package}")


# ---------------------------------------------------------------- lists

class DueRow(NamedTuple):
    cadre_id: int
    name: str
    unit: str
    sex: str
    age: int               # age reached in the plan year
    package: str
    rule_name: str
    last_date: date | None
    due_year: int
    status: str            # 逾期 | 本年应检 | 已完成


def _wanted(status: str) -> frozenset[str]:
    if not status:
        return frozenset({rules.STATUS_DUE, rules.STATUS_OVERDUE})
    if status == STATUS_ALL:
        return frozenset(DUE_STATUSES)
    if status not in DUE_STATUSES:
        raise DomainError("choice", f"状态应为{'、'.join(DUE_STATUSES)}或{STATUS_ALL}", "status")
    return frozenset({status})


class _LastChecks(NamedTuple):
    """The last check of each package per cadre, as of a plan year's end.

    ``by_cadre``: cadre_id -> (profile id, {package: ISO date}); ``profiles[id]``:
    ((package, year), ...) — the part of the history the due rules read, shared
    by every cadre with the same history so the rule evaluation is memoised."""
    by_cadre: dict[int, tuple[int, dict[str, str]]]
    profiles: list[tuple[tuple[str, int], ...]]


def _collect(rows: list[tuple]) -> _LastChecks:
    by_cadre: dict[int, tuple[int, dict[str, str]]] = {}
    interned: dict[tuple, int] = {(): 0}
    profiles: list[tuple] = [()]
    cur, parts, dates_ = None, [], {}

    def flush() -> None:
        key = tuple(parts)
        pid = interned.get(key)
        if pid is None:
            pid = interned[key] = len(profiles)
            profiles.append(key)
        by_cadre[cur] = (pid, dates_)

    for cid, package, last in rows:
        if cid != cur:
            if cur is not None:
                flush()
            cur, parts, dates_ = cid, [], {}
        last = str(last)[:10]
        parts.append((package, int(last[:4])))
        dates_[package] = last
    if cur is not None:
        flush()
    return _LastChecks(by_cadre, profiles)


# Rebuilt whenever anything was written to the database (queries.write_stamp), so
# filtering the due list by unit, name or status as the clerk types reuses one pass.
_last_cache: dict[date, tuple[Any, tuple, _LastChecks]] = {}


def _last_checks(until: date, cadre_ids: list[int] | None) -> _LastChecks:
    conn = db.connection()
    stamp = queries.write_stamp()
    hit = _last_cache.get(until)
    if hit is not None and hit[0] is conn and hit[1] == stamp:
        return hit[2]
    if cadre_ids is not None and len(cadre_ids) <= 500:
        return _collect(queries.health_last_checks(until, cadre_ids))  # a few index lookups: not kept
    data = _collect(queries.health_last_checks(until))
    if db.in_transaction():
        return data            # may still be rolled back, which the stamp would not notice
    if len(_last_cache) >= 4 or any(v[0] is not conn or v[1] != stamp for v in _last_cache.values()):
        _last_cache.clear()
    _last_cache[until] = (conn, stamp, data)
    return data


@requires('health.read')
@builds_large_list
def due_list(year: int, today: date, unit_id: int | None = None, text: str = "",
             status: str = "", checks_until: date | None = None) -> list[DueRow]:
    """Serving cadres' check items for ``year`` and where each stands.

    ``status``: "" = 本年应检 and 逾期 (the to-do list); one of 逾期/本年应检/已完成; or "全部".
    Rows: 逾期 first, then 本年应检, then 已完成; by name within a status.

    One SQL pass for the cadres and one for the last check per package (checks
    after 31 December of ``year`` are ignored, so a past year reads as it stood; with
    ``checks_until``, checks after that day too: the plan as it stood then, issue 15);
    the rule evaluation (``domain.health.due_items``) is memoised by (age, sex,
    years of the last checks).
    """
    wanted = _wanted(status)
    plan_end = date(year, 12, 31)
    rule_set = rules.rules_in_force(all_rules(), plan_end)
    cadres = queries.health_cadres(unit_id, text)
    until = min(plan_end, checks_until) if checks_until else plan_end
    last = _last_checks(until, [c[0] for c in cadres] if (unit_id or text) else None)
    by_cadre, profiles = last
    units = queries.unit_names()
    fromiso = date.fromisoformat
    memo: dict[tuple, list[rules.DueItem]] = {}
    out: list[DueRow] = []
    append = out.append
    no_checks: tuple[int, dict[str, str]] = (0, {})
    for cid, name, unit, sex, birth_year in cadres:
        age = year - birth_year
        pid, lc = by_cadre.get(cid, no_checks)
        key = (age, sex, pid)
        items = memo.get(key)
        if items is None:
            if sex not in rules.SEXES:
                items = []  # the roster requires sex; a hand-edited row without it has no plan
            else:
                years = {p: date(y, 1, 1) for p, y in profiles[pid]}
                items = [i for i in rules.due_items(date(birth_year, 1, 1), sex, years, rule_set, year, today)
                         if i.status in wanted]
            memo[key] = items
        for it in items:
            d = lc.get(it.package)
            append(DueRow(cid, name, units.get(unit, ""), sex, age, it.package, it.rule_name,
                          fromiso(d) if d else None, it.due_year, it.status))
    if len(wanted) > 1:
        out.sort(key=lambda r: _STATUS_RANK[r.status])
    return out


class DueOverview(NamedTuple):
    """The 工作台's view of the year's check plan over serving cadres."""
    counts: dict[str, int]            # status -> check items (as many as ``due_list`` rows)
    people: dict[str, int]            # status -> cadres with at least one item in that status
    checked: int                      # cadres with a check dated in the year
    total: int                        # serving cadres
    first: dict[str, list[DueRow]]    # status -> the first few rows, in ``due_list`` order


@requires('health.read')
def due_overview(year: int, today: date, sample: int = 5,
                 statuses: tuple[str, ...] = (rules.STATUS_OVERDUE, rules.STATUS_DUE)) -> DueOverview:
    """Counts of ``due_list(year, today, status="全部")`` by status, without building a
    row per cadre: cadres are grouped in SQL by birth year, sex and last-check profile
    (all the plan depends on), and each distinct group is evaluated once.  The first
    ``sample`` rows of each of ``statuses`` come from walking the roster in name order
    a chunk at a time, with the same evaluation."""
    plan_end = date(year, 12, 31)
    if plan_end < date.today():
        # a past year reads the checks as they stood then, which health_last cannot tell
        rows = due_list(year, today, status=STATUS_ALL)
        return DueOverview({s: sum(1 for r in rows if r.status == s) for s in DUE_STATUSES},
                           {s: len({r.cadre_id for r in rows if r.status == s}) for s in DUE_STATUSES},
                           len({r.cadre_id for r in rows if r.last_date and r.last_date.year == year}),
                           len(queries.health_cadres()),
                           {s: [r for r in rows if r.status == s][:sample] for s in statuses})
    rule_set = rules.rules_in_force(all_rules(), plan_end)
    memo: dict[tuple, list[rules.DueItem]] = {}

    def plan(birth_year: int, sex: str, years: tuple[tuple[str, int], ...]) -> list[rules.DueItem]:
        key = (birth_year, sex, years)
        items = memo.get(key)
        if items is None:
            if sex not in rules.SEXES or birth_year is None:
                items = []  # the roster requires both; a hand-edited row without them has no plan
            else:
                items = rules.due_items(date(birth_year, 1, 1), sex, {p: date(y, 1, 1) for p, y in years},
                                        rule_set, year, today)
            memo[key] = items
        return items

    counts = {s: 0 for s in DUE_STATUSES}
    people = {s: 0 for s in DUE_STATUSES}
    checked = total = 0
    for birth_year, sex, profile, n in queries.health_due_groups(plan_end):
        years = tuple(sorted((p, int(y)) for p, y in (part.split("\x1f") for part in profile.split("\x1e")))
                      ) if profile else ()
        total += n
        if any(y == year for _, y in years):
            checked += n
        items = plan(birth_year, sex, years)
        for it in items:
            counts[it.status] += n
        for status in {it.status for it in items}:
            people[status] += n

    first: dict[str, list[DueRow]] = {s: [] for s in statuses}
    wanted = {s: min(sample, counts[s]) for s in statuses}
    if any(wanted.values()):
        units = queries.unit_names()
        for chunk in queries.serving_cadre_chunks(queries.HEALTH_COLUMNS):
            by_cadre = _collect(queries.health_last_checks(plan_end, [r[0] for r in chunk])).by_cadre
            for cid, name, unit, sex, birth_year in chunk:
                _pid, lc = by_cadre.get(cid, (0, {}))
                years = tuple(sorted((p, int(d[:4])) for p, d in lc.items()))
                for it in plan(birth_year, sex, years):
                    rows = first.get(it.status)
                    if rows is not None and len(rows) < sample:
                        d = lc.get(it.package)
                        rows.append(DueRow(cid, name, units.get(unit, ""), sex, year - birth_year, it.package,
                                           it.rule_name, date.fromisoformat(d) if d else None, it.due_year,
                                           it.status))
            if all(len(first[s]) >= wanted[s] for s in statuses):
                break
    return DueOverview(counts, people, checked, total, first)


@requires('health.read')
def due_summary(year: int, today: date, unit_id: int | None = None) -> dict[str, dict[str, int]]:
    """{package: {status: count}} over serving cadres (coverage = 已完成 / total)."""
    out: dict[str, dict[str, int]] = {}
    for r in due_list(year, today, unit_id, status=STATUS_ALL):
        counts = out.setdefault(r.package, {s: 0 for s in DUE_STATUSES})
        counts[r.status] += 1
    return out


class FollowupRow(NamedTuple):
    finding_id: int
    check_id: int
    cadre_id: int
    name: str
    unit: str
    check_date: date
    item: str
    description: str
    level: str
    notified_date: date | None
    referral: str
    recheck_due: date | None
    status: str            # 复查逾期 | 待复查


@requires('health.read')
def open_followups(today: date, unit_id: int | None = None, text: str = "",
                   overdue_only: bool = False) -> list[FollowupRow]:
    """Open findings of non-archived cadres: 复查逾期 first, then A before B, then by re-check date.

    The status is ``domain.health.followup_status`` (复查逾期 once ``today`` is past the re-check date)."""
    units = queries.unit_names()
    fromiso = date.fromisoformat
    overdue = rules.FOLLOWUP_OVERDUE
    # an open finding's status depends on its re-check date only: ask the rule once per date
    memo: dict[str | None, tuple[date | None, str]] = {}
    out = []
    for (fid, check_id, cid, name, unit, check_date, item, desc, level, notified, referral,
         recheck) in queries.open_findings(today if overdue_only else None, unit_id, text):
        hit = memo.get(recheck)
        if hit is None:
            d = fromiso(recheck) if recheck else None
            hit = memo[recheck] = (d, rules.followup_status(rules.Finding("B", recheck_due=d), today))
        out.append(FollowupRow(fid, check_id, cid, name, units.get(unit, ""), fromiso(check_date), item, desc,
                               level, fromiso(notified) if notified else None, referral, hit[0], hit[1]))
    out.sort(key=lambda r: (r.status != overdue, r.level, r.recheck_due or date.max, r.check_date, r.finding_id))
    return out


@requires('health.read')
def check_count(year: int | None = None, unit_id: int | None = None, text: str = "", package: str = "",
                cadre_id: int | None = None) -> int:
    return queries.check_count(queries.CheckFilter(year, unit_id, text, package, cadre_id))


@requires('health.read')
def check_list(year: int | None = None, unit_id: int | None = None, text: str = "", package: str = "",
               cadre_id: int | None = None, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """Rows for the records table, newest first:
    (id, cadre_id, check_date, name, unit, package, institution, conclusion, open_findings)."""
    return queries.check_page(queries.CheckFilter(year, unit_id, text, package, cadre_id), offset, limit)


@requires('health.read')
def cadre_health(cadre_id: int, today: date) -> dict[str, Any]:
    """One person's health page: checks (newest first) with findings, and this year's due items.

    Mental-health records are not part of it (see ``mental_count``)."""
    cadre = Cadre.get_by_id(cadre_id)
    checks = (HealthCheck.select()
              .where((HealthCheck.cadre == cadre_id) & (HealthCheck.archived == False))  # noqa: E712
              .order_by(HealthCheck.check_date.desc(), HealthCheck.id.desc()))
    check_rows = [_check_dict(c, today) for c in checks]
    last: dict[str, date] = {}
    for c in check_rows:
        if c["check_date"] <= today and (c["package"] not in last or c["check_date"] > last[c["package"]]):
            last[c["package"]] = c["check_date"]
    birth = _d(cadre.birth_date)
    due: list[dict[str, Any]] = []
    due_error = ""
    try:
        items = rules.due_items(birth, cadre.sex, last, rules.rules_in_force(all_rules(), date(today.year, 12, 31)),
                                today.year, today)
        due = [dict(package=i.package, rule_name=i.rule_name, last_date=i.last_date, due_year=i.due_year,
                    status=i.status) for i in items]
    except DomainError as err:
        due_error = err.message
    open_count = sum(1 for c in check_rows for f in c["findings"] if not f["closed"])
    return dict(cadre_id=cadre.id, name=cadre.name, sex=cadre.sex, age=rules.age_in_year(birth, today.year),
                employment_status=cadre.employment_status, checks=check_rows, due=due, due_error=due_error,
                open_findings=open_count)


# ---------------------------------------------------------------- mental health (confidential)

@dataclass
class MentalInput:
    cadre_id: int | None
    kind: str                          # 评估 | 咨询
    record_date: date | None
    scale: str = ""                    # PHQ-9 / GAD-7 / SCL-90 (评估)
    score: Any = None
    counsellor: str = ""
    summary: str = ""
    consent_date: date | None = None
    consent_scope: str = ""


@requires('mental.edit')
def mental_problems(inp: MentalInput, today: date | None = None
                    ) -> tuple[list[DomainError], rules.ScoreBand | None]:
    """(errors, score band or None) of a mental-health form, for live validation (nothing is saved)."""
    today = today or _today()
    errors: list[DomainError] = []
    band = None
    if _cadre(inp.cadre_id) is None:
        errors.append(DomainError("required", "请选择干部", "cadre_id"))
    if inp.kind not in MENTAL_KINDS:
        errors.append(DomainError("choice", "请选择记录类型：评估或咨询", "kind"))
    if inp.record_date is None:
        errors.append(DomainError("required", "请填写记录日期", "record_date"))
    elif inp.record_date > today:
        errors.append(DomainError("future", "记录日期不能晚于今天", "record_date"))
    if inp.consent_date is None:
        errors.append(DomainError("consent_required",
                                  "请填写知情同意日期：心理健康信息属于敏感个人信息，须取得本人同意后才能记录",
                                  "consent_date"))
    elif inp.consent_date > today:
        errors.append(DomainError("future", "知情同意日期不能晚于今天", "consent_date"))
    elif inp.record_date is not None and inp.consent_date > inp.record_date:
        errors.append(DomainError("consent_after", "知情同意日期晚于记录日期：须先取得同意再记录，请核对",
                                  "consent_date"))
    scope = _s(inp.consent_scope)
    if not scope:
        errors.append(DomainError("consent_required", "请填写同意范围（如“心理健康评估及结果记录”）",
                                  "consent_scope"))
    elif len(scope) > 100:
        errors.append(DomainError("too_long", "同意范围不超过100个字", "consent_scope"))
    scale = _s(inp.scale)
    has_score = inp.score not in (None, "")
    if inp.kind == "评估" and not scale:
        errors.append(DomainError("required", f"请选择量表（{'、'.join(rules.SCALES)}）", "scale"))
    elif scale and scale not in rules.SCALES:
        errors.append(DomainError("unknown_scale", f"不支持的量表“{scale}”，可选：{'、'.join(rules.SCALES)}", "scale"))
    elif scale and not has_score:
        errors.append(DomainError("required", f"请填写{scale}总分", "score"))
    elif has_score and not scale:
        errors.append(DomainError("required", "填写了得分，请选择对应的量表", "scale"))
    elif scale:
        try:
            band = rules.score_band(scale, _s(inp.score) if isinstance(inp.score, str) else inp.score)
        except DomainError as err:
            errors.append(err)
    if inp.kind == "咨询" and not _s(inp.summary):
        errors.append(DomainError("required", "请填写咨询记录摘要", "summary"))
    if len(_s(inp.counsellor)) > 40:
        errors.append(DomainError("too_long", "评估/咨询人员不超过40个字", "counsellor"))
    return errors, band


_MENTAL_FIELDS = ("kind", "record_date", "scale", "score", "band", "counsellor", "summary", "consent_date",
                  "consent_scope")


@requires('mental.edit')
def save_mental(inp: MentalInput, record_id: int | None = None, today: date | None = None) -> int:
    """Create or edit a confidential record; consent (date and scope) is required.

    The audit row names the person and the changed fields, never their content."""
    with db.atomic():
        errors, band = mental_problems(inp, today)
        if errors:
            raise ValidationError(errors)
        cadre = Cadre.get_by_id(int(inp.cadre_id))
        values = dict(kind=inp.kind, record_date=inp.record_date, scale=_s(inp.scale),
                      score=band.score if band else None, band=band.band if band else "",
                      counsellor=_s(inp.counsellor), summary=(inp.summary or "").strip(),
                      consent_date=inp.consent_date, consent_scope=_s(inp.consent_scope))
        summary = f"{cadre.name} 心理健康{inp.kind}记录{_HIDDEN}"
        if record_id:
            row = MentalRecord.get_by_id(record_id)
            if row.archived:
                raise DomainError("not_found", "该记录已归档，不能修改", None)
            changes = audit.diff({k: getattr(row, k) for k in _MENTAL_FIELDS}, values)
            if row.cadre_id != cadre.id:
                changes["cadre_id"] = [row.cadre_id, cadre.id]
            if changes:
                MentalRecord.update(**values, cadre=cadre.id, updated_at=now()).where(
                    MentalRecord.id == record_id).execute()
                audit.record("update", "mental_record", row.uuid, summary,
                             {k: [_HIDDEN, _HIDDEN] for k in changes})
            return record_id
        row = MentalRecord.create(cadre=cadre.id, **values)
        audit.record("create", "mental_record", row.uuid, summary)
        return row.id


@requires('mental.edit')
def archive_mental(record_id: int) -> None:
    with db.atomic():
        row = MentalRecord.get_by_id(record_id)
        if row.archived:
            return
        MentalRecord.update(archived=True, updated_at=now()).where(MentalRecord.id == record_id).execute()
        audit.record("archive", "mental_record", row.uuid, f"{row.cadre.name} 心理健康{row.kind}记录{_HIDDEN}")


@requires('health.read')
def mental_count(cadre_id: int) -> int:
    """How many confidential records the person has (a count only, no content)."""
    return MentalRecord.select().where((MentalRecord.cadre == cadre_id)
                                       & (MentalRecord.archived == False)).count()  # noqa: E712


@requires('mental.read')
def mental_records(cadre_id: int, *, confidential_ok: bool, purpose: str) -> list[dict[str, Any]]:
    """The person's confidential records, newest first.

    Refused (DomainError "confidential") unless the caller confirmed; every
    read writes a "view" audit row naming the purpose."""
    if not confidential_ok:
        raise DomainError("confidential", CONFIDENTIAL_MESSAGE, None, cadre_id=cadre_id)
    purpose = _s(purpose)
    if not purpose:
        raise DomainError("required", "请填写查看事由（如“心理咨询随访”）", "purpose")
    with db.atomic():
        cadre = Cadre.get_by_id(cadre_id)
        q = (MentalRecord.select().where((MentalRecord.cadre == cadre_id)
                                         & (MentalRecord.archived == False))  # noqa: E712
             .order_by(MentalRecord.record_date.desc(), MentalRecord.id.desc()))
        rows = [dict({k: getattr(r, k) for k in _MENTAL_FIELDS}, id=r.id, cadre_id=r.cadre_id) for r in q]
        for r in rows:
            r["record_date"], r["consent_date"] = _d(r["record_date"]), _d(r["consent_date"])
        audit.record("view", "mental_record", cadre.uuid,
                     f"查看 {cadre.name} 的心理健康记录（{len(rows)} 条），事由：{purpose}"[:200])
    return rows


# ---------------------------------------------------------------- reads for the screens

@requires('health.edit')
def finding_problems(f: FindingInput, check_date: date | None, today: date | None = None) -> list[DomainError]:
    """Errors of one finding on its own (the follow-up form), for live validation."""
    return _finding_problems(f, check_date, today or _today())


@requires('settings.edit')
def rule_problems(data: Mapping[str, Any], rule_id: int | None = None) -> list[DomainError]:
    """Errors of a rule form, for live validation (nothing is saved); the same checks as ``save_rule``."""
    rule, errors = _parse_rule(data)
    if rule is None:
        return errors
    dup = HealthCycleRuleRow.select().where(
        (HealthCycleRuleRow.name == rule.name) & (HealthCycleRuleRow.effective_from == rule.effective_from)
        & (HealthCycleRuleRow.archived == False))  # noqa: E712
    if rule_id:
        dup = dup.where(HealthCycleRuleRow.id != rule_id)
    if dup.exists():
        return [DomainError(
            "duplicate", f"“{rule.name}”已有自 {rule.effective_from} 起执行的规则，请修改生效日期或规则名称",
            "effective_from")]
    return []


@requires()
def preset_choices() -> list[tuple[str, str]]:
    """(key, Chinese title) of the shipped presets that carry health-cycle rules."""
    base = resource_path("presets")
    return [(p, presets.preset_title(base, p)) for p in presets.available_presets(base)
            if (base / p / presets.HEALTH_CYCLES_FILE).is_file()]


@requires()
def example_rule_ids() -> set[int]:
    """Ids of active rule rows that are still a preset's example row, unchanged
    (the preset marks cycles DOMAIN.md gives only as an example: to be set locally)."""
    base = resource_path("presets")
    loaded: dict[str, dict[tuple, rules.HealthCycleRule]] = {}
    out: set[int] = set()
    for row in HealthCycleRuleRow.select().where(HealthCycleRuleRow.archived == False):  # noqa: E712
        if row.preset not in loaded:
            try:
                loaded[row.preset] = {(r.name, r.effective_from): r
                                      for r in presets.load_health_cycles(base, row.preset)}
            except (DomainError, OSError, ValueError):
                loaded[row.preset] = {}
        ref = loaded[row.preset].get((row.name, _d(row.effective_from)))
        if ref is not None and ref.example and _rule_values(ref) == _rule_values(_rule_of(row)):
            out.add(row.id)
    return out
