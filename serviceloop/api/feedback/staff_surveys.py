"""/api/v1/staff-surveys: surveys of a team's staff, answered without their names; a text
answer can become an anonymous feedback item."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from serviceloop.feedback import queries, services
from serviceloop.feedback.permissions import require_reader
from serviceloop.tickets.reference import catalogue

from ..common import Id, actor
from ..problems import Problem
from .output import _one, survey_out
from .schemas import (
    AnsweredOut,
    AnswerIn,
    FeedbackOut,
    SentOut,
    StaffSurveyIn,
    StaffSurveyOut,
    StaffSurveyResultsOut,
    ToFeedbackIn,
)

router = Router(tags=["staff surveys"])


@router.get("", response=list[StaffSurveyOut], summary="Staff surveys I may see")
def list_surveys(request: HttpRequest) -> list[dict[str, Any]]:
    user = actor(request)
    return [survey_out(survey, user) for survey in queries.surveys_visible_to(user)[:200]]


@router.post("", response={201: StaffSurveyOut}, summary="Create a staff survey")
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


@router.get("/{survey_id}", response=StaffSurveyOut, summary="One staff survey")
def get_survey(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    user = actor(request)
    return survey_out(queries.get_survey_for(user, survey_id), user)


@router.post("/{survey_id}/send", response=SentOut, summary="Invite the team")
def send_survey(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    return {"invited": len(services.send_staff_survey(survey=survey, actor=user))}


@router.post(
    "/{survey_id}/answer",
    response={201: AnsweredOut},
    summary="Answer a survey I was invited to (once; stored without my name)",
)
def answer_survey(request: HttpRequest, survey_id: Id, payload: AnswerIn) -> Status[dict[str, Any]]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    answer = services.answer_staff_survey(survey=survey, user=user, answers=payload.answers)
    return Status(201, {"survey": survey.pk, "answered_on": answer.answered_on})


@router.get(
    "/{survey_id}/results",
    # a read that refuses: too few answers to show them without naming who gave them
    response={200: StaffSurveyResultsOut, 409: Problem},
    summary="Results (409 below STAFF_SURVEY_MIN_ANSWERS answers)",
)
def survey_results(request: HttpRequest, survey_id: Id) -> dict[str, Any]:
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


@router.post(
    "/{survey_id}/answers/{answer_id}/feedback",
    response={201: FeedbackOut},
    summary="Turn a text answer into an anonymous feedback item",
)
def answer_to_feedback(
    request: HttpRequest, survey_id: Id, answer_id: str, payload: ToFeedbackIn
) -> Status[dict[str, Any]]:
    user = actor(request)
    survey = queries.get_survey_for(user, survey_id)
    answer = queries.get_survey_answer(survey, answer_id)
    item = services.register_feedback_from_staff_survey(
        answer=answer, question=payload.question, actor=user
    )
    return Status(201, _one(item, user))
