"""The monthly invoice: one per company and month for its monthly-invoice
orders, idempotent, also when run twice at once through a real Celery worker."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from hmskort.billing.models import (
    DispatchStatus,
    Invoice,
    InvoiceDispatch,
    SimulatedPeppolMessage,
)
from hmskort.billing.services import ehf_send_pending, invoices_monthly_run
from hmskort.billing.services.invoices import previous_month
from hmskort.billing.tests.conftest import company_settings, place_order
from hmskort.billing.tests.ehf import assert_valid_ehf
from hmskort.cards.services.lifecycle import card_reject
from hmskort.core.testing.celery import celery_on_redis, redis_database, worker_start, worker_stop
from hmskort.portal.models import InvoiceChannel, Order
from hmskort.registers.tests.factories import EnhetFactory

NOVEMBER = dt.date(2026, 11, 1)
RUN_DAY = dt.date(2026, 12, 1)


def _placed(order: Order, day: dt.date) -> Order:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    Order.objects.filter(pk=order.pk).update(placed_at=at)
    order.refresh_from_db()
    return order


@pytest.mark.django_db
def test_one_invoice_per_company_for_the_month_and_a_rerun_changes_nothing():
    a, b = EnhetFactory(), EnhetFactory()
    company_settings(b, channel=InvoiceChannel.POST)
    a1 = _placed(place_order(a, method="monthly_invoice", cards=2), dt.date(2026, 11, 3))
    a2 = _placed(place_order(a, method="monthly_invoice", holders=2), dt.date(2026, 11, 30))
    b1 = _placed(place_order(b, method="monthly_invoice"), dt.date(2026, 11, 15))
    december = _placed(place_order(a, method="monthly_invoice"), dt.date(2026, 12, 1))
    _placed(place_order(a, method="invoice"), dt.date(2026, 11, 10))  # its own invoice
    single = Invoice.objects.get()

    invoices = invoices_monthly_run(month=NOVEMBER, today=RUN_DAY)
    monthly = [i for i in invoices if i.pk != single.pk]
    assert len(monthly) == 2
    by_company = {i.orgnr: i for i in monthly}
    ia, ib = by_company[a.organisasjonsnummer], by_company[b.organisasjonsnummer]
    assert set(ia.orders.values_list("order_id", flat=True)) == {a1.pk, a2.pk}
    assert set(ib.orders.values_list("order_id", flat=True)) == {b1.pk}
    assert ia.total_incl_vat == a1.total_incl_vat + a2.total_incl_vat
    assert ia.lines.count() == 4  # two cards, one card, its card holders
    assert (ia.period_start, ia.period_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert ia.issue_date == RUN_DAY and ia.due_date == RUN_DAY + dt.timedelta(days=30)
    assert ia.buyer_reference == "Samlefaktura 11.2026"
    assert ib.dispatch.status == DispatchStatus.QUEUED  # by post

    again = invoices_monthly_run(month=NOVEMBER, today=RUN_DAY + dt.timedelta(days=1))
    assert {i.pk for i in again} == {ia.pk, ib.pk}
    assert Invoice.objects.count() == 3
    # The December order goes on December's invoice.
    [dec] = invoices_monthly_run(month=dt.date(2026, 12, 1), today=dt.date(2027, 1, 1))
    assert list(dec.orders.values_list("order_id", flat=True)) == [december.pk]
    assert dec.number == 4


@pytest.mark.django_db
def test_a_card_rejected_before_the_run_is_not_invoiced(company, address):
    order = _placed(place_order(company, method="monthly_invoice", cards=2), dt.date(2026, 11, 5))
    rejected = order.lines.order_by("id").first()
    card_reject(card=rejected.card, reason_codes=["DOCUMENTS_REJECTED"])
    [invoice] = invoices_monthly_run(month=NOVEMBER, today=RUN_DAY)
    assert invoice.lines.count() == 1
    assert invoice.total_excl_vat == Decimal("107.50")
    assert not invoice.lines.filter(card_id=rejected.card_id).exists()


@pytest.mark.django_db
def test_monthly_ehf_invoice_goes_to_the_access_point_as_valid_ehf(
    company, address, django_capture_on_commit_callbacks
):
    company_settings(company, channel=InvoiceChannel.EHF)
    _placed(place_order(company, method="monthly_invoice", holders=1), dt.date(2026, 11, 5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [invoice] = invoices_monthly_run(month=NOVEMBER, today=RUN_DAY)
    assert callbacks  # the hand-over is queued after the commit
    dispatch = invoice.dispatch
    assert dispatch.status == DispatchStatus.PENDING
    assert dispatch.recipient == f"0192:{company.organisasjonsnummer}"
    assert_valid_ehf(dispatch.document.encode())

    assert ehf_send_pending() == 1
    assert ehf_send_pending() == 0  # sent once only
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT and dispatch.message_id
    message = SimulatedPeppolMessage.objects.get()
    assert message.message_id == dispatch.message_id
    assert message.receiver == f"0192:{company.organisasjonsnummer}"
    assert message.sender == "0192:921000006"
    assert message.document == dispatch.document


@pytest.mark.django_db
def test_an_access_point_that_fails_is_retried_later(company, address, settings):
    settings.HMSKORT_PEPPOL_ACCESS_POINT = "hmskort.billing.tests.test_monthly.DownAccessPoint"
    company_settings(company, channel=InvoiceChannel.EHF)
    _placed(place_order(company, method="monthly_invoice"), dt.date(2026, 11, 5))
    [invoice] = invoices_monthly_run(month=NOVEMBER, today=RUN_DAY)
    assert ehf_send_pending() == 0
    dispatch = InvoiceDispatch.objects.get(invoice=invoice)
    assert dispatch.status == DispatchStatus.PENDING and dispatch.attempts == 1
    assert "unavailable" in dispatch.error
    settings.HMSKORT_PEPPOL_ACCESS_POINT = "hmskort.billing.peppol.SimulatedAccessPoint"
    assert ehf_send_pending() == 1


class DownAccessPoint:
    def send(self, **kwargs) -> str:
        from hmskort.billing.peppol import AccessPointError

        raise AccessPointError("access point unavailable")


def test_the_task_invoices_the_previous_month_by_default():
    assert previous_month(dt.date(2026, 1, 1)) == dt.date(2025, 12, 1)
    assert previous_month(dt.date(2026, 3, 31)) == dt.date(2026, 2, 1)


def test_the_beat_schedule_runs_the_monthly_invoice_on_the_first():
    from hmskort.billing.schedule import BEAT_SCHEDULE

    entry = BEAT_SCHEDULE["billing-invoices-monthly"]
    assert entry["task"] == "billing.invoices_monthly"
    assert entry["schedule"].day_of_month == {1}


# --- through a real Celery worker and Redis -------------------------------------------------


@pytest.fixture
def worker():
    """A real Celery worker on an empty Redis database of this test's own, with
    results kept (the test reads them)."""
    with redis_database("billing") as url, celery_on_redis(url, results=True):
        process = worker_start(url)
        try:
            yield process
        finally:
            worker_stop(process)


def _wait(predicate, *, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_monthly_task_run_twice_at_once_by_a_worker_issues_each_invoice_once(worker):
    from hmskort.billing.tasks import invoices_monthly_task

    companies = [EnhetFactory() for _ in range(3)]
    company_settings(companies[2], channel=InvoiceChannel.EHF)
    for i, company in enumerate(companies):
        for day in (2, 20):
            _placed(
                place_order(company, method="monthly_invoice", cards=1 + i),
                NOVEMBER.replace(day=day),
            )

    kwargs = {"month": NOVEMBER.isoformat(), "today": RUN_DAY.isoformat()}
    first = invoices_monthly_task.apply_async(kwargs=kwargs)
    second = invoices_monthly_task.apply_async(kwargs=kwargs)
    numbers_first = first.get(timeout=90)
    numbers_second = second.get(timeout=90)
    assert sorted(numbers_first) == sorted(numbers_second) == [1, 2, 3]
    assert Invoice.objects.count() == 3
    for company in companies:
        invoice = Invoice.objects.get(orgnr=company.organisasjonsnummer)
        assert invoice.orders.count() == 2
    # The EHF invoice was handed to the access point by the worker after the commit.
    assert _wait(lambda: SimulatedPeppolMessage.objects.exists(), timeout=60)
    message = SimulatedPeppolMessage.objects.get()
    assert message.receiver == f"0192:{companies[2].organisasjonsnummer}"
    assert_valid_ehf(message.document.encode())
    # A third run later finds nothing new.
    third = invoices_monthly_task.apply_async(kwargs=kwargs).get(timeout=90)
    assert sorted(third) == [1, 2, 3] and Invoice.objects.count() == 3
