"""Receipts over API level 1 (mounted on /api/v1/ by hmskort.api.v1):

GET  /api/v1/receipts/{check_id}  -> the signed receipt of a check (or crew report)
POST /api/v1/crew-reports        -> check up to 5,000 card numbers, one signed report
"""

from __future__ import annotations

import uuid
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from hmskort.api.schemas import error_responses
from hmskort.core.errors import NotFound
from hmskort.receipts import services
from hmskort.receipts.models import CrewReport

router = Router(tags=["receipts"])


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"


class ReceiptOut(Schema):
    check_id: str = Field(description="The check id (or crew report id)")
    kind: str = Field(description="'check' or 'crew'")
    token: str = Field(description="Compact JWS, typ 'hmskort-receipt', verify with the JWKS")
    receipt_url: str
    pdf_url: str


class CrewIn(Schema):
    card_numbers: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=5000)]


class CrewLineOut(Schema):
    line: int
    card_number: str
    status: str
    reasons: list[str]
    check_id: str
    token: str


class CrewReportOut(ReceiptOut):
    csv_url: str
    lines: list[CrewLineOut]


def _abs(path: str) -> str:
    return getattr(settings, "HMSKORT_PUBLIC_BASE_URL", "").rstrip("/") + path


def _urls(key) -> dict:
    return {
        "receipt_url": _abs(reverse("receipts:receipt", kwargs={"check_id": key})),
        "pdf_url": _abs(reverse("receipts:pdf", kwargs={"check_id": key})),
    }


@router.get(
    "/receipts/{check_id}",
    response={200: ReceiptOut, **error_responses(401, 403, 404)},
    summary="The signed receipt of a check (every status answer carries its check_id)",
)
def receipt_get(request: HttpRequest, check_id: str):
    try:
        key = uuid.UUID(check_id)
    except ValueError:
        raise ReceiptNotFound("Ukjent kvittering (unknown receipt).") from None
    check = services.check_get(key)
    if check is not None:
        return {
            "check_id": str(key),
            "kind": "check",
            "token": services.receipt_token(check),
            **_urls(key),
        }
    report = CrewReport.objects.filter(pk=key).first()
    if report is None:
        raise ReceiptNotFound("Ukjent kvittering (unknown receipt).")
    return {
        "check_id": str(key),
        "kind": "crew",
        "token": services.crew_report_token(report),
        **_urls(key),
    }


@router.post(
    "/crew-reports",
    response={200: CrewReportOut, **error_responses(400, 401, 403, 422)},
    summary="Check a crew: up to 5,000 card numbers, one signed report, a receipt per line",
)
def crew_report(request: HttpRequest, payload: CrewIn):
    report = services.crew_report_create(numbers=payload.card_numbers, api_client=request.auth)
    lines = services.crew_report_lines(report)
    key = report.report_id
    return {
        "check_id": str(key),
        "kind": "crew",
        "token": services.crew_report_token(report),
        **_urls(key),
        "csv_url": _abs(reverse("receipts:csv", kwargs={"check_id": key})),
        "lines": [
            {
                "line": ln.check.line_no,
                "card_number": ln.check.card_number,
                "status": ln.check.status,
                "reasons": list(ln.check.reason_codes or ()),
                "check_id": str(ln.check.check_id),
                "token": ln.token,
            }
            for ln in lines
        ],
    }
