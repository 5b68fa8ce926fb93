"""The command line under bad input (issue 12): every subcommand answers a missing
file, a wrong extension, a missing data folder, a file given as the data folder and a
file name that is not UTF-8 with a Chinese message and an exit code — never a Python
traceback.  Global options work before or after any subcommand."""
from __future__ import annotations

import os
import shutil
import signal
from carecenter.db.engine import sqlite as sqlite3  # the program's SQLite library (one per process)
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, add_accounts, make_id_number
from tests.exchange.test_importer_support import workbook

ROOT = Path(__file__).resolve().parents[1]
YEAR = date.today().year
#: 「名册」 in GBK, as an old USB stick's file system hands it over on Linux
GBK = "名册".encode("gbk")


def gbk_path(folder: Path, suffix: str) -> str:
    """A path whose last part is GBK bytes (not valid UTF-8), as Python sees it: str with
    surrogate escapes."""
    return os.fsdecode(os.path.join(os.fsencode(folder), GBK + suffix.encode()))


def run(*args, home: Path, stdin=subprocess.DEVNULL, user: bool = True) -> subprocess.CompletedProcess:
    """main.py in a child process, signed in as ``tester`` (``--user`` after the command's
    own arguments unless ``user`` is False); fails on any traceback."""
    if user:
        args = (*args, "--user", "tester")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", LANG="C.UTF-8", LC_ALL="C.UTF-8",
               CARECENTER_PASSWORD=TEST_PASSWORD)
    for var in ("HOME", "USERPROFILE", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "APPDATA", "LOCALAPPDATA"):
        env[var] = str(home)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=home, env=env, stdin=stdin,
                          capture_output=True, timeout=180)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Traceback" not in out, err[-3000:]
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> Path:
    from carecenter.app import open_store
    from carecenter.db.database import close_database
    from carecenter.paths import DataPaths
    from carecenter.services import demo

    folder = tmp_path_factory.mktemp("demo") / "data"
    open_store(DataPaths(folder))
    try:
        demo.build(30, history_years=1)
        add_accounts()
    finally:
        close_database()
    return folder


@pytest.fixture
def data(demo_data, tmp_path) -> Path:
    """A private copy of the demo data folder."""
    folder = tmp_path / "data"
    shutil.copytree(demo_data, folder, ignore=shutil.ignore_patterns("backups", "logs"))
    return folder


