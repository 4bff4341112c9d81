"""The photo / ID gate on every order path: an order goes to production only
with its photo and ID document approved; approval lets it continue at once,
rejection keeps it pending and tells the orderer, a new upload is reviewed again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hmskort.cards.documents import documents_for_pairs
from hmskort.cards.models import CardState
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.checks.services import orders_process_pending
from hmskort.checks.tests.helpers import backdate, employment_card, state_of
from hmskort.eligibility.facts import DocumentsState
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.portal.models import UploadStatus
from hmskort.portal.tests.conftest import url
from hmskort.portal.tests.factories import UploadSetFactory
from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory

from .helpers import case_url, portal_order, review_case, upload

pytestmark = pytest.mark.django_db

S = CardState
MISSING, REVIEW, REJECTED = "DOCUMENTS_MISSING", "DOCUMENTS_UNDER_REVIEW", "DOCUMENTS_REJECTED"


def _today():
    return timezone.localdate()


# --- the documents state ---------------------------------------------------------------------


def test_the_newest_upload_set_of_a_pair_decides_its_documents_state():
    UploadSetFactory(orgnr="911111111", person_id="01010100001", status="approved")
    UploadSetFactory(orgnr="911111111", person_id="01010100001", status="rejected")
    UploadSetFactory(orgnr="911111111", person_id="01010100002", status="pending_review")
    UploadSetFactory(orgnr="922222222", person_id="01010100001", status="approved")

    states = documents_for_pairs(
        {
            ("911111111", "01010100001"),
            ("911111111", "01010100002"),
            ("922222222", "01010100001"),
            ("922222222", "01010100002"),  # nothing uploaded in this company
        }
    )

    assert states == {
        ("911111111", "01010100001"): DocumentsState.REJECTED,
        ("911111111", "01010100002"): DocumentsState.UNDER_REVIEW,
        ("922222222", "01010100001"): DocumentsState.APPROVED,
        ("922222222", "01010100002"): DocumentsState.MISSING,
    }


# --- the portal's order path -----------------------------------------------------------------


def test_a_portal_order_waits_for_photo_and_id_and_goes_to_production_once_approved(
    owner_client, caseworker_client, company, employee, address
):
    card = portal_order(owner_client, company, employee)
    assert card.reason_codes == [MISSING]

    orders_process_pending(today=_today())  # the registers pass, the photo is missing
    assert state_of(card) == (S.PENDING, [MISSING])

    uploaded = upload(company, employee)
    assert state_of(card) == (S.PENDING, [REVIEW])  # at once, not at the next run
    case = review_case(uploaded)
    assert (case.orgnr, case.subject_id) == (company.organisasjonsnummer, employee.identifikator)

    response = caseworker_client.post(case_url(case), {"decision": "approve"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.state, card.issue_date) == (S.IN_PRODUCTION, _today())
    uploaded.refresh_from_db()
    assert uploaded.status == UploadStatus.APPROVED
    assert uploaded.reviewed_by == "kari.saksbehandler"
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_rejection_keeps_the_order_pending_tells_the_orderer_and_a_new_upload_continues_it(
    owner_client, caseworker_client, company, employee, address
):
    card = portal_order(owner_client, company, employee, email="bestiller@example.no")
    first = upload(company, employee)

    response = caseworker_client.post(
        case_url(review_case(first)),
        {"decision": "reject", "reason": "photo_glasses", "note": "Ta av brillene."},
    )

    assert response.status_code == 302
    assert state_of(card) == (S.PENDING, [REJECTED])
    mail = OutboxMessage.objects.get(key=f"portal-upload-rejected-{first.pk}")
    assert "bestiller@example.no" in mail.to
    assert "briller" in mail.body and "Ta av brillene." in mail.body
    assert "både nytt bilde og ny legitimasjon" in mail.body  # what to do
    message = PortalMessage.objects.get(key=f"portal-upload-rejected-{first.pk}")
    assert "briller" in message.body
    order_page = owner_client.get(
        url("order", company, order_id=card.order_line.order_id)
    ).content.decode()
    assert "Avvist" in order_page and "Bildet: briller" in order_page

    # Nothing moves on its own while the photo is rejected ...
    orders_process_pending(today=_today())
    assert state_of(card) == (S.PENDING, [REJECTED])

    # ... until both are uploaded again, reviewed and approved.
    second = upload(company, employee)
    assert state_of(card) == (S.PENDING, [REVIEW])
    caseworker_client.post(case_url(review_case(second)), {"decision": "approve"})
    assert state_of(card)[0] == S.IN_PRODUCTION


def test_a_rejection_needs_a_reason_from_the_list_and_keeps_what_was_typed(
    caseworker_client, company, employee
):
    uploaded = upload(company, employee)
    case = review_case(uploaded)

    response = caseworker_client.post(case_url(case), {"decision": "reject", "note": "Uskarpt"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "ds-error-summary" in html and "Velg en begrunnelse for avvisningen." in html
    assert "Uskarpt" in html
    uploaded.refresh_from_db()
    assert uploaded.status == UploadStatus.PENDING_REVIEW


def test_a_new_upload_replaces_the_one_waiting_in_the_queue(company, employee):
    first = upload(company, employee)
    second = upload(company, employee)
    open_cases = Case.objects.filter(kind=CaseKind.DOCUMENT_REVIEW, status=CaseStatus.OPEN)
    assert list(open_cases.values_list("object_id", flat=True)) == [str(second.pk)]
    assert Case.objects.get(object_id=str(first.pk)).status == CaseStatus.CLOSED


def test_the_admin_review_decides_the_case_and_lets_the_order_continue(
    admin_client, owner_client, company, employee, address
):
    card = portal_order(owner_client, company, employee)
    uploaded = upload(company, employee)
    change = f"/admin/portal/uploadset/{uploaded.pk}/change/"

    admin_client.post(change, {"decision": "approve"})

    assert state_of(card)[0] == S.IN_PRODUCTION
    assert Case.objects.get(object_id=str(uploaded.pk)).status == CaseStatus.APPROVED


# --- bulk order processing -------------------------------------------------------------------


def test_bulk_processing_effectuates_only_orders_with_approved_documents():
    approved = employment_card()
    missing = employment_card(documents_approved=False)
    under_review = employment_card(documents_approved=False)
    UploadSetFactory(
        orgnr=under_review.employer_orgnr,
        person_id=under_review.holder_id,
        status=UploadStatus.PENDING_REVIEW,
    )
    rejected = employment_card(documents_approved=False)
    UploadSetFactory(
        orgnr=rejected.employer_orgnr, person_id=rejected.holder_id, status=UploadStatus.REJECTED
    )

    orders_process_pending(today=_today())

    assert state_of(approved)[0] == S.IN_PRODUCTION
    assert state_of(missing) == (S.PENDING, [MISSING])
    assert state_of(under_review) == (S.PENDING, [REVIEW])
    assert state_of(rejected) == (S.PENDING, [REJECTED])


def test_bulk_processing_reads_the_documents_in_one_query_however_many_orders():
    for _ in range(6):
        employment_card(documents_approved=False)

    with CaptureQueriesContext(connection) as ctx:
        orders_process_pending(today=_today())

    reads = [q for q in ctx.captured_queries if "portal_uploadset" in q["sql"]]
    assert len(reads) == 1


def test_an_order_without_documents_is_still_cancelled_after_20_days():
    waiting = employment_card(documents_approved=False)
    backdate(waiting, days=21)
    orders_process_pending(today=_today())
    assert state_of(waiting) == (S.CANCELLED, ["ORDER_CANCELLED_TIMEOUT"])


def test_the_incremental_recheck_does_not_effectuate_an_order_without_approved_documents():
    from hmskort.checks import services
    from hmskort.registers import services as registers

    company = EnhetFactory()
    employment = ArbeidsforholdFactory.build(arbeidsgiver=company)
    employment.arbeidstaker.save()
    card = employment_card(
        enhet=company, person=employment.arbeidstaker, employment=False, documents_approved=False
    )
    services.feed_cursor_set()
    registers.arbeidsforhold_register(
        arbeidsgiver=company.organisasjonsnummer,
        arbeidstaker=card.holder_id,
        startdato=_today() - dt.timedelta(days=3),
    )
    services.recheck_incremental(today=_today())
    assert state_of(card) == (S.PENDING, [MISSING])
