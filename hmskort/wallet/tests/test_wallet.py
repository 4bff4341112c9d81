"""The digital card wallet: only the holder's cards, live QR tokens, offline assets."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.utils import timezone

from hmskort.cards.models import CardState
from hmskort.cards.qr import LIVE_WINDOW_SECONDS, card_from_live_qr_token, live_window_start
from hmskort.cards.services.transitions import card_transition
from hmskort.core.signing import TokenExpired, verify_token
from hmskort.wallet import selectors
from hmskort.wallet.tests.factories import PHOTO_BYTES, upload_for


def _tokens(response) -> dict:
    html = response.content.decode()
    raw = re.search(
        r'<script id="wallet-tokens" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(raw.group(1))


def test_the_wallet_needs_a_person_login(client, db):
    response = client.get("/mitt-hms-kort/")
    assert response.status_code == 302
    assert response["Location"].startswith("/logg-inn")


def test_the_wallet_shows_each_of_my_cards_and_never_anyone_elses(worker_client, worker, other):
    response = worker_client.get("/mitt-hms-kort/")
    assert response.status_code == 200
    html = response.content.decode()
    for card in worker.cards:
        assert f'data-card="{card.card_number}"' in html
        assert card.employer_name in html
    assert "Gyldig" in html
    assert other.cards[0].card_number not in html
    assert "ANDRE BYGG AS" not in html
    assert response["Cache-Control"] == "no-store, private"
    # Tokens for both cards, none for the other person's.
    tokens = _tokens(response)
    assert set(tokens["cards"]) == {c.card_number for c in worker.cards}


def test_an_invalid_card_shows_its_reason_and_no_qr_code(worker_client, worker):
    card = worker.cards[0]
    card_transition(
        card=card,
        to_state=CardState.INVALID,
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type="job",
    )
    response = worker_client.get("/mitt-hms-kort/")
    html = response.content.decode()
    article = html.split(f'data-card="{card.card_number}"', 1)[1].split("</article>", 1)[0]
    assert "Ugyldig" in article
    assert "Aa-registeret" in article  # the reason, in words
    assert "data-qr" not in article
    assert card.card_number not in _tokens(response)["cards"]


def test_tokens_change_every_window_and_each_opens_only_in_its_own(worker):
    now = timezone.now()
    cards = selectors.wallet_cards(worker.pid, today=timezone.localdate())
    issued = selectors.live_tokens(cards, now=now, seconds=5 * 60)
    assert issued["window"] == LIVE_WINDOW_SECONDS
    number = worker.cards[0].card_number
    windows = issued["cards"][number]
    assert len(windows) == 10  # 5 minutes of 30-second windows: bounded
    starts = [s for s, _t in windows]
    assert starts[0] == live_window_start(now)
    assert all(b - a == LIVE_WINDOW_SECONDS for a, b in zip(starts, starts[1:], strict=False))
    assert len({t for _s, t in windows}) == len(windows)  # a new code every window
    first, second = windows[0][1], windows[1][1]
    assert card_from_live_qr_token(first, now=now)[0] == number
    later = dt.datetime.fromtimestamp(starts[1] + 1, tz=dt.UTC)
    assert card_from_live_qr_token(second, now=later)[0] == number
    # Verifiable offline with the published keys (typ hmskort-live).
    assert verify_token(second, typ="hmskort-live", now=later)["cn"] == number
    try:
        card_from_live_qr_token(first, now=later + dt.timedelta(minutes=2))
    except TokenExpired:
        pass
    else:  # pragma: no cover
        raise AssertionError("an old window's token must be refused")


def test_preissue_is_bounded(settings, worker):
    settings.HMSKORT_WALLET_PREISSUE_SECONDS = 10 * 24 * 3600
    assert selectors.preissue_seconds() == selectors.MAX_PREISSUE_SECONDS


def test_token_endpoint_issues_only_for_my_own_cards(worker_client, worker, other):
    response = worker_client.get("/mitt-hms-kort/koder.json")
    assert response.status_code == 200
    issued = response.json()
    assert set(issued["cards"]) == {c.card_number for c in worker.cards}
    # Two hours ahead (for offline use), and no more.
    assert issued["until"] - issued["from"] == selectors.DEFAULT_PREISSUE_SECONDS
    assert all(len(w) == 240 for w in issued["cards"].values())
    mine = worker.cards[1].card_number
    response = worker_client.get(f"/mitt-hms-kort/koder.json?kort={mine}")
    assert set(response.json()["cards"]) == {mine}
    response = worker_client.get(f"/mitt-hms-kort/koder.json?kort={other.cards[0].card_number}")
    assert response.status_code == 404
    assert other.cards[0].card_number.encode() not in response.content


def test_the_photo_is_served_to_the_holder_only(client, worker_client, worker, other):
    upload_for(worker.cards[0])
    upload_for(other.cards[0], data=b"\x89PNG-other")
    url = f"/mitt-hms-kort/bilde/{worker.cards[0].card_number}"
    response = worker_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PHOTO_BYTES
    assert response["Cache-Control"] == "private, no-store"
    # The page shows the photo for that card only.
    html = worker_client.get("/mitt-hms-kort/").content.decode()
    assert url in html
    assert f"/mitt-hms-kort/bilde/{worker.cards[1].card_number}" not in html
    # Another person's card, by any URL: 404.
    assert (
        worker_client.get(f"/mitt-hms-kort/bilde/{other.cards[0].card_number}").status_code == 404
    )
    # A photo not yet approved is not on the card.
    assert (
        worker_client.get(f"/mitt-hms-kort/bilde/{worker.cards[1].card_number}").status_code == 404
    )
    client.logout()
    assert client.get(url).status_code == 302


def test_service_worker_and_manifest_are_served_for_offline_use(client, db):
    response = client.get("/mitt-hms-kort/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/mitt-hms-kort/"
    body = response.content.decode()
    assert "/mitt-hms-kort/" in body and "qrcode.js" in body
    response = client.get("/mitt-hms-kort/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/mitt-hms-kort/"
    assert manifest["scope"] == "/mitt-hms-kort/"


def test_staff_without_a_person_is_told_to_log_in_as_themselves(client, django_user_model):
    staff = django_user_model.objects.create_user("saksbehandler", is_staff=True)
    client.force_login(staff)
    response = client.get("/mitt-hms-kort/")
    assert response.status_code == 403
    assert "ID-porten" in response.content.decode()


def test_a_renewal_order_does_not_hide_the_card_i_carry(worker_client, worker):
    from hmskort.cards.tests.factories import CardFactory

    carried = worker.cards[0]
    renewal = CardFactory(
        employer_orgnr=carried.employer_orgnr,
        employer_name=carried.employer_name,
        holder_id=worker.pid,
        holder_name=carried.holder_name,
    )
    html = worker_client.get("/mitt-hms-kort/").content.decode()
    assert f'data-card="{carried.card_number}"' in html
    assert f'data-card="{renewal.card_number}"' not in html


def test_an_order_not_yet_issued_shows_without_a_qr_code(worker_client, worker):
    from hmskort.cards.tests.factories import CardFactory
    from hmskort.registers.tests.factories import ArbeidsforholdFactory, EnhetFactory

    employment = ArbeidsforholdFactory(
        arbeidsgiver=EnhetFactory(navn="NYTT FIRMA AS"), arbeidstaker=worker.person
    )
    order = CardFactory(
        employer_orgnr=employment.arbeidsgiver.organisasjonsnummer,
        employer_name="NYTT FIRMA AS",
        holder_id=worker.pid,
    )
    response = worker_client.get("/mitt-hms-kort/")
    html = response.content.decode()
    article = html.split(f'data-card="{order.card_number}"', 1)[1].split("</article>", 1)[0]
    assert "Bestilt – ikke utstedt ennå" in article
    assert "data-qr" not in article
    assert order.card_number not in _tokens(response)["cards"]


def test_no_codes_are_issued_past_the_cards_last_valid_day(worker):
    import zoneinfo

    from django.conf import settings

    card = worker.cards[0]
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = dt.datetime.combine(card.valid_until, dt.time(23, 0), tzinfo=tz)
    cards = selectors.wallet_cards(worker.pid, today=card.valid_until)
    issued = selectors.live_tokens(cards, now=now, seconds=2 * 3600)
    windows = issued["cards"][card.card_number]
    assert len(windows) == 120  # one hour of 30-second windows, then the card ends
    midnight = dt.datetime.combine(card.valid_until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    assert windows[-1][0] < midnight.timestamp()
