"""Benchmark: the level-1 status look-up with check recording on and off, same run.

    .venv/bin/python bench/receipt_overhead.py [--keep] [--reuse] [--scale 0.22] [--duration 10]

Sets up exactly as bench/status_load.py (its own PostgreSQL database
hmskort_bench_receipts, the national population scaled to about 100,000 cards,
an approved level-1 client, gunicorn as in production: 2 workers, gthread x 4,
the API fast lane in front of Django, prepared statements on) and starts TWO
gunicorn servers from the same code and database: one with recording on
(every answer spooled; a separate drainer writes the spool in bulk, as in
production) and one with recording off (HMSKORT_CHECK_RECORDING=0). It then
drives them with wrk in 3 alternating rounds (status on, status off, ping on;
each status run after 3 s of unmeasured look-ups on the same server, which sat
idle meanwhile), so load from anything else on the machine hits both alike,
and prints, last, one per line:

    status_rps: N               (recording on)
    trivial_rps: N              (GET /api/v1/ping, recording on)
    status_vs_trivial_ratio: R
    status_p99_ms: N            (recording on)
    receipt_overhead_pct: N     (throughput lost to recording: 100 * (off - on) / off)

Targets: ratio >= 0.6, p99 < 50 ms (issue 4), overhead < 10 % (issue 11).
It also checks that every check answered during the run reached the database.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import status_load as sl  # noqa: E402

TARGET_OVERHEAD_PCT = 10.0
#: Seconds of unmeasured look-ups before each measured run.
REWARM_SECONDS = 3


def log(message: str) -> None:
    print(f"[receipt_overhead] {message}", flush=True)


def _settings_module() -> str:
    return "config.settings"


def _count_checks(env: dict) -> int:
    code = (
        "from hmskort.receipts.services import checks_flush; checks_flush();"
        "from hmskort.receipts.models import CardCheck; print('COUNT', CardCheck.objects.count())"
    )
    out = subprocess.run(
        [sl.PYTHON, "manage.py", "shell", "-c", code],
        cwd=sl.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(next(line for line in out.splitlines() if line.startswith("COUNT")).split()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hmskort_bench_receipts")
    parser.add_argument("--scale", type=float, default=0.22, help="of the national preset")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--workers", type=int, default=sl.WORKERS, help="gunicorn workers")
    parser.add_argument("--quiet-load", type=float, default=1.0, help="as bench/status_load.py")
    parser.add_argument("--quiet-wait", type=int, default=240, help="seconds to wait at most")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    args = parser.parse_args()
    load_start = sl.load_average()
    log(f"load average at start: {load_start}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database must be a plain lower-case identifier")
    if not sl.ensure_wrk():
        parser.error("wrk is not installed and could not be installed (apt-get install -y wrk)")

    spool = tempfile.mkdtemp(prefix="hmskort-bench-spool-")
    env = {
        **os.environ,
        "DATABASE_URL": sl.database_url(args.database),
        "DJANGO_SETTINGS_MODULE": _settings_module(),
        "DJANGO_DEBUG": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        "HMSKORT_CHECK_SPOOL_DIR": spool,
    }
    env.pop("REDIS_URL", None)
    # Recording on, as production runs it: a separate drainer writes the records.
    env_on = {**env, "HMSKORT_CHECK_RECORDING": "1", "HMSKORT_CHECK_FLUSH_IN_PROCESS": "0"}
    env_off = {**env, "HMSKORT_CHECK_RECORDING": "0"}
    servers = []
    started = time.time()
    results: dict[str, list[dict]] = {"on": [], "off": [], "ping": []}
    try:
        if args.reuse and sl.database_exists(args.database):
            log(f"reusing database {args.database}")
        else:
            log(f"creating database {args.database}")
            sl.create_database(args.database)
            sl.manage(env, "migrate", "--verbosity", "0")
            log(f"seeding the national population at scale {args.scale}")
            sl.manage(env, "seed_registers", "--preset", "national", "--scale", str(args.scale))
            log("vacuum, analyze, checkpoint")
            sl.settle_database(args.database)
        token, numbers = sl.prepare_client_and_cards(env)
        before = _count_checks(env)
        sl.wait_until_quiet(args.quiet_load, args.quiet_wait)
        port_on, port_off = sl.free_port(), sl.free_port()
        log(f"starting gunicorn: recording on :{port_on}, off :{port_off}")
        servers.append(sl.start_server(env_on, port_on, "gthread", args.threads, args.workers))
        servers.append(sl.start_server(env_off, port_off, "gthread", args.threads, args.workers))
        status_script = sl.LUA_STATUS % {
            "numbers": ",".join(f'"{n}"' for n in numbers),
            "token": token,
        }
        trivial_script = sl.LUA_TRIVIAL % {"token": token}
        on, off = f"http://127.0.0.1:{port_on}", f"http://127.0.0.1:{port_off}"
        for base in (on, off):  # warm both (and each worker's status cache)
            sl.run_wrk(base, status_script, sl.WARM_SECONDS)
        sl.run_wrk(on, trivial_script, 2)
        load_before = sl.load_average()
        log(f"load average before the measured runs: {load_before}")
        for i in range(args.rounds):
            # Alternate the order so a trend in background load favours neither.
            order = [("on", on), ("off", off)] if i % 2 == 0 else [("off", off), ("on", on)]
            for name, base in order:
                # Each server sat idle while the others were measured; its status
                # rows expire (within 60 s) as they would not under steady traffic.
                # A short unmeasured run first, for both alike.
                sl.run_wrk(base, status_script, REWARM_SECONDS)
                r = sl.run_wrk(base, status_script, args.duration)
                sl.report(f"status recording {name} (round {i + 1})", r)
                results[name].append(r)
            r = sl.run_wrk(on, trivial_script, args.duration)
            sl.report(f"ping (round {i + 1})", r)
            results["ping"].append(r)
        log(f"load average after: {sl.load_average()}")
        time.sleep(3)  # one more flusher tick
    finally:
        for server in servers:
            sl.stop_server(server)
    try:
        answered_on = sum(r["requests"] for r in results["on"])
        written = _count_checks(env) - before
        # wrk's request count excludes the warm-up; the recording server answered at least as many.
        log(f"checks written: {written} (recorded runs answered {answered_on} after warm-up)")
        if written < answered_on:
            log("WARNING: fewer checks written than answered")
    finally:
        if not args.keep:
            sl.drop_database(args.database)
            log(f"dropped {args.database}")
        shutil.rmtree(spool, ignore_errors=True)
    log(f"total {time.time() - started:.0f} s")

    def mean(name: str, key: str) -> float:
        return statistics.fmean(r[key] for r in results[name])

    status_rps, off_rps, trivial_rps = mean("on", "rps"), mean("off", "rps"), mean("ping", "rps")
    p99 = max(r["p99_ms"] for r in results["on"])
    ratio = status_rps / trivial_rps if trivial_rps else 0.0
    overhead = 100.0 * (off_rps - status_rps) / off_rps if off_rps else 0.0
    non_2xx = sum(r["non_2xx"] for name in results for r in results[name])
    ok = (
        ratio >= sl.TARGET_RATIO
        and p99 < sl.TARGET_P99_MS
        and overhead < TARGET_OVERHEAD_PCT
        and non_2xx == 0
    )
    log(
        f"targets: ratio >= {sl.TARGET_RATIO}, p99 < {sl.TARGET_P99_MS:.0f} ms, overhead < "
        f"{TARGET_OVERHEAD_PCT:.0f} % -> " + ("met" if ok else "NOT met")
    )
    print(f"load_average_at_start: {load_start}")
    print(f"load_average_before_runs: {load_before}")
    print(f"server: {args.workers} workers, gthread x {args.threads} threads, fast lane on")
    print(f"status_rps_recording_off: {off_rps:.0f}")
    print(f"status_p99_ms_recording_off: {max(r['p99_ms'] for r in results['off']):.2f}")
    print(f"status_rps: {status_rps:.0f}")
    print(f"trivial_rps: {trivial_rps:.0f}")
    print(f"status_vs_trivial_ratio: {ratio:.2f}")
    print(f"status_p99_ms: {p99:.2f}")
    print(f"receipt_overhead_pct: {overhead:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
