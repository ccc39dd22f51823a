#!/usr/bin/env bash
# System packages the browser tests need: Debian's Chromium and a Japanese font.
# Installs them with apt-get only when missing (never `playwright install`).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "IPAGothic\|IPAexGothic\|Noto Sans CJK" || missing+=(fonts-ipafont-gothic fontconfig)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing ${missing[*]} (needed by the browser tests)…"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
