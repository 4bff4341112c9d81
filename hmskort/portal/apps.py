from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "hmskort.portal"
    label = "portal"

    def ready(self):
        # The photo/ID gate on orders: the cards app asks us where an order's
        # photo and ID document stand (hmskort.cards.documents).
        from hmskort.cards.documents import documents_provider_register
        from hmskort.portal.uploads.documents import documents_state_for_pairs

        documents_provider_register(documents_state_for_pairs)
