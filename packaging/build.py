#!/usr/bin/env python3
"""Build 关心关爱中心 for computers without Python.

    python packaging/build.py                  the one-folder program in dist/carecenter/;
                                               on Linux also the .tar.gz and the UOS-style .deb,
                                               on Windows also the Inno Setup installer (if installed)
    python packaging/build.py --wheelhouse --platform win_amd64
                                               every wheel needed to install offline with pip

Run it with the Python that should be bundled (3.10 or newer, in a virtual environment): it
first installs the project with its ``package`` extra (the pinned PyInstaller) and all of the
project's own dependencies from pyproject.toml, then runs packaging/carecenter.spec.

The bundle runs on the glibc of the build host or newer (PySide6 6.10+ wheels need 2.34): to
reach older systems build on an older host, where pip picks the newest PySide6 that still has a
wheel for it (6.9 on glibc 2.28), or pass ``--pyside 6.9.3``. The floor is measured and printed.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "carecenter.spec"
ISS = ROOT / "packaging" / "windows" / "carecenter.iss"
ICONS = ROOT / "resources" / "app-icon"
NAME = "carecenter"
APP_ID = "org.carecenter.carecenter"      # UOS: the package name is the application id
APP_NAME_ZH = "关心关爱中心"
MAINTAINER = "CareCenter developers <carecenter@localhost>"
WHEELHOUSE_PLATFORMS = ("win_amd64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64", "manylinux_2_39_aarch64")
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}

# What a .deb asks of the system: the desktop libraries the bundle leaves out on purpose
# (packaging/carecenter.spec, SYSTEM_LIBS). Names as in Debian, UOS and Kylin; libc6 is added
# with the measured floor.
DEB_DEPENDS = (
    "libgl1", "libegl1", "libfontconfig1", "libfreetype6", "libxkbcommon0", "libxkbcommon-x11-0",
    "libdbus-1-3", "libglib2.0-0 | libglib2.0-0t64", "libx11-6", "libx11-xcb1", "libxcb1",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-xkb1",
)


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def run(cmd: list[str], **kwargs) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def version() -> str:
    text = (ROOT / "carecenter" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


# ---------------------------------------------------------------------------------------------
# the one-folder program

def install_requirements(pyside: str | None) -> None:
    """The project (editable) with its own dependencies and the pinned PyInstaller."""
    cmd = [sys.executable, "-m", "pip", "install", "-e", f"{ROOT}[package]"]
    if pyside:
        cmd.append(f"PySide6-Essentials=={pyside}")
    run(cmd)


def pyinstaller(dist: Path, work: Path) -> Path:
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", dist, "--workpath", work, SPEC], cwd=ROOT)
    return dist / NAME


def folder_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


GLIBC_RE = re.compile(rb"(?<=\x00)(GLIBC|GLIBCXX|CXXABI)_(\d+(?:\.\d+)+)(?=\x00)")


def library_floors(folder: Path) -> dict[str, tuple[tuple[int, ...], str]]:
    """Highest GLIBC_/GLIBCXX_ symbol version named by any ELF file of the bundle, with the
    file that names it. glibc itself is never bundled, so every such name is a requirement."""
    floors: dict[str, tuple[tuple[int, ...], str]] = {}
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
            data = fh.read()
        for lib, ver in GLIBC_RE.findall(data):
            key = lib.decode()
            parsed = tuple(int(x) for x in ver.decode().split("."))
            if key not in floors or parsed > floors[key][0]:
                floors[key] = (parsed, str(path.relative_to(folder)))
    return floors


def deb_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "loongarch64": "loong64", "mips64": "mips64el"}.get(machine, machine)


def write_tarball(bundle: Path, out: Path) -> None:
    log(f"writing {out.name}")
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=NAME, filter=_root_owned)


def _root_owned(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    if info.isdir():
        info.mode = 0o755
    elif info.isfile():
        info.mode = 0o755 if info.mode & 0o111 else 0o644
    return info


# ---------------------------------------------------------------------------------------------
# the .deb, laid out for 统信 UOS: /opt/apps/<appid>/{info,files/,entries/}

def desktop_entry(app_dir: str) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        f"Name={APP_NAME_ZH}",
        f"Name[zh_CN]={APP_NAME_ZH}",
        "GenericName=关心关爱工作台账",
        "GenericName[zh_CN]=关心关爱工作台账",
        "Comment=乡镇干部关心关爱工作台账（离线使用）",
        "Comment[zh_CN]=乡镇干部关心关爱工作台账（离线使用）",
        f"Exec={app_dir}/files/{NAME}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Office;",
        f"StartupWMClass={NAME}",
        "Keywords=干部;关心关爱;休假;体检;台账;",
        "Actions=demo;",
        "",
        "[Desktop Action demo]",
        "Name=打开演示数据",
        "Name[zh_CN]=打开演示数据",
        f"Exec={app_dir}/files/{NAME} --demo",
        "",
    ])


def uos_info(ver: str, arch: str) -> str:
    return json.dumps({
        "appid": APP_ID,
        "name": APP_NAME_ZH,
        "version": ver,
        "arch": [arch],
        "permissions": {
            "autostart": False, "notification": False, "trayicon": False, "clipboard": True,
            "account": False, "bluetooth": False, "camera": False, "audio_record": False,
            "installed_apps": False,
        },
    }, ensure_ascii=False, indent=2) + "\n"


class _TarBuilder:
    """A data.tar with root-owned entries, parents before children."""

    def __init__(self, fileobj):
        self.tar = tarfile.open(fileobj=fileobj, mode="w", format=tarfile.GNU_FORMAT)
        self.dirs: set[str] = set()
        self.mtime = int(time.time())

    def _dir(self, name: str) -> None:
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "./" + "/".join(parts[:i])
            if d not in self.dirs:
                info = tarfile.TarInfo(d)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, self.mtime
                self.tar.addfile(_root_owned(info))
                self.dirs.add(d)

    def add_bytes(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._dir(name.rsplit("/", 1)[0])
        info = tarfile.TarInfo("./" + name)
        info.size, info.mode, info.mtime = len(data), mode, self.mtime
        self.tar.addfile(_root_owned(info), io.BytesIO(data))

    def add_tree(self, source: Path, name: str) -> None:
        self._dir(name)
        for path in sorted(source.rglob("*")):
            arc = f"./{name}/{path.relative_to(source).as_posix()}"
            if path.is_dir() and not path.is_symlink():
                self._dir(arc[2:])
                continue
            self._dir(arc[2:].rsplit("/", 1)[0])
            info = self.tar.gettarinfo(str(path), arcname=arc)
            info.mtime = self.mtime
            if info.isfile():
                with path.open("rb") as fh:
                    self.tar.addfile(_root_owned(info), fh)
            else:
                self.tar.addfile(_root_owned(info))

    def close(self) -> None:
        self.tar.close()


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = bytearray(b"!<arch>\n")
    now = int(time.time())
    for name, data in members:
        out += f"{name:<16}{now:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
        out += data
        if len(data) % 2:
            out += b"\n"
    return bytes(out)


def write_deb(bundle: Path, out: Path, ver: str, glibc: tuple[int, ...] | None) -> None:
    """A .deb without maintainer scripts: files under /opt/apps/<appid>/ only."""
    import lzma

    log(f"writing {out.name}")
    arch = deb_arch()
    app_dir = f"opt/apps/{APP_ID}"
    data_buf = io.BytesIO()
    builder = _TarBuilder(data_buf)
    builder.add_bytes(f"{app_dir}/info", uos_info(ver, arch).encode("utf-8"))
    builder.add_tree(bundle, f"{app_dir}/files")
    builder.add_bytes(f"{app_dir}/entries/applications/{APP_ID}.desktop",
                      desktop_entry("/" + app_dir).encode("utf-8"))
    for png in sorted(ICONS.glob(f"{NAME}-*.png")):
        size = png.stem.rsplit("-", 1)[1]
        builder.add_bytes(f"{app_dir}/entries/icons/hicolor/{size}x{size}/apps/{APP_ID}.png", png.read_bytes())
    builder.add_bytes(f"{app_dir}/entries/icons/hicolor/scalable/apps/{APP_ID}.svg",
                      (ICONS / f"{NAME}.svg").read_bytes())
    builder.close()
    data_tar = data_buf.getvalue()

    md5sums = []
    with tarfile.open(fileobj=io.BytesIO(data_tar)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                digest = hashlib.md5(tar.extractfile(member).read()).hexdigest()  # noqa: S324 - dpkg's format
                md5sums.append(f"{digest}  {member.name[2:]}")
    depends = list(DEB_DEPENDS)
    if glibc:
        depends.insert(0, f"libc6 (>= {'.'.join(map(str, glibc))})")
    installed_kb = (len(data_tar) + 1023) // 1024
    control = "\n".join([
        f"Package: {APP_ID}",
        f"Version: {ver}",
        f"Architecture: {arch}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {installed_kb}",
        f"Depends: {', '.join(depends)}",
        "Section: utils",
        "Priority: optional",
        f"Description: {APP_NAME_ZH} - offline ledger for township cadre care centers",
        " 乡镇干部关心关爱工作台账：干部名册、休假、体检、津贴补贴、慰问与打印。",
        " 程序装在 /opt/apps/ 下，不修改系统；数据保存在使用者的主目录中，卸载时保留。",
        "",
    ])
    control_buf = io.BytesIO()
    with tarfile.open(fileobj=control_buf, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
        for name, text in (("control", control), ("md5sums", "\n".join(md5sums) + "\n")):
            info = tarfile.TarInfo(f"./{name}")
            payload = text.encode("utf-8")
            info.size, info.mode, info.mtime = len(payload), 0o644, int(time.time())
            tar.addfile(_root_owned(info), io.BytesIO(payload))
    data_xz = lzma.compress(data_tar, preset=6)
    out.write_bytes(_ar([("debian-binary", b"2.0\n"), ("control.tar.gz", control_buf.getvalue()),
                         ("data.tar.xz", data_xz)]))


# ---------------------------------------------------------------------------------------------
# Windows: Inno Setup

def find_iscc() -> Path | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return Path(found)
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles"),
                 os.environ.get("LOCALAPPDATA") and str(Path(os.environ["LOCALAPPDATA"]) / "Programs")):
        if base:
            candidate = Path(base) / "Inno Setup 6" / "ISCC.exe"
            if candidate.exists():
                return candidate
    return None


def build_installer(bundle: Path, dist: Path, ver: str) -> Path | None:
    iscc = find_iscc()
    if iscc is None:
        log("Inno Setup (ISCC.exe) not found: no installer written; install Inno Setup 6 for it")
        return None
    run([iscc, f"/DAppVersion={ver}", f"/DSourceDir={bundle}", f"/DOutputDir={dist}",
         f"/DIconFile={ICONS / (NAME + '.ico')}", ISS])
    return dist / f"{NAME}-{ver}-windows-setup.exe"


# ---------------------------------------------------------------------------------------------
# the offline wheelhouse

def platform_tags(target: str) -> list[str]:
    """pip download takes exact tags: a manylinux target also accepts every older glibc's
    wheels (a manylinux_2_28 system installs manylinux2014 wheels too)."""
    m = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014|manylinux_(\d+)_(\d+))_(\w+)", target)
    if not m:
        return [target]
    arch = m.group(4)
    floor = LEGACY_MANYLINUX.get(m.group(1)) or (int(m.group(2)), int(m.group(3)))
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(5, floor[1] + 1)]
    tags += [f"{name}_{arch}" for name, glibc in LEGACY_MANYLINUX.items() if glibc <= floor]
    return sorted(set(tags), reverse=True)


def wheelhouse(target: str, python_version: str, dist: Path) -> Path:
    out = dist / f"wheelhouse-{NAME}-{version()}-{target}-py{python_version.replace('.', '')}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, ROOT])
    own = next(out.glob(f"{NAME}-*.whl"))
    platforms = [arg for tag in platform_tags(target) for arg in ("--platform", tag)]
    try:
        run([sys.executable, "-m", "pip", "download", "--only-binary=:all:", *platforms,
             "--python-version", python_version, "--implementation", "cp", "-d", out, own])
    except subprocess.CalledProcessError:
        sys.exit(f"pip found no wheel of some dependency for {target} / Python {python_version} (see above). "
                 "PySide6's Linux wheels need glibc 2.28 on x86_64 (6.8 and 6.9; 6.10 and later 2.34) "
                 "and glibc 2.39 on aarch64; there is none for manylinux2014 (glibc 2.17).")
    wheels = sorted(p.name for p in out.glob("*.whl"))
    log(f"{len(wheels)} wheels, {mb(folder_size(out))} in {out}")
    for name in wheels:
        log(f"  {name}")
    log(f"offline install: pip install --no-index --find-links {out.name} {NAME}")
    return out


# ---------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the one-folder program, its archive and installer.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--no-install", action="store_true",
                        help="do not pip install the project and PyInstaller first")
    parser.add_argument("--pyside", metavar="VERSION",
                        help="bundle this PySide6-Essentials version (e.g. 6.9.3 for glibc 2.28)")
    parser.add_argument("--no-archives", action="store_true", help="only the folder, no .tar.gz/.deb/installer")
    parser.add_argument("--wheelhouse", action="store_true", help="collect the wheels for an offline pip install")
    parser.add_argument("--platform", metavar="TAG",
                        help="wheelhouse target platform: " + ", ".join(WHEELHOUSE_PLATFORMS) + " …")
    parser.add_argument("--python-version", default=f"{sys.version_info[0]}.{sys.version_info[1]}",
                        help="wheelhouse target Python, e.g. 3.10 (default: this Python's)")
    args = parser.parse_args(argv)
    dist = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)

    if args.wheelhouse:
        if not args.platform:
            parser.error("--wheelhouse needs --platform " + "|".join(WHEELHOUSE_PLATFORMS))
        wheelhouse(args.platform, args.python_version, dist)
        return 0
    if sys.version_info < (3, 10):
        sys.exit("Python 3.10 or newer is needed")

    if not args.no_install:
        install_requirements(args.pyside)
    started = time.time()
    bundle = pyinstaller(dist, ROOT / "build" / "pyinstaller")
    ver = version()
    size = folder_size(bundle)
    log(f"built {bundle} in {time.time() - started:.0f} s: {mb(size)} unpacked")

    if sys.platform.startswith("linux"):
        floors = library_floors(bundle)
        glibc = floors.get("GLIBC", ((2, 17), ""))
        log(f"glibc floor: {'.'.join(map(str, glibc[0]))} (needed by {glibc[1]})")
        for key in ("GLIBCXX", "CXXABI"):
            if key in floors:
                log(f"{key} floor (system libstdc++): {'.'.join(map(str, floors[key][0]))} "
                    f"(needed by {floors[key][1]})")
        (dist / f"{NAME}-floors.json").write_text(json.dumps(
            {k: {"version": ".".join(map(str, v[0])), "file": v[1]} for k, v in floors.items()},
            indent=2), encoding="utf-8")
        if not args.no_archives:
            arch = platform.machine().lower()
            tarball = dist / f"{NAME}-{ver}-linux-{arch}.tar.gz"
            write_tarball(bundle, tarball)
            deb = dist / f"{APP_ID}_{ver}_{deb_arch()}.deb"
            write_deb(bundle, deb, ver, glibc[0])
            log(f"{tarball.name}: {mb(tarball.stat().st_size)}; {deb.name}: {mb(deb.stat().st_size)}")
    elif sys.platform == "win32" and not args.no_archives:
        setup = build_installer(bundle, dist, ver)
        if setup and setup.exists():
            log(f"{setup.name}: {mb(setup.stat().st_size)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
