"""Services of the employer portal (the only place that writes its tables).

employee_add                                                       (employees.py)
cart_add, cart_item_update, cart_remove                            (cart.py)
order_place, checkout_problems, payment_start,
payment_provider_decide, payment_callback                          (orders.py)
delivery_address_create, delivery_address_deactivate,
company_settings_set                                               (company.py)
Photo / ID uploads: hmskort.portal.uploads.services
"""
