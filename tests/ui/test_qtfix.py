"""PySide6 6.12 drops references to None/True on CPython < 3.12; the UI package guards against it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import carecenter.ui
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLineEdit

class Probe(QObject):
    ping = Signal()

app = QApplication([])
edit, probe = QLineEdit(), Probe()
for _ in range(60000):      # far more than the reference count of None/True at start-up
    edit.setText("x")       # a void method: hands back None
    probe.ping.emit()       # emit: hands back True
print("ok")
"""


def test_many_qt_calls_do_not_exhaust_none_or_true():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
