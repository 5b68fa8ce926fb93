"""CJK fonts for the PDFs, registered once per process and always embedded.

GB/T 9704 asks for 宋体/仿宋 faces.  Each face is looked for, in order:

1. the Windows Fonts folder: ``simsun.ttc`` (宋体), ``simfang.ttf`` (仿宋),
   ``simhei.ttf`` (黑体) and the 华文 faces that Office installs;
2. fontconfig (``fc-list``, Linux: 麒麟/统信 and the like), by family name: 宋体,
   方正书宋, 华文宋体, AR PL UMing …; 仿宋 faces likewise;
3. the bundled faces: AR PL UMing CN (``resources/fonts/uming-cn.ttf``, a Song/Ming
   face, Arphic Public License) for 宋体 and 仿宋, WenQuanYi Micro Hei
   (``resources/fonts/wqy-microhei.ttc``) for 黑体.

Only TrueType outlines are usable: reportlab refuses CFF-outline fonts (Noto Serif
CJK, Source Han Serif), so such a candidate is skipped and the next one tried.
ReportLab's built-in CID font (``STSong-Light``) is never used: it is not embedded
and prints blank on some viewers.  Every face is a ``TTFont``, which reportlab
always embeds (as subsets).
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..paths import resource_path

log = logging.getLogger(__name__)

#: the faces the documents ask for (reportlab font names)
SONG = "CareSong"      # 宋体: tables and body text
FANG = "CareFang"      # 仿宋: running text, signatures
HEI = "CareHei"        # 黑体: headings

BUNDLED_SONG = ("fonts", "uming-cn.ttf")
BUNDLED_HEI = ("fonts", "wqy-microhei.ttc")
BUNDLED = {SONG: BUNDLED_SONG, FANG: BUNDLED_SONG, HEI: BUNDLED_HEI}

#: Windows font files tried in order for each face: (file name, index in a collection)
CANDIDATES: dict[str, tuple[tuple[str, int], ...]] = {
    SONG: (("simsun.ttc", 0), ("simsun.ttf", 0), ("STSONG.TTF", 0), ("STZHONGS.TTF", 0)),
    FANG: (("simfang.ttf", 0), ("fangsong.ttf", 0), ("STFANGSO.TTF", 0)),
    HEI: (("simhei.ttf", 0), ("STXIHEI.TTF", 0)),
}

#: fontconfig family names (any of a font's names, case-insensitive) per face, best first
FAMILIES: dict[str, tuple[str, ...]] = {
    SONG: ("SimSun", "宋体", "NSimSun", "新宋体", "FZShuSong-Z01", "方正书宋_GBK", "方正书宋", "FZSongS",
           "方正宋体", "STSong", "华文宋体", "STZhongsong", "华文中宋", "AR PL UMing CN", "AR PL SungtiL GB",
           "AR PL New Sung", "AR PL UMing TW", "AR PL UMing HK"),
    FANG: ("FangSong", "仿宋", "FangSong_GB2312", "仿宋_GB2312", "FZFangSong-Z02", "方正仿宋_GBK", "方正仿宋",
           "STFangsong", "华文仿宋"),
    HEI: ("SimHei", "黑体", "FZHei-B01", "方正黑体_GBK", "方正黑体", "STHeiti", "华文黑体", "WenQuanYi Micro Hei",
          "文泉驿微米黑", "WenQuanYi Zen Hei"),
}


@dataclass(frozen=True)
class InstalledFont:
    """One font face fontconfig reports: its file, index in a collection and family names."""

    path: Path
    index: int
    families: tuple[str, ...]


def system_font_dirs() -> list[Path]:
    """Where Windows fonts are looked for: the Windows Fonts folder (also under Wine-like
    set-ups where ``WINDIR`` points elsewhere)."""
    dirs = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    dirs.append(Path("C:/Windows/Fonts"))
    out: list[Path] = []
    for d in dirs:
        if d not in out:
            out.append(d)
    return out


def fontconfig_fonts() -> list[InstalledFont]:
    """The Chinese fonts fontconfig knows (``fc-list :lang=zh``); empty where there is
    no fontconfig (Windows) or it fails."""
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        done = subprocess.run([exe, "--format", "%{file}\t%{index}\t%{family}\n", ":lang=zh"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("fc-list failed: %s", exc)
        return []
    out = []
    for line in done.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0]:
            continue
        try:
            index = int(parts[1] or 0)
        except ValueError:
            index = 0
        families = tuple(f.strip() for f in parts[2].split(",") if f.strip())
        out.append(InstalledFont(Path(parts[0]), index, families))
    return out


@dataclass(frozen=True)
class FontSet:
    """The registered face names and the file each one came from."""

    song: str = SONG
    fang: str = FANG
    hei: str = HEI
    sources: tuple[tuple[str, str], ...] = ()   # (face, font file)

    def source(self, face: str) -> str:
        return dict(self.sources)[face]

    @property
    def bundled_only(self) -> bool:
        bundled = {str(resource_path(*BUNDLED_SONG)), str(resource_path(*BUNDLED_HEI))}
        return all(src in bundled for _face, src in self.sources)


_lock = threading.Lock()
_registered: FontSet | None = None


def _load(face: str, path: Path, index: int) -> TTFont | None:
    try:
        return TTFont(face, str(path), subfontIndex=index)
    except Exception as exc:  # unreadable, CFF outlines, embedding not permitted …
        log.warning("font %s not usable for PDFs: %s", path, exc)
        return None


def _windows(files: tuple[tuple[str, int], ...], dirs: list[Path]) -> list[tuple[Path, int]]:
    out = []
    for folder in dirs:
        for name, index in files:
            path = folder / name
            if path.is_file():
                out.append((path, index))
    return out


def _installed(families: tuple[str, ...], installed: list[InstalledFont]) -> list[tuple[Path, int]]:
    out = []
    for family in families:
        wanted = family.casefold()
        for font in installed:
            if any(f.casefold() == wanted for f in font.families) and (font.path, font.index) not in out:
                out.append((font.path, font.index))
    return out


def candidates(face: str, dirs: list[Path], installed: list[InstalledFont]) -> list[tuple[Path, int]]:
    """Every file that could serve ``face``, best first, ending with the bundled one."""
    out = _windows(CANDIDATES[face], dirs) + _installed(FAMILIES[face], installed)
    if face == FANG:  # no 仿宋: a 宋体 is closer than anything else
        out += _windows(CANDIDATES[SONG], dirs) + _installed(FAMILIES[SONG], installed)
    out.append((resource_path(*BUNDLED[face]), 0))
    return out


def register(dirs: list[Path] | None = None, installed: list[InstalledFont] | None = None) -> FontSet:
    """Register the faces once (thread-safe) and return their names.

    A face whose file is the same as an earlier face's shares that face's name, so
    a document embeds one subset per font file.  ``dirs`` (Windows font folders) and
    ``installed`` (what fontconfig lists) override the system's (tests); a call with
    either registers again."""
    global _registered
    with _lock:
        if _registered is not None and dirs is None and installed is None:
            return _registered
        if dirs is None:
            dirs = system_font_dirs()
        if installed is None:
            installed = fontconfig_fonts()
        loaded: dict[tuple[Path, int], str] = {}   # (file, index) -> registered name
        failed: set[tuple[Path, int]] = set()
        names: dict[str, str] = {}
        sources: dict[str, str] = {}
        for face in (SONG, FANG, HEI):
            for where in candidates(face, list(dirs), installed):
                if where in failed:
                    continue
                if where in loaded:
                    names[face] = loaded[where]
                    break
                font = _load(face, *where)
                if font is None:
                    failed.add(where)
                    continue
                pdfmetrics.registerFont(font)
                loaded[where] = names[face] = face
                break
            else:  # pragma: no cover - the bundled fonts are part of the program
                raise RuntimeError(f"bundled font {BUNDLED[face]} is missing or unreadable")
            sources[face] = str(where[0])
        _registered = FontSet(song=names[SONG], fang=names[FANG], hei=names[HEI], sources=tuple(sources.items()))
        log.info("PDF fonts: %s", dict(_registered.sources))
        return _registered


def reset() -> None:
    """Forget the registration (tests switch font folders)."""
    global _registered
    with _lock:
        _registered = None
