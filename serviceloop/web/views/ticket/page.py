"""The agent's ticket page (desk:ticket) and its htmx endpoints.

One page: header, timeline and composer, actions panel, customer panel (客户画像). Each
action posts one small form with the ticket `version` it was rendered with; the answer is
the re-rendered actions panel with the header and timeline swapped out-of-band, so every
form carries the new version. A stale version answers 412 with whose change it collided
with; refused input answers 422 (409 for a state that forbids it) with the form's errors.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from serviceloop.accounts.choices import TICKET_WORKER_ROLES
from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError, StaleVersion
from serviceloop.customers.queries import get_customer_for
from serviceloop.tickets import queries, services, timeline, transitions
from serviceloop.tickets.choices import CommitmentStatus, Direction, Status, Urgency
from serviceloop.tickets.models import Commitment, Ticket
from serviceloop.tickets.reference import catalogue
from serviceloop.tickets.services import canned

from ...access import View, staff_view
from ...forms import apply_errors
from ...forms.ticket import (
    AssignForm,
    CategoryForm,
    ComposerForm,
    MergeForm,
    RenegotiateForm,
    TransferForm,
    TransitionForm,
    UrgencyForm,
    VersionedForm,
)
from ...htmx import HtmxRequest, with_toast


@dataclass(frozen=True)
class PromiseAction:
    promise: Commitment
    form: RenegotiateForm


# --- reading the page ----------------------------------------------------------------------


# What the status buttons say, where a verb reads better than the status's name.
ACTION_LABELS: dict[str, Promise] = {
    Status.RESOLVED: _("Resolve"),
    Status.CLOSED: _("Close"),
    "reopen": _("Reopen"),
}


@dataclass(frozen=True)
class TransitionOption:
    value: str
    label: Promise | str
    asks: str  # "resolution", "reason" or ""
    form: TransitionForm


def _assignable(ticket: Ticket) -> list[User]:
    """Who the ticket may be given to from the page: its team's active members who work
    tickets (and the current assignee, so the select shows the truth)."""
    members: list[User] = []
    if ticket.team_id is not None:
        members = list(
            User.objects.filter(
                memberships__team_id=ticket.team_id, is_active=True, role__in=TICKET_WORKER_ROLES
            )
            .only("full_name", "first_name", "last_name", "username", "role", "is_active")
            .order_by("full_name", "username")
        )
    if ticket.assignee is not None and all(m.pk != ticket.assignee_id for m in members):
        members.append(ticket.assignee)
    return members


def _auto_id(name: str, to: str = "") -> str:
    """Element ids per form: the panel holds several forms with the same field names."""
    return f"{name}-{to}_%s" if to else f"{name}_%s"


def _action_forms(
    ticket: Ticket, members: list[User], bound: tuple[str, forms.Form] | None = None
) -> dict[str, Any]:
    """The panel's forms with the ticket's current version; `bound` (name, form) is the one
    just posted, shown with its errors."""
    version = {"version": ticket.version}
    team = ticket.team.code if ticket.team else ""
    category = ticket.category.code if ticket.category else ""
    found: dict[str, Any] = {
        "assign": AssignForm(
            initial={**version, "assignee": ticket.assignee_id or ""},
            members=members,
            auto_id=_auto_id("assign"),
        ),
        "take": VersionedForm(initial=version, auto_id=_auto_id("take")),
        "transfer": TransferForm(initial={**version, "team": team}, auto_id=_auto_id("transfer")),
        "urgency": UrgencyForm(
            initial={**version, "urgency": ticket.urgency}, auto_id=_auto_id("urgency")
        ),
        "category": CategoryForm(
            initial={**version, "category": category}, auto_id=_auto_id("category")
        ),
        "merge": MergeForm(initial=version, auto_id=_auto_id("merge")),
    }
    posted = bound[1] if bound and bound[0] == "transition" else None
    options = []
    for target in transitions.allowed_targets(ticket.status):
        asks = ""
        if target == Status.RESOLVED:
            asks = "resolution"
        elif transitions.is_reopen(ticket.status, target):
            asks = "reason"
        form = posted if posted is not None and posted.data.get("to") == target else None
        options.append(
            TransitionOption(
                value=target,
                label=ACTION_LABELS.get("reopen" if asks == "reason" else target, target.label),
                asks=asks,
                form=cast(TransitionForm, form)
                or TransitionForm(
                    initial={**version, "to": target}, auto_id=_auto_id("transition", target)
                ),
            )
        )
    found["transitions"] = options
    found["transition_errors"] = (
        [*posted.errors.get("to", []), *posted.non_field_errors()] if posted is not None else []
    )
    if bound and bound[0] != "transition":
        found[bound[0]] = bound[1]
    return found


def _actions_context(
    request: HtmxRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    conflict: str = "",
    members: list[User] | None = None,
) -> dict[str, Any]:
    if members is None:
        members = _assignable(ticket)
    user = request.user
    promises = _promise_actions(ticket, bound)
    return {
        "ticket": ticket,
        "forms": _action_forms(ticket, members, bound),
        "can_take": ticket.assignee_id != user.pk and any(m.pk == user.pk for m in members),
        "conflict": conflict,
        "promise_actions": promises,
        "missed": [item for item in promises if item.promise.status == CommitmentStatus.MISSED],
    }


def _promise_actions(
    ticket: Ticket, bound: tuple[str, forms.Form] | None = None
) -> list[PromiseAction]:
    """This ticket's promises that can still be renegotiated (open, or missed and the
    customer not yet told), each with its form; the one just posted keeps its errors."""
    if ticket.status == Status.CLOSED:
        return []
    posted = bound[1] if bound and bound[0] == "renegotiate" else None
    found = []
    for promise in Commitment.objects.filter(
        ticket=ticket, status__in=[CommitmentStatus.OPEN, CommitmentStatus.MISSED]
    ).order_by("due_at", "id"):
        form = posted if posted is not None and posted.prefix == f"p{promise.pk}" else None
        found.append(
            PromiseAction(
                promise=promise,
                form=cast(RenegotiateForm, form)
                or RenegotiateForm(prefix=f"p{promise.pk}", auto_id=_auto_id("renegotiate")),
            )
        )
    return found


def _timeline_context(request: HtmxRequest, ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "entries": timeline.timeline_of(ticket, user=request.user),
        "can_work": request.user.works_tickets,
    }


def _composer_context(
    request: HtmxRequest, ticket: Ticket, form: ComposerForm | None = None
) -> dict[str, Any]:
    closed = ticket.status == Status.CLOSED
    return {
        "ticket": ticket,
        "composer": form or ComposerForm(closed=closed),
        "closed": closed,
        "canned_replies": canned.canned_replies_for(user=request.user, ticket=ticket),
    }


def _customer_context(request: HtmxRequest, ticket: Ticket) -> dict[str, Any]:
    user = request.user
    customer = get_customer_for(user, ticket.customer_id)
    return {
        "customer": customer,
        "history": queries.customer_history(customer, user=user, limit=10),
        "promises": timeline.open_commitments_of_customer(customer, user=user),
    }


def _page_context(
    request: HtmxRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    composer: ComposerForm | None = None,
    conflict: str = "",
) -> dict[str, Any]:
    context: dict[str, Any] = {"ticket": ticket, "can_work": request.user.works_tickets}
    context.update(_timeline_context(request, ticket))
    context.update(_customer_context(request, ticket))
    if request.user.works_tickets:
        context.update(_composer_context(request, ticket, composer))
        context.update(_actions_context(request, ticket, bound=bound, conflict=conflict))
    return context


def _page(request: HtmxRequest, ticket: Ticket, *, status: int = 200, **parts: Any) -> HttpResponse:
    return render(
        request, "desk/ticket.html", _page_context(request, ticket, **parts), status=status
    )


def _fragments(request: HtmxRequest, *parts: tuple[str, dict[str, Any]]) -> str:
    """Render templates one after the other; the first is the swap target's new content,
    the others carry hx-swap-oob (`oob` in their context)."""
    html = []
    for index, (template, context) in enumerate(parts):
        html.append(render_to_string(template, {**context, "oob": index > 0}, request))
    return "".join(html)


# --- the page ------------------------------------------------------------------------------


@require_GET
@staff_view
def ticket_page(request: HtmxRequest, number: str) -> HttpResponse:
    """The whole page; an htmx GET (the conflict message's reload button) gets the
    workspace alone."""
    ticket = queries.get_ticket_for(request.user, number)
    context = _page_context(request, ticket)
    if request.htmx:
        return render(request, "desk/ticket.html#workspace", context)
    return render(request, "desk/ticket.html", context)


@require_GET
@staff_view
def canned_reply(request: HtmxRequest, number: str) -> HttpResponse:
    """The composer's text area filled with a canned reply (placeholders resolved)."""
    if not request.user.works_tickets:
        raise PermissionDenied
    ticket = queries.get_ticket_for(request.user, number)
    chosen = request.GET.get("reply", "")
    if not chosen:
        return HttpResponse(status=204)  # "choose a reply" again: keep what is written
    offered = {str(r.pk): r for r in canned.canned_replies_for(user=request.user, ticket=ticket)}
    if chosen not in offered:
        raise Http404("canned reply")
    text = canned.render_canned_reply(offered[chosen], ticket, request.user)
    return render(
        request, "desk/_ticket_content.html", {"composer": ComposerForm(initial={"content": text})}
    )


@require_POST
@staff_view
def compose(request: HtmxRequest, number: str) -> HttpResponse:
    """Post the composer: reply, internal note or logged contact, with promise and files."""
    user = request.user
    ticket = queries.get_ticket_for(user, number)
    form = ComposerForm(request.POST, request.FILES, closed=ticket.status == Status.CLOSED)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        mode = data["mode"]
        try:
            services.post_interaction(
                ticket=ticket,
                actor=user,
                content=data["content"],
                is_internal=mode == "note",
                channel=data["channel"] if mode == "contact" else None,
                direction=data["direction"] if mode == "contact" else Direction.OUTBOUND,
                emotion=data["emotion"],
                commitment_text=data["commitment_text"],
                commitment_due=data["commitment_due"],
                attachments=data["attachments"],
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("desk:ticket", number=ticket.number)
            ticket = queries.get_ticket_for(user, number)  # the reply may have moved its status
            html = _fragments(
                request,
                ("desk/_ticket_composer.html", _composer_context(request, ticket)),
                ("desk/_ticket_timeline.html", _timeline_context(request, ticket)),
                ("desk/_ticket_header.html", {"ticket": ticket}),
                ("desk/_ticket_actions.html", _actions_context(request, ticket)),
            )
            toast = (
                gettext("Internal note added.")
                if mode == "note"
                else gettext("Saved to the conversation.")
            )
            return with_toast(HttpResponse(html), toast)
    if not request.htmx:
        return _page(request, ticket, composer=form, status=status)
    return render(
        request,
        "desk/_ticket_composer.html",
        _composer_context(request, ticket, form),
        status=status,
    )


# --- actions -------------------------------------------------------------------------------


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
        members = _assignable(ticket)
        form = AssignForm(request.POST, members=members, auto_id=_auto_id(name))
    else:
        to = request.POST.get("to", "") if name == "transition" else ""
        form = FORMS[name](request.POST, auto_id=_auto_id(name, to))
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
            return _changed(request, changed, toast)
    if not request.htmx:
        return _page(request, ticket, bound=(name, form), status=status)
    context = _actions_context(request, ticket, bound=(name, form), members=members)
    return render(request, "desk/_ticket_actions.html", context, status=status)


def _changed(request: HtmxRequest, ticket: Ticket, toast: str) -> HttpResponse:
    if not request.htmx:
        return redirect("desk:ticket", number=ticket.number)
    parts = [
        ("desk/_ticket_actions.html", _actions_context(request, ticket)),
        ("desk/_ticket_header.html", {"ticket": ticket}),
        ("desk/_ticket_timeline.html", _timeline_context(request, ticket)),
    ]
    if ticket.status == Status.CLOSED:  # only notes from now on
        parts.append(("desk/_ticket_composer.html", _composer_context(request, ticket)))
    return with_toast(HttpResponse(_fragments(request, *parts)), toast)


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
        return _page(request, ticket, conflict=message, status=412)
    context = _actions_context(request, ticket, conflict=message)
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


@require_POST
@staff_view
def keep_promise(request: HtmxRequest, number: str, commitment_id: int) -> HttpResponse:
    """Mark an open promise of this ticket as kept (services.keep_commitment)."""
    user = request.user
    ticket = queries.get_ticket_for(user, number)
    promise = queries.get_commitment_for(user, commitment_id)
    if promise.ticket_id != ticket.pk:
        raise Http404("commitment")
    try:
        services.keep_commitment(commitment=promise, actor=user)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from error
        response = _changed(request, ticket, str(error.message))
        response.status_code = 409
        return response
    return _changed(request, queries.get_ticket_for(user, number), gettext("Marked as kept."))


@require_POST
@staff_view
def renegotiate_promise(request: HtmxRequest, number: str, commitment_id: int) -> HttpResponse:
    """Agree a new time for an open or missed promise, with the reason the customer is told
    (services.renegotiate_commitment)."""
    user = request.user
    if not user.works_tickets:
        raise PermissionDenied
    ticket = queries.get_ticket_for(user, number)
    promise = queries.get_commitment_for(user, commitment_id)
    if promise.ticket_id != ticket.pk:
        raise Http404("commitment")
    form = RenegotiateForm(request.POST, prefix=f"p{promise.pk}", auto_id=_auto_id("renegotiate"))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.renegotiate_commitment(
                commitment=promise,
                actor=user,
                due_at=data["due_at"],
                reason=data["reason"],
                text=data["text"],
            )
        except DomainError as error:
            if error.status == 403:
                raise PermissionDenied from error
            apply_errors(form, error)
            status = error.status
        else:
            toast = gettext("New time agreed; the customer is told why.")
            return _changed(request, queries.get_ticket_for(user, number), toast)
    bound: tuple[str, forms.Form] = ("renegotiate", form)
    if not request.htmx:
        return _page(request, ticket, bound=bound, status=status)
    context = _actions_context(request, ticket, bound=bound)
    return render(request, "desk/_ticket_actions.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/", ticket_page, name="ticket"),
    path("tickets/<str:number>/compose/", compose, name="ticket_compose"),
    path("tickets/<str:number>/canned/", canned_reply, name="ticket_canned"),
    path(
        "tickets/<str:number>/status/",
        _action_view("transition", _transition),
        name="ticket_transition",
    ),
    path("tickets/<str:number>/assign/", _action_view("assign", _assign), name="ticket_assign"),
    path("tickets/<str:number>/take/", _action_view("take", _take), name="ticket_take"),
    path(
        "tickets/<str:number>/transfer/",
        _action_view("transfer", _transfer),
        name="ticket_transfer",
    ),
    path("tickets/<str:number>/urgency/", _action_view("urgency", _urgency), name="ticket_urgency"),
    path(
        "tickets/<str:number>/category/",
        _action_view("category", _category),
        name="ticket_category",
    ),
    path("tickets/<str:number>/merge/", _action_view("merge", _merge), name="ticket_merge"),
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
]
