"""A client for Enhetsregisteret's open API (standard library only), and a port adapter on it.

Works against https://data.brreg.no/enhetsregisteret/api and against our
simulation at /registre/enhetsregisteret/api (same paths and shapes).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hmskort.registers import models as m
from hmskort.registers.brreg import parse_timestamp
from hmskort.registers.ports import ChangeRecord, EnhetRecord, EnhetsregisteretPort, RolleRecord

ACCEPT = "application/json"
SEARCH_BATCH = 100  # organisation numbers per search request


class EnhetsregisterError(Exception):
    """The API answered with an unexpected status or body."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SlettetEnhet:
    """A unit the API answers 410 Gone for."""

    organisasjonsnummer: str
    slettedato: dt.date | None


@dataclass(frozen=True)
class OppdateringPage:
    items: tuple[ChangeRecord, ...]
    number: int
    total_pages: int
    total_elements: int


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def parse_enhet(doc: dict) -> EnhetRecord:
    """One `Enhet` document (hovedenhet or underenhet) as a port record."""
    form = doc.get("organisasjonsform") or {}
    codes = tuple(
        doc[f"naeringskode{i}"]["kode"]
        for i in (1, 2, 3)
        if isinstance(doc.get(f"naeringskode{i}"), dict) and doc[f"naeringskode{i}"].get("kode")
    )
    stiftet = doc.get("stiftelsedato") or doc.get("stiftelsesdato") or doc.get("oppstartsdato")
    return EnhetRecord(
        organisasjonsnummer=doc["organisasjonsnummer"],
        navn=doc.get("navn", ""),
        organisasjonsform=form.get("kode", ""),
        registreringsdato=_date(doc.get("registreringsdatoEnhetsregisteret")) or dt.date.min,
        overordnet_enhet=doc.get("overordnetEnhet"),
        naeringskoder=codes,
        antall_ansatte=int(doc.get("antallAnsatte") or 0),
        stiftelsesdato=_date(stiftet),
        registrert_i_foretaksregisteret=bool(doc.get("registrertIForetaksregisteret", False)),
        slettedato=_date(doc.get("slettedato")),
        konkurs=bool(doc.get("konkurs", False)),
        konkursdato=_date(doc.get("konkursdato")),
        under_avvikling=bool(doc.get("underAvvikling", False)),
        under_tvangsavvikling=bool(doc.get("underTvangsavviklingEllerTvangsopplosning", False)),
        forretningsadresse=dict(
            doc.get("forretningsadresse") or doc.get("beliggenhetsadresse") or {}
        ),
        postadresse=dict(doc.get("postadresse") or {}),
        registrert_i_mvaregisteret=doc.get("registrertIMvaregisteret"),
    )


def parse_oppdatering(doc: dict, *, underenhet: bool = False) -> ChangeRecord:
    orgnr = doc["organisasjonsnummer"]
    return ChangeRecord(
        sequence=int(doc["oppdateringsid"]),
        register=m.Register.ENHETSREGISTERET,
        entity="Underenhet" if underenhet else "Enhet",
        entity_key=orgnr,
        change_type=doc.get("endringstype", "Ukjent"),
        orgnr=orgnr,
        fnr="",
        changed_at=parse_timestamp(doc["dato"]),
    )


