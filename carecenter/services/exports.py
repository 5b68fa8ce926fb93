"""Every list of the application as an .xlsx export (issue 6): the rows each view
shows — same filter, same order, no paging — typed for Excel.

``LISTS`` maps a key (the CLI's ``export <list>`` name) to a ``ListExport`` that
knows the list's Chinese name, its columns, how to read its rows for a query and
how to describe that query on the 「说明」 sheet.  Rows come from the very
functions the table models read (``db.queries.*_rows`` stream the models' SQL
without LIMIT; the in-memory lists call the same services).  The GUI hands the
page's own filter objects (``current_filter()``) and sort key; for the lists a
model sorts in memory it hands the model's rows, already in the order shown.

Confidential columns (DOMAIN.md §6) appear only with ``include_confidential``:
the roster's full ID number (masked 110105********002X otherwise), the free text
of health checks and abnormal findings (结论, 描述, 转诊) and of 谈心谈话 (要点,
后续跟进).  Mental-health records are in no list and never exported.  Every export
is written to the audit trail (who, which list, how many rows, which filters,
whether confidential columns were included).

The workbook itself is written by ``exchange.export.export_list`` (exchange sits
above services: this module knows the lists, that one the file format).  No Qt here.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from ..db import queries
from ..db.database import db
from ..db.queries import (AllowanceLineFilter, CheckFilter, LeaveFilter, RosterFilter, TalkFilter,
                          WelfareFilter)
from ..domain import dates, idcard
from ..domain import roster as roster_rules
from ..domain import leave as leave_rules
from ..domain import welfare as welfare_rules
from ..domain.errors import DomainError
from ..domain.money import format_yuan, to_capital
from ..domain.pinyin import initials_key
from . import audit
from ..security.access import exempt, requires

CONFIDENTIAL_MARK = "内部资料 注意保密"

#: cell kinds (see ``exchange.export``): text, date, money_fen (integer fen), int, decimal, percent
KINDS = ("text", "date", "money_fen", "int", "decimal", "percent")


class Col(NamedTuple):
    """A column of an exported list: its Chinese header and how its values are typed."""
    label: str
    kind: str = "text"
    width: float | None = None


class Table(NamedTuple):
    """One sheet of an export: title, columns, rows (iterable of sequences) and, when
    known, how many rows to expect (for the progress bar)."""
    title: str
    columns: Sequence[Col]
    rows: Iterable[Sequence]
    total: int | None = None


# ================================================================ plain values shared by the lists

@dataclass(frozen=True)
class Criteria:
    """What the command line can say about any list (each list uses what applies)."""
    unit: str = ""              # unit name
    year: int | None = None
    month: date | None = None   # the first of the month
    search: str = ""


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _unit_label(unit_id: int | None) -> str:
    if not unit_id:
        return "全部单位"
    return queries.unit_names().get(unit_id, f"（编号 {unit_id}）")


def _order_label(labels: Mapping[str, str], key: str, descending: bool) -> str:
    return f"{labels.get(key, key)} {'降序' if descending else '升序'}"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _days(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


@requires()
def unit_id_by_name(name: str) -> int | None:
    """The id of the active unit called ``name`` (None for ""); a Chinese error otherwise."""
    name = (name or "").strip()
    if not name:
        return None
    rows = db.execute_sql("SELECT id FROM unit WHERE name = ? ORDER BY archived, id", (name,)).fetchall()
    if not rows:
        known = [r[0] for r in db.execute_sql("SELECT name FROM unit WHERE archived = 0 ORDER BY name LIMIT 8")]
        hint = "，现有单位如：" + "、".join(known) if known else "，数据库中还没有单位"
        raise DomainError("unknown_unit", f"没有名为「{name}」的单位，请核对 --unit 的单位全称{hint}", "unit")
    return rows[0][0]


# ================================================================ the list protocol

class ListExport(ABC):
    """One list: its key, Chinese name, columns, rows and the 「说明」 lines.

    Subclasses set ``key``, ``name``, ``options`` (the CLI criteria that apply) and
    ``confidential`` (what 包含敏感信息 adds, "" when nothing) and define
    ``columns``, ``sheets``, ``query_from`` and ``describe`` (``RowListExport``: ``fetch`` and ``row``)."""

    key = ""
    name = ""
    options: tuple[str, ...] = ()
    confidential = ""

    @property
    def has_confidential(self) -> bool:
        return bool(self.confidential)

    @abstractmethod
    def columns(self, confidential: bool) -> list[Col]:
        ...

    @abstractmethod
    def query_from(self, c: Criteria) -> Any:
        ...

    def describe(self, query: Any) -> list[tuple[str, str]]:
        return []

    @abstractmethod
    def sheets(self, query: Any, confidential: bool, items: Iterable[Any] | None = None) -> list[Table]:
        """The workbook's sheets for ``query`` (or for ``items``, the view's rows in order)."""

    def extra_notes(self, query: Any) -> list[tuple[str, str]]:
        return []


class RowListExport(ListExport):
    """A list exported as one sheet, one row per item: ``fetch`` the items the view
    shows (no paging), ``row`` turns one into cells."""

    @abstractmethod
    def fetch(self, query: Any) -> Iterable[Any]:
        """The items the view shows for ``query``, in its order (no paging)."""

    def count(self, query: Any) -> int | None:
        return None

    @abstractmethod
    def row(self, item: Any, confidential: bool) -> Sequence:
        """One item as the sheet's cells."""

    def formatter(self, query: Any, confidential: bool) -> Callable[[Any], Sequence]:
        """item -> cell values (lists that need names looked up read them once here)."""
        row = self.row
        return lambda item: row(item, confidential)

    def sheets(self, query: Any, confidential: bool, items: Iterable[Any] | None = None) -> list[Table]:
        source = self.fetch(query) if items is None else items
        total = len(items) if isinstance(items, Sequence) else self.count(query) if items is None else None
        fmt = self.formatter(query, confidential)
        return [Table(self.name, self.columns(confidential), (fmt(i) for i in source), total)]


