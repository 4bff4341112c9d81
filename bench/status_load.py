"""Benchmark: the level-1 status look-up under load, against a trivial endpoint.

    .venv/bin/python bench/status_load.py [--keep] [--scale 0.22] [--duration 10]

Creates its own PostgreSQL database (hmskort_bench_status on 127.0.0.1:5432,
user postgres; dropped first if it exists), migrates it, seeds the national
population scaled to about 100,000 cards (`seed_registers --preset national
--scale 0.22`), creates an approved level-1 API client and a token, starts the
app with gunicorn on a free port, as production runs it (docs/operations.md:
`config.wsgi:application`, 2 workers, gthread with 4 threads, persistent
database connections, prepared statements on: `?prepare_threshold=5` in
DATABASE_URL), and drives it with wrk (64 connections) for `--duration`
seconds each:

- `GET /api/v1/cards/{n}`, rotating over 5,000 real card numbers (all states);
- `GET /api/v1/ping`, the trivial endpoint of the same server (same auth).

Before measuring it waits (up to `--quiet-wait` seconds) for the 1-minute load
average to fall below `--quiet-load` (1.0): on a 2-CPU machine seeding,
autovacuum or someone else's test run halves the figures.

Both go through the API's fast lane (hmskort/api/fastlane.py, in front of
Django in config/wsgi.py); `--no-fast-lane` measures the plain Django path.

Then it stops the server, drops the database (unless --keep) and prints its
figures, last, one per line:

    status_rps: N
    trivial_rps: N
    status_vs_trivial_ratio: R
    status_p99_ms: N

(after the p50s, the machine's load average and the server set-up). Targets (issue 4): ratio >= 0.6 and p99 < 50 ms. Needs `wrk` (apt-get install wrk)
and gunicorn in the virtualenv.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
CONNECTIONS = 64
WORKERS = 2
SAMPLE_CARDS = 5000
TARGET_RATIO = 0.6
TARGET_P99_MS = 50.0


def log(message: str) -> None:
    print(f"[status_load] {message}", flush=True)


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", autocommit=True)


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str) -> None:
    drop_database(name)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def settle_database(name: str) -> None:
    """VACUUM ANALYZE and CHECKPOINT after seeding, so the measured runs do not
    share the two CPUs with autovacuum catching up on 100,000 fresh cards (the
    first run after seeding measured at less than half the throughput of the
    next one without this)."""
    with psycopg.connect(host=HOST, port=PORT, user=USER, dbname=name, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def database_exists(name: str) -> bool:
    with admin_connection() as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_client_and_cards(env: dict) -> tuple[str, list[str]]:
    """An approved level-1 client with a token, and a sample of real card numbers."""
    code = f"""
import json
from hmskort.api.models import ApiLevel
from hmskort.api.services import api_client_create, api_token_issue
from hmskort.cards.models import Card
issued = api_client_create(level=ApiLevel.LEVEL1, organisation_name="Benchmark AS",
                           approved_by="bench")
token = api_token_issue(client=issued.client, expires_in=6 * 3600)
numbers = list(Card.objects.order_by("?").values_list("card_number", flat=True)[:{SAMPLE_CARDS}])
print("RESULT " + json.dumps({{"token": token, "numbers": numbers, "cards": Card.objects.count()}}))
"""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    data = json.loads(line[len("RESULT ") :])
    log(f"{data['cards']} cards in the database; {len(data['numbers'])} sampled")
    return data["token"], data["numbers"]


def ensure_wrk() -> bool:
    """wrk on the PATH; the benchmark installs it from Debian's packages if missing."""
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    return shutil.which("wrk") is not None


def database_url(name: str) -> str:
    """Prepared statements on: the status selector's server-binding cursor then
    skips parsing and planning after a statement's fifth use on a connection
    (Django turns them off unless OPTIONS say otherwise; ORM queries use
    client-side binding and are never prepared)."""
    return f"postgres://{USER}@{HOST}:{PORT}/{name}?prepare_threshold=5"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def wait_until_quiet(limit: float, seconds: int) -> None:
    """Wait (at most `seconds`) until the 1-minute load average is below `limit`:
    seeding, vacuum and other people's work on a small machine skew the figures."""
    deadline = time.time() + seconds
    while os.getloadavg()[0] >= limit and time.time() < deadline:
        time.sleep(5)
    quiet = os.getloadavg()[0] < limit
    log(
        f"load average {load_average()}" + ("" if quiet else f" (not below {limit} in {seconds} s)")
    )


