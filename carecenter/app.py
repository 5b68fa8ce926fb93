"""Composition root: paths → open + migrate the store → services → Qt application → window.

``open_store`` is Qt-free (the headless subcommands use it); ``run_gui`` imports
Qt lazily.
"""
from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Callable

from .db import database
from .paths import DataPaths
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


def open_store(paths: DataPaths) -> list[str]:
    """Open and migrate the database in ``paths``; seed pick lists on first run."""
    paths.ensure()
    applied = database.open_database(paths.database, paths.pre_migration)
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


def daily_backup(paths: DataPaths, today=None, progress=None, check=None, quiet: tuple[type, ...] = ()):
    """The automatic backup at start-up, once a day (issue 6); the window starts it in the
    background after it is shown.  Returns the new backup, or None when today's exists.
    Failures are written to the log (``quiet``: exceptions that are no failure, e.g. the
    job being cancelled because the application quits) and raised to the caller."""
    from .exchange import backup

    try:
        made = backup.auto_backup_if_due(paths, today, progress=progress, check=check)
    except quiet:
        raise
    except backup.BackupError as err:
        log.error("automatic backup failed: %s", err.message)
        raise
    except Exception:
        log.exception("automatic backup failed")
        raise
    if made is not None:
        log.info("automatic backup %s (%d bytes)", made.path.name, made.size)
    return made


def run_gui(paths: DataPaths, demo: bool = False, user: str | None = None) -> int:
    from .ui.application import run

    return run(paths, demo=demo, user=user)
