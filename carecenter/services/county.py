"""The county edition (issue 15): receive the townships' packages and add them up.

A county database is an ordinary database of this program marked as the county edition
(``county init``); it holds the county's X25519 key pair, the townships it knows (by their
12-digit 统计用区划代码, with the signing key it trusts for each) and, per received package,
a dated snapshot of the township's data.

Receiving (``receive``): the checks run in the order that lets each refusal say exactly what
is wrong, and nothing is written before all of them passed:

1. the file: its size, the container header (magic, version), that it was sealed to this
   county's key (else: the two fingerprints), the decryption (a flipped or missing byte
   fails the GCM tag), the inner zip's directory against the size and ratio limits;
2. the signature over the manifest, and that the signed manifest names this county;
3. the township: its code belongs to this county; its key is the one registered for the
   code (a first package needs the fingerprint confirmed: ``trust``; a changed key is
   refused with both fingerprints until the new one is confirmed the same way);
4. replay: the same package again changes nothing; an older one than the township's
   current package for the period is refused;
5. every part against its SHA-256 in the manifest and every row against the checks of
   ``domain.exchange_rows`` plus the cross-part ones (every figure row has its cadre, every
   cadre its unit, every record lies in the period).

Then one transaction stores the snapshot, marks the package it replaces as superseded
(kept, dated), refreshes the consolidated roster and writes the audit row.  A refusal of a
received file is audited too.  The county sums what the townships computed by their own
rules; it never re-derives an entitlement.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ..db import database
from ..db.database import db
from ..db.models import CountyPackage, CountyTownship, Setting, now
from ..domain import exchange_rows as xr
from ..domain import pinyin
from ..domain.errors import DomainError
from ..durable import replace_with
from ..security import exchange_crypto as xc
from ..security.access import exempt, requires
from . import audit, exchange_setup, figures
from .exchange_setup import is_county_database  # noqa: F401 - part of this module's interface
from .figures import FundFigure, TownshipFigures  # noqa: F401 - part of this module's interface
from .values import path_text, read_chosen, stepper

PUBLIC_KEY_FILE = "county.pub"
DEADLINE_KEY = "county.deadline_days"
#: a period's packages are due this many days after the year's end (a setting)
DEFAULT_DEADLINE_DAYS = 31
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


@exempt("the clock the 报送情况 reads (tests replace it)")
def clock() -> datetime:
    return datetime.now().replace(microsecond=0)


# ---------------------------------------------------------------- plain values

@dataclass(frozen=True)
class CountySummary:
    period: int
    townships: tuple[TownshipFigures, ...]
    total: TownshipFigures     # code "" and name "合计"


@dataclass(frozen=True)
class SubmissionRow:
    code: str
    name: str
    period: int | None
    as_of: date | None
    received_at: datetime | None
    package_id: str | None
    fingerprint: str           # the package's fingerprint ('' when none was received)
    cadres: int
    rows: int
    late: bool
    late_text: str


@dataclass(frozen=True)
class Snapshot:
    package_id: str
    period: int
    as_of: date
    created_at: datetime       # when the township made it
    received_at: datetime
    received_by: str
    township_name: str         # as the package names the township
    current: bool
    superseded_by: str
    superseded_at: datetime | None
    package_fingerprint: str
    signer_fingerprint: str
    cadres: int
    rows: int
    file_name: str


@dataclass(frozen=True)
class ServiceRow:
    """A cadre's service in one township, as that township's latest package has it."""

    code: str
    township: str
    unit: str
    post: str
    employment_status: str
    start: date | None         # 到乡镇工作时间
    end: date | None           # 调离乡镇 or 离退休 date
    work_start_date: date | None
    current_post_date: date | None
    period: int
    as_of: date


@dataclass(frozen=True)
class ReceiveResult:
    status: str                # received / replaced / duplicate
    message: str
    package_id: str
    code: str
    name: str
    period: int
    as_of: date
    rows: int
    cadres: int
    package_fingerprint: str
    replaced_package_id: str = ""
    renamed_from: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountyInfo:
    name: str
    code: str
    fingerprint: str


# ---------------------------------------------------------------- refusals

class ReceiveRefused(DomainError):
    def __init__(self, code: str, message: str, **params):
        super().__init__(code, message, "file", **params)


class NotCountyDatabase(DomainError):
    def __init__(self):
        super().__init__("not_county", "这是乡镇的数据库：接收报送和县级汇总只在县级版中使用"
                                       "（用 python main.py county init 建立县级数据库）", None)


class UnknownTownshipKey(ReceiveRefused):
    """The first package of a township: its fingerprint must be confirmed (GUI: a dialog;
    command line: ``--trust FINGERPRINT``), then ``receive`` is called again with it."""

    def __init__(self, file: str, code: str, name: str, fingerprint: str):
        super().__init__("unknown_key", f"「{file}」是「{name}」（区划代码 {code}）的第一份报送包，签名密钥指纹为 "
                                        f"{fingerprint}。请打电话与该乡镇核对这 8 组字符（乡镇在「交换设置」中可以看到"
                                        "本乡镇的指纹），一致后再确认接收（命令行加 --trust 指纹）",
                         fingerprint=fingerprint)
        self.fingerprint, self.code, self.name = fingerprint, code, name


class ChangedTownshipKey(ReceiveRefused):
    def __init__(self, file: str, code: str, name: str, old: str, new: str):
        super().__init__("changed_key", f"「{file}」的签名密钥与「{name}」（区划代码 {code}）登记的不同：登记的指纹为 "
                                        f"{old}，这份报送包的指纹为 {new}。可能是乡镇换了电脑或重装了程序，也可能是他人"
                                        "冒充。请打电话与该乡镇核对新指纹，确认无误后再接收（命令行加 --trust 新指纹）",
                         fingerprint=new, old_fingerprint=old)
        self.fingerprint, self.old_fingerprint, self.code, self.name = new, old, code, name


class FingerprintMismatch(ReceiveRefused):
    def __init__(self, file: str, typed: str, actual: str):
        super().__init__("fingerprint_mismatch", f"确认的指纹 {typed} 与「{file}」的签名密钥指纹 {actual} 不一致，"
                                                 "没有接收。请再与乡镇核对", fingerprint=actual)
        self.fingerprint = actual


class OtherCountyTownship(ReceiveRefused):
    def __init__(self, file: str, name: str, code: str, county: exchange_setup.Identity):
        super().__init__("other_county", f"「{file}」来自「{name}」（区划代码 {code}），不属于{county.name}"
                                         f"（区划代码 {county.code}）。请与该乡镇核实是否导入了错误的县级公钥")


class OlderPackage(ReceiveRefused):
    def __init__(self, file: str, name: str, period: int, made: datetime, current: datetime):
        super().__init__("older", f"「{file}」是「{name}」{period}年度较早的报送包（{made:%Y-%m-%d %H:%M} 生成），"
                                  f"本县已采用 {current:%Y-%m-%d %H:%M} 生成的更新的一份，未作改动。"
                                  "如需以它为准，请乡镇重新生成报送包")


class PackageConflict(ReceiveRefused):
    def __init__(self, file: str, package_id: str):
        super().__init__("conflict", f"「{file}」的编号 {package_id} 已被另一份内容不同的报送包使用，没有接收。请与乡镇核实")


def _county_only() -> None:
    if not is_county_database():
        raise NotCountyDatabase()


# ---------------------------------------------------------------- set-up and keys

@requires("settings.edit")
def init_county(name: str, code: str) -> CountyInfo:
    """Mark this new database as the county edition, with the county's name and 12-digit
    code and a new X25519 key pair (one transaction, audited).  Refused for a database that
    already holds township data or is a county database already."""
    errors = exchange_setup.identity_problems(name, code, county=True)
    if errors:
        raise errors[0] if len(errors) == 1 else DomainError(errors[0].code, "；".join(e.message for e in errors),
                                                             errors[0].field)
    if is_county_database():
        raise DomainError("already_county", "这已经是县级数据库，无需再初始化", None)
    if db.execute_sql("SELECT 1 FROM cadre LIMIT 1").fetchone() is not None:
        raise DomainError("has_data", "这个数据库里已有乡镇的干部数据，不能改作县级数据库。请用一个新的空数据目录", None)
    with db.atomic():
        Setting.replace(key=exchange_setup.EDITION_KEY, value=exchange_setup.EDITION_COUNTY).execute()
        exchange_setup.save_identity(name, code)
        key = exchange_setup.make_box_key()
        audit.record("county_init", "setting", exchange_setup.EDITION_KEY,
                     f"初始化县级版：{name.strip()}（{code.strip()}），公钥指纹 {key.fingerprint}")
    return county_info()


@requires()
def county_info() -> CountyInfo:
    """The county's name, code and public-key fingerprint (read out to the townships)."""
    _county_only()
    own = exchange_setup.identity()
    key = exchange_setup.box_key()
    return CountyInfo(own.name, own.code, key.fingerprint if key is not None else "")


