"""Receiving packages at the county (issue 15): replay, replacement and older packages,
tampered, truncated and oversized files, another county's package, unknown and changed
township keys, a renamed township, newer versions, bad parts and rows, zip bombs.  Every
refusal changes nothing but the audit trail, which records it."""
from __future__ import annotations

import json
import struct
from dataclasses import replace
from datetime import date

import pytest

from carecenter.db.database import close_database, db
from carecenter.db.models import ExchangeKey
from carecenter.domain import exchange_rows as xr
from carecenter.domain.errors import DomainError
from carecenter.security import exchange_crypto as xc
from carecenter.services import county, exchange_setup
from tests.exchange.exchange_world import (PERIOD, build_world, copy_db, county_tables, open_db, pack_town, rehash,
                                           reseal, zip_bytes)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_world(tmp_path_factory.mktemp("receive-world"))
    yield built
    close_database()


@pytest.fixture
def county_copy(world, tmp_path):
    """A copy of the county that received the three packages, open."""
    paths = copy_db(world.county, tmp_path / "county")
    open_db(paths)
    yield paths
    close_database()


def refused(path, error, **kwargs):
    """``receive`` refuses ``path`` with ``error``; nothing but the audit row changes."""
    before = county_tables()
    audit_rows = db.execute_sql("SELECT count(*) FROM audit_log WHERE action = 'receive_refused'").fetchone()[0]
    with pytest.raises(error) as err:
        county.receive(path, **kwargs)
    assert county_tables() == before
    assert db.execute_sql("SELECT count(*) FROM audit_log WHERE action = 'receive_refused'").fetchone()[0] == \
        audit_rows + 1
    return err.value


def resealed(world, path, edit, town=None, **kwargs):
    """The world's first package changed by ``edit`` (``exchange_world.reseal``), written to ``path``."""
    town = town or world.towns[0]
    path.write_bytes(reseal(world.towns[0].package.read_bytes(), world, town, edit, **kwargs))
    return path


def repack(world, town, tmp_path, change=None, name="again.ccx"):
    """Pack ``town`` again from a copy of its database (after ``change`` ran in it)."""
    paths = copy_db(town.paths, tmp_path / f"town-{name}")
    open_db(paths)
    if change is not None:
        change()
    own = exchange_setup.identity()
    return pack_town(paths, own.name, own.code, tmp_path / name)


# ---------------------------------------------------------------- replay and replacement

def test_the_same_package_twice_changes_nothing(world, county_copy):
    before = county_tables()
    result = county.receive(world.towns[0].package)
    assert result.status == "duplicate" and result.message == "已接收过，未作改动"
    assert county_tables() == before


def test_a_newer_package_replaces_the_current_one_and_an_older_one_is_refused(world, tmp_path):
    town = world.towns[0]
    older = repack(world, town, tmp_path, name="older.ccx")
    newer = repack(world, town, tmp_path, name="newer.ccx")
    paths = copy_db(world.county, tmp_path / "county")
    open_db(paths)
    try:
        result = county.receive(newer.package)
        assert result.status == "replaced" and result.replaced_package_id and "保留为历史快照" in result.message
        history = county.snapshots(town.code)
        assert [s.current for s in history] == [True, False]
        assert history[1].superseded_by == result.package_id and history[1].superseded_at is not None
        assert county.summary(PERIOD).townships[0].cadres == town.figures.cadres
        err = refused(older.package, county.OlderPackage)
        assert "较早" in err.message and "未作改动" in err.message
        assert county.roster_count() == len({r[0] for r in county.roster_page("", 0, 10_000)})
    finally:
        close_database()


def test_overlapping_packages_of_one_year_the_one_made_later_is_current(world, tmp_path, monkeypatch):
    """Periods are calendar years: a half-year package made after the whole-year one
    replaces it (made later), and the receipt says it reaches less far."""
    from carecenter.services import exchange_pack

    town = world.towns[1]
    paths = copy_db(town.paths, tmp_path / "town")
    open_db(paths)
    half = exchange_pack.pack(PERIOD, date(2025, 6, 30), tmp_path / "half.ccx")
    close_database()
    county_paths = copy_db(world.county, tmp_path / "county")
    open_db(county_paths)
    try:
        result = county.receive(half.path)
        assert result.status == "replaced" and any("早于被替换的一份" in w for w in result.warnings)
        row = [r for r in county.summary(PERIOD).townships if r.code == town.code][0]
        assert row.as_of == date(2025, 6, 30) and row.allowance_total_fen == 0
        monkeypatch.setattr(county, "clock", lambda: county.datetime(2027, 1, 5, 9, 0))
        late = {r.code: r for r in county.submissions(PERIOD, deadline=date(2026, 12, 31))}[town.code]
        assert late.late and "未覆盖全年" in late.late_text
    finally:
        close_database()


