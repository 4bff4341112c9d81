"""Benchmark the nightly full re-check and the incremental re-check at national scale.

    .venv/bin/python bench/recheck.py [--keep] [--workers 2] [--chunk-size 5000]

Creates its own PostgreSQL database (hmskort_bench_recheck on 127.0.0.1:5432,
user postgres; BENCH_DATABASE_URL overrides), migrates, seeds the national
preset (450,000 cards) when the database lacks it, applies a realistic batch of
register changes (ended employments, bankruptcies), starts Celery worker
processes on Redis (127.0.0.1:6379, db 14; BENCH_REDIS_URL overrides), times
the full re-check and one plain SQL query reading the same register facts for
all cards (the floor), then 1,000 register changes and the incremental
re-check. Peak memory is the largest VmHWM of the worker processes (and their
children). Stops the workers and drops the database unless --keep. Prints, last:

    full_recheck_s: N
    cards_per_s: N
    floor_s: N
    floor_ratio: R
    peak_rss_mb: N
    incremental_1000_s: N
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hmskort_bench_recheck"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

os.environ["DATABASE_URL"] = DB_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(REPO))


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def _admin_conn():
    import psycopg

    u = urlparse(DB_URL)
    return psycopg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        dbname="postgres",
        autocommit=True,
    )


def create_database() -> None:
    name = urlparse(DB_URL).path.lstrip("/")
    with _admin_conn() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    name = urlparse(DB_URL).path.lstrip("/")
    with _admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    log(f"dropped database {name}")


# --- workers and memory ------------------------------------------------------------------------


def start_workers(n: int) -> list[subprocess.Popen]:
    celery = Path(sys.executable).with_name("celery")
    workers = []
    for i in range(n):
        workers.append(
            subprocess.Popen(
                [
                    str(celery),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "-n",
                    f"bench{i}@%h",
                    "-l",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=REPO,
                env=dict(os.environ),
                start_new_session=True,
            )
        )
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        try:
            os.killpg(w.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for w in workers:
        try:
            w.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait()


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pids
    for child in children:
        pids += _tree(int(child))
    return pids


def peak_rss_mb(workers: list[subprocess.Popen]) -> float:
    """The largest peak resident set (VmHWM) of any worker process or child."""
    peak = 0
    for w in workers:
        for pid in _tree(w.pid):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
    return peak / 1024


def cpu_seconds(workers: list[subprocess.Popen]) -> float:
    """User + system CPU time the worker processes (and their children) have used:
    unlike wall time, it hardly depends on what else the machine is doing."""
    ticks = 0
    for w in workers:
        for pid in _tree(w.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_workers_ready(app, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= n:
            return
    raise SystemExit("the Celery workers did not come up")


# --- data --------------------------------------------------------------------------------------


def seed_if_needed() -> None:
    from django.core.management import call_command

    from hmskort.cards.models import Card

    if Card.objects.exists():
        log(f"database holds {Card.objects.count():,} cards; not seeding")
        return
    log("seeding the national preset (a few minutes) ...")
    t = time.perf_counter()
    call_command("seed_registers", preset="national")
    log(f"seeded in {time.perf_counter() - t:.0f} s")


def register_changes(*, employments: int, bankruptcies: int, today: dt.date, seed: int) -> int:
    """End `employments` open employments of card holders and bankrupt some companies,
    writing the change feed as the register services do (set-based: this is set-up)."""
    from django.db import transaction
    from django.utils import timezone

    from hmskort.cards.models import Card
    from hmskort.registers import models as rm

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        holders = list(
            Card.objects.filter(state__in=["active", "in_production"])
            .values_list("employer_orgnr", "holder_id")
            .order_by("?")[: employments * 2]
        )
        rng.shuffle(holders)
        ended = []
        for orgnr, fnr in holders:
            if len(ended) >= employments:
                break
            af = (
                rm.Arbeidsforhold.objects.filter(
                    arbeidsgiver_id=orgnr, arbeidstaker_id=fnr, sluttdato__isnull=True
                )
                .values_list("pk", flat=True)
                .first()
            )
            if af is not None:
                ended.append((af, orgnr, fnr))
        rm.Arbeidsforhold.objects.filter(pk__in=[a for a, _, _ in ended]).update(
            sluttdato=today - dt.timedelta(days=1)
        )
        feed = [
            rm.RegisterChange(
                register="AAREG",
                entity="Arbeidsforhold",
                entity_key=str(a),
                change_type="ENDRING",
                orgnr=o,
                fnr=f,
                changed_at=now,
            )
            for a, o, f in ended
        ]
        companies = list(
            rm.Enhet.objects.filter(konkurs=False, slettedato__isnull=True)
            .order_by("?")
            .values_list("pk", flat=True)[:bankruptcies]
        )
        rm.Enhet.objects.filter(pk__in=companies).update(konkurs=True, konkursdato=today)
        feed += [
            rm.RegisterChange(
                register="ENHET",
                entity="Enhet",
                entity_key=o,
                change_type="ENDRING",
                orgnr=o,
                changed_at=now,
            )
            for o in companies
        ]
        rm.RegisterChange.objects.bulk_create(feed)
    return len(feed)


#: The floor: one set-based statement reading, for every issued card, the same
#: register facts the re-check reads (company, VAT, self-declarations, staffing,
#: approvals, workshop, exceptions; person, permits, employments, postings,
#: roles), aggregated per card with hash joins, and fetched into Python as the
#: re-check fetches its rows. No rules are evaluated and nothing is written.
FLOOR_SQL = """
SELECT c.id, c.card_type, c.state, c.valid_until, c.reason_codes, c.shipped_at IS NOT NULL,
       p.identifikatortype, p.fornavn, p.mellomnavn, p.etternavn, p.foedselsdato,
       p.statsborgerskap, p.status, p.status_dato,
       e.navn, e.organisasjonsform, e.registreringsdato, e.overordnet_enhet, e.slettedato,
       e.konkurs, e.under_avvikling, e.under_tvangsavvikling,
       e.naeringskode1, e.naeringskode2, e.naeringskode3,
       aa.starts, aa.ends, oar.starts, oar.ends, ro.types, t.access, t.starts, t.ends,
       mva.starts, mva.ends, eg.starts, eg.ends, b.registrert_fra, b.registrert_til,
       rh.status, bp.status, v.godkjent_fra, v.godkjent_til,
       u.persons, u.waives, u.starts, u.ends
