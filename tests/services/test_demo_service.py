"""Demo data (services/demo.py): believable, valid by the roster rules, never mixed with real data."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from carecenter.db import queries
from carecenter.db.models import AuditLog, Cadre, FamilyMember, Unit
from carecenter.domain import idcard, pinyin
from carecenter.domain import roster as rules
from carecenter.services import choices, demo, roster

TODAY = date(2026, 11, 25)


@pytest.fixture
def generated(store):
    summary = demo.generate(200, today=TODAY)
    return summary


def test_counts(generated):
    assert generated.cadres == 200 >= 60
    assert Cadre.select().count() == 200
    assert Unit.select().count() == generated.units >= 10
    assert FamilyMember.select().count() == generated.family > 200
    assert AuditLog.select().where(AuditLog.table == "demo").count() == 1


def test_every_id_is_valid_and_agrees_with_the_record(generated):
    numbers = set()
    for c in Cadre.select():
        info = idcard.parse(c.id_number)
        assert info.number == c.id_number
        assert info.birth_date == c.birth_date, c.name
        assert info.sex == c.sex, c.name
        numbers.add(c.id_number)
    assert len(numbers) == 200


def test_every_cadre_passes_the_roster_rules(generated):
    lists = choices.all_lists()
    problems = []
    for c in Cadre.select():
        data = {f: getattr(c, f) for f in rules.CADRE_LABELS if f != "unit_id"}
        data["unit_id"] = c.unit_id
        checked = rules.check_cadre(data, lists, TODAY)
        problems += [(c.name, e.field, e.message) for e in checked.errors + checked.warnings]
    assert problems == []


def test_family_rows_pass_the_family_rules(generated):
    lists = choices.all_lists()
    by_cadre: dict[int, list[dict]] = {}
    for m in FamilyMember.select():
        by_cadre.setdefault(m.cadre_id, []).append({"name": m.name, "relation": m.relation, "phone": m.phone})
        assert m.birth_date is None or m.birth_date <= TODAY
    assert len(by_cadre) > 150
    for rows in by_cadre.values():
        assert rules.check_family(rows, lists) == []


def test_believable_spreads(generated):
    cadres = list(Cadre.select())
    sexes = Counter(c.sex for c in cadres)
    assert set(sexes) == {"男", "女"} and min(sexes.values()) >= 30
    assert len({c.rank for c in cadres}) >= 5
    assert len({c.position_category for c in cadres}) >= 2
    assert len({c.employment_status for c in cadres}) >= 3
    assert len({c.unit_id for c in cadres}) >= 10
    ages = [idcard.age_on(c.birth_date, TODAY) for c in cadres]
    assert min(ages) >= 18 and max(ages) <= 65 and max(ages) - min(ages) >= 25
    assert sum(1 for c in cadres if c.marital_status == "已婚") > 100
    relations = Counter(m.relation for m in FamilyMember.select())
    assert {"配偶", "子女", "父亲", "母亲"} <= set(relations)


def test_pinyin_keys_stored(generated):
    for c in Cadre.select().limit(50):
        assert c.name_initials == pinyin.initials_key(c.name)


def test_demo_rows_visible_to_roster_queries(generated):
    rows = queries.roster_page(queries.RosterFilter(), limit=500)
    assert len(rows) == 200
    assert all(r[4] for r in rows)  # every row shows a unit name


def test_deterministic_by_seed(tmp_path, store):
    demo.generate(80, seed=7, today=TODAY)
    first = [(c.name, c.id_number) for c in Cadre.select().order_by(Cadre.id)]
    from carecenter.app import open_store
    from carecenter.paths import DataPaths
    open_store(DataPaths(tmp_path / "again"))
    demo.generate(80, seed=7, today=TODAY)
    assert [(c.name, c.id_number) for c in Cadre.select().order_by(Cadre.id)] == first


def test_refuses_a_database_with_cadres(generated):
    before = (Unit.select().count(), Cadre.select().count())
    with pytest.raises(RuntimeError) as exc:
        demo.generate(10)
    assert "空数据库" in str(exc.value)
    assert (Unit.select().count(), Cadre.select().count()) == before


def test_refuses_a_database_with_only_a_unit(unit):
    with pytest.raises(RuntimeError):
        demo.generate(10)
    assert Cadre.select().count() == 0
    assert Unit.select().count() == 1


def test_roster_services_work_on_demo_data(generated):
    c = Cadre.select().first()
    data = roster.get_cadre(c.id)
    family = data.pop("family")
    result = roster.save_cadre(data, family, cadre_id=c.id)
    assert result.changes == {}
