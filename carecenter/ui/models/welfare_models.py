"""Table models of the 福利慰问 page and its 慰问标准 settings screen.

* ``WelfareRecordsModel`` — 慰问记录: pages of tuples from ``queries.welfare_page``
  (newest first, filtered in SQL), fetched lazily.
* ``TalkRecordsModel`` — 谈心谈话: pages from ``queries.talk_page``.
* ``FundUsageModel`` — 经费预算: the ``FundUsage`` rows of one year.
* ``OccasionsModel`` — 慰问标准: the dated occasion rows (plain dicts).

Amounts are integer fen, shown as 1,200.00 and right-aligned.  Status cells
pair their colour with a word and an icon (UI.md: never colour alone).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ...db import queries
from ...domain import welfare as rules
from ...domain.money import format_yuan
from .. import theme
from .base import ID_ROLE, ColumnTable, MemoryTable
from .paged import PagedRows

PAGE_SIZE = 200

RED = QColor(theme.ERROR)
AMBER = QColor(theme.WARNING)
GREEN = QColor("#2e7d32")
MUTED = QColor(theme.MUTED)



BUDGET_STYLE = {
    rules.BUDGET_OK: (GREEN, "welfare-ok"),
    rules.BUDGET_NEAR: (AMBER, "welfare-near"),
    rules.BUDGET_OVER: (RED, "welfare-over"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("WelfareModels", text)


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


class _PagedTable(PagedRows, ColumnTable):
    """Rows fetched from SQL a page at a time (``_count`` / ``_page`` given the filter)."""

    EMPTY_WITHOUT_FILTER = True

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._init_pages(page_size)

    def record_id(self, row: int) -> int | None:
        return self._rows[row][0] if 0 <= row < len(self._rows) else None

    def cadre_id(self, row: int) -> int | None:
        return self._rows[row][1] if 0 <= row < len(self._rows) else None

    def row_of(self, record_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r[0] == record_id:
                return i
        return -1

    def _row_count(self) -> int:
        return len(self._rows)

    def _role(self, row: int, role: int) -> Any:
        return self._rows[row][0] if role == ID_ROLE else self._rows[row][1]


# ---------------------------------------------------------------- 慰问记录

class WelfareRecordsModel(_PagedTable):
    """Visit records, newest first.  金额 is money plus the value of goods (what caps and
    budgets count); the tooltip splits it.  A record saved over a limit shows its
    超出说明 in the 备注 column, in amber with a warning icon."""

    COLUMNS = ["record_date", "name", "unit", "occasion", "amount", "goods", "funding_source", "visitors", "notes"]
    HEADERS = {"record_date": "日期", "name": "姓名", "unit": "单位", "occasion": "事由", "amount": "金额（元）",
               "goods": "物品", "funding_source": "经费来源", "visitors": "走访人", "notes": "备注"}
    NUMERIC = {"amount"}
    TOOLTIP = {"unit", "goods", "visitors", "notes"}
    # (id, cadre_id, record_date, name, unit, occasion, money_fen, goods, goods_fen, funding_source, visitors,
    #  episode, notes, over_reason)

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent, page_size)
        self._names: dict[str, str] = dict(rules.OCCASION_NAMES)
        self._total_fen = 0

    def set_occasion_names(self, names: dict[str, str]) -> None:
        self._names = dict(rules.OCCASION_NAMES, **names)

    def _count(self) -> int:
        count, self._total_fen = queries.welfare_summary(self._filter)
        return count

    def _page(self, offset: int, limit: int) -> list[tuple]:
        return queries.welfare_page(self._filter, offset, limit)

    def total_fen(self) -> int:
        """Money + goods value (fen) of every record the filter matches, not only the loaded pages."""
        return self._total_fen if self._filter is not None else 0

    def _text(self, row: int, key: str) -> str:
        r = self._rows[row]
        if key == "record_date":
            return fmt_date(r[2])
        if key == "name":
            return r[3]
        if key == "unit":
            return r[4]
        if key == "occasion":
            return self._names.get(r[5], r[5])
        if key == "amount":
            return yuan(r[6] + r[8])
        if key == "goods":
            return one_line(r[7])
        if key == "funding_source":
            return r[9]
        if key == "visitors":
            return r[10]
        if key == "notes":
            parts = []
            if r[13]:
                parts.append(_tr("超出说明：") + one_line(r[13]))
            if r[11]:
                parts.append(_tr("同一事项：") + r[11])
            if r[12]:
                parts.append(one_line(r[12]))
            return "；".join(parts)
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        r = self._rows[row]
        if key == "amount":
            parts = []
            if r[6]:
                parts.append(_tr("慰问金 {0} 元").format(yuan(r[6])))
            if r[8]:
                parts.append(_tr("物品价值 {0} 元").format(yuan(r[8])))
            return " + ".join(parts) or None
        return super()._tooltip(row, key)

    def _foreground(self, row: int, key: str) -> QColor | None:
        if key == "notes" and self._rows[row][13]:
            return AMBER
        return None

    def _icon(self, row: int, key: str) -> str | None:
        if key == "notes" and self._rows[row][13]:
            return "warning"
        return None

    def describe(self, row: int) -> str:
        r = self.row_tuple(row)
        if r is None:
            return ""
        return f"{r[3]} {fmt_date(r[2])} {self._names.get(r[5], r[5])}"


# ---------------------------------------------------------------- 谈心谈话

class TalkRecordsModel(_PagedTable):
    COLUMNS = ["talk_date", "name", "unit", "talker", "trigger", "gist", "follow_up"]
    HEADERS = {"talk_date": "谈话日期", "name": "谈话对象", "unit": "单位", "talker": "谈话人", "trigger": "谈话事由",
               "gist": "谈话要点", "follow_up": "后续跟进"}
    TOOLTIP = {"unit", "talker", "gist", "follow_up"}
    # (id, cadre_id, talk_date, name, unit, talker, trigger, gist, follow_up, notes)
    _INDEX = {"talk_date": 2, "name": 3, "unit": 4, "talker": 5, "trigger": 6, "gist": 7, "follow_up": 8}

    def _count(self) -> int:
        return queries.talk_count(self._filter)

    def _page(self, offset: int, limit: int) -> list[tuple]:
        return queries.talk_page(self._filter, offset, limit)

    def _text(self, row: int, key: str) -> str:
        value = self._rows[row][self._INDEX[key]]
        if key == "talk_date":
            return fmt_date(value)
        return one_line(value)

    def describe(self, row: int) -> str:
        r = self.row_tuple(row)
        return f"{r[3]} {fmt_date(r[2])} {r[6]}" if r else ""


# ---------------------------------------------------------------- in-memory lists

class _MemoryTable(MemoryTable):
    CHUNK = None   # short lists: every row shown at once


class FundUsageModel(_MemoryTable):
    """经费预算: one row per funding source for the year (``services.welfare.FundUsage``)."""

    COLUMNS = ["name", "budget", "used", "remaining", "rate", "status"]
    HEADERS = {"name": "经费来源", "budget": "预算（元）", "used": "已用（元）", "remaining": "剩余（元）",
               "rate": "使用率", "status": "状态"}
    NUMERIC = {"budget", "used", "remaining", "rate"}

    def _text(self, row: int, key: str) -> str:
        u = self._all[row]
        if key == "name":
            return u.name
        if key == "budget":
            return yuan(u.budget_fen) if u.budget_fen is not None else _tr("未设预算")
        if key == "used":
            return yuan(u.used_fen)
        if key == "remaining":
            return yuan(u.remaining_fen) if u.remaining_fen is not None else "—"
        if key == "rate":
            return f"{u.percent}%" if u.percent is not None else "—"
        if key == "status":
            return _tr(u.status_name)
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        u = self._all[row]
        if key == "status" and u.budget_fen is None:
            return _tr("点击「设置预算」为 {0} 填写本年度预算").format(u.name)
        if key in ("status", "rate") and u.status == rules.BUDGET_NEAR:
            return _tr("已用到预算的 {0}%，接近预算，请留意后续支出").format(u.percent)
        if key in ("status", "rate", "remaining") and u.status == rules.BUDGET_OVER:
            return _tr("已超出预算 {0} 元").format(yuan(-(u.remaining_fen or 0)))
        return u.notes or None

    def _foreground(self, row: int, key: str) -> QColor | None:
        u = self._all[row]
        if u.budget_fen is None:
            return MUTED if key in ("budget", "remaining", "rate", "status") else None
        if key in ("status", "rate") or (key == "remaining" and u.status == rules.BUDGET_OVER):
            return BUDGET_STYLE[u.status][0]
        return None

    def _icon(self, row: int, key: str) -> str | None:
        u = self._all[row]
        if key == "status" and u.budget_fen is not None:
            return BUDGET_STYLE[u.status][1]
        return None

    def _role(self, row: int, role: int) -> Any:
        u = self._all[row]
        return (u.fund_id or 0) if role == ID_ROLE else None

    def row_of(self, name: str) -> int:
        for i, u in enumerate(self._all):
            if u.name == name:
                return i
        return -1


class OccasionsModel(_MemoryTable):
    """慰问标准: the active occasion rows (dicts from ``services.welfare.occasion_rows``)."""

    COLUMNS = ["name", "standard", "cap", "scope", "max_per_year", "cash", "funding_sources", "effective_from",
               "example"]
    HEADERS = {"name": "事由", "standard": "标准（元）", "cap": "上限（元）", "scope": "范围", "max_per_year": "次数",
               "cash": "可否现金", "funding_sources": "经费来源", "effective_from": "生效日期", "example": "示例"}
    NUMERIC = {"standard", "cap"}
    TOOLTIP = {"funding_sources"}

    def _text(self, row: int, key: str) -> str:
        r = self._all[row]
        if key == "name":
            return r["name"]
        if key == "standard":
            return yuan(r.get("standard_fen")) or _tr("未设")
        if key == "cap":
            return yuan(r.get("cap_fen")) or _tr("不设上限")
        if key == "scope":
            return _tr(r.get("scope_name") or "—")
        if key == "max_per_year":
            return _tr("每年 {0} 次").format(r["max_per_year"]) if r.get("max_per_year") else _tr("不限")
        if key == "cash":
            return _tr("可以") if r.get("cash_allowed") else _tr("只发物品")
        if key == "funding_sources":
            return "、".join(r.get("funding_sources") or []) or _tr("不限")
        if key == "effective_from":
            d = r.get("effective_from")
            return _tr("一直适用") if d is None or d.year <= 1900 else fmt_date(d)
        if key == "example":
            return _tr("示例，请修改") if r.get("example") else ""
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        r = self._all[row]
        if key in ("name", "example"):
            parts = [p for p in (r.get("source"), r.get("notes")) if p]
            if key == "example" and r.get("example"):
                parts.insert(0, _tr("这一标准的数字是外省规定的示例，请按本省、本单位规定修改"))
            return "\n".join(parts) or None
        return super()._tooltip(row, key)

    def _foreground(self, row: int, key: str) -> QColor | None:
        r = self._all[row]
        if key == "example" and r.get("example"):
            return AMBER
        if key == "cash" and not r.get("cash_allowed"):
            return AMBER
        if key in ("standard", "cap") and self._text(row, key) in (_tr("未设"), _tr("不设上限")):
            return MUTED
        return None

    def _icon(self, row: int, key: str) -> str | None:
        if key == "example" and self._all[row].get("example"):
            return "warning"
        return None

    def _role(self, row: int, role: int) -> Any:
        return self._all[row]["id"] if role == ID_ROLE else None

    def row_of(self, row_id: int) -> int:
        for i, r in enumerate(self._all):
            if r["id"] == row_id:
                return i
        return -1
