"""The audit log to Excel (the 安全审计员's export; itself audited in the same transaction)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from ..db.database import db
from ..security import access
from ..services import audit
from .export import Column, write_xlsx

COLUMNS = [Column("序号", "int"), Column("时间", "text"), Column("操作人", "text"), Column("操作", "text"),
           Column("对象", "text"), Column("说明", "text", 60), Column("改动", "text", 60)]
PAGE = 5000


def export_audit(f: "audit.AuditFilter", out: Path, progress: Callable[[int, str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> int:
    """Write the audit rows matching ``f`` to ``out``; the export's own audit row is written
    in the same transaction, and the file is removed if that fails."""
    access.check("audit.read", "audit.export")
    out = Path(out)
    total = audit.count(f)

    def rows():
        offset = 0
        while True:
            chunk = audit.page(f, offset, PAGE)
            if not chunk:
                return
            for row_id, at, user, action, table, _uuid, summary, changes in chunk:
                yield (row_id, str(at), user, audit.action_name(action), table, summary,
                       "" if changes in ("", "{}") else changes)
            offset += PAGE

    notes = [("内容", "审计日志"), ("导出时间", datetime.now().strftime("%Y-%m-%d %H:%M")),
             ("导出人", audit.current_user()), ("行数", f"{total:,}"), ("提示", "内部资料 注意保密")]
    written = False
    with db.atomic():
        try:
            result = write_xlsx(out, "审计日志", COLUMNS, rows(), notes=notes, total=total,
                                progress=progress, cancelled=cancelled)
            written = True
            audit.record("export", "audit_log", "", f"导出审计日志 {result.total_rows} 行",
                         {"file": str(out), "filter": {k: str(v) for k, v in vars(f).items() if v}})
        except BaseException:
            if written:   # never a file whose export is not in the audit
                out.unlink(missing_ok=True)
            raise
    return result.total_rows
