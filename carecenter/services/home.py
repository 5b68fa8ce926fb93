"""The home page (工作台): today's to-do list and the year's care coverage.

Built from the data every time (at start-up and after changes), so nothing is
missed when the PC was off.  Each item says what needs doing, how many, names
the first few people, and carries a target the window can open.  No Qt.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..db import queries
from ..db.database import db
from ..domain import health as health_rules
from ..domain.errors import DomainError
from . import allowance, health, leave, welfare
from .values import builds_large_list
from ..security import access
from ..security.access import exempt, requires

SEVERITY_OVERDUE = "overdue"   # red: past a deadline
SEVERITY_WARNING = "warning"   # amber: needs doing soon
SEVERITY_INFO = "info"         # neutral: good to know

#: from this month on, unused annual leave becomes a to-do item ("late in the year")
LEAVE_REMINDER_MONTH = 10
#: how many names an item shows before "等 N 人"
SAMPLE = 5


@dataclass(frozen=True)
class Target:
    """Where an item leads: a page (with an optional view) or one cadre's detail window."""

    page: str = ""
    view: str = ""
    cadre_id: int | None = None


@dataclass
class TodoItem:
    key: str
    severity: str
    title: str
    count: int
    detail: str
    target: Target
    people: list[tuple[int, str]] = field(default_factory=list)  # (cadre_id, label)


@dataclass
class Coverage:
    label: str
    done: int
    total: int

    @property
    def percent(self) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (Decimal(self.done) * 100 / self.total).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class HomeData:
    today: date
    items: list[TodoItem]
    coverage: list[Coverage]


def _names(rows: list[tuple[int, str]], total: int | None = None) -> str:
    """The first few labels, and "等 N 人" when there are more (``total``: all of them)."""
    total = len(rows) if total is None else total
    shown = "、".join(label for _, label in rows[:SAMPLE])
    return shown + (f" 等 {total} 人" if total > SAMPLE else "")


def _health_items(ctx: "_Context") -> list[TodoItem]:
    today = ctx.today
    ov = ctx.health()
    items = []
    for key, severity, title, status in (
            ("health_overdue", SEVERITY_OVERDUE, "体检逾期未检", health_rules.STATUS_OVERDUE),
            ("health_due", SEVERITY_WARNING, f"{today.year}年应检尚未体检", health_rules.STATUS_DUE)):
        count = ov.people[status]   # the item says 人: cadres, whatever the number of packages
        if count:
            people = [(r.cadre_id, f"{r.name}（{r.package}）") for r in ov.first[status]]
            items.append(TodoItem(key, severity, title, count, _names(people, count),
                                  Target("health", "due"), people))
    count, first = ctx.findings()
    if count:
        people = [(cid, f"{name}（{item}，应于 {due:%Y-%m-%d} 复查）") for cid, name, item, due in first]
        items.append(TodoItem("followup_overdue", SEVERITY_OVERDUE, "异常随访已过复查日期", count,
                              _names(people, count), Target("health", "followups"), people))
    return items


def _leave_items(ctx: "_Context") -> list[TodoItem]:
    today = ctx.today
    if today.month < LEAVE_REMINDER_MONTH:
        return []
    ov = ctx.leave()
    items = []
    for key, severity, title, count, rows in (
            ("leave_none", SEVERITY_WARNING, f"{today.year}年尚未休年休假", ov.none_taken, ov.first_none),
            ("leave_partly", SEVERITY_INFO, "年休假未休完", ov.partly, ov.first_partly)):
        if count:
            people = [(r.cadre_id, f"{r.name}（剩余 {leave._fmt(r.remaining)} 天）") for r in rows[:SAMPLE]]
            items.append(TodoItem(key, severity, title, count, _names(people, count),
                                  Target("leave", "balances"), people))
    return items


def _birthday_items(ctx: "_Context") -> list[TodoItem]:
    today = ctx.today
    sql = (f"SELECT c.id, c.name, c.birth_date FROM {queries.SERVING_CADRES} WHERE {queries.serving_where()} "
           f"AND substr(c.birth_date, 6, 2) = ? ORDER BY substr(c.birth_date, 9, 2), c.name_sort")
    rows = db.execute_sql(sql, (*queries.SERVING_STATUSES, f"{today.month:02d}")).fetchall()
    if not rows:
        return []
    people = [(cid, f"{name}（{str(birth)[5:]}）") for cid, name, birth in rows]
    return [TodoItem("birthdays", SEVERITY_INFO, f"{today.month}月过生日", len(people), _names(people),
                     Target("welfare", "records"), people[:SAMPLE])]


