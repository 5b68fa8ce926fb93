"""Printing (issue 5): the 个人关心关爱档案 and the registers as PDF, the print log and
verification codes.

This module gathers plain data (``services.print_data``) from the database with the same
rules the screens use, hands it to ``reports`` for layout, and logs every printout:
who printed what, when, for which period, and a SHA-256 hash of the document's
*data* (the rows, not the PDF bytes, which carry the printing date).  ``verify``
gathers the data again with the logged parameters and compares hashes, so it can
say whether a paper copy still matches the records.

Each printout gets a short verification code printed on every page
(``7KQ2-9XMD``: eight characters without 0/O/1/I).  Mental-health records appear
only in a single care record printed with ``include_mental=True`` and a stated
purpose; that read is audited like ``services.health.mental_records``.  Batch
printing never includes them.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from ..db import queries
from ..db.database import db
from ..db.models import Cadre, PrintLog, Setting, Unit, new_uuid, now
from ..domain import dates, idcard
from ..domain.errors import DomainError
from ..domain.leave import STATUS_CANCELLED
from . import print_format as fmt
from .print_data import (AllowanceRegisterData, AllowanceRow, BalanceRow, CareRecordData, CheckRow,
                            CountyRegisterData, FindingRow, FollowupLine, FundBlock, Furniture, HealthCheckLine, HealthRegisterData, HealthUnitRow,
                            LeaveRegisterData, LeaveRow, LeaveStatRow, MentalRow, PayoutPerson, PayoutUnit, TalkRow,
                            WelfareLine, WelfareRegisterData, WelfareRow, content_hash)
from ..security.protect import check_file_password
from . import audit
from .values import as_date, as_text, path_text
from ..security.access import exempt, requires


#: Where the reportlab layouts come from.  ``carecenter.reports`` lays out plain data and
#: sits above the services (ARCHITECTURE: reports → services), so the composition root
#: (``app.open_store``) hands in a loader; a layout loads on the first print, which
#: keeps reportlab out of start-up.
_layouts: Callable[[str], Any] | None = None


@exempt('composition root hands the layouts down')
def use_layouts(loader: Callable[[str], Any]) -> None:
    """``loader(name)`` returns the layout module ``name`` ("care_record", "registers")."""
    global _layouts
    _layouts = loader


def _layout(name: str) -> Any:
    if _layouts is None:
        raise RuntimeError("printing.use_layouts() was not called (see carecenter.app.open_store)")
    return _layouts(name)

log = logging.getLogger(__name__)

REGISTER_KINDS: dict[str, str] = {
    "allowance": "津贴补贴发放花名册",
    "leave": "年休假统计表",
    "health": "健康体检汇总表",
    "welfare": "福利慰问登记表",
    "county": "乡镇公务员关心关爱工作汇总表",
}
CARE_RECORD = "care_record"
KIND_NAMES = {CARE_RECORD: fmt.CARE_RECORD_TITLE, **REGISTER_KINDS}
OUTPUT_ACTIONS = ("预览", "打印", "导出")
_AUDIT_ACTION = {"预览": "view", "打印": "print", "导出": "export"}

UNIT_NAME_KEY = "printing.unit_name"
DEFAULT_UNIT_NAME = "关心关爱中心"

#: verification code alphabet: digits and capitals without 0/O/1/I (read aloud, typed by hand)
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_CHUNK = 400


class Cancelled(Exception):
    """Batch printing was cancelled; partial output was removed."""


@dataclass(frozen=True)
class Printout:
    pdf: bytes
    code: str
    title: str
    pages: int
    file_name: str
    #: the same document encrypted with the password asked for (issue 11): what is
    #: saved to a file; ``pdf`` stays plain for the preview and the printer
    protected_pdf: bytes | None = None

    @property
    def saved_pdf(self) -> bytes:
        """The bytes to write when the printout is saved as a file."""
        return self.protected_pdf if self.protected_pdf is not None else self.pdf


@dataclass(frozen=True)
class Verification:
    found: bool
    code: str
    title: str
    kind: str               # in Chinese, as in PrintLogRow
    subject: str
    period: str
    printed_at: datetime | None
    printed_by: str
    actions: str
    content_hash: str
    current: bool
    message: str


@dataclass(frozen=True)
class PrintLogRow:
    code: str
    title: str
    kind: str               # what it is, in Chinese: 个人关心关爱档案 / 津贴补贴发放花名册 …
    subject: str
    period: str
    printed_at: datetime
    printed_by: str
    actions: str
    pages: int


# ---------------------------------------------------------------- the printing unit

@requires()
def unit_name() -> str:
    """The care center's name, printed in every footer (default until the clerk sets it)."""
    row = Setting.get_or_none(Setting.key == UNIT_NAME_KEY)
    return row.value if row is not None and row.value.strip() else DEFAULT_UNIT_NAME


@requires('settings.edit')
def set_unit_name(name: str) -> None:
    name = unicodedata.normalize("NFKC", name or "").strip()
    if not name:
        raise DomainError("required", "请填写打印单位名称（如“××镇公务员关心关爱中心”）", "unit_name")
    if len(name) > 60:
        raise DomainError("too_long", "打印单位名称不超过60个字", "unit_name")
    with db.atomic():
        old = unit_name()
        if name == old and Setting.get_or_none(Setting.key == UNIT_NAME_KEY) is not None:
            return
        Setting.replace(key=UNIT_NAME_KEY, value=name).execute()
        audit.record("update", "setting", UNIT_NAME_KEY, "打印单位名称", {"unit_name": [old, name]})


