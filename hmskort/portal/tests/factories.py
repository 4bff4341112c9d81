"""Test set-up for photo / ID uploads (writes UploadSet rows directly).

    documents_approved(orgnr, person_id)        # the pair's photo/ID approved
    documents_approved_for(employment)          # for a register Arbeidsforhold
    UploadSetFactory(status=UploadStatus.PENDING_REVIEW, ...)

Orders go to production only with an approved photo and ID document (the gate
in `hmskort.cards.documents`); tests about something else give their
employments an approved set with these. No files are written: the paths point
nowhere (use the upload services or the portal views where files matter).
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from hmskort.portal.models import DocumentType, UploadSet, UploadStatus


class UploadSetFactory(DjangoModelFactory):
    class Meta:
        model = UploadSet

    orgnr = "912345670"
    person_id = "01010112345"
    holder_name = "Test Person"
    photo_path = factory.Sequence(lambda n: f"test/photo-{n}.jpg")
    photo_content_type = "image/jpeg"
    id_document_path = factory.Sequence(lambda n: f"test/id-{n}.jpg")
    id_document_content_type = "image/jpeg"
    document_type = DocumentType.values[0]
    status = UploadStatus.APPROVED
    uploaded_by = "test"
    reviewed_by = factory.LazyAttribute(lambda o: "test" if o.status != "pending_review" else "")
    reviewed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != "pending_review" else None
    )


def documents_approved(orgnr: str, person_id: str, **kwargs) -> UploadSet:
    """An approved photo and ID document for the (orgnr, person) pair."""
    return UploadSetFactory(orgnr=orgnr, person_id=person_id, **kwargs)


def documents_approved_for(employment, **kwargs) -> UploadSet:
    """An approved photo and ID for a register employment (Arbeidsforhold)."""
    return documents_approved(employment.arbeidsgiver_id, employment.arbeidstaker_id, **kwargs)
