"""Welfare use cases (DOMAIN.md §5): occasions and settings as dated rule rows,
funds with yearly budgets, visit records checked against caps, budgets and
likely duplicates, 谈心谈话 records, and the demo history.

Rules come from the ``welfare_rule_row`` table (seeded from a preset, editable;
each row's JSON is validated by ``presets.welfare_row_from_dict``).  Money is
integer fen end to end.  Each write is one transaction with an audit entry; a
refused save raises ``ValidationError`` and changes nothing.

The forms call ``preview`` / ``talk_problems`` / ``occasion_problems`` as the
clerk types; the save functions run the same checks inside their transaction.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

from ..db import queries
from ..db.database import db
from ..db.models import Cadre, Fund, Setting, TalkRecord, WelfareRecord, WelfareRuleRow, new_uuid, now
from ..domain import dates
from ..domain import presets
from ..domain import welfare as rules
from ..domain.errors import DomainError, ValidationError
from ..domain.money import format_yuan, parse_yuan, to_percent
from ..paths import resource_path
from ..domain.workcalendar import fmt_cn as _fmt_date
from .values import from_json as _loads, to_json as _dumps, as_date as _d, as_text as _s, find_cadre as _cadre
from . import audit
from ..security.access import exempt, requires

PRESET_KEY = "welfare_preset"
LOCAL_PRESET = "本地"

#: Occasions recorded with the visit form (谈心谈话 has its own form and table).
RECORD_EXCLUDED = (rules.TALK,)

#: A word for each warning, shown before its sentence (never colour alone).
WARNING_TAGS = {
    "over_cap": "超出上限",
    "over_budget": "超出预算",
    "over_frequency": "超出次数",
    "likely_duplicate": "可能重复",
    "funding_source_unusual": "请核对经费来源",
}
FESTIVAL_CASH_MESSAGE = "节日慰问不得发放现金或购物卡，请改为物品"
BUDGET_STATUS_NAMES = {rules.BUDGET_OK: "正常", rules.BUDGET_NEAR: "接近预算", rules.BUDGET_OVER: "超出预算"}

RECORD_LABELS = {"cadre_id": "干部", "occasion": "慰问事由", "record_date": "慰问日期", "money_fen": "慰问金",
                 "goods": "慰问品", "goods_fen": "物品价值", "funding_source": "经费来源", "visitors": "走访人",
                 "episode": "同一事项", "notes": "备注", "over_reason": "超出说明"}
TALK_LABELS = {"cadre_id": "谈话对象", "talk_date": "谈话日期", "talker": "谈话人", "trigger": "谈话事由",
               "gist": "谈话要点", "follow_up": "后续跟进", "notes": "备注"}
_LIMITS = {"goods": 200, "visitors": 200, "episode": 60, "notes": 500, "over_reason": 500}
_TALK_LIMITS = {"talker": 60, "trigger": 40, "gist": 2000, "follow_up": 1000, "notes": 500}


def _today() -> date:
    return date.today()


# ================================================================ rule rows

_rule_cache: dict[str, rules.WelfareRules] = {}


def _invalidate() -> None:
    _rule_cache.clear()


@exempt('start-up seeding of shipped presets')
def seed_rules_if_empty(preset: str = presets.NATIONAL) -> int:
    """Load a preset's occasions and settings into an empty table; return rows added."""
    if WelfareRuleRow.select().exists():
        return 0
    return _load_preset(preset)


def _load_preset(preset: str) -> int:
    base = resource_path("presets")
    presets.load_welfare(base, preset)            # refuse a bad preset before writing anything
    raw = json.loads((base / preset / presets.WELFARE_FILE).read_text(encoding="utf-8"),
                     parse_float=Decimal)["rows"]
    with db.atomic():
        for data in raw:
            obj = presets.welfare_row_from_dict(data)
            WelfareRuleRow.create(table=data["table"], code=getattr(obj, "code", ""),
                                  effective_from=obj.effective_from, preset=preset,
                                  data=_dumps(presets.welfare_row_to_dict(obj)))
        Setting.replace(key=PRESET_KEY, value=preset).execute()
        audit.record("create", "welfare_rule_row", "preset", f"载入福利慰问标准预设：{preset}（{len(raw)} 条）")
    _invalidate()
    return len(raw)


@requires('settings.edit')
def replace_with_preset(preset: str) -> int:
    """Swap every active row for a preset's rows (the settings screen asks first).

    The old rows are archived, not deleted, so the change can be traced."""
    presets.load_welfare(resource_path("presets"), preset)
    with db.atomic():
        old = list(WelfareRuleRow.select().where(WelfareRuleRow.archived == False))  # noqa: E712
        WelfareRuleRow.update(archived=True, updated_at=now()).where(
            WelfareRuleRow.archived == False).execute()  # noqa: E712
        for row in old:
            audit.record("archive", "welfare_rule_row", row.uuid,
                         f"更换预设为 {preset}，停用：{_loads(row.data).get('name', '通用设置')}（{row.effective_from}起）")
        count = _load_preset(preset)
    _invalidate()
    return count


@requires()
def current_preset() -> str:
    row = Setting.get_or_none(Setting.key == PRESET_KEY)
    return row.value if row else ""


@requires()
def preset_choices() -> list[tuple[str, str]]:
    """(key, Chinese title) of the shipped presets that carry welfare rules."""
    base = resource_path("presets")
    out = []
    for p in sorted(q.name for q in base.iterdir() if (q / presets.WELFARE_FILE).is_file()):
        try:
            title = str(json.loads((base / p / presets.WELFARE_FILE).read_text(encoding="utf-8")).get("title") or p)
        except (OSError, ValueError):
            title = p
        out.append((p, title))
    return out


@requires()
def all_rules() -> rules.WelfareRules:
    """The active occasions and settings (cached; seeded from the national preset on first use)."""
    key = db.database or ""
    if key not in _rule_cache:
        if not WelfareRuleRow.select().exists():
            seed_rules_if_empty()
        occasions, settings = [], []
        q = WelfareRuleRow.select().where(WelfareRuleRow.archived == False)  # noqa: E712
        for r in q:
            obj = presets.welfare_row_from_dict(_loads(r.data))
            (settings if isinstance(obj, rules.WelfareSettings) else occasions).append(obj)
        _rule_cache[key] = rules.WelfareRules(tuple(occasions), tuple(settings), preset=current_preset())
    return _rule_cache[key]


@requires()
def settings_on(on: date) -> rules.WelfareSettings | None:
    try:
        return all_rules().settings_on(on)
    except DomainError:
        return None


@requires()
def funding_sources(on: date | None = None) -> list[str]:
    s = settings_on(on or _today())
    return list(s.funding_sources) if s else []


@requires()
def talk_triggers(on: date | None = None) -> list[str]:
    s = settings_on(on or _today())
    return list(s.talk_triggers) if s else []


@requires()
def occasion_name(code: str) -> str:
    names = [o for o in all_rules().occasions if o.code == code]
    if names:
        return max(names, key=lambda o: o.effective_from).name
    return rules.OCCASION_NAMES.get(code, code)


@requires()
def occasion_names(include_talk: bool = False) -> list[tuple[str, str]]:
    """(code, name) of the occasions that have rules, in display order."""
    present: dict[str, rules.Occasion] = {}
    for o in all_rules().occasions:
        if o.code not in present or o.effective_from > present[o.code].effective_from:
            present[o.code] = o
    order = {c: i for i, c in enumerate(rules.OCCASION_CODES)}
    codes = sorted(present, key=lambda c: (order.get(c, 99), c))
    return [(c, present[c].name) for c in codes if include_talk or c not in RECORD_EXCLUDED]


@requires()
def occasion_for(code: str, on: date) -> rules.Occasion:
    return all_rules().occasion(code, on)