# ---------------------------------------------------------------- verification codes

@exempt('pure formatting or parsing, no data')
def normalise_code(raw: str) -> str:
    """``7kq2 9xmd`` / ``7KQ29XMD`` / ``７ＫＱ２－９ＸＭＤ`` → ``7KQ2-9XMD`` (or the cleaned text if malformed)."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    chars = "".join(ch for ch in text if ch.isalnum())
    if len(chars) == CODE_LENGTH:
        return f"{chars[:4]}-{chars[4:]}"
    return chars


def _random_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{chars[:4]}-{chars[4:]}"


def _new_codes(n: int) -> list[str]:
    """``n`` fresh codes, distinct from each other and from every logged one."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        want = [c for c in (_random_code() for _ in range(n - len(out))) if c not in seen]
        taken: set[str] = set()
        for start in range(0, len(want), 500):
            chunk = want[start:start + 500]
            taken |= {r[0] for r in db.execute_sql(
                f"SELECT code FROM print_log WHERE code IN ({','.join('?' * len(chunk))})", chunk).fetchall()}
        for c in want:
            if c not in taken and c not in seen:
                seen.add(c)
                out.append(c)
    return out


# ---------------------------------------------------------------- small helpers

_d = as_date


def _month_text(value: Any) -> str:
    return dates.fmt_month_date(_d(value))


