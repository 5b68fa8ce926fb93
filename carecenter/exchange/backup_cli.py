"""``python main.py backup`` and ``python main.py restore``: the same as the 数据备份 page.

Exit codes: 0 done, 2 refused (nothing changed); an unexpected failure ends in the
top-level handler of ``carecenter.cli`` (exit code 3, written to the log).  A backup
stopped by Ctrl+C or SIGTERM removes its ``.part`` file; one left by a killed run is
removed the next time (``backup.cleanup_stale``).
"""
from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
from pathlib import Path


def add_commands(sub) -> None:
    p = sub.add_parser("backup", help="备份数据库（默认存入数据目录的 backups 文件夹，按日/周/月轮换保留）",
                       description="用 SQLite 在线备份接口复制数据库并检查副本。不带 --to 时存入数据目录的 "
                                   "backups 文件夹（保留最近 7 天每天一份、4 周每周一份、12 个月每月一份）；"
                                   "带 --to 时写到指定文件夹（例如 U 盘），不参与轮换。")
    p.add_argument("--to", type=Path, metavar="FOLDER", help="把备份写到这个文件夹（例如 U 盘）")
    p.add_argument("--list", action="store_true", help="只列出数据目录里已有的备份")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复数据库（先检查备份，并保留当前数据库的安全副本）",
                       description="检查备份文件（是否为本程序的备份、是否完好、是否由更新版本创建），"
                                   "先把当前数据库另存为安全副本，再整体替换；较旧的备份会自动升级结构。")
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件（.db）")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    p.add_argument("--backup-user", metavar="LOGIN",
                   help="另一套数据的加密备份：用它的这个账户的密码打开（密码在提示后输入，"
                        "或设置环境变量 CARECENTER_BACKUP_PASSWORD）")
    p.add_argument("--recovery-key", action="store_true",
                   help="另一套数据的加密备份：用它的恢复密钥打开（在提示后输入，或设置环境变量 CARECENTER_RECOVERY_KEY）")
    p.set_defaults(func=cmd_restore)


def _err(text: str) -> None:
    print(f"错误：{text}", file=sys.stderr)


def _setup(args: argparse.Namespace):
    paths = args.root.resolve_paths(args)
    try:
        args.root.setup_logging(paths)
    except OSError:
        pass
    return paths


