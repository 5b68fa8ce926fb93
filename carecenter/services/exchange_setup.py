"""交换设置 (issue 15): who this database is (a township or the county: its name and 12-digit
统计用区划代码), which edition it is, and the exchange keys it holds.

* A township signs its packages with an Ed25519 key pair made the first time it is needed
  (the first fingerprint shown or the first package made), not at set-up: the set-up path
  (``accounts.create_first_admin``) stays the one every database goes through, and a
  township that never reports never holds a key.  The key is audited when it is made.
* The county holds an X25519 key pair, made by ``county.init_county``; its public half is
  the ``county.pub`` file a township imports once.
* Private keys are rows of ``exchange_key`` in the database, so they are protected exactly
  like the data (the SQLCipher database key, issue 11) and travel with its backups.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..db.database import db
from ..db.models import ExchangeKey, Setting, now
from ..domain.errors import DomainError, ValidationError
from ..security import exchange_crypto as xc
from ..security.access import exempt, requires
from . import audit

NAME_KEY = "exchange.name"
CODE_KEY = "exchange.code"
EDITION_KEY = "exchange.edition"
EDITION_COUNTY = "county"

KIND_TOWNSHIP_SIGN = "township_sign"
KIND_COUNTY_BOX = "county_box"
KIND_TRUSTED_COUNTY = "trusted_county"


@dataclass(frozen=True)
class Identity:
    name: str          # 青岭镇 / 某某县
    code: str          # 12-digit 统计用区划代码; '' while not set

    @property
    def county_code(self) -> str:
        """The county part of the code (its first 6 digits)."""
        return self.code[:6]

    @property
    def complete(self) -> bool:
        return bool(self.name and self.code)


def _setting(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else ""


@exempt("asked before sign-in to choose the window's pages; says only which edition the file is")
def is_county_database() -> bool:
    """True in a county edition database (made by ``python main.py county init``)."""
    return _setting(EDITION_KEY) == EDITION_COUNTY


@requires()
def identity() -> Identity:
    """This database's name and 统计用区划代码 (empty while not set)."""
    return Identity(_setting(NAME_KEY), _setting(CODE_KEY))


@exempt("pure check of typed values")
def identity_problems(name: str, code: str, county: bool = False) -> list[DomainError]:
    """What is wrong with a name and a code, each under its field; empty when both are fine."""
    errors: list[DomainError] = []
    name, code = (name or "").strip(), (code or "").strip()
    what = "县（市、区）" if county else "乡镇"
    if not name:
        errors.append(DomainError("required", f"请填写{what}名称", "name"))
    elif len(name) > 60:
        errors.append(DomainError("too_long", f"{what}名称不超过60个字", "name"))
    if not code:
        errors.append(DomainError("required", "请填写 12 位统计用区划代码（国家统计局公布，如 330328101000）", "code"))
    elif not (code.isascii() and code.isdigit() and len(code) == 12):
        errors.append(DomainError("code_format", f"统计用区划代码应为 12 位数字，现在是「{code}」（{len(code)} 个字符）",
                                  "code"))
    elif county and code[6:] != "000000":
        errors.append(DomainError("code_level", "县级的统计用区划代码后 6 位应为 0，如 330328000000", "code"))
    elif not county and code[6:9] == "000":
        errors.append(DomainError("code_level", "这是县级的区划代码；乡镇的代码第 7–9 位是乡镇的编号，不全为 0，"
                                                "如 330328101000", "code"))
    return errors


@requires("settings.edit")
def save_identity(name: str, code: str) -> Identity:
    """Set this database's name and code (交换设置).  A township that renames itself keeps
    its code: the county recognises it by the code."""
    name, code = (name or "").strip(), (code or "").strip()
    errors = identity_problems(name, code, county=is_county_database())
    if errors:
        raise ValidationError(errors)
    with db.atomic():
        saved = _store_identity(name, code)
        if not is_county_database() and _active(KIND_TOWNSHIP_SIGN) is None:
            _make_key(KIND_TOWNSHIP_SIGN)   # the township's signing key is made with its exchange set-up
        return saved