def start_server(
    env: dict, port: int, worker_class: str, threads: int, workers: int = WORKERS
) -> subprocess.Popen:
    gunicorn = Path(PYTHON).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "--config",
        "config/gunicorn.conf.py",
        "config.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        # The workers' heartbeat file on tmpfs: a disk busy writing back cannot stall them.
        "--worker-tmp-dir",
        "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    if env.get("HMSKORT_CHECK_FLUSH_IN_PROCESS") == "0":
        # The separate drainer production runs next to the web server
        # (docs/operations.md); stop_server stops it with the server.
        # It drains as often as the web workers hand their spool files over.
        loop = env.get("HMSKORT_CHECK_FLUSH_SECONDS", "0.5")
        proc.drainer = subprocess.Popen(
            [PYTHON, "manage.py", "receipts_flush", "--loop", loop],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up") from None
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_server(proc: subprocess.Popen) -> None:
    drainer = getattr(proc, "drainer", None)
    if drainer is not None and drainer.poll() is None:
        drainer.send_signal(signal.SIGINT)  # drains what is ready, then exits
        try:
            drainer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            drainer.kill()
            drainer.wait()
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group only
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# Every RECONNECT_EVERY-th request of a wrk thread asks the server to close its
# connection, and wrk opens a new one. Clients in service come and go; wrk's 64
# connections would otherwise be accepted once, at the start, and however they
# happened to fall between the web workers (30 on one and 34 on the other, or 60
# and 4) would decide a whole run. Both endpoints pay the same reconnects.
RECONNECT_EVERY = 200
LUA_RECONNECT = """
local sent = 0
local function with_reconnect(headers)
  sent = sent + 1
  if sent %% RECONNECT == 0 then headers["Connection"] = "close" end
  return headers
end
""".replace("RECONNECT", str(RECONNECT_EVERY))

LUA_STATUS = (
    LUA_RECONNECT
    + """
local numbers = {%(numbers)s}
local i = 0
local token = "%(token)s"
setup = function(thread) thread:set("offset", math.random(#numbers)) end
init = function(args) i = offset or 0 end
request = function()
  i = (i %% #numbers) + 1
  return wrk.format("GET", "/api/v1/cards/" .. numbers[i],
    with_reconnect({["Authorization"] = "Bearer " .. token}))
end
"""
)

LUA_TRIVIAL = (
    LUA_RECONNECT
    + """
local token = "%(token)s"
request = function()
  return wrk.format("GET", "/api/v1/ping", with_reconnect({["Authorization"] = "Bearer " .. token}))
end
"""
)

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


#: Seconds of status look-ups before measuring (fills each worker's status cache).
WARM_SECONDS = 10


def run_wrk(url: str, script: str, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "--threads",
                "2",
                "--connections",
                str(CONNECTIONS),
                "--duration",
                f"{duration}s",
                "--timeout",
                "5s",
                "--latency",
                "--script",
                path,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(path)
    result: dict = {"raw": out}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    for pct in ("50", "75", "90", "99"):
        result[f"p{pct}_ms"] = _ms(re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M).group(1))
    total = re.search(r"(\d+) requests in", out)
    result["requests"] = int(total.group(1)) if total else 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = errors.group(1) if errors else ""
    return result


def report(name: str, r: dict) -> None:
    log(
        f"{name}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.2f} ms, p90 {r['p90_ms']:.2f} ms, "
        f"p99 {r['p99_ms']:.2f} ms, {r['requests']} requests, non-2xx {r['non_2xx']}"
        + (f", socket errors: {r['socket_errors']}" if r["socket_errors"] else "")
    )


def add_server_arguments(parser: argparse.ArgumentParser, *, quiet_wait: int) -> None:
    """The gunicorn and quiet-machine options every load benchmark takes."""
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument(
        "--no-fast-lane", action="store_true", help="everything through Django (no fast lane)"
    )
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=1.0,
        help="wait for the 1-minute load average to fall below this before measuring",
    )
    parser.add_argument(
        "--quiet-wait", type=int, default=quiet_wait, help="seconds to wait at most"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hmskort_bench_status")
    parser.add_argument("--scale", type=float, default=0.22, help="of the national preset")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    add_server_arguments(parser, quiet_wait=240)
    parser.add_argument(
        "--drain-in-process",
        action="store_true",
        help="web workers write check records themselves (no separate drainer)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use a database kept by --keep (skip seeding)"
    )
    args = parser.parse_args()
    load_start = load_average()
    log(f"load average at start: {load_start}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        parser.error("--database must be a plain lower-case identifier")
    if not ensure_wrk():
        parser.error("wrk is not installed and could not be installed (apt-get install -y wrk)")
    if not Path(PYTHON).with_name("gunicorn").exists():
        parser.error("gunicorn is not installed in the virtualenv")

    env = {
        **os.environ,
        "DATABASE_URL": database_url(args.database),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        "HMSKORT_API_FAST_LANE": "0" if args.no_fast_lane else "1",
        "HMSKORT_CHECK_FLUSH_IN_PROCESS": "1" if args.drain_in_process else "0",
        # Its own spool: a development server must never drain this run's check records.
        "HMSKORT_CHECK_SPOOL_DIR": tempfile.mkdtemp(prefix="hmskort-bench-spool-"),
    }
    env.pop("REDIS_URL", None)
    server = None
    started = time.time()
    try:
        if args.reuse and database_exists(args.database):
            log(f"reusing database {args.database}")
        else:
            log(f"creating database {args.database}")
            create_database(args.database)
            manage(env, "migrate", "--verbosity", "0")
            log(f"seeding the national population at scale {args.scale}")
            manage(env, "seed_registers", "--preset", "national", "--scale", str(args.scale))
            log("vacuum, analyze, checkpoint")
            settle_database(args.database)
        token, numbers = prepare_client_and_cards(env)
        wait_until_quiet(args.quiet_load, args.quiet_wait)
        port = free_port()
        setup = (
            f"{args.workers} workers, {args.worker_class}"
            f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}, "
            f"fast lane {'off' if args.no_fast_lane else 'on'}"
        )
        log(f"starting gunicorn ({setup}) on {port}")
        server = start_server(env, port, args.worker_class, args.threads, args.workers)
        base = f"http://127.0.0.1:{port}"
        status_script = LUA_STATUS % {
            "numbers": ",".join(f'"{n}"' for n in numbers),
            "token": token,
        }
        trivial_script = LUA_TRIVIAL % {"token": token}
        # Warm both paths (token caches, persistent DB connections, imports, and
        # each worker's status cache over the sampled cards: as a server in service is).
        run_wrk(base, status_script, WARM_SECONDS)
        run_wrk(base, trivial_script, 2)
        load_before = load_average()
        log(f"load average before the measured runs: {load_before}")
        status = run_wrk(base, status_script, args.duration)
        report("GET /api/v1/cards/{n}", status)
        trivial = run_wrk(base, trivial_script, args.duration)
        report("GET /api/v1/ping", trivial)
        log(f"load average after: {load_average()}")
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            drop_database(args.database)
            log(f"dropped {args.database}")
        shutil.rmtree(env["HMSKORT_CHECK_SPOOL_DIR"], ignore_errors=True)
    log(f"total {time.time() - started:.0f} s")

    ratio = status["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    ok = ratio >= TARGET_RATIO and status["p99_ms"] < TARGET_P99_MS and status["non_2xx"] == 0
    log(
        f"targets: ratio >= {TARGET_RATIO}, p99 < {TARGET_P99_MS:.0f} ms -> "
        + ("met" if ok else "NOT met")
    )
    print(f"load_average_at_start: {load_start}")
    print(f"load_average_before_runs: {load_before}")
    print(f"server: {setup}")
    print(f"status_p50_ms: {status['p50_ms']:.2f}")
    print(f"trivial_p50_ms: {trivial['p50_ms']:.2f}")
    print(f"trivial_p99_ms: {trivial['p99_ms']:.2f}")
    print(f"status_rps: {status['rps']:.0f}")
    print(f"trivial_rps: {trivial['rps']:.0f}")
    print(f"status_vs_trivial_ratio: {ratio:.2f}")
    print(f"status_p99_ms: {status['p99_ms']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
