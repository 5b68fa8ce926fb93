"""Allowances (津贴补贴): 艰苦边远地区津贴, 乡镇工作补贴, and monthly payout batches.

Every amount, band, share and waiting period is a dated row (presets:
``resources/presets/<preset>/allowance_rates.json``, loaded by
``presets.load_allowance_rates``; editable in the app).  Money is integer fen
(see money.py).  Nothing here holds a figure.

Sources:

* 艰苦边远地区津贴 — 《国务院关于改革公务员工资制度的通知》（国发〔2006〕22号）；人事部、财政部
  《完善艰苦边远地区津贴制度实施方案》（国人部发〔2006〕61号，2006-07-01起）：六类区，按类区和
  职务（岗位）确定标准；离休人员按当地同职务在职人员标准增加离休费，退休人员按 85%，
  退职人员按 60%。National figures could not be verified, so the matrix ships
  **empty** and a lookup with no row raises ``rate_missing`` (never a guess).
* 乡镇工作补贴 — national notice effective 2015-01-01: 乡镇机关和乡镇事业单位在编在岗正式工作人员
  (不含街道办事处), 月人均不低于 200 元, may rise with years worked in townships and
  for remote townships.  Hunan example (DOMAIN.md §3): 不满10年 200, 满10年不满15年
  260, … 满30年 500 元/月, 条件特别艰苦的偏远乡镇 +100 元; 自到乡镇工作之月起按月发放;
  调离或退休的下月起停发; 上级派驻乡镇工作满6个月的享受; 因脱产学习、借调等离开工作岗位
  1个月以上的不发放.

Interpretations chosen here (the texts leave them open):

* **Rows in force for a month** are those in force on the **last day** of the
  month, so a rate dated in a month applies to that whole month ("a change
  applies from its effective month").  Matrix cells (area class × band),
  retiree shares, township supplements and township rules are picked per key
  (latest ``effective_from``); band tables (hardship bands, township year
  bands) are picked **as a whole version**: the rows sharing the latest
  ``effective_from`` on or before that day, so a new table can restructure.
* **Hardship band** of a cadre: the band of the leadership level and the band
  of the rank are both looked up; the higher band (smaller ``order``) wins
  (pay follows the higher of post and rank under 职务职级并行).  No band →
  ``band_missing`` (fill in the band table), never a guess.
* **Retirees** (hardship only): the retiree share applies from the month after
  retirement (the retirement month is still paid as serving); the band is the
  one recorded on the cadre (last post/rank).  A status of 退休/离休/调离 with no
  date is taken as already in effect for every month computed.
* **Township years**: full years from 到乡镇工作时间 to the last day of the month
  (an anniversary in the month lifts the band for that month), with recorded
  breaks subtracted: the start is moved later by the number of break days
  (both ends inclusive, overlapping breaks merged, only days between the start
  and the month end counted).  Suspensions do not reduce years unless also
  recorded as breaks.
* **Arrival and leaving**: paid from the month of 到乡镇工作时间; the month of
  transfer or retirement is paid, the month after is not.
* **Sent down from above (上级派驻)**: eligible from the month in which the
  waiting period completes: the date ``sent_down_on + N months`` (same day of
  month, clamped to the month end).  No back-pay for the waiting months.
* **Suspension**: a recorded period of a listed kind (脱产学习, 借调) counts when it
  lasts **over** the threshold (DOMAIN.md: "over 1 month"): the last day is on
  or after the same day N months after the start (1 March – 31 March is exactly
  one month and does not count; 1 March – 1 April does).  The preset flag
  ``suspension_inclusive`` makes exactly N months count too (the Hunan text
  says “1个月以上”, which in legal usage includes the figure).  A counting
  period suspends **every calendar month it touches**.  An open period (no end)
  counts as long.
* **Batches**: a locked month never changes; corrections are 补发 (positive) or
  扣减 (negative amount) lines in a later month naming the month they correct.

``MonthRates`` resolves the tables once for a month; ``generate`` uses it so a
month for tens of thousands of cadres stays fast (50,000 cadres ≈ 1 s here).
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .dates import fmt_month_date
from .errors import DomainError
from .money import check_fen, format_yuan, share, sum_fen, to_percent

# ---------------------------------------------------------------------------
# Codes (defined once, here)
# ---------------------------------------------------------------------------
HARDSHIP = "hardship"
TOWNSHIP = "township"
SCHEME_NAMES: dict[str, str] = {HARDSHIP: "艰苦边远地区津贴", TOWNSHIP: "乡镇工作补贴"}

LINE_REGULAR = "regular"
LINE_BACK_PAY = "back_pay"
LINE_DEDUCTION = "deduction"
LINE_KIND_NAMES: dict[str, str] = {LINE_REGULAR: "正常发放", LINE_BACK_PAY: "补发", LINE_DEDUCTION: "扣减"}

RETIRED = "退休"
LIFELONG_RETIRED = "离休"
RESIGNED_RETIRED = "退职"
RETIREMENT_KINDS = (RETIRED, LIFELONG_RETIRED, RESIGNED_RETIRED)
TRANSFERRED = "调离"
SECONDED = "借调"

ESPECIALLY_HARD = "especially_hard"
SUPPLEMENT_NAMES = {ESPECIALLY_HARD: "条件特别艰苦乡镇加发"}

NO_AREA = ("", "无")

BATCH_DRAFT = "草稿"
BATCH_LOCKED = "已锁定"


# ---------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------
def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month end (31 Jan + 1 → 28/29 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    year, month0 = divmod(index, 12)
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


def fmt_month(d: date) -> str:
    return f"{d.year}年{d.month}月"


def _fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _same_month(a: date, b: date) -> bool:
    return (a.year, a.month) == (b.year, b.month)


# ---------------------------------------------------------------------------
# Rate rows
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class HardshipScheme:
    """The area classes of the scheme (一类 … 六类), dated."""

    area_classes: tuple[str, ...]
    effective_from: date
    source: str = ""
    notes: str = ""


@dataclass(frozen=True)
class HardshipBand:
    """One post/rank band of the hardship matrix; rows sharing a date form one table."""

    band: str
    order: int                         # 1 = highest band
    leadership_levels: tuple[str, ...]
    ranks: tuple[str, ...]
    effective_from: date
    source: str = ""
    example: bool = False
    notes: str = ""


@dataclass(frozen=True)
class HardshipRate:
    """One cell of the matrix: monthly amount for an area class and band."""

    area_class: str
    band: str
    amount_fen: int
    effective_from: date
    source: str = ""
    example: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        if check_fen(self.amount_fen, "津贴标准") < 0:
            raise DomainError("invalid_amount", "津贴标准不能为负数", "amount_fen")


@dataclass(frozen=True)
class RetireeShare:
    """Share of the serving figure for 离休 / 退休 / 退职 (percent, Decimal)."""

    kind: str
    percent: Decimal
    effective_from: date
    source: str = ""
    example: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", to_percent(self.percent))


@dataclass(frozen=True)
class TownshipRule:
    """Who gets the township subsidy, and the waiting/suspension periods."""

    effective_from: date
    township_categories: tuple[str, ...]      # e.g. 乡, 镇 (not 街道)
    personnel_statuses: tuple[str, ...]       # regular staff kinds
    sent_down_wait_months: int
    suspension_kinds: tuple[str, ...]         # e.g. 脱产学习, 借调
    suspension_min_months: int
    suspension_inclusive: bool = False        # True: exactly N months already suspends
    source: str = ""
    example: bool = False
    example_fields: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class TownshipBand:
    """From ``min_years`` full years in townships: monthly amount (rows sharing a date form one table)."""

    min_years: int
    amount_fen: int
    effective_from: date
    source: str = ""
    example: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        if self.min_years < 0:
            raise DomainError("invalid_band", "乡镇工作年限档次的起始年限不能为负数", "min_years")
        if check_fen(self.amount_fen, "补贴标准") < 0:
            raise DomainError("invalid_amount", "补贴标准不能为负数", "amount_fen")


@dataclass(frozen=True)
class TownshipSupplement:
    """Extra monthly amount, e.g. for especially hard townships (kind ``especially_hard``)."""

    kind: str
    amount_fen: int
    effective_from: date
    source: str = ""
    example: bool = False
    notes: str = ""

    def __post_init__(self) -> None:
        if check_fen(self.amount_fen, "加发标准") < 0:
            raise DomainError("invalid_amount", "加发标准不能为负数", "amount_fen")


@dataclass(frozen=True)
class AllowanceRates:
    """All allowance rate tables of a preset (or of the database)."""

    hardship_schemes: tuple[HardshipScheme, ...] = ()
    hardship_bands: tuple[HardshipBand, ...] = ()
    hardship_rates: tuple[HardshipRate, ...] = ()
    retiree_shares: tuple[RetireeShare, ...] = ()
    township_rules: tuple[TownshipRule, ...] = ()
    township_bands: tuple[TownshipBand, ...] = ()
    township_supplements: tuple[TownshipSupplement, ...] = ()
    preset: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        for name in ("hardship_schemes", "hardship_bands", "hardship_rates", "retiree_shares",
                     "township_rules", "township_bands", "township_supplements"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


def _latest(rows: Iterable[Any], on: date, match: Callable[[Any], bool] = lambda r: True) -> Any | None:
    best = None
    for row in rows:
        if row.effective_from <= on and match(row):
            if best is None or row.effective_from >= best.effective_from:
                best = row
    return best


def table_in_force(rows: Iterable[Any], on: date) -> list[Any]:
    """The whole table version in force on ``on``: rows sharing the latest date ≤ ``on``."""
    rows = [r for r in rows if r.effective_from <= on]
    if not rows:
        return []
    latest = max(r.effective_from for r in rows)
    return [r for r in rows if r.effective_from == latest]


def area_classes(rates: AllowanceRates, on: date) -> tuple[str, ...]:
    scheme = _latest(rates.hardship_schemes, on)
    return scheme.area_classes if scheme else ()


def hardship_rate(rates: Iterable[HardshipRate], area_class: str, band: str, on: date) -> HardshipRate:
    """The matrix cell in force on ``on``; ``rate_missing`` when the table has none."""
    row = _latest(rates, on, lambda r: r.area_class == area_class and r.band == band)
    if row is None:
        raise DomainError(
            "rate_missing",
            f"“津贴标准”表中没有{area_class}区“{band}”在{_fmt_date(on)}适用的艰苦边远地区津贴标准，"
            f"请在“津贴补贴 → 津贴标准”中按本地文件填写（软件不预置、不估算标准）",
            "hardship_rate", area_class=area_class, band=band, on=on,
        )
    return row


def retiree_share(shares: Iterable[RetireeShare], kind: str, on: date) -> RetireeShare:
    row = _latest(shares, on, lambda r: r.kind == kind)
    if row is None:
        raise DomainError("rate_missing",
                          f"“津贴标准”表中没有{kind}人员在{_fmt_date(on)}适用的艰苦边远地区津贴比例，请补充",
                          "retiree_share", kind=kind, on=on)
    return row


def township_rule(rules: Iterable[TownshipRule], on: date) -> TownshipRule:
    row = _latest(rules, on)
    if row is None:
        raise DomainError("rule_not_in_force",
                          f"{_fmt_date(on)}没有生效的乡镇工作补贴规定（全国自2015年1月1日起执行），"
                          f"请在“津贴标准”中补充",
                          "township_rule", on=on)
    return row


def township_band(bands: Iterable[TownshipBand], years: int, on: date) -> TownshipBand:
    """The band for ``years`` full years in the table version in force on ``on``."""
    table = table_in_force(bands, on)
    found = None
    for row in sorted(table, key=lambda r: r.min_years):
        if years >= row.min_years:
            found = row
    if found is None:
        raise DomainError("rate_missing",
                          f"“津贴标准”表中没有乡镇工作满{years}年在{_fmt_date(on)}适用的乡镇工作补贴标准，"
                          f"请在“津贴补贴 → 津贴标准”中填写",
                          "township_band", years=years, on=on)
    return found


def township_band_label(bands: Iterable[TownshipBand], band: TownshipBand) -> str:
    """``不满10年`` / ``满10年不满15年`` / ``满30年以上`` within the band's own table version."""
    version = sorted((r for r in bands if r.effective_from == band.effective_from), key=lambda r: r.min_years)
    upper = next((r.min_years for r in version if r.min_years > band.min_years), None)
    if band.min_years == 0:
        return f"不满{upper}年" if upper is not None else "不限年限"
    if upper is None:
        return f"满{band.min_years}年以上"
    return f"满{band.min_years}年不满{upper}年"


