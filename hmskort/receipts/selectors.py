"""Reads: the holder's own log of checks of their cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from hmskort.cards.models import Card
from hmskort.receipts.models import NOT_FOUND, CardCheck, Channel, CrewReport
from hmskort.receipts.services import api_client_names

HOLDER_LOG_DAYS = 365
#: Checks shown one by one (newest first); older ones are summarised by count.
HOLDER_LOG_MAX_ENTRIES = 1000
#: Anonymous channels: shown as counts per day, never one by one.
_COUNTED = (Channel.PUBLIC, Channel.QR)


@dataclass(frozen=True)
class LogEntry:
    at: dt.datetime
    channel: str
    card_number: str
    who: str


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    channel: str
    count: int


@dataclass(frozen=True)
class HolderLog:
    card_numbers: tuple[str, ...]
    entries: tuple[LogEntry, ...]
    public_per_day: tuple[DayCount, ...]
    since: dt.datetime


def _who(check: dict, names: dict[int, str], reports: dict) -> str:
    channel = check["channel"]
    if channel == Channel.INSPECTOR:
        return gettext("tilsynsmyndighet")  # never the inspector's name or agency
    if channel == Channel.GATE and check["site_name"]:
        return check["site_name"]  # the site, not its gate reader's client name
    if check["api_client_id"] is not None:
        return names.get(check["api_client_id"], gettext("API-klient"))
    if channel == Channel.CREW:
        return reports.get(check["report_id"]) or gettext("innlogget bruker")
    return ""


def holder_log(pid: str, *, now: dt.datetime | None = None) -> HolderLog:
    """The checks of `pid`'s cards in the last 12 months: who asked, one by one,
    except anonymous look-ups (counts per day)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=HOLDER_LOG_DAYS)
    numbers = tuple(
        Card.objects.filter(holder_id=pid)
        .order_by("card_number")
        .values_list("card_number", flat=True)
    )
    if not numbers:
        return HolderLog((), (), (), since)
    base = CardCheck.objects.filter(card_number__in=numbers, checked_at__gte=since).exclude(
        status=NOT_FOUND
    )
    rows = list(
        base.exclude(channel__in=_COUNTED)
        .order_by("-checked_at")
        .values("checked_at", "channel", "card_number", "api_client_id", "site_name", "report_id")[
            :HOLDER_LOG_MAX_ENTRIES
        ]
    )
    names = api_client_names(r["api_client_id"] for r in rows)
    report_ids = {r["report_id"] for r in rows if r["report_id"]}
    reports = dict(CrewReport.objects.filter(pk__in=report_ids).values_list("pk", "requester_org"))
    entries = tuple(
        LogEntry(r["checked_at"], r["channel"], r["card_number"], _who(r, names, reports))
        for r in rows
    )
    per_day = tuple(
        DayCount(r["day"], r["channel"], r["n"])
        for r in base.filter(channel__in=_COUNTED)
        .annotate(day=TruncDate("checked_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "channel")
        .annotate(n=Count("check_id"))
        .order_by("-day", "channel")
    )
    return HolderLog(numbers, entries, per_day, since)
