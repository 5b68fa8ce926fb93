"""Where things live: the data folder (platformdirs or --data-dir) and bundled resources."""
from __future__ import annotations

import os
import site
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "CareCenter"
APP_AUTHOR = "CareCenter"
DB_FILENAME = "carecenter.db"
KEYS_FILENAME = "carecenter.keys"

#: POSIX: what the process creates is its user's alone (folders 0700, files 0600)
PRIVATE_UMASK = 0o077
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def use_private_umask() -> None:
    """From now on every file and folder the process creates (database, WAL/SHM, key
    file, backups, logs, settings, exports, PDFs) is readable by its user only,
    whatever umask the session had (issue 11).  No effect on Windows, where the data
    folder lives in the user's profile."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """chmod 0700 (folder) / 0600 (file) when looser; a file of another owner is left."""
    if os.name != "posix":
        return
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return
        want = PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE
        if stat.S_IMODE(st.st_mode) & ~want:
            path.chmod(want)
    except OSError:
        pass


def resource_root() -> Path:
    """resources/: inside the one-folder program, beside the package in a source tree (or an
    editable install), else where a wheel put its data files (<prefix>/share/carecenter/)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    beside = Path(__file__).resolve().parent.parent / "resources"
    if beside.is_dir():
        return beside
    for prefix in (sys.prefix, site.getuserbase()):
        installed = Path(prefix) / "share" / "carecenter" / "resources"
        if installed.is_dir():
            return installed
    return beside


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def demo_data_dir() -> Path:
    """The demo database lives apart from real data, never mixed."""
    return Path(user_data_dir(APP_NAME, APP_AUTHOR)).parent / f"{APP_NAME}-demo"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pre_migration(self) -> Path:
        return self.root / "pre-migration"

    @property
    def backups(self) -> Path:
        """The automatic daily backups (kept in rotation) and the safety copies made before a restore."""
        return self.root / "backups"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.ini"

    @property
    def key_file(self) -> Path:
        """The wrapped data keys beside the database (issue 11)."""
        return self.root / KEYS_FILENAME

    def ensure(self) -> "DataPaths":
        use_private_umask()
        for folder in (self.root, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.tighten()
        return self

    def tighten(self) -> None:
        """Make the data folder 0700 and the application's files in it 0600 (POSIX): a data
        folder written before the private umask, or copied in, is closed to other users.
        Only the application's own files and folders are touched, never anything else a
        --data-dir folder may hold."""
        if os.name != "posix" or not self.root.is_dir():
            return
        make_private(self.root)
        db = self.database
        for name in (db.name, db.name + "-wal", db.name + "-shm", db.name + "-journal", KEYS_FILENAME,
                     self.settings_file.name):
            make_private(self.root / name)
        for folder in (self.logs, self.backups, self.pre_migration):
            if folder.is_dir():
                make_private(folder)
                for item in folder.iterdir():
                    make_private(item)
