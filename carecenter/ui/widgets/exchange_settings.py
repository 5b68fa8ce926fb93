"""交换设置 (issue 15): what a township needs before it can 报送县里, and the county's side.

* ``IdentityForm`` — the database's name and 12-digit 统计用区划代码 (Enter saves; each
  problem under its field; ``exchange_setup.save_identity``).
* ``CountyKeyBox`` — the township's view of the county's public key: imported or not, the
  county's name, code and fingerprint (to compare with what the county reads out), and
  导入县里公钥… (``exchange_pack.trust_county``).
* ``OwnFingerprint`` — the township's own signing fingerprint, to read out to the county.
* ``TownshipExchangeBox`` / ``CountyExchangeBox`` — the settings page's 交换设置 card of
  each edition.
"""
from __future__ import annotations

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout,
                               QWidget)

from ...domain.errors import DomainError, ValidationError
from ...services import county, exchange_pack, exchange_setup
from .. import file_dialogs, messages, theme
from .fingerprint import FingerprintLabel, grouped
from .list_page import card, make_button
from .unit_name import report_save

KEY_FILTER = "县级公钥文件 (*.pub);;所有文件 (*)"


def _message(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    theme.set_role(label, "error")
    label.setVisible(False)
    return label


class IdentityForm(QWidget):
    """名称 and 统计用区划代码; ``saved(identity)`` after 保存 (or Enter)."""

    saved = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, county_edition: bool = False):
        super().__init__(parent)
        self.county_edition = county_edition
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        what = self.tr("县（市、区）名称") if county_edition else self.tr("乡镇名称")
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(60)
        self.name_edit.setPlaceholderText(self.tr("如 某某县") if county_edition else self.tr("如 青岭镇"))
        self.code_edit = QLineEdit(self)
        self.code_edit.setMaxLength(12)
        self.code_edit.setPlaceholderText(self.tr("12 位数字，如 330328000000") if county_edition
                                          else self.tr("12 位数字，如 330328101000"))
        self.code_edit.setToolTip(self.tr("国家统计局公布的统计用区划代码；乡镇改名时代码不变，县里按代码识别乡镇"))
        self.name_message, self.code_message = _message(self), _message(self)
        form.addRow(what, self.name_edit)
        form.addRow("", self.name_message)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        self.save_button = make_button(self.tr("保存"), parent=self, tooltip=self.tr("保存名称和区划代码（Enter）"))
        code_row.addWidget(self.save_button)
        form.addRow(self.tr("统计用区划代码"), code_row)
        form.addRow("", self.code_message)
        self.done_label = QLabel(self)
        theme.set_role(self.done_label, "info")
        form.addRow("", self.done_label)
        self.done_label.setVisible(False)
        for edit in (self.name_edit, self.code_edit):
            edit.returnPressed.connect(self.save)
            edit.textEdited.connect(self._on_edited)
        self.save_button.clicked.connect(self.save)
        self.load()

    def load(self) -> None:
        own = exchange_setup.identity()
        self.name_edit.setText(own.name)
        self.code_edit.setText(own.code)

    def _on_edited(self, _text: str) -> None:
        self.done_label.setVisible(False)
        self._show({})

    def _show(self, problems: dict[str, str]) -> None:
        for field, label, edit in (("name", self.name_message, self.name_edit),
                                   ("code", self.code_message, self.code_edit)):
            label.setText(problems.get(field, ""))
            label.setVisible(field in problems)
            theme.set_state(edit, "error" if field in problems else None)

    def save(self) -> bool:
        try:
            own = exchange_setup.save_identity(self.name_edit.text(), self.code_edit.text())
        except ValidationError as err:
            self._show(err.by_field())
            return False
        except DomainError as err:
            self._show({"code": err.message})
            return False
        self._show({})
        self.done_label.setText(self.tr("已保存：{0}（{1}）").format(own.name, own.code))
        self.done_label.setVisible(True)
        self.saved.emit(own)
        return True


class CountyKeyBox(QWidget):
    """The county's public key as this township has it; ``imported(info)`` after an import."""

    imported = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        row = QHBoxLayout()
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        row.addWidget(self.status_label, 1)
        self.import_button = make_button(self.tr("导入县里公钥…"), "import", parent=self,
                                         tooltip=self.tr("选择县里发来的公钥文件 county.pub"))
        row.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
        self.fingerprint_label = FingerprintLabel("", self, point_size=13, per_line=8)
        column.addWidget(self.fingerprint_label)
        self.import_button.clicked.connect(self.choose_file)
        self.load()

    def load(self):
        info = exchange_pack.county_key_info()
        if info is None:
            self.status_label.setText(self.tr("尚未导入县里的公钥：报送包要用它加密，只有县里能打开。"
                                              "请向县里索取公钥文件 county.pub 并导入。"))
            theme.set_role(self.status_label, "warning")
        else:
            when = info.imported_at.strftime("%Y-%m-%d") if info.imported_at else ""
            self.status_label.setText(self.tr("已导入 {0}（区划代码 {1}）的公钥{2}。请与县里电话核对下面的指纹。").format(
                info.name, info.code, self.tr("，{0} 导入").format(when) if when else ""))
            theme.set_role(self.status_label, None)
        self.fingerprint_label.set_fingerprint(info.fingerprint if info is not None else "")
        return info

    def choose_file(self):
        path = file_dialogs.ask_open_path(self, self.tr("选择县里的公钥文件"), self.tr(KEY_FILTER))
        if path is None:
            return None
        return self.import_file(path)

    def import_file(self, path):
        try:
            info = exchange_pack.trust_county(path)
        except DomainError as err:
            messages.error(self, err.message, title=self.tr("无法导入公钥"),
                           informative=self.tr("文件：{0}").format(QDir.toNativeSeparators(str(path))))
            return None
        self.load()
        messages.info(self, self.tr("已导入 {0}（区划代码 {1}）的公钥。\n请打电话与县里核对指纹：\n{2}").format(
            info.name, info.code, grouped(info.fingerprint)), title=self.tr("导入县里公钥"))
        self.imported.emit(info)
        return info


