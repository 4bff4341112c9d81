"""The Enhetsregisteret client against the simulated API served on loopback (live_server)."""

from __future__ import annotations

import datetime as dt

import pytest

from hmskort.registers import services as s
from hmskort.registers.adapters import LocalEnhetsregisteret
from hmskort.registers.brreg_client import (
    EnhetsregisterClient,
    EnhetsregisterError,
    HttpEnhetsregisterAdapter,
    SlettetEnhet,
)
from hmskort.registers.ports import EnhetsregisteretPort
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = dt.date.today()


@pytest.fixture
def api(live_server) -> EnhetsregisterClient:
    return EnhetsregisterClient(f"{live_server.url}/registre/enhetsregisteret/api")


def test_fetches_and_parses_an_enhet(api):
    enhet = f.EnhetFactory(naeringskode2="78.200", antall_ansatte=7)

    record = api.enhet(enhet.pk)

    assert record.organisasjonsnummer == enhet.pk
    assert record.navn == enhet.navn
    assert record.organisasjonsform == "AS"
    assert record.registreringsdato == enhet.registreringsdato
    assert record.stiftelsesdato == enhet.stiftelsesdato
    assert record.naeringskoder == ("43.221", "78.200")
    assert record.antall_ansatte == 7
    assert record.registrert_i_mvaregisteret is True
    assert record.forretningsadresse["kommunenummer"] == "0301"
    assert record.overordnet_enhet is None and record.slettedato is None


def test_unknown_is_none_and_deleted_is_slettet(api):
    gone = f.EnhetFactory(slettedato=TODAY - dt.timedelta(days=2))
    assert api.enhet("999999999") is None
    assert api.enhet(gone.pk) == SlettetEnhet(gone.pk, TODAY - dt.timedelta(days=2))


def test_bulk_enheter_and_underenheter(api):
    companies = f.EnhetFactory.create_batch(3)
    bedr = f.EnhetFactory(underenhet=True, overordnet_enhet=companies[0])
    found = api.enheter([c.pk for c in companies] + ["999999999"])
    assert sorted(found) == sorted(c.pk for c in companies)
    (child,) = api.underenheter(overordnet_enhet=companies[0].pk)
    assert child.organisasjonsnummer == bedr.pk and child.overordnet_enhet == companies[0].pk
    assert api.underenhet(bedr.pk).organisasjonsform == "BEDR"


def test_search_follows_pages(api):
    for i in range(5):
        f.EnhetFactory(navn=f"SOKBAR {i} AS")
    assert len(api.sok_enheter(navn="sokbar", size=2)) == 5


def test_update_feed(api):
    orgnr = f.EnhetFactory.build().organisasjonsnummer
    s.enhet_upsert(
        organisasjonsnummer=orgnr, navn="A AS", organisasjonsform="AS", registreringsdato=TODAY
    )
    s.enhet_upsert(
        organisasjonsnummer=orgnr, navn="B AS", organisasjonsform="AS", registreringsdato=TODAY
    )
    s.enhet_delete(organisasjonsnummer=orgnr, slettedato=TODAY)

    first_page = api.oppdateringer(dato=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), size=2)
    assert first_page.total_elements == 3 and first_page.total_pages == 2
    assert [c.change_type for c in first_page.items] == ["Ny", "Endring"]
    assert first_page.items[0].orgnr == orgnr and first_page.items[0].register == "ER"

    all_updates = list(api.oppdateringer_fra(first_page.items[1].sequence, size=1))
    assert [c.change_type for c in all_updates] == ["Endring", "Sletting"]
    assert all(u.changed_at.tzinfo is not None for u in all_updates)


def test_organisasjonsformer(api):
    assert api.organisasjonsformer()["ENK"] == "Enkeltpersonforetak"


def test_bad_request_raises(api):
    with pytest.raises(EnhetsregisterError) as exc:
        api.sok_enheter(size=0)
    assert exc.value.status == 400


def test_unreachable_server_raises():
    client = EnhetsregisterClient("http://127.0.0.1:9/api", timeout=1)
    with pytest.raises(EnhetsregisterError):
        client.enhet("999999999")


def test_http_adapter_implements_the_port(api):
    active = f.EnhetFactory()
    deleted = f.EnhetFactory(slettedato=TODAY)
    bedr = f.EnhetFactory(underenhet=True)
    person = f.PersonFactory()
    f.RolleFactory(enhet=active, person=person)
    adapter = HttpEnhetsregisterAdapter(api, roles_from=LocalEnhetsregisteret())
    assert isinstance(adapter, EnhetsregisteretPort)

    result = adapter.enheter([active.pk, deleted.pk, bedr.pk, "999999999"])

    assert result[active.pk].navn == active.navn
    assert result[deleted.pk].slettedato == TODAY
    assert result[bedr.pk].overordnet_enhet == bedr.overordnet_enhet_id
    assert "999999999" not in result
    assert adapter.roller_for_personer([person.pk])[person.pk][0].rolletype == "DAGL"
    assert HttpEnhetsregisterAdapter(api).roller_for_enheter([active.pk]) == {}


def test_get_ports_swaps_in_the_http_adapter(api, settings):
    from hmskort.registers.adapters import get_ports
    from hmskort.registers.facts import company_facts

    enhet = f.EnhetFactory()
    settings.HMSKORT_ENHETSREGISTERET_URL = api.base_url
    ports = get_ports()
    assert isinstance(ports.enhetsregisteret, HttpEnhetsregisterAdapter)
    assert company_facts([enhet.pk], ports=ports)[enhet.pk].name == enhet.navn
