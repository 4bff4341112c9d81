"""Card events: the outbox write, the dispatcher, and webhook delivery.

1. `card_events_record` (the `card_state_changing` receiver, see apps.py) writes
   one `CardEvent` per change inside the card's own transaction, in one bulk
   INSERT per transaction or re-check chunk, and asks for a dispatch after the
   commit (once per transaction).
2. `events_dispatch` gives committed events their feed position `seq` under one
   lock (gap-free, commit order) and creates a `WebhookDelivery` per covering
   subscriber.
3. `webhooks_deliver` POSTs each due delivery, signed (HMAC-SHA256, see
   `signature_header`), claiming the row with SKIP LOCKED so two workers never
   send the same delivery; a failure backs it off exponentially. The receiver
   deduplicates on the event id (`X-HMSKort-Event-Id`): a redelivery (e.g. our
   answer was lost after it accepted) carries the same id and body. Before each
   POST the receiver's host is resolved again and an internal address is
   refused (`targets`: SSRF); such a delivery is marked failed at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Iterable, Sequence

import requests
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hmskort.cards.status import public_status
from hmskort.core.errors import ApplicationError
from hmskort.events.models import CardEvent, DeliveryStatus, Subscriber, WebhookDelivery
from hmskort.events.targets import (
    UNRESOLVED,
    WebhookUrlRefused,
    guarded_session,
    webhook_target_check,
    webhook_url_check,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-HMSKort-Signature"
EVENT_ID_HEADER = "X-HMSKort-Event-Id"
ATTEMPT_HEADER = "X-HMSKort-Delivery-Attempt"
#: A signature older than this should be refused by the receiver (replays).
SIGNATURE_TOLERANCE_SECONDS = 300

BACKOFF_BASE = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
MAX_ATTEMPTS = 15  # about eight hours of retries with the defaults
TIMEOUT_SECONDS = (3.0, 10.0)  # connect, read
#: The advisory lock that serialises dispatchers (any fixed 64-bit number).
_DISPATCH_LOCK = 0x484D53_4556_0001


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- 1. the outbox write (inside the card's transaction) -----------------------------


def card_events_record(events: Sequence[dict], *, today: dt.date | None = None) -> int:
    """One CardEvent per changed card (the `card_state_changing` payload), in one INSERT."""
    if not events:
        return 0
    today = today or timezone.localdate()
    rows = []
    for event in events:
        card = event["card"]
        status, reasons = public_status(
            state=event["to_state"],
            reason_codes=event["reason_codes"],
            valid_until=card.valid_until,
            today=today,
        )
        rows.append(
            CardEvent(
                history_id=event["history_id"],
                card_id=event["card_id"],
                card_number=event["card_number"],
                card_type=card.card_type,
                employer_orgnr=card.employer_orgnr,
                from_state=event["from_state"] or "",
                to_state=event["to_state"],
                status=status,
                reason_codes=list(reasons),
                at=event["at"],
            )
        )
    CardEvent.objects.bulk_create(rows, batch_size=2000)
    dispatch_on_commit()
    return len(rows)


def _dispatch_after_commit() -> None:
    from hmskort.events.tasks import events_dispatch_task

    try:
        events_dispatch_task.delay()
    except Exception:  # the broker is down: the beat's periodic dispatch picks them up
        logger.exception("could not enqueue the event dispatch; the beat will")


def dispatch_on_commit() -> None:
    """Ask for a dispatch once the current transaction commits (once per transaction)."""
    if not _setting("HMSKORT_EVENTS_DISPATCH_ON_COMMIT", True):
        return
    conn = transaction.get_connection()
    if any(entry[1] is _dispatch_after_commit for entry in getattr(conn, "run_on_commit", [])):
        return
    transaction.on_commit(_dispatch_after_commit)


# --- 2. dispatch: feed position and fan-out -------------------------------------------


def _lock_dispatch() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_DISPATCH_LOCK])
    # SQLite: writers are serialised by the database itself.


def subscriber_orgnrs(subscribers: Iterable[Subscriber]) -> dict[int, frozenset[str]]:
    """The companies each subscriber covers (listed orgnrs + companies on its sites)."""
    from hmskort.sites.models import SiteCompany

    subscribers = list(subscribers)
    site_ids = {s.pk: [site.pk for site in s.sites.all()] for s in subscribers}
    all_sites = {pk for ids in site_ids.values() for pk in ids}
    by_site: dict[int, set[str]] = {}
    for site_id, orgnr in SiteCompany.objects.filter(site_id__in=all_sites).values_list(
        "site_id", "orgnr"
    ):
        by_site.setdefault(site_id, set()).add(orgnr)
    out = {}
    for s in subscribers:
        covered = {str(o) for o in (s.orgnrs or [])}
        for site_id in site_ids[s.pk]:
            covered |= by_site.get(site_id, set())
        out[s.pk] = frozenset(covered)
    return out


def events_dispatch(*, batch: int = 1000, now: dt.datetime | None = None) -> int:
    """Give up to `batch` committed, undispatched events their `seq` and create
    their webhook deliveries; return how many were dispatched."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_dispatch()
        events = list(CardEvent.objects.filter(seq__isnull=True).order_by("id")[:batch])
        if not events:
            return 0
        last = (
            CardEvent.objects.filter(seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", flat=True)
        ).first() or 0
        for offset, event in enumerate(events, start=1):
            event.seq = last + offset
            event.dispatched_at = now
        CardEvent.objects.bulk_update(events, ["seq", "dispatched_at"], batch_size=1000)
        subscribers = list(Subscriber.objects.filter(active=True).prefetch_related("sites"))
        covered = subscriber_orgnrs(subscribers)
        deliveries = [
            WebhookDelivery(event=event, subscriber=sub, next_attempt_at=now)
            for event in events
            for sub in subscribers
            if event.employer_orgnr in covered[sub.pk]
        ]
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=2000)
        if deliveries:
            deliver_on_commit()
    return len(events)


