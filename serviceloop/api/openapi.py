"""The OpenAPI document of /api/v1 says every answer an operation gives: ninja documents the
successes the views declare, and here every operation gets the problem+json answers that
api.py's error handlers and the middleware give, from what the operation takes.

- 400 everywhere: a NUL character in the address, a body that cannot be read
- 401 and 403 on every operation behind authentication (no or a wrong token; a role that may
  not, or a session request without its CSRF token)
- 404 where the path names an object (outside the caller's scope is not found either)
- 409 on the writes (POST, PUT, PATCH, DELETE): the object's state refuses the change
- 412 where the operation reads If-Match
- 413 where it takes a body, 422 where it takes any input
- 503 everywhere, with Retry-After: the database cannot be reached for the moment (every
  operation reads it, the token at least; core.middleware.DatabaseUnavailable)
- 414 where the address carries parameters: a path and query string longer than the web
  server reads (gunicorn's request line, 4094 bytes) is refused by the server before the
  application runs, with its own HTML page

A view whose operation answers another error in a way these rules do not foresee names it in
its `response` map with the Problem schema (`response={200: ResultsOut, 409: Problem}`); it
is documented as problem+json like the others.
"""

from http.client import responses as reasons
from typing import Any

from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from .problems import CONTENT_TYPE, Problem

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PROBLEM_REF = REF_TEMPLATE.format(model=Problem.__name__)

WHEN = {
    400: "The request could not be read (a body that is not JSON, a NUL character)",
    401: "No credentials, or a token that is unknown, expired or revoked",
    403: "The caller's role may not do this (or a session request without its CSRF token)",
    404: "No such object, or one outside the caller's scope",
    409: "The object's current state does not allow this",
    412: "If-Match names a version that is no longer current",
    413: "The body is larger than the server accepts",
    422: "The input is not valid; `errors` names each field at fault",
    503: "The database cannot be reached for the moment: try again after Retry-After seconds",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def problem_statuses(operation: Operation, details: dict[str, Any]) -> set[int]:
    """The error statuses the operation documented by `details` can answer."""
    parameters = details.get("parameters", [])
    has_body = "requestBody" in details
    statuses = {400, 503}
    if details.get("security"):
        statuses |= {401, 403}
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.add(404)
    if WRITES & {method.upper() for method in operation.methods}:
        statuses.add(409)
    if any(
        parameter["in"] == "header" and parameter["name"].lower() == "if-match"
        for parameter in parameters
    ):
        statuses.add(412)
    if has_body:
        statuses.add(413)
    if parameters or has_body:
        statuses.add(422)
    declared = {status for status in operation.response_models if isinstance(status, int)}
    return statuses | {status for status in declared if status >= 400}


class ContractDocument(OpenAPISchema):
    """ninja's document, with the problem+json answers of every operation."""

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details: dict[str, Any] = super().operation_details(operation)
        answers = details["responses"]
        for status in sorted(problem_statuses(operation, details)):
            answers[status] = {
                "description": WHEN.get(status, reasons.get(status, "Error")),
                "content": {CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
                **({"headers": RETRY_AFTER} if status == 503 else {}),
            }
        if any(parameter["in"] in ("path", "query") for parameter in details["parameters"]):
            answers[414] = {
                "description": "The path and query string are longer than the web server reads"
                " (4094 bytes): it answers before the API, with an HTML page",
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
        details["responses"] = dict(sorted(answers.items()))
        return details

    def get_components(self) -> dict[str, Any]:
        schema = Problem.model_json_schema(
            ref_template=REF_TEMPLATE,
            schema_generator=NinjaGenerateJsonSchema,
            mode="serialization",
        )
        self.add_schema_definitions({**schema.pop("$defs", {}), Problem.__name__: schema})
        components: dict[str, Any] = super().get_components()
        return components
