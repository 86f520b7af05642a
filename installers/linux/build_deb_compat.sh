#!/usr/bin/env bash
# Builds a .deb that runs on glibc 2.28 and newer (统信 UOS V20 = Debian 10, 银河麒麟 V10 = glibc 2.31,
# Debian 11/12 …), from any Debian-like machine where this runs as root with debootstrap and
# dpkg-deb. Only Debian's archive (deb.debian.org) and PyPI are needed.
#   sudo installers/linux/build_deb_compat.sh     → dist/glibc-2.28/villagedesk_<version>_<arch>.deb
#
# How: Debian 10 (glibc 2.28) is no longer on deb.debian.org, so the bundle is built in a Debian 11
# "bullseye" chroot (glibc 2.31, gcc 10) and every C file compiled there is told, by a generated
# header (glibc_pin_header.py), to use the glibc 2.28-or-older version of the few functions that got
# a newer symbol version in 2.29–2.31 (exp, log, pow, exp2, log2). Compiled there, from Debian
# bookworm's source packages: CPython 3.11 (with Debian's security patches), SQLite 3.40 (the
# program needs RETURNING, SQLite ≥ 3.35; UOS V20 has 3.27) and libpng (bullseye's own needs 2.29).
# PySide6 is pinned to the last release with manylinux_2_28 wheels (constraints-glibc228.txt).
# max_glibc.py then checks every ELF file of the bundle; build_deb.sh packages it.
#
# Cached under build/compat/ (git-ignored, ~2.8 GB): the chroot and what was compiled in it; a
# second run only reinstalls the project and runs PyInstaller. COMPAT_CLEAN=1 starts over.
# Settings: GLIBC_TARGET (2.28), SUITE (bullseye), MIRROR, CACHE (build/compat), OUT.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GLIBC_TARGET=${GLIBC_TARGET:-2.28}
SUITE=${SUITE:-bullseye}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SOURCE_SUITE=${SOURCE_SUITE:-bookworm}  # where CPython 3.11, SQLite and libpng sources come from
CACHE=${CACHE:-$ROOT/build/compat}
OUT=${OUT:-$ROOT/dist/glibc-$GLIBC_TARGET}
CHROOT=$CACHE/$SUITE-root
STAMPS=$CHROOT/build/stamps
PREFIX=/opt/py311  # inside the chroot: CPython and the libraries compiled for it
VENV=/opt/vd-venv
START=$(date +%s)

[ "$(id -u)" = 0 ] || { echo "build_deb_compat.sh: run as root (debootstrap, chroot, mount)" >&2; exit 1; }
for tool in debootstrap dpkg-deb chroot mount python3; do
  command -v "$tool" >/dev/null || { echo "build_deb_compat.sh: $tool is missing (apt-get install debootstrap)" >&2; exit 1; }
done
HOST_PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$HOST_PYTHON" ] || HOST_PYTHON=python3

MOUNTS=(proc dev dev/pts)
unmount_all() {
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    if mountpoint -q "$CHROOT/${MOUNTS[i]}"; then umount "$CHROOT/${MOUNTS[i]}"; fi
  done
}
mount_all() {
  mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
  mountpoint -q "$CHROOT/dev" || mount --bind /dev "$CHROOT/dev"
  mountpoint -q "$CHROOT/dev/pts" || mount --bind /dev/pts "$CHROOT/dev/pts"
}
# Runs a bash script inside the chroot with a clean environment.
in_chroot() {
  chroot "$CHROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 ${PIP_CERT_IN_CHROOT:+PIP_CERT=$PIP_CERT_IN_CHROOT} \
    DEBIAN_FRONTEND=noninteractive PREFIX=$PREFIX VENV=$VENV GLIBC_TARGET=$GLIBC_TARGET \
    bash -euo pipefail -c "$1"
}
stage_done() { [ -e "$STAMPS/$1" ]; }
mark_done() { touch "$STAMPS/$1"; }
say() { echo "== [$(($(date +%s) - START))s] $*"; }

if [ "${COMPAT_CLEAN:-}" = 1 ] && [ -d "$CHROOT" ]; then
  unmount_all
  rm -rf --one-file-system "$CHROOT"
fi
mkdir -p "$CACHE"
trap unmount_all EXIT

# 1. The chroot.
if [ ! -e "$STAMPS/rootfs" ]; then
  if [ -d "$CHROOT" ]; then unmount_all; rm -rf --one-file-system "$CHROOT"; fi  # an interrupted debootstrap
  say "debootstrap $SUITE from $MIRROR"
  if ! debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$CHROOT" "$MIRROR" \
      > "$CACHE/debootstrap.log" 2>&1; then
    tail -5 "$CACHE/debootstrap.log" >&2
    echo "build_deb_compat.sh: debootstrap $SUITE failed (is $SUITE still on $MIRROR?)" >&2
    exit 1
  fi
  cat > "$CHROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
deb-src $MIRROR $SOURCE_SUITE main
EOF
  mkdir -p "$STAMPS"
  mark_done rootfs
fi
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
# pip inside trusts what the host trusts (a site CA, if any, is in the host's bundle).
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$CHROOT/build/host-ca.crt"
  PIP_CERT_IN_CHROOT=/build/host-ca.crt
fi
mount_all

# 2. Compilers, the -dev packages CPython's modules need, and the runtime libraries Qt links to
#    (PyInstaller collects those the .deb does not take from the system).
if ! stage_done packages; then
  say "apt-get install build tools and libraries"
  in_chroot 'apt-get update -qq && apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config dpkg-dev xz-utils binutils tcl \
    libffi-dev libssl-dev zlib1g-dev libbz2-dev liblzma-dev uuid-dev \
    libgl1 libegl1 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 \
    libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xfixes0 \
    libxcb-sync1 libxcb-shm0 libxcb-render0 libxcb-glx0 libxkbcommon0 libxkbcommon-x11-0 \
    libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 fonts-wqy-microhei >/dev/null'
  mark_done packages
fi

# 3. Sources (apt checks them against the signed archive index) and the glibc pin header.
if ! stage_done sources; then
  say "apt-get source python3.11 sqlite3 libpng1.6 ($SOURCE_SUITE)"
  in_chroot 'rm -rf /build/src && mkdir -p /build/src && cd /build/src && apt-get update -qq \
    && apt-get source --download-only -qq python3.11 sqlite3 libpng1.6 2>&1 | grep -v "unsandboxed" || true
    ls python3.11_*.dsc sqlite3_*.dsc libpng1.6_*.dsc >/dev/null'
  mark_done sources
fi
python3 "$HERE/glibc_pin_header.py" "$GLIBC_TARGET" "$CHROOT/lib/x86_64-linux-gnu" > "$CACHE/glibc-pin.h.new"
if ! cmp -s "$CACHE/glibc-pin.h.new" "$CHROOT/build/glibc-pin.h"; then  # new header: compile again
  mv "$CACHE/glibc-pin.h.new" "$CHROOT/build/glibc-pin.h"
  rm -f "$STAMPS/libraries" "$STAMPS/python" "$STAMPS/venv"
fi
rm -f "$CACHE/glibc-pin.h.new"
PIN_CFLAGS="-O2 -include /build/glibc-pin.h"

# 4. SQLite and libpng, with Debian's patches, into $PREFIX/lib.
if ! stage_done libraries; then
  say "compile SQLite and libpng"
  in_chroot "cd /build && rm -rf sqlite3-* libpng1.6-* && dpkg-source -x -q src/sqlite3_*.dsc >/dev/null \
    && dpkg-source -x -q src/libpng1.6_*.dsc >/dev/null
    cd /build/sqlite3-*/ && ./configure -q --prefix=$PREFIX --disable-static --disable-tcl --enable-math \
      CFLAGS='$PIN_CFLAGS -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_FTS4 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_MAX_VARIABLE_NUMBER=250000' \
      && make -s -j\$(nproc) >/dev/null && make -s install >/dev/null
    cd /build/libpng1.6-*/ && ./configure -q --prefix=$PREFIX --disable-static CFLAGS='$PIN_CFLAGS' \
      && make -s -j\$(nproc) >/dev/null && make -s install >/dev/null"
  mark_done libraries
fi

