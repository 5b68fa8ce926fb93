"""peewee models.  The schema itself is built by the numbered migrations;
``tests/db/test_schema.py`` proves that these models and the migrated schema agree.

Every record has a stable UUID (for exchange between township and county),
created/updated timestamps and an archived flag: people are archived, never
deleted.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from decimal import Decimal

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    CompositeKey,
    IntegerField,
    Model,
    ModelIndex,
    TextField,
)

from ..security import access
from .database import db


def new_uuid() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


class BaseModel(Model):
    uuid = CharField(max_length=32, unique=True, default=new_uuid)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    archived = BooleanField(default=False)  # no index: it selects nothing (migration 0006)

    class Meta:
        database = db
        legacy_table_names = False


class Choice(Model):
    """Pick lists (ranks, political status, education …) kept as data."""

    category = CharField(max_length=40)
    value = CharField(max_length=60)
    sort_order = IntegerField(default=0)
    archived = BooleanField(default=False)

    class Meta:
        database = db
        legacy_table_names = False
        indexes = ((("category", "value"), True),)


class Unit(BaseModel):
    name = CharField(max_length=100)
    kind = CharField(max_length=20, default="")
    township = CharField(max_length=60, default="")
    township_category = CharField(max_length=10, default="")  # 乡 / 镇 / 街道
    hardship_area_class = CharField(max_length=10, default="无")  # 无, 一类 … 六类
    notes = TextField(default="")
    especially_hard = BooleanField(default=False)  # 条件特别艰苦的偏远乡镇 (township subsidy supplement)


class Cadre(BaseModel):
    # identity
    name = CharField(max_length=40, index=True)
    name_initials = CharField(max_length=120, default="")  # search: ' zs cs'
    name_sort = CharField(max_length=200, default="")  # order: 'zeng xiao ming'
    sex = CharField(max_length=2)
    ethnicity = CharField(max_length=20, default="汉族")
    id_number = CharField(max_length=18, unique=True)
    birth_date = DateField(index=True)
    native_place = CharField(max_length=60, default="")
    political_status = CharField(max_length=20, default="")
    party_join_date = DateField(null=True)
    education_fulltime = CharField(max_length=20, default="")
    degree_fulltime = CharField(max_length=20, default="")
    education_inservice = CharField(max_length=20, default="")
    degree_inservice = CharField(max_length=20, default="")
    marital_status = CharField(max_length=10, default="")
    only_child = BooleanField(default=False)
    # contact
    phone = CharField(max_length=20, default="", index=True)
    emergency_contact = CharField(max_length=40, default="")
    emergency_phone = CharField(max_length=20, default="")
    # post
    unit = ForeignKeyField(Unit, backref="cadres", on_delete="RESTRICT", index=True)
    post = CharField(max_length=60, default="")
    leadership_level = CharField(max_length=20, default="")
    rank = CharField(max_length=20, default="")
    pay_grade = IntegerField(null=True)
    personnel_status = CharField(max_length=20, default="公务员")
    position_category = CharField(max_length=20, default="综合管理类")
    employment_status = CharField(max_length=10, default="在职", index=True)
    # dates that drive leave and subsidies
    work_start_date = DateField(null=True)
    township_start_date = DateField(null=True)
    current_post_date = DateField(null=True)
    notes = TextField(default="")

    class Meta:
        indexes = ((("archived", "name_sort"), False),)

    @classmethod
    def get_by_id(cls, pk):
        """One cadre, refused (OutOfScope) when the signed-in account is limited to other units."""
        cadre = super().get_by_id(pk)
        access.check_unit(cadre.unit_id)
        return cadre


class FamilyMember(BaseModel):
    cadre = ForeignKeyField(Cadre, backref="family", on_delete="CASCADE", index=True)
    name = CharField(max_length=40)
    relation = CharField(max_length=10)
    birth_date = DateField(null=True)
    lives_with = BooleanField(default=True)
    residence = CharField(max_length=100, default="")
    phone = CharField(max_length=20, default="")
    work_unit = CharField(max_length=100, default="")


class AuditLog(Model):
    """Who did what, when (DOMAIN.md §6), hash-chained (issue 10, migration 0011).

    Written only by ``security.auditchain.append`` (through ``services.audit``);
    SQLite triggers refuse UPDATE and DELETE."""

    at = DateTimeField(default=now, index=True)
    user = CharField(max_length=60)
    action = CharField(max_length=20)  # create / update / archive / restore / view / export / print / signin …
    table = CharField(max_length=40)
    record_uuid = CharField(max_length=32, index=True)
    summary = CharField(max_length=200, default="")
    changes = TextField(default="")  # JSON {field: [old, new]}
    cadre_uuid = CharField(max_length=32, default="", index=True)
    prev_hash = CharField(max_length=64, default="")
    row_hash = CharField(max_length=64, default="")

    class Meta:
        database = db
        legacy_table_names = False


class Role(BaseModel):
    """A named set of permissions (presets per 三员分立 plus the office's jobs; editable)."""

    code = CharField(max_length=30, unique=True)
    name = CharField(max_length=40)
    permissions = TextField(default="[]")  # JSON list of permission names
    preset = BooleanField(default=False)
    notes = TextField(default="")


class Account(BaseModel):
    """A person who signs in.  Never deleted (the audit names it): disabled instead."""

    login = CharField(max_length=40, unique=True)
    display_name = CharField(max_length=40)
    roles = TextField(default="[]")  # JSON list of role codes
    unit_ids = TextField(default="")  # JSON list of unit ids; '' = every unit
    enabled = BooleanField(default=True)
    password_hash = TextField()  # argon2id, never the password
    password_set_at = DateTimeField(null=True)
    must_change = BooleanField(default=True)
    password_history = TextField(default="[]")  # JSON: the previous hashes, newest first
    failed_count = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_failed_at = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)


