"""services.printing (issue 5): verification codes, the print log, 核验, the printing unit,
and batch printing (one file or one per cadre, progress, cancel, never mental records)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from carecenter.db.database import db
from carecenter.db.models import AuditLog, Cadre, PrintLog
from carecenter.domain.errors import DomainError
from carecenter.services import audit, health, printing, roster
from carecenter.services.health import MentalInput
from tests.conftest import cadre_record, make_id_number
from tests.reports.pdfcheck import pages_text, squash, text

YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
CODE = re.compile(r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$")


def add_cadres(unit: int, names: list[str]) -> list[int]:
    return [roster.save_cadre(cadre_record(unit, name=name, id_number=make_id_number("19850101", 2 * i + 1),
                                           phone="", emergency_phone="")).id for i, name in enumerate(names)]


# ---------------------------------------------------------------- codes, log, unit name

def test_codes_are_short_unambiguous_and_unique(store):
    codes = printing._new_codes(2000)
    assert len(set(codes)) == 2000
    for code in codes:
        assert CODE.match(code), code
        assert not set(code) & set("01OI")


@pytest.mark.parametrize("typed", ["7kq2-9xmd", "7KQ29XMD", " 7kq2 9xmd ", "７ＫＱ２－９ＸＭＤ", "7KQ2—9XMD"])
def test_loosely_typed_codes_normalise(typed):
    assert printing.normalise_code(typed) == "7KQ2-9XMD"


def test_unknown_code(store):
    v = printing.verify("zzzz-zzzz")
    assert not v.found and not v.current and v.printed_at is None
    assert v.message.startswith("未找到核验码 ZZZZ-ZZZZ") and "请核对" in v.message
    assert not printing.verify("").found


def test_unit_name_default_and_setting(store):
    assert printing.unit_name() == printing.DEFAULT_UNIT_NAME
    printing.set_unit_name("  城关镇公务员关心关爱中心 ")
    assert printing.unit_name() == "城关镇公务员关心关爱中心"
    assert AuditLog.select().where(AuditLog.record_uuid == printing.UNIT_NAME_KEY).count() == 1
    with pytest.raises(DomainError) as err:
        printing.set_unit_name("  ")
    assert err.value.field == "unit_name"
    with pytest.raises(DomainError):
        printing.set_unit_name("很" * 61)
    assert printing.unit_name() == "城关镇公务员关心关爱中心"


def test_print_log_newest_first_and_output_actions(store, unit):
    a, b = add_cadres(unit, ["张三", "李四"])
    first = printing.care_record(a, START, END)
    second = printing.care_record(b, START, END)
    rows = printing.print_log()
    assert [r.code for r in rows[:2]] == [second.code, first.code]
    top = rows[0]
    assert (top.title, top.kind, top.subject, top.period, top.pages) == (
        second.title, "个人关心关爱档案", "李四", f"{YEAR}年度", second.pages)
    assert top.printed_by and top.printed_at and top.actions == ""

    printing.record_output(second.code.lower(), "预览")
    printing.record_output(second.code, "打印", "HP LaserJet")
    printing.record_output(second.code, "导出", "/tmp/李四.pdf")
    actions = printing.print_log()[0].actions.splitlines()
    assert [line.split(" ", 2)[2] for line in actions] == ["预览", "打印 → HP LaserJet", "导出 → /tmp/李四.pdf"]
    assert "打印 → HP LaserJet" in printing.verify(second.code).actions
    with pytest.raises(DomainError):
        printing.record_output(second.code, "复印")
    with pytest.raises(DomainError):
        printing.record_output("AAAA-AAAA", "打印")
    # printing is on the cadre's audit trail
    cadre = Cadre.get_by_id(b)
    assert any(action == "print" and second.code in summary
               for _at, _u, action, summary, _c in audit.history(cadre.uuid))


def test_print_log_limit(store, unit):
    (a,) = add_cadres(unit, ["王五"])
    for _ in range(3):
        printing.care_record(a, START, END)
    assert len(printing.print_log(limit=2)) == 2


# ---------------------------------------------------------------- batch

def test_batch_one_file_each_record_numbered_on_its_own(store, unit, tmp_path):
    ids = add_cadres(unit, ["赵一", "钱二", "孙三"])
    health.save_mental(MentalInput(ids[0], "咨询", date(YEAR, 5, 10), counsellor="王心理咨询师", summary="保密摘要内容",
                                   consent_date=date(YEAR, 5, 1), consent_scope="心理咨询"), today=date(YEAR, 6, 1))
    seen: list[tuple[int, int]] = []
    out = tmp_path / "out" / "城关镇关爱档案.pdf"
    paths = printing.care_records_batch(ids, START, END, out, one_file=True,
                                        progress=lambda done, total: seen.append((done, total)))
    assert paths == [out] and out.exists()
    assert seen == [(1, 3), (2, 3), (3, 3)]
    pages = pages_text(out.read_bytes())
    starts = [i for i, p in enumerate(pages) if "个人关心关爱档案" in squash(p)[:40]]
    assert len(starts) == 3                      # every record starts on a new page
    entries = list(PrintLog.select().order_by(PrintLog.id))
    assert [e.subject for e in entries] == ["赵一", "钱二", "孙三"]
    for i, (first, entry) in enumerate(zip(starts, entries)):
        last = starts[i + 1] if i + 1 < len(starts) else len(pages)
        own = pages[first:last]
        assert len(own) == entry.pages
        for n, page in enumerate(own, 1):
            flat = squash(page)
            assert f"第{n}页共{entry.pages}页" in flat and f"核验码：{entry.code}" in flat
        assert entry.subject in squash(own[0])
        assert printing.verify(entry.code).current
        assert "导出（批量）" in entry.actions and str(out) in entry.actions
    body = text(out.read_bytes())
    assert "心理健康" not in body and "保密摘要内容" not in body
    assert not list(out.parent.glob("*.part"))


def test_batch_one_file_per_cadre_with_distinct_names(store, unit, tmp_path):
    ids = add_cadres(unit, ["周伟", "周伟", "吴芳"])
    folder = tmp_path / "档案"
    paths = printing.care_records_batch(ids, START, END, folder, one_file=False)
    names = sorted(p.name for p in paths)
    assert len(set(names)) == 3
    assert f"个人关心关爱档案_吴芳_{YEAR}.pdf" in names
    assert sum(1 for n in names if n.startswith("个人关心关爱档案_周伟_")) == 2
    for path in paths:
        assert path.parent == folder
        body = text(path.read_bytes())
        code = PrintLog.get(PrintLog.actions.contains(str(path))).code
        assert f"核验码：{code}" in body
    assert PrintLog.select().count() == 3


@pytest.mark.parametrize("one_file", [True, False])
def test_cancel_removes_partial_output_and_logs_nothing(store, unit, tmp_path, one_file):
    ids = add_cadres(unit, ["甲一", "乙二", "丙三", "丁四"])
    done: list[int] = []
    target = tmp_path / "out" / ("all.pdf" if one_file else "folder")
    before = AuditLog.select().count()
    with pytest.raises(printing.Cancelled):
        printing.care_records_batch(ids, START, END, target, one_file=one_file,
                                    progress=lambda d, t: done.append(d), cancelled=lambda: len(done) >= 2)
    assert done and max(done) == 2
    assert not target.exists()
    assert not (tmp_path / "out").exists()      # the folder made for the output is gone too
    assert PrintLog.select().count() == 0
    assert AuditLog.select().count() == before


def test_batch_refuses_nothing_or_unknown_cadres(store, unit, tmp_path):
    with pytest.raises(DomainError) as err:
        printing.care_records_batch([], START, END, tmp_path / "x.pdf", one_file=True)
    assert "没有选择" in err.value.message
    (a,) = add_cadres(unit, ["某某"])
    with pytest.raises(DomainError) as err:
        printing.care_records_batch([a, 987654], START, END, tmp_path / "x.pdf", one_file=True)
    assert "已不存在" in err.value.message
    assert not (tmp_path / "x.pdf").exists()


def test_batch_into_existing_folder_keeps_other_files(store, unit, tmp_path):
    ids = add_cadres(unit, ["陈一", "陈二"])
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "说明.txt").write_text("keep", encoding="utf-8")
    calls = iter(range(10))
    with pytest.raises(printing.Cancelled):
        printing.care_records_batch(ids, START, END, folder, one_file=False, cancelled=lambda: next(calls) >= 1)
    assert [p.name for p in folder.iterdir()] == ["说明.txt"]
    paths = printing.care_records_batch(ids, START, END, folder, one_file=False)
    assert len(paths) == 2 and (folder / "说明.txt").exists()


def test_care_record_for_an_archived_cadre_and_empty_period(store, unit):
    (a,) = add_cadres(unit, ["离任者"])
    roster.set_cadre_archived(a, True)
    out = printing.care_record(a, START, END)
    body = text(out.pdf)
    for words in ("本期间无体检记录", "本期间无请假记录", "本期间无津贴补贴发放记录", "本期间无走访慰问记录", "本期间无谈心谈话记录"):
        assert words in body
    assert printing.verify(out.code).current
    assert db.execute_sql("SELECT count(*) FROM print_log").fetchone()[0] == 1


def test_batch_target_of_the_wrong_kind_or_unwritable(store, unit, tmp_path):
    ids = add_cadres(unit, ["林一"])
    with pytest.raises(DomainError) as err:
        printing.care_records_batch(ids, START, END, tmp_path, one_file=True)
    assert "是一个文件夹" in err.value.message
    a_file = tmp_path / "a.pdf"
    a_file.write_bytes(b"x")
    with pytest.raises(DomainError) as err:
        printing.care_records_batch(ids, START, END, a_file, one_file=False)
    assert "不是文件夹" in err.value.message
    with pytest.raises(DomainError) as err:     # a folder path that runs through a file
        printing.care_records_batch(ids, START, END, a_file / "all.pdf", one_file=True)
    assert err.value.code == "write_failed" and "无法写入" in err.value.message and "请换一个保存位置" in err.value.message
    assert a_file.read_bytes() == b"x"
    assert PrintLog.select().count() == 0


def test_batch_never_overwrites_files_already_in_the_folder(store, unit, tmp_path):
    (a,) = add_cadres(unit, ["郑重"])
    folder = tmp_path / "档案"
    folder.mkdir()
    old = folder / f"个人关心关爱档案_郑重_{YEAR}.pdf"
    old.write_bytes(b"earlier printout")
    (path,) = printing.care_records_batch([a], START, END, folder, one_file=False)
    assert path.name == f"个人关心关爱档案_郑重_{YEAR}（2）.pdf"
    assert old.read_bytes() == b"earlier printout"


# ---------------------------------------------------------------- password-protected (issue 11)

def test_care_record_with_a_password(store, unit):
    import io
    import json

    import pypdf

    cid = add_cadres(unit, ["周七"])[0]
    health.save_mental(MentalInput(cid, "咨询", date(YEAR, 5, 10), counsellor="王心理咨询师", summary="保密摘要内容",
                                   consent_date=date(YEAR, 5, 1), consent_scope="心理咨询"), today=date(YEAR, 6, 1))
    with pytest.raises(DomainError) as err:
        printing.care_record(cid, START, END, include_mental=True, purpose="考核调阅", password="123")
    assert err.value.field == "password"
    out = printing.care_record(cid, START, END, include_mental=True, purpose="考核调阅", password="Mima@2026")
    assert "保密摘要内容" in text(out.pdf)                      # the preview's copy stays plain
    assert out.saved_pdf is out.protected_pdf
    locked = pypdf.PdfReader(io.BytesIO(out.protected_pdf))
    assert locked.is_encrypted
    with pytest.raises(pypdf.errors.FileNotDecryptedError):
        locked.pages[0].extract_text()
    assert locked.decrypt("Mima@2027") == pypdf.PasswordType.NOT_DECRYPTED
    assert locked.decrypt("Mima@2026") != pypdf.PasswordType.NOT_DECRYPTED
    assert "保密摘要内容" in squash("".join(p.extract_text() for p in locked.pages))
    assert "保密摘要内容".encode("utf-16-be") not in out.protected_pdf
    printed = AuditLog.select().where(AuditLog.action == "print").order_by(AuditLog.id.desc()).get()
    assert "文件已加密" in printed.summary and json.loads(printed.changes) == {"protected": True}
    printing.record_output(out.code, "导出", "/tmp/x.pdf", protected=True)
    exported = AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id.desc()).get()
    assert "文件已加密" in exported.summary and json.loads(exported.changes) == {"protected": True}
    plain = printing.care_record(cid, START, END)
    assert plain.protected_pdf is None and plain.saved_pdf is plain.pdf
