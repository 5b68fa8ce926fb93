"""Table models of the 津贴补贴 page and its settings screen.

* ``LinesModel`` — the month's payout lines: the ordered ids come from one SQL
  read (``queries.allowance_line_ids``), rows are fetched a page at a time by id
  (``queries.allowance_lines``) and cached, so a month of 50,000 cadres opens at once.
* ``UnitTotalsModel`` / ``SchemeTotalsModel`` — the month's totals (small lists).
* ``ProblemsModel`` — cadres the last generation could not compute, with the reason.
* ``RuleRowsModel`` — rows of one or more rate tables (plain dicts).

Amounts are integer fen, shown in 元 with two decimals, right-aligned.  The
kind column pairs its colour with the word (UI.md: never colour alone).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor

from ...db import queries
from ...domain.money import format_yuan
from ...services import allowance as service
from .. import theme
from .base import CADRE_ROLE, ID_ROLE, ColumnTable
from .paged import PagedRows

PAGE_SIZE = 200

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

AMBER = QColor(theme.WARNING)
GREEN = QColor("#2e7d32")
RED = QColor(theme.ERROR)
MUTED = QColor(theme.MUTED)
KIND_COLOURS = {service.KIND_BACK_PAY: GREEN, service.KIND_DEDUCTION: RED}


def _tr(text: str) -> str:
    return QCoreApplication.translate("AllowanceModels", text)


def yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(int(fen))


def month_text(d: date | None) -> str:
    return f"{d.year}年{d.month}月" if d else ""


class _Table(ColumnTable):
    """The allowance models: a cell's full text shows on hover when it is long."""

    def _tooltip(self, row: int, key: str) -> str | None:
        text = self._text(row, key)
        return text if len(text) > 12 else None


# ---------------------------------------------------------------- the month's lines

class LinesModel(PagedRows, _Table):
    """The lines of one month, filtered and ordered in SQL, fetched by id a page at a time."""

    COLUMNS = ["name", "unit", "scheme", "band", "amount", "basis", "reason", "kind"]
    HEADERS = {"name": "姓名", "unit": "单位", "scheme": "项目", "band": "档次/类区", "amount": "金额（元）",
               "basis": "依据", "reason": "调整说明", "kind": "类型"}
    NUMERIC = {"amount"}

    EMPTY_WITHOUT_FILTER = True

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._init_pages(page_size)
        self._ids: list[int] = []                 # every matching line; _rows holds the first ones

    def _count(self) -> int:
        self._ids = queries.allowance_line_ids(self._filter)
        return len(self._ids)

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return [service.line_dict(r) for r in queries.allowance_lines(self._ids[offset:offset + limit])]

    def clear(self) -> None:
        self.set_filter(None)

    def _row_count(self) -> int:
        return len(self._rows)

    def line(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, line_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r["id"] == line_id:
                return i
        return -1

    def _text(self, row: int, key: str) -> str:
        r = self._rows[row]
        if key == "name":
            return r["name"]
        if key == "unit":
            return r["unit"]
        if key == "scheme":
            return _tr(r["scheme_name"])
        if key == "band":
            return service.band_text(r["scheme"], r["band"], r["area_class"])
        if key == "amount":
            return yuan(r["amount_fen"])
        if key == "basis":
            return r["basis"]
        if key == "reason":
            if r["kind"] != service.KIND_REGULAR:
                return r["reason"]
            if r["generated_fen"] is not None:
                return _tr("原{0}元，{1}").format(yuan(r["generated_fen"]), r["reason"])
            return ""
        if key == "kind":
            if r["kind"] != service.KIND_REGULAR and r["corrects_month"]:
                return _tr("{0}（{1}）").format(r["kind"], month_text(r["corrects_month"]))
            return _tr(r["kind"])
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        if key in ("basis", "reason", "unit", "band"):
            text = self._text(row, key)
            return text or None
        return None

    def _foreground(self, row: int, key: str) -> QColor | None:
        r = self._rows[row]
        if key == "kind":
            return KIND_COLOURS.get(r["kind"])
        if key == "amount" and r["amount_fen"] < 0:
            return RED
        if key == "reason" and r["generated_fen"] is not None:
            return AMBER
        return None

    def _role(self, row: int, role: int) -> Any:
        r = self._rows[row]
        return r["id"] if role == ID_ROLE else r["cadre_id"]


# ---------------------------------------------------------------- totals

class _ListModel(_Table):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple] = []

    def set_rows(self, rows: list[tuple]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._rows)

    def row_tuple(self, row: int) -> tuple | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class UnitTotalsModel(_ListModel):
    """(unit name, lines, total fen) rows."""

    COLUMNS = ["unit", "lines", "amount"]
    HEADERS = {"unit": "单位", "lines": "行数", "amount": "金额（元）"}
    NUMERIC = {"lines", "amount"}

    def _text(self, row: int, key: str) -> str:
        unit, lines, total = self._rows[row]
        return {"unit": unit or _tr("（未填写单位）"), "lines": f"{lines:,}", "amount": yuan(total)}[key]

    def _foreground(self, row: int, key: str) -> QColor | None:
        return RED if key == "amount" and self._rows[row][2] < 0 else None


