"""Enhetsregisteret's open-API JSON shapes, produced from our simulated register.

The field names follow Brønnøysundregistrene's OpenAPI document
(/work/shared/specs/brreg/enhetsregisteret-openapi.json, `Enhet`), and the
HAL envelope (`_embedded`, `_links`, `page`) follows the live API.
"""

from __future__ import annotations

import datetime as dt

from hmskort.registers.ports import ChangeRecord, EnhetRecord

ORGANISASJONSFORMER: dict[str, str] = {
    "AAFY": "Underenhet til ikke-næringsdrivende",
    "ANS": "Ansvarlig selskap med solidarisk ansvar",
    "AS": "Aksjeselskap",
    "ASA": "Allmennaksjeselskap",
    "BA": "Selskap med begrenset ansvar",
    "BEDR": "Underenhet til næringsdrivende og offentlig forvaltning",
    "DA": "Ansvarlig selskap med delt ansvar",
    "ENK": "Enkeltpersonforetak",
    "FLI": "Forening/lag/innretning",
    "IKS": "Interkommunalt selskap",
    "KOMM": "Kommune",
    "KS": "Kommandittselskap",
    "NUF": "Norskregistrert utenlandsk foretak",
    "ORGL": "Organisasjonsledd",
    "SA": "Samvirkeforetak",
    "SF": "Statsforetak",
    "STAT": "Staten",
    "STI": "Stiftelse",
}

# SN2007 descriptions for the industry codes the HMS-kort scheme cares about.
NAERINGSKODER: dict[str, str] = {
    "41.101": "Boligbyggelag",
    "41.109": "Utvikling og salg av egen fast eiendom ellers",
    "41.200": "Oppføring av bygninger",
    "42.110": "Bygging av veier og motorveier",
    "42.120": "Bygging av jernbaner og undergrunnsbaner",
    "42.130": "Bygging av bruer og tunneler",
    "42.210": "Bygging av vann- og kloakkanlegg",
    "42.220": "Bygging av anlegg for elektrisitet og telekommunikasjon",
    "42.910": "Bygging av havne- og damanlegg",
    "42.990": "Bygging av andre anlegg",
    "43.110": "Riving av bygninger og andre konstruksjoner",
    "43.120": "Grunnarbeid",
    "43.130": "Prøveboring",
    "43.210": "Elektrisk installasjonsarbeid",
    "43.221": "Rørleggerarbeid",
    "43.222": "Installasjon av varme- og sanitæranlegg",
    "43.223": "Installasjon av ventilasjons- og klimaanlegg",
    "43.290": "Annet installasjonsarbeid",
    "43.310": "Stukkatørarbeid og pussing",
    "43.320": "Snekkerarbeid",
    "43.330": "Gulvlegging og tapetsering",
    "43.341": "Malerarbeid",
    "43.342": "Glassarbeid",
    "43.390": "Annen ferdiggjøring av bygninger",
    "43.910": "Takarbeid",
    "43.990": "Annen spesialisert bygge- og anleggsvirksomhet",
    "45.201": "Alminnelig service og reparasjon av motorvogner, unntatt elektrisk reparasjonsarbeid",
    "45.202": "Karosserireparasjon og billakkering",
    "45.203": "Installasjon og reparasjon av elektrisk utstyr på motorvogner",
    "45.204": "Dekkservice",
    "45.205": "Bilpleie",
    "49.410": "Godstransport på vei",
    "78.100": "Rekruttering og formidling av arbeidskraft",
    "78.200": "Utleie av arbeidskraft",
    "81.100": "Kombinerte tjenester tilknyttet eiendomsdrift",
    "81.210": "Rengjøring av bygninger",
    "81.220": "Annen rengjøring av bygninger og industriell rengjøring",
    "81.290": "Annen rengjøringsvirksomhet",
}

ENDRINGSTYPER = ("Ukjent", "Ny", "Endring", "Sletting", "Fjernet")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _href(url: str) -> dict:
    return {"href": url}


def organisasjonsform_json(kode: str, base_url: str) -> dict:
    return {
        "kode": kode,
        "beskrivelse": ORGANISASJONSFORMER.get(kode, kode),
        "_links": {"self": _href(f"{base_url}/organisasjonsformer/{kode}")},
    }


