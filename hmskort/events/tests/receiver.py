"""A real webhook receiver on loopback for the tests: an HTTP server thread that
verifies signatures with the documented recipe, deduplicates on the event id,
and can simulate an outage (refused connections, then HTTP 500s)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify_signature(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """The verification recipe from the README, verbatim."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, given = int(parts["t"]), parts["v1"]
    if abs(time.time() - timestamp) > tolerance:
        return False  # too old: a replay
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, given)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    def __init__(self, secret: str = "", port: int | None = None):
        self.secret = secret
        self.port = port or free_port()
        self.failures_left = 0  # answer 500 this many times before accepting
        self.attempts: list[dict] = []  # every request that reached us
        self.accepted: dict[str, dict] = {}  # event id -> payload (deduplicated)
        self.duplicates = 0
        self.bad_signatures = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/hms"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event_id = self.headers.get("X-HMSKort-Event-Id", "")
                signature = self.headers.get("X-HMSKort-Signature", "")
                with receiver._lock:
                    receiver.attempts.append(
                        {"event_id": event_id, "body": body, "signature": signature}
                    )
                    if receiver.failures_left > 0:
                        receiver.failures_left -= 1
                        status = 500
                    elif receiver.secret and not verify_signature(receiver.secret, body, signature):
                        receiver.bad_signatures += 1
                        status = 401
                    else:
                        if event_id in receiver.accepted:
                            receiver.duplicates += 1  # harmless: already processed
                        else:
                            receiver.accepted[event_id] = json.loads(body)
                        status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