def _chunks(ids: list[int], size: int = _CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _in(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def _check_period(start: date, end: date) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise DomainError("required", "请选择打印期间的起止日期", "start")
    if start > end:
        raise DomainError("period_order", "打印期间的起始日期不能晚于截止日期，请重新选择", "start")


def _safe_name(text: str) -> str:
    """A file-name part that Windows and Linux both accept."""
    return re.sub(r'[\\/:*?"<>|\s]+', "", text) or "未命名"


def _period_slug(start: date, end: date) -> str:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start:%Y%m%d}-{end:%Y%m%d}"


# ---------------------------------------------------------------- care record data

_BASIC_SQL = (
    "SELECT c.id, c.uuid, c.name, c.sex, c.ethnicity, c.birth_date, c.id_number, c.political_status, "
    "c.party_join_date, c.native_place, c.marital_status, c.education_fulltime, c.degree_fulltime, "
    "c.education_inservice, c.degree_inservice, u.name, c.post, c.leadership_level, c.rank, "
    "c.personnel_status, c.position_category, c.work_start_date, c.township_start_date, c.current_post_date, "
    "c.employment_status FROM cadre c JOIN unit u ON u.id = c.unit_id WHERE c.id IN ({ids})")


def _education(level: str, degree: str) -> str:
    if level and degree:
        return f"{level}（{degree}）"
    return level or degree or ""


def _basic(r: tuple) -> tuple[str, tuple[tuple[str, str], ...]]:
    (_cid, _uuid, name, sex, ethnicity, birth, id_number, political, party, native, marital, edu_f, deg_f,
     edu_i, deg_i, unit, post, leadership, rank, personnel, category, work_start, township_start,
     post_date, status) = r
    birth_d = _d(birth)
    pairs = (
        ("姓名", name), ("性别", sex),
        ("民族", ethnicity), ("出生日期", fmt.ymd(birth_d)),
        ("身份证号", idcard.mask(id_number)), ("政治面貌", political),
        ("入党时间", _month_text(party)), ("籍贯", native),
        ("全日制学历", _education(edu_f, deg_f)), ("在职学历", _education(edu_i, deg_i)),
        ("单位", unit), ("职务", post),
        ("领导职务层次", leadership), ("职级", rank),
        ("人员身份", personnel), ("职位类别", category),
        ("参加工作时间", _month_text(work_start)), ("到乡镇工作时间", _month_text(township_start)),
        ("任现职时间", _month_text(post_date)), ("在职状态", status),
        ("婚姻状况", marital), ("", ""),
    )
    return unit, tuple((k, v or "") for k, v in pairs)


def _names() -> tuple[dict[str, str], Callable[[str], str]]:
    from . import leave, welfare

    leave_names = dict(leave.type_names())
    occasions: dict[str, str] = {}

    def occasion(code: str) -> str:
        if code not in occasions:
            occasions[code] = welfare.occasion_name(code)
        return occasions[code]

    return leave_names, occasion


def _gather_care(cadre_ids: list[int], start: date, end: date, *, mental: bool = False
                 ) -> dict[int, CareRecordData]:
    """The care records of ``cadre_ids`` over [start, end]: a few set-wise reads per
    400 cadres, plus each year's annual-leave balance through ``services.leave``."""
    from . import allowance, leave

    leave_names, occasion = _names()
    s, e = start.isoformat(), end.isoformat()
    month_start = date(start.year, start.month, 1).isoformat()
    out: dict[int, CareRecordData] = {}
    for ids in _chunks(list(dict.fromkeys(cadre_ids))):
        marks = _in(ids)
        basic = {r[0]: r for r in db.execute_sql(_BASIC_SQL.format(ids=marks), ids).fetchall()}
        rows: dict[str, dict[int, list]] = {k: {} for k in
                                            ("checks", "findings", "leaves", "allow", "welfare", "talks", "mental")}

        def collect(key: str, sql: str, params: list) -> None:
            bucket = rows[key]
            for r in db.execute_sql(sql, params).fetchall():
                bucket.setdefault(r[0], []).append(r[1:])

        collect("checks", "SELECT h.cadre_id, h.check_date, h.package, h.institution, h.conclusion, "
                          "(SELECT count(*) FROM health_finding f WHERE f.check_id = h.id AND f.archived = 0) "
                          f"FROM health_check h WHERE h.cadre_id IN ({marks}) AND h.archived = 0 "
                          "AND h.check_date >= ? AND h.check_date <= ? ORDER BY h.check_date, h.id", ids + [s, e])
        collect("findings", "SELECT f.cadre_id, h.check_date, f.item, f.level, f.description, f.notified_date, "
                            "f.referral, f.recheck_due, f.outcome, f.closed FROM health_finding f "
                            "JOIN health_check h ON h.id = f.check_id "
                            f"WHERE f.cadre_id IN ({marks}) AND f.archived = 0 AND h.archived = 0 "
                            "AND h.check_date >= ? AND h.check_date <= ? ORDER BY h.check_date, h.id, f.id",
                ids + [s, e])
        collect("leaves", "SELECT cadre_id, type_code, start_date, end_date, days, status, reason, approver "
                          f"FROM leave_record WHERE cadre_id IN ({marks}) AND archived = 0 AND status != ? "
                          "AND start_date <= ? AND end_date >= ? ORDER BY start_date, id",
                ids + [STATUS_CANCELLED, e, s])
        collect("allow", "SELECT l.cadre_id, b.month, l.scheme, l.kind, l.band, l.area_class, l.amount_fen, "
                         "l.basis, b.status FROM allowance_line l JOIN allowance_batch b ON b.id = l.batch_id "
                         f"WHERE l.cadre_id IN ({marks}) AND l.archived = 0 AND b.archived = 0 "
                         "AND b.month >= ? AND b.month <= ? ORDER BY b.month, l.scheme, l.kind DESC, l.id",
                ids + [month_start, e])
        collect("welfare", "SELECT cadre_id, record_date, occasion, money_fen, goods, goods_fen, funding_source, "
                           f"visitors FROM welfare_record WHERE cadre_id IN ({marks}) AND archived = 0 "
                           "AND record_date >= ? AND record_date <= ? ORDER BY record_date, id", ids + [s, e])
        collect("talks", 'SELECT cadre_id, talk_date, talker, "trigger", gist, follow_up FROM talk_record '
                         f"WHERE cadre_id IN ({marks}) AND archived = 0 AND talk_date >= ? AND talk_date <= ? "
                         "ORDER BY talk_date, id", ids + [s, e])
        if mental:
            collect("mental", "SELECT cadre_id, record_date, kind, scale, score, band, counsellor, summary "
                              f"FROM mental_record WHERE cadre_id IN ({marks}) AND archived = 0 "
                              "AND record_date >= ? AND record_date <= ? ORDER BY record_date, id", ids + [s, e])
        for cid in ids:
            r = basic.get(cid)
            if r is None:
                continue
            unit, pairs = _basic(r)
            balances = []
            for year in range(start.year, end.year + 1):
                try:
                    b = leave.annual_balance(cid, year)
                except DomainError as err:   # no annual-leave rule for that year: no balance to show
                    if err.code != "rule_not_in_force":
                        raise
                    continue
                balances.append(BalanceRow(year, b.entitled, b.deferred_in, b.taken, b.remaining, b.reason))
            out[cid] = CareRecordData(
                cadre_id=cid, name=r[2], unit=unit, start=start, end=end, basic=pairs,
                checks=tuple(CheckRow(_d(d), p, i, c, n) for d, p, i, c, n in rows["checks"].get(cid, ())),
                findings=tuple(FindingRow(_d(d), item, level, desc, _d(nd), ref, _d(rd), outc, bool(closed))
                               for d, item, level, desc, nd, ref, rd, outc, closed in rows["findings"].get(cid, ())),
                balances=tuple(balances),
                leaves=tuple(LeaveRow(leave_names.get(t, t), _d(a), _d(b), Decimal(days), st, reason, appr)
                             for t, a, b, days, st, reason, appr in rows["leaves"].get(cid, ())),
                allowances=tuple(AllowanceRow(_d(m), allowance.SCHEME_NAMES.get(sc, sc), kind,
                                              allowance.band_text(sc, band, area), amount, basis,
                                              status == allowance.STATUS_LOCKED)
                                 for m, sc, kind, band, area, amount, basis, status in rows["allow"].get(cid, ())),
                welfare=tuple(WelfareRow(_d(d), occasion(o), money, goods, goods_fen, fund, visitors)
                              for d, o, money, goods, goods_fen, fund, visitors in rows["welfare"].get(cid, ())),
                talks=tuple(TalkRow(_d(d), talker, trig, gist, follow)
                            for d, talker, trig, gist, follow in rows["talks"].get(cid, ())),
                mental=tuple(MentalRow(_d(d), kind, scale, score, band, who, summ)
                             for d, kind, scale, score, band, who, summ in rows["mental"].get(cid, ()))
                if mental else None,
            )
    return out


def _care_title(data: CareRecordData) -> str:
    return fmt.care_record_title(data.name, data.start, data.end)


def _care_file_name(data: CareRecordData) -> str:
    return f"{fmt.CARE_RECORD_TITLE}_{_safe_name(data.name)}_{_period_slug(data.start, data.end)}.pdf"


def _care_params(cadre_id: int, start: date, end: date, include_mental: bool, purpose: str = "") -> str:
    params: dict[str, Any] = {"cadre_id": cadre_id, "start": start.isoformat(), "end": end.isoformat(),
                              "include_mental": include_mental}
    if include_mental:
        params["purpose"] = purpose  # printed on the record, so part of its data
    return json.dumps(params, ensure_ascii=False, sort_keys=True)


def _save_logged(pdf: bytes, out: Path | None, log: Callable[[], Any], *, protected: bool = False) -> None:
    """Run ``log`` (the print-log and audit rows) in one transaction; with ``out``, the PDF
    is first written to a temporary file in the target folder and flushed to disk, and
    moved into place inside that transaction.  A failed write leaves no "printed" entry
    and no partial file; a failed commit removes the moved file again."""
    if out is None:
        with db.atomic():
            log()
        return
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    moved = False
    try:
        try:
            with open(tmp, "wb") as fh:
                fh.write(pdf)
                fh.flush()
                os.fsync(fh.fileno())
            with db.atomic():
                row = log()
                _note_output(row, "导出", path_text(out.resolve()), protected=protected)
                os.replace(tmp, out)
                moved = True
        except OSError as exc:
            where = path_text(exc.filename) if exc.filename else path_text(out)
            raise DomainError("write_failed", f"无法写入 {where}（{exc.strerror or exc}）。请换一个保存位置，"
                                              "或关闭正在使用该文件的程序后重试；本次没有记入打印记录", "out") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        if moved:
            out.unlink(missing_ok=True)
        raise


@requires('print', 'roster.read', 'leave.read', 'health.read', 'welfare.read', 'allowance.read')
def care_record(cadre_id: int, start: date, end: date, *, include_mental: bool = False,
                purpose: str = "", password: str | None = None, out: Path | None = None) -> Printout:
    """One cadre's 个人关心关爱档案 for [start, end], logged with its verification code.

    Mental-health records only with ``include_mental`` and a purpose; that read is
    audited (``view`` of ``mental_record``), and the first page says so.  With
    ``password`` the printout also carries the document encrypted with it
    (``protected_pdf``, what is saved to a file), and the audit row says so.  With
    ``out`` the file is saved there and logged as exported in the same transaction
    (``_save_logged``)."""
    _check_period(start, end)
    purpose = as_text(purpose)
    if include_mental and not purpose:
        raise DomainError("required", "勾选打印心理健康记录时，请填写打印用途（如“心理健康随访建档”）", "purpose")
    if password is not None:
        password = check_file_password(password)
    cadre = Cadre.get_or_none(Cadre.id == cadre_id) if isinstance(cadre_id, int) else None
    if cadre is None:
        raise DomainError("not_found", "未找到该干部，请重新选择", "cadre_id")
    data = _gather_care([cadre.id], start, end, mental=include_mental)[cadre.id]
    if include_mental:
        data = replace(data, mental_purpose=purpose)
    code = _new_codes(1)[0]
    at = now()
    furniture = Furniture(code, unit_name(), at, confidential=True)
    pdf, pages = _layout("care_record").pdf(data, furniture)
    protected = _layout("care_record").pdf(data, furniture, password)[0] if password else None
    title = _care_title(data)
    period = fmt.period_text(start, end)

    def log() -> PrintLog:
        row = PrintLog.create(code=code, kind=CARE_RECORD, title=title, subject=data.name, period=period,
                              params=_care_params(cadre.id, start, end, include_mental, purpose), printed_at=at,
                              printed_by=audit.current_user(), pages=pages, content_hash=content_hash(data))
        audit.record("print", "cadre", cadre.uuid,
                     f"打印《{title}》，核验码 {code}" + ("（文件已加密）" if protected else ""),
                     {"protected": protected is not None})
        if include_mental:
            audit.record("view", "mental_record", cadre.uuid,
                         f"打印 {cadre.name} 的心理健康记录（{len(data.mental or ())} 条），事由：{purpose}"[:200])
        return row

    _save_logged(protected if protected is not None else pdf, out, log, protected=protected is not None)
    return Printout(pdf, code, title, pages, _care_file_name(data), protected)


# ---------------------------------------------------------------- batch

def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the ones created, outermost first."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


@requires('print', 'roster.read', 'leave.read', 'health.read', 'welfare.read', 'allowance.read')
def care_records_batch(cadre_ids: list[int], start: date, end: date, out: Path, *, one_file: bool,
                       progress: Callable[[int, int], None] | None = None,
                       cancelled: Callable[[], bool] | None = None) -> list[Path]:
    """Care records for many cadres (never with mental-health records).

    ``one_file``: ``out`` is the .pdf to write, every record starting on a new page and
    numbered on its own; otherwise ``out`` is a folder and each cadre gets its own file.
    ``progress(done, total)`` after each cadre; when ``cancelled()`` turns true the
    partial output is removed, nothing is logged, and ``Cancelled`` is raised.
    Every record is logged with its own verification code once all are written."""
    _check_period(start, end)
    ids = list(dict.fromkeys(int(i) for i in cadre_ids))
    if not ids:
        raise DomainError("required", "没有选择要打印的干部，请先筛选或勾选干部", "cadre_ids")
    out = Path(out)
    total = len(ids)
    is_cancelled = cancelled or (lambda: False)
    report = progress or (lambda done, total: None)
    unit = unit_name()
    at = now()
    user = audit.current_user()
    period = fmt.period_text(start, end)
    entries: list[dict[str, Any]] = []
    audits: list[tuple] = []
    written: list[Path] = []
    uuids: dict[int, str] = {}
    for chunk in _chunks(ids):
        uuids.update(db.execute_sql(f"SELECT id, uuid FROM cadre WHERE id IN ({_in(chunk)})", chunk).fetchall())
    missing = [i for i in ids if i not in uuids]
    if missing:
        raise DomainError("not_found", f"有 {len(missing)} 名干部已不存在，请刷新列表后重试", "cadre_ids")

    def log_entry(data: CareRecordData, code: str, pages: int, target: Path) -> None:
        title = _care_title(data)
        entries.append(dict(uuid=new_uuid(), created_at=at, updated_at=at, archived=False, code=code,
                            kind=CARE_RECORD, title=title, subject=data.name, period=period,
                            params=_care_params(data.cadre_id, start, end, False), printed_at=at, printed_by=user,
                            pages=pages, content_hash=content_hash(data),
                            actions=f"{at:%Y-%m-%d %H:%M} 导出（批量）→ {target}"))
        audits.append(("print", "cadre", uuids[data.cadre_id], f"批量打印《{title}》，核验码 {code}", {}))

    tmp: Path | None = None
    made: list[Path] = []
    if one_file and out.is_dir():
        raise DomainError("not_a_file", f"{out} 是一个文件夹，请指定要保存的 PDF 文件名", "out")
    if not one_file and out.exists() and not out.is_dir():
        raise DomainError("not_a_folder", f"{out} 不是文件夹，请选择保存各人档案的文件夹", "out")
    try:
        if one_file:
            if out.suffix.lower() != ".pdf":
                out = out.with_suffix(".pdf")
            made = _make_dirs(out.parent)
            records: list[tuple[CareRecordData, Furniture]] = []
            codes = iter(_new_codes(total))
            for chunk in _chunks(ids):
                if is_cancelled():
                    raise Cancelled()
                gathered = _gather_care(chunk, start, end)
                for cid in chunk:
                    records.append((gathered[cid], Furniture(next(codes), unit, at, confidential=True)))

            def on_group(index: int) -> None:
                if index:
                    report(index, total)
                if is_cancelled():
                    raise Cancelled()

            tmp = out.with_name(out.name + ".part")
            with open(tmp, "wb") as fh:
                counts = _layout("care_record").pdf_many(records, fh, on_group=on_group,
                                              title=f"{fmt.CARE_RECORD_TITLE}（{period}，{total} 份）", author=unit)
            os.replace(tmp, out)
            tmp = None
            written.append(out)
            for i, (data, furn) in enumerate(records):
                log_entry(data, furn.code, counts.get(i, 0), out)
            report(total, total)
        else:
            made = _make_dirs(out)
            existing = {p.name for p in out.iterdir()}   # never overwritten
            used: set[str] = set()
            codes = iter(_new_codes(total))
            done = 0
            for chunk in _chunks(ids, 50):
                gathered = _gather_care(chunk, start, end)
                for cid in chunk:
                    if is_cancelled():
                        raise Cancelled()
                    data = gathered[cid]
                    code = next(codes)
                    pdf, pages = _layout("care_record").pdf(data, Furniture(code, unit, at, confidential=True))
                    name = _care_file_name(data)
                    if name in used:   # namesakes in this batch: told apart by the ID number's last four
                        number = db.execute_sql("SELECT id_number FROM cadre WHERE id = ?", (cid,)).fetchone()[0]
                        name = name[:-4] + f"_尾号{number[-4:]}.pdf"
                    base, n = name[:-4], 2
                    while name in used or name in existing:
                        name = f"{base}（{n}）.pdf"
                        n += 1
                    used.add(name)
                    target = out / name
                    target.write_bytes(pdf)
                    written.append(target)
                    log_entry(data, code, pages, target)
                    done += 1
                    report(done, total)
        with db.atomic():
            for start_at in range(0, len(entries), 100):
                PrintLog.insert_many(entries[start_at:start_at + 100]).execute()
            audit.record_many(audits)
        return written
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):     # the folders made for this output, deepest first
            try:
                folder.rmdir()
            except OSError:
                break
        if isinstance(exc, OSError):
            raise DomainError("write_failed", f"无法写入 {exc.filename or out}（{exc.strerror or exc}）。"
                                              "请换一个保存位置，或关闭正在使用该文件的程序后重试。", "out") from exc
        raise


