"""Register writes: every write leaves a change-feed row in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.core.errors import NotFound
from hmskort.registers import models as m
from hmskort.registers import services as s
from hmskort.registers.identifiers import nth_fnr, valid_orgnr
from hmskort.registers.selectors import changes_since, latest_sequence
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _feed(after: int = 0):
    return [(c.register, c.entity, c.change_type, c.orgnr, c.fnr) for c in changes_since(after)]


def test_enhet_upsert_creates_then_changes_then_deletes_with_feed_rows():
    orgnr = valid_orgnr(42)
    s.enhet_upsert(
        organisasjonsnummer=orgnr,
        navn="NY BYGG AS",
        organisasjonsform="AS",
        registreringsdato=TODAY,
        naeringskode1="41.200",
    )
    s.enhet_upsert(
        organisasjonsnummer=orgnr,
        navn="NY BYGG AS",
        organisasjonsform="AS",
        registreringsdato=TODAY,
        naeringskode1="41.200",
    )  # no change: no feed row
    s.enhet_upsert(
        organisasjonsnummer=orgnr,
        navn="NY BYGG AS",
        organisasjonsform="AS",
        registreringsdato=TODAY,
        naeringskode1="41.200",
        konkurs=True,
        konkursdato=TODAY,
    )
    s.enhet_delete(organisasjonsnummer=orgnr, slettedato=TODAY)

    assert _feed() == [
        ("ER", "Enhet", "Ny", orgnr, ""),
        ("ER", "Enhet", "Endring", orgnr, ""),
        ("ER", "Enhet", "Sletting", orgnr, ""),
    ]
    enhet = m.Enhet.objects.get(pk=orgnr)
    assert enhet.konkurs and enhet.slettedato == TODAY


def test_enhet_upsert_rejects_an_invalid_orgnr_and_writes_nothing():
    with pytest.raises(s.InvalidRegisterRecord):
        s.enhet_upsert(
            organisasjonsnummer="123456789",
            navn="X",
            organisasjonsform="AS",
            registreringsdato=TODAY,
        )
    assert not m.Enhet.objects.exists() and latest_sequence() == 0


def test_underenhet_changes_are_in_the_underenhet_feed():
    parent = f.EnhetFactory()
    s.enhet_upsert(
        organisasjonsnummer=valid_orgnr(7),
        navn="AVD",
        organisasjonsform="BEDR",
        registreringsdato=TODAY,
        overordnet_enhet=parent.pk,
    )
    assert _feed()[-1][:3] == ("ER", "Underenhet", "Ny")


def test_person_upsert_validates_number_and_derives_type():
    dnr = nth_fnr(dt.date(1990, 3, 4), 0, dnr=True)
    person = s.person_upsert(
        identifikator=dnr,
        fornavn="Jan",
        etternavn="Kowalski",
        foedselsdato=dt.date(1990, 3, 4),
        kjoenn="mann",
        status=m.Personstatus.MIDLERTIDIG,
        statsborgerskap=["PL"],
    )
    assert person.identifikatortype == m.Identifikatortype.DNR
    with pytest.raises(s.InvalidRegisterRecord):
        s.person_upsert(
            identifikator=dnr[:-1] + str((int(dnr[-1]) + 1) % 10),
            fornavn="X",
            etternavn="Y",
            foedselsdato=dt.date(1990, 3, 4),
            kjoenn="mann",
            status="bosatt",
        )
    with pytest.raises(s.InvalidRegisterRecord):
        s.person_upsert(
            identifikator=dnr,
            fornavn="Jan",
            etternavn="Kowalski",
            foedselsdato=dt.date(1990, 3, 4),
            kjoenn="mann",
            status="not-a-status",
        )


def test_person_set_status_dead_records_date_and_feed():
    person = f.PersonFactory()
    s.person_set_status(identifikator=person.pk, status=m.Personstatus.DOED, status_dato=TODAY)
    person.refresh_from_db()
    assert person.status == "doed" and person.status_dato == TODAY
    assert _feed() == [("FREG", "Person", "Endring", "", person.pk)]


def test_arbeidsforhold_register_and_end():
    enhet, person = f.EnhetFactory(), f.PersonFactory()
    start = TODAY - dt.timedelta(days=100)
    af = s.arbeidsforhold_register(arbeidsgiver=enhet.pk, arbeidstaker=person.pk, startdato=start)
    (ended,) = s.arbeidsforhold_end(arbeidsgiver=enhet.pk, arbeidstaker=person.pk, sluttdato=TODAY)
    assert ended.pk == af.pk and ended.sluttdato == TODAY
    assert _feed() == [
        ("AA", "Arbeidsforhold", "Ny", enhet.pk, person.pk),
        ("AA", "Arbeidsforhold", "Endring", enhet.pk, person.pk),
    ]
    with pytest.raises(NotFound):
        s.arbeidsforhold_end(arbeidsgiver=enhet.pk, arbeidstaker=person.pk, sluttdato=TODAY)


def test_arbeidsforhold_end_before_start_is_invalid_and_rolled_back():
    af = f.ArbeidsforholdFactory()
    with pytest.raises(s.InvalidRegisterRecord):
        s.arbeidsforhold_end(
            arbeidsgiver=af.arbeidsgiver_id,
            arbeidstaker=af.arbeidstaker_id,
            sluttdato=af.startdato - dt.timedelta(days=1),
        )
    af.refresh_from_db()
    assert af.sluttdato is None and latest_sequence() == 0


def test_unknown_employer_is_not_found():
    person = f.PersonFactory()
    with pytest.raises(NotFound) as exc:
        s.arbeidsforhold_register(
            arbeidsgiver=valid_orgnr(3), arbeidstaker=person.pk, startdato=TODAY
        )
    assert exc.value.code == "enhet_not_found"


def test_oppdrag_and_posted_worker():
    giver, taker = f.EnhetFactory(), f.EnhetFactory(nuf=True)
    worker = f.PersonFactory(dnr=True)
    oppdrag = s.oppdrag_register(
        oppdragsgiver=giver.pk, oppdragstaker=taker.pk, startdato=TODAY, beskrivelse="Forskaling"
    )
    s.oppdrag_arbeidstaker_register(oppdrag_id=oppdrag.pk, arbeidstaker=worker.pk, startdato=TODAY)
    assert _feed() == [
        ("OAR", "Oppdrag", "Ny", taker.pk, ""),
        ("OAR", "OppdragArbeidstaker", "Ny", taker.pk, worker.pk),
    ]


def test_mva_register_and_deregister_also_show_in_the_enhetsregisteret_feed():
    enhet = f.EnhetFactory(mva=None)
    s.mva_register(organisasjonsnummer=enhet.pk, registrert_fra=TODAY)
    s.mva_deregister(organisasjonsnummer=enhet.pk, registrert_til=TODAY)
    assert [(r, e, t) for r, e, t, *_ in _feed()] == [
        ("MVA", "MvaRegistrering", "Ny"),
        ("ER", "Enhet", "Endring"),
        ("MVA", "MvaRegistrering", "Endring"),
        ("ER", "Enhet", "Endring"),
    ]
    assert enhet.mva_registreringer.get().registrert_til == TODAY


def test_mva_egenerklaering_declare_and_withdraw():
    enhet = f.EnhetFactory(mva=None)
    s.mva_egenerklaering_declare(organisasjonsnummer=enhet.pk, erklaert_dato=TODAY)
    s.mva_egenerklaering_withdraw(organisasjonsnummer=enhet.pk, trukket_dato=TODAY)
    assert enhet.mva_egenerklaeringer.get().trukket_dato == TODAY
    assert [c.register for c in changes_since(0)] == ["MVAE", "MVAE"]


@pytest.mark.parametrize(
    ("fn", "register"),
    [
        (s.renholdsgodkjenning_set, "RH"),
        (s.bilpleiegodkjenning_set, "BP"),
    ],
)
def test_approval_registers(fn, register):
    enhet = f.EnhetFactory()
    fn(organisasjonsnummer=enhet.pk, status="soekt_kan_bestille", status_dato=TODAY)
    fn(organisasjonsnummer=enhet.pk, status="godkjent", status_dato=TODAY)
    assert [(c.register, c.change_type) for c in changes_since(0)] == [
        (register, "Ny"),
        (register, "Endring"),
    ]
    with pytest.raises(s.InvalidRegisterRecord):
        fn(organisasjonsnummer=enhet.pk, status="maybe", status_dato=TODAY)


def test_other_registers_write_feed_rows():
    enhet, person = f.EnhetFactory(), f.PersonFactory()
    s.rolle_upsert(organisasjonsnummer=enhet.pk, rolletype="DAGL", identifikator=person.pk)
    s.bemanningsforetak_register(organisasjonsnummer=enhet.pk, registrert_fra=TODAY)
    s.verkstedgodkjenning_set(organisasjonsnummer=enhet.pk, godkjent_fra=TODAY)
    s.oppholdstillatelse_register(identifikator=person.pk, gyldig_fra=TODAY)
    u = s.unntak_register(
        organisasjonsnummer=enhet.pk,
        identifikator=None,
        fritak=["EMPLOYMENT"],
        gyldig_fra=TODAY,
        begrunnelse="VTA",
    )
    s.unntak_end(unntak_id=u.pk, gyldig_til=TODAY)
    assert [c.register for c in changes_since(0)] == ["ER", "BEM", "SVV", "UDI", "UNNTAK", "UNNTAK"]
    assert changes_since(0, register="UNNTAK", limit=1)[0].change_type == "Ny"
    assert latest_sequence() == changes_since(0)[-1].sequence
