"""The county's 汇总表 layout (reports/registers.county) from hand-built figures, read back with
pdfium: every township of twenty has its rows, the 合计 and the money totals in 大写, on A4
landscape with the fonts embedded."""
from __future__ import annotations

from datetime import datetime

import pypdfium2

from carecenter.domain.money import format_yuan, to_capital
from carecenter.reports import registers
from carecenter.services.print_data import CountyRegisterData, Furniture
from tests import county_samples

from .pdfcheck import assert_fonts_embedded, reader, squash

FURNITURE = Furniture("7KQ2-9XMD", "某某县公务员关心关爱中心", datetime(2026, 12, 2, 10, 0))


def pdf_text(pdf: bytes) -> str:
    """Every page's text as pdfium reads it, without whitespace."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return squash("".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))))
    finally:
        doc.close()


def register(n_extra: int = 0) -> tuple[bytes, int, object]:
    s = county_samples.summary(n_extra)
    data = CountyRegisterData(s.period, "全部单位", "某某县", s.townships, s.total)
    pdf, pages = registers.pdf("county", data, FURNITURE, title="乡镇公务员关心关爱工作汇总表（2026年度）")
    return pdf, pages, s


def test_the_register_lists_every_township_the_totals_and_the_amounts_in_words():
    pdf, pages, s = register()
    body = pdf_text(pdf)
    assert len(reader(pdf).pages) == pages
    for phrase in ("乡镇公务员关心关爱工作汇总表", "（2026年度）", "汇总单位：某某县", "报送乡镇：2个", "青岭镇", "石门乡",
                   "2026-10-31", "合计", "85.0%", "48.0%", "70.8%", "401.5", "521.5", "15（75.0%）", "经办人", "审核人",
                   "负责人", "核验码：7KQ2-9XMD"):
        assert phrase in body, phrase
    allowance = s.total.allowance_total_fen
    assert allowance == 93_864_100 and to_capital(allowance) == "玖拾叁万捌仟陆佰肆拾壹元整"
    assert f"津贴补贴发放合计（小写）：￥{format_yuan(allowance)}，（大写）：人民币{to_capital(allowance)}" in body
    spent = sum(f.spent_fen for f in s.total.welfare_by_fund)
    assert f"慰问经费支出合计（小写）：￥{format_yuan(spent)}，（大写）：人民币{to_capital(spent)}" in body
    assert_fonts_embedded(pdf)
    width, height = reader(pdf).pages[0].mediabox.upper_right
    assert float(width) > float(height)     # A4 landscape


def test_twenty_townships_each_have_their_rows():
    pdf, pages, s = register(n_extra=18)
    body = pdf_text(pdf)
    assert len(s.townships) == 20
    for t in s.townships:
        assert body.count(t.name) >= 4, t.name    # the figures, both half-years of allowances, the funds
    assert f"第1页共{pages}页" in body