# ---------------------------------------------------------------- registers

_MONTH_RE = re.compile(r"^(\d{4})\s*[-./年]?\s*(\d{1,2})\s*月?$")
_YEAR_RE = re.compile(r"^(\d{4})\s*(?:年度?)?$")


@exempt('pure formatting or parsing, no data')
def parse_period(kind: str, period: str) -> date | int:
    """The month (first day) of an allowance register or the year of the others."""
    if kind not in REGISTER_KINDS:
        raise DomainError("unknown_kind", f"没有“{kind}”这种登记表，可选：" + "、".join(
            f"{k}（{v}）" for k, v in REGISTER_KINDS.items()), "kind")
    text = unicodedata.normalize("NFKC", str(period or "")).strip()
    if kind == "allowance":
        m = _MONTH_RE.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12 or not 1900 <= int(m.group(1)) <= 2200:
            raise DomainError("period_format", f"期间“{text}”格式不对：津贴补贴发放花名册请填写月份，如 2026-11", "period")
        return date(int(m.group(1)), int(m.group(2)), 1)
    m = _YEAR_RE.match(text)
    if not m or not 1900 <= int(m.group(1)) <= 2200:
        raise DomainError("period_format", f"期间“{text}”格式不对：{REGISTER_KINDS[kind]}请填写年度，如 2026", "period")
    return int(m.group(1))


