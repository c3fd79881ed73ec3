"""Starting points of the feedback tests: items registered through the real use case, and
everything a refused request must leave as it was."""

import itertools
from datetime import timedelta
from typing import Any

from serviceloop.accounts.models import Team, User
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.feedback.choices import Source
from serviceloop.feedback.models import (
    FeedbackItem,
    FeedbackNumberCounter,
    StaffSurvey,
    StaffSurveyAnswer,
    StaffSurveyInvitation,
)
from serviceloop.feedback.services import create_staff_survey, register_feedback

_serial = itertools.count(1)


def staff_item(actor: User, **fields: Any) -> FeedbackItem:
    """A named staff item by `actor` (anonymous=True to stay unnamed)."""
    fields.setdefault("text", f"The returns form asks for the order number twice ({next(_serial)})")
    return register_feedback(source=Source.STAFF, actor=actor, **fields)


def customer_item(customer_user: User, **fields: Any) -> FeedbackItem:
    fields.setdefault("text", f"等待时间太长了，电话一直占线 ({next(_serial)})")
    return register_feedback(
        source=Source.CUSTOMER, actor=customer_user, customer=customer_user.customer, **fields
    )


def stored_state() -> dict[str, Any]:
    """Every row a feedback use case may write."""
    return {
        "items": list(FeedbackItem.objects.order_by("pk").values_list()),
        "links": list(FeedbackItem.tickets.through.objects.order_by("pk").values_list()),
        "counters": list(FeedbackNumberCounter.objects.values_list()),
        "surveys": list(StaffSurvey.objects.order_by("pk").values_list()),
        "invitations": list(StaffSurveyInvitation.objects.order_by("pk").values_list()),
        "answers": sorted(StaffSurveyAnswer.objects.values_list("survey", "answers")),
        "audit_events": AuditEvent.objects.count(),
    }


def mentions(user: User, event: AuditEvent) -> bool:
    """Whether an audit event holds anything that names `user`."""
    text = repr([event.actor_id, event.actor_label, event.before, event.after, event.note])
    return event.actor_id == user.pk or user.username in text or user.display_name in text


QUESTIONS = [
    {"key": "workload", "text_en": "My workload is manageable", "text_zh": "我的工作量可以承受",
     "kind": "scale_1_5"},
    {"key": "tools", "text_en": "Our tools help me", "text_zh": "我们的工具对我有帮助",
     "kind": "scale_1_5"},
    {"key": "change", "text_en": "What should change first?", "text_zh": "最应该先改变什么？",
     "kind": "text"},
]  # fmt: skip


def survey_of(team: Team | None, actor: User, **fields: Any) -> StaffSurvey:
    """A survey of `team` open from now for a week, with QUESTIONS."""
    fields.setdefault("title", "团队氛围调查 2026 Q4")
    fields.setdefault("questions", QUESTIONS)
    fields.setdefault("opens_at", clock.now())
    fields.setdefault("closes_at", clock.now() + timedelta(days=7))
    return create_staff_survey(actor=actor, team=team, **fields)