class DaysField(TextField):
    """Day counts as exact decimals (half days allowed), stored as text: '2.5'."""

    def db_value(self, value):
        if value is None:
            return None
        return str(Decimal(value).normalize()) if Decimal(value) != 0 else "0"

    def python_value(self, value):
        return None if value is None else Decimal(value)


class Setting(Model):
    key = CharField(max_length=60, primary_key=True)
    value = TextField(default="")

    class Meta:
        database = db
        legacy_table_names = False


# ---------------------------------------------------------------- leave (DOMAIN.md §2)

class CalendarDay(BaseModel):
    """A local override of the statutory calendar: a holiday or a make-up workday."""

    day = DateField(unique=True)
    is_workday = BooleanField()
    name = CharField(max_length=40, default="")
    note = TextField(default="")


class LeaveTypeRule(BaseModel):
    """One dated row of a leave type's rule (presets: national, zhejiang; editable).

    ``data`` holds the whole row as JSON (numbers kept exact, see
    ``domain.presets.leave_type_from_dict``); code/name/date are columns for listing.
    """

    code = CharField(max_length=30)
    name = CharField(max_length=30)
    effective_from = DateField()
    preset = CharField(max_length=20, default="")
    data = TextField()

    class Meta:
        indexes = ((("code", "effective_from"), True),)


class LeaveRecord(BaseModel):
    cadre = ForeignKeyField(Cadre, backref="leaves", on_delete="RESTRICT")
    type_code = CharField(max_length=30)
    start_date = DateField()
    end_date = DateField()
    start_half = BooleanField(default=False)  # starts in the afternoon
    end_half = BooleanField(default=False)  # ends at noon
    days = DaysField()  # counted by the calendar and the count mode
    travel_days = DaysField(default=Decimal(0))
    reason = TextField(default="")
    approver = CharField(max_length=40, default="")
    status = CharField(max_length=10, default="已批准")  # 申请 / 已批准 / 已销假 / 已撤销
    over_balance_reason = TextField(default="")
    details = TextField(default="{}")  # JSON: type specifics (relation, babies, out_of_province …)
    notes = TextField(default="")

    class Meta:
        indexes = ((("cadre", "start_date"), False), (("start_date",), False),
                   (("type_code", "start_date", "status", "archived", "cadre", "days"), False))


