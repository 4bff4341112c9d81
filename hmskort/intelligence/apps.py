from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntelligenceConfig(AppConfig):
    name = "hmskort.intelligence"
    label = "intelligence"
    verbose_name = _("Analyse og risiko")

    def ready(self):
        # NACE consistency at order time: a caseworker's decision on a
        # justification lets the pending order continue or rejects it.
        from hmskort.casework.signals import case_decided
        from hmskort.intelligence.justification import on_case_decided

        case_decided.connect(on_case_decided, dispatch_uid="intelligence-nace-justification")
