"""个人关心关爱档案 as PDF (issue 5): opened with pypdf — the Chinese text is extractable,
the CJK font embedded, pages numbered per record, the ID number masked, mental-health
records absent unless ticked in, and the verification code resolves to the print log."""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.db.database import db
from carecenter.db.models import AuditLog, Cadre, MentalRecord, PrintLog, TalkRecord, WelfareRecord
from carecenter.domain.errors import DomainError
from carecenter.domain.money import format_yuan, to_capital
from carecenter.services import health, printing
from carecenter.services.health import MentalInput

from .conftest import TODAY, YEAR
from .pdfcheck import assert_fonts_embedded, pages_text, squash, text

START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)


def busiest_cadre() -> Cadre:
    """The cadre with the most allowance lines, welfare visits and leave in YEAR."""
    row = db.execute_sql(
        "SELECT c.id FROM cadre c WHERE c.archived = 0 ORDER BY "
        "(SELECT count(*) FROM allowance_line l WHERE l.cadre_id = c.id) * 10 "
        "+ (SELECT count(*) FROM welfare_record w WHERE w.cadre_id = c.id) "
        "+ (SELECT count(*) FROM leave_record r WHERE r.cadre_id = c.id) DESC, c.id LIMIT 1").fetchone()
    return Cadre.get_by_id(row[0])


def add_mental(cadre_id: int, summary: str = "睡眠问题咨询，建议规律作息") -> None:
    health.save_mental(MentalInput(cadre_id, "咨询", date(YEAR, 5, 10), counsellor="王心理咨询师",
                                   summary=summary, consent_date=date(YEAR, 5, 1),
                                   consent_scope="心理咨询及记录"), today=TODAY)


def test_record_text_headings_amounts_and_capital_total(demo_db):
    cadre = busiest_cadre()
    out = printing.care_record(cadre.id, START, END)
    assert out.pdf.startswith(b"%PDF")
    assert out.title == f"个人关心关爱档案（{cadre.name}，{YEAR}年度）"
    assert out.file_name == f"个人关心关爱档案_{cadre.name}_{YEAR}.pdf"
    body = text(out.pdf)
    for heading in ("个人关心关爱档案", f"（{YEAR}年度）", "一、基本情况", "二、健康体检", "三、请休假", "四、津贴补贴",
                    "五、走访慰问", "六、谈心谈话", "七、小结", "经办人", "审核人"):
        assert heading in body, heading
    assert cadre.name in body and cadre.unit.name in body
    lines = db.execute_sql(
        "SELECT l.amount_fen FROM allowance_line l JOIN allowance_batch b ON b.id = l.batch_id "
        "WHERE l.cadre_id = ? AND l.archived = 0 AND b.month >= ? AND b.month <= ?",
        (cadre.id, START.isoformat(), END.isoformat())).fetchall()
    assert lines, "the demo pays this cadre an allowance"
    for (amount,) in lines:
        assert format_yuan(amount) in body
    total = sum(a for (a,) in lines)
    assert f"大写：人民币{to_capital(total)}" in body          # the table's total row
    assert f"合计{format_yuan(total)}元（人民币{to_capital(total)}）" in body   # the summary
    visits = WelfareRecord.select().where((WelfareRecord.cadre == cadre.id) & (WelfareRecord.record_date >= START)
                                          & (WelfareRecord.record_date <= END)).count()
    assert f"接受走访慰问{visits}次" in body
    assert_fonts_embedded(out.pdf)


def test_id_number_masked_never_the_middle_digits(demo_db):
    for cadre in Cadre.select().limit(8):
        out = printing.care_record(cadre.id, START, END)
        body = text(out.pdf)
        number = cadre.id_number
        assert f"{number[:6]}********{number[14:]}" in body
        assert number not in body
        assert number[6:14] not in body


def test_multi_page_record_is_numbered_and_marked_on_every_page(demo_db):
    cadre = busiest_cadre()
    for i in range(45):   # enough talks to run over several pages
        TalkRecord.create(cadre=cadre.id, talk_date=date(YEAR, 1 + i % 12, 1 + i % 28), talker="镇党委书记",
                          trigger="日常谈心", gist=f"第{i + 1}次谈话：了解工作和家庭情况，鼓励其安心基层工作。" * 3)
    printing.set_unit_name("青田县城关镇公务员关心关爱中心")
    out = printing.care_record(cadre.id, START, END)
    pages = pages_text(out.pdf)
    assert len(pages) == out.pages >= 3
    for n, page in enumerate(pages, 1):
        flat = squash(page)
        assert f"第{n}页共{len(pages)}页" in flat
        assert f"核验码：{out.code}" in flat
        assert "内部资料注意保密" in flat
        assert "打印单位：青田县城关镇公务员关心关爱中心" in flat
        assert f"打印日期：{date.today().year}年" in flat
    # the talks table's header is repeated on the pages it runs over
    talk_pages = [p for p in pages if "第20次谈话" in squash(p) or "第40次谈话" in squash(p)]
    assert all("谈话日期" in squash(p) and "谈话要点" in squash(p) for p in talk_pages)
    assert "谈心谈话45次" in text(out.pdf)


