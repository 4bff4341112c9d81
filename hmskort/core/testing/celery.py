"""Real Celery workers on Redis for the tests whose subject is the task path.

Several such tests may run at once under pytest-xdist. Each one claims an empty
Redis database of its own (`redis_database`), points this process's Celery app
at it (`celery_on_redis`) and starts worker processes on it (`worker_start`),
so no worker ever takes another test's tasks into another test's database.

kombu keeps broker pools in process-wide dicts keyed by the broker URL and Celery
caches its result backend per thread; both are dropped on the way in and out,
so no test is handed a pool another one closed or a backend it did not ask for.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CLAIM_KEY = "hmskort-test-claim"


def redis_base_url() -> str:
    """HMSKORT_TEST_REDIS_URL; a failure on CI without it, a skip elsewhere."""
    url = os.environ.get("HMSKORT_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("HMSKORT_TEST_REDIS_URL must be set on CI")
        pytest.skip("set HMSKORT_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15)")
    return url


@contextlib.contextmanager
def redis_database(owner: str) -> Iterator[str]:
    """Claim an empty Redis database for the duration (SET NX of a claim key, and
    the database held nothing else); yields its URL, flushes it afterwards.
    The configured database is tried first, then the others from 15 down."""
    import redis

    base, _, db = redis_base_url().rpartition("/")
    configured = int(db or 0)
    for n in [configured, *(n for n in range(15, -1, -1) if n != configured)]:
        client = redis.Redis.from_url(f"{base}/{n}")
        if not client.set(CLAIM_KEY, owner, nx=True):
            continue  # another test holds it
        if client.dbsize() == 1:
            try:
                yield f"{base}/{n}"
            finally:
                client.flushdb()
                client.close()
            return
        client.delete(CLAIM_KEY)  # somebody's data: leave it alone
        client.close()
    pytest.fail("no empty Redis database for the Celery test")


def _reset(app) -> None:
    import kombu.pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()
    app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def celery_on_redis(url: str, *, results: bool = False):
    """This process's Celery app sends to `url` (not eager) for the duration;
    `results` also keeps task results there (for `.get()`)."""
    from config.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url=url, result_backend=url if results else None, task_always_eager=False
    )
    _reset(app)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset(app)


def database_url() -> str:
    """The URL of the test database this process uses (for the worker processes)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_start(url: str, *, concurrency: int = 2) -> subprocess.Popen:
    """A `celery worker` process group on `url` and this test's database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "-c",
            str(concurrency),
            "--pool=prefork",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,  # its own process group: kill the pool children too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def worker_kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children (a crash, not a shutdown)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def worker_stop(worker: subprocess.Popen) -> None:
    """A warm shutdown, or a kill if it takes more than 20 s."""
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        worker_kill(worker)
