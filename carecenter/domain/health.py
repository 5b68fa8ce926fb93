"""Health checks (健康体检), follow-up of abnormal findings, mental-health scale bands.

Check cycles are data (``HealthCycleRule`` rows from
``resources/presets/<preset>/health_cycles.json``), by age band and sex, with an
effective-from date.

Definitions chosen here:

* **Age** is the age reached in the plan year: ``year - birth_date.year``
  (the age on 31 December of the year).  A woman born in 1990 is 35 for the
  whole of 2025 and is in the 35–64 两癌筛查 band all year.
* **Rules in force for a year** are, per rule ``name``, the row with the latest
  ``effective_from`` on or before 31 December of that year (a rule taking effect
  during the year governs that year's plan).
* **Which rule applies**: the rules matching the person's sex and age; when
  several match the same package, the shortest interval wins.
* **Due year**: never checked → due in the plan year (no back-dated overdue
  for people never checked: keeps the first year simple).  Checked in year L →
  due in L + interval, using the interval of the rule that applies now.
* **Status** for the plan ``year``: due year after ``year`` → 已完成 (checked
  this cycle); due year == ``year`` → 本年应检, or 逾期 when ``year`` is already
  over on ``today``; due year before ``year`` → 逾期.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import DomainError

SEX_ANY = "any"
SEXES = ("男", "女")

STATUS_DONE = "已完成"
STATUS_DUE = "本年应检"
STATUS_OVERDUE = "逾期"

FOLLOWUP_CLOSED = "已关闭"
FOLLOWUP_PENDING = "待复查"
FOLLOWUP_OVERDUE = "复查逾期"

FINDING_LEVELS = {"A": "A类（需立即临床处置）", "B": "B类（需进一步检查或治疗）"}


@dataclass(frozen=True)
class HealthCycleRule:
    name: str
    sex: str                   # 'any' | '男' | '女'
    age_min: int | None        # inclusive; None = open
    age_max: int | None        # inclusive; None = open
    interval_years: int
    package: str               # e.g. 常规体检, 两癌筛查
    effective_from: date
    source: str = ""
    example: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        if self.sex not in (SEX_ANY, *SEXES):
            raise DomainError("invalid_sex", f"体检规则“{self.name}”的性别应为“男”“女”或“不限”", "sex")
        if self.interval_years < 1:
            raise DomainError("invalid_interval", f"体检规则“{self.name}”的周期至少为 1 年", "interval_years")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise DomainError("invalid_age_band", f"体检规则“{self.name}”的起始年龄大于截止年龄", "age_max")

    def applies_to(self, sex: str, age: int) -> bool:
        if self.sex != SEX_ANY and self.sex != sex:
            return False
        if self.age_min is not None and age < self.age_min:
            return False
        return self.age_max is None or age <= self.age_max


@dataclass(frozen=True)
class DueItem:
    package: str
    rule_name: str
    last_date: date | None
    due_year: int
    status: str            # 已完成 | 本年应检 | 逾期


def age_in_year(birth_date: date, year: int) -> int:
    """Age reached in ``year`` (age on 31 December)."""
    return year - birth_date.year


def rules_in_force(rules: Iterable[HealthCycleRule], on: date) -> list[HealthCycleRule]:
    """Per rule name, the row with the latest effective_from on or before ``on``."""
    best: dict[str, HealthCycleRule] = {}
    for rule in rules:
        if rule.effective_from <= on:
            cur = best.get(rule.name)
            if cur is None or rule.effective_from >= cur.effective_from:
                best[rule.name] = rule
    return list(best.values())


def due_items(birth_date: date, sex: str, last_checks: Mapping[str, date],
              rules: Iterable[HealthCycleRule], year: int, today: date) -> list[DueItem]:
    """What the person should have checked in ``year`` and where each item stands.

    ``last_checks``: package -> date of the most recent check of that package.
    """
    if sex not in SEXES:
        raise DomainError("invalid_sex", "性别应为“男”或“女”，请先在干部名册中补全", "sex")
    age = age_in_year(birth_date, year)
    chosen: dict[str, HealthCycleRule] = {}
    for rule in rules_in_force(rules, date(year, 12, 31)):
        if rule.applies_to(sex, age):
            cur = chosen.get(rule.package)
            if cur is None or rule.interval_years < cur.interval_years:
                chosen[rule.package] = rule
    items = []
    for package in sorted(chosen):
        rule = chosen[package]
        last = last_checks.get(package)
        due_year = year if last is None else last.year + rule.interval_years
        if due_year > year:
            status = STATUS_DONE
        elif due_year == year and year >= today.year:
            status = STATUS_DUE
        else:
            status = STATUS_OVERDUE
        items.append(DueItem(package, rule.name, last, due_year, status))
    return items


# ---------------------------------------------------------------------------
# Abnormal findings
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    level: str                       # 'A' | 'B'
    description: str = ""
    notified_at: date | None = None
    referral: str = ""
    recheck_due: date | None = None
    outcome: str = ""
    closed_on: date | None = None

    def __post_init__(self) -> None:
        if self.level not in FINDING_LEVELS:
            raise DomainError("invalid_level", "异常结果分级应为 A 类或 B 类", "level", level=self.level)

    @property
    def closed(self) -> bool:
        return self.closed_on is not None


def followup_status(finding: Finding, today: date) -> str:
    """已关闭 when closed; 复查逾期 when the re-check date has passed; otherwise 待复查."""
    if finding.closed:
        return FOLLOWUP_CLOSED
    if finding.recheck_due is not None and today > finding.recheck_due:
        return FOLLOWUP_OVERDUE
    return FOLLOWUP_PENDING


def open_followups(findings: Iterable[Finding], today: date) -> list[tuple[Finding, str]]:
    """Reminder list: open findings, overdue first, then A before B, then by re-check date."""
    rows = [(f, followup_status(f, today)) for f in findings]
    rows = [r for r in rows if r[1] != FOLLOWUP_CLOSED]
    rows.sort(key=lambda r: (r[1] != FOLLOWUP_OVERDUE, r[0].level,
                             r[0].recheck_due or date.max))
    return rows


# ---------------------------------------------------------------------------
# Mental-health scales (published instrument bands, not local policy)
# ---------------------------------------------------------------------------
# PHQ-9: Kroenke, Spitzer & Williams 2001; GAD-7: Spitzer et al. 2006.
_BANDS: dict[str, tuple[int, int, tuple[tuple[int, str], ...]]] = {
    "PHQ-9": (0, 27, ((0, "无或极轻"), (5, "轻度"), (10, "中度"), (15, "中重度"), (20, "重度"))),
    "GAD-7": (0, 21, ((0, "无或极轻"), (5, "轻度"), (10, "中度"), (15, "重度"))),
}
_ATTENTION_FROM = 10   # PHQ-9 / GAD-7 >= 10: commonly used cut-off for further assessment
# SCL-90 (Derogatis; Chinese norm screening criteria): total >= 160, or any factor
# score >= 2, or more than 43 positive items (items scored >= 2) → positive screen.
SCL90_TOTAL_RANGE = (90, 450)
SCL90_TOTAL_POSITIVE = 160
SCL90_FACTOR_POSITIVE = Decimal(2)
SCL90_POSITIVE_ITEMS_OVER = 43
SCALES = ("PHQ-9", "GAD-7", "SCL-90")


@dataclass(frozen=True)
class ScoreBand:
    scale: str
    score: int
    band: str          # Chinese band label
    attention: bool    # needs further assessment


def _int_score(scale: str, score: Any, low: int, high: int) -> int:
    if isinstance(score, bool) or not isinstance(score, (int, Decimal, str)):
        ok = False
    else:
        try:
            value = Decimal(str(score))
            ok = value == value.to_integral_value()
        except ArithmeticError:
            ok = False
    if not ok or not (low <= value <= high):
        raise DomainError("score_out_of_range", f"{scale} 总分应为 {low}–{high} 的整数，当前为“{score}”，请核对",
                          "score", scale=scale, score=score, low=low, high=high)
    return int(value)


def score_band(scale: str, score: Any, *, factors: Mapping[str, Any] | None = None,
               positive_items: int | None = None) -> ScoreBand:
    """Severity band for PHQ-9 / GAD-7, positive screen for SCL-90.

    For SCL-90, ``score`` is the total (90–450); ``factors`` optional factor
    scores (1–5, means); ``positive_items`` optional count of items scored >= 2.
    """
    if scale in _BANDS:
        low, high, bands = _BANDS[scale]
        value = _int_score(scale, score, low, high)
        label = [name for start, name in bands if value >= start][-1]
        return ScoreBand(scale, value, label, value >= _ATTENTION_FROM)
    if scale == "SCL-90":
        low, high = SCL90_TOTAL_RANGE
        value = _int_score(scale, score, low, high)
        positive = value >= SCL90_TOTAL_POSITIVE
        for name, raw in (factors or {}).items():
            try:
                factor = Decimal(str(raw))
            except ArithmeticError:
                factor = Decimal(-1)
            if not (1 <= factor <= 5):
                raise DomainError("score_out_of_range", f"SCL-90 因子“{name}”得分应在 1–5 之间，当前为“{raw}”，请核对",
                                  "score", scale=scale, factor=name, score=raw)
            positive = positive or factor >= SCL90_FACTOR_POSITIVE
        if positive_items is not None:
            if not (0 <= positive_items <= 90):
                raise DomainError("score_out_of_range", f"SCL-90 阳性项目数应在 0–90 之间，当前为“{positive_items}”",
                                  "score", scale=scale, positive_items=positive_items)
            positive = positive or positive_items > SCL90_POSITIVE_ITEMS_OVER
        return ScoreBand(scale, value, "筛查阳性（建议进一步评估）" if positive else "筛查阴性", positive)
    raise DomainError("unknown_scale", f"不支持的量表“{scale}”，可选：{'、'.join(SCALES)}", "scale", scale=scale)


__all__ = [
    "DueItem", "Finding", "HealthCycleRule", "ScoreBand", "age_in_year", "due_items",
    "followup_status", "open_followups", "rules_in_force", "score_band",
    "STATUS_DONE", "STATUS_DUE", "STATUS_OVERDUE", "FOLLOWUP_CLOSED", "FOLLOWUP_PENDING",
    "FOLLOWUP_OVERDUE", "FINDING_LEVELS", "SCALES",
]
