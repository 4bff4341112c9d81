from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "hmskort.eligibility"
    label = "eligibility"
