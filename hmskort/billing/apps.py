from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "hmskort.billing"
    label = "billing"
    verbose_name = _("Fakturering")
