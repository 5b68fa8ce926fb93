"""Background jobs with progress and 取消, so the window never freezes.

Usage::

    def work(ctx, path):                 # runs on a worker thread; no widgets here
        for i, row in enumerate(rows):
            ctx.check()                  # raises JobCancelled once 取消 was pressed
            ctx.progress(i * 100 // n, f"正在导入第 {i + 1} 行")
        return summary

    job = run_job(work, path, parent=window, title="导入干部名册")
    job.finished.connect(on_done)        # result of work(...)
    job.failed.connect(on_failed)        # a Chinese sentence for the clerk
    job.cancelled.connect(on_cancelled)

The job function receives a ``JobContext`` first.  It may use the database:
peewee opens a separate connection per thread.  A ``DomainError`` raised by the
job reaches ``failed`` with its message; any other exception is written to the
log and reported with a general sentence.  ``progress`` with a negative percent
shows a busy indicator.  The progress dialog appears only if the job takes
longer than ``MIN_DURATION_MS``.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..domain.errors import DomainError

log = logging.getLogger(__name__)

MIN_DURATION_MS = 300
_active: set["Job"] = set()


def _tr(text: str) -> str:
    return QCoreApplication.translate("tasks", text)


class JobCancelled(Exception):
    """Raised by ``JobContext.check`` once the clerk pressed 取消."""


class JobContext:
    """What the job function sees: report progress, notice cancellation."""

    def __init__(self, job: "Job"):
        self._job = job
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled()

    def progress(self, percent: int, text: str = "") -> None:
        self._job.progress.emit(int(percent), text)

    def _request_cancel(self) -> None:
        self._cancel.set()


class _Runner(QRunnable):
    def __init__(self, job: "Job"):
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        job = self.job
        try:
            result = job._fn(job.context, *job._args, **job._kwargs)
        except JobCancelled:
            job._outcome.emit("cancelled", None)
        except DomainError as err:
            job._outcome.emit("failed", err.message)
        except Exception:  # noqa: BLE001 - reported to the clerk, detail to the log
            log.exception("background job %s failed", job.title)
            job._outcome.emit("failed", _tr("程序遇到意外错误，已记录到日志。"))
        else:
            job._outcome.emit("finished", result)
        finally:
            # peewee keeps one connection per thread: a pooled worker must not keep
            # reading a database the application has since closed or replaced
            from ..db.database import db

            if not db.is_closed():
                db.close()


class Job(QObject):
    """One background job. Signals arrive on the GUI thread."""

    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()  # before finished, failed or cancelled: the progress dialog closes first
    done = Signal()  # after finished, failed or cancelled
    _outcome = Signal(str, object)

    def __init__(self, fn: Callable[..., Any], *args: Any, title: str = "", **kwargs: Any):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.title = title
        self.context = JobContext(self)
        self.running = False
        self.result: Any = None
        self.error: str | None = None
        self._outcome.connect(self._on_outcome, Qt.ConnectionType.QueuedConnection)

    def start(self, pool: QThreadPool | None = None) -> "Job":
        self.running = True
        _active.add(self)
        (pool or QThreadPool.globalInstance()).start(_Runner(self))
        return self

    def cancel(self) -> None:
        """Ask the job to stop; it stops at its next ``ctx.check()``."""
        self.context._request_cancel()

    @property
    def cancel_requested(self) -> bool:
        return self.context.cancelled

    def _on_outcome(self, kind: str, value: Any) -> None:
        self.running = False
        _active.discard(self)
        # the progress dialog goes before any handler shows a result box (a modal box
        # would otherwise sit under a "完成 100% [取消]" dialog until it is closed)
        self.ended.emit()
        if kind == "finished":
            self.result = value
            self.finished.emit(value)
        elif kind == "failed":
            self.error = value
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.done.emit()


class ProgressDialog(QProgressDialog):
    """What is being done, how far along, and 取消."""

    def __init__(self, job: Job, parent: QWidget | None, title: str, label: str):
        super().__init__(label, _tr("取消"), 0, 100, parent)
        self.job = job
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(MIN_DURATION_MS)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setValue(0)
        self.canceled.connect(self._on_cancel)
        job.progress.connect(self._on_progress)
        job.ended.connect(self._on_done)

    def _on_progress(self, percent: int, text: str) -> None:
        if percent < 0:
            self.setRange(0, 0)
        else:
            if self.maximum() == 0:
                self.setRange(0, 100)
            self.setValue(min(percent, 100))
        if text and not self.job.cancel_requested:
            self.setLabelText(text)

    def _on_cancel(self) -> None:
        self.job.cancel()
        self.setLabelText(_tr("正在取消，请稍候…"))
        self.setCancelButtonText(_tr("正在取消"))
        # keep the dialog until the job has really stopped
        self.show()

    def _on_done(self) -> None:
        self.canceled.disconnect(self._on_cancel)
        self.reset()
        self.hide()
        self.deleteLater()


def cancel_all(wait_ms: int = 3000) -> bool:
    """Ask every running job to stop and wait for the workers (used when the application quits)."""
    for job in list(_active):
        job.cancel()
    return QThreadPool.globalInstance().waitForDone(wait_ms)


def run_job(fn: Callable[..., Any], *args: Any, parent: QWidget | None = None, title: str = "",
            label: str = "", dialog: bool = True, pool: QThreadPool | None = None,
            **kwargs: Any) -> Job:
    """Start ``fn(ctx, *args, **kwargs)`` on a worker thread and return its Job.

    With ``dialog=True`` a window-modal progress dialog with 取消 appears when the
    job runs longer than ``MIN_DURATION_MS``; it is available as ``job.dialog``.
    """
    job = Job(fn, *args, title=title, **kwargs)
    job.dialog = ProgressDialog(job, parent, title or _tr("请稍候"), label or _tr("正在处理…")) if dialog else None
    return job.start(pool)
