"""Look and feel: the CJK font, a light palette, the stylesheet and the SVG icons.

Everything here is applied once per QApplication (``apply``); widgets ask
``icon(name)`` for the monochrome icons in resources/icons.
"""
from __future__ import annotations

import logging
from functools import lru_cache

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from ..paths import resource_path

log = logging.getLogger(__name__)

BUNDLED_FONT = "wqy-microhei.ttc"
BODY_POINT_SIZE = 10

ACCENT = "#2563a8"
ERROR = "#c62828"
WARNING = "#9a4d00"
MUTED = "#8a929b"
TEXT = "#1f2933"

_state: dict[str, object] = {}

# NO_NONE_FROM_QVARIANT: PySide6 6.12 on CPython < 3.12 hands None back without a
# reference (see qtfix.py, which guards the whole process).  As a second line of
# defence the UI never stores None as item data (it uses 0 or "") and never reads
# back a Qt property it did not set.


def register_bundled_font() -> str | None:
    """Register resources/fonts/wqy-microhei.ttc with Qt; return its family name."""
    if "bundled_family" in _state:
        return _state["bundled_family"]  # type: ignore[return-value]
    family = None
    path = resource_path("fonts", BUNDLED_FONT)
    if path.exists():
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families:
            family = families[0]
        else:  # pragma: no cover - a broken install
            log.warning("bundled font %s could not be registered", path)
    else:  # pragma: no cover - a broken install
        log.warning("bundled font %s is missing", path)
    _state["bundled_family"] = family
    return family


def has_chinese(family: str) -> bool:
    return QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)


# Chinese UI fonts that ship with the systems the clerks use (Windows, Kylin/UOS, macOS).
SYSTEM_CJK_FONTS = ["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC",
                    "Source Han Sans SC", "PingFang SC", "WenQuanYi Micro Hei", "SimHei", "SimSun"]


def choose_font(base: QFont, bundled: str | None) -> QFont:
    """The system UI font where it has Chinese glyphs, else an installed Chinese UI font,
    else the bundled one; the bundled font is always the last fallback."""
    font = QFont(base)
    system = base.family()
    installed = set(QFontDatabase.families())
    if has_chinese(system):
        families = [system]
    else:
        cjk = next((f for f in SYSTEM_CJK_FONTS if f in installed and has_chinese(f)), None)
        families = [cjk, system] if cjk else ([bundled, system] if bundled else [system])
    if bundled and bundled not in families:
        families.append(bundled)
    font.setFamilies(families)
    font.setPointSize(BODY_POINT_SIZE)
    return font


def light_palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#f5f6f8",
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f8f9fb",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#8a929b",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#ffffff",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#dbe7f5",
        QPalette.ColorRole.HighlightedText: TEXT,
        QPalette.ColorRole.Link: ACCENT,
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#eceff3",
        QPalette.ColorRole.Mid: "#c5ccd4",
        QPalette.ColorRole.Dark: "#9aa3ad",
        QPalette.ColorRole.Shadow: "#6b7280",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa3ad"))
    return pal


def stylesheet() -> str:
    path = resource_path("styles", "app.qss")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:  # pragma: no cover - a broken install
        log.warning("stylesheet %s is missing", path)
        return ""
    return text.replace("@ICONS@", resource_path("icons").as_posix())


class _QtGaps(QTranslator):
    """Qt strings that the zh_CN catalogue shipped with PySide6 lacks: Qt 6's file dialog
    asks for "&Look in:" and "Files of &type:" while the catalogue only has them without
    the mnemonic, so the dialog said "Look in:" on Linux."""

    TEXTS = {
        ("QFileDialog", "&Look in:"): "查找范围(&L)：",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    }

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D102 - Qt API
        return self.TEXTS.get((context, source))   # None: not ours, the next catalogue answers

    def isEmpty(self) -> bool:  # noqa: N802 - Qt naming
        return False


def install_translations(app: QApplication) -> None:
    """Qt's own strings (file dialogs, context menus, calendar, standard buttons) in Simplified
    Chinese: qtbase_zh_CN.qm from the PySide6 wheel, plus the few strings it lacks."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translators: list[QTranslator] = []
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        tr = QTranslator(app)
        if tr.load(name, folder):
            app.installTranslator(tr)
            translators.append(tr)
        elif name == "qtbase_zh_CN":
            log.warning("Qt translation %s not found in %s", name, folder)
    gaps = _QtGaps(app)
    app.installTranslator(gaps)   # installed last: asked first, answers only its own strings
    translators.append(gaps)
    _state["translators"] = translators


def apply(app: QApplication) -> None:
    """Font, style, palette, stylesheet and translations for the whole application."""
    if getattr(app, "_carecenter_theme", False):
        return
    install_translations(app)
    bundled = register_bundled_font()
    app.setFont(choose_font(app.font(), bundled))
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    try:
        app.styleHints().setColorScheme(Qt.ColorScheme.Light)
    except AttributeError:  # pragma: no cover - Qt < 6.8
        pass
    app.setPalette(light_palette())
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(icon("app"))
    app._carecenter_theme = True


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


def set_role(widget, role: str | None) -> None:
    """Set the stylesheet role property (error, warning, hint …) and re-polish."""
    widget.setProperty("role", role or "")
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_state(widget, state: str | None) -> None:
    """Mark an input as in error / warning (border colour) and re-polish."""
    # Remembered on the Python side rather than read back from Qt (NO_NONE_FROM_QVARIANT).
    if getattr(widget, "_cc_state", "") == (state or ""):
        return
    widget._cc_state = state or ""
    widget.setProperty("state", state or "")
    widget.style().unpolish(widget)
    widget.style().polish(widget)
