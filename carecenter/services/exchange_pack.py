"""报送县里 (issue 15): the township packs its data for a period into a signed package
encrypted to the county, and computes its own figures for the period.

``pack`` reads the township's data for the year up to ``through`` (default: the year's
end, or today in the current year), computes per cadre the figures that depend on the
township's own rule tables through the same services its pages use
(``leave.annual_balances``, ``health.due_list``), checks every row with the checks the
county applies (``domain.exchange_rows``), seals it (``security.exchange_crypto``) and
writes the file and its audit row in one transaction.  ``township_figures`` is what the
township itself reports for the period; the county's 汇总 must equal the sum of these.
"""
from __future__ import annotations

import platform
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..db import database, queries
from ..db.database import db
from ..db.models import ExchangeSent
from ..domain import exchange_rows as xr
from ..domain import health as health_rules
from ..domain.errors import DomainError
from ..durable import replace_with
from ..security import access
from ..security import exchange_crypto as xc
from ..security.access import exempt, requires
from . import allowance, audit, exchange_setup, figures, health, leave, welfare
from .figures import TownshipFigures
from .values import path_text, read_chosen, stepper

SUFFIX = ".ccx"
LOCKED = allowance.STATUS_LOCKED


@dataclass(frozen=True)
class CountyKeyInfo:
    name: str
    code: str
    fingerprint: str
    imported_at: datetime | None


@dataclass(frozen=True)
class PackResult:
    path: Path
    package_id: str
    period: int
    through: date
    package_fingerprint: str
    signer_fingerprint: str
    county_name: str
    county_fingerprint: str
    rows: int
    counts: dict[str, int]
    size_bytes: int


@dataclass(frozen=True)
class SentPackage:
    package_id: str
    period: int
    through: date
    made_at: datetime
    made_by: str
    file_name: str
    size_bytes: int
    rows: int
    cadres: int
    package_fingerprint: str
    signer_fingerprint: str
    county_name: str
    county_fingerprint: str


class NotForCounty(DomainError):
    def __init__(self):
        super().__init__("county_edition", "这是县级版数据库：县里接收乡镇的报送包，不生成报送包", None)


def _township_only() -> None:
    if exchange_setup.is_county_database():
        raise NotForCounty()


# ---------------------------------------------------------------- 交换设置 (the township's side)

@requires()
def township_fingerprint() -> str:
    """This township's signing-key fingerprint, 8 groups of 4 characters, to be read out to
    the county over the phone (the key pair is made the first time it is asked for)."""
    _township_only()
    return exchange_setup.signing_key()[1]


@requires()
def county_key_info() -> CountyKeyInfo | None:
    """The county public key imported in 交换设置 (name, code, fingerprint), or None."""
    row = exchange_setup.trusted_county()
    if row is None:
        return None
    return CountyKeyInfo(row.name, row.code, row.fingerprint,
                         datetime.fromisoformat(row.created) if row.created else None)


@requires("settings.edit")
def trust_county(path: Path) -> CountyKeyInfo:
    """Import the county's public key from ``county.pub`` (once; again when the county
    changes its key).  Its fingerprint should then be compared with the one the county
    reads out over the phone."""
    _township_only()
    path = Path(path)
    data = read_chosen(path, xc.MAX_KEY_FILE_BYTES, lambda size: xc.CountyKeyInvalid(path_text(path.name), "文件过大"),
                       "县里的公钥文件 county.pub")
    key = xc.read_county_key(data, path_text(path.name))
    own = exchange_setup.identity()
    if own.code and own.county_code != key.code[:6]:
        raise DomainError("other_county", f"本乡镇的区划代码 {own.code} 不属于「{key.name}」（{key.code}）。"
                                          "请确认导入的是本县的公钥文件，或先在交换设置中改正本乡镇的区划代码", "file")
    with db.atomic():
        exchange_setup.store_trusted_county(key)
    return county_key_info()


@requires("exchange.pack")
def list_packages() -> list[SentPackage]:
    """The packages this township made, newest first, each with its fingerprint."""
    return [SentPackage(r.package_id, r.period, r.through, r.created_at, r.made_by, r.file_name, r.size_bytes,
                        r.rows, r.cadres, r.package_fingerprint, r.signer_fingerprint, r.county_name,
                        r.county_fingerprint)
            for r in ExchangeSent.select().order_by(ExchangeSent.id.desc())]


