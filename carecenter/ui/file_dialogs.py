"""Where file dialogs open: the folder the clerk used last, else the user's Documents.

Never the program's working directory.  The last folder is kept in the window's
settings file (``dialogs/last_folder``) once ``use_settings`` has been called by
the main window; until then (tests, a dialog before the window) it is kept for
the session only.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDir, QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

KEY = "dialogs/last_folder"
_state: dict[str, object] = {"settings": None, "last": ""}


def use_settings(settings: QSettings | None) -> None:
    """Remember the last folder in ``settings`` (the main window's settings file)."""
    _state["settings"] = settings


def documents_folder() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if folder and Path(folder).is_dir():
        return Path(folder)
    return Path(QDir.homePath())


def last_folder() -> Path | None:
    settings = _state["settings"]
    value = settings.value(KEY, "") if isinstance(settings, QSettings) else _state["last"]
    if value and Path(str(value)).is_dir():
        return Path(str(value))
    return None


def start_folder() -> Path:
    """The folder a file dialog opens in: the last one used, else Documents."""
    return last_folder() or documents_folder()


def remember(chosen: str | Path) -> None:
    """Note the folder of a chosen file (or the chosen folder itself) for next time."""
    if not chosen:
        return
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir():
        return
    _state["last"] = str(folder)
    settings = _state["settings"]
    if isinstance(settings, QSettings):
        settings.setValue(KEY, str(folder))


def ask_save_path(parent: QWidget | None, title: str, suggested: str | Path, file_filter: str,
                  suffix: str) -> Path | None:
    """Ask where to save (``None``: cancelled); the folder is remembered and ``suffix``
    (".xlsx", ".pdf") is added when the chosen name lacks it."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    if not chosen:
        return None
    remember(chosen)
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    return path


def ask_open_path(parent: QWidget | None, title: str, file_filter: str) -> Path | None:
    """Ask for a file to open (``None``: cancelled), starting in the last folder used; the
    chosen folder is remembered."""
    chosen, _filter = QFileDialog.getOpenFileName(parent, title, str(start_folder()), file_filter)
    if not chosen:
        return None
    remember(chosen)
    return Path(chosen)
