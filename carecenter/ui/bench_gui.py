"""The benchmark's figures measured through the real widgets (offscreen): the roster's
first page and search-as-you-type, each beside the same SQL run through a bare connection."""
from __future__ import annotations

import os
import statistics
from pathlib import Path
from typing import Callable

from ..bench import KEYSTROKE_QUERIES, Figure, _median_ms, bare
from ..paths import DataPaths


def roster_figures(root: Path, open_store: Callable[[DataPaths], object]) -> list[Figure]:
    """Figures measured through the real widgets, offscreen, in this process.  ``open_store``
    (the composition root's ``app.open_store``) opens the database in ``root`` as at start-up;
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
