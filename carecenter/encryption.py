"""Encryption at rest, the use cases that span the key file and the store (issue 11).

Composition-level (beside ``app``): these open, close and swap the database file
itself, which no service may do.  The window and the command line both call them.

* ``store_state``: is the database new, plaintext (from before the encryption) or
  encrypted.  An encrypted one is opened only with a key unwrapped by a password
  (``accounts.unlock_store``) or the recovery key.
* ``create_store``: a new database is encrypted from its first byte: a random data
  key, a recovery key, the key file, then the database and its first 系统管理员.
* ``encrypt_store``: the upgrade of a plaintext database, by a 系统管理员 after
  signing in: a verified copy first, then ``cipher.encrypt_file`` (old or new file,
  never neither), then the list of the plaintext copies left (pre-migration copies,
  backups) to encrypt or delete.
* ``recover``: the recovery key opens the store and sets a new password for a
  系统管理员 (every password lost), audited.
* ``replace_recovery_key``: a new recovery key; the old sheet stops working.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .db import cipher, database, engine
from .domain.errors import DomainError
from .paths import DataPaths
from .security import access, keys, storekey

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]

NEW, PLAIN, ENCRYPTED = "new", "plain", "encrypted"


class KeyNeeded(DomainError):
    """The database is encrypted and no key was given to open it."""

    def __init__(self, path: Path):
        super().__init__("key_needed", f"数据库 {path} 已加密，需要先用账户密码或恢复密钥解开它的密钥", None,
                         path=str(path))


class ConversionRunning(DomainError):
    def __init__(self, path: Path):
        super().__init__("converting", f"数据库 {path} 正在另一个窗口中加密，请等它完成后再打开", None, path=str(path))


def store_state(paths: DataPaths) -> str:
    path = paths.database
    if not path.exists() or path.stat().st_size == 0:
        return NEW
    return PLAIN if cipher.is_plaintext(path) else ENCRYPTED


def looks_encrypted(path: Path) -> bool:
    """Could this be an SQLCipher file of ours: whole pages, at least one."""
    size = Path(path).stat().st_size
    return size >= engine.PAGE_SIZE and size % engine.PAGE_SIZE == 0


def _conversion_running(path: Path) -> bool:
    """True while another process holds the write lock of a database being converted (its
    ``.encrypting`` file exists); a leftover of a killed conversion is not running."""
    if not cipher.converting_file(path).exists() or not cipher.is_plaintext(path):
        return False
    con = engine.connect(path, timeout=0)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return False
    except engine.OperationalError:
        return True
    finally:
        con.close()


def prepare_open(paths: DataPaths) -> None:
    """Before opening: a conversion still running elsewhere refuses; what a killed one left
    (the half-written new file; a key file beside a database that stayed plaintext) is
    put away.  The key file is never deleted: it is renamed aside."""
    path = paths.database
    if _conversion_running(path):
        raise ConversionRunning(path)
    gone = cipher.cleanup_conversion(path)
    if gone:
        log.info("removed what an interrupted encryption left: %s", ", ".join(p.name for p in gone))
    from .exchange import backup

    if path.exists():
        backup.finish_key_swap(path)     # a restore killed between its two renames
    keyfile = storekey.key_file_for(path)
    if store_state(paths) == ENCRYPTED:
        if not keyfile.exists() and not looks_encrypted(path):
            raise database.NotOurDatabase(path)   # not SQLite, not SQLCipher pages either
        keys.KeyFile.load(keyfile)    # missing or damaged: say so now, naming the file to bring back
    if keyfile.exists() and cipher.is_plaintext(path):
        aside = _put_aside(keyfile)
        log.info("the encryption of %s did not finish: its key file was put aside as %s", path, aside.name)


def _put_aside(keyfile: Path) -> Path:
    """A key file that belongs to no database (an encryption that did not finish) is never
    deleted: it is renamed ``….unused``."""
    aside = keyfile.with_name(keyfile.name + ".unused")
    os.replace(keyfile, aside)
    return aside


def _new_keys(paths: DataPaths) -> tuple[bytes, str, keys.KeyFile]:
    """For a new database in ``paths``: a data key, a recovery key and the key file holding
    the data key wrapped with the recovery key (accounts are added as they are made)."""
    if store_state(paths) != NEW:
        raise DomainError("exists", f"数据目录 {paths.root} 里已经有数据库，未作任何改动", None)
    paths.ensure()
    data_key, recovery = keys.new_data_key(), keys.new_recovery_key()
    return data_key, recovery, keys.KeyFile.create(storekey.key_file_for(paths.database), data_key, recovery)


# ---------------------------------------------------------------- a new database

@dataclass(frozen=True)
class Created:
    recovery_key: str
    who: access.Actor


def create_store(paths: DataPaths, open_store: Callable[..., object], login: str, display_name: str,
                 password: str, confirm: str | None = None) -> Created:
    """A new encrypted database with its first 系统管理员; returns the recovery key to show
    (and print) once.  Nothing is left behind when the account is refused."""
    from .services import accounts

    data_key, recovery, keyfile = _new_keys(paths)
    try:
        open_store(paths, key=data_key, keyfile=keyfile)
        who = accounts.create_first_admin(login, display_name, password, confirm)
    except BaseException:
        database.close_database()
        storekey.forget()
        for p in (paths.database, *(paths.database.with_name(paths.database.name + s) for s in ("-wal", "-shm")),
                  keyfile.path, storekey.gate_file_for(paths.database)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        raise
    return Created(recovery, who)


DEMO_RECOVERY_FILE = "演示数据库的恢复密钥.txt"


def create_demo_store(paths: DataPaths, open_store: Callable[..., object]) -> str:
    """A new encrypted database for the demo (its accounts get their copies of the key
    when ``demo.build`` creates them).  The demo's recovery key is written beside it in
    a text file, so the recovery can be practised: the demo holds invented people only;
    a real database's recovery key is never written to disk.  Returns the key."""
    data_key, recovery, keyfile = _new_keys(paths)
    keys.write_private(paths.root / DEMO_RECOVERY_FILE, (
        "演示数据库（虚构的人员）的恢复密钥，供练习「忘记密码？用恢复密钥重设」：\n\n"
        f"    {recovery}\n\n真实数据库的恢复密钥只显示一次，绝不会写到电脑上。\n").encode("utf-8"))
    open_store(paths, key=data_key, keyfile=keyfile)
    return recovery