@requires()
def county_public_key_path() -> Path:
    """Where ``county init`` wrote ``county.pub``: beside the database."""
    return Path(db.database).parent / PUBLIC_KEY_FILE


@requires()
def export_public_key(out: Path | None = None) -> Path:
    """Write the county's public key file (``county.pub``, for the townships' 交换设置) to
    ``out`` (default: beside the database); returns where."""
    _county_only()
    own = exchange_setup.identity()
    key = exchange_setup.box_key()
    out = Path(out) if out is not None else county_public_key_path()
    data = xc.county_key_file(xc.CountyKey(own.name, own.code, xc.unb64(key.public_key, xc.KEY_BYTES),
                                           key.created_at.isoformat()))
    replace_with(out, data, prefix=f".{out.name}.", suffix=".part")
    return out


@requires()
def deadline_days() -> int:
    row = Setting.get_or_none(Setting.key == DEADLINE_KEY)
    try:
        return int(row.value) if row is not None else DEFAULT_DEADLINE_DAYS
    except ValueError:
        return DEFAULT_DEADLINE_DAYS


@requires("settings.edit")
def set_deadline_days(days: int) -> None:
    """Packages for a year are due ``days`` after 31 December (报送情况's 逾期)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 366:
        raise DomainError("deadline", "报送期限应为年度结束后 0–366 天", "deadline")
    with db.atomic():
        old = deadline_days()
        Setting.replace(key=DEADLINE_KEY, value=str(days)).execute()
        audit.record("settings", "setting", DEADLINE_KEY, f"报送期限：年度结束后 {days} 天", {"deadline": [old, days]})


@requires("county.receive")
def add_township(code: str, name: str) -> None:
    """Register a township expected to report (报送情况 lists it as not yet reported); its
    signing key is confirmed with its first package."""
    _county_only()
    errors = exchange_setup.identity_problems(name, code)
    own = exchange_setup.identity()
    if not errors and code.strip()[:6] != own.county_code:
        errors = [DomainError("other_county", f"区划代码 {code} 不属于{own.name}（{own.code}）", "code")]
    if errors:
        raise errors[0]
    code, name = code.strip(), name.strip()
    with db.atomic():
        row = CountyTownship.get_or_none(CountyTownship.code == code)
        if row is None:
            row = CountyTownship.create(code=code, name=name)
            audit.record("create", "county_township", row.uuid, f"登记乡镇：{name}（{code}）")
        elif row.name != name:
            CountyTownship.update(name=name, updated_at=now()).where(CountyTownship.id == row.id).execute()
            audit.record("update", "county_township", row.uuid, f"乡镇更名：{row.name} → {name}（{code}）",
                         {"township_name": [row.name, name]})


# ---------------------------------------------------------------- receive

_MANIFEST_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


@dataclass(frozen=True)
class _Incoming:
    package_id: str
    created_at: datetime
    code: str
    name: str
    period: int
    start: date
    through: date
    schema_version: int
    app_version: str
    counts: dict


def _incoming(opened: xc.Opened) -> _Incoming:
    m = opened.manifest
    try:
        inc = _Incoming(str(m["package_id"]), datetime.fromisoformat(m["created_at"]), str(m["township"]["code"]),
                        str(m["township"]["name"]).strip(), int(m["period"]), date.fromisoformat(m["start"]),
                        date.fromisoformat(m["through"]), int(m["schema_version"]), str(m["app"]["version"]),
                        dict(m["counts"]))
        if not _HEX32.match(inc.package_id) or not (inc.code.isascii() and inc.code.isdigit() and len(inc.code) == 12) \
                or not inc.name or inc.start != date(inc.period, 1, 1) or not inc.start <= inc.through <= \
                date(inc.period, 12, 31) or len(inc.name) > 100 or len(inc.app_version) > 20 \
                or inc.created_at.tzinfo is not None:
            raise ValueError("manifest values")
    except _MANIFEST_ERRORS:
        raise xc.PackageDamaged(opened.name, "：清单内容不完整") from None
    return inc


def _check_county(file: str, inc: _Incoming) -> None:
    own = exchange_setup.identity()
    if inc.code[:6] != own.county_code:
        raise OtherCountyTownship(file, inc.name, inc.code, own)


def _check_township(file: str, inc: _Incoming, signer: str, trust: str | None) -> CountyTownship | None:
    row = CountyTownship.get_or_none(CountyTownship.code == inc.code)
    known = row.fingerprint if row is not None else ""
    if known == signer:
        return row
    if trust is None:
        if not known:
            raise UnknownTownshipKey(file, inc.code, inc.name, signer)
        raise ChangedTownshipKey(file, inc.code, row.name, known, signer)
    typed = xc.normalize_fingerprint(trust)
    if typed != signer:
        raise FingerprintMismatch(file, typed, signer)
    return row


def _duplicate(file: str, inc: _Incoming, opened: xc.Opened) -> CountyPackage | None:
    old = CountyPackage.get_or_none(CountyPackage.package_id == inc.package_id)
    if old is not None and old.manifest_sha256 != _sha(opened.manifest_bytes):
        raise PackageConflict(file, inc.package_id)
    return old


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _current(township_id: int | None, period: int) -> CountyPackage | None:
    if township_id is None:
        return None
    return CountyPackage.get_or_none((CountyPackage.township == township_id) & (CountyPackage.period == period)
                                     & (CountyPackage.current == True))  # noqa: E712


def _read_parts(opened: xc.Opened, inc: _Incoming, step) -> dict[str, list[tuple]]:
    """Every part, hash-checked, every row checked; InvalidRows names the problems."""
    problems: list[xr.RowProblem] = []
    ids = xr.IdChecker()
    parts: dict[str, list[tuple]] = {}
    for i, name in enumerate(xr.PARTS):
        step(20 + 40 * i // len(xr.PARTS), f"核对{xr.PART_NAMES[name]}…")
        entry = opened.part_entry(name)
        if entry["rows"] > opened.limits.max_rows:
            raise xc.PackageLimit(opened.name, f"的{xr.PART_NAMES[name]}有 {entry['rows']:,} 行")
        if inc.counts.get(name) != entry["rows"]:
            raise xc.PartMismatch(opened.name, f"{name} 的行数与清单的统计不一致")
        parts[name] = xr.check_part(name, entry["fields"], opened.rows(name), ids, problems)
    problems += _cross_problems(parts, inc)
    if problems:
        raise xr.InvalidRows(problems, len(problems), f"「{opened.name}」")
    return parts


#: (part, index of the date field) of records that must lie in the period
_DATED = (("leave", 2), ("checks", 1), ("welfare", 2), ("talks", 1), ("allowance", 1))


def _cross_problems(parts: dict[str, list[tuple]], inc: _Incoming) -> list[xr.RowProblem]:
    out: list[xr.RowProblem] = []
    units = {u[0] for u in parts["units"]}
    cadres = {c[0] for c in parts["cadres"]}
    for n, c in enumerate(parts["cadres"], 1):
        if c[9] not in units:
            out.append(xr.RowProblem("cadres", n, "unit_uuid", "单位不在单位部分中"))
    figured = set()
    for n, f in enumerate(parts["figures"], 1):
        figured.add(f[0])
        if f[0] not in cadres:
            out.append(xr.RowProblem("figures", n, "id_number", "名册中没有这名干部"))
        if f[4] and not f[3]:
            out.append(xr.RowProblem("figures", n, "health_done", "未应检却记为已检"))
    if len(figured) != len(cadres):
        out.append(xr.RowProblem("figures", 0, "id_number", f"有 {len(cadres - figured)} 名干部缺少本期统计"))
    start, through = inc.start.isoformat(), inc.through.isoformat()     # dates are ISO text
    for part, at in _DATED:
        for n, row in enumerate(parts[part], 1):
            day = row[at]
            if not start <= day <= through or (part == "allowance" and day[8:] != "01"):
                out.append(xr.RowProblem(part, n, xr.fields_of(part)[at], f"{day} 不在报送期 {start}–{through} 内"))
    for n, row in enumerate(parts["findings"], 1):
        if row[1] > through:
            out.append(xr.RowProblem("findings", n, "check_date", f"{row[1]} 晚于数据截止日期"))
    return out


def _store(inc: _Incoming, opened: xc.Opened, parts: dict[str, list[tuple]], township: CountyTownship | None,
           signer: str, replaced: CountyPackage | None, file: str) -> tuple[CountyPackage, str]:
    """The snapshot, in the caller's transaction; returns the package row and the name the
    township had before (when this package renames it)."""
    stamp = now()
    renamed_from = ""
    public = xc.b64(opened.signer_public)
    if township is None:
        township = CountyTownship.create(code=inc.code, name=inc.name, public_key=public, fingerprint=signer,
                                         trusted_at=stamp, trusted_by=audit.current_user())
        audit.record("create", "county_township", township.uuid,
                     f"登记乡镇：{inc.name}（{inc.code}），确认签名密钥指纹 {signer}")
    elif township.fingerprint != signer:
        what = (f"{inc.name}（{inc.code}）的签名密钥经核对后更换为 {signer}" if township.fingerprint else
                f"确认{inc.name}（{inc.code}）的签名密钥指纹 {signer}")
        audit.record("update", "county_township", township.uuid, what,
                     {"fingerprint": [township.fingerprint, signer]})
        CountyTownship.update(public_key=public, fingerprint=signer, trusted_at=stamp,
                              trusted_by=audit.current_user(), updated_at=stamp).where(
            CountyTownship.id == township.id).execute()
    latest = _latest_package(township.id)
    if township.name != inc.name and (latest is None or (inc.period, inc.created_at) >=
                                      (latest.period, latest.created_at)):
        renamed_from = township.name
        CountyTownship.update(name=inc.name, updated_at=stamp).where(CountyTownship.id == township.id).execute()
    rows = sum(len(v) for v in parts.values())
    package = CountyPackage.create(
        package_id=inc.package_id, township=township.id, township_name=inc.name, period=inc.period,
        through=inc.through, created_at=inc.created_at, received_at=stamp, received_by=audit.current_user(),
        file_name=file, package_fingerprint=opened.package_fingerprint, signer_fingerprint=signer,
        manifest_sha256=_sha(opened.manifest_bytes), app_version=inc.app_version,
        schema_version=inc.schema_version, rows=rows, cadres=len(parts["cadres"]), current=True)
    if replaced is not None:
        CountyPackage.update(current=False, superseded_by=inc.package_id, superseded_at=stamp).where(
            CountyPackage.id == replaced.id).execute()
    _insert_snapshot(package.id, parts)
    affected = {c[0] for c in parts["cadres"]}
    for old in (latest, replaced):
        if old is not None:
            affected |= {r[0] for r in db.execute_sql("SELECT id_number FROM county_cadre WHERE package_id = ?",
                                                      (old.id,))}
    _relist(affected)
    return package, renamed_from


def _latest_package(township_id: int) -> CountyPackage | None:
    """The township's current package of its latest period (the consolidated roster's)."""
    return (CountyPackage.select().where((CountyPackage.township == township_id) & (CountyPackage.current == True))  # noqa: E712
            .order_by(CountyPackage.period.desc(), CountyPackage.created_at.desc()).first())


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if rows:
        sql = 'INSERT INTO "%s" (%s) VALUES (%s)' % (table, ", ".join(f'"{c}"' for c in columns),
                                                     ", ".join("?" for _ in columns))
        db.connection().executemany(sql, rows)


#: part → (table, its columns after package_id, in the part's field order)
_TABLES = {
    "units": ("county_unit", ("unit_uuid", "name", "kind", "township", "township_category", "hardship_area_class",
                              "especially_hard")),
    "leave": ("county_leave", ("id_number", "type_code", "start_date", "end_date", "days_halves", "status")),
    "checks": ("county_check", ("id_number", "check_date", "check_package", "institution")),
    "findings": ("county_finding", ("id_number", "check_date", "item", "level", "recheck_due", "closed",
                                    "closed_date")),
    "mental": ("county_mental_count", ("kind", "scale", "count")),
    "allowance": ("county_allowance", ("id_number", "month", "scheme", "kind", "amount_fen", "corrects_month")),
    "funds": ("county_fund", ("name", "budget_fen")),
    "welfare": ("county_welfare", ("id_number", "occasion", "record_date", "money_fen", "goods_fen",
                                   "funding_source")),
    "talks": ("county_talk", ("id_number", "talk_date", "talker", "trigger")),
}
#: a cadre's row: the cadres part's fields, the unit's name and area class, the figures
_CADRE_COLUMNS = (("id_number", "name", "name_initials", "name_sort", "sex", "ethnicity", "birth_date",
                   "political_status", "education", "unit_uuid") + ("unit_name", "hardship_area_class") +
                  ("post", "leadership_level", "rank", "personnel_status", "position_category", "employment_status",
                   "work_start_date", "township_start_date", "current_post_date", "transferred_on", "retired_on",
                   "retirement_kind") +
                  ("serving", "hardship", "health_due", "health_done", "followups_open", "leave_due_halves",
                   "leave_taken_halves", "leave_untaken", "visited"))


def _insert_snapshot(pid: int, parts: dict[str, list[tuple]]) -> None:
    """Every part's rows with executemany (dates are already ISO text), in the caller's transaction."""
    for part, (table, columns) in _TABLES.items():
        _insert(table, ("package_id", *columns), [(pid, *r) for r in parts[part]])
    units = {u[0]: u for u in parts["units"]}
    figures_of = {f[0]: f for f in parts["figures"]}
    keys: dict[str, tuple[str, str]] = {}
    rows = []
    for c in parts["cadres"]:
        if not c[2] or not c[3]:       # the township's own search keys, else made here
            key = keys.get(c[1]) or keys.setdefault(c[1], (pinyin.initials_key(c[1]), pinyin.sort_key(c[1])))
            c = (*c[:2], c[2] or key[0], c[3] or key[1], *c[4:])
        unit = units[c[9]]
        rows.append((pid, *c[:10], unit[1], unit[5], *c[10:], *figures_of[c[0]][1:], 0, 0))
    _insert("county_cadre", ("package_id", *_CADRE_COLUMNS, "listed", "townships"), rows)


#: the packages the consolidated roster reads: each township's current package of its latest period
_LATEST = ("SELECT p.id, p.through FROM county_package p WHERE p.current = 1 AND p.period = "
           "(SELECT max(q.period) FROM county_package q WHERE q.township_id = p.township_id AND q.current = 1)")


def _relist(id_numbers: set[str]) -> None:
    """Choose again, for each of ``id_numbers``, the one row the consolidated roster lists:
    among the townships' latest packages, the one where the cadre serves, else the latest
    arrival in a township (到乡镇工作时间), else the latest as-of date."""
    if not id_numbers:
        return
    ids = json.dumps(sorted(id_numbers))
    con = db.connection()
    con.execute("UPDATE county_cadre SET listed = 0, townships = 0 WHERE listed = 1 "
                "AND id_number IN (SELECT value FROM json_each(?))", (ids,))
    ranked = con.execute(
        f"WITH latest AS ({_LATEST}) SELECT id, n FROM (SELECT c.id, row_number() OVER (PARTITION BY c.id_number "
        "ORDER BY c.serving DESC, c.township_start_date DESC, l.through DESC, c.id DESC) AS rn, "
        "count(*) OVER (PARTITION BY c.id_number) AS n FROM county_cadre c JOIN latest l ON l.id = c.package_id "
        "WHERE c.id_number IN (SELECT value FROM json_each(?))) WHERE rn = 1", (ids,)).fetchall()
    con.executemany("UPDATE county_cadre SET listed = 1, townships = ? WHERE id = ?", [(n, i) for i, n in ranked])


def _refusal(file: str, err: DomainError) -> None:
    with db.atomic():
        audit.record("receive_refused", "county_package", "", f"拒收报送包「{file}」：{err.message}"[:200])


@requires("county.receive")
def receive(path: Path, trust: str | None = None, progress: Callable[[int, str], None] | None = None,
            check: Callable[[], None] | None = None) -> ReceiveResult:
    """Receive one ``.ccx`` package (see the module's docstring for the checks).  Refusals are
    DomainErrors with Chinese messages (``UnknownTownshipKey`` carries ``fingerprint``,
    ``code`` and ``name``: confirm it and call again with ``trust=fingerprint``)."""
    _county_only()
    path = Path(path)
    file = path_text(path.name)
    try:
        return _receive(path, file, trust, progress, check)
    except (xc.PackageError, xr.InvalidRows, ReceiveRefused, xc.FingerprintMistyped) as err:
        _refusal(file, err)
        raise


def _receive(path: Path, file: str, trust: str | None, progress, check) -> ReceiveResult:
    step = stepper(progress, check)
    step(0, "读取报送包…")
    limit = xc.LIMITS.max_package_bytes
    data = read_chosen(path, limit, lambda size: xc.PackageTooLarge(file, size, limit), "报送包（.ccx）")
    box = exchange_setup.box_key()
    step(5, "解密并核对签名…")
    opened = xc.open_package(data, file, xc.unb64(box.private_key, xc.KEY_BYTES))
    try:
        inc = _incoming(opened)
        if inc.schema_version > database.known_version():
            raise xc.PackageTooNew(file, "数据库结构版本", inc.schema_version, database.known_version())
        _check_county(file, inc)
        signer = opened.signer_fingerprint
        old = _duplicate(file, inc, opened)
        if old is not None:
            with db.atomic():
                audit.record("receive", "county_package", inc.package_id,
                             f"报送包「{file}」（{inc.name} {inc.period}年度）已接收过，未作改动")
            return ReceiveResult("duplicate", "已接收过，未作改动", inc.package_id, inc.code, inc.name, inc.period,
                                 inc.through, old.rows, old.cadres, old.package_fingerprint)
        township = _check_township(file, inc, signer, trust)
        replaced = _current(township.id if township is not None else None, inc.period)
        if replaced is not None and replaced.created_at >= inc.created_at:
            raise OlderPackage(file, inc.name, inc.period, inc.created_at, replaced.created_at)
        step(20, "核对数据…")
        parts = _read_parts(opened, inc, step)
    finally:
        opened.close()
    step(60, "写入数据库…")
    warnings = []
    if replaced is not None and replaced.through > inc.through:
        warnings.append(f"这份报送包的数据截至 {inc.through}，早于被替换的一份（截至 {replaced.through}）")
    with db.atomic():
        # another window may have received a package of the township meanwhile: check again
        now_current = _current(township.id if township is not None else None, inc.period)
        if (now_current and now_current.id) != (replaced and replaced.id) or \
                CountyPackage.select().where(CountyPackage.package_id == inc.package_id).exists():
            raise ReceiveRefused("busy", f"接收「{file}」时另一个窗口刚接收了同一乡镇的报送包，没有接收。请再接收一次")
        package, renamed_from = _store(inc, opened, parts, township, signer, replaced, file)
        if renamed_from:
            warnings.append(f"乡镇名称已由「{renamed_from}」改为「{inc.name}」（区划代码不变）")
        what = f"替换了 {replaced.received_at:%Y-%m-%d %H:%M} 接收的一份（保留为历史快照）" if replaced else ""
        audit.record("receive", "county_package", inc.package_id,
                     f"接收报送包「{file}」：{inc.name}（{inc.code}）{inc.period}年度，截至 {inc.through}，"
                     f"{package.cadres} 名干部，共 {package.rows} 行{('，' + what) if what else ''}",
                     {"package_id": [None, inc.package_id], "fingerprint": [None, opened.package_fingerprint]})
        step(95, "提交…")       # the last moment 取消 takes effect: after the commit it is done
    if progress is not None:
        progress(100, "完成")
    status = "replaced" if replaced is not None else "received"
    message = (f"已接收「{inc.name}」{inc.period}年度报送包（数据截至 {inc.through}）：{package.cadres} 名干部，"
               f"共 {package.rows} 行" + (f"；{what}" if what else ""))
    return ReceiveResult(status, message, inc.package_id, inc.code, inc.name, inc.period, inc.through,
                         package.rows, package.cadres, opened.package_fingerprint,
                         replaced.package_id if replaced else "", renamed_from, tuple(warnings))


# ---------------------------------------------------------------- 报送情况 and snapshots

def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _d(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@exempt("pure date arithmetic")
def default_deadline(period: int, days: int) -> date:
    return date(period, 12, 31) + timedelta(days=days)


@requires("county.read")
def submissions(period: int, deadline: date | None = None) -> list[SubmissionRow]:
    """Each township the county knows, its current package for ``period`` and whether it is
    late: no package by ``deadline`` (default: the year's end plus the 报送期限 setting),
    one received after it, or one whose data end before the year does once it has passed."""
    _county_only()
    deadline = deadline or default_deadline(period, deadline_days())
    today = clock().date()
    rows = db.execute_sql(
        "SELECT t.code, t.name, p.period, p.through, p.received_at, p.package_id, p.package_fingerprint, "
        "p.cadres, p.rows FROM county_township t LEFT JOIN county_package p ON p.township_id = t.id "
        "AND p.period = ? AND p.current = 1 WHERE t.archived = 0 ORDER BY t.code", (period,)).fetchall()
    out = []
    year_end = date(period, 12, 31)
    for code, name, got, through, received, package_id, fp, cadres, count in rows:
        through, received = _d(through), _dt(received)
        passed = today > deadline
        if package_id is None:
            late, text = passed, (f"逾期未报送（截止 {deadline}）" if passed else f"尚未报送（截止 {deadline}）")
        elif received.date() > deadline:
            late, text = True, f"逾期报送（{received:%Y-%m-%d} 收到，截止 {deadline}）"
        elif through < year_end:
            late = passed
            text = (f"数据只到 {through}，未覆盖全年（截止 {deadline}）" if passed else f"已报送（数据截至 {through}）")
        else:
            late, text = False, "按时报送"
        out.append(SubmissionRow(code, name, got, through, received, package_id, fp or "", cadres or 0, count or 0,
                                 late, text))
    return out


@requires("county.read")
def snapshots(code: str) -> list[Snapshot]:
    """A township's packages, every period, newest first: the current one per period and
    the dated snapshots they replaced."""
    _county_only()
    q = (CountyPackage.select().join(CountyTownship).where(CountyTownship.code == code)
         .order_by(CountyPackage.period.desc(), CountyPackage.created_at.desc()))
    return [Snapshot(p.package_id, p.period, p.through, p.created_at, p.received_at, p.received_by, p.township_name,
                     p.current, p.superseded_by, p.superseded_at, p.package_fingerprint, p.signer_fingerprint,
                     p.cadres, p.rows, p.file_name) for p in q]


# ---------------------------------------------------------------- 汇总

@requires("county.read")
def summary(period: int) -> CountySummary:
    """The 汇总 of ``period``: per township (its current package) and in total."""
    _county_only()
    packages = db.execute_sql(
        "SELECT p.id, t.code, t.name, p.through, p.received_at FROM county_package p "
        "JOIN county_township t ON t.id = p.township_id WHERE p.period = ? AND p.current = 1 ORDER BY t.code",
        (period,)).fetchall()
    ids = [p[0] for p in packages]
    if not ids:
        return CountySummary(period, (), figures.total(period, []))
    marks = ",".join("?" * len(ids))
    sums = {r[0]: r[1:] for r in db.execute_sql(
        "SELECT package_id, sum(serving), sum(serving AND hardship), sum(health_due), sum(health_done), "
        "sum(followups_open), sum(leave_due_halves), sum(leave_taken_halves), sum(leave_untaken), "
        f"sum(serving AND hardship AND visited) FROM county_cadre WHERE package_id IN ({marks}) GROUP BY package_id",
        ids).fetchall()}
    months: dict[int, dict[int, int]] = {}
    # grouped in the covering index's own order (package, month): no sort of a million lines
    for pid, month, fen in db.execute_sql(
            "SELECT package_id, month, sum(amount_fen) FROM county_allowance "
            f"WHERE package_id IN ({marks}) GROUP BY package_id, month", ids).fetchall():
        by = months.setdefault(pid, {})
        by[int(str(month)[5:7])] = by.get(int(str(month)[5:7]), 0) + int(fen)
    budgets: dict[int, dict[str, int]] = {}
    for pid, name, fen in db.execute_sql(
            f"SELECT package_id, name, budget_fen FROM county_fund WHERE package_id IN ({marks})", ids).fetchall():
        budgets.setdefault(pid, {})[name] = int(fen)
    spent: dict[int, dict[str, int]] = {}
    for pid, name, fen in db.execute_sql(
            "SELECT package_id, funding_source, sum(money_fen + goods_fen) FROM county_welfare "
            f"WHERE package_id IN ({marks}) GROUP BY 1, 2", ids).fetchall():
        spent.setdefault(pid, {})[name] = int(fen)
    half = Decimal(2)
    rows = []
    for pid, code, name, through, received in packages:
        s = [int(v or 0) for v in sums.get(pid, (0,) * 9)]
        by_month = figures.months(months.get(pid, {}))
        rows.append(TownshipFigures(
            code, name, period, _d(through), _dt(received), cadres=s[0], hardship_cadres=s[1], health_due=s[2],
            health_done=s[3], followups_open=s[4], leave_due_days=Decimal(s[5]) / half,
            leave_taken_days=Decimal(s[6]) / half, leave_untaken_cadres=s[7], allowance_by_month=by_month,
            allowance_total_fen=sum(by_month.values()),
            welfare_by_fund=figures.funds(budgets.get(pid, {}), spent.get(pid, {})), hardship_visited=s[8]))
    return CountySummary(period, tuple(rows), figures.total(period, rows))


@requires("county.read")
def periods() -> list[int]:
    """The periods any package was received for, newest first (the 汇总's year picker)."""
    return [r[0] for r in db.execute_sql("SELECT DISTINCT period FROM county_package ORDER BY period DESC")]


# ---------------------------------------------------------------- the consolidated roster

#: the columns of a roster row: (id_number, name, sex, birth_date, township, unit, post,
#: employment_status, townships the ID number appears in, township code)
_ROSTER_SELECT = ("c.id_number, c.name, c.sex, c.birth_date, t.name, c.unit_name, c.post, c.employment_status, "
                  "CASE WHEN c.townships > 0 THEN c.townships ELSE 1 END, t.code")
_ROSTER_ORDER = {"name": "c.name_sort, c.id_number", "township": "t.code, c.name_sort, c.id_number",
                 "unit": "c.unit_name, c.name_sort, c.id_number", "birth": "c.birth_date, c.id_number",
                 "status": "c.employment_status, c.name_sort, c.id_number"}


def _roster_where(search: str, code: str | None) -> tuple[str, list]:
    parts, params = [], []
    if code:
        parts.append(f"c.package_id = (SELECT l.id FROM ({_LATEST}) l JOIN county_package p ON p.id = l.id "
                     "JOIN county_township tt ON tt.id = p.township_id WHERE tt.code = ?)")
        params.append(code)
    else:
        parts.append("c.listed = 1")
    q = unicodedata.normalize("NFKC", search or "").strip()
    if q:
        if q.replace("x", "").replace("X", "").isdigit():
            parts.append("c.id_number LIKE ?")
            params.append(f"%{q.upper()}")
        elif q.isascii() and q.isalpha():
            parts.append("c.name_initials LIKE ?")
            params.append(f"% {q.lower()}%")
        else:
            parts.append("instr(c.name, ?) > 0")
            params.append(q)
    return " WHERE " + " AND ".join(parts), params


_ROSTER_FROM = ("county_cadre c JOIN county_package p0 ON p0.id = c.package_id "
                "JOIN county_township t ON t.id = p0.township_id")


@requires("county.read")
def roster_count(search: str = "", code: str | None = None) -> int:
    """How many rows ``roster_page`` has for the search (one per ID number; with ``code``,
    the cadres of that township's latest package)."""
    _county_only()
    where, params = _roster_where(search, code)
    return db.execute_sql(f"SELECT count(*) FROM county_cadre c{where}", params).fetchone()[0]


@requires("county.read")
def roster_page(search: str, offset: int, limit: int, code: str | None = None, order: str = "name") -> list[tuple]:
    """The consolidated roster, read-only: one row per ID number across the townships' latest
    packages (a cadre who moved appears once, where they serve now), searched like the
    township roster (name characters, pinyin initials, the tail of the ID number).  Rows:
    (id_number, name, sex, birth_date, township, unit, post, employment_status, townships,
    township code); ``order``: name, township, unit, birth or status.  The ID number is the
    full one (the key of ``cadre_history``); the window masks it unless the account may see it."""
    _county_only()
    where, params = _roster_where(search, code)
    sql = (f"SELECT {_ROSTER_SELECT} FROM {_ROSTER_FROM}{where} ORDER BY {_ROSTER_ORDER.get(order, _ROSTER_ORDER['name'])} "
           "LIMIT ? OFFSET ?")
    return [(r[0], r[1], r[2], _d(r[3]), *r[4:]) for r in db.execute_sql(sql, params + [limit, offset]).fetchall()]


@requires("county.read")
def cadre_history(id_number: str) -> list[ServiceRow]:
    """A cadre's service in every township that reported them, dated: per township the latest
    package holding the ID number, in the order the cadre arrived."""
    _county_only()
    rows = db.execute_sql(
        "SELECT t.code, t.name, c.unit_name, c.post, c.employment_status, c.township_start_date, c.transferred_on, "
        "c.retired_on, c.work_start_date, c.current_post_date, p.period, p.through FROM county_cadre c "
        "JOIN county_package p ON p.id = c.package_id JOIN county_township t ON t.id = p.township_id "
        "WHERE c.id_number = ? AND p.current = 1 ORDER BY t.code, p.period DESC, p.created_at DESC",
        (id_number,)).fetchall()
    seen, out = set(), []
    for code, name, unit, post, status, start, moved, retired, work, post_date, period, through in rows:
        if code in seen:
            continue
        seen.add(code)
        out.append(ServiceRow(code, name, unit, post, status, _d(start), _d(moved) or _d(retired), _d(work),
                              _d(post_date), period, _d(through)))
    out.sort(key=lambda r: (r.start or date.min, r.as_of))
    return out