def _store_identity(name: str, code: str) -> Identity:
    old = identity()
    new = Identity(name, code)
    if new != old:
        Setting.replace(key=NAME_KEY, value=name).execute()
        Setting.replace(key=CODE_KEY, value=code).execute()
        audit.record("settings", "setting", NAME_KEY, f"交换设置：{name}（{code}）",
                     audit.diff({"township_name": old.name, "township_code": old.code},
                                {"township_name": name, "township_code": code}))
    return new


# ---------------------------------------------------------------- keys

def _active(kind: str) -> ExchangeKey | None:
    return (ExchangeKey.select().where((ExchangeKey.kind == kind) & (ExchangeKey.archived == False))  # noqa: E712
            .order_by(ExchangeKey.id.desc()).first())


def _retire(kind: str) -> None:
    ExchangeKey.update(archived=True, updated_at=now()).where(
        (ExchangeKey.kind == kind) & (ExchangeKey.archived == False)).execute()  # noqa: E712


def _make_key(kind: str) -> ExchangeKey:
    """A new key pair of ``kind`` (the previous one archived), audited in the caller's transaction."""
    if kind == KIND_TOWNSHIP_SIGN:
        private, public = xc.new_signing_key()
        algorithm, what = xc.SIGNATURE, "本乡镇的报送签名密钥"
    else:
        private, public = xc.new_box_key()
        algorithm, what = "X25519", "本县的接收加密密钥"
    _retire(kind)
    row = ExchangeKey.create(kind=kind, algorithm=algorithm, public_key=xc.b64(public), private_key=xc.b64(private),
                             fingerprint=xc.fingerprint(public))
    audit.record("exchange_key", "exchange_key", row.uuid, f"生成{what}，指纹 {row.fingerprint}")
    return row


@exempt("used by the exchange use cases, which check their own permissions")
def signing_key() -> tuple[bytes, str]:
    """This township's signing key (private bytes, fingerprint): made when the township's
    name and code are first saved (交换设置), or at the first need before that."""
    row = _active(KIND_TOWNSHIP_SIGN)
    if row is None:
        with db.atomic():
            row = _active(KIND_TOWNSHIP_SIGN) or _make_key(KIND_TOWNSHIP_SIGN)
    return xc.unb64(row.private_key, xc.KEY_BYTES), row.fingerprint


@exempt("used by the exchange use cases, which check their own permissions")
def box_key() -> ExchangeKey | None:
    """The county's encryption key pair (None in a township database)."""
    return _active(KIND_COUNTY_BOX)


@exempt("county set-up (its own use case checks who runs it)")
def make_box_key() -> ExchangeKey:
    """A new county key pair, in the caller's transaction."""
    return _make_key(KIND_COUNTY_BOX)


@exempt("used by the exchange use cases, which check their own permissions")
def trusted_county() -> xc.CountyKey | None:
    """The county public key this township imported (交换设置), or None."""
    row = _active(KIND_TRUSTED_COUNTY)
    if row is None:
        return None
    return xc.CountyKey(row.name, row.code, xc.unb64(row.public_key, xc.KEY_BYTES), row.created_at.isoformat())


@exempt("imports a public key for a use case that checked its own permission")
def store_trusted_county(key: xc.CountyKey) -> tuple[xc.CountyKey | None, bool]:
    """Keep ``key`` as the county's public key, in the caller's transaction; returns the
    key it replaces and whether anything changed."""
    old = trusted_county()
    if old is not None and old.public_key == key.public_key and (old.name, old.code) == (key.name, key.code):
        return old, False
    _retire(KIND_TRUSTED_COUNTY)
    row = ExchangeKey.create(kind=KIND_TRUSTED_COUNTY, algorithm="X25519", public_key=xc.b64(key.public_key),
                             fingerprint=key.fingerprint, name=key.name, code=key.code)
    changes = {"fingerprint": [old.fingerprint if old else "", key.fingerprint]}
    audit.record("exchange_trust", "exchange_key", row.uuid,
                 f"导入县级公钥：{key.name}（{key.code}），指纹 {key.fingerprint}", changes)
    return old, True
