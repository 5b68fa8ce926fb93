"""打印预览: the real PDF pages of one printout, with 打印… and 导出 PDF….

Also the ways every screen hands a printout to the clerk, so the detail window,
the list pages and 报表打印 behave alike:

* ``build(parent, build_fn, *args, on_ready=…)`` builds the ``Printout`` off the
  GUI thread (``printing.care_record`` / ``printing.register``) with a progress
  dialog and 取消; a ``DomainError`` (an empty period …) is shown in Chinese.
* ``act(parent, action, printout)``: 预览 (``show_preview``), 打印
  (``print_printout``: Qt's print dialog) or 导出 (``export_printout``: the save
  dialog); ``produce`` is ``build`` then ``act``, ``preview_register`` a register's.
* ``print_pdf(data, printer)`` paints each page, rendered by pdfium at the
  printer's resolution (at most ``PRINT_DPI``), onto a ``QPrinter``: the page
  range and the number of copies chosen in Qt's print dialog are respected.
  Tests pass a ``QPrinter`` in ``PdfFormat`` with an output file name.

Every preview, print and export is written to the print log through
``printing.record_output``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QDir, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...domain.errors import DomainError
from ...services import printing
from .. import file_dialogs, messages, theme
from ..tasks import Job, JobCancelled, run_job
from ..widgets.list_page import make_button
from ..widgets.pdf_view import PdfDocument, PdfView, render_page

log = logging.getLogger(__name__)

PRINT_DPI = 300  # sharp on paper, and a page image stays small enough to send to the printer

PREVIEW, PRINT, EXPORT = "preview", "print", "export"


def _tr(text: str) -> str:
    return QCoreApplication.translate("print_preview", text)


# ==================================================================== printing pages
def _page_range(printer: QPrinter, count: int) -> list[int]:
    """0-based pages to print: the range chosen in the print dialog, else all."""
    first, last = printer.fromPage(), printer.toPage()
    if printer.printRange() != QPrinter.PrintRange.PageRange or first <= 0:
        return list(range(count))
    last = count if last <= 0 else min(last, count)
    return list(range(first - 1, last))


def prepare_printer(printer: QPrinter, data: bytes) -> QPrinter:
    """Paper size and orientation of the PDF's first page, as the defaults the print
    dialog offers (the clerk may still choose other paper there)."""
    document = PdfDocument(data)
    try:
        width, height = document.sizes[0] if len(document) else (595.0, 842.0)
    finally:
        document.close()
    size = QPageSize(QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Point)
    orientation = QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    printer.setPageSize(size)
    printer.setPageOrientation(orientation)
    printer.setFullPage(True)
    return printer


def print_pdf(data: bytes, printer: QPrinter, *, progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> int:
    """Paint the PDF's pages onto ``printer``; returns the number of sheets sent.

    Each page is rendered by pdfium at the printer's resolution (capped at
    ``PRINT_DPI``) and drawn to fill the paper, keeping its proportions (the PDF has
    its own margins).  Raises ``JobCancelled`` when ``cancelled()`` turns true (the
    print job is aborted) and ``DomainError`` when the printer cannot be opened.
    """
    document = PdfDocument(data)
    try:
        pages = _page_range(printer, len(document))
        if not pages:
            raise DomainError("print_empty", _tr("所选页码范围内没有页面，请重新选择打印范围。"))
        copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            raise DomainError("printer_unavailable",
                              _tr("无法连接打印机，请检查打印机是否开机、联网，或选择其他打印机后重试。"))
        total, sent = len(pages) * copies, 0
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            dpi = min(printer.resolution(), PRINT_DPI)
            for _copy in range(copies):
                for index in pages:
                    if cancelled is not None and cancelled():
                        printer.abort()
                        raise JobCancelled()
                    if sent:
                        printer.newPage()
                    image = render_page(document, index, dpi / 72.0)
                    paper = QRectF(painter.viewport())
                    scale = min(paper.width() / image.width(), paper.height() / image.height())
                    size = QSizeF(image.width() * scale, image.height() * scale)
                    target = QRectF(paper.left() + (paper.width() - size.width()) / 2,
                                    paper.top() + (paper.height() - size.height()) / 2,
                                    size.width(), size.height())
                    painter.drawImage(target, image)
                    sent += 1
                    if progress is not None:
                        progress(sent, total)
        finally:
            if painter.isActive():
                painter.end()
        return sent
    finally:
        document.close()


def _print_target(printer: QPrinter) -> str:
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        return QDir.toNativeSeparators(printer.outputFileName())
    return printer.printerName()


def record(printout: Any, action: str, target: str = "") -> None:
    """Write 预览/打印/导出 to the print log; a failure there never hides the printout."""
    protected = action == "导出" and getattr(printout, "protected_pdf", None) is not None
    try:
        printing.record_output(printout.code, action, target, protected=protected)
    except DomainError as err:  # pragma: no cover - the log refusing is not the clerk's problem
        log.warning("print log: %s", err.message)


def start_print(parent: QWidget | None, printout: Any, printer: QPrinter,
                on_done: Callable[[int], None] | None = None) -> Job:
    """Send ``printout`` to ``printer`` on a worker thread, with progress and 取消."""

    def work(ctx, data: bytes, target: QPrinter) -> int:
        return print_pdf(data, target,
                         progress=lambda done, total: ctx.progress(done * 100 // max(total, 1),
                                                                   _tr("正在打印第 {0}/{1} 页").format(done, total)),
                         cancelled=lambda: ctx.cancelled)

    job = run_job(work, printout.pdf, printer, parent=parent, title=_tr("打印"),
                  label=_tr("正在发送到打印机…"))
    job.printer = printer  # the printer must live as long as the job

    def finished(sheets: int) -> None:
        record(printout, "打印", _print_target(printer))
        if on_done is not None:
            on_done(sheets)

    job.finished.connect(finished)
    job.failed.connect(lambda text: messages.error(parent, text))
    return job


def print_printout(parent: QWidget | None, printout: Any,
                   on_done: Callable[[int], None] | None = None) -> Job | None:
    """Qt's print dialog (printer, pages, copies), then print; None when the clerk cancelled."""
    printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution), printout.pdf)
    printer.setDocName(printout.title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_tr("打印 — {0}").format(printout.title))
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, printout.pages > 1)
    if printout.pages > 1:
        dialog.setMinMax(1, printout.pages)
    # a password-protected printout is saved only through 导出 (encrypted), never printed to a plain file
    dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, getattr(printout, "protected_pdf", None) is None)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return start_print(parent, printout, printer, on_done)