# ---------------------------------------------------------------- 干部名册

ROSTER_SORT_LABELS = {"name": "姓名", "sex": "性别", "age": "年龄", "unit": "单位", "post": "职务", "rank": "职级",
                      "category": "类别", "phone": "电话", "status": "状态"}


@dataclass(frozen=True)
class RosterQuery:
    filter: RosterFilter = field(default_factory=RosterFilter)
    sort: str = "name"
    descending: bool = False
    today: date | None = None


class RosterExport(RowListExport):
    key, name = "roster", "干部名册"
    options = ("unit", "search")
    confidential = "完整身份证号"

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("身份证号"), Col("性别"), Col("年龄", "int"), Col("单位"),
                Col("职务"), Col("职级"), Col("类别"), Col("电话"), Col("状态")]

    def fetch(self, q: RosterQuery) -> Iterable[tuple]:
        return queries.roster_rows(q.filter, q.sort, q.descending, today=q.today)

    def count(self, q: RosterQuery) -> int:
        return queries.roster_count(q.filter)

    def row(self, r: tuple, confidential: bool) -> Sequence:
        # (id, name, sex, age, unit, post, rank, category, phone, status, archived, id_number)
        number = r[11] or ""
        status = f"{r[9]}（已归档）" if r[10] else r[9]
        return (r[1], number if confidential else idcard.mask(number), r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                status)

    def query_from(self, c: Criteria) -> RosterQuery:
        return RosterQuery(RosterFilter(text=c.search, unit_id=unit_id_by_name(c.unit)))

    def describe(self, q: RosterQuery) -> list[tuple[str, str]]:
        f = q.filter
        return [("单位", _unit_label(f.unit_id)), ("类别", f.category or "全部类别"),
                ("状态", f.status or "全部状态"), ("显示已归档", _yes(f.include_archived)),
                ("搜索", f.text.strip() or "（无）"), ("排序", _order_label(ROSTER_SORT_LABELS, q.sort, q.descending))]


class RosterRecordsExport(RosterExport):
    """干部花名册: every field of each cadre record the roster shows (same filter and order)
    — what the county asks for: dates (出生日期, 参加工作时间 …), 学历, 编制 (人员身份), 民族, 籍贯.
    Month-precision dates read 1985.03; the full ID number and 备注 only when asked."""

    key, name = "roster-full", "干部花名册"
    confidential = "完整身份证号、备注"
    #: (field, kind): month fields are text (1985.03), birth dates real Excel dates
    FIELDS = tuple((k, "date" if k == "birth_date" else "int" if k == "pay_grade" else "text")
                   for k in queries.ROSTER_RECORD_FIELDS if k != "archived")
    SECRET = ("notes",)

    def columns(self, confidential: bool) -> list[Col]:
        cols = [Col("序号", "int")]
        for k, kind in self.FIELDS:
            if k in self.SECRET and not confidential:
                continue
            cols.append(Col(roster_rules.CADRE_LABELS[k], kind))
            if k == "birth_date":
                cols.append(Col("年龄", "int"))
        return cols

    def fetch(self, q: RosterQuery) -> Iterable[dict]:
        return queries.roster_records(q.filter, q.sort, q.descending)

    def formatter(self, query: Any, confidential: bool) -> Callable[[Any], Sequence]:
        units = queries.unit_names()
        today = query.today or date.today()
        counter = iter(range(1, 10 ** 9))
        return lambda r: self.row(r, confidential, next(counter), units, today)

    def row(self, r: dict, confidential: bool, number: int = 0, units: Mapping[int, str] | None = None,
            today: date | None = None) -> Sequence:
        units = queries.unit_names() if units is None else units
        today = today or date.today()
        out: list[Any] = [number]
        for k, _kind in self.FIELDS:
            v = r.get(k)
            if k in self.SECRET and not confidential:
                continue
            if k == "id_number":
                v = (v or "") if confidential else idcard.mask(v or "")
            elif k == "unit_id":
                v = units.get(v, "")
            elif k in roster_rules.MONTH_DATE_FIELDS:
                v = dates.fmt_month_date(v)
            elif k == "only_child":
                v = _yes(bool(v))
            elif k == "employment_status" and r.get("archived"):
                v = f"{v}（已归档）"
            elif k == "notes":
                v = _one_line(v)
            elif v is None:
                v = "" if k != "pay_grade" else None
            out.append(v)
            if k == "birth_date":
                b = r.get("birth_date")
                out.append(today.year - b.year - ((today.month, today.day) < (b.month, b.day)) if b else None)
        return out


# ---------------------------------------------------------------- 休假管理

LEAVE_SORT_LABELS = {"name": "姓名", "unit": "单位", "type": "假别", "start": "开始", "end": "结束", "days": "天数",
                     "status": "状态", "approver": "审批人"}


@dataclass(frozen=True)
class LeaveQuery:
    filter: LeaveFilter = field(default_factory=LeaveFilter)
    sort: str = "start"
    descending: bool = True


@requires()
def leave_type_names() -> dict[str, str]:
    from . import leave as leave_service

    return dict(leave_rules.LEAVE_TYPE_NAMES) | dict(leave_service.type_names())