def _empty(kind: str, period_text: str, scope: str) -> DomainError:
    where = "" if scope == "全部单位" else f"（{scope}）"
    return DomainError("empty_period", f"{period_text}{where}没有可打印的记录，{REGISTER_KINDS[kind]}未生成。"
                                       "请换一个期间或单位。", "period")


def _scope(unit_id: int | None) -> tuple[str, str | None]:
    """(scope shown on the register, unit name to filter on or None)."""
    if unit_id in (None, "", 0):
        return "全部单位", None
    unit = Unit.get_or_none(Unit.id == unit_id)
    if unit is None:
        raise DomainError("not_found", "未找到所选单位，请重新选择", "unit_id")
    return unit.name, unit.name


def _unit_order(name: str) -> tuple[str, str]:
    from ..domain.pinyin import sort_key   # pypinyin's dictionary: loaded only for registers

    return (sort_key(name), name)


def _allowance_data(month: date, unit_id: int | None) -> AllowanceRegisterData:
    from . import allowance

    scope, unit = _scope(unit_id)
    batch = db.execute_sql("SELECT status FROM allowance_batch WHERE month = ? AND archived = 0",
                           (month.isoformat(),)).fetchone()
    if batch is None:
        raise _empty("allowance", fmt.cn_month(month), scope)
    f = queries.AllowanceLineFilter(month, unit or "")
    lines = queries.allowance_lines(queries.allowance_line_ids(f))
    units: list[PayoutUnit] = []
    people: dict[int, dict[str, Any]] = {}
    current: str | None = None
    order: list[int] = []

    def close_unit() -> None:
        if current is not None:
            units.append(PayoutUnit(current, tuple(
                PayoutPerson(p["name"], p["hardship"], p["township"], p["correction"], "；".join(p["basis"]))
                for p in (people[c] for c in order))))

    for (_lid, cid, name, unit_name_, scheme, _band, _area, amount, _gen, basis, reason, kind,
         corrects) in lines:
        if unit_name_ != current:
            close_unit()
            current, people, order = unit_name_, {}, []
        p = people.get(cid)
        if p is None:
            p = people[cid] = {"name": name, "hardship": 0, "township": 0, "correction": 0, "basis": []}
            order.append(cid)
        if kind == allowance.KIND_REGULAR:
            p["hardship" if scheme == "hardship" else "township"] += amount
            p["basis"].append(basis)
        else:
            p["correction"] += amount
            label = f"{kind}{fmt.cn_month(_d(corrects))}" if corrects else kind
            p["basis"].append(f"{label}：{reason or basis}")
    close_unit()
    if not units:
        raise _empty("allowance", fmt.cn_month(month), scope)
    return AllowanceRegisterData(month, scope, batch[0], tuple(units))


