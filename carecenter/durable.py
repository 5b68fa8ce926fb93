"""Writing files so that a crash or a power cut leaves the old file or the new one, never a
half-written one: fsync a file or a folder, and replace a file through a temporary one
beside it.  Standard library only, so every layer (db, exchange, security) may use it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_file(path: Path) -> None:
    """Flush ``path``'s contents to the disk."""
    fd = os.open(str(path), os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to the disk; directories cannot be opened
    for fsync on Windows, where NTFS journals the rename."""
    if os.name != "posix":
        return
    fd = os.open(str(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_with(path: Path, data: bytes, *, prefix: str, suffix: str, sync: bool = True) -> None:
    """Replace ``path`` by ``data``: write a temporary file in the same folder (mkstemp makes
    it 0600 whatever the umask), rename it over ``path``.  With ``sync`` the data is
    fsynced before the rename, the file kept 0600 and the folder fsynced after it."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        if sync and os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if sync:
        fsync_dir(path.parent)
