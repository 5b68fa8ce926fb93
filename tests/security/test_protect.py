"""Issue 11: password-protected files — the password rules, xlsx encryption, the CLI prompt."""
from __future__ import annotations

import io

import msoffcrypto
import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from carecenter.domain.errors import DomainError
from carecenter.security import protect


def _workbook(path):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["欧阳明远", "330328198506120211"])
    wb.save(path)


def open_protected(path, password):
    """The decrypted workbook's rows (raises when the password is wrong)."""
    with open(path, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        assert office.is_encrypted()
        office.load_key(password=password, verify_password=True)
        out = io.BytesIO()
        office.decrypt(out)
    out.seek(0)
    return [list(r) for r in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]


def test_protected_xlsx_opens_with_the_password_only(tmp_path):
    plain, target = tmp_path / "plain.xlsx", tmp_path / "名册.xlsx"
    _workbook(plain)
    protect.encrypt_xlsx(plain, target, "Mima@2026")
    raw = target.read_bytes()
    assert raw[:8] == bytes.fromhex("d0cf11e0a1b11ae1")            # an OLE container, as Office writes it
    assert "欧阳明远".encode("utf-8") not in raw and b"330328198506120211" not in raw
    with pytest.raises(Exception):
        openpyxl.load_workbook(target)                              # not readable as a plain workbook
    with pytest.raises(InvalidKeyError):
        open_protected(target, "wrong-password")
    assert open_protected(target, "Mima@2026")[1] == ["欧阳明远", "330328198506120211"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("password, confirm, field, words", [
    ("", None, "password", "请填写文件密码"),
    ("abc12", None, "password", "至少 6 个字符"),
    (" abc123", None, "password", "空格"),
    ("x" * 65, None, "password", "不超过 64"),
    ("abc\t1234", None, "password", "控制字符"),
    ("abc123", "abc124", "confirm", "两次输入"),
])
def test_file_password_rules(password, confirm, field, words):
    with pytest.raises(DomainError) as err:
        protect.check_file_password(password, confirm)
    assert err.value.field == field and words in err.value.message


def test_good_file_passwords():
    assert protect.check_file_password("密码是六个字", "密码是六个字") == "密码是六个字"


def test_command_line_password_from_env_prompt_or_refused():
    assert protect.password_for_command_line({protect.PASSWORD_ENV: "Mima@2026"}) == "Mima@2026"
    with pytest.raises(DomainError):
        protect.password_for_command_line({protect.PASSWORD_ENV: "short"})
    answers = iter(["Mima@2026", "Mima@2026"])
    assert protect.password_for_command_line({}, prompt=lambda _p: next(answers)) == "Mima@2026"
    answers = iter(["Mima@2026", "Mima@2027"])
    with pytest.raises(DomainError) as err:
        protect.password_for_command_line({}, prompt=lambda _p: next(answers))
    assert "两次输入" in err.value.message
    with pytest.raises(protect.PasswordUnavailable) as err:
        protect.password_for_command_line({}, interactive=False)
    assert protect.PASSWORD_ENV in err.value.message
