"""The home page (工作台): today's to-do list and the year's care coverage.

Built from the data every time (at start-up and after changes), so nothing is
missed when the PC was off.  Each item says what needs doing, how many, names
the first few people, and carries a target the window can open.  No Qt.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..db import queries
from ..db.database import db
from ..domain import health as health_rules
from ..domain.errors import DomainError
from . import allowance, health, leave, welfare

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


def _health_items(today: date, _visited: set[int] | None = None) -> list[TodoItem]:
    overdue_rows, due_rows = [], []
    for r in health.due_list(today.year, today):
        if r.status == health_rules.STATUS_OVERDUE:
            overdue_rows.append(r)
        elif r.status == health_rules.STATUS_DUE:
            due_rows.append(r)
    items = []
    for key, severity, title, rows in (
            ("health_overdue", SEVERITY_OVERDUE, "体检逾期未检", overdue_rows),
            ("health_due", SEVERITY_WARNING, f"{today.year}年应检尚未体检", due_rows)):
        if rows:
            people = [(r.cadre_id, f"{r.name}（{r.package}）") for r in rows[:SAMPLE]]
            items.append(TodoItem(key, severity, title, len(rows), _names(people, len(rows)),
                                  Target("health", "due"), people))
    count, first = queries.overdue_findings_summary(today, SAMPLE)
    if count:
        people = [(cid, f"{name}（{item}，应于 {due:%Y-%m-%d} 复查）") for cid, name, item, due in first]
        items.append(TodoItem("followup_overdue", SEVERITY_OVERDUE, "异常随访已过复查日期", count,
                              _names(people, count), Target("health", "followups"), people))
    return items


def _leave_items(today: date, _visited: set[int] | None = None) -> list[TodoItem]:
    if today.month < LEAVE_REMINDER_MONTH:
        return []
    none_taken, partly = [], []
    for r in leave.annual_balances(today.year):
        if r.remaining > 0:
            (partly if r.taken > 0 else none_taken).append(r)
    items = []
    for key, severity, title, rows in (
            ("leave_none", SEVERITY_WARNING, f"{today.year}年尚未休年休假", none_taken),
            ("leave_partly", SEVERITY_INFO, "年休假未休完", partly)):
        if rows:
            people = [(r.cadre_id, f"{r.name}（剩余 {leave._fmt(r.remaining)} 天）") for r in rows[:SAMPLE]]
            items.append(TodoItem(key, severity, title, len(rows), _names(people, len(rows)),
                                  Target("leave", "balances"), people))
    return items


def _birthday_items(today: date, _visited: set[int] | None = None) -> list[TodoItem]:
    sql = (f"SELECT c.id, c.name, c.birth_date FROM {queries.SERVING_CADRES} WHERE {queries.SERVING_WHERE} "
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


def _welfare_items(today: date, visited: set[int] | None = None) -> list[TodoItem]:
    items = []
    rows = welfare.not_visited(today.year, visited=visited)
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


def _allowance_items(today: date, _visited: set[int] | None = None) -> list[TodoItem]:
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


def _coverage(today: date, visited: set[int] | None = None) -> list[Coverage]:
    """Shares of serving cadres checked, rested and visited this year: the serving set
    from the covering index, each "done" set from a date-range index, intersected here."""
    serving = {r[0] for r in db.execute_sql(
        f"SELECT c.id FROM {queries.SERVING_CADRES} WHERE {queries.SERVING_WHERE}",
        queries.SERVING_STATUSES).fetchall()}
    start, end = f"{today.year}-01-01", f"{today.year}-12-31"

    def done(sql: str, *params) -> int:
        return len(serving & {r[0] for r in db.execute_sql(sql, (*params, start, end)).fetchall()})

    # health_last holds each cadre's latest check per package (kept by triggers, migration 0009)
    checked = done("SELECT DISTINCT cadre_id FROM health_last WHERE last_date >= ? AND last_date <= ?")
    rested = done("SELECT DISTINCT cadre_id FROM leave_record WHERE type_code = ? AND status IN (?, ?) "
                  "AND archived = 0 AND start_date >= ? AND start_date <= ?", "annual", "已批准", "已销假")
    visited_count = len(serving & (visited if visited is not None else _visited_ids(today.year)))
    total = len(serving)
    return [Coverage("本年已体检", checked, total), Coverage("本年已休年休假", rested, total),
            Coverage("本年已走访慰问", visited_count, total)]


SECTIONS = (_health_items, _leave_items, _allowance_items, _welfare_items, _birthday_items)
_ORDER = {SEVERITY_OVERDUE: 0, SEVERITY_WARNING: 1, SEVERITY_INFO: 2}


_SECTION_PAGES = {"_health_items": "health", "_leave_items": "leave", "_allowance_items": "allowance",
                  "_welfare_items": "welfare", "_birthday_items": "roster"}


def _run_section(section, today: date, visited: set[int]) -> list[TodoItem]:
    """One section's items; a section whose rules are missing says so instead of
    hiding the whole list."""
    try:
        return section(today, visited)
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


def build(today: date | None = None) -> HomeData:
    """Everything the home page shows, computed from the data as it is now (the page
    runs this on a worker thread, so the window never waits on it)."""
    today = today or date.today()
    if db.execute_sql("SELECT 1 FROM cadre WHERE archived = 0 LIMIT 1").fetchone() is None:
        return HomeData(today, _getting_started(), _coverage(today))
    visited = _visited_ids(today.year)  # shared by the visits to make and the coverage
    items: list[TodoItem] = []
    for section in SECTIONS:
        items.extend(_run_section(section, today, visited))
    items.sort(key=lambda i: _ORDER[i.severity])
    return HomeData(today, items, _coverage(today, visited))
