"""Administer cards: block, returned and shredded, expiring cards with re-order."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hmskort.cards.models import BlockReason, CardState
from hmskort.cards.services.lifecycle import card_block, card_register_returned
from hmskort.cards.services.transitions import TRANSITIONS
from hmskort.core.errors import ApplicationError
from hmskort.identity.access import company_access_required
from hmskort.portal import selectors
from hmskort.portal.forms import BlockForm
from hmskort.portal.refs import person_ref
from hmskort.portal.views.common import error_text, today


def _card_or_404(orgnr: str, card_id: int):
    card = selectors.company_card(orgnr, card_id)
    if card is None:
        raise Http404("No such card")
    return card


def _allowed(state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(state, ())


@company_access_required
def cards(request: HttpRequest, orgnr: str) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    state = request.GET.get("status", "")
    states = [state] if state in CardState.values else []
    page = Paginator(selectors.company_cards(orgnr, query=query, states=states), 50).get_page(
        request.GET.get("side")
    )
    rows = [
        {
            "card": card,
            "summary": selectors.card_summary(card, today=today()),
            "can_block": _allowed(card.state, CardState.BLOCKED),
            "can_return": _allowed(card.state, CardState.RETURNED),
        }
        for card in page.object_list
    ]
    context = {
        "nav": "cards",
        "page": page,
        "rows": rows,
        "query": query,
        "state": state,
        "states": CardState.choices,
    }
    return render(request, "portal/cards.html", context)


@company_access_required
@require_http_methods(["GET", "POST"])
def card_block_view(request: HttpRequest, orgnr: str, card_id: int) -> HttpResponse:
    card = _card_or_404(orgnr, card_id)
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            card_block(
                card=card,
                reason=BlockReason(form.cleaned_data["reason"]),
                actor=request.pid,
                note="Sperret av arbeidsgiver i portalen",
            )
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("Kortet %(number)s er sperret. Du kan nå bestille nytt kort.")
                % {"number": card.card_number},
            )
        return redirect("portal:cards", orgnr=orgnr)
    context = {
        "nav": "cards",
        "card": card,
        "form": form,
        "can_block": _allowed(card.state, CardState.BLOCKED),
    }
    return render(request, "portal/card_block.html", context)


@company_access_required
@require_POST
def card_returned_view(request: HttpRequest, orgnr: str, card_id: int) -> HttpResponse:
    card = _card_or_404(orgnr, card_id)
    try:
        card_register_returned(
            card=card, actor=request.pid, note="Levert tilbake og makulert (arbeidsgiver)"
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("Kortet %(number)s er registrert som levert tilbake og makulert.")
            % {"number": card.card_number},
        )
    return redirect("portal:cards", orgnr=orgnr)


@company_access_required
def expiring(request: HttpRequest, orgnr: str) -> HttpResponse:
    day = today()
    rows = [
        {
            "card": card,
            "ref": person_ref(orgnr, card.holder_id),
            "reorder_open": selectors.reorder_open(card, today=day),
        }
        for card in selectors.expiring_cards(orgnr, today=day)[:500]
    ]
    in_cart = selectors.cart_person_ids(orgnr)
    for row in rows:
        row["in_cart"] = row["card"].holder_id in in_cart
    return render(request, "portal/expiring.html", {"nav": "cards", "rows": rows})
