"""/api/v1/feedback (the feedback register) and /api/v1/staff-surveys.

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
from serviceloop.tickets.reference import catalogue

from ..common import actor, page_links
from .output import _fresh, _one, _shown_tickets, feedback_out, survey_out
from .schemas import (
    AnsweredOut,
    AnswerIn,
    BulkClassifyIn,
    BulkOut,
    ClassifyIn,
    ExportQuery,
    FeedbackIn,
    FeedbackList,
    FeedbackOut,
    FeedbackQuery,
    ResultsOut,
    SentOut,
    StaffSurveyIn,
    StaffSurveyOut,
    StatusIn,
    TicketsIn,
    ToFeedbackIn,
)

router = Router(tags=["feedback"])
staff_surveys = Router(tags=["staff surveys"])


# --- the register --------------------------------------------------------------------------


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


@staff_surveys.get("", response=list[StaffSurveyOut], summary="Staff surveys I may see")
def list_surveys(request: HttpRequest) -> list[dict[str, Any]]:
    user = actor(request)
    return [survey_out(survey, user) for survey in queries.surveys_visible_to(user)[:200]]


@staff_surveys.post("", response={201: StaffSurveyOut}, summary="Create a staff survey")
def create_survey(request: HttpRequest, payload: StaffSurveyIn) -> Status[dict[str, Any]]:
    user = actor(request)
    survey = services.create_staff_survey(
        actor=user,
        title=payload.title,
        team=catalogue().teams.get(payload.team),
        questions=[question.model_dump() for question in payload.questions],
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
    )
    return Status(201, survey_out(survey, user))


@staff_surveys.get("/{survey_id}", response=StaffSurveyOut, summary="One staff survey")
def get_survey(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    user = actor(request)
    return survey_out(queries.get_survey_for(user, survey_id), user)


@staff_surveys.post("/{survey_id}/send", response=SentOut, summary="Invite the team")
def send_survey(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    return {"invited": len(services.send_staff_survey(survey=survey, actor=user))}


@staff_surveys.post(
    "/{survey_id}/answer",
    response={201: AnsweredOut},
    summary="Answer a survey I was invited to (once; stored without my name)",
)
def answer_survey(
    request: HttpRequest, survey_id: int, payload: AnswerIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    answer = services.answer_staff_survey(survey=survey, user=user, answers=payload.answers)
    return Status(201, {"survey": survey.pk, "answered_on": answer.answered_on})


@staff_surveys.get(
    "/{survey_id}/results",
    response=ResultsOut,
    summary="Results (409 below STAFF_SURVEY_MIN_ANSWERS answers)",
)
def survey_results(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    require_reader(user)
    results = queries.survey_results(survey)
    return {
        "answers": results.answers,
        "questions": [
            {
                "key": question.key,
                "text": question.text,
                "kind": question.kind,
                "answered": question.answered,
                "mean": question.mean,
                "distribution": {str(k): v for k, v in question.distribution.items()},
                "texts": [
                    {"answer_id": t.answer_id, "text": t.text, "feedback": t.in_register}
                    for t in question.texts
                ],
            }
            for question in results.questions
        ],
    }


@staff_surveys.post(
    "/{survey_id}/answers/{answer_id}/feedback",
    response={201: FeedbackOut},
    summary="Turn a text answer into an anonymous feedback item",
)
def answer_to_feedback(
    request: HttpRequest, survey_id: int, answer_id: str, payload: ToFeedbackIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    answer = queries.get_survey_answer(survey, answer_id)
    item = services.register_feedback_from_staff_survey(
        answer=answer, question=payload.question, actor=user
    )
    return Status(201, _one(item, user))
