"""The caseworker pages: who may use them, the queue, the case pages, the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hmskort.cards.models import CardState
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import case_open, stuck_orders_sync
from hmskort.casework.signals import case_decided
from hmskort.casework.tasks import stuck_orders_sync_task
from hmskort.checks.tests.helpers import backdate, employment_card, state_of
from hmskort.core.models import AuditEvent
from hmskort.identity.tests.factories import portal_user
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.registers.models import Unntak

from .helpers import case_url, review_case, upload

pytestmark = pytest.mark.django_db

QUEUE = "/saksbehandling/"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def review(company, employee):
    uploaded = upload(company, employee)
    return uploaded, review_case(uploaded)


# --- who may ---------------------------------------------------------------------------------


def _urls(case):
    return [QUEUE, case_url(case), f"{case_url(case)}fil/bilde", f"{case_url(case)}fil/id"]


def test_anonymous_is_sent_to_the_staff_login(review):
    _, case = review
    for url in _urls(case):
        response = _client().get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url, url


def test_a_company_user_is_refused(review, owner):
    _, case = review
    client = _client(portal_user(owner.identifikator, name=owner.fulltnavn))
    for url in _urls(case):
        assert client.get(url).status_code == 403, url
    assert client.post(case_url(case), {"decision": "approve"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_an_inspector_without_the_caseworker_role_is_refused(review, inspector):
    _, case = review
    client = _client(inspector)
    for url in _urls(case):
        assert client.get(url).status_code == 403, url
    assert client.post(case_url(case), {"decision": "approve"}).status_code == 403
    assert not AuditEvent.objects.filter(object_type__startswith="portal.uploadset.").exists()


def test_staff_without_the_role_is_refused_and_the_caseworker_and_superuser_may(
    review, caseworker_client, admin_client
):
    from django.contrib.auth.models import User

    _, case = review
    plain_staff = User.objects.create_user("stab", password="x", is_staff=True)
    assert _client(plain_staff).get(QUEUE).status_code == 403
    assert caseworker_client.get(QUEUE).status_code == 200
    assert admin_client.get(QUEUE).status_code == 200  # e.g. the demo login "saksbehandler"


def test_the_demo_caseworker_login_has_access():
    from django.contrib.auth.models import User

    from hmskort.registers.management.commands.demo_logins import USERNAME, ensure_caseworker_login

    ensure_caseworker_login()
    assert _client(User.objects.get(username=USERNAME)).get(QUEUE).status_code == 200


# --- photo / ID review page --------------------------------------------------------------------


def test_the_review_page_shows_register_facts_findings_and_serves_the_files_with_audit(
    review, caseworker_client, employee
):
    uploaded, case = review
    html = caseworker_client.get(case_url(case)).content.decode()
    assert employee.fulltnavn in html
    assert employee.foedselsdato.strftime("%d.%m.%Y") in html
    assert "Pass" in html  # the document type
    assert "review_mrz_unreadable" in html  # the automatic checks' finding
    for reason in ("Bildet: briller", "ID: stemmer ikke med personen"):
        assert reason in html
    assert AuditEvent.objects.filter(
        object_type="casework.case", object_id=str(case.pk), subject_id=employee.identifikator
    ).exists()

    photo = caseworker_client.get(f"{case_url(case)}fil/bilde")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["Cache-Control"] == "private, no-store"
    document = caseworker_client.get(f"{case_url(case)}fil/id")
    assert document.status_code == 200 and document["Content-Type"] == "image/jpeg"
    events = AuditEvent.objects.filter(
        object_id=str(uploaded.pk), object_type__startswith="portal.uploadset."
    ).order_by("id")
    assert [(e.object_type, e.actor, e.subject_id) for e in events] == [
        ("portal.uploadset.photo", "kari.saksbehandler", employee.identifikator),
        ("portal.uploadset.id_document", "kari.saksbehandler", employee.identifikator),
    ]
    assert caseworker_client.get(f"{case_url(case)}fil/annet").status_code == 404


# --- the queue ---------------------------------------------------------------------------------


def _generic(kind=CaseKind.NACE_JUSTIFICATION, n=1, **kw):
    return case_open(
        kind=kind, title=f"Sak {n}", object_type="test.object", object_id=n, orgnr="912345670", **kw
    )


def test_the_queue_lists_open_cases_oldest_first_with_counts_filters_and_paging(
    caseworker_client,
):
    cases = [_generic(n=n) for n in range(30)]
    correction = _generic(CaseKind.CORRECTION, n=99)
    Case.objects.filter(pk=correction.pk).update(opened_at=timezone.now() - dt.timedelta(days=3))
    decided = _generic(n=100)
    Case.objects.filter(pk=decided.pk).update(status=CaseStatus.APPROVED)

    html = caseworker_client.get(QUEUE).content.decode()
    assert "31 åpne saker" in html
    assert "Begrunnelse for bransje utenfor næringskode (30)" in html
    assert "Krav om retting av personopplysninger (1)" in html
    assert html.index("Sak 99") < html.index("Sak 0<")  # oldest first
    assert "Sak 100" not in html  # decided cases leave the queue
    assert "Side 1 av 2" in html

    filtered = caseworker_client.get(QUEUE, {"type": "correction"}).content.decode()
    assert "Sak 99" in filtered and "Sak 0<" not in filtered
    second = caseworker_client.get(QUEUE, {"side": 2}).content.decode()
    assert f"Sak {cases[-1].title[4:]}<" in second


# --- the generic case page (kinds opened by other apps) -----------------------------------------


def test_a_generic_case_shows_title_and_details_and_is_decided_with_a_note(caseworker_client):
    case = _generic(details={"naeringskode": "43.120", "korttype": "BA"})
    heard = []

    def listener(sender, case, approved, **kw):
        heard.append((case.pk, approved, case.decision_note))

    case_decided.connect(listener)
    try:
        html = caseworker_client.get(case_url(case)).content.decode()
        assert "Sak 1" in html and "naeringskode" in html and "43.120" in html

        refused = caseworker_client.post(case_url(case), {"decision": "reject"})
        assert refused.status_code == 200
        assert "Skriv en begrunnelse når du avviser." in refused.content.decode()

        with _on_commit():
            response = caseworker_client.post(
                case_url(case), {"decision": "reject", "note": "Ikke dokumentert"}
            )
        assert response.status_code == 302
    finally:
        case_decided.disconnect(listener)
    case.refresh_from_db()
    assert (case.status, case.decided_by) == (CaseStatus.REJECTED, "kari.saksbehandler")
    assert heard == [(case.pk, False, "Ikke dokumentert")]
    assert "Sak 1<" not in caseworker_client.get(QUEUE).content.decode()


def _on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


# --- orders stuck on the registers --------------------------------------------------------------


def _stuck(days=6, **kw):
    card = employment_card(employment=False, **kw)  # EMPLOYMENT_NOT_REGISTERED
    from hmskort.checks.services import orders_process_pending

    orders_process_pending(today=timezone.localdate())
    backdate(card, days=days)
    return card


def test_orders_stuck_on_the_registers_for_more_than_five_days_become_cases(settings):
    stuck = _stuck(days=6)
    recent = _stuck(days=4)
    documents_only = employment_card(documents_approved=False)  # waits for its photo only
    backdate(documents_only, days=10)
    from hmskort.checks.services import orders_process_pending

    orders_process_pending(today=timezone.localdate())

    result = stuck_orders_sync_task.apply().get()

    assert result == {"opened": 1, "closed": 0}
    case = Case.objects.get(kind=CaseKind.STUCK_ORDER)
    assert (case.card_id, case.orgnr, case.subject_id) == (
        stuck.pk,
        stuck.employer_orgnr,
        stuck.holder_id,
    )
    assert case.details["reason_codes"] == ["EMPLOYMENT_NOT_REGISTERED"]
    assert stuck_orders_sync(today=timezone.localdate()) == (0, 0)  # idempotent
    assert recent.pk != case.card_id

    settings.HMSKORT_STUCK_ORDER_DAYS = 3
    assert stuck_orders_sync(today=timezone.localdate()) == (1, 0)


def test_an_exception_entry_lets_a_stuck_order_continue_at_once(caseworker_client):
    card = _stuck()
    stuck_orders_sync(today=timezone.localdate())
    case = Case.objects.get(kind=CaseKind.STUCK_ORDER)

    html = caseworker_client.get(case_url(case)).content.decode()
    assert "EMPLOYMENT_NOT_REGISTERED" in html
    assert "Aa-registeret" in html  # the inspector text / the requirement to waive
    assert "DOCUMENTS" not in html.split("unntak-requirements")[-1].split("</fieldset>")[0]

    response = caseworker_client.post(
        case_url(case),
        {
            "action": "exception",
            "unntak-requirements": ["EMPLOYMENT"],
            "unntak-valid_to": "",
            "unntak-justification": "NAV-tiltak, ikke i Aa-registeret.",
        },
    )

    assert response.status_code == 302
    assert state_of(card)[0] == CardState.IN_PRODUCTION
    entry = Unntak.objects.get()
    assert (entry.person_id, entry.fritak, entry.registrert_av) == (
        card.holder_id,
        ["EMPLOYMENT"],
        "kari.saksbehandler",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert "Bestilling som står fast (0)" in caseworker_client.get(QUEUE).content.decode()


def test_an_exception_needs_requirements_and_a_justification(caseworker_client):
    _stuck()
    stuck_orders_sync(today=timezone.localdate())
    case = Case.objects.get(kind=CaseKind.STUCK_ORDER)

    response = caseworker_client.post(
        case_url(case), {"action": "exception", "unntak-valid_to": "32.13.2026"}
    )

    html = response.content.decode()
    assert response.status_code == 200 and "ds-error-summary" in html
    for text in ("Velg minst ett krav.", "Skriv en begrunnelse for unntaket.", "dd.mm.åååå"):
        assert text in html
    assert not Unntak.objects.exists()


def test_cancelling_a_stuck_order_tells_the_orderer_why(caseworker_client):
    card = _stuck()
    card.orderer_email = "bestiller@example.no"
    card.save(update_fields=["orderer_email"])
    stuck_orders_sync(today=timezone.localdate())
    case = Case.objects.get(kind=CaseKind.STUCK_ORDER)

    response = caseworker_client.post(
        case_url(case),
        {"action": "cancel", "kanseller-reason_text": "Arbeidsforholdet er ikke dokumentert."},
    )

    assert response.status_code == 302
    assert state_of(card)[0] == CardState.CANCELLED
    mail = OutboxMessage.objects.get(key=f"casework-order-cancelled-{case.pk}")
    assert "bestiller@example.no" in mail.to
    assert "Arbeidsforholdet er ikke dokumentert." in mail.body
    assert PortalMessage.objects.filter(key=f"casework-order-cancelled-{case.pk}").exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED


def test_a_stuck_order_case_closes_when_the_order_moves_on():
    card = _stuck()
    stuck_orders_sync(today=timezone.localdate())
    from hmskort.cards.models import ActorType
    from hmskort.cards.services.lifecycle import card_cancel

    card_cancel(card=card, actor_type=ActorType.USER, actor="bestiller")

    assert stuck_orders_sync(today=timezone.localdate()) == (0, 1)
    assert Case.objects.get(kind=CaseKind.STUCK_ORDER).status == CaseStatus.CLOSED
