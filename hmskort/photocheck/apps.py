from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotocheckConfig(AppConfig):
    name = "hmskort.photocheck"
    label = "photocheck"
    verbose_name = _("Automatisk kontroll av bilde og ID")
