"""The audit events the notifications app records, by name: an administrator's "send again"
of failed customer messages; nothing reacts to it but the audit trail's readers.

The app reacts to the events of others (receivers.py, services.message_kind): a ticket
created, replied to, resolved, a promise made or renegotiated, a waiting customer reminded
(tickets.events), a CSAT request and a sent NPS campaign (satisfaction.events).

Its admin records "mail_template.*" through audit.admin_mixins
("<audit_name>.created/updated/deleted"); no code names those."""

from typing import Final

CUSTOMER_MESSAGE_RETRIED: Final = "customer_message.retried"
