from django.urls import path

from hmskort.wallet import views

app_name = "wallet"

urlpatterns = [
    # The worker's digital cards (works offline once loaded).
    path("mitt-hms-kort/", views.wallet_view, name="wallet"),
    path("mitt-hms-kort/koder.json", views.tokens_view, name="tokens"),
    path("mitt-hms-kort/bilde/<str:number>", views.photo_view, name="photo"),
    path("mitt-hms-kort/sw.js", views.service_worker_view, name="service_worker"),
    path("mitt-hms-kort/manifest.webmanifest", views.manifest_view, name="manifest"),
    # What a scanner opens: the live QR code of a digital card.
    path("qr/live/<str:token>", views.live_qr_view, name="live_qr"),
    # My data (right of access and rectification).
    path("mine-data/", views.my_data_view, name="my_data"),
    path("mine-data/retting", views.correction_view, name="correction"),
    path("mine-data/filer/<int:upload_id>/<str:kind>", views.my_upload_view, name="my_upload"),
    # Inspectors: find a worker by fødselsnummer / D-nummer.
    path("tilsyn/person/", views.inspector_person_view, name="inspector_person"),
    path(
        "tilsyn/person/bilde/<int:upload_id>",
        views.inspector_photo_view,
        name="inspector_photo",
    ),
]
