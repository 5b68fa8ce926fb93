"""Command line: the GUI by default, headless subcommands for scripted use.

Exit codes (README「命令行」): 0 done; 1 done in part or not found (an import with
refused rows, an unknown ID number, an outdated printout); 2 refused with a Chinese
message, nothing changed (bad input, a missing or unusable data folder or file, a
database that is busy, not ours or from a newer version); 3 an unexpected error,
written with its traceback to the log file named in the message; 130 interrupted.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .cli_args import UsageError
from .paths import DataPaths, default_data_dir, demo_data_dir


#: modules that add subcommands (print, import, export, backup, restore …); each
#: defines ``add_commands(sub)`` and imports its heavy parts only inside the command
COMMAND_MODULES: tuple[str, ...] = (
    "carecenter.exchange.backup_cli",
    "carecenter.exchange.exchange_cli",
    "carecenter.exchange.export_cli",
    "carecenter.exchange.import_cli",
    "carecenter.reports.cli",
    "carecenter.signin_cli",
)


EXIT_OK, EXIT_PARTLY, EXIT_REFUSED, EXIT_UNEXPECTED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: commands that may be given a data folder that does not exist yet (they create it;
#: ``user setup`` too, which makes a new database's first administrator, and any subcommand
#: that sets ``creates_data_dir``: ``county init``)
CREATES_DATA_DIR = frozenset({"demo", "gui", "bench"})


@dataclass(frozen=True)
class GlobalOption:
    """An option of the whole program: accepted before or after any subcommand
    (``--data-dir D print …`` and ``print … --data-dir D`` mean the same)."""

    flag: str
    dest: str
    help: str
    metavar: str
    convert: Callable[[str], Any] = str


#: the global options; main() takes them out of the arguments wherever they stand
GLOBAL_OPTIONS: list[GlobalOption] = [
    GlobalOption("--data-dir", "data_dir", "数据目录（默认：本机用户数据目录）；可写在子命令之前或之后", "目录", Path),
    GlobalOption("--user", "user", "登录名：子命令以这个账户的身份运行（密码在提示后输入，"
                                   "或在脚本中用环境变量 CARECENTER_PASSWORD 提供）；图形界面中预填登录名", "登录名"),
]


def split_global_options(argv: list[str]) -> tuple[list[str], dict[str, Any]]:
    """(the other arguments, {dest: value}) with every global option taken out, in
    either ``--flag value`` or ``--flag=value`` form (not after a ``--``)."""
    rest: list[str] = []
    found: dict[str, Any] = {}
    flags = {o.flag: o for o in GLOBAL_OPTIONS}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name, eq, value = arg.partition("=")
        option = flags.get(name)
        if option is None:
            rest.append(arg)
            i += 1
            continue
        if not eq:
            if i + 1 >= len(argv) or (argv[i + 1].startswith("--") and argv[i + 1] != "--"):
                raise UsageError(f"{option.flag} 后面缺少{option.metavar}，例如 {option.flag} D:\\关爱中心数据")
            value = argv[i + 1]
            i += 1
        i += 1
        if option.dest in found and found[option.dest] != option.convert(value):
            raise UsageError(f"{option.flag} 给了两次且不相同（{found[option.dest]} 与 {value}），请只写一次")
        found[option.dest] = option.convert(value)
    return rest, found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carecenter",
        description="关心关爱中心：乡镇干部关心关爱工作台账（离线桌面程序）。不带子命令时打开图形界面。",
        epilog="退出码：0 完成；1 部分完成或未找到（如导入时有行未导入）；2 已拒绝并说明原因，数据没有改动；"
               "3 意外错误（详细信息记入日志）。",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    for option in GLOBAL_OPTIONS:
        parser.add_argument(option.flag, dest=option.dest, type=option.convert, metavar=option.metavar,
                            help=option.help)
    parser.add_argument("--demo", action="store_true", help="打开演示数据库（与真实数据分开存放，首次使用时自动生成）")
    sub = parser.add_subparsers(dest="command", title="子命令", metavar="COMMAND")

    p = sub.add_parser("gui", help="打开图形界面（默认）")
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser("demo", help="生成演示数据库（不打开窗口）；用 --data-dir 指定演示数据库所在目录（须为空或不存在）")
    p.add_argument("--cadres", type=int, default=120, help="干部人数（默认 120）")
    p.add_argument("--seed", type=int, default=20261125, help="随机种子（同一种子生成同样的数据）")
    p.add_argument("--years", type=int, default=4, help="生成最近几年的休假与体检记录（默认 4，0 表示不生成）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("bench", help="性能基准：在临时目录生成数据库并测量各项耗时")
    p.add_argument("--cadres", type=int, default=50000, help="干部人数（默认 50000）")
    p.add_argument("--years", type=int, default=10, help="休假与体检历史的年数（默认 10）")
    p.add_argument("--keep", action="store_true", help="保留临时目录以便检查")
    p.add_argument("--plain", action="store_true", help="用未加密的数据库测量（默认与实际使用一样加密）")
    p.add_argument("--compare", action="store_true", help="加密与未加密各测一遍，并排列出比值")
    p.set_defaults(func=cmd_bench)

    # headless commands that live with their feature: each module has add_commands(sub);
    # a command gets what it needs of the composition root as args.root
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    # each subcommand's --help lists the global options too (main() takes them out first)
    for subparser in set(sub.choices.values()):
        group = subparser.add_argument_group("全局选项（可写在子命令之前或之后）")
        for option in GLOBAL_OPTIONS:
            group.add_argument(option.flag, dest=option.dest, metavar=option.metavar, help=option.help,
                               default=argparse.SUPPRESS)
    parser.set_defaults(root=CommandRoot())
    return parser


class CommandRoot:
    """What the composition root hands the feature packages' subcommands (``args.root``), so
    that they never import ``cli`` or ``app`` themselves.  ``app`` loads on first use."""

    @staticmethod
    def resolve_paths(args: argparse.Namespace) -> DataPaths:
        return resolve_paths(args)

    @staticmethod
    def setup_logging(paths: DataPaths) -> Path:
        from .app import setup_logging

        return setup_logging(paths)

    @staticmethod
    def open_store(paths: DataPaths, **keyed) -> list[str]:
        from .app import open_store

        return open_store(paths, **keyed)

    @staticmethod
    def reopen_store(paths: DataPaths) -> list[str]:
        from .app import reopen_store

        return reopen_store(paths)

    @staticmethod
    def seed_rule_tables() -> None:
        from .app import seed_rule_tables

        seed_rule_tables()


def resolve_paths(args: argparse.Namespace) -> DataPaths:
    data_dir = getattr(args, "data_dir", None)
    if data_dir is None:
        data_dir = demo_data_dir() if getattr(args, "demo", False) else default_data_dir()
    return DataPaths(Path(data_dir).expanduser().resolve())


def cmd_gui(args: argparse.Namespace) -> int:
    from .ui.application import run  # the GUI half of the composition root

    paths = resolve_paths(args)
    # a mistyped --data-dir is a question, not a new empty database (issue 12)
    ask = bool(getattr(args, "data_dir", None)) and not args.demo and not paths.root.exists()
    return run(paths, demo=args.demo, user=args.user, ask_create=ask)


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
    from .encryption import DEMO_RECOVERY_FILE, create_demo_store

    create_demo_store(paths, open_store)
    counts = demo.build(args.cadres, seed=args.seed, history_years=args.years)
    print(f"已生成演示数据库（已加密）：{paths.database}")
    print(f"  演示账户 admin、shenji、jingban、fuzeren、xinli，密码均为 Demo@2026；"
          f"恢复密钥见 {paths.root / DEMO_RECOVERY_FILE}")
    print(f"  单位 {counts['units']} 个，干部 {counts['cadres']} 名，家庭成员 {counts['family']} 名")
    if args.years:
        print(f"  最近 {args.years} 年：请假 {counts['leave']} 条，体检 {counts['checks']} 次，"
              f"异常发现 {counts['findings']} 项，慰问 {counts.get('welfare', 0)} 次，"
              f"谈心谈话 {counts.get('talks', 0)} 次")
        if "allowance_months" in counts:
            print(f"  津贴补贴：{counts['allowance_months']} 个月")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from functools import partial

    from .bench import open_store, run_bench
    from .ui.bench_gui import county_page_figures, roster_figures  # Qt loads only when they are measured

    if args.cadres < 1 or args.years < 0:
        print("错误：--cadres 必须是正整数，--years 不能为负数", file=sys.stderr)
        return 2
    return run_bench(args.cadres, keep=args.keep, years=args.years,
                     gui_figures=partial(roster_figures, open_store=open_store), plain=args.plain,
                     compare=args.compare, county_page_figures=county_page_figures)


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


def check_data_dir(args: argparse.Namespace) -> None:
    """A --data-dir given on the command line must be a folder that exists, except for
    the commands that make one (demo, bench) and the window (which asks first)."""
    given = getattr(args, "data_dir", None)
    if given is None:
        return
    folder = Path(given).expanduser()
    command = getattr(args, "command", None) or "gui"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--data-dir 指定的「{folder}」是一个文件，不是文件夹。请指定数据目录（存放 carecenter.db 的文件夹）")
    creates = command in CREATES_DATA_DIR or (command == "user" and getattr(args, "user_command", None) == "setup") \
        or getattr(args, "creates_data_dir", False)
    if not folder.exists() and not creates:
        raise UsageError(f"数据目录「{folder}」不存在，其中也没有数据库。请检查 --data-dir 是否写对"
                         "（新建数据目录请打开图形界面，或用 demo 命令生成演示数据）")


def _data_root(args: argparse.Namespace | None) -> Path | None:
    try:
        return resolve_paths(args).root if args is not None else None
    except Exception:  # noqa: BLE001 - only used to name the log file
        return None


def _log_file(args: argparse.Namespace | None) -> Path:
    """Where the unexpected error is written: the data folder's log, else the temp folder."""
    from .app import setup_logging

    root = _data_root(args)
    if root is not None and root.is_dir():
        try:
            return setup_logging(DataPaths(root))
        except OSError:
            pass
    logfile = Path(tempfile.gettempdir()) / "carecenter-error.log"
    handler = logging.FileHandler(logfile, encoding="utf-8", errors="backslashreplace")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    return logfile


