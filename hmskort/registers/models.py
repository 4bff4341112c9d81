"""Local simulated national registers.

Each model mirrors the shape of the real source closely enough that a real
integration replaces an adapter (see `ports.py` / `adapters.py`), not the domain.
Nothing outside `hmskort.registers` reads these tables directly: callers go
through the ports, which answer with plain records.

Every change made through `services.py` appends a row to `RegisterChange`, the
change feed each register keeps (as Enhetsregisteret's `/oppdateringer` feed).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Register(models.TextChoices):
    """The registers we consult, as they appear in the change feed."""

    ENHETSREGISTERET = "ER", _("Enhetsregisteret / Foretaksregisteret")
    MVA = "MVA", _("Merverdiavgiftsregisteret")
    MVA_EGENERKLAERING = "MVAE", _("Egenerklæring om merverdiavgift")
    FOLKEREGISTERET = "FREG", _("Folkeregisteret")
    AAREG = "AA", _("Aa-registeret")
    OAR = "OAR", _("Oppdrags- og arbeidsforholdsregisteret")
    BEMANNING = "BEM", _("Bemanningsforetaksregisteret")
    RENHOLD = "RH", _("Renholdsregisteret")
    BILPLEIE = "BP", _("Godkjenningsregisteret for bilpleie")
    UDI = "UDI", _("UDI oppholdstillatelser")
    VEGVESEN = "SVV", _("Statens vegvesens verkstedgodkjenninger")
    UNNTAK = "UNNTAK", _("Arbeidstilsynets unntaksregister")


# --- Enhetsregisteret / Foretaksregisteret ---------------------------------


class Enhet(models.Model):
    """A hovedenhet or (when `overordnet_enhet` is set) an underenhet."""

    organisasjonsnummer = models.CharField(max_length=9, primary_key=True)
    navn = models.CharField(max_length=255)
    # Organisation form code as in Enhetsregisteret: AS, ASA, ENK, NUF, ANS, DA, BEDR, ...
    organisasjonsform = models.CharField(max_length=8)
    overordnet_enhet = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="underenheter",
        db_column="overordnet_enhet",
    )
    naeringskode1 = models.CharField(max_length=8, blank=True)
    naeringskode2 = models.CharField(max_length=8, blank=True)
    naeringskode3 = models.CharField(max_length=8, blank=True)
    antall_ansatte = models.PositiveIntegerField(default=0)
    registreringsdato = models.DateField()
    stiftelsesdato = models.DateField(null=True, blank=True)
    registrert_i_foretaksregisteret = models.BooleanField(default=True)
    slettedato = models.DateField(null=True, blank=True)
    konkurs = models.BooleanField(default=False)
    konkursdato = models.DateField(null=True, blank=True)
    under_avvikling = models.BooleanField(default=False)
    under_tvangsavvikling = models.BooleanField(default=False)
    # {"adresse": [...], "postnummer": "0150", "poststed": "OSLO", "kommune": "OSLO",
    #  "kommunenummer": "0301", "land": "Norge", "landkode": "NO"}
    forretningsadresse = models.JSONField(default=dict, blank=True)
    postadresse = models.JSONField(default=dict, blank=True)
    # For NUF: the foreign company's home country (ISO 3166-1 alpha-2).
    hjemland = models.CharField(max_length=2, blank=True)
    oppdatert = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter (Enhetsregisteret)")
        indexes = [models.Index(fields=["navn"])]

    def __str__(self) -> str:
        return f"{self.navn} ({self.organisasjonsnummer})"

    @property
    def er_underenhet(self) -> bool:
        return self.overordnet_enhet_id is not None


class RolleType(models.TextChoices):
    DAGL = "DAGL", _("Daglig leder")
    LEDE = "LEDE", _("Styrets leder")
    NEST = "NEST", _("Nestleder")
    MEDL = "MEDL", _("Styremedlem")
    INNH = "INNH", _("Innehaver")
    KONT = "KONT", _("Kontaktperson")
    DTPR = "DTPR", _("Deltaker med proratarisk ansvar")
    DTSO = "DTSO", _("Deltaker med solidarisk ansvar")
    FFØR = "FFØR", _("Forretningsfører")
    REPR = "REPR", _("Norsk representant for utenlandsk enhet")


class Rolle(models.Model):
    enhet = models.ForeignKey(Enhet, on_delete=models.CASCADE, related_name="roller")
    rolletype = models.CharField(max_length=4, choices=RolleType.choices)
    person = models.ForeignKey("Person", on_delete=models.PROTECT, related_name="roller")
    fratraadt = models.BooleanField(default=False)
    registrert = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("rolle")
        verbose_name_plural = _("roller (Enhetsregisteret)")
        constraints = [
            models.UniqueConstraint(
                fields=["enhet", "rolletype", "person"], name="unique_rolle_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rolletype} {self.person_id[:6]}***** i {self.enhet_id}"


# --- Merverdiavgiftsregisteret ----------------------------------------------


class MvaRegistrering(models.Model):
    enhet = models.ForeignKey(Enhet, on_delete=models.CASCADE, related_name="mva_registreringer")
    registrert_fra = models.DateField()
    registrert_til = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("MVA-registrering")
        verbose_name_plural = _("MVA-registreringer (Merverdiavgiftsregisteret)")


class MvaEgenerklaering(models.Model):
    """A company's own declaration that it is not liable to register for VAT.

    Kept by us (and reported to Skatteetaten), but consulted like a register.
    """

    enhet = models.ForeignKey(Enhet, on_delete=models.CASCADE, related_name="mva_egenerklaeringer")
    erklaert_dato = models.DateField()
    trukket_dato = models.DateField(null=True, blank=True)
    erklaert_av = models.CharField(max_length=11, blank=True, help_text=_("Fødselsnummer"))

    class Meta:
        verbose_name = _("MVA-egenerklæring")
        verbose_name_plural = _("MVA-egenerklæringer")


# --- Folkeregisteret ----------------------------------------------------------


class Identifikatortype(models.TextChoices):
    FNR = "FNR", _("Fødselsnummer")
    DNR = "DNR", _("D-nummer")


class Personstatus(models.TextChoices):
    BOSATT = "bosatt", _("Bosatt")
    MIDLERTIDIG = "midlertidig", _("Midlertidig (D-nummer)")
    INAKTIV = "inaktiv", _("Inaktiv (D-nummer)")
    UTFLYTTET = "utflyttet", _("Utflyttet")
    DOED = "doed", _("Død")
    OPPHOERT = "opphoert", _("Opphørt")


class Person(models.Model):
    identifikator = models.CharField(max_length=11, primary_key=True)
    identifikatortype = models.CharField(max_length=3, choices=Identifikatortype.choices)
    fornavn = models.CharField(max_length=100)
    mellomnavn = models.CharField(max_length=100, blank=True)
    etternavn = models.CharField(max_length=100)
    foedselsdato = models.DateField()
    # Gender comes from the register, never from the number ("mann"/"kvinne").
    kjoenn = models.CharField(max_length=6)
    # ISO 3166-1 alpha-2 citizenships; the first is the primary one.
    statsborgerskap = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Personstatus.choices)
    # When Folkeregisteret set the current status (e.g. the day a D-number turned inactive).
    status_dato = models.DateField(null=True, blank=True)
    # D-numbers: when it was issued (it turns inactive five years later unless re-checked).
    identifikator_tildelt = models.DateField(null=True, blank=True)
    bostedsadresse = models.JSONField(default=dict, blank=True)
    oppdatert = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer (Folkeregisteret)")
        indexes = [models.Index(fields=["etternavn", "fornavn"])]

    def __str__(self) -> str:
        return f"{self.fulltnavn} ({self.identifikator[:6]}*****)"

    @property
    def fulltnavn(self) -> str:
        return " ".join(p for p in (self.fornavn, self.mellomnavn, self.etternavn) if p)


# --- Aa-registeret -------------------------------------------------------------


class Arbeidsforholdstype(models.TextChoices):
    ORDINAERT = "ordinaertArbeidsforhold", _("Ordinært arbeidsforhold")
    MARITIMT = "maritimtArbeidsforhold", _("Maritimt arbeidsforhold")
    FRILANSER = "frilanserOppdragstakerHonorarPersonerMm", _("Frilanser, oppdragstaker, honorar")
    PENSJON = "pensjonOgAndreTyperYtelserUtenAnsettelsesforhold", _("Pensjon og andre ytelser")


class Arbeidsforhold(models.Model):
    navarbeidsforhold_id = models.BigAutoField(primary_key=True)
    arbeidsgiver = models.ForeignKey(Enhet, on_delete=models.PROTECT, related_name="arbeidsforhold")
    arbeidstaker = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="arbeidsforhold"
    )
    type = models.CharField(
        max_length=60, choices=Arbeidsforholdstype.choices, default=Arbeidsforholdstype.ORDINAERT
    )
    startdato = models.DateField()
    sluttdato = models.DateField(null=True, blank=True)
    stillingsprosent = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    yrke = models.CharField(max_length=7, blank=True, help_text=_("STYRK-kode"))

    class Meta:
        verbose_name = _("arbeidsforhold")
        verbose_name_plural = _("arbeidsforhold (Aa-registeret)")
        indexes = [models.Index(fields=["arbeidsgiver", "arbeidstaker"])]


# --- Oppdrags- og arbeidsforholdsregisteret (OAR) ----------------------------------


class Oppdrag(models.Model):
    """An assignment given to a foreign company (oppdragstaker) by a Norwegian one."""

    oppdragsgiver = models.ForeignKey(Enhet, on_delete=models.PROTECT, related_name="oppdrag_gitt")
    oppdragstaker = models.ForeignKey(Enhet, on_delete=models.PROTECT, related_name="oppdrag_tatt")
    startdato = models.DateField()
    sluttdato = models.DateField(null=True, blank=True)
    beskrivelse = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("oppdrag")
        verbose_name_plural = _("oppdrag (OAR)")


class OppdragArbeidstaker(models.Model):
    """A posted worker on an assignment, with the period they work on it."""

    oppdrag = models.ForeignKey(Oppdrag, on_delete=models.CASCADE, related_name="arbeidstakere")
    arbeidstaker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="oppdrag")
    startdato = models.DateField()
    sluttdato = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("utsendt arbeidstaker")
        verbose_name_plural = _("utsendte arbeidstakere (OAR)")


# --- Arbeidstilsynet's registers ---------------------------------------------------


class Bemanningsforetak(models.Model):
    enhet = models.OneToOneField(Enhet, on_delete=models.CASCADE, related_name="bemanningsforetak")
    registrert_fra = models.DateField()
    registrert_til = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("bemanningsforetak")
        verbose_name_plural = _("bemanningsforetak (Bemanningsforetaksregisteret)")


class GodkjenningStatus(models.TextChoices):
    GODKJENT = "godkjent", _("Godkjent")
    SOEKT_KAN_BESTILLE = "soekt_kan_bestille", _("Søkt, kan bestille HMS-kort")
    SOEKT = "soekt", _("Søkt")
    AVSLAATT = "avslaatt", _("Avslått")
    TILBAKEKALT = "tilbakekalt", _("Tilbakekalt")


class Renholdsgodkjenning(models.Model):
    enhet = models.OneToOneField(
        Enhet, on_delete=models.CASCADE, related_name="renholdsgodkjenning"
    )
    status = models.CharField(max_length=20, choices=GodkjenningStatus.choices)
    status_dato = models.DateField()

    class Meta:
        verbose_name = _("renholdsgodkjenning")
        verbose_name_plural = _("renholdsgodkjenninger (Renholdsregisteret)")


class Bilpleiegodkjenning(models.Model):
    enhet = models.OneToOneField(
        Enhet, on_delete=models.CASCADE, related_name="bilpleiegodkjenning"
    )
    status = models.CharField(max_length=20, choices=GodkjenningStatus.choices)
    status_dato = models.DateField()

    class Meta:
        verbose_name = _("bilpleiegodkjenning")
        verbose_name_plural = _("bilpleiegodkjenninger")


class Verkstedgodkjenning(models.Model):
    """A workshop approved by Statens vegvesen: exempt from the BP card scheme."""

    enhet = models.OneToOneField(
        Enhet, on_delete=models.CASCADE, related_name="verkstedgodkjenning"
    )
    godkjent_fra = models.DateField()
    godkjent_til = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("verkstedgodkjenning")
        verbose_name_plural = _("verkstedgodkjenninger (Statens vegvesen)")


class Oppholdstillatelse(models.Model):
    """A UDI residence permit; `arbeidsadgang` says whether it gives the right to work."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="oppholdstillatelser")
    arbeidsadgang = models.BooleanField(default=True)
    gyldig_fra = models.DateField()
    gyldig_til = models.DateField(null=True, blank=True)
    tillatelsestype = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("oppholdstillatelse")
        verbose_name_plural = _("oppholdstillatelser (UDI)")


