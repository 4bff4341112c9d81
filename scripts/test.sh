#!/usr/bin/env bash
# The README's second command: run the whole test suite.
#
# When PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379)
# are reachable, the suite runs against them; otherwise on SQLite with tasks
# in-process, and the PostgreSQL-only tests are skipped. On CI (CI=true) a
# missing PostgreSQL or Redis is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Browser journeys drive Debian's Chromium (never a downloaded browser).
# The card-face tests rasterise PDFs with poppler's pdftoppm.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing Debian packages the tests need: ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

reachable() { .venv/bin/python - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

PG_HOST="${PG_HOST:-127.0.0.1}"; PG_PORT="${PG_PORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"; REDIS_PORT="${REDIS_PORT:-6379}"
if [ "${HMSKORT_TEST_DB:-auto}" != "sqlite" ] && reachable "$PG_HOST" "$PG_PORT"; then
  export DATABASE_URL="${DATABASE_URL:-postgres://postgres@$PG_HOST:$PG_PORT/hmskort}"
  export HMSKORT_REQUIRE_POSTGRES=1
  echo "==> Tests on PostgreSQL ($PG_HOST:$PG_PORT)"
elif [ "${CI:-}" = "true" ]; then
  echo "ERROR: PostgreSQL is not reachable on $PG_HOST:$PG_PORT; CI must run against it." >&2
  exit 1
else
  unset DATABASE_URL
  echo "==> Tests on SQLite (PostgreSQL not reachable: its tests are skipped)"
fi
if [ "${HMSKORT_TEST_DB:-auto}" != "sqlite" ] && reachable "$REDIS_HOST" "$REDIS_PORT"; then
  export HMSKORT_TEST_REDIS_URL="${HMSKORT_TEST_REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT/15}"
  echo "==> Celery/Redis tests against $HMSKORT_TEST_REDIS_URL"
elif [ "${CI:-}" = "true" ]; then
  echo "ERROR: Redis is not reachable on $REDIS_HOST:$REDIS_PORT; CI must run against it." >&2
  exit 1
fi

exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
