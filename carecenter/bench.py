"""``python main.py bench``: the application's figures beside their floors.

Each figure is timed through the application (Qt widgets offscreen, the real
table model and services) and beside it the *floor*: the same statements run
straight through the stdlib ``sqlite3`` module, so the ratio shows what the
application adds.  Budgets are the issues' targets at 50,000 cadres on a
2-core machine.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .paths import DataPaths

KEYSTROKE_QUERIES = [
    # name characters typed one by one, pinyin initials, ID / phone tails
    "王", "王伟", "张", "张丽", "陈", "伟",
    "z", "zw", "wj", "lh", "cxm",
    "1234", "5678", "002X", "8899", "0417",
]


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align text that mixes Chinese (two columns wide) and ASCII."""
    return text + " " * max(0, width - _width(text))


@dataclass
class Figure:
    name: str
    app: float          # milliseconds or MB
    floor: float | None
    budget: float | None
    unit: str = "ms"

    def row(self) -> str:
        return (_pad(self.name, 30) + self._numbers())

    def _numbers(self) -> str:
        ratio = f"{self.app / self.floor:6.1f}×" if self.floor else "      –"
        floor = f"{self.floor:9.1f}" if self.floor is not None else "        –"
        budget = f"≤ {self.budget:g} {self.unit}" if self.budget is not None else ""
        verdict = ""
        if self.budget is not None:
            verdict = "达标" if self.app <= self.budget else "超出"
        return f"{self.app:10.1f}{floor}  {ratio}  {self.unit:<3} {_pad(budget, 14)}{verdict}"


