from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "hmskort.notifications"
    label = "notifications"
    verbose_name = "Varsler og meldinger"

    def ready(self) -> None:
        from hmskort.notifications import receivers

        receivers.connect()
