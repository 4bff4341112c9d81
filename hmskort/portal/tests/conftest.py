"""Fixtures for the portal's tests: a construction company, its daglig leder
(logged in), employees in Aa-registeret, a delivery address, and a private
media root in a temporary folder."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hmskort.identity.tests.factories import portal_user
from hmskort.portal.models import DeliveryAddress
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.HMSKORT_OUTBOX_DELIVER_ON_COMMIT = False
    # The portal's login is identity's (config/settings.py may not have taken it in yet).
    settings.LOGIN_URL = "identity:login"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def company(db):
    return EnhetFactory()


@pytest.fixture
def owner(company):
    person = PersonFactory()
    RolleFactory(enhet=company, person=person, rolletype=rm.RolleType.DAGL)
    return person


@pytest.fixture
def owner_client(client, owner):
    client.force_login(portal_user(owner.identifikator, name=owner.fulltnavn))
    return client


@pytest.fixture
def employee(company):
    return ArbeidsforholdFactory(arbeidsgiver=company).arbeidstaker


@pytest.fixture
def address(company):
    return DeliveryAddress.objects.create(
        orgnr=company.organisasjonsnummer,
        name="Byggeplass Bjørvika",
        street="Dronning Eufemias gate 1",
        postcode="0191",
        city="OSLO",
    )


def image_bytes(fmt: str = "PNG", size=(200, 260)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (220, 220, 220)).save(buffer, format=fmt)
    return buffer.getvalue()


def url(name: str, company, **kwargs) -> str:
    from django.urls import reverse

    return reverse(f"portal:{name}", kwargs={"orgnr": company.organisasjonsnummer, **kwargs})
