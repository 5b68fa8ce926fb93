"""``python main.py print …``: care records, registers and verification without a window.

    python main.py print record 330302199001011234 --year 2026 --out 档案.pdf
    python main.py print register allowance --period 2026-11 --out 花名册.pdf
    python main.py print verify 7KQ2-9XMD
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

KINDS_HELP = "allowance（津贴补贴发放花名册）、leave（年休假统计表）、health（健康体检汇总表）、welfare（福利慰问登记表）"


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("print", help="打印个人关心关爱档案或登记表为 PDF，核验打印件（不打开窗口）")
    what = p.add_subparsers(dest="print_command", title="打印内容", metavar="WHAT")

    r = what.add_parser("record", help="个人关心关爱档案")
    r.add_argument("id_number", help="干部的身份证号")
    r.add_argument("--year", type=int, help="年度，如 2026（打印该年 1 月 1 日至 12 月 31 日）")
    r.add_argument("--from", dest="start", help="起始日期，如 2026-03-01（与 --to 一起使用，代替 --year）")
    r.add_argument("--to", dest="end", help="截止日期，如 2026-08-31")
    r.add_argument("--out", type=Path, help="输出的 PDF 文件（默认：当前目录下的“个人关心关爱档案_姓名_年度.pdf”）")
    r.add_argument("--include-mental", action="store_true",
                   help="包含心理健康保密记录（须同时用 --purpose 说明打印用途，会记入审计）")
    r.add_argument("--purpose", default="", help="打印心理健康记录的用途")
    r.add_argument("--password", action="store_true",
                   help="用密码加密生成的 PDF（打开时要输入密码）：在终端中输入两次，不回显；"
                   "脚本中可改用环境变量 CARECENTER_FILE_PASSWORD")
    r.set_defaults(func=cmd_record)

    g = what.add_parser("register", help="登记表：" + KINDS_HELP)
    g.add_argument("kind", metavar="KIND", help="登记表种类：" + KINDS_HELP)
    g.add_argument("--period", required=True, help="期间：津贴补贴为月份（如 2026-11），其余为年度（如 2026）")
    g.add_argument("--unit", default="", help="只打印这个单位（单位全称）")
    g.add_argument("--out", type=Path, help="输出的 PDF 文件（默认：当前目录下的“登记表名_期间.pdf”）")
    g.set_defaults(func=cmd_register)

    v = what.add_parser("verify", help="核验打印件上的核验码")
    v.add_argument("code", help="核验码，如 7KQ2-9XMD（大小写、短横线均可）")
    v.set_defaults(func=cmd_verify)

    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str, code: int = 1) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return code


def _open(args) -> bool:
    from ..db.database import check_before_open
    from ..services.values import path_text

    open_store, resolve_paths = args.root.open_store, args.root.resolve_paths
    paths = resolve_paths(args)
    if not paths.database.exists():
        print(f"错误：数据目录 {path_text(paths.root)} 中没有数据库，请用 --data-dir 指定正确的数据目录。", file=sys.stderr)
        return False
    check_before_open(paths.database)
    open_store(paths)
    return True


def _target(out: Path | None) -> Path | None:
    """The --out file: .pdf (another extension is refused with .pdf suggested), its folder made."""
    from ..cli_args import UsageError, check_out_suffix
    from ..services.values import path_text

    out = check_out_suffix(out, ".pdf", "打印件")
    if out is None:
        return None
    if out.is_dir():
        raise UsageError(f"--out「{path_text(out)}」是一个文件夹，请写上文件名，例如 --out {path_text(out / '档案.pdf')}")
    return out


def _write(out: Path, make) -> int:
    """Make the printout straight into ``out`` (written, flushed, moved into place, then
    logged in one transaction: see ``printing._save_logged``)."""
    from ..domain.errors import DomainError
    from ..services.values import path_text

    try:
        if str(out.parent):
            out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"无法建立文件夹 {path_text(out.parent)}：{exc.strerror or exc}。请换一个位置。", 2)
    try:
        printout = make(out)
    except DomainError as err:
        return _fail(err.message)
    protected = getattr(printout, "protected_pdf", None) is not None
    print(f"已生成《{printout.title}》：{path_text(out)}（共 {printout.pages} 页，核验码 {printout.code}"
          + ("，文件已用密码加密" if protected else "") + "）")
    return 0


def _period(args) -> tuple[date, date] | str:
    from ..domain import dates
    from ..domain.errors import DomainError

    if args.year is not None and (args.start or args.end):
        return "--year 与 --from/--to 只能用一种"
    if args.year is not None:
        if not 1900 <= args.year <= 2200:
            return f"年度 {args.year} 不对，请填写四位年份，如 2026"
        return date(args.year, 1, 1), date(args.year, 12, 31)
    if not (args.start and args.end):
        return "请用 --year 指定年度（如 --year 2026），或用 --from 和 --to 指定起止日期"
    try:
        start = dates.parse_date(args.start, "start", "起始日期")
        end = dates.parse_date(args.end, "end", "截止日期")
    except DomainError as err:
        return err.message
    return start, end


def cmd_record(args) -> int:
    from ..domain import idcard
    from ..domain.errors import DomainError

    period = _period(args)
    if isinstance(period, str):
        return _fail(period, 2)
    out = _target(args.out)
    password = None
    if args.password:
        from ..security.protect import password_for_command_line

        try:
            password = password_for_command_line()
        except DomainError as err:
            return _fail(err.message, 2)
    if not _open(args):
        return 2
    from ..db.models import Cadre
    from ..services import printing

    number = idcard.normalise(args.id_number)
    cadre = Cadre.get_or_none(Cadre.id_number == number)
    if cadre is None:
        shown = idcard.mask(number) if len(number) == 18 else number
        return _fail(f"未找到身份证号为 {shown} 的干部，请核对身份证号。")
    if out is None:
        try:
            out = Path(printing.default_care_file_name(cadre.id, *period))
        except DomainError as err:
            return _fail(err.message)
    return _write(out, lambda target: printing.care_record(
        cadre.id, *period, include_mental=args.include_mental, purpose=args.purpose, password=password,
        out=target))


def cmd_register(args) -> int:
    from ..domain.errors import DomainError

    out = _target(args.out)
    if not _open(args):
        return 2
    from ..db.models import Unit
    from ..services import printing

    unit_id = None
    if args.unit.strip():
        unit = Unit.get_or_none((Unit.name == args.unit.strip()) & (Unit.archived == False))  # noqa: E712
        if unit is None:
            return _fail(f"没有名为“{args.unit.strip()}”的单位，请填写单位全称。")
        unit_id = unit.id
    if out is None:
        try:
            out = Path(printing.default_register_file_name(args.kind, args.period, unit_id=unit_id))
        except DomainError as err:
            return _fail(err.message)
    return _write(out, lambda target: printing.register(args.kind, args.period, unit_id=unit_id, out=target))


def cmd_verify(args) -> int:
    if not _open(args):
        return 2
    from ..services import printing

    result = printing.verify(args.code)
    if not result.found:
        return _fail(result.message)
    print(result.message)
    return 0 if result.current else 1
