"""The county pages' table models (ui/models/county_models.py) on hand-built figures: what each
cell says, late townships in red with the word 逾期, the 合计 row last and bold."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from carecenter.ui import theme
from carecenter.ui.models.county_models import SubmissionsModel, SummaryModel
from tests import county_samples


def cells(model, row: int) -> dict[str, str]:
    return {key: model.data(model.index(row, c)) for c, key in enumerate(model.COLUMNS)}


def test_submissions_say_who_is_late_in_words_and_red(qtmodeltester):
    rows = county_samples.submissions()
    never = replace(rows[0], code="330381206000", name="白沙镇", period=None, as_of=None, received_at=None,
                    package_id=None, fingerprint="", cadres=0, rows=0, late=True, late_text="")
    model = SubmissionsModel()
    model.set_rows(rows + [never])
    qtmodeltester.check(model)
    on_time, late, missing = (cells(model, r) for r in range(3))
    assert on_time["name"] == "青岭镇" and on_time["code"] == "330381101000"
    assert on_time["period"] == "2026 年度" and on_time["as_of"] == "2026-11-30"
    assert on_time["received_at"] == "2026-12-01 09:30" and on_time["rows"] == "1,234"
    assert on_time["fingerprint"] == "K7Q2-9XMD-4TRW-HB3N-P8ZC-V6YE-2JKA-F5GS"
    assert on_time["late"] == "按时报送"
    assert late["late"] == "逾期报送"
    late_col = model.COLUMNS.index("late")
    assert model.data(model.index(1, late_col), Qt.ItemDataRole.ToolTipRole) == "逾期报送（2026-11-03 收到，截止 2026-10-31）"
    assert missing["period"] == "未报送" and missing["late"] == "逾期" and missing["cadres"] == ""
    short = replace(rows[0], late=True, late_text="数据只到 2026-10-31，未覆盖全年（截止 2027-01-31）")
    model.set_rows([short])
    assert cells(model, 0)["late"] == "逾期：数据只到 2026-10-31，未覆盖全年"
    model.set_rows(rows + [never])
    assert model.data(model.index(1, late_col), Qt.ItemDataRole.ForegroundRole) == QColor(theme.ERROR)
    assert model.data(model.index(0, late_col), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(1, late_col), Qt.ItemDataRole.DecorationRole) is not None
    # sorting by 报送状态 puts the late ones first
    model.sort(late_col, Qt.SortOrder.AscendingOrder)
    assert [model.item(r).name for r in range(3)] == ["石门乡", "白沙镇", "青岭镇"]
    assert model.row_of("330381101000") == 2 and model.code(0) == "330381205000"


def test_summary_rows_then_the_total_in_bold(qtmodeltester):
    data = county_samples.summary()
    model = SummaryModel()
    model.set_figures(list(data.townships), data.total)
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    qingling, shimen, total = (cells(model, r) for r in range(3))
    assert qingling["health"] == "85.0%（34/40）" and shimen["health"] == "48.0%（12/25）"
    assert qingling["leave"] == "401.5/520" and qingling["untaken"] == "4"
    assert qingling["allowance"] == "597,586.00"
    assert qingling["welfare"] == "74,500.00（67.7%）" and shimen["welfare"] == "54,000.00（108.0%）"
    assert qingling["visits"] == "75.0%（15/20）"
    assert shimen["as_of"] == "2026-10-31"
    assert total["name"] == "全县合计" and total["health"] == "70.8%（46/65）"
    assert total["allowance"] == "938,641.00" and total["visits"] == "49.0%（25/51）"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "青岭镇（区划代码 330381101000）"
    nobody = replace(data.townships[0], hardship_cadres=0, hardship_visited=0)
    model.set_figures([nobody], data.total)
    assert cells(model, 0)["visits"] == "—"


def test_package_and_service_lists(qtmodeltester):
    from datetime import date, datetime

    from carecenter.services.county import ServiceRow, Snapshot
    from carecenter.services.exchange_pack import SentPackage
    from carecenter.ui.models.county_models import SentPackagesModel, ServiceModel, SnapshotsModel

    fp = "K7Q2-9XMD-4TRW-HB3N-P8ZC-V6YE-2JKA-F5GS"
    old = Snapshot("p1", 2025, date(2025, 11, 30), datetime(2025, 12, 1, 9, 0), datetime(2026, 1, 3, 10, 5), "jingban",
                   "青岭镇", False, "p2", datetime(2026, 1, 20, 8, 0), fp, fp, 1200, 12345, "青岭镇-2025.ccx")
    snapshots = SnapshotsModel()
    snapshots.set_rows([replace(old, package_id="p2", current=True, superseded_by="", superseded_at=None), old])
    qtmodeltester.check(snapshots)
    first, second = cells(snapshots, 0), cells(snapshots, 1)
    assert first["state"] == "现行（汇总采用）" and second["state"] == "已被替换（2026-01-20 08:00）"
    assert first["period"] == "2025" and first["cadres"] == "1,200" and first["rows"] == "12,345"
    assert first["as_of"] == "2025-11-30" and first["received_at"] == "2026-01-03 10:05"
    assert first["package_fingerprint"] == fp
    assert snapshots.data(snapshots.index(1, 0), Qt.ItemDataRole.ForegroundRole) is not None

    service = ServiceModel()
    service.set_rows([ServiceRow("330328101000", "青岭镇", "青岭镇党政办", "科员", "调离", date(2019, 3, 1),
                                 date(2025, 6, 30), date(2015, 7, 1), date(2020, 1, 1), 2025, date(2025, 12, 31))])
    qtmodeltester.check(service)
    row = cells(service, 0)
    assert (row["township"], row["employment_status"], row["end"]) == ("青岭镇", "调离", "2025-06-30")
    assert row["reported"] == "2025 年度（2025-12-31）"

    sent = SentPackagesModel()
    sent.set_rows([SentPackage("p1", 2025, date(2025, 12, 31), datetime(2026, 1, 2, 9, 30), "jingban", "青岭镇-2025.ccx",
                               20480, 570, 64, fp, fp, "某某县", fp)])
    qtmodeltester.check(sent)
    assert cells(sent, 0)["made_at"] == "2026-01-02 09:30" and cells(sent, 0)["period"] == "2025"
    assert sent.data(sent.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "jingban 生成，64 名干部，570 行；加密给 某某县"
