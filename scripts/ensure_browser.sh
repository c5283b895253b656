#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded browser build) with CJK fonts.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
else
  echo "Browser tests need Debian's Chromium and CJK fonts: sudo apt-get install chromium fonts-noto-cjk" >&2
  exit 1
fi
