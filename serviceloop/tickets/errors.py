from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from serviceloop.core.errors import Conflict

from .choices import Status


def _join(*items: object) -> str:
    return pgettext("separator between the items of a list", ", ").join(map(str, items))


join_lazy = lazy(_join, str)


class TransitionNotAllowed(Conflict):
    """HTTP 409 naming the current status and the ones that are allowed from it."""

    code = "transition_not_allowed"
    title = _("This status change is not allowed")

    def __init__(self, *, current: str, requested: str, allowed: list[Status]) -> None:
        labels = {status.value: status.label for status in Status}
        if allowed:
            message = format_lazy(
                _("A ticket that is “{current}” cannot become “{requested}”. Allowed: {allowed}."),
                current=labels[current],
                requested=labels.get(requested, requested),
                allowed=join_lazy(*[labels[status] for status in allowed]),
            )
        else:
            message = format_lazy(
                _("A ticket that is “{current}” cannot change status any more."),
                current=labels[current],
            )
        super().__init__(
            message,
            field="to",
            current=current,
            requested=requested,
            allowed=[str(status) for status in allowed],
        )
