"""Backups and restore (issue 6).  No Qt.

* ``backup_now`` writes a copy of the live database into the data folder's
  ``backups`` folder with SQLite's online backup API (consistent while the
  application keeps working: WAL mode), verifies the written copy, then prunes
  the folder to the rotation: the newest backup of each of the last 7 days,
  4 ISO weeks and 12 months that have one (``KEEP``), and on each of those 7 days
  also the day's first backup and its automatic one (a manual 立即备份 never
  prunes the morning's automatic backup).  Every backup is audited (``backup``,
  where to).
* ``safety_backup`` is the copy made before a step that changes much at once:
  every import (``导入前``) and every allowance-month lock (``锁定前-YYYY-MM``);
  the newest ``KEEP_SAFETY`` of each kind are kept.  The audit row of the step names
  its safety copy (a step that is cancelled or fails leaves the copy, and no row).
* ``auto_backup_if_due`` does that once a day at start-up, verified with the full
  ``PRAGMA integrity_check`` (it runs in the background, nobody waits for it).
* ``backup_to`` writes a copy to any folder (a USB stick); it is not rotated.
* ``inspect_backup`` refuses, with a Chinese sentence and without changing
  anything, a file that is not a database of ours, is damaged, or was written by a
  newer version of the application (the checks of ``db.database.check_ours``).
* ``restore`` = ``prepare_restore`` (validate, keep a safety copy of the current
  database, write the replacement next to it as a temporary file) +
  ``commit_restore`` (close, fold the WAL into the file, atomic ``os.replace``,
  reopen and migrate as at start-up).  A crash at any point leaves either the old
  or the restored database, never a mix; leftovers are removed by ``cleanup_stale``.

Every backup file is one self-contained SQLite file (rollback-journal mode, no
-wal/-shm beside it), so it can be copied, mailed or opened on its own.
"""
from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from ..db import cipher, database, engine
from ..security import access, keys, storekey
from . import backup_keys
from ..domain.errors import DomainError
from ..durable import fsync_dir as _fsync_dir
from ..durable import fsync_file as _fsync_file
from ..paths import DataPaths
from ..services.values import path_text

log = logging.getLogger(__name__)

PREFIX = "关爱中心备份"
KIND_AUTO = "自动"
KIND_MANUAL = "手动"
KIND_SAFETY = "恢复前"
KIND_BEFORE_IMPORT = "导入前"
KIND_BEFORE_LOCK = "锁定前"
KIND_EXTERNAL = ""          # a copy written to a folder of the clerk's choice
KIND_NAMES = {KIND_AUTO: "自动备份", KIND_MANUAL: "手动备份", KIND_SAFETY: "恢复前的安全副本",
              KIND_BEFORE_IMPORT: "导入前的安全副本", KIND_BEFORE_LOCK: "锁定津贴月份前的安全副本",
              KIND_EXTERNAL: "备份文件"}
ROTATED = (KIND_AUTO, KIND_MANUAL)
SAFETY_KINDS = (KIND_SAFETY, KIND_BEFORE_IMPORT, KIND_BEFORE_LOCK)
#: a .part file older than this (seconds) is a leftover, not a backup being written
STALE_PART_AGE = 120
#: (label, how many, bucket of a timestamp): the newest backup of each bucket is kept
KEEP: tuple[tuple[str, int, Callable[[datetime], object]], ...] = (
    ("每日", 7, lambda t: t.date()),
    ("每周", 4, lambda t: tuple(t.isocalendar())[:2]),
    ("每月", 12, lambda t: (t.year, t.month)),
)
KEEP_SAFETY = 5             # safety copies: the newest five of each kind (before a restore, import, lock)
SUFFIX = ".db"
PART = ".part"              # a copy being written; renamed when complete and verified
RESTORING = ".restoring"    # the replacement database waiting beside the live one
EXTERNAL_STATE = "external.json"
NAME_RE = re.compile(r"^" + PREFIX + r"-(\d{8})-(\d{6})(?:-(自动|手动|恢复前|导入前|锁定前)(?:-(\d{4}-\d{2}))?)?"
                     r"(?:-\d+)?\.db$")

Progress = Callable[[int, str], None]
Check = Callable[[], None]

#: How ``commit_restore`` reopens the restored database exactly as at start-up (open,
#: migrate, seed; returns the migrations applied).  Handed in by the composition root
#: (``app.open_store``), so that this module never imports it.
_reopen: Callable[[DataPaths], list[str]] | None = None


def reopen_with(reopen: Callable[[DataPaths], list[str]]) -> None:
    """Set how a restored database is reopened (the composition root calls this)."""
    global _reopen
    _reopen = reopen


