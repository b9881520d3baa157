#!/usr/bin/env bash
# Make the browser tests (tests/ui/test_ui_browser.py) runnable: Debian's chromium at
# /usr/bin/chromium and Playwright for Python (its bundled driver only; no `playwright
# install`, no browser downloads). Idempotent: installs only what is missing.
#   bash .ci/browser.sh && python -m pytest tests/ui
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  echo "browser.sh: installing chromium from Debian packages" >&2
  if [ "$(id -u)" != "0" ]; then
    echo "browser.sh: need root to apt-get install chromium; the browser tests will skip" >&2
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
fi

PYTHON="${PYTHON:-python}"
if ! "$PYTHON" -c "import playwright.sync_api" >/dev/null 2>&1; then
  echo "browser.sh: installing Playwright for Python" >&2
  "$PYTHON" -m pip install -q "playwright>=1.45,<2" >&2
fi

/usr/bin/chromium --version >&2 2>/dev/null || true
