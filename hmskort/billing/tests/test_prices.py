"""The price list is data: seeded with today's prices, edited by staff from a
date, read by the cart and checkout; a card type without a price fails clearly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hmskort.billing.models import CARD_HOLDER, Price
from hmskort.billing.pricing import PriceMissing, price_get, prices_on
from hmskort.billing.tests.conftest import place_order
from hmskort.eligibility.industries import INDUSTRIES
from hmskort.portal import prices

pytestmark = pytest.mark.django_db


def test_seeded_prices_are_todays_prices_with_25_percent_vat():
    assert prices.card_price("BA") == Decimal("107.50")
    assert prices.card_price("RH") == Decimal("147.00")
    assert prices.card_price("BP") == Decimal("107.50")
    assert prices.card_holder_price() == Decimal("39.00")
    assert prices.vat_rate() == Decimal("0.25")
    assert prices.with_vat(Decimal("107.50")) == Decimal("134.38")
    totals = prices.totals([Decimal("107.50"), Decimal("39.00")])
    assert (totals.excl_vat, totals.vat, totals.incl_vat) == (
        Decimal("146.50"),
        Decimal("36.63"),
        Decimal("183.13"),
    )


def test_every_card_type_and_the_card_holder_have_a_price():
    today = prices_on()
    missing = [code for code in [*INDUSTRIES, CARD_HOLDER] if code not in today]
    assert missing == []
    assert all(p.vat_rate == Decimal("0.25") for p in today.values())


def test_a_card_type_without_a_price_fails_clearly_never_zero():
    with pytest.raises(PriceMissing) as error:
        prices.card_price("XX")
    assert error.value.code == "price_missing"
    assert "ingen pris for «XX»" in error.value.message
    Price.objects.filter(code="RH").delete()
    with pytest.raises(PriceMissing):
        prices.card_price("RH")


def test_a_new_price_from_a_date_applies_from_that_day():
    today = timezone.localdate()
    old = Price.objects.get(code="BA")
    old.valid_to = today
    old.full_clean()
    old.save()
    new = Price(
        code="ba",
        name="HMS-kort BA",
        price_excl_vat=Decimal("120.00"),
        valid_from=today + dt.timedelta(days=1),
    )
    new.full_clean()
    new.save()
    assert new.code == "BA"
    assert prices.card_price("BA") == Decimal("107.50")
    assert price_get("BA", today + dt.timedelta(days=1)).price_excl_vat == Decimal("120.00")


def test_overlapping_periods_of_one_code_are_refused():
    clash = Price(
        code="BA", name="BA", price_excl_vat=Decimal("1.00"), valid_from=dt.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert "finnes allerede en pris for BA" in str(error.value)
    backwards = Price(
        code="NY",
        name="Ny",
        price_excl_vat=Decimal("1"),
        valid_from=dt.date(2025, 2, 1),
        valid_to=dt.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError):
        backwards.full_clean()


def test_the_order_line_keeps_the_price_of_the_order_day(company, address):
    order = place_order(company, method="invoice", holders=1)
    Price.objects.filter(code="BA").update(price_excl_vat=Decimal("500.00"))
    Price.objects.filter(code=CARD_HOLDER).update(price_excl_vat=Decimal("90.00"))
    line = order.lines.get()
    assert line.card_price == Decimal("107.50")
    assert line.card_holder_price == Decimal("39.00")
    order.refresh_from_db()
    assert order.total_excl_vat == Decimal("146.50")


def test_staff_edit_the_price_list_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:billing_price_changelist"))
    assert response.status_code == 200
    assert "107" in response.content.decode()
    response = admin_client.post(
        reverse("admin:billing_price_add"),
        {
            "code": "BA",
            "name": "HMS-kort BA",
            "price_excl_vat": "110.00",
            "vat_rate": "0.25",
            "valid_from": "2030-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 200  # the open-ended seeded price overlaps
    assert "finnes allerede en pris for BA" in response.content.decode()
    assert not Price.objects.filter(price_excl_vat=Decimal("110.00")).exists()


@pytest.mark.django_db(transaction=True)
def test_an_emptied_database_gets_the_starting_price_list_again():
    """`flush` (as between transactional tests, or a reset installation) runs
    post_migrate, which seeds an empty price list; prices staff set stay."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert prices.card_price("RH") == Decimal("147.00")
    Price.objects.filter(code="RH").update(price_excl_vat=Decimal("150.00"))
    call_command("migrate", verbosity=0)
    assert prices.card_price("RH") == Decimal("150.00")
