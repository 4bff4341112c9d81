import datetime as dt

from django.utils import timezone

from hmskort.cards.tests.factories import card_for_employment
from hmskort.intelligence.followup import cleaning_approval_followup, vat_self_declarations
from hmskort.registers.models import GodkjenningStatus
from hmskort.registers.tests.factories import (
    ArbeidsforholdFactory,
    EnhetFactory,
    MvaEgenerklaeringFactory,
    RenholdsgodkjenningFactory,
)


def _cleaning(name):
    company = EnhetFactory(navn=name, naeringskode1="81.210")
    RenholdsgodkjenningFactory(enhet=company, status=GodkjenningStatus.SOEKT_KAN_BESTILLE)
    return company


def cleaning_companies():
    """(ready, waiting): every cleaner of `ready` has an RH card (valid, or pending only
    on the approval); one cleaner of `waiting` has none."""
    ready = _cleaning("KLAR RENHOLD AS")
    jobs = [ArbeidsforholdFactory(arbeidsgiver=ready) for _ in range(2)]
    card_for_employment(jobs[0], active=True, card_type="RH")
    card_for_employment(jobs[1], card_type="RH", reason_codes=["CLEANING_APPROVAL_AWAITED"])
    waiting = _cleaning("IKKE KLAR RENHOLD AS")
    jobs = [ArbeidsforholdFactory(arbeidsgiver=waiting) for _ in range(3)]
    card_for_employment(jobs[0], active=True, card_type="RH")
    card_for_employment(jobs[1], active=True, card_type="BA")  # the wrong card type
    return ready, waiting


def test_cleaning_followup_lists_ready_companies_first(db):
    ready, waiting = cleaning_companies()
    approved = EnhetFactory(naeringskode1="81.210")
    RenholdsgodkjenningFactory(enhet=approved)  # already approved: not followed up
    rows = cleaning_approval_followup(today=timezone.localdate())
    assert [(r.orgnr, r.ready, r.cleaners, r.covered) for r in rows] == [
        (ready.organisasjonsnummer, True, 2, 2),
        (waiting.organisasjonsnummer, False, 3, 1),
    ]
    assert rows[1].missing == 2


def test_ended_employments_do_not_count_as_cleaners(db):
    company = _cleaning("SLUTTET RENHOLD AS")
    job = ArbeidsforholdFactory(arbeidsgiver=company)
    card_for_employment(job, active=True, card_type="RH")
    ArbeidsforholdFactory(
        arbeidsgiver=company, sluttdato=timezone.localdate() - dt.timedelta(days=3)
    )
    (row,) = cleaning_approval_followup(today=timezone.localdate())
    assert row.ready and row.cleaners == 1


def test_vat_declarations_in_force_during_the_month(db):
    month = dt.date(2026, 3, 1)
    new = MvaEgenerklaeringFactory(erklaert_dato=dt.date(2026, 3, 10))
    running = MvaEgenerklaeringFactory(erklaert_dato=dt.date(2025, 6, 1))
    withdrawn = MvaEgenerklaeringFactory(
        erklaert_dato=dt.date(2025, 6, 1), trukket_dato=dt.date(2026, 3, 20)
    )
    MvaEgenerklaeringFactory(erklaert_dato=dt.date(2025, 6, 1), trukket_dato=dt.date(2026, 2, 1))
    MvaEgenerklaeringFactory(erklaert_dato=dt.date(2026, 4, 2))
    rows = {r.orgnr: r.status for r in vat_self_declarations(month=month)}
    assert rows == {
        new.enhet_id: "ny",
        running.enhet_id: "løpende",
        withdrawn.enhet_id: "trukket",
    }
