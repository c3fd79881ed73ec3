"""Follow-ups on the desk (/desk/follow-ups/): the user's open ones and their teams', overdue
ones marked, and the form that records a call's outcome (htmx: the row redraws itself)."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from serviceloop.core.errors import DomainError
from serviceloop.followups import queries, services
from serviceloop.followups.choices import Outcome
from serviceloop.followups.models import FollowUp
from serviceloop.followups.permissions import FOLLOW_UP_WORKER_ROLES

from ..access import desk_member
from ..forms import apply_errors
from ..forms.followups import RecordForm
from ..htmx import HtmxRequest, with_toast

TEMPLATE = "followups/list.html"


def _row(
    request: HtmxRequest, follow_up: FollowUp, form: RecordForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "item": follow_up,
        "form": form,
        "may_record": services.may_work(request.user, follow_up),
    }
    return render(request, f"{TEMPLATE}#row", context, status=status)


@require_GET
@desk_member
def follow_ups(request: HtmxRequest) -> HttpResponse:
    lists = queries.desk_lists(request.user)
    context: dict[str, Any] = {
        "mine": lists["mine"],
        "team": lists["team"],
        "may_record": request.user.role in FOLLOW_UP_WORKER_ROLES,
    }
    return render(request, TEMPLATE, context)


@require_POST
@desk_member
def record(request: HtmxRequest, follow_up_id: int) -> HttpResponse:
    """Record the outcome of one follow-up; "not solved" reopens its ticket."""
    follow_up = queries.get_follow_up_for(request.user, follow_up_id)
    form = RecordForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            follow_up = services.record_follow_up(
                follow_up=follow_up, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            done = _("Follow-up recorded.")
            if follow_up.outcome == Outcome.NOT_SOLVED and follow_up.ticket is not None:
                done = _("Follow-up recorded; the ticket is open again.")
            if request.htmx:
                response = _row(request, queries.get_follow_up_for(request.user, follow_up.pk))
                return with_toast(response, str(done))
            messages.success(request, done)
            return redirect("desk:follow_ups")
    if request.htmx:
        return _row(request, follow_up, form, status=status)
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for problem in problems:
            messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect("desk:follow_ups")


urlpatterns: list[URLPattern] = [
    path("follow-ups/", follow_ups, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/record/", record, name="follow_up_record"),
]