def _leave_data(year: int, unit_id: int | None) -> LeaveRegisterData:
    from . import leave

    scope, _unit = _scope(unit_id)
    try:
        rows = leave.annual_balances(year, unit_id or None)
    except DomainError as err:   # no annual-leave rule in force that year: nothing to count
        if err.code != "rule_not_in_force":
            raise
        rows = []
    if not rows or all(r.entitled == 0 and r.deferred_in == 0 and r.taken == 0 for r in rows):
        raise _empty("leave", f"{year}年度", scope)
    ordered = sorted(enumerate(rows), key=lambda ir: (_unit_order(ir[1].unit), ir[0]))
    return LeaveRegisterData(year, scope, tuple(
        LeaveStatRow(r.unit, r.name, r.entitled, r.deferred_in, r.taken, r.remaining, r.reason) for _i, r in ordered))


def _health_data(year: int, unit_id: int | None) -> HealthRegisterData:
    scope, _unit = _scope(unit_id)
    units = queries.unit_names()
    where_unit = " AND c.unit_id = ?" if unit_id else ""
    extra = [unit_id] if unit_id else []
    s, e = f"{year}-01-01", f"{year}-12-31"
    checks = db.execute_sql(
        "SELECT c.unit_id, c.name, h.check_date, h.package, h.institution, h.conclusion, "
        "(SELECT count(*) FROM health_finding f WHERE f.check_id = h.id AND f.archived = 0), c.id "
        "FROM health_check h JOIN cadre c ON c.id = h.cadre_id "
        f"WHERE h.archived = 0 AND c.archived = 0 AND h.check_date >= ? AND h.check_date <= ?{where_unit} "
        "ORDER BY c.name_sort, c.id, h.check_date, h.id", [s, e] + extra).fetchall()
    levels = db.execute_sql(
        "SELECT c.unit_id, f.level, count(*) FROM health_finding f JOIN health_check h ON h.id = f.check_id "
        "JOIN cadre c ON c.id = f.cadre_id WHERE f.archived = 0 AND h.archived = 0 AND c.archived = 0 "
        f"AND h.check_date >= ? AND h.check_date <= ?{where_unit} GROUP BY c.unit_id, f.level",
        [s, e] + extra).fetchall()
    serving = db.execute_sql(
        f"SELECT c.unit_id, count(*) FROM cadre c WHERE {queries.serving_where()}{where_unit} GROUP BY c.unit_id",
        list(queries.SERVING_STATUSES) + extra).fetchall()
    serving_ids = {r[0] for r in db.execute_sql(
        f"SELECT c.id FROM cadre c WHERE {queries.serving_where()}{where_unit}",
        list(queries.SERVING_STATUSES) + extra).fetchall()}
    followups = [r for r in queries.open_findings(None, unit_id or None) if _d(r[5]) <= date(year, 12, 31)]
    if not checks and not followups:
        raise _empty("health", f"{year}年度", scope)
    per_unit: dict[int, dict[str, Any]] = {}

    def unit_row(uid: int) -> dict[str, Any]:
        return per_unit.setdefault(uid, {"serving": 0, "checked": set(), "checks": 0, "A": 0, "B": 0})

    for uid, n in serving:
        unit_row(uid)["serving"] = n
    for r in checks:
        u = unit_row(r[0])
        u["checks"] += 1
        if r[7] in serving_ids:
            u["checked"].add(r[7])
    for uid, level, n in levels:
        unit_row(uid)[level if level in ("A", "B") else "B"] += n
    unit_rows = sorted((HealthUnitRow(units.get(uid, ""), v["serving"], len(v["checked"]), v["checks"], v["A"], v["B"])
                        for uid, v in per_unit.items()), key=lambda u: _unit_order(u.unit))
    check_lines = sorted((HealthCheckLine(units.get(r[0], ""), r[1], _d(r[2]), r[3], r[4], r[5], r[6])
                          for r in checks), key=lambda c: _unit_order(c.unit))  # stable: name order kept
    follow_lines = [FollowupLine(units.get(r[4], ""), r[3], _d(r[5]), r[6], r[8], _d(r[9]), r[10], _d(r[11]))
                    for r in followups]
    follow_lines.sort(key=lambda f: (f.recheck_due or date.max, f.level, _unit_order(f.unit)))
    return HealthRegisterData(year, scope, tuple(unit_rows), tuple(check_lines), tuple(follow_lines))


