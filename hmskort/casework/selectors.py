"""Reads for the caseworker queue. Nothing here writes."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import get_language

from hmskort.cards.models import Card
from hmskort.cards.selectors import order_facts_for_pairs
from hmskort.eligibility import reasons
from hmskort.eligibility.industries import get_industry
from hmskort.eligibility.requirements import Requirement
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Outcome, Purpose, Verdict

from .models import Case, CaseKind, CaseStatus


def cases_open(kind: str = "") -> QuerySet[Case]:
    """The open cases, oldest first (optionally of one kind)."""
    qs = Case.objects.filter(status=CaseStatus.OPEN)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("opened_at", "id")


def open_counts_by_kind() -> dict[str, int]:
    """Open cases per kind (every kind present, 0 if none)."""
    counts = dict(
        Case.objects.filter(status=CaseStatus.OPEN)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {kind: counts.get(kind, 0) for kind in CaseKind.values}


# --- texts for findings -------------------------------------------------------------------


def _photocheck_text_function():
    """The photo/ID checks' text function if `hmskort.photocheck` offers one."""
    for module_name in ("hmskort.photocheck", "hmskort.photocheck.texts"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in ("finding_text", "text_for", "finding_message", "message_for"):
            function = getattr(module, name, None)
            if callable(function):
                return function
    return None


def auto_finding_groups(auto_findings: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The automatic checks' findings as (group, [(code, text)]) for display;
    text is "" when no text is known for a code."""
    text_of = _photocheck_text_function()
    language = get_language()
    groups = []
    for group, value in (auto_findings or {}).items():
        items = value if isinstance(value, list | tuple) else [value]
        rows = []
        for item in items:
            code = str(item.get("code", item)) if isinstance(item, dict) else str(item)
            text = ""
            if text_of is not None:
                try:
                    text = str(text_of(code, language) or "")
                except TypeError:
                    text = str(text_of(code) or "")
                except Exception:  # noqa: BLE001 - an unknown code shows as the code
                    text = ""
            if not text and isinstance(item, dict):
                text = str(item.get("text") or item.get("message") or "")
            rows.append((code, text if text != code else ""))
        groups.append((str(group), rows))
    return groups


# --- stuck orders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    code: str
    outcome: str
    public: str
    inspector: str
    action: str


@dataclass(frozen=True)
class StuckOrderView:
    card: Card | None
    verdict: Verdict | None
    findings: tuple[FindingRow, ...]
    #: Requirements of the card type an exception could waive (never DOCUMENTS),
    #: each with whether waiving it removes a finding now.
    waivable: tuple[tuple[str, bool], ...]


def _with_exception(facts, requirement: str, today: dt.date):
    from dataclasses import replace

    from hmskort.eligibility.facts import ExceptionFacts, Period

    extra = ExceptionFacts(frozenset({requirement}), Period(today, None))
    return replace(facts, exceptions=(*facts.exceptions, extra))


def stuck_order_view(case: Case, *, today: dt.date) -> StuckOrderView:
    """The stuck order's card and what the order rules say about it now."""
    card = Card.objects.filter(pk=case.card_id).first() if case.card_id else None
    if card is None:
        return StuckOrderView(None, None, (), ())
    pair = (card.employer_orgnr, card.holder_id)
    facts = order_facts_for_pairs([pair], exclude_card_ids=[card.pk])[pair]

    def run(f):
        return evaluate(f, card_type=card.card_type, today=today, purpose=Purpose.ORDER)

    verdict = run(facts)
    language = get_language()
    rows = tuple(
        FindingRow(
            code=str(f.code),
            outcome=str(f.outcome),
            public=reasons.public_text(str(f.code), language),
            inspector=reasons.inspector_text(str(f.code), language),
            action=reasons.action_text(str(f.code), language),
        )
        for f in verdict.findings
        if f.outcome is not Outcome.PASS
    )
    now_codes = set(verdict.reason_codes)
    waivable = []
    industry = get_industry(card.card_type)
    required = industry.requirements if industry else frozenset(Requirement)
    for requirement in (r for r in Requirement if r in required):
        if requirement == Requirement.DOCUMENTS:
            continue  # photo and ID are reviewed, never waived
        helps = bool(now_codes - set(run(_with_exception(facts, requirement, today)).reason_codes))
        waivable.append((str(requirement), helps))
    return StuckOrderView(card, verdict, rows, tuple(waivable))
