"""Browser journeys: Playwright (Python) driving Debian's Chromium against a live server.

- Chromium is never downloaded: it is launched from /usr/bin/chromium (override
  with HMSKORT_CHROMIUM), headless, with a fresh throw-away profile (Playwright's
  `launch` creates a new user-data dir per browser and deletes it on close).
  Missing Chromium skips these tests locally and fails them on CI (CI=true);
  scripts/test.sh installs it.
- The server is pytest-django's `live_server` (a real HTTP server in a thread on
  the test database); every test that uses `page` gets `transactional_db`.
- Fixtures: `browser` (one per session), `page` (desktop 1280x800, a fresh
  context per test), `phone` (390x844, is_mobile, touch) and `new_page` (a factory
  for more users in one journey, each in its own context = its own cookies).
- Every page also fails its test on a JavaScript error, a 5xx response or a
  request to any host but the live server (the tests never touch the network).
- Screenshots: `tests.e2e.helpers.shot(page, name)` -> screenshots/ (docs/e2e.md).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, SCREENSHOTS

CHROMIUM = Path(os.environ.get("HMSKORT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Playwright's waits (actions, navigation, `expect`), in milliseconds.
TIMEOUT_MS = int(os.environ.get("HMSKORT_E2E_TIMEOUT_MS", "10000"))
FAILURE_SHOTS = SCREENSHOTS / "failures"


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so `new_page` can photograph failures."""
    report = yield
    setattr(item, f"_e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _playwright():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        message = f"Chromium not found at {CHROMIUM} (scripts/test.sh installs Debian's chromium)"
        if _on_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, which
    # makes Django refuse ORM calls from the test ("async context") while the
    # browser is open. Test set-up and assertions are synchronous code; allow them.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _e2e_clean_state(request):
    """Rate-limit counters and other cached state never leak from one journey to the next."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fast_passwords(settings):
    """Password logins (admin) without the cost of PBKDF2 (the server thread shares settings)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_page(browser, live_server, request):
    """Factory: `new_page(phone=False)` -> a Page in its own fresh context (own cookies).

    Relative URLs (`page.goto("/status")`) go to the live server. Each page records
    JavaScript errors, 5xx responses and requests to other hosts; any of them fails
    the test when it ends. A failed test leaves a screenshot of every page it opened
    in screenshots/failures/.
    """
    base = live_server.url
    local_host = urlsplit(base).hostname
    opened: list[tuple[object, object, list[str]]] = []

    def make(*, phone: bool = False):
        options = {
            "base_url": base,
            "locale": "nb-NO",
            "timezone_id": "Europe/Oslo",
            "viewport": PHONE if phone else DESKTOP,
        }
        if phone:
            options.update(is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))

        def on_response(response):
            if response.status >= 500:
                problems.append(f"{response.status} from {response.url}")

        def on_request(req):
            host = urlsplit(req.url).hostname
            if req.url.startswith(("http:", "https:")) and host != local_host:
                problems.append(f"request to another host: {req.url}")

        page.on("response", on_response)
        page.on("request", on_request)
        opened.append((context, page, problems))
        return page

    yield make

    failed = getattr(request.node, "_e2e_report_call", None)
    failed = failed is not None and failed.failed
    found: list[str] = []
    for n, (context, page, problems) in enumerate(opened):
        if failed:
            FAILURE_SHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            with contextlib.suppress(Exception):  # best effort; the failure is reported
                page.screenshot(path=str(FAILURE_SHOTS / f"{name}-{n}.png"), full_page=True)
        found.extend(problems)
        context.close()
    if found and not failed:
        pytest.fail("The browser saw problems:\n" + "\n".join(found), pytrace=False)


@pytest.fixture
def page(new_page):
    """A desktop page (1280x800) on the live server."""
    return new_page()


@pytest.fixture
def phone(new_page):
    """A phone page (390x844, is_mobile, touch) on the live server."""
    return new_page(phone=True)


@pytest.fixture
def portal_settings(settings, tmp_path, fast_passwords):
    """The portal as configured for the demo: TestID login on this server, uploads in a
    temporary private media root. Applies hmskort.identity.oidc_settings when
    config/settings.py has not taken it in (yet). Fast password hashing: the OpenID
    client's secret is a hashed password too."""
    from hmskort.identity import oidc_settings

    for name in oidc_settings.__all__:
        if name.isupper():
            setattr(settings, name, getattr(oidc_settings, name))
    if "OIDC_ENABLED" not in settings.OAUTH2_PROVIDER:
        settings.OAUTH2_PROVIDER = oidc_settings.oauth2_provider_with_testid(
            settings.OAUTH2_PROVIDER
        )
    # django-oauth-toolkit caches its OAuth server per view; earlier tests in the
    # same process may have built it from other settings.
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALWAYS_RELOAD_OAUTHLIB_CORE": True}
    settings.HMSKORT_TESTID_ENABLED = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings
