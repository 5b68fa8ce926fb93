"""Reading generated PDFs back with pypdf: text per page, fonts and their embedding."""
from __future__ import annotations

import io
import re

import pypdf


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in reader(pdf).pages]


def squash(text: str) -> str:
    """Text without any whitespace, so a phrase wrapped across lines still matches."""
    return re.sub(r"\s+", "", text)


def text(pdf: bytes) -> str:
    return squash("".join(pages_text(pdf)))


def fonts(pdf: bytes) -> list[tuple[str, str, bool]]:
    """(base font, subtype, embedded) of every font any page uses."""
    out = set()
    for page in reader(pdf).pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            target = font
            if font.get("/Subtype") == "/Type0":
                target = font["/DescendantFonts"][0].get_object()
            desc = target.get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.add((str(font.get("/BaseFont")), str(font.get("/Subtype")), embedded))
    return sorted(out)


def assert_fonts_embedded(pdf: bytes) -> None:
    found = fonts(pdf)
    assert found, "no fonts at all"
    for name, _subtype, embedded in found:
        assert embedded, f"font {name} is not embedded"
        assert "STSong" not in name and "Helvetica" not in name, name