def township_supplement(supplements: Iterable[TownshipSupplement], kind: str, on: date) -> TownshipSupplement:
    row = _latest(supplements, on, lambda r: r.kind == kind)
    if row is None:
        name = SUPPLEMENT_NAMES.get(kind, kind)
        raise DomainError("rate_missing",
                          f"单位为条件特别艰苦乡镇，但“津贴标准”表中没有{_fmt_date(on)}适用的“{name}”标准，"
                          f"请按本地文件填写（或取消单位的特别艰苦标记）",
                          "township_supplement", kind=kind, on=on)
    return row


# ---------------------------------------------------------------------------
# Cadre facts
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Suspension:
    """A period away from the post (脱产学习, 借调 …); ``end`` None = still away."""

    kind: str
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise DomainError("invalid_period", f"{self.kind}的结束日期早于开始日期，请核对", "end")


@dataclass(frozen=True)
class CadreFacts:
    """What the allowance rules need to know about one cadre."""

    cadre_id: Any = None
    name: str = ""
    unit: str = ""
    personnel_status: str = ""            # 公务员 / 参照公务员法管理 / 事业人员 / 工勤
    employment_status: str = "在职"        # 在职 / 借调 / 挂职 / 驻村 / 调离 / 退休 / 离休
    township_category: str = ""           # 乡 / 镇 / 街道 (of the unit)
    hardship_area_class: str = ""         # 无 / 一类 … 六类 (of the unit)
    especially_hard: bool = False         # unit is an especially hard township
    township_start_date: date | None = None
    township_breaks: tuple[tuple[date, date], ...] = ()
    transferred_on: date | None = None
    retired_on: date | None = None
    retirement_kind: str = ""             # 退休 / 离休 / 退职 ('' = from employment_status)
    sent_down_on: date | None = None      # sent down from an upper-level body
    suspensions: tuple[Suspension, ...] = ()
    rank: str = ""
    leadership_level: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "township_breaks", tuple(tuple(b) for b in self.township_breaks))
        object.__setattr__(self, "suspensions", tuple(
            s if isinstance(s, Suspension) else Suspension(*s) for s in self.suspensions))

    @property
    def retired_kind(self) -> str:
        """退休 / 离休 / 退职 when retired, else ''."""
        if self.retirement_kind:
            return self.retirement_kind
        if self.employment_status in (RETIRED, LIFELONG_RETIRED):
            return self.employment_status
        return RETIRED if self.retired_on is not None else ""


