"""Reads for the worker's own pages (wallet, My data) and the inspector's person search.

Everything here is scoped by the caller to one person (`pid`): the worker's own
identifier from the login, or the identifier an inspector searched for.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from hmskort.cards.models import Card, CardState
from hmskort.cards.numbers import format_card_number
from hmskort.cards.qr import LIVE_WINDOW_SECONDS, card_live_qr_token, live_window_start
from hmskort.cards.status import NOT_ISSUED, PublicStatus, public_status
from hmskort.core.models import AuditEvent
from hmskort.portal.models import UploadSet, UploadStatus
from hmskort.registers.adapters import get_ports
from hmskort.registers.ports import PersonRecord
from hmskort.verification.selectors import card_history_entries, industry_name
from hmskort.wallet.models import CorrectionRequest, WorkerNotice
from hmskort.wallet.texts import reason_text, status_label, status_tone

#: Orders that never became a card and have been superseded are not shown in the wallet.
_NEVER_ISSUED = (CardState.REJECTED, CardState.CANCELLED)
#: Default and upper bound of how far ahead live QR tokens are issued (offline use).
DEFAULT_PREISSUE_SECONDS = 2 * 3600
MAX_PREISSUE_SECONDS = 8 * 3600
#: The page itself carries tokens for the first minutes; its script fetches the rest
#: (signing is one key look-up per token, so hours of tokens are not made per page view).
PAGE_TOKENS_SECONDS = 10 * 60


def preissue_seconds() -> int:
    wanted = int(getattr(settings, "HMSKORT_WALLET_PREISSUE_SECONDS", DEFAULT_PREISSUE_SECONDS))
    return max(LIVE_WINDOW_SECONDS, min(wanted, MAX_PREISSUE_SECONDS))


# --- cards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WalletCard:
    card: Card
    status: str  # PublicStatus
    reason_codes: tuple[str, ...]
    has_photo: bool

    @property
    def number(self) -> str:
        return self.card.card_number

    @property
    def display_number(self) -> str:
        return format_card_number(self.card.card_number)

    @property
    def industry_name(self) -> str:
        return industry_name(self.card.card_type)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def tone(self) -> str:
        return status_tone(self.status)

    @property
    def reasons(self) -> list[str]:
        return [reason_text(code) for code in self.reason_codes]

    @property
    def is_valid(self) -> bool:
        return self.status == PublicStatus.VALID

    @property
    def is_issued(self) -> bool:
        return self.status not in NOT_ISSUED

    @property
    def live_qr(self) -> bool:
        """Only a valid card shows a live QR code (a scanner offline cannot see the status)."""
        return self.is_valid


def card_status_of(card: Card, *, today: dt.date) -> tuple[str, tuple[str, ...]]:
    return public_status(
        state=card.state,
        reason_codes=tuple(card.reason_codes or ()),
        valid_until=card.valid_until,
        today=today,
    )


def approved_photos(pid: str, orgnrs: Iterable[str]) -> dict[str, UploadSet]:
    """orgnr -> the newest approved photo/ID set of `pid` with that employer."""
    result: dict[str, UploadSet] = {}
    rows = UploadSet.objects.filter(
        person_id=pid, orgnr__in=list(orgnrs), status=UploadStatus.APPROVED
    ).order_by("orgnr", "-reviewed_at", "-created_at", "-id")
    for upload in rows:
        result.setdefault(upload.orgnr, upload)
    return result


def wallet_cards(pid: str, *, today: dt.date) -> list[WalletCard]:
    """The person's cards, one per employment (the newest card with each employer),
    valid ones first."""
    if not pid:
        return []
    newest: dict[str, Card] = {}
    pending: dict[str, Card] = {}
    for card in (
        Card.objects.filter(holder_id=pid)
        .exclude(state__in=_NEVER_ISSUED)
        .order_by("employer_orgnr", "-created_at", "-id")
    ):
        # An open order (e.g. a renewal) never hides the card the worker carries now.
        target = pending if card.state == CardState.PENDING else newest
        target.setdefault(card.employer_orgnr, card)
    for orgnr, card in pending.items():
        newest.setdefault(orgnr, card)
    photos = approved_photos(pid, newest)
    cards = []
    for orgnr, card in newest.items():
        status, reasons = card_status_of(card, today=today)
        cards.append(WalletCard(card, status, reasons, has_photo=orgnr in photos))
    cards.sort(key=lambda c: (not c.is_valid, c.card.employer_name.casefold(), c.number))
    return cards


def wallet_card(pid: str, number: str, *, today: dt.date) -> WalletCard | None:
    """One of the person's own wallet cards; None for anyone else's card."""
    for card in wallet_cards(pid, today=today):
        if card.number == number:
            return card
    return None


def live_card(number: str, *, today: dt.date) -> WalletCard | None:
    """The card a live QR token names, as the scanner's page shows it (None if unknown)."""
    card = Card.objects.filter(card_number=number).first()
    if card is None:
        return None
    status, reasons = card_status_of(card, today=today)
    return WalletCard(card, status, reasons, has_photo=False)


