"""Small steps the UI tests take the way a clerk would."""
from __future__ import annotations

from PySide6.QtCore import Qt


def active(qtbot, dialog):
    """Wait until the dialog is the active window, as it is for the clerk."""
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def detail_tab(detail, title: str):
    """The tab titled ``title`` of a cadre's detail window."""
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    return detail.tabs.widget(titles.index(title))


def double_click_row(qtbot, view, row: int = 0) -> None:
    """Click a row of a page's table, then double-click it."""
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
