"""The errors that use cases raise; each door (API, web) maps them once."""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule refused the request. `field` names the input at fault when there is one."""

    status = 422
    code = "invalid"
    title: Promise | str = _("The request breaks a rule")

    def __init__(
        self,
        message: Promise | str,
        *,
        field: str | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.extra = extra


class ValidationFailed(DomainError):
    """Several field-level problems at once: `errors` maps field -> message."""

    code = "validation_failed"
    title = _("The input is not valid")

    def __init__(self, errors: Mapping[str, Promise | str]) -> None:
        super().__init__(_("Some fields are not valid."))
        self.errors = dict(errors)


class NotPermitted(DomainError):
    """The actor may see the object but may not do this to it (HTTP 403)."""

    status = 403
    code = "not_permitted"
    title = _("Not permitted")


class Conflict(DomainError):
    """The object's state does not allow the change (HTTP 409)."""

    status = 409
    code = "conflict"
    title = _("Conflict with the current state")


class StaleVersion(DomainError):
    """Someone changed the object since the caller read it (HTTP 412)."""

    status = 412
    code = "stale_version"
    title = _("The object was changed by someone else")
