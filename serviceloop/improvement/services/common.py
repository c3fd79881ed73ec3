"""Checks the analysis and plan use cases share."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.analytics.scope import Scope
from serviceloop.core.errors import ValidationFailed
from serviceloop.feedback.models import FeedbackItem
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import tickets_visible_to

from ..permissions import manages_improvement

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_EVIDENCE = 500  # ticket or feedback numbers in one request

Errors = dict[str, Promise | str]


def clean_text(
    errors: Errors, field: str, value: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors[field] = _("The text contains a NUL character (U+0000).")
    elif required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = gettext("Use at most %(limit)s characters.") % {"limit": f"{limit:,}"}
    return value


def clean_scope(errors: Errors, field: str, values: Mapping[str, Any] | None) -> Scope:
    """A scope from JSON; its field errors land under "<field>.<filter>"."""
    if values is not None and not isinstance(values, Mapping):
        errors[field] = _("Give the scope as an object of filters.")
        return Scope()
    try:
        return Scope.from_dict(values or {})
    except ValidationFailed as error:
        for name, message in error.errors.items():
            errors[f"{field}.{name}"] = message
        return Scope()


def clean_owner(errors: Errors, field: str, owner_id: int | None, default: User) -> User:
    """The owner: a user who may run analyses and plans (default: the actor)."""
    if owner_id is None:
        return default
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not manages_improvement(owner):
        errors[field] = _("Choose a person who may run root-cause analyses and plans.")
        return default
    return owner


def _numbers(values: Iterable[str]) -> list[str]:
    return sorted({str(value).strip().upper() for value in values if str(value).strip()})


def find_tickets(errors: Errors, field: str, actor: User, numbers: Iterable[str]) -> list[Ticket]:
    """The tickets with these numbers that the actor sees; any other number is an error."""
    wanted = _numbers(numbers)
    if len(wanted) > MAX_EVIDENCE:
        errors[field] = gettext("Link at most %(limit)s at once.") % {"limit": MAX_EVIDENCE}
        return []
    found = list(tickets_visible_to(actor).filter(number__in=wanted).only("pk", "number"))
    missing = sorted(set(wanted) - {ticket.number for ticket in found})
    if missing:
        errors[field] = gettext("No ticket you can see has the number %(numbers)s.") % {
            "numbers": ", ".join(missing[:10])
        }
    return found


def find_feedback(errors: Errors, field: str, numbers: Iterable[str]) -> list[FeedbackItem]:
    """The feedback items with these numbers; any other number is an error."""
    wanted = _numbers(numbers)
    if len(wanted) > MAX_EVIDENCE:
        errors[field] = gettext("Link at most %(limit)s at once.") % {"limit": MAX_EVIDENCE}
        return []
    found = list(FeedbackItem.objects.filter(number__in=wanted).only("pk", "number"))
    missing = sorted(set(wanted) - {item.number for item in found})
    if missing:
        errors[field] = gettext("There is no feedback item %(numbers)s.") % {
            "numbers": ", ".join(missing[:10])
        }
    return found


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors)
