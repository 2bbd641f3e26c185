#!/usr/bin/env bash
# Checks that framepred's MP4 reels play in a real browser: installs
# Debian's chromium if it is missing, then runs browser-check, which writes
# a reel, plays it in headless Chromium and reports what the page saw.
# Not part of CI (it needs a browser and, to install one, root).
#
#   scripts/browser-check/run.sh [OUT_DIR]     # default: a new temporary folder
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "browser-check: installing Debian's chromium"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
out=${1:-$(mktemp -d /tmp/framepred-browser-check.XXXXXX)}
chromium --version
go run ./scripts/browser-check -out "$out"
echo "browser-check: files in $out (reel.mp4, still.png, frame.png = what the browser decoded, page.png, result.json)"
