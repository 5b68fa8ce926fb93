"""Hostile workbooks (issue 12): each is built here with zipfile and read in a child
process whose address space is limited to 500 MB (``resource.setrlimit``); it must
be read or refused with a Chinese message naming the limit and the file, never
crash, run out of memory or hang."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecenter.domain.errors import DomainError
from carecenter.exchange import xlsx_reader

resource = pytest.importorskip("resource")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MEMORY = 500 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]

#: read the sheet as the import does without a database: sheet names, load, header
#: detection, every data row with merged cells resolved
CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
from carecenter.domain.errors import DomainError
from carecenter.exchange import importer, xlsx_reader
path = sys.argv[1]
try:
    names = importer.sheet_names(path)
    sheet = xlsx_reader.load_sheet(path, names[0])
    mapping = importer.detect(path, names[0], "roster")
    rows, skipped = importer._data_rows(sheet, "roster", mapping)
    for r in sheet.row_numbers()[:50]:
        [sheet.value(r, c) for c in range(min(sheet.max_col, 64))]
    print(json.dumps({{"ok": True, "rows": len(rows), "max_row": sheet.max_row, "max_col": sheet.max_col}}))
except DomainError as err:
    print(json.dumps({{"ok": False, "message": err.message}}, ensure_ascii=False))
"""


def read_in_child(path: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD.format(memory=MEMORY), str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    # for the record (timings are never asserted): CARECENTER_LIMITS_LOG=file collects them
    log = os.environ.get("CARECENTER_LIMITS_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path.name}\t{path.stat().st_size}\t{time.perf_counter() - started:.2f}s\n")
    return got


def book(path: Path, sheet_xml: bytes | str | None = None, *, shared: bytes | str | None = None,
         sheet_writer=None, shared_writer=None, level: int = 6) -> Path:
    """A minimal workbook; the sheet or shared strings may be streamed by a writer(fh)."""
    def put(z, name, data, writer):
        if writer is not None:
            with z.open(name, "w", force_zip64=True) as fh:
                writer(fh)
        else:
            z.writestr(name, data)

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                                      '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   "</Relationships>")
        put(z, "xl/sharedStrings.xml", shared if shared is not None else
            f'<sst xmlns="{MAIN}"><si><t>姓名</t></si><si><t>身份证号</t></si><si><t>王伟</t></si></sst>',
            shared_writer)
        put(z, "xl/worksheets/sheet1.xml", sheet_xml, sheet_writer)
    for info in zipfile.ZipFile(path).infolist():
        assert info.compress_size < 3 * 1024 * 1024
    return path


HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'
HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def sheet(rows: str, tail: str = "") -> str:
    return HEAD + HEADER_ROW + rows + "</sheetData>" + tail + "</worksheet>"


def test_a_merged_range_to_the_last_row_and_column_costs_only_the_rows_the_sheet_has(tmp_path):
    path = book(tmp_path / "merged.xlsx", sheet(
        '<row r="3"><c r="A3" t="s"><v>2</v></c></row>'
        '<row r="1048575"><c r="XFD1048575"><v>1</v></c></row>',
        '<mergeCells count="1"><mergeCell ref="A3:XFD1048575"/></mergeCells>'))
    assert path.stat().st_size < 2 * 1024 * 1024
    got = read_in_child(path)
    assert got["ok"], got
    assert got["max_row"] == 1048575 and got["max_col"] == 16384
    # in the parent too: the covered cells that exist show the range's value, no more
    sh = xlsx_reader.load_sheet(path, "名册")
    assert sh.value(1048575, 0) == "王伟" and sh.value(2, 5) is None
    assert len(sh.anchors()) == 2 * 16384 - 1


def test_a_row_number_beyond_excel_is_refused(tmp_path):
    path = book(tmp_path / "row.xlsx", sheet('<row r="2000000000"><c><v>1</v></c></row>'))
    got = read_in_child(path)
    assert not got["ok"]
    assert "row.xlsx" in got["message"] and "1,048,576 行" in got["message"] and "超出了 Excel 的范围" in got["message"]


def test_a_column_beyond_excel_is_refused(tmp_path):
    path = book(tmp_path / "col.xlsx", sheet('<row r="2"><c r="ZZZ2"><v>1</v></c></row>'))
    got = read_in_child(path)
    assert not got["ok"] and "16,384 列" in got["message"]


def test_a_huge_shared_string_is_refused_from_the_zip_directory(tmp_path):
    def writer(fh):
        fh.write(f'<sst xmlns="{MAIN}"><si><t>'.encode())
        block = b"a" * (1024 * 1024)
        for _ in range(600):
            fh.write(block)
        fh.write(b"</t></si></sst>")

    path = book(tmp_path / "strings.xlsx", sheet(""), shared_writer=writer, level=9)
    assert path.stat().st_size < 2 * 1024 * 1024
    got = read_in_child(path)
    assert not got["ok"]
    assert "共享字符串" in got["message"] and "64 MB" in got["message"] and "strings.xlsx" in got["message"]


def test_one_enormous_text_is_refused_before_the_parser_holds_it(tmp_path):
    text = "甲" * (2 * 1024 * 1024)
    path = book(tmp_path / "cell.xlsx", sheet(f'<row r="2"><c t="inlineStr"><is><t>{text}</t></is></c></row>'))
    got = read_in_child(path)
    assert not got["ok"] and "1 MB" in got["message"] and "32,767 个字符" in got["message"]


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path):
    path = book(tmp_path / "long.xlsx", sheet(""), shared=f'<sst xmlns="{MAIN}"><si><t>{"x" * 40000}</t></si></sst>')
    got = read_in_child(path)
    assert not got["ok"] and "40,000 个字符" in got["message"]


