"""Composition root: paths → open + migrate the store → services (and what they are handed).

``open_store`` is Qt-free (the headless subcommands use it); the GUI half of the root is
``ui.application.run`` (called by ``cli``), which opens the store through this module.
The packages below never import this module: what they need from it is handed down
(``printing.use_layouts``, ``backup.reopen_with``).
"""
from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Callable

from .db import database
from .exchange import backup
from .paths import DataPaths
from .security import keys, storekey
from .services import accounts, choices, printing

log = logging.getLogger("carecenter")


def setup_logging(paths: DataPaths) -> Path:
    paths.ensure()
    logfile = paths.logs / "carecenter.log"
    # a path the OS gave us as bytes that are not UTF-8 is logged as \xNN, never a logging error
    handler = logging.FileHandler(logfile, encoding="utf-8", errors="backslashreplace")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) and getattr(h, "baseFilename", "") == str(logfile)
               for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logfile


#: set by the command line (``cli.main``): signs the account given with ``--user`` in
#: right after a subcommand opened the store, so every headless command acts as that
#: account and nothing is read before the sign-in succeeded
_after_open: Callable[[], None] | None = None


def set_after_open(hook: Callable[[], None] | None) -> None:
    global _after_open
    _after_open = hook


#: set by the command line: unwraps the data key of an encrypted database with the
#: ``--user`` account's password (``signin_cli.key_provider``); the window passes the key
_key_provider: Callable[[DataPaths], "tuple[keys.KeyFile, bytes]"] | None = None


def set_key_provider(provider: Callable[[DataPaths], "tuple[keys.KeyFile, bytes]"] | None) -> None:
    global _key_provider
    _key_provider = provider


def open_store(paths: DataPaths, key: bytes | None = None, keyfile: "keys.KeyFile | None" = None,
               by_recovery: bool = False) -> list[str]:
    """Open and migrate the database in ``paths``; seed pick lists on first run.

    An encrypted database needs its data key: ``key`` (with its ``keyfile``), or the
    command line's key provider; without either, ``encryption.KeyNeeded``.  A new
    database is created encrypted when a key is given (``encryption.create_store``)."""
    from . import encryption

    paths.ensure()
    backup.reopen_with(reopen_store)   # before opening: a damaged file is restored from a backup
    encryption.prepare_open(paths)
    if key is None and encryption.store_state(paths) == encryption.ENCRYPTED:
        if _key_provider is None:
            raise encryption.KeyNeeded(paths.database)
        keyfile, key = _key_provider(paths)
    storekey.forget()
    applied = database.open_database(paths.database, paths.pre_migration, key=key)
    if key is not None:
        storekey.use(paths.database, keyfile or keys.KeyFile.load(storekey.key_file_for(paths.database)), key,
                     by_recovery)
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    choices.seed_if_empty()
    accounts.seed_roles_if_empty()
    printing.use_layouts(_report_layout)
    if _after_open is not None:
        _after_open()
    from .services import allowance

    allowance.use_safety_backup(lambda month: _safety_backup(paths, month))
    return applied


def _safety_backup(paths: DataPaths, month) -> str:
    """Before an allowance month is locked: a safety copy named after the step; returns where."""
    from .exchange import backup
    from .services.values import path_text

    made = backup.safety_backup(paths, backup.KIND_BEFORE_LOCK, f"{month:%Y-%m}")
    return path_text(made.path) if made is not None else ""


def reopen_store(paths: DataPaths) -> list[str]:
    """Reopen the database after a restore exactly as at start-up (``exchange.backup`` gets
    this handed in by ``open_store``), with the key the restore left in ``storekey``."""
    sk = storekey.current()
    applied = open_store(paths, key=sk.key if sk else None, keyfile=sk.keyfile if sk else None)
    seed_rule_tables()
    return applied


def _report_layout(name: str):
    """A reportlab layout of ``carecenter.reports`` (imported on the first print)."""
    return importlib.import_module(f"{__package__}.reports.{name}")


def seed_rule_tables() -> None:
    """Load the shipped rule presets (leave types, health cycles) on first run;
    afterwards they are data, edited in the app."""
    from .services import allowance, health, leave, welfare

    leave.seed_rules_if_empty()
    health.seed_rules_if_empty()
    allowance.seed_rules_if_empty()
    welfare.seed_rules_if_empty()
