"""Roster rules (DOMAIN.md §1): what makes a cadre, family member or unit record valid."""
from __future__ import annotations

import json
from datetime import date

import pytest

from carecenter.domain import roster as rules
from carecenter.paths import resource_path

TODAY = date(2026, 11, 25)
ID = "11010519491231002X"          # DOMAIN.md §1 example: born 1949-12-31, female
ID_YOUNG = "330328199003151220"     # born 1990-03-15, female (check char computed below)


def _fix_check(number: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = number[:17]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


ID_YOUNG = _fix_check(ID_YOUNG)


@pytest.fixture(scope="module")
def lists():
    data = json.loads(resource_path("presets", "national", "choices.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def cadre(**over):
    base = {
        "name": "张三", "sex": "女", "ethnicity": "汉族", "id_number": ID_YOUNG, "birth_date": None,
        "political_status": "中共党员", "party_join_date": date(2012, 7, 1),
        "education_fulltime": "本科", "degree_fulltime": "学士", "marital_status": "已婚",
        "phone": "13800138000", "emergency_phone": "", "unit_id": 1, "post": "科员",
        "leadership_level": "无", "rank": "一级科员", "pay_grade": 24, "personnel_status": "公务员",
        "position_category": "综合管理类", "employment_status": "在职",
        "work_start_date": date(2012, 8, 1), "township_start_date": date(2015, 3, 1),
        "current_post_date": date(2020, 1, 1),
    }
    base.update(over)
    return base


def codes(data, lists):
    checked = rules.check_cadre(data, lists, TODAY)
    return sorted((e.field, e.code) for e in checked.errors)


def test_valid_record_passes(lists):
    checked = rules.check_cadre(cadre(), lists, TODAY)
    assert checked.errors == []
    assert checked.warnings == []
    assert checked.id_info.birth_date == date(1990, 3, 15)


# One row per rule: (overrides, expected (field, code) errors)
CASES = [
    # required fields
    ({"name": ""}, [("name", "required")]),
    ({"name": "   "}, [("name", "required")]),
    ({"name": None}, [("name", "required")]),
    ({"id_number": ""}, [("id_number", "id_required")]),
    ({"employment_status": ""}, [("employment_status", "required")]),
    ({"unit_id": None}, [("unit_id", "required")]),
    ({"unit_id": 0}, [("unit_id", "required")]),
    # name format: Chinese, letters and the interpunct for minority names
    ({"name": "张3"}, [("name", "name_format")]),
    ({"name": "张三!"}, [("name", "name_format")]),
    ({"name": "阿依古丽·买买提"}, []),
    ({"name": "Tom Lee"}, []),
    # ID number errors are reported on the ID field
    ({"id_number": ID_YOUNG[:17] + ("0" if ID_YOUNG[17] != "0" else "1")}, [("id_number", "id_checksum")]),
    ({"id_number": "330328199002301220"}, [("id_number", "id_birth_date")]),
    # phone formats: 11-digit mobile, landline with or without area code and extension
    ({"phone": "13800138000"}, []),
    ({"phone": "138 0013 8000"}, []),
    ({"phone": "0577-88123456"}, []),
    ({"phone": "057788123456"}, []),
    ({"phone": "88123456"}, []),
    ({"phone": "0577-88123456-801"}, []),
    ({"phone": ""}, []),
    ({"phone": "12800138000"}, [("phone", "phone_format")]),   # no mobile starts 12
    ({"phone": "1380013800"}, [("phone", "phone_format")]),    # 10 digits
    ({"phone": "138001380001"}, [("phone", "phone_format")]),  # 12 digits
    ({"phone": "电话"}, [("phone", "phone_format")]),
    ({"emergency_phone": "123"}, [("emergency_phone", "phone_format")]),
    # pay grade 1–27
    ({"pay_grade": 1}, []),
    ({"pay_grade": 27}, []),
    ({"pay_grade": None}, []),
    ({"pay_grade": 0}, [("pay_grade", "pay_grade")]),
    ({"pay_grade": 28}, [("pay_grade", "pay_grade")]),
    ({"pay_grade": -1}, [("pay_grade", "pay_grade")]),
    # date rules: not in the future, not before birth, work at 16 or older, order against work start
    ({"party_join_date": date(2026, 11, 26)}, [("party_join_date", "date_future")]),
    ({"party_join_date": TODAY}, []),
    ({"party_join_date": date(1990, 3, 14)}, [("party_join_date", "date_before_birth")]),
    ({"work_start_date": date(2006, 3, 14), "township_start_date": None, "current_post_date": None},
     [("work_start_date", "work_too_young")]),                 # 15 years old
    ({"work_start_date": date(2006, 3, 15), "township_start_date": None, "current_post_date": None}, []),
    ({"township_start_date": date(2012, 7, 31)}, [("township_start_date", "date_order")]),
    ({"township_start_date": date(2012, 8, 1)}, []),
    ({"current_post_date": date(2011, 1, 1)}, [("current_post_date", "date_order")]),
    ({"current_post_date": date(2027, 1, 1)}, [("current_post_date", "date_future")]),
    ({"work_start_date": None}, []),                           # order rules need a work start
    ({"party_join_date": None, "township_start_date": None, "current_post_date": None}, []),
    # choice values must come from the lists
    ({"sex": "未知"}, [("sex", "choice")]),
    ({"ethnicity": "汉"}, [("ethnicity", "choice")]),
    ({"political_status": "党员"}, [("political_status", "choice")]),
    ({"rank": "科员"}, [("rank", "choice")]),
    ({"rank": "二级调研员"}, []),
    ({"position_category": "综合类"}, [("position_category", "choice")]),
    ({"employment_status": "休假"}, [("employment_status", "choice")]),
    ({"education_fulltime": "研究生"}, [("education_fulltime", "choice")]),
    ({"degree_inservice": "学士学位"}, [("degree_inservice", "choice")]),
    ({"marital_status": "再婚"}, [("marital_status", "choice")]),
    ({"personnel_status": "合同工"}, [("personnel_status", "choice")]),
    ({"leadership_level": "正科"}, [("leadership_level", "choice")]),
    ({"rank": "", "ethnicity": "", "political_status": ""}, []),  # empty optional choices are fine
]


@pytest.mark.parametrize("over, expected", CASES, ids=[str(c[0]) for c in CASES])
def test_cadre_rules(over, expected, lists):
    assert codes(cadre(**over), lists) == sorted(expected)


def test_messages_are_chinese_and_name_the_field(lists):
    data = cadre(name="", phone="123", pay_grade=30, rank="科员",
                 party_join_date=date(2027, 1, 1), township_start_date=date(2010, 1, 1))
    checked = rules.check_cadre(data, lists, TODAY)
    by_field = {e.field: e.message for e in checked.errors}
    assert "姓名" in by_field["name"]
    assert "联系电话" in by_field["phone"]
    assert "级别" in by_field["pay_grade"] and "27" in by_field["pay_grade"]
    assert "职级" in by_field["rank"] and "科员" in by_field["rank"]
    assert "入党时间" in by_field["party_join_date"]
    assert "到乡镇工作时间" in by_field["township_start_date"]
    assert "0577" in by_field["phone"]  # shows what a right number looks like


def test_mismatch_is_a_warning_not_an_error(lists):
    checked = rules.check_cadre(cadre(sex="男", birth_date=date(1990, 3, 16)), lists, TODAY)
    assert checked.errors == []
    assert sorted(w.code for w in checked.warnings) == ["birth_mismatch", "sex_mismatch"]


def test_birth_before_date_uses_typed_birth_without_id(lists):
    data = cadre(id_number="", birth_date=date(1990, 3, 15), party_join_date=date(1989, 1, 1))
    assert ("party_join_date", "date_before_birth") in codes(data, lists)


def test_no_choice_lists_means_no_choice_errors():
    assert codes(cadre(rank="whatever", sex="x"), {}) == []


# -------------------------------------------------------------- family

def member(**over):
    base = {"name": "李四", "relation": "配偶", "phone": "", "lives_with": True}
    base.update(over)
    return base


FAMILY_CASES = [
    ([], []),
    ([member()], []),
    ([member(), member(name="张小", relation="子女"), member(name="张父", relation="父亲")], []),
    ([member(), member(name="王五")], [("family", "spouse_count")]),           # one spouse only
    ([member(name="")], [("family", "required")]),
    ([member(relation="")], [("family", "required")]),
    ([member(relation="表哥")], [("family", "choice")]),
    ([member(phone="0577-88123456")], []),
    ([member(phone="12345")], [("family", "phone_format")]),
]


@pytest.mark.parametrize("rows, expected", FAMILY_CASES, ids=[str(i) for i in range(len(FAMILY_CASES))])
def test_family_rules(rows, expected, lists):
    errors = rules.check_family(rows, lists)
    assert sorted((e.field, e.code) for e in errors) == sorted(expected)


def test_family_errors_name_the_row(lists):
    errors = rules.check_family([member(), member(name="", relation="子女")], lists)
    assert len(errors) == 1
    assert errors[0].params["row"] == 2
    assert "第2行" in errors[0].message


# -------------------------------------------------------------- units

@pytest.mark.parametrize("data, expected", [
    ({"name": "城关镇党政办", "kind": "党委", "township_category": "镇", "hardship_area_class": "无"}, []),
    ({"name": "城关镇党政办"}, []),
    ({"name": ""}, [("name", "required")]),
    ({"name": "  "}, [("name", "required")]),
    ({"name": "x", "kind": "公司"}, [("kind", "choice")]),
    ({"name": "x", "township_category": "村"}, [("township_category", "choice")]),
    ({"name": "x", "hardship_area_class": "七类"}, [("hardship_area_class", "choice")]),
])
def test_unit_rules(data, expected, lists):
    assert sorted((e.field, e.code) for e in rules.check_unit(data, lists)) == sorted(expected)


def test_labels_cover_every_choice_field():
    assert set(rules.CADRE_CHOICES) <= set(rules.CADRE_LABELS)
    assert set(rules.UNIT_CHOICES) <= set(rules.UNIT_LABELS)


# Issue 13: a 76-year-old 在职 cadre (ID born 1949-12-31) or a 25-year-old 退休 one is most likely a slip —
# a warning, not an error (the statutory retirement age is 63 at the most after the 2025 reform).
@pytest.mark.parametrize("id_number, status, code", [
    (ID, "在职", "age_serving"),
    (ID, "驻村", "age_serving"),
    (ID, "退休", None),
    (ID_YOUNG, "在职", None),
    (ID_YOUNG, "退休", "age_retired"),          # 36 years old
    (ID_YOUNG, "离休", "age_retired"),
])
def test_implausible_age_for_the_status_is_a_warning(lists, id_number, status, code):
    checked = rules.check_cadre(cadre(id_number=id_number, employment_status=status,
                                      party_join_date=None, work_start_date=None, township_start_date=None,
                                      current_post_date=None), lists, TODAY)
    assert checked.errors == []
    found = [w for w in checked.warnings if w.code.startswith("age_")]
    assert [w.code for w in found] == ([code] if code else [])
    if code == "age_serving":
        assert found[0].message == f"年龄 76 岁仍为「{status}」，请核对在职状态或出生日期"
        assert found[0].field == "employment_status"
