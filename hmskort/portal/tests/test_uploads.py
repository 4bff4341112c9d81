"""Photo and ID: upload, validation, private storage, serving with audit, links, review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hmskort.core.models import AuditEvent
from hmskort.notifications.models import OutboxMessage, PortalMessage
from hmskort.portal.models import UploadLink, UploadSet, UploadStatus
from hmskort.portal.refs import person_ref
from hmskort.portal.tests.conftest import image_bytes, url
from hmskort.portal.uploads.services import upload_set_review

pytestmark = pytest.mark.django_db


def _files(photo=None, id_document=None):
    return {
        "photo": SimpleUploadedFile("a.png", photo or image_bytes("PNG"), "image/png"),
        "id_document": SimpleUploadedFile(
            "b.jpg", id_document or image_bytes("JPEG"), "image/jpeg"
        ),
        "document_type": "passport",
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
    assert "JPEG eller PNG" in response.content.decode()
    assert not UploadSet.objects.exists()


def test_gif_is_refused(owner_client, company, employee):
    response = owner_client.post(_page(company, employee), _files(photo=image_bytes("GIF")))
    assert response.status_code == 422
    assert "Bare JPEG- og PNG-bilder" in response.content.decode()


def test_file_over_10_mb_is_refused(owner_client, company, employee):
    big = image_bytes("PNG") + b"\0" * (10 * 1024 * 1024)
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
            "photo": SimpleUploadedFile("a.png", image_bytes(), "image/png"),
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
