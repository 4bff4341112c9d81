"""The Peppol access point as a port.

An access point takes a UBL document, the sender's and receiver's Peppol
participant ids (`0192:<orgnr>` for Norwegian organisations) and the document
type, and answers with its message id (or raises `AccessPointError`). The
configured implementation is named by HMSKORT_PEPPOL_ACCESS_POINT (a dotted
path); connecting a real access point (a provider's REST API, or AS4) is a new
class and that setting, nothing else.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from django.utils.module_loading import import_string

from hmskort.billing import conf

INVOICE_DOCUMENT_TYPE = (
    "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
    "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)
CREDIT_NOTE_DOCUMENT_TYPE = (
    "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote"
    "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)


class AccessPointError(Exception):
    """The access point did not take the document (retry later)."""


class AccessPoint(Protocol):
    def send(self, *, document: bytes, sender: str, receiver: str, document_type: str) -> str:
        """Hand the document over; return the access point's message id."""
        ...


class SimulatedAccessPoint:
    """Records what it receives in `SimulatedPeppolMessage` (no network)."""

    def send(self, *, document: bytes, sender: str, receiver: str, document_type: str) -> str:
        from hmskort.billing.models import SimulatedPeppolMessage

        message_id = str(uuid.uuid4())
        SimulatedPeppolMessage.objects.create(
            message_id=message_id,
            sender=sender,
            receiver=receiver,
            document_type=document_type,
            document=document.decode("utf-8"),
        )
        return message_id


def participant_id(orgnr: str) -> str:
    return f"0192:{orgnr}"


def get_access_point() -> AccessPoint:
    return import_string(conf.access_point_path())()
