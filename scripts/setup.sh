#!/usr/bin/env bash
# Installs everything the product and its tests need, idempotently:
# the virtual environment with pinned Python packages, the pinned npm packages
# built into static files, and compiled translations. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating virtual environment (.venv)"
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.requirements.sha
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages (requirements.lock)"
  set +e
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -eq 0 ] || { echo "pip install failed ($rc)" >&2; exit "$rc"; }
  echo "$want" > "$stamp"
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v msgfmt >/dev/null 2>&1; then
  echo "==> Installing Debian packages (nodejs, npm, gettext)"
  apt-get update -qq && apt-get install -y -qq nodejs npm gettext >/dev/null
fi

nstamp=node_modules/.package-lock.sha
nwant=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$nstamp" 2>/dev/null)" != "$nwant" ] || [ ! -d static/vendor ]; then
  echo "==> Installing front-end packages (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  rm -rf static/vendor && mkdir -p static/vendor/designsystemet static/vendor/htmx
  cp node_modules/@digdir/designsystemet-css/dist/src/index.css static/vendor/designsystemet/index.css
  cp node_modules/@digdir/designsystemet-css/dist/theme/designsystemet.css static/vendor/designsystemet/theme.css
  cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
  install -D -m 644 node_modules/qrcode-generator/dist/qrcode.js static/vendor/qrcode-generator/qrcode.js
  echo "$nwant" > "$nstamp"
fi

if [ -n "$(find hmskort locale -name '*.po' 2>/dev/null | head -n 1)" ]; then
  echo "==> Compiling translations"
  .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
fi
