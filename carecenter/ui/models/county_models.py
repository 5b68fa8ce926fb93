"""Table models of the county edition (issue 15): what ``services.county`` returns, shown.

* ``SubmissionsModel`` — 报送情况: one ``SubmissionRow`` per township; late ones in red
  with the word 逾期 (never colour alone).
* ``SummaryModel`` — 汇总: one ``TownshipFigures`` per township and the 合计 row last
  (bold, kept last: the list is not sorted).
* ``CountyRosterModel`` — 干部花名册（全县）: one row per ID number across the townships'
  latest packages, paged from SQL (``county.roster_page``); the ID number masked unless
  the account may see it (``id.reveal``).
* ``SnapshotsModel`` — a township's packages, newest first (current and replaced).
* ``ServiceModel`` — a cadre's service in every township that reported them.
* ``SentPackagesModel`` — the township's side: the packages it made for the county.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QFont

from ...domain import idcard, pinyin
from ...domain.money import format_yuan
from ...security import access
from ...services import county
from ...services import print_format as fmt
from .. import theme
from ..widgets.fingerprint import grouped
from .base import ColumnTable, MemoryTable
from .paged import PAGE_SIZE, PagedRows

RED = QColor(theme.ERROR)
MUTED = QColor(theme.MUTED)
CODE_ROLE = Qt.ItemDataRole.UserRole + 2    # a township's 区划代码


def _tr(text: str) -> str:
    return QCoreApplication.translate("CountyModels", text)


def when_text(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def late_text(row: Any) -> str:
    """The whole status sentence: 逾期… for a late township (the word always there), else the
    service's text (按时报送, 尚未报送…), or 已报送 / 未报送 when it gives none."""
    text = (row.late_text or "").strip()
    if row.late:
        return text if "逾期" in text else (_tr("逾期") + (f"：{text}" if text else ""))
    if text:
        return text
    return _tr("已报送") if row.period is not None else _tr("未报送")


def late_word(row: Any) -> str:
    """The status without the bracketed detail (the deadline, shown above the list): 逾期报送."""
    return late_text(row).split("（", 1)[0]


class SubmissionsModel(MemoryTable):
    COLUMNS = ["name", "code", "period", "as_of", "received_at", "cadres", "rows", "late", "fingerprint"]
    HEADERS = {"name": "乡镇", "code": "区划代码", "period": "报送期间", "as_of": "截至日期", "received_at": "接收时间",
               "cadres": "干部人数", "rows": "数据行数", "fingerprint": "报送包指纹", "late": "报送状态"}
    NUMERIC = {"cadres", "rows"}
    TOOLTIP = {"fingerprint", "name"}
    CHUNK = None
    SORT_KEYS = {
        "name": lambda r: pinyin.sort_key(r.name), "code": lambda r: r.code, "period": lambda r: r.period or 0,
        "as_of": lambda r: r.as_of or date.min, "received_at": lambda r: r.received_at or datetime.min,
        "cadres": lambda r: r.cadres, "rows": lambda r: r.rows, "fingerprint": lambda r: r.fingerprint,
        "late": lambda r: (not r.late, r.period is None),
    }

    def _text(self, row: int, key: str) -> str:
        r = self._all[row]
        if key == "period":
            return _tr("{0} 年度").format(r.period) if r.period is not None else _tr("未报送")
        if key in ("as_of", "received_at"):
            return when_text(getattr(r, key))
        if key in ("cadres", "rows"):
            return f"{getattr(r, key):,}" if r.period is not None else ""
        if key == "fingerprint":
            return grouped(r.fingerprint)
        if key == "late":
            return late_word(r)
        return str(getattr(r, key) or "")

    def _tooltip(self, row: int, key: str) -> str | None:
        if key == "late":
            return late_text(self._all[row])
        return super()._tooltip(row, key)

    def _foreground(self, row: int, key: str) -> QColor | None:
        r = self._all[row]
        if key == "late" and r.late:
            return RED
        if key == "late" and r.period is None:
            return MUTED
        return None

    def _icon(self, row: int, key: str) -> str | None:
        return "warning" if key == "late" and self._all[row].late else None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == CODE_ROLE and 0 <= index.row() < self._row_count():
            return self._all[index.row()].code
        if index.isValid() and role == Qt.ItemDataRole.FontRole and self.COLUMNS[index.column()] == "fingerprint":
            font = QFont()
            font.setStyleHint(QFont.StyleHint.TypeWriter)
            font.setFamilies(["monospace"])
            return font
        return super().data(index, role)

    def code(self, row: int) -> str | None:
        r = self.item(row)
        return r.code if r is not None else None

    def row_of(self, code: str) -> int:
        return next((i for i, r in enumerate(self._all[:self._shown]) if r.code == code), -1)


