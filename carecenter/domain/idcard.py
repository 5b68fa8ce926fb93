"""Resident identity card numbers (GB 11643-1999, ISO 7064 MOD 11-2).

18 characters: 6-digit region code, YYYYMMDD birth date, 3-digit sequence
(17th digit odd = male, even = female) and a check character.  The checksum
itself is computed by python-stdnum (``stdnum.cn.ric``); this module adds the
clerk-facing parts: normalising what was typed or pasted, Chinese messages that
say what to fix, and deriving birth date, sex and age.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric

from .errors import DomainError

FIELD = "id_number"


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # '男' or '女'
    region: str

    def age_on(self, on: date) -> int:
        return age_on(self.birth_date, on)


def normalise(raw: str) -> str:
    """Trim, drop inner spaces, turn full-width digits/letters half-width, upper-case X."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "-")
    return text.upper()


def age_on(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def parse(raw: str) -> IdInfo:
    """Validate an ID number and derive what it encodes, or raise DomainError."""
    number = normalise(raw)
    if not number:
        raise DomainError("id_required", "请填写身份证号", FIELD)
    if len(number) != 18:
        raise DomainError(
            "id_length",
            f"身份证号应为18位，现在是{len(number)}位，请核对",
            FIELD,
            length=len(number),
        )
    body, check = number[:17], number[17]
    if "*" in number:
        raise DomainError(
            "id_masked", "身份证号被遮蔽（含 *），无法核对本人；请填写完整的身份证号"
            "（从本程序导出时勾选「包含敏感信息」）", FIELD
        )
    if not (body.isascii() and body.isdigit()) or check not in "0123456789X":
        raise DomainError(
            "id_chars", "身份证号前17位只能是数字，最后一位是数字或X，请核对", FIELD
        )
    try:
        birth = date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        raise DomainError(
            "id_birth_date",
            f"身份证号中的出生日期 {body[6:10]}-{body[10:12]}-{body[12:14]} 不是真实日期，请核对第7至14位",
            FIELD,
        ) from None
    if birth.year < 1900 or birth > date.today():
        raise DomainError(
            "id_birth_date",
            f"身份证号中的出生日期 {birth.isoformat()} 不合理，请核对第7至14位",
            FIELD,
        )
    expected = ric.calc_check_digit(body + "0")  # stdnum drops the last char
    if expected != check:
        raise DomainError(
            "id_checksum", "身份证号校验位不正确，请核对最后一位", FIELD, expected=expected
        )
    sex = "男" if int(body[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, sex=sex, region=body[:6])


def check_digit(body17: str) -> str:
    """The check character for the first 17 digits (used by the demo generator)."""
    return ric.calc_check_digit(body17 + "0")


def mismatches(info: IdInfo, birth_date: date | None, sex: str | None) -> list[DomainError]:
    """Warnings when typed-in birth date or sex disagree with the ID number."""
    out: list[DomainError] = []
    if birth_date is not None and birth_date != info.birth_date:
        out.append(
            DomainError(
                "birth_mismatch",
                f"出生日期与身份证号不一致（身份证号为 {info.birth_date.isoformat()}），请核对",
                "birth_date",
            )
        )
    if sex and sex != info.sex:
        out.append(
            DomainError(
                "sex_mismatch",
                f"性别与身份证号不一致（身份证号为{info.sex}性），请核对",
                "sex",
            )
        )
    return out


def mask(number: str) -> str:
    """110105********002X: region and last four only (DOMAIN.md §6)."""
    if len(number) != 18:
        return number[:2] + "*" * max(0, len(number) - 4) + number[-2:] if len(number) > 4 else number
    return number[:6] + "*" * 8 + number[14:]
