"""The OpenAPI document is the truth: strict JSON that every client can load (no key twice in
an object: Swagger UI's YAML parser refuses the whole document otherwise), one component per
name, and every answer an operation gives documented, its problems included (the answers of
all the API's tests are held against it by conftest.py's answers_as_documented)."""

import json
from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any, get_args, get_origin

from django.http import HttpResponse
from django.test import Client
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from serviceloop.api.api import api
from serviceloop.api.common import Published
from serviceloop.inbox.models import Kind as NotificationKind
from serviceloop.tickets.choices import Kind as TicketKind
from tests.builders import Api, make_ticket

from . import contract


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
                 "OrganisationRef", "Problem", "FieldError"):  # fmt: skip
        assert name in components, name
        assert name in reachable, name


def test_a_ticket_and_a_notification_match_their_published_kinds():
    schemas = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    assert schemas["TicketOut"]["properties"]["kind"] == {"$ref": "#/components/schemas/Kind"}
    assert set(schemas["Kind"]["enum"]) == set(TicketKind.values)
    notification = schemas["NotificationOut"]["properties"]["kind"]
    assert notification == {"$ref": "#/components/schemas/NotificationKind"}
    assert set(schemas["NotificationKind"]["enum"]) == set(NotificationKind.values)


# --- the problems of every operation -------------------------------------------------------


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_every_operation_documents_its_problem_answers():
    document = contract.document()
    missing: list[str] = []
    for method, path, operation in _operations(document):
        parameters = operation.get("parameters", [])
        expected = {"400", "401", "403", "503"}
        if "{" in path:
            expected.add("404")
        if method in {"POST", "PATCH", "PUT", "DELETE"}:
            expected.add("409")
        if any(p["name"] == "If-Match" for p in parameters):
            expected.add("412")
        if "requestBody" in operation:
            expected |= {"413", "422"}
        if parameters:
            expected.add("422")
        answers = operation["responses"]
        missing += [f"{method} {path} {status}" for status in expected - set(answers)]
        if any(p["in"] in ("path", "query") for p in parameters):
            assert answers["414"]["content"] == {"text/html": {"schema": {"type": "string"}}}
        else:
            assert "414" not in answers
        for status, answer in answers.items():
            if int(status) >= 400 and status != "414":
                assert ("headers" in answer) == (status == "503"), (method, path, status)
                assert answer["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, status)
    assert missing == []


def test_a_problem_answer_matches_the_published_problem(agent):
    # a 404, a 422 with field errors and a 409 with the transition's extensions
    api_client = Api(agent)
    ticket = make_ticket(agent)
    answers = [
        api_client.get("tickets/CS-20260101-000001"),
        api_client.post("tickets", {"description": ""}),
        api_client.post(f"tickets/{ticket.number}/transition", {"to": "closed"}),
    ]
    assert [answer.status_code for answer in answers] == [404, 422, 409]
    assert answers[2].json()["allowed"]
    for answer in answers:
        assert answer["Content-Type"] == "application/problem+json"
        assert contract.breaches(answer) == []


def test_the_watch_sees_an_answer_the_document_does_not_promise(agent):
    # given an answer as documented
    answered = Api(agent).get("tickets")
    assert contract.breaches(answered) == []

    def answer(content: bytes, status: int = 200, content_type: str = "application/json"):
        response = HttpResponse(content, status=status, content_type=content_type)
        response.wsgi_request = answered.wsgi_request
        response.resolver_match = answered.resolver_match
        return response

    # then the same answer with a status the operation does not document is seen, and so is
    # a body that is not the schema, or of another content type
    assert contract.breaches(answer(answered.content)) == []
    assert "not documented" in contract.breaches(answer(answered.content, 409))[0]
    assert contract.breaches(answer(b'{"items": "none", "next": null}')) != []
    assert (
        "documented application/json"
        in contract.breaches(answer(answered.content, content_type="text/html"))[0]
    )


def test_the_batch_answers_multi_status():
    answers = contract.document()["paths"]["/api/v1/tickets/batch"]["post"]["responses"]
    assert answers["207"]["description"] == "Multi-Status"
    assert answers["207"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BatchOut"
    }
    assert not {"200", "201"} & set(answers)
