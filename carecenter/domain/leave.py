"""Leave rules (请休假): entitlements, eligibility, counting and record checks.

Every figure (days, tiers, thresholds, cycles) comes from a ``LeaveType`` row
loaded from ``resources/presets/<preset>/leave_types.json`` (see presets.py) and
picked by ``rule_in_force`` for the date in question.  Nothing here hard-codes
a day count.

Sources (cited per rule in the preset rows too):

* 年休假 — 《职工带薪年休假条例》（国务院令第514号，2008-01-01施行）第二、三、四条；
  《机关事业单位工作人员带薪年休假实施办法》（2008-02-15施行）
  第二条（工作年限满1年、满10年、满20年后，从下月起享受相应的年休假天数）、
  第三条（探亲假、婚丧假、产假不计入年休假）、
  第四条（已享受当年年休假，年内又出现条例第四条第二至五项情形的，不享受下一年的年休假），
  及“一般不跨年度安排，确需跨年度的可以跨1个年度安排”。
* 探亲假 — 《国务院关于职工探亲待遇的规定》（国发〔1981〕36号）。
* 婚丧假 — 原国家劳动总局、财政部《关于国营企业职工请婚丧假和路程假问题的通知》（1980）；
  《浙江省婚假规定》（2024-09-27）。
* 产假 — 《女职工劳动保护特别规定》（国务院令第619号，2012）第七条；
  《浙江省人口与计划生育条例》（2021-11-25修正）。

Interpretations chosen here (documented because the texts leave them open):

* **Month-after rule (机关事业单位)**.  The tier for a calendar year is the tier
  in force in December of that year.  A tier is in force from the month after
  the anniversary, so an anniversary in January–November counts for the
  year, an anniversary in December only from the next January.  Equivalently:
  full years of service completed on **30 November** of the year.  The same
  rule gives the first-year condition: no annual leave in a year unless the
  first anniversary falls on or before 30 November of that year (no pro-rating:
  this is the 机关事业单位 rule, not the enterprise one).
* **Sick-leave months (条例第四条)**.  ``sick_leave_days`` is the year's
  cumulative sick leave in calendar days; "N个月以上" is reached when it is
  ``>= N * sick_month_days`` (30 in the presets).  "以上" includes the figure
  itself, so 20 days of 事假 already exclude.  Only 事假 for which the unit did
  not deduct pay counts towards the 事假 threshold; the caller passes those days.
* **Sick/personal thresholds use the same service measure as the tier**.
* **Forfeiture (实施办法第四条)**.  Events of the year are read in date order;
  when a cumulative 事假/病假 total first reaches its threshold and annual leave
  was already taken before that point, next year's annual leave is lost.
  Days already taken are not clawed back; nothing more is granted this year.
* **Deferral** is never automatic: only an explicit ``AnnualDeferral`` record
  from one year to the next (at most one year) moves days.
* **探亲假 periods** are calendar years: "once a year" = once per calendar
  year; "every 4 years" = not again until 4 calendar years after the year of
  the last visit to parents (any earlier visit to parents counts).
* **Years of a leave**: a leave is attributed to the year of its start date.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import DomainError
from .workcalendar import COUNT_MODES, WorkCalendar, fmt_cn

# ---------------------------------------------------------------------------
# Leave type codes and statuses (defined once, here)
# ---------------------------------------------------------------------------
ANNUAL = "annual"
HOME_VISIT = "home_visit"
MARRIAGE = "marriage"
BEREAVEMENT = "bereavement"
MATERNITY = "maternity"
PATERNITY = "paternity"
CHILDCARE = "childcare"
ONLY_CHILD_CARER = "only_child_carer"
SICK = "sick"
PERSONAL = "personal"
RECUPERATION = "recuperation"

#: code -> Chinese name, in display order.
LEAVE_TYPE_NAMES: dict[str, str] = {
    ANNUAL: "年休假",
    HOME_VISIT: "探亲假",
    MARRIAGE: "婚假",
    BEREAVEMENT: "丧假",
    MATERNITY: "产假",
    PATERNITY: "陪产假",
    CHILDCARE: "育儿假",
    ONLY_CHILD_CARER: "独生子女父母护理假",
    SICK: "病假",
    PERSONAL: "事假",
    RECUPERATION: "疗休养",
}
LEAVE_TYPE_CODES: tuple[str, ...] = tuple(LEAVE_TYPE_NAMES)

STATUS_APPLIED = "申请"
STATUS_APPROVED = "已批准"
STATUS_CLOSED = "已销假"
STATUS_CANCELLED = "已撤销"
LEAVE_STATUSES: tuple[str, ...] = (STATUS_APPLIED, STATUS_APPROVED, STATUS_CLOSED, STATUS_CANCELLED)
#: Statuses whose days count as taken (balances, Art. 4 totals).
TAKEN_STATUSES = frozenset({STATUS_APPROVED, STATUS_CLOSED})
#: Statuses that occupy the calendar (a pending application blocks an overlapping one too).
OCCUPYING_STATUSES = frozenset({STATUS_APPLIED, STATUS_APPROVED, STATUS_CLOSED})


def counts_as_taken(status: str) -> bool:
    """Only 已批准 and 已销假 count as taken; 申请 not yet, 已撤销 never."""
    return status in TAKEN_STATUSES


def occupies_calendar(status: str) -> bool:
    """Every status but 已撤销 blocks an overlapping leave."""
    return status in OCCUPYING_STATUSES


# Relations (roster strings) used by the rules.
SPOUSE = "配偶"
FATHER = "父亲"
MOTHER = "母亲"
PARENTS = (FATHER, MOTHER)  # 岳父母、公婆 are not parents here (国发〔1981〕36号)

_ZERO = Decimal(0)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
def to_days(value: Any, field_name: str = "days") -> Decimal:
    """A day count as Decimal in steps of 0.5 (int, str or Decimal; not negative)."""
    if isinstance(value, bool) or value is None:
        raise DomainError("invalid_days", "天数不能为空", field_name, value=value)
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise DomainError("invalid_days", f"天数“{value}”不是数字", field_name, value=value) from None
    if not amount.is_finite() or amount < 0 or (amount * 2) != (amount * 2).to_integral_value():
        raise DomainError("invalid_days", f"天数“{value}”无效：应为不小于 0 的整数或半天（0.5 的倍数）",
                          field_name, value=value)
    return amount


def _num(value: Any) -> Decimal:
    return Decimal(str(value))


def _fmt_days(value: Decimal) -> str:
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


def full_years(start: date, on: date) -> int:
    """Completed years from ``start`` to ``on`` (an anniversary completes a year on that day)."""
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return max(years, 0) if on >= start else -1


# ---------------------------------------------------------------------------
# Rule rows
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaveType:
    """One dated rule row for a leave type (from a preset or edited in the app)."""

    code: str
    name: str
    count_mode: str                      # 'working' | 'calendar'
    days: Decimal | None                 # base entitlement; None when computed or not set
    reduces_annual: bool
    certificate_required: bool
    certificate_threshold_days: int | None
    half_day_allowed: bool
    approval_note: str
    effective_from: date
    params: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    example: bool = False                # some figure is an example from one place only
    example_fields: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        if self.count_mode not in COUNT_MODES:
            raise DomainError("invalid_count_mode",
                              f"“{self.name}”的计算方式“{self.count_mode}”无效，应为工作日或自然日",
                              "count_mode", leave_type=self.code)
        if self.days is not None:
            object.__setattr__(self, "days", to_days(self.days))

    def param(self, key: str) -> Any:
        """A type-specific figure; a missing one is a configuration error, never a guess."""
        try:
            return self.params[key]
        except KeyError:
            raise DomainError(
                "rule_param_missing",
                f"“{self.name}”规则缺少参数“{key}”，请在“规则设置”中补充",
                "params", leave_type=self.code, key=key,
            ) from None


def rule_in_force(rules: Iterable[LeaveType], code: str, on: date) -> LeaveType:
    """The row for ``code`` with the latest ``effective_from`` on or before ``on``."""
    best: LeaveType | None = None
    for rule in rules:
        if rule.code == code and rule.effective_from <= on:
            if best is None or rule.effective_from >= best.effective_from:
                best = rule
    if best is None:
        name = LEAVE_TYPE_NAMES.get(code, code)
        raise DomainError(
            "rule_not_in_force",
            f"{fmt_cn(on)} 没有生效的“{name}”规则，请在“规则设置”中补充该日期适用的规定",
            None, leave_type=code, on=on,
        )
    return best


def required_days(rule: LeaveType) -> Decimal:
    """The rule's ``days``; raise when the preset leaves it for the locality to fill in."""
    if rule.days is None:
        raise DomainError(
            "rule_figure_missing",
            f"“{rule.name}”规则没有设置天数，请在“规则设置”中按本地规定填写",
            "days", leave_type=rule.code,
        )
    return rule.days


