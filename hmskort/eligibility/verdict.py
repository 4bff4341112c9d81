"""The output of the eligibility rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Outcome(enum.StrEnum):
    PASS = "pass"
    PENDING = "pending"
    FAIL = "fail"


class Purpose(enum.StrEnum):
    """Why the rules are asked: a new order, or keeping an issued card valid."""

    ORDER = "order"
    RECHECK = "recheck"


@dataclass(frozen=True)
class Finding:
    """One failed or pending requirement: a reason code from the catalogue."""

    code: str
    outcome: Outcome  # PENDING or FAIL


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    findings: tuple[Finding, ...] = ()

    @property
    def reason_codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS
