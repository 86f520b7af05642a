#!/usr/bin/env bash
# Builds dist/villagedesk_<version>_<arch>.deb for Debian / 统信 UOS / 银河麒麟 from a PyInstaller
# one-folder build. Needs only the project's venv (with `pip install -e .[build]`) and dpkg-deb.
#   installers/linux/build_deb.sh            (PYTHON=… to use another interpreter, OUT=… for the .deb)
# The bundle needs the glibc of the machine it was built on (or newer); the control file states the
# minimum it found. For 统信 UOS V20 (glibc 2.28) / 麒麟 V10 (2.31) use build_deb_compat.sh, which builds
# the bundle in a Debian 11 chroot with glibc calls pinned to 2.28 and packages it with this script.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
OUT=${OUT:-$ROOT/dist}
WORK=${WORK:-$ROOT/build}
cd "$ROOT"

VERSION=$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
if [ -n "${BUNDLE:-}" ]; then  # a finished PyInstaller folder (build_deb_compat.sh builds one in a chroot)
  echo "== VillageDesk $VERSION ($ARCH): packaging $BUNDLE"
else
  echo "== VillageDesk $VERSION ($ARCH): PyInstaller"
  "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$WORK/pyinstaller-dist" --workpath "$WORK/pyinstaller" installers/villagedesk.spec
  BUNDLE=$WORK/pyinstaller-dist/villagedesk
fi
test -x "$BUNDLE/villagedesk"

STAGE=$WORK/deb/villagedesk_${VERSION}_${ARCH}
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/doc/villagedesk"
cp -a "$BUNDLE" "$STAGE/opt/villagedesk"

# A wrapper rather than a symlink: the program finds its folder either way, and this leaves room for
# environment settings without rebuilding.
cat > "$STAGE/usr/bin/villagedesk" <<'WRAPPER'
#!/bin/sh
exec /opt/villagedesk/villagedesk "$@"
WRAPPER
chmod 755 "$STAGE/usr/bin/villagedesk"

install -m 644 "$HERE/villagedesk.desktop" "$STAGE/usr/share/applications/villagedesk.desktop"
for size in 16 24 32 48 64 128 256; do
  install -D -m 644 "resources/icons/villagedesk-$size.png" \
    "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/villagedesk.png"
done
install -D -m 644 resources/icons/villagedesk.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/villagedesk.svg"
cat > "$STAGE/usr/share/doc/villagedesk/copyright" <<'COPYRIGHT'
VillageDesk (村级党建工作台) is distributed under the MIT licence.
It bundles Python, Qt (PySide6, LGPL-3.0) and other libraries under /opt/villagedesk/_internal;
a bundled font's licence is next to it in /opt/villagedesk/_internal/resources/fonts.
COPYRIGHT

# The newest glibc symbol version any bundled binary asks for: the minimum libc6 to depend on.
GLIBC=$("$PYTHON" "$HERE/max_glibc.py" "$STAGE/opt/villagedesk")
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$SIZE/" -e "s/@GLIBC@/${GLIBC:-2.17}/" \
  "$HERE/control.in" > "$STAGE/DEBIAN/control"
install -m 755 "$HERE/postinst" "$HERE/postrm" "$STAGE/DEBIAN/"

mkdir -p "$OUT"
DEB=$OUT/villagedesk_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "== bundle: $(du -sh "$BUNDLE" | cut -f1)  .deb: $(du -h "$DEB" | cut -f1)  needs glibc >= ${GLIBC:-?}"
echo "$DEB"
