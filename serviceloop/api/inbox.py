"""/api/v1/notifications: the signed-in staff member's notifications (the bell), each with
its sentence in the request's language."""

from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router

from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted
from serviceloop.inbox import queries, services
from serviceloop.inbox.messages import render
from serviceloop.inbox.models import Kind, Notification

from .common import Id, Out, PageOut, Published, QueryIn, actor, page_links

router = Router(tags=["notifications"])


class TicketLink(Out):
    number: str
    subject: str


class NotificationOut(Out):
    id: int
    kind: Annotated[Kind, Published("NotificationKind")]
    text: str = Field(description="The sentence, in the language of the request")
    ticket: TicketLink | None
    params: dict[str, Any] = Field(description="The values the sentence is made of")
    urgent: bool
    created_at: datetime
    deliver_at: datetime = Field(description="Shown from (the recipient's working hours)")
    read_at: datetime | None


class NotificationList(PageOut):
    items: list[NotificationOut]
    unread_count: int = Field(description=f"Unread, counted up to {queries.BADGE_CAP + 1}")


class NotificationQuery(QueryIn):
    unread: bool = Field(False, description="Only the unread ones")
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class ReadAllOut(Out):
    marked: int = Field(description="How many were unread")


def _staff(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_staff_member:
        raise NotPermitted(_("Only staff members have notifications."))
    return user


def notification_out(notification: Notification) -> dict[str, Any]:
    ticket = notification.ticket
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": render(notification),
        "ticket": {"number": ticket.number, "subject": ticket.subject} if ticket else None,
        "params": notification.params,
        "urgent": notification.urgent,
        "created_at": notification.created_at,
        "deliver_at": notification.deliver_at,
        "read_at": notification.read_at,
    }


@router.get("", response=NotificationList, summary="My notifications (newest first, cursor pages)")
def list_notifications(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    user = _staff(request)
    page = queries.page_of(
        user, cursor=filters.cursor, size=filters.limit, unread_only=filters.unread
    )
    return {
        "items": [notification_out(n) for n in page.items],
        "unread_count": queries.unread_count(user),
        **page_links(request, page),
    }


@router.post("/read-all", response=ReadAllOut, summary="Mark all my notifications read")
def read_all(request: HttpRequest) -> dict[str, Any]:
    return {"marked": services.mark_all_read(user=_staff(request))}


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one read")
def read_one(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    user = _staff(request)
    services.mark_read(user=user, ids=[notification_id])
    notification = queries.get_notification_for(user, notification_id)
    if notification is None:  # another user's, or not delivered yet
        raise Http404("notification")
    return notification_out(notification)