def peak_rss_kb() -> int:
    """Peak resident memory of this process image in KB.

    ``VmHWM`` from /proc where there is one: ``ru_maxrss`` would also count the
    memory of the (large) benchmark process this child was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except ImportError:  # Windows
        return 0


def _median_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def build_database(root: Path, cadres: int, years: int) -> float:
    from .app import open_store
    from .services import demo

    t = time.perf_counter()
    open_store(DataPaths(root))
    demo.build(cadres, history_years=years)
    return time.perf_counter() - t


class SqlTrace:
    """Records the statements (with their values) the application sends to SQLite,
    so the floor can replay exactly those through a bare sqlite3 connection."""

    def __init__(self):
        self.statements: list[str] = []

    def __enter__(self):
        from .db.database import db

        self.statements.clear()
        db.connection().set_trace_callback(self._record)
        return self

    def __exit__(self, *exc):
        from .db.database import db

        db.connection().set_trace_callback(None)

    def _record(self, sql: str) -> None:
        head = sql.lstrip()[:6].upper()
        if head in ("SELECT", "WITH"):
            self.statements.append(sql)


def replay(con: sqlite3.Connection, statements: list[str]) -> None:
    for sql in statements:
        con.execute(sql).fetchall()


def _startup(root: Path) -> dict:
    """Launch the real application in a child process and read its timing file."""
    timing = root / "timing.json"
    env = dict(os.environ, CARECENTER_TIMING_FILE=str(timing))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    main_py = Path(__file__).resolve().parent.parent / "main.py"
    cmd = [sys.executable, str(main_py), "--data-dir", str(root)] if main_py.exists() else \
        [sys.executable, "-m", "carecenter", "--data-dir", str(root)]
    t0 = time.time()
    subprocess.run(cmd, env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    data = json.loads(timing.read_text(encoding="utf-8"))
    data["t0"] = t0
    return data


def _startup_floor(db_path: Path) -> tuple[float, float]:
    """A bare interpreter that opens the file with sqlite3 and reads the first page."""
    from .db import queries

    _, _, page_sql, page_params = queries.roster_sql(queries.RosterFilter())
    code = (
        "import sqlite3,json;from carecenter.bench import peak_rss_kb;"
        f"c=sqlite3.connect({str(db_path)!r});"
        f"c.execute({page_sql!r},{page_params!r}).fetchall();"
        "print(json.dumps(peak_rss_kb()))"
    )
    t = time.time()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    return (time.time() - t) * 1000, json.loads(out.stdout) / 1024


def run_bench(cadres: int = 50000, keep: bool = False, out=print, years: int = 10) -> int:
    root = Path(tempfile.mkdtemp(prefix="carecenter-bench-"))
    figures: list[Figure] = []
    try:
        out(f"生成基准数据库：{cadres} 名干部，{years} 年休假与体检记录 …")
        build_s = build_database(root, cadres, years)
        out(f"  用时 {build_s:.1f} s（{root}）")
        from .db import database

        database.close_database()

        start = _startup(root)
        floor_ms, floor_mb = _startup_floor(root / "carecenter.db")
        figures.append(Figure("启动到窗口显示", (start["window_shown"] - start["t0"]) * 1000, floor_ms, 1500))
        figures.append(Figure("启动到名册首页显示", (start["first_page"] - start["t0"]) * 1000, floor_ms, None))
        figures.append(Figure("峰值内存", start["maxrss_kb"] / 1024, floor_mb, 300, "MB"))

        from .ui.bench_gui import roster_figures  # the GUI figures live with the GUI

        figures.extend(roster_figures(root))
        figures.extend(_care_lists(root))
        figures.extend(allowance_figures(root))
        figures.extend(home_figures(root))
    finally:
        from .db import database

        database.close_database()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    out("")
    out(_pad("项目", 30) + "      程序     下限     倍数  单位 预算")
    for f in figures:
        out(f.row())
    over = [f.name for f in figures if f.budget is not None and f.app > f.budget]
    out("")
    out("全部达标" if not over else "超出预算：" + "、".join(over))
    return 0


def _care_lists(root: Path) -> list[Figure]:
    """Issue 3: the annual-leave balance view and the health due/overdue and
    follow-up lists for the whole township, each beside its SQL replayed bare."""
    from datetime import date

    from .app import open_store
    from .services import health, leave

    paths = DataPaths(root)
    open_store(paths)
    con = sqlite3.connect(str(paths.database))
    today = date.today()
    figures = []
    def cold(call):
        # measured without the due list's cache of last checks (a first view)
        def run():
            health._last_cache.clear()
            return call()
        return run

    cases = [
        ("年休假余额（全体）", lambda: leave.annual_balances(today.year)),
        ("体检应检/逾期名单", cold(lambda: health.due_list(today.year, today))),
        ("异常随访名单", lambda: health.open_followups(today)),
    ]
    for name, call in cases:
        with SqlTrace() as trace:
            call()
        statements = list(trace.statements)
        app_ms = _median_ms(call, repeat=3)
        floor_ms = _median_ms(lambda: replay(con, statements), repeat=3)
        figures.append(Figure(name, app_ms, floor_ms, 300))
    con.close()
    return figures


def allowance_figures(root: Path) -> list[Figure]:
    """Issue 4: generating one month's allowance batch for every cadre (read the facts,
    compute, write the lines in one transaction), beside its SQL reads replayed bare.

    The month is one after the demo's current month, so the first run creates the
    batch and the others regenerate it (replace its lines) — both real paths."""
    from datetime import date

    from .app import open_store
    from .services import allowance

    paths = DataPaths(root)
    open_store(paths)
    con = sqlite3.connect(str(paths.database))
    month = allowance.add_month(date.today(), 1)
    if allowance.month_status(month) == allowance.STATUS_LOCKED:  # never in the bench database
        month = allowance.add_month(month, 1)

    def call():
        allowance.generate_month(month)

    with SqlTrace() as trace:
        call()
    statements = list(trace.statements)
    app_ms = _median_ms(call, repeat=3)
    floor_ms = _median_ms(lambda: replay(con, statements), repeat=3)
    con.close()
    return [Figure("生成一个月津贴补贴", app_ms, floor_ms, 5000)]


def home_figures(root: Path) -> list[Figure]:
    """Issue 4: building the 工作台 (every to-do section and the coverage figures) as the
    page does at start-up, beside all the SQL it sends replayed bare."""
    from datetime import date

    from .app import open_store
    from .services import health, home

    paths = DataPaths(root)
    open_store(paths)
    con = sqlite3.connect(str(paths.database))
    today = date.today()

    def call():
        health._last_cache.clear()  # a start-up build: nothing cached from an earlier one
        return home.build(today)

    with SqlTrace() as trace:
        health._last_cache.clear()
        home.build(today)
    statements = list(trace.statements)
    app_ms = _median_ms(call, repeat=3)
    floor_ms = _median_ms(lambda: replay(con, statements), repeat=3)
    con.close()
    return [Figure("工作台汇总", app_ms, floor_ms, 500)]
