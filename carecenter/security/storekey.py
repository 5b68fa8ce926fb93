"""The open store's data key, and the sign-in bookkeeping kept outside the encrypted file.

An encrypted database cannot be read before a password has unwrapped its data key
(``keys.KeyFile``), so whatever a sign-in must know *before* that lives beside the
database, in ``carecenter.signin`` (JSON, 0600, written atomically):

* the failures per login name and the lock's end (5 wrong passwords → 10 minutes,
  the rule of the 账户管理 page, mirrored here after every successful sign-in);
* the failed attempts not yet written to the audit log: they are written, with their
  time, by the next sign-in that opens the database (``take_events``).

Nothing secret is in it (names tried, counts, times).  Deleting it forgets the
failures; the audit rows of attempts made before it was deleted are lost with it —
the one thing an attacker with access to the folder can do that the database's own
hash chain cannot show (documented in docs/security.md).

``current()`` is the key the store was opened with (None: plaintext or closed), with
its key file: the accounts service rewraps an account's copy when its password is set
and removes it when the account is disabled.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from . import keys

GATE_SUFFIX = ".signin"
GATE_FORMAT = "carecenter-signin"
MAX_EVENTS = 1000            # failed attempts kept for the audit log (oldest dropped, counted)


@dataclass(frozen=True)
class StoreKey:
    database: Path
    keyfile: keys.KeyFile
    key: bytes
    by_recovery: bool = False      # opened with the recovery key (not a password)


_current: StoreKey | None = None
_lock = threading.Lock()


def use(database: Path, keyfile: keys.KeyFile, key: bytes, by_recovery: bool = False) -> None:
    """The store at ``database`` is open with ``key`` (from ``keyfile``)."""
    global _current
    with _lock:
        _current = StoreKey(Path(database), keyfile, key, by_recovery)


def forget() -> None:
    global _current
    with _lock:
        _current = None


def current() -> StoreKey | None:
    with _lock:
        return _current


def key_file_for(database: Path) -> Path:
    return keys.key_file_for(database)


def gate_file_for(database: Path) -> Path:
    database = Path(database)
    return database.with_name(database.stem + GATE_SUFFIX)


# ---------------------------------------------------------------- the gate file

@dataclass
class GateRules:
    max_failures: int = 5
    lockout_minutes: int = 10


class Gate:
    """Failures and locks per login name before the database is open."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.rules = GateRules()
        self.logins: dict[str, dict] = {}
        self.events: list[list[str]] = []
        self.dropped = 0
        self._read()

    def _read(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return   # none yet, or unreadable: start afresh (the database's own rules still hold)
        if not isinstance(data, dict) or data.get("format") != GATE_FORMAT:
            return
        rules = data.get("rules") or {}
        try:
            self.rules = GateRules(max(1, int(rules.get("max_failures", 5))),
                                   max(1, int(rules.get("lockout_minutes", 10))))
        except (TypeError, ValueError):
            pass
        logins = data.get("logins")
        if isinstance(logins, dict):
            self.logins = {str(k): v for k, v in logins.items() if isinstance(v, dict)}
        events = data.get("events")
        if isinstance(events, list):
            self.events = [[str(x) for x in e][:3] for e in events if isinstance(e, list) and len(e) >= 3]
        self.dropped = int(data.get("dropped", 0) or 0)

    def save(self) -> None:
        data = {"format": GATE_FORMAT, "version": 1,
                "rules": {"max_failures": self.rules.max_failures, "lockout_minutes": self.rules.lockout_minutes},
                "logins": self.logins, "events": self.events[-MAX_EVENTS:],
                "dropped": self.dropped + max(0, len(self.events) - MAX_EVENTS)}
        keys.write_private(self.path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))

    def locked_until(self, login: str, at: datetime) -> datetime | None:
        """The lock's end while it holds; a lock further ahead than one period (the clock
        was set back) ends one period from now instead, so it never becomes permanent."""
        text = (self.logins.get(login) or {}).get("locked_until")
        if not text:
            return None
        try:
            until = datetime.fromisoformat(text)
        except ValueError:
            return None
        if until <= at:
            return None
        return min(until, at + timedelta(minutes=self.rules.lockout_minutes))

    def fail(self, login: str, at: datetime, what: str) -> datetime | None:
        """Count a failure (and keep it for the audit log); returns the lock's end when
        this failure locks the name."""
        entry = self.logins.setdefault(login, {"failures": 0, "locked_until": None})
        count = int(entry.get("failures", 0) or 0) + 1
        until = None
        if count >= self.rules.max_failures:
            until = at + timedelta(minutes=self.rules.lockout_minutes)
            entry.update(failures=0, locked_until=until.isoformat(timespec="seconds"))
        else:
            entry.update(failures=count, locked_until=None)
        self.events.append([at.isoformat(timespec="seconds"), login, what])
        if until is not None:
            self.events.append([at.isoformat(timespec="seconds"), login,
                                f"连续 {self.rules.max_failures} 次输错密码，锁定至 {until:%H:%M}"])
        self.save()
        return until

    def succeed(self, login: str, rules: GateRules | None = None) -> None:
        changed = self.logins.pop(login, None) is not None
        if rules is not None and rules != self.rules:
            self.rules, changed = rules, True
        if changed:
            self.save()

    def take_events(self) -> tuple[list[list[str]], int]:
        """The failed attempts waiting for the audit log (and how many were dropped for
        space); the file forgets them."""
        events, dropped = self.events, self.dropped
        if events or dropped:
            self.events, self.dropped = [], 0
            self.save()
        return events, dropped
