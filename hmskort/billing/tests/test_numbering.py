"""Gapless invoice numbers under concurrency (real PostgreSQL transactions), and KID."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.utils import timezone

from hmskort.billing.models import Invoice, InvoiceKind
from hmskort.billing.services.invoices import LineDraft, _issue
from hmskort.billing.services.numbering import invoice_number_next, kid_for, kid_is_valid
from hmskort.portal.models import InvoiceChannel
from hmskort.registers.tests.factories import EnhetFactory

LINE = LineDraft(
    code="BA",
    description="HMS-kort BA",
    quantity=Decimal(1),
    unit_price=Decimal("107.50"),
    vat_rate=Decimal("0.25"),
)


def _issue_one(orgnr: str, key: str):
    return _issue(
        key=key,
        kind=InvoiceKind.INVOICE,
        orgnr=orgnr,
        company_name="Firma AS",
        lines=[LINE],
        issue_date=timezone.localdate(),
        due_date=timezone.localdate(),
        channel=InvoiceChannel.POST,
        email="",
        buyer_reference="ref",
    )


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_get_gapless_unique_numbers_and_rollbacks_give_numbers_back():
    orgnr = EnhetFactory().organisasjonsnummer

    class Boom(Exception):
        pass

    def work(i: int) -> None:
        for j in range(5):
            if (i + j) % 4 == 0:  # every fourth transaction fails after taking a number
                try:
                    with transaction.atomic():
                        _issue_one(orgnr, f"test:{i}:{j}:rolled-back")
                        raise Boom
                except Boom:
                    pass
            else:
                _issue_one(orgnr, f"test:{i}:{j}")

    errors = _run_threads(work, 8)
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    committed = sum(1 for i in range(8) for j in range(5) if (i + j) % 4)
    assert numbers == list(range(1, committed + 1))  # no gaps, no duplicates
    assert not Invoice.objects.filter(key__endswith="rolled-back").exists()
    assert all(kid_is_valid(kid) for kid in Invoice.objects.values_list("kid", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_of_the_same_key_makes_one_invoice_and_no_gap():
    orgnr = EnhetFactory().organisasjonsnummer
    errors = _run_threads(lambda i: _issue_one(orgnr, "order:same"), 6)
    assert errors == []
    assert list(Invoice.objects.values_list("number", flat=True)) == [1]
    _issue_one(orgnr, "order:next")
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_numbers_are_only_taken_inside_a_transaction():
    with pytest.raises(RuntimeError):
        invoice_number_next()
    with transaction.atomic():
        first = invoice_number_next()
        assert invoice_number_next() == first + 1


@pytest.mark.parametrize(
    "number, kid",
    [(1, "0000000018"), (42, "0000000422"), (123456789, "1234567897")],
)
def test_kid_is_the_padded_number_with_a_mod10_check_digit(number, kid):
    assert kid_for(number) == kid
    assert kid_is_valid(kid)


def test_a_mistyped_kid_is_invalid():
    kid = kid_for(4711)
    wrong = kid[:-2] + str((int(kid[-2]) + 1) % 10) + kid[-1]
    assert not kid_is_valid(wrong)
    assert not kid_is_valid("12a4")
