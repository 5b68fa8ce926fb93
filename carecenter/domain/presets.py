"""Load rule presets (leave types, health-check cycles) from JSON.

Layout: ``<base_dir>/<preset>/leave_types.json`` and
``<base_dir>/<preset>/health_cycles.json``, where ``base_dir`` is the
``resources/presets`` directory (the caller resolves it; this module knows no
project paths) and ``preset`` is e.g. ``national`` or ``zhejiang``.

**Each preset file is complete**: the Zhejiang files repeat the rows that do
not differ from the national baseline, so one file fully describes a preset,
can be loaded on its own and edited without knowing another file.  Several
rows may share a code (leave) or name (health) with different
``effective_from`` dates; the rule in force on a date is picked at use time
(``leave.rule_in_force``, ``health.rules_in_force``).

File format (UTF-8 JSON)::

    {
      "_source": "free text: where the figures come from",
      "format": 1,
      "kind": "leave_types" | "health_cycles",
      "preset": "zhejiang",
      "title": "浙江省",
      "rows": [ {...}, ... ]
    }

Leave-type row: ``code, name, count_mode ('working'|'calendar'), days (number
or null), reduces_annual, certificate_required, certificate_threshold_days
(int or null), half_day_allowed, approval_note, effective_from (ISO date),
params (object, type-specific figures), source, example (bool),
example_fields (list of field names, 'params.<key>' for params), notes``.

Health-cycle row: ``name, sex ('any'|'男'|'女'), age_min, age_max (inclusive,
null = open), interval_years, package, effective_from, source, example, notes``.

Numbers are read as ``int`` or ``Decimal`` (never float).  A row whose figure
DOMAIN.md gives only as an example must say ``"example": true``.
``"effective_from": "1900-01-01"`` marks a row with no dated source (applies to
all dates until a dated row replaces it).

The only I/O in the domain package happens in the ``load_*`` functions.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import DomainError
from .health import HealthCycleRule
from .leave import LeaveType

PRESET_FORMAT = 1
LEAVE_TYPES_FILE = "leave_types.json"
HEALTH_CYCLES_FILE = "health_cycles.json"
NATIONAL = "national"
ZHEJIANG = "zhejiang"

_LEAVE_REQUIRED = ("code", "name", "count_mode", "days", "reduces_annual", "certificate_required",
                   "certificate_threshold_days", "half_day_allowed", "effective_from")
_HEALTH_REQUIRED = ("name", "sex", "age_min", "age_max", "interval_years", "package", "effective_from")


def available_presets(base_dir: Path) -> list[str]:
    """Preset directory names under ``base_dir`` that hold at least one rule file."""
    base = Path(base_dir)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir()
                  if p.is_dir() and ((p / LEAVE_TYPES_FILE).is_file() or (p / HEALTH_CYCLES_FILE).is_file()))


def preset_title(base_dir: Path, preset: str) -> str:
    """The preset's Chinese title (from its leave-type file, else its health file)."""
    for name in (LEAVE_TYPES_FILE, HEALTH_CYCLES_FILE):
        path = Path(base_dir) / preset / name
        if path.is_file():
            return str(_read(path).get("title") or preset)
    return preset


def load_leave_types(base_dir: Path, preset: str) -> list[LeaveType]:
    path = Path(base_dir) / preset / LEAVE_TYPES_FILE
    doc = _read(path, "leave_types")
    return [_row(path, i, row, leave_type_from_dict) for i, row in enumerate(doc["rows"], 1)]


def load_health_cycles(base_dir: Path, preset: str) -> list[HealthCycleRule]:
    path = Path(base_dir) / preset / HEALTH_CYCLES_FILE
    doc = _read(path, "health_cycles")
    return [_row(path, i, row, health_rule_from_dict) for i, row in enumerate(doc["rows"], 1)]


