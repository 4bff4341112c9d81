"""One place that turns every failure into the API's JSON error shape:

    {"error": {"code": "...", "message": "...", "fields": {...}, "reasons": [...]}}

`code` is stable (clients branch on it), `message` is for people (bokmål with
English in brackets, as the domain errors are written), `fields` names each
invalid input (validation errors only), `reasons` carries reason codes and
texts (refused orders). A stack trace is never sent, whatever DEBUG says.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from hmskort.api.language import request_language
from hmskort.core.errors import ApplicationError
from hmskort.eligibility.reasons import public_text

logger = logging.getLogger(__name__)

#: Where a field-level error came from; dropped from the field name ("body.holder_id" -> "holder_id").
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}

#: Messages for the self-declaration fields (AML § 14-6), which must be `true`.
DECLARATION_MESSAGES = {
    "employment_contract_declared": (
        "Arbeidsgiveren må erklære at arbeidstakeren har skriftlig arbeidsavtale "
        "(arbeidsmiljøloven § 14-6) (must be true: the employer declares a written "
        "employment contract)."
    ),
    "lawful_pay_declared": (
        "Arbeidsgiveren må erklære at arbeidstakeren får lovlig lønn "
        "(must be true: the employer declares lawful pay)."
    ),
}


def error_body(
    code: str,
    message: str,
    *,
    fields: dict[str, str] | None = None,
    reasons: list[dict] | None = None,
    retry_after: int | None = None,
) -> dict:
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    if reasons is not None:
        error["reasons"] = reasons
    if retry_after is not None:
        error["retry_after"] = retry_after
    return {"error": error}


def retry_after_of(exc: Exception) -> int | None:
    """Seconds a refused client should wait (a 429), or None: a `Throttled` error's
    `retry_after`, ninja's `Throttled.wait`. Answered both as the `Retry-After`
    header (RFC 9110 §10.2.3) and as `error.retry_after` in the body."""
    value = getattr(exc, "retry_after", None)
    if value is None:
        value = getattr(exc, "wait", None)
    if value is None:
        return None
    return max(int(-(-float(value) // 1)), 1)  # whole seconds, rounded up, at least 1


def reasons_payload(codes, language: str) -> list[dict]:
    return [{"code": str(c), "text": public_text(str(c), language)} for c in codes]


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    # ninja nests a body schema under the view argument's name ("payload").
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _field_message(name: str, err: dict) -> str:
    leaf = name.rsplit(".", 1)[-1]
    if leaf in DECLARATION_MESSAGES:
        return DECLARATION_MESSAGES[leaf]
    if err.get("type") == "extra_forbidden":
        return "Ukjent felt (unknown field)."
    if err.get("type") == "missing":
        return "Feltet mangler (field required)."
    return str(err.get("msg", "Ugyldig verdi (invalid value)."))


def validation_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        name = _field_name(err.get("loc", ()))
        fields.setdefault(name, _field_message(name, err))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        retry_after = body["error"].get("retry_after")
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        elif status == 403 and body["error"]["code"] == "insufficient_scope":
            response["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
        return response

    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        reason_codes = exc.extra.get("reason_codes")
        reasons = (
            reasons_payload(reason_codes, request_language(request))
            if reason_codes is not None
            else None
        )
        fields = exc.extra.get("fields")
        return respond(
            request,
            exc.http_status,
            error_body(
                exc.code,
                exc.message,
                fields=fields,
                reasons=reasons,
                retry_after=retry_after_of(exc) if exc.http_status == 429 else None,
            ),
        )

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = validation_fields(exc.errors)
        names = ", ".join(fields)
        return respond(
            request,
            422,
            error_body(
                "validation_error",
                f"Ugyldige felt (invalid fields): {names}",
                fields=fields,
            ),
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            body = error_body(
                "not_authenticated",
                "Mangler gyldig tilgangsnøkkel (a valid bearer token is required).",
            )
        elif isinstance(exc, AuthorizationError):
            body = error_body("permission_denied", "Ingen tilgang (forbidden).")
        elif exc.status_code == 400:
            body = error_body(
                "malformed_request",
                "Forespørselen kunne ikke leses som JSON (the request body is not valid JSON).",
            )
        elif exc.status_code == 429:
            body = error_body(
                "throttled",
                "For mange forespørsler (too many requests).",
                retry_after=retry_after_of(exc),
            )
        else:
            body = error_body("http_error", str(exc))
        return respond(request, exc.status_code, body)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", "Finnes ikke (not found)."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return respond(
            request,
            500,
            error_body(
                "internal_error",
                "Det oppstod en intern feil; prøv igjen senere (internal error; try again later).",
            ),
        )

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(ApplicationError, on_application_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
