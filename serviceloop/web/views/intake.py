"""New ticket for agents: log a phone call, a visit, a mail or a chat as a ticket.

The customer is picked with a typeahead (customers.lookup) or described in a small
"new customer" part; creation goes through tickets.services.create_ticket like every
other channel, so the core's duplicate guard applies here too.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError, ValidationFailed
from serviceloop.core.ids import parse_id
from serviceloop.customers import lookup
from serviceloop.tickets import picker, services
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import tickets_visible_to

from ..access import works_tickets
from ..forms import apply_errors
from ..forms.intake import NewTicketForm
from ..htmx import HtmxRequest

# The core's field names -> this form's.
_FORM_FIELD = {
    "customer": "customer_query",
    "customer_id": "customer_query",
    "customer.external_id": "customer_query",
    "customer.email": "new_email",
    "customer.phone": "new_phone",
    "content": "answer",
}


def _on_form(error: DomainError) -> ValidationFailed:
    """The service's refusal with its field names as this form calls them."""
    problems = error.errors if isinstance(error, ValidationFailed) else {error.field: error.message}
    return ValidationFailed({_FORM_FIELD.get(k or "", k or ""): v for k, v in problems.items()})


def _picked(form: NewTicketForm, user: User) -> dict[str, Any]:
    """What the picker shows for the customer the form carries (after a refused submit)."""
    raw = form["customer_id"].value()
    customer_id = parse_id(str(raw or ""))
    return _pick_context(customer_id, user)


def _pick_context(customer_id: int | None, user: User) -> dict[str, Any]:
    """The picked customer, their open tickets of the last days that the user sees, and how
    many other open tickets they have."""
    matches = picker.describe([customer_id]) if customer_id else []
    if not matches:
        return {"picked": None}
    picked = matches[0]
    recent = picker.recent_open_tickets(picked.customer.pk, user=user)
    return {
        "picked": picked,
        "recent": recent,
        "elsewhere": max(picked.open_tickets - len(recent), 0),
    }


def _open_created(request: HtmxRequest, ticket: Ticket) -> HttpResponse:
    """Open the new ticket; when its category sent it to a team the user is not in, say
    where it went and offer the form again (the ticket page would be a 404 for them)."""
    user = request.user
    if tickets_visible_to(user).filter(pk=ticket.pk).exists():
        return redirect("desk:ticket", ticket.number)
    team = ticket.team.name if ticket.team else "—"
    messages.success(
        request,
        _("Ticket %(number)s is created; it went to the team %(team)s.")
        % {"number": ticket.number, "team": team},
    )
    return redirect("desk:new")


@works_tickets
def new_ticket(request: HtmxRequest) -> HttpResponse:
    """GET: the form. POST: create the ticket (and its first contact), then open it."""
    user = request.user
    status, duplicate = 200, None
    if request.method == "POST":
        form = NewTicketForm(request.POST)
        if form.is_valid():
            try:
                intake = services.submit_ticket(
                    actor=user, draft=form.draft(), answer=form.cleaned_data["answer"]
                )
            except DomainError as error:
                apply_errors(form, _on_form(error))
            else:
                if intake.created:
                    return _open_created(request, intake.ticket)
                duplicate = intake.ticket
        status = 409 if duplicate else 422
    else:
        form = NewTicketForm()
    context: dict[str, Any] = {"form": form, "duplicate": duplicate, **_picked(form, user)}
    query = lookup.clean_query(str(form["customer_query"].value() or ""))
    if form.is_bound and context["picked"] is None and query:
        # Enter in the search box submits the form: show what the search finds
        context.update(matches=picker.describe(lookup.find_customers(query)), query=query)
    return render(request, "desk/new.html", context, status=status)


@require_GET
@works_tickets
def customer_search(request: HtmxRequest) -> HttpResponse:
    """The typeahead's results (a fragment): customers by phone, e-mail, name or CRM id."""
    query = lookup.clean_query(request.GET.get("customer_query", ""))
    matches = picker.describe(lookup.find_customers(query))
    return render(request, "desk/_new_results.html", {"matches": matches, "query": query})


@require_GET
@works_tickets
def customer_pick(request: HtmxRequest) -> HttpResponse:
    """The picked customer (a fragment), with their recent open tickets as a warning;
    without a valid `customer`, the empty picker."""
    raw = request.GET.get("customer", "")
    customer_id = parse_id(raw)
    context = _pick_context(customer_id, request.user)
    return render(request, "desk/_new_picked.html", {**context, "fragment": True})


urlpatterns = [
    path("new/", new_ticket, name="new"),
    path("new/customers/", customer_search, name="customer_search"),
    path("new/customers/pick/", customer_pick, name="customer_pick"),
]