FROM cards_card c
LEFT JOIN registers_person p ON p.identifikator = c.holder_id
LEFT JOIN registers_enhet e ON e.organisasjonsnummer = c.employer_orgnr
LEFT JOIN (SELECT arbeidsgiver_id, arbeidstaker_id,
                  array_agg(startdato) AS starts, array_agg(sluttdato) AS ends
           FROM registers_arbeidsforhold
           WHERE type <> 'pensjonOgAndreTyperYtelserUtenAnsettelsesforhold'
           GROUP BY 1, 2) aa
       ON aa.arbeidsgiver_id = c.employer_orgnr AND aa.arbeidstaker_id = c.holder_id
LEFT JOIN (SELECT o.oppdragstaker_id, oa.arbeidstaker_id,
                  array_agg(oa.startdato) AS starts, array_agg(oa.sluttdato) AS ends
           FROM registers_oppdragarbeidstaker oa JOIN registers_oppdrag o ON o.id = oa.oppdrag_id
           GROUP BY 1, 2) oar
       ON oar.oppdragstaker_id = c.employer_orgnr AND oar.arbeidstaker_id = c.holder_id
LEFT JOIN (SELECT enhet_id, person_id, array_agg(rolletype) AS types
           FROM registers_rolle WHERE NOT fratraadt GROUP BY 1, 2) ro
       ON ro.enhet_id = c.employer_orgnr AND ro.person_id = c.holder_id
LEFT JOIN (SELECT person_id, array_agg(arbeidsadgang) AS access,
                  array_agg(gyldig_fra) AS starts, array_agg(gyldig_til) AS ends
           FROM registers_oppholdstillatelse GROUP BY 1) t ON t.person_id = c.holder_id
LEFT JOIN (SELECT enhet_id, array_agg(registrert_fra) AS starts, array_agg(registrert_til) AS ends
           FROM registers_mvaregistrering GROUP BY 1) mva ON mva.enhet_id = c.employer_orgnr
