"""Excel export (issue 6): the writer's file read back with openpyxl — header in row 1,
bold and frozen, typed cells (dates are dates, money a number with two decimals),
fitted widths, the 「说明」 sheet — and whole lists written through ``export_list``
with the same rows, filter and order the page's model shows, ID numbers masked
unless confidential columns were asked for (DOMAIN.md §6), every export audited."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from carecenter.db import queries
from carecenter.db.models import AuditLog
from carecenter.domain import idcard
from carecenter.domain.errors import DomainError
from carecenter.domain.money import format_yuan, to_capital
from carecenter.exchange import export as xl
from carecenter.exchange.export import Column, ExportCancelled, Sheet, export_list, write_workbook, write_xlsx
from carecenter.services import exports


def rows_of(path, sheet=0):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def notes_of(path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {k: v for k, v in wb[xl.NOTES_SHEET].iter_rows(min_row=2, values_only=True)}


# ================================================================ the writer

COLUMNS = [Column("姓名"), Column("出生日期", "date"), Column("金额（元）", "money_fen"), Column("人数", "int"),
           Column("天数", "decimal"), Column("使用率", "percent"), Column("单位")]


def test_header_frozen_bold_and_typed_cells(tmp_path):
    out = tmp_path / "t.xlsx"
    rows = [("张三", date(1990, 3, 15), 123456, 7, Decimal("2.5"), Decimal("85.3"), "城关镇党政办公室"),
            ("李四", date(2026, 11, 25), -5, 0, Decimal("10"), Decimal("100"), "云溪乡")]
    result = write_xlsx(out, "测试", COLUMNS, rows, notes=[("导出时间", "2026-11-25 09:00")])
    assert result.rows == {"测试": 2}
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["测试", "说明"]
    ws = wb["测试"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == [c.label for c in COLUMNS]
    assert all(c.font.b for c in ws[1])
    name, born, money, count, days, rate, unit = ws[2]
    assert born.value == datetime(1990, 3, 15) and born.number_format == "yyyy-mm-dd" and born.is_date
    assert money.value == pytest.approx(1234.56) and money.number_format == "#,##0.00"
    assert isinstance(money.value, float)
    assert count.value == 7 and isinstance(count.value, int)
    assert days.value == 2.5
    assert rate.value == pytest.approx(0.853) and rate.number_format == "0.0%"
    assert ws["C3"].value == pytest.approx(-0.05)
    assert ws["E3"].value == 10
    assert not name.font.b
    assert list(wb["说明"].iter_rows(values_only=True)) == [("项目", "内容"), ("导出时间", "2026-11-25 09:00")]


def test_widths_fit_content_cjk_counts_double(tmp_path):
    out = tmp_path / "w.xlsx"
    cols = [Column("名称"), Column("代码"), Column("备注"), Column("金额", "money_fen")]
    rows = [("城关镇党政办公室", "ABCDEFGH", "长" * 200, 123456789)]
    write_xlsx(out, "宽度", cols, rows)
    ws = openpyxl.load_workbook(out)["宽度"]
    widths = [ws.column_dimensions[c].width for c in "ABCD"]
    assert widths[0] >= 16 > widths[1] >= 8          # 8 Chinese characters count 16, 8 letters 8
    assert widths[2] == xl.MAX_WIDTH                  # a long note is capped
    assert widths[3] >= len("1,234,567.89")
    assert xl.text_width("城关镇") == 6 and xl.text_width("ab1") == 3


def test_text_in_typed_column_empty_cells_and_escaping(tmp_path):
    out = tmp_path / "e.xlsx"
    cols = [Column("说明"), Column("上次体检", "date"), Column("预算", "money_fen")]
    rows = [("<a & b> \"引号\"", "从未体检", "未设预算"), ("控制\x01字符", None, ""), (" 首尾空格 ", date(2020, 1, 2), 0)]
    write_xlsx(out, "转义", cols, rows)
    got = rows_of(out)
    assert got[1] == ["<a & b> \"引号\"", "从未体检", "未设预算"]
    assert got[2] == ["控制字符", None, None]
    assert got[3] == [" 首尾空格 ", datetime(2020, 1, 2), 0]


def test_several_sheets_and_notes_from_counts(tmp_path):
    out = tmp_path / "m.xlsx"
    seen = {}

    def notes(counts):
        seen.update(counts)
        return [("行数", str(sum(counts.values())))]

    write_workbook(out, [Sheet("按单位", [Column("单位")], [("甲",), ("乙",)]),
                         Sheet("按单位", [Column("项目")], [("丙",)]),
                         Sheet("a/b:c*?[d]", [Column("x")], [])], notes=notes)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["按单位", "按单位(2)", "a_b_c___d_", "说明"]
    assert seen == {"按单位": 2, "按单位(2)": 1, "a_b_c___d_": 0}
    assert rows_of(out, "a_b_c___d_") == [["x"]]
    assert notes_of(out) == {"行数": "3"}


def test_cancel_leaves_no_file_and_keeps_an_older_one(tmp_path, monkeypatch):
    monkeypatch.setattr(xl, "STEP", 10)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "c.xlsx"
    out.write_bytes(b"older")
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(ExportCancelled):
        write_xlsx(out, "取消", [Column("n", "int")], ((i,) for i in range(1000)), cancelled=cancelled)
    assert out.read_bytes() == b"older"
    assert [p.name for p in folder.iterdir()] == ["c.xlsx"]   # no temporary file left behind


def test_progress_reports_rising_percent(tmp_path, monkeypatch):
    monkeypatch.setattr(xl, "STEP", 100)
    seen = []
    write_xlsx(tmp_path / "p.xlsx", "进度", [Column("n", "int")], [(i,) for i in range(1000)], total=1000,
               progress=lambda p, text: seen.append((p, text)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 100 and len(percents) >= 10
    assert "1,000" in seen[-2][1]


def test_more_rows_than_a_sheet_holds_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xl, "MAX_ROWS", 5)
    out = tmp_path / "big.xlsx"
    with pytest.raises(DomainError) as exc:
        write_xlsx(out, "大", [Column("n", "int")], [(i,) for i in range(6)])
    assert "上限" in exc.value.message and "筛选" in exc.value.message
    assert not out.exists()
    read = []

    def rows():
        read.append(1)
        yield (1,)

    with pytest.raises(DomainError):   # a known total says so before reading a row
        write_xlsx(out, "大", [Column("n", "int")], rows(), total=6)
    assert read == [] and not out.exists()


def test_row_of_wrong_length_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "x.xlsx", "x", [Column("a"), Column("b")], [("only one",)])


# ================================================================ lists through export_list

@pytest.fixture
def demo_store(store):
    from carecenter.services import demo

    demo.build(80, history_years=2)
    queries.invalidate_units()
    return store


def _roster_query(**filter_):
    return exports.RosterQuery(queries.RosterFilter(**filter_))


def test_roster_export_equals_the_model_rows_in_order_with_masked_id(demo_store, tmp_path):
    unit_id = queries.roster_page(queries.RosterFilter(), limit=1)[0][0]
    unit_id = queries.db.execute_sql("SELECT unit_id FROM cadre WHERE id = ?", (unit_id,)).fetchone()[0]
    f = queries.RosterFilter(unit_id=unit_id)
    q = exports.RosterQuery(f, sort="age", descending=True)
    summary = export_list("roster", tmp_path / "r.xlsx", q)
    got = rows_of(summary.path)
    assert got[0] == ["姓名", "身份证号", "性别", "年龄", "单位", "职务", "职级", "类别", "电话", "状态"]
    shown = queries.roster_page(f, "age", True, limit=10_000)          # what the table model reads
    assert summary.rows == len(shown) == len(got) - 1 > 0
    assert [r[0] for r in got[1:]] == [r[1] for r in shown]
    assert [r[3] for r in got[1:]] == [r[3] for r in shown]
    numbers = dict(queries.db.execute_sql("SELECT name, id_number FROM cadre").fetchall())
    for row in got[1:]:
        assert row[1] == idcard.mask(numbers[row[0]]) and "********" in row[1]
    notes = notes_of(summary.path)
    assert notes["列表"] == "干部名册" and notes["单位"] == queries.unit_names()[unit_id]
    assert notes["排序"] == "年龄 降序" and notes["行数"] == str(len(shown))
    assert "未包含" in notes["敏感信息"] and notes["提示"] == "内部资料 注意保密"


def test_roster_full_id_only_when_asked_and_audited(demo_store, tmp_path, monkeypatch):
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "clerk01")   # never used: who is the signed-in account
    q = _roster_query(text="z")
    plain = export_list("roster", tmp_path / "plain.xlsx", q)
    full = export_list("roster", tmp_path / "full.xlsx", q, include_confidential=True)
    numbers = dict(queries.db.execute_sql("SELECT name, id_number FROM cadre").fetchall())
    assert [r[1] for r in rows_of(full.path)[1:]] == [numbers[r[0]] for r in rows_of(full.path)[1:]]
    assert all("*" in r[1] for r in rows_of(plain.path)[1:])
    assert not plain.confidential and full.confidential
    assert notes_of(full.path)["敏感信息"] == "包含：完整身份证号"
    logged = list(AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id))
    assert [(a.user, a.table, a.record_uuid) for a in logged] == [("tester（测试员）", "export", "roster")] * 2
    changes = [json.loads(a.changes) for a in logged]
    assert [c["confidential"] for c in changes] == [False, True]
    assert changes[1]["rows"] == full.rows and changes[1]["query"]["filter"]["text"] == "z"
    assert "含完整身份证号" in logged[1].summary


def test_leave_export_same_rows_and_order_as_leave_page(demo_store, tmp_path):
    year = date.today().year
    f = queries.LeaveFilter(year=year)
    summary = export_list("leave", tmp_path / "l.xlsx", exports.LeaveQuery(f, "days", False))
    got = rows_of(summary.path)
    shown = queries.leave_page(f, "days", False, limit=100_000)
    assert len(got) - 1 == len(shown) == summary.rows > 0
    names = exports.leave_type_names()
    for row, r in zip(got[1:], shown):
        assert row[0] == r[2] and row[2] == names[r[4]]
        assert row[3] == datetime.combine(r[5], datetime.min.time())   # a real date
        assert Decimal(str(row[6])) == Decimal(str(r[9]))
    assert rows_of(summary.path)[0][3:5] == ["开始", "结束"]


def test_health_checks_conclusion_only_with_confidential(demo_store, tmp_path):
    f = queries.CheckFilter()
    plain = rows_of(export_list("health-checks", tmp_path / "a.xlsx", f).path)
    full = rows_of(export_list("health-checks", tmp_path / "b.xlsx", f, include_confidential=True).path)
    assert "结论" not in plain[0] and "结论" in full[0]
    shown = queries.check_page(f)
    assert [r[1] for r in plain[1:]] == [r[3] for r in shown]
    assert [r[-1] for r in plain[1:]] == [r[8] for r in shown]


def test_allowance_lines_money_is_numeric_and_sums_to_the_batch(demo_store, tmp_path):
    from carecenter.services import allowance

    month = max(allowance.batch_statuses())
    f = queries.AllowanceLineFilter(month)
    summary = export_list("allowance-lines", tmp_path / "m.xlsx", f)
    wb = openpyxl.load_workbook(summary.path)
    ws = wb.worksheets[0]
    amounts = [row[4] for row in ws.iter_rows(min_row=2)]
    assert all(c.number_format == "#,##0.00" and isinstance(c.value, (int, float)) for c in amounts)
    total = sum(round(c.value * 100) for c in amounts)
    assert total == queries.allowance_line_sum(f)
    notes = notes_of(summary.path)
    assert notes["本表合计（大写）"] == to_capital(total) and notes["本表合计（元）"] == format_yuan(total)
    ids = queries.allowance_line_ids(f)
    assert [r[0] for r in rows_of(summary.path)[1:]] == [r[2] for r in queries.allowance_lines(ids)]


def test_unknown_list_names_the_valid_ones(store, tmp_path):
    with pytest.raises(DomainError) as exc:
        export_list("rosterr", tmp_path / "x.xlsx", None)
    assert "roster" in exc.value.message and "干部名册" in exc.value.message
    assert not (tmp_path / "x.xlsx").exists()


def test_cancelled_list_export_writes_and_audits_nothing(demo_store, tmp_path, monkeypatch):
    monkeypatch.setattr(xl, "STEP", 5)
    out = tmp_path / "c.xlsx"
    with pytest.raises(ExportCancelled):
        export_list("roster", out, _roster_query(), cancelled=lambda: True)
    assert not out.exists()
    assert AuditLog.select().where(AuditLog.action == "export").count() == 0


# ================================================================ the command line

def cli(*args) -> int:
    """The command line in this process, signed in as the demo 负责人 (who may export
    sensitive columns)."""
    import os

    from carecenter import cli as cli_module

    os.environ["CARECENTER_PASSWORD"] = "Demo@2026"
    try:
        return cli_module.main(["--user", "fuzeren", *args])
    finally:
        del os.environ["CARECENTER_PASSWORD"]


def test_cli_exports_a_filtered_list(demo_store, tmp_path, capsys):
    out = tmp_path / "名册"
    uid = queries.db.execute_sql("SELECT unit_id FROM cadre GROUP BY unit_id ORDER BY count(*) DESC").fetchone()[0]
    unit = queries.unit_names()[uid]
    assert cli("export", "roster", "--data-dir", str(demo_store.root), "--out", str(out), "--unit", unit) == 0
    said = capsys.readouterr().out
    saved = out.with_suffix(".xlsx")
    shown = queries.roster_page(queries.RosterFilter(unit_id=uid), limit=10_000)
    assert f"已导出干部名册 {len(shown)} 行" in said and str(saved) in said
    got = rows_of(saved)
    assert [r[0] for r in got[1:]] == [r[1] for r in shown]
    assert all("*" in r[1] for r in got[1:])
    assert notes_of(saved)["单位"] == unit

    month = queries.db.execute_sql("SELECT max(month) FROM allowance_batch").fetchone()[0]
    out = tmp_path / "津贴.xlsx"
    assert cli("export", "allowance-lines", "--data-dir", str(demo_store.root), "--out", str(out),
               "--month", str(month)[:7]) == 0
    assert notes_of(out)["发放月份"] == f"{int(str(month)[:4])}年{int(str(month)[5:7])}月"


def test_cli_confidential_flag_and_bad_input(demo_store, tmp_path, capsys):
    root = str(demo_store.root)
    out = tmp_path / "full.xlsx"
    assert cli("export", "roster", "--data-dir", root, "--out", str(out), "--confidential") == 0
    assert "含完整身份证号，已记入审计" in capsys.readouterr().out
    assert not any("*" in r[1] for r in rows_of(out)[1:])

    assert cli("export", "rostr", "--data-dir", root, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "没有名为「rostr」的列表" in err and all(k in err for k in exports.LISTS)
    assert cli("export", "roster", "--data-dir", root, "--out", str(out), "--month", "2026-11") == 2
    assert "不能按 --month 筛选" in capsys.readouterr().err
    assert cli("export", "leave", "--data-dir", root, "--out", str(out), "--unit", "无此单位") == 2
    assert "没有名为「无此单位」的单位" in capsys.readouterr().err
    assert cli("export", "allowance-lines", "--data-dir", root, "--out", str(out), "--month", "2026-13") == 2
    assert "不是有效的月份" in capsys.readouterr().err
    assert cli("export", "roster", "--data-dir", root, "--out", str(tmp_path / "x.csv")) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert cli("export", "roster", "--data-dir", str(tmp_path / "nothing"), "--out", str(out)) == 2
    assert "不存在，其中也没有数据库" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()
    (tmp_path / "empty").mkdir()
    assert cli("export", "roster", "--data-dir", str(tmp_path / "empty"), "--out", str(out)) == 2
    assert "没有找到数据库" in capsys.readouterr().err
    assert list((tmp_path / "empty").iterdir()) == []


def test_cli_help_lists_every_list(capsys):
    with pytest.raises(SystemExit):
        cli("export", "--help")
    text = capsys.readouterr().out
    flat = "".join(line.strip() for line in text.splitlines())   # argparse wraps at hyphens
    for key, spec in exports.LISTS.items():
        assert f"{key}（{spec.name}）" in flat
    assert "--confidential" in text


# ================================================================ 干部花名册: every field (issue 13)

def test_full_roster_has_every_field_month_dates_and_secrets_only_when_asked(demo_store, tmp_path, capsys):
    from carecenter.db.models import Cadre
    from carecenter.domain import roster as roster_rules

    someone = Cadre.select().where(Cadre.archived == False).order_by(Cadre.id).first()  # noqa: E712
    someone.work_start_date, someone.party_join_date = date(1985, 3, 1), date(2003, 7, 15)
    someone.notes = "家属长期住院，需多关心"
    someone.save()
    q = _roster_query(text=someone.id_number[-6:])
    plain = export_list("roster-full", tmp_path / "hmc.xlsx", q)
    got = rows_of(plain.path)
    header = got[0]
    labels = roster_rules.CADRE_LABELS
    must = ["出生日期", "参加工作时间", "到乡镇工作时间", "任现职时间", "入党时间", "全日制学历", "在职学历",
            "人员身份", "民族", "籍贯", "单位", "职务", "职级", "联系电话"]
    assert all(m in header for m in must), header
    assert set(labels.values()) - {labels["notes"]} <= set(header)       # every field but 备注
    assert "备注" not in header                                            # sensitive: only when asked
    row = dict(zip(header, got[1]))
    assert row["姓名"] == someone.name and "********" in row["身份证号"]
    assert row["参加工作时间"] == "1985.03" and row["入党时间"] == "2003-07-15"   # month-only stays a month
    assert row["出生日期"] == datetime.combine(someone.birth_date, datetime.min.time())  # a real Excel date
    assert notes_of(plain.path)["列表"] == "干部花名册"
    assert "备注未导出" in notes_of(plain.path)["敏感信息"]

    full = export_list("roster-full", tmp_path / "hmc-full.xlsx", q, include_confidential=True)
    got = rows_of(full.path)
    row = dict(zip(got[0], got[1]))
    assert row["身份证号"] == someone.id_number and row["备注"] == "家属长期住院，需多关心"
    assert full.confidential

    # the command line: export roster --all-fields
    out = tmp_path / "cli.xlsx"
    assert cli("export", "roster", "--all-fields", "--data-dir", str(demo_store.root), "--out", str(out)) == 0
    said = capsys.readouterr().out
    assert "已导出干部花名册" in said
    cli_rows = rows_of(out)
    assert cli_rows[0] == header and len(cli_rows) - 1 == queries.roster_count(queries.RosterFilter())
    assert cli("export", "leave", "--all-fields", "--data-dir", str(demo_store.root), "--out", str(out)) == 2
    assert "--all-fields 只用于干部名册" in capsys.readouterr().err
