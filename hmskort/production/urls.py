from django.urls import path

from hmskort.production import views

app_name = "production"
urlpatterns = [
    path("partier/<int:batch_id>/batch.json", views.batch_file, name="batch_file"),
    path(
        "partier/<int:batch_id>/kort/<str:card_number>.pdf",
        views.card_face,
        name="card_face",
    ),
]
