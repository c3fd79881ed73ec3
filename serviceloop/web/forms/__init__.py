"""The pages' forms, one module per area (web/forms/<area>.py), and what they share here: a
service's refusal shown on a form, a filter's blank first choice, choices set at run time."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Model, QuerySet

from serviceloop.core.errors import DomainError, ValidationFailed


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: on the field it names when the form has that
    field, else above the form. Nothing was stored (the service runs in a transaction)."""
    problems = error.errors if isinstance(error, ValidationFailed) else {error.field: error.message}
    for field, message in problems.items():
        form.add_error(field if field in form.fields else None, str(message))


def blank_first(label: Any, choices: Any) -> list[tuple[str, Any]]:
    """A filter's choices with an empty first one ("Any kind") that filters nothing."""
    return [("", label), *choices]


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give the choice field `name` the choices known only when the form is made (the type
    checker sees `form.fields` as plain fields)."""
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Model]) -> None:
    """Give the model choice field `name` the rows it offers (see set_choices)."""
    cast(forms.ModelChoiceField[Model], form.fields[name]).queryset = queryset
