"""Reads about production batches."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from hmskort.production.models import BatchState, ProductionBatch


def overdue_q(today: dt.date) -> Q:
    """Batches not shipped by their due date: still waiting after it, or shipped late."""
    waiting = ~Q(state=BatchState.SHIPPED) & Q(due_date__lt=today)
    shipped_late = Q(state=BatchState.SHIPPED, shipped_at__date__gt=F("due_date"))
    return waiting | shipped_late


def overdue_batches(today: dt.date | None = None) -> QuerySet[ProductionBatch]:
    return ProductionBatch.objects.filter(overdue_q(today or timezone.localdate()))
