"""The simulated Enhetsregisteret API: shapes checked against Brønnøysund's OpenAPI document."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from hmskort.registers import services as s
from hmskort.registers.tests import factories as f

pytestmark = pytest.mark.django_db

# An unchanged copy of shared/specs/brreg/enhetsregisteret-openapi.json (brreg/openAPI, 2023-11-20).
SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "enhetsregisteret-openapi.json"
API = "/registre/enhetsregisteret/api"
TODAY = dt.date.today()

# Fields the live API serves that the (2023) OpenAPI document does not list.
LIVE_EXTRAS = {
    "forretningsadresse": {"type": "object"},
    "postadresse": {"type": "object"},
    "beliggenhetsadresse": {"type": "object"},
    "overordnetEnhet": {"type": "string", "pattern": "^[0-9]{9}$"},
    "oppstartsdato": {"type": "string", "format": "date"},
    "slettedato": {"type": "string", "format": "date"},
    "konkursdato": {"type": "string", "format": "date"},
    "harRegistrertAntallAnsatte": {"type": "boolean"},
}
ALWAYS = [
    "organisasjonsnummer",
    "navn",
    "organisasjonsform",
    "registreringsdatoEnhetsregisteret",
    "registrertIMvaregisteret",
    "antallAnsatte",
    "_links",
]
HOVEDENHET = [
    *ALWAYS,
    "registrertIForetaksregisteret",
    "konkurs",
    "underAvvikling",
    "underTvangsavviklingEllerTvangsopplosning",
]


def _spec() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _strict_validator(required: list[str]) -> jsonschema.Validator:
    """The spec's Enhet schema, made strict: no unknown fields, the fields we promise required."""
    components = copy.deepcopy(_spec()["components"])
    schemas = components["schemas"]
    for name in ("Naeringskode", "Organisasjonsform", "Self", "Href"):
        schemas[name]["additionalProperties"] = False
        schemas[name]["required"] = sorted(schemas[name]["properties"])
    enhet = schemas["Enhet"]
    enhet["properties"].update(LIVE_EXTRAS)
    enhet["additionalProperties"] = False
    enhet["required"] = required
    for date_field in ("registreringsdatoEnhetsregisteret", "stiftelsedato"):
        enhet["properties"][date_field]["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    enhet["properties"]["organisasjonsnummer"]["pattern"] = "^[0-9]{9}$"
    # Self links on Enhet: the underenhet also links its overordnetEnhet.
    enhet["properties"]["_links"] = {
        "type": "object",
        "properties": {
            "self": {"$ref": "#/components/schemas/Href"},
            "overordnetEnhet": {"$ref": "#/components/schemas/Href"},
        },
        "required": ["self"],
        "additionalProperties": False,
    }
    schema = {"$ref": "#/components/schemas/Enhet", "components": components}
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def _validate_enhet(doc: dict, *, underenhet: bool = False) -> None:
    _strict_validator(
        ALWAYS + (["overordnetEnhet"] if underenhet else HOVEDENHET[len(ALWAYS) :])
    ).validate(doc)


def test_the_spec_is_where_we_expect_it():
    assert "Enhet" in _spec()["components"]["schemas"]


def test_the_validator_catches_drift():
    enhet = f.EnhetFactory()
    doc = {"organisasjonsnummer": enhet.pk, "name": enhet.navn}
    with pytest.raises(jsonschema.ValidationError):
        _validate_enhet(doc)


def test_enhet_detail_matches_the_openapi_schema(client):
    enhet = f.EnhetFactory(
        naeringskode2="81.210",
        konkurs=True,
        konkursdato=TODAY,
        postadresse={
            "adresse": ["Postboks 1"],
            "postnummer": "0101",
            "poststed": "OSLO",
            "land": "Norge",
            "landkode": "NO",
        },
    )

    response = client.get(f"{API}/enheter/{enhet.pk}")

    assert response.status_code == 200
    doc = response.json()
    _validate_enhet(doc)
    assert doc["organisasjonsnummer"] == enhet.pk
    assert doc["organisasjonsform"]["kode"] == "AS"
    assert doc["organisasjonsform"]["beskrivelse"] == "Aksjeselskap"
    assert doc["organisasjonsform"]["_links"]["self"]["href"].endswith(
        f"{API}/organisasjonsformer/AS"
    )
    assert doc["naeringskode1"] == {"kode": "43.221", "beskrivelse": "Rørleggerarbeid"}
    assert doc["naeringskode2"]["kode"] == "81.210"
    assert "naeringskode3" not in doc
    assert doc["registreringsdatoEnhetsregisteret"] == enhet.registreringsdato.isoformat()
    assert doc["registrertIMvaregisteret"] is True
    assert doc["konkurs"] is True and doc["konkursdato"] == TODAY.isoformat()
    assert doc["forretningsadresse"]["kommunenummer"] == "0301"
    assert doc["_links"]["self"]["href"] == f"http://testserver{API}/enheter/{enhet.pk}"


def test_vat_flag_follows_the_mva_register(client):
    enhet = f.EnhetFactory(mva=None)
    assert client.get(f"{API}/enheter/{enhet.pk}").json()["registrertIMvaregisteret"] is False
    f.MvaRegistreringFactory(
        enhet=enhet,
        registrert_fra=TODAY - dt.timedelta(days=10),
        registrert_til=TODAY - dt.timedelta(days=1),
    )
    assert client.get(f"{API}/enheter/{enhet.pk}").json()["registrertIMvaregisteret"] is False


def test_underenhet_detail_matches_the_schema_and_is_not_an_enhet(client):
    bedr = f.EnhetFactory(underenhet=True)

    response = client.get(f"{API}/underenheter/{bedr.pk}")

    doc = response.json()
    _validate_enhet(doc, underenhet=True)
    assert doc["overordnetEnhet"] == bedr.overordnet_enhet_id
    assert doc["organisasjonsform"]["kode"] == "BEDR"
    assert client.get(f"{API}/enheter/{bedr.pk}").status_code == 404


def test_unknown_is_404_and_deleted_is_410_with_slettedato(client):
    enhet = f.EnhetFactory(slettedato=TODAY)
    missing = client.get(f"{API}/enheter/999999999")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    gone = client.get(f"{API}/enheter/{enhet.pk}")
    assert gone.status_code == 410
    assert gone.json()["slettedato"] == TODAY.isoformat()


def test_enheter_search_by_numbers_and_name_with_paging(client):
    wanted = [f.EnhetFactory(navn=f"FJELL BYGG {i} AS") for i in range(3)]
    f.EnhetFactory(navn="HAV RENHOLD AS")
    f.EnhetFactory(navn="FJELL BYGG SLETTET AS", slettedato=TODAY)

    numbers = ",".join(e.pk for e in wanted)
    by_number = client.get(f"{API}/enheter", {"organisasjonsnummer": numbers}).json()
    assert sorted(d["organisasjonsnummer"] for d in by_number["_embedded"]["enheter"]) == sorted(
        e.pk for e in wanted
    )
    for doc in by_number["_embedded"]["enheter"]:
        _validate_enhet(doc)

    page0 = client.get(f"{API}/enheter", {"navn": "fjell bygg", "size": 2}).json()
    assert page0["page"] == {"size": 2, "totalElements": 3, "totalPages": 2, "number": 0}
    assert len(page0["_embedded"]["enheter"]) == 2 and "next" in page0["_links"]
    page1 = client.get(f"{API}/enheter", {"navn": "fjell bygg", "size": 2, "page": 1}).json()
    assert len(page1["_embedded"]["enheter"]) == 1 and "next" not in page1["_links"]

    empty = client.get(f"{API}/enheter", {"navn": "finnes ikke"}).json()
    assert "_embedded" not in empty and empty["page"]["totalElements"] == 0


def test_enheter_search_filters_and_bad_requests(client):
    as_ = f.EnhetFactory()
    enk = f.EnhetFactory(organisasjonsform="ENK", naeringskode1="81.210", mva=None, konkurs=True)

    def get(**params):
        data = client.get(f"{API}/enheter", params).json()
        return [d["organisasjonsnummer"] for d in data.get("_embedded", {}).get("enheter", [])]

    assert get(organisasjonsform="ENK") == [enk.pk]
    assert get(naeringskode="81") == [enk.pk]
    assert get(konkurs="true") == [enk.pk]
    assert get(registrertIMvaregisteret="true") == [as_.pk]
    assert get(registrertIMvaregisteret="false") == [enk.pk]
    assert client.get(f"{API}/enheter", {"size": "x"}).status_code == 400
    assert client.get(f"{API}/enheter", {"size": 1000, "page": 10}).status_code == 400


def test_underenheter_by_parent(client):
    parent = f.EnhetFactory()
    children = f.EnhetFactory.create_batch(2, underenhet=True, overordnet_enhet=parent)
    f.EnhetFactory(underenhet=True)
    data = client.get(f"{API}/underenheter", {"overordnetEnhet": parent.pk}).json()
    assert sorted(d["organisasjonsnummer"] for d in data["_embedded"]["underenheter"]) == sorted(
        c.pk for c in children
    )


def test_update_feed_from_the_change_feed(client):
    orgnr = f.EnhetFactory.build().organisasjonsnummer
    s.enhet_upsert(
        organisasjonsnummer=orgnr, navn="A AS", organisasjonsform="AS", registreringsdato=TODAY
    )
    s.enhet_upsert(
        organisasjonsnummer=orgnr, navn="B AS", organisasjonsform="AS", registreringsdato=TODAY
    )
    person = f.PersonFactory()
    s.rolle_upsert(
        organisasjonsnummer=orgnr, rolletype="DAGL", identifikator=person.pk
    )  # not in this feed
    s.enhet_delete(organisasjonsnummer=orgnr, slettedato=TODAY)

    data = client.get(f"{API}/oppdateringer/enheter", {"dato": "2000-01-01T00:00:00.000Z"}).json()
    items = data["_embedded"]["oppdaterteEnheter"]
    assert [i["endringstype"] for i in items] == ["Ny", "Endring", "Sletting"]
    first = items[0]
    assert set(first) == {"oppdateringsid", "dato", "organisasjonsnummer", "endringstype", "_links"}
    assert first["organisasjonsnummer"] == orgnr
    assert first["_links"]["enhet"]["href"].endswith(f"{API}/enheter/{orgnr}")
    dt.datetime.strptime(first["dato"], "%Y-%m-%dT%H:%M:%S.%fZ")

    since = client.get(
        f"{API}/oppdateringer/enheter", {"oppdateringsid": items[1]["oppdateringsid"]}
    ).json()
    assert [i["endringstype"] for i in since["_embedded"]["oppdaterteEnheter"]] == [
        "Endring",
        "Sletting",
    ]
    future = client.get(f"{API}/oppdateringer/enheter", {"dato": "2999-01-01T00:00:00.000Z"}).json()
    assert "_embedded" not in future
    assert client.get(f"{API}/oppdateringer/enheter", {"dato": "igår"}).status_code == 400


def test_organisasjonsformer(client):
    data = client.get(f"{API}/organisasjonsformer").json()
    validator = jsonschema.Draft7Validator(
        {"$ref": "#/components/schemas/Organisasjonsform", "components": _spec()["components"]}
    )
    forms = data["_embedded"]["organisasjonsformer"]
    for form in forms:
        validator.validate(form)
    assert {"kode": "NUF", "beskrivelse": "Norskregistrert utenlandsk foretak"}.items() <= next(
        x for x in forms if x["kode"] == "NUF"
    ).items()
    assert client.get(f"{API}/organisasjonsformer/AS").json()["beskrivelse"] == "Aksjeselskap"
    assert client.get(f"{API}/organisasjonsformer/XYZ").status_code == 404
