"""The digital HMS card in a real browser (issue 7): a worker with cards from two
employers logs in with TestID, sees both cards with a QR code that changes every
30 seconds (the browser's clock is moved on), and still sees them offline."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from hmskort.cards.qr import card_from_live_qr_token
from hmskort.wallet.tests.factories import make_worker, upload_for
from tests.e2e.helpers import admin_login, log_in_with_testid, path_of, png, shot, staff_user

pytestmark = pytest.mark.e2e

EMPLOYERS = ("BETONGLAGET AS", "TAKSTEIN OG BLIKK AS")


def _qr_text(locator) -> str:
    """What the QR code on the screen holds, read by a barcode reader."""
    image = Image.open(io.BytesIO(locator.screenshot()))
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code could be read from the screen"
    return found[0].text


def test_worker_sees_both_cards_with_a_changing_qr_code_and_offline(
    page, new_page, portal_settings
):
    worker = make_worker("Wiktoria", "Kowalska", EMPLOYERS)
    upload_for(worker.cards[0], data=png())
    log_in_with_testid(page, worker.pid)
    page.clock.install()
    page.goto("/mitt-hms-kort/")
    expect(page.get_by_role("heading", name="Mine HMS-kort")).to_be_visible()

    cards = page.locator("[data-card]")
    expect(cards).to_have_count(2)
    for card, employer in zip(worker.cards, EMPLOYERS, strict=True):
        article = page.get_by_test_id(f"card-{card.card_number}")
        expect(article.get_by_role("heading", name=employer)).to_be_visible()
        expect(article.get_by_test_id("status")).to_contain_text("Gyldig")
        expect(article).to_contain_text(worker.person.fulltnavn)
    photo = page.get_by_test_id(f"card-{worker.cards[0].card_number}").get_by_role(
        "img", name="Bilde av deg på kortet"
    )
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 0

    qr = page.get_by_test_id(f"card-{worker.cards[0].card_number}").get_by_test_id("qr")
    expect(qr).to_have_attribute("data-token", re.compile(r".+"))
    # The page carries the first minutes of codes and fetches hours more at once.
    expect(page.locator("[data-wallet]")).to_have_attribute("data-tokens-until", re.compile(r"\d+"))
    before = qr.get_attribute("data-token")
    url_before = _qr_text(qr)
    assert url_before == qr.get_attribute("data-url")
    assert url_before.endswith(before)
    assert card_from_live_qr_token(before)[0] == worker.cards[0].card_number
    shot(page, "wallet")

    # A scanner opening the code sees the holder and the status (a phone, no login).
    scanner = new_page(phone=True)
    scanner.goto(path_of(url_before))
    expect(scanner.get_by_role("heading", name="Gyldig", exact=True)).to_be_visible()
    expect(scanner.get_by_text(worker.person.fulltnavn)).to_be_visible()
    expect(scanner.get_by_text(EMPLOYERS[0])).to_be_visible()
    shot(scanner, "wallet-live-qr")

    # 30 seconds later the code is another one (a screenshot of the old one ages out).
    page.clock.fast_forward(30_000)
    expect(qr).not_to_have_attribute("data-token", before)
    after = qr.get_attribute("data-token")
    assert _qr_text(qr).endswith(after)
    assert after != before

    # Works offline once loaded: the service worker serves the page, photo and assets.
    expect(page.locator("[data-wallet]")).to_have_attribute("data-offline-ready", "true")
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("[data-card]")).to_have_count(2)
    expect(page.get_by_text(EMPLOYERS[1])).to_be_visible()
    expect(page.locator("[data-offline-note]")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    qr = page.get_by_test_id(f"card-{worker.cards[0].card_number}").get_by_test_id("qr")
    expect(qr).to_have_attribute("data-token", re.compile(r".+"))
    # Beyond the tokens the page itself carried: the ones fetched ahead (kept by the
    # service worker) go on working offline.
    offline_token = qr.get_attribute("data-token")
    page.clock.fast_forward("15:00")
    expect(qr).not_to_have_attribute("data-token", offline_token)
    expect(qr).to_have_attribute("data-token", re.compile(r".+"))
    later = qr.get_attribute("data-token")
    assert later not in (before, after, offline_token)
    assert _qr_text(qr).endswith(later)
    shot(page, "wallet-offline")
    page.context.set_offline(False)

    # My data, in Polish: everything held about the worker, and a correction request.
    page.goto("/mine-data/")
    page.get_by_role("button", name="Polski").click()
    expect(page.get_by_role("heading", name="Moje dane", exact=True)).to_be_visible()
    expect(page.get_by_test_id("employments")).to_contain_text(EMPLOYERS[1])
    page.get_by_label("Co jest błędne?").fill("Moje nazwisko jest źle napisane")
    page.get_by_label("Co jest prawidłowe?").fill("Kowalska")
    page.get_by_role("button", name="Wyślij wniosek o sprostowanie").click()
    expect(page.get_by_test_id("correction-status")).to_have_text("W trakcie rozpatrywania")
    shot(page, "my-data")


def test_inspector_finds_the_worker_by_identity_number(page, portal_settings):
    from hmskort.core.models import AuditEvent

    worker = make_worker("Wiktoria", "Kowalska", EMPLOYERS)
    upload_for(worker.cards[1], data=png())
    staff_user("inspektor-person", groups=("Arbeidstilsynet",))
    page.goto("/tilsyn/person/")
    admin_login(page, "inspektor-person")
    expect(page.get_by_role("heading", name="Tilsyn: finn person")).to_be_visible()
    page.get_by_label("Fødselsnummer eller D-nummer").fill(worker.pid)
    page.get_by_label("Formål").fill("Tilsyn 2026/7")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_role("heading", name=worker.person.fulltnavn)).to_be_visible()
    for employer in EMPLOYERS:
        expect(page.get_by_test_id("employers")).to_contain_text(employer)
        expect(page.get_by_test_id("cards")).to_contain_text(employer)
    photo = page.get_by_role("img", name="Bilde av personen")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 0
    assert worker.pid not in page.url
    shot(page, "inspector-person")
    assert AuditEvent.objects.filter(
        action="inspector_person_search", subject_id=worker.pid, purpose="Tilsyn 2026/7"
    ).exists()
