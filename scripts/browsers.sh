#!/usr/bin/env bash
# The browsers `npm run test:browser` drives: Debian's chromium and firefox-esr. Installs whichever is
# missing (from the distribution's mirrors; run as root or with sudo). Elsewhere, point CHROMIUM_PATH
# and FIREFOX_PATH at a Chromium and a Firefox ESR recent enough for WebDriver BiDi (tested: 140).
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v firefox-esr >/dev/null || missing+=(firefox-esr)
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
