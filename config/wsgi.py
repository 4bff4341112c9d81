"""WSGI entry point: Django, with the API's fast lane in front.

`hmskort.api.fastlane.FastLane` answers `GET /api/v1/ping` and
`GET /api/v1/cards/{n}` with the same view functions, auth and JSON as the
Django path, without Django's request stack; every other request goes to
Django unchanged. `HMSKORT_API_FAST_LANE=0` sends everything to Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

if os.environ.get("HMSKORT_API_FAST_LANE", "1").strip().lower() in {"0", "false", "no", "off"}:
    application = django_application
else:
    from hmskort.api.fastlane import FastLane

    application = FastLane(django_application)
