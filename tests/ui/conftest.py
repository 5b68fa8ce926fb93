"""UI fixtures: the real main window on a fresh store, message boxes that answer themselves."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.helpers import main_window


class Boxes:
    """Stands in for ``QMessageBox.exec``: records each box and answers from a queue (default OK)."""

    def __init__(self):
        self.shown: list[dict] = []
        self.answers: list[QMessageBox.StandardButton] = []

    def exec(self, box: QMessageBox) -> int:
        self.shown.append({"title": box.windowTitle(), "text": box.text(), "icon": box.icon(),
                           "buttons": [b.text() for b in box.buttons()], "informative": box.informativeText()})
        answer = self.answers.pop(0) if self.answers else QMessageBox.StandardButton.Ok
        return int(answer.value)

    @property
    def texts(self) -> list[str]:
        return [b["text"] for b in self.shown]


@pytest.fixture
def boxes(monkeypatch):
    recorder = Boxes()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: recorder.exec(box))
    return recorder


@pytest.fixture
def themed(qapp):
    from carecenter.ui import theme

    theme.apply(qapp)
    return qapp


@pytest.fixture
def window(store, themed, qtbot, boxes):
    """The real main window on a fresh, empty store (tmp_path/data)."""
    with main_window(qtbot, store, demo=False) as w:
        w.set_page("roster")  # most flows start from the roster, as a clerk would click to it
        yield w


@pytest.fixture
def add_unit(store):
    from carecenter.services import roster

    def _add(name="青岭镇人民政府", **extra):
        data = {"name": name, "kind": "政府", "township": "青岭镇", "township_category": "镇"}
        data.update(extra)
        return roster.save_unit(data).id

    return _add


@pytest.fixture
def add_cadre(store):
    """Add a cadre through the service (for tests whose subject is not the dialog)."""
    from carecenter.services import roster

    def _add(name, id_number, unit_id, **extra):
        data = {"name": name, "id_number": id_number, "unit_id": unit_id, "employment_status": "在职"}
        data.update(extra)
        return roster.save_cadre(data).id

    return _add


def valid_id(region: str, birth: str, seq: int) -> str:
    from carecenter.domain import idcard

    body = f"{region}{birth}{seq:03d}"
    return body + idcard.check_digit(body)


@pytest.fixture
def make_id():
    return valid_id


def _type_text(widget, text: str) -> None:
    """Type like a clerk: focus the field, then every character as a key press carrying its text.

    ``QTest.keyClicks`` only knows ASCII (it aborts on Chinese), while a real
    keyboard/IME delivers Chinese characters as key events with text, which is
    what this sends."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()  # the clerk clicks into the field first
    for ch in text:
        key = Qt.Key.Key_unknown
        if ch.isascii() and ch.isalnum():
            key = Qt.Key(ord(ch.upper()))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def type_text():
    return _type_text


@pytest.fixture(autouse=True)
def encryption_offers(monkeypatch):
    """The test stores are plaintext: a 系统管理员's sign-in would offer to encrypt them in
    a modal dialog.  Recorded here instead (the offer itself is tested on its own, in
    test_encryption_dialogs.py, which uses the real function)."""
    from carecenter.ui.dialogs import encryption_dialogs

    class Offers(list):
        real = staticmethod(encryption_dialogs.offer_encryption)

    offers = Offers()
    monkeypatch.setattr(encryption_dialogs, "offer_encryption", lambda *a, **k: offers.append(a) or False)
    return offers
