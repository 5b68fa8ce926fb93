"""The automatic backup at start-up, once a day (issue 6): ``backup.auto_backup_if_due`` with
its outcome written to the log.  The window starts it in the background after it is shown."""
from __future__ import annotations

import logging

from ..paths import DataPaths
from . import backup

log = logging.getLogger("carecenter")


def daily_backup(paths: DataPaths, today=None, progress=None, check=None, quiet: tuple[type, ...] = ()):
    """Returns the new backup, or None when today's exists.  Failures are written to the log
    (``quiet``: exceptions that are no failure, e.g. the job being cancelled because the
    application quits) and raised to the caller."""
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
