"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from hmskort.receipts.services import checks_flush, checks_prune


@shared_task(name="receipts.flush")
def receipts_flush() -> int:
    """Drain spooled check records into the database (also those of dead processes)."""
    return checks_flush()


@shared_task(name="receipts.prune")
def receipts_prune() -> int:
    return checks_prune()
