"""Bodies that come as JSON or as multipart/form-data with files.

An endpoint that takes files with its fields (a reply with attachments) reads its body here
instead of declaring a ninja body parameter, which would accept JSON only: the same schema
validates both forms, and a refusal is the same 422 as for any body.
"""

from typing import Any

import orjson
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from ninja.errors import HttpError, ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

FILES_FIELD = "files"


def read_body[Body: BaseModel](
    request: HttpRequest, schema: type[Body]
) -> tuple[Body, list[UploadedFile[bytes]]]:
    """The body validated by `schema`, and the uploaded `files` (none in JSON)."""
    files: list[UploadedFile[bytes]] = []
    if request.content_type == "multipart/form-data":
        # an empty form field is an absent one (a form cannot send null)
        data: Any = {key: value for key, value in request.POST.items() if value != ""}
        files = request.FILES.getlist(FILES_FIELD)
    elif request.body:
        try:
            data = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise HttpError(400, "Cannot parse request body") from None  # as ninja does
    else:
        data = None
    try:
        return schema.model_validate(data), files
    except SchemaError as error:
        raise ValidationError(
            [
                {**item, "loc": ("body", "payload", *item["loc"])}
                for item in error.errors(include_url=False, include_context=False)
            ]
        ) from None


def body_with_files(schema: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of an endpoint reading `schema` with read_body."""
    fields = _inlined(schema.model_json_schema())
    form = {
        **fields,
        "properties": {
            **fields["properties"],
            FILES_FIELD: {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "required": True,
        "content": {
            "application/json": {"schema": fields},
            "multipart/form-data": {"schema": form},
        },
    }


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its local definitions ($defs: the enums) put where they are used,
    so that it stands alone inside the OpenAPI document."""
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined
