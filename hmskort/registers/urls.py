"""URLs under /registre/: the simulated Enhetsregisteret open API."""

from django.urls import path

from hmskort.registers import views

app_name = "registers"

API = "enhetsregisteret/api/"

urlpatterns = [
    path(API, views.root, name="brreg-root"),
    path(f"{API}enheter", views.enheter, name="brreg-enheter"),
    path(f"{API}enheter/<str:orgnr>", views.enhet, name="brreg-enhet"),
    path(f"{API}underenheter", views.underenheter, name="brreg-underenheter"),
    path(f"{API}underenheter/<str:orgnr>", views.underenhet, name="brreg-underenhet"),
    path(f"{API}oppdateringer/enheter", views.oppdateringer_enheter, name="brreg-oppdateringer"),
    path(
        f"{API}oppdateringer/underenheter",
        views.oppdateringer_underenheter,
        name="brreg-oppdateringer-underenheter",
    ),
    path(f"{API}organisasjonsformer", views.organisasjonsformer, name="brreg-organisasjonsformer"),
    path(
        f"{API}organisasjonsformer/<str:kode>",
        views.organisasjonsform,
        name="brreg-organisasjonsform",
    ),
]
