"""The data parts of a township → county exchange package (issue 15, format version 1):
which fields each part has, their types, and the check of every row a county receives
("validated like an import": ID numbers by their GB 11643 checksum, real dates, money
as integer fen, day counts in half days, texts within the roster's lengths).

The township writes its rows in the order of ``PARTS`` and checks them with the same
code before it seals a package, so a package the township could make is one the county
accepts.  docs/exchange-format.md lists the parts and what each field means.

What leaves the township, and what does not (个人信息保护法 Art. 6: the minimum needed):
the roster without telephone numbers, contacts, family or notes; leave without reasons;
health checks without conclusions, findings without descriptions or outcomes; mental
health only as counts per kind and scale; welfare without goods descriptions or
visitors; talks without their gist or follow-up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from . import idcard
from .errors import DomainError

#: (field, type) per part; types: id (ID number), uuid, date, date? (may be null), bool,
#: count (integer ≥ 0), fen (integer fen), fen+ (≥ 0), days (≥ 0 in steps of 0.5),
#: text:N (at most N characters), enum:a|b
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "units": (("uuid", "uuid"), ("name", "text:100"), ("kind", "text:20"), ("township", "text:60"),
              ("township_category", "text:10"), ("hardship_area_class", "text:10"), ("especially_hard", "bool")),
    "cadres": (("id_number", "id"), ("name", "text:40"), ("name_initials", "text:120"), ("name_sort", "text:200"),
               ("sex", "enum:男|女|"), ("ethnicity", "text:20"),
               ("birth_date", "date"), ("political_status", "text:20"), ("education", "text:20"),
               ("unit_uuid", "uuid"), ("post", "text:60"), ("leadership_level", "text:20"), ("rank", "text:20"),
               ("personnel_status", "text:20"), ("position_category", "text:20"),
               ("employment_status", "text:10"), ("work_start_date", "date?"), ("township_start_date", "date?"),
               ("current_post_date", "date?"), ("transferred_on", "date?"), ("retired_on", "date?"),
               ("retirement_kind", "text:4")),
    "figures": (("id_number", "id"), ("serving", "bool"), ("hardship", "bool"), ("health_due", "bool"),
                ("health_done", "bool"), ("followups_open", "count"), ("leave_due", "days"),
                ("leave_taken", "days"), ("leave_untaken", "bool"), ("visited", "bool")),
    "leave": (("id_number", "id"), ("type_code", "text:30"), ("start_date", "date"), ("end_date", "date"),
              ("days", "days"), ("status", "text:10")),
    "checks": (("id_number", "id"), ("check_date", "date"), ("package", "text:30"), ("institution", "text:100")),
    "findings": (("id_number", "id"), ("check_date", "date"), ("item", "text:60"), ("level", "enum:A|B"),
                 ("recheck_due", "date?"), ("closed", "bool"), ("closed_date", "date?")),
    "mental": (("kind", "text:10"), ("scale", "text:10"), ("count", "count")),
    "allowance": (("id_number", "id"), ("month", "date"), ("scheme", "text:20"), ("kind", "text:10"),
                  ("amount_fen", "fen"), ("corrects_month", "date?")),
    "funds": (("name", "text:40"), ("budget_fen", "fen+")),
    "welfare": (("id_number", "id"), ("occasion", "text:40"), ("record_date", "date"), ("money_fen", "fen+"),
                ("goods_fen", "fen+"), ("funding_source", "text:40")),
    "talks": (("id_number", "id"), ("talk_date", "date"), ("talker", "text:60"), ("trigger", "text:40")),
}

PART_NAMES = {
    "units": "单位", "cadres": "干部名册", "figures": "本期统计", "leave": "请休假", "checks": "体检",
    "findings": "体检异常随访", "mental": "心理健康（仅计数）", "allowance": "津贴补贴发放", "funds": "经费预算",
    "welfare": "走访慰问", "talks": "谈心谈话",
}

#: fields whose values must be unique within the part
UNIQUE: dict[str, tuple[str, ...]] = {
    "units": ("uuid",), "cadres": ("id_number",), "figures": ("id_number",), "mental": ("kind", "scale"),
    "funds": ("name",),
}

#: money beyond this (10 亿元 in fen) is not a township's figure
MAX_FEN = 100_000_000_000
MAX_DAYS = 1000
MAX_COUNT = 1_000_000
#: problems reported by name before "…等 N 处"
MAX_REPORTED = 20


def fields_of(part: str) -> tuple[str, ...]:
    return tuple(f for f, _t in PARTS[part])


@dataclass(frozen=True)
class RowProblem:
    part: str
    row: int          # 1-based line of the part
    field: str
    message: str

    def text(self) -> str:
        return f"{PART_NAMES.get(self.part, self.part)}第 {self.row} 行「{self.field}」：{self.message}"


class InvalidRows(DomainError):
    """Rows of a package that do not pass the checks; nothing was stored."""

    def __init__(self, problems: list[RowProblem], total: int, what: str = "报送包"):
        shown = "；".join(p.text() for p in problems[:MAX_REPORTED])
        more = f"……等共 {total} 处" if total > len(problems[:MAX_REPORTED]) else ""
        super().__init__("invalid_rows", f"{what}中有不符合要求的数据，没有采用：{shown}{more}", "file",
                         count=total)
        self.problems = problems
        self.total = total


class IdChecker:
    """ID numbers checked once each (a cadre's number recurs in every part)."""

    def __init__(self):
        self.seen: dict[str, str | None] = {}

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("身份证号应为文本")
        known = self.seen.get(value, 0)
        if known == 0:
            try:
                info = idcard.parse(value)
                known = None if info.number == value else "身份证号应为 18 位大写的规范写法"
            except DomainError as err:
                known = err.message
            self.seen[value] = known
        if known is not None:
            raise ValueError(known)
        return value


def _date(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError("日期应写作 YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"「{value}」不是真实的日期") from None
    return value


def _date_opt(value: Any) -> str | None:
    return None if value is None else _date(value)


def _bool(value: Any) -> int:
    if value is True or value is False:
        return int(value)
    raise ValueError("应为 true 或 false")


def _int(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what}应为整数")
    if not low <= value <= high:
        raise ValueError(f"{what} {value} 超出范围")
    return value


def _days(value: Any) -> int:
    """Half days as an integer (exact sums in SQL)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("天数应为数字")
    halves = value * 2
    if not 0 <= value <= MAX_DAYS or halves != int(halves):
        raise ValueError(f"天数 {value} 无效：应为不小于 0 的整数或半天")
    return int(halves)


def _text(limit: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("应为文本")
        if len(value) > limit:
            raise ValueError(f"超过 {limit} 个字")
        return value
    return check


def _enum(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"应为{'、'.join(choices)}之一")
        return value
    return check


_HEX32 = re.compile(r"[0-9a-f]{32}")


def _uuid(value: Any) -> str:
    if not isinstance(value, str) or not _HEX32.fullmatch(value):
        raise ValueError("编号应为 32 位十六进制")
    return value


def _converter(kind: str, ids: IdChecker) -> Callable[[Any], Any]:
    if kind.startswith("text:"):
        return _text(int(kind[5:]))
    if kind.startswith("enum:"):
        return _enum(tuple(kind[5:].split("|")))
    return {
        "id": ids, "uuid": _uuid, "date": _date, "date?": _date_opt, "bool": _bool, "days": _days,
        "count": lambda v: _int(v, 0, MAX_COUNT, "数量"),
        "fen": lambda v: _int(v, -MAX_FEN, MAX_FEN, "金额（分）"),
        "fen+": lambda v: _int(v, 0, MAX_FEN, "金额（分）"),
    }[kind]


def check_part(part: str, fields: list[str] | tuple[str, ...], rows: list, ids: IdChecker,
               problems: list[RowProblem]) -> list[tuple]:
    """The rows of ``part`` as typed tuples, in the order of ``PARTS``: dates stay ISO text
    (checked to be real dates; ISO text sorts like the dates), days become half days,
    booleans 0/1.  A row with a problem is left out and the problem (part, line, field,
    Chinese sentence) appended to ``problems``.

    The columns are converted one at a time (a column of one type through one function:
    a county receives 100,000 cadres' rows within the benchmark's minute); only when a column
    fails are its rows looked at one by one to name the line."""
    schema = PARTS[part]
    if tuple(fields) != fields_of(part):
        problems.append(RowProblem(part, 0, "字段", f"字段应为 {', '.join(fields_of(part))}"))
        return []
    width = len(schema)
    good = [row for row in rows if isinstance(row, list) and len(row) == width]
    if len(good) != len(rows):
        for n, row in enumerate(rows, 1):
            if not isinstance(row, list) or len(row) != width:
                problems.append(RowProblem(part, n, "行", f"应有 {width} 个值"))
        return []
    if not rows:
        return []
    columns = []
    failed = False
    for (name, kind), column in zip(schema, zip(*rows)):
        conv = _converter(kind, ids)
        try:
            columns.append(list(map(conv, column)))
        except ValueError:
            failed = True
            for n, value in enumerate(column, 1):
                try:
                    conv(value)
                except ValueError as err:
                    problems.append(RowProblem(part, n, name, str(err)))
    if failed:
        return []
    out = list(zip(*columns))
    unique = UNIQUE.get(part)
    if unique:
        at = [fields_of(part).index(f) for f in unique]
        keys: set = set()
        for n, typed in enumerate(out, 1):
            key = tuple(typed[i] for i in at)
            if key in keys:
                problems.append(RowProblem(part, n, unique[0], f"「{'、'.join(map(str, key))}」重复"))
            keys.add(key)
    return out
