"""The fast lane: the hot API calls without Django's request stack.

`GET /api/v1/ping` and `GET /api/v1/cards/{card_number}` are what access-control
systems and inspectors' apps call all day; `POST /api/v1/gate/events` is what
every gate reader on every site calls at each scan. Through Django they pay for
the whole request machinery (WSGIRequest, ten middlewares, URL resolving,
signals, ninja's parameter and response models) several times over what the
work itself costs (one or two prepared, indexed statements). `FastLane` is a
small WSGI app in front of Django (config/wsgi.py) that answers exactly those
three operations and hands everything else to Django unchanged.

It is transport only. It runs the *same* ninja operations' view functions
(found in `hmskort.api.v1.api` by path, so the card-number check, the
selector `card_status_row`, `check_record` with channel "api" and the API
client, `present.card_status`, and the gate's `gate_decide` and its check
record are the very code the Django path runs), the same bearer
authentication (`OAuth2Bearer.authenticate`, scope `hmskort.level1`; for the
gate `GateReaderBearer`, scope `hmskort.gate`, whose missing scope is 404
`reader_not_found`), the gate body's own ninja parameter model (ninja's JSON
parser and the `GateEventIn` schema, so a body is accepted or refused exactly
as on the Django path), and answers with the same JSON and the same error JSON
`{"error": {"code", "message", ...}}` and statuses (400 `malformed_request`,
401 missing/unknown/expired token, 403 `insufficient_scope`, 404
`card_not_found`/`reader_not_found`, 422 `invalid_card_number`/
`validation_error`, 429 `lookup_throttled`, 500 `internal_error`), and the
headers Django's middleware adds (security headers, `Vary: Accept-Language`,
`Content-Language`). hmskort/api/tests/test_fastlane.py drives both paths and
compares them byte for byte. The API is bearer-token only: ninja marks every
operation CSRF-exempt (only cookie auth checks CSRF), so the Django path runs
no CSRF check on these either.

What it does differently, deliberately:

- A validated token is kept in a per-process dict (one per kind of
  authentication) for `TOKEN_SECONDS` (never past its expiry), on top of the
  shared token cache in `hmskort.api.auth`. The dict is emptied as soon as
  this process hears that a token, application or client changed
  (`auth_generation`, from the LISTEN thread), so a revoked token or a
  withdrawn client is refused at once, as on the Django path. Only while the
  process is not listening (SQLite; a lost LISTEN connection) does it keep
  working for up to `TOKEN_SECONDS` + `TOKEN_CACHE_SECONDS` (20 s). An expired
  token is refused at once.
- No per-request signals: it calls `close_old_connections()` itself before and
  after each request (what `request_started`/`request_finished` do for the
  database), so `CONN_MAX_AGE` and broken-connection handling work as on the
  Django path.
- `Content-Language` is the answer's language (nb or en); Django's
  LocaleMiddleware would name the language it activated (possibly pl or lt
  while the answer is in bokmål).
- The answer dicts are serialised as they are, without ninja's response-model
  validation (`CheckedCardStatusOut`, `GateDecisionOut`: about 50 µs a
  request); the tests compare them byte for byte with the Django path's
  validated answers, the gate's time stamp included.

Anything it is not sure about goes to Django: other methods or paths, a card
segment that is not short ASCII (ninja's 422 for > 32 characters), a gate
body that is not declared `application/json`, has no Content-Length, is empty
or longer than `MAX_GATE_BODY`, a Host not in ALLOWED_HOSTS (Django answers
400), a plain-HTTP request when SECURE_SSL_REDIRECT is on,
DISALLOWED_USER_AGENTS set, or operations whose auth, throttling, parameters
or answer model are no longer the ones this module knows.

Set `HMSKORT_API_FAST_LANE=0` in the environment to send everything to Django.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus

import pydantic
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host
from django.urls import get_script_prefix, reverse
from django.utils import translation
from ninja.errors import HttpError, ValidationErrorContext

from hmskort.api import statuscache
from hmskort.api.auth import OAuth2Bearer, auth_generation
from hmskort.api.errors import error_body, reasons_payload, retry_after_of, validation_fields
from hmskort.api.language import request_language
from hmskort.api.oauth_settings import SCOPE_LEVEL1, TOKEN_CACHE_SECONDS
from hmskort.core.errors import ApplicationError

# The same logger (and message) as the Django path's handler for unexpected errors.
logger = logging.getLogger("hmskort.api.errors")

#: Seconds a validated token is kept in this process's dict (never past its expiry).
TOKEN_SECONDS = TOKEN_CACHE_SECONDS
#: Longest card segment handled here; ninja's path parameter allows 32 (longer: 422 from Django).
MAX_CARD_SEGMENT = 32
#: Longest gate body handled here (a live QR token is at most 4,096 characters); longer: Django.
MAX_GATE_BODY = 16 * 1024
_MAX_CACHED = 10_000  # tokens and hosts kept per process before the dicts are cleared

_CONTENT_TYPE = "application/json; charset=utf-8"
_NOT_AUTHENTICATED = (
    "not_authenticated",
    "Mangler gyldig tilgangsnøkkel (a valid bearer token is required).",
)
_INTERNAL_ERROR = (
    "internal_error",
    "Det oppstod en intern feil; prøv igjen senere (internal error; try again later).",
)
_MALFORMED = (
    "malformed_request",
    "Forespørselen kunne ikke leses som JSON (the request body is not valid JSON).",
)

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


class _Headers:
    """`request.headers` as Django's HttpHeaders reads it (case-insensitive,
    `Accept-Language` -> HTTP_ACCEPT_LANGUAGE), straight from the environ."""

    __slots__ = ("_environ",)

    def __init__(self, environ: dict):
        self._environ = environ

    @staticmethod
    def _key(name: str) -> str:
        key = name.upper().replace("-", "_")
        return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key

    def get(self, name: str, default=None):
        return self._environ.get(self._key(name), default)

    def __getitem__(self, name: str) -> str:
        return self._environ[self._key(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._environ


class _Request:
    """What the view functions, the bearer auth and ninja's body model read from a
    request: `headers`, `META`, `method`, `path`, `body`, `auth`. Nothing else is
    offered, so a view that starts to need more fails loudly in the tests."""

    __slots__ = ("META", "auth", "body", "headers", "method", "path")

    def __init__(self, environ: dict, path: str, method: str = "GET", body: bytes = b""):
        self.META = environ
        self.headers = _Headers(environ)
        self.method = method
        self.path = path
        self.body = body
        self.auth = None


def _json(data) -> bytes:
    # As ninja's JSONRenderer: json.dumps with Django's encoder (dates as ISO 8601), default separators.
    return json.dumps(data, cls=DjangoJSONEncoder).encode("utf-8")


def _static_headers() -> list[tuple[str, str]]:
    """The headers Django's middleware (settings.MIDDLEWARE) adds to an API answer."""
    headers: list[tuple[str, str]] = []
    middleware = set(settings.MIDDLEWARE)
    if "django.middleware.clickjacking.XFrameOptionsMiddleware" in middleware:
        headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    if "django.middleware.locale.LocaleMiddleware" in middleware:
        headers.append(("Vary", "Accept-Language"))
    if "django.middleware.security.SecurityMiddleware" in middleware:
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        policy = settings.SECURE_REFERRER_POLICY
        if policy:
            values = [v.strip() for v in policy.split(",")] if isinstance(policy, str) else policy
            headers.append(("Referrer-Policy", ",".join(values)))
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(
                ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
            )
    return headers


