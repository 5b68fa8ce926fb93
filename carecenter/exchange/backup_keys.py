"""What makes an encrypted backup self-contained (issue 11).

A backup of an encrypted store is the SQLCipher file (encrypted with the store's data
key) followed by a *key trailer*: the key file of its time (the data key wrapped per
account password and with the recovery key, never in the clear), its length, and a
16-byte magic::

    <SQLCipher database bytes> <key file JSON> <length: 8 bytes big-endian> <MAGIC>

So a backup copied alone to a USB stick opens on a new PC with any account password of
its time or the recovery key.  SQLite never reads the trailer: a backup is always
copied out (``extract``) before it is checked or restored.  A plaintext backup (made
before the encryption) has no trailer.

Also here: the plaintext copies an upgrade leaves in the data folder, and what to do
with them (encrypt them into self-contained encrypted backups, or delete them
securely).
"""
from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from ..db import cipher
from ..durable import fsync_dir, fsync_file
from ..security import keys

MAGIC = b"CCKEYS\x00TRAILER1"
LENGTH_BYTES = 8
MAX_KEYS_BYTES = 1 << 20        # a key file is a few kilobytes; more is not ours


def attach(path: Path, keyfile: keys.KeyFile) -> None:
    """Append the key trailer to the database copy at ``path`` (not yet renamed into place)."""
    blob = keyfile.to_bytes()
    with open(path, "ab") as fh:
        fh.write(blob + len(blob).to_bytes(LENGTH_BYTES, "big") + MAGIC)
        fh.flush()
        os.fsync(fh.fileno())


def read(path: Path) -> tuple[keys.KeyFile, int] | None:
    """(the key file it carries, the length of the database part), or None for a file
    without a trailer.  A trailer that is there but broken raises KeyFileCorrupted."""
    path = Path(path)
    size = path.stat().st_size
    tail = len(MAGIC) + LENGTH_BYTES
    if size <= tail:
        return None
    with open(path, "rb") as fh:
        fh.seek(size - tail)
        end = fh.read(tail)
        if end[LENGTH_BYTES:] != MAGIC:
            return None
        length = int.from_bytes(end[:LENGTH_BYTES], "big")
        if not 0 < length <= min(MAX_KEYS_BYTES, size - tail):
            raise keys.KeyFileCorrupted(path, "备份末尾的密钥信息长度不对")
        fh.seek(size - tail - length)
        blob = fh.read(length)
    return keys.KeyFile.parse(path, blob), size - tail - length


def copy_head(path: Path, target: Path, length: int, check=lambda: None, progress=lambda _done: None,
              sync: bool = True) -> Path:
    """Copy the first ``length`` bytes of ``path`` into a new ``target`` (0600), calling
    ``check`` (which raises to cancel) and ``progress(fraction)`` between chunks."""
    with open(path, "rb") as src, open(target, "wb") as dst:
        left = length
        while left:
            check()
            chunk = src.read(min(left, 4 << 20))
            if not chunk:
                raise OSError(f"{path} ended early")
            dst.write(chunk)
            left -= len(chunk)
            progress((length - left) / max(1, length))
        if sync:
            dst.flush()
            os.fsync(dst.fileno())
    return Path(target)


def extract(path: Path, target: Path, length: int, check=lambda: None) -> Path:
    """Copy the database part of the backup ``path`` into ``target`` (0600)."""
    return copy_head(path, target, length, check)


# ---------------------------------------------------------------- plaintext copies

def plaintext_files(folders: list[Path]) -> list[Path]:
    """Plaintext SQLite files (by their header) in ``folders``, oldest first."""
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for f in folder.iterdir():
            if f.is_file() and cipher.is_plaintext(f):
                found.append(f)
    return sorted(found, key=lambda f: (f.stat().st_mtime, f.name))


def encrypt_copy(path: Path, keyfile: keys.KeyFile, key: bytes) -> Path:
    """Encrypt one plaintext copy in place with the store's data key and attach the key
    trailer, so it becomes a self-contained encrypted backup (old file or new one, never
    neither: ``cipher.encrypt_file`` swaps atomically; the trailer is added to the new
    file before that swap is visible under another name)."""
    path = Path(path)
    work = path.with_name(path.name + ".encrypt-work")
    shutil.copyfile(path, work)
    try:
        cipher.encrypt_file(work, key)
        attach(work, keyfile)
        fsync_file(work)
        os.replace(work, path)
        fsync_dir(path.parent)
    except BaseException:
        for leftover in (work, cipher.converting_file(work)):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass
        raise
    return path


def shred(path: Path) -> None:
    """Overwrite the file with random bytes, flush, then delete it.  On an SSD or a
    journaling file system the old blocks may survive elsewhere on the disk: this is
    the best a program can do (say so to the user; full-disk encryption does the rest)."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        left = size
        while left:
            n = min(left, 1 << 20)
            fh.write(secrets.token_bytes(n))
            left -= n
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
    for side in ("-journal", "-wal", "-shm"):
        try:
            path.with_name(path.name + side).unlink()
        except FileNotFoundError:
            pass
    fsync_dir(path.parent)
