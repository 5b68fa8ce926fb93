"""The township → county exchange package (issue 15): key pairs, fingerprints, the county's
public key file and the sealed ``.ccx`` container.  docs/exchange-format.md describes the
format byte by byte; this module is its implementation.  No database, no Qt.

Primitives (the ``cryptography`` package):

* **Ed25519** (RFC 8032) signs the manifest: small keys (32 bytes) and signatures (64 bytes),
  deterministic, no parameters to get wrong.  The manifest carries the SHA-256 of every part,
  so one signature covers the whole package and proves which township made it.
* **X25519 + HKDF-SHA256 + AES-256-GCM** encrypts it to the county (an ECIES-style sealed
  box): a fresh X25519 key pair per package, its shared secret with the county's public
  key expanded by HKDF into a one-time AES-256 key; GCM authenticates the ciphertext and,
  as associated data, the clear header.  Only the holder of the county's private key can
  open a package; a flipped or missing byte anywhere fails the tag.

A package is signed, then encrypted, and the signed manifest names the county it was made
for, so a county cannot pass a township's package on to another county as if it had been
sent there.

Fingerprints: the SHA-256 of the raw public key, its first 160 bits written in Crockford's
base32 (no I, L, O, U) as 8 groups of 4 characters, ``7KQ2-9XMD-…``, to be read out over
the phone.  Typing is forgiving (lower case, spaces, O for 0, I/L for 1).
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Iterable

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..domain.errors import DomainError
from .keys import ALPHABET

MAGIC = b"\x89CCX\r\n\x1a\n"
#: the container (header + encryption); a newer one is refused by ``read_header``
CONTAINER_VERSION = 1
#: the manifest and the parts (fields, types); a newer one is refused by ``open_package``
FORMAT_VERSION = 1
CIPHER = "X25519-HKDF-SHA256-AES-256-GCM"
SIGNATURE = "Ed25519"
HEADER_FORMAT = "carecenter-exchange"
MANIFEST_FORMAT = "carecenter-exchange-manifest"
KEY_FILE_FORMAT = "carecenter-county-key"
KEY_FILE_VERSION = 1
MAX_KEY_FILE_BYTES = 64 * 1024
HKDF_INFO = b"carecenter-exchange/1 AES-256-GCM"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
PART_FOLDER = "parts/"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_FIXED = len(MAGIC) + 2 + 4          # magic, container version (u16), header length (u32)
FINGERPRINT_CHARS = 32                # 160 bits
FINGERPRINT_GROUP = 4
_TYPO = {"O": "0", "I": "1", "L": "1"}
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a county accepts, checked before the bytes are used: the file's size before it
    is read, the sizes the inner zip declares before anything is decompressed (zipfile stops
    at the declared size, so a part cannot grow past it), the rows while they are read.

    A township of 5,000 cadres makes a package of a few MB (its largest part, the year's
    allowance lines, about 6 MB once decompressed); the defaults leave a wide margin."""

    max_package_bytes: int = 256 * _MB
    max_header_bytes: int = 16 * 1024
    max_entries: int = 64
    max_manifest_bytes: int = 1 * _MB
    #: one part once decompressed
    max_part_bytes: int = 512 * _MB
    #: every part together once decompressed
    max_total_bytes: int = 1024 * _MB
    #: decompressed / compressed for a part larger than ``ratio_from_bytes`` (JSON Lines of
    #: real data compress about 5–15 times; a zip bomb a thousand times and more)
    max_ratio: int = 200
    ratio_from_bytes: int = 1 * _MB
    #: rows in one part
    max_rows: int = 5_000_000


LIMITS = Limits()


# ---------------------------------------------------------------- errors