@requires()
def default_file_name(period: int) -> str:
    """青岭镇-2026.ccx"""
    name = exchange_setup.identity().name or "报送"
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|').strip() or "报送"
    return f"{safe}-{period}{SUFFIX}"


# ---------------------------------------------------------------- the period

@exempt("pure check of typed values")
def period_window(period: int, through: date | None = None, today: date | None = None) -> tuple[date, date]:
    """(first day, as-of day) of a report: the calendar year ``period`` up to ``through``
    (default: the year's end, or today while the year runs); refused when the year has not
    begun, or ``through`` lies outside the year or in the future."""
    today = today or date.today()
    if not isinstance(period, int) or not 2000 <= period <= 2100:
        raise DomainError("period", f"年度应为 2000–2100 之间的年份，现在是「{period}」", "period")
    start, end = date(period, 1, 1), date(period, 12, 31)
    if start > today:
        raise DomainError("period_future", f"{period}年还没有开始，不能报送", "period")
    through = through or min(end, today)
    if not start <= through <= end:
        raise DomainError("through_outside", f"数据截止日期 {through} 不在{period}年内", "through")
    if through > today:
        raise DomainError("through_future", f"数据截止日期 {through} 晚于今天，请选择今天或更早的日期", "through")
    return start, through


# ---------------------------------------------------------------- the parts

def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat()[:10] if isinstance(value, (date, datetime)) else str(value)[:10]


def _days(value: Any) -> int | float:
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def _sql(sql: str, params: tuple = ()) -> list[tuple]:
    return db.execute_sql(sql, params).fetchall()


_ROSTER_SQL = (
    "SELECT c.id, c.id_number, c.name, c.name_initials, c.name_sort, c.sex, c.ethnicity, c.birth_date, c.political_status, "
    "c.education_fulltime, u.uuid, c.post, c.leadership_level, c.rank, c.personnel_status, c.position_category, "
    "c.employment_status, c.work_start_date, c.township_start_date, c.current_post_date, f.transferred_on, "
    "f.retired_on, coalesce(f.retirement_kind, ''), u.hardship_area_class "
    "FROM cadre c JOIN unit u ON u.id = c.unit_id "
    "LEFT JOIN cadre_allowance_facts f ON f.cadre_id = c.id AND f.archived = 0 "
    "WHERE c.archived = 0 ORDER BY c.id")


def _roster() -> list[tuple]:
    return _sql(_ROSTER_SQL)


def _per_cadre_health(period: int, through: date) -> dict[int, tuple[bool, bool]]:
    """{cadre_id: (due, done)} by the township's 体检周期 rules as of ``through``: an item is
    due when it is not done, or was done in the year; done when all due items are done."""
    out: dict[int, list[bool]] = {}
    for r in health.due_list(period, through, status=health.STATUS_ALL, checks_until=through):
        due = r.status != health_rules.STATUS_DONE or (r.last_date is not None and r.last_date.year == period)
        if not due:
            continue
        state = out.setdefault(r.cadre_id, [True, True])
        state[1] = state[1] and r.status == health_rules.STATUS_DONE
    return {cid: (True, done) for cid, (_due, done) in out.items()}


def _open_findings_sql(through: date) -> tuple[str, tuple]:
    """Findings of non-archived checks dated up to ``through`` and still open on that day."""
    return ("FROM health_finding f JOIN health_check h ON h.id = f.check_id JOIN cadre c ON c.id = f.cadre_id "
            "WHERE f.archived = 0 AND h.archived = 0 AND c.archived = 0 AND h.check_date <= ? "
            "AND NOT (f.closed = 1 AND (f.closed_date IS NULL OR f.closed_date <= ?))",
            (through.isoformat(), through.isoformat()))


def _visited(start: date, through: date) -> set[int]:
    return {r[0] for r in _sql("SELECT DISTINCT cadre_id FROM welfare_record WHERE archived = 0 "
                               "AND record_date >= ? AND record_date <= ?", (start.isoformat(), through.isoformat()))}


def _hardship(area_class: str) -> bool:
    return area_class not in queries.HARDSHIP_NONE_CLASSES


def _serving(status: str) -> bool:
    return status in queries.SERVING_STATUSES