class OwnFingerprint(QWidget):
    """本乡镇签名指纹 (made on first use), to be read out to the county."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        note = QLabel(self.tr("县里第一次接收本乡镇的报送包时，会打电话请您念出这个指纹核对："), self)
        note.setWordWrap(True)
        theme.set_role(note, "hint")
        column.addWidget(note)
        self.fingerprint_label = FingerprintLabel("", self, point_size=13, per_line=8)
        column.addWidget(self.fingerprint_label)
        self.loaded = False

    def load(self) -> str:
        fingerprint = exchange_pack.township_fingerprint()
        self.fingerprint_label.set_fingerprint(fingerprint)
        self.loaded = True
        return fingerprint

    def showEvent(self, event) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if not self.loaded:   # the key pair is made the first time it is asked for
            self.load()


class TownshipExchangeBox(QFrame):
    """The settings page's 交换设置 for a township."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        frame, column = card(self, self.tr("交换设置（报送县里）"))
        intro = QLabel(self.tr("报送县里前，先填写本乡镇名称和统计用区划代码，并导入县里的公钥。"
                               "报送包在「报表打印」页的「报送县里…」中生成。"), frame)
        intro.setWordWrap(True)
        theme.set_role(intro, "hint")
        column.addWidget(intro)
        self.identity_form = IdentityForm(frame)
        column.addWidget(self.identity_form)
        self.county_key = CountyKeyBox(frame)
        column.addWidget(self.county_key)
        self.own_fingerprint = OwnFingerprint(frame)
        column.addWidget(self.own_fingerprint)
        outer.addWidget(frame)


class CountyExchangeBox(QFrame):
    """The settings page's 交换设置 for the county: its name and code, its public key's
    fingerprint and file (for the townships), the 报送期限 (``deadline_saved()`` after a change)."""

    deadline_saved = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        frame, column = card(self, self.tr("交换设置（接收乡镇报送）"))
        self.identity_form = IdentityForm(frame, county_edition=True)
        column.addWidget(self.identity_form)
        note = QLabel(self.tr("把公钥文件 county.pub 发给各乡镇导入；乡镇导入后会打电话核对下面的指纹："), frame)
        note.setWordWrap(True)
        theme.set_role(note, "hint")
        column.addWidget(note)
        info = county.county_info()
        self.fingerprint_label = FingerprintLabel(info.fingerprint, frame, point_size=13, per_line=8)
        column.addWidget(self.fingerprint_label)
        key_row = QHBoxLayout()
        self.key_path_label = QLabel(self.tr("公钥文件：{0}").format(
            QDir.toNativeSeparators(str(county.county_public_key_path()))), frame)
        self.key_path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        theme.set_role(self.key_path_label, "hint")
        key_row.addWidget(self.key_path_label, 1)
        self.export_key_button = make_button(self.tr("另存公钥文件…"), "export", parent=frame,
                                             tooltip=self.tr("把 county.pub 另存到 U 盘等位置，发给乡镇"))
        key_row.addWidget(self.export_key_button)
        column.addLayout(key_row)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(QLabel(self.tr("报送期限：年度结束后"), frame))
        self.deadline_spin = QSpinBox(frame)
        self.deadline_spin.setRange(0, 366)
        self.deadline_spin.setSuffix(self.tr(" 天"))
        self.deadline_spin.setMinimumWidth(100)
        self.deadline_spin.setValue(county.deadline_days())
        self.deadline_spin.setToolTip(self.tr("此后仍未报送或才报送的乡镇，在「报送情况」中标为逾期"))
        deadline_row.addWidget(self.deadline_spin)
        self.deadline_button = make_button(self.tr("保存"), parent=frame)
        deadline_row.addWidget(self.deadline_button)
        self.deadline_message = QLabel(frame)
        theme.set_role(self.deadline_message, "info")
        deadline_row.addWidget(self.deadline_message)
        deadline_row.addStretch(1)
        column.addLayout(deadline_row)
        outer.addWidget(frame)
        self.export_key_button.clicked.connect(self.export_key)
        self.deadline_button.clicked.connect(self.save_deadline)
        self.deadline_spin.editingFinished.connect(self.save_deadline)

    def export_key(self):
        path = file_dialogs.ask_save_path(self, self.tr("另存县级公钥"),
                                          file_dialogs.start_folder() / county.PUBLIC_KEY_FILE, self.tr(KEY_FILTER),
                                          ".pub")
        if path is None:
            return None
        try:
            written = county.export_public_key(path)
        except (DomainError, OSError) as err:
            messages.error(self, getattr(err, "message", None) or str(err), title=self.tr("无法保存公钥"))
            return None
        messages.info(self, self.tr("已保存到 {0}。\n乡镇导入后，请电话核对指纹：\n{1}").format(
            QDir.toNativeSeparators(str(written)), grouped(county.county_info().fingerprint)),
            title=self.tr("另存公钥文件"))
        return written

    def save_deadline(self) -> bool:
        saved = report_save(self.deadline_message, lambda: county.set_deadline_days(self.deadline_spin.value()))
        if saved:
            self.deadline_saved.emit()
        return saved