@exempt('pure formatting or parsing, no data')
def half_day_text(start_half: bool, end_half: bool) -> str:
    """Which ends of a leave are half days (the list shows 下午 / 上午 beside the dates)."""
    parts = []
    if start_half:
        parts.append("开始日下午")
    if end_half:
        parts.append("结束日上午")
    return "、".join(parts)


class LeaveExport(RowListExport):
    key, name = "leave", "请假记录"
    options = ("unit", "year", "search")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("单位"), Col("假别"), Col("开始", "date"), Col("结束", "date"),
                Col("半天"), Col("天数", "decimal"), Col("路程假", "decimal"), Col("状态"),
                Col("审批人"), Col("事由")]

    def formatter(self, query: Any, confidential: bool) -> Callable[[Any], Sequence]:
        names = leave_type_names()
        return lambda r: self.row(r, confidential, names)

    def fetch(self, q: LeaveQuery) -> Iterable[tuple]:
        return queries.leave_rows(q.filter, q.sort, q.descending)

    def count(self, q: LeaveQuery) -> int:
        return queries.leave_count(q.filter)

    def row(self, r: tuple, confidential: bool, names: Mapping[str, str] | None = None) -> Sequence:
        # (id, cadre_id, name, unit, type_code, start, end, start_half, end_half, days, travel, status,
        #  approver, reason)
        names = names if names is not None else leave_type_names()
        travel = _days(r[10])
        return (r[2], r[3] or "", names.get(r[4], r[4]), r[5], r[6], half_day_text(r[7], r[8]), _days(r[9]),
                travel if travel else None, r[11], r[12] or "", r[13] or "")

    def query_from(self, c: Criteria) -> LeaveQuery:
        return LeaveQuery(LeaveFilter(year=c.year, unit_id=unit_id_by_name(c.unit), text=c.search))

    def describe(self, q: LeaveQuery) -> list[tuple[str, str]]:
        f = q.filter
        names = leave_type_names()
        return [("年度", f"{f.year} 年" if f.year else "全部年度"), ("单位", _unit_label(f.unit_id)),
                ("假别", names.get(f.type_code, f.type_code) if f.type_code else "全部假别"),
                ("状态", f.status or "全部状态"), ("搜索", f.text.strip() or "（无）"),
                ("排序", _order_label(LEAVE_SORT_LABELS, q.sort, q.descending))]


#: From this day of the year on, leave left over is marked 未休完 (as the balance view does).
LATE_IN_YEAR = (10, 1)


@dataclass(frozen=True)
class BalanceQuery:
    year: int
    unit_id: int | None = None
    text: str = ""
    today: date | None = None
    sort_label: str = "姓名 升序"


class BalanceExport(RowListExport):
    key, name = "leave-balance", "年休假余额"
    options = ("unit", "year", "search")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("单位"), Col("应休", "decimal"), Col("已休", "decimal"),
                Col("剩余", "decimal"), Col("说明")]

    @staticmethod
    def is_late(year: int, today: date | None = None) -> bool:
        """Late enough in ``year`` that leave left over is pointed out (the balance view's rule)."""
        today = today or date.today()
        return year < today.year or (year == today.year and (today.month, today.day) >= LATE_IN_YEAR)

    def formatter(self, query: Any, confidential: bool) -> Callable[[Any], Sequence]:
        late = self.is_late(query.year, query.today)
        return lambda r: self.row(r, confidential, late)

    def fetch(self, q: BalanceQuery) -> Iterable[Any]:
        from . import leave as leave_service

        return leave_service.annual_balances(q.year, q.unit_id, q.text)

    def row(self, r: Any, confidential: bool, late: bool = False) -> Sequence:
        reason = r.reason
        if late and r.remaining > 0:
            reason = "未休完。" + reason
        return (r.name, r.unit, r.entitled + r.deferred_in, r.taken, r.remaining, reason)

    def query_from(self, c: Criteria) -> BalanceQuery:
        return BalanceQuery(c.year or date.today().year, unit_id_by_name(c.unit), c.search)

    def describe(self, q: BalanceQuery) -> list[tuple[str, str]]:
        return [("年度", f"{q.year} 年"), ("单位", _unit_label(q.unit_id)), ("搜索", q.text.strip() or "（无）"),
                ("排序", q.sort_label)]


# ---------------------------------------------------------------- 健康体检

class CheckExport(RowListExport):
    key, name = "health-checks", "体检记录"
    options = ("unit", "year", "search")
    confidential = "体检结论"

    def columns(self, confidential: bool) -> list[Col]:
        cols = [Col("体检日期", "date"), Col("姓名"), Col("单位"), Col("项目"), Col("体检机构")]
        if confidential:
            cols.append(Col("结论"))
        cols.append(Col("未关闭异常", "int"))
        return cols

    def fetch(self, f: CheckFilter) -> Iterable[tuple]:
        return queries.check_rows(f)

    def count(self, f: CheckFilter) -> int:
        return queries.check_count(f)

    def row(self, r: tuple, confidential: bool) -> Sequence:
        # (id, cadre_id, check_date, name, unit, package, institution, conclusion, open_findings)
        head = (r[2], r[3], r[4] or "", r[5] or "", r[6] or "")
        if confidential:
            return head + (_one_line(r[7]), r[8] or 0)
        return head + (r[8] or 0,)

    def query_from(self, c: Criteria) -> CheckFilter:
        return CheckFilter(year=c.year, unit_id=unit_id_by_name(c.unit), text=c.search)

    def describe(self, f: CheckFilter) -> list[tuple[str, str]]:
        return [("年度", f"{f.year} 年" if f.year else "全部年度"), ("单位", _unit_label(f.unit_id)),
                ("体检项目", f.package or "全部项目"), ("搜索", f.text.strip() or "（无）"),
                ("排序", "体检日期 降序（最近的在前）")]