def test_a_renamed_township_keeps_its_code_and_the_old_snapshot_its_name(world, tmp_path):
    town = world.towns[2]
    renamed = repack(world, town, tmp_path, lambda: exchange_setup.save_identity("云岭镇", town.code),
                     name="renamed.ccx")
    paths = copy_db(world.county, tmp_path / "county")
    open_db(paths)
    try:
        result = county.receive(renamed.package)
        assert result.renamed_from == "云岭乡" and any("云岭镇" in w for w in result.warnings)
        assert [r.name for r in county.summary(PERIOD).townships if r.code == town.code] == ["云岭镇"]
        assert [s.township_name for s in county.snapshots(town.code)] == ["云岭镇", "云岭乡"]
    finally:
        close_database()


# ---------------------------------------------------------------- damaged files

@pytest.mark.parametrize("where, error", [
    ("magic", xc.NotAPackage), ("header", xc.PackageDamaged), ("ciphertext", xc.PackageDamaged),
    ("tag", xc.PackageDamaged)])
def test_a_flipped_byte_is_refused(world, county_copy, tmp_path, where, error):
    data = bytearray(world.towns[1].package.read_bytes())
    header = xc.read_header(bytes(data), "x")
    at = {"magic": 2, "header": header.raw.index(b'"nonce"') + 12, "ciphertext": len(header.raw) + 100,
          "tag": len(data) - 1}[where]
    data[at] ^= 0x04
    bad = tmp_path / "flipped.ccx"
    bad.write_bytes(bytes(data))
    err = refused(bad, error)
    assert "flipped.ccx" in err.message


@pytest.mark.parametrize("keep", [5, 20, 200, -1])
def test_a_truncated_package_is_refused(world, county_copy, tmp_path, keep):
    data = world.towns[1].package.read_bytes()
    cut = tmp_path / "cut.ccx"
    cut.write_bytes(data[:keep] if keep > 0 else data[:keep])
    err = refused(cut, (xc.PackageTruncated, xc.NotAPackage))
    assert "不完整" in err.message or "不是关心关爱中心的报送包" in err.message


def test_a_package_larger_than_the_limit_is_refused_before_it_is_read(world, county_copy, monkeypatch):
    monkeypatch.setattr(xc, "LIMITS", replace(xc.LIMITS, max_package_bytes=1000))
    err = refused(world.towns[1].package, xc.PackageTooLarge)
    assert "超过报送包的上限" in err.message


def test_a_package_for_another_county_is_refused_naming_both_fingerprints(world, county_copy, tmp_path):
    other_private, other_public = xc.new_box_key()
    other = xc.CountyKey("另一县", "330329000000", other_public)
    data = xc.encrypt(b"not even a zip", other)
    path = tmp_path / "other.ccx"
    path.write_bytes(data)
    err = refused(path, xc.WrongCounty)
    assert other.fingerprint in err.message and county.county_info().fingerprint in err.message
    assert "另一县" in err.message


def test_a_package_passed_on_from_another_county_is_refused(world, county_copy, tmp_path):
    """Signed for one county, re-encrypted to this one: the signed manifest names the first."""
    def edit(manifest, parts):
        manifest["recipient"] = {"name": "另一县", "code": "330329000000", "fingerprint": "AAAA-" * 7 + "AAAA"}

    path = resealed(world, tmp_path / "forwarded.ccx", edit)
    err = refused(path, xc.WrongCounty)
    assert "另一县" in err.message


def test_a_township_of_another_county_is_refused(world, county_copy, tmp_path):
    def edit(manifest, parts):
        manifest["township"]["code"] = "330329101000"

    path = resealed(world, tmp_path / "neighbour.ccx", edit)
    err = refused(path, county.OtherCountyTownship)
    assert "330329101000" in err.message and "不属于某某县" in err.message


# ---------------------------------------------------------------- township keys

