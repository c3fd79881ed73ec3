"""The customer's feedback page in the portal (/portal/feedback/): the form, and what they
sent with its status."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from serviceloop.core.errors import DomainError
from serviceloop.customers.models import Customer
from serviceloop.feedback import queries, services
from serviceloop.feedback.choices import Source
from serviceloop.tickets.queries import tickets_visible_to

from ...access import customer_required
from ...forms import apply_errors
from ...forms.feedback import CustomerFeedbackForm
from ...htmx import HtmxRequest


@require_http_methods(["GET", "POST"])
@customer_required
def portal_feedback(request: HtmxRequest) -> HttpResponse:
    """The customer's feedback: the form, and what they sent with its status."""
    user = request.user
    customer = Customer.objects.filter(user=user).first()
    mine = tickets_visible_to(user).filter(customer=customer).order_by("-created_at")[:50]
    choices = [(t.number, f"{t.number} · {t.subject}") for t in mine]
    form = CustomerFeedbackForm(request.POST or None, tickets=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if customer is None:
                raise DomainError(_("Your login has no customer record."))
            tickets = (
                queries.tickets_numbered(user, [data["ticket"]], field="ticket")
                if data["ticket"]
                else []
            )
            sent = services.register_feedback(
                source=Source.CUSTOMER,
                title=data["title"],
                text=data["text"],
                actor=user,
                customer=customer,
                tickets=tickets,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you for your feedback. Its number is %(number)s.")
                % {"number": sent.number},
            )
            return redirect("portal:feedback")
    items = list(queries.feedback_visible_to(user)[:100])
    status = 422 if form.errors else 200
    return render(request, "portal/feedback.html", {"form": form, "items": items}, status=status)