def _hsts_header() -> str:
    if "django.middleware.security.SecurityMiddleware" not in settings.MIDDLEWARE:
        return ""
    if not settings.SECURE_HSTS_SECONDS:
        return ""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def _level1_operation(path: str, view_name: str):
    """The ninja GET operation at `path` of the level-1 API, if it is still what this
    module knows how to run: one plain `OAuth2Bearer(SCOPE_LEVEL1)`, no throttles."""
    from hmskort.api.v1 import api

    path_view = api.default_router.path_operations.get(path)
    if path_view is None:
        return None
    for op in path_view.operations:
        if op.methods != ["GET"] or op.view_func.__name__ != view_name:
            continue
        auth = list(op.auth_callbacks)
        if len(auth) != 1 or type(auth[0]) is not OAuth2Bearer or auth[0].scope != SCOPE_LEVEL1:
            return None
        if op.throttle_objects:
            return None
        return op
    return None


def _gate_operation():
    """The ninja operation behind `POST /gate/events`, if it is still what this module
    knows how to run: one `GateReaderBearer`, no throttles, a JSON body read by
    ninja's default parser into one body model, the answer model `GateDecisionOut`
    dumped without options, a plain (sync) view."""
    from ninja.params.models import BodyModel
    from ninja.parser import Parser

    from hmskort.api.v1 import api
    from hmskort.sites.api import GateDecisionOut, GateReaderBearer

    bound_routers = getattr(api, "_get_bound_routers", None)
    if bound_routers is None or type(api.parser) is not Parser:
        return None
    for bound in bound_routers():
        path_view = bound.path_operations.get("/gate/events")
        if path_view is None:
            continue
        for op in path_view.operations:
            if op.methods != ["POST"] or op.view_func.__name__ != "gate_event":
                continue
            auth = list(op.auth_callbacks)
            if len(auth) != 1 or type(auth[0]) is not GateReaderBearer:
                return None
            if op.throttle_objects or getattr(op, "is_async", False):
                return None
            if len(op.models) != 1 or not issubclass(op.models[0], BodyModel):
                return None
            if op.signature.response_arg or op.by_alias or op.exclude_unset:
                return None
            if op.exclude_defaults or op.exclude_none:
                return None
            answer = op.response_models.get(200)
            if answer is None or answer.model_fields["response"].annotation is not GateDecisionOut:
                return None
            return op
    return None


