"""One stylesheet for every document (GB/T 9704 spirit): 宋体 title centred, 黑体
headings, 仿宋 running text, 宋体 tables with a shaded, repeated header row.

Sizes follow the Chinese type scale: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt,
五号 10.5 pt, 小五 9 pt.  Built once per font set and reused (batch printing).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, KeepTogether, LongTable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as _paragraph

from . import fonts
from ..services.print_format import text as markup

# 标点禁则: Chinese full-width punctuation never starts a line.  ReportLab's CJK line
# breakers (one in each module) know the Japanese set only; the set is a module
# global read at wrap time, so the Chinese marks are added to it once.
_CJK_NO_START = "，。、；：！？）》」』】〕”’…"
for _module in (_paragraph, _textsplit):
    _module.ALL_CANNOT_START += "".join(ch for ch in _CJK_NO_START if ch not in _module.ALL_CANNOT_START)

GRID = colors.HexColor("#404040")
HEADER_BG = colors.HexColor("#E6E6E6")
LABEL_BG = colors.HexColor("#F2F2F2")
SUBTOTAL_BG = colors.HexColor("#F7F7F7")
NOTICE = colors.HexColor("#9C2A1F")   # the confidential banner's frame
MIN_SIZE = 9          # points: no printed text is smaller (long cells wrap instead)


@dataclass(frozen=True)
class Styles:
    fonts: fonts.FontSet
    title: ParagraphStyle
    subtitle: ParagraphStyle
    info: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    empty: ParagraphStyle
    notice: ParagraphStyle
    cell: ParagraphStyle
    cell_small: ParagraphStyle
    cell_center: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    sign: ParagraphStyle


@lru_cache(maxsize=4)
def _build(fs: fonts.FontSet) -> Styles:
    base = ParagraphStyle("base", fontName=fs.song, fontSize=10.5, leading=15, wordWrap="CJK",
                          alignment=TA_LEFT)
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=12)
    return Styles(
        fonts=fs,
        title=ParagraphStyle("title", parent=base, fontName=fs.song, fontSize=22, leading=30,
                             alignment=TA_CENTER, spaceAfter=4),
        subtitle=ParagraphStyle("subtitle", parent=base, fontName=fs.fang, fontSize=14, leading=20,
                                alignment=TA_CENTER, spaceAfter=8),
        info=ParagraphStyle("info", parent=base, fontName=fs.fang, fontSize=11, leading=16, spaceAfter=4),
        heading=ParagraphStyle("heading", parent=base, fontName=fs.hei, fontSize=14, leading=20,
                               spaceBefore=10, spaceAfter=5),
        subheading=ParagraphStyle("subheading", parent=base, fontName=fs.hei, fontSize=11, leading=16,
                                  spaceBefore=6, spaceAfter=3),
        body=ParagraphStyle("body", parent=base, fontName=fs.fang, fontSize=12, leading=20,
                            alignment=TA_JUSTIFY, firstLineIndent=24),
        empty=ParagraphStyle("empty", parent=base, fontName=fs.fang, fontSize=11, leading=16,
                             textColor=colors.HexColor("#333333")),
        notice=ParagraphStyle("notice", parent=base, fontName=fs.hei, fontSize=10.5, leading=16,
                              textColor=NOTICE, borderColor=NOTICE, borderWidth=0.8, borderPadding=5,
                              spaceBefore=4, spaceAfter=10),
        cell=cell,
        # long register text (发放依据, 原因) wraps at the register size instead of shrinking
        cell_small=ParagraphStyle("cell_small", parent=cell, fontSize=MIN_SIZE, leading=12),
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        head=ParagraphStyle("head", parent=cell, fontName=fs.hei, alignment=TA_CENTER),
        sign=ParagraphStyle("sign", parent=base, fontName=fs.fang, fontSize=12, leading=22, spaceBefore=14),
    )


def styles() -> Styles:
    """The stylesheet for the registered fonts (registers them on first use)."""
    return _build(fonts.register())


def heading(st: Styles, text: str) -> list:
    """A section heading that never sits alone at the foot of a page.  (``keepWithNext``
    would move a long table whole to the next page and leave a blank one behind.)"""
    return [CondPageBreak(32 * mm), Paragraph(markup(text), st.heading)]


def subheading(st: Styles, text: str) -> list:
    return [CondPageBreak(24 * mm), Paragraph(markup(text), st.subheading)]


CELL_PAD = 3          # left/right padding of table cells (points)
CELL_SIZE = 9


class Plain(str):
    """A cell kept as one unwrapped line whatever its width (spanned total rows)."""


def fit(st: Styles, value: str, width: float, style: ParagraphStyle | None = None):
    """A table cell: the plain string when it fits on one line (cheap to lay out),
    else a wrapping Paragraph."""
    value = value or ""
    if "\n" not in value and stringWidth(value, st.fonts.song, CELL_SIZE) <= width - 2 * CELL_PAD - 0.5:
        return value
    return Paragraph(markup(value), style or st.cell)


LONG_TEXT = 240             # characters: only cells this long can outgrow a page
ROW_LIMIT = 200             # points: taller text continues in the rows below (a table row cannot break)


def _split_tall(cells: list, columns: list[int], widths: list[float]) -> list[list]:
    """One row, or several when a long text cell would be taller than ``ROW_LIMIT``: the
    text continues in the same column of extra rows (the other cells left empty), so
    even a very long note breaks across pages instead of stopping the document."""
    pieces: dict[int, list] = {}
    for col in columns:
        para = cells[col]
        if not isinstance(para, Paragraph):
            continue
        inner = widths[col] - 2 * CELL_PAD
        _w, h = para.wrap(inner, 1e6)
        if h <= ROW_LIMIT:
            continue
        parts, rest = [], para
        while True:
            _w, h = rest.wrap(inner, 1e6)
            if h <= ROW_LIMIT:
                parts.append(rest)
                break
            split = rest.split(inner, ROW_LIMIT)
            if len(split) < 2:
                parts.append(rest)
                break
            parts.append(split[0])
            rest = split[1]
        pieces[col] = parts
    if not pieces:
        return [cells]
    rows = []
    for k in range(max(len(p) for p in pieces.values())):
        row = list(cells) if k == 0 else [""] * len(cells)
        for col, parts in pieces.items():
            row[col] = parts[k] if k < len(parts) else ""
        rows.append(row)
    return rows


def table(st: Styles, header: list[str], rows: list[list], widths: list[float], *,
          align: dict[int, str] | None = None, extra: list[tuple] | None = None) -> LongTable:
    """A data table: shaded header row repeated on every page, thin grid, 宋体 9 pt cells.

    String cells stay plain strings when they fit on one line and become wrapping
    Paragraphs otherwise (``fit``); other flowables are used as they are.
    ``align``: {column: "CENTER" | "RIGHT"} (default left)."""
    align = align or {}
    cell_style = {col: st.cell_center if how == "CENTER" else st.cell_right for col, how in align.items()}
    body = []
    for row in rows:
        cells = [fit(st, v, widths[i], cell_style.get(i)) if isinstance(v, str) and not isinstance(v, Plain) else v
                 for i, v in enumerate(row)]
        long = [i for i, v in enumerate(row) if isinstance(v, str) and len(v) > LONG_TEXT]
        body += _split_tall(cells, long, widths) if long else [cells]
    data = [[Paragraph(h, st.head) for h in header]] + body
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), st.fonts.song, CELL_SIZE, 12),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]
    for col, how in align.items():
        cmds.append(("ALIGN", (col, 1), (col, -1), how))
    cmds += extra or []
    t = LongTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    t.setStyle(TableStyle(cmds))
    return t


def info_line(st: Styles, *parts: str) -> Paragraph:
    """The line under a register's title: parts spaced apart (plain spaces would collapse)."""
    gap = "\u00a0" * 8
    return Paragraph(gap.join(markup(p) for p in parts), st.info)


