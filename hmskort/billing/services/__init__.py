"""Billing services (writes): invoices and credit notes, and sending them."""

from hmskort.billing.services.dispatch import (  # noqa: F401
    ehf_send_pending,
    post_letters_mark_printed,
)
from hmskort.billing.services.invoices import (  # noqa: F401
    credit_note_for_card,
    credit_notes_sweep,
    invoice_for_order,
    invoices_monthly_run,
    order_confirmed,
)
