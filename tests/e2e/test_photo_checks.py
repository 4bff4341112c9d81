"""Browser journey: the automatic photo checks tell the uploader at once.

A bad photo (glasses) is refused before anything is stored: the live check under
the file field names the rule as soon as the file is chosen, and submitting shows
the same reasons while keeping the chosen document type. A good photo then passes
and the upload proceeds. Also: the employee's own upload link refuses a bad photo
with the reasons and accepts a good one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hmskort.photocheck.testset import good_photo_bytes, photo_bytes
from hmskort.portal.models import UploadLink, UploadSet
from hmskort.portal.uploads.services import upload_link_create
from hmskort.registers import models as rm
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    PersonFactory,
    RolleFactory,
)
from tests.e2e.helpers import choose_company, log_in_with_testid, png, shot

pytestmark = pytest.mark.e2e

COMPANY = "FOTOKONTROLL BYGG AS"


@pytest.fixture
def people(portal_settings):
    company = EnhetFactory(navn=COMPANY)
    owner = PersonFactory(fornavn="Dagny", etternavn="Dagligleder")
    RolleFactory(enhet=company, person=owner, rolletype=rm.RolleType.DAGL)
    worker = ArbeidsforholdFactory(
        arbeidsgiver=company, arbeidstaker=PersonFactory(fornavn="Per", etternavn="Forskaling")
    ).arbeidstaker
    return company, owner, worker


def _file(name: str, data: bytes, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _id_document() -> dict:
    return _file("id.png", png((420, 280)), "image/png")


def test_bad_photo_is_refused_at_once_with_the_reasons_then_a_good_one_proceeds(page, people):
    company, owner, worker = people
    log_in_with_testid(page, owner.identifikator)
    choose_company(page, COMPANY)
    row = page.locator("#employee-results tr", has=page.get_by_text(worker.fulltnavn, exact=True))
    row.get_by_role("link", name=re.compile(r"Mangler")).click()
    expect(page.get_by_role("heading", name=f"Bilde og ID: {worker.fulltnavn}")).to_be_visible()

    # Choosing the photo checks it at once (htmx), before anything is sent for real.
    photo = page.get_by_label("Bilde av den ansatte")
    photo.set_input_files(files=[_file("med-briller.jpg", photo_bytes("bad_glasses_thin.jpg"))])
    live = page.get_by_test_id("photo-live-result")
    expect(live).to_contain_text("Bildet vil bli avvist")
    expect(live).to_contain_text("Briller er ikke tillatt")
    page.get_by_label("Kopi av ID-dokument").set_input_files(files=[_id_document()])
    page.get_by_label("Type ID-dokument").select_option(label="Nasjonalt ID-kort")
    shot(page, "photo-check-live-refused")

    # Submitting anyway: refused with the specific reason, the document type kept.
    page.get_by_role("button", name="Last opp", exact=True).click()
    errors = page.get_by_test_id("photo-errors")
    expect(errors).to_contain_text("Bildet ser ut til å vise briller. Briller er ikke tillatt.")
    expect(page.locator(".ds-error-summary")).to_contain_text("Briller er ikke tillatt")
    expect(page.get_by_label("Type ID-dokument")).to_have_value("national_id")
    shot(page, "photo-check-refused")
    assert not UploadSet.objects.exists()

    # A good photo: the live check is happy, and the upload proceeds.
    page.get_by_label("Bilde av den ansatte").set_input_files(
        files=[_file("bilde.jpg", good_photo_bytes())]
    )
    expect(page.get_by_test_id("photo-live-result")).to_contain_text("oppfylle kravene")
    page.get_by_label("Kopi av ID-dokument").set_input_files(files=[_id_document()])
    page.get_by_role("button", name="Last opp", exact=True).click()
    expect(page.get_by_text("Bildet og ID-dokumentet er lastet opp")).to_be_visible()
    expect(page.get_by_text("En saksbehandler kontrollerer ID-dokumentet manuelt")).to_be_visible()
    upload = UploadSet.objects.get()
    assert upload.auto_findings["photo"] == []
    assert upload.auto_findings["manual_review"] == ["review_not_passport"]


def test_self_upload_link_refuses_a_blurred_photo_then_accepts_a_good_one(page, people):
    company, owner, worker = people
    created = upload_link_create(
        orgnr=company.organisasjonsnummer,
        person_id=worker.identifikator,
        holder_name=worker.fulltnavn,
        created_by=owner.identifikator,
    )
    page.goto(reverse("portal:self_upload", kwargs={"token": created.token}))
    expect(page.get_by_role("heading", name="Last opp bilde og ID")).to_be_visible()
    page.get_by_label("Bilde av den ansatte").set_input_files(
        files=[_file("uskarp.jpg", photo_bytes("bad_blur_4.0.jpg"))]
    )
    expect(page.get_by_test_id("photo-live-result")).to_contain_text("Bildet er uskarpt")
    page.get_by_label("Kopi av ID-dokument").set_input_files(files=[_id_document()])
    page.get_by_label("Type ID-dokument").select_option(label="Nasjonalt ID-kort")
    page.get_by_role("button", name="Last opp", exact=True).click()
    expect(page.get_by_test_id("photo-errors")).to_contain_text("Bildet er uskarpt")
    assert UploadLink.objects.get().used_at is None

    page.get_by_label("Bilde av den ansatte").set_input_files(
        files=[_file("bilde.jpg", good_photo_bytes())]
    )
    page.get_by_label("Kopi av ID-dokument").set_input_files(files=[_id_document()])
    page.get_by_role("button", name="Last opp", exact=True).click()
    expect(page.get_by_role("heading", name="Takk! Bildene er lastet opp")).to_be_visible()
    shot(page, "photo-check-self-upload-done")
    assert UploadSet.objects.get().uploaded_by == "selvopplasting"
