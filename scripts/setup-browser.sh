#!/usr/bin/env bash
# Makes sure the `floe ui` browser tests have a Chromium: Debian's `chromium` package, installed
# with apt-get when it is missing and this user may install packages (root). Never downloads a
# browser build of its own. Where none can be had it says why and exits 0: the browser tests then
# skip themselves, printing the same reason (test/support/browser.ts).
set -uo pipefail
for b in "${FLOE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$b" ] && [ -x "$b" ]; then
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[setup-browser] installing Debian's chromium for the floe ui browser tests" >&2
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/floe-setup-browser.log 2>&1; then
    exit 0
  fi
  echo "[setup-browser] apt-get install chromium failed (see /tmp/floe-setup-browser.log); the browser tests will be skipped" >&2
  exit 0
fi
echo "[setup-browser] no Chromium and no way to install it here (needs root and apt-get); the browser tests will be skipped" >&2
exit 0
