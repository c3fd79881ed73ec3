"""Canned replies of the agent's composer: which are offered, and filled in for a ticket."""

import re

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import get_language

from serviceloop.accounts.models import User

from ..models import CannedReply, Ticket

PLACEHOLDER = re.compile(r"\{(customer_name|ticket_number|agent_name)\}")


def canned_replies_for(*, user: User, ticket: Ticket) -> list[CannedReply]:
    """The replies offered to `user` on `ticket`: active ones that belong to no team or to
    the ticket's team, those in the user's language (else the active one) first, by title."""
    language = user.language or get_language() or ""
    teams = Q(team__isnull=True)
    if ticket.team_id is not None:
        teams |= Q(team_id=ticket.team_id)
    return list(
        CannedReply.objects.filter(teams, is_active=True)
        .annotate(
            other_language=Case(
                When(language=language, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("other_language", "title", "id")
    )


def render_canned_reply(reply: CannedReply, ticket: Ticket, agent: User) -> str:
    """The reply's text with {customer_name}, {ticket_number} and {agent_name} filled in.

    Plain substitution, not str.format: other braces stay as written, and a value that
    itself looks like a placeholder is not expanded again. The result is plain text.
    """
    values = {
        "customer_name": ticket.customer.name,
        "ticket_number": ticket.number,
        "agent_name": agent.display_name,
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], reply.body)