class BackupError(DomainError):
    """A backup or restore that was refused or could not be done; nothing was changed."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(code, message, "backup", **params)


class BackupKeyNeeded(BackupError):
    """An encrypted backup of another database (another data key): the password of one of
    its accounts, or its recovery key, is needed to open it."""

    def __init__(self, file: Path):
        super().__init__("backup_key_needed",
                         f"备份文件 {Path(file).name} 是另一套数据（另一台电脑或重新建立的数据库）的加密备份，"
                         "需要用它的任一账户的登录名和密码，或它的恢复密钥，才能打开。", file=str(file))


#: how a restore is told the secret of a backup from another database: ("password", login,
#: password) or ("recovery", recovery key)
Secret = tuple
RESTORING_KEYS = ".restoring"     # suffix of the key file waiting beside a restored database


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    kind: str
    size: int
    keep: tuple[str, ...] = ()      # 每日 / 每周 / 每月 / 当日首份: why the rotation keeps it
    detail: str = ""                # the month of a 锁定前 copy

    @property
    def kind_name(self) -> str:
        name = KIND_NAMES.get(self.kind, KIND_NAMES[KIND_EXTERNAL])
        return f"{name}（{self.detail}）" if self.detail else name


@dataclass(frozen=True)
class BackupInfo:
    """What a valid backup file holds (shown before restoring from it)."""

    path: Path
    taken_at: datetime
    size: int
    version: int
    known: int
    cadres: int
    last_change: datetime | None
    key: bytes | None = field(default=None, repr=False)   # the backup's data key (None: plaintext)
    keyfile: "keys.KeyFile | None" = field(default=None, repr=False)   # the key file it carries

    @property
    def older(self) -> bool:
        return self.version < self.known

    @property
    def encrypted(self) -> bool:
        return self.key is not None


@dataclass
class PreparedRestore:
    info: BackupInfo
    safety: BackupFile | None
    temp: Path
    migrations: list[str] = field(default_factory=list)
    key: bytes | None = field(default=None, repr=False)          # the restored file's data key
    keyfile: "keys.KeyFile | None" = field(default=None, repr=False)  # replaces the live key file (None: kept)


@dataclass
class RestoreResult:
    info: BackupInfo
    safety: BackupFile | None
    migrations: list[str] = field(default_factory=list)


# ================================================================ small helpers

def _noop_progress(_percent: int, _text: str) -> None:
    return None


def _noop_check() -> None:
    return None


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    if size < 1024 ** 3:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024 ** 3:.2f} GB"


def when_text(moment: datetime, today: date | None = None) -> str:
    """今天 08:31 / 昨天 21:05 / 2026-11-20 08:31."""
    today = today or date.today()
    days = (today - moment.date()).days
    clock = moment.strftime("%H:%M")
    if days == 0:
        return f"今天 {clock}"
    if days == 1:
        return f"昨天 {clock}"
    return moment.strftime("%Y-%m-%d %H:%M")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


def _unique(path: Path) -> Path:
    if not path.exists() and not path.with_name(path.name + PART).exists():
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists() and not candidate.with_name(candidate.name + PART).exists():
            return candidate
    raise BackupError("name_taken", f"文件夹 {path.parent} 里同名的备份文件太多，请换一个文件夹。")


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")]


def _remove_db_files(path: Path) -> None:
    for p in [path, *_side_files(path)]:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _read_only_uri(path: Path) -> str:
    """Read-only, and immutable when no -wal is beside it (no lock or -shm file on a backup medium)."""
    wal = path.with_name(path.name + "-wal")
    return path.resolve().as_uri() + "?mode=ro" + ("" if wal.exists() else "&immutable=1")


def _write_error(target: Path, err: BaseException) -> BackupError:
    text = str(err).lower()
    if "full" in text or getattr(err, "errno", None) == 28:
        why = "磁盘空间不足"
    elif "readonly" in text or "read-only" in text or isinstance(err, PermissionError):
        why = "该位置不允许写入"
    else:
        why = f"写入失败（{err}）"
    return BackupError("write_failed",
                       f"无法写入备份文件 {target}：{why}。请换一个位置或腾出空间后重试，原数据没有任何改动。")


def _interruptible(con: engine.Connection, check: Check) -> list[BaseException]:
    """Let ``check`` (which raises to cancel) stop a long statement; returns the box the
    cancelling exception is put in, so the caller can raise it instead of 'interrupted'."""
    box: list[BaseException] = []

    def handler() -> int:
        try:
            check()
        except BaseException as err:  # noqa: BLE001 - handed back to the caller
            box.append(err)
            return 1
        return 0

    con.set_progress_handler(handler, 20000)
    return box


def _answers_ok(con: engine.Connection, sql: str, ok: Callable[[list], bool], check: Check) -> bool:
    """Run a checking pragma that ``check`` can interrupt; False when SQLite cannot read
    the file or the answer is not ``ok``."""
    box = _interruptible(con, check)
    try:
        rows = con.execute(sql).fetchall()
    except engine.DatabaseError:
        if box:
            raise box[0] from None
        return False
    finally:
        con.set_progress_handler(None, 0)
    return ok(rows)


#: the page cache of a connection running ``integrity_check``: the check looks every index
#: entry up in its table, so pages are read again and again, and a page of an encrypted file
#: is decrypted and its HMAC computed on every read that misses the cache.  The full check of
#: the 1 GB benchmark database, encrypted / plain (2-core machine, interleaved): SQLite's 2 MB
#: default 136 / 25 s; 64 MiB 43 / 30 s (1.4×); 128 MiB 36 / 32 s; 256 MiB 33 / 28–30 s
#: (within the 20 % of issue 11).  A ceiling, not an allocation: SQLite takes cache pages as
#: it reads them, so a township's file of a few MB uses a few MB; only a file larger than
#: 256 MiB fills it, for the minute the check runs.  Freed when the check's connection closes.
FULL_CHECK_CACHE_KIB = 262144
_FULL_CHECK_CACHE = f"PRAGMA cache_size = -{FULL_CHECK_CACHE_KIB}"


def verify(con: engine.Connection, full: bool = True, check: Check = _noop_check) -> bool:
    """``PRAGMA integrity_check`` (full) or ``quick_check`` (every page and record, not the
    index contents) on an open connection; True when SQLite answers "ok"."""
    if full:
        con.execute(_FULL_CHECK_CACHE)
    return _answers_ok(con, "PRAGMA integrity_check" if full else "PRAGMA quick_check",
                       lambda rows: rows == [("ok",)], check)


def _store_keys() -> tuple[bytes | None, "keys.KeyFile | None"]:
    """The open store's data key and its key file as it is on disk now (None, None: a
    plaintext store)."""
    sk = storekey.current()
    if sk is None or database.db.key is None:
        return None, None
    return sk.key, keys.KeyFile.load(sk.keyfile.path)


def _copy(src: engine.Connection, target: Path, *, full_check: bool, progress: Progress, check: Check,
          span: tuple[int, int] = (0, 100), what: str = "备份", key: bytes | None = None,
          keyfile: "keys.KeyFile | None" = None, source_file: Path | None = None) -> None:
    """Copy ``src`` into ``target``: written to ``target.part`` (encrypted with ``key`` when
    given), made a self-contained rollback-journal file, verified, given the key trailer
    (``keyfile``: an encrypted backup opens on its own), flushed to disk, then renamed.

    An encrypted live database (``source_file`` with a ``key``) is copied page for page as
    it is on disk (``_raw_pages``: nothing decrypted and encrypted again) and checked by every
    page's HMAC (or ``integrity_check`` when ``full_check``); otherwise, or when a write came
    in meanwhile, with SQLite's backup API and ``quick_check`` / ``integrity_check``."""
    part = target.with_name(target.name + PART)
    _remove_db_files(part)
    low, high = span
    copy_high = low + (high - low) * 3 // 5
    try:
        raw = key is not None and source_file is not None and \
            _raw_pages(src, source_file, part, lambda done: progress(
                low + int((copy_high - low) * done), f"正在复制数据（{int(done * 100)}%）…"), check)
        dst = engine.connect(part, key)
        try:
            dst.execute("PRAGMA synchronous = OFF")  # a scratch file until renamed; flushed once below
            if not raw:
                pages = src.execute("PRAGMA page_count").fetchone()[0]
                step = max(256, pages // 40)

                def on_step(_status: int, remaining: int, total: int) -> None:
                    check()
                    done = (total - remaining) / max(1, total)
                    progress(low + int((copy_high - low) * done), f"正在复制数据（{int(done * 100)}%）…")

                progress(low, "正在复制数据…")
                src.backup(dst, pages=step, progress=on_step)
            dst.execute("PRAGMA journal_mode=DELETE")
            progress(copy_high, f"正在检查{what}文件的完整性…")
            ok = _pages_authentic(dst, check) if raw and not full_check else verify(dst, full_check, check)
            if not ok:
                raise BackupError("copy_damaged",
                                  f"{what}文件写入后没有通过完整性检查，已删除这份文件。请换一个位置（例如另一个 "
                                  "U 盘）重试；如果仍然不行，当前数据库可能已损坏，请联系技术人员，并保留现有的备份。")
        finally:
            dst.close()
        if keyfile is not None:
            backup_keys.attach(part, keyfile)
        _fsync_file(part)
        os.replace(part, target)
        _fsync_dir(target.parent)
    except BackupError:
        _remove_db_files(part)
        raise
    except (engine.DatabaseError, OSError) as err:
        _remove_db_files(part)
        raise _write_error(target, err) from err
    except BaseException:
        _remove_db_files(part)
        raise
    progress(high, "")


def _raw_pages(src: engine.Connection, source_file: Path, part: Path, progress: Callable[[float], None],
               check: Check) -> bool:
    """Copy the encrypted pages of the live file as they are (same key: nothing to decrypt
    and encrypt again).  Consistent: after a TRUNCATE checkpoint the read transaction sees
    the main file only, and while it is held no checkpoint may write into that file.  False
    (nothing copied) when the WAL could not be emptied (another program is reading an older
    snapshot, or a write came in): the caller then uses the backup API.

    The checkpoint does not wait: a TRUNCATE checkpoint waits for readers while holding the
    write lock, so with a busy timeout one long reader elsewhere would keep every other
    window's writes (a sign-in's audit row) waiting until they fail."""
    timeout = src.execute("PRAGMA busy_timeout").fetchone()[0]
    src.execute("PRAGMA busy_timeout = 0")
    try:
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        src.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    src.execute("BEGIN")
    try:
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        wal = source_file.with_name(source_file.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return False
        size = int(src.execute("PRAGMA page_count").fetchone()[0]) * int(src.execute("PRAGMA page_size").fetchone()[0])
        backup_keys.copy_head(source_file, part, size, check, progress, sync=False)   # flushed once, later
    finally:
        src.execute("COMMIT")
    return True


def _pages_authentic(con: engine.Connection, check: Check) -> bool:
    """Every page of an encrypted copy reads back with a valid HMAC (``cipher_integrity_check``:
    one decryption per page, like ``quick_check``'s one read per page)."""
    return _answers_ok(con, "PRAGMA cipher_integrity_check", lambda rows: rows == [], check)


def _live_source(paths: DataPaths) -> engine.Connection:
    if not paths.database.exists():
        raise BackupError("no_database", f"数据目录 {paths.root} 里还没有数据库，无需备份。")
    con = engine.connect(paths.database, database.db.key, timeout=10)
    con.execute("PRAGMA busy_timeout = 10000")
    return con


def _entry(path: Path) -> BackupFile | None:
    m = NAME_RE.match(path.name)
    try:
        stat = path.stat()
    except OSError:
        return None
    detail = ""
    if m:
        taken = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
        kind = m.group(3) or KIND_EXTERNAL
        detail = m.group(4) or ""
    else:
        taken = datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)
        kind = KIND_EXTERNAL
    return BackupFile(path, taken, kind, stat.st_size, detail=detail)


def _keep_reasons(entries: Iterable[BackupFile]) -> dict[Path, tuple[str, ...]]:
    """Why the rotation keeps each automatic/manual backup (absent: it goes)."""
    regular = sorted((e for e in entries if e.kind in ROTATED), key=lambda e: (e.taken_at, e.path.name),
                     reverse=True)
    reasons: dict[Path, list[str]] = defaultdict(list)
    for label, count, bucket in KEEP:
        seen: list[object] = []
        for e in regular:       # newest first: the first of a bucket is its newest
            b = bucket(e.taken_at)
            if b in seen:
                continue
            if len(seen) == count:
                break
            seen.append(b)
            reasons[e.path].append(label)
    # on each day the daily rotation keeps, also its first backup and its automatic one
    kept_days = {e.taken_at.date() for e in regular if "每日" in reasons.get(e.path, ())}
    first_of_day: dict[date, BackupFile] = {}
    for e in reversed(regular):     # oldest first
        day = e.taken_at.date()
        if day not in kept_days:
            continue
        if day not in first_of_day:
            first_of_day[day] = e
            if "当日首份" not in reasons[e.path]:
                reasons[e.path].append("当日首份")
        elif e.kind == KIND_AUTO and "每日" not in reasons[e.path]:
            reasons[e.path].append("当日自动")
    return {p: tuple(r) for p, r in reasons.items()}


# ================================================================ the rotation folder

def list_backups(paths: DataPaths) -> list[BackupFile]:
    """The backups in the data folder (rotation and safety copies), newest first."""
    folder = paths.backups
    if not folder.is_dir():
        return []
    entries = [e for p in folder.iterdir() if p.is_file() and NAME_RE.match(p.name)
               for e in [_entry(p)] if e is not None and e.kind != KIND_EXTERNAL]
    reasons = _keep_reasons(entries)
    out = [BackupFile(e.path, e.taken_at, e.kind, e.size, reasons.get(e.path, ()), e.detail) for e in entries]
    out.sort(key=lambda e: (e.taken_at, e.path.name), reverse=True)
    return out


def prune(paths: DataPaths) -> list[Path]:
    """Delete the backups the rotation no longer keeps; return their paths."""
    removed = []
    safety_seen: dict[str, int] = defaultdict(int)
    for e in list_backups(paths):
        if e.kind in ROTATED:
            drop = not e.keep
        else:
            safety_seen[e.kind] += 1
            drop = safety_seen[e.kind] > KEEP_SAFETY
        if drop:
            try:
                e.path.unlink()
            except FileNotFoundError:
                continue
            _remove_db_files(e.path)   # a byte-for-byte safety copy may have its -wal beside it
            removed.append(e.path)
            log.info("backup rotation removed %s", e.path.name)
    return removed


def _old_enough(path: Path, min_age: float) -> bool:
    if min_age <= 0:
        return True
    try:
        return datetime.now().timestamp() - path.stat().st_mtime >= min_age
    except OSError:
        return False


def cleanup_stale_parts(folder: Path, min_age: float = 0) -> list[Path]:
    """Remove the ``.part`` files a killed backup left in ``folder`` (a USB stick's); with
    ``min_age`` only those not written to for that many seconds (another backup may be
    writing one)."""
    try:
        candidates = [p for p in Path(folder).iterdir() if p.name.startswith(PREFIX) and PART in p.name]
    except OSError:
        return []
    return _remove_leftovers([p for p in candidates if _old_enough(p, min_age)], "backup")


def cleanup_stale(paths: DataPaths, backups: bool = True, min_age: float = 0) -> list[Path]:
    """Remove what an interrupted backup (``backups``) or restore left behind; never a
    complete backup.  At start-up for ``backups`` (a running backup's file is a .part);
    with ``min_age`` (the command line, while a window may be making a backup) only the
    files not written to for that many seconds."""
    candidates = []
    if backups and paths.backups.is_dir():
        candidates += [p for p in paths.backups.iterdir() if PART in p.name and _old_enough(p, min_age)]
    if paths.root.is_dir():
        candidates += [p for p in paths.root.iterdir()
                       if (p.name.startswith(paths.database.name + RESTORING)
                           or p.name.startswith(f".{paths.database.name}-backup-")) and _old_enough(p, min_age)]
    return _remove_leftovers(candidates, "backup/restore")


def _remove_leftovers(candidates: list[Path], what: str) -> list[Path]:
    """Delete ``candidates`` (those gone or locked meanwhile are passed over) and log it."""
    removed = []
    for p in candidates:
        try:
            p.unlink()
            removed.append(p)
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            continue
    if removed:
        log.info("removed leftovers of an interrupted %s: %s", what, ", ".join(p.name for p in removed))
    return removed


def _external_state(paths: DataPaths) -> dict:
    try:
        return json.loads((paths.backups / EXTERNAL_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def last_backup_time(paths: DataPaths) -> datetime | None:
    """When the newest backup was made: rotation folder or a copy to another folder."""
    times = [e.taken_at for e in list_backups(paths) if e.kind in ROTATED]
    state = _external_state(paths)
    try:
        times.append(datetime.fromisoformat(state["at"]))
    except (KeyError, TypeError, ValueError):
        pass
    return max(times) if times else None


def last_external(paths: DataPaths) -> tuple[datetime, str] | None:
    state = _external_state(paths)
    try:
        return datetime.fromisoformat(state["at"]), str(state["path"])
    except (KeyError, TypeError, ValueError):
        return None


# ================================================================ making backups

def _store_is(paths: DataPaths) -> bool:
    """Is the application's database (``db.database.db``) open on this data folder's file?"""
    name = database.db.database   # (peewee connects on first use in any thread)
    try:
        return bool(name) and Path(name).resolve() == paths.database.resolve()
    except OSError:
        return False


def _audit_backup(paths: DataPaths, target: Path, kind: str, *, strict: bool) -> None:
    """Audit a backup (action ``backup``, where to).  ``strict`` (a copy leaving the data
    folder): when the row cannot be written the copy is removed again and the error
    raised, so no copy of the data leaves unaudited; otherwise the failure is logged."""
    from ..services import audit
    from ..services.values import path_text

    where = path_text(target)
    what = KIND_NAMES.get(kind, KIND_NAMES[KIND_EXTERNAL])
    try:
        if not _store_is(paths):
            database.open_database(paths.database, paths.pre_migration)
        with database.db.atomic():
            audit.record("backup", "database", "", f"{what}：{where}"[:200],
                         {"file": where, "kind": kind or "external"})
    except Exception as err:  # noqa: BLE001 - decided below
        if strict:
            _remove_db_files(target)
            log.warning("backup to %s removed: it could not be audited (%s)", where, err)
            if isinstance(err, BackupError):
                raise
            raise BackupError("not_audited", f"备份已写好但无法记入审计（{err}），为保护数据已删除这份备份 {where}。"
                                             "请稍后重试。") from err
        log.warning("backup %s could not be audited: %s", where, err)


def backup_now(paths: DataPaths, kind: str = KIND_MANUAL, *, full_check: bool | None = None,
               progress: Progress | None = None, check: Check | None = None,
               now: datetime | None = None, detail: str = "") -> BackupFile:
    """A backup into the rotation folder (then pruned), or a safety copy before a restore,
    an import or a lock (``detail``: the month locked, part of the name).

    Verified with ``integrity_check`` when ``full_check`` (default: automatic backups),
    else with ``quick_check`` (every page and record) so the clerk does not wait long."""
    if kind == KIND_MANUAL:   # the automatic and safety backups are the program's own
        access.check("backup")
    if kind not in (KIND_AUTO, KIND_MANUAL) + SAFETY_KINDS:
        raise ValueError(kind)
    if detail and not re.fullmatch(r"\d{4}-\d{2}", detail):
        raise ValueError(detail)
    full = (kind == KIND_AUTO) if full_check is None else full_check
    moment = (now or datetime.now()).replace(microsecond=0)
    folder = paths.backups
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _write_error(folder, err) from err
    target = _unique(folder / f"{PREFIX}-{_stamp(moment)}-{kind}{'-' + detail if detail else ''}{SUFFIX}")
    src = _live_source(paths)
    key, keyfile = _store_keys()
    try:
        _copy(src, target, full_check=full, progress=progress or _noop_progress, check=check or _noop_check,
              what="备份" if kind in ROTATED else "安全副本", key=key, keyfile=keyfile, source_file=paths.database)
    finally:
        src.close()
    log.info("backup written: %s (%s, %s)", target, kind, "integrity_check" if full else "quick_check")
    if kind in ROTATED:   # a safety copy is named in the audit row of its step (restore, import, lock)
        _audit_backup(paths, target, kind, strict=False)
    prune(paths)
    return next((e for e in list_backups(paths) if e.path == target), None) or _entry(target)  # type: ignore[return-value]


def _safety_copy(paths: DataPaths, progress: Progress, check: Check) -> BackupFile:
    """The current database as it is, before a restore replaces it.  A database SQLite can
    no longer read whole (the reason to restore) is copied byte for byte instead."""
    try:
        return backup_now(paths, KIND_SAFETY, full_check=False, check=check, progress=progress)
    except BackupError as err:
        if err.code not in ("copy_damaged", "write_failed"):
            raise
        first = err
    moment = datetime.now().replace(microsecond=0)
    target = _unique(paths.backups / f"{PREFIX}-{_stamp(moment)}-{KIND_SAFETY}{SUFFIX}")
    pairs = [(paths.database, target)]
    wal = paths.database.with_name(paths.database.name + "-wal")
    if wal.exists():
        pairs.append((wal, target.with_name(target.name + "-wal")))
    try:
        for src, dst in pairs:
            part = dst.with_name(dst.name + PART)
            shutil.copyfile(src, part)
            _fsync_file(part)
        for _src, dst in reversed(pairs):   # the -wal first: the copy never appears without it
            os.replace(dst.with_name(dst.name + PART), dst)
    except OSError as err:
        for _src, dst in pairs:
            _remove_db_files(dst.with_name(dst.name + PART))
        _remove_db_files(target)
        log.warning("safety copy failed: %s / %s", first.message, err)
        raise first from err
    log.warning("safety copy made byte for byte (%s): %s", first.message, target)
    entry = _entry(target)
    assert entry is not None
    return entry


def backup_to(paths: DataPaths, folder: Path, *, full_check: bool = False, progress: Progress | None = None,
              check: Check | None = None, now: datetime | None = None) -> BackupFile:
    """A backup into a folder of the clerk's choice (a USB stick): ``关爱中心备份-YYYYMMDD-HHMMSS.db``."""
    access.check("backup")
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError("no_folder", f"找不到文件夹 {folder}，请确认 U 盘已插好，或另选一个文件夹。")
    moment = (now or datetime.now()).replace(microsecond=0)
    target = _unique(folder / f"{PREFIX}-{_stamp(moment)}{SUFFIX}")
    src = _live_source(paths)
    key, keyfile = _store_keys()
    try:
        _copy(src, target, full_check=full_check, progress=progress or _noop_progress,
              check=check or _noop_check, key=key, keyfile=keyfile, source_file=paths.database)
    finally:
        src.close()
    log.info("backup written to %s", target)
    _audit_backup(paths, target, KIND_EXTERNAL, strict=True)
    try:
        paths.backups.mkdir(parents=True, exist_ok=True)
        (paths.backups / EXTERNAL_STATE).write_text(
            json.dumps({"at": moment.isoformat(), "path": path_text(target)}, ensure_ascii=False), encoding="utf-8")
    except OSError:
        log.warning("could not record the backup to %s", target, exc_info=True)
    entry = _entry(target)
    assert entry is not None
    return entry


def safety_backup(paths: DataPaths, kind: str, detail: str = "", *, progress: Progress | None = None,
                  check: Check | None = None) -> BackupFile | None:
    """The safety copy before an import (``KIND_BEFORE_IMPORT``) or an allowance-month
    lock (``KIND_BEFORE_LOCK``, ``detail`` = "YYYY-MM"), checked with ``quick_check``.
    None when there is no database yet.  A copy that cannot be made raises BackupError
    with a message saying the step was not done."""
    if kind not in SAFETY_KINDS:
        raise ValueError(kind)
    if not paths.database.exists():
        return None
    step = {KIND_BEFORE_IMPORT: "导入", KIND_BEFORE_LOCK: "锁定"}.get(kind, "恢复")
    try:
        return backup_now(paths, kind, full_check=False, progress=progress, check=check, detail=detail)
    except BackupError as err:
        raise BackupError(err.code, f"{step}前的安全备份没有做成，为保护数据本次没有{step}：{err.message}") from err


# ---------------------------------------------------------------- plaintext copies (the upgrade)

def plaintext_copies(paths: DataPaths) -> list[Path]:
    """The unencrypted database copies in the data folder (backups and the copies made
    before a migration or the encryption): after the encryption they are the plaintext
    left behind, listed for the clerk to encrypt or delete."""
    return backup_keys.plaintext_files([paths.backups, paths.pre_migration])


def encrypt_copies(files: Iterable[Path]) -> list[Path]:
    """Encrypt each plaintext copy in place with the store's key, with the key trailer
    (self-contained encrypted backups); audited."""
    from ..services import audit

    access.check("backup")
    sk = storekey.current()
    if sk is None:
        raise BackupError("not_encrypted", "数据库尚未加密，不能加密副本。请先加密数据库。")
    keyfile = keys.KeyFile.load(sk.keyfile.path)
    done = []
    for f in files:
        backup_keys.encrypt_copy(Path(f), keyfile, sk.key)
        done.append(Path(f))
    if done:
        audit.record("backup", "database", "", f"加密了 {len(done)} 份未加密的数据库副本",
                     {"files": [path_text(f) for f in done]})
    return done


def shred_copies(files: Iterable[Path]) -> list[Path]:
    """Overwrite and delete each plaintext copy; audited."""
    from ..services import audit

    access.check("backup")
    done = []
    for f in files:
        backup_keys.shred(Path(f))
        done.append(Path(f))
    if done:
        audit.record("backup", "database", "", f"安全删除了 {len(done)} 份未加密的数据库副本",
                     {"files": [path_text(f) for f in done]})
    return done


def open_store_paths() -> DataPaths | None:
    """The data folder of the database the application has open (None when none is, or
    when it is not a data folder's ``carecenter.db``)."""
    from ..paths import DB_FILENAME

    name = database.db.database
    if not name or Path(name).name != DB_FILENAME:
        return None
    return DataPaths(Path(name).resolve().parent)


def backup_due(paths: DataPaths, today: date | None = None) -> bool:
    today = today or date.today()
    return paths.database.exists() and not any(
        e.kind in ROTATED and e.taken_at.date() >= today for e in list_backups(paths))


def auto_backup_if_due(paths: DataPaths, today: date | None = None, *, progress: Progress | None = None,
                       check: Check | None = None) -> BackupFile | None:
    """The daily automatic backup: made when the rotation folder has none from today."""
    cleanup_stale(paths)
    real_today = date.today()
    today = today or real_today
    if not backup_due(paths, today):
        return None
    now = datetime.now() if today == real_today else datetime.combine(today, datetime.now().time())
    return backup_now(paths, KIND_AUTO, progress=progress, check=check, now=now)


# ================================================================ restore

def _refuse_not_ours(path: Path) -> BackupError:
    return BackupError("not_ours", f"文件 {path.name} 不是关心关爱中心的备份，不能用它恢复，数据没有任何改动。"
                                   f"请选择本程序生成的备份文件（文件名以“{PREFIX}”开头）。")


def _refuse_damaged(path: Path) -> BackupError:
    return BackupError("damaged", f"备份文件 {path.name} 已损坏（完整性检查未通过），不能用它恢复，"
                                  "数据没有任何改动。请换一个备份文件。")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _backup_key(file: Path, keyfile: keys.KeyFile, secret: Secret | None) -> bytes:
    """The data key of an encrypted backup: the live store's when they share it, else the
    one the given password or recovery key unwraps."""
    sk = storekey.current()
    if sk is not None and hmac.compare_digest(keyfile.check, sk.keyfile.check):
        return sk.key
    if not secret:
        raise BackupKeyNeeded(file)
    if secret[0] == "recovery":
        return keyfile.unlock_with_recovery(secret[1])
    try:
        return keyfile.unlock(secret[1], secret[2])
    except keys.AccountKeyMissing:
        raise keys.WrongPassword(secret[1]) from None   # the same sentence as a wrong password


@contextlib.contextmanager
def _readable(paths: DataPaths, file: Path, secret: Secret | None, check: Check, key: bytes | None = None):
    """(a database file SQLite can read, its key, the key file it carries) for a backup:
    a plaintext file as it is; an encrypted one's database part copied out beside the live
    database (removed afterwards); an encrypted file without a trailer (a byte-for-byte
    safety copy of this database) with the live key.  ``key``: the backup's key, already
    known from ``inspect_backup`` (nothing is unwrapped again)."""
    try:
        trailer = backup_keys.read(file)
    except keys.KeyFileCorrupted:
        raise _refuse_damaged(file) from None
    if trailer is None:
        sk = storekey.current()
        if not cipher.is_plaintext(file) and (key is not None or sk is not None):
            yield file, key or sk.key, None
        else:
            yield file, None, None
        return
    keyfile, length = trailer
    key = key or _backup_key(file, keyfile, secret)
    out = paths.database.with_name(f".{paths.database.name}-backup-{os.getpid()}-{id(file)}")
    try:
        backup_keys.extract(file, out, length, check)
        yield out, key, keyfile
    finally:
        _remove_db_files(out)


def inspect_backup(paths: DataPaths, file: Path, *, progress: Progress | None = None,
                   check: Check | None = None, secret: Secret | None = None) -> BackupInfo:
    """Check a file before restoring from it (ours, not newer, integrity_check ok); the file
    itself is only read.  An encrypted backup of another database needs ``secret``
    (BackupKeyNeeded says so)."""
    file = Path(file)
    say = progress or _noop_progress
    stop = check or _noop_check
    if not file.is_file():
        raise BackupError("not_found", f"找不到文件 {file}，请重新选择备份文件。")
    if _same_file(file, paths.database):
        raise BackupError("same_file", "这是正在使用的数据库文件本身，不能用它恢复。请选择一个备份文件。")
    if file.stat().st_size == 0:
        raise _refuse_not_ours(file)
    say(-1, "正在识别备份文件…")
    with _readable(paths, file, secret, stop) as (readable, key, keyfile):
        try:
            version, has_tables = database.check_ours(readable, key)
        except (database.NotOurDatabase, cipher.DatabaseKeyMismatch):
            raise _refuse_not_ours(file) from None
        except database.DatabaseDamaged:
            raise _refuse_damaged(file) from None
        except database.DatabaseTooNew as err:
            raise BackupError("too_new", f"备份文件 {file.name} 由更新版本的程序创建（结构版本 {err.found}，"
                                         f"本程序只认识到 {err.known}），不能用它恢复，数据没有任何改动。"
                                         "请先安装新版本的程序。") from None
        if not has_tables:
            raise _refuse_not_ours(file)
        say(-1, f"正在检查备份文件的完整性（{size_text(file.stat().st_size)}）…")
        try:
            con = engine.connect(_read_only_uri(readable), key, uri=True)
        except engine.DatabaseError:
            raise _refuse_damaged(file) from None
        try:
            if not verify(con, True, stop):
                raise _refuse_damaged(file)
            try:
                cadres = con.execute("SELECT count(*) FROM cadre WHERE archived = 0").fetchone()[0]
            except engine.DatabaseError:
                raise _refuse_not_ours(file) from None
            try:
                last = con.execute("SELECT max(at) FROM audit_log").fetchone()[0]
            except engine.DatabaseError:   # an early version without the audit trail
                last = None
        finally:
            con.close()
    last_change = None
    if last:
        try:
            last_change = datetime.fromisoformat(str(last)).replace(microsecond=0)
        except ValueError:
            last_change = None
    entry = _entry(file)
    return BackupInfo(file, entry.taken_at if entry else datetime.now(), entry.size if entry else 0,
                      version, database.known_version(), cadres, last_change, key, keyfile)


def _restore_temp(paths: DataPaths) -> Path:
    return paths.database.with_name(paths.database.name + RESTORING)


def prepare_restore(paths: DataPaths, file: Path, *, progress: Progress | None = None,
                    check: Check | None = None, info: BackupInfo | None = None,
                    secret: Secret | None = None) -> PreparedRestore:
    """Everything that can take a while, with the live database untouched: validate the
    file, keep a safety copy of the current database, write the replacement beside it.

    Encryption: the replacement keeps the backup's data key and its key file goes in with
    it (the accounts' passwords of the backup's time open it; a backup of this same
    database keeps today's recovery key).  A plaintext backup restored into an encrypted
    store is encrypted with the live key first: nothing plaintext goes back in."""
    access.check("backup")
    say = progress or _noop_progress
    stop = check or _noop_check
    cleanup_stale(paths, backups=False)
    if info is None or Path(info.path) != Path(file):
        info = inspect_backup(paths, file, progress=say, check=stop, secret=secret)
    stop()
    safety = None
    if paths.database.exists():
        say(40, "正在保存当前数据库的安全副本…")
        safety = _safety_copy(paths, check=stop,
                              progress=lambda p, t: say(40 + p * 3 // 10, t or "正在保存当前数据库的安全副本…"))
    stop()
    temp = _restore_temp(paths)
    with _readable(paths, Path(file), None, stop, key=info.key) as (readable, key, _kf):
        src = engine.connect(_read_only_uri(readable), key, uri=True)
        try:
            _copy(src, temp, full_check=False, check=stop, span=(70, 95), what="恢复用", key=key,
                  progress=lambda p, t: say(p, t or "正在准备恢复…"))
        finally:
            src.close()
    say(95, "正在核对备份文件的结构…")
    try:
        applied = _migrate_and_check(temp, Path(file), info.key)
        key, keyfile = info.key, _restored_keyfile(info)
        sk = storekey.current()
        if key is None and sk is not None:
            say(97, "正在加密恢复用的数据库…")
            cipher.encrypt_file(temp, sk.key)
            key, keyfile = sk.key, None
    except BaseException:
        _remove_db_files(temp)
        raise
    return PreparedRestore(info, safety, temp, applied, key, keyfile)


def _restored_keyfile(info: BackupInfo) -> "keys.KeyFile | None":
    """The key file that goes in with the restored database: the backup's (its accounts'
    copies match its password hashes), keeping today's recovery key when it is the same
    database.  None: the live key file stays (a byte-for-byte copy, or plaintext)."""
    kf = info.keyfile
    if kf is None:
        return None
    sk = storekey.current()
    if sk is not None and hmac.compare_digest(kf.check, sk.keyfile.check):
        live = keys.KeyFile.load(sk.keyfile.path)
        recovery = [e for e in live.entries if e.purpose == keys.PURPOSE_RECOVERY]
        kf = keys.KeyFile(sk.keyfile.path, kf.check,
                          [e for e in kf.entries if e.purpose != keys.PURPOSE_RECOVERY] + recovery, kf.created)
    return kf


def _migrate_and_check(temp: Path, file: Path, key: bytes | None = None) -> list[str]:
    """Bring the copy to this version and compare its schema with the one this version
    creates: a file carrying tables, triggers or views the application does not have
    (e.g. a trigger that deletes new audit rows) is refused before the live file is touched."""
    try:
        applied = database.migrate_file(temp, key)
    except Exception as err:
        log.warning("restore candidate %s could not be migrated: %s", file, err)
        raise BackupError("schema", f"备份文件 {file.name} 的结构不完整或与本程序不符（升级时出错），不能用它恢复，"
                                    "数据没有任何改动。请换一份备份。") from None
    odd = database.unexpected_schema(temp, key)
    if odd:
        shown = "、".join(odd[:5]) + ("等" if len(odd) > 5 else "")
        raise BackupError("schema", f"备份文件 {file.name} 含有本程序不认识的数据库结构（{shown}），可能被改动过，"
                                    "不能用它恢复，数据没有任何改动。请换一份备份，或联系技术人员。")
    return applied


def _carry_audit(live: Path, temp: Path, live_key: bytes | None = None, key: bytes | None = None) -> int:
    """Audit rows written to the live database after the backup was taken go into the
    restored file, so a restore never loses audit rows.  When the backup's chain is a
    prefix of the live one (an older copy of the same database) the rows keep their ids
    and hashes; otherwise (a copy from elsewhere) they are appended after a marker row
    and chained anew.  Returns the number of rows carried."""
    from ..security import auditchain
    from ..services import audit

    if not live.exists():
        return 0
    try:
        src = engine.connect(_read_only_uri(live), live_key, uri=True)
    except engine.DatabaseError:
        return 0
    dst = engine.connect(temp, key)
    try:
        try:
            live_rows_exist = src.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        except engine.DatabaseError:
            return 0
        if not live_rows_exist:
            return 0
        last_id = dst.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
        same_history = last_id == 0 or auditchain.hash_of(src, last_id) == auditchain.hash_of(dst, last_id)
        with dst:
            if same_history:
                rows = auditchain.rows_after(src, last_id)
                auditchain.copy_verbatim(dst, rows)
                return len(rows)
            rows = auditchain.rows_after(src, 0)
            at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            head = rows[-1][10] if rows else ""
            marker = (at, audit.current_user(), "restore", "database", "", "",
                      f"恢复时并入被替换数据库的 {len(rows)} 条审计记录（原链尾 {head[:16]}…）", "{}")
            auditchain.append(dst, [marker] + [tuple(r[1:9]) for r in rows])
            return len(rows)
    finally:
        dst.close()
        src.close()


def _audit_restore(temp: Path, prepared: "PreparedRestore", carried: int) -> None:
    """The restore's own audit row, the newest row of the restored database."""
    from ..security import auditchain
    from ..services import audit

    info = prepared.info
    changes = {"file": auditchain.printable(os.fsdecode(info.path)), "taken_at": info.taken_at.isoformat(),
               "safety_copy": auditchain.printable(os.fsdecode(prepared.safety.path)) if prepared.safety else "",
               "migrations": prepared.migrations, "audit_rows_carried": carried,
               "encrypted": prepared.key is not None}
    dst = engine.connect(temp, prepared.key)
    try:
        with dst:
            auditchain.append(dst, [(datetime.now().strftime("%Y-%m-%d %H:%M:%S"), audit.current_user(), "restore",
                                     "database", "", "",
                                     f"从备份恢复数据库：{info.path.name}（备份时间 {info.taken_at:%Y-%m-%d %H:%M}）",
                                     json.dumps(changes, ensure_ascii=False))])
    finally:
        dst.close()


def discard(prepared: PreparedRestore) -> None:
    """Drop a prepared restore that will not be committed (the safety copy stays)."""
    _remove_db_files(prepared.temp)
    _remove_db_files(prepared.temp.with_name(prepared.temp.name + PART))


def _detach_live(path: Path, key: bytes | None = None) -> None:
    """Fold the WAL into the database file and leave it in rollback-journal mode with no
    -wal/-shm beside it; refused while any other connection has the file open."""
    if not path.exists():
        return
    con = engine.connect(path, key, timeout=3)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except engine.OperationalError as err:
        mode = "locked" if "locked" in str(err) or "busy" in str(err) else "broken"
    except engine.DatabaseError:   # the current file is no database any more
        mode = "broken"
    finally:
        con.close()
    if mode == "broken":
        # nothing of it can be checkpointed; its -wal/-shm (kept in the safety copy) must not
        # be paired with the restored file
        for side in _side_files(path)[1:]:
            try:
                side.unlink()
            except FileNotFoundError:
                pass
        return
    if mode.lower() != "delete" or any(p.exists() for p in _side_files(path)):
        raise BackupError("in_use", "数据库正被其他程序或窗口使用，暂时不能恢复，数据没有任何改动。"
                                    "请关闭其他打开这份数据的关心关爱中心程序后重试。")


def commit_restore(paths: DataPaths, prepared: PreparedRestore) -> RestoreResult:
    """Swap the prepared file in and reopen.  The caller makes sure no other thread of this
    process has the database open (this thread's connection is closed here)."""
    if _reopen is None:
        raise RuntimeError("backup.reopen_with was not called: open the store with app.open_store first")
    if not prepared.temp.exists():
        raise BackupError("not_prepared", "恢复用的临时文件不见了，数据没有任何改动。请重新选择备份文件恢复。")
    live_key = database.db.key
    database.close_database()
    try:
        _detach_live(paths.database, live_key)
    except BackupError:
        discard(prepared)
        raise
    try:
        carried = _carry_audit(paths.database, prepared.temp, live_key, prepared.key)
        _audit_restore(prepared.temp, prepared, carried)
        _fsync_file(prepared.temp)
    except (engine.DatabaseError, OSError) as err:
        discard(prepared)
        raise BackupError("audit_carry", f"无法把审计日志并入恢复的数据库（{err}），数据没有任何改动。") from err
    keyfile_path = storekey.key_file_for(paths.database)
    if prepared.keyfile is not None:
        # the key file goes in with the database: first written beside it, named after the
        # restored file's salt, so a crash between the two renames is finished at the next
        # start (``finish_key_swap``) and never pairs a database with the wrong key file
        _write_restoring_keys(keyfile_path, prepared.keyfile, prepared.temp)
    try:
        os.replace(prepared.temp, paths.database)  # the one atomic step: old before, restored after
    except OSError as err:
        discard(prepared)
        _remove_quietly(keyfile_path.with_name(keyfile_path.name + RESTORING_KEYS))
        raise BackupError("in_use", f"无法替换数据库文件（{err}），数据没有任何改动。"
                                    "请关闭其他打开这份数据的程序后重试。") from err
    _fsync_dir(paths.database.parent)
    if prepared.key is not None:
        finish_key_swap(paths.database)
        storekey.use(paths.database, keys.KeyFile.load(keyfile_path), prepared.key)
    log.info("database restored from %s (safety copy %s)", prepared.info.path,
             prepared.safety.path if prepared.safety else "-")
    applied = _reopen(paths)   # exactly as at start-up (handed in by app.open_store)
    return RestoreResult(prepared.info, prepared.safety, prepared.migrations + applied)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _write_restoring_keys(keyfile_path: Path, keyfile: "keys.KeyFile", database_file: Path) -> None:
    with open(database_file, "rb") as fh:
        salt = fh.read(16)
    data = {"salt": salt.hex(), "keyfile": keyfile.to_json()}
    keys.write_private(keyfile_path.with_name(keyfile_path.name + RESTORING_KEYS),
                       json.dumps(data, ensure_ascii=False).encode("utf-8"))


def finish_key_swap(database_path: Path) -> bool:
    """The key file written beside a restored database goes into place when the database
    is the restored one (its salt matches), and is dropped otherwise (the restore did not
    reach its swap).  Run after every restore and before every start.  True when swapped."""
    keyfile_path = storekey.key_file_for(database_path)
    waiting = keyfile_path.with_name(keyfile_path.name + RESTORING_KEYS)
    if not waiting.exists():
        return False
    try:
        data = json.loads(waiting.read_text(encoding="utf-8"))
        with open(database_path, "rb") as fh:
            salt = fh.read(16)
        if salt.hex() == data["salt"]:
            keys.write_private(keyfile_path, (json.dumps(data["keyfile"], ensure_ascii=False, indent=1) + "\n")
                               .encode("utf-8"))
            waiting.unlink()
            log.info("restored key file put in place for %s", database_path)
            return True
    except (OSError, ValueError, KeyError) as err:
        log.warning("could not finish the key file of a restore: %s", err)
        return False
    waiting.unlink()
    return False


def restore(paths: DataPaths, file: Path, *, progress: Progress | None = None,
            check: Check | None = None, secret: Secret | None = None,
            info: BackupInfo | None = None) -> RestoreResult:
    """Validate ``file``, keep a safety copy, replace the database atomically, migrate if older."""
    prepared = prepare_restore(paths, file, progress=progress, check=check, secret=secret, info=info)
    try:
        (check or _noop_check)()
    except BaseException:
        discard(prepared)
        raise
    return commit_restore(paths, prepared)


@contextlib.contextmanager
def opened_copy(file: Path, open_store: Callable[[DataPaths], object]):
    """A throw-away copy of the backup ``file`` opened as the store (with the composition
    root's ``open_store``, which signs the command line's account in): to check an account
    against a backup's own accounts when the live database cannot be read.  An encrypted
    backup's key file goes beside the copy, so the account's password opens it."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = DataPaths(Path(tmp))
        trailer = backup_keys.read(file)
        if trailer is None:
            shutil.copy2(file, copy.database)
        else:
            backup_keys.extract(file, copy.database, trailer[1])
            keys.write_private(copy.key_file, trailer[0].to_bytes())
        try:
            open_store(copy)
            yield copy
        finally:
            database.close_database()
            storekey.forget()      # the copy's key is not the live store's