# 5. CPython 3.11: the upstream source with the security and bug-fix patches Debian applies after
#    its own layout patches (those follow ntpath-import.diff in debian/patches/series).
if ! stage_done python; then
  say "compile CPython 3.11 (a few minutes)"
  in_chroot "cd /build && rm -rf python3.11-src debian-python && mkdir debian-python \
    && tar -C debian-python -xJf src/python3.11_*.debian.tar.xz \
    && mkdir python3.11-src && tar -C python3.11-src --strip-components=1 -xzf src/python3.11_*.orig.tar.gz
    cd python3.11-src
    grep -qx ntpath-import.diff ../debian-python/debian/patches/series
    sed -n '/^ntpath-import.diff\$/,\$p' ../debian-python/debian/patches/series | tail -n +2 | grep -v '^#' \
      | while read -r p; do [ -n \"\$p\" ] && patch -p1 -s -N < ../debian-python/debian/patches/\$p; done
    # Debian builds pyexpat into libpython; its CVE-2026-4224 fix uses a core-only header, which a
    # shared pyexpat module may use when it says so first (as pyexpat.c does upstream from 3.12 on).
    grep -q Py_BUILD_CORE_MODULE Modules/pyexpat.c \
      || sed -i '1i #ifndef Py_BUILD_CORE_BUILTIN\n#  define Py_BUILD_CORE_MODULE 1\n#endif' Modules/pyexpat.c
    ./configure -q --prefix=$PREFIX --enable-shared --without-ensurepip \
      CFLAGS='-include /build/glibc-pin.h' CPPFLAGS='-I$PREFIX/include' \
      LDFLAGS='-L$PREFIX/lib -Wl,-rpath,$PREFIX/lib' PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig \
      ac_cv_func_sem_clockwait=no
    make -s -j\$(nproc) >/build/python-make.log 2>&1 || { tail -30 /build/python-make.log; exit 1; }
    make -s install >/build/python-install.log 2>&1 || { tail -30 /build/python-install.log; exit 1; }
    $PREFIX/bin/python3.11 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid, pyexpat, xml.etree.ElementTree; print(\"CPython\", __import__(\"sys\").version.split()[0], \"SQLite\", sqlite3.sqlite_version, ssl.OPENSSL_VERSION)'"
  mark_done python
fi

# 6. The project in a venv there, PySide6 held to its manylinux_2_28 release.
say "install the project (PySide6 pinned by constraints-glibc228.txt)"
rm -rf "$CHROOT/src"
mkdir -p "$CHROOT/src"
git -C "$ROOT" ls-files -z -co --exclude-standard \
  | tar -C "$ROOT" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$CHROOT/src" -xf -
if ! stage_done venv; then
  in_chroot "rm -rf $VENV && $PREFIX/bin/python3.11 -m venv $VENV && $VENV/bin/python -m pip install -q --upgrade pip"
  mark_done venv
fi
in_chroot "cd /src && $VENV/bin/python -m pip install -q -c installers/linux/constraints-glibc228.txt '.[build]' \
  && $VENV/bin/python -m pip install -q --no-deps --force-reinstall . \
  && $VENV/bin/python -c 'import PySide6, sqlite3; print(\"PySide6\", PySide6.__version__, \"SQLite\", sqlite3.sqlite_version)'"

# 7. PyInstaller with the project's spec; LD_LIBRARY_PATH so it takes our libpng, not bullseye's;
say "PyInstaller"
#    libdbus-1 and libsystemd come from the target (bullseye's libsystemd needs gettid, glibc 2.30).
in_chroot "cd /src && rm -rf /build/dist /build/pyinstaller && LD_LIBRARY_PATH=$PREFIX/lib \
  VILLAGEDESK_SYSTEM_LIBS='libdbus-1 libsystemd' \
  $VENV/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath /build/dist --workpath /build/pyinstaller installers/villagedesk.spec"
BUNDLE=$CHROOT/build/dist/villagedesk
unmount_all

say "check: no ELF file in the bundle needs glibc newer than $GLIBC_TARGET"
python3 "$HERE/max_glibc.py" --max "$GLIBC_TARGET" "$BUNDLE"

# 8. The .deb, as build_deb.sh makes it.
BUNDLE=$BUNDLE WORK=$CACHE/work OUT=$OUT PYTHON=$HOST_PYTHON "$HERE/build_deb.sh"
say "done"
