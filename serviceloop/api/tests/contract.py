"""Every answer of the API tests, held against the OpenAPI document: its status is documented
for the operation, with the content type the document names, and a JSON body matches the
schema published for it. api/tests/conftest.py watches every test of the API with it.
"""

import json
import re
from functools import cache
from typing import Any

import jsonschema_rs
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from serviceloop.api.api import api

PREFIX = "/api/v1/"


@cache
def document() -> dict[str, Any]:
    """The document as served (keys are strings, as a client reads them)."""
    built: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    return built


@cache
def validator(path: str, method: str, status: str, content_type: str) -> Any:
    schema = document()["paths"][path][method]["responses"][status]["content"][content_type]
    root = {**schema["schema"], "components": document()["components"]}
    return jsonschema_rs.Draft202012Validator(root)


def media_type(content_type: str) -> str:
    """ "text/csv; charset=utf-8" -> "text/csv"."""
    return content_type.split(";")[0].strip().lower()


def operation_path(response: HttpResponse) -> str | None:
    """The document's path of the operation that answered (None: no operation did)."""
    match = getattr(response, "resolver_match", None)
    if match is None:  # answered before the URL was resolved (a middleware)
        try:
            match = resolve(response.wsgi_request.path_info)
        except (Resolver404, ValueError):
            return None
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)


def breaches(response: HttpResponse) -> list[str]:
    """How the answer departs from the document (nothing: it is as documented)."""
    request = response.wsgi_request
    if not request.path_info.startswith(PREFIX):
        return []
    path = operation_path(response)
    method = request.method.lower()
    operation = document()["paths"].get(path or "", {}).get(method)
    if operation is None:  # the document, the docs page, an unknown path or method
        return []
    where = f"{request.method} {request.get_full_path()} -> {response.status_code}"
    status = str(response.status_code)
    documented = operation["responses"].get(status)
    if documented is None:
        return [f"{where}: the status is not documented ({', '.join(operation['responses'])})"]
    content = documented.get("content", {})
    if not content:
        return []
    content_type = media_type(response.get("Content-Type", ""))
    content = {media_type(key): key for key in content}
    if content_type not in content:
        return [f"{where}: answered {content_type!r}, documented {', '.join(content)}"]
    if not content_type.endswith("json") or getattr(response, "streaming", False):
        return []
    body = json.loads(response.content)
    errors = validator(path or "", method, status, content[content_type]).iter_errors(body)
    return [f"{where}: {error.message} at {list(error.instance_path)}" for error in errors][:5]