def rate_text(done: int, due: int) -> str:
    """85.0%（34/40）; — when nobody is due."""
    return f"{fmt.percent(done, due)}（{done}/{due}）" if due else "—"


class SummaryModel(MemoryTable):
    """The townships then the 合计 row; ``set_figures(townships, total)``."""

    COLUMNS = ["name", "as_of", "cadres", "health", "followups", "leave", "untaken", "allowance", "welfare", "visits"]
    HEADERS = {"name": "乡镇", "as_of": "数据截至", "cadres": "干部", "health": "体检（已检/应检）",
               "followups": "未结随访", "leave": "年休假 已休/应休", "untaken": "未休人数", "allowance": "津贴补贴（元）",
               "welfare": "慰问经费已用（元）", "visits": "走访（已访/应访）"}
    NUMERIC = {"cadres", "health", "followups", "leave", "untaken", "allowance", "welfare", "visits"}
    CHUNK = None

    def set_figures(self, townships: list[Any], total: Any) -> None:
        self.set_rows(list(townships) + [total])

    @staticmethod
    def welfare_fen(t: Any) -> tuple[int, int]:
        """(spent, budget) over the township's funds."""
        return sum(f.spent_fen for f in t.welfare_by_fund), sum(f.budget_fen for f in t.welfare_by_fund)

    def is_total(self, row: int) -> bool:
        return row == self._row_count() - 1 and self._row_count() > 0

    def _text(self, row: int, key: str) -> str:
        t = self._all[row]
        if key == "name":
            return t.name if not self.is_total(row) else _tr("全县合计")
        if key == "as_of":
            return when_text(t.as_of)
        if key == "cadres":
            return f"{t.cadres:,}"
        if key == "health":
            return rate_text(t.health_done, t.health_due)
        if key == "followups":
            return str(t.followups_open)
        if key == "leave":
            return f"{fmt.days(t.leave_taken_days)}/{fmt.days(t.leave_due_days)}"
        if key == "untaken":
            return str(t.leave_untaken_cadres)
        if key == "allowance":
            return format_yuan(t.allowance_total_fen)
        if key == "welfare":
            spent, budget = self.welfare_fen(t)
            return f"{format_yuan(spent)}（{fmt.percent(spent, budget)}）"
        if key == "visits":
            return rate_text(t.hardship_visited, t.hardship_cadres)
        return ""

    def _tooltip(self, row: int, key: str) -> str | None:
        t = self._all[row]
        if key == "name" and not self.is_total(row):
            return _tr("{0}（区划代码 {1}）").format(t.name, t.code)
        if key == "welfare":
            spent, budget = self.welfare_fen(t)
            return _tr("已用 {0} 元，预算 {1} 元").format(format_yuan(spent), format_yuan(budget))
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.FontRole and self.is_total(index.row()):
            font = QFont()
            font.setBold(True)
            return font
        if index.isValid() and role == CODE_ROLE and 0 <= index.row() < self._row_count() \
                and not self.is_total(index.row()):
            return self._all[index.row()].code
        return super().data(index, role)


# ---------------------------------------------------------------- 干部花名册（全县）

#: the positions in a ``county.roster_page`` row
ROSTER_INDEX = {"id_number": 0, "name": 1, "sex": 2, "birth_date": 3, "township": 4, "unit": 5, "post": 6,
                "status": 7, "townships": 8, "code": 9}
#: column → the order ``county.roster_page`` sorts by
ROSTER_ORDER = {"name": "name", "township": "township", "unit": "unit", "birth_date": "birth", "status": "status"}


