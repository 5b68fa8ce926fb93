"""The main window: navigation on the left, one page at a time, a status bar.

This is the only place pages are wired together: pages and detail windows emit
``…_requested`` / ``…_changed`` signals and the window reacts.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QDir, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import DomainError
from ..paths import DataPaths
from ..security import access
from ..services import accounts
from ..services import audit as audit_service
from ..services import county
from ..services import roster as roster_service
from . import file_dialogs, messages, permissions, tasks, theme
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
from .pages.settings_page import SettingsPage
from .pages.accounts_page import AccountsPage
from .pages.audit_page import AuditPage
from .pages.county_roster_page import CountyRosterPage
from .pages.county_submissions_page import CountySubmissionsPage
from .pages.county_summary_page import CountySummaryPage
from .signin import ChangePasswordDialog, IdleWatcher, LockScreen

log = logging.getLogger(__name__)

APP_TITLE = "关心关爱中心"
DEMO_TITLE = "关心关爱中心 — 演示数据（非真实信息）"
COUNTY_TITLE = "关心关爱中心 — 县级接收与汇总"
NAV_WIDTH = 176
CLOSE_ALL_TEXT = "关闭所有打开的窗口？未保存的内容将丢失。"

#: the navigation pages in order: key, label, icon (permissions.PAGES decides which appear)
PAGE_ORDER = (
    ("home", "工作台", "nav-home"), ("roster", "干部名册", "nav-roster"), ("leave", "休假管理", "nav-leave"),
    ("health", "健康体检", "nav-health"), ("allowance", "津贴补贴", "nav-allowance"),
    ("welfare", "福利慰问", "nav-welfare"), ("reports", "报表打印", "nav-reports"), ("units", "单位管理", "nav-units"),
    ("settings", "系统设置", "nav-settings"), ("backup", "数据备份", "nav-backup"),
    ("accounts", "账户管理", "nav-accounts"), ("audit", "审计日志", "nav-audit"),
)
#: the county edition (issue 15): the county pages instead of the township's data entry
COUNTY_PAGE_ORDER = (
    ("submissions", "报送情况", "nav-submissions"), ("summary", "汇总", "nav-summary"),
    ("county_roster", "干部花名册（全县）", "nav-county-roster"),
    ("settings", "系统设置", "nav-settings"), ("backup", "数据备份", "nav-backup"),
    ("accounts", "账户管理", "nav-accounts"), ("audit", "审计日志", "nav-audit"),
)
#: the township's pages, which a county database does not have
TOWNSHIP_PAGES = ("home", "roster", "units", "leave", "health", "allowance", "welfare", "reports")
COUNTY_PAGES = ("submissions", "summary", "county_roster")


class MainWindow(QMainWindow):
    """``MainWindow(paths, demo)``; pages are ``roster_page`` and ``units_page``."""

    page_changed = Signal(str)
    #: the person chose 切换用户 (True) or 退出登录 (False); the application signs in again
    sign_out_requested = Signal(bool)
    locked_changed = Signal(bool)

    def __init__(self, paths: DataPaths, demo: bool = False, parent: QWidget | None = None,
                 idle_timer: QTimer | None = None):
        super().__init__(parent)
        self.paths = paths
        self.demo = demo
        self.actor = access.actor()   # raises NotSignedIn: the window needs a signed-in account
        self.settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
        file_dialogs.use_settings(self.settings)   # file dialogs open in the last folder used
        self.detail_windows: dict[int, CadreDetail] = {}
        self.locked = False
        self._hidden_on_lock: list[QWidget] = []
        # a county database (issue 15) shows the county pages instead of the township's data entry
        self.county = county.is_county_database()
        self.setWindowTitle(self.tr(DEMO_TITLE) if demo else self.tr(COUNTY_TITLE) if self.county
                            else self.tr(APP_TITLE))
        self.setWindowIcon(theme.icon("app"))
        self.setMinimumSize(QSize(960, 600))

        self.content = QWidget(self)
        row = QHBoxLayout(self.content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_nav())
        self.stack = QStackedWidget(self.content)
        row.addWidget(self.stack, 1)
        self.lock_screen = LockScreen(self)
        self.outer_stack = QStackedWidget(self)
        self.outer_stack.addWidget(self.content)
        self.outer_stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.outer_stack)

        # only the pages the account may use are built (their services would refuse the rest);
        # the backup page is always built: the daily automatic backup runs for every account
        allowed = permissions.page_allowed

        def build(key: str, factory):
            edition = COUNTY_PAGES if self.county else TOWNSHIP_PAGES
            wanted = key not in COUNTY_PAGES + TOWNSHIP_PAGES or key in edition
            return factory(self) if wanted and allowed(key) else None

        self.home_page = build("home", HomePage)
        self.roster_page = build("roster", RosterPage)
        self.units_page = build("units", UnitsPage)
        self.leave_page = build("leave", LeavePage)
        self.health_page = build("health", HealthPage)
        self.allowance_page = build("allowance", AllowancePage)
        self.welfare_page = build("welfare", WelfarePage)
        self.reports_page = build("reports", ReportsPage)
        self.submissions_page = build("submissions", CountySubmissionsPage)
        self.summary_page = build("summary", CountySummaryPage)
        self.county_roster_page = build("county_roster", CountyRosterPage)
        self.settings_page = build("settings", lambda parent: SettingsPage(parent, county=self.county))
        self.backup_page = BackupPage(paths, self)
        self.accounts_page = build("accounts", AccountsPage)
        self.audit_page = build("audit", AuditPage)
        self.pages: dict[str, QWidget] = {}
        for key, label, icon in (COUNTY_PAGE_ORDER if self.county else PAGE_ORDER):
            page = getattr(self, f"{key}_page")
            if page is not None and allowed(key):
                self._add_page(key, self.tr(label), icon, page)
                permissions.guard(page)
        if "backup" not in self.pages:
            self.backup_page.setParent(self)
            self.backup_page.hide()

        self.who_label = QLabel(self)
        self.who_label.setText(self.tr("当前用户 {0}").format(accounts.describe_actor(self.actor)))
        self.who_label.setToolTip(self.tr("修改密码、锁定屏幕、切换用户、退出登录：点左下角的账户按钮"))
        self.data_dir_label = QLabel(self)
        self.data_dir_label.setText(self.tr("数据目录 {0}").format(QDir.toNativeSeparators(str(paths.root))))
        self.data_dir_label.setToolTip(self.tr("所有数据都保存在这个文件夹里"))
        self.data_dir_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel(self)
        self.backup_label = QLabel(self)
        self.backup_label.setToolTip(self.tr("备份和恢复在「数据备份」页"))
        self.chain_label = QLabel(self)
        self.chain_label.setStyleSheet(f"color: {theme.ERROR}; font-weight: 600;")
        self.chain_label.setVisible(False)
        # permanent: a passing message ("已自动备份…") shows beside them, never over them
        for label in (self.who_label, self.data_dir_label, self.count_label, self.backup_label, self.chain_label):
            self.statusBar().addPermanentWidget(label)
        self.statusBar().setSizeGripEnabled(True)
        self.count_label.setVisible(self.roster_page is not None or self.county_roster_page is not None)

        self.find_shortcut = QShortcut(QKeySequence("Ctrl+F"), self)
        self.find_shortcut.activated.connect(self.focus_search)
        self.new_shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        self.new_shortcut.activated.connect(self.add_on_current_page)
        self.lock_shortcut = QShortcut(QKeySequence("Ctrl+L"), self)
        self.lock_shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_shortcut.activated.connect(self.lock)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.switch_user_requested.connect(self.switch_user)
        self.idle = IdleWatcher(accounts.password_rules().idle_lock_minutes, self, timer=idle_timer)
        self.idle.idle.connect(self._on_idle)

        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._wire_pages()
        self.backup_page.backups_changed.connect(self.refresh_status)
        self.backup_page.status_message.connect(self._on_backup_page_status_message)
        self.backup_page.database_restored.connect(self._on_backup_page_database_restored)
        self.chain_report = None
        self._chain_job: tasks.Job | None = None

        self.refresh_status()
        self._restore_settings()

    def _wire_pages(self) -> None:
        """Connect the pages that exist for this account."""
        def connect(page, signal: str, slot) -> None:
            if page is not None and slot is not None:
                getattr(page, signal).connect(slot)

        def method(page, name: str):
            return getattr(page, name) if page is not None else None

        for page in (self.roster_page, self.leave_page, self.health_page, self.allowance_page, self.welfare_page,
                     self.home_page):
            connect(page, "cadre_open_requested", self.open_cadre)
        connect(self.roster_page, "units_page_requested", self._on_units_page_requested)
        connect(self.roster_page, "cadres_changed", self._on_roster_page_cadres_changed)
        connect(self.units_page, "units_changed", self._on_units_page_units_changed)
        connect(self.leave_page, "leaves_changed", self._on_roster_page_cadres_changed)
        connect(self.health_page, "health_changed", self._on_roster_page_cadres_changed)
        connect(self.allowance_page, "allowance_changed", self._on_roster_page_cadres_changed)
        connect(self.welfare_page, "welfare_changed", self._on_roster_page_cadres_changed)
        for page in (self.leave_page, self.health_page, self.welfare_page, self.reports_page):
            connect(self.units_page, "units_changed", method(page, "reload_units"))
        connect(self.home_page, "open_page_requested", self._on_home_page_open_page_requested)
        connect(self.submissions_page, "packages_received", self._on_packages_received)
        connect(self.summary_page, "submissions_page_requested", lambda: self.set_page("submissions"))
        connect(self.reports_page, "settings_requested", lambda: self.set_page("settings"))
        if self.county and self.settings_page is not None:   # the 报送期限 decides who is 逾期
            connect(self.settings_page.exchange_box, "deadline_saved", method(self.submissions_page, "mark_stale"))

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
        if self.county:
            edition = QLabel(self.tr("县级 · 接收与汇总"), panel)
            edition.setObjectName("NavEdition")
            col.addWidget(edition)
        self.nav = QListWidget(panel)
        self.nav.setObjectName("NavList")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        col.addWidget(self.nav, 1)
        self.account_button = QToolButton(panel)
        self.account_button.setObjectName("NavAccount")
        self.account_button.setIcon(theme.icon("user"))
        self.account_button.setText(self.actor.display_name or self.actor.login)
        self.account_button.setToolTip(self.tr("账户：修改密码、锁定屏幕（Ctrl+L）、切换用户、退出登录"))
        self.account_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.account_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.account_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.account_menu = QMenu(self.account_button)
        self.change_password_action = self.account_menu.addAction(self.tr("修改密码…"), self.change_password)
        # the key itself is the window's application-wide shortcut (one owner, no ambiguity)
        self.lock_action = self.account_menu.addAction(theme.icon("lock"), self.tr("锁定屏幕（Ctrl+L）"), self.lock)
        self.account_menu.addSeparator()
        self.switch_action = self.account_menu.addAction(self.tr("切换用户…"), self.switch_user)
        self.sign_out_action = self.account_menu.addAction(self.tr("退出登录"), self.sign_out)
        self.account_button.setMenu(self.account_menu)
        col.addWidget(self.account_button)
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
        return item.data(Qt.ItemDataRole.UserRole) if item else next(iter(self.pages), "")

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
            for part in (window, *window.extra_tabs):
                permissions.guard(part)
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
        if source is not None and self.roster_page is not None:
            self.roster_page.refresh()
        for window in list(self.detail_windows.values()):
            if window is not source:
                window.reload()
        for page in (self.units_page, self.leave_page, self.health_page, self.allowance_page, self.welfare_page):
            if page is not None:
                page.refresh()
        if self.home_page is not None:
            self.home_page.mark_stale()
        self.refresh_status()

    def _on_home_page_open_page_requested(self, page: str, view: str) -> None:
        if page in self.pages:
            self.set_page(page)
            target = self.pages[page]
            if view and hasattr(target, "set_view"):
                target.set_view(view)

    def _on_packages_received(self) -> None:
        """A township's package was stored: the county's other pages read again."""
        for page in (self.summary_page, self.county_roster_page):
            if page is not None:
                page.mark_stale()
        self.refresh_status()

    def _on_units_page_units_changed(self) -> None:
        if self.roster_page is not None:
            self.roster_page.reload_units()
        for window in list(self.detail_windows.values()):
            window.reload()
        self.refresh_status()

    def refresh_status(self) -> None:
        if access.current() is None:   # signed out: nothing is read for nobody
            return
        if self.roster_page is not None:
            self.count_label.setText(self.tr("在册干部 {0} 人").format(roster_service.cadre_count()))
        elif self.county_roster_page is not None:
            self.count_label.setText(self.tr("全县名册 {0} 人").format(county.roster_count()))
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
        # the day starts on 工作台 (UI.md / issue 4): today's to-do list first (or the
        # account's first page when it has no business data to show)
        self.set_page("submissions" if self.county else "home")
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def show_initial(self) -> None:
        """Show as last time; on first start fill a small screen, else a comfortable size."""
        self.backup_page.schedule_auto_backup()  # the daily backup, in the background once shown
        QTimer.singleShot(0, self, self.start_chain_check)
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
        self.idle.stop()
        self.backup_page.stop()
        self.save_settings()
        for window in list(self.detail_windows.values()):
            window.close()
        super().closeEvent(event)

    # ================================================================ the audit chain
    def start_chain_check(self) -> None:
        """Walk the audit's hash chain in the background; a break is shown on the 工作台,
        in the status bar and on the 审计日志 page."""
        if self._chain_job is not None:
            return
        self._chain_job = tasks.run_job(lambda ctx: audit_service.startup_check(check=ctx.check), parent=self,
                                        dialog=False, title=self.tr("校验审计日志"))
        self._chain_job.finished.connect(self.show_chain_report)
        self._chain_job.done.connect(self._on_chain_job_done)

    def _on_chain_job_done(self) -> None:
        self._chain_job = None

    def show_chain_report(self, report) -> None:
        self.chain_report = report
        broken = not report.ok
        self.chain_label.setVisible(broken)
        if broken:
            self.chain_label.setText(self.tr("审计日志校验未通过"))
            self.chain_label.setToolTip(report.message)
        if self.home_page is not None:
            self.home_page.set_chain_report(report)
        if self.audit_page is not None:
            self.audit_page.show_chain(report)

    # ================================================================ the account
    def change_password(self) -> bool:
        dialog = ChangePasswordDialog(parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.statusBar().showMessage(self.tr("密码已修改。"), 8000)
        return True

    def _other_windows(self) -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets()
                if w is not self and w.isVisible() and w.isWindow() and not isinstance(w, QMenu)]

    def lock(self, idle: bool = False) -> None:
        """Hide the content (and every other window of the application) behind the lock screen."""
        if self.locked:
            return
        try:
            accounts.record_lock(idle)
        except DomainError as err:  # the account was signed out meanwhile
            log.info("lock not recorded: %s", err.message)
        self.locked = True
        self._hidden_on_lock = self._other_windows()
        for w in self._hidden_on_lock:
            w.hide()
        self.idle.pause(True)
        for shortcut in (self.find_shortcut, self.new_shortcut):   # nothing behind the lock answers keys
            shortcut.setEnabled(False)
        self.outer_stack.setCurrentWidget(self.lock_screen)
        self.statusBar().hide()
        self.lock_screen.prepare(self.actor.who)
        self.locked_changed.emit(True)

    def _on_idle(self) -> None:
        self.lock(idle=True)

    def unlock(self) -> None:
        self.locked = False
        self.outer_stack.setCurrentWidget(self.content)
        for shortcut in (self.find_shortcut, self.new_shortcut):
            shortcut.setEnabled(True)
        self.statusBar().show()
        for w in self._hidden_on_lock:
            w.show()
        self._hidden_on_lock = []
        self.idle.pause(False)
        self.locked_changed.emit(False)

    def _close_other_windows(self) -> bool:
        """Close detail windows and dialogs after asking once; False when the person kept them."""
        others = self._other_windows() + [w for w in self._hidden_on_lock if not w.isVisible()]
        if others:
            if not messages.confirm(self, self.tr(CLOSE_ALL_TEXT), self.tr("关闭并继续"),
                                    title=self.tr("切换用户")):
                return False
        for w in others:
            if isinstance(w, QDialog):
                w.reject()
            w.close()
        self._hidden_on_lock = []
        return True

    def switch_user(self) -> None:
        if self._close_other_windows():
            self.sign_out_requested.emit(True)

    def sign_out(self) -> None:
        if self._close_other_windows():
            self.sign_out_requested.emit(False)
