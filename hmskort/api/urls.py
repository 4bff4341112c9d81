from django.http import JsonResponse
from django.urls import path, re_path

from hmskort.api.errors import error_body
from hmskort.api.v1 import api as api_v1
from hmskort.api.v2 import api as api_v2

# No app_name: django-ninja reverses its own "api-v1:" / "api-v2:" namespaces from the root.


def not_found(request, *args, **kwargs):
    return JsonResponse(error_body("not_found", "Finnes ikke (not found)."), status=404)


urlpatterns = [
    path("v1/", api_v1.urls),
    path("v2/", api_v2.urls),
    re_path(r"^.*$", not_found),
]
