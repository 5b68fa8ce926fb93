"""Issue 11: the data key, its wrapped copies in the key file, and the recovery key."""
from __future__ import annotations

import json
import os
import stat

import pytest

from carecenter.security import keys
from carecenter.security.keys import (AccountKeyMissing, KdfParams, KeyFile, KeyFileCorrupted, KeyFileExists,
                                      KeyFileMissing, RecoveryKeyMistyped, WrongDataKey, WrongPassword,
                                      WrongRecoveryKey)

FAST = KdfParams(n=1 << 10, r=8, p=1)   # the file records its parameters; tests use cheap ones


@pytest.fixture
def made(tmp_path):
    data_key = keys.new_data_key()
    recovery = keys.new_recovery_key()
    path = tmp_path / "carecenter.keys"
    kf = KeyFile.create(path, data_key, recovery, params=FAST)
    kf.set_account("admin", "Admin@2026x", data_key, params=FAST)
    kf.set_account("jingban", "Jingban@2026", data_key, params=FAST)
    return path, data_key, recovery


def test_data_keys_are_random_256_bit():
    a, b = keys.new_data_key(), keys.new_data_key()
    assert len(a) == 32 and a != b


def test_key_file_beside_the_database(tmp_path):
    assert keys.key_file_for(tmp_path / "carecenter.db") == tmp_path / "carecenter.keys"


def test_every_account_and_the_recovery_key_open_it(made):
    path, data_key, recovery = made
    kf = KeyFile.load(path)
    assert kf.unlock("admin", "Admin@2026x") == data_key
    assert kf.unlock("jingban", "Jingban@2026") == data_key
    assert kf.unlock_with_recovery(recovery) == data_key
    assert sorted(kf.logins()) == ["admin", "jingban"]


def test_file_holds_no_key_or_password_in_clear(made):
    path, data_key, recovery = made
    raw = path.read_bytes()
    for secret in (data_key.hex().encode(), keys._b64(data_key).encode(), b"Admin@2026x",
                   recovery.encode(), recovery.replace("-", "").encode()):
        assert secret not in raw
    data = json.loads(raw)
    assert data["format"] == "carecenter-keys" and data["version"] == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_written_0600_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "keys" / "k.keys"
        KeyFile.create(path, keys.new_data_key(), keys.new_recovery_key(), params=FAST)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["k.keys"]   # no temporary file left


def test_wrong_password_and_unknown_account(made):
    path, _key, _rec = made
    kf = KeyFile.load(path)
    with pytest.raises(WrongPassword) as err:
        kf.unlock("admin", "Jingban@2026")
    assert "密码不正确" in err.value.message
    with pytest.raises(AccountKeyMissing):
        kf.unlock("nobody", "Admin@2026x")


def test_password_change_rewraps_only_that_entry(made):
    path, data_key, recovery = made
    before = json.loads(path.read_text())["entries"]
    KeyFile.load(path).set_account("admin", "Neues@Passwort9", data_key, params=FAST)
    after = json.loads(path.read_text())["entries"]
    by_login = lambda entries: {(e["purpose"], e["login"]): e for e in entries}  # noqa: E731
    b, a = by_login(before), by_login(after)
    assert b.keys() == a.keys()
    assert a[("account", "admin")] != b[("account", "admin")]
    assert a[("account", "jingban")] == b[("account", "jingban")]
    assert a[("recovery", "")] == b[("recovery", "")]
    kf = KeyFile.load(path)
    with pytest.raises(WrongPassword):
        kf.unlock("admin", "Admin@2026x")
    assert kf.unlock("admin", "Neues@Passwort9") == data_key
    assert kf.unlock("jingban", "Jingban@2026") == data_key


def test_remove_account(made):
    path, data_key, recovery = made
    kf = KeyFile.load(path)
    assert kf.remove_account("jingban") is True
    assert kf.remove_account("jingban") is False
    kf = KeyFile.load(path)
    assert kf.logins() == ["admin"]
    with pytest.raises(AccountKeyMissing):
        kf.unlock("jingban", "Jingban@2026")
    assert kf.unlock("admin", "Admin@2026x") == data_key


