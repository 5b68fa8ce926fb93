"""Guard against a reference-counting bug in PySide6 6.12 on CPython older than 3.12.

PySide6 6.12.0 (wheel ``cp310-abi3``) hands ``None`` back from every void method
(``setText``, ``setToolTip`` …) and ``True`` back from ``Signal.emit`` without
taking a reference, as if they were immortal objects — which they only are from
CPython 3.12 on.  On 3.10/3.11 every such call lowers the count of ``None`` or
``True`` by one, and after some thousands of calls (a few hundred keystrokes in a
validated form) the interpreter aborts with "Fatal Python error: none_dealloc".

``apply()`` measures whether the installed PySide6 has the bug and, only then,
raises the reference counts of None, True and False so far that they can never
reach zero in a session: what CPython 3.12 does for them anyway.  It does
nothing on CPython ≥ 3.12, on a PySide6 without the bug, or on an interpreter
whose object layout it does not recognise.
"""
from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_applied: list[bool] = []


def _leaks() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(64):
        probe.setObjectName("probe")
        probe.ping.emit()
    return (sys.getrefcount(None) < none_before - 32) or (sys.getrefcount(True) < true_before - 32)


def _refcount_cell(obj) -> ctypes.c_ssize_t | None:
    """ob_refcnt of ``obj`` when it sits where a release build of CPython keeps it."""
    cell = ctypes.c_ssize_t.from_address(id(obj))
    if abs(cell.value - (sys.getrefcount(obj) - 1)) > 4:  # unexpected layout (e.g. a trace-refs build)
        return None
    return cell


def apply() -> bool:
    """Make None/True/False effectively immortal when PySide6 needs it; True if applied."""
    if _applied:
        return _applied[0]
    done = False
    try:
        if sys.implementation.name == "cpython" and sys.version_info < (3, 12) and _leaks():
            cells = [_refcount_cell(obj) for obj in (None, True, False)]
            if all(c is not None for c in cells):
                boost = sys.maxsize // 4
                for cell in cells:
                    cell.value += boost  # type: ignore[union-attr]
                done = True
                log.info("PySide6 reference-count guard applied (PySide6 drops references to None/True)")
            else:  # pragma: no cover - exotic interpreter build
                log.warning("PySide6 drops references to None/True, and this interpreter cannot be guarded")
    except Exception:  # pragma: no cover - never let the guard stop the application
        log.exception("could not check PySide6 reference counting")
    _applied.append(done)
    return done
