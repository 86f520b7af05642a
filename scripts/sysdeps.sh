#!/usr/bin/env bash
# Installs the Debian/Ubuntu system packages VillageDesk needs (Qt libraries, CJK fonts — 文泉驿微米黑 for
# the GUI and 公示 titles, AR PL UMing for 公示 page numbers and rare characters the shipped 仿宋 lacks —
# and for tests Xvfb + poppler, and LibreOffice Calc to print every ledger to PDF in the suite).
# Only when root and apt-get exist; quick when all are present.
set -eu
mode=${1:-run}
pkgs="python3-venv libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libcups2 fonts-wqy-microhei fonts-arphic-uming"
if [ "$mode" = test ]; then
  pkgs="$pkgs xvfb xauth poppler-utils postgresql libreoffice-calc-nogui"
fi
command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统软件包:$missing —— 请以 root 运行 apt-get install$missing" >&2
  exit 0
fi
echo "安装系统软件包:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
