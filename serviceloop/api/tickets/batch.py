"""/api/v1/tickets/batch: create many tickets at once, with one result for each.

The answer is 207 Multi-Status whatever the items' outcomes: each result has the status
that item would have had as POST /tickets (201 created, 200 a duplicate or a replay, 422 and
so on), and the request as a whole fails only when it cannot be read (a problem+json 4xx).
"""

from typing import Any

import pydantic
from django.http import HttpRequest
from ninja import Router, Status

from serviceloop.core.errors import DomainError
from serviceloop.tickets import services

from ..common import actor
from ..problems import domain_error_fields, field_path, translated_message
from .schemas import BatchIn, BatchItemIn, BatchOut

router = Router(tags=["tickets"])


@router.post(
    "/batch",
    response={207: BatchOut},
    summary="Create up to 1,000 tickets, one result each",
    description=(
        "207 Multi-Status: one result per item, in the order given, each with the status the"
        " item would have had on its own as POST /tickets (201 created, 200 a duplicate or a"
        " replay of its `idempotency_key`, 422 with the fields at fault). The items that are"
        " valid are created even when others are not."
    ),
)
def create_batch(request: HttpRequest, payload: BatchIn) -> Status[dict[str, Any]]:
    user = actor(request)
    results: list[dict[str, Any] | None] = []
    drafts: list[tuple[services.TicketDraft, str | None]] = []
    positions: list[int] = []
    for index, raw in enumerate(payload.items):
        try:
            item = BatchItemIn.model_validate(raw)
        except pydantic.ValidationError as error:
            results.append(_schema_errors(index, error))
            continue
        results.append(None)
        drafts.append((item.draft(), item.idempotency_key))
        positions.append(index)
    for index, outcome in zip(
        positions, services.create_tickets(actor=user, drafts=drafts), strict=True
    ):
        results[index] = _batch_result(index, outcome)
    done = [result for result in results if result is not None]
    return Status(
        207,
        {
            "created": sum(r["outcome"] == "created" for r in done),
            "duplicates": sum(r["outcome"] in ("duplicate", "replayed") for r in done),
            "failed": sum(r["outcome"] == "error" for r in done),
            "results": done,
        },
    )


def _item_error(
    index: int, status: int, errors: list[dict[str, Any]], detail: str | None
) -> dict[str, Any]:
    return {
        "index": index,
        "outcome": "error",
        "number": None,
        "status": status,
        "errors": errors,
        "detail": detail,
    }


def _schema_errors(index: int, error: pydantic.ValidationError) -> dict[str, Any]:
    errors = []
    for item in error.errors(include_url=False):
        field = field_path(item["loc"], drop=0)
        errors.append(
            {"field": field, "message": translated_message(item, field), "code": item["type"]}
        )
    return _item_error(index, 422, errors, errors[0]["message"] if errors else None)


def _batch_result(index: int, outcome: services.TicketIntake | DomainError) -> dict[str, Any]:
    if isinstance(outcome, DomainError):
        # in a batch the key travels in the item, not in the Idempotency-Key header
        errors = [
            {
                **error,
                "field": "idempotency_key"
                if error["field"] == "Idempotency-Key"
                else error["field"],
                "message": str(error["message"]),
            }
            for error in domain_error_fields(outcome)
        ]
        return _item_error(index, outcome.status, errors, str(outcome.message))
    kind = "created" if outcome.created else ("replayed" if outcome.replayed else "duplicate")
    return {
        "index": index,
        "outcome": kind,
        "number": outcome.ticket.number,
        "status": 201 if outcome.created else 200,
        "errors": [],
        "detail": None,
    }
