"""Allowance use cases (DOMAIN.md §3): rate tables, per-cadre facts and periods,
and the monthly payout batch (generate, review, adjust, lock, back-pay / deduction).

Rate rows live in ``allowance_rule_row`` (one JSON row each, validated by
``domain.presets.allowance_row_from_dict``), seeded from a preset on first use
(national by default) and editable; ``rates()`` is the cached
``domain.allowance.AllowanceRates`` and is invalidated by every change.

Money is integer fen end to end.  Each write is one transaction with an audit
entry; a refused call raises ``DomainError``/``ValidationError`` and changes
nothing.

Decisions documented here (the rules leave them to the application):

* **Regenerating a draft month** replaces its regular (正常) lines.  A manual
  adjustment is **kept** when the line is generated again with the same amount
  it had when the clerk adjusted it (the basis did not change); otherwise it is
  **dropped** and listed in the summary (``dropped_adjustments``) so the clerk
  can look at it again.  补发/扣减 lines in the draft are never touched.
* **Problems** of a generation (cadres whose lines could not be computed: an
  empty hardship matrix, a missing band …) are kept with the batch (JSON in
  ``allowance_batch.notes``), so the page can show them after a restart.
* **Corrections** (``add_correction``) go into a later *draft* month; the
  corrected month must be locked (a draft month is adjusted directly) or never
  generated (a month that was never paid).  The amount already paid is the
  corrected month's regular line plus every earlier correction of that month.
* **Who is computed**: every non-archived cadre (retirees and transferred cadres
  stay on the roster with their status; the rules decide per month).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping

from ..db import queries
from ..db.bulk import bulk_insert
from ..db.database import db
from ..db.models import (AllowanceBatch, AllowanceLine, AllowanceRuleRow, Cadre, CadreAllowanceFacts, CadrePeriod,
                         Setting, Unit, new_uuid, now)
from ..domain import allowance as rules
from ..domain import dates, presets
from ..domain.errors import DomainError, ValidationError
from ..domain.money import check_fen, format_yuan, parse_yuan, sum_fen, to_capital
from ..paths import resource_path
from .values import from_json as _loads, to_json as _dumps, as_date as _d, as_text as _s
from . import audit
from ..security import access
from ..security.access import exempt, requires

PRESET_KEY = "allowance_preset"
DEFAULT_PRESET = presets.NATIONAL

# ---------------------------------------------------------------- names

TABLES = ("hardship_scheme", "hardship_band", "hardship_rate", "retiree_share", "township_rule",
          "township_band", "township_supplement")
TABLE_NAMES = {
    "hardship_scheme": "艰苦边远地区类别",
    "hardship_band": "职务职级档次对照",
    "hardship_rate": "艰苦边远地区津贴标准",
    "retiree_share": "离退休人员比例",
    "township_rule": "乡镇工作补贴范围和条件",
    "township_band": "乡镇工作补贴分档标准",
    "township_supplement": "乡镇工作补贴加发标准",
}
# fields that, with effective_from, identify a row within its table
TABLE_KEYS = {
    "hardship_scheme": (), "hardship_band": ("band",), "hardship_rate": ("area_class", "band"),
    "retiree_share": ("kind",), "township_rule": (), "township_band": ("min_years",),
    "township_supplement": ("kind",),
}
FIELD_LABELS = {
    "effective_from": "起执行日期", "area_classes": "艰苦边远地区类别", "band": "档次", "order": "档次顺序",
    "leadership_levels": "对应领导职务层次", "ranks": "对应职级", "area_class": "类区", "amount_fen": "月标准",
    "kind": "类别", "percent": "比例", "township_categories": "适用乡镇类别", "personnel_statuses": "适用人员身份",
    "sent_down_wait_months": "派驻满几个月享受", "suspension_kinds": "停发的离岗类型",
    "suspension_min_months": "离岗超过几个月停发", "suspension_inclusive": "正好满月也停发",
    "min_years": "乡镇工作满（年）", "source": "依据", "notes": "备注", "example": "示例数据",
}
LIST_FIELDS = ("area_classes", "leadership_levels", "ranks", "township_categories", "personnel_statuses",
               "suspension_kinds")
INT_FIELDS = ("order", "sent_down_wait_months", "suspension_min_months", "min_years")

SCHEMES = (rules.HARDSHIP, rules.TOWNSHIP)
SCHEME_NAMES = dict(rules.SCHEME_NAMES)

KIND_REGULAR, KIND_BACK_PAY, KIND_DEDUCTION = "正常", "补发", "扣减"
LINE_KINDS = (KIND_REGULAR, KIND_BACK_PAY, KIND_DEDUCTION)
_KIND_OF_CODE = {rules.LINE_REGULAR: KIND_REGULAR, rules.LINE_BACK_PAY: KIND_BACK_PAY,
                 rules.LINE_DEDUCTION: KIND_DEDUCTION}
_CODE_OF_KIND = {v: k for k, v in _KIND_OF_CODE.items()}

STATUS_DRAFT, STATUS_LOCKED = rules.BATCH_DRAFT, rules.BATCH_LOCKED
STATUS_NONE = "未生成"

PERIOD_STUDY, PERIOD_SECONDED, PERIOD_BREAK = "脱产学习", "借调", "离开乡镇工作"
PERIOD_KINDS = (PERIOD_STUDY, PERIOD_SECONDED, PERIOD_BREAK)
RETIREMENT_KINDS = rules.RETIREMENT_KINDS
FACT_LABELS = {"transferred_on": "调离乡镇日期", "retired_on": "离退休日期", "retirement_kind": "离退休类别",
               "sent_down_on": "上级派驻乡镇日期"}
PERIOD_LABELS = {"kind": "类型", "start_date": "开始日期", "end_date": "结束日期", "note": "说明"}

LOCKED_HINT = "本月已锁定，不能再修改；如需更正，请在以后月份添加补发或扣减"
PROBLEM_SAMPLES = 300


def _today() -> date:
    return date.today()


@exempt('pure formatting or parsing, no data')
def month_of(value: date) -> date:
    """The first day of the month containing ``value``."""
    if isinstance(value, datetime):
        value = value.date()
    return value.replace(day=1)


@exempt('pure formatting or parsing, no data')
def fmt_month(value: date) -> str:
    return rules.fmt_month(value)


def _invalid(code: str, message: str, field_name: str | None = None, **params) -> ValidationError:
    return ValidationError([DomainError(code, message, field_name, **params)])


# ================================================================ rate tables

_rates_cache: dict[str, rules.AllowanceRates] = {}


def _invalidate() -> None:
    _rates_cache.clear()


@requires()
def preset_choices() -> list[tuple[str, str]]:
    """(key, Chinese title) of the shipped presets with allowance rates; national first.

    A preset whose figures are only an example says so in its title (湖南省示例…)."""
    base = resource_path("presets")
    out = []
    if base.is_dir():
        for folder in sorted(base.iterdir()):
            path = folder / presets.ALLOWANCE_RATES_FILE
            if path.is_file():
                try:
                    title = str(json.loads(path.read_text(encoding="utf-8")).get("title") or folder.name)
                except (OSError, ValueError):
                    title = folder.name
                out.append((folder.name, title))
    order = {presets.NATIONAL: 0, presets.ZHEJIANG: 1}
    out.sort(key=lambda kv: (order.get(kv[0], 2), kv[0]))
    return out


@requires()
def preset_is_example(preset: str) -> bool:
    return "example" in preset


@exempt('start-up seeding of shipped presets')
def seed_rules_if_empty(preset: str = DEFAULT_PRESET) -> int:
    """Load a preset's rows into an empty table (never touched before); return rows added."""
    if AllowanceRuleRow.select().exists():
        return 0
    return _load_preset(preset)


def _ensure_seeded() -> None:
    if not AllowanceRuleRow.select().exists():
        _load_preset(DEFAULT_PRESET)


def _load_preset(preset: str) -> int:
    base = resource_path("presets")
    presets.load_allowance_rates(base, preset)  # refuses a bad file before anything is written
    raw = json.loads((base / preset / presets.ALLOWANCE_RATES_FILE).read_text(encoding="utf-8"),
                     parse_float=Decimal)["rows"]
    stamp = now()
    with db.atomic():
        for row in raw:
            obj = presets.allowance_row_from_dict(row)
            data = presets.allowance_row_to_dict(obj)
            AllowanceRuleRow.create(table=data["table"], effective_from=obj.effective_from, preset=preset,
                                    data=_dumps(data), created_at=stamp, updated_at=stamp)
        Setting.replace(key=PRESET_KEY, value=preset).execute()
        audit.record("create", "allowance_rule_row", "preset", f"载入津贴标准预设：{preset}（{len(raw)} 条）")
    _invalidate()
    return len(raw)


