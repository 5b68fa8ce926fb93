"""Start the desktop application: QApplication, look and feel, the store, the main window.

``run(paths, demo, user)`` is called by ``carecenter.cli`` (the GUI half of the composition root).

Benchmark hook: when the environment variable ``CARECENTER_TIMING_FILE`` is
set, the application writes ``{"window_shown", "first_page", "maxrss_kb"}`` to
that file as soon as the main window has been painted and the roster's first
page is in the view, then quits with exit code 0.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..app import seed_rule_tables, open_store, setup_logging
from ..db import database
from ..db.database import DatabaseDamaged, DatabaseTooNew, NotOurDatabase, close_database
from ..domain.errors import DomainError
from ..paths import DataPaths
from . import messages, theme

log = logging.getLogger(__name__)

TIMING_ENV = "CARECENTER_TIMING_FILE"
DEMO_CADRES = 120
UNEXPECTED = ("程序遇到意外错误，已记录到日志：{0}。您可以继续工作；"
              "如问题反复出现，请把日志文件发给技术人员。")


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("CareCenter")
    app.setOrganizationName("CareCenter")
    app.setApplicationVersion(__version__)
    theme.apply(app)
    return app  # type: ignore[return-value]


class ExceptionReporter:
    """sys.excepthook: write the traceback to the log, tell the clerk, keep running."""

    def __init__(self, logfile: Path):
        self.logfile = logfile
        self._showing = False

    def __call__(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        from ..domain.errors import DomainError

        expected = issubclass(exc_type, DomainError)   # a refusal (permission …): its own sentence
        if expected:
            log.info("refused: %s", getattr(exc, "message", exc))
        else:
            log.error("unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if self._showing or QApplication.instance() is None:
            return
        self._showing = True
        try:
            parent = QApplication.activeWindow()
            if expected:
                messages.error(parent, exc.message)
            else:
                messages.error(parent, UNEXPECTED.format(self.logfile), title="程序遇到意外错误")
        finally:
            self._showing = False

    def install(self) -> None:
        sys.excepthook = self


class StartupTimer(QObject):
    """Records when the window and the roster's first page are painted (benchmark hook)."""

    def __init__(self, window, out_file: str):
        super().__init__(window)
        self.window = window
        self.out_file = out_file
        self.window_shown: float | None = None
        self.first_page: float | None = None
        self._written = False
        self.viewport = window.roster_page.table_view.viewport()
        window.installEventFilter(self)
        self.viewport.installEventFilter(self)
        window.roster_page.empty_state.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.Paint and not self._written:
            now = time.time()
            if obj is self.window and self.window_shown is None:
                self.window_shown = now
            elif obj is self.viewport and self.first_page is None and (
                    self.window.roster_page.model.rowCount() > 0 or self.window.roster_page.model.total == 0):
                self.first_page = now
            elif obj is self.window.roster_page.empty_state and self.first_page is None:
                self.first_page = now
            if self.window_shown is not None and self.first_page is not None:
                self._written = True
                QTimer.singleShot(0, self._finish)
        return False

    def _finish(self) -> None:
        from ..bench import peak_rss_kb

        maxrss = peak_rss_kb()
        payload = {"window_shown": self.window_shown, "first_page": self.first_page, "maxrss_kb": maxrss}
        Path(self.out_file).write_text(json.dumps(payload), encoding="utf-8")
        QApplication.instance().exit(0)


def _generate_demo_if_empty(paths: DataPaths | None = None) -> None:
    """The demo data folder: build the demo on first use; the default demo folder made
    before accounts existed gets the demo accounts (the demo opens in one step).  Never
    another folder: --demo --data-dir on a real database must not add known passwords."""
    from ..paths import demo_data_dir
    from ..security import access
    from ..services import accounts, demo
    from ..services import roster as roster_service

    with access.acting_as(access.system_actor("演示数据生成")):
        if roster_service.cadre_count(include_archived=True) == 0 and \
                not roster_service.list_units(True, with_counts=False):
            demo.build(DEMO_CADRES)
        elif accounts.needs_setup() and paths is not None and \
                Path(paths.root).resolve() == Path(demo_data_dir()).resolve():
            accounts.create_demo_accounts()