@dataclass(frozen=True)
class LeaveWarning:
    """Something the clerk should see but may override (not an error)."""

    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    days: Decimal | None
    reason: str


# ---------------------------------------------------------------------------
# Counting a request
# ---------------------------------------------------------------------------
def count_leave(rule: LeaveType, calendar: WorkCalendar, start: date, end: date,
                start_half: bool = False, end_half: bool = False) -> Decimal:
    """Days a leave of this type from start to end counts, in the type's count mode."""
    if (start_half or end_half) and not rule.half_day_allowed:
        raise DomainError("half_day_not_allowed", f"“{rule.name}”不能按半天请假，请取消半天选项",
                          "start_date" if start_half else "end_date", leave_type=rule.code)
    return calendar.count_days(start, end, rule.count_mode, start_half, end_half)


def with_travel_days(rule: LeaveType, days: Decimal, travel_days: Any = 0) -> Decimal:
    """Add travel days (路程假) where the rule allows them."""
    travel = to_days(travel_days, "travel_days")
    if travel and not rule.params.get("travel_days_allowed", False):
        raise DomainError("travel_days_not_allowed", f"“{rule.name}”不给路程假，请把路程天数改为 0",
                          "travel_days", leave_type=rule.code)
    return days + travel


# ---------------------------------------------------------------------------
# 年休假
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnualEntitlement:
    days: Decimal
    tier_years: int          # full years of service counted for the year (see module doc)
    reason: str              # Chinese explanation; always set, essential when days == 0
    reason_code: str = "ok"  # ok | not_eligible | personal_leave | sick_leave | forfeited

    @property
    def excluded(self) -> bool:
        """True when 条例第四条 / 实施办法第四条 took this year's leave away."""
        return self.reason_code in ("personal_leave", "sick_leave", "forfeited")


