"""The main window: navigation on the left, one page at a time, a status bar.

This is the only place pages are wired together: pages and detail windows emit
``…_requested`` / ``…_changed`` signals and the window reacts.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QDir, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..paths import DataPaths
from ..services import roster as roster_service
from . import file_dialogs, theme
from .dialogs.cadre_detail import CadreDetail
from .pages.leave_page import LeavePage
from .pages.home_page import HomePage
from .pages.health_page import HealthPage  # after leave: the detail tabs register in import order
from .pages.allowance_page import AllowancePage  # after health: its 津贴 tab follows 健康
from .pages.welfare_page import WelfarePage  # after allowance: its 慰问 tab follows 津贴
from .pages.reports_page import ReportsPage
from .pages.roster_page import RosterPage
from .pages.units_page import UnitsPage
from .pages.backup_page import BackupPage, restart_application

APP_TITLE = "关心关爱中心"
DEMO_TITLE = "关心关爱中心 — 演示数据（非真实信息）"
NAV_WIDTH = 176


class MainWindow(QMainWindow):
    """``MainWindow(paths, demo)``; pages are ``roster_page`` and ``units_page``."""

    page_changed = Signal(str)

    def __init__(self, paths: DataPaths, demo: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.paths = paths
        self.demo = demo
        self.settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
        file_dialogs.use_settings(self.settings)   # file dialogs open in the last folder used
        self.detail_windows: dict[int, CadreDetail] = {}
        self.setWindowTitle(self.tr(DEMO_TITLE) if demo else self.tr(APP_TITLE))
        self.setWindowIcon(theme.icon("app"))
        self.setMinimumSize(QSize(960, 600))

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_nav())
        self.stack = QStackedWidget(central)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.home_page = HomePage(self)
        self.roster_page = RosterPage(self)
        self.units_page = UnitsPage(self)
        self.leave_page = LeavePage(self)
        self.health_page = HealthPage(self)
        self.allowance_page = AllowancePage(self)
        self.welfare_page = WelfarePage(self)
        self.reports_page = ReportsPage(self)
        self.backup_page = BackupPage(paths, self)
        self.pages: dict[str, QWidget] = {}
        self._add_page("home", self.tr("工作台"), "nav-home", self.home_page)
        self._add_page("roster", self.tr("干部名册"), "nav-roster", self.roster_page)
        self._add_page("leave", self.tr("休假管理"), "nav-leave", self.leave_page)
        self._add_page("health", self.tr("健康体检"), "nav-health", self.health_page)
        self._add_page("allowance", self.tr("津贴补贴"), "nav-allowance", self.allowance_page)
        self._add_page("welfare", self.tr("福利慰问"), "nav-welfare", self.welfare_page)
        self._add_page("reports", self.tr("报表打印"), "nav-reports", self.reports_page)
        self._add_page("units", self.tr("单位管理"), "nav-units", self.units_page)
        self._add_page("backup", self.tr("数据备份"), "nav-backup", self.backup_page)

        self.data_dir_label = QLabel(self)
        self.data_dir_label.setText(self.tr("数据目录 {0}").format(QDir.toNativeSeparators(str(paths.root))))
        self.data_dir_label.setToolTip(self.tr("所有数据都保存在这个文件夹里"))
        self.data_dir_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel(self)
        self.backup_label = QLabel(self)
        self.backup_label.setToolTip(self.tr("备份和恢复在「数据备份」页"))
        # permanent: a passing message ("已自动备份…") shows beside them, never over them
        for label in (self.data_dir_label, self.count_label, self.backup_label):
            self.statusBar().addPermanentWidget(label)
        self.statusBar().setSizeGripEnabled(True)

        self.find_shortcut = QShortcut(QKeySequence("Ctrl+F"), self)
        self.find_shortcut.activated.connect(self.focus_search)
        self.new_shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        self.new_shortcut.activated.connect(self.add_on_current_page)

        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.roster_page.cadre_open_requested.connect(self.open_cadre)
        self.roster_page.units_page_requested.connect(self._on_units_page_requested)
        self.roster_page.cadres_changed.connect(self._on_roster_page_cadres_changed)
        self.units_page.units_changed.connect(self._on_units_page_units_changed)
        self.leave_page.cadre_open_requested.connect(self.open_cadre)
        self.leave_page.leaves_changed.connect(self._on_roster_page_cadres_changed)
        self.units_page.units_changed.connect(self.leave_page.reload_units)
        self.health_page.cadre_open_requested.connect(self.open_cadre)
        self.health_page.health_changed.connect(self._on_roster_page_cadres_changed)
        self.units_page.units_changed.connect(self.health_page.reload_units)
        self.allowance_page.cadre_open_requested.connect(self.open_cadre)
        self.allowance_page.allowance_changed.connect(self._on_roster_page_cadres_changed)
        self.welfare_page.cadre_open_requested.connect(self.open_cadre)
        self.welfare_page.welfare_changed.connect(self._on_roster_page_cadres_changed)
        self.units_page.units_changed.connect(self.welfare_page.reload_units)
        self.units_page.units_changed.connect(self.reports_page.reload_units)
        self.home_page.open_page_requested.connect(self._on_home_page_open_page_requested)
        self.home_page.cadre_open_requested.connect(self.open_cadre)
        self.backup_page.backups_changed.connect(self.refresh_status)
        self.backup_page.status_message.connect(self._on_backup_page_status_message)
        self.backup_page.database_restored.connect(self._on_backup_page_database_restored)

        self.refresh_status()
        self._restore_settings()

    # ================================================================ building
    def _build_nav(self) -> QWidget:
        panel = QFrame(self)
        panel.setObjectName("NavPanel")
        panel.setFixedWidth(NAV_WIDTH)
        col = QVBoxLayout(panel)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        title = QLabel(self.tr(APP_TITLE), panel)
        title.setObjectName("NavTitle")
        col.addWidget(title)
        self.nav = QListWidget(panel)
        self.nav.setObjectName("NavList")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        col.addWidget(self.nav, 1)
        if self.demo:
            badge = QLabel(self.tr("演示数据\n非真实信息"), panel)
            badge.setObjectName("DemoBadge")
            badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
            col.addWidget(badge)
        return panel

    def _add_page(self, key: str, label: str, icon: str, page: QWidget) -> None:
        item = QListWidgetItem(theme.icon(icon), label)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setSizeHint(QSize(NAV_WIDTH - 16, 42))
        self.nav.addItem(item)
        self.stack.addWidget(page)
        self.pages[key] = page

    # ================================================================ pages
    @property
    def current_page_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else "roster"

    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def set_page(self, key: str) -> None:
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(i)
                return

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.page_changed.emit(self.current_page_key)

    def focus_search(self) -> None:
        page = self.current_page()
        if hasattr(page, "focus_search"):
            page.focus_search()

    def add_on_current_page(self) -> None:
        page = self.current_page()
        if hasattr(page, "add"):
            page.add()

    # ================================================================ reactions
    def open_cadre(self, cadre_id: int) -> CadreDetail:
        """Open (or bring forward) the detail window of one cadre."""
        window = self.detail_windows.get(cadre_id)
        if window is None:
            window = CadreDetail(cadre_id, self)
            window.cadres_changed.connect(self._on_detail_cadres_changed)
            window.destroyed.connect(lambda _obj=None, cid=cadre_id: self.detail_windows.pop(cid, None))
            self.detail_windows[cadre_id] = window
            window.show()
        else:
            window.showNormal()
        window.raise_()
        window.activateWindow()
        return window

    def _on_units_page_requested(self) -> None:
        self.set_page("units")
        self.statusBar().showMessage(self.tr("请先添加单位，再新增干部"), 8000)

    def _on_roster_page_cadres_changed(self) -> None:
        self._after_cadres_changed(source=None)

    def _on_detail_cadres_changed(self) -> None:
        self._after_cadres_changed(source=self.sender())

    def _after_cadres_changed(self, source) -> None:
        if source is not None:
            self.roster_page.refresh()
        for window in list(self.detail_windows.values()):
            if window is not source:
                window.reload()
        self.units_page.refresh()
        self.leave_page.refresh()
        self.health_page.refresh()
        self.allowance_page.refresh()
        self.welfare_page.refresh()
        self.home_page.mark_stale()
        self.refresh_status()

    def _on_home_page_open_page_requested(self, page: str, view: str) -> None:
        if page in self.pages:
            self.set_page(page)
            target = self.pages[page]
            if view and hasattr(target, "set_view"):
                target.set_view(view)

    def _on_units_page_units_changed(self) -> None:
        self.roster_page.reload_units()
        for window in list(self.detail_windows.values()):
            window.reload()
        self.refresh_status()

    def refresh_status(self) -> None:
        count = roster_service.cadre_count()
        self.count_label.setText(self.tr("在册干部 {0} 人").format(count))
        last = self.backup_page.last_backup_text()
        self.backup_label.setText(self.tr("上次备份 {0}").format(last) if last else self.tr("尚未备份"))

    def _on_backup_page_status_message(self, text: str) -> None:
        self.refresh_status()
        self.statusBar().showMessage(text, 10000)

    def _on_backup_page_database_restored(self, text: str) -> None:
        """The database was replaced: reopen the application so no page shows the old data."""
        from . import messages

        for window in list(self.detail_windows.values()):
            window.close()
        messages.info(self, text + self.tr("\n程序将重新打开，以显示恢复后的数据。"), title=self.tr("恢复完成"))
        restart_application(self)

    # ================================================================ settings
    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry", QByteArray())
        self._has_saved_geometry = isinstance(geometry, QByteArray) and not geometry.isEmpty()
        if self._has_saved_geometry:
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry() if self.screen() else None
            width, height = 1280, 800
            if screen is not None:
                width, height = min(width, screen.width()), min(height, screen.height())
            self.resize(width, height)
        # the day starts on 工作台 (UI.md / issue 4): today's to-do list first
        self.set_page("home")
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def show_initial(self) -> None:
        """Show as last time; on first start fill a small screen, else a comfortable size."""
        self.backup_page.schedule_auto_backup()  # the daily backup, in the background once shown
        if self._has_saved_geometry:
            self.show()
            return
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None and (screen.width() <= 1440 or screen.height() <= 860):
            self.setGeometry(screen)  # in case the window manager ignores "maximised"
            self.showMaximized()
        else:
            if screen is not None:
                self.move(screen.center() - self.rect().center())
            self.show()

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/page", self.current_page_key)
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.save_settings()
        for window in list(self.detail_windows.values()):
            window.close()
        super().closeEvent(event)