def _row_dict(r: WelfareRuleRow) -> dict[str, Any]:
    data = _loads(r.data)
    data["id"] = r.id
    data["preset"] = r.preset
    data["effective_from"] = _d(data.get("effective_from"))
    return data


@requires()
def occasion_rows() -> list[dict[str, Any]]:
    """Every active occasion row for the settings screen (the row's data plus id and preset),
    in display order; ``scope_name`` is the cap scope in words."""
    order = {c: i for i, c in enumerate(rules.OCCASION_CODES)}
    out = []
    q = WelfareRuleRow.select().where((WelfareRuleRow.archived == False)  # noqa: E712
                                      & (WelfareRuleRow.table == "occasion"))
    for r in q:
        d = _row_dict(r)
        d["scope_name"] = rules.CAP_SCOPES.get(d.get("cap_scope") or "", "")
        out.append(d)
    out.sort(key=lambda d: (order.get(d["code"], 99), d["code"], d["effective_from"]))
    return out


@requires()
def settings_rows() -> list[dict[str, Any]]:
    q = (WelfareRuleRow.select().where((WelfareRuleRow.archived == False)  # noqa: E712
                                       & (WelfareRuleRow.table == "settings"))
         .order_by(WelfareRuleRow.effective_from))
    return [_row_dict(r) for r in q]


OCCASION_FORM_LABELS = {"code": "慰问事由", "name": "名称", "standard": "标准金额", "cap": "上限",
                        "cap_scope": "上限范围", "max_per_year": "每年次数", "duplicate_window_days": "重复提醒天数",
                        "cash_allowed": "可否发放现金", "funding_sources": "经费来源", "effective_from": "生效日期",
                        "source": "依据", "notes": "备注"}


def _int_or_none(raw: Any, key: str, label: str, errors: list[DomainError], minimum: int = 0,
                 maximum: int = 3650) -> int | None:
    text = _s(raw)
    if text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        errors.append(DomainError("not_integer", f"{label}应为整数，当前为“{text}”", key))
        return None
    if value < minimum or value > maximum:
        errors.append(DomainError("out_of_range", f"{label}应在 {minimum}–{maximum} 之间，当前为 {value}", key))
        return None
    return value


def _date_field(raw: Any, key: str, label: str, errors: list[DomainError]) -> date | None:
    if isinstance(raw, date):
        return _d(raw)
    try:
        value = dates.parse_date(_s(raw), key, label)
    except DomainError as err:
        errors.append(err)
        return None
    if value is None:
        errors.append(DomainError("required", f"请填写{label}（不清楚时可填 1900-01-01，表示一直适用）", key))
    return value


def _occasion_row(form: Mapping[str, Any], old: Mapping[str, Any] | None
                  ) -> tuple[dict[str, Any] | None, list[DomainError]]:
    """The form of the occasion editor (amounts as typed, in yuan) → a row dict in fen."""
    errors: list[DomainError] = []
    code = _s(form.get("code"))
    if not code:
        errors.append(DomainError("required", "请选择慰问事由", "code"))
    name = _s(form.get("name")) or rules.OCCASION_NAMES.get(code, "")
    if not name:
        errors.append(DomainError("required", "请填写名称", "name"))
    elif len(name) > 30:
        errors.append(DomainError("too_long", "名称不超过30个字", "name"))
    amounts: dict[str, int | None] = {}
    for key, label in (("standard", "标准金额"), ("cap", "上限")):
        try:
            amounts[key] = parse_yuan(form.get(key), key, label, required=False)
        except DomainError as err:
            errors.append(err)
            amounts[key] = None
    scope = _s(form.get("cap_scope")) or None
    if amounts["cap"] is not None and scope is None:
        errors.append(DomainError("invalid_cap_scope", "设了上限，请选择上限范围（每年、每次等）", "cap_scope"))
    if amounts["cap"] is None and scope is not None and not any(e.field == "cap" for e in errors):
        errors.append(DomainError("required", "选了上限范围，请填写上限金额；不设上限时范围选“不设上限”", "cap"))
    max_per_year = _int_or_none(form.get("max_per_year"), "max_per_year", "每年次数", errors, 1, 366)
    window = _int_or_none(form.get("duplicate_window_days"), "duplicate_window_days", "重复提醒天数", errors, 0, 3650)
    effective = _date_field(form.get("effective_from"), "effective_from", "生效日期", errors)
    sources = form.get("funding_sources") or []
    if isinstance(sources, str):
        sources = split_list(sources)
    if errors:
        return None, errors
    row: dict[str, Any] = {
        "table": "occasion", "code": code, "name": name, "standard_fen": amounts["standard"],
        "cap_fen": amounts["cap"], "cap_scope": scope if amounts["cap"] is not None else None,
        "max_per_year": max_per_year, "duplicate_window_days": window,
        "cash_allowed": bool(form.get("cash_allowed")), "funding_sources": list(sources),
        "effective_from": effective.isoformat(), "source": _s(form.get("source")), "notes": _s(form.get("notes")),
        "example": False, "example_fields": [],
    }
    if old is not None and old.get("example"):
        fields = list(old.get("example_fields") or [])
        # an example figure stays marked until the clerk changes it
        if all(row.get(f) == old.get(f) for f in fields):
            row["example"], row["example_fields"] = True, fields
    try:
        presets.welfare_row_from_dict(row)
    except DomainError as err:
        return None, [err]
    return row, []


@exempt('pure formatting or parsing, no data')
def split_list(text: str) -> list[str]:
    """'工会经费、行政经费, 党费' → ['工会经费', '行政经费', '党费'] (order kept, duplicates dropped)."""
    parts = [p.strip() for p in re.split(r"[、,，;；\n]+", text or "")]
    return list(dict.fromkeys(p for p in parts if p))


def _dup_occasion(code: str, on: date, row_id: int | None) -> DomainError | None:
    q = WelfareRuleRow.select().where((WelfareRuleRow.table == "occasion") & (WelfareRuleRow.code == code)
                                      & (WelfareRuleRow.effective_from == on)
                                      & (WelfareRuleRow.archived == False))  # noqa: E712
    if row_id:
        q = q.where(WelfareRuleRow.id != row_id)
    if q.exists():
        return DomainError("duplicate", f"“{rules.OCCASION_NAMES.get(code, code)}”已有自 {on} 起执行的标准，"
                                        "请修改生效日期或直接编辑那一条", "effective_from")
    return None


def _active_row(row_id: int, table: str) -> WelfareRuleRow:
    row = WelfareRuleRow.get_or_none((WelfareRuleRow.id == row_id) & (WelfareRuleRow.table == table)
                                     & (WelfareRuleRow.archived == False))  # noqa: E712
    if row is None:
        raise DomainError("not_found", "该标准已被停用或更换，请刷新后重试", None)
    return row


@requires('settings.edit')
def occasion_problems(form: Mapping[str, Any], row_id: int | None = None) -> list[DomainError]:
    """Errors of the occasion form, for live validation (nothing is saved)."""
    old = _loads(_active_row(row_id, "occasion").data) if row_id else None
    row, errors = _occasion_row(form, old)
    if row is None:
        return errors
    dup = _dup_occasion(row["code"], _d(row["effective_from"]), row_id)
    return [dup] if dup else []


