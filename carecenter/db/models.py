"""peewee models.  The schema itself is built by the numbered migrations;
``tests/db/test_schema.py`` proves that these models and the migrated schema agree.

Every record has a stable UUID (for exchange between township and county),
created/updated timestamps and an archived flag: people are archived, never
deleted.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .database import db


def new_uuid() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


class BaseModel(Model):
    uuid = CharField(max_length=32, unique=True, default=new_uuid)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    archived = BooleanField(default=False, index=True)

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


class Cadre(BaseModel):
    # identity
    name = CharField(max_length=40, index=True)
    name_initials = CharField(max_length=120, default="")
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
        indexes = ((("archived", "name_initials"), False),)


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
    """Who changed what, when (DOMAIN.md §6)."""

    at = DateTimeField(default=now, index=True)
    user = CharField(max_length=60)
    action = CharField(max_length=20)  # create / update / archive / restore / view / export / print
    table = CharField(max_length=40)
    record_uuid = CharField(max_length=32, index=True)
    summary = CharField(max_length=200, default="")
    changes = TextField(default="")  # JSON {field: [old, new]}

    class Meta:
        database = db
        legacy_table_names = False


ALL_MODELS = [Choice, Unit, Cadre, FamilyMember, AuditLog]
