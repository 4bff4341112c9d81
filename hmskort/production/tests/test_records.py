import base64
import datetime as dt

import pytest
from django.utils import timezone

from hmskort.cards.qr import card_from_qr_token
from hmskort.production.records import (
    CHIP_LENGTH,
    card_record,
    chip_payload,
    chip_payload_decode,
    persons_for,
)
from hmskort.production.tests.conftest import make_card
from hmskort.registers.models import Person
from hmskort.registers.tests.factories import PersonFactory


def _chip(**overrides):
    values = {
        "industry_code": "RH",
        "card_number": "1234567897",
        "orgnr": "912345678",
        "valid_until": dt.date(2027, 6, 30),
        "birth_date": dt.date(1988, 3, 14),
        "gender_code": "2",
        "holder_name": "Kari Nordmann",
        "employer_name": "RENT OG PENT AS",
    }
    values.update(overrides)
    return chip_payload(**values)


def test_chip_record_is_fixed_width_and_reads_back():
    payload = _chip()
    assert len(payload) == CHIP_LENGTH == 192
    assert chip_payload_decode(payload) == {
        "magic": "HMS1",
        "industry_code": "RH",
        "card_number": "1234567897",
        "orgnr": "912345678",
        "valid_until": "20270630",
        "birth_date": "19880314",
        "gender": "2",
        "holder_name": "Kari Nordmann",
        "employer_name": "RENT OG PENT AS",
        "crc32": payload[-8:].decode(),
    }


def test_chip_record_cuts_long_names_at_a_character_boundary():
    name = "Łukasz " + "Wiśniewski-" * 10  # multi-byte characters across the cut
    payload = _chip(holder_name=name)
    assert len(payload) == CHIP_LENGTH
    decoded = chip_payload_decode(payload)["holder_name"]
    assert name.startswith(decoded)
    assert len(decoded.encode()) <= 70


def test_damaged_chip_record_is_refused():
    payload = bytearray(_chip())
    payload[50] ^= 0x01
    with pytest.raises(ValueError, match="CRC"):
        chip_payload_decode(bytes(payload))


@pytest.mark.django_db
def test_record_takes_birth_date_and_gender_from_the_register_not_the_number():
    person = PersonFactory(foedselsdato=dt.date(1975, 5, 17))
    # The register says the opposite of the number's (pre-2032) gender digit.
    number_says_man = int(person.identifikator[8]) % 2 == 1
    register_says = "kvinne" if number_says_man else "mann"
    Person.objects.filter(pk=person.pk).update(kjoenn=register_says)
    card = make_card(person=person, in_production=True)
    now = timezone.now()
    record = card_record(card, persons_for([card])[card.holder_id], now=now)
    assert record["holder"] == {
        "name": card.holder_name,
        "birth_date": "1975-05-17",
        "gender": "female" if number_says_man else "male",
    }
    chip = chip_payload_decode(base64.b64decode(record["chip"]["base64"]))
    assert chip["gender"] == ("2" if number_says_man else "1")
    assert chip["birth_date"] == "19750517"
    assert record["barcode"]["data"] == card.employer_orgnr + card.card_number
    number, claims = card_from_qr_token(record["qr"]["token"], now=now)
    assert number == card.card_number
    assert claims["tmp"] is False
    assert record["qr"]["url"].endswith("/qr/" + record["qr"]["token"])
