"""Gunicorn's response writer, with a small answer's headers and body in one write.

Installed by config/gunicorn.conf.py (see its docstring for why)."""

from __future__ import annotations

from gunicorn.http import wsgi

#: Bodies up to this size are joined to the header block (one copy of the body).
COALESCE_MAX_BYTES = 64 * 1024


class _HeldWrites:
    """Stands in for the socket while gunicorn writes the first chunk: keeps what it
    would have sent (gunicorn's `util.write` only calls `sendall`)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.parts.append(bytes(data))


class CoalescingResponse(wsgi.Response):
    """`gunicorn.http.wsgi.Response` whose first write of a small chunk sends the
    header block and the chunk together. Everything else (framing, Content-Length
    bookkeeping, HEAD and 204/304 without a body, chunked encoding) is gunicorn's
    own code: it runs unchanged against `_HeldWrites`, and what it wrote goes
    out in one `sendall` on the real socket."""

    def write(self, arg):
        if self.headers_sent or not isinstance(arg, bytes) or len(arg) > COALESCE_MAX_BYTES:
            return super().write(arg)
        sock, held = self.sock, _HeldWrites()
        self.sock = held
        try:
            return super().write(arg)
        finally:
            self.sock = sock
            if held.parts:
                sock.sendall(b"".join(held.parts))


def install_coalescing_response() -> None:
    """Make `gunicorn.http.wsgi.create` (what the sync and gthread workers call for
    every HTTP/1 request) build `CoalescingResponse`s. In the master, before the
    workers fork, so every worker inherits it."""
    if wsgi.Response is not CoalescingResponse:
        wsgi.Response = CoalescingResponse