@requires("exchange.pack")
def collect(period: int, through: date, progress: Callable[[int, str], None] | None = None,
            check: Callable[[], None] | None = None) -> dict[str, list[list]]:
    """Every part's rows (lists of JSON values, in the fields' order of ``exchange_rows.PARTS``)."""
    start = date(period, 1, 1)
    window = (start.isoformat(), through.isoformat())
    step = stepper(progress, check)
    step(2, "读取单位和干部名册…")
    parts: dict[str, list[list]] = {}
    parts["units"] = [[u, n, k, t, cat, area, bool(hard)] for u, n, k, t, cat, area, hard in _sql(
        "SELECT uuid, name, kind, township, township_category, hardship_area_class, especially_hard FROM unit "
        "WHERE archived = 0 OR id IN (SELECT unit_id FROM cadre WHERE archived = 0) ORDER BY id")]
    roster = _roster()
    parts["cadres"] = [[r[1], r[2], r[3], r[4], r[5], r[6], _iso(r[7]), r[8], r[9], r[10], r[11], r[12], r[13],
                        r[14], r[15], r[16], _iso(r[17]), _iso(r[18]), _iso(r[19]), _iso(r[20]), _iso(r[21]), r[22]]
                       for r in roster]

    step(15, "按本乡镇的体检周期规则计算应检、已检…")
    checks = _per_cadre_health(period, through)
    step(30, "按本乡镇的年休假规则计算应休、已休…")
    balances = {b.cadre_id: b for b in leave.annual_balances(period, until=through)}
    step(45, "统计异常随访和走访慰问…")
    where, params = _open_findings_sql(through)
    open_counts = dict(_sql(f"SELECT f.cadre_id, count(*) {where} GROUP BY f.cadre_id", params))
    visited = _visited(start, through)
    no_checks = (False, False)
    rows = []
    for r in roster:
        cid, serving = r[0], _serving(r[16])
        due, done = checks.get(cid, no_checks) if serving else no_checks
        b = balances.get(cid) if serving else None
        rows.append([r[1], serving, _hardship(r[23]), due, done, int(open_counts.get(cid, 0)),
                     _days(b.entitled + b.deferred_in) if b else 0, _days(b.taken) if b else 0,
                     bool(b and b.taken == 0 and b.remaining > 0), serving and cid in visited])
    parts["figures"] = rows

    step(55, "读取请休假、体检和随访记录…")
    parts["leave"] = [[n, t, _iso(s), _iso(e), _days(d), st] for n, t, s, e, d, st in _sql(
        "SELECT c.id_number, l.type_code, l.start_date, l.end_date, l.days, l.status FROM leave_record l "
        "JOIN cadre c ON c.id = l.cadre_id WHERE l.archived = 0 AND l.start_date >= ? AND l.start_date <= ? "
        "ORDER BY l.id", window)]
    parts["checks"] = [[n, _iso(d), p, i] for n, d, p, i in _sql(
        "SELECT c.id_number, h.check_date, h.package, h.institution FROM health_check h "
        "JOIN cadre c ON c.id = h.cadre_id WHERE h.archived = 0 AND h.check_date >= ? AND h.check_date <= ? "
        "ORDER BY h.id", window)]
    parts["findings"] = [[n, _iso(d), item, level, _iso(due), bool(closed), _iso(closed_on)]
                         for n, d, item, level, due, closed, closed_on in _sql(
        "SELECT c.id_number, h.check_date, f.item, f.level, f.recheck_due, "
        "f.closed = 1 AND (f.closed_date IS NULL OR f.closed_date <= ?), "
        "CASE WHEN f.closed_date <= ? THEN f.closed_date END "
        "FROM health_finding f JOIN health_check h ON h.id = f.check_id JOIN cadre c ON c.id = f.cadre_id "
        "WHERE f.archived = 0 AND h.archived = 0 AND h.check_date <= ? AND (h.check_date >= ? OR NOT "
        "(f.closed = 1 AND (f.closed_date IS NULL OR f.closed_date <= ?))) ORDER BY f.id",
        (through.isoformat(), through.isoformat(), through.isoformat(), start.isoformat(), through.isoformat()))]
    parts["mental"] = [[k, s, n] for k, s, n in _sql(
        "SELECT kind, scale, count(*) FROM mental_record WHERE archived = 0 AND record_date >= ? "
        "AND record_date <= ? GROUP BY kind, scale ORDER BY kind, scale", window)]

    step(65, "读取已锁定月份的津贴补贴…")
    parts["allowance"] = [[n, _iso(m), s, k, a, _iso(c)] for n, m, s, k, a, c in _sql(
        "SELECT c.id_number, b.month, l.scheme, l.kind, l.amount_fen, l.corrects_month FROM allowance_line l "
        "JOIN allowance_batch b ON b.id = l.batch_id JOIN cadre c ON c.id = l.cadre_id "
        "WHERE l.archived = 0 AND b.archived = 0 AND b.status = ? AND b.month >= ? AND b.month <= ? "
        "ORDER BY b.month, l.id", (LOCKED, *window))]
    step(72, "读取经费预算、走访慰问和谈心谈话…")
    parts["funds"] = [[n, b] for n, b in _sql(
        "SELECT name, budget_fen FROM fund WHERE archived = 0 AND year = ? ORDER BY name", (period,))]
    parts["welfare"] = [[n, o, _iso(d), m, g, f] for n, o, d, m, g, f in _sql(
        "SELECT c.id_number, w.occasion, w.record_date, w.money_fen, w.goods_fen, w.funding_source "
        "FROM welfare_record w JOIN cadre c ON c.id = w.cadre_id WHERE w.archived = 0 AND w.record_date >= ? "
        "AND w.record_date <= ? ORDER BY w.id", window)]
    parts["talks"] = [[n, _iso(d), who, why] for n, d, who, why in _sql(
        'SELECT c.id_number, t.talk_date, t.talker, t."trigger" FROM talk_record t JOIN cadre c ON c.id = t.cadre_id '
        "WHERE t.archived = 0 AND t.talk_date >= ? AND t.talk_date <= ? ORDER BY t.id", window)]
    return parts


