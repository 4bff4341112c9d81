"""The eligibility rules: register facts + "today" -> a verdict.

`evaluate()` is a pure function. It reads only its arguments (no database,
settings or clock), so the order flow, the nightly re-check and every status
answer decide alike. Sources: seed files [000], [001], [002], [004] and the
2023 evaluation report [003 §x]; see /work/shared/DOMAIN.md.

Rules (the requirements of each card type are data, see `industries.py`):

- Card type unknown -> FAIL UNKNOWN_CARD_TYPE (and nothing else is checked).
- Scope (never waived by an exception):
  - a company offering cleaning (a NACE code 81.2*, or any entry in
    Renholdsregisteret) may only get RH cards; BA/BP -> FAIL
    CLEANING_COMPANY_RH_ONLY [004, 003 §6.3];
  - a workshop approved by Statens vegvesen today is outside the BP scheme ->
    FAIL WORKSHOP_EXEMPT, and its car-care approval is not looked at [003 §2.2.3].
- COMPANY_ACTIVE (Enhetsregisteret) [000, 001]: not found -> FAIL
  COMPANY_NOT_FOUND; deleted on or before today -> FAIL COMPANY_DELETED;
  bankrupt -> FAIL COMPANY_BANKRUPT; (forced) liquidation -> FAIL
  COMPANY_LIQUIDATION (the first that applies; one finding).
- VAT (Merverdiavgiftsregisteret) [000]: met by a registration or a
  self-declaration (egenerklæring) whose period contains today, or when the
  company is younger than 3 calendar months (registered_on > today - 3 months,
  day clamped to month end); else PENDING VAT_UNCLEAR ("uklart").
- PERSON_REGISTERED (Folkeregisteret) [000, 001]: not found / dead /
  emigrated / ceased -> FAIL PERSON_NOT_FOUND / PERSON_DEAD /
  PERSON_EMIGRATED / PERSON_ID_CEASED. An inactive D-number fails an order
  (DNUMBER_INACTIVE); an issued card stays valid 30 days after the number
  turned inactive (day 30 passes, day 31 fails; unknown date: failed).
- EMPLOYMENT (Aa-registeret, OAR) [000, 001, 002]: met by an employment or
  assignment with start - 30 days <= today and no end before today. If the
  only live ones start later than that -> FAIL EMPLOYMENT_STARTS_LATER ("kan
  bestilles tidligst 30 dager før oppstart"). None at all -> at ORDER PENDING
  EMPLOYMENT_NOT_REGISTERED (registers lag; the order waits), at RECHECK FAIL.
  Own employer: role INNH in an ENK, or DTPR/DTSO in an ANS/DA, replaces the
  employment.
  At RECHECK a person who has no employment and whose owner role has ended
  (`Facts.ended_roles`) -> FAIL OWNER_ROLE_MISSING (an own-employer card whose
  role is gone) instead of EMPLOYMENT_NOT_REGISTERED.
- STAFFING_REGISTRATION (Bemanningsforetaksregisteret) [000, 001]: only for a
  staffing agency (a NACE code 78*): a registration must contain today, else
  PENDING (ORDER) / FAIL (RECHECK) STAFFING_NOT_REGISTERED.
- NACE_FIT [003 §6.3, §7.2.1], ORDER only: a company with NACE codes none of
  which fits the card type (`industries.nace_fits_card_type`; staffing
  agencies fit every industry) needs a written justification approved by a
  caseworker: none written -> PENDING NACE_JUSTIFICATION_MISSING; written,
  waiting -> PENDING NACE_JUSTIFICATION_PENDING; rejected -> FAIL
  NACE_JUSTIFICATION_REJECTED; approved -> met. A company without any NACE
  code makes no finding (nothing to compare).
- CLEANING_APPROVAL (Renholdsregisteret, RH) [000, 001]: approved -> met;
  applied and told it may order -> PENDING CLEANING_APPROVAL_AWAITED (not
  auto-cancelled, see reasons); anything else -> FAIL CLEANING_NOT_APPROVED.
- CARCARE_APPROVAL (BP) [003 §2.2.3]: approved -> met; applied (with or
  without leave to order) -> PENDING CARCARE_NOT_APPROVED; none, rejected,
  revoked -> FAIL CARCARE_NOT_APPROVED.
- WORK_PERMIT (UDI; RH, BP) [001, 003 §8.1]: a person without EU/EEA/EFTA
  citizenship (none recorded counts as non-EEA) needs a permit with work
  access valid today, else PENDING (ORDER) / FAIL (RECHECK) WORK_PERMIT_MISSING.
- DOCUMENTS (photo and ID review) [001, 003 §5.1.2], ORDER only and only when
  the caller tracks them (`Facts.documents` not None): approved -> met;
  missing -> PENDING DOCUMENTS_MISSING; uploaded, not yet approved -> PENDING
  DOCUMENTS_UNDER_REVIEW; rejected -> PENDING DOCUMENTS_REJECTED (the order
  waits for a new upload and continues by itself once it is approved).
- Exceptions (Arbeidstilsynet's exception register) [000, 001]: an entry
  valid today waives the requirements it lists; their findings disappear.
  The photo and ID (DOCUMENTS) are never waived.
- Existing cards for the same employer and person, ORDER only [001]: a
  pending order -> FAIL ALREADY_ORDERED; a valid or invalid card outside its
  last month (today < valid_until - 1 calendar month) -> FAIL
  LOST_CARD_NOT_BLOCKED when the order replaces a lost card, else FAIL
  ALREADY_HAS_CARD. Blocked and ended cards never block. Cards of every type
  count: one card per employment [000].

At RECHECK a finding that is PENDING at ORDER stays PENDING unless stated
above; the caller turns any non-PASS re-check verdict into an invalid card.

Verdict: FAIL if any finding fails, else PENDING if any is pending, else PASS.
Findings come in a stable order: UNKNOWN_CARD_TYPE; scope
(CLEANING_COMPANY_RH_ONLY, WORKSHOP_EXEMPT); then one finding per unmet
requirement in `Requirement` declaration order; then ALREADY_ORDERED,
ALREADY_HAS_CARD / LOST_CARD_NOT_BLOCKED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .dates import add_months
from .facts import (
    ApprovalStatus,
    CompanyFacts,
    DocumentsState,
    EmploymentFacts,
    ExceptionFacts,
    ExistingCard,
    ExistingCardKind,
    Facts,
    JustificationState,
    PersonFacts,
    PersonStatus,
)
from .industries import (
    CLEANING_NACE_PREFIX,
    Industry,
    get_industry,
    is_staffing_agency,
    nace_fits_card_type,
    nace_matches,
)
from .reasons import ReasonCode
from .requirements import NEVER_WAIVED, Requirement
from .verdict import Finding, Outcome, Purpose, Verdict

# A card may be ordered at most this many days before the employment starts [000, 002].
ORDER_LEAD_DAYS = 30
# An issued card stays valid this many days after its D-number turned inactive.
DNUMBER_GRACE_DAYS = 30
# A company younger than this many calendar months meets the VAT requirement [000].
NEW_COMPANY_VAT_MONTHS = 3
# A new card may be ordered in the last month of the old card's validity [001].
RENEWAL_WINDOW_MONTHS = 1

# EU/EEA/EFTA (ISO 3166-1 alpha-2): Norway, the 27 EU states, Iceland,
# Liechtenstein and Switzerland. Their citizens need no UDI work permit.
EEA_COUNTRIES: frozenset[str] = frozenset(
    {
        "NO", "IS", "LI", "CH",
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip

# Own employer: a role that replaces the employment, by organisation form.
OWNER_ROLES: dict[str, frozenset[str]] = {
    "ENK": frozenset({"INNH"}),
    "ANS": frozenset({"DTPR", "DTSO"}),
    "DA": frozenset({"DTPR", "DTSO"}),
}


def evaluate(
    facts: Facts,
    *,
    card_type: str,
    today: dt.date,
    purpose: Purpose,
    replaces_lost_card: bool = False,
) -> Verdict:
    """Decide whether a card of `card_type` may be issued (ORDER) or stays
    valid (RECHECK) for the (employer, person) pair described by `facts`."""
    industry = get_industry(card_type)
    if industry is None:
        return _verdict([_fail(ReasonCode.UNKNOWN_CARD_TYPE)])

    ctx = _Context(facts=facts, industry=industry, today=today, purpose=Purpose(purpose))
    findings: list[Finding] = _scope(ctx)
    waived = waived_requirements(facts.exceptions, today)
    for requirement in Requirement:
        if requirement in industry.requirements and requirement not in waived:
            findings.extend(_CHECKS[requirement](ctx))
    if ctx.purpose is Purpose.ORDER:
        findings.extend(
            _existing_cards(facts.existing_cards, today, replaces_lost_card=replaces_lost_card)
        )
    return _verdict(findings)


# --- helpers other code may use -------------------------------------------------


def waived_requirements(exceptions: Iterable[ExceptionFacts], today: dt.date) -> frozenset[str]:
    """Requirement codes waived by exception-register entries valid today (never
    those in `NEVER_WAIVED`)."""
    return (
        frozenset(
            str(code).strip().upper()
            for exception in exceptions
            if exception.valid.contains(today)
            for code in exception.waives
        )
        - NEVER_WAIVED
    )


def is_cleaning_company(company: CompanyFacts) -> bool:
    """A company that offers cleaning: NACE 81.2* or known to Renholdsregisteret."""
    return company.cleaning_approval is not None or any(
        nace_matches(code, (CLEANING_NACE_PREFIX,)) for code in company.nace_codes
    )


def is_eea_citizen(person: PersonFacts) -> bool:
    return any(code.strip().upper() in EEA_COUNTRIES for code in person.citizenships)


def renewal_opens_on(valid_until: dt.date) -> dt.date:
    """First day a new card may be ordered while this one is still valid."""
    return add_months(valid_until, -RENEWAL_WINDOW_MONTHS)


def employment_is_current(employment: EmploymentFacts, today: dt.date) -> bool:
    """Started, or starting within ORDER_LEAD_DAYS, and not ended before today."""
    start, end = employment.period.start, employment.period.end
    return (start is None or (start - today).days <= ORDER_LEAD_DAYS) and (
        end is None or end >= today
    )


# --- internals ------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    facts: Facts
    industry: Industry
    today: dt.date
    purpose: Purpose

    def lagging(self) -> Outcome:
        """Registers lag: an order waits, an issued card does not."""
        return Outcome.PENDING if self.purpose is Purpose.ORDER else Outcome.FAIL


def _fail(code: ReasonCode) -> Finding:
    return Finding(code=code, outcome=Outcome.FAIL)


def _pending(code: ReasonCode) -> Finding:
    return Finding(code=code, outcome=Outcome.PENDING)


def _verdict(findings: list[Finding]) -> Verdict:
    outcomes = {finding.outcome for finding in findings}
    if Outcome.FAIL in outcomes:
        outcome = Outcome.FAIL
    elif Outcome.PENDING in outcomes:
        outcome = Outcome.PENDING
    else:
        outcome = Outcome.PASS
    return Verdict(outcome=outcome, findings=tuple(findings))


def _scope(ctx: _Context) -> list[Finding]:
    company = ctx.facts.company
    if company is None:
        return []
    findings = []
    if not ctx.industry.cleaning_companies_allowed and is_cleaning_company(company):
        findings.append(_fail(ReasonCode.CLEANING_COMPANY_RH_ONLY))
    if _workshop_exempt(ctx):
        findings.append(_fail(ReasonCode.WORKSHOP_EXEMPT))
    return findings


def _workshop_exempt(ctx: _Context) -> bool:
    company = ctx.facts.company
    return (
        ctx.industry.exempt_if_workshop_approved
        and company is not None
        and any(period.contains(ctx.today) for period in company.workshop_approvals)
    )


def _company_active(ctx: _Context) -> list[Finding]:
    company = ctx.facts.company
    if company is None:
        return [_fail(ReasonCode.COMPANY_NOT_FOUND)]
    if company.deleted_on is not None and company.deleted_on <= ctx.today:
        return [_fail(ReasonCode.COMPANY_DELETED)]
    if company.bankrupt:
        return [_fail(ReasonCode.COMPANY_BANKRUPT)]
    if company.under_liquidation or company.forced_liquidation:
        return [_fail(ReasonCode.COMPANY_LIQUIDATION)]
    return []


def _vat(ctx: _Context) -> list[Finding]:
    company, today = ctx.facts.company, ctx.today
    if company is None:  # reported as COMPANY_NOT_FOUND
        return []
    if any(p.contains(today) for p in company.vat_registrations + company.vat_self_declarations):
        return []
    if company.registered_on > add_months(today, -NEW_COMPANY_VAT_MONTHS):
        return []
    return [_pending(ReasonCode.VAT_UNCLEAR)]


_PERSON_STATUS_FAILURES = {
    PersonStatus.DEAD: ReasonCode.PERSON_DEAD,
    PersonStatus.EMIGRATED: ReasonCode.PERSON_EMIGRATED,
    PersonStatus.CEASED: ReasonCode.PERSON_ID_CEASED,
}


def _person_registered(ctx: _Context) -> list[Finding]:
    person = ctx.facts.person
    if person is None:
        return [_fail(ReasonCode.PERSON_NOT_FOUND)]
    status = PersonStatus(person.status)
    if status in _PERSON_STATUS_FAILURES:
        return [_fail(_PERSON_STATUS_FAILURES[status])]
    if status is PersonStatus.INACTIVE:
        in_grace = (
            ctx.purpose is Purpose.RECHECK
            and person.status_since is not None
            and (ctx.today - person.status_since).days <= DNUMBER_GRACE_DAYS
        )
        if not in_grace:
            return [_fail(ReasonCode.DNUMBER_INACTIVE)]
    return []


def _holds_owner_role(company: CompanyFacts | None, roles: Iterable[str]) -> bool:
    if company is None:
        return False
    owner_roles = OWNER_ROLES.get(company.organisation_form.strip().upper(), frozenset())
    return any(role.strip().upper() in owner_roles for role in roles)


def _employment(ctx: _Context) -> list[Finding]:
    facts, today = ctx.facts, ctx.today
    if _holds_owner_role(facts.company, facts.roles):
        return []
    if any(employment_is_current(e, today) for e in facts.employments):
        return []
    starts_later = any(
        e.period.start is not None
        and (e.period.start - today).days > ORDER_LEAD_DAYS
        and (e.period.end is None or e.period.end >= today)
        for e in facts.employments
    )
    if starts_later:
        return [_fail(ReasonCode.EMPLOYMENT_STARTS_LATER)]
    if ctx.purpose is Purpose.RECHECK and _holds_owner_role(facts.company, facts.ended_roles):
        return [_fail(ReasonCode.OWNER_ROLE_MISSING)]
    return [Finding(code=ReasonCode.EMPLOYMENT_NOT_REGISTERED, outcome=ctx.lagging())]


def holds_owner_role(facts: Facts) -> bool:
    """Whether the person is their own employer in the company (INNH in an ENK,
    DTPR/DTSO in an ANS/DA): such a card needs no employment."""
    return _holds_owner_role(facts.company, facts.roles)


def _nace_fit(ctx: _Context) -> list[Finding]:
    company = ctx.facts.company
    if ctx.purpose is not Purpose.ORDER or company is None or not company.nace_codes:
        return []
    if nace_fits_card_type(company.nace_codes, ctx.industry.code):
        return []
    if not ctx.industry.cleaning_companies_allowed and is_cleaning_company(company):
        return []  # reported under scope (CLEANING_COMPANY_RH_ONLY)
    state = next(
        (
            j.state
            for j in ctx.facts.nace_justifications
            if j.card_type.strip().upper() == ctx.industry.code
        ),
        None,
    )
    if state is None:
        return [_pending(ReasonCode.NACE_JUSTIFICATION_MISSING)]
    state = JustificationState(state)
    if state is JustificationState.APPROVED:
        return []
    if state is JustificationState.REJECTED:
        return [_fail(ReasonCode.NACE_JUSTIFICATION_REJECTED)]
    return [_pending(ReasonCode.NACE_JUSTIFICATION_PENDING)]


def _staffing(ctx: _Context) -> list[Finding]:
    company = ctx.facts.company
    if company is None or not is_staffing_agency(company.nace_codes):
        return []
    if any(p.contains(ctx.today) for p in company.staffing_registrations):
        return []
    return [Finding(code=ReasonCode.STAFFING_NOT_REGISTERED, outcome=ctx.lagging())]


def _cleaning(ctx: _Context) -> list[Finding]:
    company = ctx.facts.company
    if company is None:
        return []
    status = company.cleaning_approval
    if status == ApprovalStatus.APPROVED:
        return []
    if status == ApprovalStatus.APPLIED_MAY_ORDER:
        return [_pending(ReasonCode.CLEANING_APPROVAL_AWAITED)]
    return [_fail(ReasonCode.CLEANING_NOT_APPROVED)]


def _carcare(ctx: _Context) -> list[Finding]:
    company = ctx.facts.company
    if company is None or _workshop_exempt(ctx):  # exempt: reported under scope
        return []
    status = company.carcare_approval
    if status == ApprovalStatus.APPROVED:
        return []
    if status in (ApprovalStatus.APPLIED, ApprovalStatus.APPLIED_MAY_ORDER):
        return [_pending(ReasonCode.CARCARE_NOT_APPROVED)]
    return [_fail(ReasonCode.CARCARE_NOT_APPROVED)]


def _work_permit(ctx: _Context) -> list[Finding]:
    person = ctx.facts.person
    if person is None or is_eea_citizen(person):  # no person: PERSON_NOT_FOUND
        return []
    if any(p.work_access and p.valid.contains(ctx.today) for p in person.permits):
        return []
    return [Finding(code=ReasonCode.WORK_PERMIT_MISSING, outcome=ctx.lagging())]


_DOCUMENT_FINDINGS = {
    DocumentsState.MISSING: ReasonCode.DOCUMENTS_MISSING,
    DocumentsState.UNDER_REVIEW: ReasonCode.DOCUMENTS_UNDER_REVIEW,
    DocumentsState.REJECTED: ReasonCode.DOCUMENTS_REJECTED,
}


def _documents(ctx: _Context) -> list[Finding]:
    documents = ctx.facts.documents
    if ctx.purpose is not Purpose.ORDER or documents is None:
        return []
    code = _DOCUMENT_FINDINGS.get(DocumentsState(documents))
    return [] if code is None else [_pending(code)]


_CHECKS: dict[Requirement, Callable[[_Context], list[Finding]]] = {
    Requirement.COMPANY_ACTIVE: _company_active,
    Requirement.VAT: _vat,
    Requirement.PERSON_REGISTERED: _person_registered,
    Requirement.EMPLOYMENT: _employment,
    Requirement.STAFFING_REGISTRATION: _staffing,
    Requirement.NACE_FIT: _nace_fit,
    Requirement.CLEANING_APPROVAL: _cleaning,
    Requirement.CARCARE_APPROVAL: _carcare,
    Requirement.WORK_PERMIT: _work_permit,
    Requirement.DOCUMENTS: _documents,
}


def _existing_cards(
    cards: Iterable[ExistingCard], today: dt.date, *, replaces_lost_card: bool
) -> list[Finding]:
    cards = tuple(cards)
    findings = []
    if any(card.kind == ExistingCardKind.PENDING for card in cards):
        findings.append(_fail(ReasonCode.ALREADY_ORDERED))
    if any(
        card.kind in (ExistingCardKind.VALID, ExistingCardKind.INVALID)
        and (card.valid_until is None or today < renewal_opens_on(card.valid_until))
        for card in cards
    ):
        findings.append(
            _fail(
                ReasonCode.LOST_CARD_NOT_BLOCKED
                if replaces_lost_card
                else ReasonCode.ALREADY_HAS_CARD
            )
        )
    return findings
