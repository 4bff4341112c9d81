"""Everything the API app writes: client approval, tokens, orders over level 2,
blocking, and idempotency records. Keyword-only; each service owns its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, set_token_value

from hmskort.api.models import (
    ApiCardOrder,
    ApiClient,
    ApiClientApplication,
    ApiLevel,
    ApplicationStatus,
    IdempotencyRecord,
)
from hmskort.api.oauth_settings import ACCESS_TOKEN_EXPIRE_SECONDS
from hmskort.cards.models import ActorType, BlockReason, Card
from hmskort.cards.selectors import order_facts_for_pairs
from hmskort.cards.services.lifecycle import card_block, card_order
from hmskort.core.audit import audit_record
from hmskort.core.errors import ApplicationError, Conflict
from hmskort.eligibility.facts import Facts
from hmskort.eligibility.industries import get_industry
from hmskort.eligibility.reasons import ReasonCode
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Outcome, Purpose
from hmskort.intelligence import justification as nace_justification_services


class ApplicationAlreadyDecided(Conflict):
    code = "application_already_decided"


@dataclass(frozen=True)
class IssuedCredentials:
    """Shown to the caseworker once; the secret is stored only as a hash."""

    client: ApiClient
    client_id: str
    client_secret: str


def api_client_create(
    *,
    level: str,
    organisation_name: str,
    orgnr: str = "",
    approved_by: str,
    at: dt.datetime | None = None,
) -> IssuedCredentials:
    """An OAuth application (client credentials, confidential) with its ApiClient."""
    level = ApiLevel(level)
    if level == ApiLevel.LEVEL2 and not orgnr:
        raise ApplicationError(
            "En nivå 2-klient må knyttes til én virksomhet (a level-2 client needs an orgnr).",
            code="orgnr_required",
        )
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application(
            name=f"{organisation_name} ({orgnr or level})"[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        application.full_clean(exclude=["user", "redirect_uris", "post_logout_redirect_uris"])
        application.save()
        client = ApiClient(
            application=application,
            level=level,
            orgnr=orgnr if level == ApiLevel.LEVEL2 else "",
            organisation_name=organisation_name,
            approved_by=approved_by,
            approved_at=at or timezone.now(),
        )
        client.full_clean(exclude=["application"])
        client.save()
    return IssuedCredentials(client=client, client_id=application.client_id, client_secret=secret)


def api_client_application_approve(
    *, application: ApiClientApplication, decided_by: str, note: str = ""
) -> IssuedCredentials:
    """Approve a pending application: creates the OAuth client and returns its
    credentials (the secret cannot be shown again)."""
    with transaction.atomic():
        locked = ApiClientApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.PENDING:
            raise ApplicationAlreadyDecided(
                "Søknaden er allerede behandlet (the application has already been decided)."
            )
        now = timezone.now()
        issued = api_client_create(
            level=locked.level,
            organisation_name=locked.organisation_name,
            orgnr=locked.orgnr,
            approved_by=decided_by,
            at=now,
        )
        locked.status = ApplicationStatus.APPROVED
        locked.decided_by = decided_by
        locked.decided_at = now
        locked.decision_note = note
        locked.client = issued.client
        locked.save()
        audit_record(
            actor_type=ActorType.STAFF,
            actor=decided_by,
            action="api_client_approve",
            object_type="api.apiclientapplication",
            object_id=str(locked.pk),
            detail={"client_id": issued.client_id, "level": locked.level, "orgnr": locked.orgnr},
        )
    application.refresh_from_db()
    return issued


def api_client_application_reject(
    *, application: ApiClientApplication, decided_by: str, note: str = ""
) -> ApiClientApplication:
    with transaction.atomic():
        locked = ApiClientApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.PENDING:
            raise ApplicationAlreadyDecided(
                "Søknaden er allerede behandlet (the application has already been decided)."
            )
        locked.status = ApplicationStatus.REJECTED
        locked.decided_by = decided_by
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save()
        audit_record(
            actor_type=ActorType.STAFF,
            actor=decided_by,
            action="api_client_reject",
            object_type="api.apiclientapplication",
            object_id=str(locked.pk),
        )
    return locked


def api_token_issue(
    *, client: ApiClient, expires_in: int = ACCESS_TOKEN_EXPIRE_SECONDS, scope: str | None = None
) -> str:
    """An access token for the client's own scope, as /o/token/ would issue it
    (for tests, benchmarks and operations; clients use the token endpoint)."""
    raw = secrets.token_urlsafe(32)
    token = AccessToken(
        application=client.application,
        expires=timezone.now() + dt.timedelta(seconds=expires_in),
        scope=scope if scope is not None else client.scope,
    )
    set_token_value(token, raw)
    token.save()
    return raw


# --- level 2 ------------------------------------------------------------------


def api_card_order(
    *,
    client_pk: int,
    orgnr: str,
    actor: str,
    holder_id: str,
    card_type: str,
    employment_contract_declared: bool,
    lawful_pay_declared: bool,
    replaces_lost_card: bool = False,
    orderer_email: str = "",
    industry_declaration_confirmed: bool = False,
    nace_justification: str = "",
    today: dt.date | None = None,
) -> ApiCardOrder:
    """Order a card for one of the client's own company's employments, with the
    per-card self-declaration; the core's order rules decide (CardOrderRefused /
    CardAlreadyOrdered propagate).

    The same order rules as the portal's checkout: a card type whose industry
    asks for an order declaration (VT) needs `industry_declaration_confirmed`
    (else `industry_declaration_required`), and a card type outside the
    company's NACE codes needs a written `nace_justification` (else
    `nace_justification_required`); nothing is written when either is missing.
    A justification opens a NACE_JUSTIFICATION case in the caseworker queue in
    the same transaction, before the card is ordered, so the card waits
    PENDING (NACE_JUSTIFICATION_PENDING) until a caseworker decides."""
    if not (employment_contract_declared and lawful_pay_declared):
        raise ApplicationError(
            "Egenerklæringen må bekreftes (the self-declaration must be confirmed).",
            code="declaration_required",
        )
    today = today or timezone.localdate()
    industry = get_industry(card_type)
    if industry is not None and industry.needs_order_declaration:
        if not industry_declaration_confirmed:
            raise ApplicationError(
                f"Bransjens erklæring for {industry.code} må bekreftes ved bestilling: "
                f"«{industry.order_declaration('nb')}» "
                "(the industry's order declaration must be confirmed: set "
                "industry_declaration_confirmed to true).",
                code="industry_declaration_required",
            )
        declaration = {
            "card_type": industry.code,
            "text": industry.order_declaration("nb"),
            "text_en": industry.order_declaration("en"),
            "confirmed_by": actor,
            "confirmed_at": timezone.now().isoformat(),
        }
    else:
        declaration = {}
    justification = nace_justification.strip()
    with transaction.atomic():
        facts, needs_justification = _nace_justification_needed(
            orgnr=orgnr,
            holder_id=holder_id,
            card_type=card_type,
            replaces_lost_card=replaces_lost_card,
            today=today,
        )
        if needs_justification and not justification:
            raise ApplicationError(
                "Korttypen passer ikke virksomhetens næringskoder; skriv en begrunnelse i "
                "nace_justification (the card type does not fit the company's NACE codes: "
                "a written justification is required).",
                code="nace_justification_required",
            )
        case = None
        if needs_justification:
            # Opened before the card is ordered, so the rules see a justification
            # waiting for a caseworker (PENDING), not a missing one.
            case = nace_justification_services.justification_open(
                orgnr=orgnr,
                person_id=holder_id,
                holder_name=facts.person.name if facts.person else "",
                card_type=card_type,
                justification=justification,
                order_reference="",
                nace_codes=facts.company.nace_codes if facts.company else (),
                opened_by=actor,
                object_type=nace_justification_services.API_ORDER_OBJECT_TYPE,
                object_id=f"new-{secrets.token_hex(8)}",  # re-keyed to the order below
            )
        result = card_order(
            employer_orgnr=orgnr,
            holder_id=holder_id,
            card_type=card_type,
            ordered_by=actor,
            today=today,
            actor_type=ActorType.API,
            replaces_lost_card=replaces_lost_card,
            orderer_email=orderer_email,
        )
        order = ApiCardOrder(
            client_id=client_pk,
            orgnr=orgnr,
            card=result.card,
            employment_contract_declared=True,
            lawful_pay_declared=True,
            industry_declaration=declaration,
            nace_justification=justification if needs_justification else "",
        )
        order.save()
        if case is not None:
            nace_justification_services.justification_attach_order(
                case=case,
                object_id=order.pk,
                card_id=result.card.pk,
                order_reference=order.reference,
            )
        audit_record(
            actor_type=ActorType.API,
            actor=actor,
            action="card_order",
            object_type="cards.card",
            object_id=result.card.card_number,
            subject_id=holder_id,
            purpose="order",
            detail={
                "order_id": order.pk,
                "employment_contract_declared": True,
                "lawful_pay_declared": True,
                "industry_declaration": bool(declaration),
                "nace_justification_case": case.pk if case is not None else None,
            },
        )
    return order


def _nace_justification_needed(
    *, orgnr: str, holder_id: str, card_type: str, replaces_lost_card: bool, today: dt.date
) -> tuple[Facts, bool]:
    """The order facts, and whether the order needs a written NACE justification:
    as the portal's checkout, when the order rules say NACE_JUSTIFICATION_MISSING
    (the card type does not fit the NACE codes and no justification is on file).
    An order the rules refuse anyway is left for `card_order` to refuse."""
    pair = (orgnr, holder_id)
    facts = order_facts_for_pairs([pair])[pair]
    verdict = evaluate(
        facts,
        card_type=card_type,
        today=today,
        purpose=Purpose.ORDER,
        replaces_lost_card=replaces_lost_card,
    )
    if verdict.outcome is Outcome.FAIL:
        return facts, False
    missing = any(
        f.code == ReasonCode.NACE_JUSTIFICATION_MISSING and f.outcome is Outcome.PENDING
        for f in verdict.findings
    )
    return facts, missing


def api_card_block(*, card: Card, reason: str, actor: str, note: str = "") -> Card:
    return card_block(
        card=card, reason=BlockReason(reason), actor_type=ActorType.API, actor=actor, note=note
    )


# --- idempotency ----------------------------------------------------------------


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"


def request_fingerprint(*, method: str, path: str, body: dict) -> str:
    canonical = json.dumps(
        {"method": method, "path": path, "body": body}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def idempotent_call(
    *,
    client_pk: int,
    key: str,
    method: str,
    path: str,
    request_hash: str,
    operation: Callable[[], tuple[int, dict]],
    error_response: Callable[[ApplicationError], tuple[int, dict]],
) -> tuple[int, dict, bool]:
    """Run `operation` once per (client, key): returns (status, body, replayed).

    The record and the operation's writes commit in one transaction, so a crash
    leaves neither. A concurrent request with the same key waits on the unique
    index (PostgreSQL) and then gets the stored answer. Domain refusals
    (ApplicationError) are stored and replayed like successes; anything
    unexpected rolls everything back so the client can retry.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client_id=client_pk,
                    key=key,
                    method=method,
                    path=path[:255],
                    request_hash=request_hash,
                    response_status=0,
                    response_body={},
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(client_id=client_pk, key=key)
            if existing.request_hash != request_hash:
                raise IdempotencyConflict(
                    "Idempotency-Key er brukt før med en annen forespørsel "
                    "(this Idempotency-Key was used with a different request).",
                ) from None
            return existing.response_status, existing.response_body, True
        try:
            with transaction.atomic():
                status, body = operation()
        except ApplicationError as exc:
            status, body = error_response(exc)
        record.response_status = status
        record.response_body = body
        record.save(update_fields=["response_status", "response_body"])
    return status, body, False