@requires('settings.edit')
def save_occasion(form: Mapping[str, Any], row_id: int | None = None) -> int:
    """Add a dated occasion row or edit one; the row is validated by the preset loader."""
    with db.atomic():
        old_row = _active_row(row_id, "occasion") if row_id else None
        old = _loads(old_row.data) if old_row else None
        row, errors = _occasion_row(form, old)
        if row is None:
            raise ValidationError(errors)
        on = _d(row["effective_from"])
        dup = _dup_occasion(row["code"], on, row_id)
        if dup:
            raise ValidationError([dup])
        if old_row is not None:
            changes = audit.diff(old, row)
            if changes:
                WelfareRuleRow.update(code=row["code"], effective_from=on, data=_dumps(row),
                                      updated_at=now()).where(WelfareRuleRow.id == row_id).execute()
                audit.record("update", "welfare_rule_row", old_row.uuid, f"{row['name']}（{on}起）", changes)
            result = old_row.id
        else:
            new = WelfareRuleRow.create(table="occasion", code=row["code"], effective_from=on, preset=LOCAL_PRESET,
                                        data=_dumps(row))
            audit.record("create", "welfare_rule_row", new.uuid, f"{row['name']}（{on}起）")
            result = new.id
    _invalidate()
    return result


@requires('settings.edit')
def archive_occasion(row_id: int) -> None:
    """停用 one dated occasion row (kept archived for the audit trail)."""
    with db.atomic():
        row = _active_row(row_id, "occasion")
        WelfareRuleRow.update(archived=True, updated_at=now()).where(WelfareRuleRow.id == row_id).execute()
        data = _loads(row.data)
        audit.record("archive", "welfare_rule_row", row.uuid, f"停用：{data.get('name')}（{row.effective_from}起）")
    _invalidate()


SETTINGS_FORM_LABELS = {"funding_sources": "经费来源", "duplicate_window_days": "重复提醒天数",
                        "budget_near_percent": "预算提醒比例", "talk_triggers": "谈话事由",
                        "dibao": "当地低保标准", "effective_from": "生效日期"}


def _settings_row(form: Mapping[str, Any], old: Mapping[str, Any] | None
                  ) -> tuple[dict[str, Any] | None, list[DomainError]]:
    errors: list[DomainError] = []
    sources = form.get("funding_sources")
    sources = split_list(sources) if isinstance(sources, str) else list(sources or [])
    if not sources:
        errors.append(DomainError("required", "请至少填写一个经费来源，如“工会经费、行政经费”（用顿号分隔）",
                                  "funding_sources"))
    elif any(len(s) > 40 for s in sources):
        errors.append(DomainError("too_long", "每个经费来源不超过40个字", "funding_sources"))
    triggers = form.get("talk_triggers")
    triggers = split_list(triggers) if isinstance(triggers, str) else list(triggers or [])
    if not triggers:
        errors.append(DomainError("required", "请至少填写一个谈话事由，如“岗位变动、退休、家庭变故”（用顿号分隔）",
                                  "talk_triggers"))
    elif any(len(t) > 40 for t in triggers):
        errors.append(DomainError("too_long", "每个谈话事由不超过40个字", "talk_triggers"))
    window = _int_or_none(form.get("duplicate_window_days"), "duplicate_window_days", "重复提醒天数", errors, 0, 3650)
    if window is None and not any(e.field == "duplicate_window_days" for e in errors):
        errors.append(DomainError("required", "请填写重复提醒天数（如 30）", "duplicate_window_days"))
    percent = None
    raw = _s(form.get("budget_near_percent")).rstrip("%")
    try:
        percent = to_percent(raw, "budget_near_percent") if raw else None
    except DomainError:
        errors.append(DomainError("percent_format", f"预算提醒比例应为 1–100 的数字，当前为“{raw}”",
                                  "budget_near_percent"))
    if percent is None and not any(e.field == "budget_near_percent" for e in errors):
        errors.append(DomainError("required", "请填写预算提醒比例（如 90，表示用到预算的 90% 时提醒）",
                                  "budget_near_percent"))
    elif percent is not None and not (0 < percent <= 100):
        errors.append(DomainError("out_of_range", "预算提醒比例应在 1–100 之间", "budget_near_percent"))
    try:
        dibao = parse_yuan(form.get("dibao"), "dibao", "当地低保标准", required=False)
    except DomainError as err:
        errors.append(err)
        dibao = None
    effective = _date_field(form.get("effective_from"), "effective_from", "生效日期", errors)
    if errors:
        return None, errors
    base = dict(old or {})
    row = {
        "table": "settings", "effective_from": effective.isoformat(), "funding_sources": sources,
        "duplicate_window_days": window, "budget_near_percent": presets._jsonable(percent),
        "talk_triggers": triggers,
        "deep_hardship_multiple": base.get("deep_hardship_multiple", 1),
        "relative_hardship_multiple": base.get("relative_hardship_multiple", 2),
        "dibao_monthly_fen": dibao, "source": base.get("source", ""), "notes": base.get("notes", ""),
        "example": bool(base.get("example", False)), "example_fields": list(base.get("example_fields") or []),
    }
    try:
        presets.welfare_row_from_dict(row)
    except DomainError as err:
        return None, [err]
    return row, []


@requires('settings.edit')
def settings_problems(form: Mapping[str, Any], row_id: int | None = None) -> list[DomainError]:
    old = _loads(_active_row(row_id, "settings").data) if row_id else None
    return _settings_row(form, old)[1]


@requires('settings.edit')
def save_settings(form: Mapping[str, Any], row_id: int | None = None) -> int:
    """Edit the shared settings row (or add a dated one)."""
    with db.atomic():
        old_row = _active_row(row_id, "settings") if row_id else None
        old = _loads(old_row.data) if old_row else None
        row, errors = _settings_row(form, old)
        if row is None:
            raise ValidationError(errors)
        on = _d(row["effective_from"])
        dup = WelfareRuleRow.select().where((WelfareRuleRow.table == "settings")
                                            & (WelfareRuleRow.effective_from == on)
                                            & (WelfareRuleRow.archived == False))  # noqa: E712
        if row_id:
            dup = dup.where(WelfareRuleRow.id != row_id)
        if dup.exists():
            raise ValidationError([DomainError("duplicate", f"已有自 {on} 起执行的通用设置，请修改生效日期",
                                               "effective_from")])
        if old_row is not None:
            changes = audit.diff(old, row)
            if changes:
                WelfareRuleRow.update(effective_from=on, data=_dumps(row), updated_at=now()).where(
                    WelfareRuleRow.id == row_id).execute()
                audit.record("update", "welfare_rule_row", old_row.uuid, f"福利慰问通用设置（{on}起）", changes)
            result = old_row.id
        else:
            new = WelfareRuleRow.create(table="settings", code="", effective_from=on, preset=LOCAL_PRESET,
                                        data=_dumps(row))
            audit.record("create", "welfare_rule_row", new.uuid, f"福利慰问通用设置（{on}起）")
            result = new.id
    _invalidate()
    return result


# ================================================================ funds and budgets

class FundUsage(NamedTuple):
    name: str
    fund_id: int | None
    year: int
    budget_fen: int | None      # None: no budget set
    used_fen: int
    remaining_fen: int | None
    percent: Decimal | None     # used / budget × 100, one decimal
    status: str                 # ok / near / over (domain.welfare.budget_status)
    notes: str = ""

    @property
    def status_name(self) -> str:
        if self.budget_fen is None:
            return "未设预算"
        return BUDGET_STATUS_NAMES[self.status]


@requires('welfare.read')
def funds(year: int | None = None) -> list[dict[str, Any]]:
    q = Fund.select().where(Fund.archived == False).order_by(Fund.year.desc(), Fund.name)  # noqa: E712
    if year:
        q = q.where(Fund.year == year)
    return [dict(id=f.id, name=f.name, year=f.year, budget_fen=f.budget_fen, notes=f.notes) for f in q]


def _fund(name: str, year: int) -> Fund | None:
    return Fund.get_or_none((Fund.name == name) & (Fund.year == year) & (Fund.archived == False))  # noqa: E712


