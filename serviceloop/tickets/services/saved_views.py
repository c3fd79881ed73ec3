"""A staff member's named queues (saved views): save the queue's filters, delete them."""

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.core.errors import NotPermitted, ValidationFailed

from ..models import SavedView

MAX_NAME = 60
MAX_QUERY = 1000
MAX_VIEWS = 30  # per user: the queue lists them all on every page


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise NotPermitted(_("Only staff have a ticket queue."))


@transaction.atomic
def save_view(*, actor: User, name: str, query: str) -> SavedView:
    """Save `query` (the queue's filters as a URL query string) as the actor's view `name`.

    The name is required, at most MAX_NAME characters and unique among the actor's views
    (case-insensitively); an actor keeps at most MAX_VIEWS views. Refusals raise
    ValidationFailed naming `name` or `query` and store nothing.
    """
    _require_staff(actor)
    name, query = " ".join(name.split()), query.strip().lstrip("?")
    errors: dict[str, Promise] = {}
    if not name:
        errors["name"] = _("Give the view a name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most 60 characters.")
    elif SavedView.objects.filter(user=actor, name__iexact=name).exists():
        errors["name"] = _("You already have a view with this name.")
    elif SavedView.objects.filter(user=actor).count() >= MAX_VIEWS:
        errors["name"] = _("You have 30 saved views; delete one before saving another.")
    if len(query) > MAX_QUERY:
        errors["query"] = _("These filters are too long to save.")
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            return SavedView.objects.create(user=actor, name=name, query=query)
    except IntegrityError:  # the same name saved meanwhile from another tab
        raise ValidationFailed({"name": _("You already have a view with this name.")}) from None


@transaction.atomic
def delete_view(*, actor: User, view: SavedView) -> None:
    """Delete one of the actor's own saved views (another user's: NotPermitted)."""
    if view.user_id != actor.pk:
        raise NotPermitted(_("This saved view belongs to someone else."))
    view.delete()
