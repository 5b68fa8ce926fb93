"""Where things live: the data folder (platformdirs or --data-dir) and bundled resources."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "CareCenter"
APP_AUTHOR = "CareCenter"
DB_FILENAME = "carecenter.db"


def resource_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


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

    def ensure(self) -> "DataPaths":
        for folder in (self.root, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self
