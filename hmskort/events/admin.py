from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hmskort.events.models import CardEvent, Subscriber, WebhookDelivery
from hmskort.events.targets import WebhookUrlRefused, webhook_url_check


class SubscriberAdminForm(forms.ModelForm):
    url = forms.URLField(label=_("mottaksadresse (URL)"), max_length=500, assume_scheme="https")

    class Meta:
        model = Subscriber
        fields = ("name", "url", "active", "orgnrs", "sites", "api_client", "owner_orgnr")

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_url_check(url)  # no webhooks to internal addresses (SSRF)
        except WebhookUrlRefused as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return url


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    form = SubscriberAdminForm
    list_display = ("name", "url", "active", "created_at")
    list_filter = ("active",)
    exclude = ("secret",)
    filter_horizontal = ("sites",)
    raw_id_fields = ("api_client",)


@admin.register(CardEvent)
class CardEventAdmin(admin.ModelAdmin):
    list_display = ("seq", "card_number", "from_state", "to_state", "status", "at")
    search_fields = ("card_number", "event_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "subscriber", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    raw_id_fields = ("event", "subscriber")