def annual_tier_years(work_start: date, year: int) -> int:
    """Service years counted for ``year``: completed on 30 November (month-after rule)."""
    return full_years(work_start, date(year, 11, 30))


def _tier_value(table: Sequence[Sequence[Any]], years: int) -> Decimal | None:
    """Value of the highest row [min_years, value] with min_years <= years."""
    found = None
    for min_years, value in sorted(table, key=lambda row: row[0]):
        if years >= min_years:
            found = _num(value)
    return found


def _sick_threshold_days(rule: LeaveType, tier_years: int) -> tuple[Decimal, Decimal] | None:
    months = _tier_value(rule.param("sick_exclusion_months"), tier_years)
    if months is None:
        return None
    return months, months * _num(rule.param("sick_month_days"))


def annual_entitlement(work_start: date, year: int, rule: LeaveType, *,
                       personal_leave_days: Any = 0, sick_leave_days: Any = 0,
                       forfeited_by_prev_year: bool = False) -> AnnualEntitlement:
    """Annual leave days for ``year``.

    ``personal_leave_days``: the year's 事假 for which pay was not deducted.
    ``sick_leave_days``: the year's sick leave in calendar days.
    ``forfeited_by_prev_year``: result of ``annual_lost_next_year`` for year - 1.
    """
    personal = to_days(personal_leave_days, "personal_leave_days")
    sick = to_days(sick_leave_days, "sick_leave_days")
    tier_years = annual_tier_years(work_start, year)
    tier_days = _tier_value(rule.param("tiers"), tier_years)
    if tier_days is None or tier_years < 1:
        return AnnualEntitlement(
            _ZERO, max(tier_years, 0),
            "参加工作未满1年（满1年后的次月起才享受年休假；周年日在12月的，从次年起享受）",
            "not_eligible",
        )
    if forfeited_by_prev_year:
        return AnnualEntitlement(_ZERO, tier_years, "上年已休年假后出现第四条情形，本年度不再享受",
                                 "forfeited")
    personal_limit = _num(rule.param("personal_exclusion_days"))
    if personal >= personal_limit:
        return AnnualEntitlement(
            _ZERO, tier_years,
            f"当年事假累计{_fmt_days(personal_limit)}天以上（单位未扣工资），不享受当年年休假"
            f"（已请事假{_fmt_days(personal)}天）",
            "personal_leave",
        )
    sick_limit = _sick_threshold_days(rule, tier_years)
    if sick_limit is not None and sick >= sick_limit[1]:
        return AnnualEntitlement(
            _ZERO, tier_years,
            f"当年病假累计{_fmt_days(sick_limit[0])}个月以上（累计工作{tier_years}年），不享受当年年休假"
            f"（已请病假{_fmt_days(sick)}天，按每月{_fmt_days(_num(rule.param('sick_month_days')))}天计）",
            "sick_leave",
        )
    return AnnualEntitlement(tier_days, tier_years,
                             f"累计工作满{tier_years}年，年休假{_fmt_days(tier_days)}天（工作日）")


