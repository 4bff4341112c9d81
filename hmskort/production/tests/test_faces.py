"""The card face and the temporary card: size, and what their QR code and
barcode decode to (zxing-cpp), read from the PDFs themselves."""

import datetime as dt
import subprocess

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from hmskort.cards.qr import card_from_qr_token
from hmskort.core.signing import TokenExpired, verify_token
from hmskort.production.face import card_face_pdf
from hmskort.production.records import card_record, persons_for
from hmskort.production.temporary_card import temporary_card_pdf
from hmskort.production.tests.conftest import make_card
from hmskort.production.tests.pdfimages import page_size_mm, placed_images, printed
from hmskort.registers.tests.factories import EnhetFactory, PersonFactory

pytestmark = pytest.mark.django_db

QR = zxingcpp.BarcodeFormat.QRCode
CODE128 = zxingcpp.BarcodeFormat.Code128


def decoded(pdf: bytes, *, dpi: int = 300) -> dict:
    """{format: [texts]} of every symbol in the PDF's images, printed at `dpi`."""
    found: dict = {}
    for placed in placed_images(pdf):
        for result in zxingcpp.read_barcodes(printed(placed, dpi=dpi)):
            found.setdefault(result.format, []).append(result.text)
    return found


def face_for(card, now):
    record = card_record(card, persons_for([card])[card.holder_id], now=now)
    return card_face_pdf(card, record), record


def test_card_face_is_id1_size(card_in_production):
    pdf, _ = face_for(card_in_production, timezone.now())
    width, height = page_size_mm(pdf)
    assert width == pytest.approx(85.6, abs=0.01)
    assert height == pytest.approx(54.0, abs=0.01)


@pytest.mark.parametrize("dpi", [300, 600])
def test_card_face_qr_and_barcode_decode(card_in_production, dpi):
    card = card_in_production
    now = timezone.now()
    pdf, record = face_for(card, now)

    found = decoded(pdf, dpi=dpi)

    assert found[QR] == [record["qr"]["url"]]
    assert found[CODE128] == [card.employer_orgnr + card.card_number]
    token = found[QR][0].rsplit("/qr/", 1)[1]
    number, claims = card_from_qr_token(token, now=now)
    assert number == card.card_number
    assert claims["tmp"] is False


def test_symbols_are_printed_large_enough(card_in_production):
    pdf, _ = face_for(card_in_production, timezone.now())
    sizes = sorted((round(p.width_mm, 1), round(p.height_mm, 1)) for p in placed_images(pdf))
    assert sizes == [(22.0, 22.0), (50.0, 7.5)]  # QR code, barcode


def test_long_polish_name_and_company_still_decode():
    person = PersonFactory(
        fornavn="Małgorzata Katarzyna", etternavn="Wiśniewska-Kowalczyk-Brzęczyszczykiewicz"
    )
    employer = EnhetFactory(navn="PRZEDSIĘBIORSTWO BUDOWLANE ŻÓŁW " * 3 + "SP. Z O.O.")
    card = make_card(person=person, employer=employer, in_production=True)
    pdf, record = face_for(card, timezone.now())
    assert decoded(pdf)[QR] == [record["qr"]["url"]]


def test_temporary_card_qr_works_60_days(card_in_production):
    card = card_in_production
    now = timezone.now()

    pdf = temporary_card_pdf(card, now=now)

    width, height = page_size_mm(pdf)
    assert (round(width), round(height)) == (210, 297)  # A4
    found = decoded(pdf)
    assert found[CODE128] == [card.employer_orgnr + card.card_number]
    [url] = found[QR]
    assert url.startswith("https://hmskort.test/qr/")
    token = url.rsplit("/qr/", 1)[1]
    claims = verify_token(token, typ="hmskort-qr", now=now + dt.timedelta(days=59, hours=23))
    assert claims["cn"] == card.card_number
    assert claims["tmp"] is True
    with pytest.raises(TokenExpired):
        verify_token(token, typ="hmskort-qr", now=now + dt.timedelta(days=60, seconds=1))


def test_temporary_card_face_is_printed_at_real_size(card_in_production):
    pdf = temporary_card_pdf(card_in_production, now=timezone.now())
    sizes = sorted((round(p.width_mm, 1), round(p.height_mm, 1)) for p in placed_images(pdf))
    assert sizes == [(20.0, 20.0), (50.0, 7.5)]


def test_whole_pages_rendered_by_poppler_decode(card_in_production, tmp_path):
    """Belt and braces: rasterise the whole pages with poppler (scripts/test.sh installs it)."""
    card = card_in_production
    now = timezone.now()
    face, record = face_for(card, now)
    temporary = temporary_card_pdf(card, now=now)
    for name, pdf in (("face", face), ("temporary", temporary)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "300", "-png", "-singlefile", name + ".pdf", name],
            cwd=tmp_path,
            check=True,
        )
        results = zxingcpp.read_barcodes(Image.open(tmp_path / f"{name}.png"))
        by_format = {r.format: r.text for r in results}
        assert by_format[CODE128] == card.employer_orgnr + card.card_number
        assert by_format[QR].startswith("https://hmskort.test/qr/")
    # pdftotext ships with poppler-utils, like pdftoppm
    text = subprocess.run(
        ["pdftotext", "temporary.pdf", "-"], cwd=tmp_path, capture_output=True, text=True
    ).stdout
    until = timezone.localdate(now + dt.timedelta(days=60)).strftime("%d.%m.%Y")
    assert f"Midlertidig HMS-kort – gyldig til {until}" in text
    assert "Kvittering for bestilling av HMS-kort" in text