@dataclass(frozen=True)
class DueQuery:
    year: int
    unit_id: int | None = None
    text: str = ""
    status: str = ""            # "" = 逾期 and 本年应检 (the to-do list)
    today: date | None = None
    sort_label: str = "逾期在前，再按姓名"


class DueExport(RowListExport):
    key, name = "health-due", "应检逾期名单"
    options = ("unit", "year", "search")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("单位"), Col("性别"), Col("年龄", "int"), Col("项目"),
                Col("适用规则"), Col("上次体检", "date"), Col("应检年度", "int"), Col("状态")]

    def fetch(self, q: DueQuery) -> Iterable[Any]:
        from . import health as health_service

        return health_service.due_list(q.year, q.today or date.today(), q.unit_id, q.text, q.status)

    def row(self, r: Any, confidential: bool) -> Sequence:
        return (r.name, r.unit, r.sex, r.age, r.package, r.rule_name, r.last_date or "从未体检", r.due_year,
                r.status)

    def query_from(self, c: Criteria) -> DueQuery:
        return DueQuery(c.year or date.today().year, unit_id_by_name(c.unit), c.search.strip())

    def describe(self, q: DueQuery) -> list[tuple[str, str]]:
        return [("年度", f"{q.year} 年"), ("单位", _unit_label(q.unit_id)),
                ("状态", q.status or "全部待办（逾期和本年应检）"), ("搜索", q.text.strip() or "（无）"),
                ("排序", q.sort_label)]


@dataclass(frozen=True)
class FollowupQuery:
    unit_id: int | None = None
    text: str = ""
    overdue_only: bool = False
    today: date | None = None
    sort_label: str = "复查逾期在前，A 类在前，再按复查日期"


class FollowupExport(RowListExport):
    key, name = "health-followups", "异常随访"
    options = ("unit", "search")
    confidential = "异常的描述和转诊"

    def columns(self, confidential: bool) -> list[Col]:
        cols = [Col("姓名"), Col("单位"), Col("体检日期", "date"), Col("异常项目")]
        if confidential:
            cols.append(Col("描述"))
        cols += [Col("级别"), Col("告知日期", "date")]
        if confidential:
            cols.append(Col("转诊"))
        cols += [Col("复查日期", "date"), Col("状态")]
        return cols

    def fetch(self, q: FollowupQuery) -> Iterable[Any]:
        from . import health as health_service

        return health_service.open_followups(q.today or date.today(), q.unit_id, q.text,
                                             overdue_only=q.overdue_only)

    def row(self, r: Any, confidential: bool) -> Sequence:
        level = {"A": "A类", "B": "B类"}.get(r.level, r.level)
        out: list[Any] = [r.name, r.unit, r.check_date, r.item]
        if confidential:
            out.append(_one_line(r.description))
        out += [level, r.notified_date or "未告知"]
        if confidential:
            out.append(r.referral or "")
        out += [r.recheck_due or "未定", r.status]
        return out

    def query_from(self, c: Criteria) -> FollowupQuery:
        return FollowupQuery(unit_id_by_name(c.unit), c.search)

    def describe(self, q: FollowupQuery) -> list[tuple[str, str]]:
        return [("单位", _unit_label(q.unit_id)), ("只看逾期", _yes(q.overdue_only)),
                ("搜索", q.text.strip() or "（无）"), ("排序", q.sort_label)]


# ---------------------------------------------------------------- 津贴补贴

def _month_text(d: date | None) -> str:
    return f"{d.year}年{d.month}月" if d else ""


def _this_month() -> date:
    today = date.today()
    return date(today.year, today.month, 1)


def _line_kind_text(kind: str, corrects: date | None, regular: str) -> str:
    if kind != regular and corrects:
        return f"{kind}（{_month_text(corrects)}）"
    return kind


def _line_reason_text(kind: str, generated_fen: int | None, reason: str, regular: str) -> str:
    if kind != regular:
        return reason or ""
    if generated_fen is not None:
        return f"原{format_yuan(int(generated_fen))}元，{reason}"
    return ""


class AllowanceLinesExport(RowListExport):
    key, name = "allowance-lines", "津贴补贴发放明细"
    options = ("unit", "month", "search")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("单位"), Col("项目"), Col("档次/类区"), Col("金额（元）", "money_fen"),
                Col("依据"), Col("调整说明"), Col("类型")]

    def fetch(self, f: AllowanceLineFilter) -> Iterable[dict]:
        return self._lines(queries.allowance_line_ids(f))

    @staticmethod
    def _lines(ids: list[int]) -> Iterable[dict]:
        """The lines by id, in the ids' order, read in chunks (as the list reads its pages)."""
        from . import allowance as service

        for start in range(0, len(ids), 2000):
            for r in queries.allowance_lines(ids[start:start + 2000]):
                yield service.line_dict(r)

    def sheets(self, query, confidential, items=None):
        if items is not None:
            return super().sheets(query, confidential, items)
        ids = queries.allowance_line_ids(query)   # one sorted read: the order and the count
        fmt = self.formatter(query, confidential)
        return [Table(self.name, self.columns(confidential), (fmt(r) for r in self._lines(ids)), len(ids))]

    def row(self, r: dict, confidential: bool) -> Sequence:
        from . import allowance as service

        return (r["name"], r["unit"], r["scheme_name"], service.band_text(r["scheme"], r["band"], r["area_class"]),
                r["amount_fen"], r["basis"] or "",
                _line_reason_text(r["kind"], r["generated_fen"], r["reason"], service.KIND_REGULAR),
                _line_kind_text(r["kind"], r["corrects_month"], service.KIND_REGULAR))

    def query_from(self, c: Criteria) -> AllowanceLineFilter:
        return AllowanceLineFilter(c.month or _this_month(), unit_name=c.unit.strip(), text=c.search)

    def describe(self, f: AllowanceLineFilter) -> list[tuple[str, str]]:
        from . import allowance as service

        return [("发放月份", _month_text(f.month)), ("单位", f.unit_name or "全部单位"),
                ("项目", service.SCHEME_NAMES.get(f.scheme, f.scheme) if f.scheme else "全部项目"),
                ("类型", f.kind or "全部类型"), ("搜索", f.text.strip() or "（无）"),
                ("排序", "单位、姓名、项目")]

    def extra_notes(self, f: AllowanceLineFilter) -> list[tuple[str, str]]:
        total = queries.allowance_line_sum(f)
        return [("本表合计（元）", format_yuan(total)), ("本表合计（大写）", to_capital(total))]