class AnnualLeaveDeferral(BaseModel):
    """Annual leave deferred to the next year, at most one year, recorded explicitly."""

    cadre = ForeignKeyField(Cadre, backref="deferrals", on_delete="RESTRICT")
    from_year = IntegerField()
    days = DaysField()
    reason = TextField(default="")
    approved_by = CharField(max_length=40, default="")

    class Meta:
        indexes = ((("cadre", "from_year"), True),)


# ---------------------------------------------------------------- health (DOMAIN.md §4)

class HealthCycleRuleRow(BaseModel):
    name = CharField(max_length=40)
    sex = CharField(max_length=4, default="any")  # any / 男 / 女
    age_min = IntegerField(default=0)
    age_max = IntegerField(null=True)
    interval_years = IntegerField()
    package = CharField(max_length=30)
    effective_from = DateField()
    preset = CharField(max_length=20, default="")
    source = TextField(default="")
    notes = TextField(default="")

    class Meta:
        table_name = "health_cycle_rule"


class HealthCheck(BaseModel):
    cadre = ForeignKeyField(Cadre, backref="health_checks", on_delete="RESTRICT")
    check_date = DateField()
    institution = CharField(max_length=100, default="")
    package = CharField(max_length=30)
    items = TextField(default="")  # items and results, one per line
    conclusion = TextField(default="")
    notes = TextField(default="")

    class Meta:
        indexes = ((("cadre", "check_date"), False), (("check_date",), False),
                   (("cadre", "package", "check_date", "archived"), False))


class HealthLast(Model):
    """Latest non-archived check per cadre and package — maintained by SQLite triggers
    on health_check (migration 0009); never written by the application."""

    cadre_id = IntegerField()
    package = CharField(max_length=30)
    last_date = DateField()

    class Meta:
        database = db
        legacy_table_names = False
        primary_key = CompositeKey("cadre_id", "package")


class HealthFinding(BaseModel):
    check = ForeignKeyField(HealthCheck, backref="findings", on_delete="CASCADE")
    cadre = ForeignKeyField(Cadre, backref="findings", on_delete="RESTRICT")
    item = CharField(max_length=60)
    description = TextField(default="")
    level = CharField(max_length=2)  # A / B
    notified_date = DateField(null=True)
    referral = CharField(max_length=100, default="")
    recheck_due = DateField(null=True)
    outcome = TextField(default="")
    closed = BooleanField(default=False)
    closed_date = DateField(null=True)

    class Meta:
        indexes = ((("cadre",), False), (("check",), False))


class MentalRecord(BaseModel):
    """Confidential (DOMAIN.md §4, §6): never in lists, exports or registers unless asked."""

    cadre = ForeignKeyField(Cadre, backref="mental_records", on_delete="RESTRICT")
    kind = CharField(max_length=10)  # 评估 / 咨询
    record_date = DateField()
    scale = CharField(max_length=10, default="")  # PHQ-9 / GAD-7 / SCL-90
    score = IntegerField(null=True)
    band = CharField(max_length=30, default="")
    counsellor = CharField(max_length=40, default="")
    summary = TextField(default="")
    consent_date = DateField(null=True)
    consent_scope = CharField(max_length=100, default="")

    class Meta:
        indexes = ((("cadre", "record_date"), False),)


# ---------------------------------------------------------------- allowances (DOMAIN.md §3)

class CadreAllowanceFacts(BaseModel):
    """Dates the allowance rules need beyond the roster (one row per cadre, optional)."""

    cadre = ForeignKeyField(Cadre, backref="allowance_facts", on_delete="CASCADE", unique=True)
    transferred_on = DateField(null=True)     # 调离乡镇日期
    retired_on = DateField(null=True)         # 退休/离休/退职日期
    retirement_kind = CharField(max_length=4, default="")  # 退休 / 离休 / 退职
    sent_down_on = DateField(null=True)       # 上级派驻乡镇日期


class CadrePeriod(BaseModel):
    """A recorded period: 脱产学习 / 借调 (may suspend the township subsidy) or
    离开乡镇工作 (a break not counted in township years)."""

    cadre = ForeignKeyField(Cadre, backref="periods", on_delete="CASCADE")
    kind = CharField(max_length=10)
    start_date = DateField()
    end_date = DateField(null=True)
    note = TextField(default="")


