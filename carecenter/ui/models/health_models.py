"""Table models of the 健康体检 page and its settings screen.

* ``CheckRecordsModel`` — 体检记录: pages of tuples from ``queries.check_page``
  (newest first, filtered in SQL), loaded lazily like the roster.
* ``DueModel`` — 应检/逾期: the ``DueRow`` list ``services.health.due_list``
  computed off the GUI thread; sorted in memory, handed to the view in chunks.
* ``FollowupModel`` — 异常随访: ``FollowupRow`` values from ``open_followups``.
* ``RulesModel`` — 体检周期设置: the rule rows (plain dicts).

None of them ever sees a mental-health record (DOMAIN.md §6): the queries they
read do not touch that table.  Status cells pair their colour with the word and
an icon (UI.md: never colour alone).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from ...db import queries
from ...db.queries import CheckFilter
from ...domain import health as rules
from ...domain.pinyin import initials_key
from .. import theme
from .base import CADRE_ROLE, ID_ROLE, ColumnTable, MemoryTable
from .paged import PagedRows

PAGE_SIZE = 200
CHUNK = 500

RED = QColor(theme.ERROR)
AMBER = QColor(theme.WARNING)
GREEN = QColor("#2e7d32")
MUTED = QColor(theme.MUTED)


CENTER = int(Qt.AlignmentFlag.AlignCenter)

STATUS_STYLE = {
    rules.STATUS_OVERDUE: (RED, "health-overdue"),
    rules.STATUS_DUE: (AMBER, "health-due"),
    rules.STATUS_DONE: (GREEN, "health-done"),
    rules.FOLLOWUP_OVERDUE: (RED, "health-overdue"),
    rules.FOLLOWUP_PENDING: (AMBER, "health-due"),
    rules.FOLLOWUP_CLOSED: (GREEN, "health-done"),
}
LEVEL_SHORT = {"A": "A类", "B": "B类"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("HealthModels", text)


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


# ---------------------------------------------------------------- 体检记录

class CheckRecordsModel(PagedRows, ColumnTable):
    """Checks, newest first; filtered in SQL, fetched a page at a time."""

    COLUMNS = ["check_date", "name", "unit", "package", "institution", "conclusion", "open_findings"]
    HEADERS = {"check_date": "体检日期", "name": "姓名", "unit": "单位", "package": "项目",
               "institution": "体检机构", "conclusion": "结论", "open_findings": "未关闭异常"}
    TOOLTIP = {"unit", "institution", "conclusion"}
    # row tuple: (id, cadre_id, check_date, name, unit, package, institution, conclusion, open_findings)
    _INDEX = {"check_date": 2, "name": 3, "unit": 4, "package": 5, "institution": 6, "conclusion": 7,
              "open_findings": 8}

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._init_pages(page_size, CheckFilter())

    def _count(self) -> int:
        return queries.check_count(self._filter)

    def _page(self, offset: int, limit: int) -> list[tuple]:
        return queries.check_page(self._filter, offset, limit)

    def check_id(self, row: int) -> int | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def cadre_id(self, row: int) -> int | None:
        return self._rows[row][1] if 0 <= row < len(self._rows) else None

    def row_of(self, check_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r[0] == check_id:
                return i
        return -1

    def _row_count(self) -> int:
        return len(self._rows)

    def _text(self, row: int, key: str) -> str:
        value = self._rows[row][self._INDEX[key]]
        if key == "check_date":
            return fmt_date(value)
        if key == "open_findings":
            return _tr("{0} 项未关闭").format(value) if value else _tr("无")
        if key == "conclusion":
            return " ".join(str(value or "").split())
        return "" if value is None else str(value)

    def _foreground(self, row: int, key: str) -> QColor | None:
        if key == "open_findings":
            return RED if self._rows[row][8] else MUTED
        return None

    def _icon(self, row: int, key: str) -> str | None:
        if key == "open_findings" and self._rows[row][8]:
            return "health-overdue"
        return None

    def _role(self, row: int, role: int) -> Any:
        return self._rows[row][0] if role == ID_ROLE else self._rows[row][1]


# ---------------------------------------------------------------- in-memory lists

class _MemoryTable(MemoryTable):
    """A health list held in memory whose rows have a ``status`` (coloured, with its icon);
    the ``MUTED_WHEN_EMPTY`` columns show their placeholder greyed."""

    CHUNK = CHUNK
    MUTED_WHEN_EMPTY: tuple[str, ...] = ()

    def _foreground(self, row: int, key: str) -> QColor | None:
        r = self._all[row]
        if key == "status":
            return STATUS_STYLE.get(r.status, (None, None))[0]
        if key in self.MUTED_WHEN_EMPTY and getattr(r, key) is None:
            return MUTED
        return None

    def _icon(self, row: int, key: str) -> str | None:
        if key == "status":
            return STATUS_STYLE.get(self._all[row].status, (None, None))[1]
        return None


def _date_key(value: date | None) -> date:
    return value or date.min


class DueModel(_MemoryTable):
    """应检/逾期: one row per cadre and check item (``DueRow``)."""

    COLUMNS = ["name", "unit", "sex", "age", "package", "rule_name", "last_date", "due_year", "status"]
    HEADERS = {"name": "姓名", "unit": "单位", "sex": "性别", "age": "年龄", "package": "项目",
               "rule_name": "适用规则", "last_date": "上次体检", "due_year": "应检年度", "status": "状态"}
    NUMERIC = {"age", "due_year"}
    TOOLTIP = {"unit", "rule_name"}
    MUTED_WHEN_EMPTY = ("last_date",)
    _RANK = {rules.STATUS_OVERDUE: 0, rules.STATUS_DUE: 1, rules.STATUS_DONE: 2}
    SORT_KEYS = {
        "name": lambda r: (initials_key(r.name), r.cadre_id, r.package),
        "unit": lambda r: (r.unit, initials_key(r.name)),
        "sex": lambda r: (r.sex, initials_key(r.name)),
        "age": lambda r: (r.age, initials_key(r.name)),
        "package": lambda r: (r.package, initials_key(r.name)),
        "rule_name": lambda r: (r.rule_name, initials_key(r.name)),
        "last_date": lambda r: (_date_key(r.last_date), initials_key(r.name)),
        "due_year": lambda r: (r.due_year, initials_key(r.name)),
        "status": lambda r: (DueModel._RANK.get(r.status, 9), initials_key(r.name)),
    }

    def _text(self, row: int, key: str) -> str:
        r = self._all[row]
        if key == "last_date":
            return fmt_date(r.last_date) or _tr("从未体检")
        if key in ("age", "due_year"):
            return str(getattr(r, key))
        return str(getattr(r, key) or "")

    def _role(self, row: int, role: int) -> Any:
        r = self._all[row]
        return r.cadre_id if role in (ID_ROLE, CADRE_ROLE) else None


class FollowupModel(_MemoryTable):
    """异常随访: open findings (``FollowupRow``), 复查逾期 first."""

    COLUMNS = ["name", "unit", "check_date", "item", "description", "level", "notified_date", "referral",
               "recheck_due", "status"]
    HEADERS = {"name": "姓名", "unit": "单位", "check_date": "体检日期", "item": "异常项目", "description": "描述",
               "level": "级别", "notified_date": "告知日期", "referral": "转诊", "recheck_due": "复查日期",
               "status": "状态"}
    TOOLTIP = {"unit", "item", "description", "referral"}
    MUTED_WHEN_EMPTY = ("notified_date", "recheck_due")
    SORT_KEYS = {
        "name": lambda r: (initials_key(r.name), r.finding_id),
        "unit": lambda r: (r.unit, initials_key(r.name)),
        "check_date": lambda r: (r.check_date, r.finding_id),
        "item": lambda r: (r.item, r.finding_id),
        "description": lambda r: (r.description, r.finding_id),
        "level": lambda r: (r.level, _date_key(r.recheck_due)),
        "notified_date": lambda r: (_date_key(r.notified_date), r.finding_id),
        "referral": lambda r: (r.referral, r.finding_id),
        "recheck_due": lambda r: (_date_key(r.recheck_due), r.finding_id),
        "status": lambda r: (r.status != rules.FOLLOWUP_OVERDUE, r.level, _date_key(r.recheck_due)),
    }

    def _text(self, row: int, key: str) -> str:
        r = self._all[row]
        if key in ("check_date", "notified_date", "recheck_due"):
            value = getattr(r, key)
            if value is None:
                return _tr("未告知") if key == "notified_date" else _tr("未定")
            return fmt_date(value)
        if key == "level":
            return _tr(LEVEL_SHORT.get(r.level, r.level))
        if key == "description":
            return " ".join((r.description or "").split())
        return str(getattr(r, key) or "")

    def _tooltip(self, row: int, key: str) -> str | None:
        if key == "level":
            return _tr(rules.FINDING_LEVELS.get(self._all[row].level, ""))
        return super()._tooltip(row, key)

    def _role(self, row: int, role: int) -> Any:
        r = self._all[row]
        return r.finding_id if role == ID_ROLE else r.cadre_id

    def row_of(self, finding_id: int) -> int:
        for i, r in enumerate(self._all[:self._shown]):
            if r.finding_id == finding_id:
                return i
        return -1


# ---------------------------------------------------------------- 体检周期设置

def age_band(age_min: int | None, age_max: int | None) -> str:
    if age_min is None and age_max is None:
        return _tr("不限")
    if age_min is None:
        return _tr("{0} 岁及以下").format(age_max)
    if age_max is None:
        return _tr("{0} 岁及以上").format(age_min)
    return _tr("{0}–{1} 岁").format(age_min, age_max)


class RulesModel(_MemoryTable):
    """The active health-cycle rules (dicts from ``services.health.rule_rows``)."""

    COLUMNS = ["name", "sex", "ages", "interval", "package", "effective_from", "example"]
    HEADERS = {"name": "名称", "sex": "性别", "ages": "年龄段", "interval": "周期（年）", "package": "项目",
               "effective_from": "生效日期", "example": "示例"}
    NUMERIC = {"interval"}
    TOOLTIP = {"name"}

    def __init__(self, parent=None):
        super().__init__(parent)
        self._examples: set[int] = set()

    def set_rules(self, rows: list[dict[str, Any]], examples: set[int]) -> None:
        self._examples = set(examples)
        self.set_rows(rows)

    def rule(self, row: int) -> dict[str, Any] | None:
        return self.item(row)

    def row_of(self, rule_id: int) -> int:
        for i, r in enumerate(self._all[:self._shown]):
            if r["id"] == rule_id:
                return i
        return -1

    def _text(self, row: int, key: str) -> str:
        r = self._all[row]
        if key == "sex":
            return _tr(r["sex_name"])
        if key == "ages":
            return age_band(r["age_min"], r["age_max"])
        if key == "interval":
            return str(r["interval_years"])
        if key == "effective_from":
            d = r["effective_from"]
            return _tr("一直适用") if d is None or d.year <= 1900 else fmt_date(d)
        if key == "example":
            return _tr("示例，请按本地规定修改") if r["id"] in self._examples else ""
        return str(r.get(key) or "")

    def _tooltip(self, row: int, key: str) -> str | None:
        r = self._all[row]
        if key in ("name", "example"):
            parts = [p for p in (r.get("source"), r.get("notes")) if p]
            return "\n".join(parts) or None
        return None

    def _foreground(self, row: int, key: str) -> QColor | None:
        if key == "example" and self._all[row]["id"] in self._examples:
            return AMBER
        return None

    def _icon(self, row: int, key: str) -> str | None:
        if key == "example" and self._all[row]["id"] in self._examples:
            return "warning"
        return None

    def _role(self, row: int, role: int) -> Any:
        return self._all[row]["id"] if role == ID_ROLE else None
