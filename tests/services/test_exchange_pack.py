"""The township's side of the exchange (issue 15): 交换设置 (name and 统计用区划代码, the
county's public key, the township's fingerprint) and 报送县里 (the package: what it holds,
what it leaves out, the list of made packages, the audit, the refusals)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from carecenter.db.database import db
from carecenter.db.models import ExchangeSent
from carecenter.domain import exchange_rows as xr
from carecenter.domain.errors import DomainError, ValidationError
from carecenter.security import access
from carecenter.security import exchange_crypto as xc
from carecenter.services import exchange_pack, exchange_setup

PERIOD = 2025


@pytest.fixture
def township(store, tmp_path):
    """A demo township (30 cadres, 2025 and 2024) with its identity set and a county key
    imported; returns the county's private key and the county.pub path."""
    from carecenter.app import seed_rule_tables
    from carecenter.services import demo

    seed_rule_tables()
    demo.build(30, seed=21, history_years=2, today=date(2025, 12, 31))
    exchange_setup.save_identity("青岭镇", "330328101000")
    private, public = xc.new_box_key()
    pub = tmp_path / "county.pub"
    pub.write_bytes(xc.county_key_file(xc.CountyKey("某某县", "330328000000", public, "2026-01-01T00:00:00")))
    exchange_pack.trust_county(pub)
    return private, pub


def audit_rows(action: str) -> list[str]:
    return [r[0] for r in db.execute_sql("SELECT summary FROM audit_log WHERE action = ? ORDER BY id", (action,))]


# ---------------------------------------------------------------- 交换设置

@pytest.mark.parametrize("name, code, county, field, said", [
    ("", "330328101000", False, "name", "请填写乡镇名称"),
    ("青岭镇", "", False, "code", "12 位统计用区划代码"),
    ("青岭镇", "33032810100", False, "code", "应为 12 位数字"),
    ("青岭镇", "3303281010OO", False, "code", "应为 12 位数字"),
    ("青岭镇", "330328000000", False, "code", "县级的区划代码"),
    ("某某县", "330328101000", True, "code", "后 6 位应为 0"),
])
def test_identity_is_checked(name, code, county, field, said):
    errors = exchange_setup.identity_problems(name, code, county=county)
    assert [e.field for e in errors] == [field] and said in errors[0].message


def test_identity_is_saved_and_audited(store):
    with pytest.raises(ValidationError):
        exchange_setup.save_identity("青岭镇", "12345")
    saved = exchange_setup.save_identity(" 青岭镇 ", "330328101000")
    assert saved == exchange_setup.identity() == exchange_setup.Identity("青岭镇", "330328101000")
    assert saved.county_code == "330328"
    exchange_setup.save_identity("青岭镇", "330328101000")      # unchanged: not audited again
    assert len(audit_rows("settings")) == 1
    # the township's signing key is made with its exchange set-up, once
    assert len(audit_rows("exchange_key")) == 1
    exchange_setup.save_identity("青岭镇（新名）", "330328101000")
    assert len(audit_rows("exchange_key")) == 1


def test_the_township_key_is_made_once_at_the_first_need(store):
    assert audit_rows("exchange_key") == []
    first = exchange_pack.township_fingerprint()
    assert first == exchange_pack.township_fingerprint() == exchange_setup.signing_key()[1]
    assert len(first) == 39 and first.count("-") == 7
    assert len(audit_rows("exchange_key")) == 1 and first in audit_rows("exchange_key")[0]


