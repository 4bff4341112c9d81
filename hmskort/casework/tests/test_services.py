"""The shared case queue: idempotent opening, one decision, the owner hears it."""

from __future__ import annotations

import pytest

from hmskort.casework.models import Case, CaseKind, CaseStatus
from hmskort.casework.services import CaseAlreadyDecided, case_close, case_decide, case_open
from hmskort.casework.signals import case_decided
from hmskort.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _open(**kw):
    values = {
        "kind": CaseKind.DOCUMENT_REVIEW,
        "title": "Bilde og ID for Kari Nordmann",
        "object_type": "portal.uploadset",
        "object_id": 7,
        "orgnr": "912345670",
        "subject_id": "01010112345",
    }
    values.update(kw)
    return case_open(**values)


def test_opening_the_same_case_twice_gives_one_case():
    first, second = _open(), _open()
    assert first.pk == second.pk
    assert Case.objects.filter(status=CaseStatus.OPEN).count() == 1


def test_a_decision_is_recorded_audited_and_announced_once(django_capture_on_commit_callbacks):
    case = _open()
    heard = []

    def listener(sender, case, approved, **kw):
        heard.append((case.pk, approved))

    case_decided.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            decided = case_decide(
                case=case, approved=False, decided_by="saksbehandler", reason="photo_glasses"
            )
        assert decided.status == CaseStatus.REJECTED and decided.decision_reason == "photo_glasses"
        assert heard == [(case.pk, False)]
        assert AuditEvent.objects.filter(object_type="casework.case", action="reject").count() == 1
        with pytest.raises(CaseAlreadyDecided):
            case_decide(case=case, approved=True, decided_by="saksbehandler")
    finally:
        case_decided.disconnect(listener)


def test_a_decided_case_lets_a_new_one_open_for_the_same_object():
    case_decide(case=_open(), approved=False, decided_by="saksbehandler")
    assert _open().status == CaseStatus.OPEN
    assert Case.objects.count() == 2


def test_closing_removes_the_case_from_the_queue():
    _open()
    assert (
        case_close(kind=CaseKind.DOCUMENT_REVIEW, object_type="portal.uploadset", object_id=7) == 1
    )
    assert not Case.objects.filter(status=CaseStatus.OPEN).exists()