def _visited_ids(year: int) -> set[int]:
    """Cadres with a welfare record in ``year`` (index-only over the year's records)."""
    return {r[0] for r in db.execute_sql(
        "SELECT DISTINCT cadre_id FROM welfare_record INDEXED BY welfare_record_year_cover "
        "WHERE archived = 0 AND record_date >= ? AND record_date <= ?",
        (f"{year}-01-01", f"{year}-12-31")).fetchall()}


def _welfare_items(ctx: "_Context") -> list[TodoItem]:
    today = ctx.today
    items = []
    rows = welfare.not_visited(today.year, visited=ctx.visited)
    if rows:
        people = [(r.cadre_id, f"{r.name}（{r.reason}）") for r in rows]
        items.append(TodoItem("not_visited", SEVERITY_WARNING, f"艰苦边远地区和乡镇干部{today.year}年尚未走访慰问",
                              len(people), _names(people), Target("welfare", "records"), people[:SAMPLE]))
    for f in welfare.fund_usage(today.year):
        if f.budget_fen is None or f.status not in ("near", "over"):
            continue
        severity = SEVERITY_OVERDUE if f.status == "over" else SEVERITY_WARNING
        word = "已超出预算" if f.status == "over" else "接近预算上限"
        items.append(TodoItem(f"fund_{f.name}", severity, f"{f.name}{word}", 1,
                              f"{today.year}年已用 {f.percent}%（{f.status_name}）", Target("welfare", "funds")))
    return items


def _allowance_items(ctx: "_Context") -> list[TodoItem]:
    today = ctx.today
    month = date(today.year, today.month, 1)
    status = allowance.month_status(month)
    if status == allowance.STATUS_LOCKED:
        return []
    if status == allowance.STATUS_NONE:
        detail = f"{month:%Y年%m月}的津贴补贴尚未生成"
    else:
        detail = f"{month:%Y年%m月}的津贴补贴已生成，尚未审核锁定"
    return [TodoItem("allowance_month", SEVERITY_WARNING, "本月津贴补贴未锁定", 1, detail,
                     Target("allowance", ""))]


CALENDAR_REMINDER_MONTH = 11   # the State Council publishes next year's holidays in November


def _calendar_items(ctx: "_Context") -> list[TodoItem]:
    """From 1 November: next year's holiday calendar is missing (the built-in one ends this
    year and nothing was entered in 日历设置), so next year's leave cannot be counted."""
    today = ctx.today
    if today.month < CALENDAR_REMINDER_MONTH:
        return []
    nxt = today.year + 1
    if nxt in leave.calendar().known_years():
        return []
    detail = (f"程序内置的法定节假日安排只到{today.year}年。国务院公布{nxt}年节假日安排后，"
              f"请在「日历设置」中录入{nxt}年的放假日期和调休上班日，否则{nxt}年的请假无法按工作日计算。")
    return [TodoItem("calendar_next_year", SEVERITY_WARNING, f"录入{nxt}年节假日安排", 1, detail,
                     Target("leave", f"calendar:{nxt}"))]


def _coverage(ctx: "_Context") -> list[Coverage]:
    """Shares of serving cadres checked, rested and visited this year.  The counts come
    with the check-plan and annual-leave overviews the to-do items use; if a rule table
    is missing there, straight from the records."""
    year = ctx.today.year
    start, end = f"{year}-01-01", f"{year}-12-31"

    def serving_with(subquery: str, *params) -> int:
        return db.execute_sql(
            f"SELECT count(*) FROM {queries.SERVING_CADRES} WHERE {queries.serving_where()} AND c.id IN ({subquery})",
            (*queries.SERVING_STATUSES, *params)).fetchone()[0]

    try:
        checked = ctx.health().checked if access.allowed("health.read") else 0
    except DomainError:
        # health_last holds each cadre's latest check per package (kept by triggers, migration 0009)
        checked = serving_with("SELECT cadre_id FROM health_last WHERE last_date >= ? AND last_date <= ?", start, end)
    try:
        rested = ctx.leave().rested if access.allowed("leave.read") else 0
    except DomainError:
        rested = serving_with("SELECT cadre_id FROM leave_record WHERE type_code = ? AND status IN (?, ?) "
                              "AND archived = 0 AND start_date >= ? AND start_date <= ? AND days > 0",
                              "annual", "已批准", "已销假", start, end)
    serving = {r[0] for r in db.execute_sql(
        f"SELECT c.id FROM {queries.SERVING_CADRES} WHERE {queries.serving_where()}",
        queries.SERVING_STATUSES).fetchall()}
    total, visited = len(serving), len(serving & ctx.visited)
    bars = [("health.read", Coverage("本年已体检", checked, total)),
            ("leave.read", Coverage("本年已休年休假", rested, total)),
            ("welfare.read", Coverage("本年已走访慰问", visited, total))]
    return [bar for permission, bar in bars if access.allowed(permission)]