def test_the_county_key_file_is_checked(store, tmp_path):
    exchange_setup.save_identity("青岭镇", "330328101000")
    _private, public = xc.new_box_key()
    good = xc.county_key_file(xc.CountyKey("某某县", "330328000000", public))
    cases = {"junk.pub": b"not json", "fp.pub": good.replace(b'"fingerprint": "', b'"fingerprint": "X'),
             "short.pub": good.replace(xc.b64(public).encode(), xc.b64(public[:20]).encode())}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(xc.CountyKeyInvalid):
            exchange_pack.trust_county(tmp_path / name)
    other = tmp_path / "other.pub"
    other.write_bytes(xc.county_key_file(xc.CountyKey("另一县", "330329000000", public)))
    with pytest.raises(DomainError, match="不属于「另一县」"):
        exchange_pack.trust_county(other)
    with pytest.raises(DomainError, match="找不到文件"):
        exchange_pack.trust_county(tmp_path / "none.pub")
    assert exchange_pack.county_key_info() is None
    (tmp_path / "county.pub").write_bytes(good)
    info = exchange_pack.trust_county(tmp_path / "county.pub")
    assert (info.name, info.code, info.fingerprint) == ("某某县", "330328000000", xc.fingerprint(public))
    _p2, public2 = xc.new_box_key()
    (tmp_path / "new.pub").write_bytes(xc.county_key_file(xc.CountyKey("某某县", "330328000000", public2)))
    assert exchange_pack.trust_county(tmp_path / "new.pub").fingerprint == xc.fingerprint(public2)
    trusted = audit_rows("exchange_trust")
    assert len(trusted) == 2 and xc.fingerprint(public2) in trusted[1]


def test_fingerprints_are_typed_forgivingly():
    fp = xc.fingerprint(b"key")
    assert xc.normalize_fingerprint(fp.lower().replace("-", " ")) == fp
    assert xc.normalize_fingerprint(fp.replace("0", "O").replace("1", "l")) == fp
    with pytest.raises(xc.FingerprintMistyped, match="32 个字符"):
        xc.normalize_fingerprint(fp[:-1])
    with pytest.raises(xc.FingerprintMistyped, match="「U」"):
        xc.normalize_fingerprint("U" + fp[1:])


# ---------------------------------------------------------------- 报送县里

def open_package(result, private) -> tuple[dict, dict[str, list]]:
    opened = xc.open_package(result.path.read_bytes(), result.path.name, private)
    try:
        return opened.manifest, {name: opened.rows(name) for name in xr.PARTS}
    finally:
        opened.close()


def test_a_package_holds_the_period_and_leaves_confidential_content_out(township, tmp_path):
    private, _pub = township
    result = exchange_pack.pack(PERIOD, out=tmp_path / "青岭镇-2025.ccx")
    manifest, parts = open_package(result, private)
    assert manifest["township"] == {"name": "青岭镇", "code": "330328101000"}
    assert (manifest["period"], manifest["through"]) == (PERIOD, "2025-12-31")
    assert manifest["counts"] == {n: len(rows) for n, rows in parts.items()} == result.counts
    assert manifest["signer"]["fingerprint"] == result.signer_fingerprint == exchange_pack.township_fingerprint()
    assert len(parts["cadres"]) == len(parts["figures"]) == 30
    for name, rows in parts.items():
        assert [len(r) for r in rows] == [len(xr.PARTS[name])] * len(rows)
    text = json.dumps(parts, ensure_ascii=False)
    phones = [r[0] for r in db.execute_sql("SELECT phone FROM cadre")]
    gists = [r[0] for r in db.execute_sql("SELECT gist FROM talk_record")]
    mental = [r[0] for r in db.execute_sql("SELECT summary FROM mental_record WHERE summary != ''")]
    assert not any(p in text for p in phones) and not any(g in text for g in gists)
    assert not any(m in text for m in mental)
    counted = db.execute_sql("SELECT count(*) FROM mental_record WHERE archived = 0 AND record_date >= '2025-01-01'"
                             ).fetchone()[0]
    assert sum(r[2] for r in parts["mental"]) == counted
    for name, at in (("leave", 2), ("welfare", 2), ("talks", 1), ("checks", 1), ("allowance", 1)):
        assert all("2025-01-01" <= r[at] <= "2025-12-31" for r in parts[name]), name
    locked = db.execute_sql("SELECT sum(l.amount_fen) FROM allowance_line l JOIN allowance_batch b ON b.id = l.batch_id "
                            "WHERE b.status = '已锁定' AND l.archived = 0").fetchone()[0]
    assert sum(r[4] for r in parts["allowance"]) == locked > 0


