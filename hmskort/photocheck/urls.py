from django.urls import path

from hmskort.photocheck import views

app_name = "photocheck"

urlpatterns = [
    path("bildekontroll/", views.live_check, name="live"),
]
