"""The registers as PDF (issue 5): 津贴补贴发放花名册 with per-unit and 大写 totals that match
the lines, 年休假统计表, 健康体检汇总表 with open follow-ups, 福利慰问登记表 with totals per fund;
empty periods and unknown kinds refused with a Chinese message."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from carecenter.db.database import db
from carecenter.db.models import PrintLog, Unit
from carecenter.domain.errors import DomainError
from carecenter.domain.money import format_yuan, to_capital
from carecenter.services import allowance, health, leave, printing
from carecenter.services.health import MentalInput

from .conftest import TODAY, YEAR
from .pdfcheck import assert_fonts_embedded, pages_text, reader, squash, text


def payout_month() -> date:
    return max(b["month"] for b in allowance.batches())


def month_lines(month: date, unit_name: str | None = None) -> list[tuple[str, str, int]]:
    sql = ("SELECT l.unit_name, c.name, l.amount_fen FROM allowance_line l JOIN allowance_batch b ON b.id = l.batch_id "
           "JOIN cadre c ON c.id = l.cadre_id WHERE b.month = ? AND l.archived = 0")
    params: list = [month.isoformat()]
    if unit_name:
        sql += " AND l.unit_name = ?"
        params.append(unit_name)
    return db.execute_sql(sql, params).fetchall()


def test_allowance_register_totals_match_the_lines(demo_db):
    month = payout_month()
    out = printing.register("allowance", f"{month:%Y-%m}")
    assert out.title == f"津贴补贴发放花名册（{month.year}年{month.month}月）"
    assert out.file_name == f"津贴补贴发放花名册_{month:%Y-%m}.pdf"
    body = text(out.pdf)
    lines = month_lines(month)
    assert lines
    for head in ("津贴补贴发放花名册", "序号", "姓名", "发放依据", "实发金额", "领款人签名", "经办人", "审核人", "负责人"):
        assert head in body, head
    people = {name for _u, name, _a in lines}
    for name in people:
        assert name in body
    by_unit: dict[str, int] = defaultdict(int)
    for unit, _name, amount in lines:
        by_unit[unit] += amount
    for unit, total in by_unit.items():
        assert f"单位：{unit}" in body
        assert f"本单位合计（大写）：人民币{to_capital(total)}" in body
    grand = sum(by_unit.values())
    assert f"合计（大写）：人民币{to_capital(grand)}" in body
    assert f"金额（小写）：￥{format_yuan(grand)}" in body and f"合计发放{len(people)}人" in body
    assert_fonts_embedded(out.pdf)
    width, height = reader(out.pdf).pages[0].mediabox.upper_right
    assert float(width) > float(height)           # A4 landscape
    assert round(float(width)) == 842


def test_allowance_register_for_one_unit(demo_db):
    month = payout_month()
    unit_name = month_lines(month)[0][0]
    unit = Unit.get(Unit.name == unit_name)
    out = printing.register("allowance", f"{month.year}年{month.month}月", unit_id=unit.id)
    body = text(out.pdf)
    mine = month_lines(month, unit_name)
    others = {name for u, name, _a in month_lines(month) if u != unit_name} - {n for _u, n, _a in mine}
    assert all(name in body for _u, name, _a in mine)
    assert not any(name in body for name in others)
    assert f"合计（大写）：人民币{to_capital(sum(a for _u, _n, a in mine))}" in body
    assert unit_name in out.title and out.file_name.endswith(f"_{unit_name}.pdf")


def test_draft_month_is_marked(demo_db):
    month = payout_month()
    assert allowance.month_status(month) == "草稿"
    body = text(printing.register("allowance", f"{month:%Y-%m}").pdf)
    assert "批次状态：草稿" in body and "尚未锁定" in body


def test_leave_register_lists_every_serving_cadre(demo_db):
    out = printing.register("leave", str(YEAR))
    body = text(out.pdf)
    rows = leave.annual_balances(YEAR)
    assert rows
    for head in ("年休假统计表", "应休", "上年顺延", "已休", "剩余", "说明"):
        assert head in body
    for r in rows:
        assert r.name in body
    entitled = sum(r.entitled for r in rows)
    taken = sum(r.taken for r in rows)
    assert f"共{len(rows)}人，应休合计{entitled}天" in body
    assert f"已休{taken}天" in body
    assert_fonts_embedded(out.pdf)


def test_health_register_with_open_followups_and_no_mental_data(demo_db):
    cid = db.execute_sql("SELECT id FROM cadre WHERE archived = 0 ORDER BY id LIMIT 1").fetchone()[0]
    health.save_mental(MentalInput(cid, "评估", date(YEAR, 4, 2), scale="PHQ-9", score=12, counsellor="李咨询师",
                                   consent_date=date(YEAR, 4, 1), consent_scope="心理健康评估"), today=TODAY)
    out = printing.register("health", str(YEAR))
    body = text(out.pdf)
    for head in ("健康体检汇总表", "一、体检情况（按单位）", "二、体检名单", "三、未关闭的异常随访", "体检覆盖率", "复查日期"):
        assert head in body
    checks = db.execute_sql("SELECT count(*) FROM health_check h JOIN cadre c ON c.id = h.cadre_id "
                            "WHERE h.archived = 0 AND c.archived = 0 AND h.check_date BETWEEN ? AND ?",
                            (f"{YEAR}-01-01", f"{YEAR}-12-31")).fetchone()[0]
    assert checks and f"体检{checks}人次" in body
    followups = [f for f in health.open_followups(TODAY) if f.check_date.year <= YEAR]
    assert f"未关闭的异常随访{len(followups)}项" in body
    for f in followups:
        assert f.item in body and f.name in body
    assert "PHQ" not in body and "李咨询师" not in body


def test_welfare_register_totals_per_fund(demo_db):
    out = printing.register("welfare", f"{YEAR}年")
    body = text(out.pdf)
    rows = db.execute_sql("SELECT funding_source, money_fen + goods_fen FROM welfare_record WHERE archived = 0 "
                          "AND record_date BETWEEN ? AND ?", (f"{YEAR}-01-01", f"{YEAR}-12-31")).fetchall()
    by_fund: dict[str, int] = defaultdict(int)
    for fund, amount in rows:
        by_fund[fund] += amount
    assert by_fund
    for fund, total in by_fund.items():
        assert f"{fund}小计（大写）：人民币{to_capital(total)}" in body
    grand = sum(by_fund.values())
    assert f"合计（大写）：人民币{to_capital(grand)}" in body
    assert f"全年慰问合计{len(rows)}人次，金额（小写）：￥{format_yuan(grand)}" in body
    assert_fonts_embedded(out.pdf)


def test_register_pages_numbered_and_logged(demo_db):
    out = printing.register("welfare", str(YEAR))
    pages = pages_text(out.pdf)
    assert len(pages) == out.pages > 1
    for n, page in enumerate(pages, 1):
        flat = squash(page)
        assert f"第{n}页共{len(pages)}页" in flat and f"核验码：{out.code}" in flat
        assert "内部资料" not in flat           # the confidential mark is for care records
    entry = PrintLog.get(PrintLog.code == out.code)
    assert (entry.kind, entry.period, entry.subject) == ("welfare", f"{YEAR}年度", "全部单位")
    v = printing.verify(out.code)
    assert v.current and v.kind == "福利慰问登记表"


def test_register_goes_out_of_date_when_a_line_changes(demo_db):
    month = payout_month()
    out = printing.register("allowance", f"{month:%Y-%m}")
    assert printing.verify(out.code).current
    line = allowance.batch_lines(month)[0]
    allowance.adjust_line(line["id"], line["amount_fen"] + 100, "核定有误")
    v = printing.verify(out.code)
    assert v.found and not v.current and "已不是最新" in v.message


@pytest.mark.parametrize("kind, period", [("allowance", "2001-01"), ("leave", "1950"), ("health", "2001"),
                                          ("welfare", "2001")])
def test_empty_period_is_refused(demo_db, kind, period):
    with pytest.raises(DomainError) as err:
        printing.register(kind, period)
    assert "没有可打印的记录" in err.value.message and err.value.field == "period"


@pytest.mark.parametrize("kind, period, words", [
    ("bogus", "2025", "没有“bogus”这种登记表"),
    ("allowance", "2025", "请填写月份"),
    ("allowance", "2025-13", "请填写月份"),
    ("leave", "2025-11", "请填写年度"),
])
def test_unknown_kind_or_malformed_period(demo_db, kind, period, words):
    with pytest.raises(DomainError) as err:
        printing.register(kind, period)
    assert words in err.value.message
