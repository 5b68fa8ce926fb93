"""Three demo townships and a county (issue 15): each township is a demo database of its
own (different seeds, units renamed after it), one cadre moves from 青岭镇 to 白沙镇 in the
middle of the year; each township sets its identity, imports the county's public key,
computes its own figures and packs 2025; the county receives the three packages.

Built once per test module (``build_world``); tests that change a database work on a copy
(``copy_db``).  Only one database is open at a time (the program has one store)."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from carecenter.app import open_store, seed_rule_tables
from carecenter.db import queries
from carecenter.db.database import close_database, db
from carecenter.paths import DataPaths
from carecenter.security import exchange_crypto as xc
from carecenter.services import county, exchange_pack, exchange_setup
from carecenter.services.figures import TownshipFigures

PERIOD = 2025
TODAY = date(2025, 12, 31)
COUNTY = ("某某县", "330328000000")
#: (name, 统计用区划代码, demo seed, the demo's township names renamed to these)
TOWNSHIPS = [
    ("青岭镇", "330328101000", 11, None),
    ("白沙镇", "330328102000", 12, {"青岭镇": "白沙镇", "云溪乡": "桃源乡", "石桥镇": "河口镇", "城东街道": "城西街道"}),
    ("云岭乡", "330328203000", 13, {"青岭镇": "云岭乡", "云溪乡": "高山乡", "石桥镇": "溪口镇", "城东街道": "城南街道"}),
]
MOVED_ON = date(2025, 6, 30)


@dataclass
class Town:
    name: str
    code: str
    paths: DataPaths
    package: Path
    fingerprint: str
    figures: TownshipFigures
    signing_private: bytes


@dataclass
class World:
    root: Path
    county: DataPaths
    county_fresh: DataPaths          # the county right after ``county init``, nothing received
    pub: Path
    county_key: xc.CountyKey
    county_private: bytes
    towns: list[Town] = field(default_factory=list)
    moved: tuple[str, str] = ("", "")  # (ID number, name) of the cadre who moved


def open_db(paths: DataPaths) -> None:
    close_database()
    queries.invalidate_units()
    open_store(paths)


def copy_db(paths: DataPaths, target: Path) -> DataPaths:
    close_database()
    shutil.copytree(paths.root, target)
    return DataPaths(target)


def _rename_units(mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        db.execute_sql("UPDATE unit SET name = replace(name, ?, ?), township = replace(township, ?, ?)",
                       (old, new, old, new))
    queries.invalidate_units()


def _move_out() -> tuple[str, str, dict]:
    """The first serving cadre of 青岭镇 leaves for 白沙镇 on MOVED_ON."""
    from carecenter.services import allowance

    cid, number, name = db.execute_sql(
        "SELECT id, id_number, name FROM cadre WHERE employment_status = '在职' AND archived = 0 "
        "ORDER BY id LIMIT 1").fetchone()
    db.execute_sql("UPDATE cadre SET employment_status = '调离' WHERE id = ?", (cid,))
    allowance.save_facts(cid, {"transferred_on": MOVED_ON})
    work = db.execute_sql("SELECT work_start_date FROM cadre WHERE id = ?", (cid,)).fetchone()[0]
    return number, name, {"work_start_date": date.fromisoformat(str(work)[:10])}


def _move_in(number: str, name: str, facts: dict) -> None:
    from carecenter.services import roster
    from tests.conftest import cadre_record

    unit = db.execute_sql("SELECT id FROM unit WHERE kind = '政府' AND archived = 0 ORDER BY id LIMIT 1").fetchone()[0]
    roster.save_cadre(cadre_record(unit, name=name, id_number=number, post="党政办科员",
                                   township_start_date=date(2025, 7, 1), current_post_date=date(2025, 7, 1),
                                   **facts))


def make_township(paths: DataPaths, name: str, code: str, seed: int, mapping: dict | None, pub: Path,
                  cadres: int = 30) -> None:
    from carecenter.services import demo

    open_db(paths)
    seed_rule_tables()
    demo.build(cadres, seed=seed, history_years=2, today=TODAY)
    if mapping:
        _rename_units(mapping)
    exchange_setup.save_identity(name, code)
    exchange_pack.trust_county(pub)


def pack_town(paths: DataPaths, name: str, code: str, out: Path) -> Town:
    """Pack PERIOD from the open township database ``paths``; its figures; closed afterwards."""
    figures = exchange_pack.township_figures(PERIOD)
    result = exchange_pack.pack(PERIOD, out=out)
    private = exchange_setup.signing_key()[0]
    close_database()
    return Town(name, code, paths, out, result.signer_fingerprint, figures, private)


def build_world(root: Path) -> World:
    county_paths = DataPaths(root / "county")
    open_db(county_paths)
    county.init_county(*COUNTY)
    pub = county.export_public_key(root / "county.pub")
    key = exchange_setup.box_key()
    county_private = xc.unb64(key.private_key, xc.KEY_BYTES)
    close_database()
    fresh = copy_db(county_paths, root / "county-fresh")
    world = World(root, county_paths, fresh, pub, xc.read_county_key(pub.read_bytes(), "county.pub"), county_private)
    moved = None
    for i, (name, code, seed, mapping) in enumerate(TOWNSHIPS):
        paths = DataPaths(root / f"town{i}")
        make_township(paths, name, code, seed, mapping, pub)
        if i == 0:
            moved = _move_out()
            world.moved = moved[:2]
        elif i == 1:
            _move_in(*moved)
        world.towns.append(pack_town(paths, name, code, root / f"{name}-{PERIOD}.ccx"))
    open_db(county_paths)
    for town in world.towns:
        county.receive(town.package, trust=town.fingerprint)
    close_database()
    return world


def county_tables() -> dict[str, int]:
    """Rows per county table (what a receive may change)."""
    return {t: db.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in (
        "county_township", "county_package", "county_unit", "county_cadre", "county_leave", "county_check",
        "county_finding", "county_mental_count", "county_allowance", "county_fund", "county_welfare", "county_talk")}


# ---------------------------------------------------------------- hand-made packages

def reseal(data: bytes, world: World, town: Town, edit: Callable[[dict, dict], None], *,
           sign: bool = True, new_id: bool = True) -> bytes:
    """``data`` opened with the county's key, its manifest and parts changed by ``edit``
    (and, with ``new_id``, given a new package id), signed again with the township's key
    (unless ``sign`` is False: the old signature) and sealed to the county: a package the
    township could have made (or a forgery)."""
    opened = xc.open_package(data, "x.ccx", world.county_private)
    manifest = json.loads(opened.manifest_bytes)
    parts = {e["name"]: opened.zip.read(e["file"]) for e in manifest["parts"]}
    signature = opened.zip.read(xc.SIGNATURE_NAME)
    opened.close()
    if new_id and sign:
        manifest["package_id"] = uuid.uuid4().hex
        manifest["created_at"] = datetime.now().isoformat(timespec="microseconds")
    edit(manifest, parts)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    if sign:
        from cryptography.hazmat.primitives.asymmetric import ed25519

        signature = ed25519.Ed25519PrivateKey.from_private_bytes(town.signing_private).sign(manifest_bytes)
    files = [(xc.MANIFEST_NAME, manifest_bytes), (xc.SIGNATURE_NAME, signature)] + \
        [(e["file"], parts[e["name"]]) for e in manifest["parts"]]
    return xc.encrypt(zip_bytes(files), world.county_key)


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buffer.getvalue()


def rehash(manifest: dict, parts: dict, name: str) -> None:
    """Make the manifest's entry for part ``name`` match its (changed) bytes."""
    for entry in manifest["parts"]:
        if entry["name"] == name:
            entry["bytes"] = len(parts[name])
            entry["sha256"] = hashlib.sha256(parts[name]).hexdigest()
            entry["rows"] = parts[name].count(b"\n")
            manifest["counts"][name] = entry["rows"]