def _url(name: str, **kwargs) -> str:
    """The path (as in PATH_INFO, without the script prefix) of a named URL."""
    url = reverse(name, kwargs=kwargs or None)
    return "/" + url[len(get_script_prefix()) :]


class FastLane:
    """WSGI middleware: the level-1 ping and status look-ups and the gate's events
    here, all else to `django_app`."""

    def __init__(self, django_app: WSGIApp):
        self.django_app = django_app
        # Validated tokens per authentication (a token good for one scope is not
        # thereby good for another): {id(auth): {sha256: (principal, keep until)}}.
        self._tokens: dict[int, dict[str, tuple[object, float]]] = {}
        self._auth_generation = auth_generation()
        self._hosts: dict[str, bool] = {}
        self._headers = _static_headers()
        self._hsts = _hsts_header()
        self.ping_path = ""
        self.cards_prefix = ""
        self.gate_path = ""
        self._ping = self._status = None
        self._gate = self._gate_body = self._gate_api = None
        self._gate_auth = None
        self._enabled = not settings.DISALLOWED_USER_AGENTS
        self._cache_pid: int | None = None
        # Both level-1 operations take the same auth (checked: OAuth2Bearer with the
        # level-1 scope), so one token cache serves both.
        self._auth = OAuth2Bearer(SCOPE_LEVEL1)
        ping = _level1_operation("/ping", "ping")
        if ping is not None:
            self.ping_path = _url("api-v1:ping")
            self._ping, self._auth = ping.view_func, ping.auth_callbacks[0]
        status = _level1_operation("/cards/{card_number}", "card_status")
        if status is not None:
            self.cards_prefix = _url("api-v1:card_status", card_number="0")[:-1]
            self._status, self._auth = status.view_func, status.auth_callbacks[0]
        gate = _gate_operation()
        if gate is not None:
            self.gate_path = _url("api-v1:gate_event")
            self._gate, self._gate_auth = gate.view_func, gate.auth_callbacks[0]
            self._gate_body, self._gate_api = gate.models[0], gate.api

    # --- routing --------------------------------------------------------------

    def __call__(self, environ: dict, start_response):
        if not self._enabled:
            return self.django_app(environ, start_response)
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            path = environ.get("PATH_INFO", "")
            if path == self.ping_path and self._ping is not None:
                if self._may_handle(environ):
                    return self._serve(
                        environ, start_response, _Request(environ, path), self._run_ping
                    )
            elif self._status is not None and path.startswith(self.cards_prefix):
                segment = path[len(self.cards_prefix) :]
                if (
                    segment
                    and len(segment) <= MAX_CARD_SEGMENT
                    and "/" not in segment
                    and segment.isascii()
                    and self._may_handle(environ)
                ):
                    request = _Request(environ, path)
                    return self._serve(environ, start_response, request, self._run_status, segment)
        elif method == "POST" and self._gate is not None:
            path = environ.get("PATH_INFO", "")
            if path == self.gate_path and self._may_handle(environ):
                body = self._json_body(environ)
                if body is not None:
                    request = _Request(environ, path, "POST", body)
                    return self._serve(environ, start_response, request, self._run_gate)
        return self.django_app(environ, start_response)

    @staticmethod
    def _json_body(environ: dict) -> bytes | None:
        """The request body when it is a plain, declared-length JSON body of a sane
        size (read here; None: left unread for Django, which answers everything else)."""
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            return None
        if environ.get("HTTP_TRANSFER_ENCODING"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "0")
        except ValueError:
            return None
        if not 0 < length <= MAX_GATE_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        if len(body) != length:  # the client went away mid-body: let Django see what came
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return None
        return body

    def _may_handle(self, environ: dict) -> bool:
        """Django would not answer with a redirect or a 400 before reaching the API."""
        if settings.SECURE_SSL_REDIRECT and not self._is_secure(environ):
            return False  # SecurityMiddleware redirects to https
        if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
            host = environ["HTTP_X_FORWARDED_HOST"]
        else:
            host = environ.get("HTTP_HOST")
        if not host:
            return False  # HTTP/1.0 without Host: let Django work it out
        allowed = self._hosts.get(host)
        if allowed is None:
            hosts = settings.ALLOWED_HOSTS
            if settings.DEBUG and not hosts:
                hosts = [".localhost", "127.0.0.1", "[::1]"]
            domain, _port = split_domain_port(host)
            allowed = bool(domain) and validate_host(domain, hosts)
            if len(self._hosts) >= _MAX_CACHED:
                self._hosts.clear()
            self._hosts[host] = allowed
        return allowed  # not allowed: Django answers 400 (DisallowedHost)

    @staticmethod
    def _is_secure(environ: dict) -> bool:
        header = settings.SECURE_PROXY_SSL_HEADER
        if header:
            name, secure_value = header
            value = environ.get(name)
            if value is not None:
                return value.split(",", 1)[0].strip() == secure_value
        return environ.get("wsgi.url_scheme") == "https"

    # --- answering ------------------------------------------------------------

    def _run_ping(self, request: _Request, _arg):
        request.auth = self._authenticate(request, self._auth)
        if request.auth is None:
            return 401, error_body(*_NOT_AUTHENTICATED)
        return 200, self._ping(request)

    def _run_status(self, request: _Request, segment: str):
        request.auth = self._authenticate(request, self._auth)
        if request.auth is None:
            return 401, error_body(*_NOT_AUTHENTICATED)
        return 200, self._status(request, card_number=segment)

    def _run_gate(self, request: _Request, _arg):
        """As ninja runs the operation: auth, then the body (ninja's parser and body
        model: 400 for a body that is not JSON, 422 for one that does not fit), then
        the view."""
        request.auth = self._authenticate(request, self._gate_auth)
        if request.auth is None:
            return 401, error_body(*_NOT_AUTHENTICATED)
        model = self._gate_body
        try:
            values = model.resolve(request, self._gate_api, {})
        except HttpError as exc:  # ninja's "Cannot parse request body"
            if exc.status_code != 400:
                raise
            return 400, error_body(*_MALFORMED)
        except pydantic.ValidationError as exc:
            errors = self._gate_api.validation_error_from_error_contexts(
                [ValidationErrorContext(pydantic_validation_error=exc, model=model)]
            ).errors
            return 422, self._validation_error(errors)
        return 200, self._gate(request, **dict(values))

    def _serve(self, environ, start_response, request: _Request, run, arg=None):
        close_old_connections()  # as request_started does
        if self._cache_pid != os.getpid():
            # This process's status cache and its LISTEN thread (after any fork).
            statuscache.ensure_started()
            self._cache_pid = os.getpid()
        language = request_language(request)
        try:
            with translation.override(language):
                status, body = run(request, arg)
        except ApplicationError as exc:
            status, body = exc.http_status, self._application_error(exc, language)
        except Exception:
            logger.exception("Unhandled API error on %s %s", request.method, request.path)
            status, body = 500, error_body(*_INTERNAL_ERROR)
        finally:
            close_old_connections()  # as request_finished does
        content = _json(body)
        headers = [("Content-Type", _CONTENT_TYPE), ("Content-Length", str(len(content)))]
        headers += self._headers
        headers.append(("Content-Language", language))
        retry_after = body["error"].get("retry_after") if status == 429 else None
        if retry_after is not None:
            headers.append(("Retry-After", str(retry_after)))
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer error="invalid_token"'))
        elif status == 403 and body["error"]["code"] == "insufficient_scope":
            headers.append(("WWW-Authenticate", 'Bearer error="insufficient_scope"'))
        if self._hsts and self._is_secure(environ):
            headers.append(("Strict-Transport-Security", self._hsts))
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [content]

    def _authenticate(self, request: _Request, auth: OAuth2Bearer):
        """The API principal, or None without a bearer token (ninja's HttpBearer parsing).
        Raises the auth's ApplicationError (401 unknown/expired token; 403 scope, or
        whatever the auth's `scope_missing` answers)."""
        value = request.META.get("HTTP_AUTHORIZATION")
        if not value:
            return None
        parts = value.split(" ")
        if parts[0].lower() != "bearer":
            return None
        token = " ".join(parts[1:])
        key = hashlib.sha256(token.encode("utf-8")).hexdigest()
        now = time.time()
        generation = auth_generation()
        if generation != self._auth_generation:  # a token or client changed: forget them all
            self.forget_tokens()
            self._auth_generation = generation
        tokens = self._tokens.get(id(auth))
        if tokens is None:
            tokens = self._tokens.setdefault(id(auth), {})
        cached = tokens.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        principal = auth.authenticate(request, token)  # raises for a bad token or scope
        if not principal:
            return None
        if len(tokens) >= _MAX_CACHED:
            tokens.clear()
        if auth_generation() == generation:  # not if a change arrived meanwhile
            tokens[key] = (principal, min(now + TOKEN_SECONDS, principal.expires_at))
        return principal

    @staticmethod
    def _validation_error(errors: list[dict]) -> dict:
        """As `hmskort.api.errors`' handler for ninja's ValidationError."""
        fields = validation_fields(errors)
        names = ", ".join(fields)
        return error_body(
            "validation_error", f"Ugyldige felt (invalid fields): {names}", fields=fields
        )

    @staticmethod
    def _application_error(exc: ApplicationError, language: str) -> dict:
        """As `hmskort.api.errors`' handler for ApplicationError."""
        reason_codes = exc.extra.get("reason_codes")
        reasons = reasons_payload(reason_codes, language) if reason_codes is not None else None
        return error_body(
            exc.code,
            exc.message,
            fields=exc.extra.get("fields"),
            reasons=reasons,
            retry_after=retry_after_of(exc) if exc.http_status == 429 else None,
        )

    def forget_tokens(self) -> None:
        """Drop every token this process keeps (tests; after revoking in this process)."""
        for tokens in list(self._tokens.values()):
            tokens.clear()