@pytest.fixture
def home(tmp_path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def query(folder: Path, sql: str, params=()) -> list[tuple]:
    con = sqlite3.connect(str(folder / "carecenter.db"))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def a_cadre(folder: Path) -> str:
    return query(folder, "SELECT id_number FROM cadre WHERE archived = 0 ORDER BY id LIMIT 1")[0][0]


def roster_file(path: str | Path, folder: Path) -> str:
    unit = query(folder, "SELECT name FROM unit WHERE archived = 0 ORDER BY id LIMIT 1")[0][0]
    workbook(Path(path), [["姓名", "身份证号", "单位"], ["赵新", make_id_number("19900315", 77, "330399"), unit]])
    return str(path)


# ================================================================ every subcommand, bad input

def bad_inputs(tmp: Path, data: Path) -> list[tuple[str, list, str]]:
    """(what, arguments, a phrase the message must hold)."""
    missing = tmp / "没有的目录"
    a_file = tmp / "一个文件.txt"
    a_file.write_text("x", encoding="utf-8")
    no_file = tmp / "不存在.xlsx"
    return [
        ("import: missing file", ["import", "roster", no_file, "--data-dir", data], "找不到文件"),
        ("import: not a workbook", ["import", "roster", a_file, "--data-dir", data], "无法读取文件"),
        ("import: missing data dir", ["import", "roster", no_file, "--data-dir", missing], "不存在"),
        ("import: file as data dir", ["import", "roster", no_file, "--data-dir", a_file], "是一个文件"),
        ("import: problems wrong extension", ["import", "roster", a_file, "--problems", tmp / "p.csv",
                                              "--data-dir", data], "p.xlsx"),
        ("import: problems in missing folder", ["import", "roster", a_file, "--problems", missing / "p.xlsx",
                                                "--data-dir", data], "不存在"),
        ("export: wrong extension", ["export", "roster", "--out", tmp / "x.pdf", "--data-dir", data], "x.xlsx"),
        ("export: missing data dir", ["--data-dir", missing, "export", "roster", "--out", tmp / "x.xlsx"], "不存在"),
        ("export: file as data dir", ["export", "roster", "--out", tmp / "x.xlsx", "--data-dir", a_file], "是一个文件"),
        ("export: missing folder", ["export", "roster", "--out", missing / "x.xlsx", "--data-dir", data], "不存在"),
        ("print record: wrong extension", ["print", "record", a_cadre(data), "--year", YEAR, "--out",
                                           tmp / "x.xlsx", "--data-dir", data], "x.pdf"),
        ("print register: wrong extension", ["print", "register", "leave", "--period", YEAR, "--out",
                                             tmp / "r.docx", "--data-dir", data], "r.pdf"),
        ("print: missing data dir", ["print", "verify", "ZZZZ-ZZZZ", "--data-dir", missing], "不存在"),
        ("print: file as data dir", ["print", "--data-dir", a_file, "verify", "ZZZZ-ZZZZ"], "是一个文件"),
        ("backup: missing data dir", ["backup", "--data-dir", missing], "不存在"),
        ("backup: file as data dir", ["backup", "--list", "--data-dir", a_file], "是一个文件"),
        ("backup: missing target", ["backup", "--to", missing, "--data-dir", data], "找不到文件夹"),
        ("restore: missing file", ["restore", tmp / "无.db", "--yes", "--data-dir", data], "找不到文件"),
        ("restore: not a backup", ["restore", a_file, "--yes", "--data-dir", data], "不是关心关爱中心的备份"),
        ("restore: missing data dir", ["restore", a_file, "--data-dir", missing], "不存在"),
        ("demo: file as data dir", ["demo", "--data-dir", a_file], "是一个文件"),
        ("demo: bad count", ["demo", "--data-dir", missing, "--cadres", "0"], "正整数"),
        ("bench: bad count", ["bench", "--cadres", "0"], "正整数"),
        ("exchange pack: wrong extension", ["exchange", "pack", "--period", YEAR, "--out", tmp / "x.zip",
                                            "--data-dir", data], "x.ccx"),
        ("exchange trust-county: missing file", ["exchange", "trust-county", tmp / "无.pub", "--data-dir", data],
         "找不到文件"),
        ("county receive: a township database", ["county", "receive", a_file, "--data-dir", data], "县级版"),
        ("county init: bad code", ["county", "init", "--admin", "a", "--name", "b", "--county", "某县", "--code", "123",
                                   "--data-dir", missing], "12 位数字"),
    ]


def test_every_subcommand_answers_bad_input_without_a_traceback(data, tmp_path, home):
    changes = "SELECT count(*) FROM audit_log WHERE action NOT IN ('signin', 'signin_failed')"
    before = query(data, changes)
    for what, args, phrase in bad_inputs(tmp_path, data):
        proc = run(*args, home=home)     # run() fails on any "Traceback"
        assert proc.returncode == 2, (what, proc.returncode, proc.stderr)
        assert proc.stderr.startswith("错误：") and phrase in proc.stderr, (what, proc.stderr)
    proc = run("--user", "tester", "backup", "--list", "--data-dir", home=home, user=False)
    assert proc.returncode == 2 and "--data-dir 后面缺少" in proc.stderr
    assert not (tmp_path / "没有的目录").exists()
    assert query(data, changes) == before      # signing in is all that was recorded


@pytest.mark.parametrize("place", ["before", "after"])
def test_the_data_dir_works_before_or_after_any_subcommand(data, tmp_path, home, place):
    code = query(data, "SELECT code FROM print_log LIMIT 1")
    commands = [
        ["export", "units", "--out", tmp_path / f"units-{place}.xlsx"],
        ["print", "register", "leave", "--period", YEAR, "--out", tmp_path / f"leave-{place}.pdf"],
        ["backup", "--list"],
        ["import", "roster", roster_file(tmp_path / f"r-{place}.xlsx", data), "--dry-run"],
    ] + ([["print", "verify", code[0][0]]] if code else [])
    for args in commands:
        full = (["--data-dir", data, "--user", "tester"] + args) if place == "before" else \
            (args + [f"--data-dir={data}", "--user=tester"])
        proc = run(*full, home=home, user=False)
        assert proc.returncode == 0, (args, proc.stderr)


def test_an_unexpected_error_says_so_with_the_log_file_and_exit_code_3(data, tmp_path, monkeypatch, capsys):
    from carecenter import cli
    from carecenter.db.database import close_database

    def broken(args):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli, "cmd_bench", broken)
    try:
        code = cli.main(["--data-dir", str(data), "bench"])
    finally:
        close_database()
    err = capsys.readouterr().err
    assert code == 3 and "程序遇到意外错误" in err and "Traceback" not in err
    log = data / "logs" / "carecenter.log"
    assert str(log) in err and "ZeroDivisionError: boom" in log.read_text(encoding="utf-8")