class PackageError(DomainError):
    """A package refused; nothing was stored.  ``message`` says why and what to do."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(code, message, "file", **params)


class NotAPackage(PackageError):
    def __init__(self, name: str):
        super().__init__("not_a_package", f"「{name}」不是关心关爱中心的报送包（.ccx），请确认选择了乡镇报送的文件")


class PackageTooLarge(PackageError):
    def __init__(self, name: str, size: int, limit: int):
        super().__init__("too_large", f"「{name}」有 {_mb(size)}，超过报送包的上限 {_mb(limit)}。"
                                      "这不像一份正常的报送包（可能是损坏或特意构造的文件），请与乡镇核实",
                         size=size, limit=limit)


class PackageTruncated(PackageError):
    def __init__(self, name: str, have: int, want: int):
        super().__init__("truncated", f"「{name}」不完整：应有 {want:,} 字节，只有 {have:,} 字节（可能没有拷贝完，"
                                      "或邮件附件没有下载完整）。请让乡镇重新发送", have=have, want=want)


class PackageDamaged(PackageError):
    def __init__(self, name: str, detail: str = ""):
        super().__init__("damaged", f"「{name}」已损坏或在传递途中被改动过（解密校验未通过{detail}），"
                                    "程序没有采用其中任何数据。请让乡镇重新生成并发送报送包")


class PackageTooNew(PackageError):
    def __init__(self, name: str, what: str, found: int, known: int):
        super().__init__("too_new", f"「{name}」由更新版本的程序生成（{what} {found}，本程序只认识到 {known}）。"
                                    "请先把县里的关心关爱中心程序升级到乡镇使用的版本，再接收",
                         found=found, known=known)


class WrongCounty(PackageError):
    def __init__(self, name: str, detail: str, package_fingerprint: str, own_fingerprint: str):
        super().__init__("wrong_county", f"「{name}」不是报送给本县的：{detail}。报送包所用的县级公钥指纹为 "
                                         f"{package_fingerprint}，本县公钥指纹为 {own_fingerprint}。"
                                         "请乡镇在「交换设置」中导入本县的公钥（county.pub）后重新生成",
                         package_fingerprint=package_fingerprint, own_fingerprint=own_fingerprint)


class BadSignature(PackageError):
    def __init__(self, name: str):
        super().__init__("bad_signature", f"「{name}」的签名不正确：内容与乡镇签名时不一致，或签名被伪造。"
                                          "程序没有采用其中任何数据，请与乡镇核实")


class PartMismatch(PackageError):
    def __init__(self, name: str, detail: str):
        super().__init__("part_mismatch", f"「{name}」的内容与其清单不符（{detail}）。程序没有采用其中任何数据，"
                                          "请让乡镇重新生成报送包")


class PackageLimit(PackageError):
    def __init__(self, name: str, detail: str):
        super().__init__("limit", f"「{name}」{detail}，超出报送包的安全上限。这不像一份正常的报送包"
                                  "（可能是损坏或特意构造的文件），程序没有解压它，请与乡镇核实")


class CountyKeyInvalid(DomainError):
    def __init__(self, name: str, detail: str):
        super().__init__("county_key_invalid", f"「{name}」不是有效的县级公钥文件：{detail}。"
                                               "请使用县里用「县级版」生成的 county.pub 文件", "file")


class FingerprintMistyped(DomainError):
    def __init__(self, detail: str):
        super().__init__("fingerprint_mistyped", f"指纹输入有误：{detail}", "fingerprint")


def _mb(n: int) -> str:
    return f"{n / _MB:,.1f} MB"


# ---------------------------------------------------------------- keys and fingerprints

def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, size: int | None = None) -> bytes:
    """Base64 text → bytes; ValueError when it is not, or not ``size`` bytes long."""
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, ValueError):
        raise ValueError("not base64 text") from None
    if size is not None and len(data) != size:
        raise ValueError("wrong length")
    return data


def new_signing_key() -> tuple[bytes, bytes]:
    """A fresh Ed25519 key pair: (private, public), 32 raw bytes each."""
    key = ed25519.Ed25519PrivateKey.generate()
    return _private_raw(key), key.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw)


def new_box_key() -> tuple[bytes, bytes]:
    """A fresh X25519 key pair: (private, public), 32 raw bytes each."""
    key = x25519.X25519PrivateKey.generate()
    return _private_raw(key), key.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw)


def _private_raw(key) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def public_of_signing(private: bytes) -> bytes:
    return ed25519.Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_of_box(private: bytes) -> bytes:
    return x25519.X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(data: bytes) -> str:
    """SHA-256 of ``data`` (a raw public key, or a manifest), 160 bits as 8 groups of 4
    Crockford base32 characters."""
    bits = int.from_bytes(hashlib.sha256(data).digest()[:FINGERPRINT_CHARS * 5 // 8], "big")
    chars = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(FINGERPRINT_CHARS)))
    return "-".join(chars[i:i + FINGERPRINT_GROUP] for i in range(0, FINGERPRINT_CHARS, FINGERPRINT_GROUP))


def normalize_fingerprint(text: str) -> str:
    """A typed fingerprint in its grouped form, or FingerprintMistyped saying what is wrong."""
    raw = unicodedata.normalize("NFKC", text or "").upper()
    chars = [_TYPO.get(ch, ch) for ch in raw if ch not in " -_\t\r\n"]
    if not chars:
        raise FingerprintMistyped("没有输入指纹。请照对方念出的 8 组、每组 4 个字符输入")
    bad = sorted({ch for ch in chars if ch not in ALPHABET})
    if bad:
        raise FingerprintMistyped(f"含有指纹中不会出现的字符 {'、'.join(f'「{c}」' for c in bad)}"
                                  "（指纹只由数字和字母组成，没有 U）")
    if len(chars) != FINGERPRINT_CHARS:
        raise FingerprintMistyped(f"应为 {FINGERPRINT_CHARS} 个字符（8 组、每组 4 个），现在是 {len(chars)} 个")
    joined = "".join(chars)
    return "-".join(joined[i:i + FINGERPRINT_GROUP] for i in range(0, FINGERPRINT_CHARS, FINGERPRINT_GROUP))


# ---------------------------------------------------------------- the county's public key file

@dataclass(frozen=True)
class CountyKey:
    """The county's public key as a township trusts it (from ``county.pub``)."""

    name: str
    code: str
    public_key: bytes
    created: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def county_key_file(key: CountyKey) -> bytes:
    """The text of ``county.pub``: JSON with a format tag, small enough to mail or copy."""
    data = {"format": KEY_FILE_FORMAT, "version": KEY_FILE_VERSION, "algorithm": "X25519",
            "county": {"name": key.name, "code": key.code}, "public_key": b64(key.public_key),
            "fingerprint": key.fingerprint, "created": key.created}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_county_key(data: bytes, name: str) -> CountyKey:
    """``county.pub`` back, checked: the format, the key's length and the fingerprint the
    file states (a damaged or hand-edited file is refused)."""
    if len(data) > MAX_KEY_FILE_BYTES:
        raise CountyKeyInvalid(name, "文件过大")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise CountyKeyInvalid(name, "内容不是公钥文件的格式") from None
    if not isinstance(doc, dict) or doc.get("format") != KEY_FILE_FORMAT:
        raise CountyKeyInvalid(name, "缺少公钥文件的格式标记")
    version = doc.get("version")
    if not isinstance(version, int) or version > KEY_FILE_VERSION:
        raise CountyKeyInvalid(name, f"由更新版本的程序生成（格式版本 {version}），请先升级本程序")
    county = doc.get("county")
    if doc.get("algorithm") != "X25519" or not isinstance(county, dict):
        raise CountyKeyInvalid(name, "缺少县名或密钥类型")
    try:
        public = unb64(doc.get("public_key"), KEY_BYTES)
    except ValueError:
        raise CountyKeyInvalid(name, "公钥不完整") from None
    county_name, code = county.get("name"), county.get("code")
    if not isinstance(county_name, str) or not county_name.strip() or not isinstance(code, str) \
            or not (len(code) == 12 and code.isascii() and code.isdigit()):
        raise CountyKeyInvalid(name, "县名或 12 位统计用区划代码缺失")
    key = CountyKey(county_name.strip(), code, public, str(doc.get("created", "")))
    stated = doc.get("fingerprint")
    if stated is not None and stated != key.fingerprint:
        raise CountyKeyInvalid(name, "文件中写明的指纹与公钥不符（文件已损坏或被改动）")
    return key


