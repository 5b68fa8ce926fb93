"""Workbooks the import hands out: a template per record type and the problem list."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..db.database import db
from ..domain import idcard
from ..domain import leave as leave_rules
from ..domain import roster as roster_rules
from ..domain import welfare as welfare_rules
from ..paths import resource_path
from .xlsx_fields import FIELDS, KINDS, Field
from .xlsx_reader import column_letter

_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEAD_FONT = Font(bold=True)
_EXAMPLE_FONT = Font(italic=True, color="808080")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TEXT_TYPES = ("id", "date", "month", "phone")

EXAMPLE_MARK = "示例"


def _example_id() -> str:
    body = "33032819900315012"   # invented: a valid checksum, belongs to nobody
    return body + idcard.check_digit(body)


def _db_open() -> bool:
    return bool(db.database) and not db.is_closed()


def _choice_lists() -> dict[str, list[str]]:
    if _db_open():
        from ..services import choices

        return choices.all_lists()
    data = json.loads(resource_path("presets", "national", "choices.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _options(kind: str) -> dict[str, list[str]]:
    """Allowed values per field key, for the 说明 sheet and the drop-down lists."""
    out: dict[str, list[str]] = {}
    if kind == "roster":
        lists = _choice_lists()
        for key, category in roster_rules.CADRE_CHOICES.items():
            if lists.get(category):
                out[key] = list(lists[category])
        out["only_child"] = ["是", "否"]
        if _db_open():
            from ..services import roster

            units = [u["name"] for u in roster.list_units()]
            if units:
                out["unit"] = units
    elif kind == "leave":
        names = list(leave_rules.LEAVE_TYPE_NAMES.values())
        if _db_open():
            from ..services import leave

            names = [n for _, n in leave.type_names()] or names
        out["type"] = names
        out["status"] = list(leave_rules.LEAVE_STATUSES)
        out["start_half"] = ["上午", "下午"]
        out["end_half"] = ["上午", "下午"]
    elif kind == "health":
        out["finding_level"] = ["A", "B"]
        if _db_open():
            from ..services import health

            if health.packages():
                out["package"] = health.packages()
    elif kind == "allowance":
        out["scheme"] = ["艰苦边远地区津贴", "乡镇工作补贴"]
    elif kind == "welfare":
        names = [welfare_rules.OCCASION_NAMES[c] for c in welfare_rules.OCCASION_CODES if c != welfare_rules.TALK]
        sources: list[str] = []
        if _db_open():
            from datetime import date

            from ..services import welfare

            names = [n for _, n in welfare.occasion_names()] or names
            sources = welfare.funding_sources(date.today())
        out["occasion"] = names
        if sources:
            out["funding_source"] = sources
    return out


def _example(kind: str, unit: str) -> dict[str, str]:
    number = _example_id()
    person = {"id_number": number, "name": "王芳"}
    if kind == "roster":
        return dict(person, sex="女", ethnicity="汉族", birth_date="1990-03-15", native_place="浙江温州",
                    political_status="中共党员", party_join_date="2012.06", education_fulltime="本科",
                    degree_fulltime="学士", marital_status="已婚", only_child="否", phone="13800138000",
                    emergency_contact="李强", emergency_phone="13900139000", unit=unit, post="党政办科员",
                    leadership_level="无", rank="一级科员", pay_grade="24", personnel_status="公务员",
                    position_category="综合管理类", employment_status="在职", work_start_date="2012.08",
                    township_start_date="2012.08", current_post_date="2020.01")
    if kind == "leave":
        return dict(person, type="年休假", start_date="2024-05-06", end_date="2024-05-10", days="5",
                    reason="休年休假", approver="张书记", status="已批准")
    if kind == "health":
        return dict(person, check_date="2024-04-18", package="常规体检", institution="县人民医院",
                    items="血压 150/95 mmHg；血脂 偏高", conclusion="血压偏高，建议复查",
                    finding_item="血压", finding_level="B", finding_description="血压 150/95 mmHg",
                    recheck_due="2024-07-18")
    if kind == "allowance":
        return dict(person, month="2024.03", scheme="乡镇工作补贴", amount="260.00", band="满10年不满15年")
    return dict(person, occasion="生病住院慰问", record_date="2024-06-12", money="800", goods="鲜花一束",
                goods_value="100", funding_source="工会经费", visitors="镇党委书记 王某", episode="2024年6月住院")


_GENERAL = [
    "第 1 行是表头，带 * 的列必须填写；列的顺序可以调整，也可以删去不用的列。",
    f"第 2 行是示例（第一列写着「{EXAMPLE_MARK}」），导入时会跳过，可以保留也可以删除。",
    "日期可以写成 2024-03-15、2024.3.15、2024年3月15日、20240315，也可以是 Excel 日期；"
    "只要求到月的列可以写 1985.03、1985年3月。为避免 Excel 把 1985.10 变成 1985.1，日期列已设为「文本」格式。",
    "身份证号列已设为「文本」格式；请不要改成数字，否则 Excel 会丢掉后几位。",
    "导入前会逐行检查，有问题的行列出行号、列和原因，不会导入；其余各行一次全部导入，或全部不导入。",
    "标题行、合计行、空行、填表人等表尾说明会被自动跳过；表头可以是别的常见写法（如「身份证号码」「公民身份号码」）。",
]
_KIND_NOTES = {
    "roster": [
        "身份证号与名册中已有干部相同时，更新该干部的信息（导入前会列出每一处改动），不会重复新增；"
        "空着的单元格保留名册中原有的内容。已归档的干部请先恢复后再导入。",
        "单位须与「单位管理」中的单位名称一致；导入不会新建单位。",
        "新增的干部没有填写在职状态时，按「在职」登记；性别、出生日期不填时按身份证号。",
    ],
    "leave": [
        "天数由程序按假别规则（工作日或自然日、法定节假日和调休）计算；填写了「天数」时须与计算结果一致。",
        "同一人时间重叠的请假、超过余额或上限而没有写「超出说明」的，不会导入。",
    ],
    "health": [
        "同一干部同一天的同一体检项目只登记一次；一行可登记一项异常（异常项目、分级、复查日期）。",
    ],
    "allowance": [
        "每行登记一位干部一个月的发放金额：填写「津贴项目」和「金额」，或者在「艰苦边远地区津贴」「乡镇工作补贴」两列分别填写。",
        "导入的记录进入该月的发放批次（正常发放行）。已锁定的月份不能导入，请在以后月份登记补发或扣减；"
        "该月已有同一干部同一项目的记录时不会重复导入。",
        "导入后的月份为草稿，请在「津贴补贴」中核对合计后锁定；对草稿月份再次「生成本月」会按规则重新计算并替换正常发放行。",
    ],
    "welfare": [
        "金额以元为单位；节日慰问不得发放现金或购物卡。超过上限、超出预算或疑似重复的，须在「超出说明」中写明原因才会导入。",
    ],
}


def _header(f: Field) -> str:
    return ("*" if f.required else "") + f.label


def write_template(kind: str, out: Path) -> None:
    fields = FIELDS[kind]
    options = _options(kind)
    unit = (options.get("unit") or ["某某镇人民政府"])[0]
    example = _example(kind, unit)
    wb = Workbook()
    ws = wb.active
    ws.title = KINDS[kind]
    ws.append(["序号"] + [_header(f) for f in fields])
    ws.append([EXAMPLE_MARK] + [example.get(f.key, "") for f in fields])
    for col, f in enumerate([None, *fields], start=1):
        head = ws.cell(row=1, column=col)
        head.fill = _HEAD_FILL
        head.font = _REQUIRED_FONT if f is not None and f.required else _HEAD_FONT
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ex = ws.cell(row=2, column=col)
        ex.fill = _EXAMPLE_FILL
        ex.font = _EXAMPLE_FONT
        letter = column_letter(col - 1)
        width = 8 if f is None else max(10, min(28, 2 * len(f.label) + 4))
        if f is not None and f.type == "id":
            width = 22
        ws.column_dimensions[letter].width = width
        if f is not None and f.type in _TEXT_TYPES:
            ws.column_dimensions[letter].number_format = "@"
            ex.number_format = "@"
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 30
    # drop-down lists (a warning only: the import also understands common other spellings)
    if options:
        lists = wb.create_sheet("选项")
        for i, (key, values) in enumerate(sorted(options.items())):
            f = next((x for x in fields if x.key == key), None)
            if f is None:
                continue
            lists.cell(row=1, column=i + 1, value=f.label).font = _HEAD_FONT
            for j, value in enumerate(values, start=2):
                lists.cell(row=j, column=i + 1, value=value)
            lists.column_dimensions[column_letter(i)].width = max(10, 2 * max(len(v) for v in values) + 2)
            col = column_letter(fields.index(f) + 1)
            dv = DataValidation(type="list", formula1=f"'选项'!${column_letter(i)}$2:${column_letter(i)}${len(values) + 1}",
                                allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                errorTitle="不在选项中", error="这个值不在选项列表中，导入时可能无法识别。仍要使用吗？")
            dv.add(f"{col}3:{col}2000")
            ws.add_data_validation(dv)
    _notes_sheet(wb, kind, fields, options)
    wb.save(out)


def _notes_sheet(wb: Workbook, kind: str, fields: list[Field], options: dict[str, list[str]]) -> None:
    ws = wb.create_sheet("说明")
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 60
    ws.column_dimensions["D"].width = 50
    ws.append([f"{KINDS[kind]}导入模板说明"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for i, line in enumerate(_GENERAL + _KIND_NOTES.get(kind, []), start=1):
        ws.append([f"{i}. {line}"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
        ws.cell(row=ws.max_row, column=1).alignment = _WRAP
        ws.row_dimensions[ws.max_row].height = 32
    ws.append([])
    ws.append(["列名", "是否必填", "填写说明", "可选值"])
    for cell in ws[ws.max_row]:
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
    for f in fields:
        values = options.get(f.key, [])
        shown = "、".join(values[:40]) + ("……（见「选项」工作表）" if len(values) > 40 else "")
        # synonyms as headers are written (「金额元」 is only the compare form of 「金额（元）」)
        other = "、".join([s for s in f.synonyms if s != f.label and not s.endswith("元")][:6])
        hint = f.hint + (f"（表头也可写作：{other}）" if other else "")
        ws.append([f.label, "必填" if f.required else "", hint, shown])
        for cell in ws[ws.max_row]:
            cell.alignment = _WRAP


def write_problems(problems: Iterable[tuple], summary: Iterable[tuple[str, object]], out: Path) -> None:
    """The problem list workbook: one row per problem (行号, 列, 字段, 原值, 问题) and a 概况
    sheet of ``summary`` (label, value) pairs; the importer decides what goes in."""
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(["行号", "列", "字段", "原值", "问题"])
    for cell in ws[1]:
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
    for row in problems:
        ws.append(list(row))
        ws.cell(row=ws.max_row, column=4).number_format = "@"
        ws.cell(row=ws.max_row, column=5).alignment = _WRAP
    for letter, width in zip("ABCDE", (8, 6, 16, 24, 70)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    info = wb.create_sheet("概况")
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 50
    for label, value in summary:
        info.append([label, value])
    info.append([])
    info.append(["请按「问题清单」逐条改正原文件中的对应单元格后，重新导入。"])
    wb.save(out)
