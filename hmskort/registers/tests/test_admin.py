"""The registers in the Django admin: every list page works, fødselsnumre are masked,
edits land in the change feed, and the change feed is read-only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from hmskort.registers import models as m
from hmskort.registers.selectors import changes_since
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db

REGISTER_MODELS = [
    m.Enhet,
    m.Rolle,
    m.MvaRegistrering,
    m.MvaEgenerklaering,
    m.Person,
    m.Arbeidsforhold,
    m.Oppdrag,
    m.OppdragArbeidstaker,
    m.Bemanningsforetak,
    m.Renholdsgodkjenning,
    m.Bilpleiegodkjenning,
    m.Verkstedgodkjenning,
    m.Oppholdstillatelse,
    m.Unntak,
    m.RegisterChange,
]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:registers_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def population():
    af = f.ArbeidsforholdFactory()
    f.RolleFactory(enhet=af.arbeidsgiver, person=af.arbeidstaker)
    f.EnhetFactory(underenhet=True, overordnet_enhet=af.arbeidsgiver)
    f.OppdragArbeidstakerFactory()
    f.MvaEgenerklaeringFactory(erklaert_av=af.arbeidstaker_id)
    f.BemanningsforetakFactory()
    f.RenholdsgodkjenningFactory()
    f.BilpleiegodkjenningFactory()
    f.VerkstedgodkjenningFactory()
    f.OppholdstillatelseFactory()
    f.UnntakFactory(person=None)
    m.RegisterChange.objects.create(
        register="FREG",
        entity="Person",
        entity_key=af.arbeidstaker_id,
        change_type="Endring",
        fnr=af.arbeidstaker_id,
        changed_at=dt.datetime.now(dt.UTC),
    )
    return af


@pytest.mark.parametrize("model", REGISTER_MODELS, ids=lambda m: m.__name__)
def test_every_register_list_and_change_page_renders_without_full_fnr(
    admin_client, population, model
):
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    # Visible text only: a Person's primary key is the number, so links carry it.
    visible = re.sub(r"<[^>]*>", " ", response.content.decode())
    assert population.arbeidstaker_id not in visible
    obj = model.objects.first()
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


def test_search_by_orgnr_name_and_identifier(admin_client, population):
    enhet = population.arbeidsgiver
    by_orgnr = admin_client.get(_url(m.Enhet, "changelist"), {"q": enhet.pk})
    assert by_orgnr.context["cl"].result_count == 1
    by_name = admin_client.get(_url(m.Enhet, "changelist"), {"q": enhet.navn})
    assert enhet.pk in [e.pk for e in by_name.context["cl"].result_list]
    by_fnr = admin_client.get(_url(m.Person, "changelist"), {"q": population.arbeidstaker_id})
    assert by_fnr.context["cl"].result_count == 1
    assert f"{population.arbeidstaker_id[:6]}*****" in by_fnr.content.decode()


def test_enhet_page_shows_roles_and_underenheter_inline(admin_client, population):
    response = admin_client.get(_url(m.Enhet, "change", population.arbeidsgiver_id))
    names = {fs.formset.prefix for fs in response.context["inline_admin_formsets"]}
    assert names == {"roller", "underenheter"}
    person_page = admin_client.get(_url(m.Person, "change", population.arbeidstaker_id))
    assert "arbeidsforhold" in {
        fs.formset.prefix for fs in person_page.context["inline_admin_formsets"]
    }


def test_caseworker_approval_is_in_the_change_feed(admin_client):
    enhet = f.EnhetFactory(naeringskode1="81.210")
    response = admin_client.post(
        _url(m.Renholdsgodkjenning, "add"),
        {"enhet": enhet.pk, "status": "godkjent", "status_dato": "2025-01-02"},
    )
    assert response.status_code == 302
    (change,) = changes_since(0)
    assert (change.register, change.change_type, change.orgnr) == ("RH", "Ny", enhet.pk)


def test_ending_an_employment_in_the_admin_is_in_the_change_feed(admin_client, population):
    af = population
    url = _url(m.Arbeidsforhold, "change", af.pk)
    response = admin_client.post(
        url,
        {
            "arbeidsgiver": af.arbeidsgiver_id,
            "arbeidstaker": af.arbeidstaker_id,
            "type": af.type,
            "startdato": af.startdato.isoformat(),
            "sluttdato": dt.date.today().isoformat(),
            "stillingsprosent": "100",
            "yrke": af.yrke,
        },
    )
    assert response.status_code == 302
    last = changes_since(0)[-1]
    assert (last.register, last.change_type, last.fnr) == ("AA", "Endring", af.arbeidstaker_id)


def test_change_feed_is_read_only(admin_client, population):
    change = m.RegisterChange.objects.first()
    assert admin_client.get(_url(m.RegisterChange, "add")).status_code == 403
    page = admin_client.get(_url(m.RegisterChange, "change", change.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert b'name="_save"' not in page.content
    assert (
        admin_client.post(_url(m.RegisterChange, "delete", change.pk), {"post": "yes"}).status_code
        == 403
    )
    assert m.RegisterChange.objects.filter(pk=change.pk).exists()
