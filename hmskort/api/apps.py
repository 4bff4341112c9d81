from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hmskort.api"
    label = "api"
