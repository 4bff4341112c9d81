"""The labelled test set of the automatic checks (built by `build.py`, committed).

Helpers for tests elsewhere in the project: `good_photo_bytes()` and
`good_id_document_bytes()` return a photo and a passport that pass the checks."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

TESTSET = Path(__file__).resolve().parent


@functools.cache
def labels() -> dict:
    return json.loads((TESTSET / "labels.json").read_text())


def photo_bytes(name: str) -> bytes:
    """A photo of the set by file name (e.g. "bad_glasses_thin.jpg")."""
    return (TESTSET / "photos" / name).read_bytes()


def good_photo_bytes(fmt: str = "jpg") -> bytes:
    """A photo that passes every photo rule (JPEG, or PNG with fmt="png")."""
    return photo_bytes("good_png.png" if fmt == "png" else "good_01_white.jpg")


def good_id_document_bytes() -> bytes:
    """A passport with a valid machine-readable zone (of `person_record()`)."""
    return (TESTSET / "documents" / "passport_valid.jpg").read_bytes()


def document_bytes(name: str) -> bytes:
    return (TESTSET / "documents" / name).read_bytes()


def person_record():
    """Folkeregisteret's record of the person the test passports show."""
    from hmskort.registers.ports import PersonRecord

    p = labels()["_person"]
    return PersonRecord(
        identifikator="17458500000",
        identifikatortype="FNR",
        fornavn=p["fornavn"].title(),
        mellomnavn=p["mellomnavn"],
        etternavn=p["etternavn"].title(),
        foedselsdato=dt.date.fromisoformat(p["foedselsdato"]),
        kjoenn="kvinne",
        statsborgerskap=("NOR",),
        status="bosatt",
    )