def known_error_message(exc: BaseException) -> str | None:
    """The Chinese message of an error the user can act on, or None for an unexpected one."""
    from .db import database, engine
    from .domain.errors import DomainError

    from .signin_cli import CredentialError

    if isinstance(exc, UsageError):
        return str(exc)
    if isinstance(exc, CredentialError):
        return exc.message
    if isinstance(exc, database.DatabaseDamaged):
        return f"{exc}\n{damaged_advice(exc.path)}"
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, (database.DatabaseTooNew, database.NotOurDatabase)):
        return str(exc)
    import peewee

    if isinstance(exc, (engine.OperationalError, peewee.OperationalError)):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return "数据正被另一个窗口或程序使用，请关闭其他打开这份数据的关心关爱中心程序后再试。本次没有改动任何数据"
        if "readonly" in text or "read-only" in text:
            return "数据目录不允许写入（只读的文件夹、U 盘或光盘）。请把数据目录复制到可写的位置，或用 --data-dir 另选一个"
        if "unable to open" in text:
            return "无法打开数据库文件。请确认数据目录存在且可以写入，或用 --data-dir 另选一个"
        if "disk" in text and "full" in text:
            return "磁盘空间不足，请腾出空间后再试。本次没有改动任何数据"
        return None
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else ""
        why = exc.strerror or str(exc)
        if isinstance(exc, PermissionError):
            why = "没有权限（只读的文件夹，或文件正被其他程序打开）"
        elif isinstance(exc, FileNotFoundError):
            why = "找不到该文件或文件夹"
        elif getattr(exc, "errno", None) == 28:
            why = "磁盘空间不足"
        return f"无法访问「{os.fsdecode(where) if where else '文件'}」：{why}。请换一个位置或检查后再试"
    return None