def signatures(st: Styles, width: float, roles: tuple[str, ...], *, seal: bool = True,
               before: list | None = None) -> KeepTogether:
    """The signature block: one blank line per role (经办人 / 审核人 / 负责人), then the
    seal and date line, kept together at the end of a document."""
    label = 20 * mm
    gap = 8 * mm
    blank = (width - len(roles) * (label + gap)) / len(roles)
    row: list[str] = []
    widths: list[float] = []
    cmds = [("FONT", (0, 0), (-1, -1), st.fonts.fang, 12, 16), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]
    for i, role in enumerate(roles):   # label, the line to sign on, a gap
        row += [f"{role}：", "", ""]
        widths += [label, blank, gap]
        cmds += [("ALIGN", (3 * i, 0), (3 * i, 0), "RIGHT"), ("LINEBELOW", (3 * i + 1, 0), (3 * i + 1, 0), 0.5, GRID)]
    t = Table([row], colWidths=widths, rowHeights=[10 * mm], hAlign="LEFT")
    t.setStyle(TableStyle(cmds))
    parts: list = list(before or []) + [Spacer(1, 8 * mm), t]
    if seal:
        date_line = Table([["（单位盖章）", "年　　月　　日"]], colWidths=[width * 0.55, width * 0.45],
                          rowHeights=[12 * mm], hAlign="LEFT")
        date_line.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), st.fonts.fang, 12, 16),
                                       ("ALIGN", (0, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
        parts.append(date_line)
    return KeepTogether(parts)
