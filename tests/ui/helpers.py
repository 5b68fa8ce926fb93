"""Small steps the UI tests take the way a clerk would."""
from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox


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


@contextmanager
def main_window(qtbot, store, **kwargs):
    """The real main window, shown at 1366×740 with the 工作台's background to-do list done
    (a county database has no 工作台); its detail windows and itself are closed afterwards."""
    from carecenter.ui.main_window import MainWindow

    w = MainWindow(store, **kwargs)
    qtbot.addWidget(w)
    w.resize(1366, 740)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.home_page is None or w.home_page._job is None, timeout=10000)
    try:
        yield w
    finally:
        for d in list(w.detail_windows.values()):
            d.close()
        w.close()


def archive_first_row(page, qtbot, boxes, *, cancel: bool = False) -> str:
    """Select a list page's first row and click 归档, answering 取消 to the question when
    ``cancel``; returns the question asked."""
    page.records_table.select_row(0)
    if cancel:
        boxes.answers.append(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    return boxes.texts[-1]
