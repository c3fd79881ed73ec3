"""The supervisor board: one team's open backlog, each agent's workload, the oldest open
tickets, and reassigning them (a select per row; drag and drop on top, static/web/board.js).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from serviceloop.accounts.models import Team
from serviceloop.accounts.queries import active_user
from serviceloop.core.errors import DomainError, StaleVersion
from serviceloop.tickets import board as boards
from serviceloop.tickets import queries, services
from serviceloop.tickets.choices import OPEN_STATUSES

from ..access import board_user
from ..forms.board import AssignForm
from ..htmx import HtmxRequest, with_toast


def _team(teams: list[Team], code: str | None) -> Team | None:
    """The team asked for (404 when it is not one of the user's), else the first one."""
    if not code:
        return teams[0] if teams else None
    for team in teams:
        if team.code == code:
            return team
    raise Http404("team")


def _board_url(team: Team) -> str:
    return f"{reverse('desk:board')}?team={team.code}"


@require_GET
@board_user
def board(request: HtmxRequest) -> HttpResponse:
    """The page; with htmx only the board part (the refresh button)."""
    user = request.user
    teams = boards.teams_on_board(user)
    team = _team(teams, request.GET.get("team"))
    context = {
        "teams": teams,
        "team": team,
        "board": boards.team_board(team) if team else None,
        "statuses": OPEN_STATUSES,
    }
    template = "desk/board.html#board" if request.htmx and team else "desk/board.html"
    return render(request, template, context)


@require_POST
@board_user
def assign(request: HtmxRequest) -> HttpResponse:
    """Give one ticket of the board to a member of its team, or back to the team queue.

    The form carries the version of the ticket the board showed: when someone changed the
    ticket meanwhile, nothing is saved and the answer (412) says so with the fresh board.
    """
    user = request.user
    form = AssignForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    data = form.cleaned_data
    team = _team(boards.teams_on_board(user), data["team"])
    assert team is not None
    ticket = queries.get_ticket_for(user, data["number"])
    status, toast, alert = 200, "", ""
    try:
        assignee = None
        if data["assignee"] is not None:
            assignee = active_user(data["assignee"], field="assignee")
        ticket = services.assign_ticket(
            ticket=ticket, assignee=assignee, actor=user, expected_version=data["version"]
        )
    except StaleVersion:
        status = 412
        alert = _(
            "Someone else changed %(number)s while you were looking at the board: your change "
            "was not saved. The board now shows the latest."
        ) % {"number": ticket.number}
    except DomainError as error:
        status = error.status
        alert = f"{ticket.number}: {error.message}"
    else:
        if assignee is None:
            toast = _("%(number)s is back in the team queue.") % {"number": ticket.number}
        else:
            toast = _("%(number)s is now with %(name)s.") % {
                "number": ticket.number,
                "name": assignee.display_name,
            }
    if not request.htmx:
        if alert:
            messages.error(request, alert)
        else:
            messages.success(request, toast)
        return redirect(_board_url(team))
    context = {
        "board": boards.team_board(team),
        "statuses": OPEN_STATUSES,
        "alert": alert,
    }
    response = render(request, "desk/board.html#board", context, status=status)
    if toast:
        with_toast(response, toast)
    return response


urlpatterns = [
    path("board/", board, name="board"),
    path("board/assign/", assign, name="board_assign"),
]
