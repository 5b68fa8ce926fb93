"""Plain beside encrypted: the bench figures on one 50,000-cadre database, twice (issue 11).

Both columns go through the *same* SQLite library (``sqlcipher3``): the plain column opens
the plaintext file without a key, the encrypted column an SQLCipher copy of the same file
with one, so the only difference measured is the encryption.  The figures are the ones of
``carecenter.bench`` (the services called as the pages call them; the roster figures through
``db.queries`` rather than the widgets).  Each figure is measured on one store and then on the
other right after it (a warm-up call first, then the median of ``--repeat`` calls), so load
from other work on the machine hits both columns alike.

    python -m tools.cipher_bench build --dir /work/benchdb            # once: plain/ and enc/ (random key)
    python -m tools.cipher_bench run --dir /work/benchdb [--only a,b] [--variant NAME] [--json out.json]
    python -m tools.cipher_bench open --dir /work/benchdb             # key unwrap + open + first page

``--variant`` measures settings that the program does not (yet) apply: extra pragmas on both
stores, extra cipher pragmas right after the key, or another encrypted copy (``build --page-size``).
Run from the work tree (``python -m``) so its ``carecenter`` package is the one measured.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import time
import types
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import carecenter
from carecenter.bench import _median_ms
from carecenter.db import cipher, database, engine
from carecenter.db.database import db
from carecenter.db.engine import sqlite as sqlcipher


#: the plain column's file: the built database exported through ``sqlcipher_export`` without a
#: key, so its pages are laid out as in the encrypted copies (an export packs every table)
PLAIN_DIR = "plainx"


@dataclass(frozen=True)
class Variant:
    enc_dir: str = "enc"                      # which encrypted copy
    plain_dir: str = PLAIN_DIR                # which plain copy
    pragmas: dict = field(default_factory=dict)   # added to database.PRAGMAS on both stores
    cipher: tuple = ()                        # statements right after PRAGMA key (encrypted only)


VARIANTS = {
    "app": Variant(),
    # copies of plainx and enc migrated by the program before this branch (main) and by this
    # branch: the "before" and "after" columns, each run from its own work tree
    "before": Variant(enc_dir="enc-b", plain_dir="plainx-b"),
    "after": Variant(enc_dir="enc-a", plain_dir="plainx-a"),
    "cache64": Variant(pragmas={"cache_size": -65536}),
    "cache128": Variant(pragmas={"cache_size": -131072}),
    "tempmem": Variant(pragmas={"temp_store": "memory"}),
    "memsec_off": Variant(cipher=("PRAGMA cipher_memory_security = OFF",)),
    # other file formats than the program's (8 KiB pages, HMAC-SHA256; ``engine.format_pragmas``),
    # each an encrypted copy of its own (``build --name … --page-size … --hmac-alg …``)
    "sqlcipher-defaults": Variant(enc_dir="enc-4k-sha512", cipher=("PRAGMA cipher_page_size = 4096",
                                                                    "PRAGMA cipher_hmac_algorithm = HMAC_SHA512")),
    "ps4k": Variant(enc_dir="enc4k", cipher=("PRAGMA cipher_page_size = 4096",)),
    "ps16k": Variant(enc_dir="enc16k", cipher=("PRAGMA cipher_page_size = 16384",)),
    "sha512": Variant(enc_dir="enc-sha512", cipher=("PRAGMA cipher_hmac_algorithm = HMAC_SHA512",)),
    "sha1": Variant(enc_dir="enc-sha1", cipher=("PRAGMA cipher_hmac_algorithm = HMAC_SHA1",)),
    "nohmac": Variant(enc_dir="enc-nohmac", cipher=("PRAGMA cipher_use_hmac = OFF",)),
}


# ---------------------------------------------------------------- the two stores

def _extra_cipher_connect(statements: tuple):
    """The program's keyed connection (``KeyedSqliteDatabase._connect``) with ``statements``
    right after the key: settings the program does not make."""
    def connect(self):
        conn = sqlcipher.connect(self.database, timeout=self._timeout, isolation_level=None, **self.connect_params)
        engine.apply_key(conn, self._cipher_key)
        for sql in statements:
            conn.execute(sql)
        self._add_conn_hooks(conn)
        conn.execute(f"PRAGMA cache_size = -{getattr(cipher, 'STORE_CACHE_KIB', 32000)}")
        return conn
    return connect


def _forget_caches() -> None:
    from carecenter.db import queries
    from carecenter.services import health, welfare

    queries.invalidate_units()
    health._last_cache.clear()
    welfare._used_cache.clear()


def open_store(path: Path, key: bytes | None, variant: Variant) -> None:
    """Point the shared ``db`` at ``path`` as the program opens it (its pragmas, plus the
    variant's): keyed for the encrypted copy, without a key for the plain one."""
    if not db.is_closed():
        db.close()
    db.__dict__.pop("_connect", None)
    _forget_caches()
    db.init(str(path), pragmas={**database.PRAGMAS, **variant.pragmas}, key=key)
    if key is not None and variant.cipher:
        db._connect = types.MethodType(_extra_cipher_connect(variant.cipher), db)
    db.connect()


def close_store() -> None:
    if not db.is_closed():
        db.close()
    db.__dict__.pop("_connect", None)


# ---------------------------------------------------------------- the figures

def _preload(path: Path) -> None:
    """Read the file once so it is in the OS cache (the machine reclaims idle cache)."""
    for f in (path, path.with_name(path.name + "-wal")):
        if f.exists():
            with open(f, "rb") as fh:
                while fh.read(1 << 24):
                    pass


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms of the whole process: worker threads included) of one call.  On a
    shared machine the CPU time is the steadier measure of what encryption adds."""
    w, c = time.perf_counter(), time.process_time()
    call()
    return (time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000


def figures(root: Path, work: Path) -> dict[str, tuple[Callable[[], object], int]]:
    """name → (call, repeat).  Built lazily after the store is open (the calls close over
    nothing of the store, so one list serves both)."""
    from carecenter.bench import KEYSTROKE_QUERIES
    from carecenter.db import queries
    from carecenter.services import allowance, health, home, leave, welfare

    today = date.today()
    year = today.year
    month = allowance.add_month(today, 1)

    def keystroke():
        for text in KEYSTROKE_QUERIES:
            f = queries.RosterFilter(text=text)
            queries.roster_count(f)
            queries.roster_page(f, limit=100)

    def listing(count, page, f):
        """A list page as it opens: the total (or count and sum) and the first 100 rows."""
        return lambda: (count(f), page(f, limit=100))

    first_page = listing(queries.roster_count, queries.roster_page, queries.RosterFilter())
    welfare_list = listing(queries.welfare_summary, queries.welfare_page, queries.WelfareFilter(year=year))
    welfare_all = listing(queries.welfare_summary, queries.welfare_page, queries.WelfareFilter())
    leave_list = listing(queries.leave_count, queries.leave_page, queries.LeaveFilter())
    check_list = listing(queries.check_count, queries.check_page, queries.CheckFilter())

    def cold_due():
        health._last_cache.clear()
        return health.due_list(year, today)

    def home_build():
        health._last_cache.clear()
        return home.build(today)

    def fund_usage():
        welfare._used_cache.clear()
        return welfare.fund_usage(year)

    def export_roster():
        from carecenter.exchange.export import export_list
        from carecenter.services.exports import RosterQuery

        export_list("roster", work / "export-bench.xlsx", RosterQuery())

    def generate():
        allowance.generate_month(month)

    def backup():
        """立即备份 as exchange.backup does it (backup API into a new file, quick_check), into a
        file keyed like the store (the encrypted store's backups are encrypted)."""
        target = work / "backup-bench.db"
        for f in work.glob("backup-bench.db*"):
            f.unlink()
        dst = sqlcipher.connect(str(target), isolation_level=None)
        if db.key is not None:
            engine.apply_key(dst, db.key)
        dst.execute("PRAGMA synchronous = OFF")
        db.connection().backup(dst, pages=max(256, db.execute_sql("PRAGMA page_count").fetchone()[0] // 40))
        dst.execute("PRAGMA journal_mode=DELETE")
        assert dst.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        dst.close()
        target.unlink()

    def raw_backup():
        """A prototype, not the program's: the encrypted pages copied as they are (same key, so
        nothing to decrypt and encrypt again) and checked by their HMACs.  Consistent: after a
        TRUNCATE checkpoint the read transaction reads the main file only, and while it is held
        no checkpoint may write into that file.  Plain: the same copy, checked by quick_check."""
        target = work / "raw-backup.db"
        for f in work.glob("raw-backup.db*"):
            f.unlink()
        src = db.connection()
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        src.execute("BEGIN")
        try:
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            wal = Path(db.database + "-wal")
            assert not wal.exists() or wal.stat().st_size == 0, "a write came in: use the backup API"
            size = int(src.execute("PRAGMA page_count").fetchone()[0]) * int(src.execute("PRAGMA page_size").fetchone()[0])
            with open(db.database, "rb") as fin, open(target, "wb") as fout:
                while size > 0:
                    chunk = fin.read(min(size, 1 << 22))
                    fout.write(chunk)
                    size -= len(chunk)
        finally:
            src.execute("COMMIT")
        dst = engine.connect(target, db.key)
        if db.key is not None:
            assert dst.execute("PRAGMA cipher_integrity_check").fetchall() == []
        else:
            assert dst.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.close()
        target.unlink()

    def audit_verify():
        from carecenter.security import auditchain

        path = Path(db.database).parent / "audit.db" if db.key is not None else root / "audit-plain.db"
        con = sqlcipher.connect(str(path))
        if db.key is not None:
            engine.apply_key(con, db.key)
        report = auditchain.verify(con)
        con.close()
        assert report.ok and report.rows == 1_000_000, report

    def print_100():
        from carecenter import app
        from carecenter.services import printing

        printing.use_layouts(app._report_layout)
        ids = [r[0] for r in db.execute_sql("SELECT id FROM cadre WHERE archived = 0 ORDER BY id LIMIT 100")]
        printing.care_records_batch(ids, date(year, 1, 1), date(year, 12, 31), work / "print-bench.pdf",
                                    one_file=True)

    return {
        "名册首页（计数+100行）": (first_page, 5),
        "名册搜索每键×16": (keystroke, 3),
        "年休假余额（全体）": (lambda: leave.annual_balances(year), 3),
        "体检应检/逾期名单": (cold_due, 3),
        "异常随访名单": (lambda: health.open_followups(today), 3),
        "工作台汇总": (home_build, 3),
        "慰问：经费使用（本年）": (fund_usage, 5),
        "慰问：未走访名单（本年）": (lambda: welfare.not_visited(year), 3),
        "慰问列表（本年，合计+首页）": (welfare_list, 3),
        "慰问列表（全部，合计+首页）": (welfare_all, 3),
        "休假列表（全部，计数+首页）": (leave_list, 3),
        "体检列表（全部，计数+首页）": (check_list, 3),
        "生成一个月津贴补贴": (generate, 3),
        "导出 5 万行名册": (export_roster, 3),
        "备份（backup API + quick_check）": (backup, 1),
        "备份原型（原样复制 + HMAC/quick_check）": (raw_backup, 1),
        "审计日志校验（100万行）": (audit_verify, 1),
        "打印 100 份关爱档案（合并）": (print_100, 3),
    }


def build_audit(root: Path, name: str, key: bytes, out=print) -> None:
    """1,000,000-row audit chains (as ``bench.security_figures`` builds one): plain beside the
    plain store, keyed in the encrypted copy's folder."""
    from datetime import datetime, timedelta

    from carecenter.security import auditchain

    src = sqlcipher.connect(str(root / PLAIN_DIR / "carecenter.db"))
    ddl = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_log' "
                                     "AND sql IS NOT NULL")]
    src.close()
    start = datetime(2026, 1, 1, 8, 0, 0)
    for path, k in ((root / "audit-plain.db", None), (root / name / "audit.db", key)):
        if path.exists():
            continue
        con = sqlcipher.connect(str(path))
        if k is not None:
            engine.apply_key(con, k)
        for sql in ddl:
            con.execute(sql)
        with con:
            for chunk in range(100):
                auditchain.append(con, [((start + timedelta(seconds=chunk * 10_000 + i)).strftime(
                    "%Y-%m-%d %H:%M:%S"), "jingban（演示经办人）", "view", "cadre", f"{i:032x}", f"{i:032x}",
                    f"查看 干部{i} 的完整身份证号", "{}") for i in range(10_000)])
        con.close()
        out(f"{path}: built", flush=True)


def _stores(root: Path, variant: Variant) -> tuple[Path, Path, bytes, Path]:
    """(plain file, encrypted file, its key, a scratch folder), acting as an account that holds
    every permission."""
    from carecenter.security import access

    access.set_actor(access.system_actor("性能基准"))
    work = root / "work"
    work.mkdir(exist_ok=True)
    key = bytes.fromhex((root / variant.enc_dir / "key.hex").read_text().strip())
    return root / variant.plain_dir / "carecenter.db", root / variant.enc_dir / "carecenter.db", key, work


def measure(root: Path, variant: Variant, only: list[str] | None, repeat: int | None,
            out=print, cold: bool = False, skip: list[str] = ()) -> list[dict]:
    """Each figure on the plain store, then on the encrypted one.  ``cold``: every call on a
    new connection (opened untimed), as a background job or a first view reads: SQLite's page
    cache empty, so every page the call touches is read (and, encrypted, decrypted) once; the
    file itself stays in the OS cache either way."""
    plain, enc, key, work = _stores(root, variant)
    rows = []
    table = figures(root, work)
    names = [n for n in table if (not only or any(o in n for o in only)) and not any(o in n for o in skip)]
    for name in names:
        call, rep = table[name]
        rep = repeat or rep
        result = {"figure": name}
        for label, path, k in (("plain", plain, None), ("enc", enc, key)):
            _preload(path)
            open_store(path, k, variant)
            call()                                  # warm-up (and the first allowance run creates the batch)
            samples = []
            for _ in range(rep):
                if cold:
                    open_store(path, k, variant)
                samples.append(_timed(call))
            result[label] = statistics.median(w for w, _ in samples)
            result[label + "_cpu"] = statistics.median(c for _, c in samples)
        close_store()
        result["ratio"] = result["enc"] / result["plain"]
        result["cpu_ratio"] = result["enc_cpu"] / result["plain_cpu"]
        rows.append(result)
        out(f"{name:<24}\t{result['plain']:9.1f}\t{result['enc']:9.1f}\t{result['ratio']:5.2f}×"
            f"\t{result['plain_cpu']:9.1f}\t{result['enc_cpu']:9.1f}\t{result['cpu_ratio']:5.2f}×", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return rows


def statements(root: Path, variant: Variant, only: list[str], out=print) -> None:
    """The SELECTs a figure sends (traced on the plain store), each replayed bare on a plain
    and an encrypted connection, slowest first, with its query plan: where encryption costs."""
    from carecenter.bench import SqlTrace

    plain, enc, key, work = _stores(root, variant)
    table = figures(root, work)
    cons = {"plain": sqlcipher.connect(str(plain)), "enc": cipher.connect(enc, key)}
    for label, con in cons.items():
        for k, v in {**database.PRAGMAS, **variant.pragmas}.items():
            if k != "journal_mode":
                con.execute(f"PRAGMA {k} = {v}")
        if label == "enc":
            for sql in variant.cipher:
                con.execute(sql)
    for name in [n for n in table if any(o in n for o in only)]:
        open_store(plain, None, variant)
        with SqlTrace() as trace:
            table[name][0]()
        close_store()
        seen: dict[str, list[float]] = {}
        for sql in trace.statements:
            if sql in seen:
                continue
            times = []
            for label in ("plain", "enc"):
                cons[label].execute(sql).fetchall()
                times.append(_median_ms(lambda: cons[label].execute(sql).fetchall(), 3))
            seen[sql] = times
        out(f"== {name}: {len(trace.statements)} statements, {len(seen)} distinct")
        for sql, (p_ms, e_ms) in sorted(seen.items(), key=lambda kv: -kv[1][1])[:8]:
            plan = "; ".join(r[3] for r in cons["plain"].execute("EXPLAIN QUERY PLAN " + sql))
            out(f"  {p_ms:8.1f} {e_ms:8.1f}  {sql[:300]}")
            out(f"      plan: {plan}")
    for con in cons.values():
        con.close()
    shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- open time

def measure_open(root: Path, variant: Variant, out=print) -> list[dict]:
    """Opening as at sign-in: the key unwrapped from a key-file entry (scrypt), the store opened
    by ``database.open_database`` (schema checks, pragmas; the 1 GB file's quick_check started
    in the background) and the roster's first page read; each part, and the background check."""
    from carecenter.db import queries
    from carecenter.security import keys

    plain, enc, key, _work = _stores(root, variant)
    wrapped = keys.wrap(key, "Bench@2026", keys.PURPOSE_ACCOUNT, "bench")
    check = keys.key_check(key)

    def unwrap(path: Path, k: bytes | None) -> float:
        t = time.perf_counter()
        if k is not None:
            assert keys.unwrap(wrapped, "Bench@2026", check) == k
        return (time.perf_counter() - t) * 1000

    def open_first_page(path: Path, k: bytes | None) -> float:
        close_store()
        _forget_caches()
        t = time.perf_counter()
        database.open_database(path, key=k)            # > 64 MB: quick_check in the background
        queries.roster_page(queries.RosterFilter(), limit=100)
        ms = (time.perf_counter() - t) * 1000
        database.ensure_checked()                      # (not timed) the check done before the next
        database.close_database()
        return ms

    def quick(path: Path, k: bytes | None) -> float:
        t = time.perf_counter()
        database.quick_check(path, k)
        return (time.perf_counter() - t) * 1000

    rows = []
    for name, fn, rep in (("打开：解包密钥（scrypt）", unwrap, 5),
                          ("打开：open_database + 名册首页", open_first_page, 5),
                          ("打开时 quick_check（后台）", quick, 1)):
        result = {"figure": name}
        for label, path, k in (("plain", plain, None), ("enc", enc, key)):
            _preload(path)
            fn(path, k)
            result[label] = statistics.median(fn(path, k) for _ in range(rep))
        result["ratio"] = result["enc"] / result["plain"] if result["plain"] > 0.05 else float("nan")
        rows.append(result)
        out(f"{name:<24}\t{result['plain']:9.1f}\t{result['enc']:9.1f}\t{result['ratio']:5.2f}×", flush=True)
    return rows


# ---------------------------------------------------------------- building the stores

def build(root: Path, page_size: int | None, hmac: bool, name: str, out=print, hmac_alg: str = "") -> None:
    """The plaintext bench database (once) and an encrypted copy ``name`` with a random key."""
    from carecenter.bench import build_database

    plain = root / "plain"
    if not (plain / "carecenter.db").exists():
        out("building the 50,000 × 10-year database …", flush=True)
        secs = build_database(plain, 50000, 10, encrypted=False)
        database.close_database()
        out(f"  {secs:.0f} s", flush=True)
    if not (root / PLAIN_DIR / "carecenter.db").exists():
        _export(plain / "carecenter.db", root / PLAIN_DIR / "carecenter.db", None)
    target = root / name
    if (target / "carecenter.db").exists():
        out(f"{target} exists", flush=True)
        build_audit(root, name, bytes.fromhex((target / "key.hex").read_text().strip()), out)
        return
    target.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(cipher.KEY_BYTES)
    t = time.perf_counter()
    if page_size is None and hmac and not hmac_alg:
        shutil.copyfile(plain / "carecenter.db", target / "carecenter.db")
        cipher.encrypt_file(target / "carecenter.db", key)
    else:   # a variant the program does not make: sqlcipher_export with the settings given
        settings = []
        if page_size:
            settings.append(f"PRAGMA enc.cipher_page_size = {page_size}")
        if not hmac:
            settings.append("PRAGMA enc.cipher_use_hmac = OFF")
        if hmac_alg:
            settings.append(f"PRAGMA enc.cipher_hmac_algorithm = {hmac_alg}")
        _export(plain / "carecenter.db", target / "carecenter.db", key, settings)
    (target / "key.hex").write_text(key.hex())
    out(f"{target}: encrypted in {time.perf_counter() - t:.1f} s", flush=True)
    build_audit(root, name, key, out)


def _export(source: Path, target: Path, key: bytes | None, settings: list[str] = ()) -> None:
    """``sqlcipher_export`` of ``source`` into a new file (plaintext when ``key`` is None)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    literal = f"\"x'{key.hex()}'\"" if key else "''"
    src = sqlcipher.connect(str(source), isolation_level=None)
    src.execute(f"ATTACH DATABASE ? AS enc KEY {literal}", (str(target),))
    for sql in (*(engine.format_pragmas("enc") if key else ()), *settings):   # the program's format, then the variant's
        src.execute(sql)
    src.execute("SELECT sqlcipher_export('enc')")
    for p in ("user_version", "application_id"):
        src.execute(f"PRAGMA enc.{p} = {src.execute(f'PRAGMA {p}').fetchone()[0]}")
    src.execute("DETACH DATABASE enc")
    src.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.cipher_bench")
    p.add_argument("command", choices=["build", "run", "open", "statements"])
    p.add_argument("--dir", type=Path, default=Path("/work/benchdb"))
    p.add_argument("--variant", default="app", choices=sorted(VARIANTS))
    p.add_argument("--only", default="")
    p.add_argument("--skip", default="")
    p.add_argument("--repeat", type=int)
    p.add_argument("--json", type=Path)
    p.add_argument("--page-size", type=int)
    p.add_argument("--no-hmac", action="store_true")
    p.add_argument("--hmac-alg", default="", help="HMAC_SHA1, HMAC_SHA512 (the program's: HMAC_SHA256)")
    p.add_argument("--name", default="enc")
    p.add_argument("--cold", action="store_true", help="every call on a new connection")
    args = p.parse_args(argv)
    print(f"# carecenter from {Path(carecenter.__file__).parent}; SQLCipher "
          f"{sqlcipher.connect(':memory:').execute('PRAGMA cipher_version').fetchone()[0]}, "
          f"SQLite {sqlcipher.sqlite_version}; variant {args.variant}", flush=True)
    variant = VARIANTS[args.variant]
    if args.command == "build":
        build(args.dir, args.page_size, not args.no_hmac, args.name, hmac_alg=args.hmac_alg)
        return 0
    if args.command == "statements":
        statements(args.dir, variant, [o for o in args.only.split(",") if o])
        return 0
    print(f"{'figure':<24}\t{'plain ms':>9}\t{'enc ms':>9}\tratio\t{'plain cpu':>9}\t{'enc cpu':>9}\tcpu ratio",
          flush=True)
    if args.command == "run":
        rows = measure(args.dir, variant, [o for o in args.only.split(",") if o], args.repeat,
                       cold=args.cold, skip=[o for o in args.skip.split(",") if o])
    else:
        rows = measure_open(args.dir, variant)
    if args.json:
        args.json.write_text(json.dumps({"variant": args.variant, "rows": rows}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
