"""The actions panel's changes: status, assignee, team, urgency, category, merge. Each form
carries the version the agent saw; the answer is the new panel (header and timeline
out-of-band), the form with its errors (422/409), or whose change it collided with (412)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from serviceloop.core.errors import DomainError, StaleVersion
from serviceloop.tickets import queries, services, timeline
from serviceloop.tickets.choices import Status, Urgency
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.reference import catalogue

from ...access import View, staff_view
from ...forms import apply_errors
from ...forms.ticket import (
    AssignForm,
    CategoryForm,
    MergeForm,
    TransferForm,
    TransitionForm,
    UrgencyForm,
    VersionedForm,
)
from ...htmx import HtmxRequest, with_toast
from .page import render_fragments, render_page
from .panels import actions_context, assignable, composer_context, form_ids, timeline_context

Action = Callable[[HtmxRequest, Ticket, dict[str, Any], Any], tuple[Ticket, str]]


def _act(request: HtmxRequest, number: str, name: str, run: Action) -> HttpResponse:
    """Parse the action's form, run its one use case with the version the agent saw, and
    answer with the new actions panel (header and timeline out-of-band), the form with its
    errors (422/409), or the conflict message (412)."""
    user = request.user
    ticket = queries.get_ticket_for(user, number)
    members = None
    form: forms.Form
    if name == "assign":
        members = assignable(ticket)
        form = AssignForm(request.POST, members=members, auto_id=form_ids(name))
    else:
        to = request.POST.get("to", "") if name == "transition" else ""
        form = FORMS[name](request.POST, auto_id=form_ids(name, to))
    status = 422
    if form.is_valid():
        try:
            changed, toast = run(request, ticket, form.cleaned_data, form)
        except StaleVersion:
            return _conflict(request, ticket)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            if (
                name == "transfer"
                and not queries.tickets_visible_to(user).filter(pk=ticket.pk).exists()
            ):
                return _gone(request, toast)
            return after_change(request, changed, toast)
    if not request.htmx:
        return render_page(request, ticket, bound=(name, form), status=status)
    context = actions_context(request, ticket, bound=(name, form), members=members)
    return render(request, "desk/_ticket_actions.html", context, status=status)


def after_change(request: HtmxRequest, ticket: Ticket, toast: str) -> HttpResponse:
    if not request.htmx:
        return redirect("desk:ticket", number=ticket.number)
    parts = [
        ("desk/_ticket_actions.html", actions_context(request, ticket)),
        ("desk/_ticket_header.html", {"ticket": ticket}),
        ("desk/_ticket_timeline.html", timeline_context(request, ticket)),
    ]
    if ticket.status == Status.CLOSED:  # only notes from now on
        parts.append(("desk/_ticket_composer.html", composer_context(request, ticket)))
    return with_toast(HttpResponse(render_fragments(request, *parts)), toast)


def _gone(request: HtmxRequest, toast: str) -> HttpResponse:
    """The ticket went to a team the agent is not in: back to the queue, saying so."""
    messages.success(request, gettext("%(done)s It has left your teams' queue.") % {"done": toast})
    if request.htmx:
        return HttpResponseClientRedirect(reverse("desk:queue"))
    return redirect("desk:queue")


def _conflict(request: HtmxRequest, ticket: Ticket) -> HttpResponse:
    """Someone changed the ticket after the agent loaded it: say who, store nothing."""
    who = timeline.last_changed_by(ticket)
    if who:
        message = gettext(
            "%(name)s changed this ticket while you were editing: your change was not saved. "
            "Reload to see the latest."
        ) % {"name": who}
    else:
        message = gettext(
            "Someone changed this ticket while you were editing: your change was not saved. "
            "Reload to see the latest."
        )
    if not request.htmx:
        return render_page(request, ticket, conflict=message, status=412)
    context = actions_context(request, ticket, conflict=message)
    return render(request, "desk/_ticket_actions.html", context, status=412)


def _transition(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    ticket = services.transition_ticket(
        ticket=ticket,
        to=data["to"],
        actor=request.user,
        resolution=data["resolution"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    return ticket, gettext("Status: %(status)s") % {"status": Status(ticket.status).label}


def _assign(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    assignee = form.members.get(data["assignee"]) if data["assignee"] else None
    ticket = services.assign_ticket(
        ticket=ticket, assignee=assignee, actor=request.user, expected_version=data["version"]
    )
    if assignee is None:
        return ticket, gettext("Back in the team queue.")
    return ticket, gettext("Assigned to %(name)s.") % {"name": assignee.display_name}


def _take(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    ticket = services.assign_ticket(
        ticket=ticket, assignee=request.user, actor=request.user, expected_version=data["version"]
    )
    return ticket, gettext("The ticket is yours.")


def _transfer(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    team = catalogue().teams[data["team"]]  # the form offered active teams only
    ticket = services.transfer_ticket(
        ticket=ticket,
        team=team,
        actor=request.user,
        reason=data["reason"],
        expected_version=data["version"],
    )
    return ticket, gettext("Transferred to %(team)s.") % {"team": team.name}


def _urgency(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    ticket = services.change_urgency(
        ticket=ticket, urgency=data["urgency"], actor=request.user, expected_version=data["version"]
    )
    return ticket, gettext("Urgency: %(urgency)s") % {"urgency": Urgency(ticket.urgency).label}


def _category(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    ticket = services.update_ticket_details(
        ticket=ticket,
        actor=request.user,
        changes={"category": data["category"] or None},
        expected_version=data["version"],
    )
    return ticket, gettext("Category saved.")


def _merge(
    request: HtmxRequest, ticket: Ticket, data: dict[str, Any], form: Any
) -> tuple[Ticket, str]:
    try:
        into = queries.get_ticket_for(request.user, data["into"])
    except Http404:
        raise DomainError(
            _("There is no such ticket, or you may not see it."), field="into"
        ) from None
    merged = services.merge_ticket(
        ticket=ticket,
        into=into,
        actor=request.user,
        note=data["note"],
        expected_version=data["version"],
    )
    return merged, gettext("Merged into %(number)s.") % {"number": into.number}


FORMS: dict[str, type[forms.Form]] = {
    "transition": TransitionForm,
    "take": VersionedForm,
    "transfer": TransferForm,
    "urgency": UrgencyForm,
    "category": CategoryForm,
    "merge": MergeForm,
}


def _action_view(name: str, run: Action) -> View:
    @require_POST
    @staff_view
    def view(request: HtmxRequest, number: str) -> HttpResponse:
        return _act(request, number, name, run)

    view.__name__ = view.__qualname__ = f"ticket_{name}"
    return view


ticket_transition = _action_view("transition", _transition)
ticket_assign = _action_view("assign", _assign)
ticket_take = _action_view("take", _take)
ticket_transfer = _action_view("transfer", _transfer)
ticket_urgency = _action_view("urgency", _urgency)
ticket_category = _action_view("category", _category)
ticket_merge = _action_view("merge", _merge)