class SchemeTotalsModel(_ListModel):
    """(scheme, kind, lines, total fen) rows."""

    COLUMNS = ["scheme", "kind", "lines", "amount"]
    HEADERS = {"scheme": "项目", "kind": "类型", "lines": "行数", "amount": "金额（元）"}
    NUMERIC = {"lines", "amount"}

    def _text(self, row: int, key: str) -> str:
        scheme, kind, lines, total = self._rows[row]
        return {"scheme": _tr(service.SCHEME_NAMES.get(scheme, scheme)), "kind": _tr(kind),
                "lines": f"{lines:,}", "amount": yuan(total)}[key]

    def _foreground(self, row: int, key: str) -> QColor | None:
        if key == "kind":
            return KIND_COLOURS.get(self._rows[row][1])
        return RED if key == "amount" and self._rows[row][3] < 0 else None


class ProblemsModel(_ListModel):
    """Rows (cadre_id, name, unit, title, message) of the cadres that could not be computed."""

    COLUMNS = ["name", "unit", "title", "message"]
    HEADERS = {"name": "姓名", "unit": "单位", "title": "问题", "message": "说明"}

    def set_groups(self, groups: list[service.ProblemGroup]) -> None:
        rows = []
        for g in groups:
            for s in g.samples:
                rows.append((s.get("cadre_id"), s.get("name", ""), s.get("unit", ""), g.title, s.get("message", "")))
        self.set_rows(rows)

    def _text(self, row: int, key: str) -> str:
        _cid, name, unit, title, message = self._rows[row]
        return {"name": name, "unit": unit, "title": _tr(title), "message": message}[key]

    def _foreground(self, row: int, key: str) -> QColor | None:
        return AMBER if key == "title" else None

    def _role(self, row: int, role: int) -> Any:
        return self._rows[row][0] if role == CADRE_ROLE else None


# ---------------------------------------------------------------- rate rows

def rule_summary(r: dict[str, Any]) -> str:
    """One line describing a rate row (the table's 内容 column)."""
    t = r["table"]
    if t == "hardship_band":
        parts = []
        if r.get("leadership_levels"):
            parts.append("职务层次：" + "、".join(r["leadership_levels"]))
        if r.get("ranks"):
            parts.append("职级：" + "、".join(r["ranks"]))
        return f"{r['band']}（第{r['order']}档）" + ("　" + "；".join(parts) if parts else "")
    if t == "hardship_rate":
        return f"{r['area_class']}区 · {r['band']}"
    if t == "retiree_share":
        return f"{r['kind']}人员"
    if t == "township_band":
        return f"乡镇工作满 {r['min_years']} 年起"
    if t == "township_supplement":
        return "条件特别艰苦乡镇加发"
    if t == "township_rule":
        wait = r.get("sent_down_wait_months")
        inclusive = "（含本数）" if r.get("suspension_inclusive") else ""
        return (f"范围：{'、'.join(r.get('township_categories') or [])}；人员：{'、'.join(r.get('personnel_statuses') or [])}；"
                f"派驻满{wait}个月享受；{'、'.join(r.get('suspension_kinds') or [])}超过"
                f"{r.get('suspension_min_months')}个月{inclusive}停发")
    if t == "hardship_scheme":
        return "类别：" + "、".join(r.get("area_classes") or [])
    return t


def rule_value(r: dict[str, Any]) -> str:
    t = r["table"]
    if "amount_fen" in r:
        return yuan(int(r["amount_fen"])) + _tr(" 元/月")
    if t == "retiree_share":
        return f"{r['percent']}%"
    return ""


class RuleRowsModel(_ListModel):
    """Rate rows (dicts from ``services.allowance.rule_rows``) of one or more tables."""

    COLUMNS = ["table", "content", "value", "effective_from", "example", "source"]
    HEADERS = {"table": "表", "content": "内容", "value": "标准", "effective_from": "起执行日期", "example": "示例",
               "source": "依据"}
    NUMERIC = {"value"}

    def set_rules(self, rows: list[dict[str, Any]]) -> None:
        self.set_rows(rows)  # type: ignore[arg-type]

    def item(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None  # type: ignore[return-value]

    rule = item

    def row_of(self, rule_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r["id"] == rule_id:  # type: ignore[index]
                return i
        return -1

    def _text(self, row: int, key: str) -> str:
        r: dict[str, Any] = self._rows[row]  # type: ignore[assignment]
        if key == "table":
            return _tr(service.TABLE_NAMES.get(r["table"], r["table"]))
        if key == "content":
            return rule_summary(r)
        if key == "value":
            return rule_value(r)
        if key == "effective_from":
            d = str(r.get("effective_from") or "")
            return _tr("一直适用") if d.startswith("1900") else d
        if key == "example":
            return _tr("示例，待核实") if r.get("example") else ""
        if key == "source":
            return str(r.get("source") or "")
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        r: dict[str, Any] = self._rows[row]  # type: ignore[assignment]
        if key in ("source", "content", "example"):
            parts = [self._text(row, "content")] if key == "content" else []
            if key == "example" and r.get("example"):
                parts.append(_tr("示例数据：尚未按本地文件核实，请核对后在「编辑」中取消「示例数据」"))
            parts += [p for p in (r.get("source"), r.get("notes")) if p]
            return "\n".join(parts) or None
        return None

    def _foreground(self, row: int, key: str) -> QColor | None:
        if key == "example" and self._rows[row].get("example"):  # type: ignore[union-attr]
            return AMBER
        return None

    def _role(self, row: int, role: int) -> Any:
        return self._rows[row]["id"] if role == ID_ROLE else None  # type: ignore[index]
