"""The audit events the feedback app records, by name: its use cases write them (feedback
items registered, classified, moved along and linked to tickets; staff surveys created and
sent, and the feedback taken from them); the feedback item's page (web) tells an item's
history from them."""

from typing import Final

FEEDBACK_REGISTERED: Final = "feedback.registered"
FEEDBACK_CLASSIFIED: Final = "feedback.classified"
FEEDBACK_STATUS_CHANGED: Final = "feedback.status_changed"
FEEDBACK_TICKETS_LINKED: Final = "feedback.tickets_linked"
FEEDBACK_TICKET_UNLINKED: Final = "feedback.ticket_unlinked"
FEEDBACK_TAKEN_FROM_STAFF_SURVEY: Final = "feedback.taken_from_staff_survey"
STAFF_SURVEY_CREATED: Final = "staff_survey.created"
STAFF_SURVEY_SENT: Final = "staff_survey.sent"
