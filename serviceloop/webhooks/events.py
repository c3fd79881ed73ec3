"""The audit events the webhooks app records, by name: an administrator's retry of dead
deliveries and the rotation of an endpoint's signing secret; nothing reacts to them but the
audit trail's readers. (The events webhooks pass on are the other apps' — tickets.events
above all.)

Its admin records "webhook_endpoint.*" through audit.admin_mixins
("<audit_name>.created/updated/deleted"); WEBHOOK_ENDPOINT_SECRET_ROTATED shares the noun on
purpose, as the same object's change."""

from typing import Final

WEBHOOK_DELIVERY_RETRIED: Final = "webhook_delivery.retried"
WEBHOOK_ENDPOINT_SECRET_ROTATED: Final = "webhook_endpoint.secret_rotated"
