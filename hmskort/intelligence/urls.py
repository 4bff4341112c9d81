from django.urls import path

from . import views

app_name = "intelligence"

urlpatterns = [
    path("", views.index, name="index"),
    path("risiko/", views.risk_list_view, name="risk_list"),
    path("risiko.csv", views.risk_list_csv, name="risk_list_csv"),
    path("statistikk/", views.statistics_view, name="statistics"),
    path("statistikk/rapport.pdf", views.monthly_report, name="monthly_report"),
    path("oppfolging/", views.followup_view, name="followup"),
    path("oppfolging/mva-egenerklaeringer.csv", views.vat_export, name="vat_export"),
]
