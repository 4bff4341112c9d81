"""Receipt pages: a check's receipt, verification, crew reports, the holder's log."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hmskort.receipts import abuse, services
from hmskort.receipts.models import CrewReport
from hmskort.receipts.pdf import crew_report_pdf, receipt_pdf, verify_url
from hmskort.receipts.selectors import holder_log
from hmskort.receipts.texts import channel_label, reason_texts, status_label

CREW_UPLOAD_MAX_BYTES = 1_000_000


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _login_url() -> str:
    try:
        return reverse("identity:login")
    except NoReverseMatch:
        return reverse("admin:login")


def _login_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), _login_url())
        return view(request, *args, **kwargs)

    return wrapper


def _find(check_id):
    """(check, report): one of them, or Http404."""
    check = services.check_get(check_id)
    if check is not None:
        return check, None
    report = CrewReport.objects.filter(pk=check_id).first()
    if report is None:
        raise Http404("unknown receipt")
    return None, report


def _claims_view(claims: dict) -> dict:
    """What the templates show of a receipt's claims."""
    reasons = claims.get("reasons") or []
    return {
        **claims,
        "status_label": status_label(claims.get("status", ""), reasons),
        "reason_texts": reason_texts(reasons),
        "channel_label": channel_label(claims.get("channel", "")),
        "count_labels": [
            (status_label(status), n) for status, n in sorted((claims.get("counts") or {}).items())
        ],
    }


@require_GET
def receipt_view(request: HttpRequest, check_id) -> HttpResponse:
    check, report = _find(check_id)
    if check is not None:
        token = services.receipt_token(check)
        claims = services.receipt_claims(check)
    else:
        token = services.crew_report_token(report)
        claims = services.crew_report_claims(report)
    context = {
        "check": check,
        "report": report,
        "token": token,
        "claims": _claims_view(claims),
        "verify_url": verify_url(token),
    }
    return _private(render(request, "receipts/receipt.html", context))


@require_GET
def receipt_token_view(request: HttpRequest, check_id) -> HttpResponse:
    check, report = _find(check_id)
    token = (
        services.receipt_token(check) if check is not None else services.crew_report_token(report)
    )
    response = HttpResponse(token, content_type="application/jose; charset=us-ascii")
    response["Content-Disposition"] = f'attachment; filename="hmskort-kvittering-{check_id}.jws"'
    return _private(response)


@require_GET
def receipt_pdf_view(request: HttpRequest, check_id) -> HttpResponse:
    check, report = _find(check_id)
    if check is not None:
        body = receipt_pdf(
            check, token=services.receipt_token(check), checked_by=services.checked_by(check)
        )
    else:
        body = crew_report_pdf(
            report,
            token=services.crew_report_token(report),
            lines=services.crew_report_lines(report, with_tokens=False),
        )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="hmskort-kvittering-{check_id}.pdf"'
    return _private(response)


@require_GET
def crew_csv_view(request: HttpRequest, check_id) -> HttpResponse:
    report = CrewReport.objects.filter(pk=check_id).first()
    if report is None:
        raise Http404("unknown report")
    response = HttpResponse(
        services.crew_report_csv(report), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="hmskort-mannskap-{check_id}.csv"'
    return _private(response)


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    """Paste a receipt (or open the link in its QR code): valid or not valid."""
    token = (request.POST.get("kvittering") or request.GET.get("t") or "").strip()
    result = services.receipt_verify(token) if token else None
    context = {
        "token": token,
        "result": result,
        "claims": _claims_view(result.claims) if result and result.claims else None,
    }
    status = 200 if result is None or result.valid else 400
    return _private(render(request, "receipts/verify.html", context, status=status))


def _crew_over_limit(user_pk) -> bool:
    """`HMSKORT_CREW_REPORT_LIMIT` (reports, seconds) per user; default 20 an hour."""
    reports, seconds = getattr(settings, "HMSKORT_CREW_REPORT_LIMIT", (20, 3600))
    count = abuse.window_count(f"receipts:crew:{user_pk}", int(seconds), time.time())
    return count > int(reports)


@require_http_methods(["GET", "POST"])
@_login_required
def crew_view(request: HttpRequest) -> HttpResponse:
    """A site manager pastes or uploads up to 5,000 card numbers: one signed report."""
    error = ""
    text = ""
    if request.method == "POST":
        text = request.POST.get("kortnumre", "")
        upload = request.FILES.get("fil")
        if upload is not None:
            if upload.size > CREW_UPLOAD_MAX_BYTES:
                error = _("Filen er for stor (høyst 1 MB).")
            else:
                text = upload.read().decode("utf-8-sig", errors="replace")
        if not error:
            if _crew_over_limit(request.user.pk):
                error = _("For mange rapporter på kort tid; prøv igjen senere.")
        if not error:
            try:
                report = services.crew_report_create(text=text, user=request.user)
            except services.CrewListInvalid as exc:
                error = exc.message
            else:
                return redirect("receipts:receipt", check_id=report.report_id)
    context = {"error": error, "text": text, "max_lines": services.MAX_CREW_LINES}
    return _private(render(request, "receipts/crew.html", context, status=422 if error else 200))


@require_GET
@_login_required
def holder_log_view(request: HttpRequest) -> HttpResponse:
    """The logged-in holder's checks of their own cards, last 12 months."""
    from hmskort.identity.access import pid_of

    pid = pid_of(request.user)
    log = holder_log(pid) if pid else None
    entries = [
        {"at": e.at, "channel": channel_label(e.channel), "card": e.card_number, "who": e.who}
        for e in (log.entries if log else ())
    ]
    per_day = [
        {"day": d.day, "channel": channel_label(d.channel), "count": d.count}
        for d in (log.public_per_day if log else ())
    ]
    context = {"log": log, "entries": entries, "per_day": per_day, "has_pid": bool(pid)}
    return _private(render(request, "receipts/holder_log.html", context))
