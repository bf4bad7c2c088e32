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

# shellcheck source=apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
HINT="install chromium and a CJK font (e.g. Noto CJK) by hand"
# fontconfig provides fc-list (used above) and the font cache chromium reads.
apt_install install-browser chromium fonts-noto-cjk fontconfig
echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
