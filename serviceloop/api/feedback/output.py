"""Feedback items and staff surveys as the API shows them to a user."""

from typing import Any

from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.feedback import queries
from serviceloop.feedback.models import FeedbackItem, StaffSurvey
from serviceloop.feedback.permissions import reads_all_feedback
from serviceloop.feedback.questions import localized
from serviceloop.tickets.queries import tickets_visible_to

from ..common import code_name, user_ref

# What customers and partners do not see of an item (it comes back as null).
_INTERNAL = frozenset(
    {"type", "urgency", "stage", "nature", "category", "team", "submitted_by", "classified_by"}
)


def _ticket_numbers(item: FeedbackItem, shown: set[int] | None) -> list[str]:
    return sorted(t.number for t in item.tickets.all() if shown is None or t.pk in shown)


def _shown_tickets(user: User, items: list[FeedbackItem]) -> set[int] | None:
    """The linked tickets a customer or partner may see (None: staff see every number)."""
    if user.is_staff_member:
        return None
    linked = {ticket.pk for item in items for ticket in item.tickets.all()}
    return set(tickets_visible_to(user).filter(pk__in=linked).values_list("pk", flat=True))


def feedback_out(item: FeedbackItem, user: User, shown: set[int] | None) -> dict[str, Any]:
    out = {
        "id": item.pk,
        "number": item.number,
        "source": item.source,
        "title": item.title,
        "text": item.text,
        "type": item.type or None,
        "urgency": item.urgency or None,
        "stage": item.stage or None,
        "nature": item.nature or None,
        "status": item.status,
        "rejection_reason": item.rejection_reason,
        "category": code_name(item.category),
        "team": code_name(item.team),
        "tickets": _ticket_numbers(item, shown),
        "customer": {"id": item.customer.pk, "name": item.customer.name} if item.customer else None,
        "organisation": {"id": item.organisation.pk, "name": item.organisation.name}
        if item.organisation
        else None,
        "anonymous": item.is_anonymous,
        "submitted_by": user_ref(item.submitted_by),
        "classified_by": user_ref(item.classified_by),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "classified_at": item.classified_at,
    }
    if not user.is_staff_member:
        for name in _INTERNAL:
            out[name] = None
    return out


def _fresh(items: list[FeedbackItem], user: User) -> list[dict[str, Any]]:
    """Items re-read with what the output needs (two queries however many)."""
    rows = list(
        FeedbackItem.objects.filter(pk__in=[item.pk for item in items])
        .select_related(*queries.LIST_RELATED, "classified_by")
        .prefetch_related("tickets")
    )
    by_pk = {row.pk: row for row in rows}
    ordered = [by_pk[item.pk] for item in items]
    shown = _shown_tickets(user, ordered)
    return [feedback_out(item, user, shown) for item in ordered]


def _one(item: FeedbackItem, user: User) -> dict[str, Any]:
    return _fresh([item], user)[0]


def survey_out(survey: StaffSurvey, user: User) -> dict[str, Any]:
    counts = queries.participation(survey) if reads_all_feedback(user) else None
    invitation = queries.invitation_of(survey, user)
    return {
        "id": survey.pk,
        "title": survey.title,
        "team": code_name(survey.team),
        "questions": [
            {**question, "text": localized(question["text_en"], question["text_zh"])}
            for question in survey.questions
        ],
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "sent_at": survey.sent_at,
        "is_open": survey.is_open_at(clock.now()),
        "invited": counts.invited if counts else None,
        "answered": counts.answered if counts else None,
        "me": {
            "invited": invitation is not None,
            "answered": bool(invitation and invitation.answered),
        },
    }
