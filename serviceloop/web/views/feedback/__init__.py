"""The feedback register on the desk (/desk/feedback/), staff surveys
(/desk/staff-surveys/), and the customer's feedback page in the portal (/portal/feedback/).

Views parse, call the feedback use cases and render; one URL serves a page and its htmx
fragments (the register's results, its "load more" rows, an item's panels). Refusals of the
use cases come back on the forms (apply_errors); NotPermitted is a 403.
"""

from django.urls import URLPattern, path

from .items import change_status, classify, item, link, new, unlink
from .portal import portal_feedback
from .register import bulk, export, register
from .staff_surveys import (
    survey,
    survey_answer,
    survey_new,
    survey_send,
    survey_to_feedback,
    surveys,
)

urlpatterns: list[URLPattern] = [
    path("feedback/", register, name="feedback"),
    path("feedback/new/", new, name="feedback_new"),
    path("feedback/bulk/", bulk, name="feedback_bulk"),
    path("feedback/export/", export, name="feedback_export"),
    path("feedback/<str:number>/", item, name="feedback_item"),
    path("feedback/<str:number>/classify/", classify, name="feedback_classify"),
    path("feedback/<str:number>/status/", change_status, name="feedback_status"),
    path("feedback/<str:number>/tickets/", link, name="feedback_link"),
    path(
        "feedback/<str:number>/tickets/<str:ticket_number>/unlink/",
        unlink,
        name="feedback_unlink",
    ),
    path("staff-surveys/", surveys, name="staff_surveys"),
    path("staff-surveys/new/", survey_new, name="staff_survey_new"),
    path("staff-surveys/<int:survey_id>/", survey, name="staff_survey"),
    path("staff-surveys/<int:survey_id>/send/", survey_send, name="staff_survey_send"),
    path("staff-surveys/<int:survey_id>/answer/", survey_answer, name="staff_survey_answer"),
    path(
        "staff-surveys/<int:survey_id>/answers/<str:answer_id>/feedback/",
        survey_to_feedback,
        name="staff_survey_to_feedback",
    ),
]

portal_urlpatterns: list[URLPattern] = [
    path("feedback/", portal_feedback, name="feedback"),
]
