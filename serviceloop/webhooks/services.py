"""Queueing outbound webhooks and text messages, and what administrators do with them.

Nothing here calls out: the use cases insert Delivery rows and enqueue a task that sends
them (serviceloop.webhooks.sending, in the worker); the sweep in core.schedule sends what a
lost task or a failed attempt left due. The payloads are documented in docs/webhooks.md.
"""

import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.core.memo import ProcessCache
from serviceloop.customers.contacts import normalise_phone
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.reference import catalogue

from . import events
from .models import Delivery, DeliveryStatus, Endpoint, EndpointKind, new_secret
from .tasks import deliver_webhooks

logger = logging.getLogger(__name__)

# The active endpoints, read at most every REFERENCE_CACHE_SECONDS per process: every audit
# event of every ticket asks, and most installations have none (decision 0006).
_cache = ProcessCache()


def active_endpoints() -> list[Endpoint]:
    return _cache.get("endpoints", lambda: list(Endpoint.objects.filter(is_active=True)))


def forget(**kwargs: object) -> None:
    """Drop this process's copy of the endpoints (connected to their save and delete; other
    processes follow within REFERENCE_CACHE_SECONDS)."""
    _cache.forget()


def queue_sms(*, to: str, text: str, language: str, ticket_number: str, event: str) -> int:
    """Queue a text message to `to` (any form PHONE_REGION reads; sent as E.164) on every
    active SMS gateway that subscribes to `event`; returns how many deliveries were queued —
    0 when no SMS gateway is configured. Sent once the caller's transaction commits, signed
    and retried like webhooks. Raises DomainError (field "to") for an impossible number."""
    phone = normalise_phone(to, field="to")
    if not text.strip():
        raise DomainError(_("The message is empty."), field="text")
    gateways = [
        endpoint
        for endpoint in active_endpoints()
        if endpoint.kind == EndpointKind.SMS and endpoint.wants(event)
    ]
    if not gateways:
        return 0
    payload = {
        "to": phone,
        "text": text,
        "language": language,
        "ticket": ticket_number,
        "event": event,
    }
    rows = [
        Delivery(endpoint=gateway, event=None, event_name=event, payload=payload, uuid=uuid4())
        for gateway in gateways
    ]
    Delivery.objects.bulk_create(rows)
    transaction.on_commit(partial(send_soon, [row.uuid for row in rows]))
    return len(rows)


def queue_ticket_event(sender: object, *, event: AuditEvent, **kwargs: Any) -> int:
    """Receiver of audit.signals.committed: queue the event for every active webhook that
    subscribes to it, and have them sent now. Only events about a ticket go out. Returns how
    many deliveries were queued (an event already queued for an endpoint is not again)."""
    if event.ticket_id is None:
        return 0
    endpoints = active_endpoints()
    if not endpoints:  # the usual case, on the path of every change: no query
        return 0
    subscribed = [e for e in endpoints if e.kind == EndpointKind.WEBHOOK and e.wants(event.action)]
    if not subscribed:
        return 0
    ticket = ticket_facts(event.ticket_id)
    if ticket is None:
        return 0
    payload = ticket_event_payload(event, ticket)
    rows = []
    for endpoint in subscribed:
        uuid = uuid4()
        rows.append(
            Delivery(
                endpoint=endpoint,
                event=event,
                event_name=event.action,
                payload={"id": str(uuid), **payload},
                uuid=uuid,
            )
        )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    queued = list(
        Delivery.objects.filter(uuid__in=[row.uuid for row in rows]).values_list("uuid", flat=True)
    )
    transaction.on_commit(partial(send_soon, queued))
    return len(queued)


def ticket_facts(ticket_id: int) -> dict[str, Any] | None:
    """The ticket as a webhook shows it (one query), or None when it is gone."""
    row = (
        Ticket.objects.filter(pk=ticket_id)
        .values(
            "number",
            "status",
            "urgency",
            "kind",
            "channel",
            "category_id",
            "team_id",
            "assignee__username",
            "customer_id",
        )
        .first()
    )
    if row is None:
        return None
    known = catalogue()
    category = known.category_by_id.get(row["category_id"]) if row["category_id"] else None
    team = known.team_by_id.get(row["team_id"]) if row["team_id"] else None
    return {
        "number": row["number"],
        "status": row["status"],
        "urgency": row["urgency"],
        "kind": row["kind"],
        "channel": row["channel"],
        "category": category.code if category else None,
        "team": team.code if team else None,
        "assignee": row["assignee__username"],
        "customer_id": row["customer_id"],
    }


def ticket_event_payload(event: AuditEvent, ticket: dict[str, Any]) -> dict[str, Any]:
    """The body of a ticket event, without its "id" (see docs/webhooks.md)."""
    return audit.jsonable(
        {
            "event": event.action,
            "occurred_at": event.occurred_at.isoformat(),
            "ticket": ticket,
            "actor": event.actor_label if event.actor_id is not None else None,
            "changes": {"before": event.before, "after": event.after},
            "note": event.note,
        }
    )


def send_soon(uuids: Sequence[UUID | str]) -> None:
    """Enqueue the task that sends these deliveries. If the queue cannot take it, the sweep
    sends them within SWEEP_SECONDS: they are due already."""
    if not uuids:
        return
    try:
        deliver_webhooks.enqueue([str(uuid) for uuid in uuids])
    except Exception:
        logger.exception("could not enqueue %d webhook deliveries", len(uuids))


@transaction.atomic
def retry_deliveries(*, deliveries: Iterable[Delivery], actor: User) -> int:
    """Send dead letters again: each goes back to pending, due now, with its attempts counted
    from zero (a full set of retries); the last error stays until the next attempt. Others
    (pending, delivered) are left alone. Audited per delivery; returns how many."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(_("Only administrators can retry webhook deliveries."))
    now = clock.now()
    dead = Delivery.objects.select_for_update().filter(
        pk__in=[delivery.pk for delivery in deliveries], status=DeliveryStatus.DEAD
    )
    retried = []
    for delivery in dead.order_by("pk"):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now
        )
        audit.record(
            actor=actor,
            action=events.WEBHOOK_DELIVERY_RETRIED,
            target=delivery,
            before={"status": delivery.status, "attempts": delivery.attempts},
            after={"status": DeliveryStatus.PENDING, "attempts": 0},
        )
        retried.append(delivery.uuid)
    transaction.on_commit(partial(send_soon, retried))
    return len(retried)


@transaction.atomic
def rotate_secret(*, endpoint: Endpoint, actor: User) -> Endpoint:
    """Give the endpoint a new signing secret (audited without the secret itself). Requests
    from then on, retries included, are signed with the new one."""
    if actor.role != Role.ADMIN:
        raise NotPermitted(_("Only administrators can change webhook secrets."))
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    audit.record(actor=actor, action=events.WEBHOOK_ENDPOINT_SECRET_ROTATED, target=endpoint)
    return endpoint
