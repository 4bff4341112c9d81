"""Recording checks off the request path: an append-only spool, drained in bulk.

A look-up appends one line to its process's spool file (a copy into a shared
memory map of the file: no system call, no database, no network): once the
call returns, the record survives the process being killed (the kernel holds
the data). A
flusher thread in each process (every `HMSKORT_CHECK_FLUSH_SECONDS`), the
separate drainer (`manage.py receipts_flush --loop`), the Celery task
`receipts.flush` and a receipt request for a check not yet written drain the
spool into `CardCheck` in bulk.

A line is the record in PostgreSQL's COPY text format: the `FIELDS` in order,
tab-separated, `\\N` for none, backslash escapes for tab, newline, carriage
return and backslash. The drainer hands a file's lines to `COPY ... FROM STDIN`
as they are, without parsing them in Python (`decode` turns one into a dict
where one is needed). Lines of the earlier JSON format (`{...}`) are still read.

Files and locks (all in `HMSKORT_CHECK_SPOOL_DIR`):

- A writer creates `.tmp-<uuid>`, takes an exclusive `flock`, then renames it to
  `<pid>-<uuid>.spool`, so no drainer can ever see an unlocked file that is
  still being written. It holds the lock for as long as it appends.
- Rotating closes the descriptor, which releases the lock: the file is ready.
  A writer that dies releases its lock too, so its file is drained like any other.
- A drainer takes the lock without blocking (a locked file is busy: skipped),
  inserts every line (a check id already written is skipped: it is the primary
  key), and unlinks the file only after the last chunk has committed. A
  drainer killed mid-batch leaves the file behind; the next drain replays it
  and the rows already written are ignored: every record lands exactly once.

The spool is per host: run the flusher (it starts by itself) or the separate
drainer on every host that serves look-ups.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import mmap
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.db import close_old_connections, connection
from django.dispatch import receiver

logger = logging.getLogger(__name__)

SUFFIX = ".spool"
DEFAULT_FLUSH_SECONDS = 2.0
DEFAULT_CHUNK = 1000
#: Size of one spool file's memory map; a full file is rotated (about 3,000 records).
SPOOL_FILE_BYTES = 1 << 20

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
    path = _resolved.get(_CURRENT)  # the hot path: no settings read, no syscall
    if path is not None:
        return path
    configured = getattr(settings, "HMSKORT_CHECK_SPOOL_DIR", None)
    if configured:
        path = Path(configured)
    elif _under_test():
        if _test_dir is None:
            _test_dir = tempfile.mkdtemp(prefix="hmskort-check-spool-")
        path = Path(_test_dir)
    else:
        path = Path(settings.BASE_DIR) / "var" / "check-spool"
    path.mkdir(parents=True, exist_ok=True)
    _resolved[_CURRENT] = path
    return path


_CURRENT = object()
_resolved: dict[object, Path] = {}


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    _resolved.clear()
    _forget_current()


class Spool:
    """One process's writer into one spool directory.

    The file is written through a shared memory map of it (`SPOOL_FILE_BYTES`,
    zero-filled): appending a record is a copy into the kernel's page cache under
    a lock, with no system call. Once the copy is done the record belongs to the
    kernel, exactly as after `write(2)`, so it survives the process being killed.
    (A `write(2)` per record would give up the interpreter lock in the system call
    and queue the request threads behind it.) A full file is rotated at once.
    Rotating unmaps the file, cuts it to the bytes written and closes it; a file
    whose writer died keeps its zero tail, which readers ignore."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._used = 0
        self._count = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)  # removed since it was resolved?
        name = uuid.uuid4().hex
        tmp = self.directory / f".tmp-{name}"
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Reserve the blocks now: a full disk is an OSError here, not a SIGBUS
            # when a later copy touches a page the file system cannot back.
            os.posix_fallocate(fd, 0, SPOOL_FILE_BYTES)
            self._map = mmap.mmap(
                fd, SPOOL_FILE_BYTES, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE
            )
            os.rename(tmp, self.directory / f"{self.pid}-{name}{SUFFIX}")
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._used = fd, 0

    def _close(self) -> None:
        fd, spool_map, used = self._fd, self._map, self._used
        self._fd = self._map = None
        self._used = self._count = 0
        if spool_map is not None:
            spool_map.close()
        if fd is not None:
            try:
                os.ftruncate(fd, used)
            finally:
                os.close(fd)  # releases the lock: the file is ready to drain

    def append(self, line: bytes) -> None:
        size = len(line)
        with self._lock:
            if self._map is not None and self._used + size > SPOOL_FILE_BYTES:
                self._close()
            if self._map is None:
                self._open()
            start = self._used
            self._map[start : start + size] = line
            self._used = start + size
            self._count += 1

    def rotate(self) -> int:
        """Close the current file (it becomes ready to drain); how many lines it held."""
        with self._lock:
            count = self._count
            self._close()
        return count


_spools: dict[tuple[int, Path], Spool] = {}
_spools_lock = threading.Lock()
_flusher_pid: int | None = None


def _spool() -> Spool:
    spool = _current
    if spool is not None:  # the hot path: this process's writer, its flusher running
        return spool
    return _spool_slow()


_current: Spool | None = None


def _forget_current() -> None:
    global _current
    _current = None


os.register_at_fork(after_in_child=_forget_current)