def _welfare_data(year: int, unit_id: int | None) -> WelfareRegisterData:
    from . import welfare

    scope, _unit = _scope(unit_id)
    units = queries.unit_names()
    _leave_names, occasion = _names()
    where_unit = " AND c.unit_id = ?" if unit_id else ""
    rows = db.execute_sql(
        "SELECT w.funding_source, w.record_date, c.unit_id, c.name, w.occasion, w.money_fen, w.goods, w.goods_fen, "
        "w.visitors FROM welfare_record w JOIN cadre c ON c.id = w.cadre_id "
        f"WHERE w.archived = 0 AND w.record_date >= ? AND w.record_date <= ?{where_unit} "
        "ORDER BY w.record_date, w.id", [f"{year}-01-01", f"{year}-12-31"] + ([unit_id] if unit_id else [])
    ).fetchall()
    if not rows:
        raise _empty("welfare", f"{year}年度", scope)
    by_fund: dict[str, list[WelfareLine]] = {}
    for fund, day, uid, name, occ, money, goods, goods_fen, visitors in rows:
        by_fund.setdefault(fund or "未填写经费来源", []).append(
            WelfareLine(_d(day), units.get(uid, ""), name, occasion(occ), money, goods, goods_fen, visitors))
    budgets = {u.name: u.budget_fen for u in welfare.fund_usage(year)} if not unit_id else {}
    order = [u.name for u in welfare.fund_usage(year)]
    names = sorted(by_fund, key=lambda n: (order.index(n) if n in order else len(order), n))
    return WelfareRegisterData(year, scope, tuple(FundBlock(n, budgets.get(n), tuple(by_fund[n])) for n in names))


def _county_data(year: int, unit_id: int | None) -> CountyRegisterData:
    """The county edition's 汇总 of ``year`` (issue 15): the townships' current packages."""
    from . import county, exchange_setup

    if unit_id:
        raise DomainError("scope", "乡镇公务员关心关爱工作汇总表按全县打印，不按单位", "unit_id")
    summary = county.summary(year)
    if not summary.townships:
        raise _empty("county", f"{year}年度", "全部单位")
    return CountyRegisterData(year, "全部单位", exchange_setup.identity().name, summary.townships, summary.total)


_GATHER = {"allowance": _allowance_data, "leave": _leave_data, "health": _health_data, "welfare": _welfare_data,
           "county": _county_data}


def _register_data(kind: str, period: str, unit_id: int | None):
    when = parse_period(kind, period)
    return _GATHER[kind](when, unit_id)


def _period_label(kind: str, when: date | int) -> str:
    return fmt.cn_month(when) if kind == "allowance" else f"{when}年度"


def _register_slug(kind: str, when: date | int) -> str:
    return f"{when:%Y-%m}" if kind == "allowance" else str(when)


def _register_file_name(kind: str, slug: str, scope: str) -> str:
    return f"{REGISTER_KINDS[kind]}_{slug}" + ("" if scope == "全部单位" else f"_{_safe_name(scope)}") + ".pdf"


@requires('print')
def default_register_file_name(kind: str, period: str, *, unit_id: int | None = None) -> str:
    """The file name ``register`` suggests (「登记表名_期间[_单位]」.pdf), known before printing."""
    when = parse_period(kind, period)
    return _register_file_name(kind, _register_slug(kind, when), _scope(unit_id)[0])


@requires('print')
def default_care_file_name(cadre_id: int, start: date, end: date) -> str:
    """The file name ``care_record`` suggests (「个人关心关爱档案_姓名_期间」.pdf), known before printing."""
    _check_period(start, end)
    cadre = Cadre.get_or_none(Cadre.id == cadre_id) if isinstance(cadre_id, int) else None
    if cadre is None:
        raise DomainError("not_found", "未找到该干部，请重新选择", "cadre_id")
    return f"{fmt.CARE_RECORD_TITLE}_{_safe_name(cadre.name)}_{_period_slug(start, end)}.pdf"


