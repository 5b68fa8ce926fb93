"""The background-job helper: result, progress, cancel, failure — and the GUI thread stays free."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QPushButton

from carecenter.domain.errors import DomainError
from carecenter.ui.tasks import Job, run_job


def test_job_reports_progress_and_result(qtbot, qapp):
    seen = []
    threads = []

    def work(ctx, n):
        threads.append(threading.current_thread())
        for i in range(n):
            ctx.progress(i * 100 // n, f"第 {i + 1} 步")
        return n * 2

    job = Job(work, 5, title="测试")
    job.progress.connect(lambda p, t: seen.append((p, t)))
    with qtbot.waitSignal(job.finished, timeout=3000) as blocker:
        job.start()
    assert blocker.args == [10]
    assert job.result == 10 and not job.running
    assert threads[0] is not threading.main_thread()
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert seen[0] == (0, "第 1 步") and seen[-1] == (80, "第 5 步")


def test_cancel_stops_job(qtbot, qapp):
    started = threading.Event()

    def work(ctx):
        started.set()
        while True:
            ctx.check()
            time.sleep(0.005)

    job = Job(work)
    with qtbot.waitSignal(job.cancelled, timeout=3000):
        job.start()
        assert started.wait(2)
        job.cancel()
    assert job.cancel_requested and not job.running and job.result is None


def test_progress_dialog_cancel_button(qtbot, qapp):
    def work(ctx):
        for i in range(400):
            ctx.check()
            ctx.progress(i // 4, "正在处理")
            time.sleep(0.005)
        return "done"

    job = run_job(work, title="导入", label="正在导入…")
    dialog = job.dialog
    assert dialog.windowTitle() == "导入"
    try:
        # the dialog appears once the job has run for a moment
        qtbot.waitUntil(lambda: dialog.isVisible() and dialog.value() > 0, timeout=3000)
        assert dialog.labelText() == "正在处理"
        button = dialog.findChild(QPushButton)
        assert button.text() == "取消"
        with qtbot.waitSignal(job.cancelled, timeout=5000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert dialog.labelText() == "正在取消，请稍候…"
    finally:
        job.cancel()
        QThreadPool.globalInstance().waitForDone(3000)
    assert job.error is None and job.result is None


def test_failures_become_chinese_sentences(qtbot, qapp):
    def domain_failure(ctx):
        raise DomainError("x", "文件不是 Excel 表格，请重新选择")

    job = Job(domain_failure)
    with qtbot.waitSignal(job.failed, timeout=3000) as blocker:
        job.start()
    assert blocker.args == ["文件不是 Excel 表格，请重新选择"]

    def crash(ctx):
        raise RuntimeError("boom")

    job = Job(crash)
    with qtbot.waitSignal(job.failed, timeout=3000) as blocker:
        job.start()
    assert blocker.args == ["程序遇到意外错误，已记录到日志。"]


def test_progress_dialog_is_gone_before_the_result_box(qtbot, qapp, boxes):
    """Issue 13 §3: "完成 100% [取消]" must not stay over the result box ("生成完成") until it is closed."""
    from carecenter.ui import messages

    def work(ctx):
        for i in range(60):
            ctx.progress(i * 100 // 60, "正在生成")
            time.sleep(0.01)
        ctx.progress(100, "完成")
        return 315

    seen = []

    def on_finished(rows):
        dialog = job.dialog
        seen.append(dialog.isVisible())
        messages.info(None, f"生成完成：共 {rows} 行")   # a modal box, as the pages show
        seen.append(dialog.isVisible())

    job = run_job(work, title="生成本月", label="正在生成…")
    job.finished.connect(on_finished)
    qtbot.waitUntil(lambda: job.dialog.isVisible(), timeout=3000)    # the dialog did show
    qtbot.waitUntil(lambda: bool(seen) and len(seen) == 2, timeout=5000)
    assert seen == [False, False]
    assert boxes.texts == ["生成完成：共 315 行"]
