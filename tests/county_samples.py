"""TEST-ONLY county figures: CountySummary / SubmissionRow values built by hand for the tests
of the county's pages, charts, printout and export (the application only ever shows what
``services.county`` computed from received packages)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from carecenter.services import figures
from carecenter.services.county import CountySummary, SubmissionRow
from carecenter.services.figures import FundFigure, TownshipFigures

PERIOD = 2026


def township(code: str, name: str, *, cadres: int, hardship: int, due: int, done: int, followups: int,
             leave_due: str, leave_taken: str, untaken: int, monthly_fen: int, funds: tuple, visited: int,
             as_of: date = date(2026, 11, 30)) -> TownshipFigures:
    months = {m: monthly_fen + (m - 1) * 100 if m < 12 else 0 for m in range(1, 13)}   # December not yet paid
    return TownshipFigures(code, name, PERIOD, as_of, datetime(2026, 12, 1, 9, 30), cadres, hardship, due, done,
                           followups, Decimal(leave_due), Decimal(leave_taken), untaken, months,
                           sum(months.values()), funds, visited)


def total_of(items: list[TownshipFigures]) -> TownshipFigures:
    return figures.total(PERIOD, items)


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
                      "pkg-qingling-1", "K7Q2-9XMD-4TRW-HB3N-P8ZC-V6YE-2JKA-F5GS", 48, 1234, False, "按时报送"),
        SubmissionRow("330381205000", "石门乡", PERIOD, date(2026, 10, 31), datetime(2026, 11, 3, 15, 2),
                      "pkg-shimen-1", "M3XP-7QDA-8HNE-W2KC-R5TV-9BYF-4GJZ-6SPA", 31, 876, True, "逾期报送（2026-11-03 收到，截止 2026-10-31）"),
    ]
