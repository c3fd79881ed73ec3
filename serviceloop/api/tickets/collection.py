"""/api/v1/tickets: list the tickets you may see, and create one."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import HeaderEx, P, Query, Router, Status

from serviceloop.core.keyset import paginate
from serviceloop.tickets import queries, services

from ..common import actor, page_links
from .output import _fresh, _with_etag, ticket_out
from .schemas import TicketCreated, TicketIn, TicketList, TicketQuery

router = Router(tags=["tickets"])


@router.get("", response=TicketList, summary="List tickets (newest first, cursor pages)")
def list_tickets(request: HttpRequest, filters: Query[TicketQuery]) -> dict[str, Any]:
    user = actor(request)
    tickets = queries.filter_tickets(
        queries.tickets_visible_to(user),
        queries.TicketFilter(**filters.model_dump(exclude={"cursor", "limit"})),
        user=user,
    ).select_related(*queries.LIST_RELATED)
    page = paginate(
        tickets,
        fields=("created_at", "id"),
        cursor=filters.cursor,
        size=filters.limit,
        fenced=bool(filters.q.strip()),
    )
    items = queries.with_reference_data(page.items)
    return {"items": [ticket_out(t, user) for t in items], **page_links(request, page)}


@router.post(
    "",
    response={200: TicketCreated, 201: TicketCreated},
    summary="Create a ticket",
    description=(
        "201 with the new ticket; 200 with the earlier ticket when the request repeats an "
        "Idempotency-Key (`replayed`) or an identical request of the same customer within "
        "10 minutes (`duplicate`). The same Idempotency-Key with another body is a 422."
    ),
)
def create_ticket(
    request: HttpRequest,
    response: HttpResponse,
    payload: TicketIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key")] = None,
) -> Status[dict[str, Any]]:
    user = actor(request)
    intake = services.create_ticket(
        actor=user, draft=payload.draft(), idempotency_key=idempotency_key
    )
    ticket = _fresh(intake.ticket) if intake.replayed else intake.ticket
    response["Location"] = reverse("api-v1:get_ticket", args=[ticket.number])
    _with_etag(response, ticket)
    body = ticket_out(ticket, user, duplicate=intake.duplicate, replayed=intake.replayed)
    return Status(201 if intake.created else 200, body)
