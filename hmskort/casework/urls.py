from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("saksbehandling/", views.queue, name="queue"),
    path("saksbehandling/sak/<int:case_id>/", views.case_detail, name="case"),
    path("saksbehandling/sak/<int:case_id>/fil/<str:kind>", views.case_file, name="case_file"),
]
