"""What the county pages share (issue 15): the year drop-down that opens on the latest year any
township reported, and reading again when new packages arrived."""
from __future__ import annotations

from ...services import county
from ..widgets.list_page import RefreshWhenShown, select_year, year_combo

YEARS_BACK = 10
YEAR_TEXT = "{0} 年度"


class CountyYearPage(RefreshWhenShown):
    """Mixed into a county page before ``ListPage``: ``make_year_combo()`` builds
    ``self.year_combo``; the first time the page shows, it turns to the latest year any
    township reported (``county.periods()``), then reads (``refresh()``)."""

    _period_chosen = False

    def make_year_combo(self, tooltip: str):
        self.year_combo = year_combo(self, YEARS_BACK, self.tr(YEAR_TEXT))
        self.year_combo.setToolTip(tooltip)
        return self.year_combo

    @property
    def period(self) -> int:
        return int(self.year_combo.currentData())

    def set_period(self, year: int) -> None:
        select_year(self.year_combo, year, self.tr(YEAR_TEXT))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if not self._period_chosen:
            self._period_chosen = True
            latest = county.periods()
            if latest and latest[0] != self.period:
                blocked = self.year_combo.blockSignals(True)
                self.set_period(latest[0])
                self.year_combo.blockSignals(blocked)
        super().showEvent(event)
