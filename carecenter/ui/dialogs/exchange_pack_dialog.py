"""报送县里 (issue 15, the township's side): make the signed, encrypted package for the county.

On the left what the package needs and where it goes: the year and the day its data
count to (截至日期), the township's name and 统计用区划代码 (edited in 系统设置 → 交换设置),
the county's public key (import it here if it is missing), the township's own
fingerprint to read out to the county, the file (青岭镇-2026.ccx in the last folder
used).  生成报送包 (Enter) packs in the background with progress and 取消
(``exchange_pack.pack``: one transaction, the file and its audit row or nothing), then
says where the file went and its fingerprint.  On the right every package made so far.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget)

from ...services import exchange_pack, exchange_setup
from ...security import access
from .. import file_dialogs, messages, theme
from ..export_action import open_folder
from ..models.county_models import SentPackagesModel
from ..tasks import Job, run_job
from ..widgets.date_edit import DateEdit
from ..widgets.exchange_settings import CountyKeyBox, OwnFingerprint
from ..widgets.fingerprint import FingerprintLabel
from ..widgets.list_page import make_button, make_table, select_year, year_combo

FILE_FILTER = "报送包 (*.ccx)"
WIDTHS = {"made_at": 124, "period": 60, "through": 88, "file_name": 132, "rows": 72}


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


class PackDialog(QDialog):
    """Signals: ``settings_requested()`` (the clerk wants to edit the name and code),
    ``packed(result)`` after a package was written."""

    settings_requested = Signal()
    packed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, can_edit_settings: bool = True):
        super().__init__(parent)
        self.setWindowTitle(self.tr("报送县里"))
        self.job: Job | None = None
        self.result: Any = None
        self._path_edited = False
        outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 14)
        outer.setSpacing(20)

        # ---- left: what the package needs
        left = QVBoxLayout()
        left.setSpacing(10)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.year_combo = year_combo(self, 5, self.tr("{0} 年度"))
        self.year_combo.setToolTip(self.tr("报送哪一年的数据"))
        form.addRow(self.tr("年度"), self.year_combo)
        self.through_edit = DateEdit(self, field="through", label="数据截至日期")
        self.through_edit.setToolTip(self.tr("数据算到哪一天：年度已结束时为 12 月 31 日，年度进行中默认今天"))
        self.through_edit.setMaximumWidth(180)
        self.through_message = QLabel(self)
        theme.set_role(self.through_message, "error")
        through_row = QHBoxLayout()
        through_row.addWidget(self.through_edit)
        through_row.addWidget(self.through_message, 1)
        form.addRow(self.tr("数据截至"), through_row)
        identity_row = QHBoxLayout()
        self.identity_label = QLabel(self)
        identity_row.addWidget(self.identity_label)
        self.settings_link = QLabel(self)
        self.settings_link.setText(f"<a href='settings'>{self.tr('在交换设置中修改…')}</a>")
        self.settings_link.setVisible(can_edit_settings)
        self.settings_link.linkActivated.connect(self._on_settings_link)
        identity_row.addWidget(self.settings_link)
        identity_row.addStretch(1)
        form.addRow(self.tr("乡镇"), identity_row)
        left.addLayout(form)

        county_title = QLabel(self.tr("县里公钥"), self)
        theme.set_role(county_title, "section")
        left.addWidget(county_title)
        self.county_key = CountyKeyBox(self)
        left.addWidget(self.county_key)
        own_title = QLabel(self.tr("本乡镇签名指纹"), self)
        theme.set_role(own_title, "section")
        left.addWidget(own_title)
        self.own_fingerprint = OwnFingerprint(self)
        left.addWidget(self.own_fingerprint)

        out_row = QHBoxLayout()
        out_row.addWidget(QLabel(self.tr("保存到"), self))
        self.path_edit = QLineEdit(self)
        self.path_edit.setToolTip(self.tr("报送包文件（.ccx），可直接存到 U 盘"))
        out_row.addWidget(self.path_edit, 1)
        self.browse_button = make_button(self.tr("选择…"), "folder-open", parent=self)
        out_row.addWidget(self.browse_button)
        left.addLayout(out_row)

        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left.addWidget(self.result_label)
        self.result_fingerprint = FingerprintLabel("", self, point_size=13, per_line=8)
        left.addWidget(self.result_fingerprint)
        left.addStretch(1)
        buttons = QHBoxLayout()
        self.open_folder_button = make_button(self.tr("打开所在文件夹"), "folder-open", parent=self)
        self.open_folder_button.setVisible(False)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        self.pack_button = make_button(self.tr("生成报送包"), "export-white", primary=True, parent=self,
                                       tooltip=self.tr("签名、加密并保存报送包（Enter）"))
        self.close_button = make_button(self.tr("关闭"), parent=self)
        buttons.addWidget(self.pack_button)
        buttons.addWidget(self.close_button)
        left.addLayout(buttons)
        host = QWidget(self)
        host.setLayout(left)
        host.setMinimumWidth(520)
        outer.addWidget(host, 3)

        # ---- right: the packages made so far
        right = QVBoxLayout()
        right.setSpacing(6)
        sent_title = QLabel(self.tr("已生成的报送包"), self)
        theme.set_role(sent_title, "section")
        right.addWidget(sent_title)
        self.sent_model = SentPackagesModel(self)
        self.sent_table = make_table(self, self.sent_model, WIDTHS, clickable=False)
        right.addWidget(self.sent_table, 1)
        self.sent_empty = QLabel(self.tr("还没有生成过报送包。"), self)
        theme.set_role(self.sent_empty, "hint")
        right.addWidget(self.sent_empty)
        outer.addLayout(right, 4)

        # ---- wiring
        self.year_combo.currentIndexChanged.connect(self._on_year_changed)
        self.through_edit.edited.connect(lambda: self.through_message.clear())
        self.path_edit.textEdited.connect(self._on_path_edited)
        self.browse_button.clicked.connect(self.choose_path)
        self.pack_button.clicked.connect(self.pack)
        self.close_button.clicked.connect(self.reject)
        self.open_folder_button.clicked.connect(lambda: open_folder(Path(self.result.path)))
        self.county_key.imported.connect(lambda _info: self.refresh())
        self.pack_button.setDefault(True)

        today = date.today()
        # January–March: last year is what the county asks for
        select_year(self.year_combo, today.year - 1 if today.month <= 3 else today.year, self.tr("{0} 年度"))
        self._on_year_changed()
        self.refresh()
        self.resize(1180, 640)

    # ================================================================ state
    @property
    def period(self) -> int:
        return int(self.year_combo.currentData())

    def set_period(self, year: int) -> None:
        select_year(self.year_combo, year, self.tr("{0} 年度"))

    def refresh(self) -> None:
        """Read the identity, the county key and the packages made again."""
        own = exchange_setup.identity()
        if own.complete:
            self.identity_label.setText(self.tr("{0}（统计用区划代码 {1}）").format(own.name, own.code))
            theme.set_role(self.identity_label, None)
        else:
            self.identity_label.setText(self.tr("尚未填写本乡镇名称和统计用区划代码") if self.settings_link.isVisible()
                                        else self.tr("尚未填写本乡镇名称和统计用区划代码，请系统管理员在「系统设置」中填写"))
            theme.set_role(self.identity_label, "error")
        self.county_key.load()
        rows = exchange_pack.list_packages() if access.allowed("exchange.pack") else []
        self.sent_model.set_rows(rows)
        self.sent_table.setVisible(bool(rows))
        self.sent_empty.setVisible(not rows)
        if not self._path_edited:
            self.path_edit.setText(QDir.toNativeSeparators(
                str(file_dialogs.start_folder() / exchange_pack.default_file_name(self.period))))

    def _on_year_changed(self, *_args) -> None:
        year = self.period
        today = date.today()
        self.through_edit.setValue(min(date(year, 12, 31), today))
        self.through_message.clear()
        if not self._path_edited:
            self.path_edit.setText(QDir.toNativeSeparators(
                str(file_dialogs.start_folder() / exchange_pack.default_file_name(year))))

    def _on_path_edited(self, _text: str) -> None:
        self._path_edited = True

    def _on_settings_link(self, _link: str) -> None:
        self.settings_requested.emit()
        self.reject()

    def choose_path(self) -> Path | None:
        path = file_dialogs.ask_save_path(self, self.tr("保存报送包"), self.out_path(), self.tr(FILE_FILTER),
                                          exchange_pack.SUFFIX)
        if path is not None:
            self.path_edit.setText(QDir.toNativeSeparators(str(path)))
            self._path_edited = True
        return path

    def out_path(self) -> Path:
        text = self.path_edit.text().strip().strip('"')
        path = Path(QDir.fromNativeSeparators(text)) if text else \
            file_dialogs.start_folder() / exchange_pack.default_file_name(self.period)
        return path if path.suffix.lower() == exchange_pack.SUFFIX else path.with_name(path.name + exchange_pack.SUFFIX)

    # ================================================================ packing
    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def pack(self) -> Job | None:
        if self.busy:
            return self.job
        problem = self.through_edit.error()
        if problem is not None:
            self.through_message.setText(problem.message)
            self.through_edit.setFocus()
            return None
        out = self.out_path()
        if out.exists() and not messages.confirm(
                self, self.tr("{0} 已存在，要替换它吗？").format(QDir.toNativeSeparators(str(out))), self.tr("替换"),
                title=self.tr("报送县里")):
            return None

        def work(ctx, period: int, through: date | None, target: Path):
            return exchange_pack.pack(period, through, target, progress=ctx.progress, check=ctx.check)

        self.result_label.clear()
        self.result_fingerprint.set_fingerprint("")
        self.open_folder_button.setVisible(False)
        self.pack_button.setEnabled(False)
        self.job = run_job(work, self.period, self.through_edit.value(), out, parent=self,
                           title=self.tr("报送县里"), label=self.tr("正在生成{0}年度报送包…").format(self.period))
        self.job.finished.connect(self._on_packed)
        self.job.failed.connect(lambda message: messages.error(self, message, title=self.tr("报送包未生成")))
        self.job.done.connect(lambda: self.pack_button.setEnabled(True))
        return self.job

    def _on_packed(self, result: Any) -> None:
        self.result = result
        file_dialogs.remember(result.path)
        self.result_label.setText(self.tr(
            "已生成报送包：{0}\n{1}年度，数据截至 {2}，共 {3} 行，{4}；已用「{5}」的公钥加密，只有县里能打开。"
            "\n报送包指纹（县里接收后可核对）：").format(
            QDir.toNativeSeparators(str(result.path)), result.period, result.through.isoformat(), f"{result.rows:,}",
            _size(result.size_bytes), result.county_name))
        theme.set_role(self.result_label, "info")
        self.result_fingerprint.set_fingerprint(result.package_fingerprint)
        self.open_folder_button.setVisible(True)
        self.refresh()
        self.packed.emit(result)
