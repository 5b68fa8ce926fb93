"""The county edition the way the county's clerk uses it (issue 15): three demo townships pack
2025 (tests/exchange/exchange_world.py); the county, right after ``county init``, receives
their packages through 接收报送… — confirming each township's fingerprint in the dialog the
first time — and then 报送情况, 汇总 (table and charts), 干部花名册（全县）, 打印… and
导出 Excel… show the numbers the townships computed in their own databases."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from carecenter.db.database import close_database
from carecenter.db.models import AuditLog, PrintLog
from carecenter.domain.money import format_yuan, to_capital
from carecenter.services import county, printing
from carecenter.services import print_format as fmt
from carecenter.ui import export_action, theme
from carecenter.ui.dialogs.county_receive import READ_OUT, TrustDialog
from carecenter.ui.widgets.fingerprint import grouped
from tests.exchange.exchange_world import PERIOD, build_world, copy_db, open_db
from tests.reports.test_county_summary_layout import pdf_text
from tests.ui.helpers import double_click_row, main_window


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_world(tmp_path_factory.mktemp("county-gui"))
    yield built
    close_database()


def opened_copy(paths, target: Path):
    """A copy of a county database, open (the program has one store at a time)."""
    copy = copy_db(paths, target)
    open_db(copy)
    return copy


@pytest.fixture
def fresh_county(world, tmp_path):
    """The county right after ``county init`` (nothing received)."""
    yield opened_copy(world.county_fresh, tmp_path / "county")
    close_database()


@pytest.fixture
def full_county(world, tmp_path):
    """The county that received the three packages."""
    yield opened_copy(world.county, tmp_path / "county")
    close_database()


@pytest.fixture
def county_window(themed, qtbot, boxes):
    @contextmanager
    def make(paths):
        with main_window(qtbot, paths, demo=False) as w:
            w.activateWindow()   # the keys the clerk presses go to the active window
            qtbot.waitUntil(w.isActiveWindow, timeout=3000)
            yield w
    return make


def choose_file(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


class TrustAnswer:
    """Answers the fingerprint dialog the way the clerk does after the phone call: reads
    what it shows, ticks 「我已…核对」 and clicks 确认信任并接收 (or 取消)."""

    def __init__(self, qtbot, confirm: bool = True):
        self.qtbot, self.confirm = qtbot, confirm
        self.seen: list[dict] = []
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, TrustDialog) and w.isVisible():
                self.timer.stop()
                texts = [label.text() for label in w.findChildren(type(w.instruction))]
                self.seen.append({"texts": texts, "fingerprint": w.fingerprint_label.text(),
                                  "mono": w.fingerprint_label.font().styleHint(),
                                  "size": w.fingerprint_label.font().pointSizeF(),
                                  "enabled_before": w.trust_button.isEnabled()})
                if self.confirm:
                    w.checked_box.setChecked(True)
                    self.qtbot.mouseClick(w.trust_button, Qt.MouseButton.LeftButton)
                else:
                    self.qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
                return


def receive_through_gui(qtbot, page, monkeypatch, package: Path, confirm: bool = True) -> TrustAnswer:
    choose_file(monkeypatch, package)
    answer = TrustAnswer(qtbot, confirm)
    window, before = page.window(), page.receiver.job
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert page.receiver.job is not before
    # the trust question is answered inside the first job's handler, which starts the second job
    qtbot.waitUntil(lambda: not page.receiver.busy, timeout=20000)
    answer.timer.stop()
    return answer


def summary_shown(qtbot, w):
    """Go to 汇总 and choose 2025; returns the page once its figures are shown."""
    w.set_page("summary")
    page = w.summary_page
    page.set_period(PERIOD)
    qtbot.waitUntil(lambda: page.summary is not None and page.summary.period == PERIOD and not page.busy,
                    timeout=10000)
    return page


# ================================================================ the window

def test_a_county_database_shows_the_county_pages(fresh_county, county_window, qtbot):
    with county_window(fresh_county) as w:
        labels = [w.nav.item(i).text() for i in range(w.nav.count())]
        assert labels == ["报送情况", "汇总", "干部花名册（全县）", "系统设置", "数据备份", "账户管理", "审计日志"]
        assert w.county and w.windowTitle() == "关心关爱中心 — 县级接收与汇总"
        for page in (w.home_page, w.roster_page, w.leave_page, w.health_page, w.allowance_page, w.welfare_page,
                     w.reports_page, w.units_page):
            assert page is None
        assert w.current_page() is w.submissions_page
        assert w.count_label.text() == "全县名册 0 人"
        # nothing received yet: each page says what to do
        page = w.submissions_page
        assert page.empty_visible and "点「接收报送…」" in page.empty_state.label.text()
        assert [page.model.item(r).name for r in range(page.model.rowCount())] == []
        # the county's settings: no township rule tables, the county's key to hand out
        w.set_page("settings")
        settings = w.settings_page
        assert settings.buttons == {}
        box = settings.exchange_box
        assert box.fingerprint_label.text().replace("\n", "-") == county.county_info().fingerprint
        box.deadline_spin.setValue(45)
        qtbot.mouseClick(box.deadline_button, Qt.MouseButton.LeftButton)
        assert county.deadline_days() == 45 and box.deadline_message.text() == "已保存"
        w.set_page("submissions")
        assert w.submissions_page.deadline_edit.line_edit.placeholderText() == "默认 {0}".format(
            county.default_deadline(w.submissions_page.period, 45).isoformat())


def test_a_township_database_keeps_its_pages(store, county_window):
    with county_window(store) as w:
        assert not w.county
        assert w.submissions_page is None and w.summary_page is None and w.county_roster_page is None
        assert w.roster_page is not None and w.home_page is not None


def test_an_account_without_county_receive_cannot_receive(full_county, county_window):
    from carecenter.domain import idcard
    from carecenter.security import access

    head = access.Actor("fuzeren", "负责人", frozenset({"county.read", "print", "export"}))
    with access.acting_as(head):
        with county_window(full_county) as w:
            assert "账户管理" not in [w.nav.item(i).text() for i in range(w.nav.count())]
            button = w.submissions_page.receive_button
            assert not button.isEnabled() and "接收乡镇报送" in button.toolTip()
            assert w.submissions_page.receive() is None
            # without 查看完整身份证号 the county roster masks the numbers
            w.set_page("county_roster")
            model = w.county_roster_page.model
            shown = model.data(model.index(0, model.COLUMNS.index("id_number")))
            assert shown == idcard.mask(model.id_number(0)) and shown != model.id_number(0)


# ================================================================ 接收报送 … 汇总

def test_receive_confirm_fingerprints_then_the_summary_shows_the_townships_numbers(
        world, fresh_county, county_window, qtbot, monkeypatch, boxes):
    first, second, _third = world.towns
    with county_window(fresh_county) as w:
        page = w.submissions_page
        page.set_period(PERIOD)
        # the first package of a township: the dialog shows who it is and the fingerprint to read out
        answer = receive_through_gui(qtbot, page, monkeypatch, first.package, confirm=False)
        seen = answer.seen[0]
        assert "青岭镇" in seen["texts"] and first.code in seen["texts"] and READ_OUT in seen["texts"]
        assert seen["fingerprint"] == grouped(first.fingerprint, 4)
        assert seen["fingerprint"].replace("\n", "-") == first.fingerprint
        assert seen["size"] >= 14 and not seen["enabled_before"]
        # 取消: nothing received
        assert county.snapshots(first.code) == []
        assert page.empty_visible

        answer = receive_through_gui(qtbot, page, monkeypatch, first.package)
        assert answer.seen
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
        done = boxes.shown[-1]
        assert done["title"] == "接收完成" and "已接收「青岭镇」2025年度报送包" in done["text"]
        row = page.model.item(0)
        assert (row.name, row.code, row.period) == ("青岭镇", first.code, PERIOD)
        assert page.model.data(page.model.index(0, page.model.COLUMNS.index("fingerprint"))) \
            == county.snapshots(first.code)[0].package_fingerprint
        # the same package again: nothing changes, no question asked
        answer = receive_through_gui(qtbot, page, monkeypatch, first.package)
        assert answer.seen == [] and "已接收过，未作改动" in boxes.shown[-1]["text"]
        assert len(county.snapshots(first.code)) == 1

        receive_through_gui(qtbot, page, monkeypatch, second.package)
        qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
        # received after 31 January 2026 (the default deadline): late, in words and in red
        late_col = page.model.COLUMNS.index("late")
        assert all("逾期" in page.model.data(page.model.index(r, late_col)) for r in range(2))
        assert page.model.data(page.model.index(0, late_col), Qt.ItemDataRole.ForegroundRole) == QColor(theme.ERROR)
        assert "逾期 2 个" in page.count_label.text()
        audited = [a.summary for a in AuditLog.select().where(AuditLog.action == "receive")]
        assert any("青岭镇" in s for s in audited) and any("白沙镇" in s for s in audited)

        # 汇总: the two townships and the total, as each township computed its figures
        w.set_page("summary")
        summary = w.summary_page
        qtbot.waitUntil(lambda: summary.summary is not None and not summary.busy, timeout=10000)
        assert summary.period == PERIOD
        model = summary.model
        assert model.rowCount() == 3
        for r, town in enumerate((first, second)):
            f = town.figures
            cell = {key: model.data(model.index(r, c)) for c, key in enumerate(model.COLUMNS)}
            assert cell["name"] == town.name
            assert cell["cadres"] == f"{f.cadres:,}"
            assert cell["health"] == (f"{fmt.percent(f.health_done, f.health_due)}（{f.health_done}/{f.health_due}）"
                                      if f.health_due else "—")
            assert cell["leave"] == f"{fmt.days(f.leave_taken_days)}/{fmt.days(f.leave_due_days)}"
            assert cell["untaken"] == str(f.leave_untaken_cadres)
            assert cell["allowance"] == format_yuan(f.allowance_total_fen)
        total = {key: model.data(model.index(2, c)) for c, key in enumerate(model.COLUMNS)}
        both = first.figures.allowance_total_fen + second.figures.allowance_total_fen
        assert total["name"] == "全县合计" and total["allowance"] == format_yuan(both)
        assert total["cadres"] == f"{first.figures.cadres + second.figures.cadres:,}"
        # the charts carry the same numbers
        summary.set_view("health")
        bars = summary.charts["health"].bars()
        assert [b.label for b in bars][0].endswith(f"（{first.figures.health_done}/{first.figures.health_due}）")
        summary.set_view("allowance")
        months = summary.charts["allowance"].bars()
        assert len(months) == 12
        assert sum(b.value for b in months) == pytest.approx(both)
        summary.set_view("leave")
        leave = summary.charts["leave"]
        assert [s.name for s in leave.series] == ["应休", "已休"]
        assert leave.series[1].values[1] == pytest.approx(float(second.figures.leave_taken_days))
        assert summary.current_chart_pane() is summary.panes["leave"]

        # the status bar and the roster follow the new packages
        assert w.count_label.text() == f"全县名册 {county.roster_count()} 人"
        w.set_page("county_roster")
        assert w.county_roster_page.model.total == county.roster_count() > 0


# ================================================================ the pages on the full county

def test_snapshots_of_a_township_open_on_double_click(world, full_county, county_window, qtbot):
    with county_window(full_county) as w:
        page = w.submissions_page
        page.set_period(PERIOD)
        qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
        double_click_row(qtbot, page.table_view, 0)
        dialog = page.dialog
        assert dialog is not None and dialog.isVisible()
        town = next(t for t in world.towns if t.code == page.model.item(0).code)
        assert town.name in dialog.windowTitle() and town.code in dialog.heading.text()
        assert dialog.model.rowCount() == 1
        state = dialog.model.data(dialog.model.index(0, dialog.model.COLUMNS.index("state")))
        assert state == "现行（汇总采用）"
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible()


def test_the_roster_finds_the_moved_cadre_once_with_both_townships(world, full_county, county_window, qtbot):
    number, name = world.moved
    with county_window(full_county) as w:
        w.set_page("county_roster")
        page = w.county_roster_page
        qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert page.search_box.hasFocus()
        page.set_search_text(number[-6:])
        assert page.model.total == 1
        cells = {key: page.model.data(page.model.index(0, c)) for c, key in enumerate(page.model.COLUMNS)}
        assert cells["name"] == name and cells["township"] == "白沙镇" and cells["townships"] == "2"
        assert cells["id_number"] == number         # the test account may see full ID numbers
        double_click_row(qtbot, page.table_view, 0)
        dialog = page.dialog
        assert [dialog.model.item(r).township for r in range(dialog.model.rowCount())] == ["青岭镇", "白沙镇"]
        assert "在 2 个乡镇任职" == dialog.count_label.text()
        dialog.reject()
        # ordered by 乡镇 on a click; a column the service cannot order by keeps the arrow where it is
        header = page.table_view.horizontalHeader()
        page.set_search_text("")
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(4) + 10, header.height() // 2))
        assert page.model.order == "township" and header.sortIndicatorSection() == 4
        towns = [page.model.data(page.model.index(r, 4)) for r in range(page.model.rowCount())]
        assert towns == sorted(towns, key=[t.name for t in sorted(world.towns, key=lambda t: t.code)].index)
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(6) + 10, header.height() // 2))   # 职务
        assert page.model.order == "township" and header.sortIndicatorSection() == 4
        # the township filter: only 青岭镇's latest package
        page.set_search_text("")
        page.township_filter.setCurrentIndex(page.township_filter.findData(world.towns[0].code))
        assert page.model.total == county.roster_count("", world.towns[0].code)


def test_print_the_summary_register_from_the_page(world, full_county, county_window, qtbot, monkeypatch):
    from carecenter.ui.dialogs import print_preview_dialog as preview

    shown = []
    monkeypatch.setattr(preview, "show_preview", lambda parent, printout: shown.append(printout))
    with county_window(full_county) as w:
        page = summary_shown(qtbot, w)
        assert page.print_button.isEnabled()
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    printout = shown[0]
    body = pdf_text(printout.pdf)
    total = county.summary(PERIOD).total
    for town in world.towns:
        assert town.name in body
    assert f"津贴补贴发放合计（大写）：人民币{to_capital(total.allowance_total_fen)}" in body
    assert f"核验码：{printout.code}" in body
    row = PrintLog.get(PrintLog.code == printout.code)
    assert row.kind == "county" and row.period == "2025年度"
    assert printing.verify(printout.code).current
    assert printing.print_log(5)[0].kind == "乡镇公务员关心关爱工作汇总表"


def test_export_the_summary_to_excel(world, full_county, county_window, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "汇总.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(out), "")))
    with county_window(full_county) as w:
        page = summary_shown(qtbot, w)
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: out.exists() and not page._export_job.running, timeout=20000)
    summary = county.summary(PERIOD)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "津贴补贴按月", "慰问经费", "说明"]
    sheet = book["汇总"]
    head = [c.value for c in sheet[1]]
    rows = [dict(zip(head, (c.value for c in r))) for r in sheet.iter_rows(min_row=2)]
    assert [r["乡镇"] for r in rows] == [t.name for t in summary.townships] + ["合计"]
    for r, t in zip(rows, summary.townships + (summary.total,)):
        assert r["在职干部"] == t.cadres and r["未结异常随访"] == t.followups_open
        assert r["津贴补贴（元）"] == pytest.approx(t.allowance_total_fen / 100)
        assert r["已休（天）"] == pytest.approx(float(t.leave_taken_days))
        if t.health_due:
            assert r["体检覆盖率"] == pytest.approx(t.health_done / t.health_due, abs=0.0005)
    months = book["津贴补贴按月"]
    last = [c.value for c in months[months.max_row]]
    assert last[0] == "合计" and last[-1] == pytest.approx(summary.total.allowance_total_fen / 100)
    notes = {r[0].value: r[1].value for r in book["说明"].iter_rows(min_row=2)}
    assert notes["列表"] == "县级汇总" and notes["年度"] == "2025 年"
    assert AuditLog.select().where(AuditLog.action == "export", AuditLog.summary.contains("县级汇总")).count() == 1


def test_export_the_county_roster_as_shown(world, full_county, county_window, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "全县名册.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(out), "")))
    monkeypatch.setattr(export_action.ExportOptionsDialog, "exec",
                        lambda dialog: int(QDialog.DialogCode.Accepted.value))   # 包含敏感信息 left unticked
    with county_window(full_county) as w:
        w.set_page("county_roster")
        page = w.county_roster_page
        page.township_filter.setCurrentIndex(page.township_filter.findData(world.towns[1].code))
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: out.exists() and not page._export_job.running, timeout=20000)
        shown = [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]
    sheet = openpyxl.load_workbook(out)["全县干部名册"]
    names = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert names == shown and len(names) == county.roster_count("", world.towns[1].code)
    numbers = [r[1].value for r in sheet.iter_rows(min_row=2)]
    assert all("*" in n for n in numbers)           # masked unless 包含敏感信息 was ticked


def test_a_refused_package_is_said_in_a_message_box(fresh_county, county_window, qtbot, monkeypatch, boxes, tmp_path):
    broken = tmp_path / "青岭镇-2025.ccx"
    broken.write_bytes(b"not a package at all" * 10)
    with county_window(fresh_county) as w:
        page = w.submissions_page
        answer = receive_through_gui(qtbot, page, monkeypatch, broken)
        assert answer.seen == []
        refusal = boxes.shown[-1]
        assert refusal["title"] == "无法接收" and "青岭镇-2025.ccx" in refusal["informative"]
        assert "青岭镇-2025.ccx" in refusal["text"] and "报送包" in refusal["text"]   # the service's Chinese sentence
        assert page.empty_visible and county.submissions(PERIOD) == []


def test_cancel_while_receiving_stores_nothing(world, fresh_county, county_window, qtbot, monkeypatch, boxes):
    import threading

    started, go = threading.Event(), threading.Event()
    real = county.receive

    def held(path, trust=None, progress=None, check=None):
        started.set()
        go.wait(5)
        return real(path, trust=trust, progress=progress, check=check)

    monkeypatch.setattr(county, "receive", held)
    town = world.towns[0]
    with county_window(fresh_county) as w:
        page = w.submissions_page
        job = page.receiver.receive(town.package, trust=town.fingerprint)
        assert started.wait(5)
        job.cancel()               # 取消 in the progress dialog
        go.set()
        qtbot.waitUntil(lambda: not page.receiver.busy, timeout=10000)
        assert job.error is None and job.result is None
        assert county.snapshots(town.code) == [] and boxes.shown == []