def _safe_streams() -> None:
    """Paths are bytes the OS gave us: a GBK file name decoded with surrogate escapes must
    print as \\xNN, not stop the program with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    """Run one command; every error ends here with a Chinese message and an exit code
    (no Python traceback reaches the user)."""
    from . import app
    from .security import access
    from .signin_cli import NO_SIGNIN, key_provider, sign_in_hook

    _safe_streams()
    args: argparse.Namespace | None = None
    previous = access.current()
    try:
        rest, found = split_global_options(list(sys.argv[1:] if argv is None else argv))
        parser = build_parser()
        args = parser.parse_args(rest)
        for key, value in found.items():
            setattr(args, key, value)
        check_data_dir(args)
        func = getattr(args, "func", cmd_gui)
        if getattr(args, "command", None) not in NO_SIGNIN and not getattr(args, "no_signin", False):
            access.set_actor(None)   # the command acts only as the account it signs in
            app.set_after_open(sign_in_hook(args))
            app.set_key_provider(key_provider(args))
        return func(args)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("\n已中断。进行中的操作要么已全部完成，要么完全没做。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the one top-level handler
        message = known_error_message(exc)
        if message is not None:
            print(f"错误：{message}", file=sys.stderr)
            return EXIT_REFUSED
        try:
            logfile = _log_file(args)
            logging.getLogger("carecenter.cli").exception("unexpected error in %s", sys.argv)
        except Exception:  # noqa: BLE001 - the message below still goes out
            logfile = None
        where = f"，详细信息已记录到日志 {logfile}" if logfile else ""
        print(f"程序遇到意外错误（{type(exc).__name__}）{where}。请把日志文件发给技术人员。", file=sys.stderr)
        return EXIT_UNEXPECTED
    finally:
        app.set_after_open(None)
        app.set_key_provider(None)
        access.set_actor(previous)
