"""Shared steps: order through the portal, upload through the portal, decide in the queue."""

from __future__ import annotations

import io

from PIL import Image

from hmskort.cards.models import Card
from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.portal.models import CartItem, UploadSet
from hmskort.portal.refs import person_ref
from hmskort.portal.tests.conftest import url


def image(fmt: str = "PNG", size=(200, 260)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (220, 220, 220)).save(buffer, format=fmt)
    return buffer.getvalue()


def portal_order(client, company, person, *, email: str = "leder@example.no") -> Card:
    """Order a card for `person` through the portal's cart and checkout (invoice)."""
    orgnr = company.organisasjonsnummer
    client.post(url("cart_add", company), {"person": person_ref(orgnr, person.identifikator)})
    CartItem.objects.filter(orgnr=orgnr).update(declaration=True)
    response = client.post(
        url("checkout", company), {"payment_method": "invoice", "orderer_email": email}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Card.objects.get(employer_orgnr=orgnr, holder_id=person.identifikator, state="pending")


def upload(company, person, *, uploaded_by: str = "") -> UploadSet:
    """Store a photo and an ID document as the portal's upload page does after
    its automatic checks (the service the page, the self-upload link and API v2 call)."""
    from hmskort.portal.uploads.services import upload_set_create
    from hmskort.portal.uploads.validation import ValidatedImage

    def validated(fmt, content_type, extension):
        return ValidatedImage(image(fmt), content_type, extension, 200, 260)

    return upload_set_create(
        orgnr=company.organisasjonsnummer,
        person_id=person.identifikator,
        holder_name=person.fulltnavn,
        photo=validated("PNG", "image/png", "png"),
        id_document=validated("JPEG", "image/jpeg", "jpg"),
        document_type="passport",
        uploaded_by=uploaded_by or "01010112345",
        notify_email="leder@example.no",
        auto_findings={"photo": [], "id": [], "manual_review": ["review_mrz_unreadable"]},
    )


def review_case(upload: UploadSet) -> Case:
    return Case.objects.get(
        kind=CaseKind.DOCUMENT_REVIEW, object_id=str(upload.pk), status=CaseStatus.OPEN
    )


def case_url(case: Case) -> str:
    return f"/saksbehandling/sak/{case.pk}/"
