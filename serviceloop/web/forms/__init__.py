"""Glue between Django forms and the services' errors."""

from typing import Any

from django import forms

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
