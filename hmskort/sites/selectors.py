"""Reads for sites: the crew list (oversiktsliste) and working hours, built only
from gate events (admitted ones), never from anything a company typed in."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from hmskort.cards.models import Card
from hmskort.registers.adapters import get_ports
from hmskort.registers.identifiers import person_identifier_birth_date
from hmskort.sites.models import Direction, GateEvent, GateReader, Site, SiteCompany

#: The longest period the working-hours view covers at once.
MAX_HOURS_DAYS = 93


def sites_of_owner(orgnr: str) -> list[Site]:
    return list(Site.objects.filter(owner_orgnr=orgnr).order_by("-starts_on", "name"))


def site_of_owner(orgnr: str, site_id: int) -> Site | None:
    return Site.objects.filter(owner_orgnr=orgnr, pk=site_id).first()


def sites_search(query: str = "", *, limit: int = 100) -> list[Site]:
    qs = Site.objects.all()
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(address__icontains=query)
            | Q(owner_orgnr=query)
            | Q(owner_name__icontains=query)
            | Q(companies__orgnr=query)
        ).distinct()
    return list(qs.order_by("-starts_on", "name")[:limit])


def site_companies(site: Site) -> list[SiteCompany]:
    return list(site.companies.order_by("name"))


def site_readers(site: Site) -> list[GateReader]:
    return list(site.readers.select_related("api_client__application").order_by("name"))


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `day` in Norwegian time."""
    tz = _tz()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def birth_dates(holder_ids: set[str]) -> dict[str, dt.date | None]:
    """Birth dates from Folkeregisteret in one call; else what the number encodes."""
    people = get_ports().folkeregisteret.personer(sorted(holder_ids)) if holder_ids else {}
    synthetic = getattr(settings, "HMSKORT_ENVIRONMENT", "development") != "production"
    out = {}
    for hid in holder_ids:
        person = people.get(hid)
        out[hid] = (
            person.foedselsdato
            if person is not None
            else person_identifier_birth_date(hid, allow_synthetic=synthetic)
        )
    return out


@dataclass
class CrewLine:
    card_number: str
    holder_id: str
    name: str
    birth_date: dt.date | None
    employer_orgnr: str
    employer_name: str
    passes: list[tuple[str, dt.datetime]] = field(default_factory=list)

    @property
    def first_in(self) -> dt.datetime | None:
        return next((at for d, at in self.passes if d == Direction.IN), None)

    @property
    def last_out(self) -> dt.datetime | None:
        return next((at for d, at in reversed(self.passes) if d == Direction.OUT), None)

    @property
    def ins(self) -> list[dt.datetime]:
        return [at for d, at in self.passes if d == Direction.IN]

    @property
    def outs(self) -> list[dt.datetime]:
        return [at for d, at in self.passes if d == Direction.OUT]


def _admitted_events(site: Site, start: dt.datetime, end: dt.datetime):
    return (
        GateEvent.objects.filter(
            site=site, admitted=True, card__isnull=False, at__gte=start, at__lt=end
        )
        .order_by("at", "id")
        .values_list("card_id", "direction", "at")
    )


def _cards(card_ids: set[int]) -> dict[int, Card]:
    return {
        c.pk: c
        for c in Card.objects.filter(pk__in=card_ids).only(
            "card_number", "holder_id", "holder_name", "employer_orgnr", "employer_name"
        )
    }


def crew_list(site: Site, day: dt.date) -> list[CrewLine]:
    """Everyone admitted through the site's gates on `day`: name, birth date, HMS card
    number, employer, and every admitted in/out time that day (byggherreforskriften § 15)."""
    start, end = day_bounds(day)
    events = list(_admitted_events(site, start, end))
    cards = _cards({card_id for card_id, _, _ in events})
    births = birth_dates({c.holder_id for c in cards.values()})
    lines: dict[int, CrewLine] = {}
    for card_id, direction, at in events:
        card = cards[card_id]
        line = lines.get(card_id)
        if line is None:
            line = lines[card_id] = CrewLine(
                card_number=card.card_number,
                holder_id=card.holder_id,
                name=card.holder_name,
                birth_date=births.get(card.holder_id),
                employer_orgnr=card.employer_orgnr,
                employer_name=card.employer_name,
            )
        line.passes.append((direction, at))
    return sorted(lines.values(), key=lambda x: (x.employer_name, x.name, x.card_number))


@dataclass(frozen=True)
class Stint:
    """One stay on the site: an entry and its exit; either may be missing (unmatched)."""

    entered: dt.datetime | None
    left: dt.datetime | None

    @property
    def matched(self) -> bool:
        return self.entered is not None and self.left is not None

    @property
    def duration(self) -> dt.timedelta:
        return self.left - self.entered if self.matched else dt.timedelta(0)


@dataclass
class WorkerHours:
    card_number: str
    holder_id: str
    name: str
    employer_orgnr: str
    employer_name: str
    stints: list[Stint] = field(default_factory=list)

    @property
    def total(self) -> dt.timedelta:
        return sum((s.duration for s in self.stints), dt.timedelta(0))

    @property
    def unmatched(self) -> int:
        return sum(1 for s in self.stints if not s.matched)

    @property
    def total_hours(self) -> float:
        return round(self.total.total_seconds() / 3600, 2)


def pair_stints(passes: list[tuple[str, dt.datetime]]) -> list[Stint]:
    """In/out pairs in time order. An entry followed by another entry, or never
    left, is unmatched (no exit); an exit without an entry is unmatched (no entry)."""
    stints: list[Stint] = []
    open_in: dt.datetime | None = None
    for direction, at in passes:
        if direction == Direction.IN:
            if open_in is not None:
                stints.append(Stint(open_in, None))
            open_in = at
        else:
            stints.append(Stint(open_in, at))
            open_in = None
    if open_in is not None:
        stints.append(Stint(open_in, None))
    return stints


def working_hours(
    site: Site, date_from: dt.date, date_to: dt.date, *, employer_orgnr: str = ""
) -> list[WorkerHours]:
    """Per worker (card) on the site: stays from admitted gate events in [from, to]."""
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    qs = _admitted_events(site, start, end)
    if employer_orgnr:
        qs = qs.filter(employer_orgnr=employer_orgnr)
    events = list(qs)
    cards = _cards({card_id for card_id, _, _ in events})
    passes: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for card_id, direction, at in events:
        passes[card_id].append((direction, at))
    out = []
    for card_id, card_passes in passes.items():
        card = cards[card_id]
        out.append(
            WorkerHours(
                card_number=card.card_number,
                holder_id=card.holder_id,
                name=card.holder_name,
                employer_orgnr=card.employer_orgnr,
                employer_name=card.employer_name,
                stints=pair_stints(card_passes),
            )
        )
    return sorted(out, key=lambda w: (w.employer_name, w.name, w.card_number))
