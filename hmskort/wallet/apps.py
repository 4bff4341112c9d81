from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "hmskort.wallet"
    label = "wallet"
    verbose_name = _("Digitalt HMS-kort og mine data")