_used_cache: dict[int, tuple[Any, tuple, dict[str, int]]] = {}


def _year_used(year: int) -> dict[str, int]:
    """{source: used fen} of the year, kept between calls until anything is written
    (the form asks on every keystroke; one grouped pass over the year otherwise).
    Kept per connection: the stamp is only meaningful for the connection that took it."""
    conn = db.connection()
    stamp = queries.write_stamp()
    hit = _used_cache.get(year)
    if hit is not None and hit[0] is conn and hit[1] == stamp:
        return hit[2]
    data = queries.welfare_fund_used(year)
    if not db.in_transaction():
        if len(_used_cache) > 8 or any(v[0] is not conn or v[1] != stamp for v in _used_cache.values()):
            _used_cache.clear()
        _used_cache[year] = (conn, stamp, data)
    return data


@requires('welfare.read')
def fund_used(name: str, year: int, exclude_id: int | None = None) -> int:
    """Money + goods value (fen) of the year's non-archived records paid from ``name``
    (without record ``exclude_id``, the one being edited)."""
    used = _year_used(year).get(name, 0)
    if exclude_id:
        row = db.execute_sql("SELECT money_fen + goods_fen FROM welfare_record WHERE id = ? AND archived = 0 "
                             "AND funding_source = ? AND record_date >= ? AND record_date <= ?",
                             (exclude_id, name, f"{year}-01-01", f"{year}-12-31")).fetchone()
        if row:
            used -= int(row[0])
    return used


@requires('welfare.edit')
def budget_problems(name: str, year: Any, budget: Any, fund_id: int | None = None) -> list[DomainError]:
    errors: list[DomainError] = []
    name = _s(name)
    if not name:
        errors.append(DomainError("required", "请选择经费来源", "name"))
    elif len(name) > 40:
        errors.append(DomainError("too_long", "经费来源不超过40个字", "name"))
    try:
        y = int(year)
        if not 1990 <= y <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(DomainError("invalid_year", "请选择年度", "year"))
        y = None
    try:
        if isinstance(budget, int) and not isinstance(budget, bool):
            if budget < 0:
                raise DomainError("amount_negative", "预算不能为负数，请填写 0 或正数金额", "budget")
        else:
            parse_yuan(budget, "budget", "预算")
    except DomainError as err:
        errors.append(err)
    if name and y is not None and fund_id is None:
        other = _fund(name, y)
        if other is not None:
            errors.append(DomainError("duplicate", f"{y}年的“{name}”已设预算，请直接修改那一条", "name"))
    return errors


@requires('welfare.edit')
def save_budget(name: str, year: int, budget: Any, notes: str = "", fund_id: int | None = None) -> int:
    """Set the year's budget of a funding source (creates the fund row when there is none).

    ``budget``: integer fen, or the amount as typed in yuan ("50000", "50,000.00")."""
    with db.atomic():
        if fund_id is None:
            existing = _fund(_s(name), int(year)) if _s(name) and str(year).isdigit() else None
            fund_id = existing.id if existing is not None else None
        errors = budget_problems(name, year, budget, fund_id)
        if errors:
            raise ValidationError(errors)
        fen = budget if isinstance(budget, int) else parse_yuan(budget, "budget", "预算")
        name, year = _s(name), int(year)
        summary = f"{year}年{name}预算 {format_yuan(fen)} 元"
        if fund_id:
            row = Fund.get_by_id(fund_id)
            changes = audit.diff({"name": row.name, "year": row.year, "budget_fen": row.budget_fen,
                                  "notes": row.notes},
                                 {"name": name, "year": year, "budget_fen": fen, "notes": _s(notes)})
            if changes:
                Fund.update(name=name, year=year, budget_fen=fen, notes=_s(notes), updated_at=now()).where(
                    Fund.id == fund_id).execute()
                audit.record("update", "fund", row.uuid, summary, changes)
            return fund_id
        # an archived row of the same name and year is brought back (the pair is unique)
        old = Fund.get_or_none((Fund.name == name) & (Fund.year == year))
        if old is not None:
            Fund.update(archived=False, budget_fen=fen, notes=_s(notes), updated_at=now()).where(
                Fund.id == old.id).execute()
            audit.record("restore", "fund", old.uuid, summary)
            return old.id
        row = Fund.create(name=name, year=year, budget_fen=fen, notes=_s(notes))
        audit.record("create", "fund", row.uuid, summary)
        return row.id


@requires('welfare.edit')
def archive_fund(fund_id: int) -> None:
    """Remove a year's budget (kept archived); the source then shows 未设预算."""
    with db.atomic():
        row = Fund.get_by_id(fund_id)
        if row.archived:
            return
        Fund.update(archived=True, updated_at=now()).where(Fund.id == fund_id).execute()
        audit.record("archive", "fund", row.uuid, f"撤销 {row.year}年{row.name}预算")


@requires('welfare.read')
def fund_usage(year: int) -> list[FundUsage]:
    """Per funding source for ``year``: budget, used, remaining, percentage and status.

    Sources: the settings' list, any fund row of the year and any source used by
    the year's records (so nothing spent goes unseen).  Sums are integer fen."""
    settings = settings_on(date(year, 12, 31))
    names = list(settings.funding_sources) if settings else []
    fund_rows = {f["name"]: f for f in funds(year)}
    used = _year_used(year)
    for extra in list(fund_rows) + sorted(used):
        if extra and extra not in names:
            names.append(extra)
    out = []
    for name in names:
        f = fund_rows.get(name)
        budget = f["budget_fen"] if f else None
        spent = used.get(name, 0)
        if settings is not None:
            status = rules.budget_status(spent, budget, settings)
        else:
            status = rules.BUDGET_OVER if budget is not None and spent > budget else rules.BUDGET_OK
        percent = None
        if budget:
            percent = (Decimal(spent) * 100 / Decimal(budget)).quantize(Decimal("0.1"))
        out.append(FundUsage(name, f["id"] if f else None, year, budget, spent,
                             None if budget is None else budget - spent, percent, status,
                             f["notes"] if f else ""))
    return out


# ================================================================ visit records

@dataclass
class WelfareInput:
    cadre_id: int | None
    occasion: str
    record_date: date | None
    money_fen: int = 0                 # 慰问金 (cash, transfer or card)
    goods: str = ""                    # what the goods were
    goods_fen: int = 0                 # value of the goods
    funding_source: str = ""
    visitors: str = ""                 # 走访人, e.g. "镇党委书记 王某、工会主席 李某"
    episode: str = ""                  # 同一事项 (one illness, one bereavement …)
    notes: str = ""
    over_reason: str = ""              # 超出说明, required when a warning needs a reason


@dataclass
class WelfarePreview:
    errors: list[DomainError]
    warnings: list[rules.WelfareWarning]
    needs_reason: bool
    info: list[str]
    total_fen: int = 0
    budget: FundUsage | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _domain_record(r: tuple, rid: int | None = None) -> rules.WelfareRecord:
    return rules.WelfareRecord(cadre_id=r[0], occasion=r[1], on=_d(r[2]), money_fen=int(r[3]),
                               goods_fen=int(r[4]), funding_source=r[5], episode=r[6] or "", record_id=rid)


def _history(cadre_id: int, exclude_id: int | None = None) -> list[rules.WelfareRecord]:
    sql = ("SELECT cadre_id, occasion, record_date, money_fen, goods_fen, funding_source, episode, id "
           "FROM welfare_record WHERE cadre_id = ? AND +archived = 0")
    params: list[Any] = [cadre_id]
    if exclude_id:
        sql += " AND id != ?"
        params.append(exclude_id)
    return [_domain_record(r[:7], r[7]) for r in db.execute_sql(sql, params).fetchall()]


