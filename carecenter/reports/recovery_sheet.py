"""恢复密钥 sheet (issue 11): one A4 page to print at set-up and hand to the unit's 保密员.

It shows the recovery key in large monospaced groups, the printing unit, the date,
where the database is, what the key is for and how to keep it.  Plain values in,
a PDF out; the key is never written anywhere else by this module.  The monospaced
face is WenQuanYi Micro Hei Mono, the second face of the bundled font collection,
so the sheet embeds every glyph it uses like every other document.
"""
from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph
from reportlab.lib.styles import ParagraphStyle

from ..paths import resource_path
from . import fonts
from .templates import CREATOR, cn_date

TITLE = "恢复密钥"
MONO = "CareMono"
KEEPER = "请打印后交单位保密员保管"
PURPOSE = ("本数据库已加密，数据只能用账户密码或本恢复密钥打开。当所有系统管理员的密码都遗失时，"
           "系统管理员可在登录窗口选择用恢复密钥重新设置密码；换到新电脑恢复备份、又没有任何账户密码时，"
           "也要用它。")
RULES = (
    "恢复密钥与数据同等重要：任何人拿到它和数据库（或备份），就能读到全部干部信息。",
    "只保存纸质件，放入保密柜；不要拍照，不要存到电脑、U 盘、网盘或聊天软件里。",
    "不要与数据库备份（U 盘、移动硬盘）放在一起。",
    "重新设置恢复密钥后，本页即作废，请按涉密载体销毁。",
)

_lock = threading.Lock()


def register_mono() -> str:
    """The monospaced face (once per process)."""
    with _lock:
        if MONO not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(MONO, str(resource_path(*fonts.BUNDLED_HEI)), subfontIndex=1))
    return MONO


def key_lines(recovery_key: str, per_line: int = 4) -> list[str]:
    """The key's groups, ``per_line`` to a line, two spaces apart."""
    groups = [g for g in recovery_key.split("-") if g]
    return ["  ".join(groups[i:i + per_line]) for i in range(0, len(groups), per_line)]


def write(target, recovery_key: str, *, database: Path | str, unit_name: str = "",
          created: date | None = None) -> None:
    """Write the sheet to ``target`` (a path or a binary file object)."""
    fs = fonts.register()
    mono = register_mono()
    created = created or date.today()
    width, height = A4
    left = 25 * mm
    text_w = width - 2 * left
    c = Canvas(target if not isinstance(target, Path) else str(target), pagesize=A4, initialFontName=fs.song,
               initialFontSize=10.5, pageCompression=1)
    c.setTitle(TITLE)
    c.setCreator(CREATOR)
    c.setSubject(KEEPER)

    y = height - 30 * mm
    if unit_name:
        c.setFont(fs.song, 14)
        c.drawCentredString(width / 2, y, unit_name)
        y -= 14 * mm
    c.setFont(fs.hei, 26)
    c.drawCentredString(width / 2, y, "关心关爱中心" + TITLE)
    y -= 12 * mm
    c.setFillColor(colors.HexColor("#9C2A1F"))
    c.setFont(fs.hei, 16)
    c.drawCentredString(width / 2, y, KEEPER)
    c.setFillColor(colors.black)
    y -= 12 * mm

    # the key: a framed box, large monospaced groups
    lines = key_lines(recovery_key)
    size = 24
    box_h = (len(lines) * 14 + 10) * mm
    c.setStrokeColor(colors.HexColor("#404040"))
    c.setLineWidth(1.2)
    c.rect(left, y - box_h, text_w, box_h)
    ly = y - 12 * mm
    c.setFont(mono, size)
    for line in lines:
        c.drawCentredString(width / 2, ly - size * 0.35, line)
        ly -= 14 * mm
    y -= box_h + 4 * mm
    c.setFont(fs.song, 9)
    c.drawCentredString(width / 2, y, "共 7 组、每组 4 个字符（数字和字母，没有 I、L、O、U）；输入时不分大小写，可省略短横线")
    y -= 12 * mm

    body = ParagraphStyle("body", fontName=fs.song, fontSize=11, leading=17, wordWrap="CJK")
    label = ParagraphStyle("label", parent=body, fontName=fs.hei, spaceBefore=8, spaceAfter=2)
    story = [
        Paragraph(f"生成日期：{cn_date(created)}", body),
        Paragraph(f"数据库位置：{_escape(str(database))}", body),
        Paragraph("用途", label),
        Paragraph(PURPOSE, body),
        Paragraph("保管要求", label),
        *[Paragraph(f"{i}．{rule}", body) for i, rule in enumerate(RULES, 1)],
    ]
    frame = Frame(left, 60 * mm, text_w, y - 60 * mm, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, showBoundary=0)
    frame.addFromList(story, c)
    if story:   # pragma: no cover - the text is fixed and fits; never cut it silently
        raise RuntimeError("recovery sheet text does not fit on one page")

    c.setFont(fs.song, 11)
    for i, what in enumerate(("交付人（系统管理员）签字：", "保管人（保密员）签字：")):
        yy = 42 * mm - i * 14 * mm
        c.drawString(left, yy, what)
        c.line(left + 52 * mm, yy - 1 * mm, left + 100 * mm, yy - 1 * mm)
        c.drawString(left + 105 * mm, yy, "日期：")
        c.line(left + 117 * mm, yy - 1 * mm, width - left, yy - 1 * mm)
    c.showPage()
    c.save()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_bytes(recovery_key: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    write(buf, recovery_key, **kwargs)
    return buf.getvalue()