@dataclass(frozen=True)
class LeaveEvent:
    """A leave of the year, for ``annual_lost_next_year``."""

    on: date
    type_code: str
    days: Decimal


def annual_lost_next_year(events: Iterable[Any], *, work_start: date, year: int,
                          rule: LeaveType) -> bool:
    """Is next year's annual leave forfeited (实施办法第四条)?

    ``events``: the cadre's leave of the year as ``LeaveEvent``, ``(date, type_code,
    days)`` tuples or records with ``start``/``type_code``/``days``/``status``
    (only statuses that count as taken are read).  Events are read in date
    order (ties keep the given order).  True when annual leave had been taken
    before the 事假 or 病假 total first reached its 条例第四条 threshold.
    """
    tier_years = annual_tier_years(work_start, year)
    if tier_years < 1:
        return False
    personal_limit = _num(rule.param("personal_exclusion_days"))
    sick_limit = _sick_threshold_days(rule, tier_years)
    rows = []
    for event in events:
        if isinstance(event, tuple):
            on, code, days = event
        else:
            if getattr(event, "status", STATUS_APPROVED) not in TAKEN_STATUSES:
                continue
            on = getattr(event, "on", None) or event.start
            code, days = event.type_code, event.days
        if on.year == year:
            rows.append((on, code, to_days(days)))
    rows.sort(key=lambda row: row[0])
    annual = personal = sick = _ZERO
    for _on, code, days in rows:
        if code == ANNUAL:
            annual += days
        elif code == PERSONAL:
            personal += days
            if personal >= personal_limit:
                return annual > 0
        elif code == SICK:
            sick += days
            if sick_limit is not None and sick >= sick_limit[1]:
                return annual > 0
    return False


@dataclass(frozen=True)
class AnnualDeferral:
    """An explicit decision to move annual-leave days to the next year (at most one year)."""

    from_year: int
    to_year: int
    days: Decimal
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", to_days(self.days))
        if self.to_year != self.from_year + 1:
            raise DomainError(
                "deferral_too_long",
                f"年休假只能跨1个年度安排：{self.from_year}年的假期只能顺延到{self.from_year + 1}年",
                "to_year", from_year=self.from_year, to_year=self.to_year,
            )
        if self.days <= 0:
            raise DomainError("invalid_days", "顺延天数应大于 0", "days", days=self.days)


@dataclass(frozen=True)
class AnnualBalance:
    year: int
    entitled: Decimal
    deferred_in: Decimal     # recorded deferral from year - 1
    deferred_out: Decimal    # recorded deferral to year + 1
    taken: Decimal
    remaining: Decimal       # may be negative when more was taken than available
    reason: str


def annual_balance(year: int, entitlement: AnnualEntitlement, *,
                   deferrals: Iterable[AnnualDeferral] = (), taken: Any = 0) -> AnnualBalance:
    """The year's annual-leave account.

    ``taken``: annual leave days of the year that count as taken (see ``taken_days``).
    When 第四条 applies (``entitlement.excluded``) nothing more is granted this
    year; days already taken are not clawed back (remaining never below 0).
    """
    taken_days_ = to_days(taken, "taken")
    deferrals = list(deferrals)
    deferred_in = sum((d.days for d in deferrals if d.to_year == year), _ZERO)
    deferred_out = sum((d.days for d in deferrals if d.from_year == year), _ZERO)
    remaining = entitlement.days + deferred_in - deferred_out - taken_days_
    reason = entitlement.reason
    if entitlement.excluded:
        remaining = max(remaining, _ZERO)
    if deferred_in:
        reason += f"；另有上年顺延{_fmt_days(deferred_in)}天"
    if deferred_out:
        reason += f"；顺延至下年{_fmt_days(deferred_out)}天"
    return AnnualBalance(year, entitlement.days, deferred_in, deferred_out, taken_days_, remaining, reason)


