"""What other apps may listen to, about every audit event `audit.record` writes:

- `recorded` is sent inside the transaction that writes the event. Its receivers only add
  rows of their own (an outbox: a task for the worker on the database queue, a "recompute
  this ticket" mark), so those rows commit with the change or vanish with it, and the change
  costs one commit, not one per receiver. A receiver's error fails the change.
- `committed` is sent once that transaction commits (never for a change that rolled back),
  for what must not happen before: enqueueing on another queue (Redis), calling out.

Notifications, webhooks, analytics and the staff inbox react to what happened to tickets
through these signals instead of a call from every use case: the audit trail already names
every change. Receivers get the `AuditEvent` as `event` and must only enqueue work (a task,
a row); sending mail or calling out happens in the worker.
"""

from django.dispatch import Signal

recorded = Signal()
committed = Signal()