def offer_restore(paths: DataPaths, message: str, parent=None) -> bool:
    """The damaged-database dialog; True when a backup was restored."""
    from .dialogs.damaged_dialog import DamagedDialog

    dialog = DamagedDialog(paths, message, parent, open_store=open_store)
    dialog.exec()
    return dialog.restored


class CheckWatcher(QObject):
    """A large database is quick-checked in the background after opening (every write is
    held back until it passes).  When it fails, the windows close and the damaged-database
    dialog offers the backups; after a restore the application starts again."""

    def __init__(self, paths: DataPaths, session: "Session"):
        super().__init__(QApplication.instance())
        self.paths = paths
        self.session = session
        self.timer = QTimer(self)
        self.timer.setInterval(300)
        self.timer.timeout.connect(self._poll)

    def start(self) -> None:
        if database.check_state() == "running":
            self.timer.start()
        else:
            self._poll()

    def _poll(self) -> None:
        state = database.check_state()
        if state == "running":
            return
        self.timer.stop()
        if state == "ok":
            try:
                database.ensure_checked()     # the sign-in's held-back rows
            except DatabaseDamaged:
                state = "damaged"
        if state != "damaged":
            return
        log.error("the open-time check found %s damaged", self.paths.database)
        for w in QApplication.topLevelWidgets():
            if w.isVisible():
                w.hide()
        restored = offer_restore(self.paths, str(DatabaseDamaged(self.paths.database)))
        if restored:
            from .pages.backup_page import relaunch_command
            from PySide6.QtCore import QProcess

            program, args = relaunch_command()
            QProcess.startDetached(program, args)
        QApplication.instance().exit(0 if restored else 2)


class Session(QObject):
    """Sign-in, the main window, and signing in again after 切换用户 / 退出登录.

    Each application process signs in on its own (two windows on the same data folder
    are two sign-ins).  ``user``: the login name given with ``--user`` (prefilled; with
    CARECENTER_PASSWORD set it signs in without the window)."""

    def __init__(self, paths: DataPaths, demo: bool = False, user: str = "", opened: bool = True,
                 logfile: Path | None = None):
        super().__init__()
        self.paths = paths
        self.demo = demo
        self.user = user or ""
        self.window = None
        self.signins = 0
        self.opened = opened          # False: a new or encrypted database, opened by the first sign-in
        self.logfile = logfile

    def after_open(self) -> None:
        """Once the store is open: the demo's data, the rule tables, the error reporter."""
        if self.demo:
            _generate_demo_if_empty(self.paths)
        seed_rule_tables()
        if self.logfile is not None:
            ExceptionReporter(self.logfile).install()

    def _open_encrypted(self, login: str, password: str) -> None:
        """The sign-in window's first step on an encrypted database: the password unwraps
        the key, then the store opens (a damaged file: the backups are offered)."""
        from concurrent.futures import ThreadPoolExecutor

        from ..services import accounts

        # scrypt (a fifth of a second, in C without the GIL) runs on a worker thread while
        # this one loads the main window's modules, which it needs next either way
        with ThreadPoolExecutor(1, thread_name_prefix="unwrap") as pool:
            unwrapping = pool.submit(accounts.unlock_store, self.paths.database, login, password)
            from . import main_window  # noqa: F401
            keyfile, key = unwrapping.result()
        try:
            open_store(self.paths, key=key, keyfile=keyfile)
        except DatabaseDamaged as err:
            log.error("damaged database %s: %s", self.paths.database, err)
            if not offer_restore(self.paths, str(err)):
                raise
            open_store(self.paths, key=key, keyfile=keyfile)
        self.opened = True
        self.after_open()

    def _recover(self, parent) -> "object | None":
        from .dialogs.encryption_dialogs import RecoveryDialog

        dialog = RecoveryDialog(self.paths, open_store, parent)
        if dialog.exec() != RecoveryDialog.DialogCode.Accepted or dialog.signin is None:
            return None
        self.opened = True
        self.after_open()
        return dialog.signin

    def _set_up(self):
        """A new database: the first 系统管理员 creates it, encrypted; the recovery key once."""
        from .. import encryption
        from ..services import accounts
        from .dialogs.encryption_dialogs import RecoveryKeyDialog
        from .signin import SetupDialog

        dialog = SetupDialog(None, creator=lambda login, name, pw, confirm: encryption.create_store(
            self.paths, open_store, login, name, pw, confirm))
        if dialog.exec() != SetupDialog.DialogCode.Accepted or dialog.created is None:
            return None
        self.opened = True
        self.after_open()
        RecoveryKeyDialog(dialog.created.recovery_key, self.paths).exec()
        return accounts.SignIn(dialog.actor)

    def start(self) -> bool:
        """Sign in and show the window; False when the person chose 退出."""
        from .. import encryption
        from ..security import access
        from .dialogs.encryption_dialogs import offer_encryption
        from .signin import sign_in_flow

        first = self.signins == 0
        if not self.opened and encryption.store_state(self.paths) == encryption.NEW:
            result = self._set_up()
        elif not self.opened:
            result = sign_in_flow(None, self.user, self.demo, use_env=first, opener=self._open_encrypted,
                                  recover=self._recover)
        else:
            result = sign_in_flow(None, self.user, self.demo, use_env=first)
            if result is not None and first and not os.environ.get(TIMING_ENV):
                offer_encryption(self.paths, open_store)
        if result is None:
            return False
        self.signins += 1
        self.user = result.actor.login
        from .main_window import MainWindow

        window = MainWindow(self.paths, demo=self.demo)
        window.sign_out_requested.connect(self._on_sign_out_requested)
        timing_file = os.environ.get(TIMING_ENV)
        if timing_file and first and access.allowed("roster.read"):
            # the benchmark times the roster's first page (issue 2), so it starts there
            window.set_page("roster")
            window._startup_timer = StartupTimer(window, timing_file)
        self.window = window
        window.show_initial()
        return True

    def _on_sign_out_requested(self, switch: bool) -> None:
        from ..services import accounts

        app = QApplication.instance()
        window, self.window = self.window, None
        app.setQuitOnLastWindowClosed(False)
        try:
            if window is not None:
                window.close()
                window.deleteLater()
            accounts.sign_out("切换用户" if switch else "退出登录")
            if not switch:
                self.user = ""
            started = self.start()
        finally:
            app.setQuitOnLastWindowClosed(True)
        if not started:
            app.quit()


