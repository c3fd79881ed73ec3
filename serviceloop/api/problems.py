"""Errors as RFC 9457 problem details, in the request's language.

Every error the API returns has the same shape:

    {"type": "urn:serviceloop:problem:validation_failed", "title": "...", "status": 422,
     "detail": "...", "instance": "/api/v1/tickets", "code": "validation_failed",
     "errors": [{"field": "customer.email", "message": "...", "code": "value_error"}]}
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from ninja import Field
from pydantic import ConfigDict

from serviceloop.core import outage
from serviceloop.core.errors import DomainError, ValidationFailed

from .common import FieldError, Out

CONTENT_TYPE = "application/problem+json"


class Problem(Out):
    """An RFC 9457 problem: what every error of the API answers, as application/problem+json
    in the language of the request."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="urn:serviceloop:problem:<code>")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path of the request")
    code: str = Field(description="What went wrong, for programs (validation_failed, ...)")
    errors: list[FieldError] = Field(description="One per field at fault")
    current: str | None = Field(
        None, description="transition_not_allowed: the status the ticket has"
    )
    requested: str | None = Field(None, description="transition_not_allowed: the status asked")
    allowed: list[str] | None = Field(
        None, description="transition_not_allowed: the statuses it may move to"
    )
    current_version: int | None = Field(
        None, description="stale_version (412): the version the object has now"
    )


TITLES = {
    400: _("Bad request"),
    401: _("Authentication required"),
    403: _("Not permitted"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict with the current state"),
    412: _("The object was changed by someone else"),
    413: _("The request is too large"),
    422: _("The input is not valid"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: outage.TITLE,
}

DETAILS = {
    400: _("The request could not be read. Send a JSON body with Content-Type application/json."),
    401: _("Sign in, or send an API token as “Authorization: Bearer <token>”."),
    403: _("You may not do this."),
    404: _("There is no such object, or you may not see it."),
    405: _("This method is not allowed here."),
    413: _("The request body is larger than the server accepts."),
    500: _("Something went wrong on our side. Please try again later."),
    503: outage.DETAIL,
}

CODES = {400: "bad_request", 401: "not_authenticated", 403: "not_permitted", 404: "not_found",
         405: "method_not_allowed", 413: "too_large", 500: "server_error",
         503: "unavailable"}  # fmt: skip


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str | None = None,
    title: object = None,
    detail: object = None,
    errors: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> HttpResponse:
    code = code or CODES.get(status, "error")
    body = {
        "type": f"urn:serviceloop:problem:{code}",
        "title": str(title or TITLES.get(status, TITLES[400])),
        "status": status,
        "detail": str(detail or DETAILS.get(status, "")),
        "instance": request.path,
        "code": code,
        "errors": [
            {"field": error["field"], "message": str(error["message"]), "code": error["code"]}
            for error in errors
        ],
        **extensions,
    }
    response = HttpResponse(orjson.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def domain_error_fields(error: DomainError) -> list[dict[str, Any]]:
    """The field-level errors a DomainError carries."""
    if isinstance(error, ValidationFailed):
        return [
            {"field": field, "message": message, "code": "invalid"}
            for field, message in error.errors.items()
        ]
    if error.field:
        return [{"field": error.field, "message": error.message, "code": error.code}]
    return []


def from_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    errors = domain_error_fields(error)
    return problem(
        request,
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.message,
        errors=errors,
        **error.extra,
    )


# Pydantic's error types, said in our words (and languages).
_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "string_type": _("Enter text."),
    "string_too_short": _("This field cannot be empty."),
    "string_too_long": _("Use at most {max_length} characters."),
    "string_pattern_mismatch": _("The value does not have the expected format."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "datetime_type": _("Enter a date and time such as 2026-11-23T10:00:00+08:00."),
    "datetime_parsing": _("Enter a date and time such as 2026-11-23T10:00:00+08:00."),
    "datetime_from_date_parsing": _("Enter a date and time such as 2026-11-23T10:00:00+08:00."),
    "timezone_aware": _("Give the time with its time zone, such as +08:00 or Z."),
    "date_type": _("Enter a date as YYYY-MM-DD."),
    "date_parsing": _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
    "enum": _("Choose one of: {expected}."),
    "literal_error": _("Choose one of: {expected}."),
    "extra_forbidden": _("This field is not accepted here."),
    "list_type": _("Enter a list."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "too_long": _("Give at most {max_length} items."),
    "too_short": _("Give at least {min_length} items."),
    "greater_than": _("Enter a value greater than {gt}."),
    "greater_than_equal": _("Enter a value of at least {ge}."),
    "less_than": _("Enter a value less than {lt}."),
    "less_than_equal": _("Enter a value of at most {le}."),
    "json_invalid": _("The body is not valid JSON."),
    "json_type": _("The body is not valid JSON."),
    "uuid_parsing": _("Enter a valid identifier."),
}
# Fields that have a use case of their own: say where to go instead of "not accepted".
_ELSEWHERE = {
    "status": _("Change the status with POST /api/v1/tickets/{number}/transition."),
    "team": _("Move the ticket with POST /api/v1/tickets/{number}/transfer."),
    "assignee": _("Assign the ticket with POST /api/v1/tickets/{number}/assign."),
    "urgency": _("Change the urgency with POST /api/v1/tickets/{number}/urgency."),
}


def translated_message(error: Mapping[str, Any], field: str, *, method: str = "") -> str:
    kind = error.get("type", "")
    context = dict(error.get("ctx") or {})
    if kind == "value_error":  # our validators raise ValueError with a translated message
        return str(context.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    if kind == "extra_forbidden" and method == "PATCH" and field in _ELSEWHERE:
        return str(_ELSEWHERE[field])
    template = _MESSAGES.get(kind)
    if template is None:
        return _g("This value is not valid.")
    try:
        return str(format_lazy(str(template), **{k: _plain(v) for k, v in context.items()}))
    except (KeyError, IndexError):
        return str(template)


def _plain(value: Any) -> str:
    """Pydantic's "'a', 'b' or 'c'" as "a, b, c" (no English "or" in a Chinese sentence)."""
    quoted = re.findall(r"'([^']*)'", str(value))
    return ", ".join(quoted) if quoted else str(value)


def field_path(location: Iterable[Any], *, drop: int) -> str:
    """("body", "payload", "customer", "email") -> "customer.email"."""
    parts = [str(part) for part in list(location)[drop:]]
    return ".".join(parts) or "body"
