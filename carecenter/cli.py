"""Command line: the GUI by default, headless subcommands for scripted use."""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from . import __version__
from .paths import DataPaths, default_data_dir, demo_data_dir


#: modules that add subcommands (print, import, export, backup, restore …); each
#: defines ``add_commands(sub)`` and imports its heavy parts only inside the command
COMMAND_MODULES: tuple[str, ...] = (
    "carecenter.exchange.backup_cli",
    "carecenter.exchange.export_cli",
    "carecenter.exchange.import_cli",
    "carecenter.reports.cli",
    "carecenter.signin_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carecenter",
        description="关心关爱中心：乡镇干部关心关爱工作台账（离线桌面程序）。不带子命令时打开图形界面。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", type=Path, help="数据目录（默认：本机用户数据目录）")
    parser.add_argument("--demo", action="store_true", help="打开演示数据库（与真实数据分开存放，首次使用时自动生成）")
    parser.add_argument("--user", help="登录名：子命令以这个账户的身份运行（密码在提示后输入，"
                                       "或在脚本中用环境变量 CARECENTER_PASSWORD 提供）；图形界面中预填登录名")
    sub = parser.add_subparsers(dest="command", title="子命令", metavar="COMMAND")

    p = sub.add_parser("gui", help="打开图形界面（默认）")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("demo", help="生成演示数据库（不打开窗口）")
    p.add_argument("--data-dir", type=Path, dest="sub_data_dir", help="演示数据库所在目录（须为空或不存在）")
    p.add_argument("--cadres", type=int, default=120, help="干部人数（默认 120）")
    p.add_argument("--seed", type=int, default=20261125, help="随机种子（同一种子生成同样的数据）")
    p.add_argument("--years", type=int, default=4, help="生成最近几年的休假与体检记录（默认 4，0 表示不生成）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("bench", help="性能基准：在临时目录生成数据库并测量各项耗时")
    p.add_argument("--cadres", type=int, default=50000, help="干部人数（默认 50000）")
    p.add_argument("--years", type=int, default=10, help="休假与体检历史的年数（默认 10）")
    p.add_argument("--keep", action="store_true", help="保留临时目录以便检查")
    p.set_defaults(func=cmd_bench)

    # headless commands that live with their feature: each module has add_commands(sub)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return parser


def resolve_paths(args: argparse.Namespace) -> DataPaths:
    data_dir = getattr(args, "sub_data_dir", None) or args.data_dir
    if data_dir is None:
        data_dir = demo_data_dir() if args.demo else default_data_dir()
    return DataPaths(Path(data_dir).expanduser().resolve())


def cmd_gui(args: argparse.Namespace) -> int:
    from .app import run_gui

    return run_gui(resolve_paths(args), demo=args.demo, user=args.user)


def cmd_demo(args: argparse.Namespace) -> int:
    from .app import open_store
    from .services import demo

    paths = resolve_paths(args)
    if args.cadres < 1:
        print("错误：--cadres 必须是正整数", file=sys.stderr)
        return 2
    if paths.database.exists():
        print(f"错误：{paths.database} 已存在。演示数据只写入新的空目录，请换一个 --data-dir。", file=sys.stderr)
        return 2
    if args.years < 0:
        print("错误：--years 不能为负数", file=sys.stderr)
        return 2
    open_store(paths)
    counts = demo.build(args.cadres, seed=args.seed, history_years=args.years)
    print(f"已生成演示数据库：{paths.database}")
    print(f"  单位 {counts['units']} 个，干部 {counts['cadres']} 名，家庭成员 {counts['family']} 名")
    if args.years:
        print(f"  最近 {args.years} 年：请假 {counts['leave']} 条，体检 {counts['checks']} 次，"
              f"异常发现 {counts['findings']} 项，慰问 {counts.get('welfare', 0)} 次，"
              f"谈心谈话 {counts.get('talks', 0)} 次")
        if "allowance_months" in counts:
            print(f"  津贴补贴：{counts['allowance_months']} 个月")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_bench

    if args.cadres < 1 or args.years < 0:
        print("错误：--cadres 必须是正整数，--years 不能为负数", file=sys.stderr)
        return 2
    return run_bench(args.cadres, keep=args.keep, years=args.years)


def damaged_advice(db_path: Path) -> str:
    """What to do about a damaged database: the newest backup and the command that restores it."""
    from .exchange import backup

    paths = DataPaths(Path(db_path).parent)
    try:
        entries = [e for e in backup.list_backups(paths)]
    except OSError:
        entries = []
    if not entries:
        return ("没有找到本机的备份。若有拷到 U 盘的备份，请用 python main.py restore 备份文件 --yes 恢复；"
                "否则请联系技术人员，不要再向这个文件写入。")
    newest = entries[0]
    return (f"最新的备份是 {newest.path.name}（{newest.taken_at:%Y-%m-%d %H:%M}，{newest.kind_name}）。恢复命令：\n"
            f"  python main.py --data-dir \"{paths.root}\" --user 系统管理员登录名 restore \"{newest.path}\" --yes")


def main(argv: list[str] | None = None) -> int:
    from . import app
    from .domain.errors import DomainError
    from .db import database
    from .signin_cli import NO_SIGNIN, CredentialError, sign_in_hook

    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_gui)
    from .security import access

    previous = access.current()
    if getattr(args, "command", None) not in NO_SIGNIN and not getattr(args, "no_signin", False):
        access.set_actor(None)   # the command acts only as the account it signs in
        app.set_after_open(sign_in_hook(args))
    try:
        return func(args)
    except CredentialError as err:
        print(f"错误：{err.message}", file=sys.stderr)
        return 2
    except database.DatabaseDamaged as err:
        print(f"错误：{err}", file=sys.stderr)
        print(damaged_advice(err.path), file=sys.stderr)
        return 2
    except (database.NotOurDatabase, database.DatabaseTooNew) as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    except DomainError as err:
        print(f"错误：{err.message}", file=sys.stderr)
        return 2
    finally:
        app.set_after_open(None)
        access.set_actor(previous)
