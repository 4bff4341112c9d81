"""What a card's status says to people: pure, from a card's state, reasons and
validity date (no database, the caller passes `today`).

Three kinds of answer: valid, invalid (always with a reason in plain words, from
the reason catalogue's public texts) and not issued (an order that is pending,
rejected or cancelled: no card exists that anyone could be carrying, so nothing
more is said about it).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from hmskort.cards.status import NOT_ISSUED, PublicStatus, public_status
from hmskort.eligibility.reasons import inspector_text, public_text


class StatusKind(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    NOT_ISSUED = "not_issued"


_TONE = {
    StatusKind.VALID: "success",
    StatusKind.INVALID: "danger",
    StatusKind.NOT_ISSUED: "warning",
}


@dataclass(frozen=True)
class StatusAnswer:
    kind: StatusKind
    reason_codes: tuple[str, ...]

    @property
    def is_valid(self) -> bool:
        return self.kind is StatusKind.VALID

    @property
    def tone(self) -> str:
        """Designsystemet colour of the answer (success / danger / warning)."""
        return _TONE[self.kind]

    @property
    def headline(self) -> str:
        """ "Gyldig", "Ugyldig – utløpt", ... in the active language."""
        if self.kind is StatusKind.VALID:
            return gettext("Gyldig")
        if self.kind is StatusKind.NOT_ISSUED:
            return gettext("Ikke utstedt")
        if len(self.reason_codes) == 1:
            return public_text(self.reason_codes[0])
        return gettext("Ugyldig")

    @property
    def reasons(self) -> list[str]:
        """The public text of every reason (shown under the headline when there are several)."""
        return [public_text(code) for code in self.reason_codes]

    @property
    def inspector_reasons(self) -> list[tuple[str, str, str]]:
        """(code, public text, inspector text) per reason."""
        return [(c, public_text(c), inspector_text(c)) for c in self.reason_codes]


def card_status(
    *, state: str, reason_codes: Sequence[str] | None, valid_until: dt.date | None, today: dt.date
) -> StatusAnswer:
    """The status answer for a card (the decision is `hmskort.cards.status.public_status`)."""
    status, codes = public_status(
        state=state, reason_codes=tuple(reason_codes or ()), valid_until=valid_until, today=today
    )
    if status in NOT_ISSUED:
        return StatusAnswer(StatusKind.NOT_ISSUED, ())
    if status == PublicStatus.VALID:
        return StatusAnswer(StatusKind.VALID, ())
    return StatusAnswer(StatusKind.INVALID, codes)
