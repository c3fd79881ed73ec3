"""Validating a ticket's custom field values against the admin's definitions."""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import ValidationFailed

from .choices import CustomFieldType
from .models import CustomField
from .reference import catalogue

MAX_TEXT = 1000


def _clean_value(definition: CustomField, value: Any) -> Any:
    """The stored form of `value`, or raise ValueError with the message to show."""
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        if not isinstance(value, str):
            raise ValueError(_("Enter text."))
        if "\x00" in value:  # PostgreSQL text cannot hold it
            raise ValueError(_("The text contains a NUL character (U+0000)."))
        if len(value) > MAX_TEXT:
            raise ValueError(_("Use at most 1000 characters."))
        return value.strip()
    if kind == CustomFieldType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(_("Enter a whole number."))
        return value
    if kind == CustomFieldType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(_("Enter a number."))
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        return str(number)
    if kind == CustomFieldType.DATE:
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except (TypeError, ValueError):
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == CustomFieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(_("Enter true or false."))
        return value
    if kind == CustomFieldType.CHOICE:
        if value not in definition.choices:
            raise ValueError(_("Choose one of the listed values."))
        return value
    raise ValueError(_("This field has an unknown type."))


def clean_custom_fields(
    values: Mapping[str, Any], *, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Validate `values` (merged over `current` when updating); null removes a value.

    Raises ValidationFailed with `custom_fields.<key>` fields.
    """
    definitions = catalogue().custom_fields
    cleaned: dict[str, Any] = dict(current or {})
    errors: dict[str, Promise | str] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = _("There is no custom field with this key.")
        elif value is None or value == "":
            cleaned.pop(key, None)
        else:
            try:
                cleaned[key] = _clean_value(definition, value)
            except ValueError as error:
                errors[f"custom_fields.{key}"] = error.args[0]
    for key, definition in definitions.items():
        if definition.required and key not in cleaned and f"custom_fields.{key}" not in errors:
            errors[f"custom_fields.{key}"] = _("This field is required.")
    if errors:
        raise ValidationFailed(errors)
    return cleaned
