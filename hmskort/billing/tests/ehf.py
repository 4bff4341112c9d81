"""Test helper: validate an EHF document with the real Peppol and EN 16931 Schematron."""

from __future__ import annotations

from pathlib import Path

from hmskort.billing.ehf.schematron import Failure, validator

SPECS = Path(__file__).resolve().parents[1] / "specs" / "peppol"
SCHEMAS = ("PEPPOL-EN16931-UBL.sch", "CEN-EN16931-UBL.sch")


def ehf_failures(document: bytes) -> list[Failure]:
    return [f for name in SCHEMAS for f in validator(str(SPECS / name)).validate(document)]


def assert_valid_ehf(document: bytes, *, warnings_allowed: bool = False) -> None:
    failures = ehf_failures(document)
    fatal = [str(f) for f in failures if f.flag == "fatal"]
    assert fatal == [], "\n".join(fatal)
    if not warnings_allowed:
        assert [str(f) for f in failures] == []
