"""The PDF page view: real pages rendered by pdfium in the background, page navigation, zoom."""
from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from carecenter.ui.widgets.pdf_view import CACHE_PAGES, PdfDocument, PdfView, render_page


def make_pdf(pages: int, size=A4) -> bytes:
    """``pages`` pages, each with a black bar whose width tells the page number."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    for i in range(pages):
        c.setFillColorRGB(0, 0, 0)
        c.rect(72, size[1] - 144, 20 * (i + 1), 40, fill=1, stroke=0)
        c.drawString(72, 72, f"page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def dark_width(image, y: int) -> int:
    """How many dark pixels one row of ``image`` has."""
    return sum(1 for x in range(image.width()) if image.pixelColor(x, y).lightness() < 80)


@pytest.fixture
def view(qtbot, qapp):
    v = PdfView()
    qtbot.addWidget(v)
    v.resize(700, 800)
    v.show()
    qtbot.waitExposed(v)
    yield v
    v.shutdown()


def test_render_page_draws_the_real_page(qapp):
    doc = PdfDocument(make_pdf(3))
    try:
        assert len(doc) == 3 and doc.sizes[0] == pytest.approx(A4, abs=0.5)
        image = render_page(doc, 2, 1.0)            # 72 dpi: one pixel per point
        assert abs(image.width() - A4[0]) <= 1 and abs(image.height() - A4[1]) <= 1
        row = 124                                    # through the bar (104–144 pt from the top)
        assert dark_width(image, row) == pytest.approx(60, abs=2)  # page 3: 3 × 20 pt
    finally:
        doc.close()
    assert render_page(doc, 0, 1.0).isNull()         # a closed document draws nothing


def test_every_page_renders_and_navigation_follows(view, qtbot):
    view.set_pdf(make_pdf(5))
    assert view.page_count == 5 and view.page_total.text() == "/ 5 页"
    assert view.fit_width and view.zoom_combo.currentText() == "适合宽度"
    assert not view.prev_button.isEnabled() and view.next_button.isEnabled()
    for page in range(5):
        view.go_to_page(page)
        qtbot.waitUntil(lambda p=page: p in view.rendered_pages(), timeout=5000)
        assert view.current_page == page and view.page_edit.text() == str(page + 1)
        image = view.page_image(page)
        assert image.width() == pytest.approx(view.page_rect(page).width() * image.devicePixelRatio(), abs=1)
    assert view.rendered_pages() == set(range(5))
    assert view.prev_button.isEnabled() and not view.next_button.isEnabled()

    # the clerk types a page number
    view.page_edit.setFocus()
    view.page_edit.selectAll()
    qtbot.keyClicks(view.page_edit, "2")
    qtbot.keyClick(view.page_edit, Qt.Key.Key_Return)
    assert view.current_page == 1 and view.page_edit.text() == "2"
    qtbot.keyClicks(view.page_edit, "9")             # no page 29 (the validator) …
    assert view.page_edit.text() == "2"
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.current_page == 2


def test_pages_render_only_when_in_sight(view, qtbot):
    view.set_pdf(make_pdf(60))
    qtbot.waitUntil(lambda: 0 in view.rendered_pages(), timeout=5000)
    view.wait_idle()
    qtbot.wait(50)
    assert len(view.rendered_pages()) <= 4          # the first page(s) in sight and the next one
    view.go_to_page(59)
    qtbot.waitUntil(lambda: 59 in view.rendered_pages(), timeout=5000)
    assert 30 not in view.rendered_pages()
    for page in range(0, 60, 2):                     # reading through a long register
        view.go_to_page(page)
        qtbot.waitUntil(lambda p=page: p in view.rendered_pages(), timeout=5000)
    assert len(view.rendered_pages()) <= CACHE_PAGES  # memory stays bounded


def test_zoom_and_fit_width(view, qtbot):
    view.set_pdf(make_pdf(2, landscape(A4)))
    fit = view.page_rect(0).width()
    assert fit <= view.scroll.viewport().width()
    qtbot.mouseClick(view.zoom_in_button, Qt.MouseButton.LeftButton)
    assert not view.fit_width and view.zoom_combo.currentText().endswith("%")
    zoomed = view.page_rect(0).width()
    assert zoomed > fit
    qtbot.waitUntil(lambda: 0 in view.rendered_pages(), timeout=5000)
    assert view.page_image(0).width() == pytest.approx(zoomed * view.page_image(0).devicePixelRatio(), abs=1)
    view.set_zoom(1.0)
    assert view.page_rect(0).width() == pytest.approx(842 * view.logicalDpiX() / 72, abs=1)
    assert view.zoom_combo.currentText() == "100%"
    view.zoom_out()
    assert view.zoom_combo.currentText() == "75%"
    view.set_fit_width()
    assert view.page_rect(0).width() == fit
    view.resize(900, 800)                            # fit width follows the window
    qtbot.waitUntil(lambda: view.page_rect(0).width() > fit, timeout=3000)


def test_clear_and_replace(view, qtbot):
    view.set_pdf(make_pdf(3))
    qtbot.waitUntil(lambda: 0 in view.rendered_pages(), timeout=5000)
    view.set_pdf(make_pdf(1))
    assert view.page_count == 1 and view.current_page == 0
    qtbot.waitUntil(lambda: view.rendered_pages() == {0}, timeout=5000)
    view.clear()
    assert view.page_count == 0 and not view.next_button.isEnabled() and not view.zoom_in_button.isEnabled()
