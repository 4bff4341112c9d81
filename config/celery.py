"""The Celery app. Tasks are thin wrappers around services (see ARCHITECTURE.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hmskort")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
