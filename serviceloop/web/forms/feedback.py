"""The feedback pages' forms: the register's filters and bulk bar, sending feedback as staff,
classifying an item, staff surveys and their answers, the customer's feedback in the portal."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serviceloop.feedback import queries
from serviceloop.feedback.choices import (
    FeedbackStatus,
    FeedbackType,
    FeedbackUrgency,
    Nature,
    QuestionKind,
    Source,
    Stage,
)
from serviceloop.feedback.models import FeedbackItem, StaffSurvey
from serviceloop.feedback.questions import question_text
from serviceloop.tickets.reference import catalogue

from ..fields import category_choices
from . import blank_first, set_choices

FILTERS = ("q", "source", "type", "stage", "nature", "urgency", "status", "team", "category")
DATES = ("created_after", "created_before")


def _unclassified(choices: Any) -> list[tuple[str, Any]]:
    return [*choices, (queries.UNCLASSIFIED, _("Not classified yet"))]


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class RegisterForm(forms.Form):
    """The filter bar (GET); its cleaned values become a FeedbackFilter and the canonical
    query string that links, "load more", exports and bulk changes carry."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False, widget=forms.SearchInput)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=blank_first(_("Any source"), Source.choices)
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=blank_first(_("Any type"), _unclassified(FeedbackType.choices)),
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=blank_first(_("Any stage"), _unclassified(Stage.choices)),
    )
    nature = forms.ChoiceField(
        label=_("Nature"),
        required=False,
        choices=blank_first(_("Any nature"), _unclassified(Nature.choices)),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=blank_first(_("Any urgency"), FeedbackUrgency.choices),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank_first(_("Any status"), FeedbackStatus.choices),
    )
    team = forms.ChoiceField(label=_("Team"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    created_after = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_before = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = sorted((team.code, team.name) for team in catalogue().teams.values())
        set_choices(self, "team", blank_first(_("Any team"), teams))
        set_choices(self, "category", blank_first(_("Any category"), category_choices()))
        for field in self.fields.values():
            small = "form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control-sm"
            field.widget.attrs.setdefault("class", small)
        self.fields["q"].widget.attrs.update(
            {"data-sl-search": "", "placeholder": _("Number or words")}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        after, before = data.get("created_after"), data.get("created_before")
        if after and before and before < after:
            self.add_error("created_before", _("The end date is before the start date."))
        return data

    def feedback_filter(self, *, with_status: bool = True) -> queries.FeedbackFilter:
        data = self.cleaned_data
        before: date | None = data["created_before"]
        choices = {
            name: (data[name],) if data[name] else ()
            for name in ("source", "type", "stage", "nature", "urgency", "status")
        }
        if not with_status:
            choices["status"] = ()
        return queries.FeedbackFilter(
            **choices,
            team=data["team"] or None,
            category=data["category"] or None,
            created_after=_start_of(data["created_after"]),
            created_before=_start_of(before + timedelta(days=1) if before else None),
            q=data["q"].strip(),
        )

    def query_string(self, **changes: str) -> str:
        """The filters in a fixed order without empty ones, with `changes` applied."""
        data = self.cleaned_data
        values = {name: str(data[name]) for name in FILTERS if data.get(name)}
        values |= {name: data[name].isoformat() for name in DATES if data.get(name)}
        values |= changes
        query = QueryDict(mutable=True)
        for name in (*FILTERS, *DATES):
            if values.get(name):
                query[name] = values[name]
        return query.urlencode()

    @property
    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in (*FILTERS, *DATES))


class BulkForm(forms.Form):
    """The bulk bar: the checked rows and the values to set ("" leaves a field as it is)."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=blank_first(_("Type: unchanged"), FeedbackType.choices),
        required=False,
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=blank_first(_("Stage: unchanged"), Stage.choices), required=False
    )
    nature = forms.ChoiceField(
        label=_("Nature"),
        choices=blank_first(_("Nature: unchanged"), Nature.choices),
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=blank_first(_("Urgency: unchanged"), FeedbackUrgency.choices),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=blank_first(_("Status: unchanged"), FeedbackStatus.choices),
        required=False,
    )
    reason = forms.CharField(max_length=2_000, required=False)
    query = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sl-bulk-%s")  # the filter bar above has the same names
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select-sm")
        # any id is a valid shape: bulk_classify says which ones do not exist
        ids = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        set_choices(self, "ids", [(value, value) for value in ids])

    def changes(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data[name] for name in ("type", "stage", "nature", "urgency") if data[name]}


class StaffFeedbackForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional: the first line of the text serves otherwise."),
    )
    text = forms.CharField(
        label=_("What did you notice?"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A gap in a process, a missing resource, something customers struggle with."),
    )
    tickets = forms.CharField(
        label=_("Related tickets"),
        max_length=2_000,
        required=False,
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        help_text=_("Nothing records that it was you, not even the audit trail."),
    )


class ClassifyForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=blank_first(_("Not classified"), FeedbackType.choices),
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=blank_first(_("Not classified"), Stage.choices)
    )
    nature = forms.ChoiceField(
        label=_("Nature"), required=False, choices=blank_first(_("Not classified"), Nature.choices)
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=FeedbackUrgency.choices)
    category = forms.ChoiceField(label=_("Category"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = sorted((team.code, team.name) for team in catalogue().teams.values())
        set_choices(self, "team", blank_first(_("No team"), teams))
        set_choices(self, "category", blank_first(_("No category"), category_choices()))

    @classmethod
    def of(cls, item: FeedbackItem) -> "ClassifyForm":
        return cls(
            initial={
                "type": item.type,
                "stage": item.stage,
                "nature": item.nature,
                "urgency": item.urgency,
                "category": item.category.code if item.category else "",
                "team": item.team.code if item.team else "",
            }
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FeedbackStatus.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject; whoever sent the feedback sees it."),
    )


class LinkForm(forms.Form):
    numbers = forms.CharField(
        label=_("Link tickets"),
        max_length=2_000,
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )


class SurveyForm(forms.Form):
    """A new survey. The questions come one a line: kind | English | 中文, the kind being
    "scale" (1 to 5) or "text"."""

    title = forms.CharField(label=_("Title"), max_length=200)
    team = forms.ChoiceField(label=_("Team"))
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        help_text=_(
            "One question a line: kind | English | Chinese. The kind is “scale” (answered "
            "from 1 to 5) or “text” (free text, optional)."
        ),
    )

    KINDS = {"scale": QuestionKind.SCALE_1_5, "text": QuestionKind.TEXT}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = sorted((team.code, team.name) for team in catalogue().teams.values())
        set_choices(self, "team", teams)

    def clean_questions(self) -> list[dict[str, str]]:
        parsed: list[dict[str, str]] = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            kind = self.KINDS.get(parts[0].lower())
            if kind is None or len(parts) not in (2, 3):
                raise forms.ValidationError(
                    _("Line %(number)d: write kind | English | Chinese.") % {"number": number}
                )
            parsed.append(
                {
                    "key": f"q{len(parsed) + 1}",
                    "kind": kind,
                    "text_en": parts[1],
                    "text_zh": parts[2] if len(parts) == 3 else "",
                }
            )
        return parsed


def answer_form(survey: StaffSurvey, data: Any = None) -> forms.Form:
    """A form with one field per question, named answers.<key>: the names the use case's
    errors carry."""
    form = forms.Form(data)
    for question in survey.questions:
        name, label = f"answers.{question['key']}", question_text(question)
        if question["kind"] == QuestionKind.SCALE_1_5:
            form.fields[name] = forms.ChoiceField(
                label=label,
                choices=[(str(n), str(n)) for n in range(1, 6)],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                help_text=_("1 = not at all, 5 = fully"),
            )
        else:
            form.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=2_000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
    return form


class CustomerFeedbackForm(forms.Form):
    title = forms.CharField(label=_("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Your feedback"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What could we do better? What worked well?"),
    )
    ticket = forms.ChoiceField(label=_("About one of your requests"), required=False)

    def __init__(self, *args: Any, tickets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "ticket", [("", _("None in particular")), *tickets])
