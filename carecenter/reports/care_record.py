"""个人关心关爱档案: one cadre over a period — basic information (ID number masked),
health checks and findings, leave balances and records, allowances, welfare visits,
heart-to-heart talks, (only when ticked in) confidential mental-health records,
and a closing summary.  Plain data in (``services.print_data.CareRecordData``), flowables out.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Hashable, Iterable

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Table, TableStyle

from ..domain.money import sum_fen
from ..services import print_format as fmt
from ..services.print_data import CareRecordData, Furniture
from .styles import GRID, LABEL_BG, SUBTOTAL_BG, Styles, fit, heading, signatures, styles, subheading, table
from .templates import GroupStart, render, render_bytes, text_width

TITLE = fmt.CARE_RECORD_TITLE
NUMERALS = "一二三四五六七八九十"
MENTAL_NOTICE = ("本档案经打印人勾选，包含心理健康保密记录（打印用途：{purpose}）。心理健康信息属于敏感个人信息，"
                 "仅限用途范围内使用，请妥善保管，不得复印、外传。")
EMPTY = "本期间无记录。"


title_of = fmt.care_record_title


def _basic(st: Styles, data: CareRecordData, width: float) -> Table:
    pairs = list(data.basic)
    if len(pairs) % 2:
        pairs.append(("", ""))
    label = 24 * mm
    value = (width - 2 * label) / 2
    rows = []
    for i in range(0, len(pairs), 2):
        (l1, v1), (l2, v2) = pairs[i], pairs[i + 1]
        rows.append([l1, fit(st, v1, value), l2, fit(st, v2, value)])
    t = Table(rows, colWidths=[label, value, label, value], hAlign="CENTER")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), st.fonts.song, 9, 12),
        ("FONT", (0, 0), (0, -1), st.fonts.hei, 9, 12),
        ("FONT", (2, 0), (2, -1), st.fonts.hei, 9, 12),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
        ("BACKGROUND", (2, 0), (2, -1), LABEL_BG),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("ALIGN", (2, 0), (2, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return t


def _widths(width: float, parts: list[float]) -> list[float]:
    total = sum(parts)
    return [width * p / total for p in parts]


def story(data: CareRecordData, key: Hashable, st: Styles | None = None) -> list:
    """The flowables of one care record (its first one marks the group for the footer)."""
    st = st or styles()
    width = text_width(False)
    out: list = [GroupStart(key), Paragraph(TITLE, st.title),
                 Paragraph(f"（{fmt.period_text(data.start, data.end)}）", st.subtitle)]
    if data.mental is not None:
        out.append(Paragraph(fmt.text(MENTAL_NOTICE.format(purpose=data.mental_purpose)), st.notice))
    numbers = iter(NUMERALS)

    def section(name: str) -> list:
        return heading(st, f"{next(numbers)}、{name}")

    out += section("基本情况") + [_basic(st, data, width)]

    # ---- health
    out += section("健康体检")
    if data.checks:
        rows = [[fmt.ymd(c.check_date), c.package, c.institution,
                 c.conclusion, str(c.findings) if c.findings else "无"] for c in data.checks]
        out.append(table(st, ["体检日期", "体检项目", "体检机构", "总体结论", "异常"], rows,
                         _widths(width, [20, 18, 30, 52, 10]), align={0: "CENTER", 4: "CENTER"}))
    else:
        out.append(Paragraph("本期间无体检记录。", st.empty))
    if data.findings:
        out += subheading(st, "异常结果及随访")
        rows = []
        for f in data.findings:
            follow = "；".join(x for x in (f.referral and f"转诊：{f.referral}", f.outcome) if x)
            state = "已关闭" if f.closed else "随访中"
            rows.append([fmt.ymd(f.check_date), f.item, f"{f.level}类",
                         f.description, fmt.ymd(f.notified_date), fmt.ymd(f.recheck_due),
                         f"{state}" + (f"：{follow}" if follow else "")])
        out.append(table(st, ["体检日期", "异常项目", "类别", "情况说明", "告知日期", "复查日期", "随访情况"], rows,
                         _widths(width, [20, 18, 9, 34, 20, 20, 34]), align={0: "CENTER", 2: "CENTER",
                                                                             4: "CENTER", 5: "CENTER"}))

    # ---- leave
    out += section("请休假")
    if data.balances:
        out += subheading(st, "年休假（单位：天）")
        rows = [[f"{b.year}年", fmt.days(b.entitled), fmt.days(b.deferred_in), fmt.days(b.taken),
                 fmt.days(b.remaining), b.reason] for b in data.balances]
        out.append(table(st, ["年度", "应休", "上年顺延", "已休", "剩余", "说明"], rows,
                         _widths(width, [14, 13, 16, 13, 13, 79]),
                         align={0: "CENTER", 1: "CENTER", 2: "CENTER", 3: "CENTER", 4: "CENTER"}))
    if data.leaves:
        out += subheading(st, "请假记录")
        rows = [[l.type_name, f"{fmt.ymd(l.start_date)} 至 {fmt.ymd(l.end_date)}", fmt.days(l.days), l.status,
                 l.reason, l.approver] for l in data.leaves]
        total = sum((l.days for l in data.leaves), Decimal(0))
        rows.append(["合计", f"{len(data.leaves)} 次", fmt.days(total), "", "", ""])
        out.append(table(st, ["假别", "起止日期", "天数", "状态", "事由", "批准人"], rows,
                         _widths(width, [18, 42, 10, 14, 40, 20]), align={1: "CENTER", 2: "CENTER", 3: "CENTER"},
                         extra=[("BACKGROUND", (0, -1), (-1, -1), SUBTOTAL_BG)]))
    else:
        out.append(Paragraph("本期间无请假记录。", st.empty))

    # ---- allowances
    out += section("津贴补贴")
    if data.allowances:
        rows = [[fmt.cn_month(a.month), a.scheme_name, a.kind, a.band, fmt.yuan(a.amount_fen),
                 a.basis, "已发放" if a.locked else "草稿"] for a in data.allowances]
        total = sum_fen(a.amount_fen for a in data.allowances)
        rows.append(["合计", "", "", "", fmt.yuan(total), f"大写：{fmt.capital(total)}", ""])
        out += subheading(st, "金额单位：元")
        out.append(table(st, ["月份", "项目", "类型", "档次/类区", "金额", "发放依据", "状态"], rows,
                         _widths(width, [22, 24, 10, 20, 17, 55, 14]),
                         align={0: "CENTER", 2: "CENTER", 4: "RIGHT", 6: "CENTER"},
                         extra=[("BACKGROUND", (0, -1), (-1, -1), SUBTOTAL_BG)]))
    else:
        out.append(Paragraph("本期间无津贴补贴发放记录。", st.empty))

    # ---- welfare
    out += section("走访慰问")
    if data.welfare:
        rows = [[fmt.ymd(w.record_date), w.occasion, fmt.yuan(w.money_fen) if w.money_fen else "",
                 w.goods, fmt.yuan(w.goods_fen) if w.goods_fen else "", w.funding_source,
                 w.visitors] for w in data.welfare]
        money = sum_fen(w.money_fen for w in data.welfare)
        goods = sum_fen(w.goods_fen for w in data.welfare)
        rows.append(["合计", f"{len(data.welfare)} 次", fmt.yuan(money), "", fmt.yuan(goods), "", ""])
        out += subheading(st, "金额单位：元")
        out.append(table(st, ["日期", "慰问事由", "慰问金", "慰问物品", "物品折价", "经费来源", "走访人"], rows,
                         _widths(width, [19, 20, 15, 30, 15, 17, 30]),
                         align={0: "CENTER", 2: "RIGHT", 4: "RIGHT"},
                         extra=[("BACKGROUND", (0, -1), (-1, -1), SUBTOTAL_BG)]))
    else:
        out.append(Paragraph("本期间无走访慰问记录。", st.empty))

    # ---- talks
    out += section("谈心谈话")
    if data.talks:
        rows = [[fmt.ymd(t.talk_date), t.talker, t.trigger, t.gist,
                 t.follow_up] for t in data.talks]
        out.append(table(st, ["谈话日期", "谈话人", "谈话事由", "谈话要点", "后续跟进"], rows,
                         _widths(width, [19, 18, 18, 60, 30]), align={0: "CENTER"}))
    else:
        out.append(Paragraph("本期间无谈心谈话记录。", st.empty))

    # ---- confidential, only when ticked in for this print
    if data.mental is not None:
        out += section("心理健康（保密）")
        if data.mental:
            rows = [[fmt.ymd(m.record_date), m.kind, m.scale, "" if m.score is None else str(m.score),
                     m.band, m.counsellor, m.summary] for m in data.mental]
            out.append(table(st, ["日期", "类型", "量表", "得分", "结果分级", "评估/咨询人员", "摘要"], rows,
                             _widths(width, [19, 10, 14, 9, 22, 20, 50]), align={0: "CENTER", 1: "CENTER",
                                                                                 2: "CENTER", 3: "CENTER"}))
        else:
            out.append(Paragraph("本期间无心理健康记录。", st.empty))

    # ---- summary
    out += section("小结")
    out.append(Paragraph(fmt.text(summary(data)), st.body))
    out.append(signatures(st, width, ("经办人", "审核人")))
    return out


def summary(data: CareRecordData) -> str:
    """The closing paragraph: one sentence per service over the period."""
    parts = [f"{data.name}（{data.unit}）在{fmt.period_text(data.start, data.end)}内："]
    if data.checks:
        open_findings = sum(1 for f in data.findings if not f.closed)
        s = f"参加健康体检 {len(data.checks)} 次"
        if data.findings:
            s += f"，发现异常 {len(data.findings)} 项"
            s += f"（其中 {open_findings} 项仍在随访）" if open_findings else "（均已关闭）"
        parts.append(s + "；")
    else:
        parts.append("无体检记录；")
    if data.leaves:
        total = sum((l.days for l in data.leaves), Decimal(0))
        parts.append(f"请休假 {len(data.leaves)} 次，共 {fmt.days(total)} 天；")
    else:
        parts.append("无请假记录；")
    for b in data.balances:
        parts.append(f"{b.year}年年休假应休 {fmt.days(b.entitled + b.deferred_in)} 天、已休 {fmt.days(b.taken)} 天、"
                     f"剩余 {fmt.days(b.remaining)} 天；")
    if data.allowances:
        total = sum_fen(a.amount_fen for a in data.allowances)
        s = f"发放津贴补贴 {len(data.allowances)} 笔，合计 {fmt.yuan(total)} 元（{fmt.capital(total)}）"
        draft = sum_fen(a.amount_fen for a in data.allowances if not a.locked)
        if any(not a.locked for a in data.allowances):
            s += f"，其中 {fmt.yuan(draft)} 元所在月份尚未锁定"
        parts.append(s + "；")
    else:
        parts.append("无津贴补贴发放记录；")
    if data.welfare:
        total = sum_fen(w.money_fen + w.goods_fen for w in data.welfare)
        parts.append(f"接受走访慰问 {len(data.welfare)} 次，慰问金及物品合计 {fmt.yuan(total)} 元；")
    else:
        parts.append("无走访慰问记录；")
    parts.append(f"谈心谈话 {len(data.talks)} 次。" if data.talks else "无谈心谈话记录。")
    if data.mental is not None:
        parts.append(f"另附心理健康保密记录 {len(data.mental)} 条。")
    return "".join(parts)


def pdf(data: CareRecordData, furniture: Furniture, password: str | None = None) -> tuple[bytes, int]:
    """One care record as a complete PDF and its page count (encrypted with ``password``)."""
    key = 0
    body, counts = render_bytes(story(data, key), {key: furniture}, title=title_of(data.name, data.start, data.end),
                                author=furniture.unit_name, subject=TITLE, password=password)
    return body, counts.get(key, 0)


def pdf_many(records: Iterable[tuple[CareRecordData, Furniture]], target, *,
             on_group: Callable[[int], None] | None = None, title: str = TITLE, author: str = "") -> dict[int, int]:
    """Many care records in one PDF (``target``: path or binary file): each starts on a
    new page and is numbered on its own.  ``on_group(i)`` is called when record ``i``
    starts being laid out (progress, cancellation).  Returns {index: pages}."""
    st = styles()
    flow: list = []
    furniture: dict[int, Furniture] = {}
    for i, (data, furn) in enumerate(records):
        if i:
            flow.append(PageBreak())
        part = story(data, i, st)
        if on_group is not None:
            part[0] = _Notify(i, on_group)
        flow += part
        furniture[i] = furn
    return render(flow, furniture, target=target, title=title, author=author, subject=TITLE)


class _Notify(GroupStart):
    def __init__(self, key: int, callback: Callable[[int], None]):
        super().__init__(key)
        self.callback = callback

    def draw(self):
        self.callback(self.key)
        super().draw()
