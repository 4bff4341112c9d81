"""`POST /api/v1/gate/events`: a gate reader's check-in/check-out (mounted in api/v1.py).

The caller is a gate reader: an API client created by the site owner and bound
to one site, with a token for the gate scope (`hmskort.gate`, the only scope a
reader can get, and good for nothing else). Any other client (a level-1 or
level-2 token) gets 404 `reader_not_found`; a deactivated reader's token, 401.
The body names the event (`event_id`, unique per reader: a retry with the same
id gets the first answer again and records nothing new), the direction, and
exactly one of what was scanned: `card_number`, `qr_token` (printed card),
`live_token` (the digital card's 30-second QR) or `chip_code`. The answer is 200
with `admitted` and a stable `reason` code, for refusals too.

Every decision is also a card check (issue 11): the card's status as the
decision read it is recorded with channel `gate`, the reader's API client and
the site's name, and the answer carries its `check_id` (the receipt's id). A
replayed event id records no new check and answers `check_id: null`; so does
a scan that named no card number to look up (a forged or expired QR code, an
unknown chip code, a malformed number).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, model_validator

from hmskort.api.auth import ApiPrincipal, OAuth2Bearer
from hmskort.api.language import request_language
from hmskort.api.oauth_settings import SCOPE_GATE
from hmskort.api.schemas import error_responses
from hmskort.core.errors import ApplicationError
from hmskort.receipts.record import check_record
from hmskort.sites.gate import Presented, ReaderNotFound, gate_decide, reader_site
from hmskort.sites.reasons import ALL_REASONS, reason_text


class GateReaderBearer(OAuth2Bearer):
    """A bearer token with the gate scope. A token without it (any client that
    is not a gate reader) gets 404 `reader_not_found`, the same answer as before
    readers had their own scope."""

    def __init__(self):
        super().__init__(SCOPE_GATE)

    def scope_missing(self, principal: ApiPrincipal) -> ApplicationError:
        return ReaderNotFound(
            "Klienten er ikke en portleser på en byggeplass (the client is not a gate reader "
            "bound to a site)."
        )


router = Router(tags=["gate"], auth=GateReaderBearer())

_IDENTIFIERS = ("card_number", "qr_token", "live_token", "chip_code")


class GateEventIn(Schema):
    event_id: str = Field(
        ...,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="The reader's own unique id of this event (e.g. a UUID); retries reuse it",
    )
    direction: Literal["in", "out"]
    card_number: str | None = Field(None, min_length=1, max_length=32)
    qr_token: str | None = Field(None, min_length=1, max_length=4096)
    live_token: str | None = Field(None, min_length=1, max_length=4096)
    chip_code: str | None = Field(None, min_length=1, max_length=80)

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [name for name in _IDENTIFIERS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "Oppgi nøyaktig ett av card_number, qr_token, live_token, chip_code "
                "(give exactly one of them)."
            )
        return self


class GateDecisionOut(Schema):
    event_id: str
    direction: Literal["in", "out"]
    decision: Literal["admit", "refuse"]
    admitted: bool
    reason: str = Field(description="Stable code: " + ", ".join(ALL_REASONS))
    message: str = Field(description="The reason for people (Accept-Language: en for English)")
    card_number: str | None = Field(description="The card, when it could be identified")
    at: dt.datetime = Field(description="When the decision was made (server time)")
    replayed: bool = Field(description="True when this is the stored answer to a retried event id")
    check_id: str | None = Field(
        description=(
            "This decision's recorded card check (channel gate): its signed receipt is "
            "/kvittering/{check_id}. Null for a replayed event id (nothing new is recorded) and "
            "when no card number could be looked up (forged or expired QR, unknown chip)"
        )
    )


@router.post(
    "/gate/events",
    response={200: GateDecisionOut, **error_responses(400, 401, 403, 404, 422)},
    summary="A gate reader's check-in or check-out: admit or refuse, with the reason",
)
def gate_event(request: HttpRequest, payload: GateEventIn):
    site = reader_site(request.auth.client_pk)
    decision = gate_decide(
        site=site,
        event_id=payload.event_id,
        direction=payload.direction,
        presented=Presented(
            card_number=payload.card_number,
            qr_token=payload.qr_token,
            live_token=payload.live_token,
            chip_code=payload.chip_code,
        ),
    )
    check_id = None
    if decision.checked_number and not decision.replayed:
        check_id = (
            check_record(
                channel="gate",
                card_number=decision.checked_number,
                card=decision.card,
                api_client=request.auth,
                site_name=site.site_name,
            )
            or None  # "": recording is off
        )
    return {
        "event_id": decision.event_id,
        "direction": decision.direction,
        "decision": "admit" if decision.admitted else "refuse",
        "admitted": decision.admitted,
        "reason": decision.reason,
        "message": reason_text(decision.reason, request_language(request)),
        "card_number": decision.card_number or None,
        "at": decision.at,
        "replayed": decision.replayed,
        "check_id": check_id,
    }
