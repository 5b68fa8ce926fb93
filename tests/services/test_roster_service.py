"""Roster use cases (services/roster.py): one transaction each, audited, nothing saved on failure.
DOMAIN.md §1 (roster), §6 (audit trail of who changed what)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from carecenter.db.models import AuditLog, Cadre, FamilyMember, Unit
from carecenter.domain.errors import DomainError, ValidationError
from carecenter.services import audit, roster


@pytest.fixture(autouse=True)
def _clerk(monkeypatch, actor):
    """The signed-in account the audit trail records; the OS login name (here a
    different one) is never used (issue 10)."""
    from carecenter.security import access

    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "someone-else")
    access.set_actor(access.Actor("clerk01", "clerk01", actor.permissions))


def audit_rows(table=None):
    q = AuditLog.select().order_by(AuditLog.id)
    if table:
        q = q.where(AuditLog.table == table)
    return [(r.user, r.action, r.table, r.record_uuid, json.loads(r.changes)) for r in q]


def counts():
    return {m.__name__: m.select().count() for m in (Unit, Cadre, FamilyMember, AuditLog)}


def snapshot(cadre_id):
    row = Cadre.select().where(Cadre.id == cadre_id).dicts().get()
    fam = list(FamilyMember.select().where(FamilyMember.cadre == cadre_id).order_by(FamilyMember.id).dicts())
    return row, fam


# ---------------------------------------------------------------- units

def test_save_unit_creates_with_audit(store):
    result = roster.save_unit({"name": "  云溪乡人民政府 ", "kind": "政府", "township": "云溪乡",
                               "township_category": "乡", "hardship_area_class": "二类"})
    assert result.created
    unit = Unit.get_by_id(result.id)
    assert unit.name == "云溪乡人民政府"
    assert unit.hardship_area_class == "二类"
    [(user, action, table, uuid, changes)] = audit_rows("unit")
    assert (user, action, table, uuid) == ("clerk01", "create", "unit", unit.uuid)
    assert changes["name"] == [None, "云溪乡人民政府"]


def test_save_unit_defaults_hardship_class(store):
    unit = Unit.get_by_id(roster.save_unit({"name": "青岭镇党委"}).id)
    assert unit.hardship_area_class == "无"


def test_duplicate_unit_name_refused(unit):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        roster.save_unit({"name": "城关镇党政办"})
    assert exc.value.by_field()["name"] == "单位「城关镇党政办」已存在，请勿重复添加"
    assert counts() == before
    # editing the unit itself under its own name is not a duplicate
    roster.save_unit({"name": "城关镇党政办", "kind": "政府"}, unit_id=unit)


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x", "kind": "公司"}, "kind"),
    ({"name": "x", "township_category": "村"}, "township_category"),
])
def test_invalid_unit_refused(store, data, field):
    with pytest.raises(ValidationError) as exc:
        roster.save_unit(data)
    assert field in exc.value.by_field()
    assert Unit.select().count() == 0
    assert AuditLog.select().count() == 0


def test_edit_unit_writes_audit_with_diff(unit):
    uuid = Unit.get_by_id(unit).uuid
    result = roster.save_unit({"name": "城关镇党政综合办", "kind": "党委", "township": "城关镇",
                               "township_category": "镇", "notes": "新址"}, unit_id=unit)
    assert not result.created
    assert result.changes == {"name": ["城关镇党政办", "城关镇党政综合办"], "notes": ["", "新址"]}
    last = audit_rows("unit")[-1]
    assert last == ("clerk01", "update", "unit", uuid, result.changes)
    assert roster.get_unit(unit)["name"] == "城关镇党政综合办"
    # saving the same values again records nothing
    n = AuditLog.select().count()
    roster.save_unit({"name": "城关镇党政综合办", "kind": "党委", "township": "城关镇",
                      "township_category": "镇", "notes": "新址"}, unit_id=unit)
    assert AuditLog.select().count() == n


def test_unit_rename_shows_in_roster_page(unit, cadre_data):
    from carecenter.db import queries
    roster.save_cadre(cadre_data())
    assert queries.roster_page(queries.RosterFilter())[0][4] == "城关镇党政办"
    roster.save_unit({"name": "城关镇党建办"}, unit_id=unit)
    assert queries.roster_page(queries.RosterFilter())[0][4] == "城关镇党建办"


def test_archive_unit_with_cadres_refused(unit, cadre_data):
    cid = roster.save_cadre(cadre_data()).id
    with pytest.raises(DomainError) as exc:
        roster.set_unit_archived(unit, True)
    assert exc.value.code == "unit_has_cadres"
    assert exc.value.params["count"] == 1
    assert "城关镇党政办" in exc.value.message and "1 名" in exc.value.message
    assert not Unit.get_by_id(unit).archived

    roster.set_cadre_archived(cid, True)
    roster.set_unit_archived(unit, True)
    assert Unit.get_by_id(unit).archived
    assert [u["id"] for u in roster.list_units()] == []
    assert [u["id"] for u in roster.list_units(include_archived=True)] == [unit]
    roster.set_unit_archived(unit, False)
    assert [u["cadre_count"] for u in roster.list_units()] == [0]
    assert [a[1] for a in audit_rows("unit")] == ["create", "archive", "restore"]


def test_archived_unit_name_may_be_reused(unit):
    roster.set_unit_archived(unit, True)
    assert roster.save_unit({"name": "城关镇党政办"}).created


# ---------------------------------------------------------------- cadres: create / update

def test_save_cadre_creates_with_audit_and_pinyin(cadre_data):
    result = roster.save_cadre(cadre_data(name="曾伟", sex="男"))
    assert result.created and result.warnings == []
    cadre = Cadre.get_by_id(result.id)
    assert cadre.name_initials.split() == ["zw", "cw"]
    assert cadre.birth_date == date(1990, 3, 15)       # derived from the ID
    [(user, action, table, uuid, changes)] = audit_rows("cadre")
    assert (user, action, table, uuid) == ("clerk01", "create", "cadre", cadre.uuid)
    assert user == audit.current_user()
    assert changes["name"] == [None, "曾伟"]
    assert changes["birth_date"] == [None, "1990-03-15"]
    assert audit.history(cadre.uuid)[0][1:3] == ("clerk01", "create")


def test_sex_and_birth_derived_from_id_when_blank(cadre_data, make_id):
    cid = roster.save_cadre(cadre_data(id_number=make_id("19851231", 22), sex="", birth_date="")).id
    c = roster.get_cadre(cid)
    assert (c["sex"], c["birth_date"]) == ("女", date(1985, 12, 31))
    assert c["unit_name"] == "城关镇党政办"
    assert c["age"] == roster._today().year - 1985 - ((roster._today().month, roster._today().day) < (12, 31))


def test_id_normalised_before_storage(cadre_data):
    raw = "１１０１０５１９４９１２３１００２ｘ"  # full-width digits, lower-case x
    cid = roster.save_cadre(cadre_data(id_number=f" {raw} ", sex="女")).id
    assert Cadre.get_by_id(cid).id_number == "11010519491231002X"
    raw_lower = "110105 19491231 002x"
    with pytest.raises(ValidationError) as exc:  # the same person typed differently is a duplicate
        roster.save_cadre(cadre_data(id_number=raw_lower, name="张三丰"))
    assert "张三" in exc.value.by_field()["id_number"]


def test_duplicate_id_refused_naming_existing_cadre(cadre_data):
    first = roster.save_cadre(cadre_data(name="李明")).id
    before = counts()
    with pytest.raises(ValidationError) as exc:
        roster.save_cadre(cadre_data(name="王芳"))
    msg = exc.value.by_field()["id_number"]
    assert "李明" in msg and "请勿重复新增" in msg
    assert counts() == before
    # an archived cadre still owns the number; the message says where to find them
    roster.set_cadre_archived(first, True)
    with pytest.raises(ValidationError) as exc:
        roster.save_cadre(cadre_data(name="王芳"))
    assert "已归档" in exc.value.by_field()["id_number"]
    # saving the cadre itself is not a duplicate
    roster.set_cadre_archived(first, False)
    roster.save_cadre(cadre_data(name="李明", post="副镇长"), cadre_id=first)


def test_update_audits_only_changed_fields(cadre_data):
    cid = roster.save_cadre(cadre_data()).id
    result = roster.save_cadre(cadre_data(phone="0577-88123456", rank="四级主任科员"), cadre_id=cid)
    assert not result.created
    assert result.changes == {"phone": ["13800138000", "0577-88123456"], "rank": ["一级科员", "四级主任科员"]}
    last = audit_rows("cadre")[-1]
    assert last[1] == "update" and last[4] == result.changes
    n = AuditLog.select().count()
    assert roster.save_cadre(cadre_data(phone="0577-88123456", rank="四级主任科员"), cadre_id=cid).changes == {}
    assert AuditLog.select().count() == n  # nothing changed, nothing recorded


def test_rename_updates_pinyin_key(cadre_data):
    cid = roster.save_cadre(cadre_data()).id
    roster.save_cadre(cadre_data(name="单雄"), cadre_id=cid)
    assert Cadre.get_by_id(cid).name_initials.split()[:2] == ["sx", "dx"]


def test_mismatch_warnings_do_not_block(cadre_data):
    result = roster.save_cadre(cadre_data(sex="女", birth_date=date(1990, 3, 16)))
    assert sorted(w.code for w in result.warnings) == ["birth_mismatch", "sex_mismatch"]
    assert Cadre.get_by_id(result.id).sex == "女"


# ---------------------------------------------------------------- robustness of the input

@pytest.mark.parametrize("over, expect", [
    ({"unit_id": "UNIT"}, {}),                                     # combo data as a string
    ({"party_join_date": "", "work_start_date": "", "township_start_date": "",
      "current_post_date": "", "birth_date": ""}, {"work_start_date": None, "birth_date": date(1990, 3, 15)}),
    ({"work_start_date": "2012-08-01", "township_start_date": "2015.3",
      "current_post_date": "2020年1月", "party_join_date": "20110701"},
     {"work_start_date": date(2012, 8, 1), "township_start_date": date(2015, 3, 1),
      "current_post_date": date(2020, 1, 1), "party_join_date": date(2011, 7, 1)}),
    ({"birth_date": "1990-03-15"}, {"birth_date": date(1990, 3, 15)}),
    ({"pay_grade": " 22 "}, {"pay_grade": 22}),
    ({"pay_grade": ""}, {"pay_grade": None}),
    ({"pay_grade": None}, {"pay_grade": None}),
    ({"sex": None, "phone": None, "notes": None, "post": None, "rank": None},
     {"sex": "男", "phone": "", "notes": "", "post": "", "rank": ""}),
    ({"name": "  张三  ", "phone": " 13800138000 "}, {"name": "张三", "phone": "13800138000"}),
])
def test_field_values_from_widgets_are_normalised(unit, cadre_data, over, expect):
    over = {k: (str(unit) if v == "UNIT" else v) for k, v in over.items()}
    cid = roster.save_cadre(cadre_data(**over)).id
    row = Cadre.get_by_id(cid)
    assert row.unit_id == unit
    for field, value in expect.items():
        assert getattr(row, field) == value, field
    # the create audit holds plain JSON values, the unit as a number
    changes = audit_rows("cadre")[-1][4]
    assert changes["unit_id"] == [None, unit]
    # saving the same widget values again is not a change
    assert roster.save_cadre(cadre_data(**over), cadre_id=cid).changes == {}


@pytest.mark.parametrize("over, field", [
    ({"work_start_date": "明年"}, "work_start_date"),
    ({"party_join_date": "2020-02-30"}, "party_join_date"),
    ({"birth_date": "1990.03"}, "birth_date"),           # birth date needs the day
    ({"pay_grade": "五"}, "pay_grade"),
    ({"pay_grade": 30}, "pay_grade"),
    ({"unit_id": ""}, "unit_id"),
    ({"unit_id": None}, "unit_id"),
    ({"unit_id": 999}, "unit_id"),
    ({"unit_id": "abc"}, "unit_id"),
    ({"name": ""}, "name"),
    ({"id_number": ""}, "id_number"),
    ({"phone": "12345"}, "phone"),
    ({"rank": "科长"}, "rank"),
    ({"employment_status": ""}, "employment_status"),
])
def test_bad_values_refused_naming_the_field(cadre_data, over, field):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        roster.save_cadre(cadre_data(**over))
    assert field in exc.value.by_field(), exc.value.by_field()
    assert counts() == before
    checked = roster.check_cadre(cadre_data(**over))
    assert field in {e.field for e in checked.errors}


def test_bad_date_message_names_the_field(cadre_data):
    with pytest.raises(ValidationError) as exc:
        roster.save_cadre(cadre_data(work_start_date="明年"))
    assert exc.value.by_field()["work_start_date"].startswith("参加工作时间")


def test_check_cadre_saves_nothing(cadre_data):
    before = counts()
    checked = roster.check_cadre(cadre_data())
    assert checked.errors == []
    assert counts() == before


def test_every_cadre_field_round_trips(cadre_data, unit):
    data = cadre_data(
        name="阿依古丽·买买提", sex="女", ethnicity="维吾尔族", birth_date=date(1990, 3, 15),
        native_place="新疆喀什", political_status="中共预备党员", party_join_date=date(2015, 6, 1),
        education_fulltime="硕士研究生", degree_fulltime="硕士", education_inservice="博士研究生",
        degree_inservice="博士", marital_status="未婚", only_child=True, phone="0577-88123456",
        emergency_contact="买买提", emergency_phone="13912345678", post="副站长",
        leadership_level="乡科级副职", rank="三级主办", pay_grade=20, personnel_status="参照公务员法管理",
        position_category="行政执法类", employment_status="驻村", work_start_date=date(2013, 7, 1),
        township_start_date=date(2014, 1, 1), current_post_date=date(2021, 5, 1), notes="多行\n备注",
        id_number=make_female_id())
    cid = roster.save_cadre(data).id
    saved = roster.get_cadre(cid)
    for field in roster.CADRE_FIELDS:
        assert saved[field] == data[field], field


def make_female_id():
    return "330328199003150128"  # born 1990-03-15, 17th digit even (checked by the test below)


def test_helper_id_is_valid():
    from carecenter.domain import idcard
    assert idcard.parse(make_female_id()).sex == "女"


# ---------------------------------------------------------------- failed saves change nothing

def _family():
    return [
        {"name": "李娜", "relation": "配偶", "birth_date": date(1991, 5, 1), "lives_with": True,
         "residence": "城关镇", "phone": "13700137000", "work_unit": "县医院"},
        {"name": "张父", "relation": "父亲", "birth_date": None, "lives_with": False,
         "residence": "浙江丽水", "phone": "", "work_unit": ""},
    ]


@pytest.mark.parametrize("bad_family", [
    [{"name": "", "relation": "子女"}],                                  # no name
    [{"name": "王五", "relation": "表哥"}],                              # not a relation on the list
    [{"name": "王五", "relation": "配偶"}, {"name": "赵六", "relation": "配偶"}],  # two spouses
    [{"name": "王五", "relation": "子女", "phone": "123"}],
    [{"name": "王五", "relation": "子女", "birth_date": "2020-13-01"}],
])
def test_bad_family_row_with_valid_cadre_changes_nothing(cadre_data, bad_family):
    cid = roster.save_cadre(cadre_data(), _family()).id
    before_counts, before_rows = counts(), snapshot(cid)
    with pytest.raises(ValidationError) as exc:
        roster.save_cadre(cadre_data(name="张叁", phone="13911112222"), bad_family, cadre_id=cid)
    assert "family" in exc.value.by_field()
    assert counts() == before_counts
    assert snapshot(cid) == before_rows


def test_failure_inside_the_transaction_rolls_everything_back(cadre_data, monkeypatch):
    cid = roster.save_cadre(cadre_data(), _family()).id
    before_counts, before_rows = counts(), snapshot(cid)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", boom)
    family = _family()[:1] + [{"name": "张小", "relation": "子女", "lives_with": True}]
    with pytest.raises(RuntimeError):
        roster.save_cadre(cadre_data(name="张叁"), family, cadre_id=cid)
    with pytest.raises(RuntimeError):
        roster.save_cadre(cadre_data(name="王芳", id_number=make_female_id()), family)
    assert counts() == before_counts
    assert snapshot(cid) == before_rows


def test_failed_create_leaves_no_rows(cadre_data):
    before = counts()
    with pytest.raises(ValidationError):
        roster.save_cadre(cadre_data(name=""), _family())
    assert counts() == before


# ---------------------------------------------------------------- family sync

def test_family_add_edit_remove(cadre_data):
    cid = roster.save_cadre(cadre_data(), _family()).id
    fam = roster.list_family(cid)
    assert [m["relation"] for m in fam] == ["配偶", "父亲"]
    assert fam[0]["birth_date"] == date(1991, 5, 1)

    # edit the spouse (ids as a table model might hand them over: strings), drop the father, add a child
    rows = [dict(fam[0], id=str(fam[0]["id"]), phone="13700137001"),
            {"name": "张小", "relation": "子女", "birth_date": "2018-06-01", "lives_with": True}]
    result = roster.save_cadre(cadre_data(), rows, cadre_id=cid)
    assert result.changes == {"family": ["修改 配偶 李娜", "新增 子女 张小", "移除 父亲 张父"]}
    now = roster.list_family(cid)
    assert [(m["relation"], m["phone"]) for m in now] == [("配偶", "13700137001"), ("子女", "")]
    assert now[0]["id"] == fam[0]["id"]                    # edited in place, not re-created
    assert now[1]["birth_date"] == date(2018, 6, 1)
    father = FamilyMember.get_by_id(fam[1]["id"])          # archived, not deleted
    assert father.archived and father.name == "张父"
    assert FamilyMember.select().where(FamilyMember.cadre == cid).count() == 3
    last = audit_rows("cadre")[-1]
    assert last[1] == "update" and last[4]["family"] == result.changes["family"]

    # family=None leaves the family alone
    roster.save_cadre(cadre_data(post="副镇长"), None, cadre_id=cid)
    assert len(roster.list_family(cid)) == 2
    # an empty list removes everyone (archived)
    roster.save_cadre(cadre_data(post="副镇长"), [], cadre_id=cid)
    assert roster.list_family(cid) == []
    assert FamilyMember.select().where(FamilyMember.cadre == cid).count() == 3


def test_unchanged_family_is_not_a_change(cadre_data):
    cid = roster.save_cadre(cadre_data(), _family()).id
    n = AuditLog.select().count()
    assert roster.save_cadre(cadre_data(), roster.list_family(cid), cadre_id=cid).changes == {}
    assert AuditLog.select().count() == n


# ---------------------------------------------------------------- archive / restore

def test_archive_and_restore_cadre(cadre_data):
    cid = roster.save_cadre(cadre_data()).id
    assert roster.cadre_count() == 1
    roster.set_cadre_archived(cid, True)
    assert Cadre.get_by_id(cid).archived
    assert roster.cadre_count() == 0 and roster.cadre_count(include_archived=True) == 1
    roster.set_cadre_archived(cid, True)  # already archived: no second audit row
    roster.set_cadre_archived(cid, False)
    assert roster.cadre_count() == 1
    uuid = Cadre.get_by_id(cid).uuid
    assert [(a[1], a[3]) for a in audit_rows("cadre")] == [("create", uuid), ("archive", uuid), ("restore", uuid)]
    assert [h[2] for h in audit.history(uuid)] == ["restore", "archive", "create"]