def validate_deferral(deferral: AnnualDeferral, from_year_balance: AnnualBalance) -> None:
    """A deferral may move at most the unused part of the year's own entitlement.

    ``from_year_balance`` is the from-year balance computed without this deferral.
    Days already deferred in cannot be deferred again (one year at most).
    """
    limit = min(from_year_balance.remaining, from_year_balance.entitled)
    if deferral.days > limit:
        raise DomainError(
            "deferral_exceeds_balance",
            f"{deferral.from_year}年最多可顺延{_fmt_days(max(limit, _ZERO))}天年休假，"
            f"请把顺延天数改为不超过该数",
            "days", limit=limit, days=deferral.days,
        )


def check_balance(requested: Any, remaining: Any, *, type_name: str = "年休假") -> LeaveWarning | None:
    """A warning (not an error) when a request exceeds the remaining balance."""
    req = to_days(requested, "days")
    rem = _num(remaining)
    if req > rem:
        return LeaveWarning(
            "balance_exceeded",
            f"本次申请{_fmt_days(req)}天，超过{type_name}剩余的{_fmt_days(max(rem, _ZERO))}天，请核对",
            {"requested": req, "remaining": rem},
        )
    return None


# ---------------------------------------------------------------------------
# Records: statuses, totals and overlap
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LeavePeriod:
    """When a leave runs: start in the afternoon (start_half) / end at noon (end_half)."""

    start: date
    end: date
    start_half: bool = False
    end_half: bool = False
    status: str = STATUS_APPROVED
    record_id: int | None = None


@dataclass(frozen=True)
class LeaveRecord:
    """The domain view of a stored leave record."""

    type_code: str
    start: date
    end: date
    days: Decimal
    start_half: bool = False
    end_half: bool = False
    status: str = STATUS_APPROVED
    record_id: int | None = None


def taken_days(records: Iterable[Any], *, type_code: str, year: int | None = None) -> Decimal:
    """Sum of days of ``type_code`` that count as taken (optionally in the start year)."""
    total = _ZERO
    for rec in records:
        if rec.type_code != type_code or not counts_as_taken(rec.status):
            continue
        if year is not None and rec.start.year != year:
            continue
        total += to_days(rec.days)
    return total


def _as_period(item: Any) -> LeavePeriod:
    if isinstance(item, LeavePeriod):
        return item
    if isinstance(item, tuple):
        return LeavePeriod(*item)
    return LeavePeriod(item.start, item.end, getattr(item, "start_half", False),
                       getattr(item, "end_half", False), getattr(item, "status", STATUS_APPROVED),
                       getattr(item, "record_id", None))


def _half_slots(p: LeavePeriod) -> tuple[int, int]:
    """Inclusive half-day slots: morning of day n = 2n, afternoon = 2n + 1."""
    first = 2 * p.start.toordinal() + (1 if p.start_half else 0)
    last = 2 * p.end.toordinal() + (0 if p.end_half else 1)
    return first, last


def _fmt_period(p: LeavePeriod) -> str:
    start = fmt_cn(p.start) + ("下午" if p.start_half else "")
    end = fmt_cn(p.end) + ("上午" if p.end_half else "")
    return start if (p.start == p.end and not (p.start_half or p.end_half)) else f"{start} 至 {end}"


def check_overlap(new: Any, existing: Iterable[Any]) -> None:
    """Refuse a leave that overlaps another leave of the same cadre.

    ``new`` / ``existing``: ``LeavePeriod``, ``LeaveRecord`` or
    ``(start, end, start_half, end_half)`` tuples.  已撤销 leave is ignored, and
    so is the record being edited (same ``record_id``).  A leave ending at noon
    and another starting that afternoon do not overlap.
    """
    p = _as_period(new)
    if p.end < p.start:
        raise DomainError("end_before_start", "结束日期早于开始日期，请修改结束日期", "end_date")
    a0, a1 = _half_slots(p)
    for other in existing:
        q = _as_period(other)
        if not occupies_calendar(q.status):
            continue
        if p.record_id is not None and q.record_id == p.record_id:
            continue
        b0, b1 = _half_slots(q)
        if a0 <= b1 and b0 <= a1:
            raise DomainError(
                "leave_overlap",
                f"与已有请假（{_fmt_period(q)}）时间重叠，同一人不能重复请假，请调整开始或结束日期",
                "start_date", other_start=q.start, other_end=q.end, other_id=q.record_id,
            )


# ---------------------------------------------------------------------------
# 探亲假
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FamilyInfo:
    relation: str                       # roster relation: 配偶, 父亲, 母亲, 子女, 岳父 …
    lives_with: bool                    # lives with the cadre
    reunites_on_rest_days: bool = False  # lives apart but can meet on rest days
    alive: bool = True


