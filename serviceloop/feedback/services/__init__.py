"""Feedback use cases. Each is one function; the API, the desk and portal pages and other
apps (satisfaction registers survey comments with register_feedback) all call these."""

from .items import (
    bulk_classify,
    change_feedback_status,
    classify_feedback,
    link_tickets,
    register_feedback,
    unlink_ticket,
)
from .surveys import (
    INVITATION_KIND,
    answer_staff_survey,
    create_staff_survey,
    invitation_kind,
    register_feedback_from_staff_survey,
    send_staff_survey,
)

__all__ = [
    "INVITATION_KIND",
    "answer_staff_survey",
    "bulk_classify",
    "change_feedback_status",
    "classify_feedback",
    "create_staff_survey",
    "invitation_kind",
    "link_tickets",
    "register_feedback",
    "register_feedback_from_staff_survey",
    "send_staff_survey",
    "unlink_ticket",
]
