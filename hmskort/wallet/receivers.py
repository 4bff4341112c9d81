"""Signal receivers of the wallet app (connected in WalletConfig.ready)."""

from __future__ import annotations

from hmskort.casework.models import CaseKind


def on_case_decided(sender, *, case, approved: bool, **kwargs) -> None:
    """A caseworker decided a correction request: mirror it and tell the worker."""
    if case.kind != CaseKind.CORRECTION:
        return
    from hmskort.wallet.services import correction_decided

    correction_decided(case=case, approved=approved)