# ==================================================================== exporting
def default_export_path(printout: Any) -> str:
    return str(file_dialogs.start_folder() / printout.file_name)


def export_printout(parent: QWidget | None, printout: Any) -> Path | None:
    """Ask where to save (documents folder, the printout's own name), write the PDF."""
    path = file_dialogs.ask_save_path(parent, _tr("导出 PDF"), default_export_path(printout), _tr("PDF 文件 (*.pdf)"),
                                      ".pdf")
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(getattr(printout, "saved_pdf", printout.pdf))
    except OSError as err:
        messages.error(parent, _tr("无法保存到 {0}：{1}。请换一个文件夹或文件名再试。").format(
            QDir.toNativeSeparators(str(path)), err.strerror or err))
        return None
    record(printout, "导出", QDir.toNativeSeparators(str(path)))
    return path


# ==================================================================== building, then acting
def build(parent: QWidget | None, build_fn: Callable[..., Any], *args: Any, title: str = "",
          label: str = "", on_ready: Callable[[Any], None] | None = None, **kwargs: Any) -> Job:
    """Run ``build_fn(*args, **kwargs)`` (a ``printing`` function returning a Printout)
    off the GUI thread with a progress dialog and 取消; ``on_ready(printout)`` on the
    GUI thread afterwards.  A ``DomainError`` is shown as its Chinese message."""

    def work(ctx) -> Any:
        ctx.progress(-1, label or _tr("正在生成…"))
        printout = build_fn(*args, **kwargs)
        ctx.check()  # 取消 pressed while it was being built: show nothing
        return printout

    job = run_job(work, parent=parent, title=title or _tr("生成打印文件"), label=label or _tr("正在生成…"))
    if on_ready is not None:
        job.finished.connect(on_ready)
    job.failed.connect(lambda text: messages.error(parent, text))
    return job


def act(parent: QWidget | None, action: str, printout: Any) -> Any:
    """预览 (the preview dialog), 打印 (Qt's print dialog) or 导出 (the save dialog)."""
    if action == PREVIEW:
        return show_preview(parent, printout)
    if action == PRINT:
        return print_printout(parent, printout)
    path = export_printout(parent, printout)
    if path is not None:
        messages.info(parent, _tr("已导出到 {0}").format(QDir.toNativeSeparators(str(path))),
                      title=_tr("导出 PDF"))
    return path


def produce(parent: QWidget | None, action: str, build_fn: Callable[..., Any], *args: Any,
            title: str = "", label: str = "", **kwargs: Any) -> Job:
    """``build`` a printout, then ``act`` on it over ``parent``."""
    return build(parent, build_fn, *args, title=title, label=label,
                 on_ready=lambda printout: act(parent, action, printout), **kwargs)


