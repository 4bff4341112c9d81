"""The cart and checkout (web shop)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hmskort.cards.services.lifecycle import CardOrderRefused
from hmskort.core.errors import ApplicationError
from hmskort.eligibility.verdict import Outcome
from hmskort.identity.access import company_access_required
from hmskort.notifications.selectors import company_contact_get
from hmskort.portal import prices, selectors
from hmskort.portal.forms import CartItemForm, CheckoutForm
from hmskort.portal.models import ONLINE_METHODS, Order
from hmskort.portal.services import cart as cart_services
from hmskort.portal.services import orders as order_services
from hmskort.portal.views.common import error_text, person_or_404, today


def _checkout_extras(orgnr: str, items) -> dict:
    """The per-order industry declarations and per-line NACE justifications the
    checkout form must ask for (both read from the industry data and the rules)."""
    from hmskort.eligibility.industries import get_industry

    declarations = [
        (code, get_industry(code).order_declaration())
        for code in order_services.industries_needing_declaration(items)
    ]
    needing = order_services.items_needing_justification(orgnr=orgnr, items=items, today=today())
    justifications = [
        (
            item,
            _("Begrunnelse for %(type)s-kort til %(name)s")
            % {"type": item.card_type, "name": item.holder_name},
        )
        for item in items
        if item.pk in needing
    ]
    return {"declarations": declarations, "justifications": justifications}


def _checkout_form(request: HttpRequest, orgnr: str, items, data=None) -> CheckoutForm:
    extras = _checkout_extras(orgnr, items)
    if data is not None:
        return CheckoutForm(data, **extras)
    contact = company_contact_get(orgnr)
    last = Order.objects.filter(orgnr=orgnr, orderer_pid=request.pid).first()
    email = (last.orderer_email if last else "") or (contact.email if contact else "")
    return CheckoutForm(initial={"orderer_email": email, "payment_method": "invoice"}, **extras)


def _cart_context(request: HttpRequest, orgnr: str, *, checkout_form=None, problems=()):
    items = list(selectors.cart_items(orgnr))
    card_types = selectors.card_types_for_company(orgnr)
    addresses = list(selectors.delivery_addresses(orgnr))
    verdicts = selectors.order_dry_run(
        orgnr=orgnr,
        requests=[(i.person_id, i.card_type, i.replaces_lost_card) for i in items],
        today=today(),
    )
    problems_by_item: dict[int, list] = {}
    for p in problems:
        problems_by_item.setdefault(p.item_id, []).append(p.code)
    lines = []
    amounts = []
    for item in items:
        verdict = verdicts[(item.person_id, item.card_type)]
        card_price = prices.card_price(item.card_type)
        holder_total = prices.card_holder_price() * item.card_holders
        amounts += [card_price, holder_total]
        lines.append(
            {
                "item": item,
                "form": CartItemForm(
                    prefix=f"i{item.pk}",
                    card_types=card_types,
                    addresses=addresses,
                    initial={
                        "card_type": item.card_type,
                        "declaration": item.declaration,
                        "card_holders": item.card_holders,
                        "delivery_address": item.delivery_address_id,
                        "replaces_lost_card": item.replaces_lost_card,
                    },
                ),
                "refused": selectors.reason_texts(selectors.failing_codes(verdict))
                if verdict.outcome is Outcome.FAIL
                else (),
                "pending": selectors.reason_texts(selectors.pending_codes(verdict)),
                "price": card_price,
                "price_incl_vat": prices.with_vat(card_price + holder_total),
                "problems": problems_by_item.get(item.pk, []),
            }
        )
    if checkout_form is None:
        checkout_form = _checkout_form(request, orgnr, items)
    return {
        "nav": "cart",
        "lines": lines,
        "totals": prices.totals(amounts),
        "vat_percent": int(prices.vat_rate() * 100),
        "card_holder_price": prices.card_holder_price(),
        "addresses": addresses,
        "checkout_form": checkout_form,
        "address_count": len({i.delivery_address_id for i in items}),
        "problems": problems,
    }


def _back(request: HttpRequest, orgnr: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith(f"/portal/v/{orgnr}/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect("portal:employees", orgnr=orgnr)


def _render_cart(request: HttpRequest, orgnr: str, *, status: int = 200, **kw) -> HttpResponse:
    """The cart page; a card type without a price today says so (409) instead of failing."""
    try:
        context = _cart_context(request, orgnr, **kw)
    except prices.PriceMissing as exc:
        return _price_missing(request, exc)
    return render(request, "portal/cart.html", context, status=status)


def _price_missing(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(
        request, "portal/price_missing.html", {"nav": "cart", "message": exc.message}, status=409
    )


@company_access_required
def cart(request: HttpRequest, orgnr: str) -> HttpResponse:
    return _render_cart(request, orgnr)


@company_access_required
@require_POST
def cart_add(request: HttpRequest, orgnr: str) -> HttpResponse:
    person_id, name = person_or_404(request, request.POST.get("person", ""))
    card_type = request.POST.get("card_type") or None
    try:
        result = cart_services.cart_add(
            orgnr=orgnr,
            person_id=person_id,
            holder_name=name,
            added_by=request.pid,
            today=today(),
            card_type=card_type,
        )
    except CardOrderRefused as exc:
        context = {
            "name": name,
            "refused": selectors.reason_texts(exc.reason_codes),
        }
        if request.htmx:
            return render(request, "portal/_cart_add_result.html", context)
        messages.error(
            request,
            _("Kort til %(name)s kan ikke bestilles: %(reasons)s")
            % {
                "name": name,
                "reasons": " ".join(r.text + " " + r.action for r in context["refused"]),
            },
        )
        return _back(request, orgnr)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return _back(request, orgnr)
    context = {
        "name": name,
        "added": True,
        "created": result.created,
        "pending": selectors.reason_texts(selectors.pending_codes(result.verdict)),
    }
    if request.htmx:
        return render(request, "portal/_cart_add_result.html", context)
    messages.success(request, _("Kort til %(name)s er lagt i handlekurven.") % {"name": name})
    return redirect("portal:cart", orgnr=orgnr)


@company_access_required
@require_POST
def cart_item_update(request: HttpRequest, orgnr: str, item_id: int) -> HttpResponse:
    form = CartItemForm(
        request.POST,
        prefix=f"i{item_id}",
        card_types=selectors.card_types_for_company(orgnr),
        addresses=selectors.delivery_addresses(orgnr),
    )
    if form.is_valid():
        try:
            cart_services.cart_item_update(
                orgnr=orgnr,
                item_id=item_id,
                card_type=form.cleaned_data["card_type"],
                declaration=form.cleaned_data["declaration"],
                card_holders=form.cleaned_data["card_holders"],
                delivery_address_id=form.cleaned_data["delivery_address"],
                replaces_lost_card=form.cleaned_data["replaces_lost_card"],
            )
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Endringen er lagret."))
    else:
        messages.error(request, _("Endringen ble ikke lagret. Sjekk feltene."))
    return redirect("portal:cart", orgnr=orgnr)


@company_access_required
@require_POST
def cart_item_remove(request: HttpRequest, orgnr: str, item_id: int) -> HttpResponse:
    cart_services.cart_remove(orgnr=orgnr, item_id=item_id)
    messages.success(request, _("Kortet er fjernet fra handlekurven."))
    return redirect("portal:cart", orgnr=orgnr)


def _field_errors(form: CheckoutForm, problems) -> None:
    """Put the declaration / justification problems on their fields (what was
    typed stays in the bound form)."""
    for p in problems:
        if p.code == "industry_declaration_missing":
            name = f"declare_{p.reason_codes[0]}" if p.reason_codes else ""
            if name in form.fields and name not in form.errors:
                form.add_error(
                    name, _("Du må bekrefte erklæringen for å bestille denne korttypen.")
                )
        elif p.code == "nace_justification_missing":
            name = f"justification_{p.item_id}"
            if name in form.fields and name not in form.errors:
                form.add_error(name, _("Skriv en begrunnelse for korttypen."))


@company_access_required
@require_POST
def checkout(request: HttpRequest, orgnr: str) -> HttpResponse:
    form = _checkout_form(request, orgnr, list(selectors.cart_items(orgnr)), data=request.POST)
    if not form.is_valid():
        return _render_cart(request, orgnr, checkout_form=form, status=422)
    try:
        orders = order_services.order_place(
            orgnr=orgnr,
            company_name=request.company.name,
            orderer_pid=request.pid,
            orderer_email=form.cleaned_data["orderer_email"],
            payment_method=form.cleaned_data["payment_method"],
            today=today(),
            declarations=form.declared(),
            justifications=form.justifications(),
        )
    except order_services.CheckoutError as exc:
        problems = exc.extra.get("problems", ())
        form.add_error(None, exc.message)
        _field_errors(form, problems)
        return _render_cart(request, orgnr, checkout_form=form, problems=problems, status=422)
    except prices.PriceMissing as exc:
        return _price_missing(request, exc)
    if orders[0].payment_method in ONLINE_METHODS:
        if len(orders) == 1:
            payment = order_services.payment_start(orgnr=orgnr, order_id=orders[0].pk)
            return redirect("portal:payment_simulator", payment_id=payment.pk)
        messages.info(
            request,
            _("Kortene går til ulike adresser, så det ble %(n)s ordrer. Betal hver av dem.")
            % {"n": len(orders)},
        )
        return redirect("portal:orders", orgnr=orgnr)
    messages.success(request, _("Takk for bestillingen. Ordrebekreftelsen er sendt på e-post."))
    if len(orders) == 1:
        return redirect("portal:order", orgnr=orgnr, order_id=orders[0].pk)
    return redirect("portal:orders", orgnr=orgnr)
