"""What other apps may listen to: `committed` is sent once the transaction that recorded an
audit event commits (never for a change that rolled back).

Notifications, webhooks and the staff inbox react to what happened to tickets through this
one signal instead of a call from every use case: the audit trail already names every
change. Receivers get the `AuditEvent` as `event` and must only enqueue work (a task, a
row); sending mail or calling out happens in the worker.
"""

from django.dispatch import Signal

committed = Signal()
