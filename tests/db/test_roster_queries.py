"""Named roster reads (db/queries.py): search, filters, archived rows and sorting, all in SQL.
DOMAIN.md §1: names searched by characters and by pinyin initials in either reading."""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.db import queries
from carecenter.db.queries import RosterFilter, roster_count, roster_page
from carecenter.services import roster

TODAY = date(2026, 11, 25)

# name, birth, seq (odd = male), phone, category, status, unit index, rank
PEOPLE = [
    ("张三", "19900315", 11, "13800138000", "综合管理类", "在职", 0, "一级科员"),
    ("曾伟", "19851231", 13, "13912345678", "行政执法类", "驻村", 0, "四级主办"),
    ("单丽", "19960101", 22, "0577-88123456", "专业技术类", "借调", 1, "二级主管"),
    ("李四", "19700620", 15, "13700137001", "综合管理类", "在职", 1, "二级主任科员"),
    ("乐平", "20000229", 17, "15800001111", "综合管理类", "挂职", 0, "二级科员"),
]


@pytest.fixture
def people(store, make_id):
    u1 = roster.save_unit({"name": "乙单位"}).id
    u2 = roster.save_unit({"name": "甲单位"}).id
    units = [u1, u2]
    ids = {}
    for name, birth, seq, phone, category, status, ui, rank in PEOPLE:
        number = make_id(birth, seq, "110105")
        data = {"name": name, "id_number": number, "phone": phone, "position_category": category,
                "employment_status": status, "unit_id": units[ui], "rank": rank, "post": f"{name}的职务"}
        ids[name] = roster.save_cadre(data).id
    # an archived cadre whose ID ends in X
    x_id = "11010519491231002X"
    ids["王芳"] = roster.save_cadre({"name": "王芳", "id_number": x_id, "phone": "13600136000",
                                     "employment_status": "退休", "unit_id": u1}).id
    roster.set_cadre_archived(ids["王芳"], True)
    return {"units": units, "ids": ids}


def names(f=RosterFilter(), **kw):
    return [r[1] for r in roster_page(f, today=TODAY, **kw)]


def search(text, **kw):
    f = RosterFilter(text=text, **kw)
    found = names(f)
    assert roster_count(f) == len(found)
    return sorted(found)


@pytest.mark.parametrize("text, expected", [
    ("", ["乐平", "单丽", "张三", "曾伟", "李四"]),
    ("张", ["张三"]),
    ("三", ["张三"]),                    # any character of the name
    ("张三", ["张三"]),
    ("  张三 ", ["张三"]),
    ("zs", ["张三"]),                    # DOMAIN.md §1 example
    ("ZS", ["张三"]),
    ("z", ["曾伟", "张三"]),              # 曾 zeng: surname reading
    ("zw", ["曾伟"]),
    ("cw", ["曾伟"]),                    # ... and the common reading ceng
    ("sl", ["单丽"]),                    # 单 shan
    ("dl", ["单丽"]),                    # ... or dan
    ("yp", ["乐平"]), ("lp", ["乐平"]),   # 乐 yue / le
    ("ls", ["李四"]),
    ("qq", []),
    ("8000", ["张三"]),                  # phone tail
    ("123456", ["单丽"]),                # landline tail
    ("王", []),                          # archived: hidden by default
])
def test_search(people, text, expected):
    assert search(text) == sorted(expected)


def test_id_tail_with_x(people):
    assert search("002X", include_archived=True) == ["王芳"]
    assert search("002x", include_archived=True) == ["王芳"]
    assert search("２X", include_archived=True) == ["王芳"]         # full-width digit
    assert search("31002X", include_archived=True) == ["王芳"]
    assert search("002X") == []                                       # archived
    assert search("x", include_archived=True) == []                   # a lone x is initials, nobody's


def test_id_tail_matches_only_the_end(people, make_id):
    number = make_id("19900315", 11, "110105")
    assert search(number[-4:]) == ["张三"]
    assert search(number[-6:]) == ["张三"]
    assert search(number[:6]) == []  # the region code is not a tail


def test_archived_shown_when_asked(people):
    assert "王芳" not in names()
    assert "王芳" in names(RosterFilter(include_archived=True))
    rows = roster_page(RosterFilter(include_archived=True, text="王"), today=TODAY)
    assert [r[-1] for r in rows] == [True]
    assert roster_count(RosterFilter()) == 5
    assert roster_count(RosterFilter(include_archived=True)) == 6


