"""The documents port: where the photo and ID document of an order stand.

The order rules gate effectuation on an approved photo and ID document
(`Requirement.DOCUMENTS`, `Facts.documents`). The cards app does not know where
uploads live (the portal depends on cards, not the other way round), so the
app that stores and reviews uploads registers a provider here in its
`AppConfig.ready()`:

    from hmskort.cards.documents import documents_provider_register
    documents_provider_register(documents_state_for_pairs)

A provider takes a collection of (employer_orgnr, holder_id) pairs and returns
a `DocumentsState` for each of them in a fixed number of queries (bulk, never
one query per pair). A pair missing from its answer counts as MISSING.

With no provider registered the documents are not tracked (`None`: the rules
make no finding); `documents_for_pairs` logs a warning once, because in a full
installation that means the gate is open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping

from hmskort.eligibility.facts import DocumentsState

logger = logging.getLogger(__name__)

Pair = tuple[str, str]  # (employer_orgnr, holder_id)
DocumentsProvider = Callable[[Collection[Pair]], Mapping[Pair, DocumentsState]]

_provider: DocumentsProvider | None = None
_warned = False


def documents_provider_register(provider: DocumentsProvider | None) -> DocumentsProvider | None:
    """Set the provider (None removes it); returns the previous one (for tests)."""
    global _provider
    previous, _provider = _provider, provider
    return previous


def documents_provider() -> DocumentsProvider | None:
    return _provider


def documents_for_pairs(pairs: Collection[Pair]) -> dict[Pair, DocumentsState | None]:
    """The documents state of each pair (every requested pair is in the answer);
    None for every pair when no provider is registered (not tracked)."""
    global _warned
    wanted = set(pairs)
    if _provider is None:
        if not _warned:
            logger.warning("No documents provider registered: photo/ID do not gate orders.")
            _warned = True
        return dict.fromkeys(wanted)
    if not wanted:
        return {}
    states = _provider(wanted)
    return {pair: DocumentsState(states.get(pair, DocumentsState.MISSING)) for pair in wanted}
