"""Staff surveys (/desk/staff-surveys/): the list, a new survey, its page with the results
(withheld below the minimum of answers), sending it, answering it without one's name, and
turning a text answer into anonymous feedback."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.feedback import queries, services
from serviceloop.feedback.errors import TooFewAnswers
from serviceloop.feedback.models import StaffSurvey
from serviceloop.feedback.permissions import manages_feedback, reads_all_feedback
from serviceloop.feedback.questions import question_text
from serviceloop.tickets.reference import catalogue

from ...access import desk_member
from ...forms import apply_errors
from ...forms.feedback import SurveyForm, answer_form
from ...htmx import HtmxRequest


def _survey_rows(user: User) -> list[dict[str, Any]]:
    surveys = list(queries.surveys_visible_to(user)[:200])
    invited, answered = queries.invited_survey_ids(user), queries.answered_survey_ids(user)
    now = clock.now()
    return [
        {
            "survey": survey,
            "open": survey.is_open_at(now),
            "invited": survey.pk in invited,
            "answered": survey.pk in answered,
            "participation": queries.participation(survey) if reads_all_feedback(user) else None,
        }
        for survey in surveys
    ]


@require_GET
@desk_member
def surveys(request: HtmxRequest) -> HttpResponse:
    user = request.user
    context = {"rows": _survey_rows(user), "manages": manages_feedback(user)}
    return render(request, "feedback/surveys.html", context)


@require_http_methods(["GET", "POST"])
@desk_member
def survey_new(request: HtmxRequest) -> HttpResponse:
    user = request.user
    if not manages_feedback(user):
        raise PermissionDenied
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
    form = SurveyForm(
        request.POST or None,
        initial={"opens_at": now, "closes_at": now + timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.create_staff_survey(
                actor=user,
                title=data["title"],
                team=catalogue().teams.get(data["team"]),
                questions=data["questions"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Survey created. Send it to invite the team."))
            return redirect("desk:staff_survey", survey_id=survey.pk)
    status = 422 if form.errors else 200
    return render(request, "feedback/survey_new.html", {"form": form}, status=status)


def _survey_page(request: HtmxRequest, survey: StaffSurvey, *, status: int = 200) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "survey": survey,
        "questions": [{**q, "text": question_text(q)} for q in survey.questions],
        "open": survey.is_open_at(clock.now()),
        "invitation": queries.invitation_of(survey, user),
        "manages": manages_feedback(user),
        "reads": reads_all_feedback(user),
        "participation": None,
        "results": None,
        "withheld": None,
    }
    if context["reads"]:
        context["participation"] = queries.participation(survey)
        try:
            context["results"] = queries.survey_results(survey)
        except TooFewAnswers as withheld:
            context["withheld"] = withheld
    return render(request, "feedback/survey.html", context, status=status)


@require_GET
@desk_member
def survey(request: HtmxRequest, survey_id: int) -> HttpResponse:
    return _survey_page(request, queries.get_survey_for(request.user, survey_id))


@require_POST
@desk_member
def survey_send(request: HtmxRequest, survey_id: int) -> HttpResponse:
    user = request.user
    found = queries.get_survey_for(user, survey_id)
    try:
        invited = services.send_staff_survey(survey=found, actor=user)
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        count = len(invited)
        messages.success(
            request,
            ngettext("%(n)d member invited.", "%(n)d members invited.", count) % {"n": count},
        )
    return redirect("desk:staff_survey", survey_id=found.pk)


@require_http_methods(["GET", "POST"])
@desk_member
def survey_answer(request: HtmxRequest, survey_id: int) -> HttpResponse:
    """The invitee's form. Answered once, stored without their name."""
    user = request.user
    found = queries.get_survey_for(user, survey_id)
    invitation = queries.invitation_of(found, user)
    if invitation is None:
        raise Http404("invitation")
    form = answer_form(found, request.POST or None)
    status = 200
    if request.method == "POST" and not invitation.answered and form.is_valid():
        answers = {
            name.removeprefix("answers."): value for name, value in form.cleaned_data.items()
        }
        try:
            services.answer_staff_survey(survey=found, user=user, answers=answers)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("Thank you. Your answers are stored without your name."))
            return redirect("desk:staff_surveys")
    if form.errors and status == 200:
        status = 422
    context = {
        "survey": found,
        "form": form,
        "answered": invitation.answered,
        "open": found.is_open_at(clock.now()),
    }
    return render(request, "feedback/survey_answer.html", context, status=status)


@require_POST
@desk_member
def survey_to_feedback(request: HtmxRequest, survey_id: int, answer_id: str) -> HttpResponse:
    """Turn one text answer into an anonymous feedback item."""
    user = request.user
    found = queries.get_survey_for(user, survey_id)
    answer = queries.get_survey_answer(found, answer_id)
    try:
        made = services.register_feedback_from_staff_survey(
            answer=answer, question=request.POST.get("question", ""), actor=user
        )
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The answer is now feedback item %(number)s.") % {"number": made.number},
        )
    return redirect("desk:staff_survey", survey_id=found.pk)