# ---------------------------------------------------------------------------
# Row conversion (also for rows stored in the database as JSON)
# ---------------------------------------------------------------------------
def leave_type_from_dict(row: Mapping[str, Any]) -> LeaveType:
    _require(row, _LEAVE_REQUIRED)
    example_fields = tuple(row.get("example_fields") or ())
    example = bool(row.get("example", False))
    if example_fields and not example:
        raise DomainError("preset_invalid", "列出了示例字段（example_fields）却没有标记 \"example\": true",
                          "example")
    threshold = row["certificate_threshold_days"]
    return LeaveType(
        code=str(row["code"]),
        name=str(row["name"]),
        count_mode=str(row["count_mode"]),
        days=None if row["days"] is None else _decimal(row["days"], "days"),
        reduces_annual=_bool(row["reduces_annual"], "reduces_annual"),
        certificate_required=_bool(row["certificate_required"], "certificate_required"),
        certificate_threshold_days=None if threshold is None else _int(threshold, "certificate_threshold_days"),
        half_day_allowed=_bool(row["half_day_allowed"], "half_day_allowed"),
        approval_note=str(row.get("approval_note") or ""),
        effective_from=_date(row["effective_from"]),
        params=dict(row.get("params") or {}),
        source=str(row.get("source") or ""),
        example=example,
        example_fields=example_fields,
        notes=str(row.get("notes") or ""),
    )


def leave_type_to_dict(rule: LeaveType) -> dict[str, Any]:
    """JSON-safe dict (Decimal → int or string), the inverse of ``leave_type_from_dict``."""
    return {
        "code": rule.code,
        "name": rule.name,
        "count_mode": rule.count_mode,
        "days": _jsonable(rule.days),
        "reduces_annual": rule.reduces_annual,
        "certificate_required": rule.certificate_required,
        "certificate_threshold_days": rule.certificate_threshold_days,
        "half_day_allowed": rule.half_day_allowed,
        "approval_note": rule.approval_note,
        "effective_from": rule.effective_from.isoformat(),
        "params": _jsonable(dict(rule.params)),
        "source": rule.source,
        "example": rule.example,
        "example_fields": list(rule.example_fields),
        "notes": rule.notes,
    }


def health_rule_from_dict(row: Mapping[str, Any]) -> HealthCycleRule:
    _require(row, _HEALTH_REQUIRED)
    return HealthCycleRule(
        name=str(row["name"]),
        sex=str(row["sex"]),
        age_min=None if row["age_min"] is None else _int(row["age_min"], "age_min"),
        age_max=None if row["age_max"] is None else _int(row["age_max"], "age_max"),
        interval_years=_int(row["interval_years"], "interval_years"),
        package=str(row["package"]),
        effective_from=_date(row["effective_from"]),
        source=str(row.get("source") or ""),
        example=bool(row.get("example", False)),
        notes=str(row.get("notes") or ""),
    )


def health_rule_to_dict(rule: HealthCycleRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "sex": rule.sex,
        "age_min": rule.age_min,
        "age_max": rule.age_max,
        "interval_years": rule.interval_years,
        "package": rule.package,
        "effective_from": rule.effective_from.isoformat(),
        "source": rule.source,
        "example": rule.example,
        "notes": rule.notes,
    }


