"""Where production files live: under settings.PRIVATE_MEDIA_ROOT / "production".

Paths stored in the database are relative to PRIVATE_MEDIA_ROOT, so the root
can move (another disk, a mounted volume) without touching rows.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

BATCH_FILE_NAME = "batch.json"
FACES_DIR = "faces"


def media_root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def batch_dir_relative(batch_id: int) -> str:
    return f"production/{batch_id}"


def batch_file_relative(batch_id: int) -> str:
    return f"{batch_dir_relative(batch_id)}/{BATCH_FILE_NAME}"


def face_file_in_batch(card_number: str) -> str:
    """The face's path as the batch file names it (relative to the batch directory)."""
    return f"{FACES_DIR}/{card_number}.pdf"


def face_file_relative(batch_id: int, card_number: str) -> str:
    return f"{batch_dir_relative(batch_id)}/{face_file_in_batch(card_number)}"


def absolute(relative: str) -> Path:
    """The absolute path of a stored relative path (refusing anything outside the root)."""
    root = media_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"path outside the private media root: {relative!r}")
    return path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
