"""Importing each service's history from .xlsx (issue 6 §1–2): leave, health checks,
allowance payments and welfare visits, judged by the services' own rules,
including against earlier rows of the same file, with conflicts against the
database listed by row and column."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carecenter.app import seed_rule_tables
from carecenter.db.models import (AllowanceBatch, AllowanceLine, AuditLog, HealthCheck, HealthFinding, LeaveRecord,
                                  WelfareRecord)
from carecenter.domain.errors import DomainError
from carecenter.exchange import importer
from carecenter.services import allowance, health, leave
from tests.exchange.test_importer_support import roster_people, snapshot, workbook


@pytest.fixture
def people(unit):
    seed_rule_tables()
    return roster_people(unit)


def run(path, kind, sheet="Sheet1"):
    pre = importer.preview(path, sheet, kind, importer.detect(path, sheet, kind))
    return pre


def problems(pre):
    return {(p.row, p.column, p.field): p.reason for p in pre.problems}


# ---------------------------------------------------------------- leave

def test_leave_history(people, tmp_path):
    wang, li = people["王伟"], people["李娜"]
    existing = leave.save_leave(leave.LeaveInput(cadre_id=_cid(wang), type_code="annual",
                                                 start_date=date(2024, 3, 4), end_date=date(2024, 3, 5)))
    path = workbook(tmp_path / "休假.xlsx", [
        ["2024年干部休假登记表"],
        ["序号", "姓名", "身份证号码", "请假类型", "起始日期", "截止日期", "天数", "审批人", "备注"],
        [1, "王伟", wang, "年假", "2024.5.6", "2024.5.10", 5, "张书记", None],
        [2, "王伟", wang, "年休假", "2024-05-09", "2024-05-13", None, None, None],    # overlaps row 3
        [3, "王伟", wang, "事假", "2024年3月5日", "2024年3月5日", 1, None, None],      # overlaps the database
        [4, "李娜", li, "病假", "20240617", "20240619", 2, None, None],                  # 3 days
        [5, "李娜", None, "婚假", "2024-07-01", "2024-07-03", None, None, None],          # by name
        [6, "张强", li, "事假", "2024-08-01", "2024-08-01", None, None, None],            # name ≠ ID
        [7, "赵六", None, "事假", "2024-08-01", "2024-08-01", None, None, None],          # not in the roster
        [8, "王伟", wang, "调休", "2024-08-01", "2024-08-01", None, None, None],          # unknown type
        [9, "王伟", wang, "年休假", "2024-06-30", "2024-06-01", None, None, None],        # end before start
        [10, "王伟", wang, "年休假", "2024-09-02", "2024-09-30", None, None, None],       # over the balance
        ["合计"],
    ], merges=["A1:I1"])
    pre = run(path, "leave")
    got = problems(pre)
    assert pre.rows_total == 10 and pre.valid_count == 2 and pre.creates == 2
    assert "重叠" in got[(4, "E", "开始日期")] or any("重叠" in r for (row, _c, _f), r in got.items() if row == 4)
    assert any("重叠" in r for (row, _c, _f), r in got.items() if row == 5)
    assert "3 天不一致" in got[(6, "G", "天数")]
    assert "张强" in got[(8, "B", "姓名")] and "李娜" in got[(8, "B", "姓名")]
    assert "没有名为「赵六」" in got[(9, "B", "姓名")]
    assert "调休" in got[(10, "D", "假别")] and "年休假" in got[(10, "D", "假别")]
    assert any(row == 11 for row, _c, _f in got)
    assert "超出说明" in got[(12, "", "超出说明")] and "剩余" in got[(12, "", "超出说明")]
    assert LeaveRecord.select().count() == 1          # the preview wrote nothing
    result = importer.run_import(pre)
    assert (result.created, result.updated) == (2, 0)
    rows = sorted((r.cadre.name, r.type_code, r.start_date, r.days) for r in LeaveRecord.select()
                  if r.id != existing)
    assert rows == [("李娜", "marriage", date(2024, 7, 1), Decimal(3)), ("王伟", "annual", date(2024, 5, 6), Decimal(5))]
    assert LeaveRecord.get(LeaveRecord.type_code == "annual", LeaveRecord.start_date == date(2024, 5, 6)).approver == "张书记"


def test_leave_with_half_days_status_and_reason(people, tmp_path):
    wang = people["王伟"]
    path = workbook(tmp_path / "l.xlsx", [
        ["身份证号", "假别", "开始日期", "开始时段", "结束日期", "结束时段", "状态", "超出说明"],
        [wang, "年休假", "2024-05-06", "下午", "2024-05-07", "上午", "已销假", None],
        [wang, "年休假", "2024-09-02", None, "2024-09-30", None, "批准", "经党委研究同意跨月休假"],
        [wang, "年休假", "2024-11-04", "中午", "2024-11-04", None, "待定", None],
    ])
    pre = run(path, "leave")
    got = problems(pre)
    assert set(got) == {(4, "D", "开始时段"), (4, "G", "状态")}
    importer.run_import(pre)
    first = LeaveRecord.get(LeaveRecord.start_date == date(2024, 5, 6))
    assert (first.start_half, first.end_half, first.days, first.status) == (True, True, Decimal(1), "已销假")
    second = LeaveRecord.get(LeaveRecord.start_date == date(2024, 9, 2))
    assert second.over_balance_reason == "经党委研究同意跨月休假" and second.status == "已批准"


# ---------------------------------------------------------------- health

def test_health_history(people, tmp_path):
    wang, li = people["王伟"], people["李娜"]
    health.save_check(health.CheckInput(cadre_id=_cid(li), check_date=date(2023, 4, 1), package="常规体检"))
    path = workbook(tmp_path / "体检.xlsx", [
        ["姓名", "身份证号", "体检时间", "体检类别", "体检医院", "体检结论", "异常项目", "分级", "复查日期"],
        ["王伟", wang, "2024.04.18", None, "县人民医院", "血压偏高", "血压", "B类", "2024.07.18"],
        ["王伟", wang, "2024-04-18", "常规体检", None, None, None, None, None],          # same check again
        ["李娜", li, "2023-04-01", "常规体检", None, None, None, None, None],            # already in the database
        ["李娜", li, "2023-04-01", "两癌筛查", None, "未见异常", None, None, None],
        ["张强", people["张强"], "2099-01-01", None, None, None, None, None, None],      # in the future
        ["张强", people["张强"], "2024-05-01", None, None, None, "肺部CT", "C", None],   # bad level
    ])
    pre = run(path, "health")
    got = problems(pre)
    assert "与第2行重复" in got[(3, "C", "体检日期")]
    assert "已有「常规体检」体检记录" in got[(4, "C", "体检日期")]
    assert "晚于今天" in got[(6, "C", "体检日期")]
    assert "分级" in got[(7, "H", "异常分级")]
    assert pre.valid_count == 2
    importer.run_import(pre)
    check = HealthCheck.get(HealthCheck.check_date == date(2024, 4, 18))
    assert (check.package, check.institution, check.conclusion) == ("常规体检", "县人民医院", "血压偏高")
    finding = HealthFinding.get(HealthFinding.check == check.id)
    assert (finding.item, finding.level, finding.recheck_due) == ("血压", "B", date(2024, 7, 18))
    assert HealthCheck.select().where(HealthCheck.package == "两癌筛查").count() == 1


# ---------------------------------------------------------------- welfare

def test_welfare_history(people, tmp_path):
    wang, li = people["王伟"], people["李娜"]
    path = workbook(tmp_path / "慰问.xlsx", [
        ["慰问对象", "身份证号", "慰问类别", "走访日期", "慰问金（元）", "慰问品", "物品价值（元）", "经费来源", "走访领导", "超出说明"],
        ["王伟", wang, "生病住院", "2024-03-10", "800.00", None, None, "工会经费", "镇党委书记 王某", None],
        ["李娜", li, "生日", "2024-05-01", 200, None, None, "工会经费", None, None],
        ["李娜", li, "生日慰问", "2024-05-20", 200, None, None, "工会经费", None, None],         # again this year
        ["张强", people["张强"], "春节", "2024-02-01", 500, None, None, "工会经费", None, None],  # festival cash
        ["张强", people["张强"], "春节慰问", "2024-02-02", None, "大米一袋", 150, "工会经费", None, None],
        ["王伟", wang, "乔迁", "2024-06-01", 100, None, None, "工会经费", None, None],            # unknown occasion
        ["王伟", wang, "生日", "2024-06-01", "五百", None, None, "工会经费", None, None],         # not an amount
    ])
    pre = run(path, "welfare")
    got = problems(pre)
    assert any(row == 4 and "超出说明" in reason for (row, _c, _f), reason in got.items())
    assert "不得发放现金" in got[(5, "E", "慰问金")]
    assert "乔迁" in got[(7, "C", "慰问事由")]
    assert (8, "E", "慰问金") in got
    assert pre.valid_count == 3
    importer.run_import(pre)
    records = sorted((r.cadre.name, r.occasion, r.money_fen, r.goods_fen) for r in WelfareRecord.select())
    assert records == [("张强", "festival_spring", 0, 15000), ("李娜", "birthday", 20000, 0),
                       ("王伟", "illness", 80000, 0)]
    assert WelfareRecord.get(WelfareRecord.occasion == "illness").visitors == "镇党委书记 王某"


# ---------------------------------------------------------------- allowance

def test_allowance_history_into_monthly_batches(people, tmp_path):
    wang, li, zhang = people["王伟"], people["李娜"], people["张强"]
    path = workbook(tmp_path / "津贴.xlsx", [
        ["乡镇工作补贴发放表"],
        ["姓名", "身份证号", "发放年月", "艰苦边远地区津贴", "乡镇工作补贴", "档次"],
        ["王伟", wang, "2024.03", None, 260, "满10年不满15年"],
        ["李娜", li, "2024年3月", 300.5, "200", None],
        ["张强", zhang, 202403, None, "200元", None],
        ["王伟", wang, "2024-03", None, 260, None],          # duplicate of row 3
        ["王伟", wang, "2024.04", None, None, None],          # no amount
        ["李娜", li, "2099.01", None, 200, None],              # future month
        ["合计", None, None, 300.5, 660],
    ], merges=["A1:F1"])
    pre = run(path, "allowance")
    got = problems(pre)
    assert "与第3行重复" in got[(6, "E", "乡镇工作补贴")]
    assert "没有金额" in next(r for (row, _c, _f), r in got.items() if row == 7)
    assert "晚于本月" in got[(8, "C", "发放月份")]
    assert pre.valid_count == 3 and pre.creates == 4
    importer.run_import(pre)
    batch = AllowanceBatch.get(AllowanceBatch.month == date(2024, 3, 1))
    assert batch.status == "草稿" and batch.total_fen == 26000 + 30050 + 20000 + 20000
    lines = sorted((ln.cadre.name, ln.scheme, ln.amount_fen) for ln in AllowanceLine.select())
    assert lines == [("张强", "township", 20000), ("李娜", "hardship", 30050), ("李娜", "township", 20000),
                     ("王伟", "township", 26000)]
    assert allowance.batch_info(date(2024, 3, 1))["lines"] == 4
    # the same people again: already paid that month
    again = run(path, "allowance")
    assert any("请勿重复导入" in p.reason for p in again.problems if p.row == 3)
    # a locked month refuses rows
    allowance.lock_month(date(2024, 3, 1))
    path2 = workbook(tmp_path / "津贴2.xlsx", [
        ["身份证号", "月份", "津贴项目", "金额"],
        [zhang, "2024.03", "艰苦边远地区津贴", 100],
        [zhang, "2024.05", "艰边津贴", 100],
        [zhang, "2024.05", "交通补贴", 100],
    ])
    pre2 = run(path2, "allowance")
    got2 = problems(pre2)
    assert "已锁定" in got2[(2, "B", "发放月份")] and "补发或扣减" in got2[(2, "B", "发放月份")]
    assert "交通补贴" in got2[(4, "C", "津贴项目")]
    before = AuditLog.select().count()
    importer.run_import(pre2)
    may = AllowanceBatch.get(AllowanceBatch.month == date(2024, 5, 1))
    assert may.status == "草稿" and may.total_fen == 10000
    assert AllowanceBatch.get(AllowanceBatch.month == date(2024, 3, 1)).total_fen == 96050
    assert AuditLog.select().count() > before


def test_history_rows_need_an_id_or_a_name(people, tmp_path):
    path = workbook(tmp_path / "x.xlsx", [["假别", "开始日期", "结束日期"], ["事假", "2024-08-01", "2024-08-01"]])
    with pytest.raises(DomainError) as exc:
        run(path, "leave")
    assert "身份证号" in exc.value.message


def test_preview_of_history_writes_nothing_and_cancel_rolls_back(people, tmp_path):
    wang = people["王伟"]
    rows = [["身份证号", "慰问事由", "慰问日期", "慰问金", "经费来源"]]
    rows += [[wang, "生病住院慰问", f"2024-{m:02d}-10", 100, "工会经费"] for m in range(1, 11)]
    path = workbook(tmp_path / "w.xlsx", rows)
    before = snapshot()
    pre = run(path, "welfare")
    assert snapshot() == before and pre.valid_count == 10
    ticks = []

    def cancelled():
        ticks.append(WelfareRecord.select().count())
        return WelfareRecord.select().count() >= 5
    with pytest.raises(importer.Cancelled):
        importer.run_import(pre, cancelled=cancelled)
    assert snapshot() == before and max(ticks) >= 5
    importer.run_import(pre)
    assert WelfareRecord.select().count() == 10


def _cid(number: str) -> int:
    from carecenter.db.models import Cadre

    return Cadre.get(Cadre.id_number == number).id
