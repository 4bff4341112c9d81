"""Photo and ID: upload, validation, private storage, serving with audit, links, review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hmskort.core.models import AuditEvent
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.photocheck.testset import good_id_document_bytes, good_photo_bytes
from hmskort.portal.models import UploadLink, UploadSet, UploadStatus
from hmskort.portal.refs import person_ref
from hmskort.portal.tests.conftest import image_bytes, url
from hmskort.portal.uploads.services import upload_set_review

pytestmark = pytest.mark.django_db


def _files(photo=None, id_document=None, document_type="national_id"):
    """A good photo (PNG) and an ID document (JPEG); a national ID card goes to
    manual review without OCR of an MRZ, which keeps these tests fast."""
    return {
        "photo": SimpleUploadedFile("a.png", photo or good_photo_bytes("png"), "image/png"),
        "id_document": SimpleUploadedFile(
            "b.jpg", id_document or good_id_document_bytes(), "image/jpeg"
        ),
        "document_type": document_type,
    }


def _page(company, employee):
    return url(
        "employee_uploads",
        company,
        ref=person_ref(company.organisasjonsnummer, employee.identifikator),
    )


def test_upload_is_stored_privately_and_served_with_audit(
    owner_client, company, employee, private_media, owner
):
    response = owner_client.post(_page(company, employee), _files())
    assert response.status_code == 302
    upload = UploadSet.objects.get()
    assert upload.status == UploadStatus.PENDING_REVIEW
    assert upload.photo_content_type == "image/png"
    assert upload.id_document_content_type == "image/jpeg"
    stored = Path(private_media) / upload.photo_path
    assert stored.is_file() and "static" not in str(stored)
    served = owner_client.get(url("upload_file", company, upload_id=upload.pk, kind="bilde"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == stored.read_bytes()
    event = AuditEvent.objects.get(object_type="portal.uploadset.photo")
    assert event.actor == owner.identifikator and event.subject_id == employee.identifikator


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(owner_client, company, employee):
    fake = b"%PDF-1.4 not an image"
    response = owner_client.post(_page(company, employee), _files(photo=fake))
    assert response.status_code == 422
    assert "JPEG-, PNG- eller HEIC-format" in response.content.decode()
    assert not UploadSet.objects.exists()


def test_gif_is_refused(owner_client, company, employee):
    response = owner_client.post(_page(company, employee), _files(photo=image_bytes("GIF")))
    assert response.status_code == 422
    assert "JPEG-, PNG- eller HEIC-format" in response.content.decode()


def test_file_over_10_mb_is_refused(owner_client, company, employee):
    big = good_photo_bytes("png") + b"\0" * (10 * 1024 * 1024)
    response = owner_client.post(_page(company, employee), _files(photo=big))
    assert response.status_code == 422
    assert "10 MB" in response.content.decode()


def test_other_company_cannot_fetch_the_file(client, company, employee, owner_client):
    owner_client.post(_page(company, employee), _files())
    upload = UploadSet.objects.get()
    from hmskort.identity.tests.factories import portal_user
    from hmskort.registers.tests.factories import EnhetFactory, PersonFactory, RolleFactory

    other = EnhetFactory()
    boss = PersonFactory()
    RolleFactory(enhet=other, person=boss)
    client.force_login(portal_user(boss.identifikator))
    other_url = url("upload_file", other, upload_id=upload.pk, kind="bilde")
    assert client.get(other_url).status_code == 404
    assert (
        client.get(url("upload_file", company, upload_id=upload.pk, kind="bilde")).status_code
        == 404
    )


def _make_link(owner_client, company, employee, **data):
    response = owner_client.post(
        url(
            "upload_link",
            company,
            ref=person_ref(company.organisasjonsnummer, employee.identifikator),
        ),
        data,
    )
    assert response.status_code == 200
    return response.context["link_url"]


def test_self_upload_link_works_once(owner_client, client, company, employee):
    link = _make_link(owner_client, company, employee, send_to="ansatt@example.no")
    mail = OutboxMessage.objects.get()
    assert "ansatt@example.no" in mail.to
    assert link in mail.body
    token_path = link.split("testserver")[-1]
    assert UploadLink.objects.get().token_hash not in link  # only the hash is stored
    client.logout()
    page = client.get(token_path)
    assert page.status_code == 200
    assert client.post(token_path, _files()).status_code == 200
    upload = UploadSet.objects.get()
    assert upload.uploaded_by == "selvopplasting"
    again = client.get(token_path)
    assert again.status_code == 410
    assert "Bildene kunne ikke lastes opp" in again.content.decode()


def test_expired_link_says_what_to_do(owner_client, client, company, employee):
    link = _make_link(owner_client, company, employee)
    UploadLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(link.split("testserver")[-1])
    html = response.content.decode()
    assert response.status_code == 410
    assert "Bildene kunne ikke lastes opp" in html
    assert "ny lenke" in html


def test_link_valid_five_days(owner_client, company, employee):
    _make_link(owner_client, company, employee)
    link = UploadLink.objects.get()
    assert link.expires_at - link.created_at == dt.timedelta(days=5)


def test_rejection_notifies_orderer_and_needs_both_again(owner_client, company, employee):
    owner_client.post(_page(company, employee), _files())
    upload = UploadSet.objects.get()
    upload_set_review(
        upload=upload, approve=False, reason="photo_glasses", reviewed_by="saksbehandler"
    )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED
    message = PortalMessage.objects.get(orgnr=company.organisasjonsnummer)
    assert "briller" in message.body
    html = owner_client.get(_page(company, employee)).content.decode()
    assert "Last opp både nytt bilde og ny kopi av ID" in html
    # Uploading only a photo is not possible: both fields are required.
    response = owner_client.post(
        _page(company, employee),
        {
            "photo": SimpleUploadedFile("a.png", good_photo_bytes(), "image/png"),
            "document_type": "passport",
        },
    )
    assert response.status_code == 422


def test_admin_review_with_reason(admin_client, owner_client, company, employee):
    owner_client.post(_page(company, employee), _files())
    upload = UploadSet.objects.get()
    change = f"/admin/portal/uploadset/{upload.pk}/change/"
    assert admin_client.get(change).status_code == 200
    admin_client.post(change, {"decision": "reject", "rejection_reason": "id_not_valid"})
    upload.refresh_from_db()
    assert upload.status == UploadStatus.REJECTED and upload.reason == "id_not_valid"
    photo = admin_client.get(f"/admin/portal/uploadset/{upload.pk}/fil/bilde")
    assert photo.status_code == 200


# --- the automatic checks at upload (hmskort.photocheck) ------------------------------


@pytest.fixture
def kari(company):
    """An employee whose Folkeregisteret record matches the test set's passports."""
    from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory

    person = PersonFactory(fornavn="Kari", mellomnavn="", etternavn="Nordmann")
    person.foedselsdato = dt.date(1985, 4, 17)
    person.save()
    ArbeidsforholdFactory(arbeidsgiver=company, arbeidstaker=person)
    return person


def test_bad_photo_is_refused_at_once_with_every_reason_and_the_form_kept(
    owner_client, company, employee
):
    from hmskort.photocheck.testset import photo_bytes

    response = owner_client.post(
        _page(company, employee),
        _files(photo=photo_bytes("bad_glasses_hopper.jpg"), document_type="driving_licence"),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Briller er ikke tillatt" in html
    assert "Bakgrunnen er for mørk" in html
    assert "Bakgrunnen er ikke jevn" in html
    assert '<option value="driving_licence" selected>' in html  # the choice is kept
    assert not UploadSet.objects.exists()


@pytest.mark.parametrize(
    "name, text",
    [
        ("bad_two_faces.jpg", "mer enn ett ansikt"),
        ("bad_no_face_wall.jpg", "ikke noe ansikt"),
        ("bad_blur_4.0.jpg", "uskarpt"),
        ("bad_low_res_240.jpg", "for lav oppløsning"),
        ("bad_rotated_90.jpg", "ikke rett forfra"),
    ],
)
def test_each_rule_is_told_in_bokmal(owner_client, company, employee, name, text):
    from hmskort.photocheck.testset import photo_bytes

    response = owner_client.post(_page(company, employee), _files(photo=photo_bytes(name)))
    assert response.status_code == 422
    assert text in response.content.decode()


def test_reasons_are_told_in_english(owner_client, company, employee):
    from hmskort.photocheck.testset import photo_bytes

    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(
        _page(company, employee), _files(photo=photo_bytes("bad_glasses_thin.jpg"))
    )
    assert response.status_code == 422
    assert "Glasses are not allowed" in response.content.decode()


def test_bank_card_is_refused_whatever_the_picture(owner_client, company, employee):
    response = owner_client.post(_page(company, employee), _files(document_type="bank_card"))
    assert response.status_code == 422
    assert "Bankkort er ikke gyldig legitimasjon" in response.content.decode()
    assert not UploadSet.objects.exists()


def test_valid_passport_of_the_person_passes_and_findings_are_stored(owner_client, company, kari):
    response = owner_client.post(_page(company, kari), _files(document_type="passport"))
    assert response.status_code == 302
    upload = UploadSet.objects.get()
    assert upload.auto_findings == {
        "photo": [],
        "id": [],
        "manual_review": [],
        "verified": ["mrz_valid"],
    }


def test_expired_passport_is_refused(owner_client, company, kari):
    from hmskort.photocheck.testset import document_bytes

    response = owner_client.post(
        _page(company, kari),
        _files(id_document=document_bytes("passport_expired.jpg"), document_type="passport"),
    )
    assert response.status_code == 422
    assert "Passet er utløpt" in response.content.decode()


def test_someone_elses_passport_is_refused_by_birth_date(owner_client, company, employee):
    response = owner_client.post(_page(company, employee), _files(document_type="passport"))
    assert response.status_code == 422
    assert "Fødselsdatoen i passet stemmer ikke" in response.content.decode()


def test_unreadable_passport_is_accepted_for_manual_review(owner_client, company, kari):
    from hmskort.photocheck.testset import document_bytes

    response = owner_client.post(
        _page(company, kari),
        _files(id_document=document_bytes("passport_unreadable.jpg"), document_type="passport"),
        follow=True,
    )
    assert response.status_code == 200
    assert "kontrollerer ID-dokumentet manuelt" in response.content.decode()
    upload = UploadSet.objects.get()
    assert upload.auto_findings["manual_review"] == [
        "review_mrz_unreadable",
        "review_expiry_unreadable",
    ]


def test_heic_photo_is_accepted_and_stored_as_jpeg(owner_client, company, employee):
    from hmskort.photocheck.testset import photo_bytes

    files = _files()
    files["photo"] = SimpleUploadedFile(
        "IMG_0001.HEIC", photo_bytes("good_heic.heic"), "image/heic"
    )
    assert owner_client.post(_page(company, employee), files).status_code == 302
    assert UploadSet.objects.get().photo_content_type == "image/jpeg"


def test_self_upload_refuses_a_bad_photo_and_keeps_the_link(
    owner_client, client, company, employee
):
    from hmskort.photocheck.testset import photo_bytes

    link = _make_link(owner_client, company, employee)
    token_path = link.split("testserver")[-1]
    client.logout()
    bad = client.post(token_path, _files(photo=photo_bytes("bad_eyes_closed.jpg")))
    assert bad.status_code == 422
    assert "Begge øynene må være synlige og åpne" in bad.content.decode()
    assert UploadLink.objects.get().used_at is None
    good = client.post(token_path, _files())
    assert good.status_code == 200
    assert UploadSet.objects.get().auto_findings["manual_review"] == ["review_not_passport"]


def test_live_check_tells_the_reasons_before_submitting(owner_client, client, company, employee):
    from hmskort.photocheck.testset import photo_bytes

    bad = SimpleUploadedFile("x.jpg", photo_bytes("bad_face_small_20.jpg"), "image/jpeg")
    html = owner_client.post("/bildekontroll/", {"photo": bad}).content.decode()
    assert "Ansiktet er for lite" in html
    good = SimpleUploadedFile("y.jpg", good_photo_bytes(), "image/jpeg")
    assert (
        "oppfylle kravene" in owner_client.post("/bildekontroll/", {"photo": good}).content.decode()
    )
    client.logout()
    assert client.post("/bildekontroll/", {"photo": good}).status_code == 403
