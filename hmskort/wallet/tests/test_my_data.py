"""My data: what the system holds about me, who looked, and corrections."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from hmskort.api.models import ApiLevel
from hmskort.api.tests.conftest import _user
from hmskort.cards.models import CardState
from hmskort.cards.services.transitions import card_transition
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import case_decide
from hmskort.core.audit import audit_record
from hmskort.notifications.models import OutboxMessage
from hmskort.verification.services import inspector_lookup_record
from hmskort.wallet.models import CorrectionRequest, CorrectionStatus, WorkerNotice
from hmskort.wallet.services import correction_request_create
from hmskort.wallet.tests.factories import upload_for


@pytest.fixture
def inspector(db):
    user = User.objects.create_user("inspektor.olsen", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Arbeidstilsynet")[0])
    return user


def test_my_data_needs_a_login(client, db):
    assert client.get("/mine-data/").status_code == 302


def test_my_data_shows_cards_history_employments_and_uploads(worker_client, worker, other):
    card = worker.cards[0]
    card_transition(card=card, to_state=CardState.BLOCKED, reason_codes=[], actor_type="user")
    upload = upload_for(card)
    upload_for(other.cards[0])
    response = worker_client.get("/mine-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert worker.person.fulltnavn in html and worker.pid in html
    cards = html.split('data-testid="cards"', 1)[1].split("</section>", 1)[0]
    assert "Sperret" in cards  # the status history row
    for c in worker.cards:
        assert c.employer_name in cards
    employments = html.split('data-testid="employments"', 1)[1].split("</section>", 1)[0]
    assert "Aa-registeret" in employments
    assert "BETONGLAGET AS" in employments and "TAKSTEIN OG BLIKK AS" in employments
    uploads = html.split('data-testid="uploads"', 1)[1].split("</section>", 1)[0]
    assert f"/mine-data/filer/{upload.pk}/bilde" in uploads
    # Nothing about the other person.
    assert other.pid not in html and "ANDRE BYGG AS" not in html
    assert other.cards[0].card_number not in html


def test_my_own_uploads_only(worker_client, worker, other):
    mine = upload_for(worker.cards[0])
    theirs = upload_for(other.cards[0])
    assert worker_client.get(f"/mine-data/filer/{mine.pk}/id").status_code == 200
    assert worker_client.get(f"/mine-data/filer/{theirs.pk}/bilde").status_code == 404
    assert worker_client.get(f"/mine-data/filer/{theirs.pk}/id").status_code == 404


def test_who_looked_me_up_shows_authorities_and_api_clients_never_names(
    worker_client, worker, other, inspector
):
    inspector_lookup_record(inspector=inspector, card=worker.cards[0], purpose="Tilsyn 2026/17")
    inspector_lookup_record(inspector=inspector, card=other.cards[0], purpose="Tilsyn 2026/99")
    client = _user(ApiLevel.LEVEL1, name="Hovedentreprenør Kontroll AS").client
    audit_record(
        actor_type="api",
        actor=client.application.client_id,
        action="qr_lookup",
        object_type="cards.card",
        object_id=worker.cards[1].card_number,
        subject_id=worker.pid,
        purpose="qr",
    )
    html = worker_client.get("/mine-data/").content.decode()
    lookups = html.split('data-testid="lookups"', 1)[1].split("</section>", 1)[0]
    assert "Arbeidstilsynet" in lookups
    assert "Tilsyn 2026/17" in lookups
    assert "Hovedentreprenør Kontroll AS" in lookups
    assert "inspektor.olsen" not in html
    assert client.application.client_id not in html
    assert "Tilsyn 2026/99" not in html  # someone else's look-up
    assert 'href="/mine-oppslag"' in lookups


def _send_correction(client, **extra):
    data = {
        "topic": "name",
        "what_is_wrong": "Etternavnet er stavet feil",
        "correction": "Kowalska, ikke Kowalsky",
        "email": "wiktoria@example.test",
        "request_key": "6f1c1b0e-3f7a-4d0c-9d5e-0a1b2c3d4e5f",
        **extra,
    }
    return client.post("/mine-data/retting", data)


def test_a_correction_request_opens_a_case_and_the_decision_reaches_the_worker(
    worker_client, worker, django_capture_on_commit_callbacks
):
    response = _send_correction(worker_client)
    assert response.status_code == 302
    request = CorrectionRequest.objects.get(pid=worker.pid)
    case = Case.objects.get(pk=request.case_id)
    assert case.kind == CaseKind.CORRECTION and case.status == CaseStatus.OPEN
    assert case.subject_id == worker.pid
    assert case.details["what_is_wrong"] == "Etternavnet er stavet feil"
    html = worker_client.get("/mine-data/").content.decode()
    assert "Til behandling" in html
    # Sent twice (double click, retry): still one request and one case.
    _send_correction(worker_client)
    assert CorrectionRequest.objects.filter(pid=worker.pid).count() == 1
    assert Case.objects.filter(kind=CaseKind.CORRECTION).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        case_decide(case=case, approved=True, decided_by="saksbehandler", note="Navnet er rettet.")
    request.refresh_from_db()
    assert request.status == CorrectionStatus.APPROVED
    notice = WorkerNotice.objects.get(pid=worker.pid)
    assert "tatt til følge" in notice.subject
    email = OutboxMessage.objects.get(key=notice.key)
    assert email.to == ["wiktoria@example.test"]
    html = worker_client.get("/mine-data/").content.decode()
    assert "Rettet" in html and "Navnet er rettet." in html
    assert notice.subject in html


def test_a_rejected_correction_is_told_once(worker, django_capture_on_commit_callbacks):
    request = correction_request_create(
        pid=worker.pid, topic="employment", what_is_wrong="Feil arbeidsgiver", correction="X"
    )
    case = Case.objects.get(pk=request.case_id)
    with django_capture_on_commit_callbacks(execute=True):
        case_decide(
            case=case, approved=False, decided_by="saksbehandler", note="Registeret er riktig."
        )
    request.refresh_from_db()
    assert request.status == CorrectionStatus.REJECTED
    from hmskort.wallet.services import correction_decided

    case.refresh_from_db()
    correction_decided(case=case, approved=False)  # a second delivery of the signal
    assert WorkerNotice.objects.filter(pid=worker.pid).count() == 1
    assert not OutboxMessage.objects.exists()  # no e-mail address given
    assert len(mail.outbox) == 0


def test_other_kinds_of_cases_are_left_alone(worker, django_capture_on_commit_callbacks):
    from hmskort.casework.services import case_open

    case = case_open(
        kind=CaseKind.STUCK_ORDER,
        title="x",
        object_type="cards.card",
        object_id="1",
        subject_id=worker.pid,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_decide(case=case, approved=True, decided_by="saksbehandler")
    assert not WorkerNotice.objects.exists()


def test_a_bad_correction_form_keeps_what_was_typed(worker_client, worker):
    response = _send_correction(worker_client, correction="", what_is_wrong="Adressen min er feil")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Adressen min er feil" in html
    assert not CorrectionRequest.objects.exists()


def test_an_employer_looking_at_my_photo_is_shown_by_company(worker_client, worker, other):
    audit_record(
        actor_type="user",
        actor=other.pid,  # the employer's person: never shown
        action="view",
        object_type="portal.uploadset.photo",
        object_id="1",
        subject_id=worker.pid,
        purpose="employer",
        detail={"orgnr": worker.cards[0].employer_orgnr},
    )
    html = worker_client.get("/mine-data/").content.decode()
    lookups = html.split('data-testid="lookups"', 1)[1].split("</section>", 1)[0]
    assert "Arbeidsgiver: BETONGLAGET AS" in lookups
    assert other.pid not in html
