#!/usr/bin/env bash
# The portal's page is tested in Debian's Chromium (puppeteer-core downloads no browser). On a
# fresh Debian machine where we are root, install it; anywhere else, say what to do.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
  echo "cdrbill: installing Debian's chromium for the browser test (once)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
  exit 0
fi
echo "cdrbill: the browser test needs Chromium at $browser: sudo apt-get install chromium, or set CHROMIUM_PATH" >&2
exit 1
