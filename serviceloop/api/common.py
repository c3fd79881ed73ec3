"""Schemas and helpers shared by the API modules."""

import inspect
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any, overload

from annotated_types import Ge, Le
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError
from serviceloop.core.ids import MAX_ID
from serviceloop.core.keyset import Page


def _without_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold U+0000; refuse it as bad input instead of failing later.

    Nested schemas check their own fields (so the error names them); free-form JSON such
    as custom_fields is checked by the use case that reads it.
    """
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError(str(_("The text contains a NUL character (U+0000).")))
    return value


def _representable(value: datetime) -> datetime:
    """A time the databases can store once it is turned into UTC."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(str(_("Enter a time between the years 1900 and 9998."))) from None
    if not 1900 <= value.astimezone(UTC).year <= 9998:
        raise ValueError(str(_("Enter a time between the years 1900 and 9998.")))
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_representable)]

# A row's id, as the API reads it from a path, a query or a body: a number that can be no id
# (below 1, or beyond the largest bigint, which the database refuses to compare with) is bad
# input, refused with the range the document gives, not a failure of the query.
Id = Annotated[int, Ge(1), Le(MAX_ID)]


@dataclass(frozen=True)
class Published:
    """`Annotated[SomeChoices, Published("NotificationKind")]`: a domain app's choices under
    a name of their own in the OpenAPI document. A component is named by its class alone, so
    two apps' choices of one name (the ticket's Kind and the notification's Kind) would be
    one component, the last one written: every ticket's kind would then break the schema."""

    name: str

    def __get_pydantic_core_schema__(
        self, source: type[Enum], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        said = {"title": self.name}
        if source.__doc__:
            said["description"] = inspect.cleandoc(source.__doc__)

        def titled(schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
            json_schema = handler(schema)
            handler.resolve_ref_schema(json_schema).update(said)
            return json_schema

        # as pydantic builds an enum's schema, with a reference of this name
        return core_schema.enum_schema(
            source,
            list(source.__members__.values()),
            sub_type="str" if issubclass(source, str) else None,
            ref=f"{__name__}.{self.name}:{id(source)}",
            metadata={"pydantic_js_functions": [titled]},
        )


class Out(BaseModel):
    """A response body. Plain pydantic, not ninja's Schema: the views hand over dicts and
    model instances with the exact attribute names, so the per-attribute Django lookups of
    Schema are not needed, and validation stays in pydantic-core (bench/README.md)."""

    model_config = ConfigDict(from_attributes=True)


class QueryIn(Schema):
    """Query-string parameters: no NUL characters."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _without_nul(value)


class In(QueryIn):
    """Bodies also refuse unknown fields, so typos are reported instead of ignored."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Out):
    field: str = Field(
        description="A path into the body (customer.email), or a parameter's or header's name"
    )
    message: str = Field(description="In the language of the request")
    code: str


class CodeName(Out):
    code: str
    name: str


class UserRef(Out):
    id: int
    name: str


class CustomerRef(Out):
    id: int
    name: str


class OrganisationRef(Out):
    id: int
    name: str


class WindowOut(Out):
    start: date
    end: date


@overload
def user_ref(user: User) -> dict[str, Any]: ...
@overload
def user_ref(user: User | None) -> dict[str, Any] | None: ...
def user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user else None


def code_name(obj: Any) -> dict[str, Any] | None:
    return {"code": obj.code, "name": obj.name} if obj else None


class PageOut(Out):
    next_cursor: str | None
    next: str | None


def page_links(request: HttpRequest, page: Page[Any]) -> dict[str, Any]:
    """next_cursor, and the full URL of the next page with the same filters."""
    if page.next_cursor is None:
        return {"next_cursor": None, "next": None}
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    return {
        "next_cursor": page.next_cursor,
        "next": request.build_absolute_uri(f"{request.path}?{query.urlencode()}"),
    }


def actor(request: HttpRequest) -> User:
    """The authenticated user (the auth classes put it on the request)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


_ETAG = re.compile(r'^(?:W/)?"[^"]*-v(\d+)"$')


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match header names (None when absent)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise DomainError(_("Send the ETag of the ticket you read, as given."), field="If-Match")
    return int(match.group(1))
