from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "hmskort.intelligence"
    label = "intelligence"
    verbose_name = _("Analyse og risiko")