def test_a_made_package_is_listed_with_its_fingerprint_and_audited(township, tmp_path):
    result = exchange_pack.pack(PERIOD, date(2025, 6, 30), tmp_path / "h1.ccx")
    listed = exchange_pack.list_packages()
    assert [(p.package_id, p.period, p.through, p.package_fingerprint, p.file_name) for p in listed] == \
        [(result.package_id, PERIOD, date(2025, 6, 30), result.package_fingerprint, "h1.ccx")]
    assert listed[0].county_name == "某某县" and listed[0].cadres == 30 and listed[0].size_bytes == result.size_bytes
    made = audit_rows("exchange_pack")
    assert len(made) == 1 and result.package_fingerprint in made[0] and "截至 2025-06-30" in made[0]
    private, _pub = township
    _manifest, parts = open_package(result, private)
    assert all(r[2] <= "2025-06-30" for r in parts["leave"]) and all(r[2] <= "2025-06-30" for r in parts["welfare"])
    assert all(r[1] <= "2025-06-01" for r in parts["allowance"])


def test_the_figures_of_a_part_of_the_year_count_to_its_end(township):
    half = exchange_pack.township_figures(PERIOD, date(2025, 6, 30))
    whole = exchange_pack.township_figures(PERIOD)
    assert half.as_of == date(2025, 6, 30) and whole.as_of == date(2025, 12, 31)
    assert half.leave_taken_days <= whole.leave_taken_days and half.allowance_total_fen == 0 < whole.allowance_total_fen
    assert sum(f.spent_fen for f in half.welfare_by_fund) <= sum(f.spent_fen for f in whole.welfare_by_fund)
    assert half.cadres == whole.cadres


@pytest.mark.parametrize("through, said", [
    (date(2024, 12, 31), "不在2025年内"), (date(2099, 1, 1), "不在2025年内")])
def test_the_period_is_checked(township, tmp_path, through, said):
    with pytest.raises(DomainError, match=said):
        exchange_pack.pack(PERIOD, through, tmp_path / "x.ccx")
    with pytest.raises(DomainError, match="还没有开始"):
        exchange_pack.pack(2099, None, tmp_path / "x.ccx")
    assert not (tmp_path / "x.ccx").exists() and exchange_pack.list_packages() == []


def test_packing_needs_the_identity_the_county_key_and_the_whole_township(store, tmp_path):
    with pytest.raises(DomainError, match="交换设置"):
        exchange_pack.pack(PERIOD, out=tmp_path / "x.ccx")
    exchange_setup.save_identity("青岭镇", "330328101000")
    with pytest.raises(DomainError, match="公钥"):
        exchange_pack.pack(PERIOD, out=tmp_path / "x.ccx")
    scoped = access.Actor("p", "探针", frozenset(access.PERMISSIONS), unit_ids=frozenset({1}))
    with access.acting_as(scoped), pytest.raises(access.PermissionDenied, match="全乡镇"):
        exchange_pack.pack(PERIOD, out=tmp_path / "x.ccx")
    assert not (tmp_path / "x.ccx").exists()


def test_rows_the_county_would_refuse_are_named_before_packing(township, tmp_path):
    db.execute_sql("UPDATE cadre SET id_number = substr(id_number, 1, 17) || "
                   "CASE WHEN substr(id_number, 18) = '0' THEN '1' ELSE '0' END "
                   "WHERE id = (SELECT min(id) FROM cadre)")
    with pytest.raises(xr.InvalidRows) as err:
        exchange_pack.pack(PERIOD, out=tmp_path / "x.ccx")
    assert "本乡镇的数据中有不符合要求的数据" in err.value.message and "干部名册第 1 行「id_number」" in err.value.message
    assert not (tmp_path / "x.ccx").exists() and ExchangeSent.select().count() == 0


def test_a_county_database_does_not_pack(store, tmp_path):
    from carecenter.services import county

    county.init_county("某某县", "330328000000")
    with pytest.raises(exchange_pack.NotForCounty):
        exchange_pack.pack(PERIOD, out=tmp_path / "x.ccx")
    with pytest.raises(exchange_pack.NotForCounty):
        exchange_pack.township_fingerprint()
    assert county.is_county_database() and county.county_info().code == "330328000000"
    with pytest.raises(DomainError, match="已经是县级数据库"):
        county.init_county("某某县", "330328000000")
