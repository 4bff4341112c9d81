"""One application error type with stable codes; one handler maps it to HTTP."""

from __future__ import annotations


class ApplicationError(Exception):
    """A domain error a user or client can act on.

    `code` is stable (clients branch on it); `message` is for people and may be
    translated; `http_status` is what the API/web layer answers with.
    """

    code: str = "application_error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409


class Throttled(ApplicationError):
    """Too many requests (429): `retry_after` seconds (at least 1) until the caller
    may try again; the API answers it as the Retry-After header and in the body."""

    code = "throttled"
    http_status = 429
    default_message = "For mange forespørsler; prøv igjen senere. (Too many requests.)"

    def __init__(self, *, retry_after: int, message: str | None = None):
        self.retry_after = max(int(retry_after), 1)
        super().__init__(message or self.default_message, extra={"retry_after": self.retry_after})
