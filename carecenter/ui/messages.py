"""Message boxes with Chinese buttons.

Every confirmation and error in the application goes through here, so the
buttons always read as verbs in Chinese and tests can answer them by patching
``QMessageBox.exec``.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

SB = QMessageBox.StandardButton


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def confirm(parent: QWidget | None, text: str, ok_text: str, *, title: str | None = None,
            cancel_text: str | None = None, informative: str = "") -> bool:
    """Ask before doing something; True when the clerk chose ``ok_text``."""
    box = QMessageBox(QMessageBox.Icon.Question, title or _tr("请确认"), text, SB.Ok | SB.Cancel, parent)
    box.button(SB.Ok).setText(ok_text)
    box.button(SB.Cancel).setText(cancel_text or _tr("取消"))
    box.setDefaultButton(SB.Ok)
    box.setEscapeButton(SB.Cancel)
    if informative:
        box.setInformativeText(informative)
    return box.exec() == SB.Ok


def error(parent: QWidget | None, text: str, *, title: str | None = None, informative: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title or _tr("无法完成"), text, SB.Ok, parent)
    box.button(SB.Ok).setText(_tr("知道了"))
    if informative:
        box.setInformativeText(informative)
    box.exec()


def info(parent: QWidget | None, text: str, *, title: str | None = None) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title or _tr("提示"), text, SB.Ok, parent)
    box.button(SB.Ok).setText(_tr("知道了"))
    box.exec()
