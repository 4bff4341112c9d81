"""Helpers for the browser journeys (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Where `shot` writes (gitignored; named in docs/e2e.md and the README).
SCREENSHOTS = Path(os.environ.get("HMSKORT_SCREENSHOTS_DIR", REPO_ROOT / "screenshots"))
PASSWORD = "e2e-passord-9"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def shot(page, name: str) -> list[Path]:
    """Screenshot the whole page at phone (390) and desktop (1280) width.

    Writes screenshots/<name>-phone.png and screenshots/<name>-desktop.png, then
    puts the viewport back as it was. HMSKORT_E2E_SCREENSHOTS=0 turns it off.
    """
    if not _NAME.match(name):
        raise ValueError(f"shot: use lower-case words and dashes for {name!r}")
    if os.environ.get("HMSKORT_E2E_SCREENSHOTS", "1") == "0":
        return []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    written = []
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        if page.viewport_size != size:
            page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        written.append(path)
    if original and page.viewport_size != original:
        page.set_viewport_size(original)
    return written


def path_of(url: str) -> str:
    """The path and query of an absolute URL (e.g. a QR URL printed for the public host)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def staff_user(username: str, *, groups: tuple[str, ...] = (), superuser: bool = False):
    """A staff user with a password (use the `fast_passwords` fixture) in `groups`."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    for name in groups:
        # get_or_create: a transactional test's flush removes rows made by data migrations.
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def admin_login(page, username: str, password: str = PASSWORD) -> None:
    """Fill in Django admin's login form on the current page and submit it."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()


def png(size: tuple[int, int] | None = None, colour=(205, 215, 225)) -> bytes:
    """A PNG image. Without `size`: a photo that passes the automatic photo checks
    (from hmskort/photocheck/testset); with `size`: a flat image of that size (a
    stand-in for a scanned ID document, or a photo the checks refuse: no face)."""
    import io

    from PIL import Image

    if size is None:
        return good_photo()
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def good_photo() -> bytes:
    """A PNG card photo that passes every automatic photo check."""
    from hmskort.photocheck.testset import good_photo_bytes

    return good_photo_bytes("png")


def good_id_document() -> bytes:
    """A JPEG passport page with a valid machine-readable zone (of Kari Nordmann,
    born 17.04.1985: other people's uploads with it are refused on birth date when
    the type is "Pass"; choose another document type for them)."""
    from hmskort.photocheck.testset import good_id_document_bytes

    return good_id_document_bytes()


def log_in_with_testid(page, pid: str) -> None:
    """Log in to the portal as a person: the login page, then TestID (the local
    OpenID provider), then back through the OIDC code flow. Ends on the page the
    portal shows after login."""
    from playwright.sync_api import expect

    page.goto("/logg-inn")
    page.get_by_role("link", name="Logg inn med ID-porten").click()
    expect(page.get_by_role("heading", name="TestID: logg inn med testperson")).to_be_visible()
    page.get_by_label("Fødselsnummer eller D-nummer").fill(pid)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page.get_by_role("banner").get_by_test_id("profile-menu")).to_be_visible()


def choose_company(page, name: str) -> None:
    """On "Velg virksomhet": choose the company called `name`."""
    page.get_by_role("button", name=f"Velg {name}").click()
