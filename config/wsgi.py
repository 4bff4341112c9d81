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

# Garbage collection in a web worker. Everything loaded at start-up (Django,
# the URL configuration and every view module it imports, the fast lane) lives
# as long as the process; without this each full collection walked all of it
# again: pauses of 100-135 ms, several a minute under load, in the middle of
# answering (seen with gc.callbacks in bench/status_load.py's workers). Load it
# all now, then move it out of the collector's sight (gc.freeze), and collect
# the youngest generation less often: request garbage is freed by reference
# counting, the collector is only needed for cycles.
if os.environ.get("HMSKORT_GC_FREEZE", "1").strip().lower() not in {"0", "false", "no", "off"}:
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every URL module and view)
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 10, 10)
