"""Files under settings.PRIVATE_MEDIA_ROOT: never under a static or media web root;
only views that check access stream them."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT).resolve()


def store(data: bytes, *, orgnr: str, extension: str) -> str:
    """Write `data` to a new random file; returns its path relative to the root."""
    relative = Path("uploads") / orgnr / f"{secrets.token_hex(16)}.{extension}"
    target = _root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "xb") as fh:
        fh.write(data)
    return relative.as_posix()


def absolute(relative: str) -> Path:
    """The file's absolute path; refuses paths that leave the root."""
    root = _root()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("path outside the private media root")
    return path


def remove(relative: str) -> None:
    try:
        absolute(relative).unlink(missing_ok=True)
    except ValueError:
        pass
