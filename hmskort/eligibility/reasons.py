"""The reason catalogue: one entry per reason code, in bokmål and English.

Each reason has three audiences [003 §7.4.2, §8.1], [001]:
- `public`: short, for the public status page ("Ugyldig – utløpt");
- `inspector`: fuller, which register says what and what the employer must do;
- `action`: what the orderer must do next (e-mail and portal message on a
  rejected or pending order).

Codes are stable: other parts of the system store and compare them. Text
look-ups never fail: an unknown code gets a generic text.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language


class ReasonCode(enum.StrEnum):
    # Enhetsregisteret / Foretaksregisteret
    COMPANY_NOT_FOUND = "COMPANY_NOT_FOUND"
    COMPANY_DELETED = "COMPANY_DELETED"
    COMPANY_BANKRUPT = "COMPANY_BANKRUPT"
    COMPANY_LIQUIDATION = "COMPANY_LIQUIDATION"
    # Merverdiavgiftsregisteret
    VAT_UNCLEAR = "VAT_UNCLEAR"
    # Folkeregisteret
    PERSON_NOT_FOUND = "PERSON_NOT_FOUND"
    PERSON_DEAD = "PERSON_DEAD"
    PERSON_EMIGRATED = "PERSON_EMIGRATED"
    PERSON_ID_CEASED = "PERSON_ID_CEASED"
    DNUMBER_INACTIVE = "DNUMBER_INACTIVE"
    # Aa-registeret / OAR / roles
    EMPLOYMENT_NOT_REGISTERED = "EMPLOYMENT_NOT_REGISTERED"
    EMPLOYMENT_STARTS_LATER = "EMPLOYMENT_STARTS_LATER"
    OWNER_ROLE_MISSING = "OWNER_ROLE_MISSING"
    # Bemanningsforetaksregisteret
    STAFFING_NOT_REGISTERED = "STAFFING_NOT_REGISTERED"
    # Renholdsregisteret, bilpleie approval, Statens vegvesen
    CLEANING_APPROVAL_AWAITED = "CLEANING_APPROVAL_AWAITED"
    CLEANING_NOT_APPROVED = "CLEANING_NOT_APPROVED"
    CARCARE_NOT_APPROVED = "CARCARE_NOT_APPROVED"
    WORKSHOP_EXEMPT = "WORKSHOP_EXEMPT"
    CLEANING_COMPANY_RH_ONLY = "CLEANING_COMPANY_RH_ONLY"
    # UDI
    WORK_PERMIT_MISSING = "WORK_PERMIT_MISSING"
    # Orders
    ALREADY_ORDERED = "ALREADY_ORDERED"
    ALREADY_HAS_CARD = "ALREADY_HAS_CARD"
    LOST_CARD_NOT_BLOCKED = "LOST_CARD_NOT_BLOCKED"
    UNKNOWN_CARD_TYPE = "UNKNOWN_CARD_TYPE"
    ORDER_CANCELLED_TIMEOUT = "ORDER_CANCELLED_TIMEOUT"
    DOCUMENTS_REJECTED = "DOCUMENTS_REJECTED"
    DOCUMENTS_MISSING = "DOCUMENTS_MISSING"
    DOCUMENTS_UNDER_REVIEW = "DOCUMENTS_UNDER_REVIEW"
    NACE_JUSTIFICATION_MISSING = "NACE_JUSTIFICATION_MISSING"
    NACE_JUSTIFICATION_PENDING = "NACE_JUSTIFICATION_PENDING"
    NACE_JUSTIFICATION_REJECTED = "NACE_JUSTIFICATION_REJECTED"
    # Card lifecycle
    CARD_EXPIRED = "CARD_EXPIRED"
    CARD_BLOCKED = "CARD_BLOCKED"
    CARD_CONFISCATED = "CARD_CONFISCATED"
    CARD_RETURNED = "CARD_RETURNED"
    EMPLOYMENT_REMOVED_BY_INSPECTOR = "EMPLOYMENT_REMOVED_BY_INSPECTOR"


@dataclass(frozen=True)
class Reason:
    code: str
    public_nb: str
    public_en: str
    inspector_nb: str
    inspector_en: str
    action_nb: str
    action_en: str
    # True: an order pending for this reason is not auto-cancelled after 20 days [001].
    blocks_auto_cancel: bool = False

    def public(self, language: str | None = None) -> str:
        return self.public_en if _is_english(language) else self.public_nb

    def inspector(self, language: str | None = None) -> str:
        return self.inspector_en if _is_english(language) else self.inspector_nb

    def action(self, language: str | None = None) -> str:
        return self.action_en if _is_english(language) else self.action_nb


def _is_english(language: str | None) -> bool:
    language = language or get_language() or ""
    return language.lower().replace("_", "-").split("-")[0] == "en"


_R = ReasonCode

_CATALOGUE: tuple[Reason, ...] = (
    Reason(
        code=_R.NACE_JUSTIFICATION_MISSING,
        public_nb="Venter – korttypen passer ikke virksomhetens næringskode",
        public_en="Pending – the card type does not fit the company's industry code",
        inspector_nb=(
            "Korttypen passer ikke næringskoden virksomheten er registrert med i "
            "Enhetsregisteret. Bestillingen krever en skriftlig begrunnelse som en "
            "saksbehandler godkjenner."
        ),
        inspector_en=(
            "The card type does not fit the industry (NACE) code the company is registered "
            "with in Enhetsregisteret. The order needs a written justification approved by a "
            "caseworker."
        ),
        action_nb=(
            "Skriv en begrunnelse for hvorfor virksomheten trenger denne korttypen når "
            "næringskoden ikke passer, eller rett næringskoden i Enhetsregisteret."
        ),
        action_en=(
            "Write a justification for why the company needs this card type although its "
            "industry code does not fit, or correct the industry code in Enhetsregisteret."
        ),
    ),
    Reason(
        code=_R.NACE_JUSTIFICATION_PENDING,
        public_nb="Venter – begrunnelsen for korttypen behandles",
        public_en="Pending – the justification for the card type is being reviewed",
        inspector_nb=(
            "Korttypen passer ikke virksomhetens næringskode. Bestilleren har skrevet en "
            "begrunnelse som venter på en saksbehandler."
        ),
        inspector_en=(
            "The card type does not fit the company's industry code. The orderer has written "
            "a justification that is waiting for a caseworker."
        ),
        action_nb=(
            "Begrunnelsen behandles av en saksbehandler. Kortet går til produksjon når den er "
            "godkjent."
        ),
        action_en=(
            "A caseworker is reviewing the justification. The card goes to production once it "
            "is approved."
        ),
        blocks_auto_cancel=True,
    ),
    Reason(
        code=_R.NACE_JUSTIFICATION_REJECTED,
        public_nb="Avslått – korttypen passer ikke virksomhetens næringskode",
        public_en="Rejected – the card type does not fit the company's industry code",
        inspector_nb=(
            "Korttypen passer ikke virksomhetens næringskode, og saksbehandleren godkjente ikke "
            "begrunnelsen for bestillingen."
        ),
        inspector_en=(
            "The card type does not fit the company's industry code, and the caseworker did "
            "not approve the justification for the order."
        ),
        action_nb=(
            "Bestill korttypen som passer virksomhetens næringskode, eller rett næringskoden i "
            "Enhetsregisteret og bestill på nytt med en ny begrunnelse."
        ),
        action_en=(
            "Order the card type that fits the company's industry code, or correct the "
            "industry code in Enhetsregisteret and order again with a new justification."
        ),
    ),
    Reason(
        code=_R.COMPANY_NOT_FOUND,
        public_nb="Ugyldig – virksomheten finnes ikke i Enhetsregisteret",
        public_en="Invalid – the company is not registered in Enhetsregisteret",
        inspector_nb=(
            "Organisasjonsnummeret finnes ikke i Enhetsregisteret. Alle virksomheter som driver "
            "næringsvirksomhet i Norge, også utenlandske virksomheter og enkeltpersonforetak, "
            "må være registrert i Enhetsregisteret for å få HMS-kort."
        ),
        inspector_en=(
            "The organisation number is not found in Enhetsregisteret (the Central Coordinating "
            "Register for Legal Entities). Every business operating in Norway, including foreign "
            "companies and sole proprietorships, must be registered there to get HMS cards."
        ),
        action_nb=(
            "Registrer virksomheten i Enhetsregisteret med Samordnet registermelding hos "
            "Brønnøysundregistrene, og bestill kortet på nytt når registreringen er på plass."
        ),
        action_en=(
            "Register the company in Enhetsregisteret with the coordinated register notification "
            "at the Brønnøysund Register Centre, and order the card again once it is registered."
        ),
    ),
    Reason(
        code=_R.COMPANY_DELETED,
        public_nb="Ugyldig – virksomheten er slettet i Enhetsregisteret",
        public_en="Invalid – the company is deleted from Enhetsregisteret",
        inspector_nb=(
            "Virksomheten er slettet i Enhetsregisteret. HMS-kortet gjelder bare så lenge "
            "arbeidsgiveren er aktiv. Er virksomheten kjøpt opp eller fusjonert, må den nye "
            "virksomheten bestille nye kort."
        ),
        inspector_en=(
            "The company is deleted from Enhetsregisteret. An HMS card is only valid while the "
            "employer is active. If the company was bought or merged, the new company must "
            "order new cards."
        ),
        action_nb=(
            "Det kan ikke bestilles HMS-kort for en slettet virksomhet. Arbeidstakeren må få nytt "
            "kort fra virksomheten vedkommende nå arbeider for."
        ),
        action_en=(
            "Cards cannot be ordered for a deleted company. The worker needs a new card from the "
            "company they now work for."
        ),
    ),
    Reason(
        code=_R.COMPANY_BANKRUPT,
        public_nb="Ugyldig – virksomheten er konkurs",
        public_en="Invalid – the company is bankrupt",
        inspector_nb=(
            "Enhetsregisteret viser at virksomheten er konkurs. HMS-kort for en virksomhet som er "
            "konkurs, er ugyldige."
        ),
        inspector_en=(
            "Enhetsregisteret shows that the company is bankrupt. HMS cards for a bankrupt "
            "company are invalid."
        ),
        action_nb=(
            "Det kan ikke bestilles HMS-kort for en virksomhet som er konkurs. Er registreringen "
            "feil, må den rettes i Enhetsregisteret."
        ),
        action_en=(
            "Cards cannot be ordered for a bankrupt company. If the registration is wrong, it "
            "must be corrected in Enhetsregisteret."
        ),
    ),
    Reason(
        code=_R.COMPANY_LIQUIDATION,
        public_nb="Ugyldig – virksomheten er under avvikling",
        public_en="Invalid – the company is being wound up",
        inspector_nb=(
            "Enhetsregisteret viser at virksomheten er under avvikling eller tvangsavvikling. "
            "HMS-kort for en slik virksomhet er ugyldige."
        ),
        inspector_en=(
            "Enhetsregisteret shows that the company is under voluntary or compulsory "
            "liquidation. HMS cards for such a company are invalid."
        ),
        action_nb=(
            "Det kan ikke bestilles HMS-kort for en virksomhet under avvikling. Er registreringen "
            "feil, må den rettes i Enhetsregisteret."
        ),
        action_en=(
            "Cards cannot be ordered for a company under liquidation. If the registration is "
            "wrong, it must be corrected in Enhetsregisteret."
        ),
    ),
    Reason(
        code=_R.VAT_UNCLEAR,
        public_nb="Uklart – virksomheten er ikke registrert i Merverdiavgiftsregisteret",
        public_en="Unclear – the company is not registered in the VAT register",
        inspector_nb=(
            "Virksomheten er eldre enn tre måneder, er ikke registrert i Merverdiavgiftsregisteret "
            "og har ikke levert egenerklæring om at den ikke skal være registrert. Det er derfor "
            "uklart om registerkravet er oppfylt. En virksomhet må registrere seg når den "
            "avgiftspliktige omsetningen passerer 50 000 kroner i løpet av tolv måneder."
        ),
        inspector_en=(
            "The company is older than three months, is not registered in the VAT register "
            "(Merverdiavgiftsregisteret) and has not declared that it is not liable to register. "
            "It is therefore unclear whether the requirement is met. A company must register "
            "once its taxable turnover exceeds NOK 50,000 within twelve months."
        ),
        action_nb=(
            "Registrer virksomheten i Merverdiavgiftsregisteret med Samordnet registermelding i "
            "Altinn, eller lever egenerklæring i HMS-kortportalen om at virksomheten ikke skal "
            "være registrert. Egenerklæringen sendes videre til Skatteetaten."
        ),
        action_en=(
            "Register the company in the VAT register with the coordinated register notification "
            "in Altinn, or declare in the HMS card portal that the company is not liable to "
            "register. The declaration is passed on to the Norwegian Tax Administration."
        ),
    ),
    Reason(
        code=_R.PERSON_NOT_FOUND,
        public_nb="Ugyldig – personen finnes ikke i Folkeregisteret",
        public_en="Invalid – the person is not registered in Folkeregisteret",
        inspector_nb=(
            "Fødselsnummeret eller D-nummeret finnes ikke i Folkeregisteret. Alle som skal ha "
            "HMS-kort, må ha fødselsnummer eller D-nummer."
        ),
        inspector_en=(
            "The national identity number or D number is not found in Folkeregisteret (the "
            "National Population Register). Every card holder must have one of them."
        ),
        action_nb=(
            "Kontroller at fødselsnummeret eller D-nummeret er riktig. Har arbeidstakeren ikke "
            "noe slikt nummer, må vedkommende søke om D-nummer hos Skatteetaten. Det krever "
            "personlig oppmøte til ID-kontroll."
        ),
        action_en=(
            "Check that the identity number or D number is correct. A worker without one must "
            "apply for a D number at the Tax Administration, which requires an in-person "
            "identity check."
        ),
    ),
    Reason(
        code=_R.PERSON_DEAD,
        public_nb="Ugyldig – kortholderen er registrert som død",
        public_en="Invalid – the card holder is registered as deceased",
        inspector_nb="Folkeregisteret viser at kortholderen er død.",
        inspector_en="Folkeregisteret shows that the card holder is deceased.",
        action_nb=(
            "Kortet kan ikke brukes og skal samles inn og makuleres. Er registreringen feil, må "
            "den rettes i Folkeregisteret."
        ),
        action_en=(
            "The card cannot be used and must be collected and shredded. If the registration is "
            "wrong, it must be corrected in Folkeregisteret."
        ),
    ),
    Reason(
        code=_R.PERSON_EMIGRATED,
        public_nb="Ugyldig – kortholderen er registrert som utflyttet",
        public_en="Invalid – the card holder is registered as emigrated",
        inspector_nb="Folkeregisteret viser at kortholderen har flyttet fra Norge.",
        inspector_en="Folkeregisteret shows that the card holder has emigrated from Norway.",
        action_nb=(
            "Arbeider personen fortsatt i Norge, må registreringen i Folkeregisteret rettes, "
            "eller personen må søke om D-nummer. Bestill deretter kortet på nytt."
        ),
        action_en=(
            "If the person still works in Norway, the registration in Folkeregisteret must be "
            "corrected or the person must apply for a D number. Then order the card again."
        ),
    ),
    Reason(
        code=_R.PERSON_ID_CEASED,
        public_nb="Ugyldig – identitetsnummeret er opphørt",
        public_en="Invalid – the identity number has ceased",
        inspector_nb=(
            "Fødselsnummeret eller D-nummeret er opphørt i Folkeregisteret, for eksempel fordi "
            "personen har fått et nytt nummer."
        ),
        inspector_en=(
            "The identity number or D number has ceased in Folkeregisteret, for example because "
            "the person has been given a new number."
        ),
        action_nb="Bestill nytt kort med personens gjeldende fødselsnummer eller D-nummer.",
        action_en="Order a new card with the person's current identity number or D number.",
    ),
    Reason(
        code=_R.DNUMBER_INACTIVE,
        public_nb="Ugyldig – D-nummeret er ikke aktivt i Folkeregisteret",
        public_en="Invalid – the D number is not active in Folkeregisteret",
        inspector_nb=(
            "D-nummeret er satt som inaktivt i Folkeregisteret fordi identiteten ikke er "
            "kontrollert på nytt innen fem år. Et utstedt kort er gyldig i 30 dager etter at "
            "nummeret ble inaktivt, og er deretter ugyldig til nummeret er aktivert igjen."
        ),
        inspector_en=(
            "The D number has been set inactive in Folkeregisteret because the identity was not "
            "checked again within five years. An issued card stays valid for 30 days after the "
            "number became inactive, and is invalid after that until the number is reactivated."
        ),
        action_nb=(
            "Arbeidstakeren må møte til ID-kontroll hos Skatteetaten for å få D-nummeret "
            "aktivert igjen. Bestill kortet når nummeret er aktivt."
        ),
        action_en=(
            "The worker must attend an identity check at the Tax Administration to have the D "
            "number reactivated. Order the card once the number is active."
        ),
    ),
    Reason(
        code=_R.EMPLOYMENT_NOT_REGISTERED,
        public_nb="Ugyldig – arbeidsforholdet er ikke registrert i Aa-registeret eller OAR",
        public_en="Invalid – the employment is not registered in Aa-registeret or OAR",
        inspector_nb=(
            "Det finnes ikke noe aktivt arbeidsforhold mellom kortholderen og virksomheten i "
            "Arbeidsgiver- og arbeidstakerregisteret (Aa-registeret), og heller ikke noe oppdrag "
            "i Oppdrags- og arbeidsforholdsregisteret (OAR). Norske arbeidsgivere melder "
            "arbeidsforhold i a-meldingen. Utenlandske oppdragstakere melder utsendte "
            "arbeidstakere til OAR hos Skatteetaten."
        ),
        inspector_en=(
            "There is no active employment between the card holder and the company in the "
            "Employer and Employee Register (Aa-registeret), nor an assignment in the Assignment "
            "and Employment Register (OAR). Norwegian employers report employments in the "
            "monthly a-melding; foreign contractors report posted workers to OAR at the Tax "
            "Administration."
        ),
        action_nb=(
            "Meld arbeidsforholdet til Aa-registeret i a-meldingen, eller meld oppdraget og "
            "arbeidstakeren til OAR. Registrene kan bruke noen dager på å bli oppdatert. En "
            "bestilling venter i opptil 20 dager før den kanselleres."
        ),
        action_en=(
            "Report the employment to Aa-registeret in the a-melding, or report the assignment "
            "and the worker to OAR. The registers may take a few days to update. An order waits "
            "for up to 20 days before it is cancelled."
        ),
    ),
    Reason(
        code=_R.EMPLOYMENT_STARTS_LATER,
        public_nb="Ugyldig – arbeidsforholdet starter om mer enn 30 dager",
        public_en="Invalid – the employment starts in more than 30 days",
        inspector_nb=(
            "Arbeidsforholdet eller oppdraget er registrert, men starter om mer enn 30 dager. "
            "HMS-kort kan bestilles tidligst 30 dager før oppstart."
        ),
        inspector_en=(
            "The employment or assignment is registered but starts in more than 30 days. An HMS "
            "card can be ordered no earlier than 30 days before the start."
        ),
        action_nb=(
            "Kortet kan bestilles tidligst 30 dager før oppstart. Bestill på nytt når det er "
            "30 dager eller mindre til arbeidsforholdet starter."
        ),
        action_en=(
            "The card can be ordered no earlier than 30 days before the start. Order again when "
            "the employment starts in 30 days or less."
        ),
    ),
    Reason(
        code=_R.OWNER_ROLE_MISSING,
        public_nb="Ugyldig – kortholderen har ikke lenger rolle som innehaver eller deltaker",
        public_en="Invalid – the card holder is no longer registered as owner or partner",
        inspector_nb=(
            "Kortet er utstedt til innehaveren av et enkeltpersonforetak eller en deltaker i et "
            "ANS eller DA uten arbeidsforhold i Aa-registeret. Enhetsregisteret viser ikke lenger "
            "rollen som innehaver (INNH) eller deltaker (DTPR/DTSO)."
        ),
        inspector_en=(
            "The card was issued to the owner of a sole proprietorship or a partner in a general "
            "partnership (ANS/DA) without an employment in Aa-registeret. Enhetsregisteret no "
            "longer shows the owner role (INNH) or partner role (DTPR/DTSO)."
        ),
        action_nb=(
            "Kontroller rollene i Enhetsregisteret. Er personen nå ansatt i virksomheten, må "
            "arbeidsforholdet meldes til Aa-registeret."
        ),
        action_en=(
            "Check the roles in Enhetsregisteret. If the person is now employed by the company, "
            "the employment must be reported to Aa-registeret."
        ),
    ),
    Reason(
        code=_R.STAFFING_NOT_REGISTERED,
        public_nb="Ugyldig – bemanningsforetaket er ikke registrert i Bemanningsforetaksregisteret",
        public_en="Invalid – the staffing agency is not in the register of staffing agencies",
        inspector_nb=(
            "Virksomheten har næringskode for utleie av arbeidskraft (78), men er ikke "
            "registrert i Arbeidstilsynets register for bemanningsforetak. Bemanningsforetak må "
            "være registrert før de kan få HMS-kort til sine ansatte."
        ),
        inspector_en=(
            "The company has an industry code for the supply of labour (NACE 78) but is not in "
            "the Labour Inspection Authority's register of staffing agencies. Staffing agencies "
            "must be registered before their employees can get HMS cards."
        ),
        action_nb=(
            "Søk om registrering i Bemanningsforetaksregisteret hos Arbeidstilsynet. Leier ikke "
            "virksomheten ut arbeidskraft, må næringskoden rettes i Enhetsregisteret."
        ),
        action_en=(
            "Apply for registration in the register of staffing agencies at the Labour "
            "Inspection Authority. If the company does not hire out workers, correct its "
            "industry code in Enhetsregisteret."
        ),
    ),
    Reason(
        code=_R.CLEANING_APPROVAL_AWAITED,
        public_nb="Venter – virksomheten venter på godkjenning i Renholdsregisteret",
        public_en="Pending – the company is awaiting approval in the cleaning register",
        inspector_nb=(
            "Virksomheten har søkt om godkjenning i Renholdsregisteret og fått beskjed om at den "
            "kan bestille HMS-kort mens søknaden behandles. Bestillingen venter til "
            "Arbeidstilsynet har gitt endelig svar, og blir ikke kansellert automatisk."
        ),
        inspector_en=(
            "The company has applied for approval in the cleaning register (Renholdsregisteret) "
            "and has been told it may order HMS cards while the application is processed. The "
            "order waits for the Labour Inspection Authority's final answer and is not "
            "cancelled automatically."
        ),
        action_nb=(
            "Du trenger ikke gjøre noe nå. Bestillingen venter til Arbeidstilsynet har behandlet "
            "søknaden om godkjenning, og blir ikke kansellert etter 20 dager."
        ),
        action_en=(
            "No action is needed now. The order waits until the Labour Inspection Authority has "
            "decided on the application and is not cancelled after 20 days."
        ),
        blocks_auto_cancel=True,
    ),
    Reason(
        code=_R.CLEANING_NOT_APPROVED,
        public_nb="Ugyldig – virksomheten er ikke godkjent i Renholdsregisteret",
        public_en="Invalid – the company is not approved in the cleaning register",
        inspector_nb=(
            "Virksomheten er ikke godkjent i Renholdsregisteret: den har ikke søkt, søknaden er "
            "under behandling uten tillatelse til å bestille kort, søknaden er avslått, eller "
            "godkjenningen er trukket tilbake. Bare godkjente renholdsvirksomheter kan få "
            "HMS-kort for renhold."
        ),
        inspector_en=(
            "The company is not approved in the cleaning register: it has not applied, its "
            "application is being processed without permission to order cards, the application "
            "was rejected, or the approval was revoked. Only approved cleaning companies can "
            "get cleaning HMS cards."
        ),
        action_nb=(
            "Søk om godkjenning i Renholdsregisteret hos Arbeidstilsynet. Bestill kortene når "
            "virksomheten er godkjent, eller når dere har fått beskjed om at dere kan bestille."
        ),
        action_en=(
            "Apply for approval in the cleaning register at the Labour Inspection Authority. "
            "Order the cards once the company is approved or has been told it may order."
        ),
    ),
    Reason(
        code=_R.CARCARE_NOT_APPROVED,
        public_nb="Ugyldig – virksomheten er ikke godkjent for bilpleie, hjulskift og hjullagring",
        public_en="Invalid – the company is not approved for car care, tyre change and storage",
        inspector_nb=(
            "Virksomheten er ikke godkjent i Arbeidstilsynets godkjenningsordning for bilpleie, "
            "hjulskift og hjullagring. Er søknaden under behandling, venter bestillingen på svar."
        ),
        inspector_en=(
            "The company is not approved in the Labour Inspection Authority's approval scheme "
            "for car care, tyre change and tyre storage. If an application is being processed, "
            "the order waits for the answer."
        ),
        action_nb=(
            "Søk om godkjenning hos Arbeidstilsynet. Kortene kan utstedes når virksomheten er "
            "godkjent."
        ),
        action_en=(
            "Apply for approval at the Labour Inspection Authority. The cards can be issued once "
            "the company is approved."
        ),
    ),
    Reason(
        code=_R.WORKSHOP_EXEMPT,
        public_nb="Ugyldig – godkjent verksted, omfattes ikke av HMS-kortordningen for bilpleie",
        public_en="Invalid – approved workshop, outside the car care HMS card scheme",
        inspector_nb=(
            "Virksomheten er godkjent som verksted av Statens vegvesen og er derfor unntatt fra "
            "kravet om HMS-kort for bilpleie, hjulskift og hjullagring."
        ),
        inspector_en=(
            "The company is a workshop approved by the Norwegian Public Roads Administration "
            "(Statens vegvesen) and is therefore exempt from the car care HMS card requirement."
        ),
        action_nb=(
            "Virksomheten trenger ikke HMS-kort for bilpleie, hjulskift og hjullagring så lenge "
            "godkjenningen fra Statens vegvesen gjelder."
        ),
        action_en=(
            "The company does not need car care HMS cards while its approval from Statens "
            "vegvesen is valid."
        ),
    ),
    Reason(
        code=_R.CLEANING_COMPANY_RH_ONLY,
        public_nb="Ugyldig – renholdsvirksomheter kan bare få HMS-kort for renhold",
        public_en="Invalid – cleaning companies can only get cleaning HMS cards",
        inspector_nb=(
            "Virksomheten tilbyr renholdstjenester (næringskode 81.2 eller oppført i "
            "Renholdsregisteret) og kan derfor bare få HMS-kort for renhold. Renholdskortet "
            "gjelder også på bygge- og anleggsplasser."
        ),
        inspector_en=(
            "The company offers cleaning services (industry code 81.2 or listed in the cleaning "
            "register) and can therefore only get cleaning HMS cards. A cleaning card is also "
            "valid on building and construction sites."
        ),
        action_nb=(
            "Bestill HMS-kort for renhold i stedet. Renholdskortet kan også brukes på bygge- og "
            "anleggsplasser."
        ),
        action_en=(
            "Order a cleaning HMS card instead. It can also be used on building and "
            "construction sites."
        ),
    ),
    Reason(
        code=_R.WORK_PERMIT_MISSING,
        public_nb="Ugyldig – mangler oppholdstillatelse med rett til å arbeide",
        public_en="Invalid – no residence permit with the right to work",
        inspector_nb=(
            "Kortholderen er ikke statsborger i et EU- eller EØS-land eller Sveits, og UDI har "
            "ikke registrert noen gyldig oppholdstillatelse med rett til å arbeide. Det kreves "
            "for HMS-kort for renhold og for bilpleie, hjulskift og hjullagring."
        ),
        inspector_en=(
            "The card holder is not a citizen of an EU/EEA country or Switzerland, and the "
            "Directorate of Immigration (UDI) has no valid residence permit with the right to "
            "work registered. This is required for cleaning and car care HMS cards."
        ),
        action_nb=(
            "Arbeidstakeren må ha en gyldig oppholdstillatelse som gir rett til å arbeide i "
            "Norge. Kortet kan utstedes når tillatelsen er registrert hos UDI."
        ),
        action_en=(
            "The worker needs a valid residence permit giving the right to work in Norway. The "
            "card can be issued once the permit is registered with UDI."
        ),
    ),
    Reason(
        code=_R.ALREADY_ORDERED,
        public_nb="Avslått – det er allerede bestilt kort til denne arbeidstakeren",
        public_en="Rejected – a card has already been ordered for this worker",
        inspector_nb=(
            "Det finnes allerede en bestilling under behandling for samme arbeidstaker og "
            "arbeidsgiver. Det kan bare være ett HMS-kort per arbeidsforhold."
        ),
        inspector_en=(
            "An order for the same worker and employer is already being processed. There can "
            "only be one HMS card per employment."
        ),
        action_nb=(
            "Vent til den første bestillingen er ferdig behandlet, eller kanseller den før du "
            "bestiller på nytt."
        ),
        action_en="Wait until the first order is processed, or cancel it before ordering again.",
    ),
    Reason(
        code=_R.ALREADY_HAS_CARD,
        public_nb="Avslått – arbeidstakeren har allerede HMS-kort fra denne arbeidsgiveren",
        public_en="Rejected – the worker already has an HMS card from this employer",
        inspector_nb=(
            "Arbeidstakeren har allerede et HMS-kort for samme arbeidsgiver. Nytt kort kan "
            "tidligst bestilles den siste måneden før det gamle kortet utløper."
        ),
        inspector_en=(
            "The worker already has an HMS card for the same employer. A new card can be ordered "
            "no earlier than the last month before the old card expires."
        ),
        action_nb=(
            "Nytt kort kan bestilles den siste måneden før det gamle kortet utløper. Er kortet "
            "mistet eller stjålet, må det sperres før du bestiller nytt."
        ),
        action_en=(
            "A new card can be ordered in the last month before the old card expires. If the "
            "card is lost or stolen, block it before ordering a new one."
        ),
    ),
    Reason(
        code=_R.LOST_CARD_NOT_BLOCKED,
        public_nb="Avslått – det mistede kortet er ikke sperret",
        public_en="Rejected – the lost card has not been blocked",
        inspector_nb=(
            "Det er bestilt nytt kort etter tap eller tyveri, men det gamle kortet er ikke "
            "sperret. Et mistet eller stjålet kort må sperres før nytt kort kan bestilles."
        ),
        inspector_en=(
            "A replacement was ordered after loss or theft, but the old card has not been "
            "blocked. A lost or stolen card must be blocked before a new one can be ordered."
        ),
        action_nb=(
            "Sperr det mistede kortet i portalen (vis detaljene for den ansatte og velg «Sperr "
            "kortet»), og bestill deretter nytt kort."
        ),
        action_en=(
            "Block the lost card in the portal (open the employee's details and choose «Block "
            "card»), then order a new card."
        ),
    ),
    Reason(
        code=_R.UNKNOWN_CARD_TYPE,
        public_nb="Avslått – ukjent korttype",
        public_en="Rejected – unknown card type",
        inspector_nb="Bestillingen gjelder en korttype (bransje) som ikke finnes i ordningen.",
        inspector_en="The order is for a card type (industry) that does not exist in the scheme.",
        action_nb="Velg en av korttypene som finnes i HMS-kortordningen, og bestill på nytt.",
        action_en="Choose one of the card types in the HMS card scheme and order again.",
    ),
    Reason(
        code=_R.CARD_EXPIRED,
        public_nb="Ugyldig – utløpt",
        public_en="Invalid – expired",
        inspector_nb="Kortets gyldighetsperiode på to år er utløpt.",
        inspector_en="The card's two-year validity period has ended.",
        action_nb=(
            "Bestill nytt kort. Du kan bestille nytt kort den siste måneden før det gamle utløper."
        ),
        action_en=(
            "Order a new card. A new card can be ordered in the last month before the old one "
            "expires."
        ),
    ),
    Reason(
        code=_R.CARD_BLOCKED,
        public_nb="Ugyldig – sperret",
        public_en="Invalid – blocked",
        inspector_nb="Kortet er sperret av arbeidsgiveren fordi det er meldt mistet eller stjålet.",
        inspector_en="The employer has blocked the card because it was reported lost or stolen.",
        action_nb="Et sperret kort kan ikke åpnes igjen. Bestill nytt kort til arbeidstakeren.",
        action_en="A blocked card cannot be unblocked. Order a new card for the worker.",
    ),
    Reason(
        code=_R.CARD_CONFISCATED,
        public_nb="Ugyldig – inndratt",
        public_en="Invalid – confiscated",
        inspector_nb="Kortet er inndratt av en inspektør fordi det var ugyldig.",
        inspector_en="An inspector confiscated the card because it was invalid.",
        action_nb="Rett det som gjorde kortet ugyldig, og bestill nytt kort.",
        action_en="Correct what made the card invalid, then order a new card.",
    ),
    Reason(
        code=_R.CARD_RETURNED,
        public_nb="Ugyldig – levert tilbake",
        public_en="Invalid – returned",
        inspector_nb=(
            "Kortet er levert tilbake til arbeidsgiveren og makulert, vanligvis fordi "
            "arbeidstakeren har sluttet."
        ),
        inspector_en=(
            "The card was returned to the employer and shredded, usually because the worker "
            "has left."
        ),
        action_nb=(
            "Du trenger ikke gjøre noe. Begynner arbeidstakeren hos dere igjen, må dere bestille "
            "nytt kort."
        ),
        action_en="No action is needed. If the worker returns, order a new card.",
    ),
    Reason(
        code=_R.EMPLOYMENT_REMOVED_BY_INSPECTOR,
        public_nb="Ugyldig – arbeidsforholdet er fjernet av tilsynsmyndigheten",
        public_en="Invalid – the employment was removed by the inspection authority",
        inspector_nb=(
            "En inspektør har fjernet arbeidsforholdet fra kortet fordi det ikke var reelt eller "
            "var avsluttet. Arbeidsgiveren er varslet."
        ),
        inspector_en=(
            "An inspector removed the employment from the card because it was not genuine or "
            "had ended. The employer has been notified."
        ),
        action_nb=(
            "Kontroller registreringen i Aa-registeret. Mener dere at arbeidsforholdet er reelt, "
            "ta kontakt med Arbeidstilsynet."
        ),
        action_en=(
            "Check the registration in Aa-registeret. If you believe the employment is genuine, "
            "contact the Labour Inspection Authority."
        ),
    ),
    Reason(
        code=_R.ORDER_CANCELLED_TIMEOUT,
        public_nb="Kansellert – bestillingen ble ikke godkjent innen 20 dager",
        public_en="Cancelled – the order was not approved within 20 days",
        inspector_nb=(
            "Bestillingen hadde status Venter i 20 dager uten at alle registerkravene ble "
            "oppfylt, og ble kansellert automatisk."
        ),
        inspector_en=(
            "The order was pending for 20 days without all register requirements being met and "
            "was cancelled automatically."
        ),
        action_nb="Sørg for at registreringene er på plass, og bestill kortet på nytt.",
        action_en="Make sure the registrations are in place, then order the card again.",
    ),
    Reason(
        code=_R.DOCUMENTS_REJECTED,
        public_nb="Venter – bilde eller legitimasjon er avvist og må lastes opp på nytt",
        public_en="Pending – the photo or ID was rejected and must be uploaded again",
        inspector_nb=(
            "Portrettbildet eller legitimasjonen som fulgte bestillingen, oppfylte ikke kravene "
            "og ble avvist."
        ),
        inspector_en=(
            "The portrait photo or the ID document submitted with the order did not meet the "
            "requirements and was rejected."
        ),
        action_nb=(
            "Last opp både nytt bilde og ny legitimasjon, også om bare det ene ble avvist. "
            "Årsaken står i e-posten om avvisningen. Bestillingen fortsetter av seg selv når de "
            "nye er godkjent."
        ),
        action_en=(
            "Upload both a new photo and a new ID document, even if only one was rejected. The "
            "rejection e-mail gives the reason. The order continues by itself once the new ones "
            "are approved."
        ),
    ),
    Reason(
        code=_R.DOCUMENTS_MISSING,
        public_nb="Venter – bilde og legitimasjon mangler",
        public_en="Pending – photo and ID are missing",
        inspector_nb=(
            "Det er ikke lastet opp både portrettbilde og legitimasjon for kortholderen, så "
            "bestillingen kan ikke gå til produksjon."
        ),
        inspector_en=(
            "A portrait photo and an ID document have not both been uploaded for the card "
            "holder, so the order cannot go to production."
        ),
        action_nb=(
            "Last opp bilde og legitimasjon for den ansatte, eller send den ansatte en lenke for "
            "selvopplasting. En bestilling venter i opptil 20 dager før den kanselleres."
        ),
        action_en=(
            "Upload a photo and an ID document for the employee, or send the employee a "
            "self-upload link. An order waits for up to 20 days before it is cancelled."
        ),
    ),
    Reason(
        code=_R.DOCUMENTS_UNDER_REVIEW,
        public_nb="Venter – bilde og legitimasjon kontrolleres",
        public_en="Pending – photo and ID are being checked",
        inspector_nb="Bilde og legitimasjon er lastet opp og venter på kontroll hos saksbehandler.",
        inspector_en="The photo and ID document are uploaded and await a caseworker's check.",
        action_nb="Du trenger ikke gjøre noe. Du får beskjed hvis noe må lastes opp på nytt.",
        action_en="Nothing to do. You will be told if anything must be uploaded again.",
        # The wait is ours (the caseworker's), not the orderer's: never cancelled for it.
        blocks_auto_cancel=True,
    ),
)

REASONS: dict[str, Reason] = {reason.code: reason for reason in _CATALOGUE}


def _generic(code: str) -> Reason:
    return Reason(
        code=code,
        public_nb="Ugyldig – ukjent årsak",
        public_en="Invalid – unknown reason",
        inspector_nb=f"Årsakskoden «{code}» finnes ikke i årsakskatalogen.",
        inspector_en=f"The reason code «{code}» is not in the reason catalogue.",
        action_nb="Ta kontakt med Arbeidstilsynet for å få vite mer.",
        action_en="Contact the Labour Inspection Authority for more information.",
    )


def is_known(code: str) -> bool:
    return code in REASONS


def get_reason(code: str) -> Reason:
    """The catalogue entry for `code`; a generic entry for an unknown code."""
    return REASONS.get(code) or _generic(str(code))


def public_text(code: str, language: str | None = None) -> str:
    return get_reason(code).public(language)


def inspector_text(code: str, language: str | None = None) -> str:
    return get_reason(code).inspector(language)


def action_text(code: str, language: str | None = None) -> str:
    return get_reason(code).action(language)


def blocks_auto_cancel(codes: Iterable[str]) -> bool:
    """Whether an order pending for these reasons must not be auto-cancelled."""
    return any(get_reason(code).blocks_auto_cancel for code in codes)