@requires('settings.edit')
def replace_with_preset(preset: str) -> int:
    """Swap every active row for a preset's rows (the settings screen asks first).

    Old rows are archived, not deleted: months already computed stay traceable."""
    presets.load_allowance_rates(resource_path("presets"), preset)
    with db.atomic():
        old = list(AllowanceRuleRow.select(AllowanceRuleRow.id, AllowanceRuleRow.uuid, AllowanceRuleRow.table)
                   .where(AllowanceRuleRow.archived == False))  # noqa: E712
        AllowanceRuleRow.update(archived=True, updated_at=now()).where(
            AllowanceRuleRow.archived == False).execute()  # noqa: E712
        if old:
            audit.record("archive", "allowance_rule_row", "preset",
                         f"更换津贴标准预设为 {preset}，停用原有 {len(old)} 条")
        count = _load_preset(preset)
    _invalidate()
    return count


@requires()
def current_preset() -> str:
    row = Setting.get_or_none(Setting.key == PRESET_KEY)
    return row.value if row else ""


@requires()
def rule_rows(table: str | None = None) -> list[dict[str, Any]]:
    """Active rows (one table or all), each the row's data plus ``id`` and ``preset``,
    ordered by table, key and date."""
    _ensure_seeded()
    q = AllowanceRuleRow.select().where(AllowanceRuleRow.archived == False)  # noqa: E712
    if table:
        q = q.where(AllowanceRuleRow.table == table)
    out = []
    for r in q:
        data = _loads(r.data)
        data.update(id=r.id, preset=r.preset)
        out.append(data)

    def key(d: dict[str, Any]):
        t = d["table"]
        parts: list[Any] = [TABLES.index(t) if t in TABLES else 99]
        if t == "hardship_band":
            parts += [d["effective_from"], int(d.get("order") or 0)]
        elif t == "township_band":
            parts += [d["effective_from"], int(d.get("min_years") or 0)]
        elif t == "retiree_share":
            kinds = list(RETIREMENT_KINDS)
            parts += [kinds.index(d["kind"]) if d.get("kind") in kinds else 9, d["effective_from"]]
        elif t == "hardship_rate":
            parts += [d["effective_from"], d.get("area_class", ""), d.get("band", "")]
        else:
            parts += [d["effective_from"]]
        return parts

    out.sort(key=key)
    return out


@requires()
def example_amount_rows() -> int:
    """How many active amount rows (matrix cells, township bands, supplements) are still
    marked as an example (the page warns that the figures are not verified)."""
    count = 0
    for r in rule_rows():
        if r["table"] in ("hardship_rate", "township_band", "township_supplement") and r.get("example"):
            count += 1
    return count


@requires()
def rates() -> rules.AllowanceRates:
    """The rate tables as domain values (cached until a row changes)."""
    key = db.database or ""
    if key not in _rates_cache:
        _ensure_seeded()
        groups: dict[str, list[Any]] = defaultdict(list)
        for r in AllowanceRuleRow.select(AllowanceRuleRow.data).where(AllowanceRuleRow.archived == False):  # noqa: E712
            obj = presets.allowance_row_from_dict(_loads(r.data))
            groups[presets._ALLOWANCE_FIELD[presets._ALLOWANCE_TABLE_OF[type(obj)]]].append(obj)
        _rates_cache[key] = rules.AllowanceRates(**groups, preset=current_preset())
    return _rates_cache[key]


def _row_key(data: Mapping[str, Any]) -> tuple:
    return tuple(str(data.get(k)) for k in TABLE_KEYS[data["table"]])


@requires()
def parse_row(table: str, form: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[DomainError]]:
    """A row as typed in the settings form → the JSON row (amounts in fen), or errors naming fields.

    Amounts are typed in 元 (``amount`` → ``amount_fen``: 200 or 1,200.00); lists are
    separated by 、，, or spaces; dates accept 2025-07-01 / 2025.07.01 / 20250701."""
    errors: list[DomainError] = []
    if table not in TABLES:
        return None, [DomainError("invalid_table", f"未知的津贴标准表“{table}”", "table")]
    row: dict[str, Any] = {"table": table}
    try:
        row["effective_from"] = dates.parse_date(_s(form.get("effective_from")), "effective_from", "起执行日期")
    except DomainError as err:
        errors.append(err)
        row["effective_from"] = None
    if row["effective_from"] is None and not errors:
        errors.append(DomainError("required", "请填写起执行日期（不清楚时填 1900-01-01，表示一直适用）",
                                  "effective_from"))
    required = presets._ALLOWANCE_REQUIRED[table]
    for key in required:
        if key in ("effective_from", "table"):
            continue
        label = FIELD_LABELS.get(key, key)
        if key == "amount_fen":
            raw = form.get("amount", form.get("amount_fen"))
            if isinstance(raw, int) and not isinstance(raw, bool) and "amount" not in form:
                row[key] = raw
                continue
            try:
                row[key] = parse_yuan(raw, "amount", label)
            except DomainError as err:
                errors.append(err)
            continue
        value = form.get(key)
        if key in LIST_FIELDS:
            if isinstance(value, (list, tuple)):
                items = [_s(v) for v in value]
            else:
                text = _s(value)
                for sep in ("，", ",", "；", ";", " ", "\u3000", "/"):
                    text = text.replace(sep, "、")
                items = [p.strip() for p in text.split("、")]
            row[key] = [p for p in items if p]
            if key in ("area_classes", "township_categories", "personnel_statuses") and not row[key]:
                errors.append(DomainError("required", f"请填写{label}", key))
        elif key in INT_FIELDS:
            text = _s(value)
            if not text:
                errors.append(DomainError("required", f"请填写{label}", key))
                continue
            try:
                number = int(text)
            except ValueError:
                errors.append(DomainError("not_integer", f"{label}应为整数，当前为“{text}”", key))
                continue
            if number < 0:
                errors.append(DomainError("out_of_range", f"{label}不能为负数", key))
                continue
            row[key] = number
        elif key == "percent":
            text = _s(value).rstrip("%％")
            if not text:
                errors.append(DomainError("required", "请填写比例（如 85 表示 85%）", key))
                continue
            try:
                pct = Decimal(text)
            except ArithmeticError:
                errors.append(DomainError("percent_format", f"比例“{text}”不是数字，请填写如 85", key))
                continue
            if not pct.is_finite() or pct < 0 or pct > 100:
                errors.append(DomainError("percent_format", "比例应在 0 到 100 之间，如 85 表示 85%", key))
                continue
            row[key] = str(pct)
        elif key == "suspension_inclusive":
            row[key] = bool(value)
        else:
            text = _s(value)
            if not text:
                errors.append(DomainError("required", f"请填写{label}", key))
                continue
            row[key] = text
    if table == "township_rule":
        row["suspension_inclusive"] = bool(form.get("suspension_inclusive"))
    for key in ("source", "notes"):
        row[key] = _s(form.get(key))
    if table != "hardship_scheme":
        row["example"] = bool(form.get("example"))
    if table == "township_rule":
        row["example_fields"] = list(form.get("example_fields") or []) if row["example"] else []
    if table == "retiree_share" and row.get("kind") and row["kind"] not in RETIREMENT_KINDS:
        errors.append(DomainError("choice", f"类别应为{'、'.join(RETIREMENT_KINDS)}之一", "kind"))
    if table == "township_supplement" and row.get("kind") and row["kind"] != rules.ESPECIALLY_HARD:
        errors.append(DomainError("choice", "加发类别只能是条件特别艰苦乡镇", "kind"))
    if errors:
        return None, errors
    if isinstance(row["effective_from"], date):
        row["effective_from"] = row["effective_from"].isoformat()
    try:
        obj = presets.allowance_row_from_dict(row)
    except DomainError as err:
        return None, [err]
    return presets.allowance_row_to_dict(obj), []


@requires('settings.edit')
def row_problems(table: str, form: Mapping[str, Any], row_id: int | None = None) -> list[DomainError]:
    """Everything wrong with a row as typed (the form calls this as the clerk types)."""
    data, errors = parse_row(table, form)
    if data is None:
        return errors
    dup = _duplicate(data, row_id)
    return [dup] if dup else []


