"""A small, fast reader for .xlsx worksheets: values and merged cells.

Why not openpyxl for reading: measured on the 2-core machine with a 10,000-row,
30-column roster, ``openpyxl.load_workbook(read_only=True)`` needs 2.8–5.7 s just
to iterate the values (and gives no merged cells in read-only mode); the normal
mode needs twice that.  This module streams the sheet XML with the C expat
parser (``xml.etree.ElementTree.iterparse``) in about a fifth of that time and
reads ``<mergeCells>`` in the same pass.  openpyxl is still used for its date
helpers (number-format detection, Excel serial → datetime) and for writing.

What it understands: shared strings (including rich text, without the phonetic
``<rPh>`` runs), inline strings, formula results (``t="str"``), booleans, error
values, numbers (int when written without a fraction or exponent), dates by the
cell's number format (built-in, CJK built-in 27–36/50–58, and custom formats),
the 1904 date system, cells and rows without ``r`` attributes, and the strict
OOXML namespace.  Anything it cannot read raises ``DomainError`` with a Chinese
message saying what to do.
"""
from __future__ import annotations

import bisect
import hashlib
import io
import os
import posixpath
import re
import threading
import zipfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError, XMLPullParser

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ..domain.errors import DomainError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: CJK built-in date formats (ECMA-376 Part 1, 18.8.30, zh-cn/ja-jp/ko-kr ids)
_CJK_DATE_IDS = frozenset(range(27, 37)) | frozenset(range(50, 59))
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_FIRST_TAG = re.compile(rb"<[A-Za-z_]")
_RANGE_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")
#: Excel's own limits: 1,048,576 rows × 16,384 columns (XFD), 32,767 characters in a cell
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What the reader accepts; everything is checked before or while reading, so a
    hostile workbook is refused within seconds and a bounded amount of memory.

    A real roster of 10,000 cadres is about 1–2 MB on disk, 20 MB of sheet XML and
    300,000 cells; the defaults leave a wide margin."""

    #: the file on disk (checked before it is opened)
    max_file_bytes: int = 50 * _MB
    #: one worksheet's XML once decompressed (checked from the zip directory, before decompressing)
    max_sheet_xml_bytes: int = 256 * _MB
    #: the shared strings part once decompressed (likewise)
    max_shared_strings_bytes: int = 64 * _MB
    #: styles, workbook and relationship parts once decompressed (likewise)
    max_other_part_bytes: int = 16 * _MB
    #: cells read from one sheet (a row counts up to its last used column)
    max_cells: int = 600_000
    #: rows in one sheet (<row> elements, empty ones included)
    max_rows: int = 200_000
    #: XML tags (<…> and </…>) in one workbook's parts read: bounds the parsing time
    max_tags: int = 3_500_000
    #: XML elements inside one row (or between two rows, two shared strings)
    max_pending: int = 300_000
    #: elements nested in one another (a real sheet has fewer than 10 levels)
    max_depth: int = 1_000
    #: merged ranges in one sheet
    max_merged: int = 100_000
    #: one piece of text in the XML (a cell, a shared string) in bytes: far above Excel's 32,767 characters
    max_text_bytes: int = 1 * _MB


#: the limits in force (``python main.py import --max-size`` changes the file size)
LIMITS = Limits()
#: kept for callers of the old name
MAX_CELLS = LIMITS.max_cells


def set_max_file_mb(megabytes: int) -> None:
    """Change the file-size limit (e.g. a county with one very large roster)."""
    global LIMITS
    if megabytes < 1:
        raise ValueError(megabytes)
    LIMITS = replace(LIMITS, max_file_bytes=int(megabytes) * _MB)


def _local(tag: str) -> str:
    """'{namespace}row' → 'row' (works for transitional and strict OOXML alike)."""
    return tag.rsplit("}", 1)[-1]


def column_index(letters: str) -> int:
    """'A' → 0, 'Z' → 25, 'AA' → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letter(index: int) -> str:
    """0 → 'A', 26 → 'AA'."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _unreadable(path: Path, detail: str = "") -> DomainError:
    return DomainError("xlsx_unreadable",
                       f"无法读取文件「{display_name(path)}」{detail}，请确认它是 Excel 工作簿（.xlsx），"
                       "可以在 Excel 或 WPS 中打开后「另存为」.xlsx 再试", "file")


def display_name(path: Path | str) -> str:
    """A file name as it can be shown and stored: a name that is not valid UTF-8 (a GBK
    name from an old USB stick, decoded by Python with surrogate escapes) is shown with
    its undecodable bytes as \\xNN instead of failing later in print() or SQLite."""
    name = Path(path).name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _too_big(path: Path, what: str, limit: str, advice: str = "请检查文件，或拆分成几个文件后分别导入") -> DomainError:
    return DomainError("xlsx_limit", f"文件「{display_name(path)}」{what}，超出了导入的上限（{limit}），{advice}。"
                                     "没有导入任何数据", "file")


def _mb(n: int) -> str:
    return f"{n / _MB:g} MB"


@dataclass
class Sheet:
    """One worksheet's values as a grid of Python values (str, int, float, bool,
    datetime or None), 1-based rows, 0-based columns, plus the merged ranges."""

    name: str
    rows: dict[int, list[Any]] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)
    max_row: int = 0
    max_col: int = 0
    max_cells: int = LIMITS.max_cells
    _present: list[int] | None = None
    _anchor: dict[tuple[int, int], tuple[int, int]] | None = None

    def raw(self, row: int, col: int) -> Any:
        values = self.rows.get(row)
        if values is None or col >= len(values):
            return None
        return values[col]

    def row_numbers(self) -> list[int]:
        """The rows the sheet really has (a <row> in its XML, even an empty one), in order;
        they may be far apart."""
        if self._present is None:
            self._present = sorted(self.rows)
        return self._present

    def anchors(self) -> dict[tuple[int, int], tuple[int, int]]:
        """{(row, col): (top row, left col)} for every covered cell of a merged range
        except its top-left one, limited to the used area: only the rows the sheet
        really has and its used columns (a range A3:XFD1048575 costs no more than the
        cells it covers that exist), at most ``max_cells`` in all."""
        if self._anchor is None:
            out: dict[tuple[int, int], tuple[int, int]] = {}
            present = self.row_numbers()
            budget = self.max_cells
            for r1, c1, r2, c2 in self.merged:
                c2 = min(c2, self.max_col - 1)
                if c2 < c1:
                    continue
                lo, hi = bisect.bisect_left(present, r1), bisect.bisect_right(present, r2)
                budget -= (hi - lo) * (c2 - c1 + 1)
                if budget < 0:
                    raise DomainError("xlsx_limit", f"工作表「{self.name}」的合并单元格覆盖了太多单元格（超过 "
                                                    f"{self.max_cells:,} 个），请取消不必要的合并后再导入", "sheet")
                for r in present[lo:hi]:
                    for c in range(c1, c2 + 1):
                        if (r, c) != (r1, c1):
                            out[(r, c)] = (r1, c1)
            self._anchor = out
        return self._anchor

    def value(self, row: int, col: int) -> Any:
        """The value shown in the cell: a covered cell of a merged range shows the
        value of the range's top-left cell."""
        anchor = self.anchors().get((row, col))
        if anchor is not None:
            return self.raw(*anchor)
        return self.raw(row, col)

    def merged_range(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        for rng in self.merged:
            if rng[0] <= row <= rng[2] and rng[1] <= col <= rng[3]:
                return rng
        return None


class Book:
    """An opened workbook: sheet names and sheets on demand."""

    def __init__(self, path: Path, limits: Limits | None = None):
        self.path = Path(path)
        self.limits = limits = limits or LIMITS
        self._tags_left = limits.max_tags
        try:
            size = os.stat(self.path).st_size
            if size > limits.max_file_bytes:
                raise _too_big(self.path, f"有 {_mb(size)}", f"{_mb(limits.max_file_bytes)}",
                               "一份名册通常不到 5 MB；请确认选对了文件，或删去无关的工作表、图片后再试")
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise DomainError("file_missing", f"找不到文件「{display_name(self.path)}」，请重新选择", "file") from None
        except IsADirectoryError:
            raise DomainError("file_missing", f"「{display_name(self.path)}」是一个文件夹，请选择 Excel 文件（.xlsx）",
                              "file") from None
        except OSError as err:
            raise DomainError("file_unreadable", f"无法打开文件「{display_name(self.path)}」（{err.strerror or err}），"
                              "请确认文件没有被其他程序占用后再试", "file") from None
        self.digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        if data[:8] == _OLE_MAGIC:
            raise DomainError("xlsx_old_format",
                              f"「{display_name(self.path)}」是旧版 Excel（.xls/.et）文件或设置了打开密码，"
                              "请在 Excel 或 WPS 中打开，「另存为」Excel 工作簿（.xlsx）后再导入", "file")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError):
            raise _unreadable(self.path) from None
        names = set(self._zip.namelist())
        if "xl/workbook.xml" not in names:
            wb = [n for n in names if n.endswith("workbook.xml")]
            if not wb:
                raise _unreadable(self.path, "（不是 Excel 工作簿）")
        self._names = names
        self._sheets: list[tuple[str, str]] = []   # (name, zip path)
        self._date1904 = False
        self._shared: list[str] | None = None
        self._date_styles: list[bool] | None = None
        self._workbook_path = "xl/workbook.xml" if "xl/workbook.xml" in names else \
            sorted(n for n in names if n.endswith("workbook.xml"))[0]
        self._read_workbook()

    # ------------------------------------------------------------ workbook parts

    def _open(self, name: str, limit: int | None = None, what: str = ""):
        """A part of the zip, refused from the zip directory's sizes before anything is
        decompressed when it would be bigger than ``limit`` once decompressed.  (zipfile
        stops at the size the directory declares, so a part cannot grow past it.)"""
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise _unreadable(self.path, f"（缺少 {name}）") from None
        limit = self.limits.max_other_part_bytes if limit is None else limit
        if info.file_size > limit:
            raise _too_big(self.path, f"的{what or name}解压后有 {_mb(info.file_size)}", _mb(limit),
                           "这不像一份正常的表格（可能是损坏或特意构造的文件）；请在 Excel 或 WPS 中打开，"
                           "只保留需要导入的工作表，「另存为」新文件后再试")
        try:
            return self._zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as err:
            raise _unreadable(self.path, f"（{name} 无法解压：{err}）") from None

    def _elements(self, name: str, *, flush: frozenset[str], keep_depth: int = 1,
                  limit: int | None = None, what: str = ""):
        """Each complete element of a part whose tag is in ``flush`` and that lies no
        deeper than ``keep_depth`` (the root is depth 0), in document order, in bounded
        memory and time.

        The part is fed to expat in chunks, and each chunk is looked at first (in C,
        with bytes.find/count): a run of more than ``max_text_bytes`` without a tag
        (one enormous text), more tags than ``max_tags`` in the workbook, more than
        ``max_pending`` elements between two handed-out elements, or elements nested
        deeper than ``max_depth`` are refused before expat holds them.  After each
        chunk the complete elements are handed out and dropped from the tree: only the
        last child of an open element can still be open.  No Python code runs per XML
        element (no parser events after the root), so junk costs only expat's time.
        XML errors become a Chinese message naming the part."""
        limits = self.limits
        max_text, max_depth = limits.max_text_bytes, limits.max_depth
        max_pending_tags = 2 * limits.max_pending
        parser = XMLPullParser(events=("start",))
        root = None
        since_tag = depth = pending = 0
        seen: dict[str, bool] = {}

        def wanted(el) -> bool:
            tag = el.tag
            hit = seen.get(tag)
            if hit is None:
                hit = seen[tag] = isinstance(tag, str) and tag.rsplit("}", 1)[-1] in flush
            return hit

        def complete(node, level: int, still_open: bool):
            n = len(node)
            upto = n - 1 if still_open else n
            for i in range(upto):
                child = node[i]
                if wanted(child):
                    yield child
                elif level + 1 < keep_depth:
                    yield from complete(child, level + 1, False)
            if upto > 0:
                del node[:upto]
            if still_open and n:
                child = node[0]
                if not wanted(child) and level + 1 < keep_depth:
                    yield from complete(child, level + 1, True)

        try:
            with self._open(name, limit, what) as fh:
                while True:
                    chunk = fh.read(65536)
                    if chunk:
                        first = chunk.find(b"<")
                        since_tag += len(chunk) if first < 0 else first
                        if since_tag > max_text:
                            raise _too_big(self.path, f"的 {name} 中有一段文字超过 {_mb(max_text)}",
                                           f"每个单元格不超过 {EXCEL_MAX_CELL_CHARS:,} 个字符")
                        if first >= 0:
                            since_tag = len(chunk) - chunk.rfind(b"<") - 1
                            tags = chunk.count(b"<")
                            self._tags_left -= tags
                            if self._tags_left < 0:
                                raise _too_big(self.path, "中的表格元素太多", f"共 {limits.max_tags:,} 个 XML 标记")
                            pending += tags
                            if pending > max_pending_tags:
                                raise _too_big(self.path, f"的 {name} 中的表格元素太多",
                                               f"一行之内 {limits.max_pending:,} 个 XML 元素")
                            closing = chunk.count(b"</")
                            depth += tags - 2 * closing - chunk.count(b"/>") - chunk.count(b"<?") - chunk.count(b"<!")
                            if depth > max_depth:
                                raise _too_big(self.path, f"的 {name} 嵌套太深", f"{max_depth:,} 层")
                        parser.feed(chunk)
                    else:
                        parser.close()
                    if root is None:
                        root = next((el for ev, el in parser.read_events()), None)
                        if root is not None:
                            setevents = getattr(parser._parser, "_setevents", None)
                            if setevents is not None:   # CPython: no more events at all
                                setevents(parser._events_queue, ())
                    else:
                        parser._events_queue.clear() if hasattr(parser, "_events_queue") else \
                            list(parser.read_events())
                    if root is not None:
                        for el in complete(root, 0, bool(chunk)):
                            yield el
                            pending = 0
                    if not chunk:
                        break
        except (ParseError, zipfile.BadZipFile, EOFError, OSError, RuntimeError, ValueError) as err:
            raise _unreadable(self.path, f"（{name} 已损坏：{err}）") from None

    def _parse(self, name: str):
        """(event, element) for the elements of the workbook and its relationships, in
        bounded memory; see ``_elements``."""
        for el in self._elements(name, flush=frozenset({"Relationship", "sheet", "workbookPr"}), keep_depth=2):
            yield "end", el

    def _read_workbook(self) -> None:
        base = posixpath.dirname(self._workbook_path)
        rels_name = posixpath.join(base, "_rels", posixpath.basename(self._workbook_path) + ".rels")
        targets: dict[str, tuple[str, str]] = {}
        if rels_name in self._names:
            for _ev, el in self._parse(rels_name):
                if _local(el.tag) == "Relationship":
                    target = el.get("Target") or ""
                    if target.startswith("/"):
                        path = target.lstrip("/")
                    else:
                        path = posixpath.normpath(posixpath.join(base, target))
                    targets[el.get("Id") or ""] = (path, el.get("Type") or "")
        sheets: list[tuple[str, str]] = []
        for _ev, el in self._parse(self._workbook_path):
            tag = _local(el.tag)
            if tag == "workbookPr":
                self._date1904 = (el.get("date1904") or "").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                path, kind = targets.get(rid, ("", ""))
                if path and not kind.endswith("/chartsheet") and path in self._names:
                    sheets.append((el.get("name") or path, path))
        if not sheets:
            raise _unreadable(self.path, "（没有工作表）")
        self._sheets = sheets

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _ in self._sheets]

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            out: list[str] = []
            name = next((n for n in self._names if n.lower().endswith("sharedstrings.xml")), None)
            if name:
                for el in self._elements(name, flush=frozenset({"si"}), keep_depth=1,
                                         limit=self.limits.max_shared_strings_bytes, what="共享字符串（sharedStrings.xml）"):
                    text = _text_of(el)   # every element handed out is an <si>
                    if len(text) > EXCEL_MAX_CELL_CHARS:
                        raise _cell_too_long(self.path, len(text))
                    out.append(text)
            self._shared = out
        return self._shared

    def _styles(self) -> list[bool]:
        """For each cell style index: does its number format show a date?"""
        if self._date_styles is None:
            custom: dict[int, str] = {}
            xfs: list[bool] = []
            name = next((n for n in self._names if n.lower().endswith("styles.xml")), None)
            if name:
                # a <xf> inside <cellXfs> (not <cellStyleXfs>): each cell style, in order
                for el in self._elements(name, flush=frozenset({"numFmt", "cellXfs"}), keep_depth=2):
                    tag = _local(el.tag)
                    if tag == "cellXfs":
                        for xf in el:
                            if _local(xf.tag) == "xf":
                                try:
                                    fmt_id = int(xf.get("numFmtId") or 0)
                                except ValueError:
                                    fmt_id = 0
                                xfs.append(_is_date_format_id(fmt_id, custom))
                    elif tag == "numFmt":
                        try:
                            code = el.get("formatCode") or ""
                            if len(code) <= 255:   # Excel's own limit for a number format
                                custom[int(el.get("numFmtId") or -1)] = code
                        except ValueError:
                            pass
            self._date_styles = xfs
        return self._date_styles

    # ------------------------------------------------------------ one sheet

    def sheet(self, name: str) -> Sheet:
        path = next((p for n, p in self._sheets if n == name), None)
        if path is None:
            raise DomainError("sheet_missing", f"工作簿中没有名为「{name}」的工作表，请重新选择", "sheet")
        shared = self._shared_strings()
        date_styles = self._styles()
        epoch = CALENDAR_MAC_1904 if self._date1904 else CALENDAR_WINDOWS_1900
        limits = self.limits
        max_cells = limits.max_cells
        sheet = Sheet(name, max_cells=max_cells)
        rows = sheet.rows
        next_row = 1
        row_count = 0
        present: set[int] = set()
        cells = 0
        max_col = 0
        letters_cache: dict[str, int] = {}
        where = f"工作表「{name}」"
        try:
            for el in self._elements(path, flush=frozenset({"row", "mergeCell"}), keep_depth=2,
                                     limit=limits.max_sheet_xml_bytes, what=f"{where}（{path}）"):
                tag = el.tag
                if tag[-4:] == "}row" or tag == "row":
                    r_attr = el.get("r")
                    if r_attr and r_attr.isdigit() and len(r_attr) <= 8:
                        row_no = int(r_attr)
                    elif r_attr and r_attr.strip():
                        raise _outside(self.path, where, f"行号「{r_attr[:20]}」")
                    else:
                        row_no = next_row
                    if not 1 <= row_no <= EXCEL_MAX_ROWS:
                        raise _outside(self.path, where, f"第 {row_no:,} 行")
                    row_count += 1
                    if row_count > limits.max_rows:
                        raise _too_big(self.path, f"的{where}超过 {limits.max_rows:,} 行", f"{limits.max_rows:,} 行")
                    next_row = row_no + 1
                    present.add(row_no)
                    values: list[Any] = []
                    col = 0
                    for c in el:
                        ctag = c.tag
                        if not (ctag[-2:] == "}c" or ctag == "c"):
                            continue
                        ref = c.get("r")
                        if ref:
                            letters = ref.rstrip("0123456789")
                            index = letters_cache.get(letters)
                            if index is None:
                                m = _CELL_REF.match(ref)
                                index = letters_cache[letters] = column_index(m.group(1)) if m else col
                            col = index
                        if col >= EXCEL_MAX_COLS:
                            raise _outside(self.path, where, f"第 {row_no} 行的第 {col + 1:,} 列")
                        value = _cell_value(c, shared, date_styles, epoch)
                        if value is not None:
                            if col >= len(values):
                                values.extend([None] * (col + 1 - len(values)))
                            values[col] = value
                            if type(value) is str and len(value) > EXCEL_MAX_CELL_CHARS:
                                raise _cell_too_long(self.path, len(value), f"{where}第 {row_no} 行")
                        col += 1
                    if values:
                        rows[row_no] = values
                        if len(values) > max_col:
                            max_col = len(values)
                        cells += len(values)
                        if cells > max_cells:
                            raise DomainError(
                                "xlsx_too_big",
                                f"文件「{display_name(self.path)}」的{where}太大（超过导入的上限 {max_cells:,} 个单元格），"
                                "请拆分成几个文件后分别导入，没有导入任何数据", "sheet")
                elif tag[-9:] == "mergeCell":
                    rng = _parse_range(el.get("ref") or "")
                    if rng:
                        if rng[2] > EXCEL_MAX_ROWS or rng[3] >= EXCEL_MAX_COLS:
                            raise _outside(self.path, where, f"合并单元格「{(el.get('ref') or '')[:30]}」")
                        sheet.merged.append(rng)
                        if len(sheet.merged) > limits.max_merged:
                            raise _too_big(self.path, f"的{where}中合并单元格太多",
                                           f"{limits.max_merged:,} 处合并单元格")
        except ValueError as err:
            raise _unreadable(self.path, f"（{path} 已损坏：{err}）") from None
        sheet.max_row = max(rows, default=0)
        sheet.max_col = max_col
        sheet._present = sorted(present)
        return sheet

    def close(self) -> None:
        self._zip.close()