def _new_key():
    with db.atomic():
        exchange_setup._make_key(exchange_setup.KIND_TOWNSHIP_SIGN)


def test_an_unknown_township_is_received_only_with_its_fingerprint_confirmed(world, tmp_path):
    town = world.towns[0]
    newcomer = repack(world, town, tmp_path, lambda: (exchange_setup.save_identity("新建镇", "330328104000"),
                                                      _new_key()), name="newcomer.ccx")
    paths = copy_db(world.county, tmp_path / "county")
    open_db(paths)
    try:
        err = refused(newcomer.package, county.UnknownTownshipKey)
        assert (err.fingerprint, err.code, err.name) == (newcomer.fingerprint, "330328104000", "新建镇")
        assert newcomer.fingerprint in err.message and "--trust" in err.message
        wrong = town.fingerprint
        err = refused(newcomer.package, county.FingerprintMismatch, trust=wrong)
        assert wrong in err.message and newcomer.fingerprint in err.message
        typed = newcomer.fingerprint.lower().replace("-", " ")
        result = county.receive(newcomer.package, trust=typed)
        assert result.status == "received" and result.code == "330328104000"
        assert [s.code for s in county.submissions(PERIOD, date(2026, 1, 31))].count("330328104000") == 1
    finally:
        close_database()


def test_a_registered_township_without_a_key_confirms_it_with_its_first_package(world, tmp_path):
    town = world.towns[0]
    paths = copy_db(world.county_fresh, tmp_path / "county")
    open_db(paths)
    try:
        county.add_township(town.code, "青岭")
        with pytest.raises(DomainError, match="不属于"):
            county.add_township("330329101000", "邻县某镇")
        err = refused(town.package, county.UnknownTownshipKey)
        assert err.fingerprint == town.fingerprint
        result = county.receive(town.package, trust=town.fingerprint)
        assert result.status == "received" and result.renamed_from == "青岭"
        said = db.execute_sql("SELECT summary FROM audit_log WHERE action = 'update' AND summary LIKE '%签名密钥%'").fetchall()
        assert [r[0] for r in said] == [f"确认青岭镇（{town.code}）的签名密钥指纹 {town.fingerprint}"]
    finally:
        close_database()


def test_a_changed_township_key_is_refused_with_both_fingerprints_until_confirmed(world, tmp_path):
    town = world.towns[1]
    rekeyed = repack(world, town, tmp_path, _new_key, name="rekeyed.ccx")
    assert rekeyed.fingerprint != town.fingerprint
    paths = copy_db(world.county, tmp_path / "county")
    open_db(paths)
    try:
        err = refused(rekeyed.package, county.ChangedTownshipKey)
        assert town.fingerprint in err.message and rekeyed.fingerprint in err.message
        assert (err.old_fingerprint, err.fingerprint) == (town.fingerprint, rekeyed.fingerprint)
        result = county.receive(rekeyed.package, trust=rekeyed.fingerprint)
        assert result.status == "replaced"
        audit = db.execute_sql("SELECT summary FROM audit_log WHERE summary LIKE '%签名密钥经核对后更换%'").fetchall()
        assert len(audit) == 1
    finally:
        close_database()


def test_a_package_signed_by_another_key_than_it_names_is_refused(world, county_copy, tmp_path):
    forger_private, _ = xc.new_signing_key()
    forger = replace(world.towns[0], signing_private=forger_private)

    def edit(manifest, parts):
        pass        # the manifest as the township made it, signed with another key than it names

    path = resealed(world, tmp_path / "forged.ccx", edit, town=forger)
    err = refused(path, xc.BadSignature)
    assert "签名不正确" in err.message


def test_a_package_id_used_again_for_other_content_is_refused(world, county_copy, tmp_path):
    def edit(manifest, parts):
        manifest["app"]["platform"] = "Windows"

    path = resealed(world, tmp_path / "same-id.ccx", edit, new_id=False)
    err = refused(path, county.PackageConflict)
    assert "内容不同" in err.message


def test_a_manifest_changed_after_signing_is_refused(world, county_copy, tmp_path):
    def edit(manifest, parts):
        manifest["period"] = PERIOD - 1

    path = resealed(world, tmp_path / "edited.ccx", edit, sign=False)
    refused(path, xc.BadSignature)


# ---------------------------------------------------------------- versions, parts, rows, limits