@dataclass(frozen=True)
class MonthQuery:
    month: date


class AllowanceTotalsExport(ListExport):
    """Two sheets, as the 合计 view shows two tables: by unit and by scheme."""

    key, name = "allowance-totals", "津贴补贴合计"
    options = ("month",)

    def unit_columns(self) -> list[Col]:
        return [Col("单位"), Col("行数", "int"), Col("金额（元）", "money_fen")]

    def scheme_columns(self) -> list[Col]:
        return [Col("项目"), Col("类型"), Col("行数", "int"), Col("金额（元）", "money_fen")]

    def columns(self, confidential: bool) -> list[Col]:
        return self.unit_columns()

    def sheets(self, q: MonthQuery, confidential: bool, items=None) -> list[Table]:
        """``items``: (unit rows, scheme rows) as the view holds them, or None to read them."""
        from . import allowance as service

        if items is None:
            units, schemes = service.totals_by_unit(q.month), service.totals_by_scheme(q.month)
        else:
            units, schemes = items
        unit_rows = [(u or "（未填写单位）", n, t) for u, n, t in units]
        scheme_rows = [(service.SCHEME_NAMES.get(s, s), k, n, t) for s, k, n, t in schemes]
        return [Table("按单位", self.unit_columns(), unit_rows, len(unit_rows)),
                Table("按项目", self.scheme_columns(), scheme_rows, len(scheme_rows))]

    def query_from(self, c: Criteria) -> MonthQuery:
        return MonthQuery(c.month or _this_month())

    def describe(self, q: MonthQuery) -> list[tuple[str, str]]:
        return [("发放月份", _month_text(q.month))]

    def extra_notes(self, q: MonthQuery) -> list[tuple[str, str]]:
        from . import allowance as service

        total = service.month_total(q.month)
        return [("本月合计（元）", format_yuan(total["total_fen"])), ("本月合计（大写）", total["capital"])]


@dataclass(frozen=True)
class ProblemQuery:
    month: date
    text: str = ""


class AllowanceProblemsExport(RowListExport):
    key, name = "allowance-problems", "津贴补贴未能计算"
    options = ("month", "search")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("单位"), Col("问题"), Col("说明")]

    def fetch(self, q: ProblemQuery) -> Iterable[tuple]:
        """(cadre_id, name, unit, title, message) as the 未能计算 view lists them; the
        search keeps the people whose name or unit contains the text (as that view does)."""
        from . import allowance as service

        info = service.batch_info(q.month)
        text = q.text.strip()
        for g in (info["problem_groups"] if info else []):
            for s in g.samples:
                if text and text not in s.get("name", "") and text not in s.get("unit", ""):
                    continue
                yield (s.get("cadre_id"), s.get("name", ""), s.get("unit", ""), g.title, s.get("message", ""))

    def row(self, r: tuple, confidential: bool) -> Sequence:
        return (r[1], r[2], r[3], r[4])

    def query_from(self, c: Criteria) -> ProblemQuery:
        return ProblemQuery(c.month or _this_month(), c.search)

    def describe(self, q: ProblemQuery) -> list[tuple[str, str]]:
        return [("发放月份", _month_text(q.month)), ("搜索", q.text.strip() or "（无）")]


@dataclass(frozen=True)
class HistoryQuery:
    cadre_id: int


class AllowanceHistoryExport(RowListExport):
    """One cadre's payout history (the detail window's 津贴 tab); the command line names
    the cadre with ``--search`` (name, initials or ID tail; one person must match)."""

    key, name = "allowance-history", "津贴补贴发放记录"
    options = ("search", "unit")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("月份"), Col("项目"), Col("档次/类区"), Col("金额（元）", "money_fen"), Col("类型"),
                Col("状态"), Col("依据"), Col("调整说明"), Col("单位")]

    def fetch(self, q: HistoryQuery) -> Iterable[dict]:
        from . import allowance as service

        return service.cadre_history(q.cadre_id)

    def row(self, h: dict, confidential: bool) -> Sequence:
        from . import allowance as service

        status = "已锁定" if h["locked"] else "草稿"
        return (f"{h['month']:%Y-%m}", h["scheme_name"], service.band_text(h["scheme"], h["band"], h["area_class"]),
                h["amount_fen"], _line_kind_text(h["kind"], h["corrects_month"], service.KIND_REGULAR), status,
                h["basis"] or "", _line_reason_text(h["kind"], h["generated_fen"], h["reason"], service.KIND_REGULAR),
                h["unit"] or "")

    def query_from(self, c: Criteria) -> HistoryQuery:
        text = c.search.strip()
        if not text:
            raise DomainError("search", "请用 --search 指定一名干部（姓名、拼音首字母或身份证号尾号）", "search")
        found = queries.picker_search(text, limit=50)
        if c.unit.strip():
            found = [f for f in found if f[2] == c.unit.strip()]
        if not found:
            raise DomainError("search", f"没有找到与「{text}」相符的在册干部，请核对 --search", "search")
        exact = [f for f in found if f[1] == text]
        if len(found) > 1 and len(exact) == 1:
            found = exact
        if len(found) > 1:
            names = "、".join(f"{f[1]}（{f[2]}，{idcard.mask(f[4] or '')}）" for f in found[:6])
            raise DomainError("search", f"「{text}」对应多名干部：{names}……请输入更完整的姓名或身份证号尾号，"
                              "或加 --unit 单位名称", "search")
        return HistoryQuery(found[0][0])

    def describe(self, q: HistoryQuery) -> list[tuple[str, str]]:
        label = queries.picker_label(q.cadre_id)
        who = f"{label[1]}（{label[2]}）" if label else str(q.cadre_id)
        return [("干部", who), ("排序", "月份 降序（最近的在前）")]