def _outside(path: Path, where: str, what: str) -> DomainError:
    return DomainError("xlsx_limit", f"文件「{display_name(path)}」的{where}中出现了{what}，超出了 Excel 的范围"
                                     f"（最多 {EXCEL_MAX_ROWS:,} 行、{EXCEL_MAX_COLS:,} 列）。这不像一份正常的表格，"
                                     "请在 Excel 或 WPS 中打开，「另存为」新文件后再试，没有导入任何数据", "file")


def _cell_too_long(path: Path, length: int, where: str = "") -> DomainError:
    return DomainError("xlsx_limit", f"文件「{display_name(path)}」{where}有一个单元格长达 {length:,} 个字符，"
                                     f"超出了 Excel 的上限（每个单元格 {EXCEL_MAX_CELL_CHARS:,} 个字符）。"
                                     "请检查文件后再试，没有导入任何数据", "file")


def _text_of(el) -> str:
    """Text of an <si> or <is> element: plain <t> or rich-text runs <r><t>, never <rPh>."""
    parts: list[str] = []
    for child in el:
        tag = child.tag
        if tag[-2:] == "}t" or tag == "t":
            parts.append(child.text or "")
        elif tag[-2:] == "}r" or tag == "r":
            for t in child:
                if t.tag[-2:] == "}t" or t.tag == "t":
                    parts.append(t.text or "")
    return "".join(parts)


