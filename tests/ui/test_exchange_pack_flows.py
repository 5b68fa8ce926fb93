"""报送县里 from the township's window (issue 15): 系统设置 → 交换设置 (name and 12-digit code,
the county's public key, the township's own fingerprint) and 报表打印 → 报送县里… making the
package in the background, then saying where it went and its fingerprint."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from carecenter.db.database import close_database
from carecenter.services import exchange_pack, exchange_setup
from carecenter.ui.widgets.fingerprint import grouped
from tests.exchange.exchange_world import PERIOD, build_world
from tests.ui.test_county_flows import opened_copy


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_world(tmp_path_factory.mktemp("pack-gui"))
    yield built
    close_database()


@pytest.fixture
def township(world, tmp_path):
    """A copy of 青岭镇 (name, code and the county's key set; packed 2025 once), open."""
    yield opened_copy(world.towns[0].paths, tmp_path / "town")
    close_database()


def test_exchange_settings_name_code_county_key_and_own_fingerprint(window, world, qtbot, monkeypatch, boxes,
                                                                     type_text):
    window.set_page("settings")
    box = window.settings_page.exchange_box
    form = box.identity_form
    assert box.county_key.fingerprint_label.isHidden()
    assert "尚未导入县里的公钥" in box.county_key.status_label.text()
    # a wrong code is refused under its field; Enter saves
    type_text(form.name_edit, "青岭镇")
    type_text(form.code_edit, "3303281010")
    qtbot.keyClick(form.code_edit, Qt.Key.Key_Return)
    assert form.code_message.isVisible() and "应为 12 位数字" in form.code_message.text()
    assert exchange_setup.identity().code == ""
    form.code_edit.clear()
    type_text(form.code_edit, "330328101000")
    assert not form.code_message.isVisible()
    qtbot.keyClick(form.code_edit, Qt.Key.Key_Return)
    assert exchange_setup.identity() == exchange_setup.Identity("青岭镇", "330328101000")
    assert form.done_label.text() == "已保存：青岭镇（330328101000）"
    # the county's key: chosen in the file dialog, its fingerprint shown to read back to the county
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(world.pub), "")))
    qtbot.mouseClick(box.county_key.import_button, Qt.MouseButton.LeftButton)
    assert "已导入 某某县（区划代码 330328000000）的公钥" in box.county_key.status_label.text()
    assert box.county_key.fingerprint_label.text() == grouped(world.county_key.fingerprint, 8)
    assert grouped(world.county_key.fingerprint) in boxes.shown[-1]["text"]
    # the township's own fingerprint (made on first use)
    assert box.own_fingerprint.fingerprint_label.text() == exchange_pack.township_fingerprint()


def test_a_county_key_of_the_wrong_file_is_refused_with_the_reason(window, qtbot, monkeypatch, boxes, tmp_path):
    bad = tmp_path / "county.pub"
    bad.write_text("不是公钥", encoding="utf-8")
    window.set_page("settings")
    key_box = window.settings_page.exchange_box.county_key
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), "")))
    qtbot.mouseClick(key_box.import_button, Qt.MouseButton.LeftButton)
    assert boxes.shown[-1]["title"] == "无法导入公钥" and "county.pub" in boxes.shown[-1]["informative"]
    assert exchange_pack.county_key_info() is None


def test_pack_for_the_county_from_the_reports_page(township, themed, qtbot, monkeypatch, boxes, tmp_path):
    from tests.ui.helpers import main_window

    out = tmp_path / "U盘" / "青岭镇-2025.ccx"
    out.parent.mkdir()
    with main_window(qtbot, township, demo=False) as w:
        w.set_page("reports")
        assert w.reports_page.kind_combo.findData("county") == -1     # the county's register is not a township's
        qtbot.mouseClick(w.reports_page.county_pack_button, Qt.MouseButton.LeftButton)
        dialog = w.reports_page.dialog
        assert dialog is not None and dialog.isVisible()
        dialog.set_period(PERIOD)
        assert dialog.through_edit.value() == date(PERIOD, 12, 31)
        assert dialog.identity_label.text() == "青岭镇（统计用区划代码 330328101000）"
        assert "已导入 某某县" in dialog.county_key.status_label.text()
        assert dialog.own_fingerprint.fingerprint_label.text() == grouped(exchange_pack.township_fingerprint(), 8)
        assert dialog.path_edit.text().endswith("青岭镇-2025.ccx")
        assert dialog.sent_model.rowCount() == 1          # the world packed 2025 once already
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(out), "")))
        qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
        qtbot.keyClick(dialog.pack_button, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.result is not None, timeout=30000)
        assert out.exists() and dialog.result.path == out
        assert str(out) in dialog.result_label.text() and "2025年度，数据截至 2025-12-31" in dialog.result_label.text()
        assert dialog.result_fingerprint.text() == grouped(dialog.result.package_fingerprint, 8)
        assert dialog.open_folder_button.isVisible()
        assert dialog.sent_model.rowCount() == 2
        newest = dialog.sent_model.item(0)
        assert newest.package_fingerprint == dialog.result.package_fingerprint and newest.file_name == out.name
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        # a through date outside the year is said under the field, nothing is made
        qtbot.mouseClick(w.reports_page.county_pack_button, Qt.MouseButton.LeftButton)
        dialog = w.reports_page.dialog
        dialog.set_period(PERIOD)
        dialog.through_edit.setValue(date(PERIOD + 1, 1, 5))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(tmp_path / "x.ccx"), "")))
        qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.pack_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
        assert "不在2025年内" in boxes.shown[-1]["text"] and not (tmp_path / "x.ccx").exists()


def test_without_name_and_county_key_the_dialog_says_what_is_missing(window, qtbot, boxes, tmp_path, monkeypatch):
    window.set_page("reports")
    dialog = window.reports_page.open_pack()
    assert "尚未填写本乡镇名称和统计用区划代码" in dialog.identity_label.text()
    assert "尚未导入县里的公钥" in dialog.county_key.status_label.text()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(tmp_path / "x.ccx"), "")))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.pack_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy and bool(boxes.shown), timeout=10000)
    assert boxes.shown[-1]["title"] == "报送包未生成"
    assert "请先在「交换设置」中填写本乡镇名称" in boxes.shown[-1]["text"]
    # the link goes to 系统设置 (where 交换设置 is)
    dialog.settings_link.linkActivated.emit("settings")
    assert window.current_page_key == "settings" and not dialog.isVisible()
