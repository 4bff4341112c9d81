from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "hmskort.wallet"
    label = "wallet"
    verbose_name = _("Digitalt HMS-kort og mine data")

    def ready(self) -> None:
        from hmskort.casework.models import Case
        from hmskort.casework.signals import case_decided
        from hmskort.wallet.receivers import on_case_decided

        case_decided.connect(on_case_decided, sender=Case, dispatch_uid="wallet.case_decided")