def _is_date_format_id(fmt_id: int, custom: dict[int, str]) -> bool:
    if fmt_id in custom:
        return is_date_format(custom[fmt_id])
    if fmt_id in _CJK_DATE_IDS:
        return True
    builtin = BUILTIN_FORMATS.get(fmt_id)
    return bool(builtin) and is_date_format(builtin)


def _parse_range(ref: str) -> tuple[int, int, int, int] | None:
    m = _RANGE_REF.match(ref.strip())
    if not m:
        return None
    if len(m.group(2)) > 8 or len(m.group(4) or "") > 8:
        return (EXCEL_MAX_ROWS + 1, 0, EXCEL_MAX_ROWS + 1, 0)   # refused by the caller
    c1, r1 = column_index(m.group(1)), int(m.group(2))
    if m.group(3):
        c2, r2 = column_index(m.group(3)), int(m.group(4))
    else:
        c2, r2 = c1, r1
    if r1 > r2:
        r1, r2 = r2, r1
    if c1 > c2:
        c1, c2 = c2, c1
    return (r1, c1, r2, c2)


def _number(text: str) -> int | float | None:
    text = text.strip()
    try:
        if "." in text or "e" in text or "E" in text or "n" in text.lower():
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                return None
            return value
        return int(text)
    except ValueError:
        return None