def _sign_in(args: argparse.Namespace, paths, candidate: Path | None = None) -> None:
    """Open the store so the command line signs the ``--user`` account in (the composition
    root's hook), then close it again: backups and restores work on the files.  When the
    live database cannot be opened (the reason to restore), the account is checked
    against the backup being restored instead."""
    from ..db import database
    from . import backup

    open_store = args.root.open_store

    try:
        open_store(paths)
    except (database.DatabaseDamaged, database.NotOurDatabase):
        if candidate is None:
            raise
        with backup.opened_copy(candidate, open_store):
            pass
        return
    finally:
        database.close_database()


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a service manager, ``kill``) unwinds like Ctrl+C, so the backup's
    ``finally``/``except BaseException`` blocks remove its ``.part`` file."""
    def on_term(_signum, _frame):
        raise KeyboardInterrupt()

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except (ValueError, OSError):      # not the main thread: nothing to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_backup(args: argparse.Namespace) -> int:
    from ..db import database
    from ..services.values import path_text
    from . import backup

    paths = _setup(args)
    backup.cleanup_stale(paths, min_age=backup.STALE_PART_AGE)
    if args.to is not None:
        backup.cleanup_stale_parts(args.to.expanduser(), min_age=backup.STALE_PART_AGE)
    if args.list:
        entries = backup.list_backups(paths)
        if not entries:
            print(f"{paths.backups} 里还没有备份。")
            return 0
        print(f"备份文件夹：{paths.backups}")
        for e in entries:
            keep = "、".join(e.keep)
            print(f"  {e.taken_at:%Y-%m-%d %H:%M}  {e.kind_name:<8}  {backup.size_text(e.size):>9}  "
                  f"{keep}  {e.path.name}")
        return 0
    if not paths.database.exists():
        _err(f"数据目录 {paths.root} 里还没有数据库，无需备份。可用 --data-dir 指定数据目录。")
        return 2
    try:
        database.check_before_open(paths.database)
    except (database.NotOurDatabase, database.DatabaseTooNew) as err:
        _err(str(err))
        return 2
    _sign_in(args, paths)
    t = time.perf_counter()
    try:
        with _terminate_as_interrupt():
            if args.to is not None:
                made = backup.backup_to(paths, args.to.expanduser())
            else:
                made = backup.backup_now(paths, backup.KIND_MANUAL)
    except backup.BackupError as err:
        _err(err.message)
        return 2
    finally:
        database.close_database()
    print(f"已备份：{path_text(made.path)}")
    print(f"  大小 {backup.size_text(made.size)}，用时 {time.perf_counter() - t:.1f} 秒，副本已通过检查")
    if args.to is None:
        print(f"  备份文件夹按日/周/月轮换保留，现有 {len(backup.list_backups(paths))} 份")
    return 0


def _backup_secret(args: argparse.Namespace):
    """The password or recovery key of an encrypted backup of another database, when given."""
    from ..signin_cli import read_recovery_key, read_secret

    if getattr(args, "recovery_key", False):
        return ("recovery", read_recovery_key())
    login = getattr(args, "backup_user", None)
    if not login:
        return None
    return ("password", login, read_secret("CARECENTER_BACKUP_PASSWORD", f"备份中账户 {login} 的密码：",
                                           "备份中该账户的密码"))


def cmd_restore(args: argparse.Namespace) -> int:
    from ..domain.errors import DomainError
    from ..services.values import path_text
    from . import backup

    paths = _setup(args)
    file = args.file.expanduser()
    from . import backup_keys

    signed_in = False
    if paths.database.exists() and file.is_file() and backup_keys.read(file) is not None:
        _sign_in(args, paths, file)   # first: an encrypted backup of this database opens with its key
        signed_in = True
    secret = _backup_secret(args)
    print(f"正在检查备份文件 {path_text(file)} …")
    try:
        info = backup.inspect_backup(paths, file, secret=secret)
    except backup.BackupKeyNeeded as err:
        _err(err.message + "请加上 --backup-user 登录名（再输入该账户的密码）或 --recovery-key（再输入恢复密钥）。"
                           "数据没有任何改动。")
        return 2
    except DomainError as err:
        _err(err.message)
        return 2
    print(f"  备份时间 {info.taken_at:%Y-%m-%d %H:%M}，在册干部 {info.cadres} 人，"
          f"大小 {backup.size_text(info.size)}，完整性检查通过")
    if info.last_change:
        print(f"  其中数据最后修改于 {info.last_change:%Y-%m-%d %H:%M}")
    if info.older:
        print(f"  该备份由较早版本的程序创建（结构版本 {info.version}），恢复后会自动升级到版本 {info.known}")
    if paths.database.exists():
        print(f"当前数据库 {paths.database} 将被替换；替换前会先在 {paths.backups} 保存一份安全副本。")
    if not args.yes:
        if not sys.stdin.isatty():
            _err("恢复会替换当前数据库。请确认后加上 --yes 再运行。数据没有任何改动。")
            return 2
        answer = input("确定用这个备份恢复吗？输入 y 确认：").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消，数据没有任何改动。")
            return 2
    paths.ensure()
    if not signed_in:
        _sign_in(args, paths, file)
    backup.reopen_with(args.root.reopen_store)   # reopen after the swap exactly as at start-up
    try:
        with _terminate_as_interrupt():
            result = backup.restore(paths, file, secret=secret, info=info)
    except backup.BackupError as err:
        _err(err.message)
        return 2
    finally:
        from ..db.database import close_database

        close_database()
    print(f"已从备份恢复：{path_text(file)}")
    if result.safety is not None:
        print(f"  原来的数据库已保存为安全副本：{path_text(result.safety.path)}")
    if result.migrations:
        print(f"  已升级数据库结构：{', '.join(result.migrations)}")
    return 0