def test_a_zip_bomb_sheet_is_refused_before_it_is_decompressed(tmp_path):
    row = b'<row><c t="s"><v>2</v></c><c><v>1</v></c></row>'

    def writer(fh):
        fh.write((HEAD + HEADER_ROW).encode())
        block = row * (1024 * 1024 // len(row))
        for _ in range(300):
            fh.write(block)
        fh.write(b"</sheetData></worksheet>")

    path = book(tmp_path / "bomb.xlsx", sheet_writer=writer, level=9)
    assert path.stat().st_size < 2 * 1024 * 1024
    got = read_in_child(path)
    assert not got["ok"] and "解压后有" in got["message"] and "256 MB" in got["message"]


def repeated_rows(tmp_path, name: str, row: bytes, times: int) -> dict:
    """What the importer's child process says of a sheet of ``row`` written ``times`` times."""
    def writer(fh):
        fh.write((HEAD + HEADER_ROW).encode())
        fh.write(row * times)
        fh.write(b"</sheetData></worksheet>")

    return read_in_child(book(tmp_path / name, sheet_writer=writer, level=9))


def test_too_many_rows_are_refused(tmp_path):
    got = repeated_rows(tmp_path, "rows.xlsx", b'<row><c><v>1</v></c></row>', 1_100_000)
    assert not got["ok"] and "超过 200,000 行" in got["message"]


def test_too_many_cells_are_refused(tmp_path):
    row = "<row>" + "<c><v>1</v></c>" * 1000 + "</row>"
    got = repeated_rows(tmp_path, "cells.xlsx", row.encode(), 700)
    assert not got["ok"] and "600,000 个单元格" in got["message"]


def test_too_many_tags_are_refused(tmp_path):
    row = "<row><c><v>1</v>" + "<x/>" * 100_000 + "</c></row>"
    got = repeated_rows(tmp_path, "tags.xlsx", row.encode(), 100)
    assert not got["ok"] and "3,500,000 个 XML 标记" in got["message"]


def test_millions_of_elements_in_one_row_are_refused(tmp_path):
    def writer(fh):
        fh.write((HEAD + HEADER_ROW + '<row r="2">').encode())
        fh.write(b'<c r="A2"/>' * 20_000_000)
        fh.write(b"</row></sheetData></worksheet>")

    got = read_in_child(book(tmp_path / "elements.xlsx", sheet_writer=writer, level=9))
    assert not got["ok"] and "元素太多" in got["message"]


def test_deep_nesting_is_refused(tmp_path):
    def writer(fh):
        fh.write((HEAD + HEADER_ROW).encode())
        fh.write(b"<x>" * 5_000_000)
        fh.write(b"</x>" * 5_000_000)
        fh.write(b"</sheetData></worksheet>")

    got = read_in_child(book(tmp_path / "deep.xlsx", sheet_writer=writer, level=9))
    assert not got["ok"] and "嵌套太深" in got["message"]


def test_entity_expansion_is_refused(tmp_path):
    lol = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>"
    xml = lol + sheet('<row r="2"><c t="inlineStr"><is><t>&j;</t></is></c></row>')
    got = read_in_child(book(tmp_path / "lol.xlsx", xml))
    assert not got["ok"] and "lol.xlsx" in got["message"]


def test_many_merged_ranges_are_refused(tmp_path):
    merges = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(2, 100_100))
    got = read_in_child(book(tmp_path / "merges.xlsx", sheet("", f"<mergeCells>{merges}</mergeCells>")))
    assert not got["ok"] and "100,000 处合并单元格" in got["message"]


def test_a_file_above_the_size_limit_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = tmp_path / "大文件.xlsx"
    path.write_bytes(b"\0" * (2 * 1024 * 1024))   # not even a zip: never read
    monkeypatch.setattr(xlsx_reader, "LIMITS", xlsx_reader.LIMITS)
    xlsx_reader.set_max_file_mb(1)
    with pytest.raises(DomainError) as err:
        xlsx_reader.sheet_names(path)
    assert "大文件.xlsx" in err.value.message and "1 MB" in err.value.message and "2 MB" in err.value.message


def test_a_real_roster_is_within_every_limit(tmp_path):
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>2</v></c><c r="B{r}"><v>{r}</v></c></row>'
                   for r in range(2, 5002))
    got = read_in_child(book(tmp_path / "real.xlsx", sheet(rows)))
    assert got == {"ok": True, "rows": 5000, "max_row": 5001, "max_col": 2}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_random_bytes_as_an_xlsx_are_read_or_refused_with_a_message(tmp_path, data):
    path = tmp_path / "random.xlsx"
    path.write_bytes(data)
    try:
        for name in xlsx_reader.sheet_names(path):
            xlsx_reader.load_sheet(path, name)
    except DomainError as err:
        assert "random.xlsx" in err.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048), part=st.sampled_from(["sheet", "shared", "both"]))
def test_random_bytes_inside_a_workbook_are_read_or_refused_with_a_message(tmp_path, data, part):
    path = tmp_path / "inside.xlsx"
    text = sheet('<row r="2"><c t="s"><v>2</v></c></row>')
    book(path, data if part != "shared" else text, shared=data if part != "sheet" else None)
    try:
        xlsx_reader.load_sheet(path, "名册")
    except DomainError as err:
        assert "inside.xlsx" in err.message
