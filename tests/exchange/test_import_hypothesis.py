"""Property-based tests (issue 6 §8): the importer is fed malformed cells and sheets;
it never crashes (only a DomainError with a Chinese message may stop it), and it
never writes part of a refused import.

Example counts are kept modest so the whole suite stays fast."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from carecenter.db.models import Cadre, LeaveRecord
from carecenter.domain.errors import DomainError
from carecenter.domain import idcard
from carecenter.exchange import importer, xlsx_cells, xlsx_kinds, xlsx_reader
from tests.conftest import make_id_number
from tests.exchange.test_importer_support import snapshot

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                       HealthCheck.too_slow])

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                max_size=14).filter(lambda s: not s.startswith("="))
_junk = st.one_of(
    st.none(), _text, st.booleans(),
    st.integers(-10 ** 12, 10 ** 12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e16, max_value=1e16),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)).map(lambda d: datetime(d.year, d.month, d.day)),
)

IDS = [make_id_number("19900315", 11), make_id_number("19851120", 22), make_id_number("19700101", 33)]
_id = st.one_of(
    st.sampled_from(IDS), st.sampled_from(IDS).map(str.lower), st.sampled_from(IDS).map(lambda s: " " + s[:9] + " " + s[9:]),
    st.sampled_from(IDS).map(lambda s: s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))),
    st.sampled_from(IDS).map(lambda s: s[:-1] + ("1" if s[-1] != "1" else "2")),
    st.sampled_from(IDS).map(lambda s: float(s[:17] + "0")),
    st.builds(lambda seq: make_id_number("19950505", seq), st.integers(1, 999)),
    _junk)
_date = st.one_of(
    st.sampled_from(["1985.03", "1985年3月", "1985-3-1", "19850301", "１９８５．０３", " 1985 . 03 ", "2012.1",
                     "2024-02-30", "1985.13", "0000", "明年", "2099-01-01", "1899-12-31", "20120801"]),
    st.sampled_from([1985.03, 1985.1, 31107, 198503, 19850301, 1985, 0, -5]),
    _junk)
_unit = st.one_of(st.sampled_from(["城关镇人民政府", " 城关镇人民政府 ", "城关镇财政所", "不存在的单位", "原农机站"]), _junk)
_name = st.one_of(st.sampled_from(["王伟", "王  伟", "李娜", "欧阳·娜娜", "张三丰", "示例", "合计", "A1"]), _junk)
_choice = st.one_of(st.sampled_from(["男", "女", "男性", "中共党员", "党员", "本科", "大学本科", "已婚", "在职", "在岗",
                                     "汉", "汉族", "一级科员", "无", "是", "否"]), _junk)

ROSTER_COLS = [("姓名", _name), ("身份证号码", _id), ("性别", _choice), ("出生年月", _date), ("单位", _unit),
               ("政治面貌", _choice), ("学历", _choice), ("参加工作时间", _date), ("入党时间", _date),
               ("级别", st.one_of(st.integers(-3, 40), _junk)), ("联系电话", st.one_of(
                   st.sampled_from(["13800138000", 13800138000, "0577-1234567", "123"]), _junk)),
               ("独生子女", _choice), ("在职状态", _choice)]


def _write(path, rows, merges=()):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


@pytest.fixture
def units(store):
    from carecenter.app import seed_rule_tables
    from carecenter.services import roster

    seed_rule_tables()
    a = roster.save_unit({"name": "城关镇人民政府", "kind": "政府", "township": "城关镇", "township_category": "镇"}).id
    roster.save_unit({"name": "城关镇财政所", "kind": "站所", "township": "城关镇", "township_category": "镇"})
    old = roster.save_unit({"name": "原农机站", "kind": "站所", "township": "城关镇", "township_category": "镇"}).id
    roster.set_unit_archived(old, True)
    return a


@settings(max_examples=40, **SETTINGS)
@given(rows=st.lists(st.tuples(*[s for _, s in ROSTER_COLS]), min_size=1, max_size=8),
       title=st.booleans())
def test_roster_import_never_crashes_and_writes_only_valid_rows(units, tmp_path_factory, rows, title):
    path = tmp_path_factory.mktemp("h") / "r.xlsx"
    head = [label for label, _ in ROSTER_COLS]
    table = ([["干部花名册"]] if title else []) + [head] + [list(r) for r in rows]
    _write(path, table, merges=["A1:M1"] if title else [])
    mapping = importer.detect(path, "Sheet", "roster")
    assert mapping.header_row == (2 if title else 1)
    before = snapshot()
    count = Cadre.select().count()
    pre = importer.preview(path, "Sheet", "roster", mapping)
    assert snapshot() == before
    assert pre.valid_count + len({p.row for p in pre.problems}) == pre.rows_total
    for p in pre.problems:
        assert p.reason and p.field and p.column
    # a failure in the middle of the write (after the cadre rows, before their audit rows) leaves nothing
    if pre.creates + len(pre.updates):
        real = xlsx_kinds._audit_rows

        def failing(rows_):
            raise RuntimeError("injected")
        xlsx_kinds._audit_rows = failing
        try:
            with pytest.raises(RuntimeError):
                importer.run_import(pre)
        finally:
            xlsx_kinds._audit_rows = real
        assert snapshot() == before
    known = {n for (n,) in Cadre.select(Cadre.id_number).tuples()}
    result = importer.run_import(pre)
    assert (result.created, result.updated) == (pre.creates, len(pre.updates))
    assert Cadre.select().count() == count + pre.creates
    refused = {p.row for p in pre.problems}
    now = {n for (n,) in Cadre.select(Cadre.id_number).tuples()}
    for r in pre._rows:
        raw = r.cells.get("id_number")
        number = "" if raw is None or isinstance(raw, float) else idcard.normalise(xlsx_cells.cell_text(raw))
        if r.row in refused:
            assert number in known or number not in now     # a refused row created nobody
        else:
            assert number in now


LEAVE_COLS = [("身份证号", st.one_of(st.sampled_from(IDS[:2]), _id)), ("姓名", _name),
              ("假别", st.one_of(st.sampled_from(["年休假", "年假", "事假", "病假", "婚假", "调休"]), _junk)),
              ("开始日期", st.one_of(st.sampled_from(["2024-05-06", "2024.5.7", "20240508", "2024年5月9日"]), _date)),
              ("结束日期", st.one_of(st.sampled_from(["2024-05-06", "2024.5.8", "20240510", "2024-04-01"]), _date)),
              ("天数", st.one_of(st.sampled_from([1, 2, 2.5, "3天", "x"]), _junk)),
              ("状态", st.one_of(st.sampled_from(["已批准", "申请", "撤销", "乱写"]), _junk))]


@settings(max_examples=25, **SETTINGS)
@given(rows=st.lists(st.tuples(*[s for _, s in LEAVE_COLS]), min_size=1, max_size=6), cancel_at=st.integers(1, 6))
def test_leave_import_never_crashes_and_cancel_writes_nothing(units, tmp_path_factory, rows, cancel_at):
    from carecenter.services import roster

    for i, (number, name) in enumerate(zip(IDS[:2], ["王伟", "李娜"])):
        if not Cadre.select().where(Cadre.id_number == number).exists():
            roster.save_cadre({"name": name, "id_number": number, "unit_id": units, "employment_status": "在职",
                               "work_start_date": "2012.08"})
    path = _write(tmp_path_factory.mktemp("h") / "l.xlsx", [[label for label, _ in LEAVE_COLS]] + [list(r) for r in rows])
    before = snapshot()
    pre = importer.preview(path, "Sheet", "leave", importer.detect(path, "Sheet", "leave"))
    assert snapshot() == before
    assert pre.valid_count == pre.creates
    if pre.valid_count >= cancel_at:
        calls = []
        with pytest.raises(importer.Cancelled):
            importer.run_import(pre, cancelled=lambda: calls.append(1) or len(calls) >= cancel_at)
        assert snapshot() == before
    n = LeaveRecord.select().count()
    result = importer.run_import(pre)
    assert result.created == pre.valid_count
    assert LeaveRecord.select().count() == n + pre.valid_count


@settings(max_examples=30, **SETTINGS)
@given(grid=st.lists(st.lists(_junk, max_size=7), max_size=9), merges=st.lists(
    st.tuples(st.integers(1, 9), st.integers(1, 7), st.integers(0, 2), st.integers(0, 2)), max_size=3),
    kind=st.sampled_from(list(importer.KINDS)))
def test_any_sheet_is_read_like_openpyxl_and_never_crashes_the_importer(units, tmp_path_factory, grid, merges, kind):
    path = tmp_path_factory.mktemp("h") / "g.xlsx"
    wb = Workbook()
    ws = wb.active
    for row in grid:
        ws.append(row)
    taken: set[tuple[int, int]] = set()
    ranges = []
    for r, c, dr, dc in merges:
        cells = {(rr, cc) for rr in range(r, r + dr + 1) for cc in range(c, c + dc + 1)}
        if cells & taken or (dr, dc) == (0, 0):
            continue
        taken |= cells
        ws.merge_cells(start_row=r, start_column=c, end_row=r + dr, end_column=c + dc)
        ranges.append((r, c - 1, r + dr, c - 1 + dc))
    wb.save(path)
    sheet = xlsx_reader.load_sheet(path, "Sheet")
    theirs = load_workbook(path).active
    for row in theirs.iter_rows():
        for cell in row:
            if type(cell).__name__ == "MergedCell":
                continue
            ours = sheet.raw(cell.row, cell.column - 1)
            assert ours == cell.value or (isinstance(ours, float) and repr(ours) == repr(cell.value)), (
                cell.coordinate, ours, cell.value)
    assert sorted(sheet.merged) == sorted(ranges)
    # whatever the sheet holds, the importer answers with a mapping, a preview or a DomainError
    mapping = importer.detect(path, "Sheet", kind)
    importer.headers(path, "Sheet", mapping.header_row)
    before = snapshot()
    try:
        pre = importer.preview(path, "Sheet", kind, mapping)
    except DomainError as err:
        assert err.message and not err.message.isascii()
        return
    assert snapshot() == before
    importer.run_import(pre)


@settings(max_examples=15, **SETTINGS)
@given(payload=st.binary(max_size=300), keep=st.integers(0, 2000))
def test_broken_files_give_a_chinese_message(store, tmp_path_factory, payload, keep):
    """Garbage, a truncated workbook or a workbook with a damaged part: DomainError only."""
    folder = tmp_path_factory.mktemp("h")
    good = _write(folder / "good.xlsx", [["姓名", "身份证号"], ["王伟", IDS[0]]])
    data = good.read_bytes()
    for blob in (payload, data[:keep], data[:keep] + payload + data[keep + len(payload):]):
        bad = folder / "bad.xlsx"
        bad.write_bytes(blob)
        try:
            for name in importer.sheet_names(bad):
                importer.detect(bad, name, "roster")
        except DomainError as err:
            assert err.message and not err.message.isascii()
