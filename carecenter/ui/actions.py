"""Actions shared by several screens (the roster page and the detail window)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from ..domain.errors import DomainError
from ..services import roster as roster_service
from . import messages


def _tr(text: str) -> str:
    return QCoreApplication.translate("actions", text)


def open_dialog(owner: QWidget, dialog, on_saved, *, signal: str = "saved", attr: str = "dialog") -> None:
    """Open ``dialog`` window-modal as ``owner.<attr>``; ``on_saved`` gets its ``signal``
    (``saved`` by default); when it closes, the attribute is cleared and it is deleted."""
    setattr(owner, attr, dialog)
    getattr(dialog, signal).connect(on_saved)

    def finished(_result: int) -> None:
        if getattr(owner, attr, None) is dialog:
            setattr(owner, attr, None)
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


def set_cadre_archived(parent: QWidget | None, cadre_id: int, name: str, archived: bool) -> bool:
    """Confirm naming the person, then archive or restore; True when it was done."""
    if archived:
        text = _tr("确定将 {0} 归档？归档后可在「显示已归档」中恢复").format(name)
        ok = _tr("归档")
    else:
        text = _tr("确定恢复 {0}？恢复后重新计入在册干部").format(name)
        ok = _tr("恢复")
    if not messages.confirm(parent, text, ok):
        return False
    try:
        roster_service.set_cadre_archived(cadre_id, archived)
    except DomainError as err:
        messages.error(parent, err.message)
        return False
    return True


def set_unit_archived(parent: QWidget | None, unit_id: int, name: str, archived: bool,
                      cadre_count: int = 0) -> bool:
    """Archive or restore a unit.  A unit that still has cadres is refused by the
    service; then its message is shown straight away, without asking first."""
    if archived and cadre_count:
        try:
            roster_service.set_unit_archived(unit_id, True)
        except DomainError as err:
            messages.error(parent, err.message)
            return False
        return True
    if archived:
        text = _tr("确定将单位 {0} 归档？归档后可在「显示已归档」中恢复").format(name)
        ok = _tr("归档")
    else:
        text = _tr("确定恢复单位 {0}？").format(name)
        ok = _tr("恢复")
    if not messages.confirm(parent, text, ok):
        return False
    try:
        roster_service.set_unit_archived(unit_id, archived)
    except DomainError as err:
        messages.error(parent, err.message)
        return False
    return True
