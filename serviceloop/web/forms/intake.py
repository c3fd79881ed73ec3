"""The agent's form for a new ticket: a call, a visit, a mail or a chat logged by hand."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from serviceloop.core.ids import MAX_ID
from serviceloop.customers import lookup
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.choices import Channel, Kind, Urgency
from serviceloop.tickets.services.creation import MAX_DESCRIPTION

from ..fields import category_choices
from . import set_choices

# The channels an agent logs by hand (the API and the portal have their own doors).
LOGGED_CHANNELS = (
    Channel.PHONE, Channel.ONSITE, Channel.EMAIL, Channel.CHAT, Channel.SMS, Channel.WEB,
)  # fmt: skip


class NewTicketForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in LOGGED_CHANNELS],
        initial=Channel.PHONE,
    )
    customer_id = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    customer_query = forms.CharField(
        label=_("Find the customer"), required=False, max_length=lookup.MAX_QUERY
    )
    new_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    new_email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.INQUIRY)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=())
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.MEDIUM)
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=200,
        help_text=_("Empty: the first line of the description."),
    )
    description = forms.CharField(
        label=_("What the customer asked or reported"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    answer = forms.CharField(
        label=_("What was answered"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded as the first contact of the ticket."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", [("", "—"), *category_choices()])
        # the typeahead: results after a pause in typing, the older request dropped
        self.fields["customer_query"].widget.attrs.update(
            {
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Phone, e-mail or name"),
                "hx-get": reverse("desk:customer_search"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#sl-customer-results",
                "hx-sync": "this:replace",
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_error("customer_id"):  # a hidden field: say it where the picker is
            del self.errors["customer_id"]
            self.add_error("customer_query", _("There is no customer with this id."))
            return data
        if not data.get("customer_id") and not (data.get("new_phone") or data.get("new_email")):
            self.add_error(
                "customer_query",
                _("Pick a customer from the search, or give a new customer's phone or e-mail."),
            )
        return data

    def draft(self) -> services.TicketDraft:
        data = self.cleaned_data
        picked = data["customer_id"]
        return services.TicketDraft(
            description=data["description"],
            subject=data["subject"],
            kind=data["kind"],
            urgency=data["urgency"],
            channel=data["channel"],
            category=data["category"] or None,
            customer_id=picked,
            customer=None
            if picked
            else CustomerIdentity(
                name=data["new_name"], phone=data["new_phone"], email=data["new_email"]
            ),
        )
