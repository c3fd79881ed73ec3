"""Tickets, interactions, commitments and attachments as the API shows them to a user."""

from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.customers.queries import reveals_customer
from serviceloop.tickets import queries, transitions
from serviceloop.tickets.models import Attachment, Commitment, Interaction, Ticket

from ..common import code_name, user_ref

# Fields a customer or partner does not see (they come back as null).
_HIDDEN: dict[str, frozenset[str]] = {
    Role.CUSTOMER: frozenset({"team", "assignee", "urgency", "custom_fields", "reopen_count"}),
    Role.PARTNER: frozenset({"team", "assignee"}),
}


def ticket_out(ticket: Ticket, user: User, **extra: Any) -> dict[str, Any]:
    hidden = _HIDDEN.get(user.role, frozenset())
    is_customer = user.role == Role.CUSTOMER
    out = {
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "kind": ticket.kind,
        "urgency": ticket.urgency,
        "channel": ticket.channel,
        "status": ticket.status,
        "category": code_name(ticket.category),
        "team": code_name(ticket.team),
        "assignee": user_ref(ticket.assignee),
        "customer": (
            {"id": ticket.customer_id, "name": ticket.customer.name}
            if reveals_customer(user, ticket.customer)
            else None
        ),
        "order_ref": ticket.order_ref,
        "custom_fields": ticket.custom_fields,
        "resolution": ticket.resolution,
        "merged_into": ticket.merged_into.number if ticket.merged_into else None,
        "reopen_count": ticket.reopen_count,
        "version": ticket.version,
        "allowed_transitions": (
            transitions.allowed_targets(ticket.status, customer=is_customer)
            if user.works_tickets or is_customer
            else []
        ),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        **extra,
    }
    for name in hidden:
        out[name] = None
    return out


def interaction_out(interaction: Interaction, user: User, number: str) -> dict[str, Any]:
    return {
        "id": interaction.pk,
        "ticket": number,
        "occurred_at": interaction.occurred_at,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "kind": interaction.kind,
        "author": user_ref(interaction.author),
        "content": interaction.content,
        "emotion": (interaction.emotion or None) if user.is_staff_member else None,
        "is_internal": interaction.is_internal,
        "created_at": interaction.created_at,
        "edited_at": interaction.edited_at,
    }


def commitment_out(commitment: Commitment, user: User) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "text": commitment.text,
        "due_at": commitment.due_at,
        "owner": user_ref(commitment.owner) if user.is_staff_member else None,
        "status": commitment.status,
        "reason": commitment.reason,
        "renegotiated_from": commitment.renegotiated_from_id,
        "created_at": commitment.created_at,
        "settled_at": commitment.settled_at,
    }


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "is_internal": attachment.is_internal,
        "url": reverse("api-v1:download_attachment", args=[attachment.pk]),
        "created_at": attachment.created_at,
    }


def _numbers(ticket: Ticket, merged_ids: list[int]) -> dict[int, str]:
    numbers = {ticket.pk: ticket.number}
    if merged_ids:
        numbers.update(Ticket.objects.filter(pk__in=merged_ids).values_list("pk", "number"))
    return numbers


def _with_etag(response: HttpResponse, ticket: Ticket) -> None:
    response["ETag"] = ticket.etag


def _fresh(ticket: Ticket) -> Ticket:
    """Re-read after a change, with what the output needs."""
    fresh = Ticket.objects.select_related(*queries.LIST_RELATED).get(pk=ticket.pk)
    return queries.with_reference_data([fresh])[0]
