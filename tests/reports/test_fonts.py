"""Fonts (issue 5 §3): Windows 宋体/仿宋 when present, else the bundled WenQuanYi Micro Hei;
always TrueType and embedded, never the built-in CID font."""
from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from carecenter.paths import resource_path
from carecenter.reports import fonts
from carecenter.services.print_data import CareRecordData, Furniture
from carecenter.reports import care_record

from .pdfcheck import assert_fonts_embedded, fonts as pdf_fonts, text

BUNDLED = str(resource_path("fonts", "wqy-microhei.ttc"))


@pytest.fixture
def fresh_fonts():
    fonts.reset()
    yield
    fonts.reset()
    fonts.register()     # back to this machine's fonts for the other tests


def sample() -> CareRecordData:
    return CareRecordData(cadre_id=1, name="曾小明", unit="城关镇党政办", start=date(2026, 1, 1), end=date(2026, 12, 31),
                          basic=(("姓名", "曾小明"), ("身份证号", "330302********123X")))


def furniture() -> Furniture:
    return Furniture("7KQ2-9XMD", "城关镇关心关爱中心", datetime(2026, 11, 25, 10, 31), confidential=True)


def test_fallback_is_the_bundled_font_embedded(fresh_fonts, tmp_path):
    found = fonts.register([tmp_path])          # a "Windows Fonts" folder without the fonts
    assert found.bundled_only
    assert found.song == found.fang == found.hei    # one file: one face, one embedded subset
    pdf, pages = care_record.pdf(sample(), furniture())
    assert pages == 1
    assert_fonts_embedded(pdf)
    assert all("WenQuanYi" in name for name, _s, _e in pdf_fonts(pdf))
    assert "曾小明" in text(pdf) and "330302********123X" in text(pdf)


def test_windows_faces_are_preferred(fresh_fonts, tmp_path):
    # stand-ins with the Windows file names (any TrueType collection will do)
    shutil.copy(BUNDLED, tmp_path / "simsun.ttc")
    found = fonts.register([tmp_path])
    assert found.source(fonts.SONG) == str(tmp_path / "simsun.ttc")
    assert found.source(fonts.FANG) == str(tmp_path / "simsun.ttc")   # no simfang.ttf: 宋体 serves
    assert found.fang == found.song
    assert found.source(fonts.HEI) == BUNDLED
    assert not found.bundled_only
    shutil.copy(BUNDLED, tmp_path / "simfang.ttf")
    found = fonts.register([tmp_path])
    assert found.source(fonts.FANG) == str(tmp_path / "simfang.ttf") and found.fang != found.song
    pdf, _pages = care_record.pdf(sample(), furniture())
    assert_fonts_embedded(pdf)


def test_unusable_system_font_falls_back(fresh_fonts, tmp_path):
    (tmp_path / "simsun.ttc").write_bytes(b"not a font at all")
    found = fonts.register([tmp_path])
    assert found.bundled_only
    pdf, _pages = care_record.pdf(sample(), furniture())
    assert_fonts_embedded(pdf)


def test_no_builtin_cid_font_anywhere():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "carecenter" / "reports"
    for path in root.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "UnicodeCIDFont" not in source and "STSong-Light\"" not in source, path
