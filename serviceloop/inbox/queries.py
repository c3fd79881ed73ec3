"""Reading a staff member's notifications: only their own, and only those whose time has come
(`deliver_at` passed), newest first."""

from datetime import datetime

from django.db.models import QuerySet

from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.core.keyset import Page, paginate

from .models import Notification

BADGE_CAP = 99  # the bell shows "99+" beyond this
PANEL_SIZE = 10
PAGE_SIZE = 25


def delivered_to(user: User, *, now: datetime | None = None) -> QuerySet[Notification]:
    """The notifications `user` may see now (served by the notification_recipient index)."""
    return Notification.objects.filter(recipient=user, deliver_at__lte=now or clock.now())


def unread_count(user: User, *, cap: int = BADGE_CAP) -> int:
    """How many delivered notifications `user` has not read, counting no further than
    cap + 1: one query over the notification_unread partial index, whose cost does not grow
    with a backlog of thousands."""
    unread = delivered_to(user).filter(read_at__isnull=True).order_by()
    return unread.values("pk")[: cap + 1].count()


def badge_label(count: int, *, cap: int = BADGE_CAP) -> str:
    """What the bell's badge reads: "" for none, the number, or "99+"."""
    if count <= 0:
        return ""
    return f"{cap}+" if count > cap else str(count)


def newest(user: User, *, size: int = PANEL_SIZE) -> list[Notification]:
    """The `size` newest delivered notifications, with their tickets (one query)."""
    rows = delivered_to(user).select_related("ticket").order_by("-deliver_at", "-id")
    return list(rows[:size])


def page_of(
    user: User, *, cursor: str | None, size: int = PAGE_SIZE, unread_only: bool = False
) -> Page[Notification]:
    """One keyset page of `user`'s delivered notifications, newest first."""
    rows = delivered_to(user).select_related("ticket")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return paginate(rows, fields=("deliver_at", "id"), cursor=cursor, size=size)


def get_notification_for(user: User, notification_id: int) -> Notification | None:
    """One delivered notification of `user` (None for anybody else's, or one not yet due)."""
    return delivered_to(user).select_related("ticket").filter(pk=notification_id).first()
