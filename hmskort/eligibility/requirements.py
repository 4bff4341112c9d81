"""The register requirements a card type can demand.

The values are also the codes an entry in Arbeidstilsynet's exception register
(`facts.ExceptionFacts.waives`) uses to waive a requirement: a requirement
waived by an exception valid today counts as met [000, 001].
"""

from __future__ import annotations

import enum


class Requirement(enum.StrEnum):
    # Declaration order is the order in which the rules report findings.
    COMPANY_ACTIVE = "COMPANY_ACTIVE"  # Enhetsregisteret / Foretaksregisteret
    VAT = "VAT"  # Merverdiavgiftsregisteret
    PERSON_REGISTERED = "PERSON_REGISTERED"  # Folkeregisteret
    EMPLOYMENT = "EMPLOYMENT"  # Aa-registeret / OAR (or an owner role)
    STAFFING_REGISTRATION = "STAFFING_REGISTRATION"  # Bemanningsforetaksregisteret
    # The card type fits the company's NACE codes, or a caseworker approved a
    # written justification (orders only).
    NACE_FIT = "NACE_FIT"
    CLEANING_APPROVAL = "CLEANING_APPROVAL"  # Renholdsregisteret
    CARCARE_APPROVAL = "CARCARE_APPROVAL"  # bilpleie approval register
    WORK_PERMIT = "WORK_PERMIT"  # UDI
    DOCUMENTS = "DOCUMENTS"  # approved photo and ID document (orders only)


#: Requirements no exception-register entry can waive: a card always carries a
#: checked photo of its holder (the register exempts from registers, not from
#: identity).
NEVER_WAIVED: frozenset[str] = frozenset({Requirement.DOCUMENTS})
