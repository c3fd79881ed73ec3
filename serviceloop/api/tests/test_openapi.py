"""The OpenAPI document is the truth: strict JSON that every client can load (no key twice in
an object: Swagger UI's YAML parser refuses the whole document otherwise), and one component
per name."""

import json
from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any, get_args, get_origin

from django.test import Client
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from serviceloop.api.api import api
from serviceloop.api.common import Published
from serviceloop.inbox.models import Kind as NotificationKind
from serviceloop.tickets.choices import Kind as TicketKind


def test_no_object_of_the_document_repeats_a_key(db):
    body = Client().get("/api/v1/openapi.json").content
    repeated: list[str] = []

    def keep(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _value in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(body, object_pairs_hook=keep)
    assert repeated == []


# --- one name, one definition ----------------------------------------------------------------


def test_no_component_name_is_given_to_two_definitions(monkeypatch):
    """ninja gathers the components of each model into one map by name: a second class of the
    same name replaced the first (the notification's Kind stood for the ticket's)."""
    given: dict[str, list[object]] = {}
    add = OpenAPISchema.add_schema_definitions

    def recorded(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if definition not in given.setdefault(name, []):
                given[name].append(definition)
        add(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recorded)
    document = api.get_openapi_schema(path_prefix="/api/v1/")

    assert {
        name: len(definitions) for name, definitions in given.items() if len(definitions) > 1
    } == {}
    assert set(given) == set(document["components"]["schemas"])


def _classes(annotation: Any, published: str | None = None) -> Iterator[tuple[str, type]]:
    """(component name, class) of every model and enum an annotation reaches."""
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        names = [item.name for item in metadata if isinstance(item, Published)]
        yield from _classes(base, names[0] if names else None)
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        yield published or annotation.__name__, annotation
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation.__name__, annotation
        yield from _fields(annotation)
    else:
        for argument in get_args(annotation):
            yield from _classes(argument)


def _fields(model: type[BaseModel]) -> Iterator[tuple[str, type]]:
    for field in model.model_fields.values():
        names = [item.name for item in field.metadata if isinstance(item, Published)]
        yield from _classes(field.annotation, names[0] if names else None)


def test_every_class_the_operations_use_has_a_component_name_of_its_own():
    # given every model and enum reachable from an operation's parameters, body and answers
    # (ninja's own wrappers, QueryParams, BodyParams, ..., are not components: their fields)
    reachable: dict[str, set[type]] = {}
    operations = 0
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                operations += 1
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in wrappers:
                    if isinstance(wrapper, type) and issubclass(wrapper, BaseModel):
                        for name, cls in _fields(wrapper):
                            reachable.setdefault(name, set()).add(cls)
    assert operations > 100
    components = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]

    # then no two classes share a name, and the document has a component of each name that
    # ninja publishes (a query's model is spread into parameters and has none)
    shared = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
              for name, classes in reachable.items() if len(classes) > 1}  # fmt: skip
    assert shared == {}
    for name in ("TicketOut", "Kind", "NotificationKind", "NpsResultsOut",
                 "StaffSurveyResultsOut", "MetricOut", "PlanMetricOut", "WindowOut",
                 "OrganisationRef"):  # fmt: skip
        assert name in components, name
        assert name in reachable, name


def test_a_ticket_and_a_notification_match_their_published_kinds():
    schemas = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    assert schemas["TicketOut"]["properties"]["kind"] == {"$ref": "#/components/schemas/Kind"}
    assert set(schemas["Kind"]["enum"]) == set(TicketKind.values)
    notification = schemas["NotificationOut"]["properties"]["kind"]
    assert notification == {"$ref": "#/components/schemas/NotificationKind"}
    assert set(schemas["NotificationKind"]["enum"]) == set(NotificationKind.values)
