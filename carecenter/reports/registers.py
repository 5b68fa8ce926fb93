"""The registers: 津贴补贴发放花名册 (a month), 年休假统计表, 健康体检汇总表,
福利慰问登记表 and, in the county edition, 乡镇公务员关心关爱工作汇总表 (a year).  Plain data in (``services.print_data``), a PDF out.

Money registers carry totals per unit / per fund and the grand total in 大写,
and the 经办人 / 审核人 / 负责人 block.  Mental-health data never appears here.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.platypus import KeepTogether, Paragraph

from ..domain.money import sum_fen
from ..services import print_format as fmt
from ..services.print_data import (AllowanceRegisterData, CountyRegisterData, Furniture, HealthRegisterData,
                                   LeaveRegisterData, WelfareRegisterData)
from .styles import (SUBTOTAL_BG, Plain, Styles, fit, heading, info_line, signatures, styles, subheading,
                     table)
from .templates import GroupStart, render_bytes, text_width

SIGN_ROLES = ("经办人", "审核人", "负责人")
WIDE = {"allowance": True, "welfare": True, "leave": False, "health": False, "county": True}


def _widths(width: float, parts: list[float]) -> list[float]:
    total = sum(parts)
    return [width * p / total for p in parts]


def _head(st: Styles, title: str, sub: str, *info: str) -> list:
    return [Paragraph(title, st.title), Paragraph(f"（{sub}）", st.subtitle), info_line(st, *info)]


def _signatures(st: Styles, wide: bool, before: list | None = None) -> KeepTogether:
    """The closing total (when given) kept on one page with the signature block."""
    return signatures(st, text_width(wide) * (0.75 if wide else 1), SIGN_ROLES, before=before)


def _row_band(row: int, color) -> list[tuple]:
    return [("BACKGROUND", (0, row), (-1, row), color)]


def _span(row: int, first: int = 0, last: int = -1) -> list[tuple]:
    return [("SPAN", (first, row), (last, row))]


# ---------------------------------------------------------------- 津贴补贴发放花名册

def allowance(data: AllowanceRegisterData, st: Styles) -> list:
    width = text_width(True)
    widths = _widths(width, [10, 16, 20, 20, 17, 20, 110, 30])
    count = sum(len(u.people) for u in data.units)
    draft = data.status != "已锁定"
    out = _head(st, "津贴补贴发放花名册", fmt.cn_month(data.month),
                f"发放范围：{data.scope}", f"批次状态：{data.status}", f"发放人数：{count} 人", "金额单位：元")
    if draft:
        out.append(Paragraph("本月发放批次尚未锁定（草稿），金额以锁定后的花名册为准。", st.notice))
    header = ["序号", "姓名", "艰苦边远地区津贴", "乡镇工作补贴", "补发/扣减", "实发金额", "发放依据", "领款人签名"]
    align = {0: "CENTER", 1: "CENTER", 2: "RIGHT", 3: "RIGHT", 4: "RIGHT", 5: "RIGHT"}
    grand = {"hardship": 0, "township": 0, "correction": 0}
    # one table per unit (no spanned rows: spans make long tables slow to split across pages)
    for unit in data.units:
        out += subheading(st, f"单位：{unit.unit}（{len(unit.people)} 人）")
        rows: list[list[Any]] = []
        for i, p in enumerate(unit.people, 1):
            rows.append([str(i), p.name, fmt.yuan(p.hardship_fen) if p.hardship_fen else "",
                         fmt.yuan(p.township_fen) if p.township_fen else "",
                         fmt.yuan(p.correction_fen) if p.correction_fen else "", fmt.yuan(p.total_fen),
                         fit(st, p.basis, widths[6], st.cell_small), ""])
        h = sum_fen(p.hardship_fen for p in unit.people)
        t = sum_fen(p.township_fen for p in unit.people)
        c = sum_fen(p.correction_fen for p in unit.people)
        grand["hardship"] += h
        grand["township"] += t
        grand["correction"] += c
        rows.append(["", "小计", fmt.yuan(h), fmt.yuan(t), fmt.yuan(c), fmt.yuan(h + t + c),
                     f"本单位合计（大写）：{fmt.capital(h + t + c)}", ""])
        out.append(table(st, header, rows, widths, align=align, extra=[
            ("TOPPADDING", (0, 1), (-1, -2), 5), ("BOTTOMPADDING", (0, 1), (-1, -2), 5)]
            + _row_band(len(rows), SUBTOTAL_BG)))
    total = grand["hardship"] + grand["township"] + grand["correction"]
    out += subheading(st, "总计")
    out.append(table(st, header[:-1] + [""], [[
        "", f"{count} 人", fmt.yuan(grand["hardship"]), fmt.yuan(grand["township"]), fmt.yuan(grand["correction"]),
        fmt.yuan(total), f"合计（大写）：{fmt.capital(total)}", ""]], widths, align=align,
        extra=_row_band(1, SUBTOTAL_BG) + [("FONT", (0, 1), (-1, 1), st.fonts.hei, 9, 12)]))
    out.append(_signatures(st, True, [Paragraph(
        f"合计发放 {count} 人，金额（小写）：￥{fmt.yuan(total)}，（大写）：{fmt.capital(total)}", st.sign)]))
    return out


# ---------------------------------------------------------------- 年休假统计表

def leave(data: LeaveRegisterData, st: Styles) -> list:
    width = text_width(False)
    out = _head(st, "年休假统计表", f"{data.year}年度",
                f"统计范围：{data.scope}（在职干部）", f"人数：{len(data.rows)} 人", "单位：天")
    widths = _widths(width, [9, 29, 14, 9, 15, 9, 9, 60])
    rows: list[list[Any]] = []
    for i, r in enumerate(data.rows, 1):
        rows.append([str(i), r.unit, r.name, fmt.days(r.entitled), fmt.days(r.deferred_in), fmt.days(r.taken),
                     fmt.days(r.remaining), fit(st, r.reason, widths[7], st.cell_small)])
    ent = sum((r.entitled for r in data.rows), Decimal(0))
    dfr = sum((r.deferred_in for r in data.rows), Decimal(0))
    taken = sum((r.taken for r in data.rows), Decimal(0))
    rem = sum((r.remaining for r in data.rows), Decimal(0))
    rows.append(["", "合计", f"{len(data.rows)} 人", fmt.days(ent), fmt.days(dfr), fmt.days(taken), fmt.days(rem), ""])
    out.append(table(st, ["序号", "单位", "姓名", "应休", "上年顺延", "已休", "剩余", "说明"], rows,
                     widths,
                     align={0: "CENTER", 2: "CENTER", 3: "CENTER", 4: "CENTER", 5: "CENTER", 6: "CENTER"},
                     extra=_row_band(len(rows), SUBTOTAL_BG)))
    eligible = [r for r in data.rows if r.entitled + r.deferred_in > 0]
    none_taken = sum(1 for r in eligible if r.taken == 0)
    not_done = sum(1 for r in eligible if r.remaining > 0)
    out.append(Paragraph(
        f"共 {len(data.rows)} 人，应休合计 {fmt.days(ent)} 天（另有上年顺延 {fmt.days(dfr)} 天），已休 {fmt.days(taken)} 天，"
        f"剩余 {fmt.days(rem)} 天；有年休假的 {len(eligible)} 人中，尚未休假 {none_taken} 人，未休完 {not_done} 人。",
        st.body))
    out.append(_signatures(st, False))
    return out


# ---------------------------------------------------------------- 健康体检汇总表

def health(data: HealthRegisterData, st: Styles) -> list:
    width = text_width(False)
    out = _head(st, "健康体检汇总表", f"{data.year}年度",
                f"统计范围：{data.scope}", f"体检 {len(data.checks)} 人次", f"未关闭的异常随访 {len(data.followups)} 项")
    out += heading(st, "一、体检情况（按单位）")
    rows: list[list[Any]] = []
    for u in data.units:
        rows.append([u.unit, str(u.serving), str(u.checked), fmt.percent(u.checked, u.serving), str(u.checks),
                     str(u.level_a), str(u.level_b)])
    serving = sum(u.serving for u in data.units)
    checked = sum(u.checked for u in data.units)
    rows.append(["合计", str(serving), str(checked), fmt.percent(checked, serving),
                 str(sum(u.checks for u in data.units)), str(sum(u.level_a for u in data.units)),
                 str(sum(u.level_b for u in data.units))])
    out.append(table(st, ["单位", "在职人数", "已检人数", "体检覆盖率", "体检人次", "A类异常", "B类异常"], rows,
                     _widths(width, [46, 14, 14, 17, 14, 13, 13]),
                     align={i: "CENTER" for i in range(1, 7)}, extra=_row_band(len(rows), SUBTOTAL_BG)))

    out += heading(st, "二、体检名单")
    if data.checks:
        rows = [[str(i), c.unit, c.name, fmt.ymd(c.check_date), c.package, c.institution, c.conclusion,
                 str(c.findings) if c.findings else "无"] for i, c in enumerate(data.checks, 1)]
        out.append(table(st, ["序号", "单位", "姓名", "体检日期", "体检项目", "体检机构", "总体结论", "异常"], rows,
                         _widths(width, [8, 30, 13, 19, 15, 27, 40, 8]),
                         align={0: "CENTER", 2: "CENTER", 3: "CENTER", 7: "CENTER"}))
    else:
        out.append(Paragraph("本年度无体检记录。", st.empty))

    out += heading(st, "三、未关闭的异常随访")
    if data.followups:
        rows = [[str(i), f.unit, f.name, fmt.ymd(f.check_date), f.item, f"{f.level}类", fmt.ymd(f.notified_date),
                 f.referral, fmt.ymd(f.recheck_due)] for i, f in enumerate(data.followups, 1)]
        out.append(table(st, ["序号", "单位", "姓名", "体检日期", "异常项目", "类别", "告知日期", "转诊", "复查日期"], rows,
                         _widths(width, [8, 28, 13, 19, 20, 9, 19, 24, 19]),
                         align={0: "CENTER", 2: "CENTER", 3: "CENTER", 5: "CENTER", 6: "CENTER", 8: "CENTER"}))
    else:
        out.append(Paragraph("截至目前没有未关闭的异常随访。", st.empty))
    out.append(Paragraph("注：心理健康评估和咨询记录属于敏感个人信息，不列入本表。", st.empty))
    out.append(_signatures(st, False))
    return out


# ---------------------------------------------------------------- 福利慰问登记表

def welfare(data: WelfareRegisterData, st: Styles) -> list:
    width = text_width(True)
    lines = sum(len(f.lines) for f in data.funds)
    out = _head(st, "福利慰问登记表", f"{data.year}年度",
                f"登记范围：{data.scope}", f"慰问 {lines} 人次", "金额单位：元")
    out += heading(st, "一、经费汇总")
    rows: list[list[Any]] = []
    show_budget = any(f.budget_fen is not None for f in data.funds)
    totals = []
    for f in data.funds:
        money = sum_fen(x.money_fen for x in f.lines)
        goods = sum_fen(x.goods_fen for x in f.lines)
        totals.append(money + goods)
        row = [f.fund, str(len(f.lines)), fmt.yuan(money), fmt.yuan(goods), fmt.yuan(money + goods)]
        if show_budget:
            row += [fmt.yuan(f.budget_fen) if f.budget_fen is not None else "未设预算",
                    fmt.yuan(f.budget_fen - money - goods) if f.budget_fen is not None else "—"]
        rows.append(row)
    grand = sum_fen(totals)
    money_all = sum_fen(x.money_fen for f in data.funds for x in f.lines)
    goods_all = sum_fen(x.goods_fen for f in data.funds for x in f.lines)
    last = ["合计", str(lines), fmt.yuan(money_all), fmt.yuan(goods_all), fmt.yuan(grand)]
    header = ["经费来源", "笔数", "慰问金", "物品折价", "合计"]
    parts = [40, 14, 26, 26, 26]
    if show_budget:
        last += ["", ""]
        header += ["年度预算", "预算剩余"]
        parts += [26, 26]
    rows.append(last)
    rows.append([Plain(f"合计（大写）：{fmt.capital(grand)}")] + [""] * (len(header) - 1))
    out.append(table(st, header, rows, _widths(width * (0.8 if show_budget else 0.62), parts),
                     align={i: "RIGHT" for i in range(1, len(header))},
                     extra=_row_band(len(rows) - 1, SUBTOTAL_BG) + _span(len(rows))
                     + _row_band(len(rows), SUBTOTAL_BG)))

    numbers = iter("二三四五六七八九十")
    widths = _widths(width, [8, 18, 36, 14, 20, 16, 40, 16, 17, 40])
    for f in data.funds:
        out += heading(st, f"{next(numbers, '')}、{f.fund}")
        rows = []
        for i, x in enumerate(f.lines, 1):
            rows.append([str(i), fmt.ymd(x.record_date), x.unit, x.name, x.occasion,
                         fmt.yuan(x.money_fen) if x.money_fen else "", x.goods,
                         fmt.yuan(x.goods_fen) if x.goods_fen else "", fmt.yuan(x.money_fen + x.goods_fen), x.visitors])
        money = sum_fen(x.money_fen for x in f.lines)
        goods = sum_fen(x.goods_fen for x in f.lines)
        rows.append(["", "小计", f"{len(f.lines)} 人次", "", "", fmt.yuan(money), "", fmt.yuan(goods),
                     fmt.yuan(money + goods), ""])
        out.append(table(st, ["序号", "日期", "单位", "姓名", "慰问事由", "慰问金", "慰问物品", "物品折价", "合计", "走访人"],
                         rows, widths, extra=_row_band(len(rows), SUBTOTAL_BG),
                         align={0: "CENTER", 1: "CENTER", 3: "CENTER", 5: "RIGHT", 7: "RIGHT", 8: "RIGHT"}))
        out.append(Paragraph(f"{fmt.text(f.fund)}小计（大写）：{fmt.capital(money + goods)}", st.info))
    out.append(_signatures(st, True, [Paragraph(
        f"全年慰问合计 {lines} 人次，金额（小写）：￥{fmt.yuan(grand)}，（大写）：{fmt.capital(grand)}", st.sign)]))
    return out


# ---------------------------------------------------------------- 乡镇公务员关心关爱工作汇总表 (the county edition)

def county(data: CountyRegisterData, st: Styles) -> list:
    """The county's register of a year: one row per township (as its current package
    reports it) and the 合计; allowances per month; welfare funds; totals in 大写."""
    width = text_width(True)
    rows_of = [*data.townships, data.total]
    out = _head(st, "乡镇公务员关心关爱工作汇总表", f"{data.year}年度",
                f"汇总单位：{data.county}", f"报送乡镇：{len(data.townships)} 个", "金额单位：元")
    out += heading(st, "一、主要指标（按乡镇）")
    header = ["序号", "乡镇", "数据截至", "在职干部", "艰苦边远地区干部", "应检人数", "已检人数", "体检覆盖率",
              "未结异常随访", "年休假应休（天）", "已休（天）", "未休人数", "津贴补贴发放", "走访艰苦边远地区干部"]
    rows: list[list[Any]] = []
    for i, t in enumerate(rows_of, 1):
        last = t is data.total
        rows.append(["" if last else str(i), t.name, "" if last else fmt.ymd(t.as_of), str(t.cadres),
                     str(t.hardship_cadres), str(t.health_due), str(t.health_done),
                     fmt.percent(t.health_done, t.health_due),
                     str(t.followups_open), fmt.days(t.leave_due_days), fmt.days(t.leave_taken_days),
                     str(t.leave_untaken_cadres), fmt.yuan(t.allowance_total_fen),
                     f"{t.hardship_visited}（{fmt.percent(t.hardship_visited, t.hardship_cadres)}）"])
    out.append(table(st, header, rows, _widths(width, [8, 22, 19, 11, 13, 11, 11, 13, 12, 14, 12, 11, 22, 20]),
                     align={i: "CENTER" if i in (0, 2) else "RIGHT" for i in range(0, 14) if i != 1},
                     extra=_row_band(len(rows), SUBTOTAL_BG)))

    out += heading(st, "二、津贴补贴发放（按月，已锁定的月份）")
    for first, last in ((1, 6), (7, 12)):
        months = list(range(first, last + 1))
        header = ["乡镇"] + [f"{m}月" for m in months] + (["全年合计"] if last == 12 else [])
        rows = []
        for t in rows_of:
            rows.append([t.name] + [fmt.yuan(t.allowance_by_month.get(m, 0)) for m in months]
                        + ([fmt.yuan(t.allowance_total_fen)] if last == 12 else []))
        out.append(table(st, header, rows, _widths(width, [22] + [18] * (len(header) - 1)),
                         align={i: "RIGHT" for i in range(1, len(header))}, extra=_row_band(len(rows), SUBTOTAL_BG)))
    total = data.total.allowance_total_fen
    out.append(Paragraph(f"全县津贴补贴发放合计（小写）：￥{fmt.yuan(total)}，（大写）：{fmt.capital(total)}", st.info))

    out += heading(st, "三、慰问经费（按经费来源）")
    rows = []
    for t in rows_of:
        for f in t.welfare_by_fund:
            rows.append([t.name, f.fund or "未填写经费来源", fmt.yuan(f.budget_fen) if f.budget_fen else "未设预算",
                         fmt.yuan(f.spent_fen), fmt.yuan(f.budget_fen - f.spent_fen) if f.budget_fen else "—",
                         fmt.percent(f.spent_fen, f.budget_fen) if f.budget_fen else "—"])
    spent = sum_fen(f.spent_fen for f in data.total.welfare_by_fund)
    first_total = len(rows) - len(data.total.welfare_by_fund) + 1
    out.append(table(st, ["乡镇", "经费来源", "年度预算", "已支出", "预算剩余", "执行率"], rows,
                     _widths(width * 0.8, [26, 24, 22, 22, 22, 14]), align={i: "RIGHT" for i in range(2, 6)},
                     extra=[("BACKGROUND", (0, first_total), (-1, -1), SUBTOTAL_BG)]))
    out.append(_signatures(st, True, [Paragraph(
        f"全县慰问经费支出合计（小写）：￥{fmt.yuan(spent)}，（大写）：{fmt.capital(spent)}；"
        f"津贴补贴发放合计（大写）：{fmt.capital(total)}", st.sign)]))
    out.append(Paragraph("注：各项指标由各乡镇按本乡镇的规则计算并签名报送，县里只作汇总；心理健康记录不列入本表。", st.empty))
    return out


BUILDERS = {"allowance": allowance, "leave": leave, "health": health, "welfare": welfare, "county": county}


def pdf(kind: str, data: Any, furniture: Furniture, *, title: str) -> tuple[bytes, int]:
    """The register as a complete PDF and its page count."""
    st = styles()
    key = 0
    flow = [GroupStart(key)] + BUILDERS[kind](data, st)
    body, counts = render_bytes(flow, {key: furniture}, wide=WIDE[kind], title=title, author=furniture.unit_name,
                                subject=title)
    return body, counts.get(key, 0)
