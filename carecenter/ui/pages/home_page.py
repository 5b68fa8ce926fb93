"""工作台: the first page a clerk sees — today's to-do list and the year's coverage.

The list is built from the data (services.home.build) on a worker thread each
time the page is shown after a change, so the window never waits on it.  Each
item opens the right page or the person's detail window.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...services import home
from .. import tasks
from ..widgets.list_page import RefreshWhenShown, make_button

WEEKDAYS = "一二三四五六日"
SEVERITY_WORDS = {home.SEVERITY_OVERDUE: "逾期", home.SEVERITY_WARNING: "待办", home.SEVERITY_INFO: "提示"}
SEVERITY_COLOURS = {home.SEVERITY_OVERDUE: "#b42318", home.SEVERITY_WARNING: "#b54708",
                    home.SEVERITY_INFO: "#475467"}
BAR_COLOUR = QColor("#2f6fb0")
TRACK_COLOUR = QColor("#e4e7ec")


class CoverageChart(QWidget):
    """Horizontal bars with the share written beside each: colour is never the only cue."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[home.Coverage] = []
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[home.Coverage]) -> None:
        self.rows = rows
        self.setFixedHeight(max(150, 44 * len(rows) + 16))
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt naming
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = p.fontMetrics()
        label_w = max([metrics.horizontalAdvance(r.label) for r in self.rows] + [60]) + 16
        value_w = metrics.horizontalAdvance("100.0%  00000 / 00000 人") + 12
        bar_w = max(40, self.width() - label_w - value_w)
        y = 8
        for row in self.rows:
            p.setPen(QColor("#344054"))
            p.drawText(QRectF(0, y, label_w - 8, 28), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       row.label)
            track = QRectF(label_w, y + 8, bar_w, 12)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(TRACK_COLOUR)
            p.drawRoundedRect(track, 6, 6)
            share = float(row.percent) / 100.0  # drawing only; the figure shown is the exact Decimal
            if share > 0:
                p.setBrush(BAR_COLOUR)
                p.drawRoundedRect(QRectF(track.x(), track.y(), max(12.0, bar_w * share), 12), 6, 6)
            p.setPen(QColor("#101828"))
            p.drawText(QRectF(label_w + bar_w + 12, y, value_w, 28), Qt.AlignmentFlag.AlignVCenter,
                       f"{row.percent}%  {row.done} / {row.total} 人")
            y += 44
        p.end()


