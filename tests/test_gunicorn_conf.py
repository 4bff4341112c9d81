"""Gunicorn as production starts it (`-c config/gunicorn.conf.py`): a small answer
leaves in one write (headers and body together), and every kind of answer still
reaches the client intact over a kept-alive connection."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from config.server import COALESCE_MAX_BYTES, CoalescingResponse

ROOT = Path(__file__).resolve().parent.parent
BIG = b"x" * (COALESCE_MAX_BYTES + 1000)


class RecordingSocket:
    def __init__(self):
        self.writes: list[bytes] = []

    def sendall(self, data):
        self.writes.append(bytes(data))


def _response(method="GET", version=(1, 1)):
    sock = RecordingSocket()
    request = SimpleNamespace(version=version, method=method, should_close=lambda: False)
    return CoalescingResponse(request, sock, Config()), sock


def test_a_small_answer_is_one_write_with_headers_and_body():
    resp, sock = _response()
    body = b'{"status":"valid"}'
    resp.start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "18")])
    resp.write(body)
    resp.close()
    assert len(sock.writes) == 1
    head, _, rest = sock.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 18" in head and b"Connection: keep-alive" in head
    assert rest == body


def test_a_large_answer_is_written_as_gunicorn_writes_it():
    resp, sock = _response()
    resp.start_response("200 OK", [("Content-Length", str(len(BIG)))])
    resp.write(BIG)
    resp.close()
    assert len(sock.writes) == 2 and sock.writes[1] == BIG
    assert sock.writes[0].endswith(b"\r\n\r\n")


def test_a_streamed_answer_keeps_its_chunked_framing():
    resp, sock = _response()
    resp.start_response("200 OK", [("Content-Type", "text/csv")])
    for chunk in (b"a;b\r\n", b"1;2\r\n"):
        resp.write(chunk)
    resp.close()
    wire = b"".join(sock.writes)
    assert b"Transfer-Encoding: chunked" in wire
    assert wire.endswith(b"\r\n\r\n5\r\na;b\r\n\r\n5\r\n1;2\r\n\r\n0\r\n\r\n")
    # The header block went out with the first chunk.
    assert sock.writes[0].endswith(b"5\r\na;b\r\n\r\n")


def test_a_head_answer_sends_no_body():
    resp, sock = _response(method="HEAD")
    resp.start_response("200 OK", [("Content-Length", "5")])
    resp.write(b"hello")
    resp.close()
    assert len(sock.writes) == 1 and sock.writes[0].endswith(b"\r\n\r\n")


APP = """
def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/small":
        body = b'{"status":"valid"}'
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    if path == "/big":
        body = b"x" * %d
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"one,", b"two,", b"three"])
    start_response("404 Not Found", [("Content-Length", "0")])
    return []
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    (tmp_path / "echo_app.py").write_text(APP % len(BIG))
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    proc = subprocess.Popen(
        [str(gunicorn), "--config", "config/gunicorn.conf.py", "echo_app:application",
         "--worker-class", "gthread", "--threads", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, "gunicorn exited at start-up"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_answers_arrive_intact_over_one_kept_alive_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    for _ in range(3):
        conn.request("GET", "/small")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b'{"status":"valid"}'
        assert resp.getheader("Connection") == "keep-alive"
        conn.request("GET", "/big")
        resp = conn.getresponse()
        assert resp.read() == BIG
        conn.request("GET", "/stream")
        resp = conn.getresponse()
        assert resp.getheader("Transfer-Encoding") == "chunked"
        assert resp.read() == b"one,two,three"
        conn.request("HEAD", "/small")
        resp = conn.getresponse()
        assert resp.getheader("Content-Length") == "18" and resp.read() == b""
        conn.request("GET", "/nowhere")
        resp = conn.getresponse()
        assert resp.status == 404 and resp.read() == b""
    conn.close()
