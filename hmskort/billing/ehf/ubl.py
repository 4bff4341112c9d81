"""EHF: an invoice or credit note as a Peppol BIS Billing 3.0 UBL 2.1 document.

The shape follows the Norwegian example of the Peppol BIS 3 rules
(`billing/specs/peppol/Norwegian-example-1.xml`); the tests validate every
generated document against the Peppol and EN 16931 Schematron rules.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from lxml import etree

from hmskort.billing.models import Invoice
from hmskort.billing.pricing import CENT, vat_of

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#: Norwegian organisation number (ISO 6523 ICD 0192).
ORGNR_SCHEME = "0192"
UNIT_PIECE = "EA"  # UN/ECE rec 20: each


def _amount(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def _percent(rate: Decimal) -> str:
    return str((Decimal(rate) * 100).quantize(Decimal("0.01")).normalize())


class _Builder:
    def __init__(self, root_tag: str, namespace: str):
        self.root = etree.Element(
            f"{{{namespace}}}{root_tag}", nsmap={None: namespace, "cac": CAC, "cbc": CBC}
        )

    @staticmethod
    def cac(parent, name: str):
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    @staticmethod
    def cbc(parent, tag: str, text, **attrs):
        """A basic element; nothing is written for an empty value (empty elements
        are not allowed, PEPPOL-EN16931-R008)."""
        if text is None or str(text).strip() == "":
            return None
        element = etree.SubElement(parent, f"{{{CBC}}}{tag}", **attrs)
        element.text = str(text)
        return element


def _tax_category(b: _Builder, parent, name: str, rate: Decimal) -> None:
    category = b.cac(parent, name)
    b.cbc(category, "ID", "S" if rate > 0 else "Z")
    b.cbc(category, "Percent", _percent(rate))
    b.cbc(b.cac(category, "TaxScheme"), "ID", "VAT")


def _address(b: _Builder, party, street: str, postcode: str, city: str, country: str) -> None:
    address = b.cac(party, "PostalAddress")
    b.cbc(address, "StreetName", street)
    b.cbc(address, "CityName", city)
    b.cbc(address, "PostalZone", postcode)
    b.cbc(b.cac(address, "Country"), "IdentificationCode", country or "NO")


def _supplier(b: _Builder, seller: dict) -> None:
    party = b.cac(b.cac(b.root, "AccountingSupplierParty"), "Party")
    b.cbc(party, "EndpointID", seller["orgnr"], schemeID=ORGNR_SCHEME)
    b.cbc(b.cac(party, "PartyName"), "Name", seller["name"])
    _address(b, party, seller["street"], seller["postcode"], seller["city"], seller["country"])
    if seller.get("vat_registered"):
        scheme = b.cac(party, "PartyTaxScheme")
        b.cbc(scheme, "CompanyID", f"NO{seller['orgnr']}MVA")
        b.cbc(b.cac(scheme, "TaxScheme"), "ID", "VAT")
    # Foretaksregisteret (foretaksregisterloven § 10-2; rule NO-R-002).
    scheme = b.cac(party, "PartyTaxScheme")
    b.cbc(scheme, "CompanyID", "Foretaksregisteret")
    b.cbc(b.cac(scheme, "TaxScheme"), "ID", "TAX")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", seller.get("legal_name") or seller["name"])
    b.cbc(legal, "CompanyID", seller["orgnr"], schemeID=ORGNR_SCHEME)
    b.cbc(legal, "CompanyLegalForm", "Foretaksregisteret")
    contact = b.cac(party, "Contact")
    b.cbc(contact, "Telephone", seller.get("phone"))
    b.cbc(contact, "ElectronicMail", seller.get("email"))
    if len(contact) == 0:
        party.remove(contact)


def _customer(b: _Builder, buyer: dict) -> None:
    party = b.cac(b.cac(b.root, "AccountingCustomerParty"), "Party")
    b.cbc(party, "EndpointID", buyer["orgnr"], schemeID=ORGNR_SCHEME)
    b.cbc(b.cac(party, "PartyName"), "Name", buyer["name"])
    _address(
        b,
        party,
        ", ".join(buyer.get("address_lines") or []),
        buyer.get("postcode", ""),
        buyer.get("city", ""),
        buyer.get("country", "NO"),
    )
    if buyer.get("vat_registered"):
        scheme = b.cac(party, "PartyTaxScheme")
        b.cbc(scheme, "CompanyID", f"NO{buyer['orgnr']}MVA")
        b.cbc(b.cac(scheme, "TaxScheme"), "ID", "VAT")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", buyer["name"])
    b.cbc(legal, "CompanyID", buyer["orgnr"], schemeID=ORGNR_SCHEME)


def vat_breakdown(invoice: Invoice) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, taxable amount, VAT) per VAT rate, as on the invoice."""
    groups: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in invoice.lines.all():
        groups[line.vat_rate] += line.amount
    return [(rate, net, vat_of(net, rate)) for rate, net in sorted(groups.items())]


