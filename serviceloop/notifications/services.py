"""Customer notifications (e-mail, SMS): which audit events call for a message, preparing
it once, sending it, and retrying failed sends.

The flow: `receivers.on_audit_recorded` sees an audit event as it is recorded,
`message_kind` says whether the customer is told, the task `send_customer_messages` is
queued with the change, and the worker's run of it calls `deliver_event`. That makes at
most one Delivery row per (event, channel) — the guard that makes a message go out once
even when the task runs twice — and sends the queued ones.
A failed send is retried by the sweep `retry_customer_messages` (retrying.py: after 1, 5, 15
and 60 minutes; after MAX_ATTEMPTS the row stays failed, and an admin can retry it).
"""

import smtplib
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.core.errors import DomainError
from serviceloop.satisfaction import events as satisfaction_events
from serviceloop.tickets import events as ticket_events
from serviceloop.tickets.choices import Channel, Direction, InteractionKind
from serviceloop.tickets.models import Ticket

from . import events
from .choices import DeliveryChannel, DeliveryStatus, MessageKind, SkipReason
from .composing import context_for, recipient_of
from .models import Delivery, MailTemplate
from .rendering import render
from .retrying import Outbox

DELIVERIES = Outbox(Delivery)
RETRY_BATCH = 100


def message_kind(event: AuditEvent) -> MessageKind | None:
    """Which customer message `event` calls for, from the event alone (no query)."""
    action, after = event.action, event.after or {}
    if action == ticket_events.TICKET_CREATED:
        return MessageKind.CREATED
    if (
        action == ticket_events.INTERACTION_ADDED
        and after.get("kind", InteractionKind.REPLY) == InteractionKind.REPLY
        and after.get("direction") == Direction.OUTBOUND
        and not after.get("is_internal")
    ):
        # only staff write replies; the task checks the entry and its author again
        return MessageKind.REPLIED
    if ticket_events.ends_resolved(event):
        return MessageKind.RESOLVED
    if action == ticket_events.COMMITMENT_CREATED and not after.get("renegotiated_from"):
        # a replacement of a renegotiated promise is told by commitment.renegotiated
        return MessageKind.PROMISED
    if action == ticket_events.COMMITMENT_RENEGOTIATED:
        return MessageKind.RENEGOTIATED
    if action == ticket_events.TICKET_CUSTOMER_REMINDED:
        return MessageKind.REMINDER
    if action == satisfaction_events.CSAT_REQUESTED:
        return MessageKind.CSAT
    return None


def deliver_event(*, event_id: int) -> list[Delivery]:
    """Prepare (once) and send the customer messages of audit event `event_id`.

    Safe to run any number of times and concurrently: the rows are unique per (event,
    channel) and each send is claimed with a conditional update. Returns the rows.
    """
    deliveries = list(Delivery.objects.filter(event_id=event_id).order_by("id"))
    if not deliveries:
        deliveries = _prepare(event_id)
    return [
        attempt_delivery(delivery) if delivery.status == DeliveryStatus.QUEUED else delivery
        for delivery in deliveries
    ]


def _prepare(event_id: int) -> list[Delivery]:
    event = AuditEvent.objects.filter(pk=event_id).first()
    kind = message_kind(event) if event is not None else None
    if event is None or kind is None or event.ticket_id is None:
        return []
    ticket = Ticket.objects.select_related("customer__user").filter(pk=event.ticket_id).first()
    if ticket is None:
        return []
    recipient = recipient_of(ticket)
    now = clock.now()

    def row(channel: str, to: str, **values: str) -> Delivery:
        return Delivery(
            event_id=event_id, ticket=ticket, kind=kind, channel=channel, to=to,
            language=recipient.language, queued_at=now, **values,
        )  # fmt: skip

    skipped = {"status": DeliveryStatus.SKIPPED}
    rows: list[Delivery] = []
    context = context_for(kind, event, ticket, recipient)
    template = MailTemplate.objects.filter(
        kind=kind, language=recipient.language, is_active=True
    ).first()
    if context is None:
        rows.append(
            row(DeliveryChannel.EMAIL, recipient.email, reason=SkipReason.NOT_PUBLIC, **skipped)
        )
    elif template is None:
        rows.append(
            row(DeliveryChannel.EMAIL, recipient.email, reason=SkipReason.NO_TEMPLATE, **skipped)
        )
    else:
        text = render(template, context, language=recipient.language, zone=recipient.zone)
        mail = {"subject": text.subject, "body": text.body}
        if recipient.email:
            rows.append(row(DeliveryChannel.EMAIL, recipient.email, **mail))
        else:
            reason = SkipReason.UNVERIFIED if recipient.unverified_email else SkipReason.NO_EMAIL
            rows.append(row(DeliveryChannel.EMAIL, "", reason=reason, **mail, **skipped))
        if recipient.phone and (not recipient.email or ticket.channel == Channel.SMS):
            rows.append(
                row(DeliveryChannel.SMS, recipient.phone, subject=text.subject, body=text.sms)
            )
    return [_insert_once(delivery) for delivery in rows]


