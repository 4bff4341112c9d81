"""Figures for the statistics pages and the monthly report. Set-based: one
GROUP BY query per figure, never one query per card or company."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from hmskort.cards.models import Card, CardState, CardStatusHistory
from hmskort.cards.services.transitions import VALID_STATES
from hmskort.eligibility.industries import INDUSTRIES
from hmskort.registers import models as reg

from .risk import receipts_available
from .scope import SIZE_BANDS

VALID = [str(s) for s in VALID_STATES]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months up to and including today's month."""
    first = month_start(today)
    return [add_months(first, -n) for n in range(count - 1, -1, -1)]


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- active cards by type over time -----------------------------------------------------------


def active_cards_by_type(*, today: dt.date, months: int = 12) -> dict:
    """Valid cards per card type at the end of each month (today for this month).

    Anchored at today's counts and walked back with the status history's net
    changes per month (a card entering a valid state +1, leaving it -1).
    """
    month_list = months_back(today, months)
    now_counts = dict(
        Card.objects.filter(state__in=VALID)
        .values("card_type")
        .annotate(n=Count("id"))
        .values_list("card_type", "n")
    )
    entering = Q(to_state__in=VALID) & ~Q(from_state__in=VALID)
    leaving = Q(from_state__in=VALID) & ~Q(to_state__in=VALID)
    deltas = (
        CardStatusHistory.objects.filter(at__gte=_aware(month_list[0]))
        .filter(entering | leaving)
        .annotate(month=TruncMonth("at"))
        .values("month", "card__card_type")
        .annotate(
            plus=Count("id", filter=entering),
            minus=Count("id", filter=leaving),
        )
        .values_list("month", "card__card_type", "plus", "minus")
    )
    net: dict[tuple[dt.date, str], int] = defaultdict(int)
    for month, card_type, plus, minus in deltas:
        net[(month_start(_as_date(month)), card_type)] += plus - minus
    types = sorted(set(now_counts) | {t for _m, t in net} | set(INDUSTRIES))
    series: dict[str, list[int]] = {}
    for card_type in types:
        level = now_counts.get(card_type, 0)
        values: list[int] = []
        for month in reversed(month_list):
            values.append(level)  # level at the end of `month`
            level -= net.get((month, card_type), 0)
        series[card_type] = list(reversed(values))
    return {"months": month_list, "series": series}


# --- orders and rejections ----------------------------------------------------------------------


def orders_per_month(*, today: dt.date, months: int = 12) -> dict:
    """Orders (cards created) and rejections per month, with the rejection reasons."""
    month_list = months_back(today, months)
    since = _aware(month_list[0])
    orders = Counter(
        {
            month_start(_as_date(m)): n
            for m, n in Card.objects.filter(created_at__gte=since)
            .annotate(month=TruncMonth("created_at"))
            .values("month")
            .annotate(n=Count("id"))
            .values_list("month", "n")
        }
    )
    rejected_rows = (
        CardStatusHistory.objects.filter(at__gte=since, to_state=CardState.REJECTED)
        .annotate(month=TruncMonth("at"))
        .values_list("month", "reason_codes")
    )
    rejections: Counter = Counter()
    reasons: Counter = Counter()
    for month, codes in rejected_rows:
        rejections[month_start(_as_date(month))] += 1
        for code in codes or ["UNKNOWN"]:
            reasons[code] += 1
    return {
        "months": month_list,
        "orders": [orders.get(m, 0) for m in month_list],
        "rejections": [rejections.get(m, 0) for m in month_list],
        "reasons": reasons.most_common(),
    }


def time_to_effectuated(*, today: dt.date, months: int = 12) -> dict:
    """Average days from order to effectuated (pending -> in production), per month of effectuation."""
    month_list = months_back(today, months)
    rows = (
        CardStatusHistory.objects.filter(
            at__gte=_aware(month_list[0]),
            from_state=CardState.PENDING,
            to_state=CardState.IN_PRODUCTION,
        )
        .annotate(
            month=TruncMonth("at"),
            waited=ExpressionWrapper(F("at") - F("card__created_at"), output_field=DurationField()),
        )
        .values("month")
        .annotate(avg=Avg("waited"), n=Count("id"))
        .values_list("month", "avg", "n")
    )
    by_month = {}
    for month, avg, n in rows:
        days = (
            avg.total_seconds() / 86400 if isinstance(avg, dt.timedelta) else (avg or 0) / 86400e6
        )
        by_month[month_start(_as_date(month))] = (round(max(days, 0.0), 1), n)
    return {
        "months": month_list,
        "days": [by_month.get(m, (0.0, 0))[0] for m in month_list],
        "counts": [by_month.get(m, (0.0, 0))[1] for m in month_list],
    }


# --- coverage by size band (seed 003 figure 4.2) -------------------------------------------------------


def coverage_by_size_band() -> dict:
    """Share of active companies (hovedenheter) in each industry with at least one valid card,
    by registered employees (Enhetsregisteret)."""
    has_card = Exists(
        Card.objects.filter(employer_orgnr=OuterRef("organisasjonsnummer"), state__in=VALID)
    )
    base = reg.Enhet.objects.filter(
        overordnet_enhet__isnull=True, slettedato__isnull=True, konkurs=False
    )
    result: dict[str, list[tuple[int, int]]] = {}
    for code, industry in INDUSTRIES.items():
        q = Q(pk__in=[])
        for prefix in industry.nace_prefixes:
            q |= Q(naeringskode1__startswith=prefix)
        band_filters = {}
        for band, _label, low, high in SIZE_BANDS:
            bq = Q(antall_ansatte__gte=low)
            if high is not None:
                bq &= Q(antall_ansatte__lte=high)
            band_filters[f"n_{band}"] = Count("pk", filter=bq)
            band_filters[f"c_{band}"] = Count("pk", filter=bq & Q(has_card=True))
        counts = base.filter(q).annotate(has_card=has_card).aggregate(**band_filters)
        result[code] = [(counts[f"c_{b}"], counts[f"n_{b}"]) for b, *_rest in SIZE_BANDS]
    return {"bands": [b for b, *_rest in SIZE_BANDS], "industries": result}


# --- checks per day by channel ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecksPerDay:
    available: bool
    days: list[dt.date]
    series: dict[str, list[int]]

    @property
    def has_data(self) -> bool:
        return self.available and any(any(v) for v in self.series.values())


def checks_per_day(*, today: dt.date, days: int = 30) -> ChecksPerDay:
    day_list = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    if not receipts_available():
        return ChecksPerDay(False, day_list, {})
    from hmskort.receipts.models import CardCheck

    rows = (
        CardCheck.objects.filter(checked_at__gte=_aware(day_list[0]))
        .annotate(day=TruncDate("checked_at"))
        .values("day", "channel")
        .annotate(n=Count("check_id"))
        .values_list("day", "channel", "n")
    )
    counts: dict[tuple[dt.date, str], int] = {}
    channels: set[str] = set()
    for day, channel, n in rows:
        counts[(_as_date(day), channel)] = n
        channels.add(channel)
    series = {c: [counts.get((d, c), 0) for d in day_list] for c in sorted(channels)}
    return ChecksPerDay(True, day_list, series)