@exempt('pure formatting or parsing, no data')
def split_visitors(text: str) -> tuple[str, ...]:
    return tuple(split_list(text))


def _record_of(inp: WelfareInput, record_id: int | None) -> rules.WelfareRecord:
    return rules.WelfareRecord(cadre_id=inp.cadre_id, occasion=inp.occasion, on=inp.record_date,
                               money_fen=inp.money_fen, goods_fen=inp.goods_fen, goods=_s(inp.goods),
                               funding_source=_s(inp.funding_source), visitors=split_visitors(inp.visitors),
                               episode=_s(inp.episode), notes=_s(inp.notes), record_id=record_id)


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)} 元"


def _cap_info(occ: rules.Occasion, record: rules.WelfareRecord, others: list[rules.WelfareRecord],
              all_rules_: rules.WelfareRules) -> str:
    year = record.on.year
    if occ.cap_fen is None:
        return f"{occ.name}未设上限"
    scope = occ.cap_scope
    if scope == rules.FESTIVAL_YEARLY_TOTAL:
        def is_festival(o: rules.WelfareRecord) -> bool:
            try:
                return all_rules_.occasion(o.occasion, o.on).cap_scope == rules.FESTIVAL_YEARLY_TOTAL
            except DomainError:
                return False
        same = [o for o in others if o.on.year == year and is_festival(o)]
        return (f"本年节日慰问已 {len(same)} 次，共 {_yuan(sum(o.total_fen for o in same))}；"
                f"全年上限 {_yuan(occ.cap_fen)}")
    if scope == rules.PER_YEAR:
        same = [o for o in others if o.occasion == record.occasion and o.on.year == year]
        return (f"本年已{occ.name} {len(same)} 次，共 {_yuan(sum(o.total_fen for o in same))}；"
                f"每年上限 {_yuan(occ.cap_fen)}")
    if record.episode:
        same = [o for o in others if o.occasion == record.occasion and o.episode == record.episode]
        if same:
            return (f"同一事项“{record.episode}”已慰问 {len(same)} 次，共 {_yuan(sum(o.total_fen for o in same))}；"
                    f"合计上限 {_yuan(occ.cap_fen)}")
    return f"{occ.name}{rules.CAP_SCOPES.get(scope or '', '')}上限 {_yuan(occ.cap_fen)}"


def _enrich_duplicate(w: rules.WelfareWarning) -> rules.WelfareWarning:
    rid = w.params.get("record_id")
    row = WelfareRecord.get_or_none(WelfareRecord.id == rid) if rid else None
    if row is None:
        return w
    parts = [f"金额 {_yuan(row.money_fen + row.goods_fen)}"]
    if row.goods:
        parts.append(f"物品：{row.goods}")
    if row.visitors:
        parts.append(f"走访人：{row.visitors}")
    message = w.message.replace("，可能重复登记", f"（{'，'.join(parts)}），可能重复登记", 1)
    return rules.WelfareWarning(w.code, message, w.severity, w.needs_reason, w.params)


