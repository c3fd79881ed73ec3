"""The agent's ticket page's forms: each action on the ticket carries the version the agent
saw; the composer writes a reply, an internal note or a logged contact."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.tickets.choices import Channel, Direction, Emotion, Status, Urgency
from serviceloop.tickets.reference import catalogue

from ..fields import MultipleFileField, category_choices
from . import set_choices


class VersionedForm(forms.Form):
    """An action on the ticket as the agent saw it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    resolution = forms.CharField(
        label=_("Resolution summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer sees it."),
    )
    reason = forms.CharField(
        label=_("Why is it reopened?"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(VersionedForm):
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in members}
        set_choices(
            self,
            "assignee",
            [("", _("Nobody (team queue)"))]
            + [(pk, member.display_name) for pk, member in self.members.items()],
        )


class TransferForm(VersionedForm):
    team = forms.ChoiceField(label=_("Team"))
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.TextInput(
            attrs={"class": "form-control-sm mt-1", "placeholder": _("Reason (optional)")}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "team", [(code, team.name) for code, team in catalogue().teams.items()])


class UrgencyForm(VersionedForm):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)


class CategoryForm(VersionedForm):
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", [("", _("None")), *category_choices()])


class MergeForm(VersionedForm):
    into = forms.CharField(label=_("Number of the ticket that stays"), max_length=32)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2_000)


class ConfirmContactForm(forms.Form):
    """Staff confirming that a contact someone typed is the customer's own."""

    reason = forms.CharField(
        label=_("How do you know it is theirs?"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. checked with the customer on the phone")}
        ),
    )


class RenegotiateForm(forms.Form):
    """A new time for a promise, and why: the customer is told both (with an apology)."""

    due_at = forms.DateTimeField(
        label=_("New due time"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Reason the customer will be told"),
        required=False,  # the use case says what is missing, in one place
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    text = forms.CharField(
        label=_("New wording (optional)"),
        required=False,
        max_length=500,
        help_text=_("Empty: the promise keeps its wording."),
    )


MODES = [
    ("reply", _("Reply to the customer")),
    ("note", _("Internal note")),
    ("contact", _("Logged call or visit")),
]
CONTACT_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.API]


class ComposerForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What is it?"),
        choices=MODES,
        initial="reply",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    content = forms.CharField(
        label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", "—"), *CONTACT_CHANNELS]
    )
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", "—"), *Direction.choices]
    )
    emotion = forms.ChoiceField(
        label=_("Customer emotion"),
        required=False,
        choices=[("", _("Not noted")), *Emotion.choices],
    )
    commitment_text = forms.CharField(label=_("Promise (optional)"), required=False, max_length=500)
    commitment_due = forms.DateTimeField(
        label=_("Due"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    attachments = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args: Any, closed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if closed:  # a closed ticket takes internal notes only (add_interaction)
            set_choices(self, "mode", [MODES[1]])
            self.fields["mode"].initial = "note"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "contact":
            for name in ("channel", "direction"):
                if not data.get(name):
                    self.add_error(name, _("Say how the customer was in contact."))
        return data