def photo_of(pid: str, number: str) -> UploadSet | None:
    """The approved photo for the person's own card `number`; None for anyone else's card."""
    card = Card.objects.filter(holder_id=pid, card_number=number).only("employer_orgnr").first()
    if card is None or not pid:
        return None
    return approved_photos(pid, [card.employer_orgnr]).get(card.employer_orgnr)


def _valid_through(card: Card) -> float:
    """Epoch second at which the card's last valid day ends (Norwegian time)."""
    if card.valid_until is None:
        return float("inf")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    end = dt.datetime.combine(card.valid_until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return end.timestamp()


def live_tokens(
    cards: Iterable[WalletCard], *, now: dt.datetime | None = None, seconds: int | None = None
) -> dict:
    """Live QR tokens for the valid cards, from the current window for `seconds` ahead.

    {"window": 30, "from": epoch, "until": epoch, "cards": {number: [[start, token], ...]}}
    """
    now = now or timezone.now()
    seconds = preissue_seconds() if seconds is None else seconds
    first = live_window_start(now)
    count = max(1, -(-seconds // LIVE_WINDOW_SECONDS))
    starts = [first + i * LIVE_WINDOW_SECONDS for i in range(count)]
    tokens = {
        c.number: [
            [s, card_live_qr_token(c.card, window_start=s, now=now)]
            for s in starts
            if s < _valid_through(c.card)  # no codes past the card's last valid day
        ]
        for c in cards
        if c.live_qr
    }
    return {
        "window": LIVE_WINDOW_SECONDS,
        "from": first,
        "until": first + count * LIVE_WINDOW_SECONDS,
        "issued_at": int(now.timestamp()),
        "cards": tokens,
    }


# --- My data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Employment:
    register: str  # "Aa-registeret" / "OAR"
    employer_orgnr: str
    employer_name: str
    start: dt.date
    end: dt.date | None
    kind: str
    client_orgnr: str = ""  # OAR: the Norwegian client (oppdragsgiver)
    client_name: str = ""
    active: bool = False  # active today


def _active(start: dt.date, end: dt.date | None, today: dt.date) -> bool:
    return start <= today and (end is None or end >= today)


def employments_of(pid: str, *, today: dt.date) -> list[Employment]:
    """The person's employments as Aa-registeret and OAR show them (newest first)."""
    ports = get_ports()
    aareg = ports.aareg.arbeidsforhold_for_personer([pid]).get(pid, ())
    oar = ports.oar.utsendinger_for_personer([pid]).get(pid, ())
    orgnrs = {a.arbeidsgiver for a in aareg} | {u.oppdragstaker for u in oar}
    orgnrs |= {u.oppdragsgiver for u in oar}
    names = {o: e.navn for o, e in ports.enhetsregisteret.enheter(orgnrs).items()}
    result = [
        Employment(
            "Aa-registeret",
            a.arbeidsgiver,
            names.get(a.arbeidsgiver, ""),
            a.startdato,
            a.sluttdato,
            a.type,
            active=_active(a.startdato, a.sluttdato, today),
        )
        for a in aareg
    ] + [
        Employment(
            "OAR",
            u.oppdragstaker,
            names.get(u.oppdragstaker, ""),
            u.startdato,
            u.sluttdato,
            "utsending",
            u.oppdragsgiver,
            names.get(u.oppdragsgiver, ""),
            active=_active(u.startdato, u.sluttdato, today),
        )
        for u in oar
    ]
    result.sort(key=lambda e: (e.start, e.employer_orgnr), reverse=True)
    return result


def person_of(pid: str) -> PersonRecord | None:
    return get_ports().folkeregisteret.personer([pid]).get(pid)


@dataclass(frozen=True)
class CardWithHistory:
    card: Card
    status: str
    reason_codes: tuple[str, ...]
    history: tuple

    @property
    def display_number(self) -> str:
        return format_card_number(self.card.card_number)

    @property
    def industry_name(self) -> str:
        return industry_name(self.card.card_type)

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def reasons(self) -> list[str]:
        return [reason_text(c) for c in self.reason_codes]


def cards_with_history(pid: str, *, today: dt.date) -> list[CardWithHistory]:
    """Every card and order of the person, with its status history."""
    result = []
    for card in Card.objects.filter(holder_id=pid).order_by("-created_at", "-id"):
        status, reasons = public_status(
            state=card.state,
            reason_codes=tuple(card.reason_codes or ()),
            valid_until=card.valid_until,
            today=today,
            order_reasons=True,  # the holder may know why their own order waits
        )
        result.append(CardWithHistory(card, status, reasons, card_history_entries(card)))
    return result


def uploads_of(pid: str) -> list[UploadSet]:
    return list(UploadSet.objects.filter(person_id=pid).order_by("-created_at", "-id"))


@dataclass(frozen=True)
class LookupEntry:
    at: dt.datetime
    who: str  # authority, API client's organisation, employer ...: never a person's name
    what: str
    purpose: str


_ACTIONS = {
    "inspector_lookup": gettext_noop("Slo opp et HMS-kort"),
    "inspector_person_search": gettext_noop("Søkte etter deg på fødselsnummer"),
    "inspector_confiscate": gettext_noop("Inndro et HMS-kort"),
    "inspector_employment_remove": gettext_noop("Fjernet et arbeidsforhold fra et kort"),
    "qr_lookup": gettext_noop("Skannet QR-koden på et kort"),
    "card_block": gettext_noop("Sperret et kort"),
    "view": gettext_noop("Så på opplysninger om deg"),
    "list": gettext_noop("Så på en liste med deg"),
    "search": gettext_noop("Søkte etter deg"),
    "employee_add": gettext_noop("La deg til i ansattlisten sin (slo opp navnet ditt)"),
}


def _action_text(action: str) -> str:
    return gettext(_ACTIONS[action]) if action in _ACTIONS else action


def _api_client_names(client_ids: set[str]) -> dict[str, str]:
    if not client_ids:
        return {}
    from hmskort.api.models import ApiClient

    return dict(
        ApiClient.objects.filter(application__client_id__in=client_ids).values_list(
            "application__client_id", "organisation_name"
        )
    )


def _company_names(orgnrs: set[str]) -> dict[str, str]:
    if not orgnrs:
        return {}
    return {o: e.navn for o, e in get_ports().enhetsregisteret.enheter(orgnrs).items()}


def lookups_of(pid: str, *, limit: int = 500) -> list[LookupEntry]:
    """Who has looked at this person's data, from the audit log: inspectors by
    authority, API clients by organisation, employers by company, staff as the
    authority's caseworkers; never a person's name or user name."""
    if not pid:
        return []
    events = list(
        AuditEvent.objects.filter(subject_id=pid)
        .exclude(actor_type="user", actor=pid)  # the person's own doings
        .order_by("-at", "-id")[:limit]
    )
    clients = _api_client_names({e.actor for e in events if e.actor_type == "api"})
    companies = _company_names(
        {str(e.detail.get("orgnr")) for e in events if isinstance(e.detail, dict)} - {"None", ""}
    )
    entries = []
    for e in events:
        detail = e.detail if isinstance(e.detail, dict) else {}
        if e.actor_type == "inspector":
            who = detail.get("agency") or gettext("Tilsynsmyndighet")
        elif e.actor_type == "api":
            who = clients.get(e.actor) or gettext("API-klient")
        elif e.actor_type == "staff":
            who = gettext("Saksbehandler i HMS-kortordningen")
        elif e.actor_type == "user":
            orgnr = str(detail.get("orgnr") or "")
            who = (
                gettext("Arbeidsgiver: %(name)s") % {"name": companies.get(orgnr, orgnr)}
                if orgnr
                else gettext("Innlogget bruker i portalen")
            )
        else:
            who = gettext("Automatisk kontroll")
        purpose = e.purpose if e.actor_type in ("inspector",) else ""
        entries.append(LookupEntry(e.at, str(who), _action_text(e.action), purpose))
    return entries


def corrections_of(pid: str) -> list[CorrectionRequest]:
    return list(CorrectionRequest.objects.filter(pid=pid).order_by("-created_at", "-id"))


def notices_of(pid: str, *, limit: int = 50) -> list[WorkerNotice]:
    return list(WorkerNotice.objects.filter(pid=pid).order_by("-created_at", "-id")[:limit])


# --- inspectors --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonOverview:
    pid: str
    person: PersonRecord | None
    employments: tuple[Employment, ...]
    cards: tuple[WalletCard, ...]  # every card, newest first
    photo: UploadSet | None = None  # the newest approved photo (any employer)

    @property
    def found(self) -> bool:
        return self.person is not None or bool(self.cards) or bool(self.employments)

    @property
    def name(self) -> str:
        if self.person is not None:
            return self.person.fulltnavn
        return self.cards[0].card.holder_name if self.cards else ""


def person_overview(pid: str, *, today: dt.date) -> PersonOverview:
    """Everything an inspector sees about a person: the register entry, all
    employers (Aa-registeret and OAR) and all cards with status."""
    cards = []
    rows = Card.objects.filter(holder_id=pid).filter(~Q(state__in=_NEVER_ISSUED))
    for card in rows.order_by("-created_at", "-id"):
        status, reasons = card_status_of(card, today=today)
        cards.append(WalletCard(card, status, reasons, has_photo=False))
    return PersonOverview(
        pid=pid,
        person=person_of(pid),
        employments=tuple(employments_of(pid, today=today)),
        cards=tuple(cards),
        photo=latest_approved_photo(pid),
    )


def latest_approved_photo(pid: str) -> UploadSet | None:
    return (
        UploadSet.objects.filter(person_id=pid, status=UploadStatus.APPROVED)
        .order_by("-reviewed_at", "-created_at", "-id")
        .first()
    )
