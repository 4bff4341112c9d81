from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "hmskort.billing"
    label = "billing"
    verbose_name = _("Fakturering")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hmskort.billing import checks, receivers  # noqa: F401
        from hmskort.billing.seed import seed_after_migrate

        receivers.connect()
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="billing-seed")
