#!/usr/bin/env bash
# Check the Linux bundle and the .deb the way a township PC meets them: a fresh, minimal Debian
# userland with only the libraries every Linux desktop has (GL, EGL, fontconfig, xkbcommon,
# D-Bus, GLib, X11, xcb), no Python at all, and no network while the program runs.
#
#   sudo bash packaging/test_bundle.sh              build on a clean clone of HEAD, then test
#   sudo bash packaging/test_bundle.sh --dist DIR   test the tarball and .deb already in DIR
#
# Options: --keep (leave the temporary folder), --suite NAME (default bookworm),
#          --mirror URL (default http://deb.debian.org/debian), --out DIR (screenshots and
#          report; default build/bundle-test/), --no-window (skip the window and the start-up
#          timings: for a tree whose window cannot start unattended).
# Needs root (debootstrap, chroot, mount, unshare) and, on the host, debootstrap, Xvfb,
# ImageMagick and binutils; missing ones are installed with apt-get. Network is used only to
# clone nothing (the clone is local), to install build tools with pip and to debootstrap.
# Not part of the normal test suite (CI does not build bundles): run it before a release.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DIST=""
KEEP=0
WINDOW=1
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
OUT="$REPO/build/bundle-test"
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST=$(cd "$2" && pwd); shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-window) WINDOW=0; shift ;;
    --suite) SUITE=$2; shift 2 ;;
    --mirror) MIRROR=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then echo "run as root (debootstrap, chroot, mount)" >&2; exit 2; fi

step() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v import >/dev/null || need+=(imagemagick)
command -v objdump >/dev/null || need+=(binutils)
if [ ${#need[@]} -gt 0 ]; then
  step "installing host tools: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

WORK=$(mktemp -d /tmp/carecenter-bundle-test.XXXXXX)
ROOTFS="$WORK/rootfs"
XVFB_PID=""
cleanup() {
  set +e
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
  for m in tmp/.X11-unix dev proc; do
    mountpoint -q "$ROOTFS/$m" 2>/dev/null && umount -R -l "$ROOTFS/$m"
  done
  if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$OUT"
REPORT="$OUT/report.txt"
: > "$REPORT"
note() { echo "$*" | tee -a "$REPORT"; }

# ------------------------------------------------------------------------------------------
if [ -z "$DIST" ]; then
  step "building on a clean clone of $(git -C "$REPO" rev-parse --short HEAD)"
  git clone --quiet --no-local "$REPO" "$WORK/clone"
  python3 -m venv "$WORK/clone/.venv"
  "$WORK/clone/.venv/bin/python" "$WORK/clone/packaging/build.py" 2>&1 | tee "$OUT/build.log" | grep '^\[build\]'
  DIST="$WORK/clone/dist"
fi
TARBALL=$(ls "$DIST"/carecenter-*-linux-*.tar.gz | head -1)
DEB=$(ls "$DIST"/*.deb | head -1)
[ -f "$TARBALL" ] && [ -f "$DEB" ] || fail "no tarball or .deb in $DIST"
APPID=$(dpkg-deb -f "$DEB" Package)
note "tarball: $(basename "$TARBALL") $(du -b "$TARBALL" | awk '{printf "%.1f MB", $1/1e6}')"
note ".deb:    $(basename "$DEB") $(du -b "$DEB" | awk '{printf "%.1f MB", $1/1e6}')"

step "the .deb: UOS layout, no maintainer scripts"
dpkg-deb -c "$DEB" | awk '{print $6}' > "$WORK/deb-files.txt"
grep -qx "./opt/apps/$APPID/info" "$WORK/deb-files.txt" || fail "no /opt/apps/$APPID/info"
grep -qx "./opt/apps/$APPID/files/carecenter" "$WORK/deb-files.txt" || fail "no program in files/"
grep -qx "./opt/apps/$APPID/entries/applications/$APPID.desktop" "$WORK/deb-files.txt" || fail "no .desktop"
grep -q "^./opt/apps/$APPID/entries/icons/hicolor/.*/apps/$APPID.png$" "$WORK/deb-files.txt" || fail "no icon"
if grep -v "^\./$\|^\./opt/$\|^\./opt/apps/" "$WORK/deb-files.txt"; then fail "files outside /opt/apps/"; fi
mkdir "$WORK/control" && dpkg-deb -e "$DEB" "$WORK/control"
for script in preinst postinst prerm postrm config triggers; do
  [ -e "$WORK/control/$script" ] && fail "maintainer script $script in the .deb"
done
dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./opt/apps/$APPID/entries/applications/$APPID.desktop" > "$WORK/app.desktop"
grep -q "^Name\[zh_CN\]=关心关爱中心$" "$WORK/app.desktop" || fail ".desktop has no Chinese name"
grep -q "^Icon=$APPID$" "$WORK/app.desktop" || fail ".desktop has no icon"
note "deb: $(wc -l < "$WORK/deb-files.txt") entries, all under /opt/apps/$APPID; Depends: $(dpkg-deb -f "$DEB" Depends | cut -c1-60)…"

# ------------------------------------------------------------------------------------------
DESKTOP_LIBS=libgl1,libegl1,libfontconfig1,libfreetype6,libxkbcommon0,libxkbcommon-x11-0,libdbus-1-3,libglib2.0-0,libx11-6,libx11-xcb1,libxcb1,libxcb-cursor0,libxcb-icccm4,libxcb-image0,libxcb-keysyms1,libxcb-randr0,libxcb-render-util0,libxcb-render0,libxcb-shape0,libxcb-shm0,libxcb-sync1,libxcb-xfixes0,libxcb-xkb1,libxcb-glx0
step "debootstrap --variant=minbase $SUITE + desktop libraries (this takes a few minutes)"
debootstrap --variant=minbase --include="$DESKTOP_LIBS" "$SUITE" "$ROOTFS" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
if chroot "$ROOTFS" sh -c 'ls /usr/bin/python* /usr/local/bin/python* 2>/dev/null' | grep -q .; then
  fail "the userland has a Python"
fi
note "userland: $SUITE minbase, glibc $(chroot "$ROOTFS" ldd --version | head -1 | awk '{print $NF}'), $(chroot "$ROOTFS" dpkg-query -W | wc -l) packages, no Python"
chroot "$ROOTFS" useradd --create-home --shell /bin/sh clerk
mount -t proc proc "$ROOTFS/proc"
mount --rbind /dev "$ROOTFS/dev"
mkdir -p "$ROOTFS/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$ROOTFS/tmp/.X11-unix" 2>/dev/null || { mkdir -p /tmp/.X11-unix; mount --bind /tmp/.X11-unix "$ROOTFS/tmp/.X11-unix"; }

# the demo database's clerk account (carecenter/services/accounts.py, DEMO_ACCOUNTS): the
# headless commands that read or write records run signed in, the password from the environment
SIGNIN="--user jingban"
SIGNIN_ADMIN="--user admin"   # backup and restore are the system administrator's
SIGNIN_HEAD="--user fuzeren"  # exporting full ID numbers (the import template) is the head's
DEMO_PASSWORD='Demo@2026'

# as the clerk, inside the userland, in a network namespace with nothing but loopback
as_clerk() {
  unshare --net chroot --userspec=clerk:clerk "$ROOTFS" /usr/bin/env -i HOME=/home/clerk \
    PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 DISPLAY="${DISPLAY_NUM:-}" \
    CARECENTER_PASSWORD="$DEMO_PASSWORD" "$@"
}
as_root() { unshare --net chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
if as_clerk getent hosts deb.debian.org >/dev/null 2>&1; then fail "the userland can reach the network"; fi

DISPLAY_NUM=:$(( 90 + RANDOM % 100 ))
Xvfb "$DISPLAY_NUM" -screen 0 1366x768x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
sleep 1
kill -0 "$XVFB_PID" || fail "Xvfb did not start"

# the checks, run against one installed copy of the program
# $1: label, $2: program path inside the userland, $3: working folder (clerk's)
run_checks() {
  local label=$1 prog=$2 dir=$3 h="$ROOTFS$3"
  step "[$label] demo, print, import --dry-run, backup"
  as_clerk mkdir -p "$dir"
  as_clerk sh -c "cd $dir && $prog demo --data-dir $dir/D --cadres 50" || fail "[$label] demo"
  local id
  id=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select id_number from cadre order by id limit 1').fetchone()[0])" "$h/D/carecenter.db")
  as_clerk sh -c "cd $dir && $prog $SIGNIN print --data-dir $dir/D record $id --year $(date +%Y) --out $dir/r.pdf" || fail "[$label] print record"
  head -c 5 "$h/r.pdf" | grep -q '%PDF-' || fail "[$label] r.pdf is not a PDF"
  grep -aq '/FontFile2' "$h/r.pdf" || fail "[$label] r.pdf embeds no TrueType font"
  grep -aqE '/BaseFont */[A-Z]{6}\+(WenQuanYi|Sim|Fang|Noto)' "$h/r.pdf" || fail "[$label] r.pdf has no embedded Chinese font subset"
  as_clerk sh -c "cd $dir && $prog $SIGNIN_HEAD export roster --data-dir $dir/D --confidential --out $dir/template.xlsx" || fail "[$label] export"
  as_clerk sh -c "cd $dir && $prog $SIGNIN import roster $dir/template.xlsx --dry-run --data-dir $dir/D" > "$OUT/$label-import.txt" \
    || { cat "$OUT/$label-import.txt"; fail "[$label] import --dry-run"; }
  grep -q "有问题未导入 0 行" "$OUT/$label-import.txt" || fail "[$label] import --dry-run found problems"
  as_clerk sh -c "cd $dir && $prog $SIGNIN_ADMIN backup --data-dir $dir/D" > "$OUT/$label-backup.txt" || fail "[$label] backup"
  ls "$h/D/backups/"*.db >/dev/null || fail "[$label] no backup file"
  note "[$label] demo/print/import --dry-run/backup: ok ($(wc -c < "$h/r.pdf") byte PDF with embedded Chinese fonts)"

  [ "$WINDOW" = 1 ] || { note "[$label] window: skipped (--no-window)"; return 0; }
  step "[$label] the window under Xvfb for 10 s"
  set +e
  # signed in as the demo clerk without the sign-in window (--user and CARECENTER_PASSWORD)
  as_clerk sh -c "cd $dir && QT_QPA_PLATFORM=xcb timeout 10 $prog $SIGNIN --data-dir $dir/D" > "$OUT/$label-gui.log" 2>&1 &
  local gui=$!
  sleep 8
  import -display "$DISPLAY_NUM" -window root "$OUT/$label-window.png"
  wait "$gui"
  local rc=$?
  set -e
  [ "$rc" = 124 ] || { cat "$OUT/$label-gui.log"; fail "[$label] the window ended with $rc before 10 s"; }
  if grep -iE "traceback|error|could not|cannot|failed" "$OUT/$label-gui.log"; then fail "[$label] errors on stderr"; fi
  if grep -E " (ERROR|CRITICAL) " "$h/D/logs/carecenter.log"; then fail "[$label] errors in the log"; fi
  note "[$label] window ran 10 s without an error; screenshot $OUT/$label-window.png"
}

# ------------------------------------------------------------------------------------------
step "the tarball, unpacked as a clerk would from a USB stick"
as_clerk mkdir -p /home/clerk/U盘
cp "$TARBALL" "$ROOTFS/home/clerk/U盘/"
chroot "$ROOTFS" chown -R clerk:clerk /home/clerk/U盘
as_clerk tar -xzf "/home/clerk/U盘/$(basename "$TARBALL")" -C /home/clerk
BUNDLE=/home/clerk/carecenter
for f in _internal/PySide6/Qt/translations/qtbase_zh_CN.qm _internal/carecenter/db/migrations/0001_roster.py \
         _internal/resources/fonts/wqy-microhei.ttc _internal/resources/styles/app.qss _internal/resources/presets/national/choices.json; do
  [ -f "$ROOTFS$BUNDLE/$f" ] || fail "the bundle has no $f"
done
[ -z "$(find "$ROOTFS$BUNDLE/_internal/PySide6/Qt/translations" -name '*.qm' ! -name '*zh_CN.qm')" ] || fail "translations other than zh_CN in the bundle"
note "unpacked: $(du -sb "$ROOTFS$BUNDLE" | awk '{printf "%.1f MB", $1/1e6}') ($(du -sh --apparent-size "$ROOTFS$BUNDLE" | cut -f1)iB)"

step "libraries: every one the bundle needs is in the bundle or the desktop set"
: > "$WORK/missing.txt"
while IFS= read -r -d '' f; do
  head -c 4 "$f" | grep -q 'ELF' || continue
  chroot "$ROOTFS" env LD_LIBRARY_PATH="$BUNDLE/_internal:$BUNDLE/_internal/PySide6/Qt/lib" ldd "${f#"$ROOTFS"}" 2>/dev/null \
    | grep "not found" | sed "s|^|${f#"$ROOTFS$BUNDLE/"}: |" >> "$WORK/missing.txt" || true
done < <(find "$ROOTFS$BUNDLE" -type f \( -name '*.so*' -o -name carecenter \) -print0)
# optional plugins: Wayland sessions bring libwayland, CUPS printing brings libcups
grep -vE "plugins/(wayland-|platforms/libqwayland|printsupport/)|libQt6WaylandClient|libQt6WlShellIntegration" "$WORK/missing.txt" > "$WORK/missing-core.txt" || true
if [ -s "$WORK/missing-core.txt" ]; then cat "$WORK/missing-core.txt"; fail "libraries missing"; fi
note "libraries: none missing (optional, from the system when used: $(awk '{print $2}' "$WORK/missing.txt" | sort -u | tr '\n' ' '))"

GLIBC_FLOOR=$(find "$ROOTFS$BUNDLE" -type f \( -name '*.so*' -o -name carecenter \) -exec objdump -T {} + 2>/dev/null \
  | grep -oE 'GLIBC_[0-9]+\.[0-9]+(\.[0-9]+)?' | sort -uV | tail -1)
GLIBCXX_FLOOR=$(find "$ROOTFS$BUNDLE" -type f \( -name '*.so*' -o -name carecenter \) -exec objdump -T {} + 2>/dev/null \
  | grep -oE 'GLIBCXX_[0-9]+\.[0-9]+(\.[0-9]+)*' | sort -uV | tail -1)
note "glibc floor (objdump -T, highest symbol version): $GLIBC_FLOOR; libstdc++: $GLIBCXX_FLOOR"

run_checks tarball "$BUNDLE/carecenter" /home/clerk/work-tarball

step "cold start to window (benchmark hook CARECENTER_TIMING_FILE), 50 cadres"
for i in $([ "$WINDOW" = 1 ] && echo 1 2 3); do
  as_clerk sh -c "cd /home/clerk && t0=\$(date +%s.%N) && CARECENTER_TIMING_FILE=/home/clerk/timing.json QT_QPA_PLATFORM=xcb \
    $BUNDLE/carecenter $SIGNIN --data-dir /home/clerk/work-tarball/D >/dev/null 2>&1 && echo \$t0 > /home/clerk/t0"
  python3 - "$ROOTFS/home/clerk/timing.json" "$ROOTFS/home/clerk/t0" "$i" <<'EOF' | tee -a "$REPORT"
import json, sys
data = json.load(open(sys.argv[1])); t0 = float(open(sys.argv[2]).read())
print(f"start {sys.argv[3]}: window {1000 * (data['window_shown'] - t0):.0f} ms, "
      f"first page {1000 * (data['first_page'] - t0):.0f} ms, peak RSS {data['maxrss_kb'] / 1024:.0f} MB")
EOF
done

# ------------------------------------------------------------------------------------------
step "the .deb: dpkg -i, run from /opt/apps, dpkg -r"
cp "$DEB" "$ROOTFS/tmp/"
as_root dpkg -i "/tmp/$(basename "$DEB")" > "$OUT/dpkg-install.log" 2>&1 || { cat "$OUT/dpkg-install.log"; fail "dpkg -i"; }
as_root dpkg -s "$APPID" | grep -q "Status: install ok installed" || fail "not installed"
note "dpkg -i: installed $APPID $(as_root dpkg-query -W -f='${Version}' "$APPID")"
run_checks deb "/opt/apps/$APPID/files/carecenter" /home/clerk/work-deb

step "[deb] the default data folder (no --data-dir), then remove the package"
DATA=/home/clerk/.local/share/CareCenter
if [ "$WINDOW" = 1 ]; then
  set +e
  as_clerk sh -c "QT_QPA_PLATFORM=xcb timeout 10 /opt/apps/$APPID/files/carecenter" > "$OUT/deb-default.log" 2>&1
  rc=$?
  set -e
  [ "$rc" = 124 ] || { cat "$OUT/deb-default.log"; fail "the window on the default data folder ended with $rc"; }
else
  as_clerk "/opt/apps/$APPID/files/carecenter" demo --data-dir "$DATA" --cadres 5 > "$OUT/deb-default.log" 2>&1 \
    || { cat "$OUT/deb-default.log"; fail "demo into the default data folder"; }
fi
[ -f "$ROOTFS$DATA/carecenter.db" ] || fail "no database in $DATA"
as_root dpkg -r "$APPID" > "$OUT/dpkg-remove.log" 2>&1 || { cat "$OUT/dpkg-remove.log"; fail "dpkg -r"; }
as_root dpkg -P "$APPID" >> "$OUT/dpkg-remove.log" 2>&1 || { cat "$OUT/dpkg-remove.log"; fail "dpkg -P"; }
[ ! -e "$ROOTFS/opt/apps/$APPID" ] || fail "/opt/apps/$APPID is still there after dpkg -P"
[ -f "$ROOTFS$DATA/carecenter.db" ] || fail "the data folder went away with the package"
[ -f "$ROOTFS/home/clerk/work-deb/D/carecenter.db" ] || fail "the demo data went away with the package"
note "dpkg -r / -P: program gone, data folder $DATA stays"

step "all checks passed"
cat "$REPORT"
