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
