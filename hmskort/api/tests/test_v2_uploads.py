"""API level 2: photo and ID uploads, checked at once (hmskort.photocheck)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hmskort.core.models import AuditEvent
from hmskort.photocheck.testset import good_id_document_bytes, good_photo_bytes, photo_bytes
from hmskort.portal.models import UploadSet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _upload(api, user, person_id, photo=None, key="up-1", document_type="national_id", **extra):
    data = {
        "photo": SimpleUploadedFile("p.jpg", photo or good_photo_bytes(), "image/jpeg"),
        "id_document": SimpleUploadedFile("id.jpg", good_id_document_bytes(), "image/jpeg"),
        "document_type": document_type,
    }
    return api.post(
        f"/api/v2/employees/{person_id}/uploads",
        data,
        HTTP_IDEMPOTENCY_KEY=key,
        **user.headers,
        **extra,
    )


def test_a_bad_photo_is_refused_with_every_reason_and_nothing_stored(api, level2_a, company_a):
    response = _upload(api, level2_a, company_a.person_id, photo_bytes("bad_glasses_hopper.jpg"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "upload_refused"
    assert {r["code"] for r in error["reasons"]} == {
        "glasses",
        "background_dark",
        "background_uneven",
    }
    assert "Briller er ikke tillatt" in error["fields"]["photo"]
    assert not UploadSet.objects.exists()


def test_reasons_in_english(api, level2_a, company_a):
    response = _upload(
        api,
        level2_a,
        company_a.person_id,
        photo_bytes("bad_blur_4.0.jpg"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["error"]["reasons"] == [
        {"code": "blurred", "text": "The photo is blurred."}
    ]


def test_a_good_upload_is_stored_with_its_findings_and_audited(api, level2_a, company_a):
    response = _upload(api, level2_a, company_a.person_id)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_review"
    assert [r["code"] for r in body["manual_review"]] == ["review_not_passport"]
    upload = UploadSet.objects.get(pk=body["upload_id"])
    assert upload.auto_findings["photo"] == []
    assert upload.uploaded_by == level2_a.client.client_id
    assert AuditEvent.objects.filter(
        action="upload_create", subject_id=company_a.person_id
    ).exists()
    again = _upload(api, level2_a, company_a.person_id)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert UploadSet.objects.count() == 1


def test_bank_card_is_refused(api, level2_a, company_a):
    response = _upload(api, level2_a, company_a.person_id, document_type="bank_card")
    assert response.status_code == 422
    assert [r["code"] for r in response.json()["error"]["reasons"]] == ["id_bank_card"]


def test_another_companys_employee_is_not_found(api, level2_a, company_b):
    response = _upload(api, level2_a, company_b.person_id)
    assert response.status_code == 404
    assert not UploadSet.objects.exists()
