from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "hmskort.events"
    label = "events"
    verbose_name = _("Hendelser og webhooks")

    def ready(self) -> None:
        from hmskort.cards.signals import card_state_changing
        from hmskort.events.receivers import on_card_state_changing

        card_state_changing.connect(on_card_state_changing, dispatch_uid="events-outbox")
