from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hmskort.core"
    label = "core"
