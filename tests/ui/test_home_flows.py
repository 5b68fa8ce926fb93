"""工作台: the to-do list is built from the data and every item opens the right place."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from carecenter.services import health, leave
from carecenter.ui.pages.home_page import TodoCard


def cards(window) -> dict[str, TodoCard]:
    layout = window.home_page.cards
    found = {}
    for i in range(layout.count()):
        w = layout.itemAt(i).widget()
        if isinstance(w, TodoCard):
            found[w.item.key] = w
    return found


def rebuild(window, qtbot):
    window.set_page("home")
    window.home_page.refresh()
    qtbot.waitUntil(lambda: window.home_page._job is None, timeout=10000)


def test_items_open_their_page_and_people_open_their_detail(window, qtbot, add_unit, add_cadre, make_id):
    health.seed_rules_if_empty("zhejiang")
    leave.seed_rules_if_empty("zhejiang")
    unit_id = add_unit()
    cadre_id = add_cadre("王伟", make_id("330328", "19800115", 11), unit_id, work_start_date=date(2010, 8, 1))
    check = health.save_check(health.CheckInput(
        cadre_id=cadre_id, check_date=date(date.today().year, 1, 5), institution="县人民医院", package="常规体检",
        findings=[health.FindingInput(item="血压", description="偏高", level="B",
                                      recheck_due=date(date.today().year, 1, 20))]))
    assert check
    rebuild(window, qtbot)

    found = cards(window)
    follow = found["followup_overdue"]
    assert "异常随访已过复查日期" in follow.title_label.text()
    assert follow.item.severity == "overdue"
    # the page says how many and how many are overdue, in words (never colour alone)
    assert "其中逾期" in window.home_page.status_label.text()
    # coverage bars from the same data
    labels = [c.label for c in window.home_page.chart.rows]
    assert labels == ["本年已体检", "本年已休年休假", "本年已走访慰问"]
    assert window.home_page.chart.rows[0].done == 1

    # 查看 goes to the health page's follow-up list
    qtbot.mouseClick(follow.open_button, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.health_page
    assert window.health_page.view == "followups"

    # a name opens that person's detail window
    rebuild(window, qtbot)
    follow = cards(window)["followup_overdue"]
    link = next(b for b in follow.findChildren(QPushButton) if b.text() == "王伟")
    assert "血压" in link.toolTip()
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert cadre_id in window.detail_windows


def test_home_refreshes_after_a_change(window, qtbot, add_unit, add_cadre, make_id):
    health.seed_rules_if_empty("zhejiang")
    unit_id = add_unit()
    cadre_id = add_cadre("李娜", make_id("330328", "19900315", 12), unit_id)
    rebuild(window, qtbot)
    assert "health_due" in cards(window)
    health.save_check(health.CheckInput(cadre_id=cadre_id, check_date=date.today(), institution="县医院",
                                        package="常规体检"))
    health.save_check(health.CheckInput(cadre_id=cadre_id, check_date=date.today(), institution="县医院",
                                        package="两癌筛查"))
    window._after_cadres_changed(source=None)  # what every page's "changed" signal leads to
    qtbot.waitUntil(lambda: window.home_page._job is None, timeout=10000)
    assert "health_due" not in cards(window)
