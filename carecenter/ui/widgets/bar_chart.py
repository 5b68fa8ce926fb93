"""A small bar chart drawn with QPainter (QtCharts is not shipped: 156 MB for a few bars).

Horizontal bars (one band per category, e.g. a township) or vertical bars (e.g. the
twelve months); several series side by side (``grouped``) or on top of each other
(``stacked``).  Category labels, a value label at the end of every bar, a legend, a
title and a note, all in the application's font, so a chart reads at 1280×800 and
prints nothing the clerk has to guess::

    chart = BarChart(self, horizontal=True)
    chart.set_data("体检覆盖率", ["青岭镇", "石门乡"],
                   [Series("覆盖率", (85.0, 60.0), labels=("85.0%（17/20）", "60.0%（6/10）"))],
                   maximum=100)

The geometry is computed in one place (``layout()``), which both ``paintEvent`` and
the tests read: ``bars()`` says where every bar is and what its label says.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from .. import theme

#: the series colours in order: the accent, then calm tones that stay apart in grey print
PALETTE = ("#2563a8", "#9cc0e6", "#d98c2b", "#5b8c5a", "#8d6cab", "#c2566b", "#4f9da6", "#a08a5e")
GRID_COLOUR = "#e3e7ec"
AXIS_COLOUR = "#9aa3ad"
LABEL_COLOUR = theme.TEXT
NOTE_COLOUR = "#6b7280"

PAD = 12.0           # around the drawing
BAR = 16.0           # thickness of one bar
BAR_GAP = 3.0        # between the bars of one category
BAND_GAP = 10.0      # between categories
LABEL_GAP = 6.0      # between a bar and its value label
SWATCH = 11.0        # legend square
MAX_CATEGORY_LABEL = 180.0   # a long name is elided beyond this width (horizontal bars)


@dataclass(frozen=True)
class Series:
    """One set of bars: its name (legend), one value per category, a colour (default:
    the palette's next) and, optionally, the text at each bar's end."""

    name: str
    values: Sequence[float]
    colour: str = ""
    labels: Sequence[str] | None = None


@dataclass(frozen=True)
class Bar:
    """One drawn bar: which series and category, where, its value and label."""

    series: int
    category: int
    rect: QRectF
    value: float
    label: str
    label_rect: QRectF


@dataclass(frozen=True)
class Layout:
    bars: tuple[Bar, ...]
    plot: QRectF                                  # where the bars grow
    category_labels: tuple[tuple[str, QRectF], ...]
    legend: tuple[tuple[str, QColor, QRectF, QRectF], ...]   # name, colour, swatch, text rect
    title_rect: QRectF
    note_rect: QRectF
    height: float                                 # what the whole chart needs


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class BarChart(QWidget):
    """``BarChart(parent, horizontal=True, stacked=False)``; fill it with ``set_data``."""

    def __init__(self, parent: QWidget | None = None, *, horizontal: bool = True, stacked: bool = False):
        super().__init__(parent)
        self.horizontal = horizontal
        self.stacked = stacked
        self.title = ""
        self.note = ""
        self.empty_text = "暂无数据"
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.maximum: float | None = None
        self.value_format: Callable[[float], str] = _number
        self._layout: Layout | None = None
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding,
                           QSizePolicy.Policy.Fixed if horizontal else QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(160)

    # ------------------------------------------------------------ data
    def set_data(self, title: str, categories: Sequence[str], series: Sequence[Series], *,
                 maximum: float | None = None, value_format: Callable[[float], str] | None = None,
                 note: str = "", empty_text: str = "暂无数据") -> None:
        """Show ``series`` over ``categories``.  ``maximum``: the value that fills the plot
        (100 for a percentage); default the largest bar.  ``value_format`` turns a value
        into its label where a series gives none."""
        for s in series:
            if len(s.values) != len(categories) or (s.labels is not None and len(s.labels) != len(categories)):
                raise ValueError(f"series {s.name!r}: one value (and label) per category")
        self.title = title
        self.categories = list(categories)
        self.series = [s if s.colour else Series(s.name, s.values, PALETTE[i % len(PALETTE)], s.labels)
                       for i, s in enumerate(series)]
        self.maximum = maximum
        self.value_format = value_format or _number
        self.note = note
        self.empty_text = empty_text
        self._layout = None
        self._fit_height()
        self.updateGeometry()
        self.update()

    def _fit_height(self) -> None:
        """Horizontal bars: the chart is as tall as its categories need (a scroll area holds it)."""
        if self.horizontal:
            needed = int(self.layout_for(self._width_hint()).height + 0.5)
            if needed != self.height() or self.minimumHeight() != needed:
                self.setFixedHeight(needed)

    @property
    def is_empty(self) -> bool:
        return not self.categories or not self.series

    # ------------------------------------------------------------ geometry
    def _fonts(self) -> tuple[QFont, QFont]:
        body = QFont(self.font())
        title = QFont(body)
        title.setBold(True)
        title.setPointSizeF(body.pointSizeF() * 1.1 if body.pointSizeF() > 0 else 11)
        return body, title

    def _width_hint(self) -> float:
        return float(max(self.width(), 360))

    def _label(self, s: Series, i: int) -> str:
        return s.labels[i] if s.labels is not None else self.value_format(s.values[i])

    def _top(self) -> float:
        return float(max((sum(s.values[i] for s in self.series) if self.stacked
                          else max(s.values[i] for s in self.series)) for i in range(len(self.categories))))

    def layout_for(self, width: float, height: float | None = None) -> Layout:
        """The chart's geometry at ``width`` (and ``height`` for vertical bars)."""
        body, title_font = self._fonts()
        fm, tfm = QFontMetricsF(body), QFontMetricsF(title_font)
        line = fm.height()
        y = PAD
        title_rect = QRectF(PAD, y, width - 2 * PAD, tfm.height() if self.title else 0)
        y += title_rect.height() + (6 if self.title else 0)
        # legend: one row (wrapping when needed) of swatch + name
        legend = []
        x = PAD
        if len(self.series) > 1 or (self.series and self.series[0].name and self.stacked):
            for s in self.series:
                text_w = fm.horizontalAdvance(s.name)
                if x + SWATCH + 4 + text_w > width - PAD and x > PAD:
                    x, y = PAD, y + line + 2
                swatch = QRectF(x, y + (line - SWATCH) / 2, SWATCH, SWATCH)
                text = QRectF(x + SWATCH + 4, y, text_w + 1, line)
                legend.append((s.name, QColor(s.colour), swatch, text))
                x = text.right() + 16
            y += line + 8
        note_h = (fm.boundingRect(QRectF(0, 0, width - 2 * PAD, 1000), int(Qt.TextFlag.TextWordWrap),
                                  self.note).height() + 6) if self.note else 0.0
        if self.is_empty:
            plot = QRectF(PAD, y, width - 2 * PAD, 4 * line)
            note_rect = QRectF(PAD, plot.bottom() + 4, width - 2 * PAD, note_h)
            return Layout((), plot, (), tuple(legend), title_rect, note_rect, note_rect.bottom() + PAD)
        top = max(self.maximum or 0.0, self._top()) or 1.0
        groups = 1 if self.stacked else len(self.series)
        labels = [[self._label(s, i) for i in range(len(self.categories))] for s in self.series]
        bars: list[Bar] = []
        category_labels = []
        if self.horizontal:
            label_w = min(MAX_CATEGORY_LABEL, max(fm.horizontalAdvance(c) for c in self.categories)) + 8
            value_w = max(fm.horizontalAdvance(t) for row in labels for t in row) + LABEL_GAP + 2
            if self.stacked:   # one label at the end of the stack: the last series' text
                value_w = max(fm.horizontalAdvance(labels[-1][i]) for i in range(len(self.categories))) + LABEL_GAP + 2
            plot = QRectF(PAD + label_w, y, max(40.0, width - 2 * PAD - label_w - value_w), 0)
            few = len(self.categories) <= 8      # a few townships: thicker bars fill the panel calmly
            bar_h = (max(BAR, line * 0.95) * (1.5 if few else 1)) if groups == 1 else BAR * (1.25 if few else 1)
            band = groups * bar_h + (groups - 1) * BAR_GAP
            scale = plot.width() / top
            for i, name in enumerate(self.categories):
                by = y + i * (band + BAND_GAP)
                category_labels.append((name, QRectF(PAD, by, label_w - 8, band)))
                base = plot.left()
                for k, s in enumerate(self.series):
                    v = max(0.0, float(s.values[i]))
                    length = v * scale
                    if self.stacked:
                        rect = QRectF(base, by, length, band)
                        base += length
                    else:
                        rect = QRectF(plot.left(), by + k * (bar_h + BAR_GAP), length, bar_h)
                    show = not self.stacked or k == len(self.series) - 1
                    text = labels[k][i] if show else ""
                    lr = QRectF(rect.right() + LABEL_GAP, rect.top(), fm.horizontalAdvance(text) + 1, rect.height()) \
                        if show else QRectF()
                    bars.append(Bar(k, i, rect, v, labels[k][i], lr))
            plot.setHeight(len(self.categories) * (band + BAND_GAP) - BAND_GAP)
            note_rect = QRectF(PAD, plot.bottom() + 10, width - 2 * PAD, note_h)
            return Layout(tuple(bars), plot, tuple(category_labels), tuple(legend), title_rect, note_rect,
                          note_rect.bottom() + PAD)
        # vertical bars: categories along the bottom, value labels above the bars
        total_h = float(height if height is not None else max(self.height(), 240))
        slot = (width - 2 * PAD - 8) / len(self.categories)
        widest = max(fm.horizontalAdvance(t) for row in labels for t in row)
        # labels wider than a slot alternate between two heights so neighbours never touch
        stagger = widest > slot / (1 if self.stacked else groups) - 8
        plot_top = y + line * (2 if stagger else 1) + 2
        plot_bottom = total_h - PAD - note_h - line - 6
        plot = QRectF(PAD + 4, plot_top, width - 2 * PAD - 8, max(40.0, plot_bottom - plot_top))
        bar_w = min(48.0, max(6.0, (slot - 8) / groups - (BAR_GAP if groups > 1 else 0)))
        used = groups * bar_w + (groups - 1) * BAR_GAP
        scale = plot.height() / top
        for i, name in enumerate(self.categories):
            x0 = plot.left() + i * slot + (slot - used) / 2
            category_labels.append((name, QRectF(plot.left() + i * slot, plot.bottom() + 4, slot, line)))
            base = plot.bottom()
            for k, s in enumerate(self.series):
                v = max(0.0, float(s.values[i]))
                length = v * scale
                if self.stacked:
                    rect = QRectF(x0, base - length, bar_w, length)
                    base -= length
                else:
                    rect = QRectF(x0 + k * (bar_w + BAR_GAP), plot.bottom() - length, bar_w, length)
                show = not self.stacked or k == len(self.series) - 1
                text = labels[k][i] if show else ""
                text_w = fm.horizontalAdvance(text) + 1
                lift = line if stagger and (i * groups + (0 if self.stacked else k)) % 2 else 0.0
                lr = QRectF(rect.center().x() - text_w / 2, rect.top() - line - 2 - lift, text_w, line) \
                    if show else QRectF()
                bars.append(Bar(k, i, rect, v, labels[k][i], lr))
        note_rect = QRectF(PAD, total_h - PAD - note_h, width - 2 * PAD, note_h)
        return Layout(tuple(bars), plot, tuple(category_labels), tuple(legend), title_rect, note_rect, total_h)

    def layout(self) -> Layout:   # noqa: D401 - not QWidget.layout(): the chart has no child layout
        if self._layout is None:
            self._layout = self.layout_for(float(self.width()), float(self.height()))
        return self._layout

    def bars(self) -> tuple[Bar, ...]:
        return self.layout().bars

    def texts(self) -> list[str]:
        """Every text the chart draws: title, legend, category labels, value labels, note."""
        lay = self.layout()
        out = [self.title] if self.title else []
        out += [name for name, *_ in lay.legend]
        out += [name for name, _r in lay.category_labels]
        out += [b.label for b in lay.bars if not b.label_rect.isNull()]
        if self.note:
            out.append(self.note)
        if self.is_empty:
            out.append(self.empty_text)
        return out

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        if self.horizontal:
            return QSize(560, int(self.layout_for(self._width_hint()).height))
        return QSize(560, 320)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(320, 160)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self._layout = None
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_height()   # the legend and the note may wrap differently

    # ------------------------------------------------------------ painting
    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        lay = self.layout()
        body, title_font = self._fonts()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.fillRect(self.rect(), QColor("#ffffff"))
        if self.title:
            p.setFont(title_font)
            p.setPen(QColor(LABEL_COLOUR))
            p.drawText(lay.title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self.title)
        p.setFont(body)
        for name, colour, swatch, text in lay.legend:
            p.fillRect(swatch, colour)
            p.setPen(QColor(LABEL_COLOUR))
            p.drawText(text, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), name)
        if self.is_empty:
            p.setPen(QColor(NOTE_COLOUR))
            p.drawText(lay.plot, int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
        else:
            self._paint_grid(p, lay)
            for b in lay.bars:
                if b.rect.width() > 0 and b.rect.height() > 0:
                    p.fillRect(b.rect, QColor(self.series[b.series].colour))
            p.setPen(QColor(LABEL_COLOUR))
            fm = QFontMetricsF(body)
            for name, rect in lay.category_labels:
                if self.horizontal:
                    shown = fm.elidedText(name, Qt.TextElideMode.ElideRight, rect.width())
                    p.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), shown)
                else:
                    p.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), name)
            for b in lay.bars:
                if not b.label_rect.isNull():
                    align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter if self.horizontal \
                        else Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
                    p.drawText(b.label_rect, int(align), b.label)
        if self.note:
            p.setPen(QColor(NOTE_COLOUR))
            p.drawText(lay.note_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), self.note)
        p.end()

    def _paint_grid(self, p: QPainter, lay: Layout) -> None:
        plot = lay.plot
        p.setPen(QPen(QColor(GRID_COLOUR), 1))
        for k in range(1, 5):
            if self.horizontal:
                x = plot.left() + plot.width() * k / 4
                p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            else:
                yy = plot.bottom() - plot.height() * k / 4
                p.drawLine(QPointF(plot.left(), yy), QPointF(plot.right(), yy))
        p.setPen(QPen(QColor(AXIS_COLOUR), 1))
        if self.horizontal:
            p.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        else:
            p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    # ------------------------------------------------------------ hover
    def bar_at(self, pos: QPointF) -> Bar | None:
        for b in self.bars():
            hit = QRectF(b.rect)
            if self.horizontal and hit.width() < 4:
                hit.setWidth(4)
            if not self.horizontal and hit.height() < 4:
                hit.setTop(hit.bottom() - 4)
            if hit.contains(pos):
                return b
        return None

    def tooltip_at(self, pos: QPointF) -> str:
        b = self.bar_at(pos)
        if b is None:
            return ""
        s = self.series[b.series]
        head = self.categories[b.category]
        return f"{head}　{s.name}：{b.label}" if s.name else f"{head}：{b.label}"

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)


def chart_panel(parent: QWidget, charts: Sequence[Sequence[BarChart]], top: QWidget | None = None):
    """A scrolling panel of charts: each inner sequence is one row of charts side by side
    (aligned at the top), under an optional ``top`` widget (a row of controls)."""
    from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout

    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    host = QWidget(scroll)
    host.setObjectName("ChartPanel")
    host.setStyleSheet("#ChartPanel { background: #ffffff; }")
    column = QVBoxLayout(host)
    column.setContentsMargins(0, 4, 0, 4)
    column.setSpacing(12)
    if top is not None:
        column.addWidget(top)
    for row_charts in charts:
        row = QHBoxLayout()
        row.setSpacing(16)
        for chart in row_charts:
            row.addWidget(chart, 1, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
    column.addStretch(1)
    scroll.setWidget(host)
    return scroll