def _spool_slow() -> Spool:
    global _current
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
    _current = spool
    return spool


#: (record key, CardCheck column, longest text) in spool-line order.
FIELDS = (
    ("id", "check_id", 36),
    ("at", "checked_at", 40),
    ("ch", "channel", 16),
    ("cn", "card_number", 16),
    ("st", "status", 16),
    ("rs", "reason_codes", 0),
    ("ct", "card_type", 8),
    ("eo", "employer_orgnr", 9),
    ("en", "employer_name", 255),
    ("vu", "valid_until", 10),
    ("hn", "holder_name", 255),
    ("src", "source_key", 64),
    ("api", "api_client_id", 20),
    ("ag", "agency", 64),
    ("site", "site_name", 255),
)
KEYS = tuple(key for key, _, _ in FIELDS)
COLUMNS = tuple(column for _, column, _ in FIELDS)
_LIMITS = tuple(limit for _, _, limit in FIELDS)
_N = len(FIELDS)
NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})


def _clean(value, limit: int) -> str:
    if value is None:
        return NULL
    text = str(value)
    return (text[:limit] if limit else text).translate(_ESCAPES)


def encode(values) -> bytes:
    """One spool line from the `FIELDS` values in order (str, or None for none).
    Free text is escaped and cut to its column's length, so COPY takes every line."""
    nulls = values.count(None)
    line = "\t".join([NULL if v is None else v for v in values] if nulls else values)
    if (  # the fast path: nothing to escape, nothing too long
        line.count("\t") != _N - 1
        or line.count("\\") != nulls
        or "\n" in line
        or "\r" in line
        or "\x00" in line
        or len(values[3]) > 16
        or len(values[8] or "") > 255
        or len(values[10] or "") > 255
        or len(values[13] or "") > 64
        or len(values[14] or "") > 255
    ):
        line = "\t".join(_clean(v, limit) for v, limit in zip(values, _LIMITS, strict=True))
    return (line + "\n").encode("utf-8")


def _values(record: dict) -> list:
    """`FIELDS` values of a record dict (the JSON format's keys)."""
    values = []
    for key in KEYS:
        value = record.get(key)
        if key == "rs":
            value = json.dumps(list(value or ()), separators=(",", ":"))
        elif value is None or value == "":
            value = None if key in ("vu", "api") else ""
        values.append(None if value is None else str(value))
    return values


_UNESCAPE = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def _unescape(text: str):
    if text == NULL:
        return None
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(_UNESCAPE.get(text[i : i + 2], text[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def decode(line: bytes) -> dict | None:
    """A spool line as a record dict (keys as `KEYS`); None for a torn or foreign line."""
    line = line.rstrip(b"\n")
    if not line.strip():
        return None
    try:
        if line[:1] == b"{":  # the earlier JSON format
            return json.loads(line)
        parts = line.decode("utf-8").split("\t")
        if len(parts) != _N:
            return None
        record = {key: _unescape(part) for key, part in zip(KEYS, parts, strict=True)}
        record["rs"] = json.loads(record["rs"] or "[]")
        if record["api"] is not None:
            record["api"] = int(record["api"])
        uuid.UUID(record["id"])
        dt.datetime.fromisoformat(record["at"])
        if record["vu"] is not None:
            dt.date.fromisoformat(record["vu"])
        return record
    except (ValueError, TypeError):
        return None


def spool_append(record: dict) -> None:
    """Append one record (a dict with the `KEYS`; "id" required) to this process's spool."""
    _spool().append(encode(_values(record)))


def spool_append_values(values) -> None:
    """Append one record given as its `FIELDS` values in order (the hot path)."""
    _spool().append(encode(values))


def spool_rotate() -> int:
    return _spool().rotate() if (os.getpid(), spool_dir()) in _spools else 0


def split_lines(data: bytes) -> list[bytes]:
    """The complete lines of a spool file (each with its newline). A last line
    without one was torn by a crash while it was copied: no answer was sent for it."""
    # A writer that died leaves its file's unwritten (zero) tail.
    lines = data.rstrip(b"\0").splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        logger.warning("receipts: skipped a torn spool line")
        lines.pop()
    return [line for line in lines if line.strip()]


def spool_drain(
    *,
    insert,
    directory: Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    pause: float = 0.0,
) -> list[bytes]:
    """Drain every ready spool file through `insert(lines)` (idempotent,
    committed per call); return the lines drained."""
    directory = directory or spool_dir()
    drained: list[bytes] = []
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
            lines = split_lines(b"".join(chunks))
            for start in range(0, len(lines), chunk_size):
                if start and pause:
                    time.sleep(pause)  # spread the database's work out (see receipts_flush)
                insert(lines[start : start + chunk_size])
            path.unlink(missing_ok=True)
            drained.extend(lines)
        finally:
            os.close(fd)
    return drained


def spool_find(check_id: str, *, directory: Path | None = None) -> dict | None:
    """A record still in the spool (any process's file, even one being written)."""
    directory = directory or spool_dir()
    needles = (f"{check_id}\t".encode(), f'"id":"{check_id}"'.encode())
    for path in directory.glob(f"*{SUFFIX}"):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        for needle in needles:
            at = data.find(needle)
            if at < 0:
                continue
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            if end < 0:
                continue  # not complete yet
            found = decode(data[start:end])
            if found is not None and found.get("id") == check_id:
                return found
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
