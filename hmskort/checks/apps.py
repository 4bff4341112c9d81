from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "hmskort.checks"
    label = "checks"