def _duplicate(data: Mapping[str, Any], row_id: int | None) -> DomainError | None:
    q = AllowanceRuleRow.select(AllowanceRuleRow.id, AllowanceRuleRow.data).where(
        (AllowanceRuleRow.table == data["table"]) & (AllowanceRuleRow.archived == False)  # noqa: E712
        & (AllowanceRuleRow.effective_from == _d(data["effective_from"])))
    key = _row_key(data)
    for r in q:
        if r.id != row_id and _row_key(_loads(r.data)) == key:
            what = "、".join(str(data.get(k)) for k in TABLE_KEYS[data["table"]]) or TABLE_NAMES[data["table"]]
            return DomainError("duplicate",
                               f"“{what}”已有自 {data['effective_from']} 起执行的一行，请修改起执行日期或编辑原有一行",
                               "effective_from")
    return None


def _describe_row(data: Mapping[str, Any]) -> str:
    t = data["table"]
    name = TABLE_NAMES.get(t, t)
    if t == "hardship_rate":
        return f"{name} {data.get('area_class')}·{data.get('band')} {format_yuan(int(data['amount_fen']))}元"
    if t == "township_band":
        return f"{name} 满{data.get('min_years')}年 {format_yuan(int(data['amount_fen']))}元"
    if t == "township_supplement":
        return f"{name} {format_yuan(int(data['amount_fen']))}元"
    if t == "retiree_share":
        return f"{name} {data.get('kind')} {data.get('percent')}%"
    if t == "hardship_band":
        return f"{name} {data.get('band')}"
    return name


@requires('settings.edit')
def save_rule(table: str, form: Mapping[str, Any], row_id: int | None = None) -> int:
    """Add or edit one dated row (validated through the domain loader); returns its id."""
    data, errors = parse_row(table, form)
    if data is None:
        raise ValidationError(errors)
    dup = _duplicate(data, row_id)
    if dup:
        raise ValidationError([dup])
    with db.atomic():
        if row_id:
            row = AllowanceRuleRow.get_or_none((AllowanceRuleRow.id == row_id)
                                               & (AllowanceRuleRow.archived == False))  # noqa: E712
            if row is None or row.table != table:
                raise DomainError("not_found", "这一行已被停用或删除，请刷新后重试", None)
            changes = audit.diff(_loads(row.data), data)
            if changes:
                AllowanceRuleRow.update(effective_from=_d(data["effective_from"]), data=_dumps(data),
                                        updated_at=now()).where(AllowanceRuleRow.id == row_id).execute()
                audit.record("update", "allowance_rule_row", row.uuid, _describe_row(data), changes)
        else:
            row = AllowanceRuleRow.create(table=table, effective_from=_d(data["effective_from"]), preset="本地",
                                          data=_dumps(data))
            audit.record("create", "allowance_rule_row", row.uuid, _describe_row(data), audit.diff({}, data))
    _invalidate()
    return row.id


@requires('settings.edit')
def archive_rule(row_id: int) -> None:
    """Retire one row (kept, no longer used for computing)."""
    with db.atomic():
        row = AllowanceRuleRow.get_by_id(row_id)
        if row.archived:
            return
        AllowanceRuleRow.update(archived=True, updated_at=now()).where(AllowanceRuleRow.id == row_id).execute()
        audit.record("archive", "allowance_rule_row", row.uuid, "停用：" + _describe_row(_loads(row.data)))
    _invalidate()


# ---- the hardship matrix as a grid

@requires()
def matrix_versions() -> list[date]:
    """The effective dates of the hardship matrix rows (newest first)."""
    return sorted({_d(r["effective_from"]) for r in rule_rows("hardship_rate")}, reverse=True)


@requires()
def matrix(on: date) -> dict[str, Any]:
    """The grid in force on ``on``: area classes, bands (in order), and per cell the
    row in force (``{(area, band): {"amount_fen", "effective_from", "id", "example"}}``)."""
    rs = rates()
    classes = list(rules.area_classes(rs, on)) or ["一类", "二类", "三类", "四类", "五类", "六类"]
    bands = [b.band for b in sorted(rules.table_in_force(rs.hardship_bands, on), key=lambda b: b.order)]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rule_rows("hardship_rate"):
        eff = _d(r["effective_from"])
        k = (r["area_class"], r["band"])
        if eff <= on and (k not in cells or eff >= cells[k]["effective_from"]):
            cells[k] = {"amount_fen": int(r["amount_fen"]), "effective_from": eff, "id": r["id"],
                        "example": bool(r.get("example"))}
        if r["band"] not in bands:
            bands.append(r["band"])
    return {"area_classes": classes, "bands": bands, "cells": cells, "on": on}


@requires('settings.edit')
def save_matrix(effective_from: date, amounts: Mapping[tuple[str, str], int | None], source: str = "",
                notes: str = "", example: bool = False) -> int:
    """Write the grid's cells as rows dated ``effective_from`` in one transaction.

    A cell with an amount gets (or updates) its row of that date; a cell left empty
    retires a row of that date (earlier rows stay in force).  Returns the rows changed."""
    if effective_from is None:
        raise _invalid("required", "请填写起执行日期", "effective_from")
    existing = {(r["area_class"], r["band"]): r for r in rule_rows("hardship_rate")
                if _d(r["effective_from"]) == effective_from}
    changed = 0
    with db.atomic():
        for (area, band), fen in amounts.items():
            old = existing.get((area, band))
            if fen is None:
                if old is not None:
                    archive_rule(old["id"])
                    changed += 1
                continue
            check_fen(fen, "津贴标准")
            if fen < 0:
                raise _invalid("invalid_amount", f"{area}·{band}的标准不能为负数", "amount")
            if old is not None and int(old["amount_fen"]) == fen and not (source and source != old.get("source")):
                continue
            form = {"area_class": area, "band": band, "amount_fen": fen, "effective_from": effective_from.isoformat(),
                    "source": source or (old or {}).get("source", ""), "notes": notes or (old or {}).get("notes", ""),
                    "example": example}
            save_rule("hardship_rate", form, old["id"] if old else None)
            changed += 1
    _invalidate()
    return changed


# ================================================================ per-cadre facts and periods

@requires('allowance.read')
def get_facts(cadre_id: int) -> dict[str, Any]:
    """The cadre's allowance dates (empty values when none were recorded)."""
    row = CadreAllowanceFacts.get_or_none((CadreAllowanceFacts.cadre == cadre_id)
                                          & (CadreAllowanceFacts.archived == False))  # noqa: E712
    if row is None:
        return {"transferred_on": None, "retired_on": None, "retirement_kind": "", "sent_down_on": None}
    return {"transferred_on": _d(row.transferred_on), "retired_on": _d(row.retired_on),
            "retirement_kind": row.retirement_kind, "sent_down_on": _d(row.sent_down_on)}


def _date_field(data: Mapping[str, Any], key: str, label: str, errors: list[DomainError]) -> date | None:
    try:
        return _d(data.get(key), lambda text: dates.parse_date(text, key, label))
    except DomainError as err:
        errors.append(err)
        return None


