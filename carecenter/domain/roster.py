"""Rules for roster entries (DOMAIN.md §1): what makes a cadre or unit record valid.

``check_cadre`` returns (errors, warnings): errors block the save, warnings
(e.g. typed sex disagreeing with the ID number) are shown but do not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from . import idcard
from .errors import DomainError

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$")
NAME = re.compile(r"^[\u3400-\u9fff\u00b7·A-Za-z ]{1,40}$")

#: plausibility warnings (not errors: the clerk may know better): the statutory retirement
#: age is 63 at the most after the 2025 reform (全国人大常委会关于实施渐进式延迟法定退休年龄的决定),
#: so a serving cadre of 65 or more, or a retiree under 45, is most likely a typing slip
SERVING_STATUSES = ("在职", "借调", "挂职", "驻村")
RETIRED_STATUSES = ("退休", "离休", "退职")
SERVING_AGE_WARNING = 65
RETIRED_AGE_WARNING = 45

#: dates rosters keep to the month (typed 1985.03, shown 1985.03 everywhere)
MONTH_DATE_FIELDS = ("party_join_date", "work_start_date", "township_start_date", "current_post_date")

CADRE_LABELS = {
    "name": "姓名", "sex": "性别", "ethnicity": "民族", "id_number": "身份证号",
    "birth_date": "出生日期", "native_place": "籍贯", "political_status": "政治面貌",
    "party_join_date": "入党时间", "education_fulltime": "全日制学历", "degree_fulltime": "全日制学位",
    "education_inservice": "在职学历", "degree_inservice": "在职学位", "marital_status": "婚姻状况",
    "only_child": "独生子女", "phone": "联系电话", "emergency_contact": "紧急联系人",
    "emergency_phone": "紧急联系电话", "unit_id": "单位", "post": "职务",
    "leadership_level": "领导职务层次", "rank": "职级", "pay_grade": "级别",
    "personnel_status": "人员身份", "position_category": "职位类别", "employment_status": "在职状态",
    "work_start_date": "参加工作时间", "township_start_date": "到乡镇工作时间",
    "current_post_date": "任现职时间", "notes": "备注",
}

# field -> choice category whose values it must come from (when not empty)
CADRE_CHOICES = {
    "sex": "sex", "ethnicity": "ethnicity", "political_status": "political_status",
    "education_fulltime": "education", "education_inservice": "education",
    "degree_fulltime": "degree", "degree_inservice": "degree", "marital_status": "marital_status",
    "leadership_level": "leadership_level", "rank": "rank", "personnel_status": "personnel_status",
    "position_category": "position_category", "employment_status": "employment_status",
}

UNIT_LABELS = {"name": "单位名称", "kind": "单位类别", "township": "所属乡镇",
               "township_category": "乡镇类别", "hardship_area_class": "艰苦边远地区类别",
               "especially_hard": "条件特别艰苦乡镇"}
UNIT_BOOL_FIELDS = ("especially_hard",)
UNIT_CHOICES = {"kind": "unit_kind", "township_category": "township_category",
                "hardship_area_class": "hardship_area_class"}

FAMILY_LABELS = {"name": "姓名", "relation": "关系", "birth_date": "出生日期",
                 "lives_with": "是否同住", "residence": "居住地", "phone": "联系电话", "work_unit": "工作单位"}


@dataclass
class Checked:
    errors: list[DomainError]
    warnings: list[DomainError]
    id_info: idcard.IdInfo | None = None


def check_phone(value: str, field: str, label: str) -> DomainError | None:
    if not value:
        return None
    compact = value.replace(" ", "")
    if MOBILE.match(compact) or LANDLINE.match(compact):
        return None
    return DomainError("phone_format", f"{label}格式不对：手机号为11位数字，座机如 0577-12345678", field)


def _check_choices(data: Mapping[str, Any], fields: Mapping[str, str], labels: Mapping[str, str],
                   choices: Mapping[str, list[str]], errors: list[DomainError]) -> None:
    for field, category in fields.items():
        value = data.get(field) or ""
        allowed = choices.get(category)
        if value and allowed and value not in allowed:
            errors.append(DomainError("choice", f"{labels[field]}「{value}」不在选项列表中，请从下拉列表选择", field))


def check_cadre(data: Mapping[str, Any], choices: Mapping[str, list[str]], today: date) -> Checked:
    errors: list[DomainError] = []
    warnings: list[DomainError] = []
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(DomainError("required", "请填写姓名", "name"))
    elif not NAME.match(name):
        errors.append(DomainError("name_format", "姓名只能包含汉字、字母或间隔号「·」，请核对", "name"))
    info = None
    try:
        info = idcard.parse(data.get("id_number") or "")
    except DomainError as err:
        errors.append(err)
    if info is not None:
        warnings.extend(idcard.mismatches(info, data.get("birth_date"), data.get("sex")))
        if info.birth_date > today:
            errors.append(DomainError("id_birth_date", "身份证号中的出生日期在今天之后，请核对", "id_number"))
    if not data.get("employment_status"):
        errors.append(DomainError("required", "请选择在职状态", "employment_status"))
    if not data.get("unit_id"):
        errors.append(DomainError("required", "请选择单位", "unit_id"))
    _check_choices(data, CADRE_CHOICES, CADRE_LABELS, choices, errors)
    for field in ("phone", "emergency_phone"):
        err = check_phone(data.get(field) or "", field, CADRE_LABELS[field])
        if err:
            errors.append(err)
    grade = data.get("pay_grade")
    if grade is not None and not (1 <= int(grade) <= 27):
        errors.append(DomainError("pay_grade", "级别应在 1 至 27 之间，请重新填写", "pay_grade"))
    birth = info.birth_date if info else data.get("birth_date")
    for field in ("party_join_date", "work_start_date", "township_start_date", "current_post_date"):
        value = data.get(field)
        if value is None:
            continue
        label = CADRE_LABELS[field]
        if value > today:
            errors.append(DomainError("date_future", f"{label}不能晚于今天，请核对", field))
        elif birth and value < birth:
            errors.append(DomainError("date_before_birth", f"{label}早于出生日期，请核对", field))
        elif birth and field == "work_start_date" and idcard.age_on(birth, value) < 16:
            errors.append(DomainError("work_too_young", f"{label}时年龄不足16周岁，请核对", field))
    status = data.get("employment_status") or ""
    if birth and status:
        age = idcard.age_on(birth, today)
        if status in SERVING_STATUSES and age >= SERVING_AGE_WARNING:
            warnings.append(DomainError("age_serving", f"年龄 {age} 岁仍为「{status}」，请核对在职状态或出生日期",
                                        "employment_status", age=age))
        elif status in RETIRED_STATUSES and age < RETIRED_AGE_WARNING:
            warnings.append(DomainError("age_retired", f"年龄 {age} 岁已是「{status}」，请核对在职状态或出生日期",
                                        "employment_status", age=age))
    work = data.get("work_start_date")
    for field in ("township_start_date", "current_post_date"):
        value = data.get(field)
        if value and work and value < work:
            errors.append(DomainError("date_order", f"{CADRE_LABELS[field]}早于参加工作时间，请核对", field))
    return Checked(errors=errors, warnings=warnings, id_info=info)


def check_family(rows: list[Mapping[str, Any]], choices: Mapping[str, list[str]]) -> list[DomainError]:
    errors: list[DomainError] = []
    relations = choices.get("relation") or []
    for i, row in enumerate(rows, start=1):
        if not (row.get("name") or "").strip():
            errors.append(DomainError("required", f"家庭成员第{i}行：请填写姓名", "family", row=i))
        relation = row.get("relation") or ""
        if not relation:
            errors.append(DomainError("required", f"家庭成员第{i}行：请选择关系", "family", row=i))
        elif relations and relation not in relations:
            errors.append(DomainError("choice", f"家庭成员第{i}行：关系「{relation}」不在选项中", "family", row=i))
        err = check_phone(row.get("phone") or "", "family", f"家庭成员第{i}行联系电话")
        if err:
            errors.append(err)
    spouses = sum(1 for r in rows if r.get("relation") == "配偶")
    if spouses > 1:
        errors.append(DomainError("spouse_count", "家庭成员中只能有一位配偶，请核对", "family"))
    return errors


def check_unit(data: Mapping[str, Any], choices: Mapping[str, list[str]]) -> list[DomainError]:
    errors: list[DomainError] = []
    if not (data.get("name") or "").strip():
        errors.append(DomainError("required", "请填写单位名称", "name"))
    _check_choices(data, UNIT_CHOICES, UNIT_LABELS, choices, errors)
    if data.get("especially_hard") and data.get("township_category") == "街道":
        errors.append(DomainError("especially_hard_street",
                                  "街道办事处不享受乡镇工作补贴，不能标记为条件特别艰苦乡镇，请取消勾选或改正乡镇类别",
                                  "especially_hard"))
    return errors
