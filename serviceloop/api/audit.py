"""/api/v1/audit: reading the audit trail. There is deliberately no way to change it."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import NotPermitted
from serviceloop.core.keyset import paginate

from .common import Id, Moment, Out, PageOut, QueryIn, actor, page_links

router = Router(tags=["audit"])


class AuditEventOut(Out):
    id: int
    occurred_at: datetime
    actor: str
    actor_id: int | None
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str


class AuditList(PageOut):
    items: list[AuditEventOut]


class AuditQuery(QueryIn):
    action: str | None = Field(None, max_length=64)
    target_type: str | None = Field(None, max_length=32)
    target_id: str | None = Field(None, max_length=64)
    actor: Id | None = None
    after: Moment | None = None
    before: Moment | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def audit_event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "occurred_at": event.occurred_at,
        "actor": event.actor_label,
        "actor_id": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


@router.get("", response=AuditList, summary="Search the audit trail (administrators)")
def list_events(request: HttpRequest, filters: Query[AuditQuery]) -> dict[str, Any]:
    user = actor(request)
    if user.role != Role.ADMIN:
        raise NotPermitted(_("Only administrators can search the whole audit trail."))
    events = AuditEvent.objects.all()
    for name in ("action", "target_type", "target_id"):
        if value := getattr(filters, name):
            events = events.filter(**{name: value})
    if filters.actor is not None:
        events = events.filter(actor_id=filters.actor)
    if filters.after:
        events = events.filter(occurred_at__gte=filters.after)
    if filters.before:
        events = events.filter(occurred_at__lt=filters.before)
    page = paginate(events, fields=("id",), cursor=filters.cursor, size=filters.limit)
    return {"items": [audit_event_out(e) for e in page.items], **page_links(request, page)}
