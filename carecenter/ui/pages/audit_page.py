"""审计日志 (安全审计员, permission audit.read): filter, sort, export, and the chain status.

The table reads the log page by page as it scrolls (``PagedSqlModel``), filtered
and sorted in SQL by ``services.audit``.  The hash chain is verified in the
background with progress; a break is shown in red, in words.  导出 writes the
filtered rows to Excel in a background job (permission audit.export; the export
is itself audited).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDir, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import DomainError
from ...exchange.audit_export import export_audit
from ...exchange.export import ExportCancelled, ExportSummary
from ...security import access
from ...services import audit
from .. import messages, tasks, theme
from ..export_action import ask_path, show_done
from ..models.paged import PagedSqlModel
from ..widgets.date_edit import DateEdit
from ..widgets.list_page import make_button
from ..widgets.table_view import DataTable

HEADERS = ["序号", "时间", "操作人", "操作", "对象", "说明", "改动"]
SORT_KEYS = ["id", "at", "user", "action", "table", "summary", ""]
TABLE_NAMES = {"cadre": "干部", "unit": "单位", "account": "账户", "role": "角色", "setting": "设置",
               "audit_log": "审计日志", "leave_record": "休假", "leave_type_rule": "假期规则",
               "annual_leave_deferral": "年休假顺延", "calendar_day": "日历", "health_check": "体检",
               "health_finding": "异常发现", "health_cycle_rule": "体检周期", "mental_record": "心理健康记录",
               "welfare_record": "慰问", "talk_record": "谈心谈话", "welfare_rule_row": "慰问标准", "fund": "经费",
               "allowance_batch": "津贴批次", "allowance_line": "津贴明细", "allowance_rule_row": "津贴标准",
               "cadre_period": "脱产学习/借调期间", "print_log": "打印", "export": "导出", "database": "数据库",
               "demo": "演示数据"}


def changes_text(raw: str) -> str:
    """The recorded changes as 字段：旧 → 新 lines (the raw text when it is not a diff)."""
    if not raw or raw == "{}":
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(data, dict):
        return raw
    parts = []
    for key, value in data.items():
        name = audit.field_name(key)
        if isinstance(value, list) and len(value) == 2 and key != "migrations":
            parts.append(f"{name}：{audit.value_text(key, value[0])} → {audit.value_text(key, value[1])}")
        elif isinstance(value, dict):
            parts.append(f"{name}：" + "，".join(f"{audit.field_name(k)} {audit.value_text(k, v)}"
                                                for k, v in value.items()))
        else:
            parts.append(f"{name}：{audit.value_text(key, value)}")
    return "；".join(parts)


class AuditModel(PagedSqlModel):
    COLUMNS = SORT_KEYS

    def __init__(self, parent=None):
        super().__init__(parent, filter_=audit.AuditFilter(), sort_key="id", descending=True)

    def _count(self) -> int:
        return audit.count(self._filter)

    def _page(self, offset: int, limit: int) -> list[tuple]:
        f = audit.AuditFilter(**{**vars(self._filter), "sort": self._sort_key or "id",
                                 "descending": self._descending})
        return audit.page(f, offset, limit)

    def current_filter(self) -> audit.AuditFilter:
        return audit.AuditFilter(**{**vars(self._filter), "sort": self._sort_key or "id",
                                    "descending": self._descending})

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt naming
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        row = self.row_tuple(index.row()) if index.isValid() else None
        if row is None:
            return None
        row_id, at, user, action, table, _uuid, summary, changes = row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return [str(row_id), str(at), user, audit.action_name(action), TABLE_NAMES.get(table, table), summary,
                    changes_text(changes)][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS) or not SORT_KEYS[column]:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if SORT_KEYS[column] == self._sort_key and descending == self._descending:
            return
        self._set_sort(SORT_KEYS[column], descending)


class AuditPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("PageBody")
        self._verify_job: tasks.Job | None = None
        self._export_job: tasks.Job | None = None
        self.report = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 10)
        outer.setSpacing(8)
        head = QHBoxLayout()
        title = QLabel(self.tr("审计日志"), self)
        title.setObjectName("PageTitle")
        head.addWidget(title)
        head.addStretch(1)
        outer.addLayout(head)

        self.chain_frame = QFrame(self)
        self.chain_frame.setObjectName("ChainStatus")
        chain_row = QHBoxLayout(self.chain_frame)
        chain_row.setContentsMargins(12, 6, 12, 6)
        self.chain_label = QLabel(self.tr("正在校验审计日志的哈希链…"), self.chain_frame)
        self.chain_label.setWordWrap(True)
        chain_row.addWidget(self.chain_label, 1)
        self.chain_progress = QProgressBar(self.chain_frame)
        self.chain_progress.setMaximumWidth(200)
        self.chain_progress.setRange(0, 100)
        self.chain_progress.setVisible(False)
        chain_row.addWidget(self.chain_progress)
        self.verify_button = make_button(self.tr("重新校验"), "verify", parent=self.chain_frame,
                                         tooltip=self.tr("从第一条记录起逐条核对哈希链"))
        chain_row.addWidget(self.verify_button)
        self._set_chain_style("")
        outer.addWidget(self.chain_frame)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("日期"), self))
        self.start_edit = DateEdit(self, field="start", label="开始日期")
        self.end_edit = DateEdit(self, field="end", label="结束日期")
        self.start_edit.setToolTip(self.tr("开始日期（含）"))
        self.end_edit.setToolTip(self.tr("结束日期（含）"))
        filters.addWidget(self.start_edit)
        filters.addWidget(QLabel(self.tr("至"), self))
        filters.addWidget(self.end_edit)
        self.user_filter = QComboBox(self)
        self.user_filter.setMinimumWidth(170)
        self.user_filter.setToolTip(self.tr("按操作人筛选"))
        filters.addWidget(self.user_filter)
        self.action_filter = QComboBox(self)
        self.action_filter.setMinimumWidth(120)
        self.action_filter.setToolTip(self.tr("按事件类型筛选"))
        self.action_filter.addItem(self.tr("全部事件"), "")
        for code, name in audit.ACTION_NAMES.items():
            self.action_filter.addItem(name, code)
        filters.addWidget(self.action_filter)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText(self.tr("干部姓名或说明中的文字"))
        self.text_filter.setClearButtonEnabled(True)
        filters.addWidget(self.text_filter, 1)
        self.export_button = make_button(self.tr("导出"), "export", parent=self,
                                         tooltip=self.tr("把筛选出的审计记录导出到 Excel…"))
        filters.addWidget(self.export_button)
        outer.addLayout(filters)
        self.filter_error = QLabel(self)
        self.filter_error.setStyleSheet(f"color: {theme.ERROR};")
        self.filter_error.setVisible(False)
        outer.addWidget(self.filter_error)

        self.model = AuditModel(self)
        self.table_view = DataTable(self)
        self.table_view.setModel(self.model)
        header = self.table_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for i, width in enumerate((70, 150, 170, 100, 80, 360)):
            self.table_view.setColumnWidth(i, width)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table_view.setSortingEnabled(True)
        outer.addWidget(self.table_view, 1)
        self.count_label = QLabel(self)
        theme.set_role(self.count_label, "hint")
        outer.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.text_filter.textChanged.connect(self._debounce.start)
        for edit in (self.start_edit, self.end_edit):
            edit.editing_finished.connect(self.apply_filter)
        self.user_filter.currentIndexChanged.connect(self.apply_filter)
        self.action_filter.currentIndexChanged.connect(self.apply_filter)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(access.allowed("audit.export"))
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.reload_users()
        self.apply_filter()

    # ------------------------------------------------------------ filter
    def reload_users(self) -> None:
        current = self.user_filter.currentData() or ""
        self.user_filter.blockSignals(True)
        self.user_filter.clear()
        self.user_filter.addItem(self.tr("全部操作人"), "")
        for who in audit.users():
            self.user_filter.addItem(who, who)
        index = self.user_filter.findData(current)
        self.user_filter.setCurrentIndex(max(index, 0))
        self.user_filter.blockSignals(False)

    def current_filter(self) -> audit.AuditFilter | None:
        start_err, end_err = self.start_edit.error(), self.end_edit.error()
        err = start_err or end_err
        if err is not None:
            self.filter_error.setText(err.message)
            self.filter_error.setVisible(True)
            return None
        start, end = self.start_edit.value(), self.end_edit.value()
        if start and end and start > end:
            self.filter_error.setText(self.tr("开始日期晚于结束日期，请调换或修改其中一个日期"))
            self.filter_error.setVisible(True)
            return None
        self.filter_error.setVisible(False)
        return audit.AuditFilter(start=start, end=end, user=self.user_filter.currentData() or "",
                                 action=self.action_filter.currentData() or "", cadre=self.text_filter.text().strip())

    def apply_filter(self) -> None:
        f = self.current_filter()
        if f is not None and f != self.model.filter:
            self.model.set_filter(f)

    def set_dates(self, start: date | None, end: date | None) -> None:
        self.start_edit.setText(start.isoformat() if start else "")
        self.end_edit.setText(end.isoformat() if end else "")
        self.apply_filter()

    def refresh(self) -> None:
        self.reload_users()
        self.model.refresh()

    def _update_count(self, *_args) -> None:
        self.count_label.setText(self.tr("共 {0} 条记录（新的在前；点击列标题排序）").format(f"{self.model.total:,}"))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.refresh()
        if self.report is None and self._verify_job is None:
            self.verify()

    # ------------------------------------------------------------ the chain
    def _set_chain_style(self, state: str) -> None:
        colours = {"ok": ("#ecfdf3", "#abefc6", "#067647"), "broken": ("#fef3f2", "#fda29b", "#b42318"),
                   "": ("#f2f4f7", "#d0d5dd", "#344054")}
        bg, border, fg = colours[state]
        self.chain_frame.setStyleSheet(f"#ChainStatus {{ background: {bg}; border: 1px solid {border}; "
                                       f"border-radius: 6px; }} #ChainStatus QLabel {{ color: {fg}; }}")

    def verify(self) -> None:
        if self._verify_job is not None:
            return
        self.chain_label.setText(self.tr("正在校验审计日志的哈希链…"))
        self._set_chain_style("")
        self.chain_progress.setValue(0)
        self.chain_progress.setVisible(True)
        self.verify_button.setEnabled(False)

        def work(ctx):
            return audit.verify(lambda n, total: ctx.progress(n * 100 // max(total, 1)), ctx.check)

        self._verify_job = tasks.run_job(work, parent=self, dialog=False, title=self.tr("校验审计日志"))
        self._verify_job.progress.connect(lambda percent, _text: self.chain_progress.setValue(percent))
        self._verify_job.finished.connect(self.show_chain)
        self._verify_job.failed.connect(self._on_verify_failed)
        self._verify_job.done.connect(self._on_verify_done)

    def _on_verify_failed(self, message: str) -> None:
        self.chain_label.setText(self.tr("无法校验审计日志：{0}").format(message))

    def _on_verify_done(self) -> None:
        self._verify_job = None
        self.chain_progress.setVisible(False)
        self.verify_button.setEnabled(True)

    def show_chain(self, report) -> None:
        self.report = report
        if report.ok:
            self._set_chain_style("ok")
            self.chain_label.setText("✓ " + report.message)
        else:
            self._set_chain_style("broken")
            self.chain_label.setText("✗ " + report.message)

    # ------------------------------------------------------------ export
    def export(self) -> tasks.Job | None:
        if self._export_job is not None and self._export_job.running:
            return self._export_job
        f = self.current_filter()
        if f is None:
            return None
        f = self.model.current_filter()
        if self.model.total == 0:
            messages.info(self, self.tr("当前筛选没有审计记录，没有可导出的行。"))
            return None
        folder = Path(QDir.homePath())
        from PySide6.QtCore import QStandardPaths

        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        if docs:
            folder = Path(docs)
        path = ask_path(self, folder / f"审计日志_{date.today():%Y%m%d}.xlsx")
        if path is None:
            return None

        def work(ctx, f, path):
            try:
                rows = export_audit(f, path, progress=ctx.progress, cancelled=lambda: ctx.cancelled)
            except ExportCancelled:
                raise tasks.JobCancelled() from None
            except PermissionError:
                raise DomainError("write", f"无法写入 {QDir.toNativeSeparators(str(path))}：文件可能正在 Excel 或 WPS "
                                  "中打开，或没有写入这个文件夹的权限。请关闭该文件或换一个保存位置。") from None
            return ExportSummary("audit", "审计日志", path, rows, True)

        job = tasks.run_job(work, f, path, parent=self, title=self.tr("导出审计日志"),
                            label=self.tr("正在导出审计日志…"))
        self._export_job = job
        job.finished.connect(self._on_exported)
        job.failed.connect(lambda message: messages.error(self, self.tr("导出没有完成：{0}").format(message)))
        return job

    def _on_exported(self, summary: ExportSummary) -> None:
        show_done(self, summary)
        self.refresh()
