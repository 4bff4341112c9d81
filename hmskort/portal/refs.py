"""Opaque references to a person in URLs, so fødselsnumre never appear in links or logs.

A reference is the person identifier encrypted deterministically (AES-SIV) with
the company's organisation number as associated data: it only opens for that
company, and it reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings


@lru_cache(maxsize=4)
def _cipher(secret: str) -> AESSIV:
    key = hashlib.sha512(b"hmskort.portal.person-ref:" + secret.encode()).digest()
    return AESSIV(key)


def person_ref(orgnr: str, person_id: str) -> str:
    token = _cipher(settings.SECRET_KEY).encrypt(person_id.encode(), [orgnr.encode()])
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def person_from_ref(orgnr: str, ref: str) -> str | None:
    """The person identifier behind `ref`, or None if it is not one of this company's."""
    try:
        raw = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4))
        value = _cipher(settings.SECRET_KEY).decrypt(raw, [orgnr.encode()]).decode()
    except (InvalidTag, ValueError, UnicodeDecodeError):
        return None
    return value if len(value) == 11 and value.isdigit() else None
