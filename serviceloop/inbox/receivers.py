"""What the inbox does when an audited change commits: only enqueue, the worker does the rest
(audit.signals explains why)."""

from typing import Any

from serviceloop.audit.models import AuditEvent
from serviceloop.core import queue

from . import tasks
from .services import concerns_inbox


def on_committed(sender: type[AuditEvent], *, event: AuditEvent, **kwargs: Any) -> None:
    """Enqueue the notifying of an assignment or a customer's message; other events are
    dismissed here, from the event alone, so they cost the queue nothing."""
    if concerns_inbox(event):
        queue.enqueue(tasks.notify_about_event, event.pk)
