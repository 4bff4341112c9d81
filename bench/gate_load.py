"""Benchmark: gate decisions (`POST /api/v1/gate/events`) from 64 concurrent readers.

    .venv/bin/python bench/gate_load.py [--keep] [--cards 5000] [--duration 15]

Creates its own PostgreSQL database (hmskort_bench_gate on 127.0.0.1:5432, user
postgres; dropped first if it exists), migrates it, and sets up one site with its
main contractor and a subcontractor, `--cards` active BA cards (a few blocked,
some of a company not on the site), and 64 gate readers (API clients bound to
the site, each with a token). It starts the app as production runs it
(docs/operations.md, the same `start_server` as bench/status_load.py):
gunicorn `config.wsgi:application` (the API fast lane in front of Django), 2
workers x 4 gthread threads, persistent database connections, prepared
statements on (`?prepare_threshold=5`), and check recording on with the
separate drainer (`HMSKORT_CHECK_FLUSH_IN_PROCESS=0` and `manage.py
receipts_flush --loop 1` next to the server; every decision is also a card
check, issue 11). It drives it with wrk (64 connections, closed loop): every request is a check-in
or check-out of a card by card number, with a fresh event id, the 64 readers'
tokens in turn; each wrk thread walks its own half of the cards, alternating
in and out per card, so most decisions are admits and some are refusals
(blocked card, company not on the site, exit without entry).

Before measuring it waits (up to `--quiet-wait` seconds) for the 1-minute load
average to fall below `--quiet-load`. For scale on a shared machine it also
measures the same server's trivial authenticated endpoint (`GET
/api/v1/ping`). Then it stops the server (the drainer writes what is left),
counts the recorded gate events by decision (and checks no event id was
recorded twice) and the recorded gate checks, drops the database (unless
--keep) and prints, last:

    gate_decisions_per_s: N
    gate_p99_ms: N

Target (issue 7): p99 < 50 ms. Needs `wrk` (apt-get install wrk) and gunicorn.
`--no-fast-lane` measures the plain Django path.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from status_load import (  # noqa: E402
    LUA_RECONNECT,
    LUA_TRIVIAL,
    PYTHON,
    add_server_arguments,
    create_database,
    database_exists,
    database_url,
    drop_database,
    ensure_wrk,
    free_port,
    load_average,
    manage,
    run_wrk,
    settle_database,
    start_server,
    stop_server,
    wait_until_quiet,
)

READERS = 64
TARGET_P99_MS = 50.0


def log(message: str) -> None:
    print(f"[gate_load] {message}", flush=True)


SETUP = """
import datetime as dt, json, random
from django.utils import timezone
from hmskort.api.models import ApiLevel
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.api.oauth_settings import SCOPE_GATE
from hmskort.cards.models import Card, CardState
from hmskort.cards.numbers import new_card_number
from hmskort.registers.identifiers import valid_orgnr
from hmskort.sites.models import SiteCompany
from hmskort.sites.services import gate_reader_create, site_create

# The readers' secrets are never used (tokens are issued directly): skip the slow hasher.
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
rng = random.Random(7)
today = timezone.localdate()
owner, sub, outsider = valid_orgnr(424242), valid_orgnr(424243), valid_orgnr(424244)
site = site_create(owner_orgnr=owner, owner_name="Bench Entreprenør AS", name="Benchmark-tomta",
                   address="Testveien 1, 0150 Oslo", builder_name="Bench Byggherre AS",
                   starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=365),
                   required_industry="BA", anti_passback_minutes=0, created_by="bench")
SiteCompany.objects.create(site=site, orgnr=sub, name="Bench Under AS", added_by="bench")
numbers, cards, now = set(), [], timezone.now()
while len(numbers) < %(cards)d:
    numbers.add(new_card_number(rng))
for i, number in enumerate(sorted(numbers)):
    employer = outsider if i %% 50 == 0 else (owner if i %% 2 else sub)
    state = CardState.BLOCKED if i %% 97 == 0 else CardState.ACTIVE
    cards.append(Card(card_number=number, card_type="BA", employer_orgnr=employer,
                      employer_name="Bench AS", holder_id=f"{10000000000 + i}",
                      holder_name=f"Arbeider {i}", state=state, reason_codes=[],
                      state_changed_at=now, issue_date=today - dt.timedelta(days=100),
                      valid_until=today + dt.timedelta(days=600), shipped_at=now))
Card.objects.bulk_create(cards, batch_size=2000)
tokens = []
for r in range(%(readers)d):
    creds = gate_reader_create(site=site, name=f"Port {r}", created_by="bench")
    tokens.append(api_token_issue(client=creds.reader.api_client, expires_in=6 * 3600, scope=SCOPE_GATE))
# The ping baseline needs a level-1 client (a reader's token is refused there: 403).
level1 = api_client_create(level=ApiLevel.LEVEL1, organisation_name="Bench ping AS",
                           approved_by="bench")
ping_token = api_token_issue(client=level1.client, expires_in=6 * 3600)
print("RESULT " + json.dumps({"tokens": tokens, "numbers": sorted(numbers), "site": site.pk,
                              "ping_token": ping_token}))
"""

LUA = (
    LUA_RECONNECT  # the same connection churn as bench/status_load.py
    + """
