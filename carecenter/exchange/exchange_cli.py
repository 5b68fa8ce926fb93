"""``python main.py exchange …`` (the township: 报送县里) and ``python main.py county …`` (the
county edition: set-up, 接收报送, 报送情况, 汇总) — issue 15.

Township::

    exchange identity --name 青岭镇 --code 330328101000   交换设置：本乡镇名称和统计用区划代码（不带参数时显示）
    exchange trust-county county.pub                      导入县里的公钥（显示其指纹，请与县里电话核对）
    exchange fingerprint                                  本乡镇的签名指纹（县里第一次接收时核对）
    exchange pack --period 2026 [--through 2026-11-30] --out 青岭镇-2026.ccx
    exchange list                                         已生成的报送包及其指纹

County::

    county init --admin LOGIN --name 姓名 --county 某某县 --code 330328000000   (no sign-in: a new database)
    county receive FILE.ccx [--trust FINGERPRINT]
    county status --period 2026 / county summary --period 2026 [--out 汇总表.pdf|汇总.xlsx] / county info /
    county export-key --out county.pub

Exit codes as the rest of the command line: 0 done (a package received again: 「已接收过，未作改动」),
2 refused with a Chinese message and nothing changed.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..cli_args import UsageError, check_out_suffix


def add_commands(sub) -> None:
    p = sub.add_parser("exchange", help="报送县里：生成签名并加密的报送包（.ccx）、交换设置",
                       description="乡镇向县里报送：生成只有县里能打开、县里能验证来源和完整性的报送包。"
                                   "第一次使用前：用 identity 填写本乡镇名称和 12 位统计用区划代码，"
                                   "用 trust-county 导入县里的公钥文件 county.pub 并与县里电话核对指纹。")
    what = p.add_subparsers(dest="exchange_command", title="操作", metavar="ACTION")
    i = what.add_parser("identity", help="交换设置：显示或填写本乡镇名称和统计用区划代码（系统管理员）")
    i.add_argument("--name", help="本乡镇名称，如 青岭镇")
    i.add_argument("--code", help="12 位统计用区划代码，如 330328101000")
    i.set_defaults(func=cmd_identity)
    t = what.add_parser("trust-county", help="导入县里的公钥文件 county.pub（系统管理员）")
    t.add_argument("file", type=Path, metavar="county.pub", help="县里提供的公钥文件")
    t.set_defaults(func=cmd_trust_county)
    f = what.add_parser("fingerprint", help="显示本乡镇的签名指纹（县里第一次接收时电话核对）")
    f.set_defaults(func=cmd_fingerprint)
    k = what.add_parser("pack", help="生成报送包（经办人、负责人）")
    k.add_argument("--period", type=int, required=True, metavar="年度", help="报送年度，如 2026")
    k.add_argument("--through", metavar="日期", help="数据截止日期，如 2026-11-30（默认：年底，当年为今天）")
    k.add_argument("--out", type=Path, metavar="文件.ccx", help="保存到的文件（默认：乡镇名-年度.ccx）")
    k.set_defaults(func=cmd_pack)
    ls = what.add_parser("list", help="列出已生成的报送包及其指纹")
    ls.set_defaults(func=cmd_list)
    p.set_defaults(func=lambda args: _usage(p))

    c = sub.add_parser("county", help="县级版：建立县级数据库、接收乡镇报送、报送情况和汇总",
                       description="县级版：county init 建立县级数据库和县里的密钥（公钥写成数据目录中的 county.pub，"
                                   "发给各乡镇导入）；county receive 接收乡镇的报送包。")
    cw = c.add_subparsers(dest="county_command", title="操作", metavar="ACTION")
    n = cw.add_parser("init", help="建立县级数据库（加密）：第一个系统管理员和恢复密钥、县里的交换密钥，"
                                   "公钥写成 county.pub（无需登录）")
    n.add_argument("--admin", required=True, help="系统管理员的登录名")
    n.add_argument("--name", required=True, help="系统管理员的姓名")
    n.add_argument("--county", required=True, help="县（市、区）名称，如 某某县")
    n.add_argument("--code", required=True, help="县的 12 位统计用区划代码（后 6 位为 0），如 330328000000")
    n.add_argument("--sheet", type=Path, help="同时把恢复密钥纸写成这个 PDF 文件（请打印后删除该文件）")
    n.set_defaults(func=cmd_county_init, no_signin=True, creates_data_dir=True)
    r = cw.add_parser("receive", help="接收乡镇的报送包（经办人）")
    r.add_argument("file", type=Path, metavar="FILE.ccx", help="乡镇报送的文件")
    r.add_argument("--trust", metavar="指纹", help="该乡镇第一次报送（或更换了密钥）时：与乡镇电话核对过的签名指纹")
    r.set_defaults(func=cmd_receive)
    a = cw.add_parser("add-township", help="登记应报送的乡镇（报送情况中列出尚未报送的乡镇）")
    a.add_argument("--code", required=True, help="乡镇的 12 位统计用区划代码")
    a.add_argument("--name", required=True, help="乡镇名称")
    a.set_defaults(func=cmd_add_township)
    s = cw.add_parser("status", help="报送情况：各乡镇本年度的报送包、是否逾期")
    s.add_argument("--period", type=int, required=True, metavar="年度")
    s.set_defaults(func=cmd_status)
    m = cw.add_parser("summary", help="汇总：各乡镇和全县合计（加 --out 保存为汇总表 PDF 或 Excel）")
    m.add_argument("--period", type=int, required=True, metavar="年度")
    m.add_argument("--out", type=Path, metavar="文件.pdf|文件.xlsx",
                   help="保存为乡镇公务员关心关爱工作汇总表（.pdf，带核验码，记入打印记录；同 print register county）"
                        "或 Excel（.xlsx，记入审计；同 export county-summary）")
    m.set_defaults(func=cmd_summary)
    info = cw.add_parser("info", help="本县名称、区划代码和公钥指纹（念给乡镇核对）")
    info.set_defaults(func=cmd_info)
    e = cw.add_parser("export-key", help="把本县的公钥另存为 county.pub（发给乡镇）")
    e.add_argument("--out", type=Path, required=True, metavar="county.pub")
    e.set_defaults(func=cmd_export_key)
    c.set_defaults(func=lambda args: _usage(c))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _text(value) -> str:
    return os.fsdecode(value).encode("utf-8", "backslashreplace").decode("utf-8")


def _open(args) -> None:
    paths = args.root.resolve_paths(args)
    if not paths.database.exists():
        raise UsageError(f"数据目录 {paths.root} 中没有数据库，请用 --data-dir 指定正确的数据目录")
    args.root.open_store(paths)


def _with_progress(text: str):
    """Progress lines on stderr, headed by ``text`` once the work has begun (a refusal before
    that is the only thing printed: 「错误：…」)."""
    started = []

    def show(percent: int, what: str) -> None:
        if not started:
            started.append(True)
            print(text, file=sys.stderr, flush=True)
        print(f"  {percent:3d}%  {what}", file=sys.stderr, flush=True)
    return show


# ---------------------------------------------------------------- the township

def cmd_identity(args) -> int:
    from ..services import exchange_setup

    _open(args)
    if args.name is None and args.code is None:
        own = exchange_setup.identity()
        print(f"名称：{own.name or '（未填写）'}\n统计用区划代码：{own.code or '（未填写）'}")
        return 0
    own = exchange_setup.identity()
    saved = exchange_setup.save_identity(args.name if args.name is not None else own.name,
                                         args.code if args.code is not None else own.code)
    print(f"已保存：{saved.name}（统计用区划代码 {saved.code}）")
    return 0


def cmd_trust_county(args) -> int:
    from ..services import exchange_pack

    _open(args)
    info = exchange_pack.trust_county(args.file.expanduser())
    print(f"已导入「{info.name}」（{info.code}）的公钥。\n县级公钥指纹：{info.fingerprint}\n"
          "请打电话与县里核对这 8 组字符；不一致时不要报送，请向县里重新索取 county.pub。")
    return 0


def cmd_fingerprint(args) -> int:
    from ..services import exchange_pack, exchange_setup

    _open(args)
    fp = exchange_pack.township_fingerprint()
    own = exchange_setup.identity()
    print(f"{own.name or '本乡镇'}的签名指纹：{fp}")
    return 0


def cmd_pack(args) -> int:
    from ..domain import dates
    from ..services import exchange_pack

    out = check_out_suffix(args.out, exchange_pack.SUFFIX, "报送包")
    through = dates.parse_date(args.through, "through", "数据截止日期") if args.through else None
    _open(args)
    out = out if out is not None else Path(exchange_pack.default_file_name(args.period))
    result = exchange_pack.pack(args.period, through, out, progress=_with_progress("正在生成报送包…"))
    print(f"已生成报送包 {_text(result.path)}（{result.period}年度，数据截至 {result.through}）：\n"
          f"  干部 {result.counts['cadres']} 名，共 {result.rows} 行，{result.size_bytes / 1024:,.0f} KB\n"
          f"  报送包指纹：{result.package_fingerprint}\n"
          f"  本乡镇签名指纹：{result.signer_fingerprint}\n"
          f"  接收方：{result.county_name}（县级公钥指纹 {result.county_fingerprint}）")
    return 0


def cmd_list(args) -> int:
    from ..services import exchange_pack

    _open(args)
    rows = exchange_pack.list_packages()
    if not rows:
        print("还没有生成过报送包。")
    for r in rows:
        print(f"{r.made_at:%Y-%m-%d %H:%M}  {r.period}年度（截至 {r.through}）  {r.cadres} 名干部  "
              f"指纹 {r.package_fingerprint}  {r.file_name}  {r.made_by}")
    return 0


# ---------------------------------------------------------------- the county

def cmd_county_init(args) -> int:
    from ..security import access
    from ..services import county, exchange_setup
    from ..signin_cli import cmd_setup

    errors = exchange_setup.identity_problems(args.county, args.code, county=True)
    if errors:
        raise UsageError("；".join(e.message for e in errors))
    paths = args.root.resolve_paths(args)
    if paths.database.exists() and paths.database.stat().st_size > 0:
        raise UsageError(f"数据目录 {paths.root} 中已经有数据库。县级数据库请建在一个新的空数据目录中")
    cmd_setup(args)           # the encrypted database and its first 系统管理员, exactly as ``user setup``
    with access.acting_as(access.system_actor("县级版初始化")):
        info = county.init_county(args.county, args.code)
        out = county.export_public_key(paths.root / county.PUBLIC_KEY_FILE)
    print(f"已建立县级数据库：{info.name}（{info.code}）\n县级公钥已写入 {_text(out)}，请发给各乡镇在「交换设置」中导入。\n"
          f"县级公钥指纹：{info.fingerprint}（乡镇导入后请电话核对）")
    return 0


def cmd_receive(args) -> int:
    from ..services import county

    _open(args)
    result = county.receive(args.file.expanduser(), trust=args.trust, progress=_with_progress("正在接收报送包…"))
    print(result.message)
    for w in result.warnings:
        print(f"  注意：{w}")
    if result.status != "duplicate":
        print(f"  报送包指纹：{result.package_fingerprint}")
    return 0


def cmd_add_township(args) -> int:
    from ..services import county

    _open(args)
    county.add_township(args.code, args.name)
    print(f"已登记 {args.name}（{args.code}）。")
    return 0


def cmd_status(args) -> int:
    from ..services import county

    _open(args)
    rows = county.submissions(args.period)
    if not rows:
        print("还没有登记或接收过任何乡镇的报送。")
    for r in rows:
        got = f"截至 {r.as_of}，{r.received_at:%Y-%m-%d %H:%M} 收到，{r.cadres} 名干部" if r.package_id else "—"
        print(f"{r.code}  {r.name}  {got}  {'逾期' if r.late else ''}{r.late_text}")
    return 0


def cmd_summary(args) -> int:
    from ..domain.money import format_yuan
    from ..services import county

    _open(args)
    if args.out is not None:
        return _save_summary(args.period, args.out.expanduser())
    s = county.summary(args.period)
    print(f"{s.period}年度汇总（{len(s.townships)} 个乡镇）")
    print("乡镇\t干部\t艰苦边远\t应检\t已检\t未结随访\t年休假应休\t已休\t未休人数\t津贴补贴（元）\t走访艰苦边远干部")
    for t in (*s.townships, s.total):
        print(f"{t.name}\t{t.cadres}\t{t.hardship_cadres}\t{t.health_due}\t{t.health_done}\t{t.followups_open}\t"
              f"{t.leave_due_days}\t{t.leave_taken_days}\t{t.leave_untaken_cadres}\t"
              f"{format_yuan(t.allowance_total_fen)}\t{t.hardship_visited}")
    return 0


def _save_summary(period: int, out: Path) -> int:
    """``county summary --out``: the 汇总表 as PDF or the 县级汇总 workbook, as the 汇总 page's
    打印… and 导出 Excel… make them (``print register county`` / ``export county-summary``)."""
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise UsageError(f"--out 的文件类型不对：汇总表保存为 .pdf（打印用）或 .xlsx（Excel）文件，「{out.name}」不是")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".pdf":
        from ..services import printing

        printout = printing.register("county", str(period), out=out)
        print(f"已保存《{printout.title}》到 {_text(out)}（共 {printout.pages} 页，核验码 {printout.code}）")
        return 0
    from ..services.exports import CountyQuery
    from .export import export_list

    done = export_list("county-summary", out, CountyQuery(period))
    print(f"已导出「{done.name}」{done.rows} 行到 {_text(out)}")
    return 0


def cmd_info(args) -> int:
    from ..services import county

    _open(args)
    info = county.county_info()
    print(f"{info.name}（统计用区划代码 {info.code}）\n县级公钥指纹：{info.fingerprint}\n"
          f"公钥文件：{_text(county.county_public_key_path())}")
    return 0


def cmd_export_key(args) -> int:
    from ..services import county

    out = args.out.expanduser()
    _open(args)
    written = county.export_public_key(out)
    print(f"已把县级公钥写入 {_text(written)}（指纹 {county.county_info().fingerprint}）")
    return 0
