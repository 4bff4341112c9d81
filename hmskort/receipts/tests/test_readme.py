"""The README's offline verification snippet, run exactly as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

README = Path(__file__).resolve().parents[1] / "README.md"

pytestmark = pytest.mark.django_db


def _snippet() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Verifying a receipt offline", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_snippet_verifies_a_receipt_with_the_jwks_alone(client, level1, company):
    check_id = client.get(f"/api/v1/cards/{company.card.card_number}", **level1.headers).json()[
        "check_id"
    ]
    token = client.get(f"/api/v1/receipts/{check_id}", **level1.headers).json()["token"]
    jwks = json.loads(client.get("/.well-known/jwks.json").content)
    namespace: dict = {}
    exec(compile(_snippet(), str(README), "exec"), namespace)  # noqa: S102
    claims = namespace["verify_receipt"](token, jwks)
    assert claims["jti"] == check_id and claims["status"] == "valid"

    header, payload, signature = token.split(".")
    for i in (5, len(payload) // 2):  # change one character of the payload
        altered = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
        with pytest.raises((InvalidSignature, ValueError)):
            namespace["verify_receipt"](f"{header}.{altered}.{signature}", jwks)
    with pytest.raises(StopIteration):  # a key not in the JWKS: not ours
        namespace["verify_receipt"](token, {"keys": []})