local numbers = {%(numbers)s}
local tokens = {%(tokens)s}
local run = "%(run)s"
local counter = 0
local half = math.floor(#numbers / 2)
local base, size = 0, half
local dir = {}
local i = 0
local threads = {}
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
init = function(args)
  base = (tid %% 2) * half
  size = half
  i = 0
end
request = function()
  counter = counter + 1
  i = (i %% size) + 1
  local n = numbers[base + i]
  local d = dir[n] == "in" and "out" or "in"
  dir[n] = d
  local token = tokens[(counter %% #tokens) + 1]
  local body = '{"event_id":"' .. run .. '-' .. tid .. '-' .. counter .. '","direction":"' .. d
    .. '","card_number":"' .. n .. '"}'
  return wrk.format("POST", "/api/v1/gate/events",
    with_reconnect({["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}),
    body)
end
"""
)

COUNT = """
import json
from django.db.models import Count
from hmskort.receipts.models import CardCheck
from hmskort.receipts.services import checks_flush
from hmskort.sites.models import GateEvent
checks_flush()  # anything the drainer had not written yet
rows = GateEvent.objects.values("admitted", "reason").annotate(n=Count("id"))
dups = (GateEvent.objects.values("reader_id", "event_id").annotate(n=Count("id"))
        .filter(n__gt=1).count())
checks = CardCheck.objects.filter(channel="gate").count()
print("RESULT " + json.dumps({"rows": [dict(r) for r in rows], "duplicates": dups,
                              "checks": checks}))
"""


def django_shell(env: dict, code: str) -> dict:
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hmskort_bench_gate")
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=15, help="seconds of measured load")
    add_server_arguments(parser, quiet_wait=120)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database must be a plain lower-case identifier")
    if not ensure_wrk():
        parser.error("wrk is not installed and could not be installed (apt-get install -y wrk)")

    env = {
        **os.environ,
        # Production's settings (docs/operations.md): prepared statements on.
        "DATABASE_URL": database_url(args.database),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        "HMSKORT_API_FAST_LANE": "0" if args.no_fast_lane else "1",
        # Every decision is a recorded check: the web workers spool them and the
        # separate drainer (started by start_server) writes them, as in production.
        "HMSKORT_CHECK_FLUSH_IN_PROCESS": "0",
        # Its own spool: a development server must never drain this run's check records.
        "HMSKORT_CHECK_SPOOL_DIR": tempfile.mkdtemp(prefix="hmskort-bench-spool-"),
    }
    env.pop("REDIS_URL", None)
    server = None
    started = time.time()
    try:
        if database_exists(args.database):
            drop_database(args.database)
        log(f"creating database {args.database}")
        create_database(args.database)
        manage(env, "migrate", "--verbosity", "0")
        log(f"creating a site, {args.cards} cards and {READERS} gate readers")
        data = django_shell(env, SETUP % {"cards": args.cards, "readers": READERS})
        settle_database(args.database)  # VACUUM ANALYZE, CHECKPOINT after the set-up
        wait_until_quiet(args.quiet_load, args.quiet_wait)
        port = free_port()
        log(
            f"starting gunicorn ({args.workers} workers, gthread x {args.threads}, fast lane "
            f"{'off' if args.no_fast_lane else 'on'}, recording on with a separate drainer) "
            f"on {port}"
        )
        server = start_server(env, port, "gthread", args.threads, args.workers)
        base = f"http://127.0.0.1:{port}"

        def script(run: str) -> str:
            return LUA % {
                "numbers": ",".join(f'"{n}"' for n in data["numbers"]),
                "tokens": ",".join(f'"{t}"' for t in data["tokens"]),
                "run": run,
            }

        run_wrk(base, script("warm"), 3)  # token caches, connections, imports
        log(f"load average before the measured runs: {load_average()}")
        result = run_wrk(base, script("main"), args.duration)
        # The same server's trivial authenticated endpoint, for scale on a busy machine.
        trivial = run_wrk(base, LUA_TRIVIAL % {"token": data["ping_token"]}, args.duration)
        log(
            f"GET /api/v1/ping (baseline): {trivial['rps']:.0f} req/s, p50 "
            f"{trivial['p50_ms']:.2f} ms, p99 {trivial['p99_ms']:.2f} ms, non-2xx "
            f"{trivial['non_2xx']}"
        )
        log(
            f"POST /api/v1/gate/events: {result['rps']:.0f} decisions/s, p50 "
            f"{result['p50_ms']:.2f} ms, p90 {result['p90_ms']:.2f} ms, p99 "
            f"{result['p99_ms']:.2f} ms, {result['requests']} requests, non-2xx "
            f"{result['non_2xx']}"
            + (f", socket errors: {result['socket_errors']}" if result["socket_errors"] else "")
        )
        log(f"load average after: {load_average()}")
        stop_server(server)  # the drainer writes what is left of the spool
        server = None
        counts = django_shell(env, COUNT)
        total = sum(r["n"] for r in counts["rows"])
        log(
            f"{total} gate events recorded, duplicates per (reader, event id): {counts['duplicates']}"
        )
        for row in sorted(counts["rows"], key=lambda r: -r["n"]):
            log(f"  {'admit ' if row['admitted'] else 'refuse'} {row['reason']:<20} {row['n']}")
        log(f"{counts['checks']} gate checks recorded (one per decision on a card number)")
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            drop_database(args.database)
            log(f"dropped {args.database}")
    log(f"total {time.time() - started:.0f} s")
    ok = result["p99_ms"] < TARGET_P99_MS and result["non_2xx"] == 0
    log(f"target: p99 < {TARGET_P99_MS:.0f} ms -> " + ("met" if ok else "NOT met"))
    print(f"trivial_rps: {trivial['rps']:.0f}")
    print(f"trivial_p99_ms: {trivial['p99_ms']:.2f}")
    print(f"gate_p50_ms: {result['p50_ms']:.2f}")
    print(f"gate_non_2xx: {result['non_2xx']}")
    print(f"gate_decisions_per_s: {result['rps']:.0f}")
    print(f"gate_p99_ms: {result['p99_ms']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