class CountyRosterModel(PagedRows, ColumnTable):
    """Pages of the consolidated roster; ``set_filter((search, code))``."""

    COLUMNS = ["name", "sex", "birth_date", "id_number", "township", "unit", "post", "status", "townships"]
    HEADERS = {"name": "姓名", "sex": "性别", "birth_date": "出生日期", "id_number": "身份证号", "township": "乡镇",
               "unit": "单位", "post": "职务", "status": "状态", "townships": "报送乡镇数"}
    NUMERIC = {"townships"}
    TOOLTIP = {"unit", "post"}

    def __init__(self, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._init_pages(page_size, ("", None))
        self.order = "name"
        self.reveal = access.allowed("id.reveal")

    def _count(self) -> int:
        search, code = self._filter
        return county.roster_count(search, code)

    def _page(self, offset: int, limit: int) -> list:
        search, code = self._filter
        return county.roster_page(search, offset, limit, code, self.order)

    def _row_count(self) -> int:
        return len(self._rows)

    def _text(self, row: int, key: str) -> str:
        r = self._rows[row]
        value = r[ROSTER_INDEX[key]]
        if key == "id_number":
            return value if self.reveal else idcard.mask(value)
        if key == "birth_date":
            return when_text(value)
        if key == "townships":
            return str(value)
        return "" if value is None else str(value)

    def _foreground(self, row: int, key: str) -> QColor | None:
        return MUTED if self._rows[row][ROSTER_INDEX["status"]] not in ("在职", "") else None

    def _tooltip(self, row: int, key: str) -> str | None:
        if key == "townships" and self._rows[row][ROSTER_INDEX["townships"]] > 1:
            return _tr("在 {0} 个乡镇的报送中出现（曾调动），双击查看各乡镇的任职经历").format(
                self._rows[row][ROSTER_INDEX["townships"]])
        return super()._tooltip(row, key)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Only the columns ``county.roster_page`` can order by (ascending)."""
        if not 0 <= column < len(self.COLUMNS):
            return
        wanted = ROSTER_ORDER.get(self.COLUMNS[column])
        if wanted is None or wanted == self.order:
            return
        self.order = wanted
        self.refresh()

    def id_number(self, row: int) -> str | None:
        r = self.row_tuple(row)
        return r[ROSTER_INDEX["id_number"]] if r is not None else None


# ---------------------------------------------------------------- a township's packages, a cadre's service

class _RecordTable(MemoryTable):
    """A short list of the service's dataclasses: a column is the attribute of its key, shown
    as a date or time, a count (1,234), a grouped fingerprint (``FINGERPRINTS``) or text;
    subclasses say the rest in ``_special`` (None: the default)."""

    FINGERPRINTS: set[str] = set()
    YEARS: set[str] = {"period"}
    CHUNK = None

    def _special(self, item: Any, key: str) -> str | None:
        return None

    def _text(self, row: int, key: str) -> str:
        item = self._all[row]
        special = self._special(item, key)
        if special is not None:
            return special
        value = getattr(item, key)
        if key in self.FINGERPRINTS:
            return grouped(value)
        if isinstance(value, (date, datetime)):
            return when_text(value)
        if isinstance(value, int) and not isinstance(value, bool) and key not in self.YEARS:
            return f"{value:,}"
        return "" if value is None else str(value)


class SnapshotsModel(_RecordTable):
    COLUMNS = ["period", "as_of", "created_at", "received_at", "received_by", "state", "cadres", "rows",
               "package_fingerprint", "file_name"]
    HEADERS = {"period": "年度", "as_of": "数据截至", "created_at": "乡镇生成时间", "received_at": "接收时间",
               "received_by": "接收人", "state": "状态", "cadres": "干部人数", "rows": "数据行数",
               "package_fingerprint": "报送包指纹", "file_name": "文件名"}
    NUMERIC = {"cadres", "rows"}
    TOOLTIP = {"file_name", "package_fingerprint", "state"}
    FINGERPRINTS = {"package_fingerprint"}

    def _special(self, p: Any, key: str) -> str | None:
        if key != "state":
            return None
        if p.current:
            return _tr("现行（汇总采用）")
        when = when_text(p.superseded_at)
        return _tr("已被替换（{0}）").format(when) if when else _tr("已被替换")

    def _foreground(self, row: int, key: str) -> QColor | None:
        return MUTED if not self._all[row].current else None


class ServiceModel(_RecordTable):
    COLUMNS = ["township", "code", "unit", "post", "employment_status", "start", "end", "work_start_date",
               "current_post_date", "reported"]
    HEADERS = {"township": "乡镇", "code": "区划代码", "unit": "单位", "post": "职务", "employment_status": "状态",
               "start": "到乡镇工作", "end": "调离/离退休", "work_start_date": "参加工作", "current_post_date": "任现职",
               "reported": "报送（数据截至）"}
    TOOLTIP = {"unit", "post"}

    def _special(self, r: Any, key: str) -> str | None:
        return _tr("{0} 年度（{1}）").format(r.period, when_text(r.as_of)) if key == "reported" else None


class SentPackagesModel(_RecordTable):
    """The packages this township made (``exchange_pack.list_packages``), newest first."""

    COLUMNS = ["made_at", "period", "through", "file_name", "rows", "package_fingerprint"]
    HEADERS = {"made_at": "生成时间", "period": "年度", "through": "数据截至", "file_name": "文件名", "rows": "数据行数",
               "package_fingerprint": "报送包指纹"}
    NUMERIC = {"rows"}
    TOOLTIP = {"file_name", "package_fingerprint"}
    FINGERPRINTS = {"package_fingerprint"}

    def _tooltip(self, row: int, key: str) -> str | None:
        p = self._all[row]
        if key == "made_at":
            return _tr("{0} 生成，{1} 名干部，{2} 行；加密给 {3}").format(p.made_by, p.cadres, f"{p.rows:,}", p.county_name)
        return super()._tooltip(row, key)