class AllowanceRuleRow(BaseModel):
    """One dated row of an allowance table (matrix cell, band, share, rule, supplement)."""

    table = CharField(max_length=30)
    effective_from = DateField()
    preset = CharField(max_length=20, default="")
    data = TextField()  # the row as JSON (amounts in integer fen)

    class Meta:
        indexes = ((("table", "effective_from"), False),)


class AllowanceBatch(BaseModel):
    month = DateField(unique=True)  # first day of the month
    status = CharField(max_length=10, default="草稿")  # 草稿 / 已锁定
    locked_at = DateTimeField(null=True)
    locked_by = CharField(max_length=60, default="")
    total_fen = IntegerField(default=0)
    notes = TextField(default="")


class AllowanceLine(BaseModel):
    batch = ForeignKeyField(AllowanceBatch, backref="lines", on_delete="RESTRICT")
    cadre = ForeignKeyField(Cadre, backref="allowance_lines", on_delete="RESTRICT")
    scheme = CharField(max_length=20)
    kind = CharField(max_length=10)  # 正常 / 补发 / 扣减
    band = CharField(max_length=40, default="")
    area_class = CharField(max_length=10, default="")
    amount_fen = IntegerField()
    generated_fen = IntegerField(null=True)
    basis = TextField(default="")
    reason = TextField(default="")
    corrects_month = DateField(null=True)
    unit_name = CharField(max_length=100, default="")

    class Meta:
        indexes = ((("cadre", "batch"), False),)


# ---------------------------------------------------------------- welfare (DOMAIN.md §5)

class WelfareRuleRow(BaseModel):
    table = CharField(max_length=20)  # occasion / settings
    code = CharField(max_length=40, default="")
    effective_from = DateField()
    preset = CharField(max_length=20, default="")
    data = TextField()


class Fund(BaseModel):
    """A funding source's budget for one year (工会经费 / 行政经费 / 党费 …)."""

    name = CharField(max_length=40)
    year = IntegerField()
    budget_fen = IntegerField(default=0)
    notes = TextField(default="")

    class Meta:
        indexes = ((("name", "year"), True),)


class WelfareRecord(BaseModel):
    cadre = ForeignKeyField(Cadre, backref="welfare_records", on_delete="RESTRICT")
    occasion = CharField(max_length=40)
    record_date = DateField(index=True)
    money_fen = IntegerField(default=0)
    goods = TextField(default="")
    goods_fen = IntegerField(default=0)
    funding_source = CharField(max_length=40, default="")
    visitors = TextField(default="")
    episode = CharField(max_length=60, default="")
    over_reason = TextField(default="")
    notes = TextField(default="")

    class Meta:
        indexes = ((("cadre", "record_date"), False),)


class TalkRecord(BaseModel):
    """谈心谈话: who talked with whom, when, why, the gist."""

    cadre = ForeignKeyField(Cadre, backref="talks", on_delete="RESTRICT")
    talk_date = DateField(index=True)
    talker = CharField(max_length=60)
    trigger = CharField(max_length=40)
    gist = TextField()
    follow_up = TextField(default="")
    notes = TextField(default="")


# Covering indexes with short names (queries use them with INDEXED BY; migration 0007)
Cadre.add_index(ModelIndex(Cadre, (Cadre.archived, Cadre.employment_status, Cadre.name_sort, Cadre.name,
                                   Cadre.unit, Cadre.sex, Cadre.birth_date, Cadre.work_start_date),
                           name="cadre_serving_list"))
Cadre.add_index(ModelIndex(Cadre, (Cadre.archived, Cadre.name_sort, Cadre.name, Cadre.name_initials,
                                   Cadre.id_number, Cadre.phone, Cadre.unit), name="cadre_search"))
WelfareRecord.add_index(ModelIndex(WelfareRecord, (WelfareRecord.record_date, WelfareRecord.archived,
                                                   WelfareRecord.funding_source, WelfareRecord.money_fen,
                                                   WelfareRecord.goods_fen, WelfareRecord.cadre),
                                   name="welfare_record_year_cover"))
