"""Mine ordre, the order page (htmx polling), payments and the simulated provider,
and the company's portal messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hmskort.core.errors import ApplicationError
from hmskort.identity.access import company_access_required
from hmskort.notifications.selectors import portal_messages_for_company
from hmskort.notifications.services import portal_message_mark_read
from hmskort.portal import selectors
from hmskort.portal.models import ONLINE_METHODS, PaymentAttempt, PaymentStatus
from hmskort.portal.services import orders as order_services
from hmskort.portal.views.common import error_text, today


@company_access_required
def orders(request: HttpRequest, orgnr: str) -> HttpResponse:
    page = Paginator(selectors.orders_for_company(orgnr), 25).get_page(request.GET.get("side"))
    return render(request, "portal/orders.html", {"nav": "orders", "page": page})


def _order_or_404(orgnr: str, order_id: int):
    order = selectors.order_get(orgnr, order_id)
    if order is None:
        raise Http404("No such order")
    return order


def _order_context(order):
    return {
        "order": order,
        "lines": selectors.order_lines_view(order, today=today()),
        "can_pay": order.payment_method in ONLINE_METHODS
        and order.payment_status == PaymentStatus.UNPAID,
    }


@company_access_required
def order_detail(request: HttpRequest, orgnr: str, order_id: int) -> HttpResponse:
    order = _order_or_404(orgnr, order_id)
    return render(request, "portal/order.html", {"nav": "orders", **_order_context(order)})


@company_access_required
def order_cards(request: HttpRequest, orgnr: str, order_id: int) -> HttpResponse:
    """The order's cards as a fragment (htmx polls it every 10 seconds)."""
    order = _order_or_404(orgnr, order_id)
    return render(request, "portal/_order_cards.html", _order_context(order))


@company_access_required
@require_POST
def order_pay(request: HttpRequest, orgnr: str, order_id: int) -> HttpResponse:
    try:
        payment = order_services.payment_start(orgnr=orgnr, order_id=order_id)
    except ApplicationError as exc:
        if exc.http_status == 404:
            raise Http404("No such order") from None
        messages.error(request, error_text(exc))
        return redirect("portal:order", orgnr=orgnr, order_id=order_id)
    return redirect("portal:payment_simulator", payment_id=payment.pk)


@company_access_required
def payment_return(request: HttpRequest, orgnr: str, payment_id) -> HttpResponse:
    """Where the provider sends the payer back; applies the provider's answer (idempotent)."""
    payment = (
        PaymentAttempt.objects.filter(pk=payment_id, order__orgnr=orgnr)
        .select_related("order")
        .first()
    )
    if payment is None:
        raise Http404("No such payment")
    payment = order_services.payment_callback(payment_id=payment.pk, today=today())
    if payment.provider_status == PaymentAttempt.Status.APPROVED:
        messages.success(
            request, _("Betalingen er godkjent. Ordrebekreftelsen er sendt på e-post.")
        )
    elif payment.provider_status == PaymentAttempt.Status.DECLINED:
        messages.error(
            request,
            _("Betalingen ble avvist. Ordren er lagret, men ikke betalt. Du kan prøve igjen."),
        )
    else:
        messages.warning(
            request,
            _("Betalingen ble avbrutt. Ordren er lagret, men ikke betalt. Du kan prøve igjen."),
        )
    return redirect("portal:order", orgnr=orgnr, order_id=payment.order_id)


@require_http_methods(["GET", "POST"])
def payment_simulator(request: HttpRequest, payment_id) -> HttpResponse:
    """The local simulated payment provider (card and Vipps): its own page, reached
    by redirect; the payment id is the provider's unguessable session id. It
    shows only the merchant, the amount and the method."""
    payment = PaymentAttempt.objects.filter(pk=payment_id).select_related("order").first()
    if payment is None:
        raise Http404("No such payment")
    return_url = reverse(
        "portal:payment_return",
        kwargs={"orgnr": payment.order.orgnr, "payment_id": payment.pk},
    )
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            order_services.payment_provider_decide(payment_id=payment.pk, decision=decision)
        except ApplicationError:
            return HttpResponse(status=400)
        # The provider's server-to-server callback, then the payer's redirect back.
        order_services.payment_callback(payment_id=payment.pk, today=today())
        return redirect(return_url)
    if payment.provider_status != PaymentAttempt.Status.INITIATED:
        return redirect(return_url)
    return render(request, "portal/payment_simulator.html", {"payment": payment})


@company_access_required
def portal_messages(request: HttpRequest, orgnr: str) -> HttpResponse:
    qs = portal_messages_for_company(orgnr, recipient=request.pid)
    page = Paginator(qs, 20).get_page(request.GET.get("side"))
    return render(request, "portal/messages.html", {"nav": "messages", "page": page})


@company_access_required
@require_POST
def portal_message_read(request: HttpRequest, orgnr: str, message_id: int) -> HttpResponse:
    try:
        portal_message_mark_read(message_id=message_id, orgnr=orgnr)
    except ApplicationError:
        raise Http404("No such message") from None
    return redirect("portal:messages", orgnr=orgnr)