def invoice_ubl(invoice: Invoice) -> bytes:
    """The invoice (or credit note) as EHF / Peppol BIS Billing 3.0 UBL XML (UTF-8)."""
    credit = invoice.is_credit_note
    b = _Builder("CreditNote" if credit else "Invoice", NS_CREDIT_NOTE if credit else NS_INVOICE)
    root = b.root
    currency = {"currencyID": invoice.currency}
    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", invoice.number)
    b.cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if credit:
        b.cbc(root, "CreditNoteTypeCode", "381")
    else:
        b.cbc(root, "DueDate", invoice.due_date.isoformat())
        b.cbc(root, "InvoiceTypeCode", "380")
    b.cbc(root, "Note", "HMS-kort")
    b.cbc(root, "DocumentCurrencyCode", invoice.currency)
    b.cbc(root, "BuyerReference", invoice.buyer_reference)
    if invoice.period_start and invoice.period_end:
        period = b.cac(root, "InvoicePeriod")
        b.cbc(period, "StartDate", invoice.period_start.isoformat())
        b.cbc(period, "EndDate", invoice.period_end.isoformat())
    if credit and invoice.credited_invoice_id:
        reference = b.cac(b.cac(root, "BillingReference"), "InvoiceDocumentReference")
        b.cbc(reference, "ID", invoice.credited_invoice.number)
        b.cbc(reference, "IssueDate", invoice.credited_invoice.issue_date.isoformat())
    _supplier(b, invoice.seller)
    _customer(b, invoice.buyer)
    if not credit:
        means = b.cac(root, "PaymentMeans")
        b.cbc(means, "PaymentMeansCode", "30", name="Credit transfer")
        b.cbc(means, "PaymentID", invoice.kid)
        account = b.cac(means, "PayeeFinancialAccount")
        b.cbc(account, "ID", invoice.seller["bank_account"])
        b.cbc(
            b.cac(root, "PaymentTerms"),
            "Note",
            f"Forfall {invoice.due_date:%d.%m.%Y}. Bruk KID {invoice.kid}.",
        )
    breakdown = vat_breakdown(invoice)
    tax_total = b.cac(root, "TaxTotal")
    b.cbc(tax_total, "TaxAmount", _amount(invoice.vat), **currency)
    for rate, net, vat in breakdown:
        subtotal = b.cac(tax_total, "TaxSubtotal")
        b.cbc(subtotal, "TaxableAmount", _amount(net), **currency)
        b.cbc(subtotal, "TaxAmount", _amount(vat), **currency)
        _tax_category(b, subtotal, "TaxCategory", rate)
    totals = b.cac(root, "LegalMonetaryTotal")
    b.cbc(totals, "LineExtensionAmount", _amount(invoice.total_excl_vat), **currency)
    b.cbc(totals, "TaxExclusiveAmount", _amount(invoice.total_excl_vat), **currency)
    b.cbc(totals, "TaxInclusiveAmount", _amount(invoice.total_incl_vat), **currency)
    b.cbc(totals, "PayableAmount", _amount(invoice.total_incl_vat), **currency)
    for line in invoice.lines.all():
        element = b.cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        b.cbc(element, "ID", line.position)
        b.cbc(
            element,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            str(line.quantity.normalize()),
            unitCode=UNIT_PIECE,
        )
        b.cbc(element, "LineExtensionAmount", _amount(line.amount), **currency)
        if line.order_reference:
            b.cbc(b.cac(element, "OrderLineReference"), "LineID", line.order_reference)
        item = b.cac(element, "Item")
        b.cbc(item, "Name", line.description[:100])
        b.cbc(b.cac(item, "SellersItemIdentification"), "ID", line.code)
        _tax_category(b, item, "ClassifiedTaxCategory", line.vat_rate)
        b.cbc(b.cac(element, "Price"), "PriceAmount", _amount(line.unit_price), **currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
