"""The fast .xlsx reader on parts written the way Excel and WPS write them (shared
strings with rich text and phonetic runs, date number formats including the CJK
built-ins, the 1904 date system, cells without references, the strict namespace),
which openpyxl-made fixtures do not exercise."""
from __future__ import annotations

import zipfile
from datetime import datetime

import pytest

from carecenter.domain.errors import DomainError
from carecenter.exchange import xlsx_reader

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def book(path, sheet_xml: str, *, ns=MAIN, date1904=False, extra_sheet=False):
    wb_pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    sheets = f'<sheet name="花名册" sheetId="1" r:id="rId1"/>'
    rels = (f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId9" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId8" Type="{REL}/sharedStrings" Target="/xl/sharedStrings.xml"/>')
    if extra_sheet:
        sheets += '<sheet name="图表" sheetId="2" r:id="rId2"/>'
        rels += f'<Relationship Id="rId2" Type="{REL}/chartsheet" Target="chartsheets/sheet1.xml"/>'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}" xmlns:r="{REL}">{wb_pr}<sheets>{sheets}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
                   "</Relationships>")
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{ns}">'
                   "<si><t>姓名</t></si>"
                   "<si><r><rPr><b/></rPr><t>身份证</t></r><r><t>号码</t></r></si>"
                   "<si><t>王伟</t><rPh sb=\"0\" eb=\"2\"><t>ワンウェイ</t></rPh></si>"
                   '<si><t xml:space="preserve"> 城关镇 </t></si>'
                   "</sst>")
        z.writestr("xl/styles.xml", f'<styleSheet xmlns="{ns}"><numFmts count="1">'
                   '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts>'
                   "<cellStyleXfs><xf numFmtId=\"0\"/></cellStyleXfs>"
                   '<cellXfs><xf numFmtId="0"/><xf numFmtId="176"/><xf numFmtId="31"/><xf numFmtId="14"/>'
                   '<xf numFmtId="49"/></cellXfs></styleSheet>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if extra_sheet:
            z.writestr("xl/chartsheets/sheet1.xml", "<chartsheet/>")
    return path


SHEET = f"""<worksheet xmlns="{MAIN}"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>
<row r="2" spans="1:13"/>
<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v>3</v></c><c r="C3" s="4"><v>33032819900315011</v></c>
  <c r="D3" s="1"><v>31107</v></c><c r="E3" s="2"><v>31107</v></c><c r="F3" s="3"><v>45000.5</v></c>
  <c r="G3" t="b"><v>1</v></c><c r="H3" t="e"><v>#N/A</v></c><c r="I3" t="str"><f>A3</f><v>王伟</v></c>
  <c r="J3" t="inlineStr"><is><r><t>1985</t></r><r><t>.03</t></r></is></c><c r="K3"><v>1985.03</v></c>
  <c r="L3"><f>1+1</f></c><c r="M3"><v>1.5E3</v></c></row>
<row><c t="s"><v>0</v></c><c><v>7</v></c><c r="E4"><v>9</v></c><c><v>10</v></c></row>
</sheetData><mergeCells count="2"><mergeCell ref="A1:B1"/><mergeCell ref="C1:C2"/></mergeCells></worksheet>"""


def test_values_as_excel_and_wps_write_them(tmp_path):
    path = book(tmp_path / "a.xlsx", SHEET)
    assert xlsx_reader.sheet_names(path) == ["花名册"]
    sheet = xlsx_reader.load_sheet(path, "花名册")
    assert sheet.raw(1, 0) == "姓名" and sheet.raw(1, 2) == "身份证号码"     # rich text joined
    assert sheet.raw(3, 0) == "王伟"                                          # phonetic run left out
    assert sheet.raw(3, 1) == " 城关镇 "
    assert sheet.raw(3, 2) == 33032819900315011
    assert sheet.raw(3, 3) == datetime(1985, 3, 1)                           # custom 年月 format
    assert sheet.raw(3, 4) == datetime(1985, 3, 1)                           # CJK built-in 31
    assert sheet.raw(3, 5) == datetime(2023, 3, 15, 12, 0)
    assert sheet.raw(3, 6) is True and sheet.raw(3, 7) == "#N/A" and sheet.raw(3, 8) == "王伟"
    assert sheet.raw(3, 9) == "1985.03" and sheet.raw(3, 10) == 1985.03
    assert sheet.raw(3, 11) is None and sheet.raw(3, 12) == 1500.0
    # a row and cells without references follow on from the previous ones
    assert [sheet.raw(4, c) for c in range(6)] == ["姓名", 7, None, None, 9, 10]
    # merged cells show the top-left value
    assert sheet.merged == [(1, 0, 1, 1), (1, 2, 2, 2)]
    assert sheet.value(1, 1) == "姓名" and sheet.value(2, 2) == "身份证号码" and sheet.value(2, 1) is None
    assert (sheet.max_row, sheet.max_col) == (4, 13)


def test_1904_dates_strict_namespace_and_chart_sheets(tmp_path):
    strict = SHEET.replace(MAIN, STRICT)
    path = book(tmp_path / "b.xlsx", strict, ns=STRICT, date1904=True, extra_sheet=True)
    assert xlsx_reader.sheet_names(path) == ["花名册"]                       # the chart sheet is not offered
    sheet = xlsx_reader.load_sheet(path, "花名册")
    assert sheet.raw(3, 3) == datetime(1989, 3, 2)                           # 1904 system: 1462 days later
    assert sheet.raw(1, 2) == "身份证号码"


def test_damaged_parts_are_reported_in_chinese(tmp_path):
    path = book(tmp_path / "c.xlsx", SHEET.replace("</sheetData>", ""))
    with pytest.raises(DomainError) as exc:
        xlsx_reader.load_sheet(path, "花名册")
    assert "已损坏" in exc.value.message
    with pytest.raises(DomainError) as exc:
        xlsx_reader.load_sheet(book(tmp_path / "d.xlsx", SHEET), "别的表")
    assert "别的表" in exc.value.message


def test_column_letters():
    for index, letters in [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]:
        assert xlsx_reader.column_letter(index) == letters
        assert xlsx_reader.column_index(letters) == index
