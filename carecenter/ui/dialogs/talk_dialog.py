"""登记谈心谈话 / 修改谈话记录: who talked with whom, when, why, the gist (DOMAIN.md §5).

Checked as the clerk types by ``services.welfare.talk_problems`` (the domain's
``check_talk``): errors in red under their field once the clerk has left it;
保存 disabled with the reason in its tooltip.  Enter saves (in the multi-line
fields Enter is a new line and Ctrl+Enter saves); Esc cancels.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPlainTextEdit, QWidget

from ...domain.errors import DomainError
from ...services import welfare as welfare_service
from ...services.welfare import TalkInput
from ..widgets.cadre_picker import CadrePicker
from ..widgets.date_edit import DateEdit
from ..widgets.form_dialog import SaveFlow, add_note, dialog_column
from ..widgets.record_form import FormBase, combo_value


class TalkDialog(FormBase, SaveFlow, QDialog):
    """``TalkDialog(None, cadre_id=…)`` records a talk, ``TalkDialog(talk_id)`` edits one;
    ``saved(talk_id)``."""

    saved = Signal(int)
    TOUCH_ON_SAVE = ("*",)

    LABELS = dict(welfare_service.TALK_LABELS)
    REQUIRED = {"cadre_id", "talk_date", "talker", "trigger", "gist"}

    def __init__(self, talk_id: int | None = None, parent: QWidget | None = None, *,
                 cadre_id: int | None = None, lock_cadre: bool = False, trigger: str = "",
                 today: date | None = None):
        super().__init__(parent)
        self._init_form()
        self.talk_id = talk_id
        self.today = today
        talk = welfare_service.get_talk(talk_id) if talk_id else None
        self.lock_cadre = lock_cadre or talk is not None
        self.setModal(True)
        self.setWindowTitle(self.tr("修改谈心谈话记录 — {0}").format(talk["cadre_name"]) if talk
                            else self.tr("登记谈心谈话"))
        outer = dialog_column(self)
        form = self.make_form()
        self.form = form
        self.picker = CadrePicker(self)
        self.add_row(form, "cadre_id", self.picker)
        self.date_edit = DateEdit(self, field="talk_date", label="谈话日期")
        self.add_row(form, "talk_date", self.date_edit)
        self.talker_edit = QLineEdit(self)
        self.talker_edit.setMaxLength(60)
        self.talker_edit.setPlaceholderText(self.tr("如 镇党委书记 王某"))
        self.add_row(form, "talker", self.talker_edit)
        self.trigger_combo = QComboBox(self)
        self.trigger_combo.setMinimumWidth(180)
        for t in welfare_service.talk_triggers(today):
            self.trigger_combo.addItem(t, t)
        self.trigger_combo.setPlaceholderText(self.tr("请选择"))
        self.trigger_combo.setCurrentIndex(-1)
        self.add_row(form, "trigger", self.trigger_combo)
        self.gist_edit = QPlainTextEdit(self)
        self.gist_edit.setPlaceholderText(self.tr("谈了什么、干部的想法和需要帮助的事项"))
        self.gist_edit.setFixedHeight(96)
        self.watch_multiline(self.gist_edit)
        self.add_row(form, "gist", self.gist_edit)
        self.follow_edit = QPlainTextEdit(self)
        self.follow_edit.setPlaceholderText(self.tr("如 一个月后回访；工会跟进困难帮扶"))
        self.follow_edit.setFixedHeight(60)
        self.watch_multiline(self.follow_edit)
        self.add_row(form, "follow_up", self.follow_edit)
        self.notes_edit = QLineEdit(self)
        self.notes_edit.setMaxLength(500)
        self.add_row(form, "notes", self.notes_edit)
        outer.addLayout(form)
        add_note(outer, self.tr("谈心谈话记录只记要点，注意保护个人隐私。多行文字中按 Ctrl+Enter 保存。"))
        self.make_footer(outer)

        self.picker.cadre_changed.connect(lambda _c: self._on_edited("cadre_id"))
        self.picker.editingFinished.connect(lambda: self._on_left("cadre_id"))
        self.date_edit.edited.connect(lambda: self._on_edited("talk_date"))
        self.date_edit.editing_finished.connect(lambda: self._on_left("talk_date"))
        for edit, key in ((self.talker_edit, "talker"), (self.notes_edit, "notes")):
            edit.textEdited.connect(lambda _t, k=key: self._on_edited(k))
            edit.editingFinished.connect(lambda k=key: self._on_left(k))
        self.trigger_combo.currentIndexChanged.connect(lambda _i: self._on_choice("trigger"))
        for edit, key in ((self.gist_edit, "gist"), (self.follow_edit, "follow_up")):
            edit.textChanged.connect(lambda k=key: self._on_edited(k))
        order = [self.picker, self.date_edit.line_edit, self.talker_edit, self.trigger_combo, self.gist_edit,
                 self.follow_edit, self.notes_edit, self.save_button, self.cancel_button]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

        self._load(talk, cadre_id, trigger)
        self._loading = False
        self._validate()
        self.fit_to_screen(600, self.sizeHint().height())

    def _load(self, talk: dict[str, Any] | None, cadre_id: int | None, trigger: str) -> None:
        if talk is None:
            if cadre_id:
                self.picker.set_cadre(cadre_id)
            self.date_edit.setValue(self.today or date.today())
            if trigger:
                self.trigger_combo.setCurrentIndex(self.trigger_combo.findData(trigger))
        else:
            self.picker.set_cadre(talk["cadre_id"])
            self.date_edit.setValue(talk["talk_date"])
            self.talker_edit.setText(talk["talker"])
            if self.trigger_combo.findData(talk["trigger"]) < 0:
                self.trigger_combo.addItem(talk["trigger"], talk["trigger"])
            self.trigger_combo.setCurrentIndex(self.trigger_combo.findData(talk["trigger"]))
            self.gist_edit.setPlainText(talk["gist"])
            self.follow_edit.setPlainText(talk["follow_up"])
            self.notes_edit.setText(talk["notes"])
        if self.lock_cadre and self.picker.cadre_id is not None:
            self.picker.setReadOnly(True)
            self.picker.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            self.picker.setToolTip(self.tr("从干部详情或已有记录打开，谈话对象不能更改"))
            self.talker_edit.setFocus()
        else:
            self.picker.setFocus()

    def talk_input(self) -> TalkInput:
        return TalkInput(self.picker.cadre_id, self.date_edit.value(), self.talker_edit.text(),
                         combo_value(self.trigger_combo), self.gist_edit.toPlainText(),
                         self.follow_edit.toPlainText(), self.notes_edit.text())

    def collect_errors(self) -> list[DomainError]:
        local = []
        err = self.date_edit.error()
        if err is not None:
            local.append(err)
        if self.picker.cadre_id is None and self.picker.text().strip() and not self.lock_cadre:
            local.append(DomainError("cadre_not_chosen", "请从下拉列表中选择谈话对象（可输入姓名、拼音首字母或身份证尾号）",
                                     "cadre_id"))
        fields = {e.field for e in local}
        return local + [e for e in welfare_service.talk_problems(self.talk_input(), self.today)
                        if e.field not in fields]

    def store(self) -> int:
        self.talk_id = welfare_service.save_talk(self.talk_input(), self.talk_id, self.today)
        return self.talk_id
