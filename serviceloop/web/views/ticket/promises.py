"""The ticket's promises (commitments): marking one kept, agreeing a new time with the reason
the customer is told."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from serviceloop.core.errors import DomainError
from serviceloop.tickets import queries, services

from ...access import staff_view
from ...forms import apply_errors
from ...forms.ticket import RenegotiateForm
from ...htmx import HtmxRequest
from .actions import after_change
from .page import render_page
from .panels import actions_context, form_ids


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
        response = after_change(request, ticket, str(error.message))
        response.status_code = 409
        return response
    return after_change(request, queries.get_ticket_for(user, number), gettext("Marked as kept."))


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
    form = RenegotiateForm(request.POST, prefix=f"p{promise.pk}", auto_id=form_ids("renegotiate"))
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
            return after_change(request, queries.get_ticket_for(user, number), toast)
    bound: tuple[str, forms.Form] = ("renegotiate", form)
    if not request.htmx:
        return render_page(request, ticket, bound=bound, status=status)
    context = actions_context(request, ticket, bound=bound)
    return render(request, "desk/_ticket_actions.html", context, status=status)
