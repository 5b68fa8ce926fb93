"""The printing unit's name (印在打印件页脚), edited on the reports and the settings page."""
from __future__ import annotations

from ...domain.errors import DomainError
from ...services import printing
from .. import theme


def save_unit_name(page) -> bool:
    """Store ``page.unit_name_edit``'s text as the printing unit and say so in
    ``page.unit_name_message``; a bad name is refused there with the reason."""
    try:
        printing.set_unit_name(page.unit_name_edit.text())
    except DomainError as err:
        theme.set_role(page.unit_name_message, "error")
        page.unit_name_message.setText(err.message)
        return False
    page.unit_name_edit.setText(printing.unit_name())
    theme.set_role(page.unit_name_message, "info")
    page.unit_name_message.setText(page.tr("已保存"))
    return True