def _clean_facts(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    errors: list[DomainError] = []
    out: dict[str, Any] = {}
    for key in ("transferred_on", "retired_on", "sent_down_on"):
        out[key] = _date_field(data, key, FACT_LABELS[key], errors)
    kind = _s(data.get("retirement_kind"))
    if kind in ("无", "在职"):
        kind = ""
    if kind and kind not in RETIREMENT_KINDS:
        errors.append(DomainError("choice", f"离退休类别应为{'、'.join(RETIREMENT_KINDS)}之一", "retirement_kind"))
    if kind and out["retired_on"] is None:
        errors.append(DomainError("required", f"请填写{kind}日期（从{kind}的下月起按比例发放或停发）", "retired_on"))
    out["retirement_kind"] = kind
    return out, errors


@requires('allowance.edit')
def facts_problems(data: Mapping[str, Any]) -> list[DomainError]:
    """What is wrong with the dates as typed (the detail tab calls this as the clerk types)."""
    return _clean_facts(data)[1]


@requires('allowance.edit')
def save_facts(cadre_id: int, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Record the cadre's 调离 / 离退休 / 派驻 dates; returns the changes (field → [old, new])."""
    out, errors = _clean_facts(data)
    if errors:
        raise ValidationError(errors)
    cadre = Cadre.get_by_id(cadre_id)
    with db.atomic():
        row = CadreAllowanceFacts.get_or_none(CadreAllowanceFacts.cadre == cadre_id)
        old = get_facts(cadre_id)
        changes = audit.diff(old, out)
        if not changes:
            return {}
        if row is None:
            row = CadreAllowanceFacts.create(cadre=cadre_id, **out)
            action = "create"
        else:
            CadreAllowanceFacts.update(**out, archived=False, updated_at=now()).where(
                CadreAllowanceFacts.id == row.id).execute()
            action = "update"
        audit.record(action, "cadre_allowance_facts", row.uuid, f"{cadre.name} 津贴相关日期", changes)
    return changes


@requires('allowance.read')
def list_periods(cadre_id: int) -> list[dict[str, Any]]:
    q = (CadrePeriod.select().where((CadrePeriod.cadre == cadre_id) & (CadrePeriod.archived == False))  # noqa: E712
         .order_by(CadrePeriod.start_date.desc(), CadrePeriod.id.desc()))
    return [{"id": p.id, "kind": p.kind, "start_date": _d(p.start_date), "end_date": _d(p.end_date),
             "note": p.note} for p in q]


def _clean_period(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    errors: list[DomainError] = []
    kind = _s(data.get("kind"))
    if not kind:
        errors.append(DomainError("required", "请选择类型（脱产学习、借调或离开乡镇工作）", "kind"))
    elif kind not in PERIOD_KINDS:
        errors.append(DomainError("choice", f"类型应为{'、'.join(PERIOD_KINDS)}之一", "kind"))
    start = _date_field(data, "start_date", "开始日期", errors)
    end = _date_field(data, "end_date", "结束日期", errors)
    if start is None and not any(e.field == "start_date" for e in errors):
        errors.append(DomainError("required", "请填写开始日期", "start_date"))
    if start and end and end < start:
        errors.append(DomainError("date_order", "结束日期早于开始日期，请核对", "end_date"))
    if kind == PERIOD_BREAK and start and end is None:
        errors.append(DomainError("required", "离开乡镇工作的时间段请填写结束日期（回到乡镇工作的前一天）",
                                  "end_date"))
    note = _s(data.get("note"))
    if len(note) > 200:
        errors.append(DomainError("too_long", "说明不超过200个字", "note"))
    return {"kind": kind, "start_date": start, "end_date": end, "note": note}, errors


@requires('allowance.edit')
def period_problems(data: Mapping[str, Any]) -> list[DomainError]:
    return _clean_period(data)[1]


@requires('allowance.edit')
def save_period(cadre_id: int, data: Mapping[str, Any], period_id: int | None = None) -> int:
    """Add or edit a 脱产学习 / 借调 / 离开乡镇工作 period of the cadre."""
    values, errors = _clean_period(data)
    if errors:
        raise ValidationError(errors)
    cadre = Cadre.get_by_id(cadre_id)
    summary = f"{cadre.name} {values['kind']} {values['start_date']}"
    with db.atomic():
        if period_id:
            row = CadrePeriod.get_or_none((CadrePeriod.id == period_id) & (CadrePeriod.cadre == cadre_id)
                                          & (CadrePeriod.archived == False))  # noqa: E712
            if row is None:
                raise DomainError("not_found", "这条记录已被删除，请刷新后重试", None)
            old = {"kind": row.kind, "start_date": _d(row.start_date), "end_date": _d(row.end_date), "note": row.note}
            changes = audit.diff(old, values)
            if changes:
                CadrePeriod.update(**values, updated_at=now()).where(CadrePeriod.id == period_id).execute()
                audit.record("update", "cadre_period", row.uuid, summary, changes)
            return period_id
        row = CadrePeriod.create(cadre=cadre_id, **values)
        audit.record("create", "cadre_period", row.uuid, summary, audit.diff({}, values))
        return row.id


@requires('allowance.edit')
def archive_period(period_id: int) -> None:
    with db.atomic():
        row = CadrePeriod.get_by_id(period_id)
        if row.archived:
            return
        CadrePeriod.update(archived=True, updated_at=now()).where(CadrePeriod.id == period_id).execute()
        audit.record("archive", "cadre_period", row.uuid, f"删除 {row.kind} {row.start_date}")


# ---- all cadres' facts in one pass

_FACTS_SQL = (
    "SELECT c.id, c.name, u.name, c.personnel_status, c.employment_status, u.township_category, "
    "u.hardship_area_class, u.especially_hard, c.township_start_date, f.transferred_on, f.retired_on, "
    "f.retirement_kind, f.sent_down_on, c.rank, c.leadership_level "
    "FROM cadre c JOIN unit u ON u.id = c.unit_id "
    "LEFT JOIN cadre_allowance_facts f ON f.cadre_id = c.id AND f.archived = 0 "
    "WHERE c.archived = 0")
_PERIODS_SQL = "SELECT cadre_id, kind, start_date, end_date FROM cadre_period WHERE archived = 0"


@requires('allowance.read')
def cadre_facts(cadre_ids: Iterable[int] | None = None) -> list[rules.CadreFacts]:
    """Domain facts of every non-archived cadre (or of ``cadre_ids``): one joined read of
    cadre + unit + facts, and one read of the periods grouped per cadre."""
    sql, psql, params = _FACTS_SQL, _PERIODS_SQL, []
    if cadre_ids is not None:
        ids = [int(i) for i in cadre_ids]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        sql += f" AND c.id IN ({marks})"
        psql += f" AND cadre_id IN ({marks})"
        params = ids
    sql += " ORDER BY c.id"
    cache: dict[str, date] = {}

    def day(value: Any) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        d = cache.get(value)
        if d is None:
            d = cache[value] = date.fromisoformat(value[:10])
        return d

    suspensions: dict[int, list[rules.Suspension]] = defaultdict(list)
    breaks: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for cid, kind, start, end in db.execute_sql(psql, params).fetchall():
        s, e = day(start), day(end)
        if kind == PERIOD_BREAK:
            if e is not None:
                breaks[cid].append((s, e))
        else:
            suspensions[cid].append(rules.Suspension(kind, s, e))
    out = []
    Facts = rules.CadreFacts
    for (cid, name, unit, personnel, status, category, area, hard, start, transferred, retired, rkind, sent,
         rank, level) in db.execute_sql(sql, params).fetchall():
        out.append(Facts(
            cadre_id=cid, name=name, unit=unit, personnel_status=personnel or "",
            employment_status=status or "", township_category=category or "",
            hardship_area_class=area or "", especially_hard=bool(hard), township_start_date=day(start),
            township_breaks=tuple(breaks.get(cid, ())), transferred_on=day(transferred), retired_on=day(retired),
            retirement_kind=rkind or "", sent_down_on=day(sent), suspensions=tuple(suspensions.get(cid, ())),
            rank="" if rank in (None, "无") else rank, leadership_level="" if level in (None, "无") else level))
    return out


# ================================================================ batches

@dataclass
class ProblemGroup:
    """Cadres that could not be computed for one reason, with what to do."""

    key: str
    code: str
    title: str
    advice: str
    count: int
    samples: list[dict[str, Any]] = field(default_factory=list)   # {cadre_id, name, unit, message}


@dataclass
class GenerateSummary:
    month: date
    lines: int
    cadres: int
    total_fen: int
    regular_fen: int
    corrections_fen: int
    problems: dict[str, int]                       # by error code
    problem_groups: list[ProblemGroup]
    replaced: bool                                 # a draft was generated again
    kept_adjustments: int = 0
    dropped_adjustments: list[str] = field(default_factory=list)
    correction_lines: int = 0                      # 补发/扣减 lines already in the month (kept)

    @property
    def all_lines(self) -> int:
        """Every line of the month, as the page counts them (共 N 行)."""
        return self.lines + self.correction_lines

    @property
    def problem_count(self) -> int:
        return sum(self.problems.values())


@exempt('pure formatting or parsing, no data')
def problem_text(err: DomainError) -> tuple[str, str, str]:
    """(key, title, advice) of an error found while generating: one sentence per kind."""
    code, fld = err.code, err.field or ""
    if code == "rate_missing" and fld == "hardship_rate":
        return (f"{code}:{fld}", "艰苦边远地区津贴标准未填写",
                "请点击「津贴标准」，在「艰苦边远地区津贴」中按上级文件逐格填写（软件不预置、不估算标准），然后重新生成")
    if code == "rate_missing" and fld == "retiree_share":
        return (f"{code}:{fld}", "离退休人员津贴比例未填写", "请在「津贴标准 → 离退休比例」中补充，然后重新生成")
    if code == "rate_missing" and fld == "township_band":
        return (f"{code}:{fld}", "乡镇工作补贴标准未填写", "请在「津贴标准 → 乡镇工作补贴」中填写分档标准，然后重新生成")
    if code == "rate_missing" and fld == "township_supplement":
        return (f"{code}:{fld}", "特别艰苦乡镇加发标准未填写",
                "请在「津贴标准 → 乡镇工作补贴」中填写加发标准，或在「单位管理」中取消该单位的特别艰苦乡镇标记")
    if code == "band_missing":
        return (code, "无法确定艰苦边远地区津贴档次",
                "请在干部信息中填写领导职务层次或职级，或在「津贴标准 → 档次对照」中补充对照，然后重新生成")
    if code == "rule_not_in_force":
        return (code, "没有生效的乡镇工作补贴规定", "请在「津贴标准 → 乡镇工作补贴」中补充范围和条件")
    return (f"{code}:{fld}", err.message, "请核对后重新生成")


def _group_problems(problems: Iterable[rules.Problem], units: Mapping[Any, str]) -> list[ProblemGroup]:
    groups: dict[str, ProblemGroup] = {}
    for p in problems:
        key, title, advice = problem_text(p.error)
        g = groups.get(key)
        if g is None:
            g = groups[key] = ProblemGroup(key, p.error.code, title, advice, 0)
        g.count += 1
        if len(g.samples) < PROBLEM_SAMPLES:
            g.samples.append({"cadre_id": p.cadre_id, "name": p.cadre_name, "unit": units.get(p.cadre_id, ""),
                              "message": p.error.message})
    return sorted(groups.values(), key=lambda g: -g.count)


_HARDSHIP_FIELDS = ("hardship_rate", "retiree_share", "rank")


def _other_scheme(f: rules.CadreFacts, month: date, view: rules.MonthRates, err: DomainError,
                  problems: list[rules.Problem]) -> list[rules.Line]:
    """A cadre whose lines raised: record the problem and still compute the other scheme
    (an empty hardship matrix must not hold back the township subsidy, and vice versa)."""
    problems.append(rules.Problem(f.cadre_id, f.name, err))
    failed = rules.HARDSHIP if err.field in _HARDSHIP_FIELDS else rules.TOWNSHIP
    without = replace(f, hardship_area_class="无") if failed == rules.HARDSHIP else replace(f, township_category="")
    try:
        return [line for line in rules.monthly_lines(without, month, view) if line.scheme != failed]
    except DomainError as err2:
        problems.append(rules.Problem(f.cadre_id, f.name, err2))
        return []


def _batch(month: date) -> AllowanceBatch | None:
    return AllowanceBatch.get_or_none(AllowanceBatch.month == month_of(month))


def _locked_error(month: date) -> DomainError:
    return DomainError("month_locked",
                       f"{fmt_month(month)}的津贴补贴已锁定，不能再修改；如需更正，请在以后月份添加补发或扣减",
                       "month", month=month)


def _ensure_draft(month: date) -> AllowanceBatch:
    """The draft batch of the month (created empty when there is none); refuses a locked month."""
    batch = _batch(month)
    if batch is None:
        batch = AllowanceBatch.create(month=month_of(month), status=STATUS_DRAFT, total_fen=0)
        audit.record("create", "allowance_batch", batch.uuid, f"新建{fmt_month(month)}津贴补贴发放批次")
        return batch
    if batch.status == STATUS_LOCKED:
        raise _locked_error(month)
    return batch


def _sum_lines(batch_id: int) -> int:
    row = db.execute_sql("SELECT coalesce(sum(amount_fen), 0) FROM allowance_line WHERE batch_id = ? AND archived = 0",
                         (batch_id,)).fetchone()
    return int(row[0])


def _set_total(batch: AllowanceBatch) -> int:
    total = _sum_lines(batch.id)
    AllowanceBatch.update(total_fen=total, updated_at=now()).where(AllowanceBatch.id == batch.id).execute()
    return total


@requires('allowance.edit')
def generate_month(month: date, progress: Callable[[int, str], None] | None = None,
                   check: Callable[[], None] | None = None) -> GenerateSummary:
    """Generate (or generate again) the month's regular lines for every eligible cadre.

    ``progress(percent, text)`` and ``check()`` (raises to cancel) are for the page's
    background job; cancelling before the write changes nothing.  Refuses a locked month."""
    access.require_whole_township("生成本月津贴补贴")
    month = month_of(month)
    existing = _batch(month)
    if existing is not None and existing.status == STATUS_LOCKED:
        raise _locked_error(month)
    say = progress or (lambda _p, _t: None)
    stop = check or (lambda: None)
    say(2, f"正在读取干部信息（{fmt_month(month)}）…")
    facts = cadre_facts()
    stop()
    view = rules.MonthRates(rates(), month)
    lines: list[rules.Line] = []
    problems: list[rules.Problem] = []
    n = len(facts)
    step = max(1, n // 20)
    monthly_lines = rules.monthly_lines
    for i in range(0, n, step):
        stop()
        say(5 + 70 * i // max(1, n), f"正在计算第 {i + 1:,}–{min(n, i + step):,} 名干部（共 {n:,} 名）…")
        for f in facts[i:i + step]:
            try:
                lines.extend(monthly_lines(f, month, view))
            except DomainError as err:
                lines.extend(_other_scheme(f, month, view, err, problems))
    rules.Batch(month, tuple(lines))   # the domain's own checks (one regular line per cadre and scheme)
    stop()
    say(78, "正在写入发放明细…")
    units = {f.cadre_id: f.unit for f in facts}
    groups = _group_problems(problems, units)
    user = audit.current_user()
    stamp = now()
    with db.atomic():
        batch = _ensure_draft(month)
        replaced = existing is not None
        adjusted = {}
        if replaced:
            for cid, scheme, amount, generated, reason in db.execute_sql(
                    "SELECT cadre_id, scheme, amount_fen, generated_fen, reason FROM allowance_line "
                    "WHERE batch_id = ? AND kind = ? AND archived = 0 AND generated_fen IS NOT NULL",
                    (batch.id, KIND_REGULAR)).fetchall():
                adjusted[(cid, scheme)] = (amount, generated, reason)
            db.execute_sql("DELETE FROM allowance_line WHERE batch_id = ? AND kind = ?", (batch.id, KIND_REGULAR))
        kept = 0
        dropped: list[str] = []
        rows = []
        sval = stamp.strftime("%Y-%m-%d %H:%M:%S")
        for line in lines:
            amount, generated, reason = line.amount_fen, None, ""
            adj = adjusted.pop((line.cadre_id, line.scheme), None)
            if adj is not None:
                if adj[1] == line.amount_fen:
                    amount, generated, reason = adj[0], adj[1], adj[2]
                    kept += 1
                else:
                    dropped.append(f"{line.cadre_name} {line.scheme_name}：原调整为{format_yuan(adj[0])}元（{adj[2]}），"
                                   f"重新计算为{format_yuan(line.amount_fen)}元")
            rows.append((new_uuid(), sval, sval, batch.id, line.cadre_id, line.scheme, KIND_REGULAR, line.band,
                         line.area_class, amount, generated, line.basis, reason, line.unit))
        if adjusted:
            names = dict(Cadre.select(Cadre.id, Cadre.name).where(Cadre.id.in_([k[0] for k in adjusted])).tuples())
            for (cid, scheme), (amount, _g, reason) in adjusted.items():
                dropped.append(f"{names.get(cid, cid)} {SCHEME_NAMES.get(scheme, scheme)}：原调整为{format_yuan(amount)}元"
                               f"（{reason}），本次不再符合发放条件")
        stop()
        db.connection().executemany(
            "INSERT INTO allowance_line (uuid, created_at, updated_at, archived, batch_id, cadre_id, scheme, kind, "
            "band, area_class, amount_fen, generated_fen, basis, reason, corrects_month, unit_name) "
            "VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)", rows)
        say(92, "正在核对合计…")
        regular = sum_fen(r[9] for r in rows)
        correction_count, corrections = db.execute_sql(
            "SELECT count(*), coalesce(sum(amount_fen), 0) FROM allowance_line "
            "WHERE batch_id = ? AND kind != ? AND archived = 0", (batch.id, KIND_REGULAR)).fetchone()
        corrections = int(corrections)
        total = _sum_lines(batch.id)
        if total != regular + corrections:   # never expected: the write did not store what was computed
            raise DomainError("total_mismatch", "写入的发放明细与计算结果不一致，已撤销本次生成，请重试", "total")
        notes = {"generated_at": sval, "generated_by": user,
                 "problems": [g.__dict__ for g in groups]}
        AllowanceBatch.update(total_fen=total, notes=json.dumps(notes, ensure_ascii=False), updated_at=stamp).where(
            AllowanceBatch.id == batch.id).execute()
        audit.record("update" if replaced else "create", "allowance_batch", batch.uuid,
                     f"{'重新生成' if replaced else '生成'}{fmt_month(month)}津贴补贴：{len(rows)} 行，"
                     f"合计 {format_yuan(total)} 元" + (f"，{len(problems)} 人未能计算" if problems else ""),
                     {"lines": len(rows), "total_fen": total, "problems": len(problems),
                      "kept_adjustments": kept, "dropped_adjustments": len(dropped)})
    say(100, "完成")
    return GenerateSummary(month=month, lines=len(rows), cadres=len({r[4] for r in rows}), total_fen=total,
                           regular_fen=regular, corrections_fen=corrections,
                           problems=rules.batch_problem_summary(problems), problem_groups=groups, replaced=replaced,
                           kept_adjustments=kept, dropped_adjustments=dropped, correction_lines=int(correction_count))


@requires('allowance.read')
def batch_info(month: date) -> dict[str, Any] | None:
    """The month's batch: status, totals, lines, who locked it, the last generation's problems."""
    batch = _batch(month)
    if batch is None:
        return None
    count = db.execute_sql("SELECT count(*) FROM allowance_line WHERE batch_id = ? AND archived = 0",
                           (batch.id,)).fetchone()[0]
    try:
        notes = json.loads(batch.notes) if batch.notes and batch.notes.lstrip().startswith("{") else {}
    except ValueError:
        notes = {}
    groups = [ProblemGroup(**g) for g in notes.get("problems", [])]
    return {"id": batch.id, "month": _d(batch.month), "status": batch.status, "locked": batch.status == STATUS_LOCKED,
            "locked_at": batch.locked_at, "locked_by": batch.locked_by, "total_fen": batch.total_fen,
            "total_capital": to_capital(batch.total_fen), "lines": count,
            "generated_at": notes.get("generated_at", ""), "generated_by": notes.get("generated_by", ""),
            "problem_groups": groups}


@requires('allowance.read')
def batches() -> list[dict[str, Any]]:
    """Every batch, newest month first: (month, status, total_fen, lines)."""
    rows = db.execute_sql(
        "SELECT b.month, b.status, b.total_fen, (SELECT count(*) FROM allowance_line l "
        "WHERE l.batch_id = b.id AND l.archived = 0) FROM allowance_batch b WHERE b.archived = 0 "
        "ORDER BY b.month DESC").fetchall()
    return [{"month": _d(m), "status": s, "total_fen": t, "lines": n} for m, s, t, n in rows]


@requires('allowance.read')
def batch_statuses() -> dict[date, str]:
    """{month: status} of every batch (cheap: for month pickers)."""
    return {_d(m): s for m, s in db.execute_sql(
        "SELECT month, status FROM allowance_batch WHERE archived = 0").fetchall()}


@requires('allowance.read')
def month_status(month: date) -> str:
    batch = _batch(month)
    return batch.status if batch is not None else STATUS_NONE


def _line_row(line_id: int) -> AllowanceLine:
    row = AllowanceLine.get_or_none((AllowanceLine.id == line_id) & (AllowanceLine.archived == False))  # noqa: E712
    if row is None:
        raise DomainError("not_found", "这一行已不存在（可能已重新生成），请刷新后重试", None)
    return row


def _domain_line(row: AllowanceLine, month: date, name: str = "") -> rules.Line:
    return rules.Line(row.scheme, row.band, row.area_class, row.amount_fen, row.basis, cadre_id=row.cadre_id,
                      cadre_name=name, unit=row.unit_name, month=month, kind=_CODE_OF_KIND.get(row.kind, "regular"),
                      corrects_month=_d(row.corrects_month), reason=row.reason, generated_fen=row.generated_fen)


@requires('allowance.read')
def get_line(line_id: int) -> dict[str, Any]:
    row = _line_row(line_id)
    batch = AllowanceBatch.get_by_id(row.batch_id)
    cadre = Cadre.get_by_id(row.cadre_id)
    return {"id": row.id, "cadre_id": row.cadre_id, "name": cadre.name, "unit": row.unit_name,
            "month": _d(batch.month), "locked": batch.status == STATUS_LOCKED, "scheme": row.scheme,
            "scheme_name": SCHEME_NAMES.get(row.scheme, row.scheme), "kind": row.kind, "band": row.band,
            "area_class": row.area_class, "amount_fen": row.amount_fen,
            "generated_fen": row.generated_fen if row.generated_fen is not None else row.amount_fen,
            "adjusted": row.generated_fen is not None, "basis": row.basis, "reason": row.reason,
            "corrects_month": _d(row.corrects_month)}


@requires('allowance.edit')
def adjust_line(line_id: int, amount_fen: int, reason: str) -> dict[str, Any]:
    """Change a regular line's amount in a draft month; the reason is mandatory and the
    generated amount is kept beside it.  Returns the line."""
    check_fen(amount_fen, "调整后金额")
    row = _line_row(line_id)
    batch = AllowanceBatch.get_by_id(row.batch_id)
    month = _d(batch.month)
    if batch.status == STATUS_LOCKED:
        raise _locked_error(month)
    if row.kind != KIND_REGULAR:
        raise DomainError("not_regular", f"{row.kind}行不能调整金额；如有误，请删除这一行后重新添加", "amount")
    cadre = Cadre.get_by_id(row.cadre_id)
    try:
        line = rules.adjust(_domain_line(row, month, cadre.name), amount_fen, reason)
    except DomainError as err:
        raise ValidationError([err]) from None
    with db.atomic():
        AllowanceLine.update(amount_fen=line.amount_fen, generated_fen=line.generated_fen, reason=line.reason,
                             updated_at=now()).where(AllowanceLine.id == line_id).execute()
        total = _set_total(batch)
        audit.record("update", "allowance_line", row.uuid,
                     f"调整 {cadre.name} {fmt_month(month)}{line.scheme_name}：{format_yuan(row.amount_fen)} → "
                     f"{format_yuan(line.amount_fen)} 元（{line.reason}）",
                     {"amount_fen": [row.amount_fen, line.amount_fen], "reason": [row.reason, line.reason],
                      "batch_total_fen": [batch.total_fen, total]})
    return get_line(line_id)


@requires('allowance.edit')
def remove_correction(line_id: int) -> None:
    """Take a 补发/扣减 line out of a draft month (kept archived, on the audit trail)."""
    row = _line_row(line_id)
    batch = AllowanceBatch.get_by_id(row.batch_id)
    if batch.status == STATUS_LOCKED:
        raise _locked_error(_d(batch.month))
    if row.kind == KIND_REGULAR:
        raise DomainError("regular_line", "正常发放行不能删除；金额有误请调整，不应发放的请调整为 0 并写明原因", None)
    with db.atomic():
        AllowanceLine.update(archived=True, updated_at=now()).where(AllowanceLine.id == line_id).execute()
        _set_total(batch)
        audit.record("archive", "allowance_line", row.uuid,
                     f"删除{fmt_month(_d(batch.month))}的{row.kind}行 {format_yuan(row.amount_fen)} 元")


#: the safety copy made before a month is locked (``exchange.backup.safety_backup``),
#: handed in by the composition root (``app.open_store``): services do not import exchange
_before_lock: Callable[[date], Any] | None = None


@exempt('composition root hands the safety copy down')
def use_safety_backup(hook: Callable[[date], Any] | None) -> None:
    """``hook(month)`` makes the safety copy before ``lock_month`` locks ``month`` and returns
    where it is (named in the lock's audit row); it raises (a DomainError saying so) when
    the copy cannot be made, and nothing is locked."""
    global _before_lock
    _before_lock = hook


@requires('allowance.lock')
def lock_month(month: date) -> dict[str, Any]:
    """Lock the month: totals are checked against the sum of the lines (domain
    ``check_totals``); afterwards nothing in it changes.  Records who and when.
    First a safety copy of the database is made (``use_safety_backup``)."""
    return _lock_month(month, safety_copy=True)


def _lock_month(month: date, *, safety_copy: bool) -> dict[str, Any]:
    access.require_whole_township("锁定月份")
    month = month_of(month)
    batch = _batch(month)
    if batch is None:
        raise DomainError("not_generated", f"{fmt_month(month)}还没有生成发放明细，请先生成", "month")
    if batch.status == STATUS_LOCKED:
        raise _locked_error(month)
    copy = _before_lock(month) if safety_copy and _before_lock is not None else None
    user = audit.current_user()
    with db.atomic():
        amounts = [r[0] for r in db.execute_sql(
            "SELECT amount_fen FROM allowance_line WHERE batch_id = ? AND archived = 0", (batch.id,)).fetchall()]
        lines = [_AmountOnly(a) for a in amounts]
        rules.check_totals(lines, batch.total_fen)
        stamp = now()
        AllowanceBatch.update(status=STATUS_LOCKED, locked_at=stamp, locked_by=user, updated_at=stamp).where(
            AllowanceBatch.id == batch.id).execute()
        audit.record("update", "allowance_batch", batch.uuid,
                     f"锁定{fmt_month(month)}津贴补贴：{len(amounts)} 行，合计 {format_yuan(batch.total_fen)} 元",
                     {"status": [STATUS_DRAFT, STATUS_LOCKED], "total_fen": batch.total_fen,
                      **({"safety_copy": copy} if copy else {})})
    return batch_info(month)  # type: ignore[return-value]


@dataclass(frozen=True)
class _AmountOnly:
    amount_fen: int


@requires('allowance.read')
def paid_for(cadre_id: int, scheme: str, month: date) -> dict[str, Any]:
    """What was paid for the cadre, scheme and month: the regular line (if any) plus
    every correction of that month already made (in any later month)."""
    month = month_of(month)
    batch = _batch(month)
    regular = None
    if batch is not None:
        regular = (AllowanceLine.select().where(
            (AllowanceLine.batch == batch.id) & (AllowanceLine.cadre == cadre_id) & (AllowanceLine.scheme == scheme)
            & (AllowanceLine.kind == KIND_REGULAR) & (AllowanceLine.archived == False)).first())  # noqa: E712
    corrections = [r[0] for r in db.execute_sql(
        "SELECT amount_fen FROM allowance_line WHERE cadre_id = ? AND scheme = ? AND corrects_month = ? "
        "AND archived = 0 AND kind != ?", (cadre_id, scheme, month.isoformat(), KIND_REGULAR)).fetchall()]
    paid = (regular.amount_fen if regular else 0) + sum_fen(corrections)
    return {"month": month, "status": batch.status if batch else STATUS_NONE, "regular_fen":
            regular.amount_fen if regular else None, "corrections_fen": sum_fen(corrections), "paid_fen": paid,
            "band": regular.band if regular else "", "area_class": regular.area_class if regular else "",
            "basis": regular.basis if regular else ""}


@requires('allowance.edit')
def add_correction(cadre_id: int, corrects_month: date, due_fen: int, into_month: date, reason: str,
                   scheme: str | None = None) -> int:
    """A 补发 (due more than paid) or 扣减 (less) line in the later draft ``into_month``
    correcting ``corrects_month``; the corrected month itself never changes.

    ``scheme`` may be left out when the cadre had exactly one scheme that month."""
    check_fen(due_fen, "应发金额")
    corrects_month, into_month = month_of(corrects_month), month_of(into_month)
    if due_fen < 0:
        raise _invalid("amount_negative", "应发金额不能为负数", "due")
    if not _s(reason):
        raise _invalid("reason_required", "补发或扣减必须填写原因（如：工作年限档次核定有误）", "reason")
    if into_month <= corrects_month:
        raise _invalid("corrects_month_order",
                       f"补发或扣减只能计入更正月份以后的月份（{fmt_month(corrects_month)}之后）", "into_month")
    cadre = Cadre.get_or_none(Cadre.id == cadre_id)
    if cadre is None:
        raise _invalid("required", "请选择干部", "cadre")
    if month_status(into_month) == STATUS_LOCKED:
        raise _locked_error(into_month)
    corrected = _batch(corrects_month)
    if corrected is not None and corrected.status != STATUS_LOCKED:
        raise _invalid("month_not_locked",
                       f"{fmt_month(corrects_month)}尚未锁定，请直接在该月调整金额，不需要补发或扣减", "corrects_month")
    if scheme is None:
        schemes = [r[0] for r in db.execute_sql(
            "SELECT DISTINCT scheme FROM allowance_line WHERE cadre_id = ? AND batch_id = ? AND archived = 0",
            (cadre_id, corrected.id if corrected else -1)).fetchall()]
        if len(schemes) != 1:
            raise _invalid("required", "请选择要更正的津贴项目", "scheme")
        scheme = schemes[0]
    if scheme not in SCHEMES:
        raise _invalid("invalid_scheme", "请选择要更正的津贴项目", "scheme")
    paid = paid_for(cadre_id, scheme, corrects_month)
    try:
        if paid["paid_fen"] >= 0:
            original = rules.Line(scheme, paid["band"], paid["area_class"], paid["paid_fen"], paid["basis"],
                                  cadre_id=cadre_id, cadre_name=cadre.name, month=corrects_month)
            line = rules.correction_line(original, due_fen, into_month, reason)
        else:  # earlier deductions took more than the payment: correct against what was really paid
            diff = due_fen - paid["paid_fen"]
            line = rules.Line(scheme, paid["band"], paid["area_class"], diff,
                              f"补发{fmt_month(corrects_month)}{SCHEME_NAMES[scheme]}：原发{format_yuan(paid['paid_fen'])}元，"
                              f"应发{format_yuan(due_fen)}元", cadre_id=cadre_id, cadre_name=cadre.name,
                              month=into_month, kind=rules.LINE_BACK_PAY, corrects_month=corrects_month,
                              reason=_s(reason))
    except DomainError as err:
        raise ValidationError([err]) from None
    unit_name = Unit.get_by_id(cadre.unit_id).name
    with db.atomic():
        batch = _ensure_draft(into_month)
        row = AllowanceLine.create(batch=batch.id, cadre=cadre_id, scheme=scheme, kind=_KIND_OF_CODE[line.kind],
                                   band=line.band, area_class=line.area_class, amount_fen=line.amount_fen,
                                   generated_fen=None, basis=line.basis, reason=line.reason,
                                   corrects_month=corrects_month, unit_name=unit_name)
        total = _set_total(batch)
        audit.record("create", "allowance_line", row.uuid,
                     f"{cadre.name} {_KIND_OF_CODE[line.kind]}{fmt_month(corrects_month)}{line.scheme_name} "
                     f"{format_yuan(line.amount_fen)} 元，计入{fmt_month(into_month)}（{line.reason}）",
                     {"amount_fen": [None, line.amount_fen], "batch_total_fen": [None, total]})
    return row.id


@exempt('pure formatting or parsing, no data')
def add_month(d: date, months: int) -> date:
    return rules.add_months(month_of(d), months)


# ---- reading a batch

LineFilter = queries.AllowanceLineFilter


@requires('allowance.read')
def batch_lines(month: date, unit_name: str = "", scheme: str = "", text: str = "",
                kind: str = "") -> list[dict[str, Any]]:
    """The month's lines (filtered), ordered by unit, name and scheme, as dicts."""
    f = LineFilter(month_of(month), unit_name, scheme, kind, text)
    ids = queries.allowance_line_ids(f)
    return [line_dict(r) for r in queries.allowance_lines(ids)]


LINE_TUPLE = ("id", "cadre_id", "name", "unit", "scheme", "band", "area_class", "amount_fen", "generated_fen",
              "basis", "reason", "kind", "corrects_month")


@exempt('pure formatting or parsing, no data')
def line_dict(row: tuple) -> dict[str, Any]:
    d = dict(zip(LINE_TUPLE, row))
    d["scheme_name"] = SCHEME_NAMES.get(d["scheme"], d["scheme"])
    d["corrects_month"] = _d(d["corrects_month"])
    return d


@exempt('pure formatting or parsing, no data')
def band_text(scheme: str, band: str, area_class: str) -> str:
    """档次/类区 as shown: ``二类区·科员`` for hardship, the years band for township."""
    if scheme == rules.HARDSHIP and area_class:
        return f"{area_class}区·{band}" if band else f"{area_class}区"
    return band


@requires('allowance.read')
def totals_by_unit(month: date) -> list[tuple[str, int, int]]:
    """(unit name at payout, lines, total fen) of the month, by unit name."""
    batch = _batch(month)
    if batch is None:
        return []
    return [(u, n, int(t)) for u, n, t in db.execute_sql(
        "SELECT unit_name, count(*), sum(amount_fen) FROM allowance_line WHERE batch_id = ? AND archived = 0 "
        "GROUP BY unit_name ORDER BY unit_name", (batch.id,)).fetchall()]


@requires('allowance.read')
def totals_by_scheme(month: date) -> list[tuple[str, str, int, int]]:
    """(scheme, kind, lines, total fen) of the month."""
    batch = _batch(month)
    if batch is None:
        return []
    order = {rules.HARDSHIP: 0, rules.TOWNSHIP: 1}
    korder = {k: i for i, k in enumerate(LINE_KINDS)}
    rows = db.execute_sql(
        "SELECT scheme, kind, count(*), sum(amount_fen) FROM allowance_line WHERE batch_id = ? AND archived = 0 "
        "GROUP BY scheme, kind", (batch.id,)).fetchall()
    return sorted([(s, k, n, int(t)) for s, k, n, t in rows], key=lambda r: (order.get(r[0], 9), korder.get(r[1], 9)))


@requires('allowance.read')
def month_total(month: date) -> dict[str, Any]:
    """The month's grand total (sum of its lines), the stored batch total, and 大写."""
    batch = _batch(month)
    if batch is None:
        return {"total_fen": 0, "stored_fen": 0, "matches": True, "capital": to_capital(0)}
    total = _sum_lines(batch.id)
    return {"total_fen": total, "stored_fen": batch.total_fen, "matches": total == batch.total_fen,
            "capital": to_capital(total)}


@requires('allowance.read')
def unit_names_of(month: date) -> list[str]:
    return [u for u, _n, _t in totals_by_unit(month)]


@requires('allowance.read')
def cadre_history(cadre_id: int) -> list[dict[str, Any]]:
    """Every line of the cadre, newest month first, with the month's status."""
    rows = db.execute_sql(
        "SELECT l.id, b.month, b.status, l.scheme, l.kind, l.band, l.area_class, l.amount_fen, l.generated_fen, "
        "l.basis, l.reason, l.corrects_month, l.unit_name FROM allowance_line l "
        "JOIN allowance_batch b ON b.id = l.batch_id WHERE l.cadre_id = ? AND l.archived = 0 "
        "ORDER BY b.month DESC, l.scheme, l.kind, l.id", (cadre_id,)).fetchall()
    out = []
    for (lid, month, status, scheme, kind, band, area, amount, generated, basis, reason, corrects,
         unit) in rows:
        out.append({"id": lid, "month": _d(month), "status": status, "locked": status == STATUS_LOCKED,
                    "scheme": scheme, "scheme_name": SCHEME_NAMES.get(scheme, scheme), "kind": kind, "band": band,
                    "area_class": area, "amount_fen": amount, "generated_fen": generated,
                    "adjusted": generated is not None, "basis": basis, "reason": reason,
                    "corrects_month": _d(corrects), "unit": unit})
    return out


@requires('allowance.read')
def cadre_preview(cadre_id: int, month: date) -> list[str]:
    """What the rules say for one cadre and month (the detail tab shows it): one
    sentence per scheme, eligible or not and why."""
    found = cadre_facts([cadre_id])
    if not found:
        return []
    f = found[0]
    view = rules.MonthRates(rates(), month_of(month))
    out = []
    for name, fn in (("艰苦边远地区津贴", rules.hardship_eligibility), ("乡镇工作补贴", rules.township_eligibility)):
        try:
            e = fn(f, month, view)
            out.append(f"{name}：{'发放' if e.eligible else '不发放'}。{e.reason}" + (f"（{e.warning}）" if e.warning else ""))
        except DomainError as err:
            out.append(f"{name}：{err.message}")
    try:
        for line in rules.monthly_lines(f, month, view):
            out.append(f"{line.scheme_name}本月 {format_yuan(line.amount_fen)} 元：{line.basis}")
    except DomainError as err:
        out.append(err.message)
    return out


# ================================================================ demo history

DEMO_HARDSHIP_NOTE = "演示数据：示例标准，不是真实文件规定的数字"
# example matrix cells for 二类 only (so a 二类 township shows hardship lines in the demo)
DEMO_HARDSHIP_CELLS = {"乡科级正职": 38000, "乡科级副职": 33000, "科员": 28000, "办事员": 26000,
                       "县处级副职": 45000, "县处级正职": 52000}
DEMO_HARDSHIP_RANK_BANDS = {"一级主任科员": "乡科级正职", "二级主任科员": "乡科级正职",
                            "三级主任科员": "乡科级副职", "四级主任科员": "乡科级副职"}


@exempt('demo/benchmark data generation (system actor)')
def generate_demo_months(today: date | None = None, seed: int = 20261125, months: int = 3) -> dict[str, int]:
    """Allowance history for the demo database (invented): the Hunan example township bands,
    example 二类 hardship cells marked 示例, the especially-hard flag on 云溪乡, a few
    retirements, transfers, secondments and study periods; the last ``months`` months
    generated, the earlier ones locked, one adjustment with a reason and one 补发 line."""
    import random

    rng = random.Random(seed + 3)
    today = today or _today()
    if not current_preset() or current_preset() != "hunan_example":
        if AllowanceRuleRow.select().exists():
            replace_with_preset("hunan_example")
        else:
            _load_preset("hunan_example")
    with db.atomic():
        for band, fen in DEMO_HARDSHIP_CELLS.items():
            save_rule("hardship_rate", {"area_class": "二类", "band": band, "amount_fen": fen,
                                        "effective_from": "2006-07-01", "source": DEMO_HARDSHIP_NOTE,
                                        "notes": DEMO_HARDSHIP_NOTE, "example": True})
        Unit.update(especially_hard=True).where(Unit.township == "云溪乡").execute()
        queries.invalidate_units()
        stamp = now()
        rows = db.execute_sql("SELECT id, employment_status, birth_date, township_start_date FROM cadre "
                              "WHERE archived = 0 ORDER BY id").fetchall()
        fact_rows, period_rows = [], []
        first = add_month(today, -(months - 1))
        for cid, status, birth, start in rows:
            b = _d(birth)
            base = {"uuid": new_uuid(), "created_at": stamp, "updated_at": stamp, "archived": 0, "cadre_id": cid}
            if status == "退休":
                retired = date(b.year + 60, b.month, 1) if b.year + 60 <= today.year else add_month(first, -3)
                fact_rows.append(dict(base, transferred_on=None, retired_on=min(retired, add_month(first, -1)),
                                      retirement_kind="退休", sent_down_on=None))
            elif status == "调离":
                fact_rows.append(dict(base, transferred_on=add_month(first, rng.randrange(0, months)).replace(day=15),
                                      retired_on=None, retirement_kind="", sent_down_on=None))
            elif status == "挂职" and start:
                fact_rows.append(dict(base, transferred_on=None, retired_on=None, retirement_kind="",
                                      sent_down_on=_d(start)))
            elif status == "借调":
                period_rows.append(dict(base, uuid=new_uuid(), kind=PERIOD_SECONDED,
                                        start_date=add_month(first, -1).replace(day=10), end_date=None,
                                        note="借调县委办（演示数据）"))
            elif rng.randrange(100) == 0:
                s = add_month(first, rng.randrange(0, months)).replace(day=3)
                period_rows.append(dict(base, uuid=new_uuid(), kind=PERIOD_STUDY, start_date=s,
                                        end_date=s.replace(day=28) if rng.randrange(2) else add_month(s, 2),
                                        note="县委党校中青班脱产学习（演示数据）"))
        bulk_insert("cadre_allowance_facts", fact_rows)
        bulk_insert("cadre_period", period_rows)
    counts = {"allowance_months": 0, "allowance_lines": 0}
    for i in range(months):
        m = add_month(today, -(months - 1 - i))
        s = generate_month(m)
        counts["allowance_months"] += 1
        counts["allowance_lines"] += s.lines
        if i == months - 2 and s.lines:   # one adjustment with a reason, in the last locked month
            lid = db.execute_sql("SELECT id, amount_fen FROM allowance_line WHERE batch_id = ? AND scheme = ? "
                                 "ORDER BY id LIMIT 1 OFFSET 3", (_batch(m).id, rules.TOWNSHIP)).fetchone()
            if lid:
                adjust_line(lid[0], lid[1] // 2, "当月下旬才到岗，经党委会研究按半月发放（演示数据）")
        if i < months - 1:
            _lock_month(m, safety_copy=False)   # demo data: no safety copy per generated month
            AllowanceBatch.update(locked_by="演示数据").where(AllowanceBatch.month == m).execute()
    if months >= 2:   # one 补发 line in the current draft month, correcting the first locked month
        m0 = add_month(today, -(months - 1))
        row = db.execute_sql("SELECT cadre_id, amount_fen FROM allowance_line WHERE batch_id = ? AND scheme = ? "
                             "AND kind = ? ORDER BY id LIMIT 1 OFFSET 7",
                             (_batch(m0).id, rules.TOWNSHIP, KIND_REGULAR)).fetchone()
        if row:
            add_correction(row[0], m0, row[1] + 6000, today, "乡镇工作年限核定有误，少计一档，补发差额（演示数据）",
                           rules.TOWNSHIP)
    return counts