@pytest.mark.parametrize("what", ["container", "format", "schema"])
def test_a_package_from_a_newer_version_is_refused(world, county_copy, tmp_path, what):
    data = world.towns[0].package.read_bytes()
    if what == "container":
        data = data[:len(xc.MAGIC)] + struct.pack(">H", xc.CONTAINER_VERSION + 1) + data[len(xc.MAGIC) + 2:]
    else:
        def edit(manifest, parts):
            key = "format_version" if what == "format" else "schema_version"
            manifest[key] += 1

        data = reseal(data, world, world.towns[0], edit)
    path = tmp_path / f"{what}.ccx"
    path.write_bytes(data)
    err = refused(path, xc.PackageTooNew)
    assert "更新版本" in err.message and "升级" in err.message


def test_a_part_that_does_not_match_its_hash_is_refused(world, county_copy, tmp_path):
    def edit(manifest, parts):
        lines = parts["welfare"].split(b"\n")
        row = json.loads(lines[0])
        row[3] += 100
        lines[0] = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        parts["welfare"] = b"\n".join(lines)

    path = resealed(world, tmp_path / "welfare.ccx", edit)
    err = refused(path, xc.PartMismatch)
    assert "welfare" in err.message


def test_rows_are_checked_like_an_import(world, county_copy, tmp_path):
    def edit(manifest, parts):
        lines = parts["cadres"].rstrip(b"\n").split(b"\n")
        row = json.loads(lines[2])
        row[0] = row[0][:-1] + ("0" if row[0][-1] != "0" else "1")     # a wrong check character
        row[6] = "2025-02-30"
        lines[2] = json.dumps(row, ensure_ascii=False).encode("utf-8")
        leave = json.loads(parts["leave"].split(b"\n")[0])
        leave[4] = 1.25
        parts["leave"] = json.dumps(leave).encode("utf-8") + b"\n" + parts["leave"].split(b"\n", 1)[1]
        parts["cadres"] = b"\n".join(lines) + b"\n"
        rehash(manifest, parts, "cadres")
        rehash(manifest, parts, "leave")

    path = resealed(world, tmp_path / "rows.ccx", edit)
    err = refused(path, xr.InvalidRows)
    assert "干部名册第 3 行「id_number」" in err.message and "校验位" in err.message
    assert "请休假第 1 行「days」" in err.message


def test_a_zip_bomb_is_refused_before_it_is_decompressed(world, county_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(xc, "LIMITS", replace(xc.LIMITS, max_part_bytes=4 * 1024 * 1024,
                                              ratio_from_bytes=64 * 1024))
    for size, said in ((5 * 1024 * 1024, "解压后有"), (1024 * 1024, "压缩比超过")):
        bomb = zip_bytes([(xc.MANIFEST_NAME, b"{}"), (xc.SIGNATURE_NAME, b"x" * 64),
                          ("parts/cadres.jsonl", b"\n" * size)])
        path = tmp_path / "bomb.ccx"
        path.write_bytes(xc.encrypt(bomb, world.county_key))
        err = refused(path, xc.PackageLimit)
        assert said in err.message and "没有解压" in err.message


def test_a_part_listed_twice_or_missing_is_refused(world, county_copy, tmp_path):
    def edit(manifest, parts):
        manifest["parts"] = [p for p in manifest["parts"] if p["name"] != "talks"]

    path = resealed(world, tmp_path / "missing.ccx", edit)
    err = refused(path, xc.PartMismatch)
    assert "talks" in err.message


def test_not_a_county_database(world):
    open_db(world.towns[0].paths)
    try:
        with pytest.raises(county.NotCountyDatabase):
            county.receive(world.towns[1].package)
        with pytest.raises(county.NotCountyDatabase):
            county.summary(PERIOD)
        assert not county.is_county_database()
    finally:
        close_database()


def test_every_refusal_is_in_the_audit_trail_with_the_file_name(world, county_copy, tmp_path):
    bad = tmp_path / "坏的.ccx"
    bad.write_bytes(b"hello")
    refused(bad, xc.NotAPackage)
    row = db.execute_sql("SELECT summary FROM audit_log WHERE action = 'receive_refused' ORDER BY id DESC").fetchone()
    assert "坏的.ccx" in row[0] and "不是关心关爱中心的报送包" in row[0]
    assert ExchangeKey.select().where(ExchangeKey.kind == exchange_setup.KIND_COUNTY_BOX).count() == 1