@dataclass(frozen=True)
class HomeVisitTaken:
    date_taken: date
    kind: str                        # 'spouse' | 'parents'
    days: Decimal                    # leave days, travel days excluded
    period_years: int | None = None  # 1, 2 (45-day scheme) or 4; inferred when None


@dataclass(frozen=True)
class HomeVisitOption:
    kind: str            # 'spouse' | 'parents'
    days: Decimal        # calendar days, travel days not included
    period_years: int
    available: bool
    reason: str
    travel_days: Decimal = _ZERO

    @property
    def total_days(self) -> Decimal:
        return self.days + self.travel_days


def _as_visit(item: Any) -> HomeVisitTaken:
    if isinstance(item, HomeVisitTaken):
        return item
    return HomeVisitTaken(*item)


def home_visit_eligibility(married: bool, family: Iterable[FamilyInfo], work_start: date, on: date,
                           history: Iterable[Any], rule: LeaveType, *,
                           travel_days: Any = 0) -> list[HomeVisitOption]:
    """探亲假 options on date ``on`` (国发〔1981〕36号).

    Married: visit spouse (30 days, yearly) and visit parents (20 days, every 4
    years).  Unmarried: visit parents 20 days yearly, or 45 days once every 2
    years.  Only when living apart from the spouse / from both parents and
    unable to reunite on rest days, after a full year of work.  ``history``:
    ``HomeVisitTaken`` or ``(date_taken, kind, days[, period_years])``; a
    parents visit without period_years counts as the 2-year scheme when its days
    exceed the yearly figure.  ``travel_days`` is added to available options.
    """
    travel = to_days(travel_days, "travel_days")
    family = [f for f in family if f.alive]
    visits = [_as_visit(v) for v in history]
    year = on.year
    years_worked = full_years(work_start, on)
    min_service = int(rule.param("min_service_years"))
    service_reason = None
    if years_worked < min_service:
        service_reason = f"参加工作未满{min_service}年，暂不享受探亲假"

    yearly_parent_days = _num(rule.param("unmarried_parents_days"))

    def covering(v: HomeVisitTaken) -> int:
        if v.period_years is not None:
            return int(v.period_years)
        if _num(v.days) > yearly_parent_days:
            return int(rule.param("unmarried_parents_biennial_period_years"))
        return int(rule.param("unmarried_parents_period_years"))

    def make(kind: str, days_key: str, period_key: str, blocked: str | None, who: str) -> HomeVisitOption:
        days = _num(rule.param(days_key))
        period = int(rule.param(period_key))
        if blocked:
            return HomeVisitOption(kind, days, period, False, blocked)
        every = "每年一次" if period == 1 else f"每{period}年一次"
        ok = f"可{who}，{every}，{_fmt_days(days)}天（含公休假日和法定节日，路程假另计）"
        return HomeVisitOption(kind, days, period, True, ok, travel)

    # --- parents: must live apart from father AND mother (either one reachable → no)
    parents = [f for f in family if f.relation in PARENTS]
    if not parents:
        parents_block = "家庭成员中没有登记健在的父亲或母亲（岳父母、公婆不属于探望父母的范围）"
    elif any(f.lives_with or f.reunites_on_rest_days for f in parents):
        parents_block = "与父亲或母亲同住（或能在公休假日团聚），不享受探望父母的探亲假"
    else:
        parents_block = service_reason
    parent_visits = sorted((v for v in visits if v.kind == "parents"), key=lambda v: v.date_taken)

    options: list[HomeVisitOption] = []
    if married:
        spouse = [f for f in family if f.relation == SPOUSE]
        if not spouse:
            block = "家庭成员中没有登记配偶"
        elif any(f.lives_with or f.reunites_on_rest_days for f in spouse):
            block = "与配偶同住（或能在公休假日团聚），不享受探望配偶的探亲假"
        else:
            block = service_reason
        if block is None:
            period = int(rule.param("spouse_period_years"))
            recent = [v for v in visits if v.kind == "spouse" and year - v.date_taken.year < period]
            if recent:
                last = max(recent, key=lambda v: v.date_taken)
                block = (f"{last.date_taken.year}年已休过探望配偶的探亲假（{fmt_cn(last.date_taken)}），"
                         f"每{period}年一次，{last.date_taken.year + period}年起可再休")
        options.append(make("spouse", "spouse_days", "spouse_period_years", block, "探望配偶"))

        block = parents_block
        if block is None:
            period = int(rule.param("married_parents_period_years"))
            recent = [v for v in parent_visits if year - v.date_taken.year < period]
            if recent:
                last = recent[-1]
                block = (f"上次探望父母在{last.date_taken.year}年（{fmt_cn(last.date_taken)}），"
                         f"已婚职工每{period}年一次，{last.date_taken.year + period}年起可再休")
        options.append(make("parents", "married_parents_days", "married_parents_period_years", block,
                            "探望父母（已婚职工）"))
    else:
        block = parents_block
        if block is None:
            recent = [v for v in parent_visits if year - v.date_taken.year < covering(v)]
            if recent:
                last = recent[-1]
                span = covering(last)
                if span > 1:
                    block = (f"{last.date_taken.year}年已按两年一次休过探望父母假（{fmt_cn(last.date_taken)}），"
                             f"{last.date_taken.year + span}年起可再休")
                else:
                    block = (f"{last.date_taken.year}年已休过探望父母的探亲假（{fmt_cn(last.date_taken)}），"
                             f"{last.date_taken.year + 1}年起可再休")
        options.append(make("parents", "unmarried_parents_days", "unmarried_parents_period_years", block,
                            "探望父母（未婚职工）"))
        options.append(make("parents", "unmarried_parents_biennial_days",
                            "unmarried_parents_biennial_period_years", block,
                            "探望父母（未婚职工，也可选择合并休假）"))
    return options


