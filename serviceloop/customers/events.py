"""The audit events the customers app records, by name: its use cases write them (customers
and their contacts, self sign-up and activation); nothing reacts to them but the audit
trail's readers.

Its admin records "organisation.*" and "customer_tier.*" through audit.admin_mixins
("<audit_name>.created/updated/deleted"); no code names those."""

from typing import Final

CUSTOMER_CREATED: Final = "customer.created"
CUSTOMER_UPDATED: Final = "customer.updated"
CUSTOMER_CONTACT_ADDED: Final = "customer.contact_added"
CUSTOMER_CONTACT_REMOVED: Final = "customer.contact_removed"
CUSTOMER_CONTACT_VERIFIED: Final = "customer.contact_verified"
CUSTOMER_SIGNED_UP: Final = "customer.signed_up"
CUSTOMER_ACTIVATION_RESENT: Final = "customer.activation_resent"
CUSTOMER_ACTIVATED: Final = "customer.activated"
CUSTOMER_LOGIN_LINKED: Final = "customer.login_linked"
