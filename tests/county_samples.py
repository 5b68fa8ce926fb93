"""TEST-ONLY county figures: CountySummary / SubmissionRow values built by hand for the tests
of the county's pages, charts, printout and export (the application only ever shows what
``services.county`` computed from received packages)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


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
    cadres: int
    hardship_cadres: int
    health_due: int
    health_done: int
    followups_open: int
    leave_due_days: Decimal
    leave_taken_days: Decimal
    leave_untaken_cadres: int
    allowance_by_month: dict
    allowance_total_fen: int
    welfare_by_fund: tuple
    hardship_visited: int


@dataclass(frozen=True)
class CountySummary:
    period: int
    townships: tuple
    total: TownshipFigures


@dataclass(frozen=True)
class SubmissionRow:
    code: str
    name: str
    period: int | None
    as_of: date | None
    received_at: datetime | None
    package_id: str | None
    fingerprint: str
    cadres: int
    rows: int
    late: bool
    late_text: str


PERIOD = 2026


def township(code: str, name: str, *, cadres: int, hardship: int, due: int, done: int, followups: int,
             leave_due: str, leave_taken: str, untaken: int, monthly_fen: int, funds: tuple, visited: int,
             as_of: date = date(2026, 11, 30)) -> TownshipFigures:
    months = {m: monthly_fen + (m - 1) * 100 for m in range(1, 12)}   # December not yet paid
    return TownshipFigures(code, name, PERIOD, as_of, datetime(2026, 12, 1, 9, 30), cadres, hardship, due, done,
                           followups, Decimal(leave_due), Decimal(leave_taken), untaken, months,
                           sum(months.values()), funds, visited)


def total_of(items: list[TownshipFigures]) -> TownshipFigures:
    funds: dict[str, list[int]] = {}
    for t in items:
        for f in t.welfare_by_fund:
            acc = funds.setdefault(f.fund, [0, 0])
            acc[0] += f.budget_fen
            acc[1] += f.spent_fen
    months = {m: sum(t.allowance_by_month.get(m, 0) for t in items) for m in range(1, 13)}
    return TownshipFigures(
        "", "合计", PERIOD, None, None, sum(t.cadres for t in items), sum(t.hardship_cadres for t in items),
        sum(t.health_due for t in items), sum(t.health_done for t in items), sum(t.followups_open for t in items),
        sum((t.leave_due_days for t in items), Decimal(0)), sum((t.leave_taken_days for t in items), Decimal(0)),
        sum(t.leave_untaken_cadres for t in items), months, sum(months.values()),
        tuple(FundFigure(k, v[0], v[1]) for k, v in funds.items()), sum(t.hardship_visited for t in items))


def summary(n_extra: int = 0) -> CountySummary:
    """青岭镇 and 石门乡 (and ``n_extra`` more townships for the 20-township page)."""
    items = [
        township("330381101000", "青岭镇", cadres=48, hardship=20, due=40, done=34, followups=3, leave_due="520",
                 leave_taken="401.5", untaken=4, monthly_fen=5_432_100,
                 funds=(FundFigure("工会经费", 8_000_000, 6_250_000), FundFigure("行政经费", 3_000_000, 1_200_000)),
                 visited=15),
        township("330381205000", "石门乡", cadres=31, hardship=31, due=25, done=12, followups=1, leave_due="310",
                 leave_taken="120", untaken=9, monthly_fen=3_100_000,
                 funds=(FundFigure("工会经费", 5_000_000, 5_400_000),), visited=10, as_of=date(2026, 10, 31)),
    ]
    for i in range(n_extra):
        items.append(township(f"3303812{i:02d}000", f"测试{i + 1}号镇", cadres=20 + i, hardship=i, due=15 + i,
                              done=10 + i % 5, followups=i % 3, leave_due=str(100 + 5 * i), leave_taken=str(50 + i),
                              untaken=i % 4, monthly_fen=1_000_000 + i * 1000,
                              funds=(FundFigure("工会经费", 2_000_000, 1_000_000 + i * 10_000),), visited=i // 2))
    return CountySummary(PERIOD, tuple(items), total_of(items))


def submissions() -> list[SubmissionRow]:
    return [
        SubmissionRow("330381101000", "青岭镇", PERIOD, date(2026, 11, 30), datetime(2026, 12, 1, 9, 30),
                      "pkg-qingling-1", "3F2A9C0D11E4B7A85C6D2E9F0A1B3C4D", 48, 1234, False, ""),
        SubmissionRow("330381205000", "石门乡", PERIOD, date(2026, 10, 31), datetime(2026, 11, 3, 15, 2),
                      "pkg-shimen-1", "A0B1C2D3E4F5061728394A5B6C7D8E9F", 31, 876, True, "逾期 16 天"),
    ]