class TodoCard(QFrame):
    """One to-do item: severity word, title with count, the first names, and its actions."""

    open_requested = Signal(object)        # home.Target
    cadre_open_requested = Signal(int)

    def __init__(self, item: home.TodoItem, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.setObjectName("TodoCard")
        colour = SEVERITY_COLOURS[item.severity]
        self.setStyleSheet(f"#TodoCard {{ background: white; border: 1px solid #e4e7ec; "
                           f"border-left: 4px solid {colour}; border-radius: 6px; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        top = QHBoxLayout()
        badge = QLabel(SEVERITY_WORDS[item.severity], self)
        badge.setStyleSheet(f"color: white; background: {colour}; border-radius: 4px; padding: 1px 6px;")
        top.addWidget(badge)
        count = f"（{item.count} 人）" if item.people or item.count > 1 else ""
        self.title_label = QLabel(f"<b>{item.title}</b>{count}", self)
        self.title_label.setWordWrap(True)   # long titles wrap in a narrow window
        top.addWidget(self.title_label, 1)
        self.open_button = make_button(self.tr("查看"), parent=self)
        self.open_button.clicked.connect(lambda: self.open_requested.emit(item.target))
        top.addWidget(self.open_button)
        layout.addLayout(top)
        if item.people:
            row = QHBoxLayout()
            row.setSpacing(6)
            for cadre_id, label in item.people:
                # the name as the link; what is due for this person in its tooltip
                name, _, note = label.partition("（")
                link = QPushButton(name, self)
                link.setFlat(True)
                link.setCursor(Qt.CursorShape.PointingHandCursor)
                link.setStyleSheet("color: #1d4f91; text-align: left; padding: 0 4px; text-decoration: underline;")
                tip = f"{name}：{note.rstrip('）')}" if note else name
                link.setToolTip(self.tr("{0}（点击打开干部详情）").format(tip))
                link.clicked.connect(lambda _=False, cid=cadre_id: self.cadre_open_requested.emit(cid))
                row.addWidget(link)
            more = item.count - len(item.people)
            if more > 0:
                row.addWidget(QLabel(self.tr("等 {0} 人").format(item.count), self))
            row.addStretch(1)
            layout.addLayout(row)
        else:
            detail = QLabel(item.detail, self)
            detail.setWordWrap(True)
            detail.setStyleSheet("color: #475467;")
            layout.addWidget(detail)


class HomePage(RefreshWhenShown, QWidget):
    """``open_page_requested(page, view)`` and ``cadre_open_requested(id)`` go to the main window."""

    open_page_requested = Signal(str, str)
    cadre_open_requested = Signal(int)
    built = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("PageBody")
        self.data: home.HomeData | None = None
        self.today = date.today   # what "today" is (a test may set another day)
        self._job = None
        self._stale = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 12)
        head = QHBoxLayout()
        self.title_label = QLabel(self.tr("工作台"), self)
        self.title_label.setObjectName("PageTitle")
        head.addWidget(self.title_label)
        self.date_label = QLabel(self)
        self.date_label.setStyleSheet("color: #475467; margin-left: 12px;")
        head.addWidget(self.date_label)
        head.addStretch(1)
        self.refresh_button = make_button(self.tr("刷新"), "refresh", parent=self,
                                          tooltip=self.tr("按最新数据重新汇总待办事项"))
        self.refresh_button.clicked.connect(self.refresh)
        head.addWidget(self.refresh_button)
        outer.addLayout(head)

        body = QHBoxLayout()
        left = QVBoxLayout()
        self.todo_title = QLabel(self.tr("今日待办"), self)
        self.todo_title.setStyleSheet("font-weight: 600; font-size: 12pt; margin: 8px 0 4px 0;")
        left.addWidget(self.todo_title)
        # the audit's hash chain is broken (issue 10): everyone sees it, in words and red
        self.chain_alert = QLabel(self)
        self.chain_alert.setObjectName("ChainAlert")
        self.chain_alert.setWordWrap(True)
        self.chain_alert.setStyleSheet("#ChainAlert { color: #b42318; background: #fef3f2; border: 1px solid #fda29b; "
                                       "border-left: 4px solid #b42318; border-radius: 6px; padding: 8px 12px; }")
        self.chain_alert.setVisible(False)
        left.addWidget(self.chain_alert)
        self.status_label = QLabel(self)
        self.status_label.setStyleSheet("color: #475467;")
        left.addWidget(self.status_label)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_host = QWidget(self.scroll)
        self.cards = QVBoxLayout(self.cards_host)
        self.cards.setContentsMargins(0, 0, 8, 0)
        self.cards.setSpacing(10)
        self.cards.addStretch(1)
        self.scroll.setWidget(self.cards_host)
        left.addWidget(self.scroll, 1)
        body.addLayout(left, 3)

        # the coverage column keeps to a readable width, so the to-do cards get the rest
        # (on a 960-pixel-wide window too)
        right_host = QWidget(self)
        right_host.setMinimumWidth(260)
        right_host.setMaximumWidth(460)
        right = QVBoxLayout(right_host)
        right.setContentsMargins(0, 0, 0, 0)
        cov_title = QLabel(self.tr("本年关心关爱覆盖情况"), self)
        cov_title.setStyleSheet("font-weight: 600; font-size: 12pt; margin: 8px 0 4px 0;")
        right.addWidget(cov_title)
        self.chart = CoverageChart(self)
        right.addWidget(self.chart)
        self.coverage_note = QLabel(self.tr(
            "按在职、借调、挂职、驻村的在册干部计算，分母是全体这些干部。左侧待办的人数另有口径："
            "「尚未休年休假」只计当年享有年休假（应休天数大于 0）而一天未休的人，当年没有年休假的"
            "（如参加工作未满 1 年）不在其中；「应检尚未体检」按体检周期规则计当年应检的人。"), self)
        self.coverage_note.setWordWrap(True)
        self.coverage_note.setStyleSheet("color: #667085;")
        right.addWidget(self.coverage_note)
        right.addStretch(1)
        body.addWidget(right_host, 2)
        outer.addLayout(body, 1)

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        if self._job is not None:
            return
        self._stale = False
        today = self.today()
        self.date_label.setText(self.tr("{0}　星期{1}").format(today.strftime("%Y年%m月%d日"),
                                                            WEEKDAYS[today.weekday()]))
        self.status_label.setText(self.tr("正在汇总今日待办…"))
        self.refresh_button.setEnabled(False)
        self._job = tasks.run_job(lambda _ctx: home.build(today), parent=self, dialog=False,
                                  title=self.tr("工作台"))
        self._job.finished.connect(self._on_job_finished)
        self._job.failed.connect(self._on_job_failed)
        self._job.done.connect(self._on_job_done)

    def _on_job_finished(self, data: home.HomeData) -> None:
        self.show_data(data)

    def _on_job_failed(self, message: str) -> None:
        self.status_label.setText(self.tr("待办事项汇总失败：{0}").format(message))

    def _on_job_done(self) -> None:
        self._job = None
        self.refresh_button.setEnabled(True)

    def show_data(self, data: home.HomeData) -> None:
        self.data = data
        while self.cards.count() > 1:
            w = self.cards.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for i, item in enumerate(data.items):
            card = TodoCard(item, self.cards_host)
            card.open_requested.connect(self._on_card_open_requested)
            card.cadre_open_requested.connect(self.cadre_open_requested)
            self.cards.insertWidget(i, card)
        if data.items:
            urgent = sum(1 for i in data.items if i.severity == home.SEVERITY_OVERDUE)
            self.status_label.setText(self.tr("共 {0} 项，其中逾期 {1} 项").format(len(data.items), urgent))
        else:
            self.status_label.setText(self.tr("今天没有待办事项。"))
        self.chart.set_rows(data.coverage)
        self.built.emit()

    def set_chain_report(self, report) -> None:
        """Show the start-up check of the audit log when its chain is broken."""
        self.chain_alert.setVisible(not report.ok)
        self.chain_alert.setText(self.tr("安全警告：{0}").format(report.message) if not report.ok else "")

    def _on_card_open_requested(self, target: home.Target) -> None:
        if target.cadre_id is not None:
            self.cadre_open_requested.emit(target.cadre_id)
        else:
            self.open_page_requested.emit(target.page, target.view)
