"""The PDCA board (/desk/improvement/): the plans by phase; active or not, all or mine."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from serviceloop.improvement import queries
from serviceloop.improvement.choices import PlanStatus
from serviceloop.improvement.permissions import manages_improvement, reads_all_improvement

from ...access import plan_reader
from ...htmx import HtmxRequest


@require_GET
@plan_reader
def board(request: HtmxRequest) -> HttpResponse:
    status = request.GET.get("status", PlanStatus.ACTIVE)
    if status not in PlanStatus.values:
        status = PlanStatus.ACTIVE
    mine = request.GET.get("mine") == "1"
    context = {
        "columns": queries.board(request.user, status=status, mine=mine),
        "status": status,
        "statuses": PlanStatus.choices,
        "mine": mine,
        "may_manage": manages_improvement(request.user),
        "may_analyse": reads_all_improvement(request.user),
    }
    return render(request, "improvement/board.html", context)
