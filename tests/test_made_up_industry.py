"""A made-up fifth industry, added in test data alone (no code outside this
test changes), can be ordered, checked and looked up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hmskort.cards.models import ActorType, CardState
from hmskort.cards.services.lifecycle import card_evaluate_pending, card_order, card_recheck
from hmskort.eligibility.industries import (
    INDUSTRIES,
    Industry,
    get_industry,
    industry_choices,
    register_industry,
    unregister_industry,
)
from hmskort.eligibility.requirements import Requirement
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory

pytestmark = pytest.mark.django_db

#: Security guards on building sites, say: an industry of its own.
FASADE = Industry(
    code="FV",
    name_nb="Vakthold på byggeplass",
    name_en="Site security",
    nace_prefixes=("80.1",),
    requirements=frozenset(
        {
            Requirement.COMPANY_ACTIVE,
            Requirement.VAT,
            Requirement.PERSON_REGISTERED,
            Requirement.EMPLOYMENT,
            Requirement.NACE_FIT,
            Requirement.DOCUMENTS,
        }
    ),
    accepted_where=frozenset({"BA"}),
)


@pytest.fixture
def made_up_industry():
    register_industry(FASADE)
    yield FASADE
    unregister_industry("FV")


@pytest.fixture
def fasade_employee(db):
    company = EnhetFactory(navn="Vakt og Vern AS", naeringskode1="80.100")
    return ArbeidsforholdFactory(arbeidsgiver=company, startdato=dt.date(2023, 1, 1))


def _approve_documents(orgnr, person_id):
    from hmskort.portal.models import UploadSet, UploadStatus

    UploadSet.objects.create(
        orgnr=orgnr,
        person_id=person_id,
        photo_path="p.jpg",
        photo_content_type="image/jpeg",
        id_document_path="i.jpg",
        id_document_content_type="image/jpeg",
        document_type="passport",
        status=UploadStatus.APPROVED,
    )


def test_a_made_up_industry_is_ordered_checked_and_looked_up(
    made_up_industry, fasade_employee, client
):
    from hmskort.api.selectors import industry_name as api_industry_name
    from hmskort.intelligence.nace import nace_fits_card_type
    from hmskort.portal.selectors import card_types_for_company
    from hmskort.verification.selectors import industry_name, public_card_lookup

    today = timezone.localdate()
    orgnr = fasade_employee.arbeidsgiver.organisasjonsnummer
    pid = fasade_employee.arbeidstaker.identifikator

    # it is offered first to a company whose NACE code fits it
    assert get_industry("fv") is FASADE and "FV" in INDUSTRIES
    assert ("FV", "Vakthold på byggeplass") in industry_choices("nb")
    assert card_types_for_company(orgnr)[0][0] == "FV"
    assert nace_fits_card_type(["80.100"], "FV")

    # ordered: pending until photo and ID are approved, then in production
    card = card_order(
        employer_orgnr=orgnr, holder_id=pid, card_type="FV", ordered_by="test", today=today
    ).card
    assert card.state == CardState.PENDING
    _approve_documents(orgnr, pid)
    card = card_evaluate_pending(card=card, today=today, actor_type=ActorType.JOB)
    assert card.state == CardState.IN_PRODUCTION

    # checked: the re-check keeps it valid, and invalidates it when the employment ends
    assert card_recheck(card=card, today=today).state == CardState.IN_PRODUCTION
    fasade_employee.sluttdato = today - dt.timedelta(days=1)
    fasade_employee.save()
    card = card_recheck(card=card, today=today)
    assert card.state == CardState.INVALID
    assert card.reason_codes == ["EMPLOYMENT_NOT_REGISTERED"]

    # looked up: by number on the public page, with the industry's name
    lookup = public_card_lookup(card.card_number, today=today)
    assert lookup.card is not None and lookup.card.card_type == "FV"
    assert lookup.card.industry_name == industry_name("FV") == "Vakthold på byggeplass"
    assert api_industry_name("FV", "en") == "Site security"
    page = client.get("/status", {"kortnummer": card.card_number})
    assert page.status_code == 200


def test_without_registration_the_made_up_code_is_unknown(fasade_employee):
    from hmskort.cards.services.lifecycle import CardOrderRefused

    with pytest.raises(CardOrderRefused) as refused:
        card_order(
            employer_orgnr=fasade_employee.arbeidsgiver.organisasjonsnummer,
            holder_id=fasade_employee.arbeidstaker.identifikator,
            card_type="FV",
            ordered_by="test",
            today=timezone.localdate(),
        )
    assert refused.value.reason_codes == ["UNKNOWN_CARD_TYPE"]
