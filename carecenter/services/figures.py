"""The figures a township reports and the county adds up (issue 15), as plain values.

One ``TownshipFigures`` per township and period: the township computes its own
(``exchange_pack.township_figures``) from its database with its own rules; the county's
汇总 (``county.summary``) adds up, per township and in total, what the townships' packages
say.  The two must agree, figure by figure (tests/services/test_county_figures.py).

Definitions (docs/exchange-format.md, "The figures"):

* ``cadres``: serving cadres (在职、借调、挂职、驻村) on the roster; ``hardship_cadres``: those of
  them in units of a hardship area (艰苦边远地区类别 not 无).
* ``health_due``: serving cadres with a check item due in the year by the township's 体检周期
  rules (not yet done, or done in the year); ``health_done``: those whose due items are all
  done in the year (up to the as-of date).  ``followups_open``: abnormal findings still open
  on the as-of date (cadres on the roster, as the township's 异常随访 list).
* ``leave_due_days``: annual leave due in the year (entitlement by the township's 年休假 rules
  plus days deferred from last year); ``leave_taken_days``: annual leave taken up to the
  as-of date; ``leave_untaken_cadres``: serving cadres with leave left who took none (the
  工作台's 「尚未休年休假」).
* ``allowance_by_month``: allowance lines of locked (paid) months, by month, in fen;
  ``allowance_total_fen`` their sum.
* ``welfare_by_fund``: per funding source the year's budget (0: none set) and what the
  year's welfare records spent (money plus the value of goods) up to the as-of date.
* ``hardship_visited``: hardship-area cadres with at least one 走访慰问 record in the year.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from ..security.access import exempt

MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class FundFigure:
    fund: str
    budget_fen: int
    spent_fen: int


@dataclass(frozen=True)
class TownshipFigures:
    code: str
    name: str
    period: int
    as_of: date | None
    received_at: datetime | None
    cadres: int = 0
    hardship_cadres: int = 0
    health_due: int = 0
    health_done: int = 0
    followups_open: int = 0
    leave_due_days: Decimal = Decimal(0)
    leave_taken_days: Decimal = Decimal(0)
    leave_untaken_cadres: int = 0
    allowance_by_month: dict[int, int] = field(default_factory=lambda: {m: 0 for m in MONTHS})
    allowance_total_fen: int = 0
    welfare_by_fund: tuple[FundFigure, ...] = ()
    hardship_visited: int = 0


#: the figures that are plain sums over townships
SUMMED = ("cadres", "hardship_cadres", "health_due", "health_done", "followups_open", "leave_due_days",
          "leave_taken_days", "leave_untaken_cadres", "allowance_total_fen", "hardship_visited")


@exempt("pure arithmetic over plain values")
def months(by_month: dict[int, int]) -> dict[int, int]:
    """Every month 1..12 (0 where nothing was paid)."""
    return {m: int(by_month.get(m, 0)) for m in MONTHS}


@exempt("pure arithmetic over plain values")
def funds(budgets: dict[str, int], spent: dict[str, int]) -> tuple[FundFigure, ...]:
    """One figure per fund that has a budget or spent something, by name."""
    return tuple(FundFigure(name, int(budgets.get(name, 0)), int(spent.get(name, 0)))
                 for name in sorted(set(budgets) | set(spent)))


@exempt("pure arithmetic over plain values")
def total(period: int, parts: list[TownshipFigures]) -> TownshipFigures:
    """The 合计 row: every figure summed over ``parts`` (funds matched by name)."""
    out = TownshipFigures("", "合计", period, None, None)
    sums = {name: sum((getattr(p, name) for p in parts), Decimal(0) if name.startswith("leave_") and
                      name.endswith("_days") else 0) for name in SUMMED}
    by_month = {m: sum(p.allowance_by_month.get(m, 0) for p in parts) for m in MONTHS}
    budgets: dict[str, int] = {}
    spent: dict[str, int] = {}
    for p in parts:
        for f in p.welfare_by_fund:
            budgets[f.fund] = budgets.get(f.fund, 0) + f.budget_fen
            spent[f.fund] = spent.get(f.fund, 0) + f.spent_fen
    return replace(out, allowance_by_month=by_month, welfare_by_fund=funds(budgets, spent), **sums)
