"""Server-to-server HTTP (the relying party's token and JWKS requests) answered
in-process by Django's test client, so the whole OpenID Connect flow runs inside
one test without a network server. Only URLs on http://testserver are routed;
everything else would go to the network as usual.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

TEST_ORIGIN = "http://testserver"


class DjangoTestClientAdapter(BaseAdapter):
    def __init__(self):
        super().__init__()
        self.calls: list[tuple[str, str, int]] = []

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in {"content-type", "content-length", "host"}
        }
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = Client().generic(
            request.method,
            path,
            data=body,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            headers=headers,
        )
        self.calls.append((request.method, parts.path, answer.status_code))
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


@pytest.fixture
def in_process_http(monkeypatch):
    """Route requests to http://testserver through Django's test client."""
    adapter = DjangoTestClientAdapter()
    original = requests.Session.get_adapter

    def get_adapter(self, url):
        if url.startswith(TEST_ORIGIN + "/"):
            return adapter
        return original(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    return adapter
