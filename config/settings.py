"""Settings for the HMS-kort platform: one module, driven by environment variables.

The embedded default (no variables set) is SQLite with Celery tasks run in-process,
which is what the README's first command serves. Production and CI set
DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# "development", "test" (a national test environment: synthetic numbers accepted)
# or "production".
HMSKORT_ENVIRONMENT = os.environ.get("HMSKORT_ENVIRONMENT", "development")

DEBUG = env_bool("DJANGO_DEBUG", HMSKORT_ENVIRONMENT != "production")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if HMSKORT_ENVIRONMENT == "production":
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-not-for-production"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "oauth2_provider",
    "hmskort.core",
    "hmskort.identity",
    "hmskort.registers",
    "hmskort.eligibility",
    "hmskort.cards",
    "hmskort.checks",
    "hmskort.notifications",
    "hmskort.production",
    "hmskort.verification",
    "hmskort.api",
    "hmskort.receipts",
    "hmskort.portal",
    "hmskort.intelligence",
    "hmskort.photocheck",
    "hmskort.casework",
    "hmskort.billing",
    "hmskort.sites",
    "hmskort.events",
    "hmskort.wallet",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the in-process worker and the web server share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "nb"
# Polish and Lithuanian: the worker-facing pages (digital card, self-upload, my data).
LANGUAGES = [
    ("nb", _("Norsk bokmål")),
    ("en", _("English")),
    ("pl", _("Polski")),
    ("lt", _("Lietuvių")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded photos and ID documents live outside the web root and are never served
# by the static handler; views stream them to those allowed to see them.
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("HMSKORT_PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private")
)

# Celery: Redis in production and on CI; in-process (eager) in the embedded default.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# In the embedded default the outbox is delivered right after the commit that wrote it.
HMSKORT_OUTBOX_DELIVER_ON_COMMIT = env_bool(
    "HMSKORT_OUTBOX_DELIVER_ON_COMMIT", CELERY_TASK_ALWAYS_EAGER
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "HMS-kort <ikke-svar@hmskort.example>")

# When set, Enhetsregisteret is read over HTTP from this base URL (the open API
# or a mirror) instead of the local simulated register.
HMSKORT_ENHETSREGISTERET_URL = os.environ.get("HMSKORT_ENHETSREGISTERET_URL", "")

# Absolute base of links we print or encode (QR codes, e-mails).
HMSKORT_PUBLIC_BASE_URL = os.environ.get("HMSKORT_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# No signed token (QR, receipt) lives longer than this; retired keys stay published as long.
# Encrypts the Ed25519 private keys at rest (unset: derived from SECRET_KEY).
# Changing it makes existing keys unusable for signing: rotate first.
HMSKORT_SIGNING_KEY_PASSPHRASE = os.environ.get("HMSKORT_SIGNING_KEY_PASSPHRASE", "")
HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS = int(
    os.environ.get("HMSKORT_SIGNING_MAX_TOKEN_LIFETIME_DAYS", "800")
)
# Fixed-window rate limits per client: (requests, seconds) pairs.
HMSKORT_RATE_LIMITS = {
    "status": [(30, 60), (300, 3600)],
    "supplier": [(30, 60), (300, 3600)],
}
# How many reverse proxies in front of us add X-Forwarded-For (0: use REMOTE_ADDR).
HMSKORT_TRUSTED_PROXY_COUNT = int(os.environ.get("HMSKORT_TRUSTED_PROXY_COUNT", "0"))

# A shared cache (Redis) so rate limits and token caches hold across processes.
CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Level-1 status rows kept in each web process, evicted by PostgreSQL's change
# notifications (hmskort/api/statuscache.py); the seconds are a safety net only.
HMSKORT_API_STATUS_CACHE = env_bool("HMSKORT_API_STATUS_CACHE", True)
HMSKORT_API_STATUS_CACHE_SECONDS = float(os.environ.get("HMSKORT_API_STATUS_CACHE_SECONDS", "60"))
HMSKORT_API_STATUS_CACHE_SIZE = int(os.environ.get("HMSKORT_API_STATUS_CACHE_SIZE", "200000"))

# Check records and receipts (hmskort/receipts/README.md).
HMSKORT_CHECK_RECORDING = env_bool("HMSKORT_CHECK_RECORDING", True)
HMSKORT_CHECK_RETENTION_DAYS = int(os.environ.get("HMSKORT_CHECK_RETENTION_DAYS", "365"))
HMSKORT_CHECK_SPOOL_DIR = os.environ.get(
    "HMSKORT_CHECK_SPOOL_DIR", str(BASE_DIR / "var" / "check-spool")
)
HMSKORT_CHECK_FLUSH_SECONDS = float(os.environ.get("HMSKORT_CHECK_FLUSH_SECONDS", "2"))
# False: web processes only close their spool files; `manage.py receipts_flush --loop 1`
# (a separate process) writes them to the database (docs/operations.md).
HMSKORT_CHECK_FLUSH_IN_PROCESS = env_bool("HMSKORT_CHECK_FLUSH_IN_PROCESS", True)
# Abuse signals: (count, seconds) thresholds.
HMSKORT_ABUSE_SOURCES_PER_CARD = (10, 600)  # distinct sources looking up one card
HMSKORT_ABUSE_NOT_FOUND_PER_SOURCE = (20, 600)  # unknown numbers from one source
HMSKORT_ABUSE_BLOCK_SECONDS = 3600
HMSKORT_ABUSE_HOT_CARD_LIMIT = (10, 60)  # look-ups of a flagged card
HMSKORT_CREW_REPORT_LIMIT = (20, 3600)  # crew reports per user

# Card rules that are configuration, not law.
HMSKORT_CARD_NUMBER_ATTEMPTS = 20
# Synthetic test identity numbers (Tenor/TestID "+40/+80 month") are refused in production.
HMSKORT_ACCEPT_SYNTHETIC_IDS = env_bool(
    "HMSKORT_ACCEPT_SYNTHETIC_IDS", HMSKORT_ENVIRONMENT != "production"
)
# Webhook receivers on private/loopback addresses (refused in production: SSRF).
HMSKORT_WEBHOOK_ALLOW_PRIVATE = env_bool(
    "HMSKORT_WEBHOOK_ALLOW_PRIVATE", HMSKORT_ENVIRONMENT != "production"
)
# An order pending on the registers this many days becomes a STUCK_ORDER case.
HMSKORT_STUCK_ORDER_DAYS = int(os.environ.get("HMSKORT_STUCK_ORDER_DAYS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# OAuth2 for the API (django-oauth-toolkit): scopes, validator, token storage.
from hmskort.api.oauth_settings import (  # noqa: E402
    OAUTH2_PROVIDER,  # noqa: F401
    OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL,  # noqa: F401
    OAUTH2_PROVIDER_APPLICATION_MODEL,  # noqa: F401
    OAUTH2_PROVIDER_GRANT_MODEL,  # noqa: F401
    OAUTH2_PROVIDER_ID_TOKEN_MODEL,  # noqa: F401
    OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL,  # noqa: F401
)

# Login: the portal is an OIDC relying party; TestID (a local OpenID provider) by default.
from hmskort.identity.oidc_settings import *  # noqa: E402,F403
from hmskort.identity.oidc_settings import oauth2_provider_with_testid  # noqa: E402

OAUTH2_PROVIDER = oauth2_provider_with_testid(OAUTH2_PROVIDER)  # noqa: F405

# Celery beat: one beat process per installation (docs/operations.md).
from hmskort.billing.schedule import BEAT_SCHEDULE as _BILLING_BEAT  # noqa: E402
from hmskort.casework.schedule import BEAT_SCHEDULE as _CASEWORK_BEAT  # noqa: E402
from hmskort.checks.schedule import CELERY_BEAT_SCHEDULE as _CHECKS_BEAT  # noqa: E402
from hmskort.events.schedule import BEAT_SCHEDULE as _EVENTS_BEAT  # noqa: E402
from hmskort.notifications.schedule import BEAT_SCHEDULE as _NOTIFICATIONS_BEAT  # noqa: E402
from hmskort.production.schedule import BEAT_SCHEDULE as _PRODUCTION_BEAT  # noqa: E402
from hmskort.receipts.schedule import BEAT_SCHEDULE as _RECEIPTS_BEAT  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    **_BILLING_BEAT,
    **_CASEWORK_BEAT,
    **_CHECKS_BEAT,
    **_EVENTS_BEAT,
    **_NOTIFICATIONS_BEAT,
    **_PRODUCTION_BEAT,
    **_RECEIPTS_BEAT,
}
# A task not acknowledged within this window (a worker died) is delivered again.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
