"""The portal's forms: a new request, a reply, confirming or reopening a resolved request,
signing up, and the public progress check."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serviceloop.tickets import services
from serviceloop.tickets.choices import Channel, Kind

from ..fields import MultipleFileField, category_choices
from . import set_choices


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it about?"), choices=Kind.choices)
    category = forms.ChoiceField(label=_("Topic"), required=False, choices=())
    description = forms.CharField(
        label=_("Your request"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, and what would you like us to do?"),
    )
    order_ref = forms.CharField(
        label=_("Order number"),
        required=False,
        max_length=64,
        help_text=_("If your request is about an order."),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        help_text=_("Optional: up to 10 files."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", [("", _("Not sure")), *category_choices()])

    def draft(self) -> services.TicketDraft:
        data = self.cleaned_data
        return services.TicketDraft(
            description=data["description"],
            kind=data["kind"],
            category=data["category"] or None,
            order_ref=data["order_ref"],
            door=Channel.WEB,
        )


class ReplyForm(forms.Form):
    content = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReopenForm(ConfirmForm):
    reason = forms.CharField(
        label=_("What is still not solved?"),
        widget=forms.Textarea(attrs={"rows": 3, "id": "sl-reopen-reason", "hx-preserve": "true"}),
        max_length=2_000,
    )


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=150,
        help_text=_("You sign in with it; we send the activation link to it."),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") != data["password"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Ticket number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"placeholder": "CS-20261122-000123", "autocapitalize": "characters"}
        ),
    )
    contact = forms.CharField(
        label=_("E-mail or phone"),
        max_length=254,
        help_text=_("The one you gave us with your request."),
    )
