"""How the leave-type rules read in the 假期规则 dialog: the columns' texts, the parameters'
names, and reading back a parameter the clerk typed (in the shape of the preset's value)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ...domain import leave as rules
from ...domain import presets
from ...domain.errors import DomainError
from ...paths import resource_path
from .. import theme

MODE_NAMES = {"working": "工作日", "calendar": "自然日"}
NO_DATE = date(1900, 1, 1)      # presets: a row with no dated source
EXAMPLE = "示例"
EXAMPLE_COLOUR = QColor(theme.WARNING)

PARAM_LABELS = {
    "tiers": "年休假天数（工龄满N年:天数）",
    "sick_exclusion_months": "病假满几个月不享受年休假（工龄满N年:月数）",
    "sick_month_days": "病假每月折算天数",
    "personal_exclusion_days": "事假满几天不享受年休假",
    "max_deferral_years": "最多顺延年数",
    "min_service_years": "工作满几年可享受",
    "spouse_days": "探望配偶天数",
    "spouse_period_years": "探望配偶间隔年数",
    "unmarried_parents_days": "未婚探望父母天数",
    "unmarried_parents_period_years": "未婚探望父母间隔年数",
    "unmarried_parents_biennial_days": "未婚两年合并探望父母天数",
    "unmarried_parents_biennial_period_years": "未婚合并探望间隔年数",
    "married_parents_days": "已婚探望父母天数",
    "married_parents_period_years": "已婚探望父母间隔年数",
    "travel_days_allowed": "另给路程假",
    "relations": "适用的亲属",
    "extra_relations": "本地增加的亲属",
    "base": "基本产假天数",
    "provincial_extra": "本省延长天数",
    "difficult_birth": "难产增加天数",
    "per_extra_baby": "多胞胎每多一个增加天数",
    "miscarriage_lt4m": "怀孕不满4个月流产的天数",
    "miscarriage_ge4m": "怀孕满4个月流产的天数",
    "second_third_child_extra": "二孩、三孩再增加天数",
    "child_max_age": "子女年龄上限（周岁）",
    "per_year": "按年度享受",
    "carry_over": "未休可结转下年",
    "parent_min_age": "父母年龄下限（周岁）",
    "requires_hospitalisation": "须父母住院治疗",
    "yearly_cap_days": "每年上限天数",
    "in_province_max_days": "省内最多天数",
    "out_of_province_max_days": "省外最多天数",
    "out_of_province_gap_years": "省外疗休养间隔年数",
    "daily_spending_cap_yuan": "每日费用上限（元）",
}
PAIR_SEPARATORS = ("，", ",", "；", ";", "、", " ")


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeaveTypesDialog", text)


def num_text(value: Any) -> str:
    if value is None:
        return ""
    d = Decimal(str(value))
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def param_label(key: str) -> str:
    return _tr(PARAM_LABELS[key]) if key in PARAM_LABELS else key


def param_text(value: Any) -> str:
    """A parameter value as the clerk reads and types it."""
    if isinstance(value, bool):
        return _tr("是") if value else _tr("否")
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (list, tuple)) for v in value):
            return "，".join(f"{num_text(a)}:{num_text(b)}" for a, b in value)
        return "、".join(str(v) for v in value)
    return num_text(value)


def _number(text: str, label: str, like: Any) -> Any:
    try:
        d = Decimal(text.replace("，", "").replace(",", "").strip())
    except InvalidOperation:
        raise DomainError("param_number", f"“{label}”应填写数字，如 15", "params") from None
    if not d.is_finite() or d < 0:
        raise DomainError("param_number", f"“{label}”应填写不小于 0 的数字", "params")
    if d == d.to_integral_value() and not (isinstance(like, Decimal) and like != like.to_integral_value()):
        return int(d)
    return d


def parse_param(text: str, like: Any, label: str) -> Any:
    """Read back what the clerk typed, in the shape of the original value ``like``."""
    text = text.strip()
    if isinstance(like, bool):
        if text in ("是", "对", "1"):
            return True
        if text in ("否", "不", "0"):
            return False
        raise DomainError("param_bool", f"“{label}”请填写“是”或“否”", "params")
    if isinstance(like, (list, tuple)):
        pairs = bool(like) and all(isinstance(v, (list, tuple)) for v in like)
        parts = [text]
        for sep in PAIR_SEPARATORS:
            parts = [p for chunk in parts for p in chunk.split(sep)]
        parts = [p.strip() for p in parts if p.strip()]
        if not pairs:
            return parts
        out = []
        for p in parts:
            bits = p.replace("：", ":").split(":")
            if len(bits) != 2:
                raise DomainError("param_pairs", f"“{label}”请按“年数:天数”填写，多组用逗号隔开，如 1:5，10:10", "params")
            out.append([_number(bits[0], label, 0), _number(bits[1], label, 0)])
        return out
    if not text:
        if like is None:
            return None
        raise DomainError("param_number", f"请填写“{label}”", "params")
    return _number(text, label, like)


def _mark(text: str, example: bool) -> str:
    mark = _tr(EXAMPLE)
    return f"{text}（{mark}）" if example and text else (mark if example else text)


def days_text(row: dict[str, Any]) -> str:
    ex = "days" in (row.get("example_fields") or [])
    if row.get("days") is not None:
        return _mark(num_text(row["days"]), ex)
    p = row.get("params") or {}
    code = row.get("code")
    if code == rules.ANNUAL and p.get("tiers"):
        return "/".join(num_text(b) for _a, b in p["tiers"]) + _tr("（按工龄）")
    if code == rules.HOME_VISIT:
        return _tr("按探望对象")
    return "—"


def certificate_text(row: dict[str, Any]) -> str:
    if not row.get("certificate_required"):
        return _tr("不需要")
    threshold = row.get("certificate_threshold_days")
    ex = "certificate_threshold_days" in (row.get("example_fields") or [])
    if threshold is None:
        return _tr("需要")
    return _mark(_tr("{0} 天及以上需要").format(threshold), ex)


def params_summary(row: dict[str, Any]) -> str:
    fields = row.get("example_fields") or []
    parts = []
    for key, value in (row.get("params") or {}).items():
        if value is None or isinstance(value, bool) or value == []:
            continue
        parts.append(_mark(f"{param_label(key)} {param_text(value)}", f"params.{key}" in fields))
    return "；".join(parts)


def effective_text(value: Any) -> str:
    d = value if isinstance(value, date) else date.fromisoformat(str(value))
    return _tr("一直适用") if d <= NO_DATE else d.isoformat()


def leave_presets() -> list[tuple[str, str]]:
    """(preset, title) of the shipped presets that hold leave types."""
    base = resource_path("presets")
    out = []
    for name in presets.available_presets(base):
        if (base / name / presets.LEAVE_TYPES_FILE).is_file():
            out.append((name, presets.preset_title(base, name)))
    out.sort(key=lambda p: (p[0] != presets.NATIONAL, p[0]))
    return out
