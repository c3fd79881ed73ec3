"""The /api/v1 NinjaAPI: authentication, JSON rendering, and the error handlers that turn
every failure into problem+json."""

import logging
from typing import Any

import orjson
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _g
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    HttpError,
    ValidationError,
    ValidationErrorContext,
)
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.renderers import BaseRenderer

from serviceloop.core.errors import DomainError
from serviceloop.core.outage import is_outage

from . import accounts, analytics, audit, catalog, conversation, customers, inbox, tickets
from . import feedback as feedback_api
from . import followups as follow_ups_api
from . import improvement as improvement_api
from . import surveys as surveys_api
from .auth import BearerToken, Session
from .openapi import ContractDocument
from .problems import field_path, from_domain_error, problem, translated_message

logger = logging.getLogger(__name__)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data)


class AreaNamedAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document with every operation's problem+json answers (openapi.py)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ContractDocument(self, path_prefix)

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """As ninja's, but an item of a list parameter (`?teams=1&teams=0`) is named by the
        parameter (`teams.1`): ninja renames only the parameters themselves, and kept the
        name of the view's argument in front of the item (`filters.teams.1`)."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                location = _parameter_location(model.__ninja_flatten_map_reverse__, error["loc"])
                item: dict[str, Any] = {**error, "loc": (model.__ninja_param_source__, *location)}
                item.pop("input", None)
                context_values = item.get("ctx")
                if context_values and isinstance(context_values.get("error"), Exception):
                    item["ctx"] = {**context_values, "error": str(context_values["error"])}
                errors.append(item)
        return ValidationError(errors)

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """`serviceloop_api_<area>_<function>`, named by the area (`api/tickets`), not by the
        module within it: an area split into modules keeps the operation ids that generated
        clients and the docs' links use."""
        area = operation.view_func.__module__.split(".")[:3]
        return "_".join([*area, operation.view_func.__name__])


def _parameter_location(
    names: dict[tuple[Any, ...], tuple[Any, ...]], location: tuple[Any, ...]
) -> tuple[Any, ...]:
    """The error's location as the client named it: the longest start of `location` that is
    a parameter is replaced by the parameter's name."""
    for end in range(len(location), 0, -1):
        if location[:end] in names:
            return (*names[location[:end]], *location[end:])
    return location


api = AreaNamedAPI(
    title="serviceloop API",
    version="1",
    description=(
        "Tickets, conversations, commitments and customers. Authenticate with a personal "
        "token (`Authorization: Bearer <token>`, see `serviceloop createtoken`) or a browser "
        "session. Errors are RFC 9457 problem details in the language of `Accept-Language` "
        "(en, zh-Hans) or of the user's setting."
    ),
    auth=[BearerToken(), Session()],
    renderer=ORJSONRenderer(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

for tickets_router in tickets.routers:
    api.add_router("/tickets", tickets_router)
api.add_router("/", conversation.router)
api.add_router("/customers", customers.router)
api.add_router("/", catalog.router)
api.add_router("/", accounts.router)
api.add_router("/audit", audit.router)
api.add_router("/notifications", inbox.router)
api.add_router("/surveys", surveys_api.router)
api.add_router("/follow-ups", follow_ups_api.router)
api.add_router("/analytics", analytics.router)
api.add_router("/feedback", feedback_api.register.router)
api.add_router("/staff-surveys", feedback_api.staff_surveys.router)
for improvement_router in improvement_api.routers:
    api.add_router("/improvement", improvement_router)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return from_domain_error(request, error)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = []
    for item in error.errors:
        location = list(item.get("loc", ()))
        drop = 2 if location[:1] == ["body"] else 1
        field = field_path(location, drop=drop)
        errors.append(
            {
                "field": field,
                "message": translated_message(item, field, method=request.method or ""),
                "code": item.get("type", "invalid"),
            }
        )
    return problem(
        request,
        status=422,
        code="validation_failed",
        detail=str(DomainError.title if not errors else errors[0]["message"]),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem(request, status=401, headers={"WWW-Authenticate": 'Bearer realm="serviceloop"'})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 403:  # ninja's CSRF refusal for session requests
        return problem(
            request,
            status=403,
            code="csrf_failed",
            detail=_g("Send the CSRF token in the X-CSRFToken header, or use an API token."),
        )
    return problem(request, status=error.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(request, status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problem(request, status=403)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    return problem(request, status=413)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
def on_bad_request(request: HttpRequest, error: Exception) -> HttpResponse:
    """A body the server cannot read (a multipart body without its boundary, a file name
    of a thousand characters, too many fields): the client's fault, so a 400."""
    logger.info("bad request %s %s: %s", request.method, request.path, error)
    return problem(request, status=400, detail=_g("The request body could not be read."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_error(request: HttpRequest, error: Exception) -> HttpResponse:
    """The database cannot be reached: raised on to core.middleware.DatabaseUnavailable,
    whose 503 with Retry-After becomes problem+json in api.middleware (one answer to an
    outage for the pages and the API). Any other database error is a 500."""
    if is_outage(error):
        raise error
    return on_unexpected(request, error)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return problem(request, status=500)


@csrf_exempt
def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/: a problem+json 404 rather than an HTML page."""
    return problem(request, status=404)
