"""Working-day calendar: statutory holidays, make-up workdays (调休) and local overrides.

Source of truth, in order:

1. Local overrides entered by the clerk in 日历设置 (``DayOverride``) always win.
2. The ``chinese_calendar`` package (State Council holiday notices, 2004 … the
   last year the installed version knows).
3. For a year that ``chinese_calendar`` does not know, a year the clerk has
   entered at least one override for is treated as *known*: dates without an
   override follow the plain Monday–Friday rule.  The clerk enters the year's
   holidays and make-up workdays (an offline install cannot update itself).
4. Otherwise: ``DomainError("calendar_unknown")`` — never a silent guess.

Half days: ``start_half`` means the leave starts in the afternoon of the first
day, ``end_half`` that it ends at noon of the last day.  Each flag makes its day
count 0.5 (if that day counts at all).  On a one-day leave one flag gives 0.5;
both flags on the same day would be an empty leave and are refused.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import chinese_calendar

from .errors import DomainError

__all__ = [
    "COUNT_MODES",
    "DayCount",
    "DayOverride",
    "WorkCalendar",
    "fmt_cn",
]

#: Count modes used by leave rules: working days or calendar days.
COUNT_MODES = ("working", "calendar")

_ONE = Decimal(1)
_HALF = Decimal("0.5")
_ZERO = Decimal(0)

# chinese_calendar names holidays in English; the clerk sees Chinese.
_NICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def fmt_cn(d: date) -> str:
    """2025年10月1日 — the way dates appear in messages."""
    return f"{d.year}年{d.month}月{d.day}日"


def _chinese_holiday_name(english: str | None) -> str:
    if not english:
        return ""
    try:
        chinese = chinese_calendar.Holiday(english).chinese
    except ValueError:  # a name this version has no Chinese for
        return english
    return _NICE_NAMES.get(chinese, chinese)


def _builtin_year_range() -> tuple[int, int]:
    keys = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return min(keys).year, max(keys).year


@dataclass(frozen=True)
class DayOverride:
    """A clerk-entered day: a holiday (is_workday False) or a make-up workday (True)."""

    date: date
    is_workday: bool
    name: str = ""


#: why a day counts or not, as the clerk checks it against the paper form
WORKDAY, WEEKEND, HOLIDAY, MAKEUP, REST = "工作日", "周末", "法定节假日", "调休上班", "休息日"
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class DayCount:
    """One day of a span: whether it counts as a working day, and why."""

    day: date
    counts: bool
    reason: str          # WORKDAY, WEEKEND, HOLIDAY, MAKEUP or REST (a day off entered locally)
    name: str = ""       # the holiday's name (国庆节), if any


@dataclass(frozen=True)
class DayRun:
    """Consecutive days with the same reason: one line of the breakdown."""

    first: date
    last: date
    counts: bool
    reason: str
    names: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def mark(self) -> str:
        return "计入" if self.counts else "不计"

    def span_text(self) -> str:
        """9月27日（六） for one day, 9月29日—30日 or 9月29日—10月2日 for a run."""
        first, last = self.first, self.last
        if first == last:
            return f"{first.month}月{first.day}日（{_WEEKDAYS[first.weekday()]}）"
        tail = f"{last.day}日" if last.month == first.month else f"{last.month}月{last.day}日"
        return f"{first.month}月{first.day}日—{tail}"

    def why_text(self) -> str:
        """周末 / 工作日 2 天 / 法定节假日 8 天（国庆节、中秋节） / 调休上班（国庆节）"""
        why = self.reason + (f" {self.days} 天" if self.days > 1 else "")
        if self.names and self.reason in (HOLIDAY, MAKEUP):
            why += "（" + "、".join(self.names) + "）"
        return why

    def text(self) -> str:
        """计入　9月29日—30日　工作日 2 天 / 不计　10月1日—8日　法定节假日 8 天（国庆节、中秋节）"""
        return f"{self.mark}　{self.span_text()}　{self.why_text()}"


def runs(days: Iterable[DayCount]) -> list[DayRun]:
    """Group a breakdown into runs of consecutive days with the same reason."""
    out: list[DayRun] = []
    for day in days:
        last = out[-1] if out else None
        if (last is not None and last.counts == day.counts and last.reason == day.reason
                and last.last + timedelta(days=1) == day.day):
            names = last.names + ((day.name,) if day.name and day.name not in last.names else ())
            out[-1] = DayRun(last.first, day.day, last.counts, last.reason, names)
        else:
            out.append(DayRun(day.day, day.day, day.counts, day.reason, (day.name,) if day.name else ()))
    return out


class WorkCalendar:
    """Answers "is this a working day?" and counts leave days.

    ``overrides`` may be a mapping ``date -> DayOverride`` or any iterable of
    ``DayOverride``.
    """

    def __init__(self, overrides: Mapping[date, DayOverride] | Iterable[DayOverride] = ()):
        items = overrides.values() if isinstance(overrides, Mapping) else overrides
        self._overrides: dict[date, DayOverride] = {o.date: o for o in items}
        self._override_years = frozenset(d.year for d in self._overrides)
        self._first_year, self._last_year = _builtin_year_range()

    # -- knowledge -------------------------------------------------------
    def known_range(self) -> tuple[date, date]:
        """First and last date the built-in holiday data (chinese_calendar) covers."""
        return date(self._first_year, 1, 1), date(self._last_year, 12, 31)

    def known_years(self) -> list[int]:
        """Every year with holiday data: built-in years plus years with local overrides."""
        return sorted(set(range(self._first_year, self._last_year + 1)) | self._override_years)

    def is_known(self, d: date) -> bool:
        return (d in self._overrides or self._first_year <= d.year <= self._last_year
                or d.year in self._override_years)

    # -- single days -----------------------------------------------------
    def day_info(self, d: date) -> tuple[bool, str]:
        """(is_workday, name): name is the holiday, ``…（调休上班）`` or ''."""
        override = self._overrides.get(d)
        if override is not None:
            return override.is_workday, override.name
        if self._first_year <= d.year <= self._last_year:
            is_holiday, english = chinese_calendar.get_holiday_detail(d)
            name = _chinese_holiday_name(english)
            if not is_holiday and name:
                # a weekend turned into a working day to make up for a holiday
                name = f"{name}（调休上班）"
            return (not is_holiday), name
        if d.year in self._override_years:
            return d.weekday() < 5, ""
        raise DomainError(
            "calendar_unknown",
            f"系统没有 {d.year} 年的节假日安排，无法按工作日计算。"
            f"请在“日历设置”中录入 {d.year} 年的法定节假日和调休上班日后再试。",
            None,
            year=d.year,
            date=d,
        )

    def is_workday(self, d: date) -> bool:
        return self.day_info(d)[0]

    def day_count(self, d: date) -> DayCount:
        """Whether ``d`` counts as a working day and why (周末 / 法定节假日 / 调休上班 …)."""
        workday, name = self.day_info(d)
        weekend = d.weekday() >= 5
        if workday:
            if weekend:
                return DayCount(d, True, MAKEUP, name.replace("（调休上班）", ""))
            return DayCount(d, True, WORKDAY)
        if name:
            return DayCount(d, False, HOLIDAY, name)
        return DayCount(d, False, WEEKEND if weekend else REST)

    def breakdown(self, start: date, end: date) -> list[DayCount]:
        """Every day of [start, end] with whether it counts and why (raises calendar_unknown
        like ``count_days``)."""
        out = []
        d = start
        while d <= end:
            out.append(self.day_count(d))
            d += timedelta(days=1)
        return out

    # -- spans -----------------------------------------------------------
    def count_days(self, start: date, end: date, mode: str = "working",
                   start_half: bool = False, end_half: bool = False) -> Decimal:
        """Days from start to end inclusive, in half-day steps.

        ``mode``: 'working' (weekends and holidays excluded, 调休 workdays
        included) or 'calendar' (every day counts; needs no holiday data).
        """
        _check_mode(mode)
        _check_span(start, end, start_half, end_half)
        total = _ZERO
        d = start
        while d <= end:
            if mode == "calendar" or self.is_workday(d):
                weight = _ONE
                if d == start and start_half:
                    weight = _HALF
                if d == end and end_half:
                    weight = _HALF
                total += weight
            d += timedelta(days=1)
        return total

    def end_date_for(self, start: date, days: Decimal | int | str, mode: str = "working",
                     start_half: bool = False) -> tuple[date, bool]:
        """The last day of a leave of ``days`` beginning on ``start``.

        Returns ``(end, end_half)``: ``end_half`` is True when the leave ends at
        noon.  In working mode a leave cannot start on a rest day.
        """
        _check_mode(mode)
        amount = Decimal(str(days))
        if amount <= 0 or (amount * 2) != (amount * 2).to_integral_value():
            raise DomainError("invalid_days", "天数必须是大于 0 的整数或半天（0.5 的倍数）",
                              "days", days=days)
        if mode == "working" and not self.is_workday(start):
            raise DomainError("start_not_workday",
                              f"{fmt_cn(start)} 不是工作日，按工作日计算的假期请从工作日开始",
                              "start_date", start=start)
        remaining = amount
        d = start
        first = True
        while True:
            if mode == "calendar" or self.is_workday(d):
                weight = _HALF if (first and start_half) else _ONE
                if remaining <= weight:
                    # ends on this day; a half left on a full day means "ends at noon"
                    return d, (remaining < weight)
                remaining -= weight
            first = False
            d += timedelta(days=1)


def _check_mode(mode: str) -> None:
    if mode not in COUNT_MODES:
        raise DomainError("invalid_count_mode", f"计算方式“{mode}”无效，应为“工作日”或“自然日”",
                          "count_mode", mode=mode)


def _check_span(start: date, end: date, start_half: bool, end_half: bool) -> None:
    if end < start:
        raise DomainError(
            "end_before_start",
            f"结束日期（{fmt_cn(end)}）早于开始日期（{fmt_cn(start)}），请修改结束日期",
            "end_date", start=start, end=end,
        )
    if start == end and start_half and end_half:
        raise DomainError(
            "half_day_empty",
            "同一天既从下午开始又在中午结束，时长为零；半天假请只勾选“上午”或“下午”之一",
            "end_date", start=start, end=end,
        )
