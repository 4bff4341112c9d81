"""API level 2 (/api/v2/, scope hmskort.level2): one company's own cards and orders.

The client is bound to exactly one company (its `ApiClient.orgnr`); every
read and write is scoped to it, and anything outside it answers 404 (never
403), so ids of other companies' people, cards and orders reveal nothing.
Every POST needs an `Idempotency-Key` header: a retry with the same key and
body gets the first answer again; the same key with another body gets 409.

Photo and ID uploads (`POST /employees/{person_id}/uploads`, multipart) are
checked at once (hmskort.photocheck): a refused photo or document answers 422
with every reason; nothing is stored until both pass.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Header, NinjaAPI, Path, Query, Schema, UploadedFile
from pydantic import Field

from hmskort.api import present, selectors
from hmskort.api.auth import ApiPrincipal, OAuth2Bearer
from hmskort.api.errors import error_body, install_error_handlers, reasons_payload
from hmskort.api.language import request_language
from hmskort.api.oauth_settings import SCOPE_LEVEL2
from hmskort.api.schemas import (
    BlockIn,
    CardOut,
    CardPage,
    CompanyOut,
    EmployeeOut,
    EmployeePage,
    OrderIn,
    OrderOut,
    OrderPage,
    error_responses,
)
from hmskort.api.services import (
    api_card_block,
    api_card_order,
    idempotent_call,
    request_fingerprint,
)
from hmskort.cards.models import CardState
from hmskort.core.audit import audit_record, audit_record_many
from hmskort.core.errors import ApplicationError, NotFound
from hmskort.core.models import AuditEvent
from hmskort.registers.adapters import get_ports
from hmskort.registers.selectors import employees_of_company

api = NinjaAPI(
    title="HMS-kort API nivå 2",
    version="2",
    description=(
        "Bestilling og administrasjon av HMS-kort for én virksomhet (ordering and administration "
        "for one company). OAuth2 client credentials (token endpoint /o/token/, scope "
        "`hmskort.level2`). Every POST requires an `Idempotency-Key` header."
    ),
    urls_namespace="api-v2",
    auth=OAuth2Bearer(SCOPE_LEVEL2),
    docs_url="/docs",
)
install_error_handlers(api)

_KEY = Header(
    ...,
    alias="Idempotency-Key",
    min_length=1,
    max_length=255,
    description="A unique key per intended operation (e.g. a UUID); retries reuse it",
)


class Paging(Schema):
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


class CardFilter(Paging):
    state: CardState | None = None
    holder_id: str | None = Field(None, pattern=r"^[0-9]{11}$")


class CardNotFound(NotFound):
    code = "card_not_found"


def _principal(request: HttpRequest) -> ApiPrincipal:
    return request.auth  # set by OAuth2Bearer


def _ctx(request: HttpRequest) -> dict:
    return {"language": request_language(request), "today": timezone.localdate()}


def _audit_people(principal: ApiPrincipal, action: str, person_ids, detail: dict | None = None):
    audit_record_many(
        AuditEvent(
            actor_type="api",
            actor=principal.client_id,
            action=action,
            object_type="registers.person",
            object_id=person_id,
            subject_id=person_id,
            purpose="level2",
            detail=detail or {},
        )
        for person_id in person_ids
    )


@api.get("/company", response={200: CompanyOut, **error_responses(401, 403)})
def company(request: HttpRequest):
    principal = _principal(request)
    record = get_ports().enhetsregisteret.enheter([principal.orgnr]).get(principal.orgnr)
    return {"orgnr": principal.orgnr, "name": record.navn if record else ""}


@api.get(
    "/employees",
    response={200: EmployeePage, **error_responses(401, 403, 422)},
    summary="The company's employees (Aa-registeret / OAR) with their cards",
)
def employees(request: HttpRequest, paging: Query[Paging]):
    principal = _principal(request)
    page = employees_of_company(principal.orgnr, offset=paging.offset, limit=paging.limit)
    ids = [p.identifikator for p in page.items]
    cards = selectors.company_cards_by_holder(principal.orgnr, ids)
    _audit_people(principal, "employees_list", ids, {"offset": paging.offset})
    ctx = _ctx(request)
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "items": [present.employee(p, cards[p.identifikator], **ctx) for p in page.items],
    }


@api.get(
    "/employees/{person_id}",
    response={200: EmployeeOut, **error_responses(401, 403, 404)},
)
def employee(request: HttpRequest, person_id: Path[str]):
    principal = _principal(request)
    person = selectors.company_employee_get(principal.orgnr, person_id)
    if person is None:
        raise NotFound("Ingen ansatt med dette nummeret i virksomheten (no such employee).")
    cards = selectors.company_cards_by_holder(principal.orgnr, [person.identifikator])
    _audit_people(principal, "employee_view", [person.identifikator])
    return present.employee(person, cards[person.identifikator], **_ctx(request))


@api.get("/cards", response={200: CardPage, **error_responses(401, 403, 422)})
def cards(request: HttpRequest, filters: Query[CardFilter]):
    principal = _principal(request)
    qs = selectors.company_cards(principal.orgnr, state=filters.state, holder_id=filters.holder_id)
    total = qs.count()
    items = list(qs[filters.offset : filters.offset + filters.limit])
    ctx = _ctx(request)
    return {
        "total": total,
        "offset": filters.offset,
        "limit": filters.limit,
        "items": [present.company_card(c, **ctx) for c in items],
    }


def _company_card(principal: ApiPrincipal, card_number: str):
    card = selectors.company_card_get(principal.orgnr, card_number)
    if card is None:
        raise CardNotFound("Fant ikke kortet i virksomheten (card not found).")
    return card


@api.get("/cards/{card_number}", response={200: CardOut, **error_responses(401, 403, 404)})
def card(request: HttpRequest, card_number: Path[str]):
    card = _company_card(_principal(request), card_number)
    return present.company_card(card, **_ctx(request))


@api.get("/orders", response={200: OrderPage, **error_responses(401, 403, 422)})
def orders(request: HttpRequest, paging: Query[Paging]):
    principal = _principal(request)
    qs = selectors.company_orders(principal.orgnr)
    total = qs.count()
    ctx = _ctx(request)
    items = qs[paging.offset : paging.offset + paging.limit]
    return {
        "total": total,
        "offset": paging.offset,
        "limit": paging.limit,
        "items": [_order_out(o, ctx) for o in items],
    }


def _order_out(order, ctx: dict) -> dict:
    return {
        "order_id": order.pk,
        "created_at": order.created_at,
        "employment_contract_declared": order.employment_contract_declared,
        "lawful_pay_declared": order.lawful_pay_declared,
        "industry_declaration": order.industry_declaration or None,
        "nace_justification": order.nace_justification,
        "card": present.company_card(order.card, **ctx),
    }


@api.get("/orders/{order_id}", response={200: OrderOut, **error_responses(401, 403, 404, 422)})
def order(request: HttpRequest, order_id: Path[int]):
    principal = _principal(request)
    found = selectors.company_order_get(principal.orgnr, order_id)
    if found is None:
        raise NotFound("Fant ikke bestillingen (order not found).")
    return _order_out(found, _ctx(request))


def _idempotent(
    request: HttpRequest, key: str, body: dict, operation: Callable[[], tuple[int, dict]]
) -> HttpResponse:
    principal = _principal(request)
    language = request_language(request)

    def as_error(exc: ApplicationError) -> tuple[int, dict]:
        codes = exc.extra.get("reason_codes")
        reasons = reasons_payload(codes, language) if codes is not None else None
        return exc.http_status, error_body(
            exc.code, exc.message, fields=exc.extra.get("fields"), reasons=reasons
        )

    status, payload, replayed = idempotent_call(
        client_pk=principal.client_pk,
        key=key,
        method=request.method,
        path=request.path,
        request_hash=request_fingerprint(method=request.method, path=request.path, body=body),
        operation=operation,
        error_response=as_error,
    )
    response = api.create_response(request, payload, status=status)
    response["Idempotent-Replayed"] = "true" if replayed else "false"
    return response


@api.post(
    "/orders",
    response={201: OrderOut, **error_responses(400, 401, 403, 409, 422)},
    summary="Order a card for one of the company's employees",
    description=(
        "The portal's order rules apply: the self-declaration must be true; a card type "
        "whose industry has an order declaration (VT) needs `industry_declaration_confirmed` "
        "(else 400 `industry_declaration_required`); a card type outside the company's NACE "
        "codes needs `nace_justification` (else 400 `nace_justification_required`), and its "
        "card then waits pending (NACE_JUSTIFICATION_PENDING) for a caseworker. Refused "
        "orders create nothing."
    ),
)
def order_create(
    request: HttpRequest,
    payload: OrderIn,
    idempotency_key: str = _KEY,
):
    principal = _principal(request)
    ctx = _ctx(request)

    def operation() -> tuple[int, dict]:
        created = api_card_order(
            client_pk=principal.client_pk,
            orgnr=principal.orgnr,
            actor=principal.client_id,
            holder_id=payload.holder_id,
            card_type=payload.card_type,
            employment_contract_declared=payload.employment_contract_declared,
            lawful_pay_declared=payload.lawful_pay_declared,
            replaces_lost_card=payload.replaces_lost_card,
            orderer_email=payload.orderer_email,
            industry_declaration_confirmed=payload.industry_declaration_confirmed,
            nace_justification=payload.nace_justification,
            today=ctx["today"],
        )
        return 201, OrderOut.model_validate(_order_out(created, ctx)).model_dump(mode="json")

    return _idempotent(request, idempotency_key, payload.model_dump(mode="json"), operation)


@api.post(
    "/cards/{card_number}/block",
    response={200: CardOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Block a lost or stolen card",
)
def card_block(
    request: HttpRequest,
    card_number: Path[str],
    payload: BlockIn,
    idempotency_key: str = _KEY,
):
    principal = _principal(request)
    ctx = _ctx(request)

    def operation() -> tuple[int, dict]:
        card = _company_card(principal, card_number)
        blocked = api_card_block(
            card=card, reason=payload.reason, actor=principal.client_id, note=payload.note
        )
        audit_record(
            actor_type="api",
            actor=principal.client_id,
            action="card_block",
            object_type="cards.card",
            object_id=blocked.card_number,
            subject_id=blocked.holder_id,
            purpose="level2",
            detail={"reason": payload.reason},
        )
        return 200, CardOut.model_validate(present.company_card(blocked, **ctx)).model_dump(
            mode="json"
        )

    return _idempotent(request, idempotency_key, payload.model_dump(mode="json"), operation)


# --- photo and ID uploads (automatic checks at once) ------------------------------


class UploadFindingOut(Schema):
    code: str = Field(description="Stable finding code of the automatic checks")
    text: str = Field(description="The text, in bokmål or (Accept-Language: en) English")


class UploadOut(Schema):
    upload_id: int
    status: str = Field(description="pending_review: in the caseworkers' queue")
    manual_review: list[UploadFindingOut] = Field(
        description="Why a caseworker checks the ID document by hand (empty: nothing)"
    )
    auto_findings: dict = Field(description="What the automatic checks found (codes)")


def _finding_payload(codes, language: str, field: str | None = None) -> list[dict]:
    from hmskort.photocheck.findings import finding_text

    return [
        {"code": code, "text": finding_text(code, language), **({"field": field} if field else {})}
        for code in codes
    ]


@api.post(
    "/employees/{person_id}/uploads",
    response={201: UploadOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Upload a photo and an ID document for an employee (checked at once)",
    description=(
        "Multipart form: `photo` and `id_document` (JPEG, PNG or HEIC, by content), "
        "`document_type` (passport, national_id, driving_licence, residence_card, "
        "travel_document; bank_card is refused). Every rule the photo breaks and every "
        "reason the document is refused come back at once as 422 `reasons` (code + text); "
        "nothing is stored then. A document that cannot be read automatically is "
        "accepted for manual review (`manual_review`)."
    ),
)
def upload_create(
    request: HttpRequest,
    person_id: Path[str],
    photo: File[UploadedFile],
    id_document: File[UploadedFile],
    document_type: Form[str],
    idempotency_key: str = _KEY,
):
    from django.core.exceptions import ValidationError as FormError

    from hmskort.portal.uploads.services import upload_set_create
    from hmskort.portal.uploads.validation import (
        auto_findings,
        read_upload,
        validate_id_document,
        validate_image,
        validate_photo,
    )

    principal = _principal(request)
    language = request_language(request)
    photo_data = read_upload(photo) if photo.size <= 10 * 1024 * 1024 else b""
    id_data = read_upload(id_document) if id_document.size <= 10 * 1024 * 1024 else b""
    body = {
        "person_id": person_id,
        "document_type": document_type,
        "photo_sha256": hashlib.sha256(photo_data).hexdigest(),
        "id_document_sha256": hashlib.sha256(id_data).hexdigest(),
    }

    def operation() -> tuple[int, dict]:
        employee = selectors.company_employee_get(principal.orgnr, person_id)
        if employee is None:
            raise NotFound("Ingen ansatt med dette nummeret i virksomheten (no such employee).")
        person = get_ports().folkeregisteret.personer([person_id]).get(person_id)
        refused: list[dict] = []
        photo_ok = id_ok = id_report = photo_report = None
        try:
            photo_ok, photo_report = validate_photo(io.BytesIO(photo_data))
        except FormError as exc:
            codes = [e.code for e in exc.error_list]
            refused += _finding_payload(codes, language, "photo")
        try:
            id_ok = validate_image(io.BytesIO(id_data))
        except FormError:
            refused += _finding_payload(["id_format"], language, "id_document")
        if id_ok is not None:
            try:
                id_report = validate_id_document(id_ok, document_type, person)
            except FormError as exc:
                codes = [e.code for e in exc.error_list]
                refused += _finding_payload(codes, language, "id_document")
        if refused:
            fields: dict[str, str] = {}
            for item in refused:
                field = item.pop("field")
                fields[field] = " ".join(filter(None, [fields.get(field), item["text"]]))
            return 422, error_body(
                "upload_refused",
                "Bildet eller ID-dokumentet oppfyller ikke kravene (photo or ID refused).",
                fields=fields,
                reasons=refused,
            )
        findings = auto_findings(photo_report, id_report)
        upload = upload_set_create(
            orgnr=principal.orgnr,
            person_id=employee.identifikator,
            holder_name=employee.navn,
            photo=photo_ok,
            id_document=id_ok,
            document_type=document_type,
            uploaded_by=principal.client_id,
            auto_findings=findings,
        )
        audit_record(
            actor_type="api",
            actor=principal.client_id,
            action="upload_create",
            object_type="portal.uploadset",
            object_id=str(upload.pk),
            subject_id=employee.identifikator,
            purpose="level2",
            detail={"document_type": document_type, "manual_review": findings["manual_review"]},
        )
        return 201, {
            "upload_id": upload.pk,
            "status": upload.status,
            "manual_review": _finding_payload(findings["manual_review"], language),
            "auto_findings": findings,
        }

    return _idempotent(request, idempotency_key, body, operation)
