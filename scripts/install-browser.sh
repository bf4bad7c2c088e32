#!/usr/bin/env bash
# Installs the headless browser and CJK fonts that the report tests (tests/reports) use to render
# the HTML reports to PNG: Debian's `chromium` plus Noto CJK, so Chinese text shows as glyphs, not
# boxes. Idempotent: does nothing when both are already present. Debian/Ubuntu only (apt-get).
set -euo pipefail

have_chromium() { [ -x /usr/bin/chromium ]; }
have_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]
}

if have_chromium && have_cjk_font; then
    echo "install-browser: chromium and a CJK font are already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: apt-get not found; install chromium and a CJK font (e.g. Noto CJK) by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fontconfig provides fc-list (used above) and the font cache chromium reads.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig
echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
