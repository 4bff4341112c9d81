"""Test helpers: a worker with cards from several employers, and approved photos."""

from __future__ import annotations

from dataclasses import dataclass

from hmskort.cards.models import Card
from hmskort.cards.tests.factories import card_for_employment
from hmskort.identity.tests.factories import portal_user
from hmskort.portal.models import DocumentType, UploadSet, UploadStatus
from hmskort.portal.uploads import storage
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
)

PHOTO_BYTES = b"\x89PNG\r\n\x1a\n-wallet-test-photo"


@dataclass
class Worker:
    person: rm.Person
    cards: list[Card]
    user: object

    @property
    def pid(self) -> str:
        return self.person.identifikator


def upload_for(card: Card, *, status=UploadStatus.APPROVED, data: bytes = PHOTO_BYTES):
    photo = storage.store(data, orgnr=card.employer_orgnr, extension="png")
    id_doc = storage.store(b"%PDF-id", orgnr=card.employer_orgnr, extension="pdf")
    return UploadSet.objects.create(
        orgnr=card.employer_orgnr,
        person_id=card.holder_id,
        holder_name=card.holder_name,
        photo_path=photo,
        photo_content_type="image/png",
        id_document_path=id_doc,
        id_document_content_type="application/pdf",
        document_type=DocumentType.PASSPORT,
        status=status,
    )


def make_worker(first: str, last: str, employers: tuple[str, ...]) -> Worker:
    person = PersonFactory(fornavn=first, etternavn=last)
    cards = []
    for name in employers:
        employment = ArbeidsforholdFactory(
            arbeidsgiver=EnhetFactory(navn=name), arbeidstaker=person
        )
        cards.append(card_for_employment(employment, active=True))
    return Worker(person, cards, portal_user(person.identifikator, name=person.fulltnavn))
