"""Issue 11: the printable 恢复密钥 sheet."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from carecenter.reports import recovery_sheet
from carecenter.security import keys

from .pdfcheck import assert_fonts_embedded, fonts, pages_text, reader, text


def test_sheet_shows_the_key_unit_date_location_and_keeper(tmp_path):
    key = keys.new_recovery_key()
    db = tmp_path / "数据" / "carecenter.db"
    pdf = recovery_sheet.to_bytes(key, database=db, unit_name="城关镇公务员关心关爱中心",
                                  created=date(2026, 12, 2))
    assert len(reader(pdf).pages) == 1
    flat = text(pdf)
    assert key.replace("-", "") in flat            # all 28 characters, in order
    for group in key.split("-"):
        assert group in pages_text(pdf)[0]
    for words in ("恢复密钥", "请打印后交单位保密员保管", "城关镇公务员关心关爱中心", "2026年12月2日",
                  "carecenter.db", "用途", "所有系统管理员的密码都遗失", "保管人（保密员）签字"):
        assert words in flat, words
    assert str(db.parent).replace(" ", "") in flat
    assert_fonts_embedded(pdf)
    assert any("MicroHeiMono" in name for name, _sub, _emb in fonts(pdf))   # the key in the monospaced face


def test_without_a_unit_name_and_to_a_file(tmp_path):
    out = tmp_path / "恢复密钥.pdf"
    key = keys.new_recovery_key()
    recovery_sheet.write(out, key, database=Path("/data/carecenter.db"))
    pdf = out.read_bytes()
    assert key.replace("-", "") in text(pdf)
    assert "城关镇" not in text(pdf)


def test_key_lines_group_four_to_a_line():
    assert recovery_sheet.key_lines("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG") == [
        "AAAA  BBBB  CCCC  DDDD", "EEEE  FFFF  GGGG"]