# Lookups by id that stay inside an index (the open-findings list; migration 0014)
HealthFinding.add_index(ModelIndex(HealthFinding, (HealthFinding.recheck_due, HealthFinding.archived,
                                                   HealthFinding.level, HealthFinding.cadre, HealthFinding.check,
                                                   HealthFinding.item, HealthFinding.description,
                                                   HealthFinding.notified_date, HealthFinding.referral,
                                                   HealthFinding.closed),
                                   name="health_finding_open_list", where=(HealthFinding.closed == 0)))
HealthCheck.add_index(ModelIndex(HealthCheck, (HealthCheck.id, HealthCheck.archived, HealthCheck.check_date),
                                 name="health_check_date_lookup"))
Cadre.add_index(ModelIndex(Cadre, (Cadre.id, Cadre.archived, Cadre.unit, Cadre.name, Cadre.name_initials,
                                   Cadre.id_number, Cadre.phone), name="cadre_name_lookup"))

ROSTER_MODELS = [Choice, Unit, Cadre, FamilyMember, AuditLog]
CARE_MODELS = [Setting, CalendarDay, LeaveTypeRule, LeaveRecord, AnnualLeaveDeferral,
               HealthCycleRuleRow, HealthCheck, HealthFinding, MentalRecord, HealthLast]
MONEY_MODELS = [CadreAllowanceFacts, CadrePeriod, AllowanceRuleRow, AllowanceBatch, AllowanceLine,
                WelfareRuleRow, Fund, WelfareRecord, TalkRecord]
ALL_MODELS = ROSTER_MODELS + CARE_MODELS + MONEY_MODELS


# ---------------------------------------------------------------- printing (issue 5)

class PrintLog(BaseModel):
    """One printout (个人关心关爱档案 or a register): its verification code (printed on
    every page), what it is, for whom and which period, who printed it and when, the
    parameters to gather its data again and a hash of that data (not of the PDF bytes)."""

    code = CharField(max_length=9, unique=True)  # 7KQ2-9XMD
    kind = CharField(max_length=20)  # care_record / allowance / leave / health / welfare
    title = CharField(max_length=200)
    subject = CharField(max_length=100, default="")  # the cadre's name or the unit
    period = CharField(max_length=60, default="")  # as printed: 2026年度, 2026年11月 …
    params = TextField(default="{}")  # JSON: what services.printing needs to gather the data again
    printed_at = DateTimeField(default=now, index=True)
    printed_by = CharField(max_length=60, default="")
    pages = IntegerField(default=0)
    content_hash = CharField(max_length=64)
    actions = TextField(default="")  # one line per preview / print / export


PRINT_MODELS = [PrintLog]
ACCOUNT_MODELS = [Role, Account]
ALL_MODELS = ALL_MODELS + PRINT_MODELS + ACCOUNT_MODELS


# ---------------------------------------------------------------- township → county exchange (issue 15)

class ExchangeKey(BaseModel):
    """A key of the exchange: this township's Ed25519 signing key pair, this county's X25519
    key pair, or the county's public key a township trusts.  Private keys are kept in the
    database, protected with the rest of its data (SQLCipher, issue 11), and travel with its
    backups: a township restored on a new PC keeps its identity.  One row per kind is not
    archived; a replaced key stays, archived."""

    kind = CharField(max_length=20)              # township_sign / county_box / trusted_county
    algorithm = CharField(max_length=10)         # Ed25519 / X25519
    public_key = CharField(max_length=64)        # base64 of the raw 32 bytes
    private_key = TextField(default="")          # base64 of the raw 32 bytes; '' for another's key
    fingerprint = CharField(max_length=39)
    name = CharField(max_length=100, default="")  # the county's name (a trusted key)
    code = CharField(max_length=12, default="")

    class Meta:
        indexes = ((("kind", "archived"), False),)


class ExchangeSent(BaseModel):
    """A package this township made (报送县里), listed with its fingerprint."""

    package_id = CharField(max_length=32, unique=True)
    period = IntegerField(index=True)
    through = DateField()
    made_by = CharField(max_length=60, default="")
    file_name = TextField(default="")
    size_bytes = IntegerField(default=0)
    rows = IntegerField(default=0)
    cadres = IntegerField(default=0)
    package_fingerprint = CharField(max_length=39)
    signer_fingerprint = CharField(max_length=39)
    county_name = CharField(max_length=100, default="")
    county_fingerprint = CharField(max_length=39)


