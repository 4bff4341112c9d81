"""DONE-WHEN: the full re-check through a real Celery worker, killed mid-run and re-run.

Needs PostgreSQL (the worker process and this test share the pytest-django test
database, so the test commits: transaction=True) and Redis:
HMSKORT_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15. Without it the test is
skipped, except on CI (CI=true), where it fails.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.cards.numbers import new_card_number
from hmskort.cards.services.transitions import valid_until_for
from hmskort.checks import services
from hmskort.checks.models import RecheckChunk, RecheckRun
from hmskort.core.testing.celery import celery_on_redis, redis_database, worker_kill, worker_start
from hmskort.registers import models as rm
from hmskort.registers import services as registers
from hmskort.registers.identifiers import iter_fnr
from hmskort.registers.tests.factories import EnhetFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = CardState
CARDS = 3000
CHUNK = 60  # 50 chunks: the worker is killed with most of them still to do


@pytest.fixture
def redis_url() -> str:
    """An empty Redis database of this test's own (see hmskort/core/testing/celery.py)."""
    with redis_database("checks") as url:
        yield url


@pytest.fixture
def broker(redis_url):
    """Point this process's Celery app at Redis (not eager) for the test."""
    with celery_on_redis(redis_url) as app:
        yield app


def _population(today: dt.date) -> dict[int, tuple[str, list[str]]]:
    """CARDS active cards over 30 companies; returns the expected (state, reasons) per card
    after the re-check: ended employments -> invalid, 2 bankrupt companies -> invalid,
    every 25th card past its validity -> expired, the rest unchanged."""
    companies = [EnhetFactory() for _ in range(30)]
    fnrs = (
        fnr for day in range(400) for fnr in iter_fnr(dt.date(1970, 1, 1) + dt.timedelta(days=day))
    )
    people = [
        rm.Person(
            identifikator=next(fnrs),
            identifikatortype="FNR",
            fornavn="Kari",
            etternavn=f"N{i}",
            foedselsdato=dt.date(1985, 3, 14),
            kjoenn="kvinne",
            statsborgerskap=["NO"],
            status="bosatt",
        )
        for i in range(CARDS)
    ]
    rm.Person.objects.bulk_create(people)
    rm.Arbeidsforhold.objects.bulk_create(
        rm.Arbeidsforhold(
            arbeidsgiver=companies[i % 30], arbeidstaker=p, startdato=today - dt.timedelta(days=400)
        )
        for i, p in enumerate(people)
    )
    issued = today - dt.timedelta(days=100)
    now = timezone.now()
    cards = Card.objects.bulk_create(
        Card(
            card_number=new_card_number(),
            card_type="BA",
            employer_orgnr=companies[i % 30].organisasjonsnummer,
            holder_id=p.identifikator,
            holder_name=p.fornavn,
            employer_name=companies[i % 30].navn,
            orderer_email="bestiller@firma.example",
            state=S.ACTIVE,
            state_changed_at=now,
            issue_date=issued,
            valid_until=today - dt.timedelta(days=1) if i % 25 == 0 else valid_until_for(issued),
            shipped_at=now,
        )
        for i, p in enumerate(people)
    )
    bankrupt = {companies[0].organisasjonsnummer, companies[1].organisasjonsnummer}
    expected = {}
    for i, card in enumerate(cards):
        if i % 25 == 0:
            expected[card.pk] = (S.EXPIRED, ["CARD_EXPIRED"])
        elif card.employer_orgnr in bankrupt:
            expected[card.pk] = (S.INVALID, ["COMPANY_BANKRUPT"])
        elif i % 7 == 3:
            registers.arbeidsforhold_end(
                arbeidsgiver=card.employer_orgnr,
                arbeidstaker=card.holder_id,
                sluttdato=today - dt.timedelta(days=1),
            )
            expected[card.pk] = (S.INVALID, ["EMPLOYMENT_NOT_REGISTERED"])
        else:
            expected[card.pk] = (S.ACTIVE, [])
    for orgnr in bankrupt:
        enhet = rm.Enhet.objects.get(pk=orgnr)
        enhet.konkurs, enhet.konkursdato = True, today
        registers.register_record_save(instance=enhet, created=False)
    return expected


def _wait(predicate, *, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_full_recheck_survives_a_killed_worker(broker, redis_url):
    today = timezone.localdate()
    expected = _population(today)
    changes = sum(1 for state, _ in expected.values() if state != S.ACTIVE)

    worker = worker_start(redis_url)
    try:
        run = services.recheck_full(today=today, chunk_size=CHUNK, inline=False)
        assert run.finished is None and run.chunks_total == CARDS // CHUNK
        done = RecheckChunk.objects.filter(run=run, finished__isnull=False)
        assert _wait(lambda: done.count() >= 3, timeout=30), "the worker never got going"
    finally:
        worker_kill(worker)
    finished_before_kill = done.count()
    assert finished_before_kill < run.chunks_total, "the run finished before the kill"
    assert RecheckRun.objects.get(pk=run.pk).finished is None

    worker = worker_start(redis_url)
    try:
        again = services.recheck_full(today=today, chunk_size=CHUNK, inline=False)
        assert again.pk == run.pk  # resumed, not restarted
        assert _wait(
            lambda: RecheckRun.objects.get(pk=run.pk).finished is not None, timeout=40, step=0.2
        ), "the resumed run did not finish"
    finally:
        worker_kill(worker)

    final = {
        pk: (state, sorted(reasons))
        for pk, state, reasons in Card.objects.values_list("pk", "state", "reason_codes")
    }
    assert final == expected
    per_card = {}
    for card_id in CardStatusHistory.objects.values_list("card_id", flat=True):
        per_card[card_id] = per_card.get(card_id, 0) + 1
    assert per_card == {pk: 1 for pk, (state, _) in expected.items() if state != S.ACTIVE}
    run.refresh_from_db()
    assert run.cards_changed == changes and run.cards_checked == CARDS

    # Exactly one message per event, killed worker or not: every card made invalid
    # appears in exactly one e-mail to its orderer and one portal message.
    from hmskort.notifications.models import OutboxMessage, PortalMessage

    invalidated = {
        Card.objects.get(pk=pk).card_number
        for pk, (state, _) in expected.items()
        if state == S.INVALID
    }
    assert invalidated
    emails = [
        m.body for m in OutboxMessage.objects.filter(to__contains=["bestiller@firma.example"])
    ]
    portal = list(PortalMessage.objects.values_list("body", flat=True))
    for number in invalidated:
        assert sum(f"- {number} " in body for body in emails) == 1, number
        assert sum(f"- {number} " in body for body in portal) == 1, number
