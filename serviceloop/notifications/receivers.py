"""Listening to the audit trail: a change the customer should hear about becomes a task for
the worker, queued with the change (audit.signals.recorded, core.queue.enqueue_with_change).
Nothing is sent here (this runs in the request that made the change)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from serviceloop.audit.models import AuditEvent
from serviceloop.core import queue
from serviceloop.satisfaction import events as satisfaction_events

from .services import message_kind

# Older events are history being replayed (the demo seeder sets the clock back while it
# makes 90 days of tickets): nobody should be mailed about those. Compared with the wall
# clock on purpose, not with core.clock, which the seeder freezes.
MAX_EVENT_AGE = timedelta(days=1)


def on_audit_recorded(sender: Any, *, event: AuditEvent, **kwargs: Any) -> None:
    if event.action == satisfaction_events.NPS_CAMPAIGN_SENT:  # the campaign's survey mails
        from .tasks import mail_nps_campaign

        queue.enqueue_with_change(mail_nps_campaign, int(event.target_id))
        return
    if message_kind(event) is None:
        return
    if timezone.now() - event.occurred_at > MAX_EVENT_AGE:
        return
    from .tasks import send_customer_messages

    queue.enqueue_with_change(send_customer_messages, event.pk)  # every creation: core.queue
