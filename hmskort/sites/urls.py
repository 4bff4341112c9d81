"""Site URLs. Included at "" in config/urls.py, so these are full paths: the main
contractor's pages under /portal/v/<orgnr>/byggeplasser/ (no clash with
hmskort/portal/urls.py) and the inspectors' under /tilsyn/byggeplasser/."""

from django.urls import path

from hmskort.sites import views

app_name = "sites"

P = "portal/v/<str:orgnr>/byggeplasser"
S = P + "/<int:site_id>"

urlpatterns = [
    path(P, views.site_list, name="sites"),
    path(P + "/ny", views.site_create_view, name="site_create"),
    path(S, views.site_detail, name="site"),
    path(S + "/virksomheter", views.site_company_add_view, name="company_add"),
    path(
        S + "/virksomheter/<str:company_orgnr>/fjern",
        views.site_company_remove_view,
        name="company_remove",
    ),
    path(S + "/lesere", views.reader_create_view, name="reader_create"),
    path(
        S + "/lesere/<int:reader_id>/deaktiver",
        views.reader_deactivate_view,
        name="reader_deactivate",
    ),
    path(S + "/brikker", views.chip_register_view, name="chip_register"),
    path(S + "/webhooks", views.subscriber_create_view, name="subscriber_create"),
    path(S + "/mannskapsliste", views.crew_list_view, name="crew"),
    path(S + "/mannskapsliste.csv", views.crew_list_view, {"fmt": "csv"}, name="crew_csv"),
    path(S + "/mannskapsliste.pdf", views.crew_list_view, {"fmt": "pdf"}, name="crew_pdf"),
    path(S + "/arbeidstid", views.hours_view, name="hours"),
    path("tilsyn/byggeplasser/", views.inspector_sites, name="inspector_sites"),
    path(
        "tilsyn/byggeplasser/<int:site_id>/mannskapsliste",
        views.inspector_crew_list,
        name="inspector_crew",
    ),
    path(
        "tilsyn/byggeplasser/<int:site_id>/mannskapsliste.csv",
        views.inspector_crew_list,
        {"fmt": "csv"},
        name="inspector_crew_csv",
    ),
    path(
        "tilsyn/byggeplasser/<int:site_id>/mannskapsliste.pdf",
        views.inspector_crew_list,
        {"fmt": "pdf"},
        name="inspector_crew_pdf",
    ),
    path(
        "tilsyn/byggeplasser/<int:site_id>/arbeidstid",
        views.inspector_hours,
        name="inspector_hours",
    ),
]
