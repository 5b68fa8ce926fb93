"""A cadre picker: type a name, pinyin initials or the tail of the ID number; the
list shows unit and post so namesakes can be told apart (UI.md "Forms")."""
from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from ...db import queries


def describe(row: tuple) -> str:
    cid, name, unit, post, id_number = row
    tail = id_number[-4:] if id_number else ""
    parts = [p for p in (unit, post) if p]
    return f"{name}（{' · '.join(parts)}{' · 证件尾号 ' + tail if tail else ''}）"


class CadrePicker(QLineEdit):
    """``cadre_id`` is the chosen cadre or None; ``cadre_changed`` fires on every change."""

    cadre_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPlaceholderText(self.tr("输入姓名、拼音首字母或身份证尾号，再从列表中选择"))
        self._rows: list[tuple] = []
        self._labels: dict[str, int] = {}
        self._cadre_id: int | None = None
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(12)
        completer.activated[str].connect(self._on_chosen)
        self.setCompleter(completer)
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self._refresh)
        self.textEdited.connect(self._on_text_edited)
        self.setMinimumWidth(320)

    @property
    def cadre_id(self) -> int | None:
        return self._cadre_id

    def set_cadre(self, cadre_id: int | None) -> None:
        row = queries.picker_label(cadre_id) if cadre_id else None
        self._cadre_id = row[0] if row else None
        self.setText(describe(row) if row else "")
        self.cadre_changed.emit(self._cadre_id)

    def _on_text_edited(self, _text: str) -> None:
        if self._cadre_id is not None:
            self._cadre_id = None
            self.cadre_changed.emit(None)
        self._timer.start()

    def search_now(self) -> None:
        """Run the pending search at once (tests and Enter)."""
        self._timer.stop()
        self._refresh()

    def _refresh(self) -> None:
        text = self.text().strip()
        self._rows = queries.picker_search(text) if text else []
        labels = [describe(r) for r in self._rows]
        self._labels = {label: r[0] for label, r in zip(labels, self._rows)}
        self._model.setStringList(labels)
        if labels:
            self.completer().complete()
        if len(self._rows) == 1 and text and self._rows[0][1] == text:
            self._on_chosen(labels[0])

    def _on_chosen(self, label: str) -> None:
        cadre_id = self._labels.get(label)
        if cadre_id is None:
            return
        self._cadre_id = cadre_id
        self.setText(label)
        self.cadre_changed.emit(cadre_id)

    def choose_first(self) -> bool:
        """Pick the first match (keyboard: type, then Enter)."""
        self.search_now()
        if self._rows:
            self._on_chosen(describe(self._rows[0]))
            return True
        return False
