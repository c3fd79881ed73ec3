"""/api/v1/feedback: the feedback register.

Every door registers through the same use case: a customer's feedback is about their own
customer record, a partner's about its organisation, a staff member's may be anonymous.
"""

import tempfile
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, ValidationFailed
from serviceloop.core.keyset import paginate
from serviceloop.customers.models import Customer, Organisation
from serviceloop.feedback import exports, queries, services
from serviceloop.feedback.choices import Source
from serviceloop.feedback.permissions import require_reader

from ..common import actor, page_links
from .output import _fresh, _one, _shown_tickets, feedback_out
from .schemas import (
    BulkClassifyIn,
    BulkOut,
    ClassifyIn,
    ExportQuery,
    FeedbackIn,
    FeedbackList,
    FeedbackOut,
    FeedbackQuery,
    StatusIn,
    TicketsIn,
)

router = Router(tags=["feedback"])


def _door(user: User, payload: FeedbackIn) -> dict[str, Any]:
    """Source, customer and organisation of a registration through the API, by role."""
    if user.role == Role.CUSTOMER:
        customer = Customer.objects.filter(user=user).first()
        if customer is None:
            raise DomainError(_("Your login has no customer record."), field="customer_id")
        return {"source": Source.CUSTOMER, "customer": customer}
    if user.role == Role.PARTNER:
        return {"source": Source.PARTNER, "organisation": user.organisation}
    source = payload.source or Source.STAFF
    door: dict[str, Any] = {"source": source}
    errors: dict[str, Any] = {}
    if payload.customer_id is not None:
        door["customer"] = Customer.objects.filter(pk=payload.customer_id).first()
        if door["customer"] is None:
            errors["customer_id"] = _("There is no customer with this id.")
    if payload.organisation_id is not None:
        door["organisation"] = Organisation.objects.filter(pk=payload.organisation_id).first()
        if door["organisation"] is None:
            errors["organisation_id"] = _("There is no organisation with this id.")
    if errors:
        raise ValidationFailed(errors)
    return door


@router.get("", response=FeedbackList, summary="List feedback (newest first, cursor pages)")
def list_feedback(request: HttpRequest, filters: Query[FeedbackQuery]) -> dict[str, Any]:
    user = actor(request)
    wanted = filters.feedback_filter()
    visible = queries.feedback_visible_to(user)
    counts = queries.status_counts(queries.filter_feedback(visible, wanted, with_status=False))
    page = paginate(
        queries.filter_feedback(visible, wanted)
        .select_related(*queries.LIST_RELATED, "classified_by")
        .prefetch_related("tickets"),
        fields=("created_at", "id"),
        cursor=filters.cursor,
        size=filters.limit,
    )
    shown = _shown_tickets(user, page.items)
    return {
        "items": [feedback_out(item, user, shown) for item in page.items],
        "counts": counts,
        **page_links(request, page),
    }


@router.post("", response={201: FeedbackOut}, summary="Send feedback")
def create_feedback(
    request: HttpRequest, response: HttpResponse, payload: FeedbackIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    classification = {
        name: value
        for name in ("type", "urgency", "stage", "nature", "category", "team")
        if (value := getattr(payload, name))
    }
    item = services.register_feedback(
        title=payload.title,
        text=payload.text,
        actor=user,
        anonymous=payload.anonymous,
        tickets=queries.tickets_numbered(user, payload.tickets, field="tickets"),
        classification=classification or None,
        **_door(user, payload),
    )
    response["Location"] = reverse("api-v1:get_feedback", args=[item.number])
    return Status(201, _one(item, user))


@router.get(
    "/export",
    summary="The filtered register as a CSV or XLSX file",
    description="Streams every item the filters keep (cursor and limit do not apply).",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {  # the key ninja uses: a "200" string would be a second, duplicate key
                "description": "The file",
                "content": {exports.content_type(fmt): {} for fmt in exports.FORMATS},
            }
        }
    },
)
def export_feedback(request: HttpRequest, filters: Query[ExportQuery]) -> HttpResponseBase:
    user = actor(request)
    require_reader(user)
    items = queries.filter_feedback(queries.feedback_visible_to(user), filters.feedback_filter())
    export = exports.Export(items)
    name = exports.filename(filters.format, clock.now())
    response: HttpResponseBase
    if filters.format == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(export), content_type=exports.content_type("csv")
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    destination = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    exports.write_xlsx(export, destination)
    destination.seek(0)
    return FileResponse(
        destination, as_attachment=True, filename=name, content_type=exports.content_type("xlsx")
    )


@router.post("/bulk-classify", response=BulkOut, summary="Classify many items, all or nothing")
def bulk_classify(request: HttpRequest, payload: BulkClassifyIn) -> dict[str, Any]:
    user = actor(request)
    fields = payload.model_dump(exclude_unset=True, exclude={"ids", "status", "reason"})
    items = services.bulk_classify(
        ids=payload.ids,
        actor=user,
        status=payload.status or "",
        reason=payload.reason,
        **fields,
    )
    return {"items": _fresh(items, user)}


@router.get("/{number}", response=FeedbackOut, summary="One feedback item")
def get_feedback(request: HttpRequest, number: str) -> dict[str, Any]:
    user = actor(request)
    return _one(queries.get_feedback_for(user, number), user)


@router.patch("/{number}", response=FeedbackOut, summary="Classify an item")
def classify(request: HttpRequest, number: str, payload: ClassifyIn) -> dict[str, Any]:
    user = actor(request)
    item = queries.get_feedback_for(user, number)
    item = services.classify_feedback(
        item=item, actor=user, **payload.model_dump(exclude_unset=True)
    )
    return _one(item, user)


@router.post("/{number}/status", response=FeedbackOut, summary="Change the status")
def change_status(request: HttpRequest, number: str, payload: StatusIn) -> dict[str, Any]:
    user = actor(request)
    item = queries.get_feedback_for(user, number)
    item = services.change_feedback_status(
        item=item, actor=user, status=payload.status, reason=payload.reason
    )
    return _one(item, user)


@router.post("/{number}/tickets", response=FeedbackOut, summary="Link tickets by number")
def link(request: HttpRequest, number: str, payload: TicketsIn) -> dict[str, Any]:
    user = actor(request)
    item = queries.get_feedback_for(user, number)
    item = services.link_tickets(item=item, actor=user, numbers=payload.numbers)
    return _one(item, user)


@router.delete("/{number}/tickets/{ticket_number}", response=FeedbackOut, summary="Unlink a ticket")
def unlink(request: HttpRequest, number: str, ticket_number: str) -> dict[str, Any]:
    user = actor(request)
    item = queries.get_feedback_for(user, number)
    item = services.unlink_ticket(item=item, actor=user, number=ticket_number)
    return _one(item, user)
