"""Reads: which companies' card events an API client may see, and the feed itself."""

from __future__ import annotations

from hmskort.api.auth import ApiPrincipal
from hmskort.api.models import ApiLevel
from hmskort.events.models import CardEvent, Subscriber


def feed_orgnrs(principal: ApiPrincipal) -> frozenset[str]:
    """The companies whose card events `principal` may read.

    - a level-2 client: its own company (as everywhere in API level 2);
    - a level-1 client that is a webhook subscriber: what the subscription covers.
    Anyone else: nothing (an empty feed). Gate readers never get here: their
    token has only the gate scope, which the feed does not accept.
    """
    from hmskort.events.services import subscriber_orgnrs

    if principal.level == ApiLevel.LEVEL2:
        return frozenset({principal.orgnr}) if principal.orgnr else frozenset()
    orgnrs: set[str] = set()
    subs = list(
        Subscriber.objects.filter(api_client_id=principal.client_pk, active=True).prefetch_related(
            "sites"
        )
    )
    for covered in subscriber_orgnrs(subs).values():
        orgnrs |= covered
    return frozenset(orgnrs)


def feed_page(*, orgnrs: frozenset[str], after: int, limit: int) -> tuple[list[CardEvent], bool]:
    """Events with `seq` > `after` for those companies, oldest first; and whether more follow."""
    if not orgnrs:
        return [], False
    rows = list(
        CardEvent.objects.filter(seq__gt=after, employer_orgnr__in=sorted(orgnrs)).order_by("seq")[
            : limit + 1
        ]
    )
    return rows[:limit], len(rows) > limit
