"""The plain data each document is laid out from (gathered by ``services.printing``).

Money is integer fen, day counts exact ``Decimal``, dates ``datetime.date``.  The
same values are hashed (``canonical``) to tell later whether a printout is still
current, so nothing here depends on the day of printing.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from ..security.access import exempt, requires


# ---------------------------------------------------------------- 个人关心关爱档案

@dataclass(frozen=True)
class CheckRow:
    check_date: date
    package: str
    institution: str
    conclusion: str
    findings: int


@dataclass(frozen=True)
class FindingRow:
    check_date: date
    item: str
    level: str                 # A / B
    description: str
    notified_date: date | None
    referral: str
    recheck_due: date | None
    outcome: str
    closed: bool


@dataclass(frozen=True)
class BalanceRow:
    year: int
    entitled: Decimal
    deferred_in: Decimal
    taken: Decimal
    remaining: Decimal
    reason: str


@dataclass(frozen=True)
class LeaveRow:
    type_name: str
    start_date: date
    end_date: date
    days: Decimal
    status: str
    reason: str
    approver: str


@dataclass(frozen=True)
class AllowanceRow:
    month: date
    scheme_name: str
    kind: str                  # 正常 / 补发 / 扣减
    band: str
    amount_fen: int
    basis: str
    locked: bool


@dataclass(frozen=True)
class WelfareRow:
    record_date: date
    occasion: str
    money_fen: int
    goods: str
    goods_fen: int
    funding_source: str
    visitors: str


@dataclass(frozen=True)
class TalkRow:
    talk_date: date
    talker: str
    trigger: str
    gist: str
    follow_up: str


@dataclass(frozen=True)
class MentalRow:
    record_date: date
    kind: str                  # 评估 / 咨询
    scale: str
    score: int | None
    band: str
    counsellor: str
    summary: str


@dataclass(frozen=True)
class CareRecordData:
    cadre_id: int
    name: str
    unit: str
    start: date
    end: date
    basic: tuple[tuple[str, str], ...]         # (label, value), ID number already masked
    checks: tuple[CheckRow, ...] = ()
    findings: tuple[FindingRow, ...] = ()
    balances: tuple[BalanceRow, ...] = ()
    leaves: tuple[LeaveRow, ...] = ()
    allowances: tuple[AllowanceRow, ...] = ()
    welfare: tuple[WelfareRow, ...] = ()
    talks: tuple[TalkRow, ...] = ()
    mental: tuple[MentalRow, ...] | None = None  # None: not included in this print
    mental_purpose: str = ""


# ---------------------------------------------------------------- registers

@dataclass(frozen=True)
class PayoutPerson:
    name: str
    hardship_fen: int
    township_fen: int
    correction_fen: int          # 补发 (+) and 扣减 (−) lines together
    basis: str

    @property
    def total_fen(self) -> int:
        return self.hardship_fen + self.township_fen + self.correction_fen


@dataclass(frozen=True)
class PayoutUnit:
    unit: str
    people: tuple[PayoutPerson, ...]


@dataclass(frozen=True)
class AllowanceRegisterData:
    month: date
    scope: str                   # 全部单位 / the unit's name
    status: str                  # 草稿 / 已锁定
    units: tuple[PayoutUnit, ...]


@dataclass(frozen=True)
class LeaveStatRow:
    unit: str
    name: str
    entitled: Decimal
    deferred_in: Decimal
    taken: Decimal
    remaining: Decimal
    reason: str


@dataclass(frozen=True)
class LeaveRegisterData:
    year: int
    scope: str
    rows: tuple[LeaveStatRow, ...]


@dataclass(frozen=True)
class HealthUnitRow:
    unit: str
    serving: int                 # serving cadres of the unit
    checked: int                 # of them, with a check in the year
    checks: int
    level_a: int
    level_b: int


@dataclass(frozen=True)
class HealthCheckLine:
    unit: str
    name: str
    check_date: date
    package: str
    institution: str
    conclusion: str
    findings: int


@dataclass(frozen=True)
class FollowupLine:
    unit: str
    name: str
    check_date: date
    item: str
    level: str
    notified_date: date | None
    referral: str
    recheck_due: date | None


@dataclass(frozen=True)
class HealthRegisterData:
    year: int
    scope: str
    units: tuple[HealthUnitRow, ...]
    checks: tuple[HealthCheckLine, ...]
    followups: tuple[FollowupLine, ...]


@dataclass(frozen=True)
class WelfareLine:
    record_date: date
    unit: str
    name: str
    occasion: str
    money_fen: int
    goods: str
    goods_fen: int
    visitors: str


@dataclass(frozen=True)
class FundBlock:
    fund: str
    budget_fen: int | None
    lines: tuple[WelfareLine, ...]


@dataclass(frozen=True)
class WelfareRegisterData:
    year: int
    scope: str
    funds: tuple[FundBlock, ...]


@dataclass(frozen=True)
class CountyRegisterData:
    """乡镇公务员关心关爱工作汇总表 (the county edition, issue 15): the 汇总 of a year, per township
    as its current package reports it, and the county's total."""
    year: int
    scope: str                       # 全部单位: the register is the county's whole
    county: str                      # the county's name
    townships: tuple[Any, ...]       # services.figures.TownshipFigures, by code
    total: Any                       # the 合计 row


# ---------------------------------------------------------------- the page furniture

@dataclass(frozen=True)
class Furniture:
    """What the footer of one document shows (not part of the content hash)."""

    code: str                    # verification code, every page
    unit_name: str               # the printing unit
    printed_at: datetime
    confidential: bool = False   # 内部资料 注意保密


# ---------------------------------------------------------------- hashing

def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value != 0 else "0"
    return value


@exempt('pure formatting or parsing, no data')
def canonical(data: Any) -> bytes:
    """The document's data as canonical JSON (keys sorted, exact numbers)."""
    return json.dumps(_plain(data), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@exempt('pure formatting or parsing, no data')
def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()