# ---------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------
def _read(path: Path, kind: str | None = None) -> dict[str, Any]:
    if not path.is_file():
        raise DomainError("preset_not_found", f"找不到预置规则文件 {path}，请检查安装是否完整",
                          None, path=str(path))
    try:
        with path.open(encoding="utf-8") as fh:
            doc = json.load(fh, parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise DomainError("preset_invalid", f"预置规则文件 {path.name} 无法读取（{exc}），请检查文件内容",
                          None, path=str(path)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rows"), list):
        raise DomainError("preset_invalid", f"预置规则文件 {path.name} 缺少 rows 列表", None, path=str(path))
    if doc.get("format") != PRESET_FORMAT:
        raise DomainError("preset_invalid",
                          f"预置规则文件 {path.name} 的格式版本为 {doc.get('format')}，本程序只认版本 {PRESET_FORMAT}",
                          None, path=str(path))
    if kind is not None and doc.get("kind") != kind:
        raise DomainError("preset_invalid", f"预置规则文件 {path.name} 的类型应为 {kind}", None, path=str(path))
    return doc


def _row(path: Path, number: int, row: Any, convert):
    if not isinstance(row, Mapping):
        raise DomainError("preset_invalid", f"预置规则文件 {path.name} 第 {number} 条不是对象", None,
                          path=str(path), row=number)
    try:
        return convert(row)
    except DomainError as err:
        raise DomainError("preset_invalid",
                          f"预置规则文件 {path.name} 第 {number} 条（{row.get('name', '')}）有误：{err.message}",
                          err.field, path=str(path), row=number) from None


def _require(row: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key not in row:
            raise DomainError("preset_invalid", f"缺少字段“{key}”", key)


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("preset_invalid", f"生效日期“{value}”不是 YYYY-MM-DD 格式的真实日期",
                          "effective_from") from None


def _decimal(value: Any, key: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise DomainError("preset_invalid", f"字段“{key}”应为整数或小数字符串", key)
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise DomainError("preset_invalid", f"字段“{key}”的值“{value}”不是数字", key) from None


def _int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise DomainError("preset_invalid", f"字段“{key}”应为整数", key)
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise DomainError("preset_invalid", f"字段“{key}”的值“{value}”不是整数", key) from None
    if number != number.to_integral_value():
        raise DomainError("preset_invalid", f"字段“{key}”的值“{value}”不是整数", key)
    return int(number)


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise DomainError("preset_invalid", f"字段“{key}”应为 true 或 false", key)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------
# Allowance rates (津贴补贴) and welfare rules (福利慰问)
#
# ``<preset>/allowance_rates.json`` (kind "allowance_rates") and
# ``<preset>/welfare.json`` (kind "welfare") use the same envelope; every row
# names its table in ``"table"``:
#
# allowance_rates —
#   hardship_scheme:  area_classes [str], effective_from, source, notes
#   hardship_band:    band, order (1 = highest), leadership_levels [str], ranks [str],
#                     effective_from, source, example, notes   (rows sharing a date = one table)
#   hardship_rate:    area_class, band, amount_fen (int), effective_from, source, example, notes
#                     (ships with no rows: the national figures are not verified)
#   retiree_share:    kind (离休/退休/退职), percent, effective_from, source, example, notes
#   township_rule:    effective_from, township_categories [str], personnel_statuses [str],
#                     sent_down_wait_months, suspension_kinds [str], suspension_min_months,
#                     suspension_inclusive (bool), source, example, example_fields, notes
#   township_band:    min_years, amount_fen, effective_from, source, example, notes
#                     (rows sharing a date = one table)
#   township_supplement: kind ("especially_hard"), amount_fen, effective_from, source, example, notes
# welfare —
#   settings:  effective_from, funding_sources [str], duplicate_window_days, budget_near_percent,
#              talk_triggers [str], deep_hardship_multiple, relative_hardship_multiple,
#              dibao_monthly_fen (int or null), source, example, example_fields, notes
#   occasion:  code, name, standard_fen, cap_fen (int or null), cap_scope (per_year | per_episode |
#              per_occasion | festival_yearly_total | null), max_per_year, duplicate_window_days,
#              cash_allowed, funding_sources [str], effective_from, source, example,
#              example_fields, notes
# Amounts are integer fen; percentages and multiples int or decimal strings.
# The Hunan township bands ship as their own preset folder ``hunan_example``
# holding only allowance_rates.json (complete on its own, like every preset file).
# ---------------------------------------------------------------------------
from . import allowance as _al  # noqa: E402
from . import welfare as _wf  # noqa: E402

ALLOWANCE_RATES_FILE = "allowance_rates.json"
WELFARE_FILE = "welfare.json"

_ALLOWANCE_REQUIRED: dict[str, tuple[str, ...]] = {
    "hardship_scheme": ("area_classes", "effective_from"),
    "hardship_band": ("band", "order", "leadership_levels", "ranks", "effective_from"),
    "hardship_rate": ("area_class", "band", "amount_fen", "effective_from"),
    "retiree_share": ("kind", "percent", "effective_from"),
    "township_rule": ("effective_from", "township_categories", "personnel_statuses", "sent_down_wait_months",
                      "suspension_kinds", "suspension_min_months"),
    "township_band": ("min_years", "amount_fen", "effective_from"),
    "township_supplement": ("kind", "amount_fen", "effective_from"),
}
_WELFARE_REQUIRED: dict[str, tuple[str, ...]] = {
    "settings": ("effective_from", "funding_sources", "duplicate_window_days", "budget_near_percent",
                 "talk_triggers", "deep_hardship_multiple", "relative_hardship_multiple"),
    "occasion": ("code", "name", "standard_fen", "cap_fen", "cap_scope", "cash_allowed", "funding_sources",
                 "effective_from"),
}
_ALLOWANCE_FIELD = {
    "hardship_scheme": "hardship_schemes", "hardship_band": "hardship_bands", "hardship_rate": "hardship_rates",
    "retiree_share": "retiree_shares", "township_rule": "township_rules", "township_band": "township_bands",
    "township_supplement": "township_supplements",
}
_ALLOWANCE_TABLE_OF = {
    _al.HardshipScheme: "hardship_scheme", _al.HardshipBand: "hardship_band", _al.HardshipRate: "hardship_rate",
    _al.RetireeShare: "retiree_share", _al.TownshipRule: "township_rule", _al.TownshipBand: "township_band",
    _al.TownshipSupplement: "township_supplement",
}


def load_allowance_rates(base_dir: Path, preset: str) -> _al.AllowanceRates:
    """All allowance rate tables of a preset (``<base_dir>/<preset>/allowance_rates.json``)."""
    path = Path(base_dir) / preset / ALLOWANCE_RATES_FILE
    doc = _read(path, "allowance_rates")
    groups: dict[str, list[Any]] = {name: [] for name in _ALLOWANCE_FIELD.values()}
    for i, row in enumerate(doc["rows"], 1):
        obj = _row(path, i, row, allowance_row_from_dict)
        groups[_ALLOWANCE_FIELD[_ALLOWANCE_TABLE_OF[type(obj)]]].append(obj)
    return _al.AllowanceRates(**groups, preset=str(doc.get("preset") or preset),
                              title=str(doc.get("title") or preset))


def load_welfare(base_dir: Path, preset: str) -> _wf.WelfareRules:
    """Occasions and settings of a preset (``<base_dir>/<preset>/welfare.json``)."""
    path = Path(base_dir) / preset / WELFARE_FILE
    doc = _read(path, "welfare")
    occasions, settings = [], []
    for i, row in enumerate(doc["rows"], 1):
        obj = _row(path, i, row, welfare_row_from_dict)
        (settings if isinstance(obj, _wf.WelfareSettings) else occasions).append(obj)
    return _wf.WelfareRules(tuple(occasions), tuple(settings), preset=str(doc.get("preset") or preset),
                            title=str(doc.get("title") or preset))


def _table(row: Mapping[str, Any], required: Mapping[str, tuple[str, ...]]) -> str:
    table = row.get("table")
    if table not in required:
        raise DomainError("preset_invalid", f"未知的表“{table}”，应为{'、'.join(required)}之一", "table")
    _require(row, required[table])
    return str(table)


def _strs(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainError("preset_invalid", f"字段“{key}”应为文字列表", key)
    return tuple(value)


def _fen(value: Any, key: str, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    amount = _int(value, key)
    if amount < 0:
        raise DomainError("preset_invalid", f"字段“{key}”（金额，单位：分）不能为负数", key)
    return amount


def _opt_int(value: Any, key: str) -> int | None:
    return None if value is None else _int(value, key)


def _meta(row: Mapping[str, Any], with_example_fields: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"source": str(row.get("source") or ""), "notes": str(row.get("notes") or "")}
    example = row.get("example", False)
    out["example"] = _bool(example, "example")
    if with_example_fields:
        fields = tuple(row.get("example_fields") or ())
        if fields and not out["example"]:
            raise DomainError("preset_invalid", "列出了示例字段（example_fields）却没有标记 \"example\": true",
                              "example")
        out["example_fields"] = fields
    return out


def allowance_row_from_dict(row: Mapping[str, Any]) -> Any:
    """One allowance row (any table) from a preset or a database JSON column."""
    table = _table(row, _ALLOWANCE_REQUIRED)
    on = _date(row["effective_from"])
    if table == "hardship_scheme":
        return _al.HardshipScheme(_strs(row["area_classes"], "area_classes"), on,
                                  str(row.get("source") or ""), str(row.get("notes") or ""))
    if table == "hardship_band":
        return _al.HardshipBand(str(row["band"]), _int(row["order"], "order"),
                                _strs(row["leadership_levels"], "leadership_levels"), _strs(row["ranks"], "ranks"),
                                on, **_meta(row))
    if table == "hardship_rate":
        return _al.HardshipRate(str(row["area_class"]), str(row["band"]), _fen(row["amount_fen"], "amount_fen"),
                                on, **_meta(row))
    if table == "retiree_share":
        return _al.RetireeShare(str(row["kind"]), _decimal(row["percent"], "percent"), on, **_meta(row))
    if table == "township_rule":
        return _al.TownshipRule(
            on, _strs(row["township_categories"], "township_categories"),
            _strs(row["personnel_statuses"], "personnel_statuses"),
            _int(row["sent_down_wait_months"], "sent_down_wait_months"),
            _strs(row["suspension_kinds"], "suspension_kinds"),
            _int(row["suspension_min_months"], "suspension_min_months"),
            _bool(row.get("suspension_inclusive", False), "suspension_inclusive"),
            **_meta(row, with_example_fields=True))
    if table == "township_band":
        return _al.TownshipBand(_int(row["min_years"], "min_years"), _fen(row["amount_fen"], "amount_fen"), on,
                                **_meta(row))
    return _al.TownshipSupplement(str(row["kind"]), _fen(row["amount_fen"], "amount_fen"), on, **_meta(row))


def allowance_row_to_dict(obj: Any) -> dict[str, Any]:
    """JSON-safe dict of an allowance row, the inverse of ``allowance_row_from_dict``."""
    return _dataclass_row(obj, _ALLOWANCE_TABLE_OF[type(obj)])


def welfare_row_from_dict(row: Mapping[str, Any]) -> Any:
    table = _table(row, _WELFARE_REQUIRED)
    on = _date(row["effective_from"])
    if table == "settings":
        return _wf.WelfareSettings(
            on, _strs(row["funding_sources"], "funding_sources"),
            _int(row["duplicate_window_days"], "duplicate_window_days"),
            _decimal(row["budget_near_percent"], "budget_near_percent"),
            _strs(row["talk_triggers"], "talk_triggers"),
            _decimal(row["deep_hardship_multiple"], "deep_hardship_multiple"),
            _decimal(row["relative_hardship_multiple"], "relative_hardship_multiple"),
            _fen(row.get("dibao_monthly_fen"), "dibao_monthly_fen", nullable=True),
            **_meta(row, with_example_fields=True))
    return _wf.Occasion(
        code=str(row["code"]), name=str(row["name"]),
        standard_fen=_fen(row["standard_fen"], "standard_fen", nullable=True),
        cap_fen=_fen(row["cap_fen"], "cap_fen", nullable=True),
        cap_scope=None if row["cap_scope"] is None else str(row["cap_scope"]),
        cash_allowed=_bool(row["cash_allowed"], "cash_allowed"),
        funding_sources=_strs(row["funding_sources"], "funding_sources"),
        effective_from=on,
        max_per_year=_opt_int(row.get("max_per_year"), "max_per_year"),
        duplicate_window_days=_opt_int(row.get("duplicate_window_days"), "duplicate_window_days"),
        **_meta(row, with_example_fields=True))


def welfare_row_to_dict(obj: Any) -> dict[str, Any]:
    return _dataclass_row(obj, "settings" if isinstance(obj, _wf.WelfareSettings) else "occasion")


def _dataclass_row(obj: Any, table: str) -> dict[str, Any]:
    import dataclasses

    out: dict[str, Any] = {"table": table}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = _jsonable(value)
    return out
