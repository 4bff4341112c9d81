from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "hmskort.identity"
    label = "identity"
