"""An in-app view of real PDF pages, rendered by pdfium (pypdfium2).

``PdfView.set_pdf(data)`` shows the document: pages one under the other in a
scroll area, a tool row with page navigation (上一页 / 第 n 页 / 下一页) and zoom
(缩小, a zoom list with 适合宽度, 放大).  Pages are rendered lazily — only those
that come into sight, plus the next one — on a background thread, so a long
register never freezes the window; until a page arrives a white sheet with its
number stands in.

``render_page(document, index, scale)`` is the one place pdfium draws a page into
a ``QImage``; printing uses it too.  pdfium is not thread-safe, so every call into
it in this process holds ``PDFIUM_LOCK``.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from PySide6.QtCore import QObject, QRect, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QIntValidator, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

PDFIUM_LOCK = threading.RLock()

PAGE_MARGIN = 18      # px around the pages
PAGE_SPACING = 16     # px between pages
ZOOM_STEPS = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0]
MIN_ZOOM, MAX_ZOOM = 0.25, 4.0
CACHE_PAGES = 24      # rendered pages kept in memory (a long register is not held whole)
CANVAS_COLOUR = "#d9dde2"


class PdfDocument:
    """A PDF opened once for viewing/printing: page count and page sizes (in points)."""

    def __init__(self, data: bytes):
        import pypdfium2 as pdfium  # loaded with the first preview, not at start-up

        with PDFIUM_LOCK:
            self._doc = pdfium.PdfDocument(bytes(data))
            self.sizes: list[tuple[float, float]] = [self._doc.get_page_size(i) for i in range(len(self._doc))]
        self.closed = False

    def __len__(self) -> int:
        return len(self.sizes)

    def close(self) -> None:
        with PDFIUM_LOCK:
            if not self.closed:
                self.closed = True
                self._doc.close()


def render_page(document: PdfDocument, index: int, scale: float) -> QImage:
    """Page ``index`` drawn at ``scale`` pixels per point; a null image if the document was closed."""
    with PDFIUM_LOCK:
        if document.closed:
            return QImage()
        page = document._doc[index]
        try:
            bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
            try:
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGBX8888).copy()
            finally:
                bitmap.close()
        finally:
            page.close()
    return image


class _RenderSignals(QObject):
    rendered = Signal(int, int, QImage)  # generation, page index, image


class _RenderTask(QRunnable):
    def __init__(self, view: "PdfView", generation: int, index: int, scale: float):
        super().__init__()
        self.setAutoDelete(True)
        self.signals = view._signals
        self.document = view._document
        self.view_generation = view._generation_box
        self.generation, self.index, self.scale = generation, index, scale

    def run(self) -> None:  # worker thread
        if self.view_generation[0] != self.generation or self.document is None:
            return  # zoomed or replaced meanwhile: not wanted any more
        image = render_page(self.document, self.index, self.scale)
        if image.isNull():
            return
        try:
            self.signals.rendered.emit(self.generation, self.index, image)
        except RuntimeError:  # the view went away meanwhile
            pass


class _PageCanvas(QWidget):
    """The white sheets on a grey desk; paints what is rendered and asks for what is not."""

    def __init__(self, view: "PdfView"):
        super().__init__()
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt naming
        view = self.view
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor(CANVAS_COLOUR))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        wanted = []
        for index, rect in enumerate(view._rects):
            if not rect.intersects(event.rect()):
                continue
            painter.fillRect(rect.translated(2, 3), QColor("#b8bec6"))
            image = view._images.get(index)
            if image is not None:
                painter.drawImage(rect, image)
                continue
            stale = view._stale.get(index)
            painter.fillRect(rect, QColor("#ffffff"))
            if stale is not None:
                painter.drawImage(rect, stale)
            else:
                painter.setPen(QColor("#9aa3ad"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, view.tr("第 {0} 页").format(index + 1))
            wanted.append(index)
        painter.end()
        if wanted:
            # the page after the last one in sight, so scrolling on finds it ready
            if wanted[-1] + 1 < len(view._rects):
                wanted.append(wanted[-1] + 1)
            view._request(wanted)


class PdfView(QWidget):
    """Scrollable page view with page navigation and zoom.

    Signals: ``current_page_changed(index)`` (0-based), ``page_rendered(index)``.
    """

    current_page_changed = Signal(int)
    page_rendered = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._document: PdfDocument | None = None
        self._zoom = 1.0
        self._fit_width = True
        self._rects: list[QRect] = []
        self._images: OrderedDict[int, QImage] = OrderedDict()
        self._stale: dict[int, QImage] = {}
        self._pending: set[int] = set()
        self._generation_box = [0]  # shared with the render tasks
        self._current = 0
        self._signals = _RenderSignals(self)
        self._signals.rendered.connect(self._on_rendered)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # pdfium draws one page at a time anyway

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.prev_button = self._tool_button(self.tr("上一页"), self.tr("上一页（PgUp）"))
        self.page_edit = QLineEdit(self)
        self.page_validator = QIntValidator(1, 1, self.page_edit)
        self.page_edit.setValidator(self.page_validator)
        self.page_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_edit.setToolTip(self.tr("输入页码后按 Enter 跳转"))
        self.page_edit.setFixedWidth(56)
        self.page_total = QLabel(self)
        self.next_button = self._tool_button(self.tr("下一页"), self.tr("下一页（PgDn）"))
        bar.addWidget(self.prev_button)
        bar.addWidget(QLabel(self.tr("第"), self))
        bar.addWidget(self.page_edit)
        bar.addWidget(self.page_total)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        self.zoom_out_button = self._tool_button(self.tr("缩小"), self.tr("缩小（Ctrl+-）"))
        self.zoom_combo = QComboBox(self)
        self.zoom_combo.addItem(self.tr("适合宽度"), 0.0)
        for step in ZOOM_STEPS:
            self.zoom_combo.addItem(f"{round(step * 100)}%", step)
        self.zoom_combo.setToolTip(self.tr("显示比例"))
        self.zoom_combo.setMinimumWidth(108)
        self.zoom_in_button = self._tool_button(self.tr("放大"), self.tr("放大（Ctrl++）"))
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_combo)
        bar.addWidget(self.zoom_in_button)
        outer.addLayout(bar)

        self.scroll = QScrollArea(self)
        self.scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll.setWidgetResizable(False)
        # always there, so fitting the width never makes it come and go
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setStyleSheet(f"QScrollArea {{ background: {CANVAS_COLOUR}; border: 1px solid #c5ccd4; }}")
        self.scroll.viewport().setStyleSheet(f"background: {CANVAS_COLOUR};")
        self.canvas = _PageCanvas(self)
        self.scroll.setWidget(self.canvas)
        self.scroll.verticalScrollBar().setSingleStep(40)
        outer.addWidget(self.scroll, 1)

        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(60)
        self._relayout_timer.timeout.connect(self._on_viewport_resized)

        self.prev_button.clicked.connect(lambda: self.go_to_page(self._current - 1))
        self.next_button.clicked.connect(lambda: self.go_to_page(self._current + 1))
        self.page_edit.editingFinished.connect(self._on_page_edit_finished)
        self.page_edit.installEventFilter(self)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_combo.activated.connect(self._on_zoom_combo_activated)
        self.scroll.verticalScrollBar().valueChanged.connect(self._update_current_page)
        self.scroll.viewport().installEventFilter(self)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (((QKeySequence.StandardKey.ZoomIn, "Ctrl+="), self.zoom_in),
                           ((QKeySequence.StandardKey.ZoomOut,), self.zoom_out)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(context)
                shortcut.activated.connect(slot)
        self._update_controls()

    def _tool_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumHeight(28)
        button.setStyleSheet("QToolButton { padding: 2px 10px; }")
        return button

    # ================================================================ document
    def set_pdf(self, data: bytes) -> None:
        """Show ``data`` (PDF bytes) from its first page."""
        self.clear()
        self._document = PdfDocument(data)
        self._relayout()
        self.go_to_page(0)
        self._update_controls()

    def clear(self) -> None:
        self._generation_box[0] += 1
        self._pending.clear()
        self._images.clear()
        self._stale.clear()
        if self._document is not None:
            self._document.close()
        self._document = None
        self._rects = []
        self._current = 0
        self.canvas.resize(1, 1)
        self._update_controls()

    @property
    def document(self) -> PdfDocument | None:
        return self._document

    @property
    def page_count(self) -> int:
        return len(self._document) if self._document is not None else 0

    @property
    def current_page(self) -> int:
        return self._current

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def fit_width(self) -> bool:
        return self._fit_width

    def rendered_pages(self) -> set[int]:
        """Pages whose image at the present zoom is in memory."""
        return set(self._images)

    def page_image(self, index: int) -> QImage | None:
        return self._images.get(index)

    def page_rect(self, index: int) -> QRect:
        return QRect(self._rects[index])

    # ================================================================ layout and zoom
    def _points_to_pixels(self) -> float:
        return self.logicalDpiX() / 72.0 * self._zoom

    def _fit_zoom(self) -> float:
        if not self.page_count:
            return 1.0
        widest = max(w for w, _h in self._document.sizes)
        available = self.scroll.viewport().width() - 2 * PAGE_MARGIN
        return max(MIN_ZOOM, min(MAX_ZOOM, available / (widest * self.logicalDpiX() / 72.0)))

    def _relayout(self) -> None:
        if self._document is None:
            return
        if self._fit_width:
            self._zoom = self._fit_zoom()
        factor = self._points_to_pixels()
        sizes = [QSize(max(1, round(w * factor)), max(1, round(h * factor))) for w, h in self._document.sizes]
        width = max(s.width() for s in sizes) + 2 * PAGE_MARGIN
        rects, y = [], PAGE_MARGIN
        for s in sizes:
            rects.append(QRect((width - s.width()) // 2, y, s.width(), s.height()))
            y += s.height() + PAGE_SPACING
        changed = [r.size() for r in rects] != [r.size() for r in self._rects]
        self._rects = rects
        self.canvas.resize(width, y - PAGE_SPACING + PAGE_MARGIN)
        if changed:
            # new size: ask again, showing the old images scaled until the new ones arrive
            self._generation_box[0] += 1
            self._pending.clear()
            self._stale.update(self._images)
            self._images.clear()
        self.canvas.update()
        self._update_controls()

    def set_zoom(self, zoom: float) -> None:
        """Zoom to a fixed factor (1.0 = actual size); leaves 适合宽度."""
        self._set_zoom(max(MIN_ZOOM, min(MAX_ZOOM, zoom)), fit=False)

    def set_fit_width(self) -> None:
        self._set_zoom(self._zoom, fit=True)

    def _set_zoom(self, zoom: float, fit: bool) -> None:
        page = self._current
        self._fit_width = fit
        self._zoom = zoom
        self._relayout()
        self.go_to_page(page)

    def zoom_in(self) -> None:
        bigger = [s for s in ZOOM_STEPS if s > self._zoom + 0.01]
        self.set_zoom(bigger[0] if bigger else MAX_ZOOM)

    def zoom_out(self) -> None:
        smaller = [s for s in ZOOM_STEPS if s < self._zoom - 0.01]
        self.set_zoom(smaller[-1] if smaller else MIN_ZOOM)

    def _on_zoom_combo_activated(self, index: int) -> None:
        value = self.zoom_combo.itemData(index)
        if not value:
            self.set_fit_width()
        else:
            self.set_zoom(float(value))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if obj is self.page_edit and event.type() == event.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_page_edit_finished()  # jump, and keep Enter from reaching the dialog's default button
            return True
        if obj is self.scroll.viewport() and event.type() == event.Type.Resize and self._fit_width:
            self._relayout_timer.start()
        return super().eventFilter(obj, event)

    def _on_viewport_resized(self) -> None:
        if self._fit_width and self._document is not None:
            page = self._current
            self._relayout()
            self.go_to_page(page)

    # ================================================================ navigation
    def go_to_page(self, index: int) -> None:
        if not self._rects:
            return
        index = max(0, min(index, len(self._rects) - 1))
        self.scroll.verticalScrollBar().setValue(self._rects[index].top() - PAGE_MARGIN // 2)
        self._set_current(index)

    def _update_current_page(self, *_args) -> None:
        if not self._rects:
            return
        bar = self.scroll.verticalScrollBar()
        if bar.value() >= bar.maximum() and bar.maximum() > 0:
            self._set_current(len(self._rects) - 1)  # at the end: the last page, however short
            return
        probe = bar.value() + self.scroll.viewport().height() // 3
        index = next((i for i, r in enumerate(self._rects) if r.bottom() + PAGE_SPACING >= probe),
                     len(self._rects) - 1)
        self._set_current(index)

    def _on_page_edit_finished(self) -> None:
        text = self.page_edit.text().strip()
        self.page_edit.setModified(False)
        if text.isdigit():
            self.go_to_page(int(text) - 1)
        self._update_controls()

    def _set_current(self, index: int) -> None:
        if index == self._current and self.page_edit.text() == str(index + 1):
            self._update_controls()
            return
        self._current = index
        self._update_controls()
        self.current_page_changed.emit(index)

    def _update_controls(self) -> None:
        count = self.page_count
        self.page_validator.setTop(max(1, count))
        if not (self.page_edit.hasFocus() and self.page_edit.isModified()):  # never under the clerk's typing
            self.page_edit.setText(str(self._current + 1) if count else "")
        self.page_total.setText(self.tr("/ {0} 页").format(count))
        for w in (self.page_edit, self.zoom_combo, self.zoom_in_button, self.zoom_out_button):
            w.setEnabled(bool(count))
        self.prev_button.setEnabled(count > 0 and self._current > 0)
        self.next_button.setEnabled(count > 0 and self._current < count - 1)
        self.zoom_combo.blockSignals(True)
        if self._fit_width:
            self.zoom_combo.setCurrentIndex(0)
            self.zoom_combo.setItemText(0, self.tr("适合宽度"))
        else:
            match = self.zoom_combo.findData(round(self._zoom, 2))
            if match > 0:
                self.zoom_combo.setCurrentIndex(match)
        self.zoom_combo.blockSignals(False)
        self.zoom_combo.setToolTip(self.tr("显示比例 {0}%").format(round(self._zoom * 100)))

    # ================================================================ rendering
    def _request(self, indexes: list[int]) -> None:
        if self._document is None:
            return
        ratio = self.canvas.devicePixelRatioF() or 1.0
        scale = self._points_to_pixels() * ratio
        generation = self._generation_box[0]
        for index in indexes:
            if index in self._images or index in self._pending:
                continue
            self._pending.add(index)
            self._pool.start(_RenderTask(self, generation, index, scale))

    def _on_rendered(self, generation: int, index: int, image: QImage) -> None:
        if generation != self._generation_box[0]:
            return
        self._pending.discard(index)
        image.setDevicePixelRatio(self.canvas.devicePixelRatioF() or 1.0)
        self._images[index] = image
        self._stale.pop(index, None)
        while len(self._images) > CACHE_PAGES:
            # forget the page furthest from where the clerk is reading
            far = max(self._images, key=lambda i: abs(i - self._current))
            del self._images[far]
        if index < len(self._rects):
            self.canvas.update(self._rects[index].adjusted(-2, -2, 4, 4))
        self.page_rendered.emit(index)

    def wait_idle(self, msecs: int = 10000) -> bool:
        """Block until pending renders ran (the results still arrive through the event loop)."""
        return self._pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Stop rendering and close the document (called when the owning dialog closes)."""
        self._generation_box[0] += 1
        self._pool.clear()
        self._pool.waitForDone(5000)
        if self._document is not None:
            self._document.close()
