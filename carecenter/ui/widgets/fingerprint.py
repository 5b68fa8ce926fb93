"""A key's fingerprint as people read it out over the phone: groups of four characters in a
large monospaced face, a few groups per line, selectable for copying."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QWidget

GROUP = 4
PER_LINE = 4


def grouped(fingerprint: str, per_line: int = 0) -> str:
    """``K7Q29XMD…`` (or already grouped) → ``K7Q2-9XMD-…`` as the command line and the
    messages write it; with ``per_line`` the groups break into lines of that many."""
    chars = "".join(ch for ch in (fingerprint or "") if ch.isalnum()).upper()
    groups = [chars[i:i + GROUP] for i in range(0, len(chars), GROUP)]
    if not per_line:
        return "-".join(groups)
    return "\n".join("-".join(groups[i:i + per_line]) for i in range(0, len(groups), per_line))


def mono_font(point_size: float = 0, base: QFont | None = None) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    if point_size:
        font.setPointSizeF(point_size)
    elif base is not None:
        font.setPointSizeF(base.pointSizeF())
    return font


class FingerprintLabel(QLabel):
    """The fingerprint in large grouped monospace text (``set_fingerprint``)."""

    def __init__(self, fingerprint: str = "", parent: QWidget | None = None, *, point_size: float = 17,
                 per_line: int = PER_LINE):
        super().__init__(parent)
        self.per_line = per_line
        self.setObjectName("Fingerprint")
        self.setFont(mono_font(point_size))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("#Fingerprint { background: #f3f6fa; border: 1px solid #d5dde6; border-radius: 6px;"
                           " padding: 10px 14px; letter-spacing: 1px; }")
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.set_fingerprint(fingerprint)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint or ""
        self.setText(grouped(self.fingerprint, self.per_line))
        self.setVisible(bool(self.fingerprint))
