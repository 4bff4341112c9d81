from django.apps import AppConfig


class ProductionConfig(AppConfig):
    name = "hmskort.production"
    label = "production"