# ---------------------------------------------------------------- 福利慰问

@requires()
def occasion_names() -> dict[str, str]:
    from . import welfare as welfare_service

    return dict(welfare_rules.OCCASION_NAMES, **dict(welfare_service.occasion_names(include_talk=True)))


@exempt('pure formatting or parsing, no data')
def welfare_notes_text(over_reason: str | None, episode: str | None, notes: str | None) -> str:
    """The 备注 column: 超出说明, 同一事项 and the notes, as the list shows them."""
    parts = []
    if over_reason:
        parts.append("超出说明：" + _one_line(over_reason))
    if episode:
        parts.append("同一事项：" + episode)
    if notes:
        parts.append(_one_line(notes))
    return "；".join(parts)


class WelfareExport(RowListExport):
    key, name = "welfare", "慰问记录"
    options = ("unit", "year", "search")

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("日期", "date"), Col("姓名"), Col("单位"), Col("事由"), Col("金额（元）", "money_fen"),
                Col("其中慰问金（元）", "money_fen"), Col("物品价值（元）", "money_fen"), Col("物品"),
                Col("经费来源"), Col("走访人"), Col("备注")]

    def formatter(self, query: Any, confidential: bool) -> Callable[[Any], Sequence]:
        names = occasion_names()
        return lambda r: self.row(r, confidential, names)

    def fetch(self, f: WelfareFilter) -> Iterable[tuple]:
        return queries.welfare_rows(f)

    def count(self, f: WelfareFilter) -> int:
        return queries.welfare_count(f)

    def row(self, r: tuple, confidential: bool, names: Mapping[str, str] | None = None) -> Sequence:
        # (id, cadre_id, record_date, name, unit, occasion, money_fen, goods, goods_fen, funding_source,
        #  visitors, episode, notes, over_reason)
        names = names if names is not None else occasion_names()
        return (r[2], r[3], r[4] or "", names.get(r[5], r[5]), (r[6] or 0) + (r[8] or 0), r[6] or 0, r[8] or 0,
                _one_line(r[7]), r[9] or "", r[10] or "", welfare_notes_text(r[13], r[11], r[12]))

    def query_from(self, c: Criteria) -> WelfareFilter:
        return WelfareFilter(year=c.year, unit_id=unit_id_by_name(c.unit), text=c.search)

    def describe(self, f: WelfareFilter) -> list[tuple[str, str]]:
        names = occasion_names()
        return [("年度", f"{f.year} 年" if f.year else "全部年度"), ("单位", _unit_label(f.unit_id)),
                ("慰问事由", names.get(f.occasion, f.occasion) if f.occasion else "全部事由"),
                ("经费来源", f.fund or "全部经费来源"), ("搜索", f.text.strip() or "（无）"),
                ("排序", "日期 降序（最近的在前）")]

    def extra_notes(self, f: WelfareFilter) -> list[tuple[str, str]]:
        count, total = queries.welfare_summary(f)
        return [("本表合计（元）", format_yuan(total)), ("本表合计（大写）", to_capital(total))]


class TalkExport(RowListExport):
    key, name = "welfare-talks", "谈心谈话"
    options = ("unit", "year", "search")
    confidential = "谈话要点和后续跟进"

    def columns(self, confidential: bool) -> list[Col]:
        cols = [Col("谈话日期", "date"), Col("谈话对象"), Col("单位"), Col("谈话人"), Col("谈话事由")]
        if confidential:
            cols += [Col("谈话要点"), Col("后续跟进")]
        return cols

    def fetch(self, f: TalkFilter) -> Iterable[tuple]:
        return queries.talk_rows(f)

    def count(self, f: TalkFilter) -> int:
        return queries.talk_count(f)

    def row(self, r: tuple, confidential: bool) -> Sequence:
        # (id, cadre_id, talk_date, name, unit, talker, trigger, gist, follow_up, notes)
        head = (r[2], r[3], r[4] or "", _one_line(r[5]), _one_line(r[6]))
        if confidential:
            return head + (_one_line(r[7]), _one_line(r[8]))
        return head

    def query_from(self, c: Criteria) -> TalkFilter:
        return TalkFilter(year=c.year, unit_id=unit_id_by_name(c.unit), text=c.search)

    def describe(self, f: TalkFilter) -> list[tuple[str, str]]:
        return [("年度", f"{f.year} 年" if f.year else "全部年度"), ("单位", _unit_label(f.unit_id)),
                ("谈话事由", f.trigger or "全部事由"), ("搜索", f.text.strip() or "（无）"),
                ("排序", "谈话日期 降序（最近的在前）")]


@dataclass(frozen=True)
class FundQuery:
    year: int


