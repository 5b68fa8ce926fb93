"""Audit trail: every change made through a service is written here (DOMAIN.md §6)."""
from __future__ import annotations

import getpass
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..db.models import AuditLog


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. some service accounts)
        return "unknown"


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):  # day counts (2.5): kept exact, JSON-safe
        return int(value) if value == value.to_integral_value() else str(value.normalize())
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    out = {}
    for key, value in new.items():
        before = old.get(key)
        if _plain(before) != _plain(value):
            out[key] = [_plain(before), _plain(value)]
    return out


def record(action: str, table: str, record_uuid: str, summary: str = "",
           changes: dict[str, Any] | None = None) -> None:
    AuditLog.create(
        user=current_user(),
        action=action,
        table=table,
        record_uuid=record_uuid,
        summary=summary[:200],
        changes=json.dumps(changes or {}, ensure_ascii=False),
    )


def history(record_uuid: str) -> list[tuple]:
    """(at, user, action, summary, changes-dict) for one record, newest first."""
    rows = (AuditLog.select().where(AuditLog.record_uuid == record_uuid)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc()))
    return [(r.at, r.user, r.action, r.summary, json.loads(r.changes or "{}")) for r in rows]