class Unntak(models.Model):
    """A manual entry in Arbeidstilsynet's exception register.

    It stands in for register requirements a person or company cannot meet
    (e.g. NAV sheltered work is not in Aa-registeret). `fritak` lists the
    requirement codes (from `hmskort.eligibility.requirements`) it waives.
    """

    enhet = models.ForeignKey(Enhet, on_delete=models.CASCADE, related_name="unntak")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="unntak"
    )
    fritak = models.JSONField(default=list)
    gyldig_fra = models.DateField()
    gyldig_til = models.DateField(null=True, blank=True)
    begrunnelse = models.TextField()
    registrert_av = models.CharField(max_length=150, blank=True)
    registrert = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unntak")
        verbose_name_plural = _("unntak (Arbeidstilsynets unntaksregister)")


# --- Change feed ---------------------------------------------------------------------


class ChangeType(models.TextChoices):
    NY = "Ny", _("Ny")
    ENDRING = "Endring", _("Endring")
    SLETTING = "Sletting", _("Sletting")


class RegisterChange(models.Model):
    """One change in one register: a consumer asks "what changed since N".

    `orgnr` / `fnr` name the company and person the change touches, so the
    re-check can find the cards it affects without reading the record.
    """

    sequence = models.BigAutoField(primary_key=True)
    register = models.CharField(max_length=8, choices=Register.choices)
    entity = models.CharField(max_length=40)
    entity_key = models.CharField(max_length=40)
    change_type = models.CharField(max_length=10, choices=ChangeType.choices)
    orgnr = models.CharField(max_length=9, blank=True, db_index=True)
    fnr = models.CharField(max_length=11, blank=True, db_index=True)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("registerendring")
        verbose_name_plural = _("registerendringer (endringsstrøm)")
        indexes = [models.Index(fields=["register", "sequence"])]
