"""Pinyin-initials search keys (DOMAIN.md §1: names searched by characters and initials;
surnames get their surname reading, and either reading still finds the person)."""
from __future__ import annotations

import pytest

from carecenter.domain import pinyin


def finds(name: str, typed: str) -> bool:
    """What roster search does: ``name_initials LIKE '% typed%'``."""
    return f" {typed.lower()}" in pinyin.initials_key(name)


@pytest.mark.parametrize("name, key", [
    ("张三", "zs"),  # DOMAIN.md §1 example
    ("李四", "ls"),
    ("王小明", "wxm"),
    ("欧阳娜娜", "oynn"),
    ("司马光", "smg"),
    ("王 小明", "wxm"),  # stray inner space
    ("  张三 ", "zs"),
])
def test_first_variant(name, key):
    assert pinyin.initials_variants(name)[0] == key
    assert finds(name, key)


# DOMAIN.md §1: (name, surname reading, common reading of the character)
SURNAMES = [
    ("曾伟", "zw", "cw"),      # 曾 zeng, not ceng
    ("单雄", "sx", "dx"),      # 单 shan, not dan
    ("解放", "xf", "jf"),      # 解 xie, not jie
    ("仇敏", "qm", "cm"),      # 仇 qiu, not chou
    ("查静", "zj", "cj"),      # 查 zha, not cha
    ("区华", "oh", "qh"),      # 区 ou, not qu
    ("朴树", "ps", "ps"),      # 朴 piao / pu: same initial
    ("尉迟恭", "ycg", "wcg"),  # 尉迟 yuchi, not weichi
    ("覃明", "qm", "tm"),      # 覃 qin, not tan
    ("缪斌", "mb", "mb"),      # 缪 miao / miu: same initial
    ("秘书", "bs", "ms"),      # 秘 bi, not mi
    ("盖伟", "gw", "gw"),      # 盖 ge / gai: same initial
    ("乐平", "yp", "lp"),      # 乐 yue or le
]


@pytest.mark.parametrize("name, surname_key, common_key", SURNAMES)
def test_surname_reading_first_and_common_reading_still_found(name, surname_key, common_key):
    variants = pinyin.initials_variants(name)
    assert variants[0] == surname_key, variants
    assert finds(name, surname_key)
    assert finds(name, common_key)
    # typing only the surname initial of either reading finds the person too
    assert finds(name, surname_key[0]) and finds(name, common_key[0])


@pytest.mark.parametrize("name, typed", [
    ("乐平", "y"), ("乐平", "l"),           # 乐 yue/le both ways
    ("曾长乐行", "cclx"),                  # many heteronyms: the common surname reading is kept
    ("曾长乐行", "zclx"),
    ("单长乐", "dcl"),
    ("长孙无忌", "zswj"), ("长孙无忌", "cswj"),
])
def test_search_by_either_reading(name, typed):
    assert finds(name, typed), pinyin.initials_variants(name)


@pytest.mark.parametrize("name, typed", [
    ("张三", "ls"), ("张三", "sz"), ("王小明", "xm"),  # initials match from the start of the name only
])
def test_no_false_hits(name, typed):
    assert not finds(name, typed)


def test_key_format():
    key = pinyin.initials_key("曾伟")
    assert key.startswith(" ")
    assert key.split() == pinyin.initials_variants("曾伟")
    assert pinyin.initials_key("") == ""
    assert pinyin.initials_key("   ") == ""
    assert pinyin.initials_variants(None) == []


def test_variants_are_unique_lower_ascii_and_bounded():
    for name in ["曾长乐行", "阿依古丽·买买提", "买买提·艾力", "长孙无忌", "单于", "Tom"]:
        variants = pinyin.initials_variants(name)
        assert variants
        assert len(variants) == len(set(variants)) <= pinyin.MAX_VARIANTS
        assert all(v.isascii() and v.isalpha() and v == v.lower() for v in variants), variants


def test_middle_dot_is_not_a_letter():
    # 少数民族 names with the interpunct: the dot itself yields no initial
    assert pinyin.initials_variants("买买提·艾力")[0] == "mmtal"


@pytest.mark.parametrize("text, expected", [
    ("zs", True), ("ZS", True), ("", False), ("张", False), ("z3", False), ("z s", False),
])
def test_looks_like_initials(text, expected):
    assert pinyin.looks_like_initials(text) is expected


@pytest.mark.parametrize("earlier, later", [
    ("曹杰斌", "陈洁"),      # cao < chen, although the initials cjb > cj
    ("曾小明", "张三"),      # 曾 reads zeng as a surname: zeng < zhang
    ("单田芳", "孙红"),      # 单 reads shan: shan < sun
    ("尉迟恭", "张三"),      # compound surname yu chi
])
def test_sort_key_orders_by_full_pinyin_with_surname_reading(earlier, later):
    assert pinyin.sort_key(earlier) < pinyin.sort_key(later)


def test_sort_key_of_empty_name():
    assert pinyin.sort_key("  ") == ""
