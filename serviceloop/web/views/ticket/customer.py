"""The customer panel's own action: confirming that a contact is the customer's."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from serviceloop.core.errors import DomainError
from serviceloop.customers import services as customer_services
from serviceloop.tickets import queries

from ...access import staff_view
from ...forms import apply_errors
from ...forms.ticket import ConfirmContactForm
from ...htmx import HtmxRequest
from .panels import customer_context


@require_POST
@staff_view
def confirm_contact(request: HtmxRequest, number: str, contact_id: int) -> HttpResponse:
    """Confirm one of the ticket's customer's contacts (customers.services.confirm_contact);
    the answer is the customer panel again."""
    user = request.user
    if not user.works_tickets:
        raise PermissionDenied
    ticket = queries.get_ticket_for(user, number)
    contact = ticket.customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("contact")
    form = ConfirmContactForm(request.POST, prefix=f"c{contact.pk}")
    bound: tuple[int, ConfirmContactForm] | None = (contact.pk, form)  # shown with its errors
    status = 422
    if form.is_valid():
        try:
            customer_services.confirm_contact(
                contact=contact, actor=user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            if error.status == 403:
                raise PermissionDenied from error
            apply_errors(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("desk:ticket", number)
            bound, status = None, 200
    context = {**customer_context(request, ticket, bound=bound), "ticket": ticket}
    return render(request, "desk/_ticket_customer.html", context, status=status)