class FundExport(RowListExport):
    key, name = "welfare-funds", "经费预算"
    options = ("year",)

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("经费来源"), Col("预算（元）", "money_fen"), Col("已用（元）", "money_fen"),
                Col("剩余（元）", "money_fen"), Col("使用率", "percent"), Col("状态")]

    def fetch(self, q: FundQuery) -> Iterable[Any]:
        from . import welfare as welfare_service

        return welfare_service.fund_usage(q.year)

    def row(self, u: Any, confidential: bool) -> Sequence:
        return (u.name, u.budget_fen if u.budget_fen is not None else "未设预算", u.used_fen,
                u.remaining_fen, u.percent, u.status_name)

    def query_from(self, c: Criteria) -> FundQuery:
        return FundQuery(c.year or date.today().year)

    def describe(self, q: FundQuery) -> list[tuple[str, str]]:
        return [("年度", f"{q.year} 年")]


# ---------------------------------------------------------------- 单位管理

@dataclass(frozen=True)
class UnitQuery:
    text: str = ""
    township: str = ""
    include_archived: bool = False
    sort: str = "name"
    descending: bool = False


UNIT_COLUMNS = ["name", "kind", "township", "township_category", "hardship_area_class", "cadre_count"]
UNIT_LABELS = {"name": "名称", "kind": "类别", "township": "所属乡镇", "township_category": "乡镇类别",
               "hardship_area_class": "艰苦边远地区类别", "cadre_count": "在册干部"}


@requires('roster.read')
def unit_rows(q: UnitQuery) -> list[dict[str, Any]]:
    """The units the 单位管理 list shows for the search text and township, in its order
    (the list filters and sorts its few dozen units in memory the same way)."""
    from . import roster as roster_service

    units = [dict(u, _initials=initials_key(u["name"]))
             for u in roster_service.list_units(include_archived=q.include_archived)]
    text = q.text.strip()

    def match(u: dict[str, Any]) -> bool:
        if q.township and u["township"] != q.township:
            return False
        if not text:
            return True
        if text.isascii() and text.isalpha():
            return f" {text.lower()}" in u["_initials"] or text.lower() in u["name"].lower()
        return text in u["name"] or text in u["township"] or text in u["kind"]

    rows = [u for u in units if match(u)]
    key = q.sort if q.sort in UNIT_COLUMNS else "name"
    rows.sort(key=(lambda u: u["_initials"]) if key == "name" else (lambda u: (u[key], u["_initials"])),
              reverse=q.descending)
    rows.sort(key=lambda u: u["archived"])  # archived ones last
    return rows


class UnitsExport(RowListExport):
    key, name = "units", "单位名单"
    options = ("search",)

    def columns(self, confidential: bool) -> list[Col]:
        return [Col(UNIT_LABELS[k], "int" if k == "cadre_count" else "text") for k in UNIT_COLUMNS]

    def fetch(self, q: UnitQuery) -> Iterable[dict]:
        return unit_rows(q)

    def row(self, u: dict, confidential: bool) -> Sequence:
        name = f"{u['name']}（已归档）" if u["archived"] else u["name"]
        return (name, u.get("kind") or "", u.get("township") or "", u.get("township_category") or "",
                u.get("hardship_area_class") or "", u.get("cadre_count") or 0)

    def query_from(self, c: Criteria) -> UnitQuery:
        return UnitQuery(text=c.search)

    def describe(self, q: UnitQuery) -> list[tuple[str, str]]:
        return [("所属乡镇", q.township or "全部乡镇"), ("显示已归档", _yes(q.include_archived)),
                ("搜索", q.text.strip() or "（无）"), ("排序", _order_label(UNIT_LABELS, q.sort, q.descending))]


# ---------------------------------------------------------------- 县级版：汇总, 全县名册 (issue 15)

@dataclass(frozen=True)
class CountyQuery:
    year: int


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


class CountySummaryExport(ListExport):
    """The county's 汇总 of a year: the figures per township and 合计, the allowances per
    month and the welfare funds, each a sheet (the same values as the printed 汇总表)."""

    key, name = "county-summary", "县级汇总"
    options = ("year",)

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("乡镇"), Col("统计用区划代码"), Col("数据截至", "date"), Col("接收时间", "date"),
                Col("在职干部", "int"), Col("艰苦边远地区干部", "int"), Col("应检人数", "int"), Col("已检人数", "int"),
                Col("体检覆盖率", "percent"), Col("未结异常随访", "int"), Col("年休假应休（天）", "decimal"),
                Col("已休（天）", "decimal"), Col("未休人数", "int"), Col("津贴补贴（元）", "money_fen"),
                Col("走访艰苦边远地区干部", "int"), Col("走访覆盖率", "percent")]

    def sheets(self, query: CountyQuery, confidential: bool, items: Iterable[Any] | None = None) -> list[Table]:
        from . import county

        s = county.summary(query.year)
        rows = [*s.townships, s.total]
        main = [(t.name, t.code, t.as_of, t.received_at, t.cadres, t.hardship_cadres, t.health_due, t.health_done,
                 _rate(t.health_done, t.health_due), t.followups_open, t.leave_due_days, t.leave_taken_days,
                 t.leave_untaken_cadres, t.allowance_total_fen, t.hardship_visited,
                 _rate(t.hardship_visited, t.hardship_cadres)) for t in rows]
        months = [(t.name, *[t.allowance_by_month.get(m, 0) for m in range(1, 13)], t.allowance_total_fen)
                  for t in rows]
        funds = [(t.name, f.fund, f.budget_fen, f.spent_fen, f.budget_fen - f.spent_fen, _rate(f.spent_fen, f.budget_fen))
                 for t in rows for f in t.welfare_by_fund]
        return [Table("汇总", self.columns(confidential), main, len(main)),
                Table("津贴补贴按月", [Col("乡镇")] + [Col(f"{m}月（元）", "money_fen") for m in range(1, 13)]
                      + [Col("全年（元）", "money_fen")], months, len(months)),
                Table("慰问经费", [Col("乡镇"), Col("经费来源"), Col("年度预算（元）", "money_fen"),
                                   Col("已支出（元）", "money_fen"), Col("预算剩余（元）", "money_fen"),
                                   Col("执行率", "percent")], funds, len(funds))]

    def query_from(self, c: Criteria) -> CountyQuery:
        return CountyQuery(c.year or date.today().year)

    def describe(self, q: CountyQuery) -> list[tuple[str, str]]:
        return [("年度", f"{q.year} 年"), ("口径", "各乡镇本年度最新的报送包；各项由乡镇按本乡镇的规则计算")]


