"""The printing unit's name (印在打印件页脚), edited on the reports and the settings page, and the
line beside a setting's 保存 that says it was saved or why not."""
from __future__ import annotations

from typing import Any, Callable

from ...domain.errors import DomainError
from ...services import printing
from .. import theme


def report_save(message, save: Callable[[], Any]) -> bool:
    """Run ``save``; ``message`` (a QLabel) then says 已保存, or the refusal's reason."""
    try:
        save()
    except DomainError as err:
        theme.set_role(message, "error")
        message.setText(err.message)
        return False
    theme.set_role(message, "info")
    message.setText(message.tr("已保存"))
    return True


def save_unit_name(page) -> bool:
    """Store ``page.unit_name_edit``'s text as the printing unit and say so in
    ``page.unit_name_message``; a bad name is refused there with the reason."""
    if not report_save(page.unit_name_message, lambda: printing.set_unit_name(page.unit_name_edit.text())):
        return False
    page.unit_name_edit.setText(printing.unit_name())
    return True
