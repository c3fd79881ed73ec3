"""What the ticket use cases announce inside their own transaction, for the apps that keep
state beside each ticket and must keep it in step with it: the SLA clock (sla) and the first
assignment by the team's rule (routing). Those apps sit above tickets and change tickets
only through its use cases; the tickets app does not know them (decision 0014).

Receivers run in the transaction of the change, before it commits: what they write commits
or rolls back with it, and an exception they raise rolls the change back. They must stay
quick and must not call out (mail, webhooks, tasks): side effects after the change follow
the committed audit events instead (`audit.signals.committed`, decision 0010).

Every signal is sent with `sender=Ticket` and the locked (or just inserted) `ticket`.
"""

from django.dispatch import Signal

# A ticket was inserted (customer, category and team loaded).
created = Signal()
# Its status changed: `previous` (the status before) and `at` (when).
status_changed = Signal()
# Its urgency, kind, category or team changed: what its SLA policy is chosen by.
targets_changed = Signal()
# Staff responded in public (`at`): a first or next response.
responded = Signal()
# The customer wrote or called (`at`) and was not answered in the same contact.
customer_wrote = Signal()