def run(paths: DataPaths, demo: bool = False, user: str | None = None, ask_create: bool = False) -> int:
    app = create_application()
    if ask_create and not paths.root.exists():
        if not messages.confirm(None, f"数据目录 {paths.root} 不存在。要在这里新建一个空的数据库吗？",
                                "新建", title="数据目录不存在",
                                informative="如果是输错了路径，请点「取消」，再用正确的 --data-dir 打开。"):
            return 2
    logfile = setup_logging(paths)
    log.info("starting %s (data folder %s%s)", __version__, paths.root, ", demo" if demo else "")
    from .. import encryption

    state = encryption.store_state(paths)
    try:
        if state == encryption.NEW and demo:
            encryption.create_demo_store(paths, open_store)
        elif state == encryption.PLAIN:
            try:
                open_store(paths)
            except DatabaseDamaged as err:
                log.error("damaged database %s: %s", paths.database, err)
                if not offer_restore(paths, str(err)):
                    return 2
                open_store(paths)      # the restored file
        else:
            encryption.prepare_open(paths)   # opened by the first sign-in (its password unwraps the key)
    except (DatabaseTooNew, NotOurDatabase, DatabaseDamaged) as err:
        log.error("refused to open %s: %s", paths.database, err)
        messages.error(None, str(err), title="无法打开数据库")
        return 2
    except DomainError as err:
        log.error("refused to open %s: %s", paths.database, err.message)
        messages.error(None, err.message, title="无法打开数据库")
        return 2
    except Exception as err:  # noqa: BLE001 - locked file, no permission, disk full …
        log.exception("could not open %s", paths.database)
        messages.error(None, f"无法打开数据库 {paths.database}。", title="无法打开数据库",
                       informative=f"详细原因已记录到日志：{logfile}\n（{err}）")
        return 1
    opened = state == encryption.PLAIN or (state == encryption.NEW and demo)
    session = Session(paths, demo, user or "", opened=opened, logfile=logfile)
    if opened:
        session.after_open()
    try:
        if not session.start():
            return 0
        watcher = CheckWatcher(paths, session)
        watcher.start()
        return app.exec()
    finally:
        from ..services import accounts
        from .tasks import cancel_all

        cancel_all()
        if session.opened:
            accounts.sign_out("关闭程序")
        close_database()
