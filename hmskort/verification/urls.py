from django.urls import path

from hmskort.verification import views

app_name = "verification"
urlpatterns = [
    path("status", views.status_view, name="status"),
    path("qr/<str:token>", views.qr_view, name="qr"),
    path(".well-known/jwks.json", views.jwks_view, name="jwks"),
    path("leverandor", views.supplier_view, name="supplier"),
    path("tilsyn/", views.inspector_search_view, name="inspector_search"),
    path("tilsyn/kort/<str:number>", views.inspector_card_view_page, name="inspector_card"),
    path(
        "tilsyn/kort/<str:number>/inndra",
        views.inspector_confiscate_view,
        name="inspector_confiscate",
    ),
    path(
        "tilsyn/kort/<str:number>/fjern-arbeidsforhold",
        views.inspector_remove_employment_view,
        name="inspector_remove_employment",
    ),
]
