"""The queue's forms: the filter bar, saving a view, the bulk bar."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.desk import queue as desk_queue
from serviceloop.tickets.choices import Channel, Kind, Status, Urgency
from serviceloop.tickets.queries import TicketFilter
from serviceloop.tickets.reference import catalogue
from serviceloop.tickets.services import bulk as bulk_services

from ..fields import category_choices
from . import blank_first, set_choices

FILTERS = ("q", "status", "kind", "urgency", "channel", "category", "team", "assignee")
DATES = ("created_after", "created_before")


class QueueForm(forms.Form):
    """The filter bar (GET). Its cleaned values become a TicketFilter and the canonical query
    string that links, "load more" and saved views carry."""

    view = forms.ChoiceField(
        choices=[(v.code, v.label) for v in desk_queue.VIEWS], widget=forms.HiddenInput
    )
    q = forms.CharField(label=_("Search"), max_length=200, required=False, widget=forms.SearchInput)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank_first(_("Any status"), [("open", _("Open (not resolved)")), *Status.choices]),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=blank_first(_("Any kind"), Kind.choices)
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=blank_first(_("Any urgency"), Urgency.choices)
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=blank_first(_("Any channel"), Channel.choices)
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    created_after = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Order"), choices=[(s.code, s.label) for s in desk_queue.SORTS]
    )

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = catalogue()
        set_choices(self, "category", blank_first(_("Any category"), category_choices()))
        teams = sorted((t.code, t.name) for t in known.teams.values())
        set_choices(self, "team", blank_first(_("Any team"), teams))
        set_choices(
            self,
            "assignee",
            blank_first(
                _("Anyone"),
                [("me", _("Me")), ("none", _("Nobody (unassigned)"))]
                + [(str(p.pk), p.display_name) for p in people],
            ),
        )
        for field in self.fields.values():
            if field.widget.is_hidden:
                continue
            small = "form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control-sm"
            field.widget.attrs.setdefault("class", small)
        self.fields["q"].widget.attrs.update(
            {"data-sl-search": "", "placeholder": _("Number, words, customer")}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and before < after:
            self.add_error("created_before", _("The end date is before the start date."))
        return data

    def ticket_filter(self) -> TicketFilter:
        data = self.cleaned_data
        before: date | None = data["created_before"]
        return TicketFilter(
            status=(data["status"],) if data["status"] else (),
            kind=(data["kind"],) if data["kind"] else (),
            urgency=(data["urgency"],) if data["urgency"] else (),
            channel=(data["channel"],) if data["channel"] else (),
            category=data["category"] or None,
            team=data["team"] or None,
            assignee=data["assignee"] or None,
            created_after=_start_of(data["created_after"]),
            created_before=_start_of(before + timedelta(days=1) if before else None),
            q=data["q"].strip(),
        )

    def query_string(self) -> str:
        """The filters in a fixed order, without empty ones: equal filters, equal strings."""
        data = self.cleaned_data
        pairs = [(name, str(data[name])) for name in ("view", *FILTERS) if data.get(name)]
        pairs += [(name, data[name].isoformat()) for name in DATES if data.get(name)]
        pairs.append(("sort", data["sort"]))
        query = QueryDict(mutable=True)
        for name, value in pairs:
            query[name] = value
        return query.urlencode()

    @property
    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in (*FILTERS, *DATES))


def _start_of(day: date | None) -> datetime | None:
    """Midnight at the start of `day` in the user's time zone."""
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class SaveViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)


class TicketNumbers(forms.Field):
    """The ticket numbers of the checked rows (one `numbers` value per row)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(number) for number in value or []]


class BulkForm(forms.Form):
    """Shape only; the values are checked by bulk_change."""

    numbers = TicketNumbers(required=False)
    action = forms.ChoiceField(choices=[(a, a) for a in bulk_services.ACTIONS])
    assignee = forms.CharField(required=False)
    team = forms.CharField(required=False)
    urgency = forms.CharField(required=False)
    query = forms.CharField(required=False)

    def value(self) -> str:
        return str(self.cleaned_data[bulk_services.VALUE_FIELD[self.cleaned_data["action"]]])
