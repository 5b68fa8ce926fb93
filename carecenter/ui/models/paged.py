"""A table model over SQL pages: filter and sort in SQL, rows as plain tuples,
loaded lazily as the view scrolls (``canFetchMore``/``fetchMore``).

Subclasses say how to count and how to read a page (``_count``/``_page``), the
columns (``COLUMNS``) and how a row is shown (``data``)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex

PAGE_SIZE = 200


class PagedRows:
    """The paging of a table model over SQL: ``_count()`` rows match the filter, ``_page(offset,
    limit)`` reads some; the first page loads on ``set_filter``/``refresh``, the rest as the
    view scrolls.  Mixed into a QAbstractTableModel before it.  ``EMPTY_WITHOUT_FILTER``:
    no filter means no rows (and ``_count`` is not asked)."""

    page_size = PAGE_SIZE
    EMPTY_WITHOUT_FILTER = False

    def _init_pages(self, page_size: int = PAGE_SIZE, filter_: Any = None) -> None:
        self.page_size = page_size
        self._filter = filter_
        self._rows: list = []
        self._total = 0
        self._fetching = False

    def _count(self) -> int:  # pragma: no cover - subclasses
        raise NotImplementedError

    def _page(self, offset: int, limit: int) -> list:  # pragma: no cover - subclasses
        raise NotImplementedError

    @property
    def filter(self):
        return self._filter

    @property
    def total(self) -> int:
        """Rows matching the filter (loaded or not)."""
        return self._total

    def set_filter(self, f) -> None:
        self._filter = f
        self._reload(self.page_size)

    def refresh(self) -> None:
        """Re-read after a change, keeping as many rows loaded as before."""
        self._reload(max(self.page_size, len(self._rows)))

    def _reload(self, limit: int) -> None:
        self.beginResetModel()
        try:
            empty = self.EMPTY_WITHOUT_FILTER and self._filter is None
            self._total = 0 if empty else self._count()
            self._rows = self._page(0, limit) if self._total else []
        finally:
            self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt naming
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt naming
        # a view (or Qt's model tester) may ask again from inside beginInsertRows: not twice
        if parent.isValid() or len(self._rows) >= self._total or self._fetching:
            return
        page = self._page(len(self._rows), self.page_size)
        if not page:
            self._total = len(self._rows)
            return
        start = len(self._rows)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()
        finally:
            self._fetching = False

    def row_tuple(self, row: int) -> tuple | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class PagedSqlModel(PagedRows, QAbstractTableModel):
    COLUMNS: list[str] = []

    def __init__(self, parent=None, *, page_size: int = PAGE_SIZE, filter_: Any = None,
                 sort_key: str = "", descending: bool = False):
        super().__init__(parent)
        self._init_pages(page_size, filter_)
        self._sort_key = sort_key
        self._descending = descending

    # Subclasses define ``_count() -> int`` and ``_page(offset, limit) -> list[tuple]``
    # (reading ``self._filter``, ``self._sort_key`` and ``self._descending``).

    @property
    def sort_key(self) -> str:
        return self._sort_key

    @property
    def descending(self) -> bool:
        return self._descending

    def _set_sort(self, key: str, descending: bool) -> None:
        """Re-read in a new order (same number of rows loaded)."""
        self._sort_key, self._descending = key, descending
        self._reload(max(self.page_size, len(self._rows)))

    # ------------------------------------------------------------ shape
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt naming
        return 0 if parent.isValid() else len(self.COLUMNS)