@dataclass(frozen=True)
class MonthEligibility:
    eligible: bool
    reason: str                      # Chinese, always set
    retiree_kind: str = ""           # hardship: paid as 退休/离休/退职 share
    warning: str = ""                # eligible, but the clerk should check something


def _merge(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[list[date]] = []
    for start, end in sorted(periods):
        if end < start:
            raise DomainError("invalid_period", f"间断时间 {_fmt_date(start)} 至 {_fmt_date(end)} 的结束早于开始，请核对",
                              "township_breaks")
        if out and start <= out[-1][1] + timedelta(days=1):
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def break_days(township_start: date, on: date, breaks: Iterable[tuple[date, date]]) -> int:
    """Days of recorded breaks between ``township_start`` and ``on`` (both inclusive, merged)."""
    total = 0
    for start, end in _merge(breaks):
        lo, hi = max(start, township_start), min(end, on)
        if hi >= lo:
            total += (hi - lo).days + 1
    return total


def _full_years(start: date, on: date) -> int:
    if on < start:
        return 0
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def township_years(township_start: date, on: date, breaks: Iterable[tuple[date, date]] = ()) -> int:
    """Full years worked in townships on ``on``, recorded breaks subtracted (see module doc)."""
    shifted = township_start + timedelta(days=break_days(township_start, on, breaks))
    return _full_years(shifted, on)


def suspension_counts(s: Suspension, rule: TownshipRule) -> bool:
    """Does this period suspend the subsidy (listed kind, longer than the threshold)?"""
    if s.kind not in rule.suspension_kinds:
        return False
    if s.end is None:
        return True
    limit = add_months(s.start, rule.suspension_min_months)
    if rule.suspension_inclusive:
        return s.end >= limit - timedelta(days=1)
    return s.end >= limit


def _left(facts: CadreFacts, month: date) -> str | None:
    """Why the cadre is no longer serving in ``month`` (transfer or retirement), else None."""
    if facts.transferred_on is not None:
        if month_start(month) > month_start(facts.transferred_on):
            return f"已于{_fmt_date(facts.transferred_on)}调离，从调离的下月起停发"
    elif facts.employment_status == TRANSFERRED:
        return "在职状态为调离（未登记调离时间），不再发放；如需按月计算，请登记调离时间"
    kind = facts.retired_kind
    if facts.retired_on is not None:
        if month_start(month) > month_start(facts.retired_on):
            return f"已于{_fmt_date(facts.retired_on)}{kind}，从{kind}的下月起停发"
    elif kind:
        return f"在职状态为{kind}（未登记{kind}时间），按已{kind}处理"
    return None


class MonthRates:
    """The rate tables resolved once for one month (rows in force on its last day).

    ``generate`` builds one and reuses it for every cadre; the public functions
    accept either this or ``AllowanceRates``.  A missing table raises only when
    a cadre needs it, with the same error as the lookup functions.
    """

    def __init__(self, rates: AllowanceRates, month: date):
        self.rates = rates
        self.first = month_start(month)
        self.last = month_end(month)
        last = self.last
        self.area_classes = area_classes(rates, last)
        self.township_rule = _latest(rates.township_rules, last)
        table = sorted(table_in_force(rates.township_bands, last), key=lambda r: r.min_years)
        self.township_table = [(band, township_band_label(table, band)) for band in table]
        self.level_band: dict[str, HardshipBand] = {}
        self.rank_band: dict[str, HardshipBand] = {}
        for band in table_in_force(rates.hardship_bands, last):
            for key, index in ((band.leadership_levels, self.level_band), (band.ranks, self.rank_band)):
                for name in key:
                    if name not in index or band.order < index[name].order:
                        index[name] = band
        self.cells: dict[tuple[str, str], HardshipRate] = {}
        for row in rates.hardship_rates:
            key = (row.area_class, row.band)
            if row.effective_from <= last and (key not in self.cells
                                               or row.effective_from >= self.cells[key].effective_from):
                self.cells[key] = row
        self.shares = {kind: retiree_share_or_none(rates.retiree_shares, kind, last) for kind in RETIREMENT_KINDS}
        self.supplements = {ESPECIALLY_HARD: _latest(rates.township_supplements, last,
                                                     lambda r: r.kind == ESPECIALLY_HARD)}

    def rule(self) -> TownshipRule:
        return self.township_rule or township_rule(self.rates.township_rules, self.last)

    def township_band(self, years: int) -> tuple[TownshipBand, str]:
        found = None
        for band, label in self.township_table:
            if years >= band.min_years:
                found = (band, label)
        if found is None:
            township_band(self.rates.township_bands, years, self.last)  # raises rate_missing
        assert found is not None
        return found

    def band_of(self, facts: CadreFacts) -> HardshipBand:
        found = [b for b in (self.level_band.get(facts.leadership_level), self.rank_band.get(facts.rank)) if b]
        if not found:
            return hardship_band(facts, self.rates.hardship_bands, self.last)  # raises band_missing
        return min(found, key=lambda b: b.order)

    def cell(self, area_class: str, band: str) -> HardshipRate:
        return self.cells.get((area_class, band)) or hardship_rate(self.rates.hardship_rates, area_class, band,
                                                                   self.last)

    def share_of(self, kind: str) -> RetireeShare:
        return self.shares.get(kind) or retiree_share(self.rates.retiree_shares, kind, self.last)

    def supplement(self, kind: str) -> TownshipSupplement:
        return self.supplements.get(kind) or township_supplement(self.rates.township_supplements, kind, self.last)


def retiree_share_or_none(shares: Iterable[RetireeShare], kind: str, on: date) -> RetireeShare | None:
    return _latest(shares, on, lambda r: r.kind == kind)


def _view(rates: AllowanceRates | MonthRates, month: date) -> MonthRates:
    if isinstance(rates, MonthRates) and rates.first == month_start(month):
        return rates
    base = rates.rates if isinstance(rates, MonthRates) else rates
    return MonthRates(base, month)


def township_eligibility(facts: CadreFacts, month: date, rates: AllowanceRates | MonthRates) -> MonthEligibility:
    """乡镇工作补贴 for the month containing ``month`` (DOMAIN.md §3)."""
    view = _view(rates, month)
    first, last = view.first, view.last
    rule = view.rule()
    if facts.township_category not in rule.township_categories:
        if not facts.township_category:
            return MonthEligibility(False, "单位未填写乡镇类别（乡、镇或街道），无法判断是否享受乡镇工作补贴，请在单位信息中补充")
        return MonthEligibility(
            False, f"单位属于{facts.township_category}，不享受乡镇工作补贴（范围为{'、'.join(rule.township_categories)}"
                   f"的机关和事业单位，不含街道办事处）")
    if facts.personnel_status not in rule.personnel_statuses:
        status = facts.personnel_status or "未填写"
        return MonthEligibility(
            False, f"人员身份为“{status}”，不在乡镇工作补贴范围（乡镇机关和事业单位在编在岗正式工作人员："
                   f"{'、'.join(rule.personnel_statuses)}）")
    if facts.township_start_date is None:
        return MonthEligibility(False, "未填写到乡镇工作时间，无法确定起发月份和工作年限，请在干部信息中补充")
    if first < month_start(facts.township_start_date):
        return MonthEligibility(
            False, f"到乡镇工作时间为{_fmt_date(facts.township_start_date)}，"
                   f"从{fmt_month(facts.township_start_date)}起发放")
    if facts.sent_down_on is not None:
        qualifies = add_months(facts.sent_down_on, rule.sent_down_wait_months)
        if first < month_start(qualifies):
            return MonthEligibility(
                False, f"上级机关派驻乡镇工作人员满{rule.sent_down_wait_months}个月后享受（派驻时间"
                       f"{_fmt_date(facts.sent_down_on)}，{_fmt_date(qualifies)}满{rule.sent_down_wait_months}个月，"
                       f"从{fmt_month(qualifies)}起发放）")
    left = _left(facts, month)
    if left:
        return MonthEligibility(False, left)
    for s in facts.suspensions:
        if not suspension_counts(s, rule):
            continue
        end = s.end or last
        if s.start <= last and end >= first:
            until = f"至{_fmt_date(s.end)}" if s.end else "起（尚未结束）"
            n = rule.suspension_min_months
            span = f"{n}个月以上" if rule.suspension_inclusive else f"超过{n}个月"
            return MonthEligibility(
                False, f"{_fmt_date(s.start)}{until}{s.kind}，离开工作岗位{span}，本月不发放乡镇工作补贴")
    warning = ""
    if facts.employment_status == SECONDED and not any(
            s.kind == SECONDED and s.start <= last and (s.end is None or s.end >= first) for s in facts.suspensions):
        warning = "在职状态为借调，但没有登记本月的借调起止时间；借调超过1个月的应停发，请核对"
    reason = "符合乡镇工作补贴条件（乡镇机关和事业单位正式工作人员）"
    if facts.sent_down_on is not None:
        reason = f"上级机关派驻乡镇工作已满{rule.sent_down_wait_months}个月，符合乡镇工作补贴条件"
    return MonthEligibility(True, reason, warning=warning)


def hardship_eligibility(facts: CadreFacts, month: date, rates: AllowanceRates | MonthRates) -> MonthEligibility:
    """艰苦边远地区津贴 for the month: serving staff in full, retirees a share."""
    area = facts.hardship_area_class
    if area in NO_AREA:
        return MonthEligibility(False, "单位所在地不在艰苦边远地区津贴实施范围（艰苦边远地区类别为“无”）")
    classes = _view(rates, month).area_classes
    if classes and area not in classes:
        return MonthEligibility(False, f"单位的艰苦边远地区类别“{area}”不是有效类别（{'、'.join(classes)}），请核对单位信息")
    if facts.transferred_on is not None and month_start(month) > month_start(facts.transferred_on):
        return MonthEligibility(False, f"已于{_fmt_date(facts.transferred_on)}调离，从调离的下月起停发")
    if facts.transferred_on is None and facts.employment_status == TRANSFERRED:
        return MonthEligibility(False, "在职状态为调离（未登记调离时间），不再发放；如需按月计算，请登记调离时间")
    kind = facts.retired_kind
    if kind and (facts.retired_on is None or month_start(month) > month_start(facts.retired_on)):
        if kind not in RETIREMENT_KINDS:
            return MonthEligibility(False, f"离退休类别“{kind}”无效，应为{'、'.join(RETIREMENT_KINDS)}")
        return MonthEligibility(True, f"{kind}人员按当地同职务在职人员标准的规定比例发放（{area}区）", retiree_kind=kind)
    return MonthEligibility(True, f"在艰苦边远地区（{area}区）机关事业单位工作，按在职人员标准发放")


def hardship_band(facts: CadreFacts, bands: Iterable[HardshipBand], on: date) -> HardshipBand:
    """The cadre's band in the table version in force on ``on`` (higher of post and rank)."""
    table = table_in_force(bands, on)
    found = [b for b in table
             if (facts.leadership_level and facts.leadership_level in b.leadership_levels)
             or (facts.rank and facts.rank in b.ranks)]
    if not found:
        who = facts.name or "该干部"
        raise DomainError(
            "band_missing",
            f"无法确定{who}的艰苦边远地区津贴档次：领导职务层次“{facts.leadership_level or '无'}”、"
            f"职级“{facts.rank or '无'}”都不在档次对照表中，请在干部信息中填写职务层次或职级，"
            f"或在“津贴标准 → 档次对照”中补充",
            "rank", leadership_level=facts.leadership_level, rank=facts.rank,
        )
    return min(found, key=lambda b: b.order)


# ---------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """One payout line: a scheme for one cadre in one month, with its basis."""

    scheme: str
    band: str
    area_class: str
    amount_fen: int
    basis: str
    cadre_id: Any = None
    cadre_name: str = ""
    unit: str = ""
    month: date | None = None             # month paid (first day)
    kind: str = LINE_REGULAR
    corrects_month: date | None = None    # back-pay / deduction: the month corrected
    reason: str = ""                      # adjustment or correction reason
    generated_fen: int | None = None      # amount as generated, when adjusted

    def __post_init__(self) -> None:
        check_fen(self.amount_fen, "发放金额")
        if self.scheme not in SCHEME_NAMES:
            raise DomainError("invalid_scheme", f"津贴项目“{self.scheme}”无效", "scheme")
        if self.kind not in LINE_KIND_NAMES:
            raise DomainError("invalid_line_kind", f"发放类型“{self.kind}”无效", "kind")
        if self.month is not None:
            object.__setattr__(self, "month", month_start(self.month))
        if self.corrects_month is not None:
            object.__setattr__(self, "corrects_month", month_start(self.corrects_month))
        if self.kind == LINE_REGULAR:
            if self.amount_fen < 0:
                raise DomainError("amount_negative", "正常发放金额不能为负数；多发的请在以后月份作扣减",
                                  "amount_fen")
            return
        if self.corrects_month is None:
            raise DomainError("corrects_month_required",
                              f"{LINE_KIND_NAMES[self.kind]}必须注明所更正的月份", "corrects_month")
        if self.kind == LINE_BACK_PAY and self.amount_fen <= 0:
            raise DomainError("amount_sign", "补发金额应大于 0", "amount_fen")
        if self.kind == LINE_DEDUCTION and self.amount_fen >= 0:
            raise DomainError("amount_sign", "扣减金额应为负数", "amount_fen")
        if not self.reason.strip():
            raise DomainError("reason_required", f"{LINE_KIND_NAMES[self.kind]}必须填写原因", "reason")
        if self.month is not None and self.corrects_month >= self.month:
            raise DomainError("corrects_month_order",
                              f"{LINE_KIND_NAMES[self.kind]}只能更正以前的月份（{fmt_month(self.corrects_month)}"
                              f"不早于发放月份{fmt_month(self.month)}）", "corrects_month")

    @property
    def scheme_name(self) -> str:
        return SCHEME_NAMES[self.scheme]

    @property
    def adjusted(self) -> bool:
        return self.generated_fen is not None and self.generated_fen != self.amount_fen


def _hardship_line(facts: CadreFacts, view: MonthRates, elig: MonthEligibility) -> Line:
    band = view.band_of(facts)
    rate = view.cell(facts.hardship_area_class, band.band)
    basis = (f"{facts.hardship_area_class}区·{band.band}，月标准{format_yuan(rate.amount_fen)}元"
             f"（{rate.effective_from.isoformat()}起执行）")
    amount = rate.amount_fen
    if elig.retiree_kind:
        pct = view.share_of(elig.retiree_kind)
        amount = share(rate.amount_fen, pct.percent)
        basis += f"；{elig.retiree_kind}人员按{_fmt_pct(pct.percent)}%发放{format_yuan(amount)}元（四舍五入到分）"
    return Line(HARDSHIP, band.band, facts.hardship_area_class, amount, basis,
                cadre_id=facts.cadre_id, cadre_name=facts.name, unit=facts.unit, month=view.first)


def _township_line(facts: CadreFacts, view: MonthRates) -> Line:
    last = view.last
    assert facts.township_start_date is not None
    gap = break_days(facts.township_start_date, last, facts.township_breaks) if facts.township_breaks else 0
    years = _full_years(facts.township_start_date + timedelta(days=gap), last)
    band, label = view.township_band(years)
    gap_text = f"，扣除间断{gap}天" if gap else ""
    served = f"乡镇工作满{years}年" if years else "乡镇工作不满1年"
    basis = (f"{served}（到乡镇工作时间{fmt_month_date(facts.township_start_date)}{gap_text}），"
             f"“{label}”档{format_yuan(band.amount_fen)}元（{band.effective_from.isoformat()}起执行）")
    amount = band.amount_fen
    if facts.especially_hard:
        extra = view.supplement(ESPECIALLY_HARD)
        amount += extra.amount_fen
        basis += f"；条件特别艰苦乡镇加发{format_yuan(extra.amount_fen)}元"
    return Line(TOWNSHIP, label, "", amount, basis,
                cadre_id=facts.cadre_id, cadre_name=facts.name, unit=facts.unit, month=view.first)


def _fmt_pct(p: Decimal) -> str:
    return str(p.quantize(Decimal(1))) if p == p.to_integral_value() else str(p.normalize())


def monthly_lines(facts: CadreFacts, month: date, rates: AllowanceRates | MonthRates) -> list[Line]:
    """The cadre's regular lines for the month (0, 1 or 2), each with its basis.

    Raises DomainError (``rate_missing``, ``band_missing``, ``rule_not_in_force``)
    when a table the cadre needs has no row: the clerk fills it in, nothing is guessed.
    """
    view = _view(rates, month)
    lines: list[Line] = []
    elig = hardship_eligibility(facts, month, view)
    if elig.eligible:
        lines.append(_hardship_line(facts, view, elig))
    if township_eligibility(facts, month, view).eligible:
        lines.append(_township_line(facts, view))
    return lines


@dataclass(frozen=True)
class Problem:
    """A cadre whose lines could not be computed, and why."""

    cadre_id: Any
    cadre_name: str
    error: DomainError


# ---------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------
def adjust(line: Line, new_amount_fen: int, reason: str) -> Line:
    """The line with a new amount; the reason is mandatory, the generated amount kept."""
    check_fen(new_amount_fen, "调整后金额")
    if not (reason or "").strip():
        raise DomainError("reason_required", "调整金额必须填写原因（如：按某文件更正、重复计算等）", "reason")
    generated = line.generated_fen if line.generated_fen is not None else line.amount_fen
    return replace(line, amount_fen=new_amount_fen, reason=reason.strip(), generated_fen=generated)


def correction_line(original: Line, due_fen: int, into_month: date, reason: str) -> Line:
    """A 补发 or 扣减 line in ``into_month`` correcting ``original`` (from a locked, earlier month)."""
    check_fen(due_fen, "应发金额")
    if original.month is None:
        raise DomainError("corrects_month_required", "原发放记录没有月份，无法更正", "corrects_month")
    diff = due_fen - original.amount_fen
    if diff == 0:
        raise DomainError("correction_zero", "应发金额与原发金额相同，无需补发或扣减", "amount_fen")
    kind = LINE_BACK_PAY if diff > 0 else LINE_DEDUCTION
    basis = (f"{LINE_KIND_NAMES[kind]}{fmt_month(original.month)}{original.scheme_name}："
             f"原发{format_yuan(original.amount_fen)}元，应发{format_yuan(due_fen)}元")
    return Line(original.scheme, original.band, original.area_class, diff, basis,
                cadre_id=original.cadre_id, cadre_name=original.cadre_name, unit=original.unit,
                month=month_start(into_month), kind=kind, corrects_month=original.month,
                reason=(reason or "").strip())


def missed_month_line(due: Line, into_month: date, reason: str) -> Line:
    """补发 of a whole month that was never paid: ``due`` is the line as it should have been."""
    if due.month is None:
        raise DomainError("corrects_month_required", "请注明所补发的月份", "corrects_month")
    if due.amount_fen <= 0:
        raise DomainError("correction_zero", "应发金额为 0，无需补发", "amount_fen")
    basis = f"补发{fmt_month(due.month)}{due.scheme_name}（当月未发）：{due.basis}"
    return replace(due, month=month_start(into_month), kind=LINE_BACK_PAY, corrects_month=due.month,
                   reason=(reason or "").strip(), basis=basis, generated_fen=None)


def check_totals(lines: Iterable[Line], total_fen: int) -> int:
    """The sum of the lines; ``total_mismatch`` when it differs from ``total_fen``."""
    actual = sum_fen(line.amount_fen for line in lines)
    if actual != check_fen(total_fen, "合计"):
        raise DomainError(
            "total_mismatch",
            f"合计金额{format_yuan(total_fen)}元与各行之和{format_yuan(actual)}元不一致，请重新核对",
            "total", expected=total_fen, actual=actual,
        )
    return actual


@dataclass(frozen=True)
class Batch:
    """One month's payout: lines, and whether the month is locked.

    Immutable: every change returns a new Batch, and every change of a locked
    batch raises ``month_locked``.
    """

    month: date
    lines: tuple[Line, ...] = ()
    locked: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "month", month_start(self.month))
        object.__setattr__(self, "lines", tuple(self._checked(self.lines)))

    # -- reading
    @property
    def status(self) -> str:
        return BATCH_LOCKED if self.locked else BATCH_DRAFT

    @property
    def total_fen(self) -> int:
        return sum_fen(line.amount_fen for line in self.lines)

    def totals_by(self, key: Callable[[Line], Any]) -> dict[Any, int]:
        out: dict[Any, int] = {}
        for line in self.lines:
            k = key(line)
            out[k] = out.get(k, 0) + line.amount_fen
        return out

    def lines_of(self, cadre_id: Any) -> list[Line]:
        return [line for line in self.lines if line.cadre_id == cadre_id]

    # -- changing (draft only)
    def ensure_editable(self) -> None:
        if self.locked:
            raise DomainError(
                "month_locked",
                f"{fmt_month(self.month)}的津贴补贴已锁定，不能再修改；如需更正，请在以后月份添加补发或扣减",
                "month", month=self.month,
            )

    def with_lines(self, *lines: Line) -> Batch:
        self.ensure_editable()
        return replace(self, lines=self.lines + tuple(lines))

    def adjusted(self, index: int, new_amount_fen: int, reason: str) -> Batch:
        self.ensure_editable()
        lines = list(self.lines)
        lines[index] = adjust(lines[index], new_amount_fen, reason)
        return replace(self, lines=tuple(lines))

    def without_line(self, index: int) -> Batch:
        self.ensure_editable()
        return replace(self, lines=self.lines[:index] + self.lines[index + 1:])

    def lock(self) -> Batch:
        self.ensure_editable()
        return replace(self, locked=True)

    def _checked(self, lines: Iterable[Line]) -> list[Line]:
        out: list[Line] = []
        seen: set[tuple[Any, str]] = set()
        for line in lines:
            if line.month is None:
                line = replace(line, month=self.month)
            elif line.month != self.month:
                raise DomainError("line_month_mismatch",
                                  f"该行属于{fmt_month(line.month)}，不能放入{fmt_month(self.month)}的发放批次",
                                  "month")
            if line.kind == LINE_REGULAR and line.cadre_id is not None:
                key = (line.cadre_id, line.scheme)
                if key in seen:
                    who = line.cadre_name or str(line.cadre_id)
                    raise DomainError("duplicate_line",
                                      f"{who}在{fmt_month(self.month)}已有一行{line.scheme_name}，不能重复发放",
                                      "cadre", cadre_id=line.cadre_id, scheme=line.scheme)
                seen.add(key)
            out.append(line)
        return out


def generate(month: date, cadres: Iterable[CadreFacts], rates: AllowanceRates) -> tuple[Batch, list[Problem]]:
    """A draft batch for the month for every eligible cadre, plus cadres that could not be computed."""
    view = MonthRates(rates, month)
    lines: list[Line] = []
    problems: list[Problem] = []
    for facts in cadres:
        try:
            lines.extend(monthly_lines(facts, month, view))
        except DomainError as err:
            problems.append(Problem(facts.cadre_id, facts.name, err))
    return Batch(month, tuple(lines)), problems


def batch_problem_summary(problems: Sequence[Problem]) -> dict[str, int]:
    """Problems counted by error code (the UI shows one sentence per code)."""
    out: dict[str, int] = {}
    for p in problems:
        out[p.error.code] = out.get(p.error.code, 0) + 1
    return out
