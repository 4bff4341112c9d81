#!/usr/bin/env bash
# The README's first command: set everything up and serve the product on its
# embedded default (SQLite, Celery tasks in-process, the demo register
# population) at http://127.0.0.1:8000, printing the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The embedded default: no DATABASE_URL / REDIS_URL unless the caller sets them.
mkdir -p var
echo "==> Migrating the database"
.venv/bin/python manage.py migrate --noinput >/dev/null
echo "==> Seeding the demo register population (skipped if already there)"
.venv/bin/python manage.py seed_registers --preset demo --if-empty
.venv/bin/python manage.py demo_logins
echo "==> Serving on http://127.0.0.1:8000 (Ctrl-C stops)"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
