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
