"""Notifying staff members in the application (the bell in the header)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction

from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.calendars.business_time import NoWorkingTime, next_working_moment
from serviceloop.core import clock
from serviceloop.routing.shifts import schedule_of_user
from serviceloop.tickets import events as ticket_events
from serviceloop.tickets.models import Ticket

from .models import Kind, Notification


class WorkingHours:
    """When each person's next working period starts, read once per person: one per
    `notify` call, or one per sweep that notifies many (the escalation sweep)."""

    def __init__(self) -> None:
        self.starts: dict[int, datetime] = {}

    def deliver_at(self, user: User, now: datetime, *, urgent: bool) -> datetime:
        """At once when urgent, else from the start of the user's next working period."""
        if urgent:
            return now
        if user.pk not in self.starts:
            try:
                self.starts[user.pk] = next_working_moment(schedule_of_user(user), now)
            except NoWorkingTime:  # a calendar with no hours at all: do not hide it
                self.starts[user.pk] = now
        return max(self.starts[user.pk], now)


def notifications(
    recipients: Iterable[User | None],
    *,
    kind: Kind,
    ticket: Any = None,
    params: dict[str, Any] | None = None,
    urgent: bool = False,
    hours: WorkingHours | None = None,
) -> list[Notification]:
    """The notifications `notify` inserts, unsaved (for callers inserting many at once)."""
    now = clock.now()
    hours = hours or WorkingHours()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                ticket=ticket,
                params=params or {},
                urgent=urgent,
                created_at=now,
                deliver_at=hours.deliver_at(user, now, urgent=urgent),
            )
        )
    return rows


def notify(
    recipients: Iterable[User | None],
    *,
    kind: Kind,
    ticket: Any = None,
    params: dict[str, Any] | None = None,
    urgent: bool = False,
) -> list[Notification]:
    """Tell each recipient (None and repeats skipped) about `kind` on `ticket`; `params`
    fill the kind's sentence (messages.MESSAGES). Urgent ones show at once; the others from
    the start of the recipient's next working period. Call inside the change's transaction."""
    rows = notifications(recipients, kind=kind, ticket=ticket, params=params, urgent=urgent)
    return Notification.objects.bulk_create(rows)


def mark_read(*, user: User, ids: Iterable[int]) -> int:
    """Mark these notifications of `user` read; returns how many changed.

    Ids of other people's notifications, of ones not yet delivered or already read are
    ignored: only the recipient marks theirs, and one cannot read what one was not shown.
    Not audited: the read mark is the reader's own view state, not a change to shared data
    (and auditing it would make every glance at the bell a row in the trail).
    """
    wanted = {int(pk) for pk in ids}
    if not wanted:
        return 0
    now = clock.now()
    return Notification.objects.filter(
        recipient=user, pk__in=wanted, deliver_at__lte=now, read_at__isnull=True
    ).update(read_at=now)


def mark_all_read(*, user: User) -> int:
    """Mark every delivered, unread notification of `user` read; returns how many. Ones
    still waiting for the user's working hours stay unread (see mark_read)."""
    now = clock.now()
    return Notification.objects.filter(
        recipient=user, deliver_at__lte=now, read_at__isnull=True
    ).update(read_at=now)


# What the inbox reacts to in the audit trail (see receivers.py).
ASSIGNING = frozenset({ticket_events.TICKET_CREATED, ticket_events.TICKET_ASSIGNED})
REPLYING = frozenset({ticket_events.INTERACTION_ADDED})


def concerns_inbox(event: AuditEvent) -> bool:
    """Whether `event` may lead to a notification, judged from the event alone (no query):
    a ticket given to somebody by somebody else, or a public inbound message."""
    after = event.after if isinstance(event.after, dict) else {}
    if event.action in ASSIGNING:
        assignee = after.get("assignee")
        return assignee is not None and assignee != event.actor_id
    if event.action in REPLYING:
        return after.get("direction") == "inbound" and not after.get("is_internal")
    return False


@transaction.atomic
def notify_about_event(*, event: AuditEvent) -> list[Notification]:
    """The notification an audited change calls for, not urgent (so it waits for the
    recipient's working hours):

    - a ticket assigned (or created assigned) to a staff member by somebody else: tell them;
    - a customer's public message (inbound, not recorded by staff): tell the assignee.

    Run by the worker after the change committed, perhaps more than once for one event: a
    second run finds the first one's notification (params["event"]) and adds nothing. A
    ticket reassigned meanwhile tells nobody about the stale assignment.
    """
    if not concerns_inbox(event) or event.ticket_id is None:
        return []
    ticket = Ticket.objects.select_related("assignee").filter(pk=event.ticket_id).first()
    if ticket is None:
        return []
    if event.action in ASSIGNING:
        kind = Kind.ASSIGNED
        recipient = ticket.assignee if ticket.assignee_id == event.after["assignee"] else None
    else:
        kind = Kind.CUSTOMER_REPLIED
        author_id = event.after.get("author")
        author = User.objects.filter(pk=author_id).first() if author_id is not None else None
        if author is not None and author.is_staff_member:  # staff noting a call, not news
            return []
        recipient = ticket.assignee
    if recipient is None or not recipient.is_staff_member or recipient.pk == event.actor_id:
        return []
    already = Notification.objects.filter(
        recipient=recipient, ticket=ticket, kind=kind, params__event=event.pk
    )
    if already.exists():
        return []
    return notify([recipient], kind=kind, ticket=ticket, params={"event": event.pk})
