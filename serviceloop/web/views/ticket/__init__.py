"""The agent's ticket page (desk:ticket) and its htmx endpoints.

One page: header, timeline and composer, actions panel, customer panel (客户画像). Each
action posts one small form with the ticket `version` it was rendered with; the answer is
the re-rendered actions panel with the header and timeline swapped out-of-band, so every
form carries the new version. A stale version answers 412 with whose change it collided
with; refused input answers 422 (409 for a state that forbids it) with the form's errors.
"""

from django.urls import URLPattern, path

from .actions import (
    ticket_assign,
    ticket_category,
    ticket_merge,
    ticket_take,
    ticket_transfer,
    ticket_transition,
    ticket_urgency,
)
from .conversation import canned_reply, compose
from .customer import confirm_contact
from .page import ticket_page
from .promises import keep_promise, renegotiate_promise

urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/", ticket_page, name="ticket"),
    path("tickets/<str:number>/compose/", compose, name="ticket_compose"),
    path("tickets/<str:number>/canned/", canned_reply, name="ticket_canned"),
    path("tickets/<str:number>/status/", ticket_transition, name="ticket_transition"),
    path("tickets/<str:number>/assign/", ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/take/", ticket_take, name="ticket_take"),
    path("tickets/<str:number>/transfer/", ticket_transfer, name="ticket_transfer"),
    path("tickets/<str:number>/urgency/", ticket_urgency, name="ticket_urgency"),
    path("tickets/<str:number>/category/", ticket_category, name="ticket_category"),
    path("tickets/<str:number>/merge/", ticket_merge, name="ticket_merge"),
    path(
        "tickets/<str:number>/promises/<int:commitment_id>/kept/",
        keep_promise,
        name="ticket_keep_promise",
    ),
    path(
        "tickets/<str:number>/promises/<int:commitment_id>/renegotiate/",
        renegotiate_promise,
        name="ticket_renegotiate_promise",
    ),
    path(
        "tickets/<str:number>/contacts/<int:contact_id>/confirm/",
        confirm_contact,
        name="ticket_confirm_contact",
    ),
]
