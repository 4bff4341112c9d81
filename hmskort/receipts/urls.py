from django.urls import path

from hmskort.receipts import views

app_name = "receipts"
urlpatterns = [
    path("kvittering/verifiser", views.verify_view, name="verify"),
    path("kvittering/mannskap", views.crew_view, name="crew"),
    path("kvittering/<uuid:check_id>", views.receipt_view, name="receipt"),
    path("kvittering/<uuid:check_id>/kvittering.jws", views.receipt_token_view, name="token"),
    path("kvittering/<uuid:check_id>/kvittering.pdf", views.receipt_pdf_view, name="pdf"),
    path("kvittering/<uuid:check_id>/mannskap.csv", views.crew_csv_view, name="csv"),
    path("mine-oppslag", views.holder_log_view, name="holder_log"),
]