def _insert_once(delivery: Delivery) -> Delivery:
    """Save the row, or return the one another run of the same event saved first."""
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return Delivery.objects.get(event_id=delivery.event_id, channel=delivery.channel)
    return delivery


def attempt_delivery(delivery: Delivery) -> Delivery:
    """Send `delivery` if it is still to be sent (queued, or failed and not given up) and
    this caller claims it first; record the outcome. Returns the row as it is now."""
    claimed = DELIVERIES.claim(delivery.pk)
    delivery = Delivery.objects.select_related("ticket").get(pk=delivery.pk)
    if not claimed:
        return delivery
    if delivery.channel == DeliveryChannel.SMS:
        _send_sms(delivery)
    else:
        _send_mail(delivery)
    delivery.refresh_from_db()
    return delivery


def _message_headers(delivery: Delivery) -> dict[str, str]:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    number = delivery.ticket.number
    return {
        # one thread per ticket in the customer's mail program (and for replies by mail)
        "References": f"<{number}@{domain}>",
        "X-Serviceloop-Ticket": number,
        "X-Serviceloop-Message": delivery.kind,
        "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies to this, please
        "Content-Language": "zh-Hans" if delivery.language == "zh-hans" else delivery.language,
    }


def _send_mail(delivery: Delivery) -> None:
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to],
        headers=_message_headers(delivery),
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        _failed(delivery, error, retry=False)  # the address itself is refused
    except Exception as error:  # SMTP, network, anything: recorded, retried by the sweep
        _failed(delivery, error, retry=True)
    else:
        DELIVERIES.sent(delivery.pk)


# The event name an SMS gateway subscribes to (webhooks.Endpoint.events): the audit action
# the message tells about.
SMS_EVENT_NAMES: dict[str, str] = {
    MessageKind.CREATED: ticket_events.TICKET_CREATED,
    MessageKind.REPLIED: ticket_events.INTERACTION_ADDED,
    MessageKind.RESOLVED: ticket_events.TICKET_TRANSITIONED,
    MessageKind.PROMISED: ticket_events.COMMITMENT_CREATED,
    MessageKind.RENEGOTIATED: ticket_events.COMMITMENT_RENEGOTIATED,
    MessageKind.REMINDER: ticket_events.TICKET_CUSTOMER_REMINDED,
    MessageKind.CSAT: satisfaction_events.CSAT_REQUESTED,
}


def _send_sms(delivery: Delivery) -> None:
    """Hand the text to the SMS gateway's webhook (serviceloop.webhooks), which delivers it
    with its own retries; no gateway configured: skipped."""
    # imported here: the webhooks app is optional for everything but SMS
    from serviceloop.webhooks.services import queue_sms

    try:
        with transaction.atomic():
            created = queue_sms(
                to=delivery.to, text=delivery.body, language=delivery.language,
                ticket_number=delivery.ticket.number, event=SMS_EVENT_NAMES[delivery.kind],
            )  # fmt: skip
            if created:
                DELIVERIES.sent(delivery.pk)
            else:
                DELIVERIES.finish(
                    delivery.pk, status=DeliveryStatus.SKIPPED, reason=SkipReason.NO_SMS_GATEWAY
                )
    except DomainError as error:  # a number the gateway can never reach
        _failed(delivery, error, retry=False)
    except Exception as error:
        _failed(delivery, error, retry=True)


def _failed(delivery: Delivery, error: Exception, *, retry: bool) -> None:
    DELIVERIES.failed(
        delivery.pk, error, attempts=delivery.attempts, attempted_at=delivery.last_attempt_at,
        to=delivery.to, retry=retry,
    )  # fmt: skip


def retry_due_deliveries(*, batch: int = RETRY_BATCH) -> int:
    """The sweep: send failed messages whose next attempt is due, and the ones a lost task or
    a dead worker left queued or sending; returns how many were sent."""
    due = DELIVERIES.due().select_related("ticket")[:batch]
    sent = 0
    for delivery in list(due):
        if attempt_delivery(delivery).status == DeliveryStatus.SENT:
            sent += 1
    return sent


@transaction.atomic
def retry_deliveries(*, deliveries: Iterable[Delivery], actor: User) -> int:
    """An administrator's "send again" for failed messages (given up or not): they are due
    at once, and the next run of the sweep sends them. Returns how many. Audit:
    customer_message.retried for each."""
    count = 0
    now = clock.now()
    for delivery in deliveries:
        changed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            next_attempt_at=now
        )
        if changed:
            audit.record(
                actor=actor, action=events.CUSTOMER_MESSAGE_RETRIED, target=delivery,
                before={"attempts": delivery.attempts, "error": delivery.error},
            )  # fmt: skip
            count += 1
    return count
