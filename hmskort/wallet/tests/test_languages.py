"""Worker-facing pages in Norwegian, English, Polish and Lithuanian."""

from __future__ import annotations

import pytest

from hmskort.cards.qr import card_live_qr_token
from hmskort.cards.services.transitions import card_transition


@pytest.mark.parametrize(
    ("language", "heading", "status"),
    [
        ("nb", "Mine HMS-kort", "Gyldig"),
        ("en", "My HMS cards", "Valid"),
        ("pl", "Moje karty HMS", "Ważna"),
        ("lt", "Mano HMS kortelės", "Galioja"),
    ],
)
def test_the_wallet_speaks_the_workers_language(worker_client, language, heading, status):
    response = worker_client.get("/mitt-hms-kort/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html and status in html


def test_polish_and_lithuanian_are_offered_on_worker_pages(worker_client):
    html = worker_client.get("/mine-data/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Moje dane" in html
    assert "Poproś o sprostowanie" in html
    assert 'value="lt"' in html  # the language switcher offers Lithuanian here


def test_reasons_are_in_polish_too(worker_client, worker):
    card_transition(
        card=worker.cards[0],
        to_state="invalid",
        reason_codes=["EMPLOYMENT_NOT_REGISTERED"],
        actor_type="job",
    )
    html = worker_client.get("/mitt-hms-kort/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Nieważna – zatrudnienie nie jest zarejestrowane w Aa-registeret ani OAR" in html


def test_the_expired_live_code_page_in_lithuanian(client, worker):
    import datetime as dt

    from django.utils import timezone

    from hmskort.cards.qr import live_window_start

    old = timezone.now() - dt.timedelta(minutes=5)
    token = card_live_qr_token(worker.cards[0], window_start=live_window_start(old), now=old)
    html = client.get(f"/qr/live/{token}", HTTP_ACCEPT_LANGUAGE="lt").content.decode()
    assert "QR kodas nebegalioja – tai gali būti kopija" in html


def test_every_wallet_message_is_translated():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "locale"
    for language in ("en", "pl", "lt"):
        po = (root / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        assert '\nmsgstr ""\n\n' not in po, f"untranslated message in {language}"
        assert "#, fuzzy" not in po


@pytest.mark.parametrize(
    ("language", "heading", "label"),
    [
        ("pl", "Prześlij zdjęcie i dokument tożsamości", "Rodzaj dokumentu tożsamości"),
        ("lt", "Įkelkite nuotrauką ir asmens dokumentą", "Asmens dokumento tipas"),
    ],
)
def test_the_self_upload_page_in_polish_and_lithuanian(client, worker, language, heading, label):
    from hmskort.portal.uploads.services import upload_link_create

    card = worker.cards[0]
    created = upload_link_create(
        orgnr=card.employer_orgnr,
        person_id=worker.pid,
        holder_name=card.holder_name,
        created_by="orderer",
    )
    html = client.get(
        f"/portal/last-opp/{created.token}", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert heading in html and label in html
    assert "Paszport" in html if language == "pl" else "Pasas" in html
    # The language switcher offers Polish and Lithuanian on this page (worker_page).
    assert 'value="pl"' in html or 'value="lt"' in html
    assert 'value="lt"' in html if language == "pl" else 'value="pl"' in html