def open_with_recovery(paths: DataPaths, open_store: Callable[..., object], recovery_key: str) -> None:
    """Open the encrypted store with the recovery key (nobody is signed in yet)."""
    keyfile = keys.KeyFile.load(storekey.key_file_for(paths.database))
    data_key = keyfile.unlock_with_recovery(recovery_key)
    open_store(paths, key=data_key, keyfile=keyfile, by_recovery=True)


def recover(paths: DataPaths, open_store: Callable[..., object], recovery_key: str, login: str,
            password: str, confirm: str | None = None) -> access.Actor:
    """Every password lost: the recovery key opens the store and ``login`` (an enabled
    系统管理员) gets a new password, which it must change at the next sign-in as after any
    reset; audited as done with the recovery key.  Returns the account, signed in."""
    from .services import accounts

    open_with_recovery(paths, open_store, recovery_key)
    return accounts.reset_with_recovery(login, password, confirm)


# ---------------------------------------------------------------- the upgrade of a plaintext database

@dataclass
class Encrypted:
    recovery_key: str
    verified_copy: Path
    plaintext_copies: list[Path] = field(default_factory=list)
    without_key: list[str] = field(default_factory=list)


def encrypt_store(paths: DataPaths, open_store: Callable[..., object], password: str,
                  progress: Progress | None = None) -> Encrypted:
    """Encrypt the plaintext store in place, for the signed-in 系统管理员 whose ``password``
    is given again (its copy of the data key is wrapped with it).

    A verified copy is kept in ``pre-migration`` first; the key file is written before
    the file is converted; a failure (disk full, busy, killed) leaves the plaintext
    database in place and usable, and the new key file is put aside.  Afterwards the
    store is reopened encrypted, the conversion is audited, and the plaintext copies
    still in the data folder are returned for the clerk to encrypt or delete."""
    from .exchange import backup
    from .services import accounts, audit

    say = progress or (lambda _p, _t: None)
    access.check("accounts.manage")
    who = access.actor()
    if store_state(paths) != PLAIN:
        raise cipher.AlreadyEncrypted(paths.database)
    accounts.check_own_password(password)
    say(2, "正在保存并核对加密前的副本…")
    database.close_database()
    try:
        copy = database.copy_aside(paths.database, paths.pre_migration, "加密前")
        database.quick_check(copy)
    except (engine.DatabaseError, database.DatabaseDamaged, OSError) as err:
        open_store(paths)
        raise cipher.ConversionFailed(paths.database, f"加密前的副本没有通过检查（{err}）") from err
    data_key, recovery = keys.new_data_key(), keys.new_recovery_key()
    keyfile_path = storekey.key_file_for(paths.database)
    if keyfile_path.exists():
        _put_aside(keyfile_path)
    keyfile = keys.KeyFile.create(keyfile_path, data_key, recovery)
    keyfile.set_account(who.login, password, data_key)
    try:
        cipher.encrypt_file(paths.database, data_key,
                            progress=lambda p, t: say(5 + p * 85 // 100, t))
    except BaseException:
        if cipher.is_plaintext(paths.database):
            _put_aside(keyfile_path)
            open_store(paths)
            access.set_actor(who)
        raise
    say(92, "正在用密钥重新打开数据库…")
    open_store(paths, key=data_key, keyfile=keyfile)
    access.set_actor(who)
    audit.record("encrypt", "database", "", "数据库已加密（SQLCipher，AES-256）；加密前的副本："
                 f"{copy.name}", {"verified_copy": str(copy)})
    say(100, "数据库已加密")
    return Encrypted(recovery, copy, backup.plaintext_copies(paths), accounts.accounts_without_key())


def replace_recovery_key() -> str:
    """A new recovery key for the open encrypted store (系统管理员); the old sheet stops
    working.  Returns the new key to show and print once."""
    from .services import audit

    access.check("accounts.manage")
    sk = storekey.current()
    if sk is None:
        raise DomainError("not_encrypted", "数据库尚未加密，没有恢复密钥", None)
    recovery = keys.new_recovery_key()
    sk.keyfile.replace_recovery(sk.key, recovery)
    audit.record("recovery_key", "database", "", "重新设置恢复密钥（旧的恢复密钥纸作废）")
    return recovery
