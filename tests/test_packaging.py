"""packaging/: where the installed program finds its resources, and build.py's own parts
(.deb layout, glibc floor, wheelhouse tags). Building a bundle is packaging/test_bundle.sh's job."""
from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

from carecenter import paths

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("carecenter_build", ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_resource_folder_goes_into_the_wheel():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = config["tool"]["setuptools"]["data-files"]
    shipped = {Path(pattern).parent.as_posix() for patterns in data_files.values() for pattern in patterns}
    for target, patterns in data_files.items():
        for pattern in patterns:
            assert target == "share/carecenter/" + Path(pattern).parent.as_posix()
    needed = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*")
              if p.is_file() and p.parts[len(ROOT.parts) + 1] not in ("screenshots", "app-icon")}
    assert needed - shipped == set(), "add these folders to [tool.setuptools.data-files]"


def test_resources_found_in_a_source_tree_a_wheel_install_and_the_bundle(tmp_path, monkeypatch):
    assert paths.resource_root() == ROOT / "resources"

    # a wheel install: no resources/ beside site-packages/carecenter, data files under the prefix
    package = tmp_path / "venv" / "lib" / "site-packages" / "carecenter"
    package.mkdir(parents=True)
    installed = tmp_path / "venv" / "share" / "carecenter" / "resources"
    (installed / "fonts").mkdir(parents=True)
    monkeypatch.setattr(paths, "__file__", str(package / "paths.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert paths.resource_path("fonts") == installed / "fonts"

    # the one-folder program
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle" / "_internal"), raising=False)
    assert paths.resource_root() == tmp_path / "bundle" / "_internal" / "resources"


def _ar_members(data: bytes) -> dict[str, bytes]:
    assert data.startswith(b"!<arch>\n")
    members, pos = {}, 8
    while pos < len(data):
        header = data[pos:pos + 60]
        assert header[58:60] == b"`\n"
        name, size = header[:16].decode().strip(), int(header[48:58].decode())
        members[name] = data[pos + 60:pos + 60 + size]
        pos += 60 + size + size % 2
    return members


def test_deb_is_uos_layout_without_maintainer_scripts(build, tmp_path):
    import lzma

    bundle = tmp_path / "carecenter"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "carecenter").write_bytes(b"\x7fELF program")
    (bundle / "carecenter").chmod(0o755)
    (bundle / "_internal" / "lib.so").write_bytes(b"library")
    (bundle / "_internal" / "link.so").symlink_to("lib.so")
    deb = tmp_path / "x.deb"
    build.write_deb(bundle, deb, "1.2.3", (2, 35))

    members = _ar_members(deb.read_bytes())
    assert list(members) == ["debian-binary", "control.tar.gz", "data.tar.xz"]
    assert members["debian-binary"] == b"2.0\n"
    with tarfile.open(fileobj=io.BytesIO(members["control.tar.gz"])) as tar:
        assert sorted(tar.getnames()) == ["./control", "./md5sums"]  # no preinst/postinst/prerm/postrm
        control = tar.extractfile("./control").read().decode()
    assert f"Package: {build.APP_ID}\n" in control
    assert "Version: 1.2.3\n" in control
    assert "Depends: libc6 (>= 2.35), libgl1" in control

    app = f"./opt/apps/{build.APP_ID}"
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(members["data.tar.xz"]))) as tar:
        names = tar.getnames()
        assert all(n == "./opt" or n.startswith("./opt/apps") for n in names)
        assert all(m.uid == 0 and m.gid == 0 for m in tar.getmembers())
        program = tar.getmember(f"{app}/files/carecenter")
        assert program.mode & 0o111
        assert tar.getmember(f"{app}/files/_internal/link.so").issym()
        info = json.loads(tar.extractfile(f"{app}/info").read())
        desktop = tar.extractfile(f"{app}/entries/applications/{build.APP_ID}.desktop").read().decode()
        assert f"{app}/entries/icons/hicolor/256x256/apps/{build.APP_ID}.png" in names
        assert f"{app}/entries/icons/hicolor/scalable/apps/{build.APP_ID}.svg" in names
    assert info["appid"] == build.APP_ID and info["name"] == "关心关爱中心" and info["version"] == "1.2.3"
    assert "Name[zh_CN]=关心关爱中心\n" in desktop
    assert f"Exec=/opt/apps/{build.APP_ID}/files/carecenter\n" in desktop
    assert f"Icon={build.APP_ID}\n" in desktop
    assert f"Exec=/opt/apps/{build.APP_ID}/files/carecenter --demo\n" in desktop


def test_glibc_floor_is_the_highest_version_named(build, tmp_path):
    (tmp_path / "a.so").write_bytes(b"\x7fELF\x00\x00GLIBC_2.17\x00GLIBC_2.34\x00GLIBCXX_3.4.29\x00")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.so").write_bytes(b"\x7fELF\x00GLIBC_2.4\x00GLIBC_2.35\x00")
    (tmp_path / "notes.txt").write_bytes(b"\x00GLIBC_2.99\x00")  # not an ELF file
    floors = build.library_floors(tmp_path)
    assert floors["GLIBC"] == ((2, 35), "sub/b.so")
    assert floors["GLIBCXX"] == ((3, 4, 29), "a.so")


def test_wheelhouse_platform_accepts_older_manylinux_wheels(build):
    tags = build.platform_tags("manylinux_2_28_x86_64")
    assert "manylinux_2_28_x86_64" in tags and "manylinux2014_x86_64" in tags and "manylinux_2_17_x86_64" in tags
    assert "manylinux_2_34_x86_64" not in tags
    assert "manylinux_2_28_x86_64" not in build.platform_tags("manylinux2014_x86_64")
    assert build.platform_tags("win_amd64") == ["win_amd64"]