# ---------------------------------------------------------------- sealing (the township)

@dataclass(frozen=True)
class Part:
    """One data part: its name, its fields and its rows as JSON Lines (UTF-8)."""

    name: str
    fields: tuple[str, ...]
    data: bytes
    rows: int


@dataclass(frozen=True)
class Sealed:
    data: bytes                # the .ccx file
    manifest: bytes            # the signed manifest.json
    package_fingerprint: str   # fingerprint(manifest)
    signer_fingerprint: str


def jsonl(rows: Iterable[list]) -> tuple[bytes, int]:
    """Rows (lists of JSON values) as JSON Lines, and how many."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = [dumps(r) for r in rows]
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), len(lines)


def seal(manifest: dict, parts: list[Part], signing_private: bytes, recipient: CountyKey,
         compresslevel: int = 6) -> Sealed:
    """Sign and encrypt: ``manifest`` (the township's fields) gains the parts' sizes and
    hashes, the signer's key and the recipient; it is signed with ``signing_private``
    (Ed25519); manifest, signature and parts are zipped and the zip encrypted to
    ``recipient`` (X25519 + HKDF-SHA256 + AES-256-GCM, the clear header as associated data)."""
    signer = ed25519.Ed25519PrivateKey.from_private_bytes(signing_private)
    signer_public = public_of_signing(signing_private)
    doc = dict(manifest)
    doc.update({
        "format": MANIFEST_FORMAT, "format_version": FORMAT_VERSION,
        "signer": {"algorithm": SIGNATURE, "public_key": b64(signer_public),
                   "fingerprint": fingerprint(signer_public)},
        "recipient": {"name": recipient.name, "code": recipient.code, "fingerprint": recipient.fingerprint},
        "parts": [{"name": p.name, "file": PART_FOLDER + p.name + ".jsonl", "fields": list(p.fields),
                   "rows": p.rows, "bytes": len(p.data), "sha256": hashlib.sha256(p.data).hexdigest()}
                  for p in parts],
    })
    manifest_bytes = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    signature = signer.sign(manifest_bytes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry, data in [(MANIFEST_NAME, manifest_bytes), (SIGNATURE_NAME, signature)] + \
                           [(PART_FOLDER + p.name + ".jsonl", p.data) for p in parts]:
            info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=compresslevel)
    plain = buffer.getvalue()
    return Sealed(encrypt(plain, recipient), manifest_bytes, fingerprint(manifest_bytes),
                  fingerprint(signer_public))


def encrypt(plain: bytes, recipient: CountyKey) -> bytes:
    """The container around ``plain``: magic, versions, the clear header, the ciphertext."""
    ephemeral = x25519.X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw,
                                                           serialization.PublicFormat.Raw)
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = json.dumps({
        "format": HEADER_FORMAT, "cipher": CIPHER, "ephemeral": b64(ephemeral_public), "nonce": b64(nonce),
        "recipient": {"name": recipient.name, "code": recipient.code, "fingerprint": recipient.fingerprint},
        "size": len(plain) + TAG_BYTES,
    }, ensure_ascii=False, sort_keys=True).encode("utf-8")
    head = MAGIC + struct.pack(">HI", CONTAINER_VERSION, len(header)) + header
    shared = ephemeral.exchange(x25519.X25519PublicKey.from_public_bytes(recipient.public_key))
    key = _kdf(shared, ephemeral_public, recipient.public_key)
    return head + AESGCM(key).encrypt(nonce, plain, head)


def _kdf(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral_public + recipient_public,
                info=HKDF_INFO).derive(shared)


# ---------------------------------------------------------------- opening (the county)

@dataclass(frozen=True)
class Header:
    version: int
    recipient_name: str
    recipient_code: str
    recipient_fingerprint: str
    ephemeral: bytes
    nonce: bytes
    size: int
    raw: bytes          # magic … end of the header JSON: the associated data


def read_header(data: bytes, name: str, limits: Limits | None = None) -> Header:
    """The clear header, checked before anything is decrypted."""
    limits = limits or LIMITS
    if len(data) < len(MAGIC) or data[:len(MAGIC)] != MAGIC:
        raise NotAPackage(name)
    if len(data) < _FIXED:
        raise PackageTruncated(name, len(data), _FIXED)
    version, length = struct.unpack(">HI", data[len(MAGIC):_FIXED])
    if version > CONTAINER_VERSION:
        raise PackageTooNew(name, "包格式版本", version, CONTAINER_VERSION)
    if version < 1 or length > limits.max_header_bytes:
        raise PackageDamaged(name, "：文件头无效")
    if len(data) < _FIXED + length:
        raise PackageTruncated(name, len(data), _FIXED + length)
    try:
        doc = json.loads(data[_FIXED:_FIXED + length].decode("utf-8"))
        recipient = doc["recipient"]
        header = Header(version, str(recipient["name"]), str(recipient["code"]), str(recipient["fingerprint"]),
                        unb64(doc["ephemeral"], KEY_BYTES), unb64(doc["nonce"], NONCE_BYTES), int(doc["size"]),
                        data[:_FIXED + length])
        if doc.get("format") != HEADER_FORMAT or doc.get("cipher") != CIPHER or header.size < TAG_BYTES:
            raise ValueError("unknown format or cipher")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise PackageDamaged(name, "：文件头无效") from None
    have = len(data) - len(header.raw)
    if have < header.size:
        raise PackageTruncated(name, len(data), len(header.raw) + header.size)
    if have > header.size:
        raise PackageDamaged(name, "：文件末尾多出了内容")
    return header


@dataclass
class Opened:
    """A decrypted package whose manifest signature holds.  ``rows(part)`` reads a part
    (checked against the manifest's size, row count and SHA-256)."""

    name: str
    manifest: dict
    manifest_bytes: bytes
    signer_public: bytes
    zip: zipfile.ZipFile
    limits: Limits

    @property
    def package_fingerprint(self) -> str:
        return fingerprint(self.manifest_bytes)

    @property
    def signer_fingerprint(self) -> str:
        return fingerprint(self.signer_public)

    def part_entry(self, part: str) -> dict:
        for entry in self.manifest["parts"]:
            if entry["name"] == part:
                return entry
        raise PartMismatch(self.name, f"缺少数据部分 {part}")

    def rows(self, part: str) -> list[list]:
        entry = self.part_entry(part)
        data = _read_entry(self.zip, entry["file"], self.name, self.limits.max_part_bytes)
        if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise PartMismatch(self.name, f"{part} 的摘要不符")
        text = data.decode("utf-8")
        if not text:
            rows = []
        else:
            try:
                rows = json.loads("[" + text.rstrip("\n").replace("\n", ",") + "]")
            except ValueError:
                raise PartMismatch(self.name, f"{part} 不是有效的 JSON Lines") from None
        if len(rows) != entry["rows"]:
            raise PartMismatch(self.name, f"{part} 应有 {entry['rows']} 行，实有 {len(rows)} 行")
        return rows

    def close(self) -> None:
        self.zip.close()


def open_package(data: bytes, name: str, box_private: bytes, limits: Limits | None = None) -> Opened:
    """Check the header, that the package was sealed to this county (``box_private``),
    decrypt it, check the inner zip's directory against the limits, and verify the
    manifest's signature with the key it names.  Whether that key is the township's
    registered key is the caller's question; the parts are read later with ``rows``."""
    limits = limits or LIMITS
    if len(data) > limits.max_package_bytes:
        raise PackageTooLarge(name, len(data), limits.max_package_bytes)
    header = read_header(data, name, limits)
    own_public = public_of_box(box_private)
    own = fingerprint(own_public)
    if header.recipient_fingerprint != own:
        where = f"它是生成给「{header.recipient_name}」（区划代码 {header.recipient_code}）的" \
            if header.recipient_name else "它是用另一把县级公钥加密的"
        raise WrongCounty(name, where, header.recipient_fingerprint, own)
    shared = x25519.X25519PrivateKey.from_private_bytes(box_private).exchange(
        x25519.X25519PublicKey.from_public_bytes(header.ephemeral))
    try:
        plain = AESGCM(_kdf(shared, header.ephemeral, own_public)).decrypt(
            header.nonce, data[len(header.raw):], header.raw)
    except InvalidTag:
        raise PackageDamaged(name) from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(plain))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError):
        raise PackageDamaged(name, "：内部压缩包无法读取") from None
    try:
        _check_directory(zf, name, limits)
        manifest_bytes = _read_entry(zf, MANIFEST_NAME, name, limits.max_manifest_bytes)
        signature = _read_entry(zf, SIGNATURE_NAME, name, 64)
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
                raise ValueError("not a manifest")
            version = manifest.get("format_version")
            if not isinstance(version, int):
                raise ValueError("no version")
        except (UnicodeDecodeError, ValueError):
            raise PackageDamaged(name, "：清单无法读取") from None
        if version > FORMAT_VERSION:
            raise PackageTooNew(name, "数据格式版本", version, FORMAT_VERSION)
        try:
            signer = manifest["signer"]
            if signer.get("algorithm") != SIGNATURE:
                raise ValueError("unknown signature")
            signer_public = unb64(signer.get("public_key"), KEY_BYTES)
            ed25519.Ed25519PublicKey.from_public_bytes(signer_public).verify(signature, manifest_bytes)
        except (InvalidSignature, ValueError, KeyError, TypeError, AttributeError):
            raise BadSignature(name) from None
        recipient = manifest.get("recipient") or {}
        if recipient.get("fingerprint") != own:
            raise WrongCounty(name, f"乡镇签名时写明的接收方是「{recipient.get('name', '')}」",
                              str(recipient.get("fingerprint", "")), own)
        _check_parts_listed(zf, manifest, name)
    except BaseException:
        zf.close()
        raise
    return Opened(name, manifest, manifest_bytes, signer_public, zf, limits)


