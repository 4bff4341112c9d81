"""The site fixtures (a main contractor, its site, a reader, a worker's card)."""

from hmskort.sites.tests.conftest import (  # noqa: F401
    _fast_secrets,
    api,
    contractor,
    owner_client,
    owner_person,
    reader,
    site,
    worker_card,
)
