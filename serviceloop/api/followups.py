"""/api/v1/follow-ups: the call backs after resolution (回访). Agents and supervisors see
their teams' and their own, managers, administrators, specialists and analysts all;
customers and partners none. Ticket workers record the outcome."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router

from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted
from serviceloop.core.keyset import paginate
from serviceloop.followups import queries, services
from serviceloop.followups.choices import FollowUpStatus, Outcome, Reason
from serviceloop.followups.models import FollowUp

from .common import (
    CodeName,
    CustomerRef,
    Id,
    In,
    Out,
    PageOut,
    QueryIn,
    UserRef,
    actor,
    code_name,
    page_links,
    user_ref,
)

router = Router(tags=["follow-ups"])


class FollowUpOut(Out):
    id: int
    ticket: str | None = Field(description="The ticket's number (null: a customer's NPS answer)")
    customer: CustomerRef
    team: CodeName | None
    reason: Reason
    assignee: UserRef | None
    due_at: datetime
    overdue: bool
    status: FollowUpStatus
    outcome: Outcome | None
    satisfaction: int | None = Field(description="1-5, as the customer said on the call")
    notes: str
    csat_score: int | None
    nps_score: int | None
    created_at: datetime
    done_at: datetime | None
    done_by: UserRef | None


class FollowUpList(PageOut):
    items: list[FollowUpOut]


class FollowUpQuery(QueryIn):
    mine: bool = Field(False, description="Only those assigned to me")
    team: str | None = Field(None, max_length=50, description="Team code")
    status: FollowUpStatus | None = None
    overdue: bool = Field(False, description="Only open ones past their due time")
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class RecordIn(In):
    outcome: Outcome
    satisfaction: int | None = Field(None, ge=1, le=5)
    notes: str = Field(
        "", max_length=20_000, description="An internal note on the ticket; needed when not solved"
    )


def follow_up_out(follow_up: FollowUp) -> dict[str, Any]:
    survey, response = follow_up.csat_survey, follow_up.nps_response
    return {
        "id": follow_up.pk,
        "ticket": follow_up.ticket.number if follow_up.ticket else None,
        "customer": {"id": follow_up.customer_id, "name": follow_up.customer.name},
        "team": code_name(follow_up.team),
        "reason": follow_up.reason,
        "assignee": user_ref(follow_up.assignee),
        "due_at": follow_up.due_at,
        "overdue": follow_up.is_overdue,
        "status": follow_up.status,
        "outcome": follow_up.outcome or None,
        "satisfaction": follow_up.satisfaction,
        "notes": follow_up.notes,
        "csat_score": survey.score if survey else None,
        "nps_score": response.score if response else None,
        "created_at": follow_up.created_at,
        "done_at": follow_up.done_at,
        "done_by": user_ref(follow_up.done_by),
    }


def _staff(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_staff_member:
        raise NotPermitted(_("Only staff members work follow-ups."))
    return user


@router.get("", response=FollowUpList, summary="Follow-ups I see (earliest due first)")
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpQuery]) -> dict[str, Any]:
    user = _staff(request)
    rows = queries.follow_ups_for(
        user, mine=filters.mine, team=filters.team, status=filters.status,
        overdue=filters.overdue,
    ).select_related("done_by")  # fmt: skip
    page = paginate(
        rows, fields=("due_at", "id"), cursor=filters.cursor, size=filters.limit, descending=False
    )
    return {"items": [follow_up_out(f) for f in page.items], **page_links(request, page)}


@router.get("/{follow_up_id}", response=FollowUpOut, summary="One follow-up")
def get_follow_up(request: HttpRequest, follow_up_id: Id) -> dict[str, Any]:
    return follow_up_out(queries.get_follow_up_for(_staff(request), follow_up_id))


@router.post(
    "/{follow_up_id}/record",
    response=FollowUpOut,
    summary="Record the outcome of a follow-up",
    description="not_solved reopens a resolved ticket, with the notes as the reason.",
)
def record_follow_up(request: HttpRequest, follow_up_id: Id, payload: RecordIn) -> dict[str, Any]:
    user = _staff(request)
    follow_up = queries.get_follow_up_for(user, follow_up_id)
    services.record_follow_up(
        follow_up=follow_up, actor=user, outcome=payload.outcome,
        satisfaction=payload.satisfaction, notes=payload.notes,
    )  # fmt: skip
    return follow_up_out(queries.get_follow_up_for(user, follow_up_id))
