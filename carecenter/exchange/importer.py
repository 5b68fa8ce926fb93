"""Import the roster and the history of each service from .xlsx files as counties
keep them (title rows, merged cells, header synonyms, messy dates, total rows).

The steps the wizard (and ``python main.py import``) follow::

    names = sheet_names(path)                       # choose the sheet
    mapping = detect(path, sheet, kind)             # header row + columns, adjustable
    texts = headers(path, sheet, mapping.header_row)
    pre = preview(path, sheet, kind, mapping)       # every problem by row and column
    result = run_import(pre)                        # the valid rows, all or none
    save_problems(pre, out)                         # the list for the sender to fix

Policies (also written on each template's 说明 sheet):

* A roster row whose ID number is already in the roster **updates** that cadre
  (the preview lists each change first); it never creates a second one.  Blank
  cells keep what the roster has; a cadre archived in the roster is refused.
  New cadres without 在职状态 are registered as 在职.
* Units are never created by an import: an unknown or archived unit is a problem.
* History rows find their cadre by ID number, or by name when the row has no ID
  number and the name is unique in the roster.
* Leave, health and welfare rows are saved through the same service functions
  as the forms, row after row, so a row is also judged against the earlier rows
  of the same file (overlapping leave, a duplicate check, a welfare cap).
* Allowance history goes into each month's payout batch as regular (正常)
  lines; a month without a batch gets a draft batch, a **locked month refuses
  the rows** (corrections of a locked month are 补发/扣减 lines in a later month),
  and a cadre who already has a line for that month and allowance is refused.
  Imported months stay drafts for the clerk to check and lock; note that
  生成本月 on a draft month replaces its regular lines, imported ones included.
* Problem rows are never written.  The import writes all the other rows in one
  transaction, or nothing (cancelled, failed, killed).  If the database changed
  between the preview and the import so that a row would now be judged
  differently, the import is refused and asks for a new preview.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from ..db.database import db
from ..security import access
from ..db.models import new_uuid
from ..domain.errors import DomainError
from ..services import audit
from ..services.values import path_text
from . import xlsx_reader
from .xlsx_cells import cell_text, compact, is_blank
from .xlsx_fields import FIELDS, KINDS, Field, match_header
from .xlsx_kinds import HANDLERS, Outcome, RowIn

__all__ = ["KINDS", "Field", "fields", "sheet_names", "Mapping", "detect", "headers", "Problem", "Change",
           "ImportPreview", "ImportResult", "preview", "run_import", "save_problems", "write_template", "Cancelled"]

#: rows searched for the header
HEADER_SCAN_ROWS = 30
_TABLES = {"roster": "cadre", "leave": "leave_record", "health": "health_check", "allowance": "allowance_line",
           "welfare": "welfare_record"}


class Cancelled(Exception):
    """The clerk pressed 取消: nothing was written."""


@dataclass
class Mapping:
    header_row: int                                     # 1-based
    columns: dict[str, int] = field(default_factory=dict)   # field key -> 0-based column index


@dataclass(frozen=True)
class Problem:
    row: int          # Excel row number
    column: str       # Excel column letter ('' when the field has no column)
    field: str        # the field's label
    value: str        # the cell as written
    reason: str       # Chinese: what is wrong and what to do


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class ImportResult:
    created: int
    updated: int


@dataclass
class ImportPreview:
    kind: str
    rows_total: int
    valid_count: int
    problems: list[Problem]
    updates: list[tuple[int, str, list[Change]]]
    creates: int
    unchanged: int = 0
    #: (Excel row, why it was left out): 示例行, 合计行, 表尾说明, 重复的表头行
    skipped: list[tuple[int, str]] = field(default_factory=list)
    file_name: str = ""
    sheet: str = ""
    header_row: int = 0
    _rows: list[RowIn] = field(default_factory=list, repr=False)
    _valid: list[int] = field(default_factory=list, repr=False)
    _signature: list[Any] = field(default_factory=list, repr=False)
    _plan: list[Any] = field(default_factory=list, repr=False)
    _state: Any = field(default=None, repr=False)

    @property
    def refused_count(self) -> int:
        return self.rows_total - self.valid_count


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise DomainError("kind", f"不支持的导入类型「{kind}」，可选：{'、'.join(KINDS.values())}", "kind")


#: what an import of each kind writes, so what the account must be allowed to edit
EDIT_PERMISSION = {"roster": "roster.edit", "leave": "leave.edit", "health": "health.edit",
                   "allowance": "allowance.edit", "welfare": "welfare.edit", "talk": "welfare.edit"}


def _check_allowed(kind: str) -> None:
    access.check("import", EDIT_PERMISSION.get(kind, "roster.edit"))


def fields(kind: str) -> list[Field]:
    _check_kind(kind)
    return list(FIELDS[kind])


def sheet_names(path: Path) -> list[str]:
    return xlsx_reader.sheet_names(Path(path))


# ================================================================ header detection

def _header_texts(sheet: xlsx_reader.Sheet, row: int) -> list[tuple[str, list[str]]]:
    """(display text, texts to match) for each column of a header row.

    Merged cells show their top-left text.  A two-row header's group cell (a
    range merged across a few columns in the row above, e.g. 学历 over 全日制 /
    在职) is put in front: display 「学历（全日制）」, matched as 学历全日制 first."""
    out: list[tuple[str, list[str]]] = []
    anchors = sheet.anchors()
    ranges = {(r1, c1): (r1, c1, r2, c2) for r1, c1, r2, c2 in sheet.merged}
    above_cells = 0
    if row > 1:
        above_cells = sum(1 for c in range(sheet.max_col)
                          if (row - 1, c) not in anchors and not is_blank(sheet.raw(row - 1, c)))
    for c in range(sheet.max_col):
        own = cell_text(sheet.value(row, c))
        group = ""
        if row > 1 and above_cells >= 2:
            anchor = anchors.get((row - 1, c), (row - 1, c))
            rng = ranges.get(anchor)
            if rng and rng[2] == row - 1 and rng[3] > rng[1]:
                group = cell_text(sheet.raw(*anchor))
        if group and own and compact(own) != compact(group):
            out.append((f"{group}（{own}）", [group + own, own]))
        else:
            text = own or group
            out.append((text, [text] if text else []))
    return out


def _match_row(sheet: xlsx_reader.Sheet, row: int, kind: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c, (_display, texts) in enumerate(_header_texts(sheet, row)):
        if not texts:
            continue
        key = match_header(texts, kind)
        if key and key not in columns:
            columns[key] = c
    return columns


def detect(path: Path, sheet: str, kind: str, header_row: int | None = None) -> Mapping:
    """The header row (the one of the first rows whose texts name the most fields;
    with a two-row header, the lower one) and each recognised column.  With
    ``header_row`` (the clerk chose the row) only the columns of that row."""
    _check_kind(kind)
    sh = xlsx_reader.load_sheet(Path(path), sheet)
    if header_row is not None:
        return Mapping(header_row, _match_row(sh, header_row, kind) if header_row >= 1 else {})
    required = {f.key for f in FIELDS[kind] if f.required}
    best, best_score = Mapping(1, {}), 0.0
    for r in range(1, min(sh.max_row, HEADER_SCAN_ROWS) + 1):
        cols = _match_row(sh, r, kind)
        score = len(cols) + 0.5 * len(required & cols.keys())
        # a tie goes to the next row (the lower row of a two-row header), never to a
        # header repeated further down the sheet (a printed roster repeats it per page)
        if cols and (score > best_score or (score == best_score and r == best.header_row + 1)):
            best, best_score = Mapping(r, cols), score
    return best


def headers(path: Path, sheet: str, header_row: int) -> list[str]:
    """The header texts of the row (merged cells resolved), one per column."""
    sh = xlsx_reader.load_sheet(Path(path), sheet)
    if header_row < 1:
        raise DomainError("header_row", "表头行号应从 1 开始", "header_row")
    return [display for display, _ in _header_texts(sh, header_row)]


# ================================================================ data rows

_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计|总合计|全镇合计|全乡合计)")
_FOOTER = re.compile(r"^(填表人|制表人|填报人|审核人|审核|负责人|单位负责人|主要负责人|经办人|联系人|联系电话|"
                     r"填表日期|制表日期|填报日期|报送日期|填表说明|注[:：\d]|说明[:：]|备注[:：]|附[:：])")
_ID_LIKE = re.compile(r"\d{17}[\dXx]")


@lru_cache(maxsize=8192)
def _header_key(text: str, kind: str) -> str | None:
    return match_header([text], kind)


def _skip_reason(sh: xlsx_reader.Sheet, r: int, cells: dict[str, Any], kind: str,
                 mapping: Mapping) -> str:
    probe_cols = sorted(set(range(min(4, sh.max_col))) | {mapping.columns[k] for k in ("name", "id_number")
                                                          if k in mapping.columns})
    texts = [compact(cell_text(sh.value(r, c))) for c in probe_cols]
    if any(t.startswith("示例") or t in ("例", "样例", "填写示例", "(示例)") for t in texts):
        return "示例行"
    if any(_TOTAL.match(t) for t in texts):
        return "合计行"
    first = next((cell_text(sh.value(r, c)) for c in range(sh.max_col) if not is_blank(sh.value(r, c))), "")
    if first and _FOOTER.match(compact(first)) and not any(
            _ID_LIKE.search(cell_text(v)) for v in cells.values() if isinstance(v, str)):
        return "表尾说明"
    ordered = sorted(mapping.columns.items(), key=lambda kv: kv[1])[:4]
    hits = sum(1 for key, _c in ordered if not is_blank(cells.get(key))
               and _header_key(cell_text(cells.get(key)), kind) == key)
    if ordered and hits >= min(2, len(ordered)):
        return "重复的表头行"
    return ""


def _data_rows(sh: xlsx_reader.Sheet, kind: str, mapping: Mapping) -> tuple[list[RowIn], list[tuple[int, str]]]:
    rows: list[RowIn] = []
    skipped: list[tuple[int, str]] = []
    cols = list(mapping.columns.items())
    value = sh.value
    # only the rows the sheet has (a sheet may have rows 1–20 and one row numbered 1,000,000)
    for r in sh.row_numbers():
        if r <= mapping.header_row:
            continue
        cells = {key: value(r, c) for key, c in cols}
        if all(is_blank(v) for v in cells.values()):
            continue
        reason = _skip_reason(sh, r, cells, kind, mapping)
        if reason:
            skipped.append((r, reason))
            continue
        rows.append(RowIn(r, cells))
    return rows, skipped


def _check_mapping(sh: xlsx_reader.Sheet, kind: str, mapping: Mapping) -> None:
    known = {f.key: f for f in FIELDS[kind]}
    if not (1 <= mapping.header_row <= max(sh.max_row, 1)):
        raise DomainError("header_row", f"表头行号 {mapping.header_row} 超出了工作表的范围（共 {sh.max_row} 行）",
                          "header_row")
    for key, col in mapping.columns.items():
        if key not in known:
            raise DomainError("mapping", f"未知的字段「{key}」", "mapping")
        if not isinstance(col, int) or col < 0:
            raise DomainError("mapping", f"「{known[key].label}」对应的列无效，请重新选择", "mapping")
    missing = [f.label for f in FIELDS[kind] if f.required and f.key not in mapping.columns]
    if missing:
        raise DomainError("mapping_required", f"请为必填的「{'」「'.join(missing)}」选择对应的列", "mapping")
    if kind != "roster" and not ({"id_number", "name"} & mapping.columns.keys()):
        raise DomainError("mapping_required", "请为「身份证号」或「姓名」选择对应的列（至少一项）", "mapping")
    if kind == "allowance" and not ({"amount", "hardship", "township"} & mapping.columns.keys()):
        raise DomainError("mapping_required", "请为「金额」（和「津贴项目」），或「艰苦边远地区津贴」「乡镇工作补贴」选择对应的列",
                          "mapping")


# ================================================================ preview and import

class _Tick:
    """Progress (done, total) at most ~100 times; a look at 取消 at every step."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None,
                 cancelled: Callable[[], bool] | None):
        self.total, self.progress, self.cancelled = total, progress, cancelled
        self.step = max(1, total // 100)
        self.last = -1

    def __call__(self, done: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled()
        if self.progress is not None and (done - self.last >= self.step or done >= self.total):
            self.last = done
            self.progress(done, self.total)


class _Rollback(Exception):
    pass


def _judge(kind: str, rows: list[RowIn], tick: _Tick) -> tuple[Outcome, list, Any]:
    """Judge every row inside the caller's transaction (history rows are written
    through their service, to be rolled back by the caller).  For the bulk kinds
    also the write plan and the lookups it was made from."""
    handler = HANDLERS[kind]()
    handler.prepare(rows)
    if handler.bulk:
        outcome, plan = handler.plan(rows, tick)
        return outcome, plan, handler.state()
    outcome = Outcome()
    for i, r in enumerate(rows, start=1):
        tick(i)
        errs = handler.apply(r)
        if errs:
            outcome.errors[r.row] = errs
        else:
            outcome.created += 1
            outcome.signature.append(r.row)
    return outcome, [], None


def _problems(kind: str, mapping: Mapping, rows: list[RowIn], errors: dict[int, list]) -> list[Problem]:
    labels = {f.key: f.label for f in FIELDS[kind]}
    order = {f.key: i for i, f in enumerate(FIELDS[kind])}
    cells = {r.row: r.cells for r in rows}
    out: list[Problem] = []
    for row in sorted(errors):
        seen = set()
        for key, reason in sorted(errors[row], key=lambda e: (mapping.columns.get(e[0] or "", 10 ** 6),
                                                              order.get(e[0] or "", 99))):
            if (key, reason) in seen:
                continue
            seen.add((key, reason))
            col = mapping.columns.get(key or "")
            out.append(Problem(row=row, column=xlsx_reader.column_letter(col) if col is not None else "",
                               field=labels.get(key or "", ""), value=cell_text(cells[row].get(key or "")),
                               reason=reason))
    return out


def preview(path: Path, sheet: str, kind: str, mapping: Mapping, *,
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> ImportPreview:
    """Read the sheet and judge every row; nothing is written (a history import is
    tried inside a transaction that is rolled back)."""
    _check_kind(kind)
    _check_allowed(kind)
    path = Path(path)
    sh = xlsx_reader.load_sheet(path, sheet)
    _check_mapping(sh, kind, mapping)
    rows, skipped = _data_rows(sh, kind, mapping)
    tick = _Tick(len(rows), progress, cancelled)
    judged: tuple[Outcome, list, Any] | None = None
    try:
        with db.atomic():
            judged = _judge(kind, rows, tick)
            raise _Rollback()
    except _Rollback:
        pass
    assert judged is not None
    outcome, plan, state = judged
    valid = [r.row for r in rows if r.row not in outcome.errors]
    return ImportPreview(
        kind=kind, rows_total=len(rows), valid_count=len(valid),
        problems=_problems(kind, mapping, rows, outcome.errors),
        updates=[(row, name, [Change(*c) for c in changes]) for row, name, changes in outcome.updates],
        creates=outcome.created, unchanged=outcome.unchanged, skipped=skipped, file_name=path_text(path.name),
        sheet=sheet, header_row=mapping.header_row, _rows=rows, _valid=valid, _signature=list(outcome.signature),
        _plan=plan, _state=state)


def _changed(row: int | None = None) -> DomainError:
    where = f"第{row}行" if row else "部分行"
    return DomainError("changed_since_preview",
                       f"预览之后数据库已有变动，{where}的检查结果与预览时不同；本次没有导入任何数据，请重新预览后再导入",
                       None)


def run_import(preview: ImportPreview, *, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Write the preview's valid rows in one transaction: all of them or none.

    First a safety copy of the database is made in the data folder's backups
    (``关爱中心备份-…-导入前.db``); when it cannot be made nothing is imported.
    Raises ``Cancelled`` (nothing written) when ``cancelled()`` turns true, and
    DomainError when the database changed since the preview."""
    from . import backup

    kind = preview.kind
    _check_allowed(kind)
    _check_kind(kind)
    valid = set(preview._valid)
    rows = [r for r in preview._rows if r.row in valid]
    tick = _Tick(len(rows), progress, cancelled)
    safety = None
    if rows:
        paths = backup.open_store_paths()
        if paths is not None:
            safety = backup.safety_backup(paths, backup.KIND_BEFORE_IMPORT)
    with db.atomic():
        handler = HANDLERS[kind]()
        if handler.bulk:
            # the lookups as the preview made them: when nothing they hold changed, its plan stands
            handler.prepare(preview._rows)
            if handler.state() == preview._state and preview._state is not None:
                plan = preview._plan
            else:
                handler.prepare(rows)
                outcome, plan = handler.plan(rows, lambda _i: None)
                if outcome.errors:
                    raise _changed(min(outcome.errors))
                if outcome.signature != preview._signature:
                    raise _changed()
            if cancelled is not None and cancelled():
                raise Cancelled()
            created, updated = handler.write(plan, tick)
        else:
            handler.prepare(rows)
            created = updated = 0
            for i, r in enumerate(rows, start=1):
                tick(i)
                if handler.apply(r):
                    raise _changed(r.row)
                created += 1
        refused = preview.rows_total - preview.valid_count
        audit.record("import", _TABLES[kind], new_uuid(),
                     f"从「{path_text(preview.file_name)}」导入{KINDS[kind]}：新增 {created}，更新 {updated}，"
                     f"未导入 {refused} 行",
                     {"file": path_text(preview.file_name), "sheet": preview.sheet, "created": created, "updated": updated,
                      "refused": refused, "rows": preview.rows_total,
                      "safety_copy": path_text(safety.path) if safety is not None else ""})
    return ImportResult(created=created, updated=updated)


def save_problems(preview: ImportPreview, out: Path) -> None:
    """The problem list as .xlsx (行号, 列, 字段, 原值, 问题) for the sender to fix."""
    from . import xlsx_writer  # openpyxl loads only when a workbook is written

    summary = (("导入类型", KINDS[preview.kind]), ("文件", preview.file_name), ("工作表", preview.sheet),
               ("表头所在行", preview.header_row), ("数据行数", preview.rows_total),
               ("可导入行数", preview.valid_count), ("有问题的行数", preview.refused_count),
               ("问题条数", len(preview.problems)))
    xlsx_writer.write_problems(((p.row, p.column, p.field, p.value, p.reason) for p in preview.problems),
                               summary, Path(out))


def write_template(kind: str, out: Path) -> None:
    """A template workbook: canonical headers (required ones marked), one example row
    marked 示例 (skipped on import) and a 说明 sheet."""
    _check_kind(kind)
    from . import xlsx_writer

    xlsx_writer.write_template(kind, Path(out))


def report_lines(preview: ImportPreview) -> list[str]:
    """The preview as text (the command line prints it): counts, then each problem
    as 第N行 X列（字段）：原因."""
    name = KINDS[preview.kind]
    lines = [f"{name}：文件「{preview.file_name}」，工作表「{preview.sheet}」，表头在第 {preview.header_row} 行"]
    if preview.kind == "roster":
        what = f"新增 {preview.creates} 名，更新 {len(preview.updates)} 名" + (
            f"，无变化 {preview.unchanged} 名" if preview.unchanged else "")
    elif preview.kind == "allowance":
        what = f"新增发放记录 {preview.creates} 条"
    else:
        what = f"新增 {preview.creates} 条"
    lines.append(f"共 {preview.rows_total} 行：可导入 {preview.valid_count} 行（{what}），"
                 f"有问题未导入 {preview.refused_count} 行")
    if preview.skipped:
        kinds: dict[str, list[int]] = {}
        for row, why in preview.skipped:
            kinds.setdefault(why, []).append(row)
        lines.append("已跳过：" + "；".join(f"{why} 第{'、'.join(map(str, rows[:10]))}{'…' if len(rows) > 10 else ''}行"
                                         for why, rows in kinds.items()))
    for row, person, changes in preview.updates:
        lines.append(f"更新 第{row}行 {person}：" + "；".join(
            f"{c.field} {c.old or '（空）'} → {c.new or '（空）'}" for c in changes))
    for p in preview.problems:
        where = f"第{p.row}行 {p.column}列" if p.column else f"第{p.row}行"
        lines.append(f"{where}（{p.field}）：{p.reason}" if p.field else f"{where}：{p.reason}")
    return lines
