"""Issue 11: on POSIX the data folder is 0700 and every file the application writes is
0600, whatever the umask of the session (checked with the common umask 022)."""
from __future__ import annotations

import os
import stat
import sys
from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_everything_written_is_private(tmp_path, umask_022, qapp):
    from PySide6.QtCore import QSettings

    import carecenter.db.queries as q
    from carecenter.app import open_store, setup_logging
    from carecenter.db.database import close_database
    from carecenter.exchange import backup
    from carecenter.exchange.export import export_list
    from carecenter.paths import DataPaths
    from carecenter.reports import recovery_sheet
    from carecenter.security import keys
    from carecenter.services import demo, exports, printing

    paths = DataPaths(tmp_path / "data")
    q.invalidate_units()
    try:
        logfile = setup_logging(paths)
        import logging

        logging.getLogger("carecenter").info("permissions test")
        open_store(paths)
        demo.build(5, history_years=1)
        keys.KeyFile.create(paths.key_file, keys.new_data_key(), keys.new_recovery_key(),
                            params=keys.KdfParams(n=1 << 10))
        settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
        settings.setValue("window/geometry", "x")
        settings.sync()
        made = backup.backup_now(paths, backup.KIND_MANUAL)
        out = tmp_path / "exports"
        xlsx = export_list("roster", out / "名册.xlsx", exports.RosterQuery(q.RosterFilter()))
        protected = export_list("roster", out / "加密.xlsx", exports.RosterQuery(q.RosterFilter()),
                                include_confidential=True, password="Mima@2026")
        cid = q.db.execute_sql("SELECT id FROM cadre LIMIT 1").fetchone()[0]
        pdfs = printing.care_records_batch([cid], date(2025, 1, 1), date(2025, 12, 31), out / "档案", one_file=False)
        sheet = out / "恢复密钥.pdf"
        recovery_sheet.write(sheet, keys.new_recovery_key(), database=paths.database)
        files = [paths.database, paths.root / "carecenter.db-wal", paths.root / "carecenter.db-shm", paths.key_file,
                 paths.settings_file, logfile, made.path, xlsx.path, protected.path, *pdfs, sheet]
        for f in files:
            assert f.exists(), f
            assert mode(f) == 0o600, f"{f.name}: {oct(mode(f))}"
        for folder in (paths.root, paths.logs, paths.backups, out, out / "档案"):
            assert mode(folder) == 0o700, f"{folder}: {oct(mode(folder))}"
    finally:
        close_database()
        q.invalidate_units()
        logging_root = __import__("logging").getLogger()
        for h in list(logging_root.handlers):
            if getattr(h, "baseFilename", "").startswith(str(tmp_path)):
                logging_root.removeHandler(h)
                h.close()


def test_an_old_data_folder_is_tightened_at_start(tmp_path, umask_022):
    """A data folder written before this version (0755 / 0644) is closed at the next start,
    and nothing that is not the application's is touched."""
    from carecenter.paths import DataPaths

    paths = DataPaths(tmp_path / "data")
    for folder in (paths.root, paths.logs, paths.backups):
        folder.mkdir(parents=True)
        folder.chmod(0o755)
    mine = [paths.database, paths.root / "carecenter.db-wal", paths.settings_file, paths.logs / "carecenter.log",
            paths.backups / "carecenter-20260101-120000-自动.db"]
    for f in mine:
        f.write_bytes(b"x")
        f.chmod(0o644)
    other = paths.root / "someone-elses.txt"
    other.write_text("not ours")
    other.chmod(0o644)
    paths.ensure()
    assert all(mode(f) == 0o600 for f in mine), [(f.name, oct(mode(f))) for f in mine]
    assert all(mode(d) == 0o700 for d in (paths.root, paths.logs, paths.backups))
    assert mode(other) == 0o644
