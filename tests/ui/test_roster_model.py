"""The roster table model: lazy pages, SQL sorting, archived rows, and Qt's own model checks."""
from __future__ import annotations

from datetime import date

from peewee import fn
from PySide6.QtCore import Qt

from carecenter.db.models import Cadre
from carecenter.domain import idcard

from carecenter.db.queries import RosterFilter
from carecenter.services import demo, roster
from carecenter.ui.models.roster_model import ID_ROLE, PAGE_SIZE, RosterModel


def test_model_passes_qtmodeltester(store, qtmodeltester):
    demo.generate(450)
    model = RosterModel()
    model.set_filter(RosterFilter())
    assert model.total == 450
    assert model.rowCount() == PAGE_SIZE
    qtmodeltester.check(model)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_empty_model_passes_qtmodeltester(store, qtmodeltester):
    model = RosterModel()
    model.set_filter(RosterFilter(text="nobody"))
    assert model.rowCount() == 0 and not model.canFetchMore()
    qtmodeltester.check(model)


def test_lazy_loading_in_pages(store):
    demo.generate(450)
    model = RosterModel()
    model.set_filter(RosterFilter())
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 400
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    ids = [model.index(r, 0).data(ID_ROLE) for r in range(450)]
    assert len(set(ids)) == 450


def test_sorting_happens_in_sql(store):
    demo.generate(250)
    model = RosterModel()
    model.set_filter(RosterFilter())
    age = model.COLUMNS.index("age")
    model.sort(age, Qt.SortOrder.AscendingOrder)
    ages = [int(model.index(r, age).data()) for r in range(model.rowCount())]
    assert ages == sorted(ages)
    youngest_of_page = ages[-1]
    model.sort(age, Qt.SortOrder.DescendingOrder)
    oldest = Cadre.select(fn.MIN(Cadre.birth_date)).scalar()
    top = model.index(0, age).data()
    assert top == str(idcard.age_on(oldest, date.today()))  # the oldest of all 250, not of one page
    assert int(top) > youngest_of_page
    assert model.rowCount() == PAGE_SIZE


def test_headers_alignment_and_archived_rows(store, unit):
    cadre_id = roster.save_cadre({"name": "张三", "id_number": "11010519491231002X", "unit_id": unit,
                                  "employment_status": "在职"}).id
    roster.set_cadre_archived(cadre_id, True)
    model = RosterModel()
    model.set_filter(RosterFilter(include_archived=True))
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["姓名", "性别", "年龄", "单位", "职务", "职级", "类别", "电话", "状态"]
    age = model.index(0, model.COLUMNS.index("age"))
    assert model.data(age, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    status = model.index(0, model.COLUMNS.index("status"))
    assert status.data() == "在职（已归档）"
    assert model.data(status, Qt.ItemDataRole.ForegroundRole) is not None
    model.set_filter(RosterFilter())
    assert model.rowCount() == 0
