from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from hmskort.cards.models import CardState
from hmskort.cards.tests.factories import card_for_employment
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory


def employ(company, n: int, **kw):
    return [ArbeidsforholdFactory(arbeidsgiver=company, **kw) for _ in range(n)]


def staffed(company, n: int, *, card_type: str = "BA", **card_kw):
    """`n` employees in Aa-registeret, each with an active card."""
    cards = []
    for job in employ(company, n):
        cards.append(card_for_employment(job, active=True, card_type=card_type, **card_kw))
    return cards


@pytest.fixture
def planted(db):
    """One company per risk pattern, plus a clean company that matches none."""
    today = timezone.localdate()
    c = {}
    c["clean"] = EnhetFactory(navn="RYDDIG BYGG AS", antall_ansatte=3)
    staffed(c["clean"], 3)

    c["no_cards"] = EnhetFactory(navn="UTEN KORT BYGG AS", antall_ansatte=12)
    employ(c["no_cards"], 10)

    c["few_cards"] = EnhetFactory(
        navn="FÅ KORT ANLEGG AS", naeringskode1="42.110", antall_ansatte=25
    )
    staffed(c["few_cards"], 2)
    employ(c["few_cards"], 18)

    c["nace_mismatch"] = EnhetFactory(
        navn="VASK OG BYGG AS",
        naeringskode1="81.210",
        antall_ansatte=3,
        forretningsadresse={"kommunenummer": "4601", "kommune": "BERGEN"},
    )
    staffed(c["nace_mismatch"], 3, card_type="BA")

    c["short_employment"] = EnhetFactory(navn="KORTTID BYGG AS", antall_ansatte=4)
    staffed(c["short_employment"], 1)
    issued = today - dt.timedelta(days=60)
    for job in employ(
        c["short_employment"],
        3,
        startdato=issued - dt.timedelta(days=5),
        sluttdato=issued + dt.timedelta(days=10),
    ):
        card_for_employment(job, invalid=True, issue_date=issued)

    c["confiscated"] = EnhetFactory(navn="INNDRATT BYGG AS", antall_ansatte=3)
    staffed(c["confiscated"], 3)
    for job in employ(
        c["confiscated"],
        2,
        sluttdato=today - dt.timedelta(days=200),
        startdato=today - dt.timedelta(days=900),
    ):
        card_for_employment(job, confiscated=True)

    c["invalid_presented"] = EnhetFactory(navn="VISER FRAM BYGG AS", antall_ansatte=3)
    staffed(c["invalid_presented"], 3)
    from hmskort.receipts.models import CardCheck

    for job in employ(
        c["invalid_presented"],
        2,
        sluttdato=today - dt.timedelta(days=10),
        startdato=today - dt.timedelta(days=900),
    ):
        card = card_for_employment(job, invalid=True)
        for _ in range(3):
            CardCheck.objects.create(
                check_id=uuid.uuid4(),
                checked_at=timezone.now() - dt.timedelta(days=3),
                channel="gate",
                card_number=card.card_number,
                status="invalid",
                card_type=card.card_type,
                employer_orgnr=card.employer_orgnr,
            )
    assert CardState.CONFISCATED
    return c


def _user(username: str, *, staff: bool = True, groups=()) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=staff)
    for name in groups:
        group, _created = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    return user


@pytest.fixture
def inspector(db):
    return _user("inspektor", groups=["Arbeidstilsynet"])


@pytest.fixture
def staff_user(db):
    return _user("saksbehandler")


@pytest.fixture
def plain_user(db):
    return _user("vanlig", staff=False)
