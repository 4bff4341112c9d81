from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "hmskort.verification"
    label = "verification"
