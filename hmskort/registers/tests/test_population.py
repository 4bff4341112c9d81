"""The synthetic population generator (`seed_registers`) and the demo logins."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from stdnum.no import fodselsnummer, orgnr

from hmskort.cards.models import Card, CardStatusHistory
from hmskort.cards.numbers import is_valid_card_number
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.verdict import Outcome, Purpose
from hmskort.registers import idnumbers
from hmskort.registers import models as m
from hmskort.registers.facts import facts_for_pairs
from hmskort.registers.population import (
    demo_personas,
    generate,
    load,
    resolve_preset,
    seed_population,
)
from hmskort.registers.population import personas as persona_specs

TODAY = dt.date(2025, 6, 2)
SEED = 7

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return seed_population(preset="demo", seed=SEED, today=TODAY)


def test_demo_preset_has_the_promised_size(demo):
    hovedenheter = m.Enhet.objects.filter(overordnet_enhet__isnull=True).count()
    assert 180 <= hovedenheter <= 220
    assert m.Enhet.objects.filter(organisasjonsform="BEDR").exists()
    assert 3_000 <= m.Person.objects.count() <= 3_600  # 3,000 plus the personas' people
    assert 500 <= Card.objects.count() <= 1_500
    assert Counter(Card.objects.values_list("card_type", flat=True)).keys() == {
        "BA",
        "RH",
        "BP",
        "VT",
    }
    # One status-history row per card, written by the seeding job.
    assert CardStatusHistory.objects.count() == Card.objects.count()
    assert set(CardStatusHistory.objects.values_list("actor_type", "actor", "from_state")) == {
        ("job", "seed_registers", "")
    }
    assert demo.count("Card") == Card.objects.count()


def test_every_identifier_is_valid_and_unique(demo):
    orgnrs = list(m.Enhet.objects.values_list("organisasjonsnummer", flat=True))
    assert all(orgnr.is_valid(n) for n in orgnrs)
    people = list(m.Person.objects.values_list("identifikator", "identifikatortype", "kjoenn"))
    assert len({p[0] for p in people}) == len(people)
    new_style = 0
    for number, kind, gender in people:
        assert idnumbers.is_valid(number, accept_synthetic=False), number
        assert (int(number[0]) >= 4) == (kind == "DNR"), number
        if idnumbers.parse(number).new_check_digits:
            new_style += 1  # 2032 numbers carry no gender: the register's gender counts
            continue
        assert fodselsnummer.is_valid(number), number
        # Classic numbers: the register's gender agrees with the gender digit.
        assert fodselsnummer.get_gender(number) == ("M" if gender == "mann" else "F")
    assert new_style >= 1  # a few 2032-style numbers
    assert m.Person.objects.filter(identifikatortype="DNR").exists()
    numbers = list(Card.objects.values_list("card_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid_card_number(n) for n in numbers)


def test_the_population_is_realistic(demo):
    nace = Counter(code[:2] for code in m.Enhet.objects.values_list("naeringskode1", flat=True))
    assert nace["41"] + nace["42"] + nace["43"] > nace["81"] + nace["45"] + nace["78"]
    forms = Counter(m.Enhet.objects.values_list("organisasjonsform", flat=True))
    assert forms.most_common(1)[0][0] == "AS"
    assert {"ENK", "NUF", "BEDR"} <= forms.keys()
    assert m.Enhet.objects.filter(organisasjonsform="NUF").exclude(hjemland="").exists()
    # Every hovedenhet has a role holder, who is a person in Folkeregisteret.
    without_roles = m.Enhet.objects.filter(overordnet_enhet__isnull=True, roller__isnull=True)
    assert not without_roles.exists()
    # Posted workers in OAR hold D-numbers.
    posted = m.Person.objects.filter(oppdrag__isnull=False).distinct()
    assert posted.exists() and not posted.exclude(identifikatortype="DNR").exists()
    # Non-EEA workers with and without a residence permit.
    assert m.Oppholdstillatelse.objects.exists()
    assert m.Unntak.objects.filter(fritak=["EMPLOYMENT"]).exists()
    young = m.Enhet.objects.filter(registreringsdato__gt=TODAY - dt.timedelta(days=89))
    assert young.exists() and not m.MvaRegistrering.objects.filter(enhet__in=young).exists()
    assert m.Arbeidsforhold.objects.filter(sluttdato__lt=TODAY).exists()
    assert m.Arbeidsforhold.objects.filter(startdato__gt=TODAY).exists()
    states = Counter(Card.objects.values_list("state", flat=True))
    assert states.most_common(1)[0][0] == "active"
    assert {"invalid", "pending", "expired", "blocked"} <= states.keys()


def test_same_seed_same_population_other_seed_differs():
    def snapshot():
        return (
            list(m.Person.objects.order_by("pk").values_list()),
            list(
                m.Enhet.objects.order_by("pk").values_list(
                    "organisasjonsnummer",
                    "navn",
                    "organisasjonsform",
                    "naeringskode1",
                    "registreringsdato",
                    "slettedato",
                    "konkurs",
                    "forretningsadresse",
                )
            ),
            list(m.Arbeidsforhold.objects.order_by("pk").values_list()),
            list(m.Rolle.objects.order_by("pk").values_list("enhet", "rolletype", "person")),
            list(
                Card.objects.order_by("pk").values_list(
                    "card_number",
                    "card_type",
                    "employer_orgnr",
                    "holder_id",
                    "holder_name",
                    "state",
                    "reason_codes",
                    "state_changed_at",
                    "issue_date",
                    "valid_until",
                )
            ),
        )

    seed_population(preset="demo", seed=SEED, today=TODAY)
    first = snapshot()
    seed_population(preset="demo", seed=SEED, today=TODAY)
    assert snapshot() == first
    seed_population(preset="demo", seed=SEED + 1, today=TODAY)
    other = snapshot()
    assert other[0] != first[0] and other[4] != first[4]


def test_generation_alone_is_deterministic():
    preset = resolve_preset("demo", 0.3)
    a = generate(preset, seed=3, today=TODAY)
    b = generate(preset, seed=3, today=TODAY)
    assert a.rows == b.rows


def test_cards_fit_the_company_industry_and_employment(demo):
    industry = {}
    for number, nace in m.Enhet.objects.values_list("organisasjonsnummer", "naeringskode1"):
        industry[number] = nace
    types_by_company: dict[str, set[str]] = {}
    for employer, card_type in Card.objects.values_list("employer_orgnr", "card_type"):
        types_by_company.setdefault(employer, set()).add(card_type)
        nace = industry[employer]
        if nace.startswith("81.2"):
            assert card_type == "RH"
        elif nace.startswith("45.2"):
            assert card_type == "BP"
        elif nace.startswith(("49.41", "49.42", "53.2")):
            assert card_type == "VT"
        elif card_type == "VT":
            assert nace.startswith("78")  # staffing agencies hiring out drivers
        else:
            assert card_type == "BA" and nace[:2] in {"41", "42", "43", "78"}
    assert all(len(types) == 1 for types in types_by_company.values())

    live = Counter(
        Card.objects.filter(
            state__in=["pending", "in_production", "active", "invalid"]
        ).values_list("employer_orgnr", "holder_id")
    )
    assert max(live.values()) == 1
    # Every card belongs to a company and a person in the registers.
    assert not Card.objects.exclude(employer_orgnr__in=m.Enhet.objects.values("pk")).exists()
    assert not Card.objects.exclude(holder_id__in=m.Person.objects.values("pk")).exists()
    # Issued cards are valid two years.
    for issue, until in Card.objects.filter(issue_date__isnull=False).values_list(
        "issue_date", "valid_until"
    ):
        assert until.year - issue.year == 2
    blocked = Card.objects.filter(state="blocked")
    assert blocked.exists() and not blocked.filter(block_reason="").exists()


def test_card_states_agree_with_the_rules(demo):
    """What the seed wrote is what the nightly re-check would decide."""
    cards = list(Card.objects.filter(state__in=["active", "in_production", "invalid", "pending"]))
    facts = facts_for_pairs([(c.employer_orgnr, c.holder_id) for c in cards])
    for card in cards:
        pair_facts = facts[(card.employer_orgnr, card.holder_id)]
        if card.state == "pending":
            verdict = evaluate(
                pair_facts, card_type=card.card_type, today=TODAY, purpose=Purpose.ORDER
            )
            assert verdict.outcome is Outcome.PENDING, card
            assert card.reason_codes == verdict.reason_codes
            continue
        verdict = evaluate(
            pair_facts, card_type=card.card_type, today=TODAY, purpose=Purpose.RECHECK
        )
        if card.state == "invalid":
            assert verdict.outcome is not Outcome.PASS
            assert card.reason_codes == verdict.reason_codes
        else:
            assert verdict.outcome is Outcome.PASS, (card.card_number, verdict)
    invalid = Counter(code for c in cards if c.state == "invalid" for code in c.reason_codes)
    assert invalid["EMPLOYMENT_NOT_REGISTERED"] > 0


def test_demo_personas_exist_with_their_companies(demo):
    personas = {p.key: p for p in demo_personas()}
    assert len(personas) >= 8
    for persona in personas.values():
        person = m.Person.objects.get(pk=persona.identifier)
        assert person.fulltnavn == persona.name
        assert fodselsnummer.is_valid(persona.identifier)
        assert set(persona.orgnr) <= set(m.Enhet.objects.values_list("pk", flat=True))

    glans = persona_specs.GLANS[0]
    ingrid = personas["ingrid"].identifier
    assert m.Rolle.objects.filter(enhet=glans, rolletype="DAGL", person=ingrid).exists()
    cleaners = m.Arbeidsforhold.objects.filter(arbeidsgiver=glans, sluttdato__isnull=True)
    assert cleaners.count() == 300
    fjellheim = persona_specs.FJELLHEIM[0]
    assert m.Rolle.objects.filter(
        enhet=fjellheim, rolletype="LEDE", person=personas["per_arne"].identifier
    ).exists()
    assert m.Enhet.objects.filter(overordnet_enhet=fjellheim).count() == 3
    marek = Card.objects.filter(holder_id=personas["marek"].identifier)
    assert marek.values("employer_orgnr").distinct().count() == 2
    assert set(marek.values_list("state", flat=True)) <= {"active", "in_production"}
    arne = personas["arne"].identifier
    assert m.Rolle.objects.filter(
        enhet=persona_specs.BAKKEN[0], rolletype="INNH", person=arne
    ).exists()
    assert Card.objects.filter(holder_id=arne, state__in=["active", "in_production"]).exists()
    jonas = Card.objects.get(holder_id=personas["jonas"].identifier)
    assert (jonas.state, jonas.reason_codes) == ("invalid", ["EMPLOYMENT_NOT_REGISTERED"])
    oksana = Card.objects.get(holder_id=personas["oksana"].identifier)
    assert (oksana.state, oksana.reason_codes) == ("invalid", ["WORK_PERMIT_MISSING"])


def test_personas_do_not_depend_on_the_seed():
    seed_population(preset="demo", seed=1, today=TODAY)
    first = {p.identifier: m.Person.objects.get(pk=p.identifier).fulltnavn for p in demo_personas()}
    seed_population(preset="demo", seed=2, today=TODAY)
    second = {
        p.identifier: m.Person.objects.get(pk=p.identifier).fulltnavn for p in demo_personas()
    }
    assert first == second


def test_ids_continue_after_seeding(demo):
    """Sequences are moved past the seeded ids, so ordinary inserts work."""
    enhet = m.Enhet.objects.filter(organisasjonsform="AS").first()
    person = m.Person.objects.first()
    before = m.Arbeidsforhold.objects.order_by("-pk").values_list("pk", flat=True).first()
    created = m.Arbeidsforhold.objects.create(
        arbeidsgiver=enhet, arbeidstaker=person, startdato=TODAY
    )
    assert created.pk > before


def test_seed_registers_command_if_empty_and_timing():
    out = io.StringIO()
    call_command("seed_registers", "--preset", "demo", "--today", "2025-06-02", stdout=out)
    text = out.getvalue()
    assert "HMS-kort" in text
    assert text.strip().splitlines()[-1].startswith("seed_registers demo: ")
    assert text.strip().endswith(" s")
    m.Enhet.objects.filter(organisasjonsform="AS").update(navn="UENDRET AS")
    renamed = m.Enhet.objects.filter(navn="UENDRET AS").count()

    out = io.StringIO()
    call_command("seed_registers", "--preset", "demo", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert m.Enhet.objects.filter(navn="UENDRET AS").count() == renamed


def test_reseeding_replaces_the_data(demo):
    m.Enhet.objects.filter(organisasjonsform="AS").update(navn="GAMMELT NAVN AS")
    seed_population(preset="demo", seed=SEED, today=TODAY)
    assert not m.Enhet.objects.filter(navn="GAMMELT NAVN AS").exists()


def test_demo_logins_creates_the_caseworker_once_and_prints_personas():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    call_command("demo_logins", stdout=out)
    user = get_user_model().objects.get(username="saksbehandler")
    assert user.is_staff and user.is_superuser and user.check_password("hmskort-demo")
    assert get_user_model().objects.filter(username="saksbehandler").count() == 1
    text = out.getvalue()
    assert "http://127.0.0.1:8000/admin/" in text
    for persona in demo_personas():
        assert persona.identifier in text


@pytest.mark.postgres
def test_postgres_fast_path_rebuilds_indexes_and_keys(monkeypatch):
    """The COPY path with indexes and keys dropped and rebuilt leaves the schema intact."""

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'registers_%%' "
                "OR tablename LIKE 'cards_%%' ORDER BY 1"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'registers_%%' "
                "OR conrelid::regclass::text LIKE 'cards_%%' ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    before = schema()
    monkeypatch.setattr(load, "FAST_PATH_ROWS", 0)
    seed_population(preset="demo", seed=SEED, today=TODAY)
    assert schema() == before
    assert Card.objects.count() > 500
    card = Card.objects.filter(state="active").first()
    card.pk = None
    card.card_number = "1234567897"
    card.save(force_insert=True)
    assert card.pk > Card.objects.exclude(pk=card.pk).order_by("-pk").first().pk
