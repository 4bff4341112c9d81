"""Nothing recorded is lost when the writer or the drainer dies mid-batch."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from hmskort.receipts import recorder
from hmskort.receipts.models import CardCheck
from hmskort.receipts.services import _insert, checks_flush

ROOT = Path(settings.BASE_DIR)

WRITER = textwrap.dedent(
    """
    import os, sys, uuid
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    from django.conf import settings
    django.setup()
    settings.HMSKORT_CHECK_SPOOL_DIR = sys.argv[1]
    settings.HMSKORT_CHECK_FLUSH_SECONDS = 0
    from hmskort.receipts import recorder
    i = 0
    while True:  # until killed
        i += 1
        check_id = str(uuid.uuid4())
        recorder.spool_append({"id": check_id, "at": "2026-01-01T10:00:00+00:00", "ch": "api",
                               "cn": "1000000001", "st": "valid", "rs": []})
        print(check_id, flush=True)
        if i %% %(rotate)d == 0:
            recorder.spool_rotate()
    """
)


def _record(i: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "at": "2026-01-01T10:00:00+00:00",
        "ch": "public",
        "cn": f"{1000000000 + i}",
        "st": "valid",
        "rs": [],
    }


@pytest.mark.django_db
def test_killing_the_writer_mid_stream_loses_no_record(_spool):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER % {"rotate": 37}, str(_spool)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = []
    try:
        while len(acknowledged) < 500:
            acknowledged.append(proc.stdout.readline().strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # mid-batch: its current file is half full
        proc.wait()
    tail = [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
    # The killed writer's lock is gone: its open file is drained like the rotated ones.
    drained = checks_flush()
    ids = set(str(pk) for pk in CardCheck.objects.values_list("pk", flat=True))
    assert set(acknowledged) <= ids  # every answered check is there
    assert len(ids) == drained == CardCheck.objects.count()  # and each exactly once
    # Nothing phantom: besides the acknowledged ones, only the check in flight when the
    # kill landed (written to the spool, its acknowledgement not yet printed) may appear.
    in_flight = ids - set(acknowledged) - set(tail)
    assert len(in_flight) <= 1
    assert recorder.spool_pending() == 0


class Crash(BaseException):
    """Stands in for the process dying between two committed chunks."""


@pytest.mark.django_db
def test_a_drain_killed_between_chunks_is_replayed_and_each_record_lands_once(_spool):
    records = [_record(i) for i in range(250)]
    for record in records:
        recorder.spool_append(record)
    recorder.spool_rotate()
    chunks = []

    def insert_then_die(batch):
        if chunks:
            raise Crash
        _insert(batch)
        chunks.append(len(batch))

    with pytest.raises(Crash):
        recorder.spool_drain(insert=insert_then_die, chunk_size=100)
    assert CardCheck.objects.count() == 100  # the first chunk committed, then the crash
    assert recorder.spool_pending() == 250  # the file is still there
    assert checks_flush() == 250  # replayed whole; the first 100 are ignored
    assert CardCheck.objects.count() == 250
    assert set(str(pk) for pk in CardCheck.objects.values_list("pk", flat=True)) == {
        r["id"] for r in records
    }


@pytest.mark.django_db
def test_a_file_being_written_is_not_drained_but_its_records_are_found(_spool):
    record = _record(1)
    recorder.spool_append(record)
    # This process still holds the file: a drain skips it ...
    assert recorder.spool_drain(insert=_insert) == []
    # ... but a receipt asked for now finds the record.
    assert recorder.spool_find(record["id"])["cn"] == record["cn"]


DRAINER = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = sys.argv[2]
    import django
    from django.conf import settings
    django.setup()
    settings.HMSKORT_CHECK_SPOOL_DIR = sys.argv[1]
    import time
    from hmskort.receipts import recorder, services
    def slow_insert(batch):
        services._insert(batch)
        print("chunk", flush=True)
        time.sleep(0.2)
    recorder.spool_drain(insert=slow_insert, chunk_size=50)
    """
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_drainer_process_killed_mid_batch_loses_nothing_and_duplicates_nothing(_spool):
    records = [_record(i) for i in range(1000)]
    for record in records:
        recorder.spool_append(record)
    recorder.spool_rotate()
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    proc = subprocess.Popen(
        [sys.executable, "-c", DRAINER, str(_spool), url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(3):
            assert proc.stdout.readline().strip() == "chunk"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.1)
    written = CardCheck.objects.count()
    assert 150 <= written < 1000  # killed mid-batch
    assert checks_flush() == 1000
    assert CardCheck.objects.count() == 1000
    assert set(str(pk) for pk in CardCheck.objects.values_list("pk", flat=True)) == {
        r["id"] for r in records
    }


@pytest.mark.django_db
def test_with_a_separate_drainer_the_web_process_only_hands_its_file_over(_spool, settings):
    """HMSKORT_CHECK_FLUSH_IN_PROCESS=False: the web process's flusher tick writes
    nothing to the database itself; it closes its spool file, and the separate
    drainer (`manage.py receipts_flush`) writes every record."""
    from django.core.management import call_command

    settings.HMSKORT_CHECK_FLUSH_IN_PROCESS = False
    records = [_record(i) for i in range(5)]
    for record in records:
        recorder.spool_append(record)
    assert recorder.spool_drain(insert=_insert) == []  # still this process's open file
    recorder.flush_once()
    assert CardCheck.objects.count() == 0  # no database work in the web process
    out = io.StringIO()
    call_command("receipts_flush", stdout=out)
    assert out.getvalue().strip() == f"flushed {len(records)} check records"
    assert set(CardCheck.objects.values_list("check_id", flat=True)) == {
        uuid.UUID(r["id"]) for r in records
    }


# --- the spool line format ------------------------------------------------------------


@pytest.mark.django_db
def test_free_text_survives_the_spool_and_is_cut_to_its_column(_spool):
    """Spool lines are COPY text: tabs, newlines, backslashes and a literal \\N in
    an employer's name come back as written; over-long text is cut, not refused."""
    name = "Bygg\tog\nAnlegg\\AS \\N " + "x" * 300
    record = {**_record(1), "en": name, "ct": "BA", "eo": "123456785", "vu": "2027-01-31"}
    record["cn"] = "1" * 20  # a typed number longer than the column
    recorder.spool_append(record)
    assert checks_flush() == 1
    check = CardCheck.objects.get()
    assert check.employer_name == name[:255]
    assert check.card_number == "1" * 16
    assert str(check.valid_until) == "2027-01-31" and check.api_client_id is None


@pytest.mark.django_db
def test_lines_of_the_earlier_json_format_are_still_drained(_spool):
    import json

    record = _record(7)
    (Path(_spool) / f"{os.getpid()}-legacy{recorder.SUFFIX}").write_text(json.dumps(record) + "\n")
    assert checks_flush() == 1
    assert str(CardCheck.objects.get().check_id) == record["id"]


@pytest.mark.django_db
def test_an_unreadable_line_is_skipped_and_the_rest_of_its_file_lands(_spool):
    good = [_record(i) for i in range(3)]
    lines = [recorder.encode(recorder._values(r)) for r in good]
    bad = recorder.encode(recorder._values({**_record(9), "vu": "not-a-date"}))
    data = lines[0] + bad + lines[1] + b"garbage without fields\n" + lines[2]
    (Path(_spool) / f"{os.getpid()}-mixed{recorder.SUFFIX}").write_bytes(data)
    checks_flush()
    assert {str(pk) for pk in CardCheck.objects.values_list("pk", flat=True)} == {
        r["id"] for r in good
    }
    assert recorder.spool_pending() == 0


def test_check_ids_are_random_and_in_time_order():
    from hmskort.receipts.record import new_check_id

    start = time.time()
    ids = [new_check_id(start + i / 1000) for i in range(2000)]
    parsed = [uuid.UUID(i) for i in ids]
    assert len(set(ids)) == 2000
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    assert ids == sorted(ids)  # one per millisecond: ordered by time
    same_ms = {new_check_id(start) for _ in range(1000)}
    assert len(same_ms) == 1000  # 74 random bits within one millisecond
    assert int(parsed[0].int >> 80) == int(start * 1000)