def _check_directory(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise PackageLimit(name, f"含有 {len(infos)} 个文件")
    seen, total = set(), 0
    for info in infos:
        if info.filename in seen:
            raise PackageLimit(name, f"含有重复的文件 {info.filename}")
        seen.add(info.filename)
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageLimit(name, f"的 {info.filename} 用了不支持的压缩方式")
        if info.file_size > limits.max_part_bytes:
            raise PackageLimit(name, f"的 {info.filename} 解压后有 {_mb(info.file_size)}")
        if info.file_size > limits.ratio_from_bytes and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise PackageLimit(name, f"的 {info.filename} 压缩比超过 {limits.max_ratio} 倍")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise PackageLimit(name, f"解压后共有 {_mb(total)}")
    if MANIFEST_NAME not in seen or SIGNATURE_NAME not in seen:
        raise PackageDamaged(name, "：缺少清单或签名")


def _check_parts_listed(zf: zipfile.ZipFile, manifest: dict, name: str) -> None:
    """Every part the (signed) manifest lists is in the zip, and nothing else is."""
    parts = manifest.get("parts")
    if not isinstance(parts, list):
        raise PartMismatch(name, "清单中没有数据部分")
    files = {MANIFEST_NAME, SIGNATURE_NAME}
    names = [entry.get("name") if isinstance(entry, dict) else None for entry in parts]
    if len(set(names)) != len(names):
        raise PartMismatch(name, "清单中有重复的数据部分")
    for entry in parts:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("file"), str) or not isinstance(entry.get("rows"), int) \
                or not isinstance(entry.get("bytes"), int) or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("fields"), list):
            raise PartMismatch(name, "清单中的数据部分描述不完整")
        files.add(entry["file"])
    present = set(zf.namelist())
    if present != files:
        extra, missing = sorted(present - files), sorted(files - present)
        raise PartMismatch(name, "多出 " + "、".join(extra) if extra else "缺少 " + "、".join(missing))


def _read_entry(zf: zipfile.ZipFile, entry: str, name: str, limit: int) -> bytes:
    try:
        info = zf.getinfo(entry)
    except KeyError:
        raise PartMismatch(name, f"缺少 {entry}") from None
    if info.file_size > limit:
        raise PackageLimit(name, f"的 {entry} 解压后有 {_mb(info.file_size)}")
    try:
        with zf.open(info) as fh:
            return fh.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
        raise PackageDamaged(name, f"：{entry} 无法解压") from None
