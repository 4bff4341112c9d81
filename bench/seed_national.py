"""Benchmark: seed the national population into a fresh PostgreSQL database.

    .venv/bin/python bench/seed_national.py [--keep] [--seed N] [--database NAME]

Creates its own database on 127.0.0.1:5432 (user postgres; dropped first if it
exists), migrates it, runs `manage.py seed_registers --preset national` against
it in a subprocess, checks the counts, drops the database (unless --keep) and
prints its figures last, one per line:

    seed_national_s: 212.4
    companies: 60000
    persons: 600000
    cards: 450000
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
LIMIT_S = 600  # the national preset must finish in under ten minutes


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", autocommit=True)


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str) -> None:
    drop_database(name)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def count(name: str, sql: str) -> int:
    with psycopg.connect(host=HOST, port=PORT, user=USER, dbname=name) as conn:
        return conn.execute(sql).fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hmskort_bench_seed")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database must be a plain lower-case identifier")

    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{USER}@{HOST}:{PORT}/{args.database}"
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]

    print(f"==> Creating database {args.database}", flush=True)
    create_database(args.database)
    try:
        print("==> Migrating", flush=True)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        command = [*manage, "seed_registers", "--preset", "national"]
        if args.seed is not None:
            command += ["--seed", str(args.seed)]
        print(f"==> {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, check=True)
        elapsed = time.perf_counter() - started

        companies = count(
            args.database,
            "SELECT count(*) FROM registers_enhet WHERE overordnet_enhet IS NULL",
        )
        persons = count(args.database, "SELECT count(*) FROM registers_person")
        cards = count(args.database, "SELECT count(*) FROM cards_card")
        history = count(args.database, "SELECT count(*) FROM cards_cardstatushistory")
        problems = []
        if not 57_000 <= companies <= 63_000:
            problems.append(f"companies {companies} not about 60,000")
        if not 590_000 <= persons <= 615_000:
            problems.append(f"persons {persons} not about 600,000")
        if not 430_000 <= cards <= 470_000:
            problems.append(f"cards {cards} not about 450,000")
        if history != cards:
            problems.append(f"{history} status-history rows for {cards} cards")
        if elapsed >= LIMIT_S:
            problems.append(f"took {elapsed:.0f} s, the limit is {LIMIT_S} s")
        for problem in problems:
            print(f"FAILED: {problem}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"==> Kept database {args.database}", flush=True)
        else:
            drop_database(args.database)

    print(f"seed_national_s: {elapsed:.1f}")
    print(f"companies: {companies}")
    print(f"persons: {persons}")
    print(f"cards: {cards}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