@dataclass(frozen=True)
class CountyRosterQuery:
    search: str = ""
    code: str | None = None
    order: str = "name"


class CountyRosterExport(RowListExport):
    """The consolidated roster (one row per ID number), as the county's 名册 page lists it."""

    key, name = "county-roster", "全县干部名册"
    options = ("search",)
    confidential = "完整身份证号"

    def columns(self, confidential: bool) -> list[Col]:
        return [Col("姓名"), Col("身份证号"), Col("性别"), Col("出生日期", "date"), Col("乡镇"), Col("单位"),
                Col("职务"), Col("状态"), Col("报送过的乡镇数", "int")]

    def fetch(self, q: CountyRosterQuery) -> Iterable[Any]:
        from . import county

        return county.roster_page(q.search, 0, -1, q.code, q.order)

    def count(self, q: CountyRosterQuery) -> int | None:
        from . import county

        return county.roster_count(q.search, q.code)

    def row(self, r: tuple, confidential: bool) -> Sequence:
        return (r[1], r[0] if confidential else idcard.mask(r[0]), r[2], r[3], r[4], r[5], r[6], r[7], r[8])

    def query_from(self, c: Criteria) -> CountyRosterQuery:
        return CountyRosterQuery(c.search)

    def describe(self, q: CountyRosterQuery) -> list[tuple[str, str]]:
        return [("乡镇", q.code or "全部乡镇"), ("搜索", q.search.strip() or "（无）"),
                ("口径", "各乡镇最新的报送包；调动过的干部按身份证号只列一次（列在其现任职的乡镇）")]


LISTS: dict[str, ListExport] = {e.key: e for e in (
    RosterExport(), RosterRecordsExport(), LeaveExport(), BalanceExport(), CheckExport(), DueExport(), FollowupExport(),
    AllowanceLinesExport(), AllowanceTotalsExport(), AllowanceProblemsExport(), AllowanceHistoryExport(),
    WelfareExport(), TalkExport(), FundExport(), UnitsExport(),
)}
#: the county edition's lists (its databases hold received packages, not a township's records)
COUNTY_LISTS: dict[str, ListExport] = {e.key: e for e in (CountySummaryExport(), CountyRosterExport())}


@exempt('pure formatting or parsing, no data')
def get(key: str) -> ListExport:
    found = LISTS.get(key) or COUNTY_LISTS.get(key)
    if found is None:
        names = "、".join(f"{k}（{e.name}）" for k, e in LISTS.items())
        county = "、".join(f"{k}（{e.name}）" for k, e in COUNTY_LISTS.items())
        raise DomainError("unknown_list", f"没有名为「{key}」的列表，可导出的列表：{names}；县级版：{county}", "list")
    return found


@exempt('pure formatting or parsing, no data')
def default_file_name(key: str, today: date | None = None) -> str:
    """干部名册_2026-11-25.xlsx"""
    return f"{get(key).name}_{(today or date.today()).isoformat()}.xlsx"


# ================================================================ the use case

def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@exempt('pure formatting or parsing, no data')
def secrecy_note(spec: ListExport, confidential: bool) -> tuple[str, str] | None:
    """The 「说明」 line saying whether confidential columns are in the file."""
    if not spec.has_confidential:
        return None
    if confidential:
        return ("敏感信息", "包含：" + spec.confidential)
    if spec.key == "roster":
        return ("敏感信息", "未包含：身份证号只显示前 6 位和后 4 位")
    if spec.key == "roster-full":
        return ("敏感信息", "未包含：身份证号只显示前 6 位和后 4 位，备注未导出")
    return ("敏感信息", "未包含（" + spec.confidential + "）")


@requires('export')
def record_export(spec: ListExport, out: Path, rows: int, confidential: bool, query: Any,
                  protected: bool = False, then: Callable[[], None] | None = None) -> None:
    """Write the export to the audit trail (DOMAIN.md §6: who exported what; issue 11:
    whether the file was protected with a password).

    ``then`` (moving the written file into place) runs inside the same transaction, after
    the audit row: when it fails the audit row is rolled back, and when the commit fails
    after it the file is removed again — there is never an unaudited export."""
    from .values import path_text

    summary = (f"导出{spec.name} {rows} 行" + ("（含" + spec.confidential + "）" if confidential else "")
               + ("，文件已加密" if protected else ""))
    moved = False
    try:
        with db.atomic():
            audit.record("export", "export", spec.key, summary,
                         {"file": path_text(out), "rows": rows, "confidential": confidential, "protected": protected,
                          "query": _plain(query)})
            if then is not None:
                then()
                moved = True
    except BaseException:
        if moved:
            Path(out).unlink(missing_ok=True)
        raise
