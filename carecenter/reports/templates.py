"""Page templates: A4 portrait or landscape, GB/T 9704-like margins, and the footer
(printing unit, date, 第 x 页 共 y 页, the verification code and, on care records,
内部资料 注意保密).

"共 y 页" needs the page count before a page is written.  ``PagedCanvas`` holds
the finished pages of the current *group* (one document: a care record, a
register) and writes them, footer and all, once the group is complete, so one
PDF can hold many care records each numbered 1…y on its own (batch printing)
in a single layout pass.  A ``GroupStart`` flowable at the top of a group's
first page tells the canvas which document the following pages belong to.
"""
from __future__ import annotations

import io
from functools import partial
from typing import Any, Hashable

from reportlab.lib.pagesizes import A4, landscape as to_landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from ..services.print_data import Furniture
from .styles import GRID, styles

PORTRAIT_MARGINS = (28 * mm, 22 * mm, 26 * mm, 24 * mm)   # left, top, right, bottom (binding edge left)
LANDSCAPE_MARGINS = (22 * mm, 20 * mm, 18 * mm, 22 * mm)
CONFIDENTIAL_MARK = "内部资料 注意保密"
CREATOR = "关心关爱中心"


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class GroupStart(Flowable):
    """Zero-size marker: the pages from here on belong to document ``key``."""

    def __init__(self, key: Hashable):
        super().__init__()
        self.key = key

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        self.canv.start_group(self.key)


class PagedCanvas(Canvas):
    """A canvas that writes each group's pages only when the group is complete,
    with "第 x 页 共 y 页" and the group's footer (see the module doc)."""

    def __init__(self, *args, furniture: dict[Hashable, Furniture], counts: dict[Hashable, int],
                 margins: tuple[float, float, float, float], **kwargs):
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._counts = counts
        self._margins = margins
        self._group: Hashable = None
        self._pending: list[tuple[dict[str, Any], Hashable]] = []

    _OWN = frozenset(("_furniture", "_counts", "_margins", "_group", "_pending"))

    def start_group(self, key: Hashable) -> None:
        self._group = key

    def _snapshot(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in self._OWN}

    def showPage(self):
        state = self._snapshot()
        if self._pending and self._pending[-1][1] != self._group:
            self._flush()
            self.__dict__.update(state)
        self._pending.append((state, self._group))
        self._startPage()

    def save(self):
        self._flush()
        super().save()

    def _flush(self) -> None:
        pages = self._pending
        self._pending = []
        total = len(pages)
        for number, (state, group) in enumerate(pages, 1):
            self.__dict__.update(state)
            self._footer(group, number, total)
            Canvas.showPage(self)
        if pages:
            group = pages[-1][1]
            self._counts[group] = self._counts.get(group, 0) + total

    def _footer(self, group: Hashable, number: int, total: int) -> None:
        info = self._furniture.get(group)
        if info is None:
            return
        st = styles()
        width, _height = self._pagesize
        left, _top, right, bottom = self._margins
        x0, x1 = left, width - right
        y_rule = bottom - 4 * mm
        y1 = y_rule - 4.5 * mm
        y2 = y1 - 4.8 * mm
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(x0, y_rule, x1, y_rule)
        font = st.fonts.song
        page_text = f"第 {number} 页 共 {total} 页"
        self.setFont(font, 10)
        self.drawRightString(x1, y1, page_text)
        # the unit's name takes what the page number leaves, smaller type if it must
        room = (x1 - x0) - stringWidth(page_text, font, 10) - 6 * mm
        unit = f"打印单位：{info.unit_name}"
        size = 9.0
        while size > 6 and stringWidth(unit, font, size) > room:
            size -= 0.5
        while stringWidth(unit, font, size) > room and len(unit) > 6:
            unit = unit[:-2] + "…"
        self.setFont(font, size)
        self.drawString(x0, y1, unit)
        self.setFont(font, 9)
        self.drawString(x0, y2, f"打印日期：{cn_date(info.printed_at)}")
        self.drawRightString(x1, y2, f"核验码：{info.code}")
        if info.confidential:
            self.setFont(st.fonts.hei, 9)
            self.drawCentredString((x0 + x1) / 2, y2, CONFIDENTIAL_MARK)
        self.restoreState()


class OfficialDoc(BaseDocTemplate):
    def __init__(self, buffer, *, wide: bool, **kwargs):
        size = to_landscape(A4) if wide else A4
        left, top, right, bottom = LANDSCAPE_MARGINS if wide else PORTRAIT_MARGINS
        # the canvas's initial font is our embedded face, never an unembedded standard font
        super().__init__(buffer, pagesize=size, leftMargin=left, rightMargin=right, topMargin=top,
                         bottomMargin=bottom, creator=CREATOR, initialFontName=styles().fonts.song,
                         initialFontSize=10, initialLeading=12, **kwargs)
        frame = Frame(left, bottom, size[0] - left - right, size[1] - top - bottom, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=size)])
        self.margins = (left, top, right, bottom)


def text_width(wide: bool) -> float:
    size = to_landscape(A4) if wide else A4
    left, _top, right, _bottom = LANDSCAPE_MARGINS if wide else PORTRAIT_MARGINS
    return size[0] - left - right


def pdf_encryption(password: str):
    """reportlab's standard security handler for a password-protected PDF (issue 11):
    the password is needed to open the file; a random owner password, never shown,
    keeps printing allowed and editing and copying off.  128-bit (security handler
    revision 3): reportlab's AES-256 path needs the unmaintained ``pyaes`` and writes
    a key entry (/UE) that pypdf cannot read, so it is not used."""
    import secrets

    from reportlab.lib.pdfencrypt import StandardEncryption

    return StandardEncryption(password, secrets.token_urlsafe(24), canPrint=1, canModify=0, canCopy=0,
                              canAnnotate=0, strength=128)


def render(story: list, furniture: dict[Hashable, Furniture], *, wide: bool = False, title: str = "",
           author: str = "", subject: str = "", target=None, password: str | None = None) -> dict[Hashable, int]:
    """Lay out ``story`` into ``target`` (a path or a binary file object); return the
    page count of each group.  Each group's first flowable must be its ``GroupStart``.
    With ``password`` the PDF is encrypted and opens only with it."""
    counts: dict[Hashable, int] = {}
    extra = {"encrypt": pdf_encryption(password)} if password else {}
    doc = OfficialDoc(target, wide=wide, title=title, author=author, subject=subject, **extra)
    maker = partial(PagedCanvas, furniture=furniture, counts=counts, margins=doc.margins)
    doc.build(story, canvasmaker=maker)
    return counts


def render_bytes(story: list, furniture: dict[Hashable, Furniture], **kwargs) -> tuple[bytes, dict[Hashable, int]]:
    buf = io.BytesIO()
    counts = render(story, furniture, target=buf, **kwargs)
    return buf.getvalue(), counts
