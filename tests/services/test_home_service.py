"""The home page's to-do items from crafted data (issue 4, item 8)."""
from __future__ import annotations

from datetime import date

import pytest

from carecenter.services import health, home, leave, roster, welfare
from tests.conftest import cadre_record, make_id_number

TODAY = date(2026, 11, 25)


@pytest.fixture
def township(store):
    """A township unit in a hardship area with rules loaded."""
    leave.seed_rules_if_empty("zhejiang")
    health.seed_rules_if_empty("zhejiang")
    welfare.seed_rules_if_empty()
    return roster.save_unit({"name": "云溪乡人民政府", "kind": "政府", "township": "云溪乡",
                             "township_category": "乡", "hardship_area_class": "二类"}).id


def add(unit, name, birth, seq, **over):
    data = cadre_record(unit, name=name, id_number=make_id_number(birth, seq),
                        work_start_date=date(2010, 8, 1), township_start_date=date(2010, 8, 1))
    data.update(over)
    return roster.save_cadre(data, []).id


def by_key(data: home.HomeData) -> dict[str, home.TodoItem]:
    return {i.key: i for i in data.items}


def test_items_from_crafted_data(township):
    never_checked = add(township, "王伟", "19800115", 11)           # birthday in January
    checked = add(township, "李娜", "19851120", 12)                 # birthday this month (November)
    health.save_check(health.CheckInput(
        cadre_id=checked, check_date=date(2026, 3, 2), institution="县人民医院", package="常规体检",
        findings=[health.FindingInput(item="血压", description="偏高", level="B",
                                      recheck_due=date(2026, 6, 1))]), today=TODAY)

    items = by_key(home.build(TODAY))

    # health: the never-checked cadre is due this year; the other's follow-up is past due
    due = items["health_due"]
    assert due.severity == home.SEVERITY_WARNING
    # 王伟 never had a check; 李娜 (41) had her 常规体检 but is due her 两癌筛查 (35–64, every 3 years)
    assert sorted(due.people) == sorted([(never_checked, "王伟（常规体检）"), (checked, "李娜（两癌筛查）")])
    assert due.target == home.Target("health", "due")
    follow = items["followup_overdue"]
    assert follow.severity == home.SEVERITY_OVERDUE and follow.count == 1
    assert follow.people[0][0] == checked and "2026-06-01" in follow.people[0][1]
    # annual leave: late in the year, nobody has rested yet
    assert items["leave_none"].count == 2
    assert items["leave_none"].target == home.Target("leave", "balances")
    # birthdays this month: only 李娜
    assert [cid for cid, _ in items["birthdays"].people] == [checked]
    assert "11-20" in items["birthdays"].people[0][1]
    # hardship-area / township cadres not visited this year
    assert items["not_visited"].count == 2
    # the month's allowance batch has not been generated, let alone locked
    assert items["allowance_month"].target.page == "allowance"
    # overdue first
    assert data_order(home.build(TODAY))[0] == home.SEVERITY_OVERDUE


def data_order(data):
    return [i.severity for i in data.items]


def test_leave_item_disappears_once_rested_and_not_before_october(township):
    cid = add(township, "张强", "19800115", 13)
    assert "leave_none" not in by_key(home.build(date(2026, 9, 30)))
    assert "leave_none" in by_key(home.build(TODAY))
    leave.save_leave(leave.LeaveInput(cid, "annual", date(2026, 11, 2), date(2026, 11, 4)))
    items = by_key(home.build(TODAY))
    assert "leave_none" not in items
    assert items["leave_partly"].people[0][0] == cid


def test_coverage_counts_serving_cadres(township):
    a = add(township, "王伟", "19800115", 11)
    add(township, "李娜", "19851120", 12)
    add(township, "赵刚", "19700101", 13, employment_status="退休")  # not serving: not counted
    health.save_check(health.CheckInput(cadre_id=a, check_date=date(2026, 5, 6), institution="县医院",
                                        package="常规体检"), today=TODAY)
    cov = {c.label: c for c in home.build(TODAY).coverage}
    checked = cov["本年已体检"]
    assert (checked.done, checked.total) == (1, 2)
    assert str(checked.percent) == "50.0"
    assert cov["本年已休年休假"].done == 0


def test_a_section_without_rules_says_so_and_the_rest_still_shows(store):
    health.seed_rules_if_empty("zhejiang")       # leave rules deliberately not loaded
    unit = roster.save_unit({"name": "青岭镇人民政府", "kind": "政府", "township": "青岭镇",
                             "township_category": "镇"}).id
    add(unit, "王伟", "19800115", 11)
    items = by_key(home.build(TODAY))
    assert "health_due" in items
    broken = items["error_leave_items"]
    assert broken.title == "部分待办无法汇总" and "年休假" in broken.detail
    assert broken.target.page == "leave"


def test_overdue_follow_ups_counted_in_full_with_class_a_first(township):
    a = add(township, "王伟", "19800115", 11)
    b = add(township, "李娜", "19851120", 12)
    for cadre, level, due in ((a, "B", date(2026, 3, 1)), (b, "A", date(2026, 9, 1)), (a, "B", date(2026, 12, 1))):
        health.save_check(health.CheckInput(
            cadre_id=cadre, check_date=date(2026, 1, 10), institution="县人民医院", package="常规体检",
            findings=[health.FindingInput(item="血脂", description="偏高", level=level, recheck_due=due)]),
            today=TODAY)
    item = by_key(home.build(TODAY))["followup_overdue"]
    assert item.count == 2                       # the December re-check is not yet due
    assert [cid for cid, _ in item.people] == [b, a]   # class A first


def test_a_new_database_says_where_to_begin(store):
    first = home.build(TODAY).items
    assert [i.key for i in first] == ["start"] and first[0].target.page == "units"
    unit = roster.save_unit({"name": "青岭镇人民政府", "kind": "政府", "township": "青岭镇",
                             "township_category": "镇"}).id
    assert home.build(TODAY).items[0].target.page == "roster"
    add(unit, "王伟", "19800115", 11)
    assert "start" not in by_key(home.build(TODAY))


def test_not_visited_from_the_shared_visited_set_matches_the_query(store):
    from carecenter.services import demo

    demo.build(60, history_years=2)
    year = date.today().year
    assert welfare.not_visited(year, visited=home._visited_ids(year)) == welfare.not_visited(year)


def test_overdue_follow_ups_leave_out_archived_checks_and_cadres(township):
    from carecenter.services import roster

    a = add(township, "王伟", "19800115", 11)
    b = add(township, "李娜", "19851120", 12)
    c = add(township, "张强", "19820310", 13)
    checks = {}
    for cadre in (a, b, c):
        checks[cadre] = health.save_check(health.CheckInput(
            cadre_id=cadre, check_date=date(2026, 1, 10), institution="县人民医院", package="常规体检",
            findings=[health.FindingInput(item="血脂", description="偏高", level="B", recheck_due=date(2026, 3, 1))]),
            today=TODAY)
    assert by_key(home.build(TODAY))["followup_overdue"].count == 3
    health.archive_check(checks[a])
    roster.set_cadre_archived(b, True)
    item = by_key(home.build(TODAY))["followup_overdue"]
    assert item.count == 1 and [cid for cid, _ in item.people] == [c]