def test_a_locked_database_is_a_message_not_a_traceback(data, tmp_path, home):
    holder = sqlite3.connect(str(data / "carecenter.db"), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        proc = run("import", "roster", roster_file(tmp_path / "r.xlsx", data), "--data-dir", data, home=home)
    finally:
        holder.close()
    assert proc.returncode == 2 and "另一个窗口或程序" in proc.stderr


# ================================================================ file names that are not UTF-8

@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names are Unicode")
def test_gbk_file_names_work_for_import_export_print_backup_and_restore(data, tmp_path, home):
    folder = tmp_path / "u"
    folder.mkdir()
    source = roster_file(gbk_path(folder, ".xlsx"), data)
    proc = run("import", "roster", source, "--problems", gbk_path(folder, "-问题.xlsx"), "--data-dir", data,
               home=home)
    assert proc.returncode == 0, proc.stderr
    assert "\\xc3\\xfb\\xb2\\xe1.xlsx" in proc.stdout          # printed as \xNN, not a crash
    assert query(data, "SELECT count(*) FROM cadre WHERE name = '赵新'") == [(1,)]
    (summary,) = query(data, "SELECT summary FROM audit_log WHERE action = 'import'")[-1:]
    assert "\\xc3\\xfb" in summary[0]

    out = gbk_path(folder, ".xlsx").replace(".xlsx", "-导出.xlsx")
    proc = run("export", "roster", "--out", out, "--confidential", "--data-dir", data, home=home)
    assert proc.returncode == 0, proc.stderr
    assert os.path.exists(out)
    (row,) = query(data, "SELECT changes FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1")
    assert "\\\\xc3\\\\xfb" in row[0]

    pdf = gbk_path(folder, ".pdf")
    proc = run("print", "record", a_cadre(data), "--year", YEAR, "--out", pdf, "--data-dir", data, home=home)
    assert proc.returncode == 0, proc.stderr
    assert open(pdf, "rb").read(5) == b"%PDF-"
    (actions,) = query(data, "SELECT actions FROM print_log ORDER BY id DESC LIMIT 1")
    assert "导出" in actions[0] and "\\xc3\\xfb" in actions[0]

    stick = gbk_path(tmp_path, "-U盘")
    os.mkdir(stick)
    proc = run("backup", "--to", stick, "--data-dir", data, home=home)
    assert proc.returncode == 0, proc.stderr
    (made,) = [os.path.join(stick, n) for n in os.listdir(stick)]
    named = gbk_path(tmp_path, ".db")
    shutil.copyfile(made, named)
    proc = run("restore", named, "--yes", "--data-dir", data, home=home)
    assert proc.returncode == 0, proc.stderr
    assert "已从备份恢复" in proc.stdout


# ================================================================ printing: logged only once on disk

def test_a_failed_print_write_leaves_no_printed_entry(store, tmp_path, monkeypatch, cadre_data):
    from carecenter.db.models import AuditLog, PrintLog
    from carecenter.domain.errors import DomainError
    from carecenter.services import printing, roster

    cadre = roster.save_cadre(cadre_data())
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "档案.pdf"
    logs, audits = PrintLog.select().count(), AuditLog.select().count()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(printing.os, "replace", refuse)
    with pytest.raises(DomainError) as err:
        printing.care_record(cadre.id, date(YEAR, 1, 1), date(YEAR, 12, 31), out=out)
    assert "无法写入" in err.value.message and "没有记入打印记录" in err.value.message
    assert (PrintLog.select().count(), AuditLog.select().count()) == (logs, audits)
    assert list(folder.iterdir()) == []                  # no partial file, no temp file
    monkeypatch.undo()

    made = printing.care_record(cadre.id, date(YEAR, 1, 1), date(YEAR, 12, 31), out=out)
    assert out.read_bytes() == made.pdf and [p.name for p in folder.iterdir()] == ["档案.pdf"]
    row = PrintLog.get(PrintLog.code == made.code)
    assert "导出 → " in row.actions and str(out) in row.actions
    assert AuditLog.select().where(AuditLog.action == "export", AuditLog.record_uuid == row.uuid).count() == 1


def test_an_export_that_cannot_be_audited_leaves_no_file(store, tmp_path, monkeypatch):
    from carecenter.exchange.export import export_list
    from carecenter.services import audit, exports

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(audit, "record", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "名册.xlsx"
    spec = exports.LISTS["units"]
    with pytest.raises(sqlite3.OperationalError):
        export_list("units", out, spec.query_from(exports.Criteria()), include_confidential=True)
    assert list(folder.iterdir()) == []


# ================================================================ backups: .part files, safety copies

def test_a_stale_part_file_is_removed_by_the_next_backup(data, home):
    backups = data / "backups"
    backups.mkdir()
    stale = backups / "关爱中心备份-20261101-080000-手动.db.part"
    stale.write_bytes(b"half a copy")
    os.utime(stale, (1, 1))
    fresh = backups / "关爱中心备份-20261202-080000-自动.db.part"   # another window's backup being written
    fresh.write_bytes(b"being written")
    proc = run("backup", "--data-dir", data, home=home)
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists() and fresh.exists()
    (row,) = query(data, "SELECT summary FROM audit_log WHERE action = 'backup'")
    assert "手动备份" in row[0] and str(backups) in row[0]


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_a_backup_removes_its_part_file(data, home):
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from carecenter.paths import DataPaths\n"
        "from carecenter.exchange import backup, backup_cli\n"
        "from carecenter.security import access\n"
        "access.set_actor(access.system_actor('test'))\n"
        "paths = DataPaths(Path(sys.argv[1]))\n"
        "def kill():\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "try:\n"
        "    with backup_cli._terminate_as_interrupt():\n"
        "        backup.backup_now(paths, backup.KIND_MANUAL, check=kill)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n")
    proc = subprocess.run([sys.executable, "-c", script, str(data)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and "interrupted" in proc.stdout, proc.stderr
    assert [p.name for p in (data / "backups").iterdir()] == []


def test_an_import_makes_a_safety_copy_first(data, tmp_path, home):
    proc = run("import", "roster", roster_file(tmp_path / "r.xlsx", data), "--data-dir", data, home=home)
    assert proc.returncode == 0, proc.stderr
    (copy,) = (data / "backups").glob("关爱中心备份-*-导入前.db")
    con = sqlite3.connect(str(copy))
    try:   # the copy holds the data from before the import
        assert con.execute("SELECT count(*) FROM cadre WHERE name = '赵新'").fetchone() == (0,)
    finally:
        con.close()
    assert query(data, "SELECT count(*) FROM cadre WHERE name = '赵新'") == [(1,)]


def test_an_import_without_its_safety_copy_imports_nothing(data, tmp_path, home):
    (data / "backups").write_text("a file where the backups folder should be", encoding="utf-8")
    proc = run("import", "roster", roster_file(tmp_path / "r.xlsx", data), "--data-dir", data, home=home)
    assert proc.returncode == 2 and "导入前的安全备份没有做成" in proc.stderr and "没有导入" in proc.stderr
    assert query(data, "SELECT count(*) FROM cadre WHERE name = '赵新'") == [(0,)]


def test_locking_a_month_makes_a_safety_copy_named_after_it(store):
    from carecenter.exchange import backup
    from carecenter.services import allowance

    month = date(YEAR, 1, 1)
    allowance.generate_month(month)
    allowance.lock_month(month)
    (made,) = [e for e in backup.list_backups(store) if e.kind == backup.KIND_BEFORE_LOCK]
    assert made.path.name.endswith(f"-锁定前-{month:%Y-%m}.db") and made.detail == f"{month:%Y-%m}"
    assert made.kind_name == f"锁定津贴月份前的安全副本（{month:%Y-%m}）"
    con = sqlite3.connect(str(made.path))
    try:   # taken before the lock
        assert con.execute("SELECT status FROM allowance_batch WHERE month = ?", (month.isoformat(),)).fetchone()[0] \
            != allowance.STATUS_LOCKED
    finally:
        con.close()