# ---------------------------------------------------------------------------
# 产假, 陪产假, 育儿假, 独生子女父母护理假, 婚假, 丧假
# ---------------------------------------------------------------------------
def maternity_days(rule: LeaveType, *, difficult_birth: bool = False, babies: int = 1,
                   miscarriage_months: Any = None, child_order: int = 1) -> Decimal:
    """产假 in calendar days.

    Birth: base + provincial_extra + difficult_birth (if so) + per_extra_baby ×
    (babies − 1) + second_third_child_extra when child_order >= 2 (Zhejiang:
    158 first child, 188 second/third; a 4th child gets the 2nd/3rd figure —
    the Zhejiang text names only 二孩、三孩).  Miscarriage (``miscarriage_months``
    = completed months of pregnancy): < 4 → miscarriage_lt4m, ≥ 4 → miscarriage_ge4m.
    """
    if miscarriage_months is not None:
        months = _num(miscarriage_months)
        if months < 0:
            raise DomainError("invalid_months", "怀孕月数不能为负数", "miscarriage_months")
        key = "miscarriage_lt4m" if months < 4 else "miscarriage_ge4m"
        return _num(rule.param(key))
    if babies < 1:
        raise DomainError("invalid_babies", "婴儿数至少为 1", "babies", babies=babies)
    if child_order < 1:
        raise DomainError("invalid_child_order", "孩次至少为 1（一孩）", "child_order", child_order=child_order)
    total = _num(rule.param("base")) + _num(rule.params.get("provincial_extra", 0))
    if difficult_birth:
        total += _num(rule.param("difficult_birth"))
    total += _num(rule.param("per_extra_baby")) * (babies - 1)
    if child_order >= 2:
        total += _num(rule.params.get("second_third_child_extra", 0))
    return total


def childcare_eligibility(rule: LeaveType, child_birth_dates: Iterable[date], on: date) -> Eligibility:
    """育儿假: each parent, each year, while a child is under ``child_max_age``.

    ``on`` should be the leave's last day.  The yearly days do not multiply with
    the number of children (per parent per year).
    """
    max_age = int(rule.param("child_max_age"))
    births = [b for b in child_birth_dates if b <= on]
    young = [b for b in births if full_years(b, on) < max_age]
    if not young:
        reason = (f"没有未满{max_age}周岁的子女（育儿假在子女{max_age}周岁前享受）" if births
                  else "家庭成员中没有登记子女出生日期")
        return Eligibility(False, None, reason)
    days = required_days(rule)
    return Eligibility(True, days, f"子女未满{max_age}周岁，每年可休育儿假{_fmt_days(days)}天，不结转")


