"""The benchmark's figures measured through the real widgets (offscreen): the roster's
first page and search-as-you-type, each beside the same SQL run through a bare connection;
the county's 汇总 page (issue 15) from 刷新 until its table and every chart are drawn."""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Callable

from ..bench import KEYSTROKE_QUERIES, Figure, _median_ms, bare
from ..paths import DataPaths


def roster_figures(root: Path, open_store: Callable[[DataPaths], object]) -> list[Figure]:
    """Figures measured through the real widgets, offscreen, in this process.  ``open_store``
    (``bench.open_store``: the composition root's, then the open-time check awaited) opens the database in ``root`` as at start-up;
    the command line hands both to ``bench.run_bench``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ..db import queries
    from .application import create_application
    from .main_window import MainWindow

    paths = DataPaths(root)
    open_store(paths)
    app = QApplication.instance() or create_application([])
    window = MainWindow(paths, demo=False)
    window.set_page("roster")  # before showing: the 工作台's background build must not run meanwhile
    window.show()
    app.processEvents()
    page = window.roster_page
    con = bare(paths.database)

    def floor(f: queries.RosterFilter) -> None:
        count_sql, cp, page_sql, pp = queries.roster_sql(f)
        con.execute(count_sql, cp).fetchone()
        con.execute(page_sql, pp).fetchall()

    def shown(text: str) -> None:
        page.set_search_text(text)
        app.processEvents()

    figures = []
    app_first = _median_ms(lambda: shown(""))
    floor_first = _median_ms(lambda: floor(queries.RosterFilter()))
    figures.append(Figure("名册首页显示", app_first, floor_first, 150))

    app_keys, floor_keys = [], []
    for q in KEYSTROKE_QUERIES:
        app_keys.append(_median_ms(lambda q=q: shown(q), repeat=3))
        floor_keys.append(_median_ms(lambda q=q: floor(queries.RosterFilter(text=q)), repeat=3))
    figures.append(Figure("边输边搜（每次按键中位数）", statistics.median(app_keys),
                          statistics.median(floor_keys), 50))
    shown("")
    window.close()
    con.close()
    return figures


def county_page_figures(period: int) -> list[Figure]:
    """The 汇总 page on the open county database: 刷新 (``county.summary`` on a worker thread),
    then the table and the six views drawn one after another; the median of three."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from .application import create_application
    from .pages.county_summary_page import VIEWS, CountySummaryPage

    app = QApplication.instance() or create_application([])
    page = CountySummaryPage()
    page.set_period(period)
    page.resize(1104, 700)
    page.show()

    def shown() -> None:
        page.refresh()
        while page.busy:
            app.processEvents()
            time.sleep(0.001)
        for view in VIEWS:
            page.set_view(view)
            page.repaint()
            for chart in page.charts.values():
                if chart.isVisible():
                    chart.repaint()

    while page.busy:           # the first refresh, when it was shown
        app.processEvents()
        time.sleep(0.001)
    ms = _median_ms(shown, repeat=3)
    towns = len(page.summary.townships) if page.summary is not None else 0
    page.close()
    page.deleteLater()
    app.processEvents()
    return [Figure(f"汇总页显示（{towns} 个乡镇，表格和图表）", ms, None, 1000)]
