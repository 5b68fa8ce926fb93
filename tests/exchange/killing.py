"""Killing a child process (SIGKILL) in the middle of its work, for the all-or-nothing tests:
the child prints a line starting with ``p `` at each point it may be killed at."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_killed(script: str, args: list[str], kill_after: int | None, delay: float = 0.0) -> tuple[int, str, str]:
    """Run ``python -c script *args`` (the repository is the working folder); with
    ``kill_after``, SIGKILL it ``delay`` seconds after its ``kill_after``-th ``p`` line.
    Returns (return code, the last line it printed, what it wrote to stderr)."""
    proc = subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT)
    seen = 0
    last = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            last = line.strip()
            if last.startswith("p "):
                seen += 1
                if kill_after is not None and seen >= kill_after:
                    if delay:
                        time.sleep(delay)
                    os.kill(proc.pid, signal.SIGKILL)
                    break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, last, proc.stderr.read() if proc.stderr else ""
