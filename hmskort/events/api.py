"""`GET /api/v1/events`: the pollable feed of card state changes (mounted in api/v1.py).

Clients page with `after=<seq>` (the `seq` of the last event they processed;
start at 0) and get the events with a higher `seq`, oldest first. `seq` is
given at dispatch, in commit order, so paging never skips an event. Scoping:
see `selectors.feed_orgnrs` (a client sees only events of cards it may see).
Accepts level-1 and level-2 tokens; a gate reader's token (scope hmskort.gate
only) is refused with 403 `insufficient_scope`.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import HttpBearer
from ninja.security.base import SecuritySchema
from pydantic import Field

from hmskort.api.auth import ApiPrincipal, InsufficientScope, principal_for_token
from hmskort.api.oauth_settings import OAUTH2_PROVIDER, SCOPE_LEVEL1, SCOPE_LEVEL2
from hmskort.api.schemas import error_responses
from hmskort.events.selectors import feed_orgnrs, feed_page

FEED_SCOPES = (SCOPE_LEVEL1, SCOPE_LEVEL2)


class AnyLevelBearer(HttpBearer):
    """A bearer token with any of `scopes`."""

    def __init__(self, scopes: tuple[str, ...]):
        super().__init__()
        self.scopes = scopes
        self.openapi_security_schema = SecuritySchema(
            type="oauth2",
            flows={
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {s: OAUTH2_PROVIDER["SCOPES"][s] for s in scopes},
                }
            },
        )

    def authenticate(self, request: HttpRequest, token: str) -> ApiPrincipal:
        principal = principal_for_token(token)
        if not principal.scopes & set(self.scopes):
            raise InsufficientScope(
                "Tilgangsnøkkelen mangler omfang for hendelser (the token lacks a scope "
                "for events).",
                extra={"required_scope": " or ".join(self.scopes)},
            )
        return principal


router = Router(tags=["events"], auth=AnyLevelBearer(FEED_SCOPES))


class FeedQuery(Schema):
    after: int = Field(
        0, ge=0, le=2**62, description="Return events after this seq (0: from the start)"
    )
    limit: int = Field(100, ge=1, le=1000)


class CardEventOut(Schema):
    id: str = Field(description="Event id (UUID); the same id as the webhook's X-HMSKort-Event-Id")
    seq: int = Field(description="Feed position; pass the last one you processed as `after`")
    type: str
    card_number: str
    card_type: str
    employer_orgnr: str
    from_state: str
    to_state: str
    status: str = Field(description="Public status after the change (valid, invalid, blocked ...)")
    valid: bool
    reason_codes: list[str]
    at: str = Field(description="When the change happened (ISO 8601)")


class CardEventPage(Schema):
    items: list[CardEventOut]
    next_after: int = Field(description="Pass as `after` for the next page")
    has_more: bool


@router.get(
    "/events",
    response={200: CardEventPage, **error_responses(401, 403, 422)},
    summary="Card state changes for the cards this client may see (poll with after=)",
)
def events_feed(request: HttpRequest, params: Query[FeedQuery]):
    rows, more = feed_page(orgnrs=feed_orgnrs(request.auth), after=params.after, limit=params.limit)
    items = [row.payload() for row in rows]
    return {
        "items": items,
        "next_after": items[-1]["seq"] if items else params.after,
        "has_more": more,
    }
