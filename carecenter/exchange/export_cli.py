"""``python main.py export <list> --out FILE.xlsx [...]``: any list to Excel without a window.

The same rows, columns and 「说明」 sheet as the 导出 button of the list's page, with
the page's default order; ``--unit`` / ``--year`` / ``--month`` / ``--search`` narrow
it as the page's filters do.  Confidential columns only with ``--confidential``
(recorded in the audit trail like every export).  ``export roster --all-fields`` is
the 干部花名册: every field of each cadre record (also ``export roster_full``).
"""
from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

OPTION_FLAGS = {"unit": "--unit", "year": "--year", "month": "--month", "search": "--search"}


def _list_help() -> str:
    from ..services.exports import COUNTY_LISTS, LISTS

    return "；".join(f"{k}（{e.name}）" for k, e in LISTS.items()) + "；县级版：" + "；".join(
        f"{k}（{e.name}）" for k, e in COUNTY_LISTS.items())


def add_commands(sub) -> None:
    p = sub.add_parser(
        "export", help="把列表导出为 Excel 文件（.xlsx），与界面中「导出」按钮相同",
        description="把列表导出为 Excel 文件（.xlsx）。可导出的列表：" + _list_help()
        + "。身份证号默认只显示前 6 位和后 4 位；加 --confidential 才包含完整身份证号、体检结论、"
        "异常描述与转诊、谈话要点等敏感信息，并记入审计。")
    p.add_argument("list", metavar="列表", help="要导出的列表名称（见上）")
    p.add_argument("--out", type=Path, required=True, metavar="文件.xlsx", help="保存到的文件（.xlsx）")
    p.add_argument("--unit", default="", metavar="名称", help="只导出这个单位（单位全称）")
    p.add_argument("--year", type=int, metavar="年度", help="年度，如 2026")
    p.add_argument("--month", default="", metavar="年-月", help="月份（津贴补贴），如 2026-11；默认本月")
    p.add_argument("--search", default="", metavar="文本", help="搜索文本：姓名、拼音首字母、身份证号或电话尾号")
    p.add_argument("--confidential", action="store_true", help="包含敏感信息（完整身份证号、体检结论等），并记入审计")
    p.add_argument("--all-fields", action="store_true", dest="all_fields",
                   help="干部名册导出全部字段（干部花名册：出生日期、参加工作时间、学历、人员身份、民族、籍贯等），"
                        "年月日期写成 1985.03")
    p.add_argument("--password", action="store_true",
                   help="用密码加密导出的文件（Excel、WPS 打开时要输入密码）：在终端中输入两次，不回显；"
                   "脚本中可改用环境变量 CARECENTER_FILE_PASSWORD")
    p.set_defaults(func=cmd_export)


def parse_month(text: str) -> date | None:
    """2026-11, 2026.11, 2026/11, 202611, 2026年11月 → 2026-11-01; '' → None."""
    text = (text or "").strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})\s*(?:[-./年]\s*)?(\d{1,2})\s*月?", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(text)
    return date(int(m.group(1)), int(m.group(2)), 1)


def _error(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def cmd_export(args: argparse.Namespace) -> int:
    from ..cli_args import check_out_suffix
    from ..db.database import check_before_open
    from ..domain.errors import DomainError
    from ..services import exports
    from ..services.values import path_text
    from .export import export_list

    open_store, resolve_paths = args.root.open_store, args.root.resolve_paths

    key = args.list
    if getattr(args, "all_fields", False):
        if key not in ("roster", "roster-full"):
            return _error(f"--all-fields 只用于干部名册（roster），「{key}」没有这个选项")
        key = "roster-full"
    spec = exports.LISTS.get(key) or exports.COUNTY_LISTS.get(key)
    if spec is None:
        return _error(f"没有名为「{args.list}」的列表。可导出的列表：{_list_help()}")
    out = check_out_suffix(args.out, ".xlsx", "导出的列表")
    if out.is_dir():
        return _error(f"--out「{path_text(out)}」是一个文件夹，请写上文件名，例如 --out {path_text(out / spec.name)}.xlsx")
    if not out.parent.is_dir():
        return _error(f"要保存到的文件夹「{path_text(out.parent)}」不存在，请先建好文件夹或换一个位置")
    try:
        month = parse_month(args.month)
    except ValueError:
        return _error(f"--month「{args.month}」不是有效的月份，请写成 2026-11 这样的年-月")
    if args.year is not None and not 1900 <= args.year <= 2100:
        return _error(f"--year「{args.year}」不是有效的年度，请写成 2026 这样的四位年份")
    given = {"unit": bool(args.unit.strip()), "year": args.year is not None, "month": month is not None,
             "search": bool(args.search.strip())}
    unsupported = [OPTION_FLAGS[k] for k, v in given.items() if v and k not in spec.options]
    if unsupported:
        usable = "、".join(OPTION_FLAGS[k] for k in spec.options) or "（无筛选条件）"
        return _error(f"「{spec.name}」不能按 {'、'.join(unsupported)} 筛选；可用：{usable}")
    if args.confidential and not spec.has_confidential:
        print(f"提示：「{spec.name}」没有敏感信息列，--confidential 不起作用", file=sys.stderr)

    password = None
    if args.password:
        from ..security.protect import password_for_command_line

        try:
            password = password_for_command_line()
        except DomainError as err:
            return _error(err.message)
    paths = resolve_paths(args)
    if not paths.database.exists():
        return _error(f"没有找到数据库 {path_text(paths.database)}，请用 --data-dir 指定数据目录")
    check_before_open(paths.database)
    open_store(paths)
    criteria = exports.Criteria(unit=args.unit.strip(), year=args.year, month=month, search=args.search.strip())
    try:
        query = spec.query_from(criteria)
        summary = export_list(spec.key, out, query, include_confidential=args.confidential, password=password)
    except DomainError as err:
        return _error(err.message)
    except OSError as err:
        return _error(f"无法写入 {path_text(out)}：{err.strerror or err}。请换一个保存位置，或先关闭已打开的同名文件。"
                      "没有导出任何数据")
    extra = f"（含{spec.confidential}，已记入审计）" if summary.confidential else ""
    extra += "（文件已用密码加密）" if summary.protected else ""
    print(f"已导出{summary.name} {summary.rows:,} 行{extra}：{path_text(summary.path)}")
    return 0
