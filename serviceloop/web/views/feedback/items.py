"""One feedback item: sending one as staff, its page with its history, and the changes made on
it (classification, status, linked tickets), answered with its panels for htmx."""

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.feedback import events as feedback_events
from serviceloop.feedback import queries, services
from serviceloop.feedback.choices import FeedbackStatus, Source
from serviceloop.feedback.models import FeedbackItem
from serviceloop.feedback.permissions import manages_feedback

from ...access import desk_member
from ...forms import apply_errors
from ...forms.feedback import ClassifyForm, LinkForm, StaffFeedbackForm, StatusForm
from ...htmx import HtmxRequest, with_toast

ITEM = "feedback/item.html"
NUMBERS = re.compile(r"[\s,;，；]+")


def _numbers(value: str) -> list[str]:
    return [number for number in NUMBERS.split(value.strip()) if number]


@require_http_methods(["GET", "POST"])
@desk_member
def new(request: HtmxRequest) -> HttpResponse:
    user = request.user
    form = StaffFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.register_feedback(
                source=Source.STAFF,
                title=data["title"],
                text=data["text"],
                actor=user,
                anonymous=data["anonymous"],
                tickets=queries.tickets_numbered(user, _numbers(data["tickets"]), field="tickets"),
            )
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. Your feedback is %(number)s.") % {"number": item.number},
            )
            if queries.feedback_visible_to(user).filter(pk=item.pk).exists():
                return redirect("desk:feedback_item", number=item.number)
            return redirect("desk:feedback")
    status = 422 if form.errors else 200
    return render(request, "feedback/new.html", {"form": form}, status=status)


HISTORY = {
    feedback_events.FEEDBACK_REGISTERED: _("registered"),
    feedback_events.FEEDBACK_CLASSIFIED: _("classified"),
    feedback_events.FEEDBACK_STATUS_CHANGED: _("status changed to “%(status)s”"),
    feedback_events.FEEDBACK_TICKETS_LINKED: _("tickets linked: %(tickets)s"),
    feedback_events.FEEDBACK_TICKET_UNLINKED: _("ticket unlinked: %(tickets)s"),
    feedback_events.FEEDBACK_TAKEN_FROM_STAFF_SURVEY: _("taken from a staff survey"),
}


def _history(item: FeedbackItem) -> list[dict[str, Any]]:
    """The item's audit trail as sentences: who (nobody for anonymous feedback), what."""
    events = AuditEvent.objects.filter(target_type="feedbackitem", target_id=str(item.pk)).order_by(
        "occurred_at", "id"
    )
    statuses = dict(FeedbackStatus.choices)
    entries = []
    for event in events:
        after, before = event.after or {}, event.before or {}
        if event.actor_id is not None:
            who = event.actor_label
        else:
            who = str(_("Anonymous") if after.get("anonymous") else _("The system"))
        values = {
            "status": statuses.get(after.get("status", ""), after.get("status", "")),
            "tickets": ", ".join(after.get("tickets") or before.get("tickets") or []),
        }
        template = HISTORY.get(event.action)
        what = str(template) % values if template else event.action
        entries.append({"event": event, "who": who, "what": what})
    return entries


def _item_context(user: User, item: FeedbackItem, **forms_: forms.Form) -> dict[str, Any]:
    context = {
        "item": item,
        "tickets": list(item.tickets.order_by("-created_at")),
        "history": _history(item),
        "manages": manages_feedback(user),
        "classify_form": ClassifyForm.of(item),
        "status_form": StatusForm(initial={"status": item.status}),
        "link_form": LinkForm(),
    }
    context.update(forms_)
    return context


def _item_page(
    request: HtmxRequest, item: FeedbackItem, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    """The item page, or only its panels for htmx (the forms post back into them)."""
    item = queries.get_feedback_for(request.user, item.number)  # fresh, with its relations
    context = _item_context(request.user, item, **forms_)
    template = f"{ITEM}#panels" if request.htmx else ITEM
    return render(request, template, context, status=status)


@require_GET
@desk_member
def item(request: HtmxRequest, number: str) -> HttpResponse:
    return _item_page(request, queries.get_feedback_for(request.user, number))


def _change(
    request: HtmxRequest, number: str, form: forms.Form, name: str, call: Any, done: str
) -> HttpResponse:
    """Run `call(item, form.cleaned_data)` and answer with the panels: the toast `done`, or
    the form with its errors (422)."""
    user = request.user
    found = queries.get_feedback_for(user, number)
    if form.is_valid():
        try:
            call(found, user, form.cleaned_data)
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, done)
                return redirect("desk:feedback_item", number=found.number)
            return with_toast(_item_page(request, found), done)
    return _item_page(request, found, status=422, **{name: form})


@require_POST
@desk_member
def classify(request: HtmxRequest, number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.classify_feedback(item=item, actor=user, **data)

    form = ClassifyForm(request.POST)
    return _change(request, number, form, "classify_form", call, str(_("Classification saved.")))


@require_POST
@desk_member
def change_status(request: HtmxRequest, number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.change_feedback_status(
            item=item, actor=user, status=data["status"], reason=data["reason"]
        )

    form = StatusForm(request.POST)
    return _change(request, number, form, "status_form", call, str(_("Status changed.")))


@require_POST
@desk_member
def link(request: HtmxRequest, number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.link_tickets(item=item, actor=user, numbers=_numbers(data["numbers"]))

    form = LinkForm(request.POST)
    return _change(request, number, form, "link_form", call, str(_("Tickets linked.")))


@require_POST
@desk_member
def unlink(request: HtmxRequest, number: str, ticket_number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.unlink_ticket(item=item, actor=user, number=ticket_number)

    form = forms.Form(request.POST)
    return _change(request, number, form, "unlink_form", call, str(_("Ticket unlinked.")))