def _cell_value(c, shared: list[str], date_styles: list[bool], epoch) -> Any:
    kind = c.get("t") or "n"
    v = None
    inline = None
    for child in c:
        tag = child.tag
        if tag[-2:] == "}v" or tag == "v":
            v = child.text
        elif tag[-3:] == "}is" or tag == "is":
            inline = child
    if kind == "inlineStr":
        return _text_of(inline) if inline is not None else None
    if v is None:
        return None
    if kind == "s":
        try:
            return shared[int(v)]
        except (ValueError, IndexError):
            return None
    if kind in ("str", "e"):
        return v
    if kind == "b":
        return v.strip() in ("1", "true")
    if kind == "d":   # ISO 8601 date (strict files)
        try:
            return datetime.fromisoformat(v.strip().rstrip("Z"))
        except ValueError:
            return v
    number = _number(v)
    if number is None:
        return v
    style = c.get("s")
    if style and style.isdigit():
        idx = int(style)
        if idx < len(date_styles) and date_styles[idx]:
            try:
                value = from_excel(number, epoch)
            except (ValueError, OverflowError, TypeError):
                return number
            if value is not None and not isinstance(value, datetime):
                # a time of day alone (serial < 1): keep the number, the field decides
                return number
            return value
    return number


# ------------------------------------------------------------ a small cache

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {}


def load_sheet(path: Path, sheet: str) -> Sheet:
    """The sheet's values; the last one read is kept (the import wizard asks for the
    same sheet several times: detect, headers, preview), keyed by the file's content."""
    book = Book(path)
    try:
        key = f"{book.digest}:{sheet}"
        with _cache_lock:
            hit = _cache.get("key") == key and _cache.get("sheet")
        if hit:
            return hit
        result = book.sheet(sheet)
    finally:
        book.close()
    with _cache_lock:
        _cache.clear()
        _cache.update(key=key, sheet=result)
    return result


def sheet_names(path: Path) -> list[str]:
    book = Book(path)
    try:
        return book.sheet_names
    finally:
        book.close()
