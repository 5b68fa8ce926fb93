"""Sign-in for headless commands, and the ``user`` and ``audit`` subcommands (issue 10).

Every subcommand that opens a database acts as the account named with ``--user``.
The password is read from the terminal without echo or, for scripts, from the
environment variable ``CARECENTER_PASSWORD`` (prefer the prompt: an environment
variable can be seen by other programs of the same user).  Wrong or missing
credentials: a Chinese message and exit code 2.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

PASSWORD_ENV = "CARECENTER_PASSWORD"
#: commands that make their own database and need no sign-in
NO_SIGNIN = {None, "gui", "demo", "bench"}


class CredentialError(Exception):
    """Missing or wrong credentials on the command line (exit code 2)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_secret(env: str, prompt: str, what: str) -> str:
    """A secret from the environment variable ``env`` (scripts) or typed without echo at the
    terminal; CredentialError naming ``what`` when there is neither."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CredentialError(f"需要{what}：请在终端中运行以便输入{what}，或（脚本中）设置环境变量 {env}。")
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise CredentialError(f"没有输入{what}，已取消。") from None


def read_password(prompt: str = "密码：") -> str:
    return read_secret(PASSWORD_ENV, prompt, "密码")


def read_new_password(what: str = "新密码") -> str:
    value = os.environ.get("CARECENTER_NEW_PASSWORD")
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CredentialError(f"需要{what}：请在终端中运行以便输入，或（脚本中）设置环境变量 CARECENTER_NEW_PASSWORD。")
    first = getpass.getpass(f"{what}：")
    second = getpass.getpass(f"再次输入{what}：")
    if first != second:
        raise CredentialError("两次输入的密码不一致，已取消。")
    return first


def _user_of(args: argparse.Namespace) -> str:
    user = getattr(args, "user", None)
    if not user:
        raise CredentialError("请用 --user 指定登录名（例如 --user jingban），密码在提示后输入。")
    return user


def key_provider(args: argparse.Namespace):
    """The function ``app.open_store`` calls for an encrypted database: the ``--user``
    account's password unwraps the data key (asked once: the sign-in after opening
    uses the same password)."""

    def provide(paths):
        from .domain.errors import DomainError
        from .services import accounts

        user = _user_of(args)
        password = getattr(args, "signin_password", None) or read_password()
        args.signin_password = password
        try:
            return accounts.unlock_store(paths.database, user, password)
        except DomainError as err:
            raise CredentialError(err.message) from None

    return provide


def sign_in_hook(args: argparse.Namespace):
    """The function ``app.open_store`` calls after opening: sign in as ``--user``."""

    done = []

    def hook() -> None:
        from .domain.errors import DomainError
        from .services import accounts

        if done:     # a command that reopens the store (restore) stays signed in
            return
        done.append(True)
        wait_for_writer()
        user = getattr(args, "user", None)
        if accounts.needs_setup():
            raise CredentialError("这个数据库还没有系统管理员账户。请先打开程序窗口建立，"
                                  "或运行 python main.py user setup --admin 登录名 --name 姓名。")
        if not user:
            raise CredentialError("请用 --user 指定登录名（例如 --user jingban），密码在提示后输入。")
        password = getattr(args, "signin_password", None) or read_password()
        args.signin_password = password
        try:
            result = accounts.sign_in(user, password)
        except DomainError as err:
            raise CredentialError(err.message) from None
        if result.must_change and getattr(args, "command", None) != "user":
            from .security import access

            access.set_actor(None)
            raise CredentialError(f"{result.reason}。请先运行 python main.py user passwd --user {user} 修改密码。")

    return hook


#: how long a headless command waits for another program's write to finish
#: (CARECENTER_WRITE_WAIT in seconds overrides it, e.g. for scripts that must not hang)
WRITE_WAIT_SECONDS = float(os.environ.get("CARECENTER_WRITE_WAIT") or 30)


def wait_for_writer(seconds: float | None = None) -> None:
    """Before the first write (the sign-in's audit row): when another window or program
    is writing, say so and wait a bounded time, then stop with nothing done."""
    from .db.database import PRAGMAS, db
    from .db.engine import OperationalError

    con = db.connection()
    normal = PRAGMAS["busy_timeout"]
    try:
        con.execute("PRAGMA busy_timeout = 0")
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return
        except OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
        print("数据正被另一个窗口或程序使用，正在等待…", file=sys.stderr, flush=True)
        wait = WRITE_WAIT_SECONDS if seconds is None else seconds
        con.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
        except OperationalError:
            raise CredentialError(f"数据被另一个窗口或程序占用，等待 {wait:g} 秒后仍未释放，已停止，没有做任何改动。"
                                  "请关闭正在写入的程序（例如正在导入或生成津贴的窗口）后再试。") from None
    finally:
        con.execute(f"PRAGMA busy_timeout = {normal}")


# ---------------------------------------------------------------- user …

def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="账户管理：setup、add、disable、enable、reset-password、list、passwd")
    what = p.add_subparsers(dest="user_command", title="操作", metavar="ACTION")

    s = what.add_parser("setup", help="新数据库：建立加密的数据库和第一个系统管理员账户（无需登录），显示恢复密钥")
    s.add_argument("--admin", required=True, help="系统管理员的登录名")
    s.add_argument("--name", required=True, help="系统管理员的姓名")
    s.add_argument("--sheet", type=Path, help="同时把恢复密钥纸写成这个 PDF 文件（请打印后删除该文件）")
    s.set_defaults(func=cmd_setup, no_signin=True)

    r = what.add_parser("recover", help="所有密码都遗失时：用恢复密钥为系统管理员重设密码（无需登录）")
    r.add_argument("login", help="系统管理员的登录名")
    r.set_defaults(func=cmd_recover, no_signin=True)

    rk = what.add_parser("recovery-key", help="重新设置恢复密钥（系统管理员）：旧的恢复密钥纸作废")
    rk.add_argument("--sheet", type=Path, help="同时把新的恢复密钥纸写成这个 PDF 文件（请打印后删除该文件）")
    rk.set_defaults(func=cmd_recovery_key)

    a = what.add_parser("add", help="新建账户（系统管理员）：初始密码在提示后输入，首次登录须修改")
    a.add_argument("login", help="登录名")
    a.add_argument("--name", required=True, help="姓名")
    a.add_argument("--role", action="append", required=True,
                   help="角色代码，可重复：admin 系统管理员、auditor 安全审计员、clerk 经办人、head 负责人、mental 心理关爱专员")
    a.add_argument("--unit", action="append", default=[], help="只管理这个单位（单位全称，可重复；不填为全部单位）")
    a.set_defaults(func=cmd_add)

    for name, func, text in (("disable", cmd_disable, "停用账户（系统管理员）"), ("enable", cmd_enable, "启用账户（系统管理员）"),
                             ("reset-password", cmd_reset, "重置账户密码（系统管理员），下次登录须修改"),
                             ("unlock", cmd_unlock, "解除账户锁定（系统管理员）")):
        c = what.add_parser(name, help=text)
        c.add_argument("login", help="登录名")
        c.set_defaults(func=func)

    ls = what.add_parser("list", help="列出全部账户（系统管理员）")
    ls.set_defaults(func=cmd_list)

    pw = what.add_parser("passwd", help="修改自己的密码（--user 指定的账户）")
    pw.set_defaults(func=cmd_passwd)
    p.set_defaults(func=lambda args: _usage(p))

    en = sub.add_parser("encrypt", help="把升级前的未加密数据库转换为加密数据库（系统管理员），显示恢复密钥")
    en.add_argument("--sheet", type=Path, help="同时把恢复密钥纸写成这个 PDF 文件（请打印后删除该文件）")
    en.add_argument("--copies", choices=("keep", "encrypt", "delete"), default="keep",
                    help="数据目录里剩下的未加密副本（备份、升级前副本）：keep 只列出（默认）、encrypt 加密、delete 安全删除")
    en.set_defaults(func=cmd_encrypt)

    au = sub.add_parser("audit", help="审计日志：verify 校验哈希链，export 导出（安全审计员）")
    aw = au.add_subparsers(dest="audit_command", title="操作", metavar="ACTION")
    v = aw.add_parser("verify", help="校验审计日志的哈希链，报告第一处断裂")
    v.set_defaults(func=cmd_audit_verify)
    e = aw.add_parser("export", help="导出审计日志到 Excel（本身也记入审计）")
    e.add_argument("--out", type=Path, required=True, help="输出的 .xlsx 文件")
    e.add_argument("--from", dest="start", help="起始日期，如 2026-01-01")
    e.add_argument("--to", dest="end", help="截止日期")
    e.add_argument("--account", default="", help="只导出这个登录名的操作")
    e.add_argument("--action", default="", help="只导出这类操作（如 signin、export、print）")
    e.set_defaults(func=cmd_audit_export)
    au.set_defaults(func=lambda args: _usage(au))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _open(args) -> None:
    open_store, resolve_paths = args.root.open_store, args.root.resolve_paths   # handed in by cli

    paths = resolve_paths(args)
    if not paths.database.exists():
        raise CredentialError(f"数据目录 {paths.root} 中没有数据库，请用 --data-dir 指定正确的数据目录。")
    open_store(paths)


def _account_id(login: str) -> int:
    from .db.models import Account

    row = Account.get_or_none(Account.login == login)
    if row is None:
        raise CredentialError(f"没有登录名为「{login}」的账户。")
    return row.id


def _show_recovery_key(recovery_key: str, paths, sheet: Path | None) -> None:
    """The recovery key on the terminal (once), and the printable sheet when asked for."""
    print()
    print("恢复密钥（请立即抄写或打印，交单位保密员保管；本程序不会再显示它）：")
    print()
    print("    " + recovery_key)
    print()
    if sheet is not None:
        from .reports import recovery_sheet
        from .services import printing

        sheet = Path(sheet)
        recovery_sheet.write(sheet, recovery_key, database=paths.database, unit_name=printing.unit_name())
        print(f"恢复密钥纸已写到 {sheet}。打印后请删除这个文件（它含有恢复密钥）。")


def cmd_setup(args) -> int:
    from . import encryption
    from .services import accounts

    open_store, resolve_paths = args.root.open_store, args.root.resolve_paths   # handed in by cli

    paths = resolve_paths(args)
    if encryption.store_state(paths) == encryption.NEW:
        password = read_new_password("系统管理员密码")
        created = encryption.create_store(paths, open_store, args.admin, args.name, password)
        print(f"已建立加密数据库 {paths.database} 和系统管理员账户 {created.who.who}。")
        _show_recovery_key(created.recovery_key, paths, args.sheet)
        return 0
    if encryption.store_state(paths) == encryption.ENCRYPTED:
        raise CredentialError("这个数据库已经有系统管理员账户，请用已有账户登录后再新建账户（user add）。")
    open_store(paths)
    if not accounts.needs_setup():
        raise CredentialError("这个数据库已经有系统管理员账户，请用已有账户登录后再新建账户（user add）；"
                              "未加密的数据库请由系统管理员运行 python main.py encrypt --user 登录名 加密。")
    password = read_new_password("系统管理员密码")
    who = accounts.create_first_admin(args.admin, args.name, password)
    print(f"已建立系统管理员账户 {who.who}。正在加密数据库…")
    result = encryption.encrypt_store(paths, open_store, password)
    _report_encrypted(result, paths, args.sheet, "keep")
    return 0


def _report_encrypted(result, paths, sheet: Path | None, copies: str) -> None:
    print(f"数据库已加密。加密前的副本已核对并保存为 {result.verified_copy}。")
    _show_recovery_key(result.recovery_key, paths, sheet)
    if result.without_key:
        print("以下账户在加密前建立，还不能登录加密的数据库，请系统管理员为它们重设密码"
              "（python main.py user reset-password 登录名）：" + "、".join(result.without_key))
    _handle_copies(result.plaintext_copies, copies)


def _handle_copies(files: list[Path], copies: str) -> None:
    """The plaintext copies left in the data folder: encrypted, deleted, or listed (``keep``)."""
    from .exchange import backup

    if not files:
        return
    if copies == "encrypt":
        print(f"已加密 {len(backup.encrypt_copies(files))} 份未加密的副本。")
    elif copies == "delete":
        print(f"已安全删除 {len(backup.shred_copies(files))} 份未加密的副本。")
    else:
        print("数据目录里还有这些未加密的副本（含完整的干部信息）：")
        for f in files:
            print(f"    {f}")
        print("请运行 python main.py encrypt --copies encrypt（加密它们）或 --copies delete（安全删除）处理。")


def cmd_encrypt(args) -> int:
    from . import encryption
    from .exchange import backup

    open_store, resolve_paths = args.root.open_store, args.root.resolve_paths   # handed in by cli

    paths = resolve_paths(args)
    _open(args)
    if encryption.store_state(paths) == encryption.ENCRYPTED:
        copies = backup.plaintext_copies(paths)
        if not copies:
            print("数据库已经是加密的，数据目录里也没有未加密的副本。")
            return 0
        if args.copies == "keep":
            print("数据库已经是加密的。")
        _handle_copies(copies, args.copies)
        return 0
    result = encryption.encrypt_store(paths, open_store, args.signin_password,
                                      progress=lambda p, t: print(f"  {p:3d}% {t}", file=sys.stderr) if t else None)
    _report_encrypted(result, paths, args.sheet, args.copies)
    return 0


def read_recovery_key() -> str:
    return read_secret("CARECENTER_RECOVERY_KEY", "恢复密钥（照恢复密钥纸输入，可不输短横线）：", "恢复密钥")


def cmd_recover(args) -> int:
    from . import encryption
    from .domain.errors import DomainError

    open_store, resolve_paths = args.root.open_store, args.root.resolve_paths   # handed in by cli

    paths = resolve_paths(args)
    if encryption.store_state(paths) != encryption.ENCRYPTED:
        raise CredentialError("这个数据库没有加密，没有恢复密钥。请由系统管理员用 user reset-password 重设密码。")
    try:
        encryption.open_with_recovery(paths, open_store, read_recovery_key())
    except DomainError as err:
        raise CredentialError(err.message) from None
    from .services import accounts

    password = read_new_password(f"{args.login} 的新密码")
    accounts.reset_with_recovery(args.login, password)
    print(f"已用恢复密钥为系统管理员 {args.login} 重设密码。请用新密码登录，登录时须再改为自己的密码。")
    return 0


def cmd_recovery_key(args) -> int:
    from . import encryption

    paths = args.root.resolve_paths(args)
    _open(args)
    _show_recovery_key(encryption.replace_recovery_key(), paths, args.sheet)
    print("旧的恢复密钥纸已作废，请按涉密载体销毁。")
    return 0


def cmd_add(args) -> int:
    from .db.models import Unit
    from .services import accounts

    _open(args)
    unit_ids = None
    if args.unit:
        unit_ids = []
        for name in args.unit:
            u = Unit.get_or_none((Unit.name == name) & (Unit.archived == False))  # noqa: E712
            if u is None:
                raise CredentialError(f"没有名为「{name}」的在用单位。")
            unit_ids.append(u.id)
    password = read_new_password("初始密码")
    accounts.create_account(args.login, args.name, args.role, unit_ids, password)
    print(f"已新建账户 {args.login}（{args.name}），首次登录时须修改密码。")
    return 0


def cmd_disable(args) -> int:
    from .services import accounts

    _open(args)
    accounts.set_enabled(_account_id(args.login), False)
    print(f"已停用账户 {args.login}。")
    return 0


def cmd_enable(args) -> int:
    from .services import accounts

    _open(args)
    accounts.set_enabled(_account_id(args.login), True)
    print(f"已启用账户 {args.login}。")
    return 0


def cmd_reset(args) -> int:
    from .services import accounts

    _open(args)
    account_id = _account_id(args.login)
    accounts.reset_password(account_id, read_new_password(f"{args.login} 的新密码"))
    print(f"已重置 {args.login} 的密码，下次登录时须修改。")
    return 0


def cmd_unlock(args) -> int:
    from .services import accounts

    _open(args)
    accounts.unlock_account(_account_id(args.login))
    print(f"已解除 {args.login} 的锁定。")
    return 0


def cmd_list(args) -> int:
    from .services import accounts

    _open(args)
    for a in accounts.list_accounts():
        state = "停用" if not a.enabled else ("锁定中" if a.locked else "正常")
        scope = "、".join(a.unit_names) if a.unit_ids is not None else "全部单位"
        last = f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "从未登录"
        print(f"{a.login}\t{a.display_name}\t{'、'.join(a.role_names)}\t{scope}\t{state}\t上次登录 {last}")
    return 0


def cmd_passwd(args) -> int:
    from .services import accounts

    _open(args)
    accounts.change_password(getattr(args, "signin_password", ""), read_new_password())
    print("密码已修改。")
    return 0


def cmd_audit_verify(args) -> int:
    from .services import audit

    _open(args)
    report = audit.verify()
    with_db_record(lambda: audit.record("verify", "audit_log", "", "校验审计日志：" + ("完整" if report.ok else "未通过")))
    print(report.message)
    return 0 if report.ok else 1


def with_db_record(fn) -> None:
    from .db.database import db

    with db.atomic():
        fn()


def cmd_audit_export(args) -> int:
    from .domain import dates
    from .exchange import audit_export
    from .services import audit

    _open(args)
    start = dates.parse_date(args.start, "start", "起始日期") if args.start else None
    end = dates.parse_date(args.end, "end", "截止日期") if args.end else None
    f = audit.AuditFilter(start=start, end=end, user=args.account, action=args.action)
    out = args.out.expanduser()
    if out.suffix.lower() != ".xlsx":
        raise CredentialError(f"导出文件须以 .xlsx 结尾，例如 {out.with_suffix('.xlsx').name}")
    n = audit_export.export_audit(f, out)
    print(f"已导出 {n} 行审计日志到 {os.fsdecode(out)!s}".encode("utf-8", "backslashreplace").decode("utf-8"))
    return 0