@requires('print')
def register(kind: str, period: str, *, unit_id: int | None = None, out: Path | None = None) -> Printout:
    """A register as PDF, logged with its verification code.

    ``period``: a month ("2026-11") for the allowance payout register, a year ("2026")
    for the others.  An empty period raises DomainError (…没有可打印的记录…).  With ``out``
    the PDF is saved there and logged as exported in the same transaction."""
    when = parse_period(kind, period)
    data = _GATHER[kind](when, unit_id)
    label = _period_label(kind, when)
    scope = data.scope
    title = f"{REGISTER_KINDS[kind]}（{label}" + ("" if scope == "全部单位" else f"，{scope}") + "）"
    code = _new_codes(1)[0]
    at = now()
    pdf, pages = _layout("registers").pdf(kind, data, Furniture(code, unit_name(), at), title=title)
    slug = _register_slug(kind, when)
    file_name = _register_file_name(kind, slug, scope)
    params = json.dumps({"kind": kind, "period": slug, "unit_id": unit_id or None}, sort_keys=True)
    def log() -> PrintLog:
        row = PrintLog.create(code=code, kind=kind, title=title, subject=scope, period=label, params=params,
                              printed_at=at, printed_by=audit.current_user(), pages=pages,
                              content_hash=content_hash(data))
        audit.record("print", "print_log", row.uuid, f"打印《{title}》，核验码 {code}")
        return row

    _save_logged(pdf, out, log)
    return Printout(pdf, code, title, pages, file_name)


# ---------------------------------------------------------------- the log and verification

@requires('print')
def record_output(code: str, action: str, target: str = "", *, protected: bool = False) -> None:
    """Note what was done with a printout: 预览, 打印 (target: the printer) or 导出 (target: the file;
    ``protected``: the file was written encrypted with a password)."""
    if action not in OUTPUT_ACTIONS:
        raise DomainError("invalid_action", f"未知的操作“{action}”，应为：" + "、".join(OUTPUT_ACTIONS), "action")
    key = normalise_code(code)
    with db.atomic():
        row = PrintLog.get_or_none(PrintLog.code == key)
        if row is None:
            raise DomainError("not_found", f"未找到核验码 {key or code} 的打印记录", "code")
        _note_output(row, action, path_text(target), protected=protected)


def _note_output(row: PrintLog, action: str, target: str = "", *, protected: bool = False) -> None:
    """Append "时间 操作 → 去向" to the printout's log row and audit it (inside the caller's transaction)."""
    line = f"{now():%Y-%m-%d %H:%M} {action}" + (f" → {target}" if target else "")
    actions = (row.actions + "\n" + line) if row.actions else line
    PrintLog.update(actions=actions, updated_at=now()).where(PrintLog.id == row.id).execute()
    audit.record(_AUDIT_ACTION[action], "print_log", row.uuid,
                 f"{action}《{row.title}》" + (f" → {target}" if target else "") + f"，核验码 {row.code}"
                 + ("（文件已加密）" if protected else ""), {"protected": protected})


@requires('print')
def print_log(limit: int = 500) -> list[PrintLogRow]:
    """The latest printouts, newest first."""
    q = (PrintLog.select().where(PrintLog.archived == False)  # noqa: E712
         .order_by(PrintLog.printed_at.desc(), PrintLog.id.desc()).limit(limit))
    return [PrintLogRow(r.code, r.title, KIND_NAMES.get(r.kind, r.kind), r.subject, r.period, r.printed_at,
                        r.printed_by, r.actions, r.pages) for r in q]


def _current_hash(row: PrintLog) -> str | None:
    """The hash of the same document's data gathered now (None: cannot be built any more)."""
    params = json.loads(row.params or "{}")
    try:
        if row.kind == CARE_RECORD:
            start, end = date.fromisoformat(params["start"]), date.fromisoformat(params["end"])
            cid = int(params["cadre_id"])
            found = _gather_care([cid], start, end, mental=bool(params.get("include_mental")))
            if cid not in found:
                return None
            data = found[cid]
            if params.get("include_mental"):
                data = replace(data, mental_purpose=params.get("purpose", ""))
            return content_hash(data)
        if row.kind in REGISTER_KINDS:
            return content_hash(_register_data(row.kind, params["period"], params.get("unit_id")))
    except (DomainError, KeyError, ValueError) as exc:
        log.info("print %s can no longer be rebuilt: %s", row.code, exc)
        return None
    return None


@requires('print')
def verify(code: str) -> Verification:
    """What the printout with this code contained and whether its data is still current."""
    key = normalise_code(code)
    row = PrintLog.get_or_none(PrintLog.code == key) if len(key) == CODE_LENGTH + 1 else None
    if row is None:
        shown = key or as_text(code)
        return Verification(False, shown, "", "", "", "", None, "", "", "", False,
                            f"未找到核验码 {shown}，请核对。核验码为 8 位字母和数字（如 7KQ2-9XMD），不含 0、O、1、I。")
    now_hash = _current_hash(row)
    current = now_hash == row.content_hash
    head = (f"核验码 {row.code}：{row.printed_at:%Y-%m-%d %H:%M} 由 {row.printed_by} 打印的《{row.title}》"
            f"（共 {row.pages} 页）")
    if current:
        message = head + "，内容与当前数据一致。"
    elif now_hash is None:
        message = head + "，相关记录已不存在或已无可打印的内容，该打印件已不是最新。"
    else:
        message = head + "，打印后数据已有变更，该打印件已不是最新。"
    return Verification(True, row.code, row.title, KIND_NAMES.get(row.kind, row.kind), row.subject, row.period,
                        row.printed_at, row.printed_by, row.actions, row.content_hash, current, message)
