"""The portal's answer to the cards app's documents port (`hmskort.cards.documents`).

The documents state of an (orgnr, person) pair is the status of the newest
upload set for that pair: approved -> APPROVED, waiting for review ->
UNDER_REVIEW, rejected -> REJECTED (both must be uploaded again); no upload
set -> MISSING. Registered in `PortalConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Collection

from hmskort.eligibility.facts import DocumentsState
from hmskort.portal.models import UploadSet, UploadStatus

Pair = tuple[str, str]

_STATE_BY_STATUS = {
    UploadStatus.APPROVED: DocumentsState.APPROVED,
    UploadStatus.PENDING_REVIEW: DocumentsState.UNDER_REVIEW,
    UploadStatus.REJECTED: DocumentsState.REJECTED,
}


def documents_state_for_pairs(pairs: Collection[Pair]) -> dict[Pair, DocumentsState]:
    """Each pair's documents state, in one query per 1,000 companies however many pairs."""
    wanted = set(pairs)
    result: dict[Pair, DocumentsState] = dict.fromkeys(wanted, DocumentsState.MISSING)
    by_orgnr: dict[str, set[str]] = {}
    for orgnr, person_id in wanted:
        by_orgnr.setdefault(orgnr, set()).add(person_id)
    orgnrs = sorted(by_orgnr)
    seen: set[Pair] = set()
    for start in range(0, len(orgnrs), 1000):
        chunk = orgnrs[start : start + 1000]
        persons = set().union(*(by_orgnr[o] for o in chunk))
        rows = (
            UploadSet.objects.filter(orgnr__in=chunk, person_id__in=persons)
            .order_by("orgnr", "person_id", "-created_at", "-id")
            .values_list("orgnr", "person_id", "status")
        )
        for orgnr, person_id, status in rows.iterator(chunk_size=5000):
            pair = (orgnr, person_id)
            if pair in seen or pair not in result:
                continue
            seen.add(pair)  # the newest set of the pair decides
            result[pair] = _STATE_BY_STATUS.get(status, DocumentsState.MISSING)
    return result
