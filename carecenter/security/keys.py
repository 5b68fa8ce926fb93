"""The data key and the key file beside the database (issue 11).

The database is encrypted with a random 256-bit *data key*.  Nobody types it and it is
never stored in the clear: the key file (``carecenter.keys`` beside ``carecenter.db``)
holds one copy of it per account, wrapped with a key derived from that account's
password, and one copy wrapped with the *recovery key* printed at set-up.

Wrapping: scrypt (N=2^16, r=8, p=1: about 0.2 s and 64 MiB on the 2-core reference
machine) derives 64 bytes from the password and a random salt; the first 32 are the
key-encryption key (AES-256-GCM, random 96-bit nonce), the last 32 a *verifier*
stored with the entry.  The associated data binds each entry to its purpose, its
login name and the file's key-check value, so an entry cannot be moved to another
account or another file unnoticed.  Unwrapping tells the cases apart:

* GCM opens and the key matches the file's key-check value → the data key;
* GCM fails and the verifier differs → the password (or recovery key) is wrong;
* GCM fails but the verifier matches → the entry was damaged: the file is corrupted.

The verifier costs an attacker as much as a GCM trial (one scrypt per guess), so it
adds no shortcut.  The file is JSON, versioned, written atomically (temporary file,
fsync, rename, fsync of the folder) with mode 0600.

The recovery key: 24 random characters (120 bits) of Crockford's base32 alphabet (no
I, L, O, U) plus 4 check characters, shown as 7 groups of 4
(``XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX``).  Typing is forgiving (lower case, spaces,
hyphens, O for 0, I/L for 1); a mistyped character fails the check and says
「恢复密钥输入有误」 before any key is tried.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.errors import DomainError
from ..durable import replace_with

FORMAT = "carecenter-keys"
VERSION = 1
KEY_FILE_SUFFIX = ".keys"
DATA_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12

PURPOSE_ACCOUNT = "account"
PURPOSE_RECOVERY = "recovery"

#: Crockford's base32: digits and letters without I, L, O, U
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_DATA_CHARS = 24            # 120 random bits
RECOVERY_CHECK_CHARS = 4            # 20 bits of SHA-256 over the data characters
RECOVERY_CHARS = RECOVERY_DATA_CHARS + RECOVERY_CHECK_CHARS
RECOVERY_GROUP = 4
_TYPO = {"O": "0", "I": "1", "L": "1"}


# ---------------------------------------------------------------- errors

class KeyAccessError(DomainError):
    """Base of the key errors (a DomainError: callers show ``message``)."""


class WrongPassword(KeyAccessError):
    def __init__(self, login: str):
        super().__init__("wrong_password", "密码不正确，无法解开数据库密钥。请核对密码（注意大小写和输入法）后重试",
                         "password", login=login)


class AccountKeyMissing(KeyAccessError):
    def __init__(self, login: str):
        super().__init__(
            "account_key_missing",
            f"密钥文件中没有账户「{login}」的密钥副本，无法用它的密码打开数据库。"
            "请用其他账户登录，或由系统管理员用恢复密钥为它重新设置密码", "login", login=login)


class RecoveryKeyMistyped(KeyAccessError):
    """The text typed is not a well-formed recovery key (length, characters or check)."""

    def __init__(self, detail: str):
        super().__init__("recovery_mistyped", f"恢复密钥输入有误：{detail}", "recovery_key", detail=detail)


class WrongRecoveryKey(KeyAccessError):
    def __init__(self):
        super().__init__(
            "wrong_recovery_key",
            "恢复密钥不是这个数据库的：它的格式正确，但解不开本数据库的密钥。"
            "请确认用的是本单位、本数据库打印的那张恢复密钥纸（重新设置过恢复密钥时以最新一张为准）",
            "recovery_key")


class KeyFileMissing(KeyAccessError):
    def __init__(self, path: Path):
        path = Path(path)
        super().__init__(
            "key_file_missing",
            f"找不到密钥文件 {path.name}（应在 {path.parent}）。数据库已加密，没有与它配套的密钥文件无法打开，"
            f"密码和恢复密钥都要靠它才能用。请把原来与数据库放在一起的 {path.name} 放回该文件夹"
            "（从原电脑、U 盘或备份中找回），然后重新打开", None, path=str(path))


class KeyFileCorrupted(KeyAccessError):
    def __init__(self, path: Path, detail: str):
        path = Path(path)
        super().__init__(
            "key_file_corrupted",
            f"密钥文件 {path} 已损坏（{detail}），无法读取。请用备份中的 {path.name} 替换它后重新打开；"
            "不要删除数据库文件", None, path=str(path), detail=detail)


class KeyFileExists(KeyAccessError):
    def __init__(self, path: Path):
        super().__init__("key_file_exists", f"密钥文件 {path} 已存在，为防止覆盖现有密钥，未作任何修改", None,
                         path=str(path))


class WrongDataKey(KeyAccessError):
    """A caller offered a data key that is not the one of this key file."""

    def __init__(self, path: Path):
        super().__init__("wrong_data_key", f"给出的数据密钥与密钥文件 {path} 不符，未作任何修改", None, path=str(path))


# ---------------------------------------------------------------- primitives

def new_data_key() -> bytes:
    """A random 256-bit data key (the operating system's CSPRNG)."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def key_check(data_key: bytes) -> bytes:
    """A value that identifies the data key without revealing it (HMAC-SHA256, 16 bytes)."""
    return hmac.new(data_key, b"carecenter key check v1", hashlib.sha256).digest()[:16]


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost: N=2^16, r=8, p=1 (64 MiB): ~0.2 s per derive on the reference machine."""

    n: int = 1 << 16
    r: int = 8
    p: int = 1

    def as_json(self) -> dict:
        return {"name": "scrypt", "n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def from_json(cls, data: object) -> "KdfParams":
        if not isinstance(data, dict) or data.get("name") != "scrypt":
            raise ValueError("unknown key derivation")
        n, r, p = data.get("n"), data.get("r"), data.get("p")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
            raise ValueError("bad scrypt parameters")
        # bounds: a crafted file must not make us allocate gigabytes or spin for minutes
        if not (2 <= n <= 1 << 20 and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4):
            raise ValueError("scrypt parameters out of range")
        return cls(n, r, p)


DEFAULT_KDF = KdfParams()


def _secret_bytes(secret: str) -> bytes:
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def derive(secret: str, salt: bytes, params: KdfParams = DEFAULT_KDF) -> tuple[bytes, bytes]:
    """(key-encryption key, verifier) from a password or a normalised recovery key."""
    out = hashlib.scrypt(_secret_bytes(secret), salt=salt, n=params.n, r=params.r, p=params.p,
                         maxmem=256 * params.r * (params.n + params.p + 2) + (1 << 20), dklen=64)
    return out[:32], out[32:]


def _aad(purpose: str, login: str, check: bytes) -> bytes:
    return json.dumps([FORMAT, VERSION, purpose, login, _b64(check)], ensure_ascii=False).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if size is not None and len(data) != size:
        raise ValueError("wrong length")
    return data


@dataclass(frozen=True)
class Wrapped:
    """One wrapped copy of the data key."""

    purpose: str
    login: str
    kdf: KdfParams
    salt: bytes
    verifier: bytes
    nonce: bytes
    ciphertext: bytes
    created: str

    def as_json(self) -> dict:
        return {"purpose": self.purpose, "login": self.login, "kdf": self.kdf.as_json(), "salt": _b64(self.salt),
                "verifier": _b64(self.verifier), "nonce": _b64(self.nonce), "wrapped": _b64(self.ciphertext),
                "created": self.created}

    @classmethod
    def from_json(cls, data: object) -> "Wrapped":
        if not isinstance(data, dict):
            raise ValueError("entry is not an object")
        purpose, login = data.get("purpose"), data.get("login")
        if purpose not in (PURPOSE_ACCOUNT, PURPOSE_RECOVERY) or not isinstance(login, str):
            raise ValueError("entry without purpose or login")
        return cls(purpose, login, KdfParams.from_json(data.get("kdf")), _unb64(data.get("salt"), SALT_BYTES),
                   _unb64(data.get("verifier"), 32), _unb64(data.get("nonce"), NONCE_BYTES),
                   _unb64(data.get("wrapped"), DATA_KEY_BYTES + 16), str(data.get("created", "")))


def wrap(data_key: bytes, secret: str, purpose: str, login: str, params: KdfParams = DEFAULT_KDF) -> Wrapped:
    """Wrap ``data_key`` with a key derived from ``secret``."""
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError("the data key must be 32 bytes")
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    kek, verifier = derive(secret, salt, params)
    ciphertext = AESGCM(kek).encrypt(nonce, data_key, _aad(purpose, login, key_check(data_key)))
    return Wrapped(purpose, login, params, salt, verifier, nonce, ciphertext,
                   datetime.now().replace(microsecond=0).isoformat())


def unwrap(entry: Wrapped, secret: str, check: bytes) -> bytes | None:
    """The data key, or None when ``secret`` is wrong.  Raises ValueError when the entry
    is damaged (the secret derives the stored verifier but the ciphertext fails)."""
    kek, verifier = derive(secret, entry.salt, entry.kdf)
    try:
        key = AESGCM(kek).decrypt(entry.nonce, entry.ciphertext, _aad(entry.purpose, entry.login, check))
    except InvalidTag:
        if hmac.compare_digest(verifier, entry.verifier):
            raise ValueError("the wrapped key does not authenticate") from None
        return None
    if not hmac.compare_digest(key_check(key), check):   # cannot happen unless SHA-256/GCM are broken
        raise ValueError("the key does not match the key-check value")
    return key


# ---------------------------------------------------------------- the recovery key

def _check_chars(data: str) -> str:
    digest = hashlib.sha256(b"carecenter recovery v1:" + data.encode("ascii")).digest()
    bits = int.from_bytes(digest[:4], "big") >> (32 - 5 * RECOVERY_CHECK_CHARS)
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(RECOVERY_CHECK_CHARS)))


def new_recovery_key() -> str:
    """A fresh recovery key, formatted in groups: ``XXXX-XXXX-…`` (28 characters)."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(RECOVERY_DATA_CHARS))
    return format_recovery_key(data + _check_chars(data))


def format_recovery_key(text: str) -> str:
    clean = text.replace("-", "")
    return "-".join(clean[i:i + RECOVERY_GROUP] for i in range(0, len(clean), RECOVERY_GROUP))


def normalize_recovery_key(text: str) -> str:
    """The canonical 28 characters of a typed recovery key (grouped), or RecoveryKeyMistyped
    naming what is wrong: the length, a character not in the alphabet, or the check."""
    raw = unicodedata.normalize("NFKC", text or "").upper()
    chars = [_TYPO.get(ch, ch) for ch in raw if ch not in " -_\t\r\n"]
    if not chars:
        raise RecoveryKeyMistyped("没有输入。请照恢复密钥纸输入全部 7 组、每组 4 个字符")
    bad = sorted({ch for ch in chars if ch not in ALPHABET})
    if bad:
        shown = "、".join(f"「{ch}」" for ch in bad)
        raise RecoveryKeyMistyped(f"含有恢复密钥中不会出现的字符 {shown}。恢复密钥只由数字和字母组成（没有 U），"
                                  "请照纸上逐组核对")
    if len(chars) != RECOVERY_CHARS:
        raise RecoveryKeyMistyped(f"应为 {RECOVERY_CHARS} 个字符（7 组、每组 4 个），现在是 {len(chars)} 个。"
                                  "请检查是否漏输或多输了一组")
    joined = "".join(chars)
    if _check_chars(joined[:RECOVERY_DATA_CHARS]) != joined[RECOVERY_DATA_CHARS:]:
        raise RecoveryKeyMistyped("校验不符，至少有一个字符输错了。请照恢复密钥纸逐组核对（数字 0 与字母 D、"
                                  "数字 8 与字母 B 容易看错）")
    return format_recovery_key(joined)


# ---------------------------------------------------------------- the key file

def key_file_for(database: Path) -> Path:
    """``carecenter.keys`` beside ``carecenter.db``."""
    database = Path(database)
    return database.with_name(database.stem + KEY_FILE_SUFFIX)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600: a temporary file in the same
    folder (mkstemp creates it 0600 whatever the umask), fsync, rename, fsync the folder.
    A crash leaves the old file or the new one, never a half-written one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_with(path, data, prefix="." + path.name + "-", suffix=".tmp")


class KeyFile:
    """The wrapped copies of one database's data key.

    Every change re-reads the file, changes one entry and writes the whole file
    atomically, so a password change touches only that account's entry."""

    def __init__(self, path: Path, check: bytes, entries: list[Wrapped], created: str):
        self.path = Path(path)
        self.check = check
        self.entries = entries
        self.created = created

    # -------------------------------------------------- reading and writing

    @classmethod
    def create(cls, path: Path, data_key: bytes, recovery_key: str, *, params: KdfParams = DEFAULT_KDF) -> "KeyFile":
        """A new key file holding ``data_key`` wrapped with ``recovery_key`` (accounts are
        added with ``set_account``).  Refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists():
            raise KeyFileExists(path)
        recovery = normalize_recovery_key(recovery_key)
        keyfile = cls(path, key_check(data_key), [wrap(data_key, recovery, PURPOSE_RECOVERY, "", params)],
                      datetime.now().replace(microsecond=0).isoformat())
        keyfile._save()
        return keyfile

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileMissing(path) from None
        except IsADirectoryError:
            raise KeyFileCorrupted(path, "它是一个文件夹") from None
        return cls.parse(path, raw)

    @classmethod
    def parse(cls, path: Path, raw: bytes) -> "KeyFile":
        """A key file from its bytes (``path``: where it is, or the backup that carries it)."""
        path = Path(path)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise KeyFileCorrupted(path, "内容不是有效的密钥文件格式") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyFileCorrupted(path, "不是关心关爱中心的密钥文件")
        version = data.get("version")
        if isinstance(version, int) and version > VERSION:
            raise KeyFileCorrupted(path, f"由更新版本的程序写入（格式版本 {version}），请安装新版本后再打开")
        if version != VERSION:
            raise KeyFileCorrupted(path, "格式版本不明")
        try:
            check = _unb64(data.get("key_check"), 16)
            entries = [Wrapped.from_json(e) for e in data.get("entries", None)]
        except (TypeError, ValueError):
            raise KeyFileCorrupted(path, "密钥记录不完整或被改动过") from None
        if sum(e.purpose == PURPOSE_RECOVERY for e in entries) != 1:
            raise KeyFileCorrupted(path, "恢复密钥记录缺失或重复")
        logins = [e.login for e in entries if e.purpose == PURPOSE_ACCOUNT]
        if len(set(logins)) != len(logins):
            raise KeyFileCorrupted(path, "同一账户有多条密钥记录")
        return cls(path, check, entries, str(data.get("created", "")))

    def to_json(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "created": self.created, "key_check": _b64(self.check),
                "entries": [e.as_json() for e in self.entries]}

    def to_bytes(self) -> bytes:
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def _save(self) -> None:
        write_private(self.path, self.to_bytes())

    def _reload(self) -> None:
        fresh = KeyFile.load(self.path)
        if fresh.check != self.check:
            raise KeyFileCorrupted(self.path, "文件在使用中被换成了另一把密钥的文件")
        self.entries, self.created = fresh.entries, fresh.created

    # -------------------------------------------------- entries

    def logins(self) -> list[str]:
        return [e.login for e in self.entries if e.purpose == PURPOSE_ACCOUNT]

    def has_account(self, login: str) -> bool:
        return login in self.logins()

    def _entry(self, purpose: str, login: str) -> Wrapped | None:
        return next((e for e in self.entries if e.purpose == purpose and e.login == login), None)

    def _require_key(self, data_key: bytes) -> None:
        if len(data_key) != DATA_KEY_BYTES or not hmac.compare_digest(key_check(data_key), self.check):
            raise WrongDataKey(self.path)

    def _put(self, entry: Wrapped) -> None:
        self._reload()
        self.entries = [e for e in self.entries if not (e.purpose == entry.purpose and e.login == entry.login)]
        self.entries.append(entry)
        self._save()

    def set_account(self, login: str, password: str, data_key: bytes, *, params: KdfParams = DEFAULT_KDF) -> None:
        """Add the account's wrapped copy, or replace it (password change, reset): only
        this entry changes."""
        if not login:
            raise ValueError("login name required")
        self._require_key(data_key)
        self._put(wrap(data_key, password, PURPOSE_ACCOUNT, login, params))

    def remove_account(self, login: str) -> bool:
        """Remove the account's copy (account disabled); False when it had none."""
        self._reload()
        before = len(self.entries)
        self.entries = [e for e in self.entries if not (e.purpose == PURPOSE_ACCOUNT and e.login == login)]
        if len(self.entries) == before:
            return False
        self._save()
        return True

    def replace_recovery(self, data_key: bytes, recovery_key: str, *, params: KdfParams = DEFAULT_KDF) -> None:
        """A new recovery key replaces the old one (the old sheet stops working)."""
        self._require_key(data_key)
        self._put(wrap(data_key, normalize_recovery_key(recovery_key), PURPOSE_RECOVERY, "", params))

    # -------------------------------------------------- unwrapping

    def _open(self, entry: Wrapped, secret: str) -> bytes | None:
        try:
            return unwrap(entry, secret, self.check)
        except ValueError:
            who = f"账户「{entry.login}」" if entry.purpose == PURPOSE_ACCOUNT else "恢复密钥"
            raise KeyFileCorrupted(self.path, f"{who}的密钥记录被改动或损坏") from None

    def unlock(self, login: str, password: str) -> bytes:
        """The data key from an account's password."""
        entry = self._entry(PURPOSE_ACCOUNT, login)
        if entry is None:
            raise AccountKeyMissing(login)
        key = self._open(entry, password)
        if key is None:
            raise WrongPassword(login)
        return key

    def unlock_with_recovery(self, recovery_key: str) -> bytes:
        """The data key from the recovery key (RecoveryKeyMistyped before any key is tried)."""
        text = normalize_recovery_key(recovery_key)
        entry = self._entry(PURPOSE_RECOVERY, "")
        if entry is None:  # pragma: no cover - load() refuses such a file
            raise KeyFileCorrupted(self.path, "恢复密钥记录缺失")
        key = self._open(entry, text)
        if key is None:
            raise WrongRecoveryKey()
        return key