class _Context:
    """What the sections share: today, the ids visited this year, the check-plan and
    annual-leave overviews and the overdue follow-ups (each computed once; a missing
    rule table is raised again to every section that asks).

    ``prefetch=True`` starts the three heavy reads on two worker threads, each with its own
    SQLite connection (WAL lets readers run side by side, and sqlite3 releases the GIL
    while a statement runs), while this thread reads the rest."""

    def __init__(self, today: date, visited: set[int] | None = None, prefetch: bool = False):
        self.today = today
        self._done: dict[str, Any] = {}
        self._pool: ThreadPoolExecutor | None = None
        if prefetch and not db.in_transaction():  # other connections would not see uncommitted rows
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="home")
            for key, compute in self._computations().items():
                if access.allowed(_NEEDS[key]):
                    self._done[key] = self._pool.submit(_on_own_connection, compute)
        if visited is None:
            visited = _visited_ids(today.year) if access.allowed("welfare.read") else set()
        self.visited = visited

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _computations(self) -> dict[str, Any]:
        today = self.today
        return {  # the longest first: the two workers take the first two
            "leave": lambda: leave.annual_overview(today.year, SAMPLE),
            "health": lambda: health.due_overview(today.year, today, SAMPLE),
            "findings": lambda: queries.overdue_findings_summary(today, SAMPLE),
        }

    def _get(self, key: str):
        got = self._done.get(key)
        if got is None:
            got = self._done[key] = Future()
            try:
                got.set_result(self._computations()[key]())
            except DomainError as err:
                got.set_exception(err)
        return got.result()   # raises the DomainError again for every section that asks

    def health(self) -> health.DueOverview:
        return self._get("health")

    def leave(self) -> leave.AnnualOverview:
        return self._get("leave")

    def findings(self) -> tuple[int, list[tuple]]:
        return self._get("findings")


def _on_own_connection(compute):
    """Run ``compute`` on this worker thread's own connection, closed afterwards."""
    try:
        return compute()
    finally:
        db.close()


SECTIONS = (_health_items, _leave_items, _allowance_items, _calendar_items, _welfare_items, _birthday_items)
#: what the signed-in account must be allowed to read for a section (or a prefetch) to run
_NEEDS = {"_health_items": "health.read", "_leave_items": "leave.read", "_allowance_items": "allowance.read",
          "_calendar_items": "settings.edit", "_welfare_items": "welfare.read", "_birthday_items": "roster.read",
          "leave": "leave.read", "health": "health.read", "findings": "health.read"}
_ORDER = {SEVERITY_OVERDUE: 0, SEVERITY_WARNING: 1, SEVERITY_INFO: 2}


_SECTION_PAGES = {"_health_items": "health", "_leave_items": "leave", "_allowance_items": "allowance",
                  "_calendar_items": "leave", "_welfare_items": "welfare", "_birthday_items": "roster"}


def _run_section(section, ctx: _Context) -> list[TodoItem]:
    """One section's items; a section whose rules are missing says so instead of
    hiding the whole list."""
    try:
        return section(ctx)
    except DomainError as err:
        page = _SECTION_PAGES.get(section.__name__, "")
        return [TodoItem(f"error{section.__name__}", SEVERITY_WARNING, "部分待办无法汇总", 1, err.message,
                         Target(page, ""))]


def _getting_started() -> list[TodoItem]:
    """A new care center: say where to begin instead of listing empty to-dos."""
    has_units = db.execute_sql("SELECT 1 FROM unit WHERE archived = 0 LIMIT 1").fetchone() is not None
    if has_units:
        return [TodoItem("start", SEVERITY_INFO, "开始使用：添加干部", 0,
                         "单位已建好。请在「干部名册」中点「新增」逐个录入干部，之后这里会列出每天要办的事。",
                         Target("roster", ""))]
    return [TodoItem("start", SEVERITY_INFO, "开始使用：先添加单位", 0,
                     "这是一个新的数据库。请先在「单位管理」中添加本乡镇的单位，再到「干部名册」录入干部。",
                     Target("units", ""))]


@requires()
@builds_large_list
def build(today: date | None = None) -> HomeData:
    """Everything the home page shows, computed from the data as it is now (the page
    runs this on a worker thread, so the window never waits on it)."""
    today = today or date.today()
    if db.execute_sql("SELECT 1 FROM cadre WHERE archived = 0 LIMIT 1").fetchone() is None:
        return HomeData(today, _getting_started(), _coverage(_Context(today, set())))
    ctx = _Context(today, prefetch=True)
    try:
        items: list[TodoItem] = []
        for section in SECTIONS:
            if access.allowed(_NEEDS[section.__name__]):
                items.extend(_run_section(section, ctx))
        items.sort(key=lambda i: _ORDER[i.severity])
        return HomeData(today, items, _coverage(ctx))
    finally:
        ctx.close()
