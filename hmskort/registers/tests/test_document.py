"""The register document format and the load_registers command."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from hmskort.registers import models as m
from hmskort.registers.facts import facts_for_pairs
from hmskort.registers.selectors import latest_sequence
from hmskort.registers.services import registers_apply
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
# The order the examples build on each other (docs/register-file.md).
ORDER = [
    "new-company.json",
    "end-employment.json",
    "person-dead.json",
    "delete-company.json",
    "approve-cleaning-company.json",
    "posted-workers.json",
    "exception.json",
    "vat-self-declaration.json",
]


def _load(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(ORDER)


def test_examples_apply_in_order_with_the_documented_effects():
    result = registers_apply(_load("new-company.json"))
    assert result.ok, result.errors
    assert result.counts == {"enhet": 1, "mva": 1, "person": 2, "rolle": 1, "arbeidsforhold": 1}
    ola = m.Person.objects.get(pk="02119100596")
    assert ola.foedselsdato == dt.date(1991, 11, 2)  # derived from the number
    assert ola.status == "bosatt" and ola.statsborgerskap == ["NO"]
    assert m.Enhet.objects.get(pk="990000107").registrert_i_foretaksregisteret

    assert registers_apply(_load("end-employment.json")).ok
    assert m.Arbeidsforhold.objects.get(arbeidstaker=ola).sluttdato == dt.date(2025, 6, 30)
    key = ("990000107", "02119100596")
    (employment,) = facts_for_pairs([key])[key].employments
    assert employment.period.end == dt.date(2025, 6, 30)

    assert registers_apply(_load("person-dead.json")).ok
    ola.refresh_from_db()
    assert ola.status == "doed" and ola.fornavn == "Ola"  # other fields kept

    assert registers_apply(_load("delete-company.json")).ok
    enhet = m.Enhet.objects.get(pk="990000107")
    assert enhet.konkurs and enhet.slettedato == dt.date(2025, 12, 31)
    assert enhet.navn == "FJORD BYGG AS"
    assert list(
        m.RegisterChange.objects.filter(orgnr="990000107", entity="Enhet").values_list(
            "change_type", flat=True
        )
    ) == ["Ny", "Endring", "Endring", "Sletting"]

    assert registers_apply(_load("approve-cleaning-company.json")).ok
    assert m.Renholdsgodkjenning.objects.get(enhet_id="990000204").status == "godkjent"

    assert registers_apply(_load("posted-workers.json")).ok
    anna = m.OppdragArbeidstaker.objects.get(arbeidstaker_id="63019300392")
    piotr = m.OppdragArbeidstaker.objects.get(arbeidstaker_id="49088500147")
    assert (anna.startdato, anna.sluttdato) == (dt.date(2024, 4, 1), dt.date(2024, 9, 30))
    assert (piotr.startdato, piotr.sluttdato) == (dt.date(2024, 2, 1), dt.date(2024, 12, 20))
    assert m.Person.objects.get(pk="49088500147").status == "midlertidig"

    assert registers_apply(_load("exception.json")).ok
    assert m.Unntak.objects.get().fritak == ["EMPLOYMENT"]

    assert registers_apply(_load("vat-self-declaration.json")).ok
    assert m.MvaEgenerklaering.objects.get().enhet_id == "990000409"


def test_applying_the_same_document_twice_changes_nothing_the_second_time():
    assert registers_apply(_load("new-company.json")).ok
    before = latest_sequence()
    again = registers_apply(_load("new-company.json"))
    assert again.ok and again.changes == 0 and latest_sequence() == before


def test_errors_are_reported_by_path_and_nothing_is_applied():
    document = _load("new-company.json")
    document["records"][5]["startdato"] = "2023-13-01"
    document["records"][2]["identifikator"] = "17057800454"
    document["records"][0]["antall"] = 3
    document["records"].append({"type": "bil"})

    result = registers_apply(document)

    assert not result.ok
    assert "records[5].startdato: ugyldig dato (YYYY-MM-DD)" in result.errors
    assert "records[2].identifikator: ugyldig fødselsnummer eller D-nummer" in result.errors
    assert "records[0].antall: ukjent felt" in result.errors
    assert any(e.startswith("records[6].type: ukjent posttype «bil»") for e in result.errors)
    assert not m.Enhet.objects.exists() and latest_sequence() == 0


def test_a_failure_while_applying_rolls_back_earlier_records():
    document = _load("new-company.json")
    document["records"].append(
        {
            "type": "arbeidsforhold",
            "arbeidsgiver": "990000204",
            "arbeidstaker": "02119100596",
            "startdato": "2024-01-01",
        }
    )
    result = registers_apply(document)
    assert not result.ok
    assert result.errors == ("records[6]: Enheten 990000204 finnes ikke i Enhetsregisteret",)
    assert not m.Enhet.objects.exists() and not m.Person.objects.exists()


def test_new_record_without_required_fields_is_reported():
    result = registers_apply(
        {"records": [{"type": "enhet", "organisasjonsnummer": "990000107", "navn": "X"}]}
    )
    assert result.errors == ("records[0].organisasjonsform: mangler (posten er ny)",)


def test_ending_an_employment_needs_startdato_when_several_are_open():
    af = f.ArbeidsforholdFactory()
    f.ArbeidsforholdFactory(
        arbeidsgiver=af.arbeidsgiver, arbeidstaker=af.arbeidstaker, startdato=dt.date(2020, 1, 1)
    )
    result = registers_apply(
        {
            "records": [
                {
                    "type": "arbeidsforhold",
                    "arbeidsgiver": af.arbeidsgiver_id,
                    "arbeidstaker": af.arbeidstaker_id,
                    "sluttdato": "2030-01-01",
                }
            ]
        }
    )
    assert result.errors == (
        "records[0].startdato: mangler: flere åpne arbeidsforhold, oppgi startdato",
    )


def test_period_end_before_start_is_rejected():
    result = registers_apply(
        {
            "records": [
                {
                    "type": "mva",
                    "organisasjonsnummer": "990000107",
                    "registrert_fra": "2024-01-02",
                    "registrert_til": "2024-01-01",
                }
            ]
        }
    )
    assert result.errors == ("records[0].registrert_til: er før registrert_fra",)


def test_load_registers_command_from_file_and_stdin(monkeypatch):
    out = io.StringIO()
    call_command("load_registers", str(EXAMPLES / "new-company.json"), stdout=out)
    assert "Lagret: 6 poster" in out.getvalue()

    monkeypatch.setattr("sys.stdin", io.StringIO((EXAMPLES / "end-employment.json").read_text()))
    call_command("load_registers", "-", stdout=io.StringIO())
    assert m.Arbeidsforhold.objects.get().sluttdato == dt.date(2025, 6, 30)


def test_load_registers_check_rolls_back_and_errors_fail(tmp_path):
    call_command(
        "load_registers", str(EXAMPLES / "new-company.json"), "--check", stdout=io.StringIO()
    )
    assert not m.Enhet.objects.exists()

    bad = tmp_path / "bad.json"
    bad.write_text('{"records": [{"type": "person", "identifikator": "1"}]}')
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_registers", str(bad), stderr=err)
    assert "records[0].identifikator: ugyldig fødselsnummer eller D-nummer" in err.getvalue()
