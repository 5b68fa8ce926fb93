"""``python main.py bench``: the application's figures beside their floors.

Each figure is timed through the application (Qt widgets offscreen, the real
table model and services) and beside it the *floor*: the same statements run
straight through a bare connection of the same SQLite library (SQLCipher's, keyed
like the store), so the ratio shows what the application adds.  Budgets are the
issues' targets at 50,000 cadres on a 2-core machine.

The store is encrypted as in real use (issue 11); ``--plain`` measures a plaintext
store, ``--compare`` both in one run, side by side with the ratio encrypted/plain: both
databases are built first, then each group of figures is measured on the plaintext store and
right after on the encrypted one, so a change in the machine's load between the two columns
spans seconds, not the ten minutes of a whole run.

A store of 1 GB is checked in the background when it is opened (``database.open_database``);
each group opens the store afresh, so it waits for that check before it measures (the check
runs once per start in real use, and has its own figure).
"""
from __future__ import annotations

import json
import os
import shutil
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
    plain_counterpart: bool = True    # False: only an encrypted store has it (the key unwrap)

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


def app_and_floor(con, call: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Median milliseconds of ``call`` through the application, and of the SQL it sent (traced
    on a first run) replayed bare on ``con``."""
    with SqlTrace() as trace:
        call()
    statements = list(trace.statements)
    app_ms = _median_ms(call, repeat=repeat)
    floor_ms = _median_ms(lambda: replay(con, statements), repeat=repeat)
    return app_ms, floor_ms


#: the data key of the store being measured (None: a plaintext one); every bare floor
#: connection uses it.  ``_STORES``: root → (key file, key) of each encrypted store built.
_KEY: bytes | None = None
_STORES: dict[Path, tuple] = {}
KEY_ENV = "CARECENTER_BENCH_KEY"     # hands the key to the start-up floor's bare interpreter


def bare(path: Path):
    """A bare connection of the program's SQLite library to a benchmark file (keyed like
    the store)."""
    from .db import engine

    return engine.connect(path, _KEY)


def _use(root: Path) -> None:
    """Make the store in ``root`` the one measured: its key for the floors, and the key
    provider every ``open_store`` of the run asks (as the command line's sign-in would)."""
    global _KEY
    from . import app

    store = _STORES.get(root)
    _KEY = store[1] if store else None
    app.set_key_provider((lambda _paths: store) if store else None)


def open_store(paths: DataPaths, **kwargs) -> None:
    """``app.open_store``, then wait for the open-time check of a large file (see the module
    doc) and run the writes held back for it."""
    from . import app
    from .db import database

    app.open_store(paths, **kwargs)
    database.ensure_checked()


def build_database(root: Path, cadres: int, years: int, encrypted: bool = True) -> float:
    """The benchmark's demo database, encrypted unless told; it becomes the store measured."""
    from . import app, encryption
    from .db import database
    from .security import keys
    from .services import demo

    paths = DataPaths(root)
    t = time.perf_counter()
    _STORES.pop(root, None)
    database.close_database()
    if encrypted:
        encryption.create_demo_store(paths, app.open_store)
        _STORES[root] = (keys.KeyFile.load(paths.key_file), database.db.key)
    _use(root)
    if not encrypted:
        app.open_store(paths)
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


def replay(con, statements: list[str]) -> None:
    for sql in statements:
        con.execute(sql).fetchall()


def _startup(root: Path) -> dict:
    """Launch the real application in a child process and read its timing file."""
    timing = root / "timing.json"
    # the bench database is a demo database: sign in as its 经办人 without the window
    # (--user plus CARECENTER_PASSWORD), so the figure includes the sign-in's hash check
    from .services.accounts import DEMO_PASSWORD

    env = dict(os.environ, CARECENTER_TIMING_FILE=str(timing), CARECENTER_PASSWORD=DEMO_PASSWORD)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    main_py = Path(__file__).resolve().parent.parent / "main.py"
    signin = ["--data-dir", str(root), "--user", "jingban"]
    if getattr(sys, "frozen", False):  # the one-folder program (packaging/): it is the application
        cmd = [sys.executable, *signin]
    elif main_py.exists():
        cmd = [sys.executable, str(main_py), *signin]
    else:
        cmd = [sys.executable, "-m", "carecenter", *signin]
    t0 = time.time()
    subprocess.run(cmd, env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    data = json.loads(timing.read_text(encoding="utf-8"))
    data["t0"] = t0
    return data


def _startup_floor(db_path: Path) -> tuple[float | None, float | None]:
    """A bare interpreter that opens the file (keyed) and reads the first page
    (none in the one-folder program, which has no bare interpreter to start)."""
    from .db import queries

    if getattr(sys, "frozen", False):
        return None, None
    _, _, page_sql, page_params = queries.roster_sql(queries.RosterFilter())
    code = (
        "import os,json;from carecenter.bench import peak_rss_kb;from carecenter.db import engine;"
        f"k=os.environ.get({KEY_ENV!r});"
        f"c=engine.connect({str(db_path)!r},bytes.fromhex(k) if k else None);"
        f"c.execute({page_sql!r},{page_params!r}).fetchall();"
        "print(json.dumps(peak_rss_kb()))"
    )
    t = time.time()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    if _KEY is not None:
        env[KEY_ENV] = _KEY.hex()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    return (time.time() - t) * 1000, json.loads(out.stdout) / 1024


def run_bench(cadres: int = 50000, keep: bool = False, out=print, years: int = 10,
              gui_figures: Callable[[Path], list[Figure]] | None = None, plain: bool = False,
              compare: bool = False, county_page_figures: Callable[[int], list[Figure]] | None = None) -> int:
    """Build a benchmark database and print the figures.  ``gui_figures`` (handed in by the
    command line, which may load Qt: ``ui.bench_gui.roster_figures``) adds the figures
    measured through the real widgets; ``county_page_figures`` (``ui.bench_gui.county_page_figures``)
    those of the county's 汇总 page, on the county database the exchange figures build; this
    module itself stays Qt-free.  The store is encrypted unless ``plain``; ``compare`` measures
    both, interleaved, and prints them side by side."""
    kinds = (False, True) if compare else (not plain,)
    results = measure(cadres, keep, out, years, gui_figures, kinds, county_page_figures,
                      rounds=COMPARE_ROUNDS if compare else 1)
    if not compare:
        report(results[not plain], out, "明文存储（--plain）" if plain else "加密存储")
        return 0
    report(results[True], out, "加密存储")
    out("")
    out(_pad("项目（加密 / 明文）", 36) + "      加密      明文    比值")
    by_name = {f.name: f for f in results[False]}
    slower = []
    for f in results[True]:
        p = by_name.get(f.name)
        if p is None or not f.plain_counterpart:
            continue
        ratio = f.app / p.app if p.app else 0.0
        out(_pad(f.name, 36) + f"{f.app:10.1f}{p.app:10.1f}{ratio:8.2f}")
        if ratio > 1.2 and f.unit == "ms":
            slower.append(f"{f.name}（{ratio:.2f} 倍）")
    out("")
    out("加密后没有一项慢 20% 以上" if not slower else "加密后慢 20% 以上：" + "、".join(slower))
    return 0


def report(figures: list["Figure"], out, title: str) -> None:
    out("")
    out(f"【{title}】")
    out(_pad("项目", 30) + "      程序     下限     倍数  单位 预算")
    for f in figures:
        out(f.row())
    over = [f.name for f in figures if f.budget is not None and f.app > f.budget]
    out("")
    out("全部达标" if not over else "超出预算：" + "、".join(over))


#: ``--compare`` measures every group that can run again twice, in the order plain,
#: encrypted, encrypted, plain, and keeps the better figure of each store: load from elsewhere
#: on the machine only ever adds time, and a drift in it falls on both columns alike
COMPARE_ROUNDS = 2


def measure(cadres: int, keep: bool, out, years: int, gui_figures, kinds: tuple[bool, ...],
            county_page_figures=None, rounds: int = 1) -> dict[bool, list["Figure"]]:
    """{encrypted: figures} for each kind of store in ``kinds``: every store is built first,
    then each group of figures is measured on one store after the other (``rounds`` times,
    the order reversed each round, for the groups that leave the store as they found it)."""
    from . import app
    from .db import database
    from .security import access

    roots = {encrypted: Path(tempfile.mkdtemp(prefix="carecenter-bench-")) for encrypted in kinds}
    figures: dict[bool, list[Figure]] = {encrypted: [] for encrypted in kinds}
    try:
        for encrypted, root in roots.items():
            out(f"生成基准数据库（{'加密' if encrypted else '明文'}）：{cadres} 名干部，{years} 年休假与体检记录 …")
            build_s = build_database(root, cadres, years, encrypted)
            out(f"  用时 {build_s:.1f} s（{root}）")
        # the figures are measured as a signed-in account holding every permission
        access.set_actor(access.system_actor("性能基准"))
        # (group, runs again): the import adds its rows, so it runs once
        groups: list[tuple[Callable[[Path, bool], list[Figure]], bool]] = [(_startup_figures, True)]
        if gui_figures is not None:
            groups.append((lambda root, _enc: gui_figures(root), True))
        groups += [(lambda root, _enc, g=g: g(root), g is not import_figures) for g in (
            _care_lists, allowance_figures, home_figures, print_figures, export_figures, backup_figures,
            import_figures, security_figures)]
        # a township of up to 5,000 cadres (the figure) and 20 such packages; each
        # round builds its own township and county
        groups.append((lambda root, enc: exchange_figures(root, min(cadres, 5000), years, 20, enc,
                                                          county_page_figures), True))
        order = list(roots.items())
        for group, again in groups:
            runs: dict[bool, list[list[Figure]]] = {encrypted: [] for encrypted in kinds}
            for turn in range(rounds if again else 1):
                for encrypted, root in (order if turn % 2 == 0 else order[::-1]):
                    database.close_database()
                    _use(root)
                    runs[encrypted].append(group(root, encrypted))
            for encrypted in kinds:
                figures[encrypted].extend(_best(runs[encrypted]))
    finally:
        database.close_database()
        app.set_key_provider(None)
        _STORES.clear()
        if not keep:
            for root in roots.values():
                shutil.rmtree(root, ignore_errors=True)
    return figures


def _best(runs: list[list["Figure"]]) -> list["Figure"]:
    """Figure by figure, the run with the smallest time (or memory) of the group's runs."""
    return [min(same, key=lambda f: f.app) for same in zip(*runs)]


def _startup_figures(root: Path, _encrypted: bool) -> list["Figure"]:
    start = _startup(root)
    floor_ms, floor_mb = _startup_floor(root / "carecenter.db")
    return [Figure("启动到窗口显示", (start["window_shown"] - start["t0"]) * 1000, floor_ms, 1500),
            Figure("启动到名册首页显示", (start["first_page"] - start["t0"]) * 1000, floor_ms, None),
            Figure("峰值内存", start["maxrss_kb"] / 1024, floor_mb, 300, "MB")]


def _care_lists(root: Path) -> list[Figure]:
    """Issue 3: the annual-leave balance view and the health due/overdue and
    follow-up lists for the whole township, each beside its SQL replayed bare."""
    from datetime import date

    from .services import health, leave

    paths = DataPaths(root)
    open_store(paths)
    con = bare(paths.database)
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
        app_ms, floor_ms = app_and_floor(con, call)
        figures.append(Figure(name, app_ms, floor_ms, 300))
    con.close()
    return figures


def security_figures(root: Path) -> list[Figure]:
    """Issue 10: signing in (the argon2id check), ``audit verify`` over 1,000,000 audit
    rows, and what the permission and unit-scope checks add to a roster keystroke and to
    the month's allowance batch (the same calls with the checks switched off as the floor)."""
    from datetime import date, datetime, timedelta

    from .db import queries
    from .security import access, auditchain
    from .services import accounts, allowance

    from .db import database

    paths = DataPaths(root)
    database.close_database()
    t = time.perf_counter()
    if _KEY is not None:        # the password unwraps the data key first (scrypt), as at sign-in
        accounts.unlock_store(paths.database, "jingban", accounts.DEMO_PASSWORD)
    unwrap_ms = (time.perf_counter() - t) * 1000
    database.open_database(paths.database, key=_KEY)  # a 1 GB file: the check runs in the background
    database.db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    open_ms = (time.perf_counter() - t) * 1000
    database.ensure_checked()   # the background check of a large file, before it is timed on its own
    t = time.perf_counter()
    database.quick_check(paths.database, _KEY)
    check_ms = (time.perf_counter() - t) * 1000
    database.close_database()
    open_store(paths)
    figures = [Figure("打开数据库（解开密钥+首次查询）", open_ms, None, 500, plain_counterpart=False),
               Figure("  其中解开密钥（scrypt）", unwrap_ms, None, None, plain_counterpart=False),
               Figure("打开数据库（不含解开密钥）", open_ms - unwrap_ms, None, None),
               Figure("打开时快速检查（后台，写入前完成）", check_ms, None, None)]
    previous = access.current()
    t = time.perf_counter()
    accounts.sign_in("jingban", accounts.DEMO_PASSWORD)
    figures.append(Figure("登录（口令校验）", (time.perf_counter() - t) * 1000, None, 500))
    access.set_actor(previous)

    # audit verify over a million rows (a separate file with the audit table alone); a small
    # bench database (the tests') gets 20 rows per cadre, at least 10,000
    cadres = queries.db.execute_sql("SELECT count(*) FROM cadre").fetchone()[0]
    chunks = 100 if cadres >= 50_000 else max(1, min(100, cadres * 20 // 10_000))
    audit_db = root / "audit-bench.db"
    con = bare(audit_db)
    src = bare(paths.database)
    ddl = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_log' AND sql IS NOT NULL")]
    src.close()
    for sql in ddl:
        con.execute(sql)
    start = datetime(2026, 1, 1, 8, 0, 0)
    with con:
        for chunk in range(chunks):
            auditchain.append(con, [((start + timedelta(seconds=chunk * 10_000 + i)).strftime("%Y-%m-%d %H:%M:%S"),
                                     "jingban（演示经办人）", "view", "cadre", f"{i:032x}", f"{i:032x}",
                                     f"查看 干部{i} 的完整身份证号", "{}") for i in range(10_000)])
    t = time.perf_counter()
    report = auditchain.verify(con)
    verify_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    rows = con.execute('SELECT "id", "at", "user", "action", "table", "record_uuid", "cadre_uuid", "summary", '
                       '"changes", "prev_hash", "row_hash" FROM "audit_log" ORDER BY "id"').fetchall()
    floor_ms = (time.perf_counter() - t) * 1000
    con.close()
    audit_db.unlink()
    assert report.ok and report.rows == chunks * 10_000, report
    figures.append(Figure("审计日志校验（100万行）" if chunks == 100 else f"审计日志校验（{chunks * 10_000:,} 行）",
                          verify_ms, floor_ms, 10_000))
    del rows

    unit_ids = frozenset(r[0] for r in queries.db.execute_sql("SELECT id FROM unit").fetchall())
    clerk = access.Actor("bench", "性能基准", frozenset(access.PERMISSIONS))
    scoped = access.Actor("bench", "性能基准", frozenset(access.PERMISSIONS), unit_ids=unit_ids)

    def keystrokes():
        for text in KEYSTROKE_QUERIES:
            f = queries.RosterFilter(text=text)
            queries.roster_count(f)
            queries.roster_page(f, limit=100)

    def per_key(call) -> float:
        return _median_ms(call, repeat=5) / len(KEYSTROKE_QUERIES)

    real_check = access.check
    with access.acting_as(clerk):
        keystrokes()
        access.check = lambda *p: access.current()      # the checks switched off: the floor
        try:
            unchecked = per_key(keystrokes)
        finally:
            access.check = real_check
        checked = per_key(keystrokes)
    with access.acting_as(scoped):
        scoped_ms = per_key(keystrokes)
    figures.append(Figure("名册搜索每键（含权限检查）", checked, unchecked, unchecked * 1.1))
    figures.append(Figure("名册搜索每键（限定全部单位）", scoped_ms, unchecked, unchecked * 1.1))

    month = allowance.add_month(date.today(), 2)
    with access.acting_as(clerk):
        allowance.generate_month(month)
        access.check = lambda *p: access.current()
        try:
            off = _median_ms(lambda: allowance.generate_month(month), repeat=3)
        finally:
            access.check = real_check
        on = _median_ms(lambda: allowance.generate_month(month), repeat=3)
    figures.append(Figure("津贴补贴月批次（含权限检查）", on, off, off * 1.1))
    return figures


def allowance_figures(root: Path) -> list[Figure]:
    """Issue 4: generating one month's allowance batch for every cadre (read the facts,
    compute, write the lines in one transaction), beside its SQL reads replayed bare.

    The month is one after the demo's current month, so the first run creates the
    batch and the others regenerate it (replace its lines) — both real paths."""
    from datetime import date

    from .services import allowance

    paths = DataPaths(root)
    open_store(paths)
    con = bare(paths.database)
    month = allowance.add_month(date.today(), 1)
    if allowance.month_status(month) == allowance.STATUS_LOCKED:  # never in the bench database
        month = allowance.add_month(month, 1)

    def call():
        allowance.generate_month(month)

    app_ms, floor_ms = app_and_floor(con, call)
    con.close()
    return [Figure("生成一个月津贴补贴", app_ms, floor_ms, 5000)]


def home_figures(root: Path) -> list[Figure]:
    """Issue 4: building the 工作台 (every to-do section and the coverage figures) as the
    page does at start-up, beside all the SQL it sends replayed bare."""
    from datetime import date

    from .services import health, home

    paths = DataPaths(root)
    open_store(paths)
    con = bare(paths.database)
    today = date.today()

    def call():
        health._last_cache.clear()  # a start-up build: nothing cached from an earlier one
        return home.build(today)

    app_ms, floor_ms = app_and_floor(con, call)   # call() clears the cache first, as the trace did
    con.close()
    return [Figure("工作台汇总", app_ms, floor_ms, 500)]


def print_figures(root: Path) -> list[Figure]:
    """Issue 5: batch printing 个人关心关爱档案 for this year — min(1,000, cadres)
    records laid out into one PDF, and the same records one file per cadre.  No
    floor: the time is reportlab's layout, not SQL."""
    from datetime import date

    from .db.database import db
    from .services import printing

    open_store(DataPaths(root))
    ids = [r[0] for r in db.execute_sql(
        "SELECT id FROM cadre WHERE archived = 0 ORDER BY id LIMIT 1000").fetchall()]
    year = date.today().year
    start, end = date(year, 1, 1), date(year, 12, 31)
    out = root / "print-bench"
    t = time.perf_counter()
    printing.care_records_batch(ids, start, end, out / "all.pdf", one_file=True)
    one_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    printing.care_records_batch(ids, start, end, out / "each", one_file=False)
    each_ms = (time.perf_counter() - t) * 1000
    shutil.rmtree(out, ignore_errors=True)
    return [Figure(f"批量打印 {len(ids)} 份关爱档案", one_ms, None, 60000),
            Figure(f"分人打印 {len(ids)} 份关爱档案", each_ms, None, 60000)]


def export_figures(root: Path) -> list[Figure]:
    """Issue 6: exporting the whole roster (every cadre, name order) to .xlsx as the
    导出 button does — the rows streamed from the roster's SQL, typed, written and
    zipped, plus the audit entry — beside the same SQL replayed bare."""
    from .db import queries
    from .exchange.export import export_list
    from .services.exports import RosterQuery

    open_store(DataPaths(root))
    con = bare(DataPaths(root).database)
    out = root / "export-bench.xlsx"
    rows = 0

    def call():
        nonlocal rows
        rows = export_list("roster", out, RosterQuery()).rows

    app_ms, floor_ms = app_and_floor(con, call)
    con.close()
    out.unlink(missing_ok=True)
    queries.invalidate_units()
    name = "导出 5 万行名册" if rows == 50000 else f"导出 {rows:,} 行名册"
    return [Figure(name, app_ms, floor_ms, 10000)]


def backup_figures(root: Path) -> list[Figure]:
    """Issue 6: 立即备份 of the whole database as the clerk makes it — SQLite's online backup
    API from the live file, the copy made self-contained and checked page by page
    (``quick_check``), flushed and renamed — beside the same copy and check through a bare
    connection.  And, without a budget, the daily automatic backup, whose copy gets the full
    ``integrity_check`` in the background after start-up."""
    from .exchange import backup
    from .services import roster

    paths = DataPaths(root)
    open_store(paths)
    cadres = roster.cadre_count()
    bare_file = root / "backup-floor.db"

    def floor(full: bool):
        def run():
            src = bare(paths.database)
            dst = bare(bare_file)
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            backup.verify(dst, full)      # the check as the program runs it (integrity_check's cache)
            dst.close()
            src.close()
            bare_file.unlink()
        return run

    app_ms = _median_ms(lambda: backup.backup_now(paths, backup.KIND_MANUAL), repeat=3)
    floor_ms = _median_ms(floor(False), repeat=3)
    auto_ms = _median_ms(lambda: backup.backup_now(paths, backup.KIND_AUTO), repeat=1)
    auto_floor_ms = _median_ms(floor(True), repeat=1)
    shutil.rmtree(paths.backups, ignore_errors=True)
    name = "备份 5 万人数据库" if cadres == 50000 else f"备份 {cadres:,} 人数据库"
    return [Figure(name, app_ms, floor_ms, 5000),
            Figure("每日自动备份（完整检查）", auto_ms, auto_floor_ms, None)]


def import_figures(root: Path) -> list[Figure]:
    """Issue 6: importing a 10,000-row roster .xlsx as the wizard does — detect the
    header, preview every row (rules, units, ID numbers against the roster), then
    write the valid rows in one transaction with an audit entry per cadre.  A
    fifth of the rows update cadres already in the roster, the rest are new; the
    sheet has a merged title row and dates written as text (1985.03).  The floor
    is bare sqlite3 writing the same number of cadre and audit rows (rolled back).
    On a small bench database the file has as many rows as there are cadres."""
    import random

    from openpyxl import Workbook

    from .db.models import Cadre, Unit
    from .domain import idcard
    from .exchange import importer

    paths = DataPaths(root)
    open_store(paths)
    n = min(10000, max(200, Cadre.select().count()))
    updates = n // 5
    units = [u for (u,) in Unit.select(Unit.name).where(Unit.archived == False).tuples()]  # noqa: E712
    existing = list(Cadre.select(Cadre.id_number, Cadre.name).where(Cadre.archived == False)  # noqa: E712
                    .order_by(Cadre.id).limit(updates).tuples())
    rng = random.Random(20261125)
    fields = importer.fields("roster")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("干部名册")
    ws.append(["某县乡镇机关干部花名册"])
    ws.append(["序号"] + [f.label for f in fields])
    rows: list[dict] = []
    for i in range(n):
        if i < len(existing):
            number, name = existing[i]
        else:
            birth = f"{rng.randrange(1966, 2001)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
            body = f"330399{birth}{i % 1000:03d}"   # a region the demo data never uses: no clash
            number, name = body + idcard.check_digit(body), rng.choice("王李张刘陈杨") + rng.choice("伟芳娜敏静强磊军洋勇")
        work = f"{2000 + i % 20}.{1 + i % 12:02d}"
        row = {"name": name, "id_number": number, "ethnicity": "汉族", "native_place": "浙江温州",
               "political_status": "中共党员", "education_fulltime": "本科", "degree_fulltime": "学士",
               "marital_status": "已婚", "only_child": "否", "phone": f"138{i:08d}", "emergency_contact": "李强",
               "emergency_phone": "13900139000", "unit": units[i % len(units)], "post": "科员",
               "leadership_level": "无", "rank": "一级科员", "pay_grade": 24, "personnel_status": "公务员",
               "position_category": "综合管理类", "employment_status": "在职", "work_start_date": work,
               "township_start_date": work, "current_post_date": "2021.01"}
        rows.append(row)
        ws.append([i + 1] + [row.get(f.key, "") for f in fields])
    path = root / "import-bench.xlsx"
    wb.save(path)

    con = bare(paths.database)
    cols = ["uuid", "created_at", "updated_at", "archived", "name", "name_initials", "name_sort", "sex", "id_number",
            "birth_date", "unit_id", "employment_status", "post", "phone"]

    def floor():
        con.execute("BEGIN")
        con.executemany(f"INSERT INTO cadre ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        [(f"bench{i:027d}", "2026-01-01 00:00:00", "2026-01-01 00:00:00", 0, r["name"], "", "", "男",
                          f"B{i:017d}", "1990-01-01", 1, "在职", r["post"], r["phone"]) for i, r in enumerate(rows)])
        con.executemany('INSERT INTO audit_log (at, user, action, "table", record_uuid, summary, changes) '
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [("2026-01-01 00:00:00", "bench", "create", "cadre", f"bench{i}", r["name"], "{}")
                         for i, r in enumerate(rows)])
        con.rollback()

    floor_ms = _median_ms(floor, repeat=3)
    con.close()
    t = time.perf_counter()
    mapping = importer.detect(path, "干部名册", "roster")
    pre = importer.preview(path, "干部名册", "roster", mapping)
    importer.run_import(pre)
    app_ms = (time.perf_counter() - t) * 1000
    path.unlink(missing_ok=True)
    name = "导入 1 万行干部名册" if n == 10000 else f"导入 {n:,} 行干部名册"
    return [Figure(name, app_ms, floor_ms, 10000)]


def _new_store(paths: DataPaths, encrypted: bool) -> dict:
    """A new database of its own (the bench's key provider serves the main one): what
    ``open_store`` needs to open it again."""
    from . import app, encryption
    from .db import database
    from .security import keys

    if not encrypted:
        app.open_store(paths)
        return {}
    encryption.create_demo_store(paths, app.open_store)
    return {"key": database.db.key, "keyfile": keys.KeyFile.load(paths.key_file)}


def exchange_figures(root: Path, cadres: int = 5000, years: int = 10, townships: int = 20,
                     encrypted: bool = True,
                     page_figures: Callable[[int], list[Figure]] | None = None) -> list[Figure]:
    """Issue 15: a township of ``cadres`` cadres with ``years`` of history packs the current
    year; the county receives ``townships`` such packages and adds them up.

    The packages come from one township database (the demo's history, and every month of the
    year paid and locked): the rows are read once (``pack`` of the first is timed whole), then
    each further township gets its own code, signing key and ID numbers (another region code,
    the check character computed again), so the county receives ``townships × cadres``
    different cadres."""
    from datetime import date

    from .app import seed_rule_tables
    from .db import database, queries
    from .domain import idcard
    from .security import exchange_crypto as xc
    from .services import allowance, county, demo, exchange_pack, exchange_setup

    today = date.today()
    period = today.year
    root = Path(tempfile.mkdtemp(prefix="exchange-", dir=root))   # a round of its own (--compare runs it twice)
    county_paths, town_paths = DataPaths(root / "county"), DataPaths(root / "township")
    database.close_database()
    county_key = _new_store(county_paths, encrypted)
    county.init_county("基准县", "330328000000")
    pub = county.export_public_key(root / "county.pub")
    database.close_database()
    queries.invalidate_units()
    _new_store(town_paths, encrypted)
    seed_rule_tables()
    demo.build(cadres, history_years=years)
    # the demo pays its last three months: pay (and lock) the year's earlier ones too, as a township does
    allowance.use_safety_backup(None)
    paid = allowance.batch_statuses()
    for m in range(1, today.month + 1):
        month = date(period, m, 1)
        if month not in paid:
            allowance.generate_month(month)
            allowance.lock_month(month)
    exchange_setup.save_identity("基准镇", "330328101000")
    exchange_pack.trust_county(pub)
    t = time.perf_counter()
    first = exchange_pack.pack(period, out=root / "基准镇.ccx")
    pack_ms = (time.perf_counter() - t) * 1000
    packages = [(first.path, first.signer_fingerprint)]
    parts = exchange_pack.collect(period, first.through)
    key = exchange_setup.trusted_county()
    for i in range(1, townships):
        region = f"{330400 + i:06d}"
        renamed: dict[str, str] = {}

        def move(number: str) -> str:
            new = renamed.get(number)
            if new is None:
                body = region + number[6:17]
                new = renamed[number] = body + idcard.check_digit(body)
            return new
        copy = {name: [[move(r[0]), *r[1:]] if name not in ("units", "mental", "funds") else r for r in rows]
                for name, rows in parts.items()}
        private, public = xc.new_signing_key()
        own = exchange_setup.Identity(f"基准镇{i}", f"330328{101 + i:03d}000")
        sealed = exchange_pack.seal_parts(copy, own, period, first.through, private, key)[2]
        path = root / f"基准镇{i}.ccx"
        path.write_bytes(sealed.data)
        packages.append((path, xc.fingerprint(public)))
    database.close_database()
    queries.invalidate_units()
    open_store(county_paths, **county_key)
    t = time.perf_counter()
    for path, fingerprint in packages:
        county.receive(path, trust=fingerprint)
    receive_ms = (time.perf_counter() - t) * 1000
    summary_ms = _median_ms(lambda: county.summary(period), repeat=3)
    roster_ms = _median_ms(lambda: (county.roster_count("王"), county.roster_page("王", 0, 100)), repeat=3)
    page = page_figures(period) if page_figures is not None else []   # the 汇总 page through its widgets
    database.close_database()
    size = sum(p.stat().st_size for p, _fp in packages) / len(packages) / 1024 / 1024
    n = townships * cadres
    return [Figure(f"生成报送包（{cadres:,} 名干部，{years} 年历史）", pack_ms, None, 5000),
            Figure(f"报送包大小（每个）", size, None, None, "MB"),
            Figure(f"接收 {townships} 个报送包（{n:,} 名干部）", receive_ms, None, 60000),
            Figure(f"县级汇总（{townships} 个乡镇）", summary_ms, None, 1000),
            *page,
            Figure("县级名册搜索（每键）", roster_ms, None, None)]
