"""Benchmark the inspectors' risk list on the national preset.

    .venv/bin/python bench/risk_list.py [--top 100]

Uses the national population in PostgreSQL: hmskort_bench_recheck (bench/recheck.py
--keep leaves it) when it holds the preset; otherwise creates hmskort_bench_risk,
migrates it and seeds `seed_registers --preset national` (BENCH_DATABASE_URL
overrides both). Inside one transaction it plants a few companies for every risk
pattern (register and card writes), builds the risk list (best of 3), asserts every
planted company is in the top results, then rolls the transaction back, so the shared
database is left as it was. Prints, last:

    risk_list_s: N
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
SHARED = "postgres://postgres@127.0.0.1:5432/hmskort_bench_recheck"
OWN = "postgres://postgres@127.0.0.1:5432/hmskort_bench_risk"
NATIONAL_MIN_CARDS = 400_000

sys.path.insert(0, str(REPO))


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def _connect(url: str, dbname: str | None = None):
    import psycopg

    u = urlparse(url)
    return psycopg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        dbname=dbname or u.path.lstrip("/"),
        autocommit=True,
    )


def _card_count(url: str) -> int:
    try:
        with _connect(url) as conn:
            return conn.execute("SELECT count(*) FROM cards_card").fetchone()[0]
    except Exception:
        return 0


def choose_database() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    if _card_count(SHARED) >= NATIONAL_MIN_CARDS:
        log("using the national preset in hmskort_bench_recheck")
        return SHARED
    if _card_count(OWN) >= NATIONAL_MIN_CARDS:
        return OWN
    name = urlparse(OWN).path.lstrip("/")
    with _connect(OWN, "postgres") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": OWN}
    manage = [sys.executable, str(REPO / "manage.py")]
    log("migrating and seeding hmskort_bench_risk (national preset; takes a while)")
    subprocess.run([*manage, "migrate", "--verbosity", "0"], check=True, env=env, cwd=REPO)
    subprocess.run(
        [*manage, "seed_registers", "--preset", "national"], check=True, env=env, cwd=REPO
    )
    return OWN


class Rollback(Exception):
    pass


def plant(today: dt.date) -> dict[str, list[str]]:
    """A few blatant companies per pattern; returns pattern -> orgnrs."""
    from django.db import IntegrityError, transaction

    from hmskort.cards.tests.factories import card_for_employment as _card
    from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory

    def card_for_employment(job, **kw):
        """A random card number can collide with the national population's: draw again."""
        for _attempt in range(10):
            try:
                with transaction.atomic():
                    return _card(job, **kw)
            except IntegrityError:
                continue
        raise RuntimeError("no free card number")

    planted: dict[str, list[str]] = {}

    def company(pattern: str, **kw):
        enhet = EnhetFactory(
            navn=f"PLANTET {pattern.upper()} {len(planted.get(pattern, []))} AS", **kw
        )
        planted.setdefault(pattern, []).append(enhet.organisasjonsnummer)
        return enhet

    def employ(enhet, n: int, **kw):
        return [ArbeidsforholdFactory(arbeidsgiver=enhet, **kw) for _ in range(n)]

    from hmskort.registers.models import Arbeidsforhold, Person

    people = iter(Person.objects.order_by("identifikator").values_list("pk", flat=True)[:6000])

    def employ_many(enhet, n: int) -> None:
        """Many employees at once: existing people, one bulk insert (Aa-registeret)."""
        start = today - dt.timedelta(days=400)
        Arbeidsforhold.objects.bulk_create(
            Arbeidsforhold(arbeidsgiver=enhet, arbeidstaker_id=next(people), startdato=start)
            for _ in range(n)
        )

    for i in range(3):
        employ_many(company("no_cards", antall_ansatte=1500), 1500 + 100 * i)
    for i in range(3):
        enhet = company("few_cards", naeringskode1="42.110", antall_ansatte=120)
        for job in employ(enhet, 3):
            card_for_employment(job, active=True)
        employ_many(enhet, 300 + 10 * i)
    for i in range(3):
        enhet = company("nace_mismatch", naeringskode1="81.210", antall_ansatte=30)
        for job in employ(enhet, 30 + i):
            card_for_employment(job, active=True, card_type="BA")
    issued = today - dt.timedelta(days=45)
    for i in range(3):
        enhet = company("short_employment", antall_ansatte=2)
        for job in employ(enhet, 1):
            card_for_employment(job, active=True)
        ended = employ(
            enhet,
            20 + i,
            startdato=issued - dt.timedelta(days=3),
            sluttdato=issued + dt.timedelta(days=7),
        )
        for job in ended:
            card_for_employment(job, invalid=True, issue_date=issued)
    for i in range(3):
        enhet = company("confiscated", antall_ansatte=5)
        for job in employ(enhet, 5):
            card_for_employment(job, active=True)
        old = employ(
            enhet,
            15 + i,
            startdato=today - dt.timedelta(days=900),
            sluttdato=today - dt.timedelta(days=300),
        )
        for job in old:
            card_for_employment(job, confiscated=True)
    from hmskort.intelligence.risk import receipts_available

    if receipts_available():
        from django.utils import timezone

        from hmskort.receipts.models import CardCheck

        for i in range(3):
            enhet = company("invalid_presented", antall_ansatte=5)
            for job in employ(enhet, 5):
                card_for_employment(job, active=True)
            old = employ(
                enhet,
                5 + i,
                startdato=today - dt.timedelta(days=900),
                sluttdato=today - dt.timedelta(days=5),
            )
            checks = []
            for job in old:
                card = card_for_employment(job, invalid=True)
                checks += [
                    CardCheck(
                        check_id=uuid.uuid4(),
                        checked_at=timezone.now() - dt.timedelta(days=2),
                        channel="gate",
                        card_number=card.card_number,
                        status="invalid",
                        card_type=card.card_type,
                        employer_orgnr=card.employer_orgnr,
                    )
                    for _ in range(3)
                ]
            CardCheck.objects.bulk_create(checks)
    else:
        log("hmskort.receipts is not installed: the invalid_presented pattern is skipped")
    return planted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--top",
        type=int,
        default=10,
        help="each planted case must rank within this in the list filtered to its pattern",
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    url = choose_database()
    os.environ["DATABASE_URL"] = url
    # Check records feed one pattern; without their table (a database not migrated
    # for receipts) the risk list skips that pattern.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from hmskort.intelligence.risk import rank_of, risk_list

    if connection.vendor != "postgresql":
        raise SystemExit("bench/risk_list.py needs PostgreSQL")
    today = timezone.localdate()
    timings: list[float] = []
    failures: list[str] = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            planted = plant(today)
            log(
                f"planted {sum(len(v) for v in planted.values())} companies in "
                f"{time.perf_counter() - started:.1f} s"
            )
            for _ in range(args.runs):
                started = time.perf_counter()
                result = risk_list(today=today)
                timings.append(time.perf_counter() - started)
            log(f"{result.total} companies match at least one pattern")
            for pattern, orgnrs in sorted(planted.items()):
                for orgnr in orgnrs:
                    rank = rank_of(result.rows, orgnr)
                    pattern_rank = rank_of(risk_list(today=today, pattern=pattern).rows, orgnr)
                    log(f"{pattern:18} {orgnr}: rank {rank} (within pattern: {pattern_rank})")
                    if pattern_rank is None or pattern_rank > args.top:
                        failures.append(f"{pattern} {orgnr} rank {pattern_rank}")
            raise Rollback
    except Rollback:
        log("rolled back the planted cases")
    if failures:
        raise SystemExit(f"planted cases outside the top {args.top}: {failures}")
    log(f"every planted case is in the top {args.top} of its pattern")
    log(f"runs: {', '.join(f'{t:.2f}' for t in timings)}; load average {os.getloadavg()[0]:.1f}")
    print(f"risk_list_s: {min(timings):.2f}")


if __name__ == "__main__":
    main()