def events_dispatch_all(*, batch: int = 1000) -> int:
    total = 0
    while True:
        done = events_dispatch(batch=batch)
        total += done
        if done < batch:
            return total


# --- 3. webhook delivery --------------------------------------------------------------


def _deliver_after_commit() -> None:
    from hmskort.events.tasks import webhooks_deliver_task

    try:
        webhooks_deliver_task.delay()
    except Exception:
        logger.exception("could not enqueue webhook delivery; the beat will")


def deliver_on_commit() -> None:
    conn = transaction.get_connection()
    if any(entry[1] is _deliver_after_commit for entry in getattr(conn, "run_on_commit", [])):
        return
    transaction.on_commit(_deliver_after_commit)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt (1-based): base * 2^(n-1), capped."""
    base = _setting("HMSKORT_WEBHOOK_BACKOFF_BASE", BACKOFF_BASE)
    cap = _setting("HMSKORT_WEBHOOK_BACKOFF_CAP", BACKOFF_CAP)
    return min(base * (2 ** max(attempts - 1, 0)), cap)


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def signature_verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """The receiver's check (the documented recipe): recompute and compare in constant time."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def webhook_body(event: CardEvent) -> bytes:
    return json.dumps(event.payload(), separators=(",", ":"), sort_keys=True).encode()


def _post(delivery: WebhookDelivery) -> requests.Response:
    """POST the delivery; raises WebhookUrlRefused for an internal target (SSRF)."""
    webhook_target_check(delivery.subscriber.url)
    body = webhook_body(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "HMS-kort-webhooks/1",
        EVENT_ID_HEADER: str(delivery.event.event_id),
        ATTEMPT_HEADER: str(delivery.attempts + 1),
        SIGNATURE_HEADER: signature_header(delivery.subscriber.secret, body),
    }
    with guarded_session() as session:
        return session.post(
            delivery.subscriber.url,
            data=body,
            headers=headers,
            timeout=_setting("HMSKORT_WEBHOOK_TIMEOUT", TIMEOUT_SECONDS),
            allow_redirects=False,
        )


