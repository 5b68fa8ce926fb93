"""Password-protected files (issue 11): the rules for a file password, and xlsx encryption.

Excel files get the standard Office encryption (ECMA-376 agile: AES-256, SHA-512,
100,000 spins) through ``msoffcrypto-tool``; Excel, WPS and LibreOffice ask for the
password when the file is opened.  PDFs are encrypted by reportlab while they are
written (``reports.templates.pdf_encryption``).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

from ..domain.errors import DomainError
from ..durable import replace_with

MIN_LENGTH = 6
MAX_LENGTH = 64          # reportlab (PDF) uses at most 127 bytes of a password; stay well below
#: environment variable the command line reads a file password from (instead of prompting)
PASSWORD_ENV = "CARECENTER_FILE_PASSWORD"


def check_file_password(password: str | None, confirm: str | None = None) -> str:
    """The password to protect a file with, or a DomainError (field ``password`` or
    ``confirm``) saying what is wrong."""
    password = password or ""
    if not password:
        raise DomainError("required", "请填写文件密码（打开文件时要输入它）", "password")
    if password != password.strip():
        raise DomainError("spaces", "文件密码的开头和结尾不能是空格", "password")
    if len(password) < MIN_LENGTH:
        raise DomainError("too_short", f"文件密码至少 {MIN_LENGTH} 个字符，现在只有 {len(password)} 个", "password")
    if len(password) > MAX_LENGTH:
        raise DomainError("too_long", f"文件密码不超过 {MAX_LENGTH} 个字符", "password")
    if any(ord(ch) < 32 for ch in password):
        raise DomainError("control", "文件密码不能含有制表符、换行等控制字符", "password")
    if confirm is not None and confirm != password:
        raise DomainError("mismatch", "两次输入的文件密码不一致，请重新输入确认密码", "confirm")
    return password


def encrypt_xlsx(source: Path, target: Path, password: str) -> Path:
    """Write ``source`` (an .xlsx) to ``target`` encrypted with ``password``.  ``target`` is
    replaced atomically (written beside it first), so a failure leaves any earlier file."""
    from msoffcrypto.format.ooxml import OOXMLFile

    password = check_file_password(password)
    target = Path(target)
    with open(source, "rb") as fh:
        office = OOXMLFile(fh)
        buf = io.BytesIO()
        office.encrypt(password, buf)
    replace_with(target, buf.getvalue(), prefix=".protect-", suffix=target.suffix, sync=False)
    return target


class PasswordUnavailable(DomainError):
    def __init__(self):
        super().__init__("no_terminal", f"--password 需要在终端中输入文件密码；在脚本中请改用环境变量 {PASSWORD_ENV}",
                         "password")


def password_for_command_line(environ=None, prompt=None, interactive: bool | None = None) -> str:
    """The file password for ``--password``: from ``CARECENTER_FILE_PASSWORD`` when set
    (scripts), otherwise typed twice at the terminal without echo.  Checked like the
    dialog's (DomainError naming what is wrong)."""
    import getpass
    import sys

    environ = os.environ if environ is None else environ
    if environ.get(PASSWORD_ENV):
        return check_file_password(environ[PASSWORD_ENV])
    ask = prompt or getpass.getpass
    if interactive is None:
        interactive = prompt is not None or sys.stdin.isatty()
    if not interactive:
        raise PasswordUnavailable()
    first = ask("文件密码（打开文件时要输入，至少 6 个字符）：")
    check_file_password(first)
    return check_file_password(first, ask("再输入一次文件密码："))
