"""Fonts (issue 5 §3, issue 13 §7): Windows 宋体/仿宋 or an installed TrueType Song face when
present, else the bundled AR PL UMing (宋体/仿宋) and WenQuanYi Micro Hei (黑体); always TrueType
and embedded, never the built-in CID font; no printed text below 9 pt."""
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
BUNDLED_SONG = str(resource_path("fonts", "uming-cn.ttf"))


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
    found = fonts.register([tmp_path], [])      # a "Windows Fonts" folder without the fonts, no fontconfig
    assert found.bundled_only
    assert found.source(fonts.SONG) == found.source(fonts.FANG) == BUNDLED_SONG   # a Song face, not the sans
    assert found.song == found.fang != found.hei    # one file: one face, one embedded subset
    assert found.source(fonts.HEI) == BUNDLED
    pdf, pages = care_record.pdf(sample(), furniture())
    assert pages == 1
    assert_fonts_embedded(pdf)
    names = [name for name, _s, _e in pdf_fonts(pdf)]
    assert any("UMing" in name for name in names), names
    assert "曾小明" in text(pdf) and "330302********123X" in text(pdf)


def test_windows_faces_are_preferred(fresh_fonts, tmp_path):
    # stand-ins with the Windows file names (any TrueType collection will do)
    shutil.copy(BUNDLED, tmp_path / "simsun.ttc")
    found = fonts.register([tmp_path], [])
    assert found.source(fonts.SONG) == str(tmp_path / "simsun.ttc")
    assert found.source(fonts.FANG) == str(tmp_path / "simsun.ttc")   # no simfang.ttf: 宋体 serves
    assert found.fang == found.song
    assert found.source(fonts.HEI) == BUNDLED
    assert not found.bundled_only
    shutil.copy(BUNDLED, tmp_path / "simfang.ttf")
    found = fonts.register([tmp_path], [])
    assert found.source(fonts.FANG) == str(tmp_path / "simfang.ttf") and found.fang != found.song
    pdf, _pages = care_record.pdf(sample(), furniture())
    assert_fonts_embedded(pdf)


def test_unusable_system_font_falls_back(fresh_fonts, tmp_path):
    (tmp_path / "simsun.ttc").write_bytes(b"not a font at all")
    found = fonts.register([tmp_path], [])
    assert found.bundled_only
    pdf, _pages = care_record.pdf(sample(), furniture())
    assert_fonts_embedded(pdf)


def test_no_builtin_cid_font_anywhere():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "carecenter" / "reports"
    for path in root.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "UnicodeCIDFont" not in source and "STSong-Light\"" not in source, path


def test_installed_truetype_song_face_is_chosen_and_embedded(fresh_fonts, tmp_path):
    """Linux (麒麟/统信): a Song face fontconfig lists is preferred to the bundled one; a CFF
    (OpenType) Song face that reportlab refuses is skipped for the next candidate."""
    song = tmp_path / "song" / "FZShuSong.ttf"
    song.parent.mkdir()
    shutil.copy(BUNDLED_SONG, song)          # a stand-in TrueType Song face
    cff = tmp_path / "NotoSerifCJK-Regular.otf"
    cff.write_bytes(b"OTTO" + bytes(400))    # CFF outlines: reportlab refuses them
    installed = [fonts.InstalledFont(cff, 0, ("Noto Serif CJK SC",)),
                 fonts.InstalledFont(tmp_path / "wqy.ttc", 0, ("WenQuanYi Zen Hei Sharp",)),
                 fonts.InstalledFont(cff, 0, ("宋体", "SimSun")),
                 fonts.InstalledFont(song, 0, ("FZShuSong-Z01", "方正书宋_GBK"))]
    found = fonts.register([tmp_path / "no-windows"], installed)
    assert found.source(fonts.SONG) == str(song)
    assert found.source(fonts.FANG) == str(song)      # no 仿宋 installed: the Song face serves
    assert found.source(fonts.HEI) == BUNDLED
    pdf, _pages = care_record.pdf(sample(), furniture())
    assert_fonts_embedded(pdf)
    assert any("UMing" in name for name, _s, _e in pdf_fonts(pdf))   # the stand-in's own name
    assert "曾小明" in text(pdf)


def test_fontconfig_listing_is_parsed(monkeypatch):
    class Done:
        stdout = "/usr/share/fonts/a/uming.ttc\t2\tAR PL UMing CN,AR PL UMing\n\n/x/b.ttf\t\t宋体,SimSun\n"

    monkeypatch.setattr(fonts.shutil, "which", lambda _name: "/usr/bin/fc-list")
    monkeypatch.setattr(fonts.subprocess, "run", lambda *a, **k: Done())
    listed = fonts.fontconfig_fonts()
    assert listed[0].index == 2 and listed[0].families == ("AR PL UMing CN", "AR PL UMing")
    assert listed[1].index == 0 and "SimSun" in listed[1].families
    assert fonts.candidates(fonts.SONG, [], listed)[0] == (listed[1].path, 0)   # SimSun before UMing


def test_no_register_text_below_9_points():
    from dataclasses import fields

    from reportlab.lib.styles import ParagraphStyle

    from carecenter.reports.styles import styles

    st = styles()
    sizes = {f.name: getattr(st, f.name).fontSize for f in fields(st)
             if isinstance(getattr(st, f.name), ParagraphStyle)}
    assert min(sizes.values()) >= 9, sizes
