#!/usr/bin/env bash
# The one test command, for a fresh machine: installs what the tests need, then runs them all.
#
#   bash scripts/test.sh [pytest arguments]      (.ci/run runs exactly this)
#
# 1. Debian's Chromium for the browser tests (tests/test_browser.py), only when $CHROMIUM
#    (default /usr/bin/chromium) is missing: apt-get update + install chromium and
#    fonts-noto-cjk (Chinese glyphs), as root or through passwordless sudo. Playwright drives this
#    browser; its own browser download (`playwright install`) is never used.
#    Without root or sudo the browser tests skip, with the reason; under CI (CI=true) they fail.
# 2. The pinned Python packages: requirements-test.txt (the runtime, pytest, hypothesis, playwright).
# 3. pytest: every test, its summary on the last line; the exit status is pytest's.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

install_chromium() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "test.sh: $CHROMIUM is missing and this user can't install it (not root, no passwordless sudo):" \
           "the browser tests will be skipped. Install it with: sudo apt-get install -y chromium" >&2
      return 0
    fi
  fi
  echo "test.sh: installing Debian's chromium and fonts-noto-cjk (apt-get) ..." >&2
  local start=$SECONDS
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
    install --no-install-recommends chromium fonts-noto-cjk
  if [ ! -x "$CHROMIUM" ]; then
    echo "test.sh: apt-get installed chromium but there is still no $CHROMIUM" >&2
    exit 1
  fi
  echo "test.sh: chromium installed in $((SECONDS - start)) s" >&2
}

if [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    install_chromium
  else
    echo "test.sh: $CHROMIUM is missing and there is no apt-get: the browser tests will be skipped" >&2
  fi
fi

python3 -m pip install -q -r requirements-test.txt
exec python3 -m pytest "$@"