def _record_failure(delivery: WebhookDelivery, error: str, *, now: dt.datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    if delivery.attempts >= _setting("HMSKORT_WEBHOOK_MAX_ATTEMPTS", MAX_ATTEMPTS):
        delivery.status = DeliveryStatus.FAILED
        logger.error("webhook delivery %s failed for good: %s", delivery.pk, error)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        logger.warning(
            "webhook delivery %s attempt %s failed, retry at %s: %s",
            delivery.pk,
            delivery.attempts,
            delivery.next_attempt_at,
            error,
        )
    delivery.save(
        update_fields=["attempts", "last_error", "status", "next_attempt_at", "last_status_code"]
    )


def _refuse_target(delivery: WebhookDelivery, exc: WebhookUrlRefused) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.attempts += 1
    delivery.last_error = f"Refused (SSRF protection), {exc.code}: {exc.message}"[:2000]
    logger.error(
        "webhook delivery %s to subscriber %s refused: %s",
        delivery.pk,
        delivery.subscriber_id,
        exc.message,
    )
    delivery.save(update_fields=["status", "attempts", "last_error", "last_status_code"])


def webhooks_deliver(*, batch: int = 100, now: dt.datetime | None = None) -> int:
    """POST up to `batch` due deliveries; return how many were accepted (2xx).

    Each is claimed, sent and marked in one short transaction holding its row
    lock (SKIP LOCKED), so concurrent workers never send one twice. A receiver
    that fails once is not tried again in this run (its other deliveries wait
    for their own backoff).
    """
    delivered = 0
    down: set[int] = set()
    for _ in range(batch):
        now_i = now or timezone.now()
        with transaction.atomic():
            qs = (
                WebhookDelivery.objects.select_related("event", "subscriber")
                .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now_i)
                .exclude(subscriber_id__in=down)
                .order_by("next_attempt_at", "id")
            )
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            delivery = qs.first()
            if delivery is None:
                break
            if not delivery.subscriber.active:
                delivery.status = DeliveryStatus.FAILED
                delivery.last_error = "subscriber inactive"
                delivery.save(update_fields=["status", "last_error"])
                continue
            try:
                response = _post(delivery)
            except WebhookUrlRefused as exc:
                delivery.last_status_code = None
                if exc.code == UNRESOLVED:  # DNS trouble: retried like a refused connection
                    _record_failure(delivery, f"{exc.code}: {exc.message}", now=now_i)
                else:  # an internal address: never sent, given up at once
                    _refuse_target(delivery, exc)
                down.add(delivery.subscriber_id)
                continue
            except requests.RequestException as exc:
                delivery.last_status_code = None
                _record_failure(delivery, f"{type(exc).__name__}: {exc}", now=now_i)
                down.add(delivery.subscriber_id)
                continue
            delivery.last_status_code = response.status_code
            if not 200 <= response.status_code < 300:
                _record_failure(delivery, f"HTTP {response.status_code}", now=now_i)
                down.add(delivery.subscriber_id)
                continue
            delivery.status = DeliveryStatus.DELIVERED
            delivery.attempts += 1
            delivery.delivered_at = now_i
            delivery.last_error = ""
            delivery.save(
                update_fields=[
                    "status",
                    "attempts",
                    "delivered_at",
                    "last_error",
                    "last_status_code",
                ]
            )
            delivered += 1
    return delivered


# --- subscribers ------------------------------------------------------------------------


class InvalidSubscriber(ApplicationError):
    code = "invalid_subscriber"
    http_status = 422


def subscriber_create(
    *,
    name: str,
    url: str,
    orgnrs: Sequence[str] = (),
    site_ids: Sequence[int] = (),
    api_client=None,
    owner_orgnr: str = "",
    created_by: str = "",
) -> tuple[Subscriber, str]:
    """A new subscriber and its signing secret (returned once; show it once).

    The URL must be allowed by `targets.webhook_url_check`: https only in
    production, and (unless HMSKORT_WEBHOOK_ALLOW_PRIVATE) a host name that
    resolves only to public addresses."""
    url = (url or "").strip()
    try:
        webhook_url_check(url)
    except WebhookUrlRefused as exc:
        raise InvalidSubscriber(
            exc.message, code=exc.code, extra={"fields": {"url": exc.message}}
        ) from None
    if not orgnrs and not site_ids:
        raise InvalidSubscriber(
            "Velg minst én byggeplass eller virksomhet (choose at least one site or company)."
        )
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = Subscriber.objects.create(
            name=name,
            url=url,
            secret=secret,
            orgnrs=sorted({str(o) for o in orgnrs}),
            api_client=api_client,
            owner_orgnr=owner_orgnr,
            created_by=created_by,
        )
        if site_ids:
            sub.sites.set(site_ids)
    return sub, secret
