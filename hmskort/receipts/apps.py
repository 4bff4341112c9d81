from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "hmskort.receipts"
    label = "receipts"
    verbose_name = "Kvitteringer for kortkontroller"
