"""CJK fonts for the PDFs, registered once per process and always embedded.

GB/T 9704 asks for 宋体/仿宋 faces.  Windows ships them as ``simsun.ttc`` (宋体),
``simfang.ttf`` (仿宋) and ``simhei.ttf`` (黑体) in its Fonts folder: when they are
there they are used.  Otherwise every face falls back to the bundled WenQuanYi
Micro Hei (``resources/fonts/wqy-microhei.ttc``, TrueType outlines), so a Kylin/UOS
laptop without CJK fonts still prints Chinese.  ReportLab's built-in CID font
(``STSong-Light``) is never used: it is not embedded and prints blank on some
viewers.  Every face is a ``TTFont``, which reportlab always embeds (as subsets).
"""
from __future__ import annotations

import logging
import os
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

BUNDLED = ("fonts", "wqy-microhei.ttc")
#: system font files tried in order for each face: (file name, index in a collection)
CANDIDATES: dict[str, tuple[tuple[str, int], ...]] = {
    SONG: (("simsun.ttc", 0), ("simsun.ttf", 0)),
    FANG: (("simfang.ttf", 0), ("fangsong.ttf", 0)),
    HEI: (("simhei.ttf", 0),),
}


def system_font_dirs() -> list[Path]:
    """Where system fonts are looked for: the Windows Fonts folder (also under Wine-like
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
        bundled = str(resource_path(*BUNDLED))
        return all(src == bundled for _face, src in self.sources)


_lock = threading.Lock()
_registered: FontSet | None = None


def _load(face: str, path: Path, index: int) -> TTFont | None:
    try:
        return TTFont(face, str(path), subfontIndex=index)
    except Exception as exc:  # unreadable, not TrueType, embedding not permitted …
        log.warning("font %s not usable for PDFs: %s", path, exc)
        return None


def _find(files: tuple[tuple[str, int], ...], dirs: list[Path]) -> tuple[Path, int] | None:
    for folder in dirs:
        for name, index in files:
            path = folder / name
            if path.is_file():
                return path, index
    return None


def register(dirs: list[Path] | None = None) -> FontSet:
    """Register the faces once (thread-safe) and return their names.

    A face whose file is the same as an earlier face's shares that face's name, so
    a document embeds one subset per font file.  ``dirs`` overrides the system
    font folders (tests); a call with folders registers again."""
    global _registered
    with _lock:
        if _registered is not None and dirs is None:
            return _registered
        dirs = system_font_dirs() if dirs is None else list(dirs)
        bundled = (resource_path(*BUNDLED), 0)
        loaded: dict[tuple[Path, int], str] = {}   # (file, index) -> registered name
        names: dict[str, str] = {}
        sources: dict[str, str] = {}
        for face in (SONG, FANG, HEI):
            files = CANDIDATES[face]
            if face == FANG:  # 仿宋 missing: 宋体 is closer than the bundled sans face
                files = files + CANDIDATES[SONG]
            for where in (_find(files, dirs), bundled):
                if where is None:
                    continue
                if where in loaded:
                    names[face] = loaded[where]
                    break
                font = _load(face, *where)
                if font is not None:
                    pdfmetrics.registerFont(font)
                    loaded[where] = names[face] = face
                    break
            else:  # pragma: no cover - the bundled font is part of the program
                raise RuntimeError(f"bundled font {bundled[0]} is missing or unreadable")
            sources[face] = str(where[0])
        _registered = FontSet(song=names[SONG], fang=names[FANG], hei=names[HEI], sources=tuple(sources.items()))
        return _registered


def reset() -> None:
    """Forget the registration (tests switch font folders)."""
    global _registered
    with _lock:
        _registered = None
