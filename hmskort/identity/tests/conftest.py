"""Identity tests run with the login settings from hmskort.identity.oidc_settings
(whether or not config/settings.py has taken them in yet)."""

from __future__ import annotations

import pytest

from hmskort.identity import oidc_settings
from hmskort.identity.tests.transport import in_process_http  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def identity_settings(settings):
    for name in oidc_settings.__all__:
        if name.isupper():
            setattr(settings, name, getattr(oidc_settings, name))
    provider = settings.OAUTH2_PROVIDER
    if "OIDC_ENABLED" not in provider:
        provider = oidc_settings.oauth2_provider_with_testid(provider)
    # django-oauth-toolkit caches its OAuth server per view on the first request; other
    # apps' tests may have run first with their own settings.
    settings.OAUTH2_PROVIDER = {**provider, "ALWAYS_RELOAD_OAUTHLIB_CORE": True}
    settings.HMSKORT_TESTID_ENABLED = True
    # The TestID client's secret is a hashed password: skip PBKDF2's cost in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings
