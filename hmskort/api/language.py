"""The answer language: English when the client asks for it (Accept-Language: en), else bokmål."""

from __future__ import annotations

from django.http import HttpRequest


def request_language(request: HttpRequest) -> str:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return "en" if first.split("-", 1)[0] == "en" else "nb"