def preview_register(parent: QWidget | None, kind: str, period: str, unit_id: int | None = None) -> Job:
    """A list page's 打印: build the register (``printing.REGISTER_KINDS``) for ``period``
    ("2026" or "2026-11") and ``unit_id`` in the background, then open its preview."""
    name = printing.REGISTER_KINDS[kind]
    return produce(parent, PREVIEW, printing.register, kind, period, unit_id=unit_id or None,
                   title=_tr("打印{0}").format(name), label=_tr("正在生成{0}…").format(name))


def show_preview(parent: QWidget | None, printout: Any) -> "PrintPreviewDialog":
    dialog = PrintPreviewDialog(printout, parent)
    dialog.open()
    return dialog


# ==================================================================== the dialog
class PrintPreviewDialog(QDialog):
    """Pages, title and 核验码 of one printout; 打印… (Ctrl+P), 导出 PDF…, 关闭 (Esc).

    ``printed(sheets)`` and ``exported(path)`` after a successful print / export."""

    printed = Signal(int)
    exported = Signal(str)

    def __init__(self, printout: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.printout = printout
        self.job: Job | None = None
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle(self.tr("打印预览 — {0}").format(printout.title))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(8)
        header = QHBoxLayout()
        header.setSpacing(16)
        self.title_label = QLabel(printout.title, self)
        self.title_label.setObjectName("PageTitle")
        header.addWidget(self.title_label)
        self.code_label = QLabel(self.tr("核验码 {0}").format(printout.code), self)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setToolTip(self.tr("纸面上印有同一核验码；在「报表打印 → 核验」中输入即可查到这份打印件"))
        theme.set_role(self.code_label, "info")
        header.addWidget(self.code_label)
        self.pages_label = QLabel(self.tr("共 {0} 页").format(printout.pages), self)
        theme.set_role(self.pages_label, "info")
        header.addWidget(self.pages_label)
        header.addStretch(1)
        outer.addLayout(header)

        self.view = PdfView(self)
        outer.addWidget(self.view, 1)

        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.status_label = QLabel(self)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.status_label, "hint")
        self.status_label.setText(self.tr("Ctrl+P 打印，Esc 关闭"))
        footer.addWidget(self.status_label, 1)
        self.print_button = make_button(self.tr("打印…"), "print-white", primary=True, parent=self,
                                        tooltip=self.tr("选择打印机、页码范围和份数后打印（Ctrl+P）"))
        self.print_button.setAutoDefault(True)
        self.print_button.setDefault(True)
        self.export_button = make_button(self.tr("导出 PDF…"), "export-pdf", parent=self,
                                         tooltip=self.tr("保存为 PDF 文件"))
        self.close_button = make_button(self.tr("关闭"), parent=self)
        for b in (self.print_button, self.export_button, self.close_button):
            footer.addWidget(b)
        outer.addLayout(footer)

        self.print_button.clicked.connect(self.print_dialog)
        self.export_button.clicked.connect(self.export_pdf)
        self.close_button.clicked.connect(self.reject)
        self.print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        self.print_shortcut.activated.connect(self.print_dialog)

        self._fit_to_screen()
        self.view.set_pdf(printout.pdf)
        record(printout, "预览")
        self.print_button.setFocus()

    def _fit_to_screen(self) -> None:
        width, height = 920, 900
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
        self.resize(width, height)

    # ------------------------------------------------------------ actions
    def print_dialog(self) -> Job | None:
        """打印…: Qt's print dialog, then print."""
        if self.job is not None and self.job.running:
            return self.job
        job = print_printout(self, self.printout, self._on_printed)
        self._watch(job)
        return job

    def new_printer(self) -> QPrinter:
        """A printer set up for this printout (paper, orientation), as 打印… offers it."""
        printer = prepare_printer(QPrinter(QPrinter.PrinterMode.HighResolution), self.printout.pdf)
        printer.setDocName(self.printout.title)
        return printer

    def print_to(self, printer: QPrinter) -> Job:
        """Print to ``printer`` without asking (the print dialog's second half)."""
        job = start_print(self, self.printout, printer, self._on_printed)
        self._watch(job)
        return job

    def _watch(self, job: Job | None) -> None:
        self.job = job
        if job is not None:
            self.print_button.setEnabled(False)
            job.done.connect(lambda: self.print_button.setEnabled(True))

    def _on_printed(self, sheets: int) -> None:
        self.status_label.setText(self.tr("已发送 {0} 页到打印机").format(sheets))
        self.printed.emit(sheets)

    def export_pdf(self) -> Path | None:
        path = export_printout(self, self.printout)
        if path is not None:
            self.status_label.setText(self.tr("已导出到 {0}").format(QDir.toNativeSeparators(str(path))))
            self.exported.emit(str(path))
        return path

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        if self.job is not None and self.job.running:
            self.job.cancel()
        self.view.shutdown()
        super().done(result)
