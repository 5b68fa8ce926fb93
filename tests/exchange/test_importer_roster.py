"""Importing the roster from .xlsx as counties keep it (issue 6 §1–3): detection of
the header under title rows and merged cells, synonyms, messy dates, skipped rows,
every problem by row and column, updates shown before they are made, all or none."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from carecenter.db.models import AuditLog, Cadre
from carecenter.domain.errors import DomainError
from carecenter.exchange import importer
from carecenter.services import roster
from tests.conftest import make_id_number
from tests.exchange.test_importer_support import snapshot, workbook

ID_A = make_id_number("19900315", 11)     # male
ID_B = make_id_number("19851120", 22)     # female
ID_C = make_id_number("19780601", 31)
ID_D = make_id_number("19950505", 13)


@pytest.fixture
def units(store):
    a = roster.save_unit({"name": "城关镇人民政府", "kind": "政府", "township": "城关镇", "township_category": "镇"}).id
    b = roster.save_unit({"name": "城关镇财政所", "kind": "站所", "township": "城关镇", "township_category": "镇"}).id
    old = roster.save_unit({"name": "原农机站", "kind": "站所", "township": "城关镇", "township_category": "镇"}).id
    roster.set_unit_archived(old, True)
    return a, b


def county_roster(path):
    """A roster as a county keeps it: title and sub-title rows, a two-row header with
    merged cells, synonyms, a unit merged down over two people, messy dates,
    padded names, a blank row, a total row and a signature line."""
    return workbook(path, [
        ["城关镇机关干部花名册（2024年）"],
        ["填报单位：城关镇党政办", None, None, None, None, "填报日期：2024年6月"],
        ["序号", "姓  名", "公民身份号码", "出生年月", "学历", None, "工作单位", "参加工作时间", "联系电话"],
        [None, None, None, None, "全日制", "在职", None, None, None],
        [1, "王  伟", ID_A, "1990.03", "大学本科", None, "城关镇人民政府", "2012.08", 13800138000],
        [2, "李娜", ID_B, datetime(1985, 11, 20), "本科", "硕士", None, "2007年8月", "13900139000"],
        [None, None, None, None, None, None, None, None, None],
        [3, "陈 明 ", ID_C.lower().replace("x", "x"), "19780601", "大专", None, "城关镇财政所",
         "１９９８．０９", " 0577-12345678 "],
        [4, "赵六", ID_D, None, "本科", None, "城关镇财政所", "2017-9-1", None],
        ["合计", "4人"],
        ["填表人：张某", None, None, "审核人：李某"],
    ], merges=["A1:I1", "A2:E2", "E3:F3", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "G3:G4", "H3:H4", "I3:I4",
               "G5:G6"])


def test_detects_header_under_title_rows_and_merged_cells(units, tmp_path):
    path = county_roster(tmp_path / "名册.xlsx")
    assert importer.sheet_names(path) == ["Sheet1"]
    mapping = importer.detect(path, "Sheet1", "roster")
    assert mapping.header_row == 4          # the lower row of the two-row header
    assert mapping.columns == {"name": 1, "id_number": 2, "birth_date": 3, "education_fulltime": 4,
                               "education_inservice": 5, "unit": 6, "work_start_date": 7, "phone": 8}
    texts = importer.headers(path, "Sheet1", 4)
    assert texts[:7] == ["序号", "姓  名", "公民身份号码", "出生年月", "学历（全日制）", "学历（在职）", "工作单位"]


def test_preview_and_import_of_a_county_roster(units, tmp_path):
    unit_a, unit_b = units
    path = county_roster(tmp_path / "名册.xlsx")
    mapping = importer.detect(path, "Sheet1", "roster")
    pre = importer.preview(path, "Sheet1", "roster", mapping)
    assert pre.problems == []
    assert (pre.rows_total, pre.valid_count, pre.creates, pre.updates) == (4, 4, 4, [])
    assert sorted(pre.skipped) == [(10, "合计行"), (11, "表尾说明")]
    assert Cadre.select().count() == 0           # the preview writes nothing
    result = importer.run_import(pre)
    assert (result.created, result.updated) == (4, 0)
    wang = Cadre.get(Cadre.id_number == ID_A)
    assert wang.name == "王伟" and wang.sex == "男" and wang.birth_date == date(1990, 3, 15)
    assert wang.education_fulltime == "本科" and wang.phone == "13800138000"
    assert wang.work_start_date == date(2012, 8, 1) and wang.employment_status == "在职"
    li = Cadre.get(Cadre.id_number == ID_B)
    assert li.unit_id == unit_a                   # the merged unit cell covers her row too
    assert li.education_inservice == "硕士研究生" and li.work_start_date == date(2007, 8, 1)
    chen = Cadre.get(Cadre.id_number == ID_C)
    assert chen.name == "陈明" and chen.unit_id == unit_b and chen.work_start_date == date(1998, 9, 1)
    assert chen.phone == "0577-12345678"
    assert Cadre.get(Cadre.id_number == ID_D).work_start_date == date(2017, 9, 1)
    # one audit entry per cadre and one for the import
    assert AuditLog.select().where((AuditLog.table == "cadre") & (AuditLog.action == "create")).count() == 4
    summary = AuditLog.get(AuditLog.action == "import")
    assert "新增 4" in summary.summary and "名册.xlsx" in summary.summary


def bad_roster(path, existing_archived=None):
    header = ["序号", "姓名", "身份证号码", "性别", "出生日期", "单位", "参加工作时间", "入党时间", "级别"]
    rows = [
        header,
        [1, "甲", "11010519491231002", None, None, "城关镇人民政府", None, None, None],          # 17 chars
        [2, "乙", ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1"), None, None, "城关镇人民政府", None, None, None],
        [3, "丙", ID_B, None, "1985-02-30", "城关镇人民政府", None, None, None],               # no 30 February
        [4, "丁", ID_C, None, None, "东风乡政府", None, None, None],                            # unknown unit
        [5, "戊", ID_D, None, None, "原农机站", None, None, None],                             # archived unit
        [6, "己", make_id_number("19700101", 41), None, None, "城关镇人民政府", "2030.01", None, None],
        [7, "庚", make_id_number("19700102", 43), None, None, "城关镇人民政府", None, None, 30],
        [8, "辛", make_id_number("19700103", 45), None, None, "城关镇人民政府", None, None, None],
        [9, "辛二", make_id_number("19700103", 45), None, None, "城关镇人民政府", None, None, None],  # duplicate
        [10, "壬", make_id_number("19700104", 47), "女", None, "城关镇人民政府", None, None, None],   # sex vs ID
        [11, "癸", 110105194912310020.0, None, None, "城关镇人民政府", None, None, None],        # number, digits lost
        [12, "子", make_id_number("19700105", 49), None, None, "城关镇人民政府", 1985.1, None, None],
        [13, "丑", make_id_number("19700106", 51), None, None, None, None, None, None],        # no unit
        [14, "寅", make_id_number("19700107", 53), None, None, "城关镇人民政府", None, "2001年13月", None],
    ]
    return workbook(path, rows)


def test_every_problem_is_listed_by_row_and_column_with_a_chinese_reason(units, tmp_path):
    path = bad_roster(tmp_path / "bad.xlsx")
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    got = {(p.row, p.column, p.field): p.reason for p in pre.problems}
    assert "18位" in got[(2, "C", "身份证号")]
    assert "校验位" in got[(3, "C", "身份证号")]
    assert "不是真实日期" in got[(4, "E", "出生日期")]
    assert "不在「单位管理」中" in got[(5, "F", "单位")]
    assert "已归档" in got[(6, "F", "单位")]
    assert "不能晚于今天" in got[(7, "G", "参加工作时间")]
    assert "1 至 27" in got[(8, "I", "级别")]
    assert "重复出现（与第10行相同）" in got[(9, "C", "身份证号")]
    assert "与第9行重复" in got[(10, "C", "身份证号")]
    assert "性别与身份证号不一致" in got[(11, "D", "性别")]
    assert "科学计数法" in got[(12, "C", "身份证号")]
    assert "1 月还是 10 月" in got[(13, "G", "参加工作时间")]
    assert got[(14, "F", "单位")] == "请填写单位"
    assert "不是真实日期" in got[(15, "H", "入党时间")]
    assert pre.valid_count == 0 and pre.rows_total == 14
    for p in pre.problems:
        assert p.reason and not p.reason.isascii()
    cell = next(p for p in pre.problems if p.row == 8)
    assert cell.value == "30"
    # nothing valid: the import writes nothing but its own audit line
    before = snapshot()
    result = importer.run_import(pre)
    assert (result.created, result.updated) == (0, 0)
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}


def test_rows_matching_an_id_update_that_cadre_after_showing_the_changes(units, tmp_path):
    unit_a, unit_b = units
    old = roster.save_cadre({"name": "王伟", "id_number": ID_A, "unit_id": unit_a, "employment_status": "在职",
                             "post": "科员", "phone": "13800000000", "political_status": "共青团员"}).id
    path = workbook(tmp_path / "update.xlsx", [
        ["姓名", "身份证号", "单位", "职务", "联系电话", "政治面貌", "籍贯"],
        ["王伟", ID_A.lower(), "城关镇财政所", "副所长", None, "党员", " "],
        ["李娜", ID_B, "城关镇人民政府", "科员", "13900139000", None, "浙江温州"],
    ])
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    assert pre.problems == [] and pre.creates == 1
    [(row, name, changes)] = pre.updates
    assert (row, name) == (2, "王伟")
    assert {(c.field, c.old, c.new) for c in changes} == {
        ("单位", "城关镇人民政府", "城关镇财政所"), ("职务", "科员", "副所长"), ("政治面貌", "共青团员", "中共党员")}
    result = importer.run_import(pre)
    assert (result.created, result.updated) == (1, 1)
    assert Cadre.select().where(Cadre.id_number == ID_A).count() == 1   # never a duplicate
    wang = Cadre.get_by_id(old)
    assert (wang.unit_id, wang.post, wang.phone, wang.political_status) == (unit_b, "副所长", "13800000000", "中共党员")
    history = roster.audit.history(wang.uuid)
    assert history[0][2] == "update" and history[0][4]["post"] == ["科员", "副所长"]
    # the same file again: nothing to change
    again = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    assert again.updates == [] and again.creates == 0 and again.unchanged == 2


def test_archived_cadre_is_a_conflict(units, tmp_path):
    cid = roster.save_cadre({"name": "王伟", "id_number": ID_A, "unit_id": units[0], "employment_status": "在职"}).id
    roster.set_cadre_archived(cid, True)
    path = workbook(tmp_path / "a.xlsx", [["姓名", "身份证号", "单位"], ["王伟", ID_A, "城关镇人民政府"]])
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    [p] = pre.problems
    assert p.field == "身份证号" and "已归档" in p.reason and "王伟" in p.reason


def test_valid_rows_import_and_problem_rows_are_skipped(units, tmp_path):
    path = workbook(tmp_path / "mixed.xlsx", [
        ["姓名", "身份证号", "单位"],
        ["王伟", ID_A, "城关镇人民政府"],
        ["李娜", "123", "城关镇人民政府"],
        ["陈明", ID_C, "城关镇财政所"],
    ])
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    assert (pre.valid_count, pre.refused_count) == (2, 1)
    importer.run_import(pre)
    assert sorted(c.name for c in Cadre.select()) == ["王伟", "陈明"]


def test_cancel_and_failure_write_nothing(units, tmp_path, monkeypatch):
    rows = [["姓名", "身份证号", "单位"]] + [[f"张{'一二三四五六七八九十'[i % 10]}", make_id_number("19800101", 2 * i + 1),
                                              "城关镇人民政府"] for i in range(300)]
    path = workbook(tmp_path / "many.xlsx", rows)
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    assert pre.valid_count == 300
    before = snapshot()
    from carecenter.exchange import xlsx_kinds

    monkeypatch.setattr(xlsx_kinds, "CHUNK", 100)
    calls = []

    def cancel_late():       # 取消 pressed after two chunks were written
        calls.append(Cadre.select().count())
        return len(calls) > 2
    with pytest.raises(importer.Cancelled):
        importer.run_import(pre, cancelled=cancel_late)
    assert calls == [0, 100, 200]
    assert snapshot() == before
    # a failure half-way through the write (after the first chunk) also leaves nothing
    real = xlsx_kinds._audit_rows
    count = []

    def failing(rows):
        count.append(1)
        if len(count) == 2:
            raise OSError("disk full")
        real(rows)
    monkeypatch.setattr(xlsx_kinds, "_audit_rows", failing)
    with pytest.raises(OSError):
        importer.run_import(pre)
    assert snapshot() == before
    monkeypatch.setattr(xlsx_kinds, "_audit_rows", real)
    seen = []
    importer.run_import(pre, progress=lambda done, total: seen.append((done, total)))
    assert Cadre.select().count() == 300 and seen[-1] == (300, 300)


def test_changed_since_preview_refuses_the_whole_import(units, tmp_path):
    path = workbook(tmp_path / "c.xlsx", [["姓名", "身份证号", "单位"], ["王伟", ID_A, "城关镇人民政府"],
                                          ["李娜", ID_B, "城关镇人民政府"]])
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    roster.save_cadre({"name": "李娜", "id_number": ID_B, "unit_id": units[1], "employment_status": "在职"})
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        importer.run_import(pre)
    assert "重新预览" in exc.value.message
    assert snapshot() == before


def test_missing_required_columns_and_unreadable_files(units, tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["姓名", "单位"], ["王伟", "城关镇人民政府"]])
    mapping = importer.detect(path, "Sheet1", "roster")
    with pytest.raises(DomainError) as exc:
        importer.preview(path, "Sheet1", "roster", mapping)
    assert "身份证号" in exc.value.message
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(DomainError) as exc:
        importer.sheet_names(junk)
    assert ".xlsx" in exc.value.message
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(DomainError) as exc:
        importer.sheet_names(old)
    assert "另存为" in exc.value.message
    with pytest.raises(DomainError):
        importer.sheet_names(tmp_path / "missing.xlsx")
    with pytest.raises(DomainError) as exc:
        importer.detect(path, "没有这个表", "roster")
    assert "没有这个表" in exc.value.message


def test_mapping_can_be_adjusted(units, tmp_path):
    """The clerk points a field at another column (here: a header nobody would guess)."""
    path = workbook(tmp_path / "adj.xlsx", [["名", "号", "所在"], ["王伟", ID_A, "城关镇人民政府"]])
    assert importer.detect(path, "Sheet1", "roster").columns == {}
    pre = importer.preview(path, "Sheet1", "roster",
                           importer.Mapping(header_row=1, columns={"name": 0, "id_number": 1, "unit": 2}))
    assert pre.valid_count == 1 and pre.creates == 1


def test_templates_round_trip_and_mark_the_example(units, tmp_path):
    for kind, title in importer.KINDS.items():
        out = tmp_path / f"{kind}.xlsx"
        importer.write_template(kind, out)
        wb = load_workbook(out)
        assert wb.sheetnames[0] == title and "说明" in wb.sheetnames
        ws = wb[title]
        heads = [c.value for c in ws[1]]
        assert heads[0] == "序号"
        for f in importer.fields(kind):
            assert (("*" if f.required else "") + f.label) in heads
        assert ws["A2"].value == "示例"
        notes = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
        assert "示例" in notes and "必填" in notes
        mapping = importer.detect(out, title, kind)
        assert mapping.header_row == 1 and set(mapping.columns) == {f.key for f in importer.fields(kind)}
        pre = importer.preview(out, title, kind, mapping)
        assert pre.rows_total == 0 and pre.skipped == [(2, "示例行")]
    # a filled-in roster template imports
    out = tmp_path / "roster.xlsx"
    wb = load_workbook(out)
    ws = wb["干部名册"]
    labels = [c.value.lstrip("*") for c in ws[1]]
    row = {"姓名": "王伟", "身份证号": ID_A, "单位": "城关镇人民政府", "参加工作时间": "2012.08"}
    ws.append([row.get(label) for label in labels])
    wb.save(out)
    pre = importer.preview(out, "干部名册", "roster", importer.detect(out, "干部名册", "roster"))
    assert pre.problems == [] and pre.creates == 1


def test_problem_list_is_saved_for_the_sender(units, tmp_path):
    path = bad_roster(tmp_path / "bad.xlsx")
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    out = tmp_path / "问题清单.xlsx"
    importer.save_problems(pre, out)
    ws = load_workbook(out)["问题清单"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "字段", "原值", "问题")
    assert len(rows) == len(pre.problems) + 1
    assert rows[1][:3] == (2, "C", "身份证号") and "18位" in rows[1][4]


def test_report_lines(units, tmp_path):
    path = bad_roster(tmp_path / "bad.xlsx")
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    lines = importer.report_lines(pre)
    assert "共 14 行" in lines[1] and "有问题未导入 14 行" in lines[1]
    assert any(line.startswith("第5行 F列（单位）：单位「东风乡政府」") for line in lines)


def test_unknown_kind(store, tmp_path):
    with pytest.raises(DomainError):
        importer.fields("pets")


def test_header_repeated_on_each_printed_page_is_skipped(units, tmp_path):
    head = ["序号", "姓名", "身份证号", "单位"]
    path = workbook(tmp_path / "pages.xlsx", [
        head, [1, "王伟", ID_A, "城关镇人民政府"], [2, "李娜", ID_B, "城关镇人民政府"],
        head, [3, "陈明", ID_C, "城关镇财政所"],
    ])
    mapping = importer.detect(path, "Sheet1", "roster")
    assert mapping.header_row == 1
    pre = importer.preview(path, "Sheet1", "roster", mapping)
    assert pre.creates == 3 and pre.skipped == [(4, "重复的表头行")]
    # the clerk may pick another header row: its columns are matched again
    assert importer.detect(path, "Sheet1", "roster", header_row=4).columns == {"name": 1, "id_number": 2, "unit": 3}


def test_a_duplicated_id_number_names_one_other_row_so_the_report_grows_linearly(units, tmp_path):
    rows = [["姓名", "身份证号", "单位"]] + [["王伟", ID_A, "城关镇人民政府"] for _ in range(3000)]
    path = workbook(tmp_path / "dup.xlsx", rows)
    pre = importer.preview(path, "Sheet1", "roster", importer.detect(path, "Sheet1", "roster"))
    ids = [p for p in pre.problems if p.field == "身份证号"]
    assert len(ids) == 3000 and pre.valid_count == 0
    assert "与第3行等 3000 行相同" in ids[0].reason
    assert all("与第2行重复" in p.reason for p in ids[1:])
    # each reason is short: the text grows with the rows, not with their square
    assert max(len(p.reason) for p in pre.problems) < 80
    assert sum(len(line) for line in importer.report_lines(pre)) < 3000 * 120