def only_child_carer_eligibility(rule: LeaveType, *, is_only_child: bool, parent_birth_date: date,
                                 parent_hospitalised: bool, on: date) -> Eligibility:
    """独生子女父母护理假: the only child of a parent aged >= parent_min_age in hospital."""
    min_age = int(rule.param("parent_min_age"))
    if not is_only_child:
        return Eligibility(False, None, "非独生子女，不享受独生子女父母护理假")
    age = full_years(parent_birth_date, on)
    if age < min_age:
        return Eligibility(False, None, f"父母未满{min_age}周岁（现{max(age, 0)}周岁）")
    if rule.params.get("requires_hospitalisation", True) and not parent_hospitalised:
        return Eligibility(False, None, "父母住院治疗期间才可享受护理假")
    days = required_days(rule)
    return Eligibility(True, days, f"父母年满{min_age}周岁住院治疗，每年可休护理假{_fmt_days(days)}天")


def marriage_days(rule: LeaveType, *, travel_days: Any = 0) -> Decimal:
    """婚假 days plus travel days where allowed."""
    return with_travel_days(rule, required_days(rule), travel_days)


def bereavement_eligibility(rule: LeaveType, relation: str, *, travel_days: Any = 0) -> Eligibility:
    """丧假 for the death of a relation listed in the rule (parents, spouse, child …)."""
    relations = list(rule.param("relations")) + list(rule.params.get("extra_relations", []))
    if relation not in relations:
        return Eligibility(False, None,
                           f"按现行规定，{relation}去世不在丧假范围内（适用：{'、'.join(relations)}）")
    base = required_days(rule)
    days = with_travel_days(rule, base, travel_days)
    travel_note = f"，另加路程假{_fmt_days(days - base)}天" if days > base else ""
    return Eligibility(True, days, f"{relation}去世，丧假{_fmt_days(base)}天{travel_note}")


# ---------------------------------------------------------------------------
# 病假, 事假, 疗休养 and yearly caps
# ---------------------------------------------------------------------------
def needs_certificate(rule: LeaveType, days: Any) -> bool:
    """Whether this leave needs a certificate: always, or from the threshold upwards (>=)."""
    if not rule.certificate_required:
        return False
    if rule.certificate_threshold_days is None:
        return True
    return to_days(days) >= rule.certificate_threshold_days


def yearly_cap(rule: LeaveType) -> Decimal | None:
    """The yearly ceiling: params.yearly_cap_days, or ``days`` for per-year types."""
    if "yearly_cap_days" in rule.params:
        cap = rule.params["yearly_cap_days"]
        return None if cap is None else _num(cap)
    if rule.params.get("per_year"):
        return rule.days
    return None


def check_yearly_cap(rule: LeaveType, requested: Any, taken_this_year: Any = 0) -> LeaveWarning | None:
    """Warn (local caps are not errors) when the year's total would exceed the cap."""
    cap = yearly_cap(rule)
    if cap is None:
        return None
    req = to_days(requested, "days")
    taken = to_days(taken_this_year, "taken")
    if taken + req > cap:
        return LeaveWarning(
            "yearly_cap_exceeded",
            f"{rule.name}本年已请{_fmt_days(taken)}天，再请{_fmt_days(req)}天将超过每年{_fmt_days(cap)}天的上限，请核对",
            {"cap": cap, "taken": taken, "requested": req},
        )
    return None


def check_recuperation(rule: LeaveType, days: Any, *, out_of_province: bool, on: date,
                       history: Iterable[tuple[date, bool]] = ()) -> list[LeaveWarning]:
    """疗休养 caps (local, so warnings): days in/out of province, and no out-of-province
    trip again within ``out_of_province_gap_years`` calendar years of the last one.

    ``history``: earlier trips as ``(date, out_of_province)``.
    """
    warnings: list[LeaveWarning] = []
    req = to_days(days, "days")
    key = "out_of_province_max_days" if out_of_province else "in_province_max_days"
    cap = rule.params.get(key)
    where = "省外" if out_of_province else "省内"
    if cap is not None and req > _num(cap):
        warnings.append(LeaveWarning(
            "recuperation_days_exceeded",
            f"{where}疗休养一般不超过{_fmt_days(_num(cap))}天，本次{_fmt_days(req)}天，请核对",
            {"cap": _num(cap), "days": req},
        ))
    if out_of_province:
        gap = int(rule.param("out_of_province_gap_years"))
        previous = [d for d, out in history if out and d < on and on.year - d.year < gap]
        if previous:
            last = max(previous)
            warnings.append(LeaveWarning(
                "recuperation_repeated",
                f"{last.year}年已参加过省外疗休养（{fmt_cn(last)}），{gap}年内一般不重复安排，"
                f"{last.year + gap}年起可再安排",
                {"last": last, "gap_years": gap},
            ))
    return warnings