@requires('welfare.edit')
def preview(inp: WelfareInput, record_id: int | None = None, today: date | None = None) -> WelfarePreview:
    """Run every check on a visit record without saving (the form calls this as the clerk types).

    Errors carry the field they belong to; warnings (over a cap, over the fund's
    budget, more often than allowed, a likely duplicate, an unusual source) are
    the domain's; ``needs_reason`` when any of them must be explained in
    ``over_reason`` — which then is required."""
    today = today or _today()
    errors: list[DomainError] = []
    warnings: list[rules.WelfareWarning] = []
    info: list[str] = []
    cadre = _cadre(inp.cadre_id)
    if cadre is None:
        errors.append(DomainError("required", "请选择干部", "cadre_id"))
    code = _s(inp.occasion)
    if not code:
        errors.append(DomainError("required", "请选择慰问事由", "occasion"))
    elif code in RECORD_EXCLUDED:
        errors.append(DomainError("choice", "谈心谈话请在「谈心谈话」中登记", "occasion"))
    if inp.record_date is None:
        errors.append(DomainError("required", "请填写慰问日期", "record_date"))
    elif inp.record_date > today:
        errors.append(DomainError("date_future", f"慰问日期{_fmt_date(inp.record_date)}晚于今天，请填写实际慰问的日期",
                                  "record_date"))
    for key, label in (("money_fen", "慰问金"), ("goods_fen", "物品价值")):
        value = getattr(inp, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError("money_type", f"{label}应为以分为单位的整数", key)
        if value < 0:
            errors.append(DomainError("amount_negative", f"{label}不能为负数，请填写 0 或正数金额", key))
    total = max(inp.money_fen, 0) + max(inp.goods_fen, 0)
    if total == 0 and not _s(inp.goods) and not any(e.field in ("money_fen", "goods_fen") for e in errors):
        errors.append(DomainError("amount_required", "请填写慰问金或慰问品（物品和价值）", "money_fen"))
    if inp.goods_fen > 0 and not _s(inp.goods):
        errors.append(DomainError("required", "填写了物品价值，请写明慰问品（如 大米一袋、食用油一桶）", "goods"))
    for key, limit in _LIMITS.items():
        if len(_s(getattr(inp, key))) > limit:
            errors.append(DomainError("too_long", f"{RECORD_LABELS[key]}不超过{limit}个字", key))
    occ = None
    if code and code not in RECORD_EXCLUDED and inp.record_date is not None:
        try:
            occ = occasion_for(code, inp.record_date)
        except DomainError as err:
            errors.append(DomainError(err.code, err.message, "occasion"))
    usage = None
    if occ is not None and not any(e.field in ("money_fen", "goods_fen") for e in errors):
        all_r = all_rules()
        record = _record_of(inp, record_id)
        others = _history(cadre.id, record_id) if cadre is not None else []
        source = _s(inp.funding_source)
        year = inp.record_date.year
        fund = _fund(source, year) if source else None
        used = fund_used(source, year, exclude_id=record_id) if source else 0
        try:
            found = rules.check_record(record, all_r, others, budget_fen=fund.budget_fen if fund else None,
                                       budget_used_fen=used)
        except DomainError as err:
            errors.append(DomainError(err.code, err.message, err.field or "occasion"))
            found = []
        for w in found:
            if w.is_error:
                message = w.message
                if w.code == "cash_forbidden" and (occ.code in rules.FESTIVAL_CODES
                                                   or occ.cap_scope == rules.FESTIVAL_YEARLY_TOTAL):
                    message = FESTIVAL_CASH_MESSAGE
                errors.append(DomainError(w.code, message, w.params.get("field"),
                                          **{k: v for k, v in w.params.items() if k != "field"}))
            else:
                warnings.append(_enrich_duplicate(w) if w.code == "likely_duplicate" else w)
        if occ.standard_fen is not None:
            info.append(f"{occ.name}标准 {_yuan(occ.standard_fen)}")
        if cadre is not None:
            year_all = [o for o in others if o.on.year == year]
            info.append(f"{cadre.name} {year} 年已慰问 {len(year_all)} 次，共 {_yuan(sum(o.total_fen for o in year_all))}")
            info.append(_cap_info(occ, record, others, all_r))
        if occ.cap_scope in (rules.PER_EPISODE,) and not record.episode:
            info.append("同一病程多次慰问时，请填写相同的“同一事项”，以便合计上限")
        if source:
            settings = all_r.settings_on(inp.record_date)
            if fund is None:
                info.append(f"{source} {year} 年未设预算（可在「经费预算」中设置）")
            else:
                after = used + total
                status = rules.budget_status(after, fund.budget_fen, settings)
                text = (f"{source} {year} 年预算 {_yuan(fund.budget_fen)}，已用 {_yuan(used)}，"
                        f"本次后剩余 {_yuan(fund.budget_fen - after)}")
                if status == rules.BUDGET_NEAR:
                    text += "（接近预算）"
                info.append(text)
                usage = FundUsage(source, fund.id, year, fund.budget_fen, after, fund.budget_fen - after,
                                  (Decimal(after) * 100 / Decimal(fund.budget_fen)).quantize(Decimal("0.1"))
                                  if fund.budget_fen else None, status)
    needs_reason = any(w.needs_reason for w in warnings)
    if needs_reason and not _s(inp.over_reason):
        errors.append(DomainError("reason_required", "有超出规定的情况，请在“超出说明”中填写原因后再保存（如 经工会委员会研究同意）",
                                  "over_reason"))
    return WelfarePreview(errors, warnings, needs_reason, info, total, usage)


def _record_values(inp: WelfareInput, pre: WelfarePreview) -> dict[str, Any]:
    return dict(occasion=_s(inp.occasion), record_date=inp.record_date, money_fen=inp.money_fen,
                goods=_s(inp.goods), goods_fen=inp.goods_fen, funding_source=_s(inp.funding_source),
                visitors="、".join(split_visitors(inp.visitors)), episode=_s(inp.episode), notes=_s(inp.notes),
                over_reason=_s(inp.over_reason) if pre.needs_reason else "")


@requires('welfare.edit')
def save_record(inp: WelfareInput, record_id: int | None = None, today: date | None = None) -> int:
    """Create or edit a visit record in one transaction; ``ValidationError`` when refused
    (errors, or a warning that needs a reason and none was given)."""
    with db.atomic():
        pre = preview(inp, record_id, today)
        if pre.errors:
            raise ValidationError(pre.errors)
        cadre = Cadre.get_by_id(int(inp.cadre_id))
        values = _record_values(inp, pre)
        summary = (f"{cadre.name} {occasion_name(values['occasion'])} {values['record_date']} "
                   f"{format_yuan(pre.total_fen)}元")
        if pre.needs_reason:
            summary += "（超出说明：" + values["over_reason"] + "）"
        if record_id:
            row = WelfareRecord.get_or_none(WelfareRecord.id == record_id)
            if row is None or row.archived:
                raise DomainError("not_found", "该慰问记录已归档，不能修改", None)
            old = {k: getattr(row, k) for k in values}
            changes = audit.diff(old, values)
            if row.cadre_id != cadre.id:
                changes["cadre_id"] = [row.cadre_id, cadre.id]
            if changes:
                WelfareRecord.update(**values, cadre=cadre.id, updated_at=now()).where(
                    WelfareRecord.id == record_id).execute()
                audit.record("update", "welfare_record", row.uuid, summary, changes)
            return record_id
        row = WelfareRecord.create(cadre=cadre.id, **values)
        audit.record("create", "welfare_record", row.uuid, summary)
        return row.id


@requires('welfare.edit')
def archive_record(record_id: int) -> None:
    """归档 a record entered by mistake: it no longer counts towards caps or budgets."""
    with db.atomic():
        row = WelfareRecord.get_by_id(record_id)
        if row.archived:
            return
        WelfareRecord.update(archived=True, updated_at=now()).where(WelfareRecord.id == record_id).execute()
        audit.record("archive", "welfare_record", row.uuid,
                     f"{row.cadre.name} {occasion_name(row.occasion)} {row.record_date} "
                     f"{format_yuan(row.money_fen + row.goods_fen)}元")


def _record_dict(r: WelfareRecord) -> dict[str, Any]:
    return dict(id=r.id, cadre_id=r.cadre_id, occasion=r.occasion, occasion_name=occasion_name(r.occasion),
                record_date=_d(r.record_date), money_fen=r.money_fen, goods=r.goods, goods_fen=r.goods_fen,
                total_fen=r.money_fen + r.goods_fen, funding_source=r.funding_source, visitors=r.visitors,
                episode=r.episode, notes=r.notes, over_reason=r.over_reason, archived=r.archived)


@requires('welfare.read')
def get_record(record_id: int) -> dict[str, Any]:
    r = WelfareRecord.get_by_id(record_id)
    out = _record_dict(r)
    out["cadre_name"] = r.cadre.name
    return out


@requires('welfare.read')
def record_input(record_id: int) -> WelfareInput:
    r = get_record(record_id)
    return WelfareInput(r["cadre_id"], r["occasion"], r["record_date"], r["money_fen"], r["goods"], r["goods_fen"],
                        r["funding_source"], r["visitors"], r["episode"], r["notes"], r["over_reason"])


@requires('welfare.read')
def episodes(cadre_id: int | None, occasion: str) -> list[str]:
    """The cadre's earlier 同一事项 keys for an occasion, newest first (the form offers them)."""
    if not cadre_id or not occasion:
        return []
    sql = ("SELECT episode, max(record_date) FROM welfare_record WHERE cadre_id = ? AND occasion = ? "
           "AND +archived = 0 AND episode != '' GROUP BY episode ORDER BY 2 DESC")
    return [r[0] for r in db.execute_sql(sql, (cadre_id, occasion)).fetchall()]


@requires('welfare.read')
def record_count(year: int | None = None, unit_id: int | None = None, occasion: str = "", fund: str = "",
                 text: str = "", cadre_id: int | None = None) -> int:
    return queries.welfare_count(queries.WelfareFilter(year, unit_id, occasion, fund, text, cadre_id))


@requires('welfare.read')
def records(year: int | None = None, unit_id: int | None = None, occasion: str = "", fund: str = "",
            text: str = "", cadre_id: int | None = None, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """Rows for the records table, newest first (see ``queries.welfare_page``); paged in SQL."""
    return queries.welfare_page(queries.WelfareFilter(year, unit_id, occasion, fund, text, cadre_id),
                                offset, limit)


@requires('welfare.read')
def cadre_welfare(cadre_id: int, today: date | None = None) -> dict[str, Any]:
    """One person's 慰问 tab: visit records and talks (newest first) and this year's totals."""
    today = today or _today()
    cadre = Cadre.get_by_id(cadre_id)
    q = (WelfareRecord.select()
         .where((WelfareRecord.cadre == cadre_id) & (WelfareRecord.archived == False))  # noqa: E712
         .order_by(WelfareRecord.record_date.desc(), WelfareRecord.id.desc()))
    recs = [_record_dict(r) for r in q]
    talks = [_talk_dict(t) for t in TalkRecord.select().where(
        (TalkRecord.cadre == cadre_id) & (TalkRecord.archived == False))  # noqa: E712
        .order_by(TalkRecord.talk_date.desc(), TalkRecord.id.desc())]
    this_year = [r for r in recs if r["record_date"].year == today.year]
    return dict(cadre_id=cadre.id, name=cadre.name, records=recs, talks=talks, year=today.year,
                year_count=len(this_year), year_total_fen=sum(r["total_fen"] for r in this_year),
                total_fen=sum(r["total_fen"] for r in recs))


class NotVisitedRow(NamedTuple):
    cadre_id: int
    name: str
    unit: str
    reason: str      # 艰苦边远地区（二类） / 乡镇干部


@requires('welfare.read')
def not_visited(year: int, unit_kind: str = "", unit_id: int | None = None,
                visited: set[int] | None = None) -> list[NotVisitedRow]:
    """Serving hardship-area (unit class not 无) and township (乡/镇) cadres with no visit
    record in ``year`` (the home page's to-do item).  ``unit_kind``: "" both,
    "hardship" or "township".  ``visited``: the ids already known to have a visit this
    year (the 工作台 has them at hand), so only the cadres need reading."""
    units = queries.unit_names()
    out = []
    if visited is not None and not unit_kind and not unit_id:
        rows = [r for r in queries.hardship_township_cadres() if r[0] not in visited]
    else:
        rows = queries.not_visited(year, unit_kind, unit_id)
    for cid, name, unit, area, category in rows:
        if area and area not in queries.HARDSHIP_NONE_CLASSES:
            reason = f"艰苦边远地区（{area}）"
        else:
            reason = f"乡镇干部（{category}）"
        out.append(NotVisitedRow(cid, name, units.get(unit, ""), reason))
    return out


# ================================================================ 谈心谈话

@dataclass
class TalkInput:
    cadre_id: int | None
    talk_date: date | None
    talker: str = ""
    trigger: str = ""
    gist: str = ""
    follow_up: str = ""
    notes: str = ""


_TALK_FIELD = {"on": "talk_date", "talkee": "cadre_id"}


@requires('welfare.edit')
def talk_problems(inp: TalkInput, today: date | None = None) -> list[DomainError]:
    """Field errors of a 谈心谈话 form (empty = valid), for live validation."""
    today = today or _today()
    errors: list[DomainError] = []
    cadre = _cadre(inp.cadre_id)
    settings = settings_on(inp.talk_date or today)
    if settings is None:
        errors.append(DomainError("rule_not_in_force", "没有生效的福利慰问设置（谈话事由），请在「慰问标准」中补充",
                                  "trigger"))
        return errors
    data = {"on": inp.talk_date, "talker": inp.talker, "talkee": cadre.id if cadre else None,
            "trigger": inp.trigger, "gist": inp.gist}
    for err in rules.check_talk(data, settings, today):
        errors.append(DomainError(err.code, err.message, _TALK_FIELD.get(err.field or "", err.field), **err.params))
    for key, limit in _TALK_LIMITS.items():
        if len(_s(getattr(inp, key))) > limit:
            errors.append(DomainError("too_long", f"{TALK_LABELS[key]}不超过{limit}个字", key))
    return errors


@requires('welfare.edit')
def save_talk(inp: TalkInput, talk_id: int | None = None, today: date | None = None) -> int:
    with db.atomic():
        errors = talk_problems(inp, today)
        if errors:
            raise ValidationError(errors)
        cadre = Cadre.get_by_id(int(inp.cadre_id))
        values = dict(talk_date=inp.talk_date, talker=_s(inp.talker), trigger=_s(inp.trigger),
                      gist=(inp.gist or "").strip(), follow_up=(inp.follow_up or "").strip(), notes=_s(inp.notes))
        summary = f"与 {cadre.name} 谈心谈话 {inp.talk_date}（{values['trigger']}）"
        if talk_id:
            row = TalkRecord.get_or_none(TalkRecord.id == talk_id)
            if row is None or row.archived:
                raise DomainError("not_found", "该谈话记录已归档，不能修改", None)
            changes = audit.diff({k: getattr(row, k) for k in values}, values)
            if row.cadre_id != cadre.id:
                changes["cadre_id"] = [row.cadre_id, cadre.id]
            if changes:
                TalkRecord.update(**values, cadre=cadre.id, updated_at=now()).where(TalkRecord.id == talk_id).execute()
                audit.record("update", "talk_record", row.uuid, summary, changes)
            return talk_id
        row = TalkRecord.create(cadre=cadre.id, **values)
        audit.record("create", "talk_record", row.uuid, summary)
        return row.id


@requires('welfare.edit')
def archive_talk(talk_id: int) -> None:
    with db.atomic():
        row = TalkRecord.get_by_id(talk_id)
        if row.archived:
            return
        TalkRecord.update(archived=True, updated_at=now()).where(TalkRecord.id == talk_id).execute()
        audit.record("archive", "talk_record", row.uuid, f"与 {row.cadre.name} 谈心谈话 {row.talk_date}")


def _talk_dict(t: TalkRecord) -> dict[str, Any]:
    return dict(id=t.id, cadre_id=t.cadre_id, talk_date=_d(t.talk_date), talker=t.talker, trigger=t.trigger,
                gist=t.gist, follow_up=t.follow_up, notes=t.notes)


@requires('welfare.read')
def get_talk(talk_id: int) -> dict[str, Any]:
    t = TalkRecord.get_by_id(talk_id)
    out = _talk_dict(t)
    out["cadre_name"] = t.cadre.name
    out["archived"] = t.archived
    return out


@requires('welfare.read')
def talk_count(year: int | None = None, unit_id: int | None = None, trigger: str = "", text: str = "",
               cadre_id: int | None = None) -> int:
    return queries.talk_count(queries.TalkFilter(year, unit_id, trigger, text, cadre_id))


@requires('welfare.read')
def talks(year: int | None = None, unit_id: int | None = None, trigger: str = "", text: str = "",
          cadre_id: int | None = None, offset: int = 0, limit: int | None = None) -> list[tuple]:
    """Rows for the talks table, newest first (see ``queries.talk_page``)."""
    return queries.talk_page(queries.TalkFilter(year, unit_id, trigger, text, cadre_id), offset, limit)


@requires()
def years() -> list[int]:
    """Years for the 年度 filters: from the first record to this year, newest first."""
    this = _today().year
    found = queries.welfare_year_range()
    first = min(found[0], this) if found else this
    last = max(found[1], this) if found else this
    return list(range(last, first - 1, -1))


# ================================================================ demo history

FESTIVAL_GOODS = {
    rules.FESTIVAL_SPRING: [("大米一袋、食用油一桶、坚果礼盒", 50000), ("年货礼包（米、油、腊味）", 60000)],
    rules.FESTIVAL_DRAGON_BOAT: [("粽子礼盒", 15000), ("粽子、咸鸭蛋礼盒", 20000)],
    rules.FESTIVAL_MID_AUTUMN: [("月饼礼盒、水果一箱", 40000), ("月饼礼盒", 30000)],
}
FESTIVAL_DAYS = {rules.FESTIVAL_SPRING: (1, 20), rules.FESTIVAL_DRAGON_BOAT: (6, 5),
                 rules.FESTIVAL_MID_AUTUMN: (9, 20)}
VISITORS = ["镇党委书记、工会主席", "镇长、党政办主任", "工会主席", "分管领导、组织委员", "党委副书记、工会干事"]
ILLNESS_EPISODES = ["阑尾炎手术住院", "腰椎间盘突出住院", "肺炎住院", "骨折住院", "胆结石手术住院", "心脏支架手术住院"]
TALK_GISTS = {
    "岗位变动": ("谈了新岗位的职责和工作思路，本人表示服从安排，希望尽快熟悉业务", "一个月后回访适应情况"),
    "退休": ("肯定了多年来的工作，听取了对单位工作的意见建议，了解退休后生活安排", "纳入退休干部走访名单"),
    "受到表彰奖励": ("肯定成绩，勉励戒骄戒躁、发挥示范带动作用", ""),
    "受到处分或问责": ("帮助分析问题原因，本人认识到不足，表示认真整改，思想情绪稳定", "三个月内跟踪了解思想动态"),
    "工作受挫": ("项目推进受阻，情绪有些低落；帮助梳理困难，明确分管领导协助协调", "两周后再次谈心"),
    "家庭变故": ("家中老人病重，工作生活压力较大；转达组织关心，协调调整值班安排", "工会跟进困难帮扶"),
    "日常谈心": ("了解近期工作和生活情况，本人身体和思想状况良好，无特别诉求", ""),
}
TALK_WEIGHTS = [3, 1, 1, 1, 2, 2, 4]      # in TALK_GISTS order: everyday talks are the most common
TALKERS = ["镇党委书记", "镇长", "党委副书记", "组织委员", "纪委书记", "分管领导"]


_COMMON = ("uuid", "created_at", "updated_at", "archived")
_DEMO_RECORD_COLUMNS = _COMMON + ("cadre_id", "occasion", "record_date", "money_fen", "goods", "goods_fen",
                                  "funding_source", "visitors", "episode", "over_reason", "notes")
_DEMO_TALK_COLUMNS = _COMMON + ("cadre_id", "talk_date", "talker", "trigger", "gist", "follow_up", "notes")
_DEMO_FUND_COLUMNS = _COMMON + ("name", "year", "budget_fen", "notes")


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return (f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
            f'VALUES ({", ".join("?" * len(columns))})')


@exempt('demo/benchmark data generation (system actor)')
def generate_demo_history(years: int = 4, seed: int = 11, today: date | None = None,
                          preset: str = presets.ZHEJIANG) -> dict[str, int]:
    """Invented welfare history for the demo database (DOMAIN.md §5), consistent with the
    national caps: festival goods (春节, 端午, 中秋; no cash), birthday cakes, illness visits
    grouped by episode (one over the cap, with its reason), retirement, bereavement,
    marriage and childbirth gifts, hardship aid, 谈心谈话 with their triggers, and funds with
    yearly budgets — this year's 工会经费 near its limit.  Bulk inserts, one transaction.

    The rule rows are seeded from ``preset`` when there are none (the demo's leave and
    health rules use the Zhejiang preset too)."""
    rng = random.Random(seed)
    today = today or _today()
    seed_rules_if_empty(preset)
    stamp = now().strftime("%Y-%m-%d %H:%M:%S")
    cadres = db.execute_sql(
        "SELECT c.id, c.birth_date, c.employment_status, c.marital_status, c.sex FROM cadre c "
        "WHERE c.archived = 0 ORDER BY c.id").fetchall()
    first_year = today.year - years + 1
    recs: list[tuple] = []
    talk_rows: list[tuple] = []
    over_done = False
    uuid = new_uuid

    def add(cid: int, code: str, on: date, money: int = 0, goods: str = "", goods_fen: int = 0,
            source: str = "工会经费", visitors: str = "", episode: str = "", notes: str = "", reason: str = "") -> None:
        if on > today:
            return
        recs.append((uuid(), stamp, stamp, 0, cid, code, on.isoformat(), money, goods, goods_fen, source,
                     visitors or rng.choice(VISITORS), episode, reason, notes))

    for year in range(first_year, today.year + 1):
        for cid, birth, status, marital, sex in cadres:
            birth = _d(birth)
            if status in ("调离",):
                continue
            at_work = status == "在职"
            # festival goods for staff at their post (借调/挂职/驻村 cadres are looked after where they serve)
            if at_work:
                for code in (rules.FESTIVAL_SPRING, rules.FESTIVAL_MID_AUTUMN) + (
                        (rules.FESTIVAL_DRAGON_BOAT,) if year % 2 == 0 else ()):
                    goods, value = rng.choice(FESTIVAL_GOODS[code])
                    month, day = FESTIVAL_DAYS[code]
                    add(cid, code, date(year, month, min(28, day + rng.randrange(0, 6))), goods=goods,
                        goods_fen=value, visitors="工会主席、工会干事", notes="工会统一发放")
                if rng.random() < 0.5:
                    on = date(year, birth.month, min(birth.day, 28))
                    add(cid, rules.BIRTHDAY, on, goods="生日蛋糕券", goods_fen=rng.choice([15000, 20000]),
                        visitors="工会干事")
            if status == "退休" and rng.random() < 0.25 and year == first_year + (cid % max(1, years)):
                add(cid, rules.RETIREMENT, date(year, rng.randrange(1, 13), rng.randrange(1, 28)), money=100000,
                    goods="纪念品", goods_fen=0, visitors="镇党委书记、组织委员", notes="光荣退休座谈会")
            r = rng.random()
            if r < 0.04:
                ep = f"{year}年{rng.randrange(1, 12)}月 {rng.choice(ILLNESS_EPISODES)}"
                on = date(year, rng.randrange(1, 12), rng.randrange(1, 28))
                add(cid, rules.ILLNESS, on, money=50000, goods="水果、营养品", goods_fen=10000, episode=ep)
                if rng.random() < 0.4:
                    second = on + timedelta(days=rng.randrange(10, 25))
                    if second.year == year and not over_done and year == today.year - 1:
                        add(cid, rules.ILLNESS, second, money=60000, episode=ep, visitors="镇党委书记、工会主席",
                            reason="病情较重、家庭困难，经工会委员会研究同意超标准慰问")
                        over_done = True
                    elif second.year == year:
                        add(cid, rules.ILLNESS, second, money=30000, episode=ep)
            elif r < 0.055:
                add(cid, rules.DEATH_RELATIVE, date(year, rng.randrange(1, 13), rng.randrange(1, 28)),
                    money=rng.choice([50000, 80000, 100000]), visitors="镇党委副书记、工会主席",
                    notes=rng.choice(["父亲病故", "母亲病故", "配偶病故"]))
            elif r < 0.065 and marital != "已婚" and (year - birth.year) < 35:
                add(cid, rules.MARRIAGE, date(year, rng.randrange(1, 13), rng.randrange(1, 28)), money=60000)
            elif r < 0.075 and (year - birth.year) < 40:
                add(cid, rules.CHILDBIRTH, date(year, rng.randrange(1, 13), rng.randrange(1, 28)), money=50000,
                    goods="婴儿用品", goods_fen=10000)
            elif r < 0.085:
                add(cid, rules.HARDSHIP_AID, date(year, rng.choice([1, 6, 12]), rng.randrange(1, 28)),
                    money=rng.choice([200000, 300000, 500000]), source="行政经费", visitors="镇党委书记、镇长",
                    notes=rng.choice(["家人患重病，医疗支出大", "房屋受灾", "子女上大学，家庭负担重"]))
            if rng.random() < 0.12 and status != "退休":
                trigger = rng.choices(list(TALK_GISTS), TALK_WEIGHTS)[0]
                gist, follow = TALK_GISTS[trigger]
                on = date(year, rng.randrange(1, 13), rng.randrange(1, 28))
                if on <= today:
                    talk_rows.append((uuid(), stamp, stamp, 0, cid, on.isoformat(), rng.choice(TALKERS), trigger,
                                      gist, follow, ""))
    conn = db.connection()
    with db.atomic():
        conn.executemany(_insert_sql("welfare_record", _DEMO_RECORD_COLUMNS), recs)
        conn.executemany(_insert_sql("talk_record", _DEMO_TALK_COLUMNS), talk_rows)
        fund_rows = []
        for year in range(first_year, today.year + 1):
            used = queries.welfare_fund_used(year)
            for name, spare in (("工会经费", Decimal("1.25")), ("行政经费", Decimal("1.6")), ("党费", None)):
                spent = used.get(name, 0)
                if year == today.year and name == "工会经费":
                    # this year's union fund is near its limit (about 94 % used)
                    budget = int(Decimal(spent) * 100 / 94) // 100000 * 100000 + 100000
                    if Decimal(spent) * 100 < Decimal(budget) * 90:
                        budget = int(Decimal(spent) * 100 / 92)
                elif spare is None:
                    budget = 2000000
                else:
                    budget = max(1000000, int(Decimal(spent) * spare) // 1000000 * 1000000 + 1000000)
                fund_rows.append((uuid(), stamp, stamp, 0, name, year, budget,
                                  "年初预算" if year < today.year else "本年度预算"))
        conn.executemany(_insert_sql("fund", _DEMO_FUND_COLUMNS), fund_rows)
        audit.record("create", "demo", "demo",
                     f"生成演示慰问记录：{len(recs)} 条，谈心谈话 {len(talk_rows)} 条，经费预算 {len(fund_rows)} 条")
    return {"welfare": len(recs), "talks": len(talk_rows), "funds": len(fund_rows)}
