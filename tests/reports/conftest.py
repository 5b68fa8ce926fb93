"""A small demo database on a fixed day, so the printed documents have every kind of record."""
from __future__ import annotations

from datetime import date

import pytest

TODAY = date(2025, 11, 20)
YEAR = TODAY.year


@pytest.fixture
def demo_db(store):
    from carecenter.services import demo

    demo.build(40, history_years=2, today=TODAY)
    return store
