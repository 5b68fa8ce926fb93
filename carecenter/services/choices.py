"""Pick lists kept as data, seeded from resources/presets on first run."""
from __future__ import annotations

import json
from pathlib import Path

from ..db.database import db
from ..db.models import Choice
from ..paths import resource_path
from ..security.access import exempt, requires


@exempt('start-up seeding of shipped presets')
def seed_if_empty(preset_file: Path | None = None) -> int:
    """Load the preset lists into an empty choice table; return rows added."""
    if Choice.select().exists():
        return 0
    path = preset_file or resource_path("presets", "national", "choices.json")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = []
    for category, values in data.items():
        if category.startswith("_"):
            continue
        rows.extend({"category": category, "value": v, "sort_order": i} for i, v in enumerate(values))
    with db.atomic():
        Choice.insert_many(rows).execute()
    return len(rows)


@requires()
def values(category: str) -> list[str]:
    q = (Choice.select(Choice.value)
         .where((Choice.category == category) & (Choice.archived == False))  # noqa: E712
         .order_by(Choice.sort_order, Choice.id))
    return [c.value for c in q]


@requires()
def all_lists() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    q = Choice.select().where(Choice.archived == False).order_by(  # noqa: E712
        Choice.category, Choice.sort_order, Choice.id)
    for c in q:
        out.setdefault(c.category, []).append(c.value)
    return out