def test_filters(people):
    u1, u2 = people["units"]
    assert search("", unit_id=u1) == sorted(["张三", "曾伟", "乐平"])
    assert search("", unit_id=u2) == sorted(["单丽", "李四"])
    assert search("", unit_id=u1, include_archived=True) == sorted(["张三", "曾伟", "乐平", "王芳"])
    assert search("", category="综合管理类") == sorted(["张三", "李四", "乐平"])
    assert search("", category="行政执法类") == ["曾伟"]
    assert search("", status="在职") == sorted(["张三", "李四"])
    assert search("", status="退休") == []
    assert search("", status="退休", include_archived=True) == ["王芳"]
    assert search("z", unit_id=u1, category="行政执法类", status="驻村") == ["曾伟"]
    assert search("z", unit_id=u2) == []


def test_row_shape(people):
    [row] = roster_page(RosterFilter(text="张三"), today=TODAY)
    cid, name, sex, age, unit, post, rank, category, phone, status, archived = row
    assert (cid, name, sex) == (people["ids"]["张三"], "张三", "男")
    assert age == 36 and unit == "乙单位" and post == "张三的职务"
    assert (rank, category, phone, status, archived) == ("一级科员", "综合管理类", "13800138000", "在职", False)


def test_age_on_birthday(people):
    # 乐平 born 2000-02-29
    [row] = roster_page(RosterFilter(text="乐平"), today=date(2026, 2, 28))
    assert row[3] == 25
    [row] = roster_page(RosterFilter(text="乐平"), today=date(2026, 3, 1))
    assert row[3] == 26


def _expected_order(key, rows):
    col = queries.ROSTER_COLUMNS.index(key) + 1
    return [r[1] for r in sorted(rows, key=lambda r: (r[col], r[0]))]


@pytest.mark.parametrize("key", [k for k in queries.ROSTER_COLUMNS if k != "name"])
def test_sort_by_each_column(people, key):
    rows = roster_page(RosterFilter(), today=TODAY)
    asc = names(sort=key)
    desc = names(sort=key, descending=True)
    col = queries.ROSTER_COLUMNS.index(key) + 1
    by_name = {r[1]: r for r in rows}
    asc_values = [by_name[n][col] for n in asc]
    desc_values = [by_name[n][col] for n in desc]
    assert asc_values == sorted(asc_values), (key, asc)
    assert desc_values == sorted(desc_values, reverse=True), (key, desc)
    assert sorted(asc) == sorted(desc) == sorted(by_name)


def test_sort_by_age_is_by_birth_date(people):
    assert names(sort="age") == ["乐平", "单丽", "张三", "曾伟", "李四"]          # youngest first
    assert names(sort="age", descending=True) == ["李四", "曾伟", "张三", "单丽", "乐平"]


def test_sort_by_name_in_pinyin_order(people):
    # full pinyin with the surname reading: li si, shan li, yue ping, zeng wei, zhang san
    assert names(sort="name") == ["李四", "单丽", "乐平", "曾伟", "张三"]
    assert names(sort="name", descending=True) == ["张三", "曾伟", "乐平", "单丽", "李四"]


def test_sort_by_unit_groups_units(people):
    units = [r[4] for r in roster_page(RosterFilter(), sort="unit", today=TODAY)]
    assert units == sorted(units)
    assert units.count("甲单位") == 2 and units.count("乙单位") == 3


def test_unknown_sort_key_falls_back(people):
    assert names(sort="nonsense") == names(sort="name")


def test_paging(people):
    full = names(sort="age")
    assert names(sort="age", offset=0, limit=2) + names(sort="age", offset=2, limit=2) \
        + names(sort="age", offset=4, limit=2) == full
    assert names(sort="age", offset=10, limit=2) == []


def test_search_text_is_a_parameter_not_sql(people):
    assert search("张'; DROP TABLE cadre; --") == []
    assert roster_count(RosterFilter()) == 5


def test_unit_cache_is_per_database(people, tmp_path):
    assert "乙单位" in queries.unit_names().values()
    from carecenter.app import open_store
    from carecenter.paths import DataPaths
    open_store(DataPaths(tmp_path / "other"))
    assert queries.unit_names() == {}
