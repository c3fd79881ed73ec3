"""Notifying staff members in the application (the bell in the header)."""

from collections.abc import Iterable
from typing import Any

from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.routing.shifts import schedule_of_user
from serviceloop.sla.business_time import NoWorkingTime, next_working_moment

from .models import Kind, Notification


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
    now = clock.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        deliver_at = now
        if not urgent:
            try:
                deliver_at = next_working_moment(schedule_of_user(user), now)
            except NoWorkingTime:  # a calendar with no hours at all: do not hide it
                deliver_at = now
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                ticket=ticket,
                params=params or {},
                urgent=urgent,
                created_at=now,
                deliver_at=deliver_at,
            )
        )
    return Notification.objects.bulk_create(rows)
