"""What the command line's subcommands share without importing ``cli`` (which wires them):
the usage error and the check of an output file's type."""
from __future__ import annotations

from pathlib import Path


class UsageError(Exception):
    """A mistake in the command line, told in Chinese (exit code 2)."""


def check_out_suffix(out: Path | None, suffix: str, what: str) -> Path | None:
    """``--out`` with no extension gets ``suffix``; another extension is refused with the right one."""
    if out is None:
        return None
    out = Path(out).expanduser()
    if out.suffix == "":
        return out.with_suffix(suffix)
    if out.suffix.lower() != suffix:
        raise UsageError(f"--out 的文件类型不对：{what}保存为 {suffix} 文件，「{out.name}」是 {out.suffix} 文件。"
                         f"请改成 --out {out.with_suffix(suffix).name}")
    return out
