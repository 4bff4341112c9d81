"""The permission matrix over every company URL of the portal (identity's helper):
role holder and current delegate allowed; delegate before/after their dates,
revoked delegate and another company's user 404; anonymous to login."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hmskort.cards.tests.factories import card_for_employment
from hmskort.identity.tests.matrix import PermissionMatrix
from hmskort.notifications.services import portal_message_post
from hmskort.portal.models import CartItem, DeliveryAddress
from hmskort.portal.refs import person_ref
from hmskort.portal.services import orders as order_services
from hmskort.portal.tests.conftest import image_bytes
from hmskort.portal.uploads.services import upload_set_create
from hmskort.portal.uploads.validation import validate_image
from hmskort.portal.urls import company_urlpatterns
from hmskort.registers.tests.factories import ArbeidsforholdFactory, PersonFactory


def _objects(world) -> dict:
    """One of everything a company URL can point at."""
    orgnr = world.orgnr
    pid = world.pids["role_holder"]
    employment = ArbeidsforholdFactory(arbeidsgiver=world.company)
    person = employment.arbeidstaker
    card = card_for_employment(
        employment, active=True, valid_until=dt.date.today() + dt.timedelta(days=20)
    )
    address = DeliveryAddress.objects.create(
        orgnr=orgnr, name="Kontor", street="Gate 1", postcode="0150", city="OSLO"
    )
    buyer = ArbeidsforholdFactory(arbeidsgiver=world.company).arbeidstaker
    CartItem.objects.create(
        orgnr=orgnr,
        person_id=buyer.identifikator,
        holder_name=buyer.fulltnavn,
        card_type="BA",
        declaration=True,
        delivery_address=address,
    )
    [order] = order_services.order_place(
        orgnr=orgnr,
        company_name=world.company.navn,
        orderer_pid=pid,
        orderer_email="a@example.no",
        payment_method="card",
        today=dt.date.today(),
    )
    payment = order_services.payment_start(orgnr=orgnr, order_id=order.pk)
    in_cart = ArbeidsforholdFactory(arbeidsgiver=world.company).arbeidstaker
    item = CartItem.objects.create(
        orgnr=orgnr, person_id=in_cart.identifikator, holder_name=in_cart.fulltnavn, card_type="BA"
    )
    photo = validate_image(SimpleUploadedFile("a.png", image_bytes(), "image/png"))
    upload = upload_set_create(
        orgnr=orgnr,
        person_id=person.identifikator,
        holder_name=person.fulltnavn,
        photo=photo,
        id_document=photo,
        document_type="passport",
        uploaded_by=pid,
    )
    message = portal_message_post(key=f"perm-{orgnr}", orgnr=orgnr, subject="Hei", body="Tekst")
    return {
        "ref": person_ref(orgnr, person.identifikator),
        "card": card,
        "address": address,
        "order": order,
        "payment": payment,
        "item": item,
        "upload": upload,
        "message": message,
        "new_person": PersonFactory(),
    }


class PortalMatrix(PermissionMatrix):
    kwargs: tuple[str, ...] = ()

    def prepare(self, world):
        self.objects = _objects(world)

    def url(self, world):
        o = self.objects
        values = {
            "ref": o["ref"],
            "card_id": o["card"].pk,
            "address_id": o["address"].pk,
            "order_id": o["order"].pk,
            "payment_id": o["payment"].pk,
            "item_id": o["item"].pk,
            "upload_id": o["upload"].pk,
            "kind": "bilde",
            "message_id": o["message"].pk,
        }
        kwargs = {"orgnr": world.orgnr, **{k: values[k] for k in self.kwargs}}
        return reverse(self.url_name, kwargs=kwargs)


def _post(name, *, kwargs=(), status=302, data=None):
    attrs = {
        "url_name": f"portal:{name}",
        "method": "post",
        "allowed_status": status,
        "kwargs": kwargs,
    }
    if data is not None:
        attrs["data"] = lambda self, world: data(self, world)
    return type(f"Test_{name}_post", (PortalMatrix,), attrs)


def _get(name, *, kwargs=(), status=200):
    return type(
        f"Test_{name}_get",
        (PortalMatrix,),
        {"url_name": f"portal:{name}", "allowed_status": status, "kwargs": kwargs},
    )


Test_company_home = _get("company_home", status=302)
Test_employees = _get("employees")
Test_employee_add_get = _get("employee_add")
Test_employee_add_post = _post(
    "employee_add",
    data=lambda self, w: {
        "person_id": self.objects["new_person"].identifikator,
        "surname": self.objects["new_person"].etternavn,
    },
)
Test_employee_uploads = _get("employee_uploads", kwargs=("ref",))
Test_upload_link = _post("upload_link", kwargs=("ref",), status=200)
Test_upload_file = _get("upload_file", kwargs=("upload_id", "kind"))
Test_cart = _get("cart")
Test_cart_add = _post("cart_add", data=lambda self, w: {"person": self.objects["ref"]})
Test_cart_item_update = _post(
    "cart_item_update",
    kwargs=("item_id",),
    data=lambda self, w: {
        f"i{self.objects['item'].pk}-card_type": "BA",
        f"i{self.objects['item'].pk}-card_holders": "1",
    },
)
Test_cart_item_remove = _post("cart_item_remove", kwargs=("item_id",))
Test_checkout = _post(
    "checkout",
    status=422,  # the cart holds a line without declaration: the form answers with errors
    data=lambda self, w: {"payment_method": "invoice", "orderer_email": "a@example.no"},
)
Test_orders = _get("orders")
Test_order = _get("order", kwargs=("order_id",))
Test_order_cards = _get("order_cards", kwargs=("order_id",))
Test_order_pay = _post("order_pay", kwargs=("order_id",))
Test_payment_return = _get("payment_return", kwargs=("payment_id",), status=302)
Test_messages = _get("messages")
Test_message_read = _post("message_read", kwargs=("message_id",))
Test_cards = _get("cards")
Test_expiring = _get("expiring")
Test_card_block_get = _get("card_block", kwargs=("card_id",))
Test_card_block_post = _post(
    "card_block", kwargs=("card_id",), data=lambda self, w: {"reason": "lost"}
)
Test_card_returned = _post("card_returned", kwargs=("card_id",))
Test_settings_get = _get("settings")
Test_settings_post = _post(
    "settings", data=lambda self, w: {"invoice_channel": "post", "invoice_email": ""}
)
Test_contact_set = _post("contact_set", data=lambda self, w: {"email": "k@example.no"})
Test_address_add = _post(
    "address_add",
    data=lambda self, w: {"name": "A", "street": "B 1", "postcode": "0150", "city": "OSLO"},
)
Test_address_remove = _post("address_remove", kwargs=("address_id",))
Test_vat_declaration = _post("vat_declaration", data=lambda self, w: {"confirm": "on"})


def test_every_company_url_is_in_the_matrix():
    covered = {
        cls.url_name.removeprefix("portal:")
        for cls in globals().values()
        if isinstance(cls, type) and issubclass(cls, PortalMatrix) and cls.url_name
    }
    assert {p.name for p in company_urlpatterns} <= covered