def test_a_foreign_data_key_is_refused(made):
    path, _key, _rec = made
    with pytest.raises(WrongDataKey):
        KeyFile.load(path).set_account("x", "Pass@word123", keys.new_data_key(), params=FAST)


def test_create_never_overwrites(made):
    path, data_key, recovery = made
    with pytest.raises(KeyFileExists):
        KeyFile.create(path, keys.new_data_key(), keys.new_recovery_key(), params=FAST)
    assert KeyFile.load(path).unlock_with_recovery(recovery) == data_key


def test_replace_recovery_key(made):
    path, data_key, old = made
    new = keys.new_recovery_key()
    KeyFile.load(path).replace_recovery(data_key, new, params=FAST)
    kf = KeyFile.load(path)
    assert kf.unlock_with_recovery(new) == data_key
    with pytest.raises(WrongRecoveryKey):
        kf.unlock_with_recovery(old)


# ---------------------------------------------------------------- recovery key typing

def test_recovery_key_shape():
    key = keys.new_recovery_key()
    groups = key.split("-")
    assert len(groups) == 7 and all(len(g) == 4 for g in groups)
    assert set(key.replace("-", "")) <= set(keys.ALPHABET)
    assert not set("ILOU") & set(key)
    assert keys.normalize_recovery_key(key) == key


def test_recovery_key_typed_loosely_still_works(made):
    path, data_key, recovery = made
    loose = recovery.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert KeyFile.load(path).unlock_with_recovery(loose) == data_key


@pytest.mark.parametrize("mangle, words", [
    (lambda k: "", "没有输入"),
    (lambda k: k[:-5], "应为 28 个字符"),
    (lambda k: k + "-ABCD", "应为 28 个字符"),
    (lambda k: k[:3] + "U" + k[4:], "「U」"),
    (lambda k: k[:3] + "*" + k[4:], "「*」"),
])
def test_mistyped_recovery_key_says_so(mangle, words):
    key = keys.new_recovery_key()
    with pytest.raises(RecoveryKeyMistyped) as err:
        keys.normalize_recovery_key(mangle(key))
    assert err.value.message.startswith("恢复密钥输入有误")
    assert words in err.value.message


def test_every_single_character_typo_is_caught():
    """A one-character typo anywhere fails the check (20 check bits; collisions are
    possible in principle, so count them: none in these samples)."""
    missed = 0
    for _ in range(20):
        key = keys.new_recovery_key().replace("-", "")
        for i in range(len(key)):
            wrong = keys.ALPHABET[(keys.ALPHABET.index(key[i]) + 7) % 32]
            typo = key[:i] + wrong + key[i + 1:]
            try:
                keys.normalize_recovery_key(typo)
                missed += 1
            except RecoveryKeyMistyped as err:
                assert "校验不符" in err.message
    assert missed == 0


def test_well_formed_but_foreign_recovery_key(made):
    path, _key, _rec = made
    with pytest.raises(WrongRecoveryKey) as err:
        KeyFile.load(path).unlock_with_recovery(keys.new_recovery_key())
    assert "恢复密钥" in err.value.message


# ---------------------------------------------------------------- missing, corrupted, tampered

def test_missing_key_file_names_what_to_bring_back(tmp_path):
    with pytest.raises(KeyFileMissing) as err:
        KeyFile.load(tmp_path / "carecenter.keys")
    assert "carecenter.keys" in err.value.message and str(tmp_path) in err.value.message
    assert "放回" in err.value.message


@pytest.mark.parametrize("content", [b"", b"\xff\xfe garbage", b"[]", b'{"format": "other"}',
                                     b'{"format": "carecenter-keys", "version": 1}',
                                     b'{"format": "carecenter-keys", "version": 99}'])
def test_unreadable_key_file_is_corrupted(tmp_path, content):
    path = tmp_path / "carecenter.keys"
    path.write_bytes(content)
    with pytest.raises(KeyFileCorrupted) as err:
        KeyFile.load(path)
    assert "已损坏" in err.value.message


