"""The QPainter bar chart of the county's 汇总 page (ui/widgets/bar_chart.py): where the bars go,
what their labels say, and that the painted pixels are the bars."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from carecenter.ui.widgets.bar_chart import PALETTE, BarChart, Series

TOWNS = ["青岭镇", "石门乡", "白沙镇"]


@pytest.fixture
def chart(qtbot, themed):
    def make(**kwargs):
        c = BarChart(**kwargs)
        qtbot.addWidget(c)
        c.resize(640, 300)
        c.show()
        qtbot.waitExposed(c)
        return c
    return make


def _pixel(widget, point: QPointF) -> QColor:
    return widget.grab().toImage().pixelColor(int(point.x()), int(point.y()))


def test_horizontal_grouped_bars_are_proportional_and_labelled(chart):
    c = chart()
    c.set_data("年休假（天）", TOWNS, [Series("应休", (200, 150, 80)), Series("已休", (150.5, 0, 80))])
    bars = {(b.series, b.category): b for b in c.bars()}
    assert len(bars) == 6
    full = bars[(0, 0)].rect.width()
    # the largest value fills the plot; the others in proportion
    assert full == pytest.approx(c.layout().plot.width())
    assert bars[(0, 1)].rect.width() == pytest.approx(full * 150 / 200)
    assert bars[(1, 0)].rect.width() == pytest.approx(full * 150.5 / 200)
    assert bars[(1, 1)].rect.width() == 0
    # the two bars of a township sit one under the other, within its band, all start at the axis
    assert bars[(1, 0)].rect.top() > bars[(0, 0)].rect.bottom()
    assert bars[(0, 1)].rect.top() > bars[(1, 0)].rect.bottom()
    assert {b.rect.left() for b in bars.values()} == {c.layout().plot.left()}
    # the value at the end of every bar, the township's name at its left
    assert [b.label for b in c.bars()] == ["200", "150.5", "150", "0", "80", "80"]
    assert bars[(1, 0)].label_rect.left() > bars[(1, 0)].rect.right()
    names = dict(c.layout().category_labels)
    assert names["石门乡"].right() <= c.layout().plot.left()
    assert {"年休假（天）", "应休", "已休", *TOWNS} <= set(c.texts())
    # the height follows the townships: a horizontal chart is as tall as it needs
    assert c.height() == int(c.layout().height + 0.5)


def test_percent_bars_against_a_fixed_maximum_with_own_labels(chart):
    c = chart()
    c.set_data("体检覆盖率", TOWNS[:2], [Series("覆盖率", (50.0, 100.0), labels=("50.0%（5/10）", "100.0%（8/8）"))],
               maximum=100)
    half, full = c.bars()
    assert half.rect.width() == pytest.approx(c.layout().plot.width() / 2)
    assert full.rect.width() == pytest.approx(c.layout().plot.width())
    assert (half.label, full.label) == ("50.0%（5/10）", "100.0%（8/8）")
    assert c.tooltip_at(half.rect.center()) == "青岭镇　覆盖率：50.0%（5/10）"
    assert c.tooltip_at(QPointF(1, 1)) == ""


def test_the_painted_bars_have_the_series_colours(chart):
    c = chart()
    c.set_data("慰问经费", ["工会经费"], [Series("预算", (1000,)), Series("已用", (400,))])
    budget, spent = c.bars()
    assert _pixel(c, budget.rect.center()) == QColor(PALETTE[0])
    assert _pixel(c, spent.rect.center()) == QColor(PALETTE[1])
    # beyond the shorter bar the plot stays white (the grid line aside)
    beyond = QPointF(spent.rect.right() + (budget.rect.right() - spent.rect.right()) * 0.37, spent.rect.center().y())
    assert _pixel(c, beyond) == QColor("#ffffff")
    # the value label is drawn: dark pixels inside its rectangle
    image = c.grab().toImage()
    r = spent.label_rect
    dark = sum(1 for x in range(int(r.left()), int(r.right())) for y in range(int(r.top()), int(r.bottom()))
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 5


def test_vertical_stacked_bars_sit_on_each_other_with_one_label_on_top(chart):
    c = chart(horizontal=False, stacked=True)
    c.resize(640, 320)
    months = [f"{m}月" for m in range(1, 13)]
    c.set_data("津贴补贴（元）", months, [Series("青岭镇", [100] * 12), Series("石门乡", [300] * 12,
                                                                            labels=["400"] * 12)])
    bars = [b for b in c.bars() if b.category == 0]
    lower, upper = sorted(bars, key=lambda b: -b.rect.bottom())
    assert lower.rect.bottom() == pytest.approx(c.layout().plot.bottom())
    assert upper.rect.bottom() == pytest.approx(lower.rect.top())
    assert upper.rect.height() == pytest.approx(3 * lower.rect.height())
    # the stack fills the plot (the largest stack is the top), one label above it
    assert upper.rect.top() == pytest.approx(c.layout().plot.top())
    assert lower.label_rect.isNull() and upper.label_rect.bottom() <= upper.rect.top()
    assert [name for name, _r in c.layout().category_labels] == months
    assert _pixel(c, lower.rect.center()) == QColor(PALETTE[0])
    assert _pixel(c, upper.rect.center()) == QColor(PALETTE[1])


def test_crowded_vertical_labels_alternate_heights(chart):
    c = chart(horizontal=False)
    c.resize(420, 300)
    c.set_data("津贴补贴（元）", [f"{m}月" for m in range(1, 13)],
               [Series("合计", [1_234_567.0] * 12)], value_format=lambda v: f"{v:,.2f}")
    first, second = c.bars()[:2]
    assert first.label_rect.top() != second.label_rect.top()
    assert not first.label_rect.intersects(second.label_rect)


def test_no_data_says_so(chart):
    c = chart()
    c.set_data("走访慰问覆盖率", [], [], empty_text="本年度还没有乡镇报送")
    assert c.bars() == () and c.is_empty
    assert "本年度还没有乡镇报送" in c.texts()


def test_a_series_must_give_one_value_per_category(chart):
    c = chart()
    with pytest.raises(ValueError):
        c.set_data("x", TOWNS, [Series("应休", (1, 2))])
