"""API level 1 (/api/v1/, scope hmskort.level1): card status look-ups.

`GET /cards/{card_number}` is the hot path: the check digit is validated
before any query, the token is cached per worker (see `auth`), and the answer
comes from one indexed query. It carries no personal data. `POST /qr` (a
scanned QR token) adds the holder's name and birth date and is audit-logged.

`POST /gate/events` (hmskort.sites.api) is the exception: it takes only a gate
reader's token (scope hmskort.gate), and a gate reader's token is refused
everywhere else with 403 `insufficient_scope`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Path

from hmskort.api import present
from hmskort.api.auth import OAuth2Bearer
from hmskort.api.errors import install_error_handlers
from hmskort.api.language import request_language
from hmskort.api.oauth_settings import SCOPE_LEVEL1
from hmskort.api.schemas import (
    CheckedCardStatusOut,
    PingOut,
    QrCardOut,
    QrIn,
    error_responses,
)
from hmskort.api.selectors import card_holder, card_status_row
from hmskort.cards.numbers import is_valid_card_number, normalize_card_number
from hmskort.cards.qr import card_from_qr_token
from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError, NotFound
from hmskort.core.signing import TokenExpired, TokenInvalid
from hmskort.events.api import router as events_feed_router
from hmskort.receipts.api import router as receipts_router
from hmskort.receipts.record import check_record
from hmskort.sites.api import router as sites_gate_router

api = NinjaAPI(
    title="HMS-kort API nivå 1",
    version="1",
    description=(
        "Statusoppslag på HMS-kort (card status look-ups). OAuth2 client credentials "
        "(token endpoint /o/token/, scope `hmskort.level1`); send `Authorization: Bearer <token>`. "
        "`POST /gate/events` is for gate readers only (scope `hmskort.gate`, nothing else). "
        'Errors are JSON: `{"error": {"code", "message", "fields", "reasons"}}`.'
    ),
    urls_namespace="api-v1",
    auth=OAuth2Bearer(SCOPE_LEVEL1),
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", receipts_router)
# Construction sites (issue 7): gate readers and the card event feed.
api.add_router("/", sites_gate_router)
api.add_router("/", events_feed_router)


class InvalidCardNumber(ApplicationError):
    code = "invalid_card_number"
    http_status = 422


class CardNotFound(NotFound):
    code = "card_not_found"


class QrTokenRejected(ApplicationError):
    http_status = 422


def _card_number_checked(raw: str) -> str:
    number = normalize_card_number(raw)
    if not is_valid_card_number(number):
        raise InvalidCardNumber(
            "Ugyldig kortnummer: ti sifre med gyldig kontrollsiffer (invalid card number: ten "
            "digits with a valid check digit).",
            extra={"fields": {"card_number": "Ugyldig kortnummer (invalid card number)."}},
        )
    return number


@api.get(
    "/ping",
    response={200: PingOut, **error_responses(401, 403)},
    summary="Trivial authenticated endpoint (health and benchmark baseline)",
)
def ping(request: HttpRequest):
    return {"ok": True}


@api.get(
    "/cards/{card_number}",
    response={200: CheckedCardStatusOut, **error_responses(401, 403, 404, 422, 429)},
    summary="Status of a card by its number (no personal data)",
)
def card_status(
    request: HttpRequest,
    card_number: str = Path(..., max_length=32, description="Ten digits; spaces allowed"),  # noqa: B008
):
    number = _card_number_checked(card_number)
    row = card_status_row(number)
    check_id = check_record(channel="api", card_number=number, card=row, api_client=request.auth)
    if row is None:
        raise CardNotFound("Fant ikke kortet (card not found).")
    answer = present.card_status(
        row, language=request_language(request), today=timezone.localdate()
    )
    answer["check_id"] = check_id
    return answer


@api.post(
    "/qr",
    response={200: QrCardOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Status and holder of a card from a scanned QR token",
)
def qr_lookup(request: HttpRequest, payload: QrIn):
    try:
        number, claims = card_from_qr_token(payload.token)
    except TokenExpired as exc:
        raise QrTokenRejected(
            "QR-koden er utløpt (the QR code has expired).", code="qr_token_expired"
        ) from exc
    except TokenInvalid as exc:
        raise QrTokenRejected(
            "QR-koden er ugyldig eller forfalsket (the QR code is invalid or forged).",
            code="qr_token_invalid",
        ) from exc
    found = card_holder(number)
    if found is None:
        raise CardNotFound("Fant ikke kortet (card not found).")
    row, holder_id, holder = found
    principal = request.auth
    audit_record(
        actor_type="api",
        actor=principal.client_id,
        action="qr_lookup",
        object_type="cards.card",
        object_id=row.card_number,
        subject_id=holder_id,
        purpose="qr",
        detail={"temporary": bool(claims.get("tmp"))},
    )
    answer = present.card_status(
        row, language=request_language(request), today=timezone.localdate()
    )
    answer["holder"] = {"name": holder.name, "birth_date": holder.birth_date}
    answer["check_id"] = check_record(
        channel="api_qr",
        card_number=row.card_number,
        card=row,
        holder_name=holder.name,
        api_client=principal,
    )
    return answer


# Chip codes (Mifare "bransjekoding"): POST /qr will also take {"chip": ...} once the
# chip payload is signed; until then only QR tokens are accepted.
