"""Celery tasks: thin wrappers around the production services.

Suggested beat entries (config/ is the lead's): production_batch_create every
hour on weekdays, producer_process daily in the simulated setup.
"""

from __future__ import annotations

from celery import shared_task

from hmskort.production.services import producer_process, production_batch_create


@shared_task(name="production.batch_create")
def production_batch_create_task() -> int | None:
    batch = production_batch_create()
    return batch.pk if batch else None


@shared_task(name="production.producer_process")
def producer_process_task() -> dict:
    result = producer_process()
    return {
        "batches": result.batches,
        "shipped": result.shipped,
        "withdrawn": result.withdrawn,
        "failed": result.failed,
    }