def _naeringskode(kode: str) -> dict:
    return {"kode": kode, "beskrivelse": NAERINGSKODER.get(kode, "")}


def enhet_json(e: EnhetRecord, *, registrert_i_mvaregisteret: bool, base_url: str) -> dict:
    """One hovedenhet or underenhet in the open API's shape.

    `base_url` is the API root, e.g. "https://host/registre/enhetsregisteret/api".
    Optional fields with no value are left out, as the live API does.
    """
    underenhet = e.overordnet_enhet is not None
    kind = "underenheter" if underenhet else "enheter"
    doc: dict = {
        "organisasjonsnummer": e.organisasjonsnummer,
        "navn": e.navn,
        "organisasjonsform": organisasjonsform_json(e.organisasjonsform, base_url),
        "registreringsdatoEnhetsregisteret": e.registreringsdato.isoformat(),
        "registrertIMvaregisteret": registrert_i_mvaregisteret,
    }
    for i, kode in enumerate(e.naeringskoder[:3], start=1):
        doc[f"naeringskode{i}"] = _naeringskode(kode)
    doc["antallAnsatte"] = e.antall_ansatte
    doc["harRegistrertAntallAnsatte"] = e.antall_ansatte > 0
    if underenhet:
        doc["overordnetEnhet"] = e.overordnet_enhet
        if e.stiftelsesdato:
            doc["oppstartsdato"] = e.stiftelsesdato.isoformat()
        if e.forretningsadresse:
            doc["beliggenhetsadresse"] = e.forretningsadresse
    else:
        if e.stiftelsesdato:
            # The OpenAPI document spells it "stiftelsedato" (the live API: "stiftelsesdato").
            doc["stiftelsedato"] = e.stiftelsesdato.isoformat()
        doc["registrertIForetaksregisteret"] = e.registrert_i_foretaksregisteret
        doc["konkurs"] = e.konkurs
        if e.konkurs and e.konkursdato:
            doc["konkursdato"] = e.konkursdato.isoformat()
        doc["underAvvikling"] = e.under_avvikling
        doc["underTvangsavviklingEllerTvangsopplosning"] = e.under_tvangsavvikling
        if e.forretningsadresse:
            doc["forretningsadresse"] = e.forretningsadresse
    if e.postadresse:
        doc["postadresse"] = e.postadresse
    if e.slettedato:
        doc["slettedato"] = e.slettedato.isoformat()
    links = {"self": _href(f"{base_url}/{kind}/{e.organisasjonsnummer}")}
    if underenhet:
        links["overordnetEnhet"] = _href(f"{base_url}/enheter/{e.overordnet_enhet}")
    doc["_links"] = links
    return doc


def gone_json(e: EnhetRecord, *, base_url: str) -> dict:
    """The 410 Gone body for a deleted unit."""
    kind = "underenheter" if e.overordnet_enhet else "enheter"
    return {
        "organisasjonsnummer": e.organisasjonsnummer,
        "slettedato": _date(e.slettedato),
        "_links": {"self": _href(f"{base_url}/{kind}/{e.organisasjonsnummer}")},
    }


def oppdatering_json(c: ChangeRecord, *, underenhet: bool, base_url: str) -> dict:
    kind = "underenhet" if underenhet else "enhet"
    plural = "underenheter" if underenhet else "enheter"
    endringstype = c.change_type if c.change_type in ENDRINGSTYPER else "Ukjent"
    return {
        "oppdateringsid": c.sequence,
        "dato": format_timestamp(c.changed_at),
        "organisasjonsnummer": c.orgnr or c.entity_key,
        "endringstype": endringstype,
        "_links": {kind: _href(f"{base_url}/{plural}/{c.orgnr or c.entity_key}")},
    }


def format_timestamp(value: dt.datetime) -> str:
    """yyyy-MM-dd'T'HH:mm:ss.SSS'Z' in UTC, as the update feed uses."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> dt.datetime:
    """Parse the update feed's timestamps (a date alone means midnight UTC)."""
    if len(value) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def page_json(*, number: int, size: int, total: int) -> dict:
    return {
        "size": size,
        "totalElements": total,
        "totalPages": (total + size - 1) // size if size else 0,
        "number": number,
    }