class CountyTownship(BaseModel):
    """A township the county knows, by its 12-digit 统计用区划代码 (which stays when the
    township renames itself), with the signing key the county trusts for it."""

    code = CharField(max_length=12, unique=True)
    name = CharField(max_length=100)
    public_key = CharField(max_length=64, default="")   # base64; '' until the first package
    fingerprint = CharField(max_length=39, default="")
    trusted_at = DateTimeField(null=True)
    trusted_by = CharField(max_length=60, default="")


class CountyPackage(Model):
    """One received package: a dated snapshot of a township's data for a period.  Per
    township and period one package is ``current``; the ones it replaced stay, with
    ``superseded_by`` naming the package that replaced them."""

    package_id = CharField(max_length=32, unique=True)
    township = ForeignKeyField(CountyTownship, backref="packages", on_delete="RESTRICT", index=False)
    township_name = CharField(max_length=100)       # as the package names it
    period = IntegerField()
    through = DateField()                           # as of
    created_at = DateTimeField()                    # when the township made it (signed)
    received_at = DateTimeField(default=now)
    received_by = CharField(max_length=60, default="")
    file_name = TextField(default="")
    package_fingerprint = CharField(max_length=39)
    signer_fingerprint = CharField(max_length=39)
    manifest_sha256 = CharField(max_length=64)
    app_version = CharField(max_length=20, default="")
    schema_version = IntegerField(default=0)
    rows = IntegerField(default=0)
    cadres = IntegerField(default=0)
    current = BooleanField(default=True)
    superseded_by = CharField(max_length=32, default="")
    superseded_at = DateTimeField(null=True)

    class Meta:
        database = db
        legacy_table_names = False
        indexes = ((("township", "period", "current"), False), (("period", "current"), False))


class _Snapshot(Model):
    """A row of a received package (no uuid or timestamps: the package has them).  Each table
    is indexed by package (the cadres, allowance and welfare tables by a wider index that
    starts with it)."""

    package = ForeignKeyField(CountyPackage, on_delete="CASCADE", index=False)

    class Meta:
        database = db
        legacy_table_names = False
        indexes = ((("package",), False),)


class CountyUnit(_Snapshot):
    unit_uuid = CharField(max_length=32)
    name = CharField(max_length=100)
    kind = CharField(max_length=20, default="")
    township = CharField(max_length=60, default="")
    township_category = CharField(max_length=10, default="")
    hardship_area_class = CharField(max_length=10, default="")
    especially_hard = BooleanField(default=False)


class CountyCadre(_Snapshot):
    """A cadre as a township's package has them, with the figures the township computed
    for the period by its own rules (the county sums these, it never re-derives them).
    ``listed``: the one row per ID number the consolidated roster shows."""

    id_number = CharField(max_length=18)
    name = CharField(max_length=40)
    name_initials = CharField(max_length=120, default="")
    name_sort = CharField(max_length=200, default="")
    sex = CharField(max_length=2)
    ethnicity = CharField(max_length=20, default="")
    birth_date = DateField()
    political_status = CharField(max_length=20, default="")
    education = CharField(max_length=20, default="")
    unit_uuid = CharField(max_length=32, default="")
    unit_name = CharField(max_length=100, default="")
    hardship_area_class = CharField(max_length=10, default="")
    post = CharField(max_length=60, default="")
    leadership_level = CharField(max_length=20, default="")
    rank = CharField(max_length=20, default="")
    personnel_status = CharField(max_length=20, default="")
    position_category = CharField(max_length=20, default="")
    employment_status = CharField(max_length=10, default="")
    work_start_date = DateField(null=True)
    township_start_date = DateField(null=True)
    current_post_date = DateField(null=True)
    transferred_on = DateField(null=True)
    retired_on = DateField(null=True)
    retirement_kind = CharField(max_length=4, default="")
    serving = BooleanField(default=False)
    hardship = BooleanField(default=False)
    health_due = BooleanField(default=False)
    health_done = BooleanField(default=False)
    followups_open = IntegerField(default=0)
    leave_due_halves = IntegerField(default=0)
    leave_taken_halves = IntegerField(default=0)
    leave_untaken = BooleanField(default=False)
    visited = BooleanField(default=False)
    listed = BooleanField(default=False)
    townships = IntegerField(default=0)

    class Meta:
        indexes = ((("package", "id_number"), True), (("id_number",), False))


