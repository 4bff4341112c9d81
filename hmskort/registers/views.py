"""The simulated Enhetsregisteret open API, served from our register tables.

Same paths, query parameters, status codes and JSON shapes as
https://data.brreg.no/enhetsregisteret/api (see brreg.py), so the
Enhetsregisteret client can be tested against it on loopback.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hmskort.registers import brreg
from hmskort.registers import models as m
from hmskort.registers.adapters import LocalMva, change_record, enhet_record

MAX_DEPTH = 10_000
DEFAULT_SIZE = 20


class BadRequest(Exception):
    pass


def _json(request: HttpRequest, data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(request: HttpRequest, status: int, error: str, message: str) -> JsonResponse:
    return _json(
        request,
        {
            "timestamp": brreg.format_timestamp(timezone.now()),
            "status": status,
            "error": error,
            "message": message,
            "path": request.path,
        },
        status=status,
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("registers:brreg-root")).rstrip("/")


def _int_param(request: HttpRequest, name: str, default: int | None) -> int | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} må være et heltall") from None
    if value < 0:
        raise BadRequest(f"{name} kan ikke være negativ")
    return value


def _bool_param(request: HttpRequest, name: str) -> bool | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() not in ("true", "false"):
        raise BadRequest(f"{name} må være true eller false")
    return raw.lower() == "true"


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} må være en dato (ÅÅÅÅ-MM-DD)") from None


def _csv(request: HttpRequest, name: str) -> list[str]:
    return [v.strip() for v in request.GET.get(name, "").split(",") if v.strip()]


def _paging(request: HttpRequest) -> tuple[int, int]:
    page = _int_param(request, "page", 0) or 0
    size = _int_param(request, "size", DEFAULT_SIZE)
    if not size:
        raise BadRequest("size må være større enn 0")
    if (page + 1) * size > MAX_DEPTH:
        raise BadRequest(f"Max dybde (page*size) er {MAX_DEPTH}")
    return page, size


def _mva_today(orgnrs: list[str]) -> set[str]:
    today = timezone.localdate()
    registered = set()
    for orgnr, periods in LocalMva().registreringer(orgnrs).items():
        if any(p.fra <= today and (p.til is None or today <= p.til) for p in periods):
            registered.add(orgnr)
    return registered


def _enheter_json(enheter: list[m.Enhet], base_url: str) -> list[dict]:
    mva = _mva_today([e.organisasjonsnummer for e in enheter])
    return [
        brreg.enhet_json(
            enhet_record(e),
            registrert_i_mvaregisteret=e.organisasjonsnummer in mva,
            base_url=base_url,
        )
        for e in enheter
    ]


def _page_links(request: HttpRequest, page: int, size: int, total_pages: int) -> dict:
    def link(number: int) -> dict:
        query = request.GET.copy()
        query["page"] = str(number)
        query["size"] = str(size)
        return {"href": request.build_absolute_uri(f"{request.path}?{query.urlencode()}")}

    links = {"self": link(page)}
    if total_pages:
        links["first"] = link(0)
        links["last"] = link(total_pages - 1)
    if page > 0:
        links["prev"] = link(page - 1)
    if page + 1 < total_pages:
        links["next"] = link(page + 1)
    return links


def _list(request: HttpRequest, *, underenheter: bool) -> JsonResponse:
    try:
        page, size = _paging(request)
        qs = m.Enhet.objects.filter(slettedato__isnull=True)
        qs = qs.filter(overordnet_enhet__isnull=not underenheter)
        if numbers := _csv(request, "organisasjonsnummer"):
            qs = qs.filter(organisasjonsnummer__in=numbers[:1000])
        if navn := request.GET.get("navn", "").strip():
            for word in navn.split():
                qs = qs.filter(navn__icontains=word)
        if forms := _csv(request, "organisasjonsform"):
            qs = qs.filter(organisasjonsform__in=forms)
        if parent := request.GET.get("overordnetEnhet", "").strip():
            qs = qs.filter(overordnet_enhet_id=parent)
        if codes := _csv(request, "naeringskode"):
            q = Q()
            for code in codes:
                q |= (
                    Q(naeringskode1__startswith=code)
                    | Q(naeringskode2__startswith=code)
                    | Q(naeringskode3__startswith=code)
                )
            qs = qs.filter(q)
        if (konkurs := _bool_param(request, "konkurs")) is not None and not underenheter:
            qs = qs.filter(konkurs=konkurs)
        if (fra := _date_param(request, "fraRegistreringsdatoEnhetsregisteret")) is not None:
            qs = qs.filter(registreringsdato__gte=fra)
        if (til := _date_param(request, "tilRegistreringsdatoEnhetsregisteret")) is not None:
            qs = qs.filter(registreringsdato__lte=til)
        if (fra_ansatte := _int_param(request, "fraAntallAnsatte", None)) is not None:
            qs = qs.filter(antall_ansatte__gte=fra_ansatte)
        if (til_ansatte := _int_param(request, "tilAntallAnsatte", None)) is not None:
            qs = qs.filter(antall_ansatte__lte=til_ansatte)
        mva_filter = _bool_param(request, "registrertIMvaregisteret")
    except BadRequest as exc:
        return _error(request, 400, "Bad Request", str(exc))

    qs = qs.order_by("navn", "organisasjonsnummer")
    if mva_filter is not None:
        today = timezone.localdate()
        open_mva = m.MvaRegistrering.objects.filter(registrert_fra__lte=today).filter(
            Q(registrert_til__isnull=True) | Q(registrert_til__gte=today)
        )
        ids = open_mva.values("enhet_id")
        qs = qs.filter(organisasjonsnummer__in=ids) if mva_filter else qs.exclude(pk__in=ids)
    total = qs.count()
    rows = list(qs[page * size : (page + 1) * size])
    page_info = brreg.page_json(number=page, size=size, total=total)
    key = "underenheter" if underenheter else "enheter"
    data: dict = {}
    if rows:
        data["_embedded"] = {key: _enheter_json(rows, _base_url(request))}
    data["_links"] = _page_links(request, page, size, page_info["totalPages"])
    data["page"] = page_info
    return _json(request, data)


def _detail(request: HttpRequest, orgnr: str, *, underenhet: bool) -> JsonResponse:
    enhet = (
        m.Enhet.objects.filter(organisasjonsnummer=orgnr, overordnet_enhet__isnull=not underenhet)
        .select_related(None)
        .first()
    )
    what = "Underenhet" if underenhet else "Enhet"
    if enhet is None:
        return _error(
            request, 404, "Not Found", f"{what} med organisasjonsnummer {orgnr} finnes ikke"
        )
    record = enhet_record(enhet)
    if record.slettedato:
        return _json(request, brreg.gone_json(record, base_url=_base_url(request)), status=410)
    return _json(request, _enheter_json([enhet], _base_url(request))[0])


def _oppdateringer(request: HttpRequest, *, underenheter: bool) -> JsonResponse:
    try:
        page, size = _paging(request)
        min_id = _int_param(request, "oppdateringsid", None)
        raw_dato = request.GET.get("dato", "").strip()
        try:
            dato = brreg.parse_timestamp(raw_dato) if raw_dato else None
        except ValueError:
            raise BadRequest("dato må være på formatet yyyy-MM-dd'T'HH:mm:ss.SSS'Z'") from None
    except BadRequest as exc:
        return _error(request, 400, "Bad Request", str(exc))
    qs = m.RegisterChange.objects.filter(
        register=m.Register.ENHETSREGISTERET,
        entity="Underenhet" if underenheter else "Enhet",
    )
    if min_id is not None:
        qs = qs.filter(sequence__gte=min_id)
    if dato is not None:
        qs = qs.filter(changed_at__gte=dato)
    if numbers := _csv(request, "organisasjonsnummer"):
        qs = qs.filter(orgnr__in=numbers[:1000])
    qs = qs.order_by("sequence")
    total = qs.count()
    rows = [change_record(c) for c in qs[page * size : (page + 1) * size]]
    base_url = _base_url(request)
    page_info = brreg.page_json(number=page, size=size, total=total)
    key = "oppdaterteUnderenheter" if underenheter else "oppdaterteEnheter"
    data: dict = {}
    if rows:
        data["_embedded"] = {
            key: [
                brreg.oppdatering_json(c, underenhet=underenheter, base_url=base_url) for c in rows
            ]
        }
    data["_links"] = _page_links(request, page, size, page_info["totalPages"])
    data["page"] = page_info
    return _json(request, data)


@require_GET
def root(request: HttpRequest) -> JsonResponse:
    base = _base_url(request)
    return _json(
        request,
        {
            "_links": {
                name: {"href": f"{base}/{path}"}
                for name, path in [
                    ("enheter", "enheter"),
                    ("underenheter", "underenheter"),
                    ("oppdateringerEnheter", "oppdateringer/enheter"),
                    ("oppdateringerUnderenheter", "oppdateringer/underenheter"),
                    ("organisasjonsformer", "organisasjonsformer"),
                ]
            }
        },
    )


@require_GET
def enheter(request: HttpRequest) -> JsonResponse:
    return _list(request, underenheter=False)


@require_GET
def enhet(request: HttpRequest, orgnr: str) -> JsonResponse:
    return _detail(request, orgnr, underenhet=False)


@require_GET
def underenheter(request: HttpRequest) -> JsonResponse:
    return _list(request, underenheter=True)


@require_GET
def underenhet(request: HttpRequest, orgnr: str) -> JsonResponse:
    return _detail(request, orgnr, underenhet=True)


@require_GET
def oppdateringer_enheter(request: HttpRequest) -> JsonResponse:
    return _oppdateringer(request, underenheter=False)


@require_GET
def oppdateringer_underenheter(request: HttpRequest) -> JsonResponse:
    return _oppdateringer(request, underenheter=True)


@require_GET
def organisasjonsformer(request: HttpRequest) -> JsonResponse:
    base = _base_url(request)
    return _json(
        request,
        {
            "_embedded": {
                "organisasjonsformer": [
                    brreg.organisasjonsform_json(kode, base)
                    for kode in sorted(brreg.ORGANISASJONSFORMER)
                ]
            },
            "_links": {"self": {"href": f"{base}/organisasjonsformer"}},
        },
    )


@require_GET
def organisasjonsform(request: HttpRequest, kode: str) -> JsonResponse:
    if kode not in brreg.ORGANISASJONSFORMER:
        return _error(request, 404, "Not Found", f"Organisasjonsformen {kode} eksisterer ikke")
    return _json(request, brreg.organisasjonsform_json(kode, _base_url(request)))
