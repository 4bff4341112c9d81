"""Recording checks off the request path: an append-only spool, drained in bulk.

A look-up appends one JSON line to its process's spool file (one `write(2)` on
an O_APPEND descriptor, no database, no network): once the call returns, the
record survives the process being killed (the kernel holds the data). A
flusher thread in each process (every `HMSKORT_CHECK_FLUSH_SECONDS`), the
Celery task `receipts.flush` and a receipt request for a check not yet written
drain the spool into `CardCheck` with one bulk insert per chunk.

Files and locks (all in `HMSKORT_CHECK_SPOOL_DIR`):

- A writer creates `.tmp-<uuid>`, takes an exclusive `flock`, then renames it to
  `<pid>-<uuid>.spool`, so no drainer can ever see an unlocked file that is
  still being written. It holds the lock for as long as it appends.
- Rotating closes the descriptor, which releases the lock: the file is ready.
  A writer that dies releases its lock too, so its file is drained like any other.
- A drainer takes the lock without blocking (a locked file is busy: skipped),
  inserts every line with ON CONFLICT DO NOTHING (the check id is the primary
  key), and unlinks the file only after the last chunk has committed. A
  drainer killed mid-batch leaves the file behind; the next drain replays it
  and the rows already written are ignored: every record lands exactly once.

The spool is per host: run the flusher (it starts by itself) or the Celery beat
task on every host that serves look-ups.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

SUFFIX = ".spool"
DEFAULT_FLUSH_SECONDS = 2.0
DEFAULT_CHUNK = 1000

_test_dir: str | None = None


def _under_test() -> bool:
    # django.test.utils.setup_test_environment() installs mail.outbox.
    from django.core import mail

    return hasattr(mail, "outbox")


def spool_dir() -> Path:
    """`HMSKORT_CHECK_SPOOL_DIR`, else var/check-spool; under a test run
    without the setting, a private temporary directory (tests never leave
    records for a development server to drain)."""
    global _test_dir
    configured = getattr(settings, "HMSKORT_CHECK_SPOOL_DIR", None)
    path = _resolved.get(configured)  # the hot path: no syscall once resolved
    if path is not None:
        return path
    if configured:
        path = Path(configured)
    elif _under_test():
        if _test_dir is None:
            _test_dir = tempfile.mkdtemp(prefix="hmskort-check-spool-")
        path = Path(_test_dir)
    else:
        path = Path(settings.BASE_DIR) / "var" / "check-spool"
    path.mkdir(parents=True, exist_ok=True)
    _resolved[configured] = path
    return path


_resolved: dict[str | None, Path] = {}


class Spool:
    """One process's writer into one spool directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._count = 0

    def _open(self) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)  # removed since it was resolved?
        name = uuid.uuid4().hex
        tmp = self.directory / f".tmp-{name}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(tmp, self.directory / f"{self.pid}-{name}{SUFFIX}")
        return fd

    def append(self, line: bytes) -> None:
        with self._lock:
            if self._fd is None:
                self._fd = self._open()
            os.write(self._fd, line)
            self._count += 1

    def rotate(self) -> int:
        """Close the current file (it becomes ready to drain); how many lines it held."""
        with self._lock:
            fd, count = self._fd, self._count
            self._fd, self._count = None, 0
        if fd is not None:
            os.close(fd)
        return count


_spools: dict[tuple[int, Path], Spool] = {}
_spools_lock = threading.Lock()
_flusher_pid: int | None = None


def _spool() -> Spool:
    directory = spool_dir()
    key = (os.getpid(), directory)
    spool = _spools.get(key)
    if spool is None:
        with _spools_lock:
            spool = _spools.get(key)
            if spool is None:
                # After a fork the parent's writers are not ours: drop them.
                for other in [k for k in _spools if k[0] != key[0]]:
                    del _spools[other]
                spool = _spools[key] = Spool(directory)
    _ensure_flusher()
    return spool


def spool_append(record: dict) -> None:
    """Append one record (JSON-serialisable dict with an "id") to this process's spool."""
    line = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str) + "\n"
    _spool().append(line.encode("utf-8"))


def spool_rotate() -> int:
    return _spool().rotate() if (os.getpid(), spool_dir()) in _spools else 0


def _parse(data: bytes) -> list[dict]:
    records = []
    for raw in data.splitlines():
        if not raw.strip():
            continue
        try:
            records.append(json.loads(raw))
        except ValueError:  # a line torn by a crash inside write(2): no answer was sent
            logger.warning("receipts: skipped a torn spool line")
    return records


def spool_drain(
    *, insert, directory: Path | None = None, chunk_size: int = DEFAULT_CHUNK
) -> list[dict]:
    """Drain every ready spool file through `insert(records)` (idempotent,
    committed per call); return the records drained."""
    directory = directory or spool_dir()
    drained: list[dict] = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer or another drainer
            if os.fstat(fd).st_nlink == 0:
                continue  # drained and unlinked by another drainer meanwhile
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            records = _parse(b"".join(chunks))
            for start in range(0, len(records), chunk_size):
                insert(records[start : start + chunk_size])
            path.unlink(missing_ok=True)
            drained.extend(records)
        finally:
            os.close(fd)
    return drained


def spool_find(check_id: str, *, directory: Path | None = None) -> dict | None:
    """A record still in the spool (any process's file, even one being written)."""
    directory = directory or spool_dir()
    needle = f'"id":"{check_id}"'.encode()
    for path in directory.glob(f"*{SUFFIX}"):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        at = data.find(needle)
        if at < 0:
            continue
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        if end < 0:
            continue  # not complete yet
        found = _parse(data[start:end])
        if found:
            return found[0]
    return None


def spool_pending(*, directory: Path | None = None) -> int:
    """Lines waiting in the spool (for monitoring and tests)."""
    directory = directory or spool_dir()
    total = 0
    for path in directory.glob(f"*{SUFFIX}"):
        try:
            total += path.read_bytes().count(b"\n")
        except FileNotFoundError:
            pass
    return total


# --- the flusher thread -------------------------------------------------------------


def _flush_seconds() -> float:
    return float(getattr(settings, "HMSKORT_CHECK_FLUSH_SECONDS", DEFAULT_FLUSH_SECONDS))


def _ensure_flusher() -> None:
    """Start this process's flusher on first use (not under tests, not when disabled)."""
    global _flusher_pid
    if _flusher_pid == os.getpid():
        return
    with _spools_lock:
        if _flusher_pid == os.getpid():
            return
        _flusher_pid = os.getpid()
        interval = _flush_seconds()
        if interval <= 0 or _under_test():
            return
        threading.Thread(
            target=_flusher_loop, args=(interval,), name="receipts-flusher", daemon=True
        ).start()


def drains_in_process() -> bool:
    """False when a separate drainer (`manage.py receipts_flush --loop`) writes the
    records: then this process's thread only closes its spool file every interval,
    so the file becomes drainable, and does no database work (the web workers'
    interpreter lock is never held by a bulk write)."""
    return bool(getattr(settings, "HMSKORT_CHECK_FLUSH_IN_PROCESS", True))


def _flusher_loop(interval: float) -> None:
    while True:
        time.sleep(interval)
        flush_once()


def flush_once() -> None:
    """One tick of this process's flusher thread."""
    from hmskort.receipts.services import checks_flush

    if not drains_in_process():
        spool_rotate()
        return
    try:
        checks_flush()
    except Exception:  # keep flushing; the spool keeps every record meanwhile
        logger.exception("receipts: flush failed")
    finally:
        close_old_connections()
        connection.close()
