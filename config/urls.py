from django.contrib import admin
from django.urls import include, path

from hmskort.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("registre/", include("hmskort.registers.urls")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/", include("hmskort.api.urls")),
    path("", include("hmskort.identity.urls")),
    path("portal/", include("hmskort.portal.urls")),
    path("analyse/", include("hmskort.intelligence.urls")),
    path("produksjon/", include("hmskort.production.urls")),
    path("", include("hmskort.photocheck.urls")),
    path("", include("hmskort.casework.urls")),
    path("", include("hmskort.billing.urls")),
    path("", include("hmskort.sites.urls")),
    path("", include("hmskort.events.urls")),
    path("", include("hmskort.wallet.urls")),
    path("", include("hmskort.receipts.urls")),
    path("", include("hmskort.verification.urls")),
]