class EnhetsregisterClient:
    """Fetch and parse Enhetsregisteret documents. `base_url` ends before `/enheter`."""

    def __init__(self, base_url: str, *, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    # -- transport --

    def _get(self, path: str, params: dict | None = None) -> tuple[int, dict]:
        url = f"{self.base_url}/{path.lstrip('/')}"
        if params:
            clean = {k: v for k, v in params.items() if v is not None}
            url = f"{url}?{urllib.parse.urlencode(clean)}"
        request = urllib.request.Request(url, headers={"Accept": ACCEPT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                data = json.loads(body) if body else {}
            except ValueError:
                data = {}
            return exc.code, data
        except urllib.error.URLError as exc:
            raise EnhetsregisterError(f"Enhetsregisteret svarer ikke: {exc.reason}") from exc

    def _expect_ok(self, status: int, data: dict, what: str) -> dict:
        if status != 200:
            raise EnhetsregisterError(
                f"{what}: HTTP {status} {data.get('message', '')}".strip(), status=status
            )
        return data

    # -- single units --

    def _unit(self, kind: str, orgnr: str) -> EnhetRecord | SlettetEnhet | None:
        status, data = self._get(f"{kind}/{urllib.parse.quote(orgnr)}")
        if status == 404:
            return None
        if status == 410:
            return SlettetEnhet(orgnr, _date(data.get("slettedato")))
        return parse_enhet(self._expect_ok(status, data, f"{kind}/{orgnr}"))

    def enhet(self, orgnr: str) -> EnhetRecord | SlettetEnhet | None:
        """A hovedenhet; None if unknown (404), SlettetEnhet if deleted (410)."""
        return self._unit("enheter", orgnr)

    def underenhet(self, orgnr: str) -> EnhetRecord | SlettetEnhet | None:
        return self._unit("underenheter", orgnr)

    # -- searches --

    def _search(self, kind: str, params: dict) -> Iterator[EnhetRecord]:
        page = 0
        while True:
            status, data = self._get(kind, {**params, "page": page})
            data = self._expect_ok(status, data, kind)
            for doc in (data.get("_embedded") or {}).get(kind, []):
                yield parse_enhet(doc)
            info = data.get("page") or {}
            page += 1
            if page >= int(info.get("totalPages") or 0):
                return

    def sok_enheter(self, *, size: int = 100, **params: str) -> list[EnhetRecord]:
        """Search /enheter with the API's own query parameters (navn=..., konkurs="true" ...)."""
        return list(self._search("enheter", {**params, "size": size}))

    def enheter(self, orgnrs: Iterable[str]) -> dict[str, EnhetRecord]:
        """Active hovedenheter by number, a batch of numbers per request (deleted ones excluded)."""
        numbers = sorted(set(orgnrs))
        found: dict[str, EnhetRecord] = {}
        for i in range(0, len(numbers), SEARCH_BATCH):
            batch = numbers[i : i + SEARCH_BATCH]
            params = {"organisasjonsnummer": ",".join(batch), "size": SEARCH_BATCH}
            for record in self._search("enheter", params):
                found[record.organisasjonsnummer] = record
        return found

    def underenheter(self, *, overordnet_enhet: str) -> list[EnhetRecord]:
        return list(
            self._search("underenheter", {"overordnetEnhet": overordnet_enhet, "size": 100})
        )

    # -- update feed --

    def oppdateringer(
        self,
        *,
        oppdateringsid: int | None = None,
        dato: dt.datetime | None = None,
        page: int = 0,
        size: int = 100,
        underenheter: bool = False,
    ) -> OppdateringPage:
        """One page of /oppdateringer/enheter (or /underenheter), as change records."""
        kind = "underenheter" if underenheter else "enheter"
        params: dict = {"page": page, "size": size, "oppdateringsid": oppdateringsid}
        if dato is not None:
            utc = dato.astimezone(dt.UTC)
            params["dato"] = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
        status, data = self._get(f"oppdateringer/{kind}", params)
        data = self._expect_ok(status, data, f"oppdateringer/{kind}")
        key = "oppdaterteUnderenheter" if underenheter else "oppdaterteEnheter"
        items = tuple(
            parse_oppdatering(doc, underenhet=underenheter)
            for doc in (data.get("_embedded") or {}).get(key, [])
        )
        info = data.get("page") or {}
        return OppdateringPage(
            items=items,
            number=int(info.get("number", page)),
            total_pages=int(info.get("totalPages", 0)),
            total_elements=int(info.get("totalElements", 0)),
        )

    def oppdateringer_fra(
        self, oppdateringsid: int, *, size: int = 100, underenheter: bool = False
    ) -> Iterator[ChangeRecord]:
        """Every update from `oppdateringsid` (inclusive), following the pages."""
        page = 0
        while True:
            result = self.oppdateringer(
                oppdateringsid=oppdateringsid, page=page, size=size, underenheter=underenheter
            )
            yield from result.items
            page += 1
            if page >= result.total_pages:
                return

    def organisasjonsformer(self) -> dict[str, str]:
        status, data = self._get("organisasjonsformer")
        data = self._expect_ok(status, data, "organisasjonsformer")
        return {
            f["kode"]: f.get("beskrivelse", "")
            for f in (data.get("_embedded") or {}).get("organisasjonsformer", [])
        }


class HttpEnhetsregisterAdapter:
    """The Enhetsregisteret port over the open API.

    Deleted units come back from the API as 410 with only a `slettedato`; they
    are answered as a record with that date (and an empty name). The open API
    here serves no roles, so roles come from `roles_from` (or none).
    """

    def __init__(
        self, client: EnhetsregisterClient, *, roles_from: EnhetsregisteretPort | None = None
    ):
        self.client = client
        self.roles_from = roles_from

    def enheter(self, orgnrs: Iterable[str]) -> dict[str, EnhetRecord]:
        numbers = sorted({o for o in orgnrs if o})
        result = self.client.enheter(numbers)
        for orgnr in numbers:
            if orgnr in result:
                continue
            # Not an active hovedenhet: an underenhet, deleted, or unknown.
            found = self.client.enhet(orgnr)
            if found is None:
                found = self.client.underenhet(orgnr)
            if isinstance(found, SlettetEnhet):
                gone = found.slettedato or dt.date.min
                result[orgnr] = EnhetRecord(
                    organisasjonsnummer=orgnr,
                    navn="",
                    organisasjonsform="",
                    registreringsdato=gone,
                    slettedato=gone,
                )
            elif found is not None:
                result[orgnr] = found
        return result

    def roller_for_enheter(self, orgnrs: Iterable[str]) -> dict[str, tuple[RolleRecord, ...]]:
        return self.roles_from.roller_for_enheter(orgnrs) if self.roles_from else {}

    def roller_for_personer(
        self, identifikatorer: Iterable[str]
    ) -> dict[str, tuple[RolleRecord, ...]]:
        return self.roles_from.roller_for_personer(identifikatorer) if self.roles_from else {}