def _check_rows(parts: dict[str, list[list]]) -> None:
    """The county's row checks, run before sealing: a package this township makes is one
    the county accepts (problems are named here, where they can be fixed)."""
    problems: list[xr.RowProblem] = []
    ids = xr.IdChecker()
    for name, rows in parts.items():
        xr.check_part(name, xr.fields_of(name), rows, ids, problems)
    if problems:
        raise xr.InvalidRows(problems, len(problems), "本乡镇的数据")


# ---------------------------------------------------------------- pack

@exempt("pure encoding and encryption of rows the caller read with its permissions")
def seal_parts(parts: dict[str, list[list]], own: exchange_setup.Identity, period: int, through: date,
               private: bytes, county: xc.CountyKey) -> tuple[str, dict[str, int], xc.Sealed]:
    """(package id, rows per part, the sealed package) of ``parts`` from township ``own``,
    signed with ``private`` and encrypted to ``county``."""
    payload = []
    counts = {}
    for name in xr.PARTS:
        data, n = xc.jsonl(parts[name])
        payload.append(xc.Part(name, xr.fields_of(name), data, n))
        counts[name] = n
    package_id = uuid.uuid4().hex
    manifest = {
        "package_id": package_id, "created_at": datetime.now().isoformat(timespec="microseconds"),
        "township": {"name": own.name, "code": own.code}, "period": period,
        "start": date(period, 1, 1).isoformat(), "through": through.isoformat(),
        "app": {"name": "carecenter", "version": __version__, "platform": platform.system()},
        "schema_version": database.known_version(), "counts": counts,
    }
    return package_id, counts, xc.seal(manifest, payload, private, county)


