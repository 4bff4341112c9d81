from django.urls import path

from hmskort.portal.views import cards, cart, company, employees, orders, uploads

app_name = "portal"

#: Every URL of the portal that acts for one company (all behind company_access_required).
company_urlpatterns = [
    path("", employees.company_home, name="company_home"),
    path("ansatte", employees.employees, name="employees"),
    path("ansatte/legg-til", employees.employee_add_view, name="employee_add"),
    path("ansatte/<str:ref>/bilde-og-id", uploads.employee_uploads, name="employee_uploads"),
    path("ansatte/<str:ref>/lenke", uploads.upload_link, name="upload_link"),
    path("bilder/<int:upload_id>/<str:kind>", uploads.upload_file, name="upload_file"),
    path("handlekurv", cart.cart, name="cart"),
    path("handlekurv/legg-til", cart.cart_add, name="cart_add"),
    path("handlekurv/<int:item_id>", cart.cart_item_update, name="cart_item_update"),
    path("handlekurv/<int:item_id>/fjern", cart.cart_item_remove, name="cart_item_remove"),
    path("handlekurv/bestill", cart.checkout, name="checkout"),
    path("ordre", orders.orders, name="orders"),
    path("ordre/<int:order_id>", orders.order_detail, name="order"),
    path("ordre/<int:order_id>/kort", orders.order_cards, name="order_cards"),
    path("ordre/<int:order_id>/betal", orders.order_pay, name="order_pay"),
    path("betaling/<uuid:payment_id>/tilbake", orders.payment_return, name="payment_return"),
    path("meldinger", orders.portal_messages, name="messages"),
    path("meldinger/<int:message_id>/lest", orders.portal_message_read, name="message_read"),
    path("kort", cards.cards, name="cards"),
    path("kort/utloper", cards.expiring, name="expiring"),
    path("kort/<int:card_id>/sperr", cards.card_block_view, name="card_block"),
    path("kort/<int:card_id>/innlevert", cards.card_returned_view, name="card_returned"),
    path("innstillinger", company.company_settings, name="settings"),
    path("innstillinger/kontakt", company.contact_set, name="contact_set"),
    path("innstillinger/adresser", company.address_add, name="address_add"),
    path(
        "innstillinger/adresser/<int:address_id>/fjern",
        company.address_remove,
        name="address_remove",
    ),
    path("innstillinger/egenerklaering", company.vat_declaration, name="vat_declaration"),
]

urlpatterns = [
    *[
        path(f"v/<str:orgnr>/{str(p.pattern)}", p.callback, name=p.name)
        for p in company_urlpatterns
    ],
    # Reached without a company session: the provider's own pages (the payment id
    # is the provider's unguessable session id) and the employee's self-upload
    # link (the random token is the key).
    path(
        "betaling/simulator/<uuid:payment_id>", orders.payment_simulator, name="payment_simulator"
    ),
    path("last-opp/<str:token>", uploads.self_upload, name="self_upload"),
]
