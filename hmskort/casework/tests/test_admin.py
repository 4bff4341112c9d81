"""Exception-register entries in the Django admin, and the photo/ID review there."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hmskort.cards.models import CardState
from hmskort.checks import services as checks
from hmskort.checks.tests.helpers import employment_card, state_of
from hmskort.registers.models import Unntak

pytestmark = pytest.mark.django_db


def test_an_exception_added_in_the_admin_lets_the_pending_order_continue(admin_client):
    card = employment_card(employment=False)  # waits for Aa-registeret
    checks.feed_cursor_set()
    add = "/admin/registers/unntak/add/"
    form = admin_client.get(add).content.decode()
    assert 'value="EMPLOYMENT"' in form and 'value="DOCUMENTS"' not in form

    response = admin_client.post(
        add,
        {
            "enhet": card.employer_orgnr,
            "person": card.holder_id,
            "fritak": ["EMPLOYMENT"],
            "gyldig_fra": timezone.localdate().isoformat(),
            "begrunnelse": "NAV-tiltak",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = Unntak.objects.get()
    assert (entry.fritak, entry.registrert_av) == (["EMPLOYMENT"], "admin")
    checks.recheck_incremental(today=timezone.localdate())
    assert state_of(card)[0] == CardState.IN_PRODUCTION