LEFT JOIN (SELECT enhet_id, array_agg(erklaert_dato) AS starts, array_agg(trukket_dato) AS ends
           FROM registers_mvaegenerklaering GROUP BY 1) eg ON eg.enhet_id = c.employer_orgnr
LEFT JOIN registers_bemanningsforetak b ON b.enhet_id = c.employer_orgnr
LEFT JOIN registers_renholdsgodkjenning rh ON rh.enhet_id = c.employer_orgnr
LEFT JOIN registers_bilpleiegodkjenning bp ON bp.enhet_id = c.employer_orgnr
LEFT JOIN registers_verkstedgodkjenning v ON v.enhet_id = c.employer_orgnr
LEFT JOIN (SELECT enhet_id, array_agg(person_id) AS persons, array_agg(fritak::text) AS waives,
                  array_agg(gyldig_fra) AS starts, array_agg(gyldig_til) AS ends
           FROM registers_unntak GROUP BY 1) u ON u.enhet_id = c.employer_orgnr
WHERE c.state IN ('in_production', 'active', 'invalid')
"""


def floor_query() -> tuple[float, int]:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        rows = cursor.fetchall()
    return time.perf_counter() - t, len(rows)


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=5000)
    args = parser.parse_args()

    create_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from config.celery import app
    from hmskort.cards.models import Card
    from hmskort.checks import services
    from hmskort.checks.models import RecheckRun

    call_command("migrate", verbosity=0)
    seed_if_needed()
    today = timezone.localdate()
    seed = int(time.time())

    n_changes = register_changes(employments=4500, bankruptcies=60, today=today, seed=seed)
    log(f"applied {n_changes} register changes (ended employments, bankruptcies)")
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    # A previous (kept) run of the same day would be resumed: start a fresh one.
    RecheckRun.objects.filter(kind="full", today=today, finished__isnull=True).update(
        finished=timezone.now()
    )
    checked = Card.objects.filter(state__in=["in_production", "active", "invalid"]).count()
    log(f"{checked:,} issued cards to re-check; starting {args.workers} workers")

    workers = start_workers(args.workers)
    try:
        wait_workers_ready(app, args.workers)
        cpu_before = cpu_seconds(workers)
        t = time.perf_counter()
        run = services.recheck_full(today=today, chunk_size=args.chunk_size, inline=False)
        while run.finished is None:
            time.sleep(0.1)
            run.refresh_from_db()
        full_s = time.perf_counter() - t
        peak = peak_rss_mb(workers)
        worker_cpu = cpu_seconds(workers) - cpu_before
    finally:
        stop_workers(workers)
    log(
        f"full re-check: run {run.pk}, {run.cards_checked:,} cards, {run.cards_changed:,} "
        f"changed, {run.chunks_total} chunks, {full_s:.1f} s"
    )
    log(
        f"workers used {worker_cpu:.1f} s of CPU ({worker_cpu / run.cards_checked * 1e6:.0f} µs "
        f"per card; the database's share is not counted); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    floor_s, floor_rows = floor_query()
    log(f"floor: one SQL query, {floor_rows:,} rows, {floor_s:.2f} s")

    services.feed_cursor_set()
    register_changes(employments=1000, bankruptcies=0, today=today, seed=seed + 1)
    t = time.perf_counter()
    inc = services.recheck_incremental(today=today)
    inc_s = time.perf_counter() - t
    log(
        f"incremental: {inc.changes_read} changes, {inc.cards_checked} cards, "
        f"{inc.cards_changed} changed, {inc_s:.2f} s"
    )
    assert inc.changes_read == 1000, inc.changes_read

    if not args.keep:
        drop_database()

    print(f"full_recheck_s: {full_s:.1f}")
    print(f"cards_per_s: {run.cards_checked / full_s:.0f}")
    print(f"floor_s: {floor_s:.2f}")
    print(f"floor_ratio: {full_s / floor_s:.1f}")
    print(f"peak_rss_mb: {peak:.0f}")
    print(f"incremental_1000_s: {inc_s:.2f}")


if __name__ == "__main__":
    main()