def test_mental_records_absent_unless_ticked_in(demo_db):
    cadre = busiest_cadre()
    add_mental(cadre.id)
    plain = text(printing.care_record(cadre.id, START, END).pdf)
    assert "心理健康" not in plain and "睡眠问题咨询" not in plain and "王心理咨询师" not in plain

    with pytest.raises(DomainError) as err:
        printing.care_record(cadre.id, START, END, include_mental=True)
    assert err.value.field == "purpose" and "用途" in err.value.message
    before = AuditLog.select().where((AuditLog.table == "mental_record") & (AuditLog.action == "view")).count()

    out = printing.care_record(cadre.id, START, END, include_mental=True, purpose="心理健康随访建档")
    body = text(out.pdf)
    assert "包含心理健康保密记录（打印用途：心理健康随访建档）" in body
    assert "八、心理健康（保密）" not in body and "心理健康（保密）" in body
    assert "睡眠问题咨询，建议规律作息" in body and "王心理咨询师" in body
    views = AuditLog.select().where((AuditLog.table == "mental_record") & (AuditLog.action == "view"))
    assert views.count() == before + 1
    assert "心理健康随访建档" in views.order_by(AuditLog.id.desc()).get().summary
    # the audit row names the purpose, never the content
    assert "睡眠" not in views.order_by(AuditLog.id.desc()).get().summary


def test_verification_code_resolves_to_the_print_log_entry(demo_db):
    cadre = busiest_cadre()
    out = printing.care_record(cadre.id, START, END)
    assert out.code in squash(pages_text(out.pdf)[0])
    entry = PrintLog.get(PrintLog.code == out.code)
    assert (entry.kind, entry.subject, entry.title, entry.pages) == ("care_record", cadre.name, out.title, out.pages)
    for typed in (out.code, out.code.lower(), out.code.replace("-", ""), " ".join(out.code.lower())):
        v = printing.verify(typed)
        assert v.found and v.current and v.code == out.code and v.title == out.title
        assert v.content_hash == entry.content_hash and v.printed_by == entry.printed_by
        assert "内容与当前数据一致" in v.message and out.title in v.message
    # a visit recorded afterwards makes the paper copy out of date
    WelfareRecord.create(cadre=cadre.id, occasion="birthday", record_date=date(YEAR, 3, 3), money_fen=0,
                         goods="生日蛋糕券", goods_fen=20000, funding_source="工会经费", visitors="工会干事")
    v = printing.verify(out.code)
    assert v.found and not v.current and "已不是最新" in v.message
    # a change outside the period does not
    again = printing.care_record(cadre.id, START, END)
    WelfareRecord.create(cadre=cadre.id, occasion="birthday", record_date=date(YEAR + 1, 3, 3), money_fen=0,
                         goods="生日蛋糕券", goods_fen=20000, funding_source="工会经费", visitors="工会干事")
    assert printing.verify(again.code).current


def test_ticked_in_mental_print_verifies_and_changes_with_the_records(demo_db):
    cadre = busiest_cadre()
    add_mental(cadre.id)
    out = printing.care_record(cadre.id, START, END, include_mental=True, purpose="随访")
    assert printing.verify(out.code).current
    MentalRecord.update(summary="已更正的摘要").where(MentalRecord.cadre == cadre.id).execute()
    assert not printing.verify(out.code).current


def test_period_not_a_full_year_and_bad_input(demo_db):
    cadre = busiest_cadre()
    out = printing.care_record(cadre.id, date(YEAR, 3, 1), date(YEAR, 8, 31))
    assert f"{YEAR}年3月1日至{YEAR}年8月31日" in out.title
    assert out.file_name.endswith(f"_{YEAR}0301-{YEAR}0831.pdf")
    with pytest.raises(DomainError) as err:
        printing.care_record(cadre.id, END, START)
    assert "起始日期不能晚于截止日期" in err.value.message
    with pytest.raises(DomainError) as err:
        printing.care_record(999999, START, END)
    assert "未找到该干部" in err.value.message


def test_screenshot_of_a_care_record_page(demo_db, tmp_path):
    """The rendered first page has ink where the title and the tables are (not a blank page)."""
    import pypdfium2 as pdfium

    out = printing.care_record(busiest_cadre().id, START, END)
    page = pdfium.PdfDocument(out.pdf)[0]
    image = page.render(scale=0.5).to_pil().convert("L")
    width, height = image.size
    top = image.crop((0, 0, width, height // 4)).histogram()
    assert sum(top[:100]) > 200                 # dark text in the title area
    assert sum(image.histogram()[:128]) > 2000


def test_a_note_longer_than_a_page_continues_on_the_next(demo_db):
    cadre = busiest_cadre()
    gist = "".join(f"第{i}段：谈心谈话要点，了解思想、工作和家庭情况，鼓励担当作为。" for i in range(60))[:1990] + "（完）"
    TalkRecord.create(cadre=cadre.id, talk_date=date(YEAR, 4, 1), talker="镇党委书记", trigger="日常谈心", gist=gist)
    out = printing.care_record(cadre.id, START, END)
    body = text(out.pdf)
    # all of it, in order, across the rows (and pages) it was split into
    marks = [body.find(f"第{i}段：") for i in range(60)] + [body.find("鼓励担当作为。（完）")]
    assert -1 not in marks and marks == sorted(marks)
    assert out.pages >= 3