@requires("exchange.pack")
def pack(period: int, through: date | None = None, out: Path | None = None,
         progress: Callable[[int, str], None] | None = None, check: Callable[[], None] | None = None) -> PackResult:
    """Make the package for ``period`` (data up to ``through``) and write it to ``out``
    (default: ``default_file_name`` in the current folder).  One transaction: the list of
    made packages, the audit row and the file, or nothing."""
    _township_only()
    access.require_whole_township("报送县里")
    own = exchange_setup.identity()
    if not own.complete:
        raise DomainError("identity", "请先在「交换设置」中填写本乡镇名称和 12 位统计用区划代码", "identity")
    county = exchange_setup.trusted_county()
    if county is None:
        raise DomainError("no_county_key", "请先在「交换设置」中导入县里的公钥文件（county.pub），并与县里电话核对指纹",
                          "county_key")
    if county.code[:6] != own.county_code:
        raise DomainError("other_county", f"本乡镇的区划代码 {own.code} 不属于「{county.name}」（{county.code}）。"
                                          "请在交换设置中改正区划代码或导入本县的公钥", "identity")
    _start, through = period_window(period, through)
    out = Path(out) if out is not None else Path(default_file_name(period))
    private, signer_fp = exchange_setup.signing_key()
    parts = collect(period, through, progress, check)
    step = stepper(progress, check)
    step(78, "核对每一行数据…")
    _check_rows(parts)
    step(85, "签名并加密…")
    package_id, counts, sealed = seal_parts(parts, own, period, through, private, county)
    step(95, "写入文件…")
    rows = sum(counts.values())
    with db.atomic():
        row = ExchangeSent.create(package_id=package_id, period=period, through=through,
                                  made_by=audit.current_user(), file_name=path_text(out.name),
                                  size_bytes=len(sealed.data), rows=rows, cadres=counts["cadres"],
                                  package_fingerprint=sealed.package_fingerprint, signer_fingerprint=signer_fp,
                                  county_name=county.name, county_fingerprint=county.fingerprint)
        audit.record("exchange_pack", "exchange_sent", row.uuid,
                     f"生成{period}年度报送包（截至 {through}）：{counts['cadres']} 名干部，共 {rows} 行，"
                     f"报送包指纹 {sealed.package_fingerprint}，文件 {path_text(out.name)}",
                     {"period": [None, period], "through": [None, through.isoformat()],
                      "package_id": [None, package_id], "file": [None, path_text(out.resolve())]})
        replace_with(out, sealed.data, prefix=f".{out.name}.", suffix=".part")
    if progress is not None:
        progress(100, "完成")
    return PackResult(out, package_id, period, through, sealed.package_fingerprint, signer_fp, county.name,
                      county.fingerprint, rows, counts, len(sealed.data))


# ---------------------------------------------------------------- the township's own figures

@requires("exchange.pack")
def township_figures(period: int, through: date | None = None) -> TownshipFigures:
    """What this township reports for ``period``, computed from its own database with its own
    rules: the county's 汇总 for the township must equal this, figure by figure."""
    own = exchange_setup.identity()
    start, through = period_window(period, through)
    window = (start.isoformat(), through.isoformat())
    serving = f"c.archived = 0 AND c.employment_status IN ({','.join('?' * len(queries.SERVING_STATUSES))})"
    hard = f"u.hardship_area_class NOT IN ({','.join('?' * len(queries.HARDSHIP_NONE_CLASSES))})"
    cadres = _sql(f"SELECT count(*) FROM cadre c WHERE {serving}", queries.SERVING_STATUSES)[0][0]
    hardship_sql = f"FROM cadre c JOIN unit u ON u.id = c.unit_id WHERE {serving} AND {hard}"
    hardship_params = (*queries.SERVING_STATUSES, *queries.HARDSHIP_NONE_CLASSES)
    hardship = _sql(f"SELECT count(*) {hardship_sql}", hardship_params)[0][0]
    visited = _sql(f"SELECT count(*) {hardship_sql} AND EXISTS (SELECT 1 FROM welfare_record w WHERE "
                   "w.cadre_id = c.id AND w.archived = 0 AND w.record_date >= ? AND w.record_date <= ?)",
                   (*hardship_params, *window))[0][0]
    checks = _per_cadre_health(period, through)
    where, params = _open_findings_sql(through)
    balances = leave.annual_balances(period, until=through)
    by_month = {}
    for month, status in allowance.batch_statuses().items():
        if status == LOCKED and start <= month <= through:
            by_month[month.month] = allowance.month_total(month)["total_fen"]
    budgets = {f["name"]: f["budget_fen"] for f in welfare.funds(period)}
    spent = {name: int(total) for name, total in _sql(
        "SELECT funding_source, sum(money_fen + goods_fen) FROM welfare_record WHERE archived = 0 "
        "AND record_date >= ? AND record_date <= ? GROUP BY funding_source", window)}
    return TownshipFigures(
        own.code, own.name, period, through, None, cadres=cadres, hardship_cadres=hardship,
        health_due=len(checks), health_done=sum(1 for _due, done in checks.values() if done),
        followups_open=_sql(f"SELECT count(*) {where}", params)[0][0],
        leave_due_days=sum((b.entitled + b.deferred_in for b in balances), Decimal(0)),
        leave_taken_days=sum((b.taken for b in balances), Decimal(0)),
        leave_untaken_cadres=sum(1 for b in balances if b.taken == 0 and b.remaining > 0),
        allowance_by_month=figures.months(by_month), allowance_total_fen=sum(by_month.values()),
        welfare_by_fund=figures.funds(budgets, spent), hardship_visited=visited)