def _edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _flip(b64: str) -> str:
    raw = bytearray(keys._unb64(b64))
    raw[0] ^= 1
    return keys._b64(bytes(raw))


def _account(data, login):
    return next(e for e in data["entries"] if e["login"] == login)


def test_tampered_ciphertext_is_corruption_not_a_wrong_password(made):
    path, data_key, _rec = made
    _edit(path, lambda d: _account(d, "admin").update(wrapped=_flip(_account(d, "admin")["wrapped"])))
    kf = KeyFile.load(path)
    with pytest.raises(KeyFileCorrupted) as err:
        kf.unlock("admin", "Admin@2026x")
    assert "admin" in err.value.message
    with pytest.raises(WrongPassword):       # a wrong password is still told as such
        kf.unlock("admin", "Falsch@2026x")
    assert kf.unlock("jingban", "Jingban@2026") == data_key   # the other entries are unharmed


def test_entry_moved_to_another_login_does_not_open(made):
    """The login name is associated data: copying jingban's entry under admin's name fails."""
    path, _key, _rec = made

    def move(d):
        src = dict(_account(d, "jingban"))
        d["entries"] = [e for e in d["entries"] if e["login"] != "admin"] + [dict(src, login="admin")]
    _edit(path, move)
    with pytest.raises(KeyFileCorrupted):
        KeyFile.load(path).unlock("admin", "Jingban@2026")


def test_entry_from_another_key_file_does_not_open(made, tmp_path):
    path, _key, _rec = made
    other = tmp_path / "other.keys"
    key2 = keys.new_data_key()
    KeyFile.create(other, key2, keys.new_recovery_key(), params=FAST).set_account("admin", "Other@2026x", key2,
                                                                                 params=FAST)
    foreign = _account(json.loads(other.read_text()), "admin")
    _edit(path, lambda d: d.update(entries=[e for e in d["entries"] if e["login"] != "admin"] + [foreign]))
    with pytest.raises(KeyFileCorrupted):
        KeyFile.load(path).unlock("admin", "Other@2026x")


def test_tampered_key_check_is_corruption(made):
    path, _key, recovery = made
    _edit(path, lambda d: d.update(key_check=_flip(d["key_check"])))
    kf = KeyFile.load(path)
    with pytest.raises(KeyFileCorrupted):
        kf.unlock("admin", "Admin@2026x")
    with pytest.raises(KeyFileCorrupted):
        kf.unlock_with_recovery(recovery)


def test_damaged_verifier_with_right_password_still_opens(made):
    """The verifier only names the failure; a genuine (authenticated) key is never refused."""
    path, data_key, _rec = made
    _edit(path, lambda d: _account(d, "admin").update(verifier=_flip(_account(d, "admin")["verifier"])))
    assert KeyFile.load(path).unlock("admin", "Admin@2026x") == data_key


@pytest.mark.parametrize("kdf", [{"name": "scrypt", "n": 1 << 30, "r": 8, "p": 1},
                                 {"name": "scrypt", "n": 1000, "r": 8, "p": 1},
                                 {"name": "pbkdf2"}, None])
def test_absurd_kdf_parameters_are_refused_before_deriving(made, kdf):
    path, _key, _rec = made
    _edit(path, lambda d: _account(d, "admin").update(kdf=kdf))
    with pytest.raises(KeyFileCorrupted):
        KeyFile.load(path)


def test_default_parameters_round_trip(tmp_path):
    """The shipped scrypt cost (N=2^16, r=8): one real derive each way."""
    data_key = keys.new_data_key()
    entry = keys.wrap(data_key, "Admin@2026x", keys.PURPOSE_ACCOUNT, "admin")
    assert entry.kdf == keys.DEFAULT_KDF and entry.kdf.n == 1 << 16
    assert keys.unwrap(entry, "Admin@2026x", keys.key_check(data_key)) == data_key
    assert keys.unwrap(entry, "admin@2026x", keys.key_check(data_key)) is None
