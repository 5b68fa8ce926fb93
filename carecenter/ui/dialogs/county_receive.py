"""接收报送 (county edition, issue 15): pick a township's .ccx package, receive it in the
background with progress and 取消, and confirm a township's key the first time.

``county.receive`` checks the signature, decrypts, validates every row and stores the
township's data in one transaction (a cancelled or refused receive changes nothing).
The first package of a township is signed by a key the county does not know yet: the
service refuses it with ``UnknownTownshipKey``; ``TrustDialog`` then shows the township,
its 区划代码 and the key's fingerprint in large grouped characters, to be read out with
the township's clerk over the phone; only after 「确认信任并接收」 is the package received
again with ``trust=fingerprint``.  Every other refusal is a message box with the
service's Chinese sentence.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QDir, QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...services import county
from .. import file_dialogs, messages, theme
from ..tasks import Job, run_job
from ..widgets.fingerprint import FingerprintLabel
from ..widgets.list_page import make_button

FILE_FILTER = "乡镇报送数据包 (*.ccx);;所有文件 (*)"
READ_OUT = "请与乡镇经办人电话核对指纹，完全一致才点「确认信任并接收」"


def _tr(text: str) -> str:
    return QCoreApplication.translate("county_receive", text)


class TrustDialog(QDialog):
    """The first package of a township: confirm its signing key's fingerprint."""

    def __init__(self, name: str, code: str, fingerprint: str, parent: QWidget | None = None, *,
                 old_fingerprint: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("核对乡镇签名指纹"))
        self.fingerprint = fingerprint
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        if old_fingerprint:
            intro = QLabel(self.tr("这个乡镇的签名密钥与本县登记的不同：可能是乡镇换了电脑或重装了程序，也可能是他人冒充。"
                                   "登记的指纹为 {0}。只有与乡镇核对、确认是它的新密钥后才接收。").format(old_fingerprint),
                           self)
            intro.setStyleSheet(f"color: {theme.ERROR};")
        else:
            intro = QLabel(self.tr("这是本县第一次收到这个乡镇的报送，程序还不认识它的签名密钥。"
                                   "确认下面的指纹确实是该乡镇的，以后它的报送才会被接收。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        for row, (label, value) in enumerate(((self.tr("乡镇"), name), (self.tr("区划代码"), code))):
            key = QLabel(label, self)
            theme.set_role(key, "label")
            grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            shown = QLabel(value, self)
            font = shown.font()
            font.setPointSizeF(font.pointSizeF() * 1.4)
            font.setBold(True)
            shown.setFont(font)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(shown, row, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        caption = QLabel(self.tr("签名指纹"), self)
        theme.set_role(caption, "label")
        layout.addWidget(caption)
        self.fingerprint_label = FingerprintLabel(fingerprint, self)
        layout.addWidget(self.fingerprint_label)
        self.instruction = QLabel(self.tr(READ_OUT), self)
        self.instruction.setWordWrap(True)
        self.instruction.setStyleSheet(f"color: {theme.WARNING}; font-weight: 600;")
        layout.addWidget(self.instruction)
        self.checked_box = QCheckBox(self.tr("我已与乡镇经办人电话逐组核对，指纹完全一致"), self)
        layout.addWidget(self.checked_box)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.trust_button = make_button(self.tr("确认信任并接收"), primary=True, parent=self)
        self.cancel_button = make_button(self.tr("取消"), parent=self)
        buttons.addWidget(self.trust_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.trust_button.setEnabled(False)
        self.trust_button.setToolTip(self.tr("先与乡镇核对指纹，并勾选上面的确认"))
        self.checked_box.toggled.connect(self._on_checked)
        self.trust_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.cancel_button.setFocus()
        self.setMinimumWidth(560)

    def _on_checked(self, checked: bool) -> None:
        self.trust_button.setEnabled(checked)
        self.trust_button.setDefault(checked)
        self.trust_button.setToolTip("" if checked else self.tr("先与乡镇核对指纹，并勾选上面的确认"))


class Receiver(QObject):
    """The receive flow of a page (its child: lives as long as the page): ``start()`` asks
    for the file; ``received(result)`` when a package was stored."""

    received = Signal(object)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.parent_widget = parent
        self.job: Job | None = None
        self.trust_dialog: TrustDialog | None = None
        #: how the trust question is asked (tests answer it without a window)
        self.ask_trust: Callable[[Any, Path], str | None] = self._ask_trust

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def start(self) -> Job | None:
        """接收报送…: choose the .ccx file, then receive it."""
        if self.busy:
            return self.job
        path = file_dialogs.ask_open_path(self.parent_widget, _tr("选择乡镇报送的数据包"), _tr(FILE_FILTER))
        if path is None:
            return None
        return self.receive(path)

    def receive(self, path: Path, trust: str | None = None) -> Job:
        def work(ctx, target: Path, fingerprint: str | None) -> Any:
            try:
                return county.receive(target, trust=fingerprint, progress=ctx.progress, check=ctx.check)
            except (county.UnknownTownshipKey, county.ChangedTownshipKey) as err:
                return err     # a question for the clerk, not a failure: asked on the GUI thread

        where = QDir.toNativeSeparators(str(path))
        self.job = run_job(work, Path(path), trust, parent=self.parent_widget, title=_tr("接收报送"),
                           label=_tr("正在接收 {0}…").format(Path(path).name))
        self.job.finished.connect(lambda result: self._on_finished(result, Path(path)))
        self.job.failed.connect(lambda message: messages.error(
            self.parent_widget, message, title=_tr("无法接收"), informative=_tr("文件：{0}").format(where)))
        return self.job

    def _on_finished(self, result: Any, path: Path) -> None:
        if isinstance(result, (county.UnknownTownshipKey, county.ChangedTownshipKey)):
            fingerprint = self.ask_trust(result, path)
            if fingerprint:
                self.receive(path, trust=fingerprint)
            return
        self.received.emit(result)

    def _ask_trust(self, err: Any, _path: Path) -> str | None:
        dialog = TrustDialog(err.name, err.code, err.fingerprint, self.parent_widget,
                             old_fingerprint=getattr(err, "old_fingerprint", ""))
        self.trust_dialog = dialog
        try:
            return err.fingerprint if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            self.trust_dialog = None
            dialog.deleteLater()
