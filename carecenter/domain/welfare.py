"""Welfare and condolence (走访慰问, 困难帮扶, 谈心谈话): occasions, caps, checks.

Occasions, standard amounts, caps, cash rules, funding sources, the duplicate
window, talk triggers and hardship thresholds are dated rows (presets:
``resources/presets/<preset>/welfare.json``, loaded by ``presets.load_welfare``).
Money is integer fen (money.py).

Sources:

* Occasions and the 安徽 2018 union-fund caps — DOMAIN.md §5 (example figures
  from one province: festivals ≤ 1,500 元 a year per person with no cash or
  shopping cards; birthday ≤ 300; marriage / childbirth ≤ 600; illness ≤ 1,000
  per episode; member's death ≤ 2,000; direct relative's death ≤ 1,000;
  retirement ≤ 1,000).
* 节日慰问 in kind only — 中华全国总工会《基层工会经费收支管理办法》（2017）：
  节日慰问品原则上发放实物，不得发放现金、购物卡.
* Hardship levels (example, DOMAIN.md §5): 深度困难 when household per-capita
  monthly disposable income is below the local 低保 line; 相对困难 below 2 × 低保.

Interpretations chosen here:

* **Amount of a record** for caps and budgets = money (``money_fen``: cash,
  transfer or card) + value of goods (``goods_fen``).
* **Cap scopes**: ``per_year`` — the cadre's records of that occasion in the
  same calendar year are added up; ``festival_yearly_total`` — all records of
  every occasion with that scope in the same calendar year are added up and
  compared with the cap of the record's occasion; ``per_episode`` /
  ``per_occasion`` — records of the same occasion sharing the same ``episode``
  key (e.g. one hospitalisation, one bereavement) are added up; a record
  without a key stands alone.  Caps apply whatever the funding source.
  ``max_per_year`` (birthday: once a year) counts records in the calendar year.
* **Over a cap or a budget** is a warning that needs a reason; **cash where the
  occasion forbids it** is an error (severity ``error``): the record cannot be
  saved as is.
* **Likely duplicate**: another record of the same cadre and occasion whose
  date is within N days either side (N = the occasion's
  ``duplicate_window_days`` or the settings' default; a software default, not
  a policy figure).
* **Budget**: warn when the fund's use this year plus this record exceeds the
  year's budget; ``budget_status`` says 'near' from ``budget_near_percent``.
* **Hardship**: compares household income with multiple × 低保 × household
  size exactly (no per-capita rounding); "below" is strict.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import DomainError
from .money import check_fen, format_yuan, sum_fen, to_percent

# ---------------------------------------------------------------------------
# Codes (defined once, here)
# ---------------------------------------------------------------------------
ILLNESS = "illness"
DEATH_MEMBER = "death_member"
DEATH_RELATIVE = "death_relative"
BIRTHDAY = "birthday"
MARRIAGE = "marriage"
CHILDBIRTH = "childbirth"
RETIREMENT = "retirement"
FESTIVAL_NEW_YEAR = "festival_new_year"
FESTIVAL_SPRING = "festival_spring"
FESTIVAL_QINGMING = "festival_qingming"
FESTIVAL_LABOUR = "festival_labour"
FESTIVAL_DRAGON_BOAT = "festival_dragon_boat"
FESTIVAL_MID_AUTUMN = "festival_mid_autumn"
FESTIVAL_NATIONAL = "festival_national"
HARDSHIP_AID = "hardship_aid"
MARTYR_FAMILY = "martyr_family"
TALK = "talk"
RECUPERATION = "recuperation"

#: code -> Chinese name, in display order.
OCCASION_NAMES: dict[str, str] = {
    ILLNESS: "生病住院慰问",
    DEATH_MEMBER: "干部去世慰问",
    DEATH_RELATIVE: "直系亲属去世慰问",
    BIRTHDAY: "生日慰问",
    MARRIAGE: "结婚慰问",
    CHILDBIRTH: "生育慰问",
    RETIREMENT: "退休慰问",
    FESTIVAL_NEW_YEAR: "元旦慰问",
    FESTIVAL_SPRING: "春节慰问",
    FESTIVAL_QINGMING: "清明慰问",
    FESTIVAL_LABOUR: "劳动节慰问",
    FESTIVAL_DRAGON_BOAT: "端午慰问",
    FESTIVAL_MID_AUTUMN: "中秋慰问",
    FESTIVAL_NATIONAL: "国庆慰问",
    HARDSHIP_AID: "困难帮扶",
    MARTYR_FAMILY: "因公牺牲干部家属慰问",
    TALK: "谈心谈话",
    RECUPERATION: "疗休养",
}
OCCASION_CODES: tuple[str, ...] = tuple(OCCASION_NAMES)
FESTIVAL_CODES: tuple[str, ...] = tuple(c for c in OCCASION_CODES if c.startswith("festival_"))

PER_YEAR = "per_year"
PER_EPISODE = "per_episode"
PER_OCCASION = "per_occasion"
FESTIVAL_YEARLY_TOTAL = "festival_yearly_total"
CAP_SCOPES: dict[str, str] = {
    PER_YEAR: "每人每年",
    PER_EPISODE: "每次（同一病程合计）",
    PER_OCCASION: "每次",
    FESTIVAL_YEARLY_TOTAL: "节日慰问每人全年合计",
}

SEVERITY_WARNING = "warning"
SEVERITY_ERROR = "error"

HARDSHIP_DEEP = "deep"
HARDSHIP_RELATIVE = "relative"
HARDSHIP_NONE = "none"
HARDSHIP_LEVEL_NAMES = {HARDSHIP_DEEP: "深度困难", HARDSHIP_RELATIVE: "相对困难", HARDSHIP_NONE: "不属于困难"}

BUDGET_OK = "ok"
BUDGET_NEAR = "near"
BUDGET_OVER = "over"


def _fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------------------
# Rule rows
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Occasion:
    """One dated rule row for a welfare occasion."""

    code: str
    name: str
    standard_fen: int | None           # usual amount (None: none set)
    cap_fen: int | None                # None: no cap
    cap_scope: str | None              # one of CAP_SCOPES, required with a cap
    cash_allowed: bool
    funding_sources: tuple[str, ...]   # allowed sources; empty = any
    effective_from: date
    max_per_year: int | None = None    # e.g. birthday once a year
    duplicate_window_days: int | None = None   # None: the settings' default
    source: str = ""
    example: bool = False
    example_fields: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "funding_sources", tuple(self.funding_sources))
        for key in ("standard_fen", "cap_fen"):
            value = getattr(self, key)
            if value is not None and check_fen(value) < 0:
                raise DomainError("invalid_amount", f"“{self.name}”的金额不能为负数", key)
        if self.cap_scope is not None and self.cap_scope not in CAP_SCOPES:
            raise DomainError("invalid_cap_scope",
                              f"“{self.name}”的上限口径“{self.cap_scope}”无效，应为{'、'.join(CAP_SCOPES)}之一",
                              "cap_scope")
        if self.cap_fen is not None and self.cap_scope is None:
            raise DomainError("invalid_cap_scope", f"“{self.name}”设了上限，请同时选择上限口径（每年、每次等）",
                              "cap_scope")
        if self.max_per_year is not None and self.max_per_year < 1:
            raise DomainError("invalid_count", f"“{self.name}”的每年次数至少为 1", "max_per_year")


@dataclass(frozen=True)
class WelfareSettings:
    """Dated settings shared by all occasions."""

    effective_from: date
    funding_sources: tuple[str, ...]
    duplicate_window_days: int
    budget_near_percent: Decimal
    talk_triggers: tuple[str, ...]
    deep_hardship_multiple: Decimal
    relative_hardship_multiple: Decimal
    dibao_monthly_fen: int | None = None       # local 低保 line, per person per month
    source: str = ""
    example: bool = False
    example_fields: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "funding_sources", tuple(self.funding_sources))
        object.__setattr__(self, "talk_triggers", tuple(self.talk_triggers))
        object.__setattr__(self, "budget_near_percent", to_percent(self.budget_near_percent))
        object.__setattr__(self, "deep_hardship_multiple", to_percent(self.deep_hardship_multiple))
        object.__setattr__(self, "relative_hardship_multiple", to_percent(self.relative_hardship_multiple))
        if self.duplicate_window_days < 0:
            raise DomainError("invalid_days", "重复提醒的天数不能为负数", "duplicate_window_days")
        if self.dibao_monthly_fen is not None and check_fen(self.dibao_monthly_fen) < 0:
            raise DomainError("invalid_amount", "低保标准不能为负数", "dibao_monthly_fen")


@dataclass(frozen=True)
class WelfareRules:
    occasions: tuple[Occasion, ...] = ()
    settings: tuple[WelfareSettings, ...] = ()
    preset: str = ""
    title: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "occasions", tuple(self.occasions))
        object.__setattr__(self, "settings", tuple(self.settings))

    def occasion(self, code: str, on: date) -> Occasion:
        return occasion_in_force(self.occasions, code, on)

    def settings_on(self, on: date) -> WelfareSettings:
        return settings_in_force(self.settings, on)


def occasion_in_force(rows: Iterable[Occasion], code: str, on: date) -> Occasion:
    best: Occasion | None = None
    for row in rows:
        if row.code == code and row.effective_from <= on:
            if best is None or row.effective_from >= best.effective_from:
                best = row
    if best is None:
        name = OCCASION_NAMES.get(code, code)
        raise DomainError("rule_not_in_force",
                          f"{_fmt_date(on)}没有生效的“{name}”规定，请在“福利设置”中补充该日期适用的标准",
                          "occasion", occasion=code, on=on)
    return best


def settings_in_force(rows: Iterable[WelfareSettings], on: date) -> WelfareSettings:
    best: WelfareSettings | None = None
    for row in rows:
        if row.effective_from <= on and (best is None or row.effective_from >= best.effective_from):
            best = row
    if best is None:
        raise DomainError("rule_not_in_force", f"{_fmt_date(on)}没有生效的福利慰问设置，请在“福利设置”中补充",
                          None, on=on)
    return best


# ---------------------------------------------------------------------------
# Records and checks
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WelfareRecord:
    """One act of care: money and/or goods for a cadre on an occasion."""

    cadre_id: Any
    occasion: str
    on: date
    money_fen: int = 0                 # 慰问金: cash, transfer or card
    goods_fen: int = 0                 # value of goods (慰问品)
    goods: str = ""                    # what the goods were
    funding_source: str = ""
    visitors: tuple[str, ...] = ()
    episode: str = ""                  # groups records of one illness episode / one event
    notes: str = ""
    record_id: Any = None

    @property
    def total_fen(self) -> int:
        return check_fen(self.money_fen) + check_fen(self.goods_fen)


@dataclass(frozen=True)
class WelfareWarning:
    code: str
    message: str
    severity: str = SEVERITY_WARNING
    needs_reason: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity == SEVERITY_ERROR


def errors_only(warnings: Iterable[WelfareWarning]) -> list[WelfareWarning]:
    return [w for w in warnings if w.is_error]


def _others(record: WelfareRecord, history: Iterable[WelfareRecord]) -> list[WelfareRecord]:
    out = []
    for other in history:
        if other is record or other.cadre_id != record.cadre_id:
            continue
        if record.record_id is not None and other.record_id == record.record_id:
            continue
        out.append(other)
    return out


def _scope_of(rules: WelfareRules, rec: WelfareRecord) -> str | None:
    try:
        return rules.occasion(rec.occasion, rec.on).cap_scope
    except DomainError:
        return None


def _cap_warning(record: WelfareRecord, occ: Occasion, others: list[WelfareRecord],
                 rules: WelfareRules) -> WelfareWarning | None:
    if occ.cap_fen is None:
        return None
    scope = occ.cap_scope
    if scope == PER_YEAR:
        earlier = [o for o in others if o.occasion == record.occasion and o.on.year == record.on.year]
        where = f"{record.on.year}年本项已发"
    elif scope == FESTIVAL_YEARLY_TOTAL:
        earlier = [o for o in others if o.on.year == record.on.year
                   and _scope_of(rules, o) == FESTIVAL_YEARLY_TOTAL]
        where = f"{record.on.year}年节日慰问已发"
    else:  # per_episode / per_occasion
        earlier = [o for o in others if o.occasion == record.occasion and record.episode
                   and o.episode == record.episode]
        where = "同一事项已发"
    used = sum_fen(o.total_fen for o in earlier)
    total = used + record.total_fen
    if total <= occ.cap_fen:
        return None
    used_text = f"{where}{format_yuan(used)}元，" if earlier else ""
    return WelfareWarning(
        "over_cap",
        f"{occ.name}标准上限为{CAP_SCOPES[scope]}{format_yuan(occ.cap_fen)}元，{used_text}本次{format_yuan(record.total_fen)}元，"
        f"合计{format_yuan(total)}元，超出{format_yuan(total - occ.cap_fen)}元；如确需发放，请填写原因",
        SEVERITY_WARNING, True,
        {"cap_fen": occ.cap_fen, "used_fen": used, "total_fen": total, "scope": scope},
    )


def check_record(record: WelfareRecord, rules: WelfareRules, history: Iterable[WelfareRecord] = (), *,
                 budget_fen: int | None = None, budget_used_fen: int = 0) -> list[WelfareWarning]:
    """Everything the clerk should see before saving ``record``.

    ``history``: the cadre's other records (any order; the record itself and
    other cadres' records are ignored).  ``budget_fen``/``budget_used_fen``: the
    funding source's budget for the record's year and what other records
    already used (None = no budget set).  Errors have severity ``error``.
    """
    out: list[WelfareWarning] = []
    occ = rules.occasion(record.occasion, record.on)
    settings = rules.settings_on(record.on)
    for key, label in (("money_fen", "慰问金"), ("goods_fen", "慰问品价值")):
        if check_fen(getattr(record, key), label) < 0:
            out.append(WelfareWarning("amount_negative", f"{label}不能为负数", SEVERITY_ERROR, params={"field": key}))
    if out:
        return out
    if record.money_fen > 0 and not occ.cash_allowed:
        out.append(WelfareWarning(
            "cash_forbidden",
            f"{occ.name}不得发放现金或购物卡，请把慰问金改为 0，改为登记慰问品及其价值",
            SEVERITY_ERROR, params={"field": "money_fen"}))
    if record.total_fen > 0:
        if not record.funding_source:
            out.append(WelfareWarning("funding_source_required", "请选择经费来源（如工会经费、行政经费）",
                                      SEVERITY_ERROR, params={"field": "funding_source"}))
        elif record.funding_source not in settings.funding_sources:
            out.append(WelfareWarning(
                "funding_source_unknown",
                f"经费来源“{record.funding_source}”不在列表中（{'、'.join(settings.funding_sources)}），请从下拉列表选择",
                SEVERITY_ERROR, params={"field": "funding_source"}))
        elif occ.funding_sources and record.funding_source not in occ.funding_sources:
            out.append(WelfareWarning(
                "funding_source_unusual",
                f"{occ.name}一般从{'、'.join(occ.funding_sources)}列支，本次为{record.funding_source}，请核对",
                params={"field": "funding_source"}))
    others = _others(record, history)
    cap = _cap_warning(record, occ, others, rules)
    if cap:
        out.append(cap)
    if occ.max_per_year is not None:
        same_year = [o for o in others if o.occasion == record.occasion and o.on.year == record.on.year]
        if len(same_year) >= occ.max_per_year:
            times = "一次" if occ.max_per_year == 1 else f"{occ.max_per_year}次"
            out.append(WelfareWarning(
                "over_frequency",
                f"{occ.name}每年{times}，{record.on.year}年已有{len(same_year)}条记录"
                f"（最近一次{_fmt_date(max(o.on for o in same_year))}）；如确需再次发放，请填写原因",
                SEVERITY_WARNING, True, {"count": len(same_year), "max_per_year": occ.max_per_year}))
    window = occ.duplicate_window_days if occ.duplicate_window_days is not None else settings.duplicate_window_days
    near = [o for o in others if o.occasion == record.occasion and abs((o.on - record.on).days) <= window]
    if near:
        closest = min(near, key=lambda o: abs((o.on - record.on).days))
        gap = abs((closest.on - record.on).days)
        out.append(WelfareWarning(
            "likely_duplicate",
            f"{_fmt_date(closest.on)}已有一条{occ.name}记录（相隔{gap}天，{window}天内），可能重复登记，请核对",
            params={"other_date": closest.on, "window_days": window, "record_id": closest.record_id}))
    if budget_fen is not None and record.total_fen > 0:
        check_fen(budget_fen, "预算")
        used = check_fen(budget_used_fen, "已用预算")
        total = used + record.total_fen
        if total > budget_fen:
            out.append(WelfareWarning(
                "over_budget",
                f"{record.funding_source or '该经费'}{record.on.year}年预算{format_yuan(budget_fen)}元，已用"
                f"{format_yuan(used)}元，加上本次{format_yuan(record.total_fen)}元将超出"
                f"{format_yuan(total - budget_fen)}元；如确需发放，请填写原因",
                SEVERITY_WARNING, True, {"budget_fen": budget_fen, "used_fen": used, "total_fen": total}))
    return out


def budget_status(used_fen: int, budget_fen: int | None, settings: WelfareSettings) -> str:
    """'ok', 'near' (at or above budget_near_percent of the budget) or 'over' (above the budget)."""
    used = check_fen(used_fen, "已用预算")
    if budget_fen is None:
        return BUDGET_OK
    budget = check_fen(budget_fen, "预算")
    if used > budget:
        return BUDGET_OVER
    if Decimal(used) * 100 >= Decimal(budget) * settings.budget_near_percent:
        return BUDGET_NEAR
    return BUDGET_OK


# ---------------------------------------------------------------------------
# Hardship levels (困难帮扶)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class HardshipAssessment:
    level: str
    reason: str

    @property
    def name(self) -> str:
        return HARDSHIP_LEVEL_NAMES[self.level]


def hardship_level(household_monthly_income_fen: int, household_size: int, settings: WelfareSettings, *,
                   dibao_monthly_fen: int | None = None) -> HardshipAssessment:
    """深度困难 / 相对困难 / 不属于困难 from household monthly disposable income."""
    income = check_fen(household_monthly_income_fen, "家庭月可支配收入")
    if isinstance(household_size, bool) or not isinstance(household_size, int) or household_size < 1:
        raise DomainError("invalid_household_size", "家庭人口数至少为 1，请填写共同生活的家庭人口", "household_size")
    if income < 0:
        raise DomainError("amount_negative", "家庭月可支配收入不能为负数", "household_income")
    line = dibao_monthly_fen if dibao_monthly_fen is not None else settings.dibao_monthly_fen
    if line is None:
        raise DomainError("dibao_missing",
                          "没有设置当地最低生活保障标准（低保线），请在“福利设置”中按当地民政部门公布的标准填写",
                          "dibao_monthly_fen")
    line = check_fen(line, "低保标准")
    per_capita = int((Decimal(income) / household_size).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    text = f"家庭人均月可支配收入{format_yuan(per_capita)}元（{household_size}人），当地低保标准{format_yuan(line)}元"
    total_line = Decimal(line) * household_size
    if Decimal(income) < total_line * settings.deep_hardship_multiple:
        return HardshipAssessment(HARDSHIP_DEEP, f"{text}，低于低保标准，属深度困难")
    if Decimal(income) < total_line * settings.relative_hardship_multiple:
        mult = settings.relative_hardship_multiple
        mult_text = str(mult.quantize(Decimal(1))) if mult == mult.to_integral_value() else str(mult.normalize())
        return HardshipAssessment(HARDSHIP_RELATIVE, f"{text}，低于低保标准的{mult_text}倍，属相对困难")
    return HardshipAssessment(HARDSHIP_NONE, f"{text}，不低于困难认定标准")


# ---------------------------------------------------------------------------
# 谈心谈话
# ---------------------------------------------------------------------------
TALK_LABELS = {"on": "谈话日期", "talker": "谈话人", "talkee": "谈话对象", "trigger": "谈话事由", "gist": "谈话要点"}


@dataclass(frozen=True)
class TalkRecord:
    on: date
    talker: str          # who talked (one or more names)
    talkee: Any          # the cadre talked with (id or name)
    trigger: str         # from settings.talk_triggers
    gist: str
    place: str = ""
    follow_up: str = ""


def check_talk(data: Mapping[str, Any], settings: WelfareSettings, today: date) -> list[DomainError]:
    """Field errors of a 谈心谈话 record (empty list = valid)."""
    errors: list[DomainError] = []
    on = data.get("on")
    if not isinstance(on, date):
        errors.append(DomainError("required", "请填写谈话日期", "on"))
    elif on > today:
        errors.append(DomainError("date_future", f"谈话日期{_fmt_date(on)}晚于今天，请填写实际谈话的日期", "on"))
    if not str(data.get("talker") or "").strip():
        errors.append(DomainError("required", "请填写谈话人（谁与干部谈话）", "talker"))
    talkee = data.get("talkee")
    if talkee is None or (isinstance(talkee, str) and not talkee.strip()):
        errors.append(DomainError("required", "请选择谈话对象", "talkee"))
    trigger = str(data.get("trigger") or "").strip()
    if not trigger:
        errors.append(DomainError("required", "请选择谈话事由", "trigger"))
    elif trigger not in settings.talk_triggers:
        errors.append(DomainError("choice", f"谈话事由“{trigger}”不在列表中，请从下拉列表选择", "trigger"))
    if not str(data.get("gist") or "").strip():
        errors.append(DomainError("required", "请填写谈话要点（谈了什么、干部的想法和需要帮助的事项）", "gist"))
    return errors
