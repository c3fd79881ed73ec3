"""Which audit events the customer hears about: decided from the event alone."""

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.notifications.services import message_kind


@pytest.mark.parametrize(
    ("action", "after", "kind"),
    [
        ("ticket.created", {"status": "new"}, "created"),
        ("interaction.added", {"direction": "outbound", "is_internal": False}, "replied"),
        ("interaction.added", {"direction": "inbound", "is_internal": False}, None),
        ("note.added", {"direction": "", "is_internal": True}, None),
        ("ticket.transitioned", {"status": "resolved"}, "resolved"),
        ("ticket.reopened", {"status": "resolved"}, "resolved"),
        ("ticket.transitioned", {"status": "in_progress"}, None),
        ("ticket.transitioned", {"status": "closed"}, None),
        ("commitment.created", {"text": "call back"}, "promised"),
        ("commitment.created", {"text": "call back", "renegotiated_from": 7}, None),
        ("commitment.renegotiated", {"status": "renegotiated"}, "renegotiated"),
        ("commitment.missed", {"status": "missed"}, None),
        ("ticket.customer_reminded", {"days": 3}, "reminder"),
        ("ticket.assigned", {"assignee": 3}, None),
        ("ticket.transferred", {"team": 2}, None),
    ],
)
def test_the_message_an_event_calls_for(action, after, kind):
    assert message_kind(AuditEvent(action=action, after=after)) == kind