class CountyLeave(_Snapshot):
    id_number = CharField(max_length=18)
    type_code = CharField(max_length=30)
    start_date = DateField()
    end_date = DateField()
    days_halves = IntegerField()
    status = CharField(max_length=10)


class CountyCheck(_Snapshot):
    id_number = CharField(max_length=18)
    check_date = DateField()
    check_package = CharField(max_length=30)
    institution = CharField(max_length=100, default="")


class CountyFinding(_Snapshot):
    id_number = CharField(max_length=18)
    check_date = DateField()
    item = CharField(max_length=60)
    level = CharField(max_length=2)
    recheck_due = DateField(null=True)
    closed = BooleanField(default=False)
    closed_date = DateField(null=True)


class CountyMentalCount(_Snapshot):
    kind = CharField(max_length=10)
    scale = CharField(max_length=10, default="")
    count = IntegerField()


class CountyAllowance(_Snapshot):
    class Meta:
        indexes = ()      # county_allowance_month starts with the package

    id_number = CharField(max_length=18)
    month = DateField()
    scheme = CharField(max_length=20)
    kind = CharField(max_length=10)
    amount_fen = IntegerField()
    corrects_month = DateField(null=True)


class CountyFund(_Snapshot):
    name = CharField(max_length=40)
    budget_fen = IntegerField(default=0)


class CountyWelfare(_Snapshot):
    class Meta:
        indexes = ()      # county_welfare_fund starts with the package

    id_number = CharField(max_length=18)
    occasion = CharField(max_length=40)
    record_date = DateField()
    money_fen = IntegerField(default=0)
    goods_fen = IntegerField(default=0)
    funding_source = CharField(max_length=40, default="")


class CountyTalk(_Snapshot):
    id_number = CharField(max_length=18)
    talk_date = DateField()
    talker = CharField(max_length=60, default="")
    trigger = CharField(max_length=40, default="")


# the consolidated roster: one listed row per ID number, searched like the township's roster
CountyCadre.add_index(ModelIndex(CountyCadre, (CountyCadre.listed, CountyCadre.name_sort, CountyCadre.name,
                                               CountyCadre.name_initials, CountyCadre.id_number,
                                               CountyCadre.package), name="county_cadre_roster"))
# the 汇总's per-cadre figures per package, read from the index alone (migration 0015)
CountyCadre.add_index(ModelIndex(CountyCadre, (CountyCadre.package, CountyCadre.serving, CountyCadre.hardship,
                                               CountyCadre.visited, CountyCadre.health_due, CountyCadre.health_done,
                                               CountyCadre.followups_open, CountyCadre.leave_due_halves,
                                               CountyCadre.leave_taken_halves, CountyCadre.leave_untaken),
                                 name="county_cadre_figures"))
# the 汇总's sums per package and month, read from the index alone
CountyAllowance.add_index(ModelIndex(CountyAllowance, (CountyAllowance.package, CountyAllowance.month,
                                                       CountyAllowance.amount_fen), name="county_allowance_month"))
CountyWelfare.add_index(ModelIndex(CountyWelfare, (CountyWelfare.package, CountyWelfare.funding_source,
                                                   CountyWelfare.money_fen, CountyWelfare.goods_fen),
                                   name="county_welfare_fund"))

EXCHANGE_MODELS = [ExchangeKey, ExchangeSent, CountyTownship, CountyPackage, CountyUnit, CountyCadre, CountyLeave,
                   CountyCheck, CountyFinding, CountyMentalCount, CountyAllowance, CountyFund, CountyWelfare,
                   CountyTalk]
ALL_MODELS = ALL_MODELS + EXCHANGE_MODELS
